// The two builds of the same probe: only the higress one may import Higress's Redis host
// functions (the envoy build reaches Redis through webdis instead).
import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import { testPluginWasm } from "../../harness/src/tools.js";

function tables(target: "envoy" | "higress") {
  const mod = new WebAssembly.Module(readFileSync(testPluginWasm("sdk-probe", target)));
  return {
    imports: WebAssembly.Module.imports(mod).map((i) => `${i.module}.${i.name}`),
    exports: WebAssembly.Module.exports(mod).map((e) => e.name),
  };
}

describe("sdk-probe builds", () => {
  it("the higress build imports proxy_redis_init and proxy_redis_call", () => {
    const { imports, exports } = tables("higress");
    expect(imports).toContain("env.proxy_redis_init");
    expect(imports).toContain("env.proxy_redis_call");
    expect(exports).toContain("proxy_on_redis_call_response");
    expect(exports).toContain("proxy_abi_version_0_2_100");
  });

  it("the envoy build imports no Higress-only function and uses HTTP callouts for Redis", () => {
    const { imports, exports } = tables("envoy");
    for (const name of ["proxy_redis_init", "proxy_redis_call", "proxy_inject_encoded_data_to_filter_chain", "proxy_get_upstream_hosts", "proxy_set_upstream_override_host"]) {
      expect(imports).not.toContain(`env.${name}`);
    }
    expect(imports).toContain("env.proxy_http_call");
    expect(exports).toContain("proxy_abi_version_0_2_1");
    expect(exports).not.toContain("proxy_abi_version_0_2_100");
  });

  it("both builds export the tick and queue callbacks the SDK services need", () => {
    for (const t of ["envoy", "higress"] as const) {
      const { exports } = tables(t);
      for (const e of ["proxy_on_tick", "proxy_on_queue_ready", "proxy_on_http_call_response"]) expect(exports, t).toContain(e);
    }
  });
});
