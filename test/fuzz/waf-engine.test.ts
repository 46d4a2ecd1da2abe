// A short run of the WAF engine fuzzer (test/fuzz/waf-engine.ts; the 1,000,000-input run is in
// docs/fuzz-report.md): the SecLang parser, every transformation, the four body processors and
// whole transactions, 0 traps. Seeded: the same inputs on every run.
import { describe, it, expect } from "vitest";
import { fuzzEngine } from "./waf-engine.js";

describe("waf engine fuzz (short)", () => {
  it("7,000 seeded inputs, every part reached, 0 traps", () => {
    const s = fuzzEngine(7000, 23);
    expect(s.firstTraps).toEqual([]);
    expect(s.traps).toBe(0);
    for (const k of ["seclang", "transform", "urlencoded", "json", "multipart", "xml", "transaction"]) expect(s.byKind[k]?.inputs).toBe(1000);
  }, 300_000);
});
