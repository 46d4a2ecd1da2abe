// The fuzz run: `node --import tsx test/fuzz/run.ts --inputs 1000000 [--seed N] [--plugins a,b] [--report path]`
// (`npm run fuzz` runs 1,000,000). Writes the counts to docs/fuzz-report.md; exits 1 on any trap.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "../../harness/src/tools.js";
import { runFuzz, formatReport } from "./fuzzer.js";

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const inputs = Number(arg("inputs") ?? 100000);
const seed = Number(arg("seed") ?? 1);
const plugins = arg("plugins")?.split(",");
const report = arg("report") ?? join(repoRoot, "docs", "fuzz-report.md");
const command = `node --import tsx test/fuzz/run.ts ${process.argv.slice(2).join(" ")}`.trim();

const started = Date.now();
const stats = await runFuzz({
  inputs,
  seed,
  plugins,
  onProgress: (done, s) => {
    if (done % 50000 < 1000) process.stderr.write(`fuzz: ${done}/${inputs} inputs, ${s.traps} traps, ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
  },
});
writeFileSync(report, formatReport(stats, command));
console.log(`fuzz: ${stats.inputs} inputs, ${stats.traps} traps, ${stats.unique.length} unique errors, ${(stats.ms / 1000).toFixed(1)} s → ${report}`);
for (const u of stats.unique.slice(0, 20)) console.log(`  ${u.plugin} [${u.target}] ${u.kind} ${u.callback}: ${u.message} ${u.detail} ×${u.count} (${u.example})`);
process.exit(stats.traps ? 1 : 0);
