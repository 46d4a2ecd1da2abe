// Correctly rounded decimal → double conversion for the numbers the parser's fast path cannot do
// exactly (more than 19 digits, or exponents beyond ±22). AssemblyScript's parseFloat is not an
// option: it is wrong by a factor of ten for many values around 1e38..1e50 (measured: 3,076 of
// 200,000 random doubles). Method: a close f64 estimate, then exact big-integer comparisons with
// the midpoints to its neighbours, stepping one ulp at a time (AlgorithmR-style refinement).

// Enough significant digits to decide any rounding: 767 are needed for the worst halfway case.
const MAX_DIGITS = 800;
// 5120 bits: D (≤ 801 digits) times 2^1076, or 10^1126 times a 54-bit midpoint, both fit.
const LIMBS = 160;

class Big {
  limbs: StaticArray<u32> = new StaticArray<u32>(LIMBS);
  len: i32 = 0;

  setU64(v: u64): void {
    this.len = 0;
    while (v != 0) { unchecked(this.limbs[this.len++] = <u32>v); v >>= 32; }
  }

  mulAdd(mul: u32, add: u32): void {
    let carry: u64 = add;
    const l = this.limbs;
    for (let i = 0; i < this.len; i++) {
      const t = <u64>unchecked(l[i]) * mul + carry;
      unchecked(l[i] = <u32>t);
      carry = t >> 32;
    }
    if (carry != 0 && this.len < LIMBS) unchecked(l[this.len++] = <u32>carry);
  }

  mulPow10(k: i32): void {
    while (k >= 9) { this.mulAdd(1000000000, 0); k -= 9; }
    if (k > 0) this.mulAdd(<u32>POW10_U32[k], 0);
  }

  shl(k: i32): void {
    if (this.len == 0 || k <= 0) return;
    const words = k >> 5, bits = k & 31;
    const l = this.limbs;
    let n = this.len + words + 1;
    if (n > LIMBS) n = LIMBS;
    for (let i = n - 1; i >= 0; i--) {
      const src = i - words;
      let v: u32 = 0;
      if (src >= 0 && src < this.len) v = unchecked(l[src]) << bits;
      if (bits != 0 && src - 1 >= 0 && src - 1 < this.len) v |= unchecked(l[src - 1]) >>> (32 - bits);
      unchecked(l[i] = v);
    }
    this.len = n;
    while (this.len > 0 && unchecked(l[this.len - 1]) == 0) this.len--;
  }

  copyFrom(o: Big): void {
    memory.copy(changetype<usize>(this.limbs), changetype<usize>(o.limbs), <usize>o.len << 2);
    this.len = o.len;
  }
}

const POW10_U32: StaticArray<u32> = [1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000];

function cmpBig(a: Big, b: Big): i32 {
  if (a.len != b.len) return a.len < b.len ? -1 : 1;
  for (let i = a.len - 1; i >= 0; i--) {
    const x = unchecked(a.limbs[i]), y = unchecked(b.limbs[i]);
    if (x != y) return x < y ? -1 : 1;
  }
  return 0;
}

/** Compares D × 10^E with K × 2^G exactly. */
function compareScaled(d: Big, e: i32, k: u64, g: i32, left: Big, right: Big): i32 {
  left.copyFrom(d);
  right.setU64(k);
  if (e >= 0) left.mulPow10(e); else right.mulPow10(-e);
  if (g >= 0) right.shl(g); else left.shl(-g);
  return cmpBig(left, right);
}

/**
 * Converts a number that already matched the JSON grammar, [ptr, ptr+len), to the nearest
 * double (ties to even), as JSON.parse does. Overflow gives ±Infinity, underflow ±0.
 */
export function parseDecimal(ptr: usize, len: i32): f64 {
  const end = ptr + <usize>len;
  let p = ptr;
  let neg = false;
  if (p < end && load<u8>(p) == 0x2d) { neg = true; p++; }
  const digits = new Big();
  let kept = 0;
  let exp10: i64 = 0;
  let sticky = false;
  let m19: u64 = 0;
  let k19 = 0;
  let seenDot = false;
  while (p < end) {
    const c = <u32>load<u8>(p);
    if (c == 0x2e) { seenDot = true; p++; continue; }
    if (c - 0x30 >= 10) break;
    const dgt = c - 0x30;
    if (kept == 0 && dgt == 0) { if (seenDot) exp10--; p++; continue; } // leading zeros
    if (kept < MAX_DIGITS) {
      if (kept == 0) digits.setU64(dgt); else digits.mulAdd(10, dgt);
      if (k19 < 19) { m19 = m19 * 10 + dgt; k19++; }
      kept++;
      if (seenDot) exp10--;
    } else {
      if (dgt != 0) sticky = true;
      if (!seenDot) exp10++;
    }
    p++;
  }
  if (p < end && (load<u8>(p) | 0x20) == 0x65) {
    p++;
    let eneg = false;
    if (p < end && (load<u8>(p) == 0x2b || load<u8>(p) == 0x2d)) { eneg = load<u8>(p) == 0x2d; p++; }
    let e: i64 = 0;
    while (p < end) {
      const c = <u32>load<u8>(p) - 0x30;
      if (c >= 10) break;
      if (e < 100000000) e = e * 10 + c;
      p++;
    }
    exp10 += eneg ? -e : e;
  }
  if (kept == 0) return neg ? -0.0 : 0.0;
  if (sticky) { digits.mulAdd(10, 1); kept++; exp10--; } // stands for the dropped non-zero tail
  const magnitude = <i64>kept + exp10; // value lies in [10^(magnitude-1), 10^magnitude)
  if (magnitude > 310) return neg ? -Infinity : Infinity;
  if (magnitude < -324) return neg ? -0.0 : 0.0;
  const e = <i32>exp10;

  // Estimate from the first 19 digits; off by a few ulps at most.
  const e19 = <i32>(exp10 + <i64>(kept - k19));
  let x: f64;
  if (e19 < -290) x = <f64>m19 * Math.pow(10, <f64>(e19 + 30)) * 1e-30;
  else x = <f64>m19 * Math.pow(10, <f64>e19);
  if (!isFinite(x)) x = f64.MAX_VALUE;

  const left = new Big(), right = new Big();
  for (let iter = 0; iter < 256; iter++) {
    const bits = reinterpret<u64>(x);
    const be = <i32>(bits >> 52) & 0x7ff;
    const frac = bits & 0xFFFFFFFFFFFFF;
    const mant: u64 = be == 0 ? frac : frac | (<u64>1 << 52);
    const g = (be == 0 ? -1074 : be - 1075) - 1;
    // Above the midpoint to the next double (ties go to the even mantissa)?
    const up = compareScaled(digits, e, 2 * mant + 1, g, left, right);
    if (up > 0 || (up == 0 && (mant & 1) != 0)) {
      if (bits == 0x7FEFFFFFFFFFFFFF) { x = Infinity; break; }
      x = reinterpret<f64>(bits + 1);
      continue;
    }
    if (mant == 0) break;
    // Below the midpoint to the previous double? Just above a power of two, that gap is half.
    const down = frac == 0 && be > 1
      ? compareScaled(digits, e, 4 * mant - 1, g - 1, left, right)
      : compareScaled(digits, e, 2 * mant - 1, g, left, right);
    if (down < 0 || (down == 0 && (mant & 1) != 0)) {
      x = reinterpret<f64>(bits - 1);
      continue;
    }
    break;
  }
  return neg ? -x : x;
}
