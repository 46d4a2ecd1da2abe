// sdk/transform/hooks.mjs drops the per-request hooks a plugin does not use, so Envoy does not
// enter the VM for them. Checked two ways: the rule on its own, and every built plugin against its
// sources — a method a plugin's source declares (onResponseHeaders, onStreamDone, …) must leave the
// export that calls it in the module, and the three hooks every request needs are always there.
import { describe, it, expect } from "vitest";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "../../harness/src/tools.js";
// @ts-expect-error a plain ES module without types
import { HOOK_USES, unusedHooks } from "../../sdk/transform/hooks.mjs";

const uses = HOOK_USES as Record<string, string[]>;
const drop = unusedHooks as (names: Iterable<string>) => string[];
const ALWAYS = ["proxy_on_context_create", "proxy_on_request_headers", "proxy_on_delete"];
const base = "~lib/@sluice/sdk/api/plugin/HttpFilter<x/Config>";

describe("the hook rule", () => {
  it("drops every optional hook when only the SDK's defaults exist", () => {
    expect(drop([`${base}#onRequestHeaders`, `${base}#onResponseBody`, "~lib/@sluice/sdk/runtime/context/HttpContext#onLogRaw", "~lib/@sluice/sdk/runtime/context/RootContext#onDone"]).sort()).toEqual(Object.keys(uses).sort());
  });
  it("keeps response headers for an onResponseHeaders override, not the response body", () => {
    const d = drop(["plugins/cors/assembly/index/CorsFilter#onResponseHeaders"]);
    expect(d).not.toContain("proxy_on_response_headers");
    expect(d).toContain("proxy_on_response_body");
  });
  it("keeps headers, body and trailers of a direction whose body a plugin reads", () => {
    const d = drop(["plugins/p/assembly/index/F#onResponseChunk", "plugins/p/assembly/index/F#onRequestBody"]);
    for (const h of ["proxy_on_response_headers", "proxy_on_response_body", "proxy_on_response_trailers", "proxy_on_request_body", "proxy_on_request_trailers"]) expect(d).not.toContain(h);
    expect(d).toEqual(expect.arrayContaining(["proxy_on_log", "proxy_on_done"]));
  });
  it("keeps proxy_on_log for onStreamDone, also when the override is an SDK class's", () => {
    expect(drop(["~lib/@sluice/sdk/ai/tracker/AiFilter<C>#onStreamDone"])).not.toContain("proxy_on_log");
  });
});

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out.push(...sources(p));
    else if (p.endsWith(".ts")) out.push(readFileSync(p, "utf8"));
  }
  return out;
}

const pluginsDir = join(repoRoot, "plugins");
const built = readdirSync(pluginsDir).sort().filter((p) => existsSync(join(pluginsDir, p, "build", "envoy.wasm")));

describe("every built plugin exports the hooks its sources use", () => {
  it("finds the built plugins", () => expect(built.length).toBeGreaterThan(20));
  for (const p of built) {
    it(p, () => {
      const src = sources(join(pluginsDir, p, "assembly")).join("\n");
      for (const target of ["envoy", "higress"]) {
        const wasm = join(pluginsDir, p, "build", `${target}.wasm`);
        if (!existsSync(wasm)) continue;
        const exported = new Set(WebAssembly.Module.exports(new WebAssembly.Module(readFileSync(wasm))).map((e) => e.name));
        for (const h of ALWAYS) expect(exported.has(h), `${p} ${target} ${h}`).toBe(true);
        for (const [hook, methods] of Object.entries(uses)) {
          const declared = methods.filter((m) => new RegExp(`^\\s+(override\\s+)?${m}\\(`, "m").test(src));
          if (declared.length > 0) expect(exported.has(hook), `${p} ${target}: declares ${declared.join(", ")} but does not export ${hook}`).toBe(true);
        }
      }
    });
  }
});

describe("the no-op plugin", () => {
  it("leaves Envoy three entries per request: create, request headers, delete", () => {
    const wasm = join(repoRoot, "test", "plugins", "noop", "build", "envoy.wasm");
    const names = WebAssembly.Module.exports(new WebAssembly.Module(readFileSync(wasm))).map((e) => e.name);
    const perRequest = names.filter((n) => ALWAYS.includes(n) || n in uses);
    expect(perRequest.sort()).toEqual([...ALWAYS].sort());
  });
});
