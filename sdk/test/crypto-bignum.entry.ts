// Test entry: bignum/Montgomery arithmetic exposed to Node (checked against BigInt).
import { Montgomery, limbsFromBytesBE, limbsToBytesBE } from "../crypto/bignum";

/** base^exp mod n, all big-endian bytes; empty if n is not a valid modulus or inputs don't fit. */
export function modPow(base: ArrayBuffer, exp: ArrayBuffer, n: ArrayBuffer): ArrayBuffer {
  const nb = Uint8Array.wrap(n);
  const k = (nb.length + 3) >> 2;
  const N = limbsFromBytesBE(nb, k);
  const B = limbsFromBytesBE(Uint8Array.wrap(base), k);
  const E = limbsFromBytesBE(Uint8Array.wrap(exp), (exp.byteLength + 3) >> 2);
  if (N === null || B === null || E === null) return new ArrayBuffer(0);
  const m = Montgomery.create(N);
  if (m === null) return new ArrayBuffer(0);
  const x = new StaticArray<u32>(k);
  m.toMont(x, B);
  m.pow(x, x, E);
  m.fromMont(x, x);
  return limbsToBytesBE(x, nb.length).buffer;
}

/** a·b mod n (a, b < n). */
export function modMul(a: ArrayBuffer, b: ArrayBuffer, n: ArrayBuffer): ArrayBuffer {
  const nb = Uint8Array.wrap(n);
  const k = (nb.length + 3) >> 2;
  const N = limbsFromBytesBE(nb, k)!, A = limbsFromBytesBE(Uint8Array.wrap(a), k)!, B = limbsFromBytesBE(Uint8Array.wrap(b), k)!;
  const m = Montgomery.create(N)!;
  const x = new StaticArray<u32>(k), y = new StaticArray<u32>(k);
  m.toMont(x, A);
  m.toMont(y, B);
  m.mul(x, x, y);
  m.fromMont(x, x);
  return limbsToBytesBE(x, nb.length).buffer;
}


