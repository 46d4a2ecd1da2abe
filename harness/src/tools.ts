// Where the bootstrap script put the pinned tools (scripts/bootstrap.sh, scripts/versions.env).
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

// SLUICE_ROOT names the checkout when the harness runs from elsewhere (a standalone plugin
// project that installed it from an `npm pack` tarball, under node_modules/).
export const repoRoot = process.env.SLUICE_ROOT ? resolve(process.env.SLUICE_ROOT) : resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const toolsDir = join(repoRoot, ".tools");

// Tolerant of a missing file: the CLI bundle imports this module from wherever it is installed,
// and names its own checkout (toolsAt); a missing tool is reported when Envoy is started.
function readVersions(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const file = join(root, "scripts", "versions.env");
  if (!existsSync(file)) return out;
  for (const line of readFileSync(file, "utf8").split("\n")) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (m) out[m[1]] = m[2];
  }
  return out;
}

export const versions = readVersions(repoRoot);
export const envoyVersion = versions.ENVOY_VERSION;

/** func-e, its data home holding the pinned Envoy, and that Envoy's version. */
export interface EnvoyTools {
  funcE: string;
  dataHome: string;
  envoyVersion: string | undefined;
}

/** The tools of the checkout at `root` (default: this one). */
export function toolsAt(root = repoRoot): EnvoyTools {
  return { funcE: join(root, ".tools", "bin", "func-e"), dataHome: join(root, ".tools", "func-e"), envoyVersion: readVersions(root).ENVOY_VERSION };
}

/** Whether func-e and the pinned Envoy are installed. */
export function toolsPresent(t: EnvoyTools): boolean {
  return !!t.envoyVersion && existsSync(t.funcE) && existsSync(join(t.dataHome, "envoy-versions", t.envoyVersion, "bin", "envoy"));
}

export function requireTools(t: EnvoyTools = toolsAt()): void {
  if (!toolsPresent(t)) throw new Error(`func-e or Envoy ${t.envoyVersion ?? "?"} is missing: run 'bash scripts/bootstrap.sh' first`);
}

/** The compiled plugin for a target, as built by scripts/build.mjs. */
export function pluginWasm(name: string, target: "envoy" | "higress" = "envoy"): string {
  const p = join(repoRoot, "plugins", name, "build", `${target}.wasm`);
  if (!existsSync(p)) throw new Error(`${p} is missing: run 'npm run build' first`);
  return p;
}

/** A plugin used only by tests (test/plugins/<name>), as built by scripts/build.mjs. */
export function testPluginWasm(name: string, target: "envoy" | "higress" = "envoy"): string {
  const p = join(repoRoot, "test", "plugins", name, "build", `${target}.wasm`);
  if (!existsSync(p)) throw new Error(`${p} is missing: run 'node scripts/build.mjs ${name}' first`);
  return p;
}
