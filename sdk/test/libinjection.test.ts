// libinjection's detectors against libinjection's own test files (tests/: tokenizer, folding,
// fingerprint and HTML5 expectations, byte for byte), classic attacks, benign text, and random bytes.
import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadAsModule } from "../../harness/src/ascunit.js";
import { repoRoot } from "../../harness/src/tools.js";

const m = await loadAsModule("sdk/test/libinjection.entry.ts");
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

interface Sample { file: string; input: Buffer; sqli: string; xss: boolean }
const samples = (JSON.parse(readFileSync(join(repoRoot, "sdk", "test", "libinjection.samples.json"), "utf8")) as { cases: [string, string, string, number][] })
  .cases.map(([file, b64, sqli, xss]): Sample => ({ file, input: Buffer.from(b64, "base64"), sqli, xss: xss === 1 }));

describe("libinjection data/ samples (verdicts of upstream's C library at the same commit)", () => {
  it(`${samples.length} attack and false-positive samples: same SQLi fingerprint and XSS verdict`, () => {
    const perFile = new Map<string, { n: number; ok: number }>();
    const failed: string[] = [];
    for (const s of samples) {
      const b = new Uint8Array(s.input);
      const fp = isSqli(b) ? fingerprint(s.input.toString("latin1")) : "";
      const x = isXss(b);
      const f = perFile.get(s.file) ?? { n: 0, ok: 0 };
      f.n++;
      if (fp === s.sqli && x === s.xss) f.ok++;
      else failed.push(`${s.file}: ${JSON.stringify(s.input.toString("latin1"))} want sqli "${s.sqli}" xss ${s.xss}, got "${fp}" ${x}`);
      perFile.set(s.file, f);
    }
    console.log([...perFile].map(([k, v]) => `${k} ${v.ok}/${v.n}`).join("\n"));
    expect(samples.filter((s) => s.sqli).length).toBeGreaterThan(500); // the table has teeth
    expect(samples.filter((s) => s.xss).length).toBeGreaterThan(300);
    expect(failed).toEqual([]);
  });
});

// [input, SQLi fingerprint ("" = not SQLi), XSS]. Verdicts checked against upstream's C library.
const TABLE: [string, string, boolean][] = [
  // classic SQL injection
  ["1' OR '1'='1", "s&sos", false],
  ["1 UNION SELECT", "1UE", false],
  ["1 UNION SELECT username, password FROM users", "1UEnk", false],
  ["1 union select 1,2,3--", "1UE1c", false],
  ["' OR 1=1--", "s&1c", false],
  ["admin'--", "sc", false],
  ["1; DROP TABLE users", "1;Tnn", false],
  ["1' AND SLEEP(5)#", "s&f(1", false],
  ["1 AND 1=1", "1&1", false],
  ["-1' UNION ALL SELECT NULL,NULL,NULL--", "sUEvc", false],
  ["' or ''='", "s&sos", false],
  ["1' waitfor delay '0:0:5'--", "sEsc", false],
  ["1 OR 1=1", "1&1", false],
  ["x' AND extractvalue(1,concat(0x7e,version()))--", "s&f(1", false],
  ["1)) OR ((1=1", "1)&(1", false],
  ["' UNION SELECT @@version --", "sUEvc", false],
  ["1'; EXEC xp_cmdshell('dir')--", "s;Tn(", false],
  ["SELECT * FROM users WHERE id = 1", "Eoknk", false],
  ["1/*!50000UNION*/SELECT", "X", false],
  // classic XSS
  ["<script>alert(1)</script>", "", true],
  ["<img src=x onerror=alert(1)>", "", true],
  ['<a href="javascript:alert(1)">x</a>', "", true],
  ["<a href=javascript:alert(1)>", "", true],
  ['<a href="&#106;avascript:alert(1)">', "", true],
  ['<iframe src="http://evil"></iframe>', "", true],
  ["<svg onload=alert(1)>", "", true],
  ["<body onload=alert(1)>", "", true],
  ['" onmouseover="alert(1)', "", true],
  ["' onfocus='alert(1)' autofocus='", "", true],
  ['<div style="background:url(x)">', "", true],
  ["<!DOCTYPE html>", "", true],
  ["<!--[if IE]><script>alert(1)</script><![endif]-->", "", true],
  ['<object data="x.swf">', "", true],
  ['<form action="javascript:alert(1)"><input type=submit>', "", true],
  ["x onclick=1", "", true],
  // benign: names, prose with apostrophes, JSON, e-mails, HTML without script
  ["John Smith", "", false],
  ["O'Brien", "", false],
  ["It's a nice day, isn't it?", "", false],
  ["Don't stop me now", "", false],
  ['{"name":"Alice","age":30,"tags":["a","b"]}', "", false],
  ["alice@example.com", "", false],
  ["bob.o'hara@example.co.uk", "", false],
  ["The quick brown fox jumps over the lazy dog.", "", false],
  ["1234", "", false],
  ["3.14", "", false],
  ["SELECT your plan below", "", false],
  ["Let's select the best union of ideas", "", false],
  ["user_id=42&sort=desc", "", false],
  ["2024-01-15T10:30:00Z", "", false],
  ["<b>bold</b> and <i>italic</i>", "", false],
  ['<p class="intro">Hello</p>', "", false],
  ['<a href="https://example.com/page">link</a>', "", false],
  ["Tom & Jerry", "", false],
  ["admin' #", "", false],
  ["Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36", "", false],
  ["/api/v1/orders?page=2", "", false],
  ["", "", false],
  // upstream's known limits, kept as upstream behaves (docs/sdk/libinjection.md)
  ["javascript:alert(1)", "", false], // a bare URL is no HTML context
  ["5 > 3 and 2 < 4", "1&1", false],
  ["2104 GRANT AVE #A", "1knc", false],
  ["Select count(*) from Monitor", "Ef(o)", false],
  ["006--u-m4YIaIyga-cq8yK", "1c", false],
  ["cos(accckt)", "f(n)", false],
  ["SELECT-id-1.FROM`test`", "", false],
  ["<object\u0000", "", true],
  // deliberate divergence: upstream's C reads a 0xFF byte as end of input between attributes
  // (signed char == EOF) and misses this; a browser does run the handler
  ["<img src=x \u00ff onerror=alert(1)>", "", true],
];

describe("detectSQLi / sqliFingerprint / detectXSS case table", () => {
  it.each(TABLE)("%j -> sqli %j, xss %j", (input, fp, xss) => {
    expect(isSqli(input)).toBe(fp !== "");
    expect(fingerprint(input)).toBe(fp);
    expect(isXss(input)).toBe(xss);
  });
});

describe("never traps", () => {
  it("random bytes and SQL/HTML-ish text: a match always has a 1-5 type fingerprint", () => {
    const alphabet = Buffer.from(" '\"`()-#/*!;,.=<>&|@$\\:[]{}%+^~?0123456789aeEnNqQuUxXbBsS\x00\xa0\t\nselectunion<script onerror=", "latin1");
    const text = fc.array(fc.integer({ min: 0, max: alphabet.length - 1 }), { maxLength: 80 }).map((ix) => new Uint8Array(ix.map((i) => alphabet[i])));
    fc.assert(fc.property(fc.oneof(fc.uint8Array({ maxLength: 300 }), text), (b) => {
      const s = isSqli(b);
      const fp = fingerprint(Buffer.from(b).toString("latin1"));
      expect(s).toBe(fp.length > 0);
      expect(fp.length).toBeLessThanOrEqual(5);
      isXss(b);
    }), { numRuns: 3000 });
  });
  // 256 KiB each; it checks that nothing traps. (Measured by hand on 2026-12-03, 256 KiB → 1 MiB:
  // the detectors grow linearly — "<a " SQLi 51 → 208 ms, XSS 14 → 51 ms; "<!--" SQLi 58 → 215 ms;
  // an earlier note of 8-10 s at 1 MiB does not reproduce.) Yields between inputs so the worker
  // keeps answering its runner.
  it("large and pathological inputs (256 KiB)", async () => {
    const big = (s: string) => new Uint8Array(Buffer.from(s.repeat(Math.ceil((1 << 18) / s.length)), "latin1"));
    for (const s of ["'", "\\", "\\'", "$a$", "/*", "--", "<", "<a ", "<!--", "<![CDATA[", "&#", " on", "'a' ", "((", "1+", "\x00", "<a href=\"", "`"]) {
      const b = big(s);
      expect(typeof isSqli(b)).toBe("boolean");
      expect(typeof isXss(b)).toBe("boolean");
      await new Promise((r) => setImmediate(r));
    }
  }, 300_000);
});
