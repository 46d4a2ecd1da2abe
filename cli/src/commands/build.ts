// sluice build [plugin…]: compiles plugins for both targets with the workspace's own build script
// (scripts/build.mjs), prints sizes, and turns the compiler's errors into file:line:col lines.
import { statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { CliError } from "../errors.js";
import { type Workspace, listPlugins, pluginDir } from "../workspace.js";

export type Target = "envoy" | "higress";
export const TARGETS: Target[] = ["envoy", "higress"];

interface BuildResult {
  ok: boolean;
  out: string;
  log: string;
}

interface BuildScript {
  buildPlugin(dir: string, target: string, base?: string): BuildResult;
  /** Newer build scripts compile without blocking: both targets then build at once. */
  buildPluginAsync?(dir: string, target: string, base?: string): Promise<BuildResult>;
}

async function loadBuildScript(ws: Workspace): Promise<BuildScript> {
  const file = join(ws.root, "scripts", "build.mjs");
  try {
    return (await import(pathToFileURL(file).href)) as BuildScript;
  } catch (e) {
    throw new CliError(`cannot load the workspace build script ${file}: ${(e as Error).message}`);
  }
}

export interface CompileDiagnostic {
  file: string;
  line: number;
  column: number;
  code: string;
  message: string;
  excerpt: string[];
}

/** Parses asc's output: "ERROR TS2304: msg", an excerpt, then "└─ in path(line,col)". */
export function parseDiagnostics(log: string, root: string): CompileDiagnostic[] {
  const out: CompileDiagnostic[] = [];
  let cur: { code: string; message: string; excerpt: string[] } | null = null;
  for (const line of log.split("\n")) {
    const head = /^(?:ERROR|WARNING) (\w+): (.*)$/.exec(line);
    if (head) {
      cur = { code: head[1], message: head[2], excerpt: [] };
      continue;
    }
    if (!cur) continue;
    const at = /└─ in (.+)\((\d+),(\d+)\)\s*$/.exec(line);
    if (at) {
      out.push({ file: resolve(root, at[1]), line: Number(at[2]), column: Number(at[3]), ...cur });
      cur = null;
    } else if (line.trim() && line.trim() !== ":") {
      cur.excerpt.push(line);
    }
  }
  return out;
}

function formatSize(n: number): string {
  return n < 1024 ? `${n} B` : `${(n / 1024).toFixed(1)} KiB`;
}

export interface BuiltPlugin {
  name: string;
  target: Target;
  wasm: string;
  size: number;
}

/** Builds the named plugins (all when empty) for the given targets; throws a CliError on failure. */
export async function buildPlugins(ws: Workspace, names: string[], targets: Target[] = TARGETS, print = true): Promise<BuiltPlugin[]> {
  const chosen = names.length ? names : listPlugins(ws);
  if (chosen.length === 0) throw new CliError(`no plugins in ${ws.pluginsDir} (create one with 'sluice new <name>')`);
  const dirs = chosen.map((n) => [n, pluginDir(ws, n)] as const); // unknown names fail before any work
  const script = await loadBuildScript(ws);
  const built: BuiltPlugin[] = [];
  let failures = 0;
  for (const [name, dir] of dirs) {
    const results = script.buildPluginAsync
      ? await Promise.all(targets.map((t) => script.buildPluginAsync!(dir, t, ws.root)))
      : targets.map((t) => script.buildPlugin(dir, t, ws.root));
    const failed = results.findIndex((r) => !r.ok);
    if (failed >= 0) {
      // Both targets compile the same source: show the first failure's diagnostics once.
      failures++;
      const r = results[failed];
      const diags = parseDiagnostics(r.log, ws.root);
      console.error(`✗ ${name} [${targets[failed]}]`);
      if (diags.length === 0) console.error(r.log.trim());
      for (const d of diags) {
        console.error(`${relative(process.cwd(), d.file)}:${d.line}:${d.column}: error ${d.code}: ${d.message}`);
        for (const l of d.excerpt) console.error(`  ${l}`);
      }
      continue;
    }
    results.forEach((r, i) => {
      const size = statSync(r.out).size;
      built.push({ name, target: targets[i], wasm: r.out, size });
      if (print) console.log(`✓ ${name} [${targets[i]}] ${relative(process.cwd(), r.out)} ${formatSize(size)}`);
    });
  }
  if (failures) throw new CliError(`build failed: ${failures} plugin${failures > 1 ? "s" : ""} did not compile`);
  return built;
}
