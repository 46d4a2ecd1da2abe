// HeaderSnapshot reads the host's encoded header map in place (one offset per pair, no copy per
// header). Checked against the reference decoder (runtime/pairs.ts decodePairs) on random maps,
// well-formed and broken (truncated, lying counts and lengths): the same pairs in the same order,
// by index and through `pairs`; lookups by lower-cased name find the first match from any start;
// nothing traps.
import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { loadAsModule } from "../../harness/src/ascunit.js";

const m = await loadAsModule("sdk/test/header-snapshot.entry.ts");
const ex = m.exports as unknown as Record<string, (...a: number[]) => number>;

function withBuf<T>(b: Uint8Array, f: (p: number) => T): T { const p = m.newBuffer(b); try { return f(p); } finally { m.unpin(p); } }
function withStr<T>(s: string, f: (p: number) => T): T { const p = m.newString(s); try { return f(p); } finally { m.unpin(p); } }
const buf = (name: string, b: Uint8Array) => withBuf(b, (p) => Buffer.from(m.getBuffer(ex[name](p) >>> 0)));

function encode(pairs: [Uint8Array, Uint8Array][]): Buffer {
  const head = Buffer.alloc(4 + pairs.length * 8);
  head.writeUInt32LE(pairs.length, 0);
  const data: Buffer[] = [];
  pairs.forEach(([k, v], i) => {
    head.writeUInt32LE(k.length, 4 + i * 8);
    head.writeUInt32LE(v.length, 8 + i * 8);
    data.push(Buffer.from(k), Buffer.from([0]), Buffer.from(v), Buffer.from([0]));
  });
  return Buffer.concat([head, ...data]);
}
function dump(pairs: [Uint8Array, Uint8Array][]): Buffer {
  return Buffer.concat(pairs.flatMap(([k, v]) => { const a = Buffer.alloc(4); a.writeUInt32LE(k.length); const b = Buffer.alloc(4); b.writeUInt32LE(v.length); return [a, Buffer.from(k), b, Buffer.from(v)]; }));
}

const name = fc.constantFrom(":path", ":authority", "x-api-key", "authorization", "x-request-id", "cookie", "x_mse_consumer", "ä-name", "");
const value = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom("", "bob-key", "é\u0000x"));
const pairs = fc.array(fc.tuple(name, value).map(([k, v]) => [Buffer.from(k), Buffer.from(v)] as [Uint8Array, Uint8Array]), { maxLength: 12 });
/** A map, then maybe broken: cut short, its count or one length replaced. */
const maps = fc.tuple(pairs, fc.nat(), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 2000 })).map(([p, cut, how, n]) => {
  const b = encode(p);
  if (how === 1) return b.subarray(0, cut % (b.length + 1));
  if (how === 2) { b.writeUInt32LE(n, 0); return b; }
  if (how === 3 && b.length >= 12) { b.writeUInt32LE(n, 4 + 4 * (cut % Math.min(2 * p.length, (b.length - 4) >> 2))); return b; }
  return b;
});

describe("HeaderSnapshot", () => {
  it("reads the same pairs as the reference decoder, by index and through pairs", () => {
    fc.assert(fc.property(maps, (b) => {
      const want = buf("reference", b);
      expect(buf("byIndex", b).equals(want)).toBe(true);
      expect(buf("pairsOf", b).equals(want)).toBe(true);
    }), { numRuns: 3000 });
  });

  it("finds the first pair named (lower-cased) from any start, and its value", () => {
    fc.assert(fc.property(pairs, name, fc.boolean(), fc.integer({ min: -2, max: 14 }), (p, n, upper, from) => {
      const b = encode(p);
      const asked = upper ? n.toUpperCase() : n;
      const lower = Buffer.from(asked.toLowerCase());
      const first = p.findIndex(([k], i) => i >= Math.max(from, 0) && Buffer.from(k).equals(lower));
      expect(withBuf(b, (bp) => withStr(asked, (sp) => ex.indexOf(bp, sp, from)))).toBe(first);
      const at = p.findIndex(([k]) => Buffer.from(k).equals(lower));
      const got = withBuf(b, (bp) => withStr(asked, (sp) => Buffer.from(m.getBuffer(ex.getValue(bp, sp) >>> 0))));
      expect(got.toString("hex")).toBe(at < 0 ? "ff" : Buffer.from(new TextDecoder().decode(p[at][1])).toString("hex"));
    }), { numRuns: 2000 });
  });

  it("keeps a value's bytes as sent (NUL and non-UTF-8 included)", () => {
    const p: [Uint8Array, Uint8Array][] = [[Buffer.from("x-api-key"), Buffer.from([0x61, 0x00, 0xff, 0xc1, 0xa1])], [Buffer.from("x-api-key"), Buffer.from("")]];
    expect(buf("byIndex", encode(p)).equals(dump(p))).toBe(true);
  });

  it("a callout's response keeps its headers encoded until read: header(name) the same before and after, headers as decodeStringPairs reads them", () => {
    fc.assert(fc.property(maps, name, fc.boolean(), (b, n, upper) => {
      const asked = upper ? n.toUpperCase() : n;
      expect(withBuf(b, (bp) => withStr(asked, (sp) => m.getString(ex.callResponse(bp, sp) >>> 0)))).toBe("ok");
    }), { numRuns: 2000 });
  });
});
