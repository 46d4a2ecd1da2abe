// Test entry: RSA private keys from PEM and RSASSA-PKCS1-v1_5 signing, exposed to Node.
import { parseRsaPrivateKeyPem, rsaPkcs1Sign } from "../crypto/rsa-sign";
import { HashAlg } from "../crypto/hmac";
import { sha256 } from "../crypto/sha256";
import { sha384, sha512 } from "../crypto/sha512";

/** "" if the PEM holds a usable RSA private key, else why not. */
export function keyError(pem: string): string {
  return parseRsaPrivateKeyPem(pem).error;
}

/** The signature over `msg` with SHA-256 (bits 256), SHA-384 or SHA-512; empty when refused. */
export function sign(pem: string, bits: i32, msg: ArrayBuffer): ArrayBuffer {
  const r = parseRsaPrivateKeyPem(pem);
  if (r.key === null) return new ArrayBuffer(0);
  const alg = bits == 256 ? HashAlg.SHA256 : bits == 384 ? HashAlg.SHA384 : HashAlg.SHA512;
  const h = bits == 256 ? sha256(msg) : bits == 384 ? sha384(msg) : sha512(msg);
  const s = rsaPkcs1Sign(r.key!, alg, Uint8Array.wrap(h));
  return s === null ? new ArrayBuffer(0) : s.buffer.slice(s.byteOffset, s.byteOffset + s.byteLength);
}
