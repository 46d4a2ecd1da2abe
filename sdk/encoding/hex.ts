// Hex (base16). Encoding is lowercase; decoding accepts either case and returns null on bad input.
import { toBytes } from "./bytes";

const DIGITS = "0123456789abcdef";

export function hexEncode<T>(data: T): string {
  const b = toBytes(data);
  const n = <usize>b.length;
  const s = __new(n << 2, idof<string>()); // two UTF-16 chars per byte
  const digits = changetype<usize>(DIGITS);
  const src = b.dataStart;
  for (let i: usize = 0; i < n; i++) {
    const v = <usize>load<u8>(src + i);
    store<u16>(s + (i << 2), load<u16>(digits + ((v >> 4) << 1)));
    store<u16>(s + (i << 2) + 2, load<u16>(digits + ((v & 15) << 1)));
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

/** Decodes hex text; null if the length is odd or any character is not a hex digit. */
export function hexDecode(s: string): ArrayBuffer | null {
  const n = s.length;
  if (n & 1) return null;
  const out = new ArrayBuffer(n >> 1);
  const o = changetype<usize>(out);
  for (let i = 0; i < n; i += 2) {
    const hi = hexVal(s.charCodeAt(i));
    const lo = hexVal(s.charCodeAt(i + 1));
    if (hi < 0 || lo < 0) return null;
    store<u8>(o + (<usize>i >> 1), <u8>((hi << 4) | lo));
  }
  return out;
}
