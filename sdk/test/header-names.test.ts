// sdk/runtime/header-names.ts: header names reach the host lower-cased and UTF-8 encoded, from a
// cache keyed by the name string's identity. Checked: mixed case and non-ASCII names, the cache
// handing back the same bytes, and thousands of run-time names (slot collisions, collections that
// free strings whose addresses the allocator may reuse) never answered with another name's bytes.
import { describe, it, expect } from "vitest";
import { loadAsModule } from "../../harness/src/ascunit.js";

const m = await loadAsModule("sdk/test/header-names.entry.ts");
const withString = <T>(s: string, f: (p: number) => T): T => { const p = m.newString(s); try { return f(p); } finally { m.unpin(p); } };
const key = (s: string) => withString(s, (p) => m.getString((m.exports.key as (p: number) => number)(p)));

describe("headerKey", () => {
  it("lower-cases and encodes as the host expects", () => {
    expect(key("X-Request-Id")).toBe("x-request-id");
    expect(key(":path")).toBe(":path");
    expect(key("X-ÄÖ-Ünï")).toBe("x-äö-ünï");
    expect(key("")).toBe("");
  });
  it("hands back the cached bytes for the same string", () => {
    expect(withString("Content-Type", (p) => (m.exports.cachedTwice as (p: number) => number)(p))).toBe(1);
  });
  it("never answers a run-time name with another name's bytes, across collisions and collections", () => {
    expect((m.exports.churn as (n: number) => number)(5000)).toBe(-1);
  });
});
