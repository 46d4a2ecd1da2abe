// Hashes, HMAC, CRC32 and comparison against Node's crypto and zlib, on random inputs.
import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { createHash, createHmac, randomBytes } from "node:crypto";
import { crc32 as zlibCrc32 } from "node:zlib";
import { loadAsModule } from "../../harness/src/ascunit.js";

const m = await loadAsModule("sdk/test/crypto.entry.ts");
const ex = m.exports as unknown as Record<string, (...a: number[]) => number>;
const ALGS: [number, string][] = [[0, "md5"], [1, "sha1"], [2, "sha224"], [3, "sha256"], [4, "sha384"], [5, "sha512"]];

function callBuf(name: string, ...args: (number | Uint8Array | string)[]): Buffer {
  const ptrs: number[] = [];
  const a = args.map((x) => {
    if (typeof x === "number") return x;
    const p = typeof x === "string" ? m.newString(x) : m.newBuffer(x);
    ptrs.push(p);
    return p;
  });
  const r = ex[name](...a) >>> 0;
  const out = Buffer.from(m.getBuffer(r));
  for (const p of ptrs) m.unpin(p);
  return out;
}
function callNum(name: string, ...args: (number | Uint8Array)[]): number {
  const ptrs: number[] = [];
  const a = args.map((x) => (typeof x === "number" ? x : (ptrs.push(m.newBuffer(x)), ptrs[ptrs.length - 1])));
  const r = ex[name](...a);
  for (const p of ptrs) m.unpin(p);
  return r;
}

// Every length 0..300 covers all block-boundary cases for 64- and 128-byte blocks.
const allLengths = Array.from({ length: 301 }, (_, n) => randomBytes(n));
const bigInput = fc.integer({ min: 1000, max: 70000 }).map((n) => new Uint8Array(randomBytes(n)));
const anyInput = fc.oneof(fc.uint8Array({ maxLength: 300 }), bigInput);

describe("hashes agree with node:crypto", () => {
  for (const [id, name] of ALGS) {
    it(`${name}: every length 0..300, random big inputs, streamed in random chunks`, () => {
      for (const b of allLengths) expect(callBuf("hash", id, b).toString("hex")).toBe(createHash(name).update(b).digest("hex"));
      fc.assert(fc.property(anyInput, fc.uint8Array({ minLength: 1, maxLength: 8 }), (data, chunks) => {
        const want = createHash(name).update(data).digest("hex");
        return callBuf("hash", id, data).toString("hex") === want && callBuf("hashChunked", id, data, chunks).toString("hex") === want;
      }), { numRuns: 300 });
    });
  }
  it("string helpers hash UTF-8", () => {
    for (const s of ["", "abc", "héllo wörld ☃ 😀", "x".repeat(1000)]) {
      expect(callBuf("sha256Str", s).toString("hex")).toBe(createHash("sha256").update(s, "utf8").digest("hex"));
    }
  });
});

describe("HMAC agrees with node:crypto", () => {
  for (const [id, name] of ALGS) {
    it(`hmac-${name}: keys shorter than, equal to and longer than a block`, () => {
      const block = id >= 4 ? 128 : 64;
      for (const klen of [0, 1, block - 1, block, block + 1, 300]) {
        for (const dlen of [0, 1, 55, 56, 63, 64, 65, 111, 112, 127, 128, 129, 1000]) {
          const k = randomBytes(klen), d = randomBytes(dlen);
          expect(callBuf("mac", id, k, d).toString("hex")).toBe(createHmac(name, k).update(d).digest("hex"));
        }
      }
      fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), anyInput, (k, d) => {
        const want = createHmac(name, k).update(d).digest("hex");
        return callBuf("mac", id, k, d).toString("hex") === want && callBuf("macTwice", id, k, d).toString("hex") === want;
      }), { numRuns: 300 });
    });
  }
  it("string keys and data are UTF-8", () => {
    expect(callBuf("macStr", "kéy", "dätä ☃").toString("hex")).toBe(createHmac("sha256", "kéy").update("dätä ☃").digest("hex"));
  });
});

describe("crc32 (IEEE) agrees with zlib", () => {
  it("every length 0..300 and random inputs, also when continued across a split", () => {
    for (const b of allLengths) expect(callNum("crc", b) >>> 0).toBe(zlibCrc32(b));
    fc.assert(fc.property(anyInput, fc.nat(), (d, cut) => {
      const at = d.length ? cut % (d.length + 1) : 0;
      return (callNum("crc", d) >>> 0) === zlibCrc32(d) && (callNum("crcSplit", d, at) >>> 0) === zlibCrc32(d);
    }), { numRuns: 1000 });
  });
  it("known vector: '123456789' → cbf43926", () => {
    expect((callNum("crc", Buffer.from("123456789")) >>> 0).toString(16)).toBe("cbf43926");
  });
});

describe("constantTimeEqual", () => {
  it("is byte equality", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), fc.uint8Array({ maxLength: 64 }), (a, b) => {
      return (callNum("ctEq", a, a) === 1) && ((callNum("ctEq", a, b) === 1) === Buffer.from(a).equals(Buffer.from(b)));
    }), { numRuns: 500 });
    expect(callNum("ctEq", new Uint8Array([1, 2]), new Uint8Array([1, 2, 0]))).toBe(0);
  });
});
