// ECDSA verification on NIST P-256 and P-384 (FIPS 186-4), Jacobian coordinates, a = −3.
import { Limbs, Montgomery, limbsFromBytesBE, limbsToBytesBE, cmp, isZero, copyLimbs, cloneLimbs, bitLength, testBit, subInPlace } from "./bignum";
import { hexDecode } from "../encoding/hex";

export class Curve {
  readonly name: string;
  /** Bytes per coordinate / scalar. */
  readonly size: i32;
  readonly k: i32;
  readonly fp: Montgomery;
  readonly fn: Montgomery;
  readonly b: Limbs;  // Montgomery form
  readonly gx: Limbs; // Montgomery form
  readonly gy: Limbs;
  readonly pPlus1Over4: Limbs; // for square roots (p ≡ 3 mod 4)

  constructor(name: string, size: i32, p: string, n: string, b: string, gx: string, gy: string) {
    this.name = name;
    this.size = size;
    const k = size >> 2;
    this.k = k;
    const fp = Montgomery.create(hexLimbs(p, k))!;
    this.fp = fp;
    this.fn = Montgomery.create(hexLimbs(n, k))!;
    this.b = toMont(fp, hexLimbs(b, k));
    this.gx = toMont(fp, hexLimbs(gx, k));
    this.gy = toMont(fp, hexLimbs(gy, k));
    // (p + 1) / 4
    const e = cloneLimbs(fp.n);
    let carry: u32 = 1;
    for (let i = 0; i < k; i++) { const s = <u64>e[i] + carry; e[i] = <u32>s; carry = <u32>(s >> 32); }
    for (let i = 0; i < k; i++) e[i] = (e[i] >>> 2) | (i + 1 < k ? e[i + 1] << 30 : carry << 30);
    this.pPlus1Over4 = e;
  }


  /** Plain big-endian coordinate bytes → Montgomery field element; null if not < p. */
  fieldFromBytes(b: Uint8Array): Limbs | null {
    if (b.length != this.size) return null;
    const a = limbsFromBytesBE(b, this.k);
    if (a === null || cmp(a, this.fp.n) >= 0) return null;
    return toMont(this.fp, a);
  }

  /** y² == x³ − 3x + b for Montgomery-form x, y. */
  isOnCurve(x: Limbs, y: Limbs): bool {
    const f = this.fp, k = this.k;
    const l = new StaticArray<u32>(k), r = new StaticArray<u32>(k), t = new StaticArray<u32>(k);
    f.mul(l, y, y);
    f.mul(r, x, x);
    f.mul(r, r, x);
    f.add(t, x, x);
    f.add(t, t, x);
    f.sub(r, r, t);
    f.add(r, r, this.b);
    return cmp(l, r) == 0;
  }

  /** y for x with the given parity (compressed points); null if x is not on the curve. */
  decompress(x: Limbs, odd: bool): Limbs | null {
    const f = this.fp, k = this.k;
    const r = new StaticArray<u32>(k), t = new StaticArray<u32>(k);
    f.mul(r, x, x);
    f.mul(r, r, x);
    f.add(t, x, x);
    f.add(t, t, x);
    f.sub(r, r, t);
    f.add(r, r, this.b);
    const y = new StaticArray<u32>(k);
    f.pow(y, r, this.pPlus1Over4);
    f.mul(t, y, y);
    if (cmp(t, r) != 0) return null;
    const plain = new StaticArray<u32>(k);
    f.fromMont(plain, y);
    if (((plain[0] & 1) != 0) != odd) f.sub(y, new StaticArray<u32>(k), y);
    return y;
  }
}

function toMont(f: Montgomery, a: Limbs): Limbs { const r = new StaticArray<u32>(a.length); f.toMont(r, a); return r; }

function hexLimbs(h: string, k: i32): Limbs {
  return limbsFromBytesBE(Uint8Array.wrap(hexDecode(h)!), k)!;
}

let p256: Curve | null = null;
let p384: Curve | null = null;

export function curveP256(): Curve {
  if (p256 === null) p256 = new Curve("P-256", 32,
    "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff",
    "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551",
    "5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b",
    "6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296",
    "4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5");
  return p256!;
}

export function curveP384(): Curve {
  if (p384 === null) p384 = new Curve("P-384", 48,
    "fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffff",
    "ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973",
    "b3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875ac656398d8a2ed19d2a85c8edd3ec2aef",
    "aa87ca22be8b05378eb1c71ef320ad746e1d3b628ba79b9859f741e082542a385502f25dbf55296c3a545e3872760ab7",
    "3617de4a96262c6f5d9e98bf9292dc29f8f41dbd289a147ce9da3113b5f0b8c00a60b1ce1d7e819d7a431d7c90ea0e5f");
  return p384!;
}

/** A point in Jacobian coordinates (Montgomery form); Z = 0 is the point at infinity. */
class Jac {
  x: Limbs; y: Limbs; z: Limbs;
  constructor(k: i32) { this.x = new StaticArray<u32>(k); this.y = new StaticArray<u32>(k); this.z = new StaticArray<u32>(k); }
  set(o: Jac): void { copyLimbs(this.x, o.x); copyLimbs(this.y, o.y); copyLimbs(this.z, o.z); }
}

/** Point arithmetic with preallocated temporaries. */
class Ops {
  f: Montgomery;
  t0: Limbs; t1: Limbs; t2: Limbs; t3: Limbs; t4: Limbs; t5: Limbs; t6: Limbs; t7: Limbs;
  constructor(public c: Curve) {
    const k = c.k;
    this.f = c.fp;
    this.t0 = new StaticArray<u32>(k); this.t1 = new StaticArray<u32>(k); this.t2 = new StaticArray<u32>(k); this.t3 = new StaticArray<u32>(k);
    this.t4 = new StaticArray<u32>(k); this.t5 = new StaticArray<u32>(k); this.t6 = new StaticArray<u32>(k); this.t7 = new StaticArray<u32>(k);
  }

  // dbl-2001-b (a = −3). In place.
  double(p: Jac): void {
    if (isZero(p.z)) return;
    const f = this.f;
    const delta = this.t0, gamma = this.t1, beta = this.t2, alpha = this.t3, t = this.t4;
    f.sqr(delta, p.z);
    f.sqr(gamma, p.y);
    f.mul(beta, p.x, gamma);
    f.sub(t, p.x, delta);
    f.add(alpha, p.x, delta);
    f.mul(alpha, alpha, t);
    f.add(t, alpha, alpha);
    f.add(alpha, alpha, t);           // alpha = 3(x−δ)(x+δ)
    // Z3 = (Y+Z)² − γ − δ
    f.add(t, p.y, p.z);
    f.sqr(t, t);
    f.sub(t, t, gamma);
    f.sub(p.z, t, delta);
    // X3 = α² − 8β
    f.add(beta, beta, beta);
    f.add(beta, beta, beta);          // 4β
    f.sqr(p.x, alpha);
    f.sub(p.x, p.x, beta);
    f.sub(p.x, p.x, beta);
    // Y3 = α(4β − X3) − 8γ²
    f.sub(beta, beta, p.x);
    f.mul(beta, beta, alpha);
    f.sqr(gamma, gamma);
    f.add(gamma, gamma, gamma);
    f.add(gamma, gamma, gamma);
    f.add(gamma, gamma, gamma);
    f.sub(p.y, beta, gamma);
  }

  // add-2007-bl: p = p + q. In place.
  add(p: Jac, q: Jac): void {
    if (isZero(q.z)) return;
    if (isZero(p.z)) { p.set(q); return; }
    const f = this.f;
    const z1z1 = this.t0, z2z2 = this.t1, u1 = this.t2, u2 = this.t3, s1 = this.t4, s2 = this.t5, h = this.t6, r = this.t7;
    f.sqr(z1z1, p.z);
    f.sqr(z2z2, q.z);
    f.mul(u1, p.x, z2z2);
    f.mul(u2, q.x, z1z1);
    f.mul(s1, p.y, q.z);
    f.mul(s1, s1, z2z2);
    f.mul(s2, q.y, p.z);
    f.mul(s2, s2, z1z1);
    f.sub(h, u2, u1);
    f.sub(r, s2, s1);
    if (isZero(h)) {
      if (isZero(r)) { this.double(p); return; }
      memory.fill(changetype<usize>(p.z), 0, <usize>this.c.k << 2); // P + (−P) = ∞
      return;
    }
    f.add(r, r, r);
    // Z3 = ((Z1+Z2)² − Z1Z1 − Z2Z2)·H
    f.add(p.z, p.z, q.z);
    f.sqr(p.z, p.z);
    f.sub(p.z, p.z, z1z1);
    f.sub(p.z, p.z, z2z2);
    f.mul(p.z, p.z, h);
    // I = (2H)², J = H·I, V = U1·I
    const i = z1z1, j = z2z2, v = u2;
    f.add(i, h, h);
    f.sqr(i, i);
    f.mul(j, h, i);
    f.mul(v, u1, i);
    // X3 = r² − J − 2V
    f.sqr(p.x, r);
    f.sub(p.x, p.x, j);
    f.sub(p.x, p.x, v);
    f.sub(p.x, p.x, v);
    // Y3 = r(V − X3) − 2·S1·J
    f.sub(v, v, p.x);
    f.mul(v, v, r);
    f.mul(s1, s1, j);
    f.add(s1, s1, s1);
    f.sub(p.y, v, s1);
  }

  // madd-2007-bl: p = p + (x2, y2, 1), for an affine second point. In place.
  addAffine(p: Jac, x2: Limbs, y2: Limbs): void {
    const f = this.f;
    if (isZero(p.z)) { copyLimbs(p.x, x2); copyLimbs(p.y, y2); copyLimbs(p.z, f.one); return; }
    const z1z1 = this.t0, u2 = this.t1, s2 = this.t2, h = this.t3, hh = this.t4, r = this.t5, i = this.t6, j = this.t7;
    f.sqr(z1z1, p.z);
    f.mul(u2, x2, z1z1);
    f.mul(s2, y2, p.z);
    f.mul(s2, s2, z1z1);
    f.sub(h, u2, p.x);
    f.sub(r, s2, p.y);
    if (isZero(h)) {
      if (isZero(r)) { this.double(p); return; }
      memory.fill(changetype<usize>(p.z), 0, <usize>this.c.k << 2);
      return;
    }
    f.add(r, r, r);
    f.sqr(hh, h);
    f.add(i, hh, hh);
    f.add(i, i, i);            // I = 4·HH
    f.mul(j, h, i);            // J = H·I
    const v = u2;
    f.mul(v, p.x, i);          // V = X1·I
    // Z3 = (Z1 + H)² − Z1Z1 − HH
    f.add(p.z, p.z, h);
    f.sqr(p.z, p.z);
    f.sub(p.z, p.z, z1z1);
    f.sub(p.z, p.z, hh);
    // X3 = r² − J − 2V
    f.sqr(p.x, r);
    f.sub(p.x, p.x, j);
    f.sub(p.x, p.x, v);
    f.sub(p.x, p.x, v);
    // Y3 = r(V − X3) − 2·Y1·J
    f.sub(v, v, p.x);
    f.mul(v, v, r);
    f.mul(s2, p.y, j);
    f.add(s2, s2, s2);
    f.sub(p.y, v, s2);
  }
}

/** A validated public point (Montgomery-form affine coordinates). */
export class EcPoint {
  constructor(public curve: Curve, public x: Limbs, public y: Limbs) {}
}

/** Validates big-endian affine coordinates; null unless the point is on the curve. */
export function ecPointFromBytes(curve: Curve, xb: Uint8Array, yb: Uint8Array): EcPoint | null {
  const x = curve.fieldFromBytes(xb);
  const y = curve.fieldFromBytes(yb);
  if (x === null || y === null) return null;
  if (!curve.isOnCurve(x, y)) return null;
  return new EcPoint(curve, x, y);
}

/** SEC1 encoding: 04||x||y, or 02/03||x (compressed). */
export function ecPointFromSec1(curve: Curve, b: Uint8Array): EcPoint | null {
  const s = curve.size;
  if (b.length == 1 + 2 * s && b[0] == 4) return ecPointFromBytes(curve, b.subarray(1, 1 + s), b.subarray(1 + s));
  if (b.length == 1 + s && (b[0] == 2 || b[0] == 3)) {
    const x = curve.fieldFromBytes(b.subarray(1));
    if (x === null) return null;
    const y = curve.decompress(x, b[0] == 3);
    if (y === null) return null;
    return new EcPoint(curve, x, y);
  }
  return null;
}

/** Big-endian x and y bytes of a point. */
export function ecPointBytes(pt: EcPoint): Array<Uint8Array> {
  const c = pt.curve;
  const t = new StaticArray<u32>(c.k);
  c.fp.fromMont(t, pt.x);
  const x = limbsToBytesBE(t, c.size);
  c.fp.fromMont(t, pt.y);
  const y = limbsToBytesBE(t, c.size);
  return [x, y];
}

/**
 * Verifies a raw r||s ECDSA signature (JWS form, RFC 7518 §3.4) over message digest `hash`.
 */
export function ecdsaVerify(pub: EcPoint, hash: Uint8Array, sig: Uint8Array): bool {
  const c = pub.curve;
  const size = c.size, k = c.k;
  if (sig.length != 2 * size) return false;
  const r = limbsFromBytesBE(sig.subarray(0, size), k);
  const s = limbsFromBytesBE(sig.subarray(size), k);
  if (r === null || s === null) return false;
  const fn = c.fn;
  if (isZero(r) || isZero(s) || cmp(r, fn.n) >= 0 || cmp(s, fn.n) >= 0) return false;
  // e = leftmost bitlen(n) bits of the hash, reduced mod n.
  const nBits = bitLength(fn.n);
  let hb = hash;
  if (hb.length * 8 > nBits) hb = hb.subarray(0, (nBits + 7) >> 3);
  let e = limbsFromBytesBE(hb, k)!;
  const excess = hb.length * 8 - nBits;
  if (excess > 0) shiftRight(e, excess);
  e = fn.reduce(e);
  // w = s⁻¹; u1 = e·w; u2 = r·w (all mod n)
  const w = new StaticArray<u32>(k), u1 = new StaticArray<u32>(k), u2 = new StaticArray<u32>(k);
  fn.toMont(w, s);
  fn.invPrime(w, w);
  fn.mul(u1, e, w);   // e·w·R⁻¹ · (w in Montgomery form carries R) = plain e·w
  fn.mul(u2, r, w);
  // R = u1·G + u2·Q (Shamir's trick)
  const ops = new Ops(c);
  const G = new Jac(k), Q = new Jac(k), GQ = new Jac(k), acc = new Jac(k);
  copyLimbs(G.x, c.gx); copyLimbs(G.y, c.gy); copyLimbs(G.z, c.fp.one);
  copyLimbs(Q.x, pub.x); copyLimbs(Q.y, pub.y); copyLimbs(Q.z, c.fp.one);
  GQ.set(G);
  ops.add(GQ, Q);
  const top = max(bitLength(u1), bitLength(u2));
  for (let i = top - 1; i >= 0; i--) {
    ops.double(acc);
    const b1 = testBit(u1, i), b2 = testBit(u2, i);
    if (b1 && b2) ops.add(acc, GQ);
    else if (b1) ops.addAffine(acc, c.gx, c.gy);
    else if (b2) ops.addAffine(acc, pub.x, pub.y);
  }
  if (isZero(acc.z)) return false;
  // x = X / Z² (plain), then compare x mod n with r.
  const f = c.fp;
  const zi = new StaticArray<u32>(k);
  f.invPrime(zi, acc.z);
  f.sqr(zi, zi);
  const x = new StaticArray<u32>(k);
  f.mul(x, acc.x, zi);
  f.fromMont(x, x);
  if (cmp(x, fn.n) >= 0) subInPlace(x, x, fn.n);
  return cmp(x, r) == 0;
}

function shiftRight(a: Limbs, bits: i32): void {
  // bits < 32 here (hash truncation to a whole number of bytes plus < 8 bits).
  const k = a.length;
  for (let i = 0; i < k; i++) {
    const hi: u32 = i + 1 < k ? unchecked(a[i + 1]) : 0;
    unchecked(a[i] = (unchecked(a[i]) >>> bits) | (bits > 0 ? hi << (32 - bits) : 0));
  }
}
