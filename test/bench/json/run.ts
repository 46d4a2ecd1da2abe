// JSON benchmark: parse + edit `model` + serialise an OpenAI chat request (2 KB and 64 KB)
// inside compiled wasm modules, for Sluice's JSON, json-as 1.6.0 and assemblyscript-json 1.1.0,
// plus Sluice's in-place `model` replacement. Also records how each library handles malformed
// input (error value or trap). Writes docs/bench-json.md and docs/bench-json.json.
//   node --import tsx test/bench/json/run.ts
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync, statSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { cpus, loadavg } from "node:os";
import { openAiRequestOfSize, deepOpenAiRequest } from "../../../sdk/test/json.fixtures.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const outDir = join(root, "build", "bench-json");
const RUNS = 11;
const TARGET_MS = 150;

interface ModuleSpec { name: string; label: string; src: string; extra: string[]; env?: Record<string, string> }
const MODULES: ModuleSpec[] = [
  { name: "ours", label: "Sluice sdk/json", src: "test/bench/json/ours.ts", extra: [] },
  { name: "jsonas", label: "json-as 1.6.0 (SWAR)", src: "test/bench/json/jsonas.ts", extra: ["--transform", "json-as"] },
  { name: "jsonas-simd", label: "json-as 1.6.0 (SIMD)", src: "test/bench/json/jsonas.ts", extra: ["--transform", "json-as", "--enable", "simd"] },
  { name: "asjson", label: "assemblyscript-json 1.1.0", src: "test/bench/json/asjson.ts", extra: [] },
];

function build(spec: ModuleSpec): string {
  mkdirSync(outDir, { recursive: true });
  const out = join(outDir, `${spec.name}.wasm`);
  const r = spawnSync(process.execPath, [
    join(root, "node_modules", "assemblyscript", "bin", "asc.js"), spec.src,
    "--config", join(root, "asconfig.json"), "--target", "envoy", "--exportRuntime", ...spec.extra, "--outFile", out,
  ], { cwd: root, encoding: "utf8", env: { ...process.env, ...spec.env } });
  if (r.status !== 0) throw new Error(`asc failed for ${spec.name}:\n${r.stdout}${r.stderr}`);
  return out;
}

class Trap extends Error {}

interface Instance {
  call(fn: string, body: Uint8Array, iters?: number): number;
  edit(fn: string, body: Uint8Array): Uint8Array | null;
  has(fn: string): boolean;
  collect(): void;
}

function instantiate(file: string): Instance {
  let mem: WebAssembly.Memory;
  const module = new WebAssembly.Module(readFileSync(file));
  const instance = new WebAssembly.Instance(module, {
    env: { abort: () => { throw new Trap("abort"); } },
  });
  const ex = instance.exports as Record<string, (...a: number[]) => number> & { memory: WebAssembly.Memory };
  mem = ex.memory;
  if (typeof ex._initialize === "function") ex._initialize();
  const newBuffer = (b: Uint8Array) => {
    const ptr = ex.__new(b.length, 1) >>> 0;
    new Uint8Array(mem.buffer, ptr, b.length).set(b);
    return ex.__pin(ptr) >>> 0;
  };
  return {
    has: (fn) => typeof ex[fn] === "function",
    call(fn, body, iters = 1) {
      const p = newBuffer(body);
      try { return ex[fn](p, iters); } finally { ex.__unpin(p); }
    },
    // The modules are built with the minimal runtime, which never collects on its own (a plugin's
    // SDK collects as the VM is left): without this, faster code piles up more garbage per round.
    collect() { if (typeof ex.__collect === "function") ex.__collect(); },
    edit(fn, body) {
      const p = newBuffer(body);
      try {
        const r = ex[fn](p) >>> 0;
        if (r === 0) return null;
        const len = new Uint32Array(mem.buffer, r - 4, 1)[0];
        return new Uint8Array(mem.buffer.slice(r, r + len));
      } finally { ex.__unpin(p); }
    },
  };
}

interface Stat { medianUs: number; minUs: number; maxUs: number; iterations: number; runs: number; mbPerS: number }

interface Case { library: string; operation: string; size: string; inst: Instance; fn: string; body: Uint8Array; iters: number; perOp: number[]; verified: boolean }

/** Warms up (JIT tiers), then sizes one run of the case to about TARGET_MS. */
function calibrate(inst: Instance, fn: string, body: Uint8Array): number {
  inst.call(fn, body, 20);
  let iters = 1;
  for (;;) {
    const t0 = performance.now();
    inst.call(fn, body, iters);
    const dt = performance.now() - t0;
    inst.collect();
    if (dt > 20 || iters > 1e6) return Math.max(1, Math.round((iters * TARGET_MS) / Math.max(dt, 0.01)));
    iters *= 4;
  }
}

function runOnce(c: Case): void {
  const t0 = performance.now();
  const res = c.inst.call(c.fn, c.body, c.iters);
  const dt = performance.now() - t0;
  if (res < 0) throw new Error(`${c.library} ${c.fn} reported failure`);
  c.perOp.push((dt * 1000) / c.iters);
  c.inst.collect(); // outside the timed call
}

function stat(c: Case): Stat {
  const perOp = [...c.perOp].sort((a, b) => a - b);
  const median = perOp[Math.floor(perOp.length / 2)];
  return { medianUs: median, minUs: perOp[0], maxUs: perOp[perOp.length - 1], iterations: c.iters, runs: perOp.length, mbPerS: c.body.length / median };
}

const enc = new TextEncoder();
const bodies = { "2 KB": enc.encode(openAiRequestOfSize(2048)), "64 KB": enc.encode(openAiRequestOfSize(65536)) };

function verify(out: Uint8Array | null, body: Uint8Array): boolean {
  if (out === null) return false;
  try {
    const got = JSON.parse(Buffer.from(out).toString());
    const want = { ...JSON.parse(Buffer.from(body).toString()), model: "qwen-max" };
    return JSON.stringify(sortKeys(got)) === JSON.stringify(sortKeys(want));
  } catch { return false; }
}
function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === "object") return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]));
  return v;
}

// Malformed inputs every gateway sees sooner or later.
const small = Buffer.from(bodies["2 KB"]).toString();
const MALFORMED: Record<string, Uint8Array> = {
  "truncated body": enc.encode(small.slice(0, Math.floor(small.length / 2))),
  'wrong type ("model": 12)': enc.encode(small.replace(/"model":"[^"]*"/, '"model":12')),
  "10k-deep nesting": enc.encode(deepOpenAiRequest(10000)),
  "invalid UTF-8 in a string": Buffer.concat([enc.encode('{"model":"gpt'), Buffer.from([0xff, 0xfe]), enc.encode('","messages":[]}')]),
  "trailing garbage": enc.encode(small + "}}"),
};

type Outcome = "error value" | "trap" | "accepted";
function tryMalformed(file: string, fn: string, body: Uint8Array): Outcome {
  const inst = instantiate(file); // fresh: a trap leaves the module's heap in an unknown state
  try {
    return inst.edit(fn, body) === null ? "error value" : "accepted";
  } catch (e) {
    if (e instanceof Trap || e instanceof WebAssembly.RuntimeError || e instanceof RangeError) return "trap";
    throw e;
  }
}

interface Row { library: string; operation: string; size: string; stat: Stat; verified: boolean }
const rows: Row[] = [];
const cases: Case[] = [];
const robustness: { library: string; input: string; outcome: Outcome }[] = [];
const sizes: Record<string, number> = {};

for (const spec of MODULES) {
  const file = build(spec);
  sizes[spec.label] = statSync(file).size;
  const inst = instantiate(file);
  const ops: [string, string, string][] = spec.name === "ours"
    ? [["parse + set model + serialise (DOM)", "parseEditSerialize", "editOnce"], ["in-place model replacement (no DOM)", "inPlaceModel", "inPlaceOnce"], ["read model only (scan, no DOM)", "readModel", ""], ["validate only (scan)", "validateOnly", ""], ["parse only (DOM)", "parseOnly", ""]]
    : spec.name.startsWith("jsonas")
      ? [["parse + set model + serialise (typed struct)", "parseEditSerialize", "editOnce"], ["parse + set model + serialise (dynamic JSON.Obj)", "parseEditSerializeDynamic", "editOnceDynamic"]]
      : [["parse + set model + serialise (DOM)", "parseEditSerialize", "editOnce"]];
  for (const [label, fn, once] of ops) {
    for (const [size, body] of Object.entries(bodies)) {
      const verified = once ? verify(instantiate(file).edit(once, body), body) : true;
      cases.push({ library: spec.label, operation: label, size, inst, fn, body, iters: calibrate(inst, fn, body), perOp: [], verified });
    }
  }
  const editFns = spec.name === "ours" ? ["editOnce"] : spec.name.startsWith("jsonas") ? ["editOnce", "editOnceDynamic"] : ["editOnce"];
  if (spec.name === "jsonas-simd") continue; // same library; the SWAR build speaks for both
  for (const fn of editFns) {
    for (const [input, body] of Object.entries(MALFORMED)) {
      const label = fn === "editOnceDynamic" ? `${spec.label} (JSON.Obj)` : spec.name === "jsonas" ? `${spec.label} (typed)` : spec.label;
      robustness.push({ library: label, input, outcome: tryMalformed(file, fn, body) });
    }
  }
}

// Rounds interleave every case, so load from other jobs on the machine hits all libraries alike.
const loadBefore = loadavg()[0];
for (let r = 0; r < RUNS; r++) {
  for (const c of cases) runOnce(c);
  process.stdout.write(`round ${r + 1}/${RUNS} done\n`);
}
const loadAfter = loadavg()[0];
for (const c of cases) {
  const st = stat(c);
  rows.push({ library: c.library, operation: c.operation, size: c.size, stat: st, verified: c.verified });
  console.log(`${c.library} · ${c.operation} · ${c.size}: ${st.medianUs.toFixed(2)} µs (min ${st.minUs.toFixed(2)}, max ${st.maxUs.toFixed(2)})${c.verified ? "" : " OUTPUT WRONG"}`);
}

// ---- report ----
const env = { node: process.version, cpu: cpus()[0]?.model ?? "unknown", cores: cpus().length, date: new Date().toISOString(), loadAverage1m: { before: loadBefore, after: loadAfter } };
writeFileSync(join(root, "docs", "bench-json.json"), JSON.stringify({ env, runs: RUNS, bodies: Object.fromEntries(Object.entries(bodies).map(([k, v]) => [k, v.length])), moduleBytes: sizes, rows, robustness }, null, 2) + "\n");

const f = (n: number) => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));
const lines: string[] = [];
lines.push("# JSON benchmark (generated)", "");
lines.push(`Generated by \`node --import tsx test/bench/json/run.ts\` on ${env.date} — Node ${env.node} (V8, the engine Envoy uses), ${env.cpu}, ${env.cores} cores shared with other jobs (1-minute load average ${loadBefore.toFixed(1)} before, ${loadAfter.toFixed(1)} after: absolute times are inflated by that load; the runs interleave all libraries, so the ratios are the meaningful part).`);
lines.push(`Each figure: time per operation inside the wasm module (the loop runs in wasm), median of ${RUNS} runs, with min–max. Bodies are OpenAI chat requests of ${Object.entries(bodies).map(([k, v]) => `${v.length} B (${k})`).join(" and ")}: bytes in, bytes out, as a plugin gets them from the host. "verified" means the output, parsed by JSON.parse, equals the input with \`model\` replaced.`, "");
lines.push("| library | operation | body | median µs | min–max µs | MB/s | verified |", "|---|---|---|---:|---:|---:|---|");
for (const r of rows) lines.push(`| ${r.library} | ${r.operation} | ${r.size} | ${f(r.stat.medianUs)} | ${f(r.stat.minUs)}–${f(r.stat.maxUs)} | ${f(r.stat.mbPerS)} | ${r.verified ? "yes" : "**no**"} |`);
lines.push("", "On a loaded machine the minimum is the figure least disturbed by other jobs; compare libraries on the same statistic.");
lines.push("", "## Malformed input (untrusted request bodies)", "", "What one parse+edit call does with each input, in a fresh instance. A *trap* kills the VM and every request behind it; *error value* means the call returned null/an error; *accepted* means it returned an output. `\"model\": 12` is valid JSON, so accepting it is right for a DOM (types are checked by the accessors); the typed json-as struct traps on it instead.", "");
const libs = [...new Set(robustness.map((r) => r.library))];
lines.push(`| input | ${libs.join(" | ")} |`, `|---|${libs.map(() => "---").join("|")}|`);
for (const input of Object.keys(MALFORMED)) lines.push(`| ${input} | ${libs.map((l) => robustness.find((r) => r.library === l && r.input === input)!.outcome).join(" | ")} |`);
lines.push("", "## Module size", "", "| module | bytes |", "|---|---:|");
for (const [k, v] of Object.entries(sizes)) lines.push(`| ${k} | ${v} |`);
lines.push("", "Sizes are whole benchmark modules (each includes only what its exports reach; Sluice's includes parser, writer, scanner, in-place edits and the exact decimal converter).", "");
writeFileSync(join(root, "docs", "bench-json.md"), lines.join("\n") + "\n");
console.log("wrote docs/bench-json.md and docs/bench-json.json");
