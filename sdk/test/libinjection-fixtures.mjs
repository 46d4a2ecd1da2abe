// Generates libinjection.fixtures.json from libinjection's own test files (tests/test-*.txt:
// tokenizer, folding, SQLi fingerprint and HTML5 token expectations). Upstream data, BSD-3-Clause
// (sdk/libinjection/LICENSE-DATA). Input and expected text are stored base64 (they hold raw bytes).
// Run: node sdk/test/libinjection-fixtures.mjs <libinjection checkout>/tests <commit>
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const [dir, commit] = process.argv.slice(2);
const rtrim = (b) => { let n = b.length; while (n && [0x20, 0x0a, 0x09, 0x0d].includes(b[n - 1])) n--; return b.subarray(0, n); };
const cases = [];
for (const name of readdirSync(dir).filter((n) => /^test-.*\.txt$/.test(n)).sort()) {
  const kind = name.startsWith("test-folding-") ? "folding" : name.startsWith("test-sqli-") ? "sqli"
    : name.startsWith("test-html5-") ? "html5" : name.startsWith("test-tokens") ? "tokens" : null;
  if (!kind) continue;
  // Same sectioning as upstream's testdriver: whole lines "--TEST--", "--INPUT--", "--EXPECTED--".
  const lines = readFileSync(join(dir, name), "latin1").split(/(?<=\n)/);
  const parts = { test: "", input: "", expected: "" };
  let at = null, stage = 0;
  for (const l of lines) {
    if (stage === 0 && l === "--TEST--\n") { at = "test"; stage = 1; }
    else if (stage === 1 && l === "--INPUT--\n") { at = "input"; stage = 2; }
    else if (stage === 2 && l === "--EXPECTED--\n") { at = "expected"; stage = 3; }
    else if (at) parts[at] += l;
  }
  if (stage !== 3) continue;
  const b = (s) => Buffer.from(rtrim(Buffer.from(s, "latin1"))).toString("base64");
  cases.push({ file: name, kind, title: parts.test.trim(), input: b(parts.input), expected: b(parts.expected) });
}
const out = join(dirname(fileURLToPath(import.meta.url)), "libinjection.fixtures.json");
writeFileSync(out, JSON.stringify({ source: `libinjection/libinjection@${commit} tests/`, cases }, null, 0) + "\n");
console.log(`${cases.length} cases`, Object.entries(cases.reduce((o, c) => ((o[c.kind] = (o[c.kind] ?? 0) + 1), o), {})));
