// Where the bootstrap script put the pinned tools (scripts/bootstrap.sh, scripts/versions.env).
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

// SLUICE_ROOT names the checkout when the harness runs from elsewhere (a standalone plugin
// project that installed it from an `npm pack` tarball, under node_modules/).
export const repoRoot = process.env.SLUICE_ROOT ? resolve(process.env.SLUICE_ROOT) : resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const toolsDir = join(repoRoot, ".tools");

function readVersions(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of readFileSync(join(repoRoot, "scripts", "versions.env"), "utf8").split("\n")) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (m) out[m[1]] = m[2];
  }
  return out;
}

export const versions = readVersions();
export const envoyVersion = versions.ENVOY_VERSION;
export const funcEBinary = join(toolsDir, "bin", "func-e");
export const funcEDataHome = join(toolsDir, "func-e");

export function requireTools(): void {
  const envoy = join(funcEDataHome, "envoy-versions", envoyVersion, "bin", "envoy");
  if (!existsSync(funcEBinary) || !existsSync(envoy)) {
    throw new Error(`func-e or Envoy ${envoyVersion} is missing: run 'bash scripts/bootstrap.sh' first`);
  }
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
