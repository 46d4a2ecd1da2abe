// Public keys for signature verification, from JWK, PEM or DER (SubjectPublicKeyInfo, PKCS#1
// RSAPublicKey, or an X.509 certificate's key). Every parser returns an error value, never traps.
import { JsonObject } from "../json/value";
import { base64Decode, base64UrlDecode } from "../encoding/base64";
import { RsaPublicKey, stripLeadingZeros } from "./rsa";
import { Curve, EcPoint, curveP256, curveP384, ecPointFromBytes, ecPointFromSec1, ecPointBytes } from "./ecdsa";
import { Ed25519Key, ed25519KeyFromBytes } from "./ed25519";
import {
  DerReader, derUnwrap, derPositiveInteger, bytesEqual, derTlv, derConcat, derInteger, derBitString, staticBytes,
  TAG_SEQUENCE, TAG_INTEGER, TAG_BIT_STRING, TAG_OID, TAG_NULL,
} from "./der";

export enum KeyType { RSA, EC, OKP }

// OIDs (DER content bytes)
const OID_RSA: StaticArray<u8> = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];   // 1.2.840.113549.1.1.1
const OID_EC: StaticArray<u8> = [0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];                // 1.2.840.10045.2.1
const OID_P256: StaticArray<u8> = [0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];        // 1.2.840.10045.3.1.7
const OID_P384: StaticArray<u8> = [0x2b, 0x81, 0x04, 0x00, 0x22];                          // 1.3.132.0.34
const OID_ED25519: StaticArray<u8> = [0x2b, 0x65, 0x70];                                   // 1.3.101.112

/** A validated public key of one of the supported kinds. */
export class PublicKey {
  kind: KeyType = KeyType.RSA;
  rsa: RsaPublicKey | null = null;
  ec: EcPoint | null = null;
  ed: Ed25519Key | null = null;
  /** The JWK "kid", when the key came from a JWK that had one. */
  kid: string | null = null;
  /** The JWK "alg", when present. */
  alg: string | null = null;
  private spkiCache: Uint8Array | null = null;

  /** "P-256", "P-384" for EC keys, "Ed25519" for OKP keys, "" for RSA. */
  get curve(): string {
    if (this.kind == KeyType.EC) return this.ec!.curve.name;
    if (this.kind == KeyType.OKP) return "Ed25519";
    return "";
  }

  /** DER SubjectPublicKeyInfo for this key (what Envoy's verify_signature imports). */
  spki(): Uint8Array {
    if (this.spkiCache !== null) return this.spkiCache!;
    let out: Uint8Array;
    if (this.kind == KeyType.RSA) {
      const k = this.rsa!;
      const rsaKey = derTlv(TAG_SEQUENCE, derConcat([derInteger(k.n), derInteger(k.e)]));
      const algId = derTlv(TAG_SEQUENCE, derConcat([derTlv(TAG_OID, staticBytes(OID_RSA)), derTlv(TAG_NULL, new Uint8Array(0))]));
      out = derTlv(TAG_SEQUENCE, derConcat([algId, derBitString(rsaKey)]));
    } else if (this.kind == KeyType.EC) {
      const p = this.ec!;
      const xy = ecPointBytes(p);
      const pt = new Uint8Array(1 + 2 * p.curve.size);
      pt[0] = 4;
      pt.set(xy[0], 1);
      pt.set(xy[1], 1 + p.curve.size);
      const curveOid = p.curve.size == 32 ? OID_P256 : OID_P384;
      const algId = derTlv(TAG_SEQUENCE, derConcat([derTlv(TAG_OID, staticBytes(OID_EC)), derTlv(TAG_OID, staticBytes(curveOid))]));
      out = derTlv(TAG_SEQUENCE, derConcat([algId, derBitString(pt)]));
    } else {
      const algId = derTlv(TAG_SEQUENCE, derTlv(TAG_OID, staticBytes(OID_ED25519)));
      out = derTlv(TAG_SEQUENCE, derConcat([algId, derBitString(this.ed!.bytes)]));
    }
    this.spkiCache = out;
    return out;
  }

  static fromRsa(k: RsaPublicKey): PublicKey { const p = new PublicKey(); p.kind = KeyType.RSA; p.rsa = k; return p; }
  static fromEc(pt: EcPoint): PublicKey { const p = new PublicKey(); p.kind = KeyType.EC; p.ec = pt; return p; }
  static fromEd25519(k: Ed25519Key): PublicKey { const p = new PublicKey(); p.kind = KeyType.OKP; p.ed = k; return p; }
}

/** A key or an error message. */
export class PublicKeyResult {
  constructor(public key: PublicKey | null, public error: string) {}
  get ok(): bool { return this.key !== null; }
  static ok(k: PublicKey): PublicKeyResult { return new PublicKeyResult(k, ""); }
  static err(msg: string): PublicKeyResult { return new PublicKeyResult(null, msg); }
}

// ---- RSA ----

function rsaKey(n: Uint8Array, e: Uint8Array): PublicKeyResult {
  const k = new RsaPublicKey(stripLeadingZeros(n), stripLeadingZeros(e));
  if (!k.isValid()) return PublicKeyResult.err("invalid RSA key (modulus must be odd, 1024–16384 bits; exponent odd, ≥ 3)");
  return PublicKeyResult.ok(PublicKey.fromRsa(k));
}

/** PKCS#1 RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }. */
export function parseRsaPublicKeyDer(der: Uint8Array): PublicKeyResult {
  const seq = derUnwrap(der, TAG_SEQUENCE);
  if (seq === null) return PublicKeyResult.err("malformed RSAPublicKey");
  const r = new DerReader(seq);
  const nv = r.expect(TAG_INTEGER);
  const ev = r.expect(TAG_INTEGER);
  if (nv === null || ev === null || !r.done) return PublicKeyResult.err("malformed RSAPublicKey");
  const n = derPositiveInteger(nv), e = derPositiveInteger(ev);
  if (n === null || e === null) return PublicKeyResult.err("malformed RSAPublicKey");
  return rsaKey(n, e);
}

// ---- SubjectPublicKeyInfo ----

/** SubjectPublicKeyInfo (RSA, EC P-256/P-384, Ed25519) from DER bytes. */
export function parseSpki(der: Uint8Array): PublicKeyResult {
  const seq = derUnwrap(der, TAG_SEQUENCE);
  if (seq === null) return PublicKeyResult.err("malformed SubjectPublicKeyInfo");
  const r = new DerReader(seq);
  const algId = r.expect(TAG_SEQUENCE);
  const bits = r.expect(TAG_BIT_STRING);
  if (algId === null || bits === null || !r.done) return PublicKeyResult.err("malformed SubjectPublicKeyInfo");
  if (bits.length < 1 || bits[0] != 0) return PublicKeyResult.err("malformed key bit string");
  const keyBytes = bits.subarray(1);
  const a = new DerReader(algId);
  const oid = a.expect(TAG_OID);
  if (oid === null) return PublicKeyResult.err("malformed AlgorithmIdentifier");
  if (bytesEqual(oid, OID_RSA)) {
    if (!a.done) {
      const params = a.next();
      if (params === null || params.tag != TAG_NULL || params.value.length != 0 || !a.done) return PublicKeyResult.err("malformed RSA AlgorithmIdentifier");
    }
    return parseRsaPublicKeyDer(keyBytes);
  }
  if (bytesEqual(oid, OID_EC)) {
    const curveOid = a.expect(TAG_OID);
    if (curveOid === null || !a.done) return PublicKeyResult.err("EC key without a named curve");
    let curve: Curve;
    if (bytesEqual(curveOid, OID_P256)) curve = curveP256();
    else if (bytesEqual(curveOid, OID_P384)) curve = curveP384();
    else return PublicKeyResult.err("unsupported EC curve");
    const pt = ecPointFromSec1(curve, keyBytes);
    if (pt === null) return PublicKeyResult.err("EC point is not on the curve");
    return PublicKeyResult.ok(PublicKey.fromEc(pt));
  }
  if (bytesEqual(oid, OID_ED25519)) {
    if (!a.done) return PublicKeyResult.err("malformed Ed25519 AlgorithmIdentifier");
    const k = ed25519KeyFromBytes(keyBytes);
    if (k === null) return PublicKeyResult.err("invalid Ed25519 public key");
    return PublicKeyResult.ok(PublicKey.fromEd25519(k));
  }
  return PublicKeyResult.err("unsupported key algorithm");
}

/** The SubjectPublicKeyInfo of an X.509 certificate (DER). */
export function parseCertificateDer(der: Uint8Array): PublicKeyResult {
  const cert = derUnwrap(der, TAG_SEQUENCE);
  if (cert === null) return PublicKeyResult.err("malformed certificate");
  const tbs = new DerReader(cert).expect(TAG_SEQUENCE);
  if (tbs === null) return PublicKeyResult.err("malformed certificate");
  // tbsCertificate: [0] version?, serial, signature, issuer, validity, subject, spki, …
  const r = new DerReader(tbs);
  let first = r.next();
  if (first === null) return PublicKeyResult.err("malformed certificate");
  if (first.tag == 0xa0) first = r.next(); // version; then serial
  for (let i = 0; i < 4; i++) if (r.next() === null) return PublicKeyResult.err("malformed certificate");
  const start = r.pos;
  const spki = r.next();
  if (spki === null || spki.tag != TAG_SEQUENCE) return PublicKeyResult.err("malformed certificate");
  return parseSpki(tbs.subarray(start, r.pos));
}

// ---- PEM ----

/**
 * A PEM block: "PUBLIC KEY" (SubjectPublicKeyInfo), "RSA PUBLIC KEY" (PKCS#1) or
 * "CERTIFICATE" (the certificate's key). Text around the block is ignored.
 */
export function parsePem(text: string): PublicKeyResult {
  const begin = text.indexOf("-----BEGIN ");
  if (begin < 0) return PublicKeyResult.err("no PEM block");
  const labelEnd = text.indexOf("-----", begin + 11);
  if (labelEnd < 0) return PublicKeyResult.err("malformed PEM header");
  const label = text.substring(begin + 11, labelEnd);
  const endMarker = "-----END " + label + "-----";
  const end = text.indexOf(endMarker, labelEnd + 5);
  if (end < 0) return PublicKeyResult.err("PEM block has no END line");
  const body = text.substring(labelEnd + 5, end);
  // Drop whitespace; refuse encapsulated headers (Proc-Type etc.).
  const parts = new Array<string>();
  let start = -1;
  for (let i = 0; i <= body.length; i++) {
    const c = i < body.length ? body.charCodeAt(i) : 32;
    const ws = c == 32 || c == 9 || c == 10 || c == 13;
    if (!ws && start < 0) start = i;
    if (ws && start >= 0) { parts.push(body.substring(start, i)); start = -1; }
  }
  const b64 = parts.join("");
  if (b64.includes(":")) return PublicKeyResult.err("encrypted or annotated PEM is not supported");
  const der = base64Decode(b64);
  if (der === null) return PublicKeyResult.err("PEM body is not valid base64");
  const bytes = Uint8Array.wrap(der);
  if (label == "PUBLIC KEY") return parseSpki(bytes);
  if (label == "RSA PUBLIC KEY") return parseRsaPublicKeyDer(bytes);
  if (label == "CERTIFICATE") return parseCertificateDer(bytes);
  return PublicKeyResult.err("unsupported PEM type: " + label);
}

// ---- JWK ----

function b64urlField(obj: JsonObject, name: string): Uint8Array | null {
  const s = obj.getString(name);
  if (s === null) return null;
  const b = base64UrlDecode(s);
  return b === null ? null : Uint8Array.wrap(b);
}

/** A JWK (RFC 7517/7518/8037): kty RSA (n, e), EC (crv P-256/P-384, x, y), OKP (crv Ed25519, x). */
export function parseJwk(obj: JsonObject): PublicKeyResult {
  const kty = obj.getString("kty");
  let res: PublicKeyResult;
  if (kty === null) return PublicKeyResult.err("JWK without kty");
  if (kty == "RSA") {
    const n = b64urlField(obj, "n"), e = b64urlField(obj, "e");
    if (n === null || e === null) return PublicKeyResult.err("RSA JWK needs base64url n and e");
    res = rsaKey(n, e);
  } else if (kty == "EC") {
    const crv = obj.getString("crv");
    let curve: Curve;
    if (crv == "P-256") curve = curveP256();
    else if (crv == "P-384") curve = curveP384();
    else return PublicKeyResult.err("unsupported EC crv");
    const x = b64urlField(obj, "x"), y = b64urlField(obj, "y");
    if (x === null || y === null) return PublicKeyResult.err("EC JWK needs base64url x and y");
    if (x.length != curve.size || y.length != curve.size) return PublicKeyResult.err("EC JWK coordinates have the wrong length");
    const pt = ecPointFromBytes(curve, x, y);
    if (pt === null) return PublicKeyResult.err("EC point is not on the curve");
    res = PublicKeyResult.ok(PublicKey.fromEc(pt));
  } else if (kty == "OKP") {
    if (obj.getString("crv") != "Ed25519") return PublicKeyResult.err("unsupported OKP crv");
    const x = b64urlField(obj, "x");
    if (x === null || x.length != 32) return PublicKeyResult.err("Ed25519 JWK needs a 32-byte base64url x");
    const k = ed25519KeyFromBytes(x);
    if (k === null) return PublicKeyResult.err("invalid Ed25519 public key");
    res = PublicKeyResult.ok(PublicKey.fromEd25519(k));
  } else {
    return PublicKeyResult.err("unsupported kty");
  }
  if (res.key !== null) {
    res.key!.kid = obj.getString("kid");
    res.key!.alg = obj.getString("alg");
  }
  return res;
}
