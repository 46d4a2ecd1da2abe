// The SDK's layers hold (docs/architecture.md): plugins use the API only; abi/ imports nothing
// above it; runtime/ imports only runtime/ and abi/; only sdk/exports.ts (the host's callbacks)
// may import every layer. Fails on the first import that crosses a line.
import { describe, it, expect } from "vitest";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve, dirname } from "node:path";
import { repoRoot } from "../../harness/src/tools.js";

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const n of readdirSync(dir)) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) { if (n !== "build" && n !== "node_modules" && n !== "test") out.push(...tsFiles(p)); }
    else if (n.endsWith(".ts")) out.push(p);
  }
  return out;
}

/** Module specifiers a file imports or re-exports. */
function imports(file: string): string[] {
  const src = readFileSync(file, "utf8");
  return [...src.matchAll(/^\s*(?:import|export)\b[^;]*?from\s+"([^"]+)"|^\s*import\s+"([^"]+)"/gm)].map((m) => m[1] ?? m[2]);
}

const sdk = join(repoRoot, "sdk");
/** The sdk/ folder an import of `file` lands in ("abi", "runtime", "api", …; "" for sdk/*.ts). */
function layerOf(file: string, spec: string): string | null {
  let target: string;
  if (spec.startsWith("@sluice/sdk")) target = join(sdk, spec.slice("@sluice/sdk".length));
  else if (spec.startsWith(".")) target = resolve(dirname(file), spec);
  else return null;
  const rel = relative(sdk, target);
  if (rel.startsWith("..")) return null;
  return rel.includes("/") ? rel.split("/")[0] : rel === "" ? "" : `file:${rel}`;
}

describe("SDK layers", () => {
  it("plugins import neither runtime/ nor abi/", () => {
    const bad: string[] = [];
    for (const base of ["plugins"]) {
      for (const name of readdirSync(join(repoRoot, base))) {
        const dir = join(repoRoot, base, name, "assembly");
        try { statSync(dir); } catch { continue; }
        for (const f of tsFiles(dir)) for (const s of imports(f)) {
          const l = layerOf(f, s);
          if (l === "runtime" || l === "abi") bad.push(`${relative(repoRoot, f)} imports ${s}`);
        }
      }
    }
    expect(bad).toEqual([]);
  });

  it("abi/ imports only abi/, runtime/ only runtime/ and abi/", () => {
    const bad: string[] = [];
    for (const [layer, allowed] of [["abi", ["abi"]], ["runtime", ["runtime", "abi"]]] as const) {
      for (const f of tsFiles(join(sdk, layer))) for (const s of imports(f)) {
        const l = layerOf(f, s);
        if (l !== null && !(allowed as readonly string[]).includes(l)) bad.push(`${relative(repoRoot, f)} imports ${s}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it("only sdk/exports.ts imports the callbacks", () => {
    const bad: string[] = [];
    for (const f of tsFiles(sdk)) for (const s of imports(f)) {
      if (/(^|\/)exports$/.test(s) && !f.endsWith("/sdk/exports.ts")) bad.push(`${relative(repoRoot, f)} imports ${s}`);
    }
    expect(bad).toEqual([]);
  });

  it("the check sees a crossing import (self-test)", () => {
    expect(layerOf(join(sdk, "abi", "x.ts"), "../runtime/hostcalls")).toBe("runtime");
    expect(layerOf(join(repoRoot, "plugins", "p", "assembly", "index.ts"), "@sluice/sdk/abi/types")).toBe("abi");
    expect(layerOf(join(repoRoot, "plugins", "p", "assembly", "index.ts"), "@sluice/sdk")).toBe("");
  });
});
