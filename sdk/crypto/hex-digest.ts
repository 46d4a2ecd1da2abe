// The hex digests and string-keyed HMAC steps that request signers (AWS SigV4, Tencent TC3,
// Aliyun ACS3) chain: hex(sha256(x)), hmac(key, utf8(text)).
import { sha256 } from "./sha256";
import { hmacSha256 } from "./hmac";
import { hexEncode } from "../encoding/hex";

/** Lowercase hex of SHA-256 of the bytes. */
export function sha256Hex(data: ArrayBuffer): string { return hexEncode<ArrayBuffer>(sha256<ArrayBuffer>(data)); }

/** HMAC-SHA256 of the UTF-8 of `text` under `key`. */
export function hmacSha256Text(key: ArrayBuffer, text: string): ArrayBuffer {
  return hmacSha256<ArrayBuffer, ArrayBuffer>(key, String.UTF8.encode(text));
}
