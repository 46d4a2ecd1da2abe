// Regex micro-benchmark: Sluice's RE2 engine (AssemblyScript → Wasm, run in Node's V8) on the
// patterns gateway plugins use, against the size of the input; then the ReDoS patterns, where
// the engine's time stays linear and a backtracking engine (JavaScript's RegExp) explodes.
// Run: npx tsx test/bench/regex/run.ts   (writes test/bench/regex/results.md)
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadavg, cpus } from "node:os";
import { loadAsModuleSync } from "../../../harness/src/ascunit.js";
import { repoRoot } from "../../../harness/src/tools.js";

const m = loadAsModuleSync("sdk/test/regex.entry.ts");
const fn = (name: string) => m.exports[name] as (...a: number[]) => number;

function timeOurs(pattern: string, subject: string, kind: "test" | "find" | "bytes"): { usPerCall: number; mbps: number } {
  const p = m.newString(pattern);
  const s = kind === "bytes" ? m.newBuffer(new TextEncoder().encode(subject)) : m.newString(subject);
  const f = fn(kind === "test" ? "benchTest" : kind === "find" ? "benchFind" : "benchTestBytes");
  f(p, s, 3); // compile + warm up
  let iterations = 1;
  let elapsed = 0;
  while (true) {
    const t0 = performance.now();
    f(p, s, iterations);
    elapsed = performance.now() - t0;
    if (elapsed > 200 || iterations > 1e6) break;
    iterations *= 4;
  }
  m.unpin(p);
  m.unpin(s);
  const usPerCall = (elapsed * 1000) / iterations;
  return { usPerCall, mbps: subject.length / usPerCall };
}

function timeJs(re: RegExp, subject: string, budgetMs: number): number | null {
  const t0 = performance.now();
  re.test(subject);
  const ms = performance.now() - t0;
  return ms > budgetMs ? null : ms;
}

/** JS RegExp per-call time for the JS-compatible patterns ((?i) prefix → i flag), or null. */
function timeJsLoop(pattern: string, subject: string): number | null {
  const fold = pattern.startsWith("(?i)");
  let re: RegExp;
  try { re = new RegExp(fold ? pattern.slice(4) : pattern, fold ? "i" : ""); } catch { return null; }
  let iterations = 1;
  while (true) {
    const t0 = performance.now();
    for (let i = 0; i < iterations; i++) re.test(subject);
    const ms = performance.now() - t0;
    if (ms > 100 || iterations > 1e6) return (ms * 1000) / iterations;
    iterations *= 4;
  }
}

const prose = "The quick brown fox jumps over the lazy dog. Please summarise the attached report for me. ";
const lines: string[] = [];
const out = (s = "") => { lines.push(s); console.log(s); };
out("# Regex benchmark (sdk/regex)");
out();
out(`Node ${process.version}, ${new Date().toISOString()}, ${cpus().length} CPUs, load average ${loadavg()[0].toFixed(1)} at start.`);
out("Times are per call on this machine (shared, so absolute numbers are pessimistic); compare rows, not machines.");
out();
out("## Gateway patterns");
out();
out("| pattern | method | input | µs/call | MB/s | JS RegExp µs/call (same input) |");
out("| --- | --- | --- | ---: | ---: | ---: |");
const CASES: Array<[string, string, "test" | "find" | "bytes", string]> = [
  ["(?i)ignore (all|any|previous) (instructions|rules)", prose, "test", "prompt-guard, no match"],
  ["(?i)(password|secret|api[_-]?key)\\s*[:=]", prose, "test", "secret scan, no match"],
  ["(?i)(password|secret|api[_-]?key)\\s*[:=]", prose, "bytes", "secret scan on UTF-8 bytes"],
  ["\\b\\d{3}-\\d{2}-\\d{4}\\b", prose, "test", "SSN-like, no match"],
  ["(?i)(bot|crawler|spider|curl|python-requests)", prose, "test", "bot-detect on prose"],
  ["^gpt-4(o|-turbo)?(-mini)?$", "gpt-4o-mini", "find", "model mapping"],
  ["^/api/v\\d+/(chat|completions|embeddings)", "/api/v1/chat/completions?x=1", "test", "route"],
];
for (const [pattern, unit, kind, what] of CASES) {
  for (const size of kind === "find" || what === "route" ? [unit.length] : [1024, 16384, 131072]) {
    const subject = unit.length >= size ? unit : unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
    const r = timeOurs(pattern, subject, kind);
    const js = timeJsLoop(pattern, subject);
    out(`| \`${pattern.replace(/\|/g, "\\|")}\` (${what}) | ${kind} | ${subject.length} B | ${r.usPerCall.toFixed(2)} | ${r.mbps.toFixed(1)} | ${js === null ? "n/a" : js.toFixed(2)} |`);
  }
}
out();
out("## ReDoS patterns: linear here, exponential in a backtracking engine");
out();
out("| pattern | input | Sluice µs/call | JavaScript RegExp |");
out("| --- | --- | ---: | --- |");
const REDOS: Array<[string, (n: number) => string]> = [
  ["(a+)+$", (n) => "a".repeat(n) + "b"],
  ["(a|aa)*b", (n) => "a".repeat(n)],
  ["(x+x+)+y", (n) => "x".repeat(n)],
];
for (const [pattern, make] of REDOS) {
  let jsDead = false;
  for (const n of [16, 20, 24, 28, 1000, 100000]) {
    const subject = make(n);
    const ours = timeOurs(pattern, subject, "test");
    let js = jsDead ? "not run (too slow at a smaller n)" : "not run (n > 28)";
    if (!jsDead && n <= 28) {
      const ms = timeJs(new RegExp(pattern), subject, 3000);
      if (ms === null) { js = "> 3 s (stopped)"; jsDead = true; } else js = `${(ms * 1000).toFixed(0)} µs`;
    }
    out(`| \`${pattern.replace(/\|/g, "\\|")}\` | n = ${n} | ${ours.usPerCall.toFixed(1)} | ${js} |`);
  }
}
writeFileSync(join(repoRoot, "test", "bench", "regex", "results.md"), lines.join("\n") + "\n");
