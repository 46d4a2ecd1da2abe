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

/** A new string of n code units, to be filled in place (no intermediate buffer). */
// @ts-ignore: decorator
@inline function newString(n: i32): string {
  return changetype<string>(__new(<usize>n << 1, idof<string>()));
}

/**
 * A growable buffer of code units that transformations write their output into: one shared
 * buffer (transformations never nest), so a transformation allocates only its result string.
 */
export class CodeBuf {
  private buf: StaticArray<u16> = new StaticArray<u16>(256);
  length: i32 = 0;
  push(c: i32): void {
    let b = this.buf;
    const n = this.length;
    if (n == b.length) {
      const grown = new StaticArray<u16>(n << 1);
      memory.copy(changetype<usize>(grown), changetype<usize>(b), <usize>n << 1);
      this.buf = b = grown;
    }
    unchecked(b[n] = <u16>c);
    this.length = n + 1;
  }
  pop(): void { if (this.length > 0) this.length--; }
  toString(): string {
    const n = this.length;
    if (n == 0) return "";
    const out = newString(n);
    memory.copy(changetype<usize>(out), changetype<usize>(this.buf), <usize>n << 1);
    return out;
  }
  /** Empties the buffer; one grown past 1 MiB by a huge value is let go. */
  reset(): CodeBuf {
    this.length = 0;
    if (this.buf.length > (1 << 19)) this.buf = new StaticArray<u16>(256);
    return this;
  }
}

const SCRATCH = new CodeBuf();

/** The shared output buffer, emptied: for a transformation's result (see CodeBuf). */
export function scratchCodes(): CodeBuf { return SCRATCH.reset(); }

export function fromCodes(codes: Array<i32>): string {
  const n = codes.length;
  if (n == 0) return "";
  const out = newString(n);
  const dst = changetype<usize>(out);
  for (let i = 0; i < n; i++) store<u16>(dst + (<usize>i << 1), <u16>unchecked(codes[i]));
  return out;
}

export function lowerAscii(s: string): string {
  const n = s.length;
  const src = changetype<usize>(s);
  let first = -1;
  for (let i = 0; i < n; i++) { const c = load<u16>(src + (<usize>i << 1)); if (c >= 65 && c <= 90) { first = i; break; } }
  if (first < 0) return s;
  const out = newString(n);
  const dst = changetype<usize>(out);
  memory.copy(dst, src, <usize>first << 1);
  for (let i = first; i < n; i++) { const c = load<u16>(src + (<usize>i << 1)); store<u16>(dst + (<usize>i << 1), c >= 65 && c <= 90 ? c + 32 : c); }
  return out;
}

export function upperAscii(s: string): string {
  const n = s.length;
  if (n == 0) return s;
  const src = changetype<usize>(s);
  const out = newString(n);
  const dst = changetype<usize>(out);
  for (let i = 0; i < n; i++) { const c = load<u16>(src + (<usize>i << 1)); store<u16>(dst + (<usize>i << 1), c >= 97 && c <= 122 ? c - 32 : c); }
  return out;
}

/** Whether s, lower-cased (ASCII), equals `lower` (already lower case): no allocation. */
export function eqLowerAscii(lower: string, s: string): bool {
  const n = s.length;
  if (lower.length != n) return false;
  const a = changetype<usize>(lower);
  const b = changetype<usize>(s);
  for (let i = 0; i < n; i++) {
    let c = load<u16>(b + (<usize>i << 1));
    if (c >= 65 && c <= 90) c += 32;
    if (c != load<u16>(a + (<usize>i << 1))) return false;
  }
  return true;
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
