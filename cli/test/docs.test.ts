// What the docs promise, checked: the SDK guide's example is what `sluice new` writes (which
// run.test.ts compiles and runs), and nothing cites notes that are not in the repository.
import { it, expect } from "vitest";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pluginSource } from "../src/template.js";
import { repoRoot } from "./helpers.js";

it("docs/sdk.md's whole plugin is the scaffold's source, imports and key names included", () => {
  const doc = readFileSync(join(repoRoot, "docs", "sdk.md"), "utf8");
  const block = /## A whole plugin\n\n```ts\n\/\/ plugins\/add-header\/assembly\/index\.ts[^\n]*\n([\s\S]*?)```/.exec(doc);
  expect(block).not.toBeNull();
  expect(block![1]).toBe(pluginSource("add-header"));
});

it("no tracked file cites research notes that are not in the repository", () => {
  const files = execFileSync("git", ["ls-files"], { cwd: repoRoot, encoding: "utf8" }).split("\n").filter((f) => /\.(md|ts|mjs|sh|json|yaml)$/.test(f));
  const cites: string[] = [];
  for (const f of files) {
    if (f.startsWith("cli/data/") || f === "cli/test/docs.test.ts" || !existsSync(join(repoRoot, f))) continue;
    readFileSync(join(repoRoot, f), "utf8").split("\n").forEach((line, i) => {
      if (/research\/[\w.-]+\.md|\bresearch (?:notes|§)|\(research\b/.test(line)) cites.push(`${f}:${i + 1}: ${line.trim()}`);
    });
  }
  expect(cites).toEqual([]);
});
