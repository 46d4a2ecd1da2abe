// JSON Web Tokens (RFC 7519) in JWS compact form: parsing that never traps, JWK Sets with
// RSA/EC/OKP public keys and "oct" HMAC secrets, and signature verification that refuses the
// classic attacks — `alg: none`, algorithm confusion (an HS* token checked with an RSA/EC public
// key used as the HMAC secret), a token algorithm that differs from the key's declared `alg`.
import { JsonObject, JsonKind } from "../json/value";
import { parseJson } from "../json/parse";
import { base64UrlDecode } from "../encoding/base64";
import { hmac, HashAlg } from "../crypto/hmac";
import { constantTimeEqual } from "../crypto/compare";
import { utf8Strict } from "./credential";
import { PublicKey, parseJwk } from "../crypto/keys";
import { verifySignature, VerifyResult, isSupportedAlg } from "../crypto/verify";

export class Jwt {
  header: JsonObject = new JsonObject();
  claims: JsonObject = new JsonObject();
  alg: string = "";
  /** The header's `kid`, or "". */
  kid: string = "";
  /** ASCII `header.payload`, what the signature covers. */
  signingInput: string = "";
  signature: Uint8Array = new Uint8Array(0);
}

export class JwtParseResult {
  constructor(public jwt: Jwt | null, public error: string) {}
}

function decodeJsonPart(part: string): JsonObject | null {
  if (part.indexOf("=") >= 0) return null; // JWS compact form is unpadded
  const raw = base64UrlDecode(part);
  if (raw === null) return null;
  // JSON text is UTF-8 (RFC 8259): a lossy decode could turn signed bytes into a different claim.
  const text = utf8Strict(raw);
  if (text === null) return null;
  const r = parseJson(text);
  if (!r.ok) return null;
  return r.value!.asObject();
}

/** Parses a compact JWS (three base64url parts); JWE and anything else is an error value. */
export function parseJwt(token: string): JwtParseResult {
  if (token.length == 0) return new JwtParseResult(null, "empty token");
  if (token.length > 65536) return new JwtParseResult(null, "token too long");
  const d1 = token.indexOf(".");
  const d2 = d1 < 0 ? -1 : token.indexOf(".", d1 + 1);
  if (d1 < 0 || d2 < 0 || token.indexOf(".", d2 + 1) >= 0) return new JwtParseResult(null, "not a compact JWS (three dot-separated parts)");
  const header = decodeJsonPart(token.substring(0, d1));
  if (header === null) return new JwtParseResult(null, "the header is not base64url JSON");
  const claims = decodeJsonPart(token.substring(d1 + 1, d2));
  if (claims === null) return new JwtParseResult(null, "the payload is not a base64url JSON object");
  const sigText = token.substring(d2 + 1);
  if (sigText.indexOf("=") >= 0) return new JwtParseResult(null, "the signature is not unpadded base64url");
  const sig = base64UrlDecode(sigText);
  if (sig === null) return new JwtParseResult(null, "the signature is not base64url");
  const alg = header.getString("alg");
  if (alg === null || alg.length == 0) return new JwtParseResult(null, "no alg in the header");
  if (header.has("crit")) return new JwtParseResult(null, "unsupported critical header parameters");
  const j = new Jwt();
  j.header = header;
  j.claims = claims;
  j.alg = alg;
  const kid = header.getString("kid");
  j.kid = kid === null ? "" : kid;
  j.signingInput = token.substring(0, d2);
  j.signature = Uint8Array.wrap(sig);
  return new JwtParseResult(j, "");
}

/** One key of a JWK Set: a public key, or an HMAC secret (`kty: oct`). */
export class Jwk {
  kid: string = "";
  /** The JWK's declared `alg`, or "". */
  alg: string = "";
  publicKey: PublicKey | null = null;
  secret: ArrayBuffer | null = null;
}

export class JwksResult {
  constructor(public keys: Array<Jwk>, public error: string) {}
}

/** Parses a JWK Set document (`{"keys": [...]}`). */
export function parseJwks(text: string): JwksResult {
  const r = parseJson(text);
  if (!r.ok) return new JwksResult([], "jwks is not valid JSON: " + r.error);
  const o = r.value!.asObject();
  if (o === null) return new JwksResult([], "jwks must be a JSON object with \"keys\"");
  return parseJwksObject(o);
}

export function parseJwksObject(o: JsonObject): JwksResult {
  const list = o.getArray("keys");
  if (list === null) return new JwksResult([], "jwks has no \"keys\" array");
  if (list.length == 0) return new JwksResult([], "jwks has no keys");
  const out = new Array<Jwk>();
  for (let i = 0; i < list.length; i++) {
    const k = list[i].asObject();
    if (k === null) return new JwksResult([], "jwks key " + i.toString() + " is not an object");
    const jwk = new Jwk();
    const kid = k.getString("kid");
    if (kid !== null) jwk.kid = kid;
    const alg = k.getString("alg");
    if (alg !== null) jwk.alg = alg;
    const kty = k.getString("kty");
    if (kty == "oct") {
      const kText = k.getString("k");
      const secret: ArrayBuffer | null = kText === null ? null : base64UrlDecode(kText);
      if (secret === null || secret.byteLength == 0) return new JwksResult([], "jwks key " + i.toString() + ": an oct key needs a base64url \"k\"");
      jwk.secret = secret;
    } else {
      const p = parseJwk(k);
      if (p.key === null) return new JwksResult([], "jwks key " + i.toString() + ": " + p.error);
      jwk.publicKey = p.key;
    }
    out.push(jwk);
  }
  return new JwksResult(out, "");
}

/** The key Higress's jwt-auth uses: the one whose kid matches the token's, else the first. */
export function selectKey(keys: Array<Jwk>, kid: string): Jwk | null {
  if (keys.length == 0) return null;
  if (kid.length > 0) {
    for (let i = 0; i < keys.length; i++) if (keys[i].kid == kid) return keys[i];
  }
  return keys[0];
}

function hmacAlg(alg: string): i32 {
  if (alg == "HS256") return HashAlg.SHA256;
  if (alg == "HS384") return HashAlg.SHA384;
  if (alg == "HS512") return HashAlg.SHA512;
  return -1;
}

/** True for every `alg` verifyJwt can check. */
export function isKnownAlg(alg: string): bool { return hmacAlg(alg) >= 0 || isSupportedAlg(alg); }

/** Checks the token's signature with `key`; "" when valid, else why not. */
export function verifyJwt(jwt: Jwt, key: Jwk): string {
  const alg = jwt.alg;
  if (alg == "none" || alg == "None" || alg == "NONE") return "unsigned token (alg none)";
  if (key.alg.length > 0 && key.alg != alg) return "the token's alg " + alg + " differs from the key's alg " + key.alg;
  const h = hmacAlg(alg);
  if (h >= 0) {
    // An HS* token must be checked with an HMAC secret, never with public key material.
    if (key.secret === null) return "algorithm " + alg + " needs an oct (HMAC) key";
    const expected = hmac<ArrayBuffer, string>(<HashAlg>h, key.secret!, jwt.signingInput);
    return constantTimeEqual<ArrayBuffer, Uint8Array>(expected, jwt.signature) ? "" : "bad signature";
  }
  if (!isSupportedAlg(alg)) return "unsupported algorithm " + alg;
  if (key.publicKey === null) return "algorithm " + alg + " needs a public key";
  const r = verifySignature<string, Uint8Array>(alg, key.publicKey, jwt.signingInput, jwt.signature);
  if (r == VerifyResult.Ok) return "";
  if (r == VerifyResult.WrongKeyType) return "algorithm " + alg + " does not fit the key";
  return "bad signature";
}

/** A NumericDate claim: the value in whole seconds, -1 when absent, -2 when not a number. */
export function numericDate(claims: JsonObject, name: string): i64 {
  const v = claims.get(name);
  if (v === null) return -1;
  if (v.kind != JsonKind.Number || !isFinite(v.num) || v.num < 0 || v.num > 1e15) return -2;
  return <i64>Math.floor(v.num);
}
