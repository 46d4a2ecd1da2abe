// The bundle is one executable file that runs on plain Node: no tsx, no node_modules.
import { it, expect } from "vitest";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildCli, cliBundle, repoRoot } from "./helpers.js";

it("cli/dist/sluice.mjs is a self-contained executable", () => {
  buildCli();
  const text = readFileSync(cliBundle, "utf8");
  expect(text.startsWith("#!/usr/bin/env node\n")).toBe(true);
  expect(statSync(cliBundle).mode & 0o111).toBe(0o111);
  expect(text).not.toMatch(/from ["'](tsx|yaml|esbuild)["']|require\(["'](tsx|yaml)["']\)/);
  const dir = mkdtempSync(join(tmpdir(), "sluice-bundle-"));
  try {
    copyFileSync(cliBundle, join(dir, "sluice.mjs"));
    // Away from the repository and its node_modules, it still runs and says what it needs.
    expect(execFileSync(join(dir, "sluice.mjs"), ["--version"], { cwd: dir, encoding: "utf8" }).trim()).toBe("0.1.0");
    let err = "";
    try {
      execFileSync(process.execPath, [join(dir, "sluice.mjs"), "build"], { cwd: dir, encoding: "utf8", stdio: "pipe", env: { ...process.env, SLUICE_ROOT: "" } });
    } catch (e) {
      err = (e as { stderr: string }).stderr;
    }
    expect(err.trim()).toBe("sluice build: not inside a Sluice workspace (no package.json with workspaces and sdk/ found above the current directory)");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  // npm links it as the workspace's `sluice` bin (so `npx sluice` works after `npm run build`).
  expect(JSON.parse(readFileSync(join(repoRoot, "cli", "package.json"), "utf8")).bin).toEqual({ sluice: "dist/sluice.mjs" });
  expect(execFileSync(join(repoRoot, "node_modules", ".bin", "sluice"), ["--version"], { encoding: "utf8" }).trim()).toBe("0.1.0");
});
