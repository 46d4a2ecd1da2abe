// Higress's host additions in the emulator, through the emu-higress-probe test plugin: upstream
// hosts, override host, injected data, and the properties Higress plugins read and write.
import { describe, it, expect } from "vitest";
import { testPluginWasm } from "../../harness/src/tools.js";
import { Emulator, checkModule } from "../../harness/src/emulator/index.js";

const routes = [{ name: "main-route", prefix: "/", cluster: "outbound|80||backend.dns" }];

describe("Higress host functions (higress target)", () => {
  const load = () =>
    Emulator.load(testPluginWasm("emu-higress-probe", "higress"), {
      upstreamHosts: [["10.0.0.1:80", "rq_active 3"], ["10.0.0.2:80", ""]],
      routes,
      pluginName: "emu-higress-probe",
    });

  it("imports the Higress functions only in the higress build", async () => {
    const h = await load();
    expect(h.target).toBe("higress");
    const { readFileSync } = await import("node:fs");
    const envoyBuild = checkModule(new WebAssembly.Module(readFileSync(testPluginWasm("emu-higress-probe", "envoy"))), "envoy");
    expect(envoyBuild.missing).toEqual([]);
    expect(envoyBuild.imports.some((i) => i.includes("upstream_host"))).toBe(false);
  });

  it("proxy_get_upstream_hosts returns host → metrics pairs", async () => {
    const r = await (await load()).request({ path: "/hosts" });
    expect(r.body).toBe("10.0.0.1:80=rq_active 3;10.0.0.2:80=");
  });

  it("proxy_set_upstream_override_host is recorded on the stream", async () => {
    const r = await (await load()).request({ path: "/override", headers: { "x-override": "10.0.0.2:80" } });
    expect(r.stream.upstreamOverrideHost).toBe("10.0.0.2:80");
    expect(Object.fromEntries(r.upstream!.headers!)["x-override-status"]).toBe("0");
  });

  it("proxy_inject_encoded_data_to_filter_chain adds to the response body", async () => {
    const r = await (await load()).request({ path: "/inject", response: { status: 204 } });
    expect(r.body).toBe("[injected]");
    expect(r.stream.injected).toEqual([{ data: Buffer.from("[injected]"), endStream: true }]);
  });

  it("properties: route_name, cluster_name, xds.*, source.address, request.path; set_decoder_buffer_limit and ai_log are kept", async () => {
    const r = await (await load()).request({ path: "/props", headers: { "x-request-id": "rid-7" } });
    const up = Object.fromEntries(r.upstream!.headers!);
    expect(up["x-route-name"]).toBe("main-route");
    expect(up["x-xds-route-name"]).toBe("main-route");
    expect(up["x-cluster-name"]).toBe("outbound|80||backend.dns");
    // x_request_id is written by the Higress SDK, not provided by the host: absent until set.
    expect(up["x-x-request-id"]).toBe("");
    expect(up["x-source-address"]).toBe("127.0.0.1:40000");
    expect(up["x-request-path"]).toBe("/props");
    expect(r.stream.properties.get("set_decoder_buffer_limit")?.toString()).toBe("1048576");
    expect(JSON.parse(r.stream.properties.get("ai_log")!.toString())).toEqual({ model: "m" });
  });

  it("upstream Envoy refuses the higress build (its ABI marker)", async () => {
    await expect(Emulator.load(testPluginWasm("emu-higress-probe", "higress"), { target: "envoy" })).rejects.toThrow(/Missing or unknown Proxy-Wasm ABI version|missing import/);
  });
});

describe("the same probe on the envoy target", () => {
  it("refuses the Higress-only paths", async () => {
    const h = await Emulator.load(testPluginWasm("emu-higress-probe", "envoy"), { routes });
    const r = await h.request({ path: "/props", headers: { "x-request-id": "rid-8" } });
    expect(Object.fromEntries(r.upstream!.headers!)["x-x-request-id"]).toBe("");
    expect((await h.request({ path: "/hosts" })).status).toBe(501);
  });
});
