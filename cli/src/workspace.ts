// Finds the Sluice workspace (the repository with sdk/, plugins/ and the pinned tools) and its plugins.
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { CliError } from "./errors.js";

export interface Workspace {
  root: string;
  pluginsDir: string;
}

function isWorkspaceRoot(dir: string): boolean {
  const pkg = join(dir, "package.json");
  if (!existsSync(pkg) || !existsSync(join(dir, "sdk", "index.ts"))) return false;
  try {
    return Array.isArray(JSON.parse(readFileSync(pkg, "utf8")).workspaces);
  } catch {
    return false;
  }
}

/** The workspace containing `from` (default: the current directory), else the one this CLI was built in. */
export function findWorkspace(from = process.cwd()): Workspace {
  const starts = [resolve(from)];
  if (process.env.SLUICE_ROOT) starts.unshift(resolve(process.env.SLUICE_ROOT));
  // The bundle lives in <root>/cli/dist; the sources in <root>/cli/src.
  starts.push(resolve(dirname(fileURLToPath(import.meta.url)), "..", ".."));
  for (const start of starts) {
    let dir = start;
    for (;;) {
      if (isWorkspaceRoot(dir)) return { root: dir, pluginsDir: join(dir, "plugins") };
      const up = dirname(dir);
      if (up === dir) break;
      dir = up;
    }
  }
  throw new CliError("not inside a Sluice workspace (no package.json with workspaces and sdk/ found above the current directory)");
}

export function listPlugins(ws: Workspace): string[] {
  if (!existsSync(ws.pluginsDir)) return [];
  return readdirSync(ws.pluginsDir)
    .filter((n) => existsSync(join(ws.pluginsDir, n, "assembly", "index.ts")))
    .sort();
}

/** The directory of a plugin, or a one-line error naming the plugins that exist. */
export function pluginDir(ws: Workspace, name: string): string {
  const all = listPlugins(ws);
  if (!all.includes(name)) {
    throw new CliError(`no plugin named '${name}' in ${ws.pluginsDir} (plugins: ${all.join(", ") || "none"})`);
  }
  return join(ws.pluginsDir, name);
}

/** Pinned tool versions (scripts/versions.env). */
export function toolVersions(ws: Workspace): Record<string, string> {
  const out: Record<string, string> = {};
  const file = join(ws.root, "scripts", "versions.env");
  if (!existsSync(file)) return out;
  for (const line of readFileSync(file, "utf8").split("\n")) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (m) out[m[1]] = m[2];
  }
  return out;
}
