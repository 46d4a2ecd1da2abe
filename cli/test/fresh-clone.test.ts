// `npx sluice --help` on a fresh clone right after bootstrap: the tracked files only (no
// node_modules, no cli/dist), bootstrap's own `npm ci` (offline: from npm's cache, so the test
// needs no network), then npx must find the local bin and never ask the registry for `sluice`.
import { it, expect } from "vitest";
import { execFile, execFileSync } from "node:child_process";
import { promisify } from "node:util";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { repoRoot } from "./helpers.js";

it("npx sluice --help works right after bootstrap on a fresh clone", async () => {
  const dir = mkdtempSync(join(tmpdir(), "sluice-clone-"));
  try {
    const files = execFileSync("git", ["ls-files", "-z"], { cwd: repoRoot, encoding: "utf8" }).split("\0").filter(Boolean);
    for (const f of files) {
      if (!existsSync(join(repoRoot, f))) continue; // deleted in the working tree, not yet committed
      mkdirSync(dirname(join(dir, f)), { recursive: true });
      cpSync(join(repoRoot, f), join(dir, f));
    }
    // Envoy and func-e are downloads, not part of a clone: share them rather than fetch them again,
    // but in a .tools/ of the clone's own, so what bootstrap installs (oras) lands in the clone.
    const tools = join(repoRoot, ".tools");
    mkdirSync(join(dir, ".tools", "bin"), { recursive: true });
    for (const e of readdirSync(tools)) if (e !== "bin" && !e.startsWith("oras")) symlinkSync(join(tools, e), join(dir, ".tools", e));
    for (const e of readdirSync(join(tools, "bin"))) if (e !== "oras") symlinkSync(join(tools, "bin", e), join(dir, ".tools", "bin", e));
    expect(existsSync(join(dir, "node_modules"))).toBe(false);
    expect(existsSync(join(dir, "cli", "dist"))).toBe(false);
    const env = { ...process.env, SLUICE_QUIET: "1", npm_config_offline: "true", npm_config_update_notifier: "false" };
    // Asynchronously: a minute-long synchronous call would starve vitest's worker RPC.
    await promisify(execFile)("bash", ["scripts/bootstrap.sh"], { cwd: dir, env, timeout: 280_000 });
    // --no-install: if npx did not find the local bin it would fail here instead of downloading.
    const out = execFileSync("npx", ["--no-install", "sluice", "--help"], { cwd: dir, env, encoding: "utf8", timeout: 60_000 });
    expect(out).toMatch(/^sluice \d+\.\d+\.\d+: build, run and publish/);
    expect(execFileSync("npx", ["sluice", "--version"], { cwd: dir, env, encoding: "utf8", timeout: 60_000 }).trim()).toMatch(/^\d+\.\d+\.\d+$/);
    // Bootstrap also installed the pinned oras (go install) for the interop tests.
    const pinned = /^ORAS_VERSION=v(.+)$/m.exec(readFileSync(join(dir, "scripts", "versions.env"), "utf8"))![1];
    expect(execFileSync(join(dir, ".tools", "bin", "oras"), ["version"], { encoding: "utf8" })).toMatch(new RegExp(`^Version:\\s+${pinned.replace(/\./g, "\\.")}$`, "m"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 300_000);
