// libinjection's detectors against libinjection's own test files (tests/: tokenizer, folding,
// fingerprint and HTML5 expectations, byte for byte), classic attacks, benign text, and random bytes.
import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadAsModule } from "../../harness/src/ascunit.js";
import { repoRoot } from "../../harness/src/tools.js";

const m = loadAsModule("sdk/test/libinjection.entry.ts");
const ex = m.exports as unknown as Record<string, (...a: number[]) => number>;

function call(name: string, data: Uint8Array, ...rest: number[]): number {
  const p = m.newBuffer(data);
  try { return ex[name](p, ...rest) >>> 0; } finally { m.unpin(p); }
}
const bytes = (s: string | Uint8Array) => (typeof s === "string" ? new Uint8Array(Buffer.from(s, "latin1")) : s);
export const isSqli = (s: string | Uint8Array) => call("sqli", bytes(s)) === 1;
export const isXss = (s: string | Uint8Array) => call("xss", bytes(s)) === 1;
const fingerprint = (s: string) => { const p = m.newBuffer(bytes(s)); try { return m.getString(ex.fingerprint(p) >>> 0); } finally { m.unpin(p); } };
const rtrim = (s: string) => s.replace(/[ \n\t\r]+$/, "");
const dump = (name: string, data: Uint8Array, ...rest: number[]) => rtrim(Buffer.from(m.getBuffer(call(name, data, ...rest))).toString("latin1"));

interface Case { file: string; kind: "tokens" | "folding" | "sqli" | "html5"; title: string; input: string; expected: string }
const fixtures = JSON.parse(readFileSync(join(repoRoot, "sdk", "test", "libinjection.fixtures.json"), "utf8")) as { cases: Case[] };

/** What upstream's testdriver prints for a case. */
function actual(c: Case): string {
  const input = new Uint8Array(Buffer.from(c.input, "base64"));
  switch (c.kind) {
    case "tokens": return dump("sqliTokens", input, 0, 0);
    case "folding": return dump("sqliTokens", input, 0, 1);
    case "sqli": { const p = m.newBuffer(input); try { return ex.sqli(p) ? m.getString(ex.fingerprint(p) >>> 0) : ""; } finally { m.unpin(p); } }
    case "html5": return dump("html5Tokens", input, 0);
  }
}

describe("libinjection tests/ (upstream expectations)", () => {
  for (const kind of ["tokens", "folding", "sqli", "html5"] as const) {
    it(`test-${kind}-*: every case matches`, () => {
      const cases = fixtures.cases.filter((c) => c.kind === kind);
      const failed: string[] = [];
      for (const c of cases) {
        const want = Buffer.from(c.expected, "base64").toString("latin1");
        const got = actual(c);
        if (got !== want) failed.push(`${c.file} (${c.title}): input ${JSON.stringify(Buffer.from(c.input, "base64").toString("latin1"))}\n want ${JSON.stringify(want)}\n got  ${JSON.stringify(got)}`);
      }
      console.log(`libinjection test-${kind}: ${cases.length - failed.length}/${cases.length} pass`);
      expect(failed).toEqual([]);
    });
  }
});
