// Aliyun's V3 request signature, ACS3-HMAC-SHA256 (the scheme of the 2022+ RPC APIs: Content
// Security's TextModerationPlus / MultiModalGuard, …), as Aliyun's own signers compute it:
//   CanonicalRequest = METHOD \n URI \n sorted-encoded-query \n canonical-headers \n signed-headers \n hex(sha256(body))
//   StringToSign     = "ACS3-HMAC-SHA256\n" + hex(sha256(CanonicalRequest))
//   Authorization    = "ACS3-HMAC-SHA256 Credential=<AK>,SignedHeaders=<list>,Signature=<hex hmac(SK, StringToSign)>"
// Signed headers are host, content-type and every x-acs-* header, lower-cased and sorted.
import { sha256Hex, hmacSha256Text } from "../crypto/hex-digest";
import { hexEncode } from "../encoding/hex";
import { percentEncode } from "../encoding/percent";
import { HeaderPair } from "../runtime/pairs";

export const ACS3_ALGORITHM = "ACS3-HMAC-SHA256";

/** Percent-encoding of a query name or value (RFC 3986 unreserved kept; space is %20). */
export function acsEncode(s: string): string { return percentEncode<string>(s); }

/** application/x-www-form-urlencoded (Go's url.Values.Encode): like acsEncode, but space is '+'. */
export function formEncode(s: string): string { return acsEncode(s).replaceAll("%20", "+"); }

/** A version-4 UUID text from 16 random bytes (x-acs-signature-nonce). */
export function uuidV4(random: ArrayBuffer): string {
  const b = Uint8Array.wrap(random);
  if (b.length < 16) return "";
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = hexEncode<ArrayBuffer>(random.slice(0, 16));
  return h.substring(0, 8) + "-" + h.substring(8, 12) + "-" + h.substring(12, 16) + "-" + h.substring(16, 20) + "-" + h.substring(20, 32);
}

function isSigned(lower: string): bool {
  return lower == "host" || lower == "content-type" || lower.startsWith("x-acs-");
}

function sortStrings(a: Array<string>): void {
  // Insertion sort: a request has a handful of headers and query parameters.
  for (let i = 1; i < a.length; i++) {
    const v = a[i];
    let j = i - 1;
    while (j >= 0 && a[j] > v) { a[j + 1] = a[j]; j--; }
    a[j + 1] = v;
  }
}

/** One signed request: add headers and query parameters, then sign(). */
export class Acs3Request {
  headers: Array<HeaderPair> = [];
  query: Array<HeaderPair> = [];

  constructor(public method: string, public uri: string, public host: string) {
    this.headers.push(new HeaderPair("host", host));
  }

  header(name: string, value: string): Acs3Request { this.headers.push(new HeaderPair(name.toLowerCase(), value)); return this; }
  param(name: string, value: string): Acs3Request { this.query.push(new HeaderPair(name, value)); return this; }

  /** The query string as sent and as signed (names sorted, values acsEncoded). */
  canonicalQuery(): string {
    const names = new Array<string>();
    for (let i = 0; i < this.query.length; i++) names.push(acsEncode(this.query[i].name) + "=" + acsEncode(this.query[i].value));
    sortStrings(names);
    return names.join("&");
  }

  /**
   * Adds x-acs-content-sha256 (and x-acs-security-token when given), then Authorization.
   * Returns the Authorization value.
   */
  sign(body: ArrayBuffer, accessKeyId: string, accessKeySecret: string, securityToken: string = ""): string {
    const payloadHash = sha256Hex(body);
    this.header("x-acs-content-sha256", payloadHash);
    if (securityToken.length > 0) this.header("x-acs-security-token", securityToken);
    const names = new Array<string>();
    for (let i = 0; i < this.headers.length; i++) if (isSigned(this.headers[i].name)) names.push(this.headers[i].name);
    sortStrings(names);
    let canonicalHeaders = "";
    for (let i = 0; i < names.length; i++) {
      for (let j = 0; j < this.headers.length; j++) {
        if (this.headers[j].name == names[i]) { canonicalHeaders += names[i] + ":" + this.headers[j].value.trim() + "\n"; break; }
      }
    }
    const signedHeaders = names.join(";");
    const canonical = this.method + "\n" + this.uri + "\n" + this.canonicalQuery() + "\n" + canonicalHeaders + "\n" + signedHeaders + "\n" + payloadHash;
    const toSign = ACS3_ALGORITHM + "\n" + sha256Hex(String.UTF8.encode(canonical));
    const sig = hexEncode<ArrayBuffer>(hmacSha256Text(String.UTF8.encode(accessKeySecret), toSign));
    const auth = ACS3_ALGORITHM + " Credential=" + accessKeyId + ",SignedHeaders=" + signedHeaders + ",Signature=" + sig;
    this.header("authorization", auth);
    return auth;
  }
}
