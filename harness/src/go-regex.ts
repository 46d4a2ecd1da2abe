// Go's regexp as an oracle for the SDK's RE2 engine (the engine Higress's configurations are
// written for): sdk/test/regex_oracle, built once per test file, answers JSON-line requests
// ({op: "find" | "findAll" | "replaceAll", p, s, r}) with one JSON string each. Go is required
// (bootstrap installs nothing without it), so a failed build fails the test instead of skipping it.
import { execFile, spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { repoRoot } from "./tools.js";

export type GoRegexRequest = { op: string; p: string; s: string; r?: string };

/** Builds the oracle (asynchronously: a build must not block the vitest worker) under its own name. */
export async function goRegexOracle(name: string): Promise<(requests: GoRegexRequest[]) => string[]> {
  const bin = join(repoRoot, "build", "ascunit", `regex-oracle-${name}`);
  mkdirSync(join(repoRoot, "build", "ascunit"), { recursive: true });
  await promisify(execFile)("go", ["build", "-o", bin, "."], { cwd: join(repoRoot, "sdk", "test", "regex_oracle") }).catch((e: Error) => {
    throw new Error(`cannot build the Go regexp oracle (sdk/test/regex_oracle): ${e.message}`);
  });
  return (requests) => {
    const run = spawnSync(bin, [], { input: requests.map((r) => JSON.stringify(r)).join("\n") + "\n", encoding: "utf8", maxBuffer: 1 << 28 });
    if (run.status !== 0) throw new Error(`oracle failed: ${run.stderr}`);
    return run.stdout.trim().split("\n").map((l) => JSON.parse(l) as string);
  };
}
