#!/usr/bin/env node
// Builds every plugin (or the ones named) for both targets: plugins/<name>/build/{envoy,higress}.wasm.
// Usage: node scripts/build.mjs [plugin…] [--target envoy|higress] [--quiet]
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync, mkdirSync } from "node:fs";
import { join, dirname, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const quiet = args.includes("--quiet");
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

// `base` is the repository root (the sluice CLI passes it: its bundle lives elsewhere).
export function buildPlugin(dir, target, base = root) {
  const asc = join(base, "node_modules", "assemblyscript", "bin", "asc.js");
  const out = join(dir, "build", `${target}.wasm`);
  mkdirSync(join(dir, "build"), { recursive: true });
  const r = spawnSync(process.execPath, [
    asc,
    join(dir, "assembly", "index.ts"),
    join(base, "sdk", "abi", `version_${target}.ts`),
    "--config", join(base, "asconfig.json"),
    "--target", target,
    "--use", "abort=~lib/@sluice/sdk/runtime/abort/sluiceAbort",
    "--outFile", out,
  ], { cwd: base, encoding: "utf8" });
  return { ok: r.status === 0, out, log: (r.stdout || "") + (r.stderr || "") };
}

// Run as a script only (importing this module for its exports must not build anything).
const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;
if (isMain) main();

function main() {
const all = pluginDirs();
const testPlugins = testPluginDirs();
const chosen = names.length ? names : [...all, ...testPlugins];
let failed = 0;
for (const name of chosen) {
  if (!all.includes(name) && !testPlugins.includes(name)) {
    console.error(`sluice build: no plugin named '${name}' (plugins: ${all.join(", ")})`);
    failed++;
    continue;
  }
  for (const target of targets) {
    const r = buildPlugin(join(root, all.includes(name) ? "plugins" : join("test", "plugins"), name), target);
    if (!r.ok) {
      failed++;
      console.error(`✗ ${name} [${target}]\n${r.log}`);
    } else if (!quiet) {
      console.log(`✓ ${name} [${target}] ${statSync(r.out).size} bytes`);
    }
  }
}
process.exit(failed ? 1 : 0);
}
