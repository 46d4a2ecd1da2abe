// sluice build [plugin…]: compiles plugins for both targets with scripts/build.mjs's runner, prints
// progress, and turns the compiler's errors into file:line:col lines.
import { statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { CliError } from "../errors.js";
import { type BuildPaths, type Workspace, listPlugins, pluginDir } from "../workspace.js";
// The one build implementation (npm run build uses it too), bundled into the CLI so that a
// standalone plugin project, which has no scripts/, builds the same way.
// @ts-expect-error: a plain ESM script without type declarations
import * as buildScript from "../../../scripts/build.mjs";

export type Target = "envoy" | "higress";
export const TARGETS: Target[] = ["envoy", "higress"];

interface BuildResult {
  ok: boolean;
  out: string;
  log: string;
}

interface RunResult extends BuildResult {
  name: string;
  dir: string;
  target: Target;
  skipped: boolean;
  size: number;
  ms: number;
  done: number;
  total: number;
}

interface BuildScript {
  buildPlugin(dir: string, target: string, base?: string | BuildPaths): BuildResult;
  /** The workspace's parallel, up-to-date-aware runner (scripts/build.mjs), when it has one. */
  runBuilds?(jobs: { name: string; dir: string; target: Target }[], o: { force?: boolean; base?: string | BuildPaths; onResult?: (r: RunResult) => void }): Promise<RunResult[]>;
  progressLine?(r: RunResult): string;
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

function reportFailure(name: string, target: Target, log: string, root: string): void {
  const diags = parseDiagnostics(log, root);
  console.error(`✗ ${name} [${target}]`);
  if (diags.length === 0) console.error(log.trim());
  for (const d of diags) {
    console.error(`${relative(process.cwd(), d.file)}:${d.line}:${d.column}: error ${d.code}: ${d.message}`);
    for (const l of d.excerpt) console.error(`  ${l}`);
  }
}

export interface BuildOptions {
  print?: boolean;
  /** Rebuild even when the module is newer than its inputs. */
  force?: boolean;
}

/**
 * Builds the named plugins (all when empty) for the given targets; throws a CliError on failure.
 * Up-to-date modules are kept (so `run` and `push` reuse a fresh build), the rest compile in
 * parallel, each with a progress line: all of it is scripts/build.mjs's runBuilds.
 */
export async function buildPlugins(ws: Workspace, names: string[], targets: Target[] = TARGETS, opts: BuildOptions | boolean = {}): Promise<BuiltPlugin[]> {
  const o: BuildOptions = typeof opts === "boolean" ? { print: opts } : opts;
  const print = o.print ?? true;
  const chosen = names.length ? names : listPlugins(ws);
  if (chosen.length === 0) throw new CliError(`no plugins in ${ws.pluginsDir} (create one with 'sluice new <name>')`);
  const dirs = chosen.map((n) => [n, pluginDir(ws, n)] as const); // unknown names fail before any work
  const script = buildScript as unknown as BuildScript;
  const built: BuiltPlugin[] = [];
  const failed = new Set<string>();
  if (script.runBuilds) {
    const jobs = dirs.flatMap(([name, dir]) => targets.map((target) => ({ name, dir, target })));
    const line = script.progressLine ?? ((r: RunResult) => `[${r.done}/${r.total}] ${r.name} ${r.target}`);
    const shown = new Set<string>();
    const results = await script.runBuilds(jobs, {
      force: o.force,
      base: ws.build,
      onResult: (r) => {
        if (r.ok) {
          if (print) console.log(`${line(r)}  ${relative(process.cwd(), r.out)}`);
          return;
        }
        failed.add(r.name);
        // Both targets compile the same source: show a plugin's diagnostics once.
        if (!shown.has(r.name)) reportFailure(r.name, r.target, r.log, ws.root);
        shown.add(r.name);
      },
    });
    for (const r of results) if (r.ok) built.push({ name: r.name, target: r.target, wasm: r.out, size: r.size });
  } else {
    for (const [name, dir] of dirs) {
      const results = targets.map((t) => script.buildPlugin(dir, t, ws.build));
      const bad = results.findIndex((r) => !r.ok);
      if (bad >= 0) {
        failed.add(name);
        reportFailure(name, targets[bad], results[bad].log, ws.root);
        continue;
      }
      results.forEach((r, i) => {
        const size = statSync(r.out).size;
        built.push({ name, target: targets[i], wasm: r.out, size });
        if (print) console.log(`✓ ${name} [${targets[i]}] ${relative(process.cwd(), r.out)} ${formatSize(size)}`);
      });
    }
  }
  if (failed.size) throw new CliError(`build failed: ${failed.size} plugin${failed.size > 1 ? "s" : ""} did not compile`);
  return built;
}
