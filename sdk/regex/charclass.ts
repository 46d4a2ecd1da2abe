// Character classes as sorted, non-overlapping code-point ranges, with RE2's case folding.
// Built only at compile time; matching uses the frozen `CharClass` (ASCII bitmap + ranges).
import { casemap } from "util/casemap";
import { isCased } from "util/string";

export const MAX_RUNE: i32 = 0x10ffff;

/** Collects ranges in any order; `finish` sorts and merges them. */
export class RangeBuilder {
  // Each range packed as (lo << 32) | hi so that a numeric sort orders by lo, then hi.
  packed: Array<i64> = [];

  add(lo: i32, hi: i32): void {
    if (lo > hi) return;
    this.packed.push((<i64>lo << 32) | <i64>hi);
  }

  addBuilder(other: RangeBuilder): void {
    for (let i = 0; i < other.packed.length; i++) this.packed.push(other.packed[i]);
  }

  /** Sorted, merged ranges as [lo0, hi0, lo1, hi1, …]. */
  ranges(): Array<i32> {
    const p = this.packed;
    p.sort();
    const out = new Array<i32>();
    for (let i = 0; i < p.length; i++) {
      const lo = <i32>(p[i] >> 32);
      const hi = <i32>(p[i] & 0xffffffff);
      const n = out.length;
      if (n > 0 && lo <= out[n - 1] + 1) {
        if (hi > out[n - 1]) out[n - 1] = hi;
      } else {
        out.push(lo);
        out.push(hi);
      }
    }
    return out;
  }

  /** Replaces the contents with their complement over [0, MAX_RUNE]. */
  negate(): void {
    const r = this.ranges();
    this.packed = [];
    let next = 0;
    for (let i = 0; i < r.length; i += 2) {
      if (r[i] > next) this.add(next, r[i] - 1);
      next = r[i + 1] + 1;
    }
    if (next <= MAX_RUNE) this.add(next, MAX_RUNE);
  }

  /** Adds every case variant of every code point already present (RE2's simple folding). */
  foldInPlace(): void {
    const r = this.ranges();
    for (let i = 0; i < r.length; i += 2) addFoldedRange(this, r[i], r[i + 1]);
  }
}

// Code points whose case orbit has more than two members; casemap's lower/upper pairs miss them.
// Each row: the lower-case representative followed by the extra members.
const EXTRA_ORBITS: StaticArray<i32> = [
  0x6b, 0x212a, -1,          // k K K(Kelvin)
  0x73, 0x17f, -1,           // s S ſ
  0xe5, 0x212b, -1,          // å Å Å(Angstrom)
  0xdf, 0x1e9e, -1,          // ß ẞ
  0x3bc, 0xb5, -1,           // μ Μ µ
  0x3c3, 0x3c2, -1,          // σ Σ ς
  0x3b2, 0x3d0, -1,          // β Β ϐ
  0x3b8, 0x3d1, 0x3f4, -1,   // θ Θ ϑ ϴ
  0x3c6, 0x3d5, -1,          // φ Φ ϕ
  0x3c0, 0x3d6, -1,          // π Π ϖ
  0x3ba, 0x3f0, -1,          // κ Κ ϰ
  0x3c1, 0x3f1, -1,          // ρ Ρ ϱ
  0x3b5, 0x3f5, -1,          // ε Ε ϵ
  0x3b9, 0x345, 0x1fbe, -1,  // ι Ι ͅ ι
  0x1e61, 0x1e9b, -1,        // ṡ Ṡ ẛ
];

@inline function lowerOf(c: i32): i32 {
  if (c < 0x80) return c >= 0x41 && c <= 0x5a ? c + 32 : c;
  if (c >= 0x20000) return c;
  return casemap(<u32>c, 0) & 0x1fffff;
}

@inline function upperOf(c: i32): i32 {
  if (c < 0x80) return c >= 0x61 && c <= 0x7a ? c - 32 : c;
  if (c >= 0x20000) return c;
  return casemap(<u32>c, 1) & 0x1fffff;
}

/** Calls `out.add` for every member of c's case orbit other than c itself (may repeat). */
export function addOrbit(out: RangeBuilder, c: i32): void {
  const lo = lowerOf(c);
  const up = upperOf(c);
  const base = lowerOf(up);
  if (lo != c) out.add(lo, lo);
  if (up != c) out.add(up, up);
  if (base != c) out.add(base, base);
  const baseUp = upperOf(base);
  if (baseUp != c) out.add(baseUp, baseUp);
  // Extra orbit members (Kelvin sign, long s, …).
  let i = 0;
  while (i < EXTRA_ORBITS.length) {
    const rep = EXTRA_ORBITS[i];
    let j = i + 1;
    let hit = rep == base || rep == lo;
    while (EXTRA_ORBITS[j] >= 0) {
      if (EXTRA_ORBITS[j] == c) hit = true;
      j++;
    }
    if (hit) {
      const repUp = upperOf(rep);
      out.add(rep, rep);
      out.add(repUp, repUp);
      for (let k = i + 1; k < j; k++) out.add(EXTRA_ORBITS[k], EXTRA_ORBITS[k]);
    }
    i = j + 1;
  }
}

/** True when c has at least one other case variant. */
export function hasCase(c: i32): bool {
  const b = new RangeBuilder();
  addOrbit(b, c);
  for (let i = 0; i < b.packed.length; i++) if (<i32>(b.packed[i] >> 32) != c) return true;
  return false;
}

// Code points outside [MIN_FOLD, MAX_FOLD] have no case variants (the same bounds as Go's).
const MIN_FOLD: i32 = 0x41;
const MAX_FOLD: i32 = 0x1e943;

function addFoldedRange(out: RangeBuilder, lo: i32, hi: i32): void {
  out.add(lo, hi);
  const from = lo > MIN_FOLD ? lo : MIN_FOLD;
  const to = hi < MAX_FOLD ? hi : MAX_FOLD;
  const tmp = new RangeBuilder();
  for (let c = from; c <= to; c++) {
    // Fast path for ASCII letters.
    if (c < 0x80) {
      if (c >= 0x41 && c <= 0x5a) tmp.add(c + 32, c + 32);
      else if (c >= 0x61 && c <= 0x7a) tmp.add(c - 32, c - 32);
      if (c == 0x6b || c == 0x4b) tmp.add(0x212a, 0x212a);
      if (c == 0x73 || c == 0x53) tmp.add(0x17f, 0x17f);
    } else if (isCased(<u32>c) && (lowerOf(c) != c || upperOf(c) != c || isExtraOrbitMember(c))) {
      addOrbit(tmp, c);
    } else continue;
    // Keep only variants outside [lo, hi]: inside a wide range most variants already are.
    for (let i = 0; i < tmp.packed.length; i++) {
      const v = <i32>(tmp.packed[i] & 0xffffffff);
      if (v < lo || v > hi) out.add(v, v);
    }
    tmp.packed.length = 0;
  }
}

function isExtraOrbitMember(c: i32): bool {
  for (let i = 0; i < EXTRA_ORBITS.length; i++) if (EXTRA_ORBITS[i] == c) return true;
  return false;
}

/** A frozen class: a 128-bit ASCII bitmap plus sorted ranges for the rest. */
export class CharClass {
  ascii: StaticArray<u32> = new StaticArray<u32>(4);
  ranges: StaticArray<i32>;

  constructor(ranges: Array<i32>) {
    this.ranges = StaticArray.fromArray<i32>(ranges);
    for (let i = 0; i < ranges.length; i += 2) {
      const lo = ranges[i];
      const hi = ranges[i + 1] < 127 ? ranges[i + 1] : 127;
      for (let c = lo; c <= hi; c++) unchecked(this.ascii[c >> 5] |= (<u32>1) << (<u32>(c & 31)));
    }
  }

  @inline matches(c: i32): bool {
    if (<u32>c < 128) return (unchecked(this.ascii[c >> 5]) & ((<u32>1) << (<u32>(c & 31)))) != 0;
    if (c < 0) return false;
    // Binary search over range pairs.
    const r = this.ranges;
    let lo = 0;
    let hi = (r.length >> 1) - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (c < unchecked(r[mid << 1])) hi = mid - 1;
      else if (c > unchecked(r[(mid << 1) + 1])) lo = mid + 1;
      else return true;
    }
    return false;
  }
}

// ---- Named classes -------------------------------------------------------------------------

export function addPerlClass(out: RangeBuilder, letter: i32): bool {
  switch (letter) {
    case 0x64: out.add(0x30, 0x39); return true; // d
    case 0x73: // s: RE2's \s is [\t\n\f\r ]
      out.add(0x09, 0x0a); out.add(0x0c, 0x0d); out.add(0x20, 0x20); return true;
    case 0x77: // w
      out.add(0x30, 0x39); out.add(0x41, 0x5a); out.add(0x5f, 0x5f); out.add(0x61, 0x7a); return true;
  }
  return false;
}

/** Adds the POSIX class `name` ("alpha", …); false if the name is unknown. */
export function addPosixClass(out: RangeBuilder, name: string): bool {
  if (name == "alnum") { out.add(0x30, 0x39); out.add(0x41, 0x5a); out.add(0x61, 0x7a); }
  else if (name == "alpha") { out.add(0x41, 0x5a); out.add(0x61, 0x7a); }
  else if (name == "ascii") out.add(0, 0x7f);
  else if (name == "blank") { out.add(0x09, 0x09); out.add(0x20, 0x20); }
  else if (name == "cntrl") { out.add(0, 0x1f); out.add(0x7f, 0x7f); }
  else if (name == "digit") out.add(0x30, 0x39);
  else if (name == "graph") out.add(0x21, 0x7e);
  else if (name == "lower") out.add(0x61, 0x7a);
  else if (name == "print") out.add(0x20, 0x7e);
  else if (name == "punct") { out.add(0x21, 0x2f); out.add(0x3a, 0x40); out.add(0x5b, 0x60); out.add(0x7b, 0x7e); }
  else if (name == "space") { out.add(0x09, 0x0d); out.add(0x20, 0x20); }
  else if (name == "upper") out.add(0x41, 0x5a);
  else if (name == "word") { out.add(0x30, 0x39); out.add(0x41, 0x5a); out.add(0x5f, 0x5f); out.add(0x61, 0x7a); }
  else if (name == "xdigit") { out.add(0x30, 0x39); out.add(0x41, 0x46); out.add(0x61, 0x66); }
  else return false;
  return true;
}
