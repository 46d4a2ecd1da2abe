// Exact, case-insensitive lookups of input bytes in the generated sorted tables (tables.ts).
// Only ASCII a-z is folded, as libinjection does; no allocation. Offsets are u16 (gen-data.mjs).

/** Compares entry `i` of a table with `len` input bytes at `p` upper-cased: <0, 0, >0. */
function cmpEntry(bytes: usize, offs: usize, i: i32, p: usize, len: i32): i32 {
  const start = <usize>load<u16>(offs + (<usize>i << 1));
  const elen = entryLen(offs, i);
  const n = elen < len ? elen : len;
  for (let k = 0; k < n; k++) {
    const a = <i32>load<u8>(bytes + start + k);
    let c = <i32>load<u8>(p + k);
    if (c >= 0x61 && c <= 0x7a) c -= 0x20;
    if (a != c) return a - c;
  }
  return elen - len;
}

/** Index of the entry equal to the `len` bytes at `p` (upper-cased), or -1. */
export function findWord(bytes: usize, offs: usize, count: i32, p: usize, len: i32): i32 {
  if (len <= 0) return -1;
  let lo = 0, hi = count - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const c = cmpEntry(bytes, offs, mid, p, len);
    if (c == 0) return mid;
    if (c < 0) lo = mid + 1; else hi = mid - 1;
  }
  return -1;
}

/** Length of entry `i`. */
export function entryLen(offs: usize, i: i32): i32 {
  return <i32>load<u16>(offs + (<usize>(i + 1) << 1)) - <i32>load<u16>(offs + (<usize>i << 1));
}

/** Does entry `i` equal, upper-cased, the input bytes at p.. (p+entryLen) with no NUL skipping? */
export function entryIsPrefixOf(bytes: usize, offs: usize, i: i32, p: usize, avail: i32): bool {
  const start = <usize>load<u16>(offs + (<usize>i << 1));
  const elen = entryLen(offs, i);
  if (elen > avail) return false;
  for (let k = 0; k < elen; k++) {
    let c = <i32>load<u8>(p + k);
    if (c >= 0x61 && c <= 0x7a) c -= 0x20;
    if (<i32>load<u8>(bytes + start + k) != c) return false;
  }
  return true;
}

/** Index of byte c in the n bytes at p, or -1. */
export function findByte(p: usize, n: i32, c: u8): i32 {
  for (let i = 0; i < n; i++) if (load<u8>(p + <usize>i) == c) return i;
  return -1;
}

/** Byte i of the len bytes at s, 0 outside. */
// @ts-ignore: decorator
@inline export function byteAt(s: usize, len: i32, i: i32): i32 {
  return i >= 0 && i < len ? <i32>load<u8>(s + <usize>i) : 0;
}

/** First index >= from of byte c in the len bytes at s, or -1. */
export function indexOf(s: usize, len: i32, c: i32, from: i32): i32 {
  for (let i = from < 0 ? 0 : from; i < len; i++) if (<i32>load<u8>(s + <usize>i) == c) return i;
  return -1;
}

/** First index >= from where bytes c0 c1 appear, or -1. */
export function indexOf2(s: usize, len: i32, c0: i32, c1: i32, from: i32): i32 {
  for (let i = from < 0 ? 0 : from; i + 1 < len; i++) {
    if (<i32>load<u8>(s + <usize>i) == c0 && <i32>load<u8>(s + <usize>i + 1) == c1) return i;
  }
  return -1;
}
