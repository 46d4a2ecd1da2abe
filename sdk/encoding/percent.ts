// Percent-encoding (RFC 3986 §2.1) over UTF-8. Encoding keeps only the unreserved set
// A–Z a–z 0–9 - . _ ~ (what AWS SigV4 canonical requests require) and writes uppercase hex.
import { toBytes } from "./bytes";

const HEX = "0123456789ABCDEF";

// @ts-ignore: decorator
@inline function isUnreserved(c: u32): bool {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c == 45 || c == 46 || c == 95 || c == 126;
}

/**
 * Percent-encodes every byte outside the unreserved set. With `keepSlash`, '/' is left as is
 * (SigV4 canonical URI paths encode each segment but keep the separators).
 */
export function percentEncode<T>(data: T, keepSlash: bool = false): string {
  const b = toBytes(data);
  const n = <usize>b.length;
  const src = b.dataStart;
  let len: usize = 0;
  for (let i: usize = 0; i < n; i++) {
    const c = <u32>load<u8>(src + i);
    len += isUnreserved(c) || (keepSlash && c == 47) ? 1 : 3;
  }
  const s = __new(len << 1, idof<string>());
  const hex = changetype<usize>(HEX);
  let o = s;
  for (let i: usize = 0; i < n; i++) {
    const c = <u32>load<u8>(src + i);
    if (isUnreserved(c) || (keepSlash && c == 47)) {
      store<u16>(o, <u16>c); o += 2;
    } else {
      store<u16>(o, 37);
      store<u16>(o + 2, load<u16>(hex + ((<usize>c >> 4) << 1)));
      store<u16>(o + 4, load<u16>(hex + ((<usize>c & 15) << 1)));
      o += 6;
    }
  }
  return changetype<string>(s);
}

// @ts-ignore: decorator
@inline function hexVal(c: i32): i32 {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/**
 * Decodes %XX escapes to bytes (other characters are taken as their UTF-8 bytes). With
 * `plusAsSpace`, '+' means ' ' (form encoding). Null on a truncated or non-hex escape.
 */
export function percentDecodeBytes(s: string, plusAsSpace: bool = false): ArrayBuffer | null {
  const raw = Uint8Array.wrap(String.UTF8.encode(s));
  const n = raw.length;
  const out = new Uint8Array(n);
  let j = 0;
  for (let i = 0; i < n; i++) {
    const c = <i32>unchecked(raw[i]);
    if (c == 37) {
      if (i + 2 >= n) return null;
      const hi = hexVal(<i32>unchecked(raw[i + 1])), lo = hexVal(<i32>unchecked(raw[i + 2]));
      if (hi < 0 || lo < 0) return null;
      unchecked(out[j++] = <u8>((hi << 4) | lo));
      i += 2;
    } else if (c == 43 && plusAsSpace) {
      unchecked(out[j++] = 32);
    } else {
      unchecked(out[j++] = <u8>c);
    }
  }
  return out.buffer.slice(0, j);
}

/** percentDecodeBytes as text; invalid UTF-8 sequences become U+FFFD. Null on a bad escape. */
export function percentDecode(s: string, plusAsSpace: bool = false): string | null {
  const b = percentDecodeBytes(s, plusAsSpace);
  if (b === null) return null;
  return String.UTF8.decode(b);
}
