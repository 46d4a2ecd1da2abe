// The fuzz run: `node --import tsx test/fuzz/run.ts --inputs 1000000 [--seed N] [--workers N] [--plugins a,b] [--report path]`
// (`npm run fuzz` runs 1,000,000 over 2 workers). Writes the counts to docs/fuzz-report.md; exits 1 on any trap.
import { fork } from "node:child_process";
import { statSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { repoRoot } from "../../harness/src/tools.js";
import { runFuzz, formatReport, type FuzzStats } from "./fuzzer.js";
import { loadAsModuleSync } from "../../harness/src/ascunit.js";

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const inputs = Number(arg("inputs") ?? 100000);
const seed = Number(arg("seed") ?? 1);
const workers = Math.max(1, Number(arg("workers") ?? 1));
const plugins = arg("plugins")?.split(",");
const report = arg("report") ?? join(repoRoot, "docs", "fuzz-report.md");
const isWorker = process.argv.includes("--worker");
const command = `node --import tsx test/fuzz/run.ts ${process.argv.slice(2).join(" ")}`.trim();

async function runHere(n: number, s: number, tag: string): Promise<FuzzStats> {
  const started = Date.now();
  return runFuzz({
    inputs: n,
    seed: s,
    plugins,
    onProgress: (done, st) => {
      if (done % 25000 < 1000 && done > 1000) process.stderr.write(`fuzz${tag}: ${done}/${n} inputs, ${st.traps} traps, ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
    },
  });
}

/** Sums the workers' counts; unique errors are merged by what they are. */
function merge(parts: FuzzStats[], ms: number): FuzzStats {
  const out: FuzzStats = { inputs: 0, traps: 0, perPlugin: {}, parsers: {}, unique: [], ms, seed };
  const unique = new Map<string, FuzzStats["unique"][number]>();
  for (const p of parts) {
    out.inputs += p.inputs;
    out.traps += p.traps;
    for (const [k, v] of Object.entries(p.perPlugin)) {
      const o = (out.perPlugin[k] ??= { requests: 0, configs: 0, started: 0, traps: 0, skipped: 0 });
      o.requests += v.requests; o.configs += v.configs; o.started += v.started; o.traps += v.traps; o.skipped += v.skipped ?? 0;
    }
    for (const [k, v] of Object.entries(p.parsers)) {
      const o = (out.parsers[k] ??= { inputs: 0, traps: 0 });
      o.inputs += v.inputs; o.traps += v.traps;
    }
    for (const u of p.unique) {
      const key = `${u.plugin}|${u.target}|${u.kind}|${u.callback}|${u.message}|${u.detail}`;
      const cur = unique.get(key);
      if (cur) cur.count += u.count;
      else unique.set(key, { ...u });
    }
  }
  out.unique = [...unique.values()].sort((a, b) => b.count - a.count);
  return out;
}

if (isWorker) {
  let last = 0;
  const stats = await runFuzz({
    inputs,
    seed,
    plugins,
    onProgress: (done, st) => {
      // Partial counts go to the parent now and then, so a stopped run still reports what it did.
      if (done - last >= 5000) {
        last = done;
        process.send!({ partial: true, stats: st });
      }
    },
  });
  process.send!({ partial: false, stats }, () => process.exit(0));
} else {
  const t0 = Date.now();
  let stats: FuzzStats;
  if (workers === 1) {
    stats = await runHere(inputs, seed, "");
  } else {
    // Compile the parser module once here, and keep the workers from recompiling it when someone
    // edits the SDK mid-run (its mtime is pushed ahead for the run, restored after).
    loadAsModuleSync("test/fuzz/parsers.entry.ts");
    const parserWasm = join(repoRoot, "build", "ascunit", "parsers.entry-envoy.wasm");
    const compiledAt = statSync(parserWasm).mtime;
    utimesSync(parserWasm, new Date(), new Date(Date.now() + 6 * 3600 * 1000));
    const restore = () => utimesSync(parserWasm, compiledAt, compiledAt);
    const latest: FuzzStats[] = [];
    let lastWrite = 0;
    const writePartial = (why: string) => {
      const done = latest.filter(Boolean);
      if (!done.length) return;
      writeFileSync(report, formatReport(merge(done, Date.now() - t0), command, why));
    };
    const children: ReturnType<typeof fork>[] = [];
    const stop = () => {
      for (const c of children) c.kill();
      restore();
      writePartial(`the run was stopped after ${latest.filter(Boolean).reduce((a, s) => a + s.inputs, 0).toLocaleString("en-US")} of ${inputs.toLocaleString("en-US")} inputs.`);
      process.exit(2);
    };
    process.on("SIGTERM", stop);
    process.on("SIGINT", stop);
    // Worker i runs its share with seed + i, so the whole run is reproducible from --seed.
    const self = fileURLToPath(import.meta.url);
    const parts = await Promise.all(
      Array.from({ length: workers }, (_, i) => {
        const n = Math.floor(inputs / workers) + (i < inputs % workers ? 1 : 0);
        const args = ["--inputs", String(n), "--seed", String(seed + i), "--worker", ...(plugins ? ["--plugins", plugins.join(",")] : [])];
        return new Promise<FuzzStats>((resolve, reject) => {
          const child = fork(self, args, { execArgv: process.execArgv, stdio: ["ignore", "inherit", "inherit", "ipc"] });
          children.push(child);
          let result: FuzzStats | undefined;
          child.on("message", (m) => {
            const msg = m as { partial: boolean; stats: FuzzStats };
            latest[i] = msg.stats;
            if (!msg.partial) result = msg.stats;
            else if (Date.now() - lastWrite > 60000) {
              lastWrite = Date.now();
              const total = latest.filter(Boolean).reduce((a, s) => a + s.inputs, 0);
              process.stderr.write(`fuzz: ${total}/${inputs} inputs, ${latest.filter(Boolean).reduce((a, s) => a + s.traps, 0)} traps, ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
              writePartial(`in progress: ${total.toLocaleString("en-US")} of ${inputs.toLocaleString("en-US")} inputs so far.`);
            }
          });
          child.on("exit", (code) => (result ? resolve(result) : reject(new Error(`fuzz worker ${i} exited with ${code}`))));
        });
      }),
    );
    restore();
    stats = merge(parts, Date.now() - t0);
  }
  writeFileSync(report, formatReport(stats, command));
  console.log(`fuzz: ${stats.inputs} inputs, ${stats.traps} traps, ${stats.unique.length} unique errors, ${(stats.ms / 1000).toFixed(1)} s → ${report}`);
  for (const u of stats.unique.slice(0, 20)) console.log(`  ${u.plugin} [${u.target}] ${u.kind} ${u.callback}: ${u.message} ${u.detail} ×${u.count} (${u.example})`);
  process.exit(stats.traps ? 1 : 0);
}
