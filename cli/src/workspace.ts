// Where the CLI works: a Sluice repository (sdk/, plugins/, the pinned tools), or a standalone
// plugin project made by `sluice new` outside one (its own package.json, with the SDK, the
// harness and the compiler as npm packages in its node_modules).
import { existsSync, readFileSync, readdirSync, realpathSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { CliError } from "./errors.js";

export interface BuildPaths {
  cwd: string;
  asc: string;
  sdk: string;
  asconfig: string;
}

export interface Workspace {
  root: string;
  pluginsDir: string;
  /** Set for a standalone plugin project: the plugin is the project itself. */
  project?: { name: string };
  /** Compiler, SDK and options for scripts/build.mjs (a repository passes its root). */
  build: string | BuildPaths;
  /** The checkout whose .tools/ and scripts/versions.env provide func-e and Envoy, if any. */
  toolsRoot?: string;
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

/** A plugin project: package.json, plugin.yaml and assembly/index.ts side by side. */
export function isProjectRoot(dir: string): boolean {
  return existsSync(join(dir, "package.json")) && existsSync(join(dir, "plugin.yaml")) && existsSync(join(dir, "assembly", "index.ts")) && !existsSync(join(dir, "..", "..", "sdk", "index.ts"));
}

/** The repository this CLI was built in (the bundle lives in <root>/cli/dist), if it is one. */
export function homeRepo(): string | undefined {
  const dir = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
  return isWorkspaceRoot(dir) ? dir : undefined;
}

function repoWorkspace(dir: string): Workspace {
  return { root: dir, pluginsDir: join(dir, "plugins"), build: dir, toolsRoot: dir };
}

function projectWorkspace(dir: string): Workspace {
  const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  const sdk = join(dir, "node_modules", "@sluice", "sdk");
  if (!existsSync(sdk)) throw new CliError(`${dir} has no node_modules/@sluice/sdk: run 'npm install' there first`);
  return {
    root: dir,
    pluginsDir: dirname(dir),
    project: { name: String(pkg.name) },
    build: { cwd: dir, asc: join(dir, "node_modules", "assemblyscript", "bin", "asc.js"), sdk: realpathSync(sdk), asconfig: join(dir, "asconfig.json") },
    toolsRoot: process.env.SLUICE_ROOT && isWorkspaceRoot(resolve(process.env.SLUICE_ROOT)) ? resolve(process.env.SLUICE_ROOT) : homeRepo(),
  };
}

/** The repository or plugin project containing `from` (default: the current directory), else the one this CLI was built in. */
export function findWorkspace(from = process.cwd()): Workspace {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    if (isProjectRoot(dir)) return projectWorkspace(dir);
    if (dirname(dir) === dir) break;
  }
  if (process.env.SLUICE_ROOT) {
    const r = resolve(process.env.SLUICE_ROOT);
    if (isWorkspaceRoot(r)) return repoWorkspace(r);
  }
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    if (isWorkspaceRoot(dir)) return repoWorkspace(dir);
    if (dirname(dir) === dir) break;
  }
  const home = homeRepo();
  if (home) return repoWorkspace(home);
  throw new CliError("not inside a Sluice workspace (no package.json with workspaces and sdk/ found above the current directory)");
}

/** The repository containing the current directory, or undefined (used by `new`: it never writes elsewhere silently). */
export function repoAround(from = process.cwd()): Workspace | undefined {
  if (process.env.SLUICE_ROOT && isWorkspaceRoot(resolve(process.env.SLUICE_ROOT))) return repoWorkspace(resolve(process.env.SLUICE_ROOT));
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    if (isWorkspaceRoot(dir)) return repoWorkspace(dir);
    if (dirname(dir) === dir) return undefined;
  }
}

export function listPlugins(ws: Workspace): string[] {
  if (ws.project) return [ws.project.name];
  if (!existsSync(ws.pluginsDir)) return [];
  return readdirSync(ws.pluginsDir)
    .filter((n) => existsSync(join(ws.pluginsDir, n, "assembly", "index.ts")))
    .sort();
}

/** The directory of a plugin, or a one-line error naming the plugins that exist. */
export function pluginDir(ws: Workspace, name: string): string {
  if (ws.project) {
    if (name !== ws.project.name) throw new CliError(`this project's plugin is '${ws.project.name}', not '${name}'`);
    return ws.root;
  }
  const all = listPlugins(ws);
  if (!all.includes(name)) {
    throw new CliError(`no plugin named '${name}' in ${ws.pluginsDir} (plugins: ${all.join(", ") || "none"})`);
  }
  return join(ws.pluginsDir, name);
}

/** Pinned tool versions (scripts/versions.env of the tools' checkout). */
export function toolVersions(ws: Workspace): Record<string, string> {
  const out: Record<string, string> = {};
  if (!ws.toolsRoot) return out;
  const file = join(ws.toolsRoot, "scripts", "versions.env");
  if (!existsSync(file)) return out;
  for (const line of readFileSync(file, "utf8").split("\n")) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (m) out[m[1]] = m[2];
  }
  return out;
}
