// The higress build of cors in the host emulator: preflight, origin checks, upstream header
// replacement — the same decisions as the envoy build in Envoy.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { pluginWasm } from "../../../harness/src/index.js";
import { Emulator } from "../../../harness/src/emulator/index.js";

let host: Emulator;
beforeAll(async () => {
  host = await Emulator.load(pluginWasm("cors", "higress"), {
    target: "higress",
    routes: [{ name: "r", prefix: "/", cluster: "up" }],
    config: { allow_origin_patterns: ["https://*.example.com"], allow_credentials: true, allow_methods: ["GET", "POST"], expose_headers: ["x-id"] },
  });
});
afterAll(() => host?.close());

const upstreamCors = { status: 200, headers: { "access-control-allow-origin": "*", "access-control-allow-methods": "*" }, body: "ok" };

describe("cors (higress build)", () => {
  it("preflight is answered by the plugin with the echoed origin and credentials", async () => {
    const r = await host.request({ method: "OPTIONS", path: "/", headers: { origin: "https://a.example.com", "access-control-request-method": "POST" } });
    expect(r.status).toBe(200);
    expect(r.upstream).toBeNull();
    expect(r.header("access-control-allow-origin")).toBe("https://a.example.com");
    expect(r.header("access-control-allow-credentials")).toBe("true");
    expect(r.header("access-control-allow-methods")).toBe("GET,POST");
    expect(r.header("access-control-max-age")).toBe("86400");
  });

  it("suffix trick refused with 403 Invalid CORS request", async () => {
    const r = await host.request({ path: "/", headers: { origin: "https://example.com.evil.com" } });
    expect(r.status).toBe(403);
    expect(r.body).toBe("Invalid CORS request");
    expect(r.upstream).toBeNull();
  });

  it("actual request: upstream Access-Control-* replaced", async () => {
    const r = await host.request({ path: "/", headers: { origin: "https://b.example.com" }, response: upstreamCors });
    expect(r.status).toBe(200);
    expect(r.header("access-control-allow-origin")).toBe("https://b.example.com");
    expect(r.header("access-control-allow-methods")).toBeUndefined();
    expect(r.header("access-control-expose-headers")).toBe("x-id");
    expect(r.header("vary")).toBe("Origin");
    expect(host.traps).toEqual([]);
  });
});
