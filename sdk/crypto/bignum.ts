// Fixed-width unsigned integers as little-endian u32 limbs, and Montgomery arithmetic modulo an
// odd modulus. Enough for RSA, P-256/P-384 and Ed25519 *verification*: every input is public,
// so nothing here tries to be constant-time. Nothing here traps on well-formed calls: callers
// check lengths (see `limbsFromBytesBE`) before arithmetic.

export type Limbs = StaticArray<u32>;

/** Big-endian bytes → `k` limbs; null if the value does not fit in k limbs. */
export function limbsFromBytesBE(b: Uint8Array, k: i32): Limbs | null {
  const out = new StaticArray<u32>(k);
  const n = b.length;
  for (let i = 0; i < n; i++) {
    const v = <u32>unchecked(b[n - 1 - i]);
    const limb = i >> 2;
    if (limb >= k) { if (v != 0) return null; continue; }
    unchecked(out[limb] |= v << ((<u32>i & 3) << 3));
  }
  return out;
}

/** Little-endian bytes → `k` limbs; null if the value does not fit. */
export function limbsFromBytesLE(b: Uint8Array, k: i32): Limbs | null {
  const out = new StaticArray<u32>(k);
  const n = b.length;
  for (let i = 0; i < n; i++) {
    const v = <u32>unchecked(b[i]);
    const limb = i >> 2;
    if (limb >= k) { if (v != 0) return null; continue; }
    unchecked(out[limb] |= v << ((<u32>i & 3) << 3));
  }
  return out;
}

/** Limbs → `len` big-endian bytes (high limbs that do not fit are dropped). */
export function limbsToBytesBE(a: Limbs, len: i32): Uint8Array {
  const out = new Uint8Array(len);
  const k = a.length;
  for (let i = 0; i < len; i++) {
    const limb = i >> 2;
    if (limb >= k) break;
    unchecked(out[len - 1 - i] = <u8>(unchecked(a[limb]) >>> ((<u32>i & 3) << 3)));
  }
  return out;
}

export function limbsToBytesLE(a: Limbs, len: i32): Uint8Array {
  const out = new Uint8Array(len);
  const k = a.length;
  for (let i = 0; i < len; i++) {
    const limb = i >> 2;
    if (limb >= k) break;
    unchecked(out[i] = <u8>(unchecked(a[limb]) >>> ((<u32>i & 3) << 3)));
  }
  return out;
}

export function limbsFromU32(v: u32, k: i32): Limbs {
  const out = new StaticArray<u32>(k);
  out[0] = v;
  return out;
}

/** -1, 0 or 1. Both must have the same length. */
export function cmp(a: Limbs, b: Limbs): i32 {
  for (let i = a.length - 1; i >= 0; i--) {
    const x = unchecked(a[i]), y = unchecked(b[i]);
    if (x != y) return x < y ? -1 : 1;
  }
  return 0;
}

export function isZero(a: Limbs): bool {
  for (let i = 0; i < a.length; i++) if (unchecked(a[i]) != 0) return false;
  return true;
}

export function copyLimbs(dst: Limbs, src: Limbs): void {
  memory.copy(changetype<usize>(dst), changetype<usize>(src), <usize>src.length << 2);
}

export function cloneLimbs(a: Limbs): Limbs {
  const out = new StaticArray<u32>(a.length);
  copyLimbs(out, a);
  return out;
}

/** r = a - b over the full width; returns the borrow (0 or 1). r may alias a or b. */
export function subInPlace(r: Limbs, a: Limbs, b: Limbs): u32 {
  let borrow: i64 = 0;
  for (let i = 0; i < r.length; i++) {
    const d = <i64>unchecked(a[i]) - <i64>unchecked(b[i]) + borrow;
    unchecked(r[i] = <u32>d);
    borrow = d >> 32; // 0 or -1
  }
  return <u32>(-borrow);
}

/** r = a + b over the full width; returns the carry. */
export function addInPlace(r: Limbs, a: Limbs, b: Limbs): u32 {
  let carry: u64 = 0;
  for (let i = 0; i < r.length; i++) {
    const s = <u64>unchecked(a[i]) + <u64>unchecked(b[i]) + carry;
    unchecked(r[i] = <u32>s);
    carry = s >> 32;
  }
  return <u32>carry;
}

/** Number of significant bits. */
export function bitLength(a: Limbs): i32 {
  for (let i = a.length - 1; i >= 0; i--) {
    const v = unchecked(a[i]);
    if (v != 0) return (i << 5) + 32 - <i32>clz<u32>(v);
  }
  return 0;
}

export function testBit(a: Limbs, bit: i32): bool {
  const limb = bit >> 5;
  if (limb >= a.length) return false;
  return ((unchecked(a[limb]) >>> (<u32>bit & 31)) & 1) != 0;
}

// x = 2x mod n, for x < n.
function doubleMod(x: Limbs, n: Limbs): void {
  let carry: u32 = 0;
  for (let i = 0; i < x.length; i++) {
    const v = unchecked(x[i]);
    unchecked(x[i] = (v << 1) | carry);
    carry = v >>> 31;
  }
  if (carry != 0 || cmp(x, n) >= 0) subInPlace(x, x, n);
}

/**
 * Arithmetic modulo an odd n in Montgomery form (R = 2^(32k)). Values passed to mul/add/sub
 * must be < n, except that mul accepts one operand < R when the other is < n.
 */
export class Montgomery {
  readonly k: i32;
  readonly n: Limbs;
  private n0inv: u32;
  /** R² mod n (converts into Montgomery form). */
  readonly r2: Limbs;
  /** R mod n, the Montgomery form of 1. */
  readonly one: Limbs;
  private t: StaticArray<u32>;
  private plainOne: Limbs;

  private constructor(n: Limbs) {
    const k = n.length;
    this.k = k;
    this.n = cloneLimbs(n);
    this.t = new StaticArray<u32>(k + 2);
    // -n^-1 mod 2^32 by Newton iteration (n odd).
    const n0 = unchecked(n[0]);
    let inv: u32 = 1;
    for (let i = 0; i < 5; i++) inv *= 2 - n0 * inv;
    this.n0inv = -inv;
    this.plainOne = limbsFromU32(1, k);
    // R mod n: start from 2^(bits−1) < n and double up to 2^(32k) (at most 32 doublings).
    const bits = bitLength(n);
    const x = new StaticArray<u32>(k);
    unchecked(x[(bits - 1) >> 5] = <u32>1 << (<u32>(bits - 1) & 31));
    for (let i = bits - 1; i < k << 5; i++) doubleMod(x, n);
    this.one = x;
    this.r2 = new StaticArray<u32>(k);
    // R² mod n is the Montgomery form of 2^(32k) = (Montgomery form of 2)^(32k).
    const two = cloneLimbs(x);
    doubleMod(two, n);
    this.pow(this.r2, two, limbsFromU32(<u32>(k << 5), 1));
  }

  /** A context for odd n > 1 whose top limb is non-zero; null otherwise. */
  static create(n: Limbs): Montgomery | null {
    const k = n.length;
    if (k == 0 || (unchecked(n[0]) & 1) == 0 || unchecked(n[k - 1]) == 0) return null;
    if (k == 1 && unchecked(n[0]) == 1) return null;
    return new Montgomery(n);
  }

  /** r = a·b·R⁻¹ mod n. r may alias a or b. */
  mul(r: Limbs, a: Limbs, b: Limbs): void {
    const k = <usize>this.k;
    const t = changetype<usize>(this.t);
    const pa = changetype<usize>(a), pb = changetype<usize>(b), pn = changetype<usize>(this.n);
    const end = k << 2;
    memory.fill(t, 0, end + 8);
    const n0inv = this.n0inv;
    const n0 = <u64>load<u32>(pn);
    let tk: u64 = 0; // t[k], kept in a local
    for (let i: usize = 0; i < end; i += 4) {
      const ai = <u64>load<u32>(pa + i);
      let c: u64 = 0;
      let s: u64 = 0;
      for (let j: usize = 0; j < end; j += 4) {
        s = <u64>load<u32>(t + j) + ai * <u64>load<u32>(pb + j) + c;
        store<u32>(t + j, <u32>s);
        c = s >> 32;
      }
      s = tk + c;
      const tk1 = s >> 32;
      tk = s & 0xffffffff;
      // (keep the product 32-bit: inside <u64>(…) AssemblyScript would widen it first)
      const m32: u32 = load<u32>(t) * n0inv;
      const m = <u64>m32;
      s = <u64>load<u32>(t) + m * n0;
      c = s >> 32;
      for (let j: usize = 4; j < end; j += 4) {
        s = <u64>load<u32>(t + j) + m * <u64>load<u32>(pn + j) + c;
        store<u32>(t + j - 4, <u32>s);
        c = s >> 32;
      }
      s = tk + c;
      store<u32>(t + end - 4, <u32>s);
      tk = tk1 + (s >> 32);
    }
    // t (k+1 limbs, top in tk) < 2n: subtract n once if needed.
    let ge = tk != 0;
    if (!ge) {
      ge = true;
      for (let i = <isize>end - 4; i >= 0; i -= 4) {
        const x = load<u32>(t + <usize>i), y = load<u32>(pn + <usize>i);
        if (x != y) { ge = x > y; break; }
      }
    }
    const pr = changetype<usize>(r);
    if (ge) {
      let borrow: i64 = 0;
      for (let i: usize = 0; i < end; i += 4) {
        const d = <i64>load<u32>(t + i) - <i64>load<u32>(pn + i) + borrow;
        store<u32>(pr + i, <u32>d);
        borrow = d >> 32;
      }
    } else {
      memory.copy(pr, t, end);
    }
  }

  sqr(r: Limbs, a: Limbs): void { this.mul(r, a, a); }

  /** r = a + b mod n. */
  add(r: Limbs, a: Limbs, b: Limbs): void {
    const carry = addInPlace(r, a, b);
    if (carry != 0 || cmp(r, this.n) >= 0) subInPlace(r, r, this.n);
  }

  /** r = a - b mod n. */
  sub(r: Limbs, a: Limbs, b: Limbs): void {
    if (subInPlace(r, a, b) != 0) addInPlace(r, r, this.n);
  }

  /** Montgomery form of a plain value a < R (reduced mod n). */
  toMont(r: Limbs, a: Limbs): void { this.mul(r, a, this.r2); }

  /** Plain value of a Montgomery-form a. */
  fromMont(r: Limbs, a: Limbs): void { this.mul(r, a, this.plainOne); }

  /** A plain a < R reduced mod n. */
  reduce(a: Limbs): Limbs {
    const r = new StaticArray<u32>(this.k);
    this.toMont(r, a);
    this.fromMont(r, r);
    return r;
  }

  /** (hi·R + lo) mod n for plain hi, lo < R: reduces a 2k-limb number. */
  reduceWide(lo: Limbs, hi: Limbs): Limbs {
    const a = new StaticArray<u32>(this.k), b = new StaticArray<u32>(this.k);
    this.toMont(a, lo);        // lo·R
    this.toMont(b, hi);        // hi·R
    this.mul(b, b, this.r2);   // hi·R·R
    this.add(a, a, b);
    this.fromMont(a, a);
    return a;
  }

  /** r = base^exp in Montgomery form; `exp` is a plain integer (any width). */
  pow(r: Limbs, base: Limbs, exp: Limbs): void {
    const acc = cloneLimbs(this.one);
    const b = cloneLimbs(base);
    for (let i = bitLength(exp) - 1; i >= 0; i--) {
      this.mul(acc, acc, acc);
      if (testBit(exp, i)) this.mul(acc, acc, b);
    }
    copyLimbs(r, acc);
  }

  /** r = a⁻¹ in Montgomery form, for prime n (Fermat). a must be non-zero. */
  invPrime(r: Limbs, a: Limbs): void {
    const e = cloneLimbs(this.n);
    const two = limbsFromU32(2, this.k);
    subInPlace(e, e, two);
    this.pow(r, a, e);
  }
}
