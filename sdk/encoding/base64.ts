// Base64 (RFC 4648 §4) and base64url (§5, as JWT uses it). Decoders return null on bad input:
// characters outside the alphabet, a length that cannot occur (4k+1), misplaced or wrong '='.
// Both decoders accept text with or without padding.
import { toBytes } from "./bytes";

const STD = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

function encode(b: Uint8Array, alphabet: string, pad: bool): string {
  const n = <usize>b.length;
  const full = n / 3;
  const rest = n - full * 3;
  let outLen = full * 4;
  if (rest) outLen += pad ? 4 : rest + 1;
  const s = __new(outLen << 1, idof<string>());
  const a = changetype<usize>(alphabet);
  const src = b.dataStart;
  let o = s;
  let i: usize = 0;
  for (; i + 3 <= n; i += 3) {
    const v = (<u32>load<u8>(src + i) << 16) | (<u32>load<u8>(src + i + 1) << 8) | <u32>load<u8>(src + i + 2);
    store<u16>(o, load<u16>(a + ((v >> 18) << 1)));
    store<u16>(o + 2, load<u16>(a + (((v >> 12) & 63) << 1)));
    store<u16>(o + 4, load<u16>(a + (((v >> 6) & 63) << 1)));
    store<u16>(o + 6, load<u16>(a + ((v & 63) << 1)));
    o += 8;
  }
  if (rest == 1) {
    const v = <u32>load<u8>(src + i) << 16;
    store<u16>(o, load<u16>(a + ((v >> 18) << 1)));
    store<u16>(o + 2, load<u16>(a + (((v >> 12) & 63) << 1)));
    if (pad) { store<u16>(o + 4, 61); store<u16>(o + 6, 61); }
  } else if (rest == 2) {
    const v = (<u32>load<u8>(src + i) << 16) | (<u32>load<u8>(src + i + 1) << 8);
    store<u16>(o, load<u16>(a + ((v >> 18) << 1)));
    store<u16>(o + 2, load<u16>(a + (((v >> 12) & 63) << 1)));
    store<u16>(o + 4, load<u16>(a + (((v >> 6) & 63) << 1)));
    if (pad) store<u16>(o + 6, 61);
  }
  return changetype<string>(s);
}

// @ts-ignore: decorator
@inline function sextet(c: i32, url: bool): i32 {
  if (c >= 65 && c <= 90) return c - 65;
  if (c >= 97 && c <= 122) return c - 71;
  if (c >= 48 && c <= 57) return c + 4;
  if (url) {
    if (c == 45) return 62; // '-'
    if (c == 95) return 63; // '_'
  } else {
    if (c == 43) return 62; // '+'
    if (c == 47) return 63; // '/'
  }
  return -1;
}

function decode(s: string, url: bool): ArrayBuffer | null {
  let n = s.length;
  // Strip up to two '=' of padding; if present, the padded length must be a multiple of 4.
  let pads = 0;
  while (n > 0 && pads < 2 && s.charCodeAt(n - 1) == 61) { n--; pads++; }
  if (pads > 0 && ((n + pads) & 3) != 0) return null;
  const rest = n & 3;
  if (rest == 1) return null;
  const outLen = (n >> 2) * 3 + (rest == 0 ? 0 : rest - 1);
  const out = new ArrayBuffer(outLen);
  const o = changetype<usize>(out);
  let j: usize = 0;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const a = sextet(s.charCodeAt(i), url), b = sextet(s.charCodeAt(i + 1), url);
    const c = sextet(s.charCodeAt(i + 2), url), d = sextet(s.charCodeAt(i + 3), url);
    if ((a | b | c | d) < 0) return null;
    const v = (a << 18) | (b << 12) | (c << 6) | d;
    store<u8>(o + j, <u8>(v >> 16));
    store<u8>(o + j + 1, <u8>(v >> 8));
    store<u8>(o + j + 2, <u8>v);
    j += 3;
  }
  if (rest == 2) {
    const a = sextet(s.charCodeAt(i), url), b = sextet(s.charCodeAt(i + 1), url);
    if ((a | b) < 0) return null;
    store<u8>(o + j, <u8>((a << 2) | (b >> 4)));
  } else if (rest == 3) {
    const a = sextet(s.charCodeAt(i), url), b = sextet(s.charCodeAt(i + 1), url), c = sextet(s.charCodeAt(i + 2), url);
    if ((a | b | c) < 0) return null;
    const v = (a << 18) | (b << 12) | (c << 6);
    store<u8>(o + j, <u8>(v >> 16));
    store<u8>(o + j + 1, <u8>(v >> 8));
  }
  return out;
}

/** Standard base64 ('+', '/'), padded with '=' unless `pad` is false. */
export function base64Encode<T>(data: T, pad: bool = true): string {
  return encode(toBytes(data), STD, pad);
}

/** base64url ('-', '_'), unpadded by default as JWT uses it. */
export function base64UrlEncode<T>(data: T, pad: bool = false): string {
  return encode(toBytes(data), URL, pad);
}

/** Decodes standard base64, padded or not; null on any malformed input. */
export function base64Decode(s: string): ArrayBuffer | null { return decode(s, false); }

/** Decodes base64url, padded or not; null on any malformed input. */
export function base64UrlDecode(s: string): ArrayBuffer | null { return decode(s, true); }
