// RSA signature verification: RSASSA-PKCS1-v1_5 and RSASSA-PSS with MGF1 (RFC 8017 §8).
import { Limbs, Montgomery, limbsFromBytesBE, limbsToBytesBE, cmp, bitLength } from "./bignum";
import { HashAlg, newHasher } from "./hmac";

export const RSA_MIN_BITS = 1024;
export const RSA_MAX_BITS = 16384;

/** A parsed RSA public key: modulus and exponent as big-endian bytes without leading zeros. */
export class RsaPublicKey {
  constructor(public n: Uint8Array, public e: Uint8Array) {}

  get bits(): i32 {
    const n = this.n;
    if (n.length == 0) return 0;
    return (n.length - 1) * 8 + 32 - <i32>clz<u32>(<u32>unchecked(n[0]));
  }

  /** Checks the shape: odd modulus of RSA_MIN_BITS..RSA_MAX_BITS, odd exponent 3..2^64-1. */
  isValid(): bool {
    const bits = this.bits;
    if (bits < RSA_MIN_BITS || bits > RSA_MAX_BITS) return false;
    if ((unchecked(this.n[this.n.length - 1]) & 1) == 0) return false;
    const e = this.e;
    if (e.length == 0 || e.length > 8 || unchecked(e[0]) == 0) return false;
    if ((unchecked(e[e.length - 1]) & 1) == 0) return false;
    if (e.length == 1 && unchecked(e[0]) < 3) return false;
    return true;
  }
}

export function stripLeadingZeros(b: Uint8Array): Uint8Array {
  let i = 0;
  while (i < b.length && unchecked(b[i]) == 0) i++;
  return b.subarray(i);
}

/** s^e mod n as k-byte big-endian (k = modulus length), or null if s is not < n. */
function rsaPublicOp(key: RsaPublicKey, sig: Uint8Array): Uint8Array | null {
  const k = key.n.length;
  if (sig.length != k) return null;
  const limbs = (k + 3) >> 2;
  const n = limbsFromBytesBE(key.n, limbs);
  const s = limbsFromBytesBE(sig, limbs);
  const e = limbsFromBytesBE(key.e, 2);
  if (n === null || s === null || e === null) return null;
  if (cmp(s, n) >= 0) return null;
  const m = Montgomery.create(n);
  if (m === null) return null;
  const x = new StaticArray<u32>(limbs);
  m.toMont(x, s);
  m.pow(x, x, e);
  m.fromMont(x, x);
  return limbsToBytesBE(x, k);
}

// DER DigestInfo prefixes (RFC 8017 §9.2 note 1).
const PREFIX_SHA1: StaticArray<u8> = [0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14];
const PREFIX_SHA224: StaticArray<u8> = [0x30, 0x2d, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x04, 0x05, 0x00, 0x04, 0x1c];
const PREFIX_SHA256: StaticArray<u8> = [0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20];
const PREFIX_SHA384: StaticArray<u8> = [0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30];
const PREFIX_SHA512: StaticArray<u8> = [0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40];

function digestInfoPrefix(alg: HashAlg): StaticArray<u8> | null {
  switch (alg) {
    case HashAlg.SHA1: return PREFIX_SHA1;
    case HashAlg.SHA224: return PREFIX_SHA224;
    case HashAlg.SHA256: return PREFIX_SHA256;
    case HashAlg.SHA384: return PREFIX_SHA384;
    case HashAlg.SHA512: return PREFIX_SHA512;
    default: return null;
  }
}

/** RSASSA-PKCS1-v1_5 verification of `sig` over the message digest `hash`. */
export function rsaPkcs1Verify(key: RsaPublicKey, alg: HashAlg, hash: Uint8Array, sig: Uint8Array): bool {
  const prefix = digestInfoPrefix(alg);
  if (prefix === null) return false;
  const em = rsaPublicOp(key, sig);
  if (em === null) return false;
  const k = em.length;
  const tLen = prefix.length + hash.length;
  if (k < tLen + 11) return false;
  // EM = 00 01 FF…FF 00 || DigestInfo || H; compare every byte.
  let diff: u32 = <u32>unchecked(em[0]) | (<u32>unchecked(em[1]) ^ 1);
  const psEnd = k - tLen - 1;
  for (let i = 2; i < psEnd; i++) diff |= <u32>unchecked(em[i]) ^ 0xff;
  diff |= <u32>unchecked(em[psEnd]);
  for (let i = 0; i < prefix.length; i++) diff |= <u32>(unchecked(em[psEnd + 1 + i]) ^ unchecked(prefix[i]));
  const hOff = k - hash.length;
  for (let i = 0; i < hash.length; i++) diff |= <u32>(unchecked(em[hOff + i]) ^ unchecked(hash[i]));
  return diff == 0;
}

/** MGF1 mask of `len` bytes XORed into `out[off…]`. */
function mgf1Xor(alg: HashAlg, seed: Uint8Array, out: Uint8Array, off: i32, len: i32): void {
  const h = newHasher(alg);
  const counter = new Uint8Array(4);
  let done = 0;
  for (let c: u32 = 0; done < len; c++) {
    counter[0] = <u8>(c >>> 24); counter[1] = <u8>(c >>> 16); counter[2] = <u8>(c >>> 8); counter[3] = <u8>c;
    h.updateRaw(seed.dataStart, seed.length);
    h.updateRaw(counter.dataStart, 4);
    const block = Uint8Array.wrap(h.finish());
    for (let i = 0; i < block.length && done < len; i++) {
      unchecked(out[off + done] ^= block[i]);
      done++;
    }
  }
}

/**
 * RSASSA-PSS verification (EMSA-PSS-VERIFY, MGF1 with the same hash). `saltLength` −1 accepts
 * any salt length; JWS (RFC 7518 §3.5) uses the hash length.
 */
export function rsaPssVerify(key: RsaPublicKey, alg: HashAlg, mHash: Uint8Array, sig: Uint8Array, saltLength: i32 = -1): bool {
  const em0 = rsaPublicOp(key, sig);
  if (em0 === null) return false;
  const modBits = key.bits;
  const emBits = modBits - 1;
  const emLen = (emBits + 7) >> 3;
  // EM is the low emLen bytes of the k-byte result; any byte above must be zero.
  const skip = em0.length - emLen;
  for (let i = 0; i < skip; i++) if (unchecked(em0[i]) != 0) return false;
  const em = em0.subarray(skip);
  const hLen = mHash.length;
  if (emLen < hLen + 2) return false;
  if (unchecked(em[emLen - 1]) != 0xbc) return false;
  const dbLen = emLen - hLen - 1;
  const db = new Uint8Array(dbLen);
  for (let i = 0; i < dbLen; i++) unchecked(db[i] = em[i]);
  const hPart = em.subarray(dbLen, dbLen + hLen);
  const topBits = 8 * emLen - emBits; // bits of the first byte that must be zero
  if (topBits > 0 && (<u32>unchecked(db[0]) >>> (8 - topBits)) != 0) return false;
  mgf1Xor(alg, hPart, db, 0, dbLen);
  if (topBits > 0) unchecked(db[0] = <u8>(<u32>unchecked(db[0]) & (<u32>0xff >>> <u32>topBits)));
  // DB = PS (zeros) || 0x01 || salt
  let i = 0;
  while (i < dbLen && unchecked(db[i]) == 0) i++;
  if (i >= dbLen || unchecked(db[i]) != 1) return false;
  const salt = db.subarray(i + 1);
  if (saltLength >= 0 && salt.length != saltLength) return false;
  // H' = Hash(8 zero bytes || mHash || salt)
  const h = newHasher(alg);
  const zeros = new Uint8Array(8);
  h.updateRaw(zeros.dataStart, 8);
  h.updateRaw(mHash.dataStart, hLen);
  h.updateRaw(salt.dataStart, salt.length);
  const h2 = Uint8Array.wrap(h.finish());
  if (h2.length != hLen) return false;
  let diff: u32 = 0;
  for (let j = 0; j < hLen; j++) diff |= <u32>(unchecked(h2[j]) ^ unchecked(hPart[j]));
  return diff == 0;
}

