// The engine works on "byte strings": every char code is one byte (0–255) of the wire data, as
// ModSecurity works on bytes. Transformations, @validateUtf8Encoding and the raw-byte escapes of
// CRS patterns (\xff means the byte) then behave as in libmodsecurity, and nothing is lost to
// UTF-8 decoding of invalid input.

/** Bytes → byte string (one char per byte). */
export function latin1(buf: ArrayBuffer): string {
  const n = buf.byteLength;
  if (n == 0) return "";
  const out = new ArrayBuffer(n << 1);
  const src = changetype<usize>(buf);
  const dst = changetype<usize>(out);
  for (let i = 0; i < n; i++) store<u16>(dst + (<usize>i << 1), load<u8>(src + <usize>i));
  return String.UTF16.decode(out);
}

/** A UTF-16 string from configuration → its UTF-8 bytes as a byte string. */
export function toByteString(s: string): string {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return latin1(String.UTF8.encode(s));
  return s;
}

/** Byte string → bytes (chars above 0xff cannot occur; they are truncated). */
export function bytesOf(s: string): ArrayBuffer {
  const n = s.length;
  const out = new ArrayBuffer(n);
  const dst = changetype<usize>(out);
  for (let i = 0; i < n; i++) store<u8>(dst + <usize>i, <u8>s.charCodeAt(i));
  return out;
}

/** Byte string → text for a log line (the bytes read as UTF-8). */
export function forLog(s: string): string {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return String.UTF8.decode(bytesOf(s));
  return s;
}

export function fromCodes(codes: Array<i32>): string {
  const out = new ArrayBuffer(codes.length << 1);
  const dst = changetype<usize>(out);
  for (let i = 0; i < codes.length; i++) store<u16>(dst + (<usize>i << 1), <u16>unchecked(codes[i]));
  return String.UTF16.decode(out);
}

export function lowerAscii(s: string): string {
  let needs = false;
  for (let i = 0; i < s.length; i++) { const c = s.charCodeAt(i); if (c >= 65 && c <= 90) { needs = true; break; } }
  if (!needs) return s;
  const out = new Array<i32>(s.length);
  for (let i = 0; i < s.length; i++) { const c = s.charCodeAt(i); unchecked(out[i] = c >= 65 && c <= 90 ? c + 32 : c); }
  return fromCodes(out);
}

export function upperAscii(s: string): string {
  const out = new Array<i32>(s.length);
  for (let i = 0; i < s.length; i++) { const c = s.charCodeAt(i); unchecked(out[i] = c >= 97 && c <= 122 ? c - 32 : c); }
  return fromCodes(out);
}

export function hexVal(c: i32): i32 {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

export function isSpace(c: i32): bool { return c == 32 || (c >= 9 && c <= 13); }

/** A decimal integer prefix as ModSecurity's atoi reads it ("" or junk → 0). */
export function toInt(s: string): i64 {
  let i = 0;
  while (i < s.length && isSpace(s.charCodeAt(i))) i++;
  let neg = false;
  if (i < s.length && (s.charCodeAt(i) == 45 || s.charCodeAt(i) == 43)) { neg = s.charCodeAt(i) == 45; i++; }
  let v: i64 = 0;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) break;
    if (v < 100000000000000000) v = v * 10 + (c - 48);
    i++;
  }
  return neg ? -v : v;
}
