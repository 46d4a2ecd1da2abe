#!/usr/bin/env node
// Builds every plugin (or the ones named) for both targets: plugins/<name>/build/{envoy,higress}.wasm.
// Usage: node scripts/build.mjs [plugin…] [--target envoy|higress] [--quiet] [--force] [--cold]
// Builds run in parallel (one per core) and an output newer than every input (the plugin's
// assembly/, sdk/, asconfig.json, the compiler) is kept unless --force. One progress line per
// module: "[3/15] ✓ key-auth envoy 88.1 KiB 1.2 s".
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync, mkdirSync } from "node:fs";
import { cpus } from "node:os";
import { join, dirname, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const quiet = args.includes("--quiet");
const force = args.includes("--force");
// --cold: one fresh compiler process per module (as before the warm compilers; for comparison)
const cold = args.includes("--cold");
const targetArg = args.indexOf("--target");
const targets = targetArg >= 0 ? [args[targetArg + 1]] : ["envoy", "higress"];
const names = args.filter((a, i) => !a.startsWith("--") && (targetArg < 0 || i !== targetArg + 1));

export function pluginDirs(base = root) {
  const dir = join(base, "plugins");
  return readdirSync(dir).filter((n) => existsSync(join(dir, n, "assembly", "index.ts"))).sort();
}

/** Plugins used only by tests (test/plugins/<name>/assembly/index.ts), built the same way. */
export function testPluginDirs(base = root) {
  const dir = join(base, "test", "plugins");
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((n) => existsSync(join(dir, n, "assembly", "index.ts"))).sort();
}

/**
 * The AssemblyScript test modules of the SDK's unit and property tests (harness/src/ascunit.ts
 * loads them): sdk/test/*.entry.ts and test/fuzz/*.entry.ts, built with the plugins so the test
 * files find them ready instead of each starting its own compiler.
 */
export function unitEntries(base = root) {
  const out = [];
  for (const d of ["sdk/test", "test/fuzz"]) {
    const dir = join(base, d);
    if (existsSync(dir)) for (const n of readdirSync(dir).sort()) if (n.endsWith(".entry.ts")) out.push(`${d}/${n}`);
  }
  return out;
}

/** Where a test module is written, and the compiler's arguments for it (the one definition). */
export function unitModule(entry, target = "envoy", base = root) {
  const src = join(base, entry);
  const out = join(base, "build", "ascunit", `${entry.split("/").pop().replace(/\.ts$/, "")}-${target}.wasm`);
  const args = [
    join(base, "node_modules", "assemblyscript", "bin", "asc.js"), src, join(base, "sdk", "runtime", "abort.ts"),
    "--config", join(base, "asconfig.json"), "--target", target,
    "--use", "abort=sdk/runtime/abort/sluiceAbort",
    // Test modules keep the incremental collector: the JS side allocates in them and never says when to collect.
    "--runtime", "incremental",
    "--exportRuntime", "--outFile", out,
  ];
  return { src, out, args };
}

/** A test module is stale when its entry or any SDK source is newer (the SDK's tests excluded). */
export function unitStale(entry, target = "envoy", base = root) {
  const { src, out } = unitModule(entry, target, base);
  if (!existsSync(out)) return true;
  return statSync(out).mtimeMs < Math.max(statSync(src).mtimeMs, newestMtime(join(base, "sdk")));
}

/**
 * Where the compiler, the SDK and the compiler options are. `base` is the repository root (the
 * sluice CLI passes it: its bundle lives elsewhere), or a ready object for a standalone plugin
 * project whose SDK and compiler are npm packages in its node_modules.
 */
export function buildPaths(base = root) {
  if (typeof base !== "string") return base;
  return {
    cwd: base,
    asc: join(base, "node_modules", "assemblyscript", "bin", "asc.js"),
    sdk: join(base, "sdk"),
    asconfig: join(base, "asconfig.json"),
  };
}

/**
 * The runtime a plugin asks for in its package.json ("sluice": {"runtime": "incremental"}), or
 * null for asconfig.json's (minimal: the SDK collects as the VM is left, sdk/runtime/collect.ts).
 */
export function pluginRuntime(dir) {
  const f = join(dir, "package.json");
  if (!existsSync(f)) return null;
  try {
    const r = JSON.parse(readFileSync(f, "utf8")).sluice?.runtime;
    return typeof r === "string" ? r : null;
  } catch {
    return null;
  }
}

export function ascArgs(dir, target, base = root) {
  const p = buildPaths(base);
  const runtime = pluginRuntime(dir);
  return [
    p.asc,
    join(dir, "assembly", "index.ts"),
    join(p.sdk, "abi", `version_${target}.ts`),
    "--config", p.asconfig,
    "--target", target,
    "--use", "abort=~lib/@sluice/sdk/runtime/abort/sluiceAbort",
    // Drops the per-request hooks the plugin does not use (Envoy then never enters the VM for them).
    "--transform", join(p.sdk, "transform", "hooks.mjs"),
    ...(runtime ? ["--runtime", runtime] : []),
    "--noColors", // plain diagnostics whatever the terminal or CI variables say (the CLI reformats them)
    "--outFile", join(dir, "build", `${target}.wasm`),
  ];
}

/**
 * A plugin whose module is generated from other files has scripts/prebuild-<name>.mjs (the waf
 * plugin compiles the vendored Core Rule Set); it runs before the compiler. A failure is the build's.
 */
function prebuild(dir, base) {
  const script = join(buildPaths(base).cwd ?? root, "scripts", `prebuild-${dir.split(/[\\/]/).pop()}.mjs`);
  if (!existsSync(script)) return null;
  const r = spawnSync(process.execPath, [script], { encoding: "utf8" });
  return r.status === 0 ? null : { ok: false, out: "", log: `${script} failed\n${r.stdout ?? ""}${r.stderr ?? ""}` };
}

export function buildPlugin(dir, target, base = root) {
  const pre = prebuild(dir, base);
  if (pre) return pre;
  const out = join(dir, "build", `${target}.wasm`);
  mkdirSync(join(dir, "build"), { recursive: true });
  const r = spawnSync(process.execPath, ascArgs(dir, target, base), { cwd: buildPaths(base).cwd, encoding: "utf8" });
  return { ok: r.status === 0, out, log: (r.stdout || "") + (r.stderr || "") };
}

/** Same as buildPlugin, without blocking: lets several compilers run at once. */
export function buildPluginAsync(dir, target, base = root, pool = null) {
  const pre = prebuild(dir, base);
  if (pre) return Promise.resolve(pre);
  const out = join(dir, "build", `${target}.wasm`);
  mkdirSync(join(dir, "build"), { recursive: true });
  return compile(ascArgs(dir, target, base), buildPaths(base).cwd, pool).then((r) => ({ ...r, out }));
}

/** One compile: by a warm compiler when there is one, else by a fresh `asc` process. */
function compile(args, cwd, pool) {
  if (pool) return pool.compile(args.slice(1));
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, args, { cwd });
    let log = "";
    child.stdout.on("data", (d) => (log += d));
    child.stderr.on("data", (d) => (log += d));
    child.on("close", (code) => resolvePromise({ ok: code === 0, log }));
  });
}

function buildUnitAsync(entry, target, base, pool) {
  const { out, args } = unitModule(entry, target, base);
  mkdirSync(dirname(out), { recursive: true });
  return compile(args, base, pool).then((r) => ({ ...r, out }));
}

// A compiler process that stays up for many modules. A fresh `asc` spends 2-4 s of a small
// plugin's 6-8 s starting Node, loading binaryen and warming the JIT; a warm one compiles the same
// bytes (the suite checks the outputs are identical) in about half the time. Jobs are JSON lines on
// stdin; each answer is one JSON line on stdout.
const WARM_COMPILER = `
import { createInterface } from "node:readline";
const asc = await import(process.argv[1]);
for await (const line of createInterface({ input: process.stdin })) {
  const job = JSON.parse(line);
  let log = "";
  const sink = { write(s) { log += typeof s === "string" ? s : Buffer.from(s).toString(); return true; } };
  let ok = false;
  try {
    const { error } = await asc.main(job.argv, { stdout: sink, stderr: sink });
    ok = !error;
    if (error && !log.includes(String(error.message ?? error))) log += String(error) + "\\n";
  } catch (e) {
    log += String((e && e.stack) || e);
  }
  process.stdout.write(JSON.stringify({ ok, log }) + "\\n");
}
`;

class WarmCompiler {
  constructor(base) {
    const p = buildPaths(base);
    this.cwd = p.cwd;
    this.api = pathToFileURL(join(dirname(p.asc), "..", "dist", "asc.js")).href;
    this.child = null;
    this.pending = null;
  }
  start() {
    const child = spawn(process.execPath, ["--input-type=module", "-e", WARM_COMPILER, this.api], { cwd: this.cwd, stdio: ["pipe", "pipe", "pipe"] });
    let buf = "";
    let err = "";
    child.stdout.on("data", (d) => {
      buf += d;
      let nl;
      while ((nl = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        const done = this.pending;
        this.pending = null;
        try { done?.(JSON.parse(line)); } catch { done?.({ ok: false, log: line }); }
      }
    });
    child.stderr.on("data", (d) => (err += d));
    // A compiler that dies (out of memory, a crash in binaryen) fails its job; the next job starts a new one.
    child.on("close", (code) => {
      if (this.child === child) this.child = null;
      const done = this.pending;
      this.pending = null;
      done?.({ ok: false, log: `compiler exited (${code})\n${err}` });
    });
    this.child = child;
  }
  compile(argv) {
    if (!this.child) this.start();
    return new Promise((resolvePromise) => {
      this.pending = resolvePromise;
      this.child.stdin.write(JSON.stringify({ argv }) + "\n");
    });
  }
  close() {
    this.child?.stdin.end();
    this.child = null;
  }
}

function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const name of readdirSync(path)) {
    if (name === "node_modules" || name === "build" || name === "test") continue;
    newest = Math.max(newest, newestMtime(join(path, name)));
  }
  return newest;
}

/** True when the output exists and is newer than everything it is built from. */
export function upToDate(dir, target, base = root) {
  const out = join(dir, "build", `${target}.wasm`);
  if (!existsSync(out)) return false;
  const p = buildPaths(base);
  const inputs = Math.max(
    newestMtime(join(dir, "assembly")),
    newestMtime(p.sdk),
    newestMtime(p.asconfig),
    newestMtime(join(dirname(p.asc), "..", "package.json")),
  );
  return statSync(out).mtimeMs > inputs;
}

/**
 * Builds jobs ({name, dir, target}) in parallel, one compiler per core, skipping outputs that are
 * up to date unless `force`. `onResult` sees each job as it finishes, with its 1-based finishing
 * order (`done` of `total`), `skipped`, `size` (bytes) and `ms`. The sluice CLI uses this too, so
 * `npm run build` and `sluice build` skip, order and report the same way.
 */
export async function runBuilds(jobs, { force = false, base = root, concurrency = Math.max(1, cpus().length), onResult, warm = true } = {}) {
  const results = new Array(jobs.length);
  let next = 0;
  let done = 0;
  const compilers = [];
  const worker = async () => {
    const compiler = warm ? new WarmCompiler(base) : null;
    if (compiler) compilers.push(compiler);
    while (next < jobs.length) {
      const i = next++;
      const job = jobs[i];
      const t0 = performance.now();
      const out = job.unit ? unitModule(job.unit, job.target, base).out : join(job.dir, "build", `${job.target}.wasm`);
      let r;
      if (!force && (job.unit ? !unitStale(job.unit, job.target, base) : upToDate(job.dir, job.target, base))) r = { ok: true, skipped: true, out, log: "" };
      else if (job.unit) r = { ...(await buildUnitAsync(job.unit, job.target, base, compiler)), skipped: false };
      else r = { ...(await buildPluginAsync(job.dir, job.target, base, compiler)), skipped: false };
      done++;
      results[i] = { ...job, ...r, size: r.ok ? statSync(r.out).size : 0, ms: performance.now() - t0, done, total: jobs.length };
      onResult?.(results[i]);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(1, jobs.length)) }, worker));
  } finally {
    for (const c of compilers) c.close();
  }
  return results;
}

/** "[3/15] key-auth envoy 88.1 KiB 1.2 s" (or "… (up to date)"). */
export function progressLine(r) {
  const size = r.size < 1024 ? `${r.size} B` : `${(r.size / 1024).toFixed(1)} KiB`;
  const what = r.skipped ? "(up to date)" : `${(r.ms / 1000).toFixed(1)} s`;
  return `[${r.done}/${r.total}] ${r.ok ? "✓" : "✗"} ${r.name} ${r.target} ${r.ok ? `${size} ${what}` : "failed"}`;
}

// Run as a script only (importing this module for its exports must not build anything).
// (The CLI bundles this module into its own file: that file is never this script.)
const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href && import.meta.url.endsWith("/build.mjs");
if (isMain) main();

async function main() {
  const t0 = performance.now();
  const all = pluginDirs();
  const testPlugins = testPluginDirs();
  const chosen = names.length ? names : [...all, ...testPlugins];
  let failed = 0;
  const jobs = [];
  for (const name of chosen) {
    if (!all.includes(name) && !testPlugins.includes(name)) {
      console.error(`sluice build: no plugin named '${name}' (plugins: ${all.join(", ")})`);
      failed++;
      continue;
    }
    const dir = join(root, all.includes(name) ? "plugins" : join("test", "plugins"), name);
    for (const target of targets) jobs.push({ name, dir, target });
  }
  if (!names.length) for (const unit of unitEntries()) jobs.push({ name: unit.split("/").pop().replace(/\.entry\.ts$/, " (test module)"), unit, target: "envoy" });
  const results = await runBuilds(jobs, {
    force,
    warm: !cold,
    onResult: (r) => {
      if (!r.ok) console.error(`${progressLine(r)}\n${r.log}`);
      else if (!quiet) console.log(progressLine(r));
    },
  });
  failed += results.filter((r) => !r.ok).length;
  if (!quiet) {
    const built = results.filter((r) => r.ok && !r.skipped).length;
    console.log(`${built} built, ${results.length - built - failed} up to date${failed ? `, ${failed} failed` : ""} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  process.exit(failed ? 1 : 0);
}
