// Test entry: exposes hashes, HMAC, CRC32 and comparison to Node.
import { HashAlg, newHasher, digest, Hmac, hmac, hmacSha256 } from "../crypto/hmac";
import { sha256 } from "../crypto/sha256";
import { crc32, crc32Update } from "../crypto/crc32";
import { constantTimeEqual } from "../crypto/compare";

export function hash(alg: i32, data: ArrayBuffer): ArrayBuffer { return digest(<HashAlg>alg, data); }

/** Streams `data` in chunks whose sizes cycle through `chunks` (bytes). */
export function hashChunked(alg: i32, data: ArrayBuffer, chunkBuf: ArrayBuffer): ArrayBuffer {
  const chunks = Uint8Array.wrap(chunkBuf);
  const h = newHasher(<HashAlg>alg);
  const all = Uint8Array.wrap(data);
  let off = 0, k = 0;
  while (off < all.length) {
    const n = min(<i32>chunks[k % chunks.length] + 1, all.length - off);
    h.update(all.subarray(off, off + n));
    off += n; k++;
  }
  const first = h.finish();
  // finish() resets: hashing again must give the same digest.
  h.update(data);
  const second = h.finish();
  if (Uint8Array.wrap(first).toString() != Uint8Array.wrap(second).toString()) return new ArrayBuffer(0);
  return first;
}

export function mac(alg: i32, key: ArrayBuffer, data: ArrayBuffer): ArrayBuffer { return hmac(<HashAlg>alg, key, data); }

export function macTwice(alg: i32, key: ArrayBuffer, data: ArrayBuffer): ArrayBuffer {
  const m = new Hmac(<HashAlg>alg, Uint8Array.wrap(key));
  m.update(data).finish();
  return m.update(data).finish(); // reuse under the same key
}

export function macStr(key: string, data: string): ArrayBuffer { return hmacSha256(key, data); }
export function sha256Str(s: string): ArrayBuffer { return sha256(s); }

export function crc(data: ArrayBuffer): u32 { return crc32(data); }
export function crcSplit(data: ArrayBuffer, at: i32): u32 {
  const all = Uint8Array.wrap(data);
  return crc32Update(crc32(all.subarray(0, at)), all.subarray(at));
}
export function ctEq(a: ArrayBuffer, b: ArrayBuffer): bool { return constantTimeEqual(a, b); }

/** Hashes `data` n times (for the cost script). */
export function hashLoop(alg: i32, data: ArrayBuffer, n: i32): i32 {
  let x = 0;
  for (let i = 0; i < n; i++) x += Uint8Array.wrap(digest(<HashAlg>alg, data))[0];
  return x;
}
