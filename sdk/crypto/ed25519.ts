// Ed25519 signature verification (RFC 8032 §5.1.7), extended twisted Edwards coordinates.
// Cofactorless check as OpenSSL/BoringSSL do it: encode([S]B − [k]A) must equal R.
import { Limbs, Montgomery, limbsFromBytesLE, limbsToBytesLE, limbsFromU32, cmp, isZero, copyLimbs, cloneLimbs, bitLength, testBit } from "./bignum";
import { Sha512 } from "./sha512";
import { hexDecode } from "../encoding/hex";
import { limbsFromBytesBE } from "./bignum";

const K = 8;

class Ed {
  f: Montgomery;
  l: Montgomery;
  d: Limbs;   // Montgomery form
  d2: Limbs;  // 2d
  sqrtM1: Limbs;
  bx: Limbs; by: Limbs;
  pMinus5Over8: Limbs;

  constructor() {
    const p = new StaticArray<u32>(K);
    for (let i = 0; i < K; i++) p[i] = 0xffffffff;
    p[7] = 0x7fffffff;
    p[0] = 0xffffffed; // 2^255 − 19
    const f = Montgomery.create(p)!;
    this.f = f;
    this.l = Montgomery.create(limbsFromBytesBE(Uint8Array.wrap(hexDecode("1000000000000000000000000000000014def9dea2f79cd65812631a5cf5d3ed")!), K)!)!;
    // d = −121665 / 121666
    const num = mont(f, 121665), den = mont(f, 121666);
    f.invPrime(den, den);
    const d = new StaticArray<u32>(K);
    f.mul(d, num, den);
    f.sub(d, new StaticArray<u32>(K), d);
    this.d = d;
    const d2 = new StaticArray<u32>(K);
    f.add(d2, d, d);
    this.d2 = d2;
    // sqrt(−1) = 2^((p−1)/4)
    const e = cloneLimbs(p);
    e[0] -= 1;
    shr(e, 2);
    const s = new StaticArray<u32>(K);
    f.pow(s, mont(f, 2), e);
    this.sqrtM1 = s;
    const e2 = cloneLimbs(p);
    e2[0] -= 5;
    shr(e2, 3);
    this.pMinus5Over8 = e2;
    // B: y = 4/5, x even.
    const y = mont(f, 4), five = mont(f, 5);
    f.invPrime(five, five);
    f.mul(y, y, five);
    this.by = y;
    this.bx = new StaticArray<u32>(K);
    const x = this.recoverX(y, false);
    this.bx = x!;
  }

  /** x with the given sign bit for Montgomery-form y, or null if none exists. */
  recoverX(y: Limbs, sign: bool): Limbs | null {
    const f = this.f;
    const u = new StaticArray<u32>(K), v = new StaticArray<u32>(K), t = new StaticArray<u32>(K), x = new StaticArray<u32>(K);
    f.sqr(u, y);
    f.mul(v, u, this.d);
    f.sub(u, u, f.one);      // u = y² − 1
    f.add(v, v, f.one);      // v = d·y² + 1
    // x = u·v³·(u·v⁷)^((p−5)/8)
    const v3 = new StaticArray<u32>(K);
    f.sqr(v3, v);
    f.mul(v3, v3, v);
    f.sqr(t, v3);
    f.mul(t, t, v);          // v⁷
    f.mul(t, t, u);          // u·v⁷
    f.pow(t, t, this.pMinus5Over8);
    f.mul(x, u, v3);
    f.mul(x, x, t);
    // check v·x² == ±u
    f.sqr(t, x);
    f.mul(t, t, v);
    if (cmp(t, u) != 0) {
      const neg = new StaticArray<u32>(K);
      f.sub(neg, neg, u);
      if (cmp(t, neg) != 0) return null;
      f.mul(x, x, this.sqrtM1);
    }
    const plain = new StaticArray<u32>(K);
    f.fromMont(plain, x);
    if (isZero(plain) && sign) return null;
    if (((plain[0] & 1) != 0) != sign) f.sub(x, new StaticArray<u32>(K), x);
    return x;
  }
}

function mont(f: Montgomery, v: u32): Limbs {
  const r = limbsFromU32(v, K);
  f.toMont(r, r);
  return r;
}

function shr(a: Limbs, bits: i32): void {
  for (let i = 0; i < a.length; i++) {
    const hi: u32 = i + 1 < a.length ? a[i + 1] : 0;
    a[i] = (a[i] >>> bits) | (hi << (32 - bits));
  }
}

let ed: Ed | null = null;
function ctx(): Ed {
  if (ed === null) ed = new Ed();
  return ed!;
}

/** Extended coordinates (X:Y:Z:T), x = X/Z, y = Y/Z, xy = T/Z. */
class Ext {
  x: Limbs = new StaticArray<u32>(K);
  y: Limbs = new StaticArray<u32>(K);
  z: Limbs = new StaticArray<u32>(K);
  t: Limbs = new StaticArray<u32>(K);
  set(o: Ext): void { copyLimbs(this.x, o.x); copyLimbs(this.y, o.y); copyLimbs(this.z, o.z); copyLimbs(this.t, o.t); }
}

class EdOps {
  a: Limbs = new StaticArray<u32>(K); b: Limbs = new StaticArray<u32>(K); c: Limbs = new StaticArray<u32>(K);
  d: Limbs = new StaticArray<u32>(K); e: Limbs = new StaticArray<u32>(K); f: Limbs = new StaticArray<u32>(K);
  g: Limbs = new StaticArray<u32>(K); h: Limbs = new StaticArray<u32>(K);
  constructor(public ed: Ed) {}

  // add-2008-hwcd-3 (a = −1, complete). p = p + q.
  add(p: Ext, q: Ext): void {
    const F = this.ed.f;
    F.sub(this.a, p.y, p.x);
    F.sub(this.h, q.y, q.x);
    F.mul(this.a, this.a, this.h);
    F.add(this.b, p.y, p.x);
    F.add(this.h, q.y, q.x);
    F.mul(this.b, this.b, this.h);
    F.mul(this.c, p.t, this.ed.d2);
    F.mul(this.c, this.c, q.t);
    F.mul(this.d, p.z, q.z);
    F.add(this.d, this.d, this.d);
    F.sub(this.e, this.b, this.a);
    F.sub(this.f, this.d, this.c);
    F.add(this.g, this.d, this.c);
    F.add(this.h, this.b, this.a);
    F.mul(p.x, this.e, this.f);
    F.mul(p.y, this.g, this.h);
    F.mul(p.t, this.e, this.h);
    F.mul(p.z, this.f, this.g);
  }

  // dbl-2008-hwcd (a = −1). In place.
  double(p: Ext): void {
    const F = this.ed.f;
    F.sqr(this.a, p.x);
    F.sqr(this.b, p.y);
    F.sqr(this.c, p.z);
    F.add(this.c, this.c, this.c);
    // D = −A; E = (X+Y)² − A − B; G = D + B; F = G − C; H = D − B
    F.add(this.e, p.x, p.y);
    F.sqr(this.e, this.e);
    F.sub(this.e, this.e, this.a);
    F.sub(this.e, this.e, this.b);
    F.sub(this.g, this.b, this.a);
    F.sub(this.f, this.g, this.c);
    F.add(this.h, this.a, this.b);
    F.sub(this.h, new StaticArray<u32>(K), this.h);
    F.mul(p.x, this.e, this.f);
    F.mul(p.y, this.g, this.h);
    F.mul(p.t, this.e, this.h);
    F.mul(p.z, this.f, this.g);
  }
}

/** A decoded Ed25519 public key (32-byte encoding). */
export class Ed25519Key {
  constructor(public bytes: Uint8Array, public x: Limbs, public y: Limbs) {}
}

/** Decodes a 32-byte public key; null if it is not a valid curve point encoding. */
export function ed25519KeyFromBytes(b: Uint8Array): Ed25519Key | null {
  if (b.length != 32) return null;
  const e = ctx();
  const sign = (b[31] & 0x80) != 0;
  const yb = new Uint8Array(32);
  yb.set(b);
  yb[31] &= 0x7f;
  const y = limbsFromBytesLE(yb, K)!;
  if (cmp(y, e.f.n) >= 0) return null;
  e.f.toMont(y, y);
  const x = e.recoverX(y, sign);
  if (x === null) return null;
  const copy = new Uint8Array(32);
  copy.set(b);
  return new Ed25519Key(copy, x, y);
}

/** Verifies a 64-byte Ed25519 signature R||S over `msg`. */
export function ed25519Verify(key: Ed25519Key, msg: Uint8Array, sig: Uint8Array): bool {
  if (sig.length != 64) return false;
  const e = ctx();
  const F = e.f;
  const rBytes = sig.subarray(0, 32);
  const s = limbsFromBytesLE(sig.subarray(32), K)!;
  if (cmp(s, e.l.n) >= 0) return false;
  // k = SHA-512(R || A || M) mod L
  const h = new Sha512();
  h.updateRaw(rBytes.dataStart, 32);
  h.updateRaw(key.bytes.dataStart, 32);
  h.updateRaw(msg.dataStart, msg.length);
  const digest = Uint8Array.wrap(h.finish());
  const lo = limbsFromBytesLE(digest.subarray(0, 32), K)!;
  const hi = limbsFromBytesLE(digest.subarray(32), K)!;
  const k = e.l.reduceWide(lo, hi);
  // P = [S]B + [k](−A)
  const ops = new EdOps(e);
  const B = new Ext(), NA = new Ext(), BA = new Ext(), acc = new Ext();
  copyLimbs(B.x, e.bx); copyLimbs(B.y, e.by); copyLimbs(B.z, F.one); F.mul(B.t, e.bx, e.by);
  F.sub(NA.x, new StaticArray<u32>(K), key.x); copyLimbs(NA.y, key.y); copyLimbs(NA.z, F.one); F.mul(NA.t, NA.x, NA.y);
  BA.set(B);
  ops.add(BA, NA);
  copyLimbs(acc.y, F.one); copyLimbs(acc.z, F.one); // neutral (0, 1)
  const top = max(bitLength(s), bitLength(k));
  for (let i = top - 1; i >= 0; i--) {
    ops.double(acc);
    const b1 = testBit(s, i), b2 = testBit(k, i);
    if (b1 && b2) ops.add(acc, BA);
    else if (b1) ops.add(acc, B);
    else if (b2) ops.add(acc, NA);
  }
  // encode: y with the sign of x in the top bit
  const zi = new StaticArray<u32>(K), x = new StaticArray<u32>(K), y = new StaticArray<u32>(K);
  F.invPrime(zi, acc.z);
  F.mul(x, acc.x, zi);
  F.mul(y, acc.y, zi);
  F.fromMont(x, x);
  F.fromMont(y, y);
  const enc = limbsToBytesLE(y, 32);
  if (x[0] & 1) enc[31] |= 0x80;
  let diff: u32 = 0;
  for (let i = 0; i < 32; i++) diff |= <u32>(enc[i] ^ rBytes[i]);
  return diff == 0;
}
