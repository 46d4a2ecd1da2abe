// Montgomery arithmetic against BigInt on random odd moduli of 1..80 limbs.
import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { loadAsModule } from "../../harness/src/ascunit.js";

const m = await loadAsModule("sdk/test/crypto-bignum.entry.ts");
const ex = m.exports as unknown as Record<string, (...a: number[]) => number>;
const toBytes = (x: bigint, len: number) => Buffer.from(x.toString(16).padStart(len * 2, "0"), "hex");
const fromBytes = (b: Uint8Array) => (b.length ? BigInt("0x" + Buffer.from(b).toString("hex")) : 0n);
function call(name: string, ...bufs: Uint8Array[]): bigint {
  const ptrs = bufs.map((b) => m.newBuffer(b));
  const r = m.getBuffer(ex[name](...ptrs) >>> 0);
  ptrs.forEach((p) => m.unpin(p));
  return fromBytes(r);
}
function modPowBig(b: bigint, e: bigint, n: bigint): bigint {
  let r = 1n; b %= n;
  while (e > 0n) { if (e & 1n) r = (r * b) % n; b = (b * b) % n; e >>= 1n; }
  return r;
}
const oddModulus = fc.integer({ min: 1, max: 320 }).chain((len) => fc.uint8Array({ minLength: len, maxLength: len }).map((b) => {
  b[0] |= 0x80 >> (b[len - 1] & 7); b[len - 1] |= 1; // a top bit somewhere in the first byte, odd
  return b;
})).filter((b) => fromBytes(b) > 1n);

describe("Montgomery (bignum) vs BigInt", () => {
  it("a·b mod n and a^e mod n for random odd n (1–320 bytes)", () => {
    fc.assert(fc.property(oddModulus, fc.uint8Array({ maxLength: 320 }), fc.uint8Array({ maxLength: 320 }), fc.uint8Array({ minLength: 1, maxLength: 8 }), (nb, ab, bb, eb) => {
      const n = fromBytes(nb), len = nb.length;
      const a = fromBytes(ab) % n, b = fromBytes(bb) % n, e = fromBytes(eb);
      expect(call("modMul", toBytes(a, len), toBytes(b, len), nb)).toBe((a * b) % n);
      expect(call("modPow", toBytes(a, len), Buffer.from(eb), nb)).toBe(modPowBig(a, e, n));
    }), { numRuns: 400 });
  });
  it("even or trivial moduli are refused (empty result), not trapped on", () => {
    expect(m.getBuffer(ex.modPow(m.newBuffer(toBytes(3n, 4)), m.newBuffer(toBytes(3n, 1)), m.newBuffer(toBytes(10n, 4))) >>> 0).length).toBe(0);
    expect(m.getBuffer(ex.modPow(m.newBuffer(toBytes(3n, 4)), m.newBuffer(toBytes(3n, 1)), m.newBuffer(toBytes(1n, 4))) >>> 0).length).toBe(0);
  });
});
