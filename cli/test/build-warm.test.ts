// scripts/build.mjs compiles with warm compiler processes (one per core, many modules each). The
// bytes must be what a fresh `asc` writes: a compiler state that leaked from one module into the
// next (a --use constant, a cached file) would ship a different plugin than its source says.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { ascArgs } from "../../scripts/build.mjs";
import { repoRoot } from "./helpers.js";

it("a module built by the warm compilers is byte-identical to a fresh asc's", async () => {
  // The higress build of this probe is among the last of `npm test`'s build, so its compiler had
  // compiled dozens of modules of both targets before it.
  const dir = join(repoRoot, "test", "plugins", "emu-higress-probe");
  const tmp = mkdtempSync(join(tmpdir(), "sluice-warm-"));
  try {
    const args = ascArgs(dir, "higress");
    args[args.indexOf("--outFile") + 1] = join(tmp, "fresh.wasm");
    const code = await new Promise<number | null>((done) => spawn(process.execPath, args, { cwd: repoRoot, stdio: "ignore" }).on("close", done));
    expect(code).toBe(0);
    expect(Buffer.compare(readFileSync(join(tmp, "fresh.wasm")), readFileSync(join(dir, "build", "higress.wasm")))).toBe(0);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}, 120_000);
