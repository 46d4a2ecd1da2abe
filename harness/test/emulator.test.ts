// The emulator itself: what it refuses to load, how it fails, and the Envoy deviations it copies.
import { describe, it, expect } from "vitest";
import { Emulator, EmulatorLoadError, HeaderMap, decodePairsStrict, encodePairs, respValueEnd, matchRoute } from "../src/emulator/index.js";
import { buildModule, minimalPlugin } from "./wasm-builder.js";

const b = (s: string) => Buffer.from(s);

describe("loading", () => {
  it("refuses a module that imports what the host lacks, with Envoy's message", async () => {
    const wasm = minimalPlugin([], "proxy_abi_version_0_2_1", [{ module: "env", name: "proxy_redis_call", params: 5, result: true }]);
    await expect(Emulator.load(wasm, { target: "envoy" })).rejects.toThrow("Failed to load Wasm module due to a missing import: env.proxy_redis_call");
    // Higress's host has it.
    const h = await Emulator.load(wasm, { target: "higress" });
    expect(h.started).toBe(true);
  });

  it("refuses AssemblyScript's default env.abort on both hosts", async () => {
    const wasm = minimalPlugin([], "proxy_abi_version_0_2_1", [{ module: "env", name: "abort", params: 4, result: false }]);
    for (const target of ["envoy", "higress"] as const) {
      await expect(Emulator.load(wasm, { target })).rejects.toThrow("Failed to load Wasm module due to a missing import: env.abort");
    }
  });

  it("refuses a module without a known ABI marker", async () => {
    await expect(Emulator.load(minimalPlugin([], "proxy_abi_version_9_9_9"))).rejects.toThrow("Missing or unknown Proxy-Wasm ABI version");
    // Upstream Envoy does not know Higress's marker.
    await expect(Emulator.load(minimalPlugin([], "proxy_abi_version_0_2_100"), { target: "envoy" })).rejects.toThrow("Missing or unknown Proxy-Wasm ABI version");
    const h = await Emulator.load(minimalPlugin([], "proxy_abi_version_0_2_100"));
    expect(h.target).toBe("higress");
    expect(h.abi).toBe("proxy_abi_version_0_2_100");
  });

  it("refuses a module without an allocator", async () => {
    const wasm = buildModule({ funcs: [{ name: "proxy_abi_version_0_2_1", params: 0, result: false, body: 0 }] });
    await expect(Emulator.load(wasm)).rejects.toThrow("missing malloc");
  });

  it("traps a host call made during _initialize (restricted mode)", async () => {
    const imports = [{ module: "env", name: "proxy_set_tick_period_milliseconds", params: 1, result: true }];
    // _initialize: call import 0 with 100, drop the result.
    const wasm = minimalPlugin([{ name: "_initialize", params: 0, result: false, body: [0x41, 100, 0x10, 0, 0x1a] }], "proxy_abi_version_0_2_1", imports);
    const err = await Emulator.load(wasm).catch((e) => e);
    expect(err).toBeInstanceOf(EmulatorLoadError);
    const h = await Emulator.load(wasm, { allowStartFailure: true });
    expect(h.failed).toBe(true);
    expect(h.traps[0].message).toContain("restricted_callback");
  });

  it("fails to start when on_configure returns false", async () => {
    const wasm = buildModule({
      funcs: [
        { name: "proxy_abi_version_0_2_1", params: 0, result: false, body: 0 },
        { name: "malloc", params: 1, result: true, body: 1024 },
        { name: "proxy_on_configure", params: 2, result: true, body: 0 },
      ],
    });
    await expect(Emulator.load(wasm, { pluginName: "p" })).rejects.toThrow("Unable to create Wasm plugin p");
  });
});

describe("a trap fails the VM (FAIL_CLOSED → 503)", () => {
  const trapping = () => minimalPlugin([{ name: "proxy_on_request_headers", params: 3, result: true, body: "unreachable" }]);

  it("answers 503 for the request that trapped and for every later one", async () => {
    const h = await Emulator.load(trapping());
    const r1 = await h.request({ path: "/" });
    expect(r1.status).toBe(503);
    expect(r1.localResponse?.details).toBe("wasm_fail_stream");
    expect(r1.upstream).toBeNull();
    expect(h.failed).toBe(true);
    expect(h.traps).toHaveLength(1);
    expect(h.traps[0].callback).toBe("proxy_on_request_headers");
    const r2 = await h.request({ path: "/again" });
    expect(r2.status).toBe(503);
    expect(h.traps).toHaveLength(1);
  });

  it("lets requests through with FAIL_OPEN", async () => {
    const h = await Emulator.load(trapping(), { failurePolicy: "FAIL_OPEN" });
    const r = await h.request({ path: "/x", body: "hello" });
    expect(r.status).toBe(200);
    expect(r.upstream?.body.toString()).toBe("hello");
  });
});

describe("header StopIteration", () => {
  const stopping = (marker: string) =>
    minimalPlugin([
      { name: "proxy_on_request_headers", params: 3, result: true, body: 1 },
      { name: "proxy_on_request_body", params: 3, result: true, body: 0 },
    ], marker);

  it("is kept on envoy with allow_on_headers_stop_iteration (our harness) and on Higress 0.2.100", async () => {
    for (const [wasm, opts] of [
      [stopping("proxy_abi_version_0_2_1"), { target: "envoy" as const }],
      [stopping("proxy_abi_version_0_2_100"), { target: "higress" as const }],
    ] as const) {
      const h = await Emulator.load(wasm, opts);
      const s = h.stream();
      expect(s.sendRequestHeaders({ ":path": "/", ":method": "POST", ":authority": "a" }, false)).toBe(1);
      expect(s.req.headState).toBe("stopped");
      // StopIteration: body chunks still reach the filter; Continue from the body releases both.
      expect(s.sendRequestBody("abc", true)).toBe(0);
      expect(s.upstream.complete).toBe(true);
      expect(s.upstream.body.toString()).toBe("abc");
    }
  });

  it("becomes StopAllIterationAndWatermark on a 0.2.1 module without the flag (stock Envoy, or Higress)", async () => {
    for (const target of ["envoy", "higress"] as const) {
      const h = await Emulator.load(stopping("proxy_abi_version_0_2_1"), { target, allowOnHeadersStopIteration: false });
      const s = h.stream();
      s.sendRequestHeaders({ ":path": "/", ":method": "POST", ":authority": "a" }, false);
      expect(s.req.headState).toBe("stoppedAll");
      expect(s.sendRequestBody("abc", true)).toBe(1);
      expect(s.upstream.headers).toBeNull();
      expect(h.hostCalls.size).toBe(0);
    }
  });
});

describe("pairs and header maps behave like Envoy's", () => {
  it("parses strictly: a missing NUL or too many pairs gives an empty map", () => {
    const good = encodePairs([[b("a"), b("1")], [b("b"), b("22")]]);
    expect(good.toString("hex")).toBe("02000000010000000100000001000000020000006100310062003232" + "00");
    expect(decodePairsStrict(good).map(([k, v]) => [k.toString(), v.toString()])).toEqual([["a", "1"], ["b", "22"]]);
    const bad = Buffer.from(good);
    bad[bad.length - 1] = 0x41;
    expect(decodePairsStrict(bad)).toEqual([]);
    const many = Buffer.alloc(8);
    many.writeUInt32LE(1025, 0);
    expect(decodePairsStrict(many)).toEqual([]);
    expect(decodePairsStrict(Buffer.from([0]))).toEqual([]);
  });

  it("lower-cases keys, keeps pseudo-headers first, returns the first duplicate, counts byteSize", () => {
    const m = new HeaderMap([[b("X-A"), b("1")], [b(":path"), b("/")], [b("x-a"), b("2")]]);
    expect(m.toStrings()).toEqual([[":path", "/"], ["x-a", "1"], ["x-a", "2"]]);
    expect(m.get("X-A")?.toString()).toBe("1");
    expect(m.byteSize).toBe(":path/x-a1x-a2".length);
    m.replace(b("x-a"), b("3"));
    expect(m.toStrings()).toEqual([[":path", "/"], ["x-a", "3"]]);
  });

  it("frames RESP replies", () => {
    expect(respValueEnd(b("+OK\r\n"))).toBe(5);
    expect(respValueEnd(b("$5\r\nhel"))).toBe(-1);
    expect(respValueEnd(b("$-1\r\n"))).toBe(5);
    expect(respValueEnd(b("*2\r\n$1\r\na\r\n:5\r\nextra"))).toBe(15);
    expect(respValueEnd(b("*2\r\n$1\r\na\r\n"))).toBe(-1);
  });

  it("picks routes like Envoy's virtual hosts", () => {
    const routes = [
      { name: "strict", prefix: "/strict", cluster: "up" },
      { name: "api", domains: ["*.example.com"], prefix: "/", cluster: "api" },
      { name: "default", prefix: "/", cluster: "up" },
    ];
    expect(matchRoute(routes, "x", "/strict/a")?.name).toBe("strict");
    expect(matchRoute(routes, "x", "/other")?.name).toBe("default");
    expect(matchRoute(routes, "a.example.com", "/strict")?.name).toBe("api");
    expect(matchRoute(routes, "example.com", "/")?.name).toBe("default");
  });
});
