// RSA signing: RSASSA-PKCS1-v1_5 (RFC 8017 §8.2.1) with a private key from PEM — PKCS#8
// `PRIVATE KEY` (what a Google service-account key holds) or PKCS#1 `RSA PRIVATE KEY`.
//
// The exponentiation runs the same multiplications whatever the exponent's bits are (square, then
// multiply and keep the product or not by a mask), so its time does not follow the key's bits the
// way a plain square-and-multiply does. It is not CRT: a 2048-bit signature costs about 4,100
// Montgomery multiplications (milliseconds) — fine for a token signed once an hour, not for a hot
// path. Every signature is checked with the public exponent before it is returned (a fault or a
// key whose parts do not fit gives null, never a wrong signature). Parsers never trap.
import { Limbs, Montgomery, limbsFromBytesBE, limbsToBytesBE, cmp, bitLength, testBit, cloneLimbs } from "./bignum";
import { HashAlg } from "./hmac";
import { RsaPublicKey, rsaPkcs1Verify, RSA_MIN_BITS, RSA_MAX_BITS } from "./rsa";
import { DerReader, derUnwrap, derPositiveInteger, bytesEqual, TAG_SEQUENCE, TAG_INTEGER, TAG_OID, TAG_OCTET_STRING } from "./der";
import { base64Decode } from "../encoding/base64";

const OID_RSA: StaticArray<u8> = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01]; // 1.2.840.113549.1.1.1

/** An RSA private key: modulus, public and private exponents (big-endian, no leading zeros). */
export class RsaPrivateKey {
  constructor(public n: Uint8Array, public e: Uint8Array, public d: Uint8Array) {}
  get publicKey(): RsaPublicKey { return new RsaPublicKey(this.n, this.e); }
  get bits(): i32 { return this.publicKey.bits; }
}

/** A parsed private key, or why it was refused. */
export class RsaPrivateKeyResult {
  constructor(public key: RsaPrivateKey | null, public error: string) {}
  static ok(k: RsaPrivateKey): RsaPrivateKeyResult { return new RsaPrivateKeyResult(k, ""); }
  static err(why: string): RsaPrivateKeyResult { return new RsaPrivateKeyResult(null, why); }
}

/** PKCS#1 RSAPrivateKey ::= SEQUENCE { version 0, n, e, d, p, q, dP, dQ, qInv } (two-prime only). */
export function parseRsaPrivateKeyDer(der: Uint8Array): RsaPrivateKeyResult {
  const seq = derUnwrap(der, TAG_SEQUENCE);
  if (seq === null) return RsaPrivateKeyResult.err("malformed RSAPrivateKey");
  const r = new DerReader(seq);
  const ints = new Array<Uint8Array>();
  for (let i = 0; i < 9; i++) {
    const v = r.expect(TAG_INTEGER);
    if (v === null) return RsaPrivateKeyResult.err("malformed RSAPrivateKey");
    ints.push(v);
  }
  if (!r.done) return RsaPrivateKeyResult.err("multi-prime RSA keys are not supported");
  if (ints[0].length != 1 || ints[0][0] != 0) return RsaPrivateKeyResult.err("unsupported RSAPrivateKey version");
  const n = derPositiveInteger(ints[1]), e = derPositiveInteger(ints[2]), d = derPositiveInteger(ints[3]);
  if (n === null || e === null || d === null) return RsaPrivateKeyResult.err("malformed RSAPrivateKey");
  const k = new RsaPrivateKey(n, e, d);
  if (!k.publicKey.isValid()) return RsaPrivateKeyResult.err("invalid RSA key (modulus must be odd, " + RSA_MIN_BITS.toString() + "–" + RSA_MAX_BITS.toString() + " bits; exponent odd, ≥ 3)");
  if (d.length > n.length) return RsaPrivateKeyResult.err("invalid RSA key (private exponent larger than the modulus)");
  return RsaPrivateKeyResult.ok(k);
}

/** PKCS#8 PrivateKeyInfo ::= SEQUENCE { version, AlgorithmIdentifier (rsaEncryption), OCTET STRING RSAPrivateKey, … }. */
export function parsePkcs8RsaPrivateKeyDer(der: Uint8Array): RsaPrivateKeyResult {
  const seq = derUnwrap(der, TAG_SEQUENCE);
  if (seq === null) return RsaPrivateKeyResult.err("malformed PKCS#8 PrivateKeyInfo");
  const r = new DerReader(seq);
  const version = r.expect(TAG_INTEGER);
  const alg = r.expect(TAG_SEQUENCE);
  const key = r.expect(TAG_OCTET_STRING);
  if (version === null || alg === null || key === null) return RsaPrivateKeyResult.err("malformed PKCS#8 PrivateKeyInfo");
  if (version.length != 1 || version[0] > 1) return RsaPrivateKeyResult.err("unsupported PKCS#8 version");
  const oid = new DerReader(alg).expect(TAG_OID);
  if (oid === null || !bytesEqual(oid, OID_RSA)) return RsaPrivateKeyResult.err("not an RSA private key");
  return parseRsaPrivateKeyDer(key);
}

/** A PEM `PRIVATE KEY` (PKCS#8) or `RSA PRIVATE KEY` (PKCS#1) block; text around it is ignored. */
export function parseRsaPrivateKeyPem(text: string): RsaPrivateKeyResult {
  const begin = text.indexOf("-----BEGIN ");
  if (begin < 0) return RsaPrivateKeyResult.err("no PEM block");
  const labelEnd = text.indexOf("-----", begin + 11);
  if (labelEnd < 0) return RsaPrivateKeyResult.err("malformed PEM header");
  const label = text.substring(begin + 11, labelEnd);
  if (label != "PRIVATE KEY" && label != "RSA PRIVATE KEY") {
    if (label == "ENCRYPTED PRIVATE KEY") return RsaPrivateKeyResult.err("encrypted private keys are not supported");
    return RsaPrivateKeyResult.err("unsupported PEM type: " + label + " (want PRIVATE KEY or RSA PRIVATE KEY)");
  }
  const end = text.indexOf("-----END " + label + "-----", labelEnd + 5);
  if (end < 0) return RsaPrivateKeyResult.err("PEM block has no END line");
  let b64 = "";
  const body = text.substring(labelEnd + 5, end);
  for (let i = 0; i < body.length; i++) {
    const c = body.charCodeAt(i);
    if (c == 32 || c == 9 || c == 10 || c == 13) continue;
    if (c == 58) return RsaPrivateKeyResult.err("encrypted or annotated PEM is not supported"); // ':'
    b64 += String.fromCharCode(c);
  }
  const der = base64Decode(b64);
  if (der === null) return RsaPrivateKeyResult.err("PEM body is not valid base64");
  const bytes = Uint8Array.wrap(der);
  return label == "PRIVATE KEY" ? parsePkcs8RsaPrivateKeyDer(bytes) : parseRsaPrivateKeyDer(bytes);
}

// DER DigestInfo prefixes (RFC 8017 §9.2 note 1).
const PREFIX_SHA256: StaticArray<u8> = [0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20];
const PREFIX_SHA384: StaticArray<u8> = [0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30];
const PREFIX_SHA512: StaticArray<u8> = [0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40];

/** r = a if mask is all ones, unchanged if mask is 0 (no branch on the mask). */
function select(r: Limbs, a: Limbs, mask: u32): void {
  for (let i = 0; i < r.length; i++) unchecked(r[i] = (unchecked(r[i]) & ~mask) | (unchecked(a[i]) & mask));
}

/**
 * RSASSA-PKCS1-v1_5 signature (k bytes, k = modulus length) over a message digest `hash` made
 * with `alg` (SHA-256/384/512); null when the digest's length does not fit the algorithm, the
 * modulus is too short for the encoding, or the signature does not verify.
 */
export function rsaPkcs1Sign(key: RsaPrivateKey, alg: HashAlg, hash: Uint8Array): Uint8Array | null {
  let prefix: StaticArray<u8>;
  let hLen = 0;
  if (alg == HashAlg.SHA256) { prefix = PREFIX_SHA256; hLen = 32; }
  else if (alg == HashAlg.SHA384) { prefix = PREFIX_SHA384; hLen = 48; }
  else if (alg == HashAlg.SHA512) { prefix = PREFIX_SHA512; hLen = 64; }
  else return null;
  if (hash.length != hLen) return null;
  const k = key.n.length;
  const tLen = prefix.length + hLen;
  if (k < tLen + 11) return null;
  // EM = 00 01 FF…FF 00 || DigestInfo || H
  const em = new Uint8Array(k);
  em[1] = 1;
  const psEnd = k - tLen - 1;
  for (let i = 2; i < psEnd; i++) unchecked(em[i] = 0xff);
  for (let i = 0; i < prefix.length; i++) unchecked(em[psEnd + 1 + i] = prefix[i]);
  em.set(hash, k - hLen);

  const limbs = (k + 3) >> 2;
  const n = limbsFromBytesBE(key.n, limbs);
  const m = limbsFromBytesBE(em, limbs);
  const d = limbsFromBytesBE(key.d, limbs);
  if (n === null || m === null || d === null || cmp(m, n) >= 0) return null;
  const mont = Montgomery.create(n);
  if (mont === null) return null;
  const base = new StaticArray<u32>(limbs);
  mont.toMont(base, m);
  const acc = cloneLimbs(mont.one);
  const t = new StaticArray<u32>(limbs);
  // Every bit position of the modulus' length, whatever d's own length.
  for (let i = bitLength(n) - 1; i >= 0; i--) {
    mont.mul(acc, acc, acc);
    mont.mul(t, acc, base);
    select(acc, t, 0 - <u32>testBit(d, i));
  }
  mont.fromMont(acc, acc);
  const sig = limbsToBytesBE(acc, k);
  return rsaPkcs1Verify(key.publicKey, alg, hash, sig) ? sig : null;
}
