// HMAC (RFC 2104) over any Hasher, plus the algorithm names the plugins use.
import { Hasher } from "./hasher";
import { Sha1 } from "./sha1";
import { Sha256 } from "./sha256";
import { Sha512 } from "./sha512";
import { Md5 } from "./md5";
import { toBytes } from "../encoding/bytes";

export enum HashAlg { MD5, SHA1, SHA224, SHA256, SHA384, SHA512 }

/** A fresh hasher for `alg`. */
export function newHasher(alg: HashAlg): Hasher {
  switch (alg) {
    case HashAlg.MD5: return new Md5();
    case HashAlg.SHA1: return new Sha1();
    case HashAlg.SHA224: return new Sha256(true);
    case HashAlg.SHA384: return new Sha512(true);
    case HashAlg.SHA512: return new Sha512();
    default: return new Sha256();
  }
}

/** Parses "sha256", "SHA-256", "hmac-sha256" style names; -1 if unknown. */
export function hashAlgFromName(name: string): i32 {
  let n = name.toLowerCase();
  if (n.startsWith("hmac-")) n = n.substring(5);
  n = n.replaceAll("-", "");
  if (n == "md5") return HashAlg.MD5;
  if (n == "sha1") return HashAlg.SHA1;
  if (n == "sha224") return HashAlg.SHA224;
  if (n == "sha256") return HashAlg.SHA256;
  if (n == "sha384") return HashAlg.SHA384;
  if (n == "sha512") return HashAlg.SHA512;
  return -1;
}

/** One-shot digest. */
export function digest<T>(alg: HashAlg, data: T): ArrayBuffer {
  const b = toBytes(data);
  const h = newHasher(alg);
  h.updateRaw(b.dataStart, b.byteLength);
  return h.finish();
}

/** Streaming HMAC: `new Hmac(HashAlg.SHA256, key).update(a).update(b).finish()`. */
export class Hmac {
  private inner: Hasher;
  private outer: Hasher;
  private ipad: ArrayBuffer;
  private opad: ArrayBuffer;

  constructor(alg: HashAlg, key: Uint8Array) {
    const inner = newHasher(alg);
    const bs = inner.blockSize;
    this.ipad = new ArrayBuffer(bs);
    this.opad = new ArrayBuffer(bs);
    this.outer = newHasher(alg);
    this.inner = inner;
    let k = key;
    if (k.length > bs) {
      inner.updateRaw(k.dataStart, k.length);
      k = Uint8Array.wrap(inner.finish());
    }
    const ip = changetype<usize>(this.ipad), op = changetype<usize>(this.opad);
    for (let i = 0; i < bs; i++) {
      const v: u8 = i < k.length ? unchecked(k[i]) : 0;
      store<u8>(ip + <usize>i, v ^ 0x36);
      store<u8>(op + <usize>i, v ^ 0x5c);
    }
    this.inner.updateRaw(ip, bs);
  }

  /** Builds from a key given as string (UTF-8), ArrayBuffer or Uint8Array. */
  static create<K>(alg: HashAlg, key: K): Hmac { return new Hmac(alg, toBytes(key)); }

  update<T>(data: T): this {
    const b = toBytes(data);
    this.inner.updateRaw(b.dataStart, b.byteLength);
    return this;
  }

  updateRaw(ptr: usize, len: i32): void { this.inner.updateRaw(ptr, len); }

  /** The MAC; afterwards the object is ready for a new message under the same key. */
  finish(): ArrayBuffer {
    const ih = this.inner.finish();
    this.outer.updateRaw(changetype<usize>(this.opad), this.outer.blockSize);
    this.outer.updateRaw(changetype<usize>(ih), ih.byteLength);
    const out = this.outer.finish();
    this.inner.updateRaw(changetype<usize>(this.ipad), this.inner.blockSize);
    return out;
  }
}

/** One-shot HMAC with key and data each a string, ArrayBuffer or Uint8Array. */
export function hmac<K, T>(alg: HashAlg, key: K, data: T): ArrayBuffer {
  return Hmac.create<K>(alg, key).update<T>(data).finish();
}

export function hmacSha256<K, T>(key: K, data: T): ArrayBuffer { return hmac<K, T>(HashAlg.SHA256, key, data); }
export function hmacSha1<K, T>(key: K, data: T): ArrayBuffer { return hmac<K, T>(HashAlg.SHA1, key, data); }
export function hmacSha384<K, T>(key: K, data: T): ArrayBuffer { return hmac<K, T>(HashAlg.SHA384, key, data); }
export function hmacSha512<K, T>(key: K, data: T): ArrayBuffer { return hmac<K, T>(HashAlg.SHA512, key, data); }
