// Every built plugin, checked against the host it is built for: the envoy build imports only
// what upstream Envoy registers and carries the 0.2.1 marker; the higress build carries 0.2.100
// and imports only what Higress's host registers. Builds are discovered, not listed.
import { describe, it, expect } from "vitest";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "../../harness/src/tools.js";
import { checkModule, type Target } from "../../harness/src/emulator/index.js";

interface Built {
  name: string;
  target: Target;
  path: string;
}

function discover(): Built[] {
  const out: Built[] = [];
  for (const base of ["plugins", join("test", "plugins")]) {
    const dir = join(repoRoot, base);
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir).sort()) {
      for (const target of ["envoy", "higress"] as const) {
        const path = join(dir, name, "build", `${target}.wasm`);
        if (existsSync(path)) out.push({ name: `${base}/${name}`, target, path });
      }
    }
  }
  return out;
}

const builds = discover();

describe("ABI import/export check of every built .wasm", () => {
  it("finds the built plugins", () => {
    expect(builds.some((b) => b.name === "plugins/request-block")).toBe(true);
  });

  it.each(builds.map((b) => [`${b.name} [${b.target}]`, b] as const))("%s", (_label, b) => {
    const module = new WebAssembly.Module(readFileSync(b.path));
    const check = checkModule(module, b.target);
    const marker = b.target === "envoy" ? "proxy_abi_version_0_2_1" : "proxy_abi_version_0_2_100";
    expect(check.abi, "the host must find this ABI marker first").toBe(marker);
    expect(check.missing, `imports ${b.target} does not provide`).toEqual([]);
    // Exactly one marker: a second one could be picked by a host that knows it.
    expect(check.exports.filter((e) => e.startsWith("proxy_abi_version_"))).toEqual([marker]);
    expect(check.exports).toContain("memory");
    expect(check.exports.some((e) => e === "malloc" || e === "proxy_on_memory_allocate")).toBe(true);
    for (const hook of ["proxy_on_context_create", "proxy_on_vm_start", "proxy_on_configure", "proxy_on_request_headers"]) {
      expect(check.exports, hook).toContain(hook);
    }
    if (b.target === "envoy") {
      // Nothing from Higress's fork may leak into the upstream build.
      expect(check.imports.filter((i) => /redis|upstream_host|inject_encoded/.test(i))).toEqual([]);
    }
  });
});
