// Request signing for providers that need it: Tencent Cloud TC3-HMAC-SHA256 (hunyuan) and AWS
// Signature Version 4 (bedrock). Hashes and HMAC come from sdk/crypto.
import { sha256, hmacSha256 } from "@sluice/sdk/crypto";
import { hexEncode } from "@sluice/sdk/encoding";

function pad2(n: i64): string { return n < 10 ? "0" + n.toString() : n.toString(); }

/** [year, month, day, hour, minute, second] (UTC) of a Unix time in seconds. */
export function utcParts(secs: i64): Array<i64> {
  const days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
  const rem = secs - days * 86400;
  // Civil-from-days (Howard Hinnant's algorithm).
  const z = days + 719468;
  const era = (z >= 0 ? z : z - 146096) / 146097;
  const doe = z - era * 146097;
  const yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const mp = (5 * doy + 2) / 153;
  const d = doy - (153 * mp + 2) / 5 + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return [y, m, d, rem / 3600, (rem % 3600) / 60, rem % 60];
}

/** YYYY-MM-DD */
export function isoDate(secs: i64): string {
  const p = utcParts(secs);
  return p[0].toString() + "-" + pad2(p[1]) + "-" + pad2(p[2]);
}

/** YYYYMMDD'T'HHMMSS'Z' (x-amz-date) */
export function amzDate(secs: i64): string {
  const p = utcParts(secs);
  return p[0].toString() + pad2(p[1]) + pad2(p[2]) + "T" + pad2(p[3]) + pad2(p[4]) + pad2(p[5]) + "Z";
}

function hmacStr(key: ArrayBuffer, data: string): ArrayBuffer {
  return hmacSha256<ArrayBuffer, ArrayBuffer>(key, String.UTF8.encode(data));
}

function sha256Hex(data: ArrayBuffer): string { return hexEncode<ArrayBuffer>(sha256<ArrayBuffer>(data)); }

/**
 * Tencent Cloud API 3.0 signature (TC3-HMAC-SHA256) for a POST to "/" with a JSON body, signing
 * content-type and host. Returns the Authorization header value.
 */
export function tc3Authorization(secretId: string, secretKey: string, service: string, host: string, contentType: string, body: ArrayBuffer, timestamp: i64): string {
  const date = isoDate(timestamp);
  const canonical = "POST\n/\n\ncontent-type:" + contentType + "\nhost:" + host + "\n\ncontent-type;host\n" + sha256Hex(body);
  const scope = date + "/" + service + "/tc3_request";
  const toSign = "TC3-HMAC-SHA256\n" + timestamp.toString() + "\n" + scope + "\n" + sha256Hex(String.UTF8.encode(canonical));
  const kDate = hmacStr(String.UTF8.encode("TC3" + secretKey), date);
  const kService = hmacStr(kDate, service);
  const kSigning = hmacStr(kService, "tc3_request");
  const sig = hexEncode<ArrayBuffer>(hmacStr(kSigning, toSign));
  return "TC3-HMAC-SHA256 Credential=" + secretId + "/" + scope + ", SignedHeaders=content-type;host, Signature=" + sig;
}

const UNRESERVED = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~";
const HEX = "0123456789ABCDEF";

/** AWS's URI encoding (RFC 3986 unreserved kept); `/` kept when keepSlash. */
export function awsEncode(s: string, keepSlash: bool): string {
  const b = Uint8Array.wrap(String.UTF8.encode(s));
  let out = "";
  for (let i = 0; i < b.length; i++) {
    const c = b[i];
    const ch = String.fromCharCode(c);
    if (c < 128 && UNRESERVED.includes(ch)) out += ch;
    else if (c == 47 && keepSlash) out += "/";
    else out += "%" + HEX.charAt(c >> 4) + HEX.charAt(c & 15);
  }
  return out;
}

/**
 * AWS SigV4 for a POST without query string, signing host and x-amz-date. `path` is the path as
 * sent (already URI-encoded once); non-S3 services encode it again in the canonical request.
 */
export function sigV4Authorization(accessKey: string, secretKey: string, region: string, service: string, host: string, path: string, body: ArrayBuffer, amzdate: string): string {
  const date = amzdate.substring(0, 8);
  const canonical = "POST\n" + awsEncode(path, true) + "\n\nhost:" + host + "\nx-amz-date:" + amzdate + "\n\nhost;x-amz-date\n" + sha256Hex(body);
  const scope = date + "/" + region + "/" + service + "/aws4_request";
  const toSign = "AWS4-HMAC-SHA256\n" + amzdate + "\n" + scope + "\n" + sha256Hex(String.UTF8.encode(canonical));
  const kDate = hmacStr(String.UTF8.encode("AWS4" + secretKey), date);
  const kRegion = hmacStr(kDate, region);
  const kService = hmacStr(kRegion, service);
  const kSigning = hmacStr(kService, "aws4_request");
  const sig = hexEncode<ArrayBuffer>(hmacStr(kSigning, toSign));
  return "AWS4-HMAC-SHA256 Credential=" + accessKey + "/" + scope + ", SignedHeaders=host;x-amz-date, Signature=" + sig;
}
