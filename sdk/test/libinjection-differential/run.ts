// Differential check of sdk/libinjection against upstream's C library (not part of CI: it needs a
// libinjection checkout and a C compiler). Builds the C library with oracle.c, then compares SQLi
// verdict + fingerprint and XSS verdict on upstream's data/ corpora, mutations of them, random
// bytes and SQL/HTML token soups.
// Run: node --import tsx sdk/test/libinjection-differential/run.ts <libinjection checkout> [n=20000]
// With --record-samples <commit> it instead rewrites sdk/test/libinjection.samples.json: a sample of
// the data/ corpora with the C library's verdicts, which the unit tests check.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadAsModule } from "../../../harness/src/ascunit.js";
import { repoRoot } from "../../../harness/src/tools.js";

const recordAt = process.argv.indexOf("--record-samples");
const recordCommit = recordAt >= 0 ? process.argv.splice(recordAt, 2)[1] : null;
const [checkout, nArg] = process.argv.slice(2);
if (!checkout || !existsSync(join(checkout, "src", "libinjection_sqli.c"))) {
  console.error("usage: run.ts <libinjection checkout> [inputs per generated group]");
  process.exit(2);
}
const N = Number(nArg ?? 20000);
const src = join(checkout, "src");
const outDir = join(repoRoot, "build", "libinjection-differential");
mkdirSync(outDir, { recursive: true });
const oracle = join(outDir, "oracle");
const cc = spawnSync("cc", ["-O2", "-DLIBINJECTION_VERSION=\"oracle\"", `-I${src}`, "-o", oracle, join(import.meta.dirname, "oracle.c"),
  ...["libinjection_sqli.c", "libinjection_xss.c", "libinjection_html5.c"].map((f) => join(src, f))], { encoding: "utf8" });
if (cc.status !== 0) throw new Error(`cc failed:\n${cc.stderr}`);

const m = loadAsModule("sdk/test/libinjection.entry.ts");
const ex = m.exports as unknown as Record<string, (p: number) => number>;
function ours(b: Uint8Array): string {
  const p = m.newBuffer(b);
  try {
    const s = ex.sqli(p) ? 1 : 0;
    return `${s} ${s ? m.getString(ex.fingerprint(p) >>> 0) : ""}\t${ex.xss(p) ? 1 : 0}`;
  } finally { m.unpin(p); }
}
function theirs(inputs: Uint8Array[]): string[] {
  const parts: Buffer[] = [];
  for (const b of inputs) { const h = Buffer.alloc(4); h.writeUInt32LE(b.length); parts.push(h, Buffer.from(b)); }
  const r = spawnSync(oracle, { input: Buffer.concat(parts), maxBuffer: 1 << 28 });
  return r.stdout.toString("latin1").split("\n").slice(0, inputs.length);
}

let seed = 20251202;
const rnd = (n: number) => { seed = (seed * 48271) % 2147483647; return seed % n; };
const groups: Record<string, Uint8Array[]> = {};
const dataDir = join(checkout, "data");
for (const f of readdirSync(dataDir).filter((f) => f.endsWith(".txt")).sort()) {
  groups[`data/${f}`] = readFileSync(join(dataDir, f), "latin1").split("\n").filter((l) => l && !l.startsWith("#")).map((l) => new Uint8Array(Buffer.from(l, "latin1")));
}
const corpus = Object.values(groups).flat();

if (recordCommit) {
  // Every line of small files, every n-th of large ones, and only attack/false-positive files.
  const rows: [string, Uint8Array][] = [];
  for (const [name, lines] of Object.entries(groups)) {
    const file = name.slice("data/".length);
    if (!/^(sqli|xss|false)/.test(file)) continue;
    const cap = /forums|wordpress/.test(file) ? 100 : 150;
    const step = Math.ceil(lines.length / cap);
    lines.forEach((l, i) => { if (lines.length <= cap || i % step === 0) rows.push([file, l]); });
  }
  const verdicts = theirs(rows.map(([, b]) => b));
  const cases = rows.map(([file, b], i) => {
    const [s, x] = verdicts[i].split("\t");
    return [file, Buffer.from(b).toString("base64"), s.startsWith("1") ? s.slice(2) : "", Number(x)];
  });
  writeFileSync(join(repoRoot, "sdk", "test", "libinjection.samples.json"), JSON.stringify({
    source: `libinjection/libinjection@${recordCommit} data/*.txt (sampled: every line of small files, every n-th of large ones); expected verdicts recorded from that commit's C library (libinjection_sqli fingerprint, libinjection_xss) built with gcc`,
    columns: ["file", "input (base64)", "sqli fingerprint or empty", "xss 0/1"], cases,
  }) + "\n");
  console.log(`recorded ${cases.length} samples`);
  process.exit(0);
}
const words = [...readFileSync(join(src, "libinjection_sqli_data.h"), "latin1").matchAll(/\{"([A-Z_ ]+)", '[^F]'\}/g)].map((x) => x[1]);
const sqlBits = [...words, "'", '"', "`", "(", ")", ",", ";", "--", "-- ", "#", "/*", "*/", "/*!", "=", "<>", "||", "&&", "!", "~", "+", "-", "1", "0x1F", "1e5", ".5", "$1", "$$", "$a$", "@a", "@@version", "N'x'", "q'[x]'", "U&'x'", "b'01'", "x'ab'", "[c]", "\\N", "\\", "{", "}", ":", "::", "?", " ", "\n", "\u00a0", "\0", "a.b", "sp_password"];
const htmlBits = ["<", ">", "</", "/>", "<!--", "-->", "--!>", "<!DOCTYPE", "<![CDATA[", "]]>", "<?", "<%", "%>", "=", "\"", "'", "`", " ", "\t", "\0", "script", "img", "a", "svg", "iframe", "style", "src", "href", "onerror", "onxx", "xmlns", "xlink:href", "attributename", "javascript:", "&#106;", "&#x6A;", "&#", "data:", "vbscript:", "[if", "import", "x", "\x01", "\x7f", "\xfe"];
const gen = (f: () => number[]) => Array.from({ length: N }, () => new Uint8Array(f()));
groups["mutated corpus"] = gen(() => {
  const a = [...corpus[rnd(corpus.length)]];
  for (let k = 1 + rnd(4); k > 0; k--) {
    const at = rnd(a.length + 1), op = rnd(3);
    if (op === 0) a.splice(at, 0, rnd(256)); else if (op === 1) a.splice(at, 1 + rnd(3)); else a.splice(at, 0, ...a.slice(Math.max(0, at - 6), at));
  }
  return a;
});
groups["random bytes"] = gen(() => Array.from({ length: rnd(80) }, () => rnd(256)));
groups["token soups"] = gen(() => {
  const bits = rnd(2) ? htmlBits : sqlBits;
  const s = Array.from({ length: 1 + rnd(12) }, () => { const w = bits[rnd(bits.length)]; return rnd(3) ? w : w.toLowerCase(); }).join(rnd(2) ? " " : "");
  return [...Buffer.from(s, "latin1")];
});

let total = 0;
for (const [name, inputs] of Object.entries(groups)) {
  const want = theirs(inputs);
  let diff = 0;
  const examples: string[] = [];
  inputs.forEach((b, i) => {
    const got = ours(b);
    if (got === want[i]) return;
    diff++;
    if (examples.length < 3) examples.push(`  ${JSON.stringify(Buffer.from(b).toString("latin1"))}: C ${JSON.stringify(want[i])}, ours ${JSON.stringify(got)}`);
  });
  total += diff;
  console.log(`${name}: ${inputs.length} inputs, ${diff} differences`);
  for (const e of examples) console.log(e);
}
console.log(`total differences: ${total} (expected: only 0xFF-between-attributes XSS cases, docs/sdk/libinjection.md)`);
