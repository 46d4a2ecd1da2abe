// Test entry: exposes the encodings to Node.
import { base64Encode, base64UrlEncode, base64Decode, base64UrlDecode } from "../encoding/base64";
import { hexEncode, hexDecode } from "../encoding/hex";
import { percentEncode, percentDecodeBytes } from "../encoding/percent";

export function b64(data: ArrayBuffer, url: bool, pad: bool): string {
  return url ? base64UrlEncode(data, pad) : base64Encode(data, pad);
}
export function b64Str(s: string): string { return base64Encode(s); }
/** Decoded bytes, or null (pointer 0) on malformed input. */
export function unb64(s: string, url: bool): ArrayBuffer | null {
  return url ? base64UrlDecode(s) : base64Decode(s);
}
export function hex(data: ArrayBuffer): string { return hexEncode(data); }
export function unhex(s: string): ArrayBuffer | null { return hexDecode(s); }
export function pct(data: ArrayBuffer, keepSlash: bool): string { return percentEncode(data, keepSlash); }
export function pctStr(s: string): string { return percentEncode(s); }
export function unpct(s: string, plus: bool): ArrayBuffer | null { return percentDecodeBytes(s, plus); }
