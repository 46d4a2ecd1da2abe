// Word-at-a-time byte tests ("SIMD within a register") for the string scanners: eight bytes of
// plain text are skipped with a handful of integer operations instead of eight compares. Each
// test is exact about *whether* a word holds such a byte (false positives appear only in bytes
// above a true positive), which is all a skip loop needs.

const ONES: u64 = 0x0101010101010101;
const HIGHS: u64 = 0x8080808080808080;

/** Any byte equal to b? */
// @ts-ignore: decorator
@inline export function hasByte(w: u64, b: u64): bool {
  const x = w ^ (ONES * b);
  return ((x - ONES) & ~x & HIGHS) != 0;
}

/** Any byte that ends or escapes a JSON string, or is a control character ('"', '\\', < 0x20)? */
// @ts-ignore: decorator
@inline export function hasStringSpecial(w: u64): bool {
  const q = w ^ (ONES * 0x22);
  const b = w ^ (ONES * 0x5c);
  return ((((q - ONES) & ~q) | ((b - ONES) & ~b) | ((w - ONES * 0x20) & ~w)) & HIGHS) != 0;
}

/** Any byte >= 0x80? */
// @ts-ignore: decorator
@inline export function hasHighBit(w: u64): bool { return (w & HIGHS) != 0; }

const ONES16: u64 = 0x0001000100010001;
const HIGHS16: u64 = 0x8000800080008000;

/**
 * For four UTF-16 units in a word: true when all are printable ASCII that JSON copies as is
 * (0x20..0x7f, not '"' or '\\').
 */
// @ts-ignore: decorator
@inline export function isPlainAscii16(w: u64): bool {
  if ((w & 0xFF80FF80FF80FF80) != 0) return false;
  const q = w ^ (ONES16 * 0x22);
  const b = w ^ (ONES16 * 0x5c);
  return ((((q - ONES16) & ~q) | ((b - ONES16) & ~b) | ((w - ONES16 * 0x20) & ~w)) & HIGHS16) == 0;
}

/** Widens 4 bytes (low 32 bits) to 4 UTF-16 units. */
// @ts-ignore: decorator
@inline export function widen4(x: u64): u64 {
  return (x & 0xFF) | ((x & 0xFF00) << 8) | ((x & 0xFF0000) << 16) | ((x & 0xFF000000) << 24);
}

/** Narrows 4 UTF-16 units (each < 0x100) to 4 bytes. */
// @ts-ignore: decorator
@inline export function narrow4(w: u64): u32 {
  return <u32>((w & 0xFF) | ((w >> 8) & 0xFF00) | ((w >> 16) & 0xFF0000) | ((w >> 24) & 0xFF000000));
}
