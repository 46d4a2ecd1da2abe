// The SDK services through the emulator, driven by the sdk-probe test plugin: Higress's native
// Redis ABI against a real redis-server, webdis on the envoy target, callouts answered by hand,
// fault injection, ticks, shared data, queues and metrics.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { testPluginWasm } from "../../harness/src/tools.js";
import { RedisServer } from "../../harness/src/redis.js";
import { Emulator, Status } from "../../harness/src/emulator/index.js";

let redis: RedisServer;
beforeAll(async () => {
  redis = await RedisServer.start();
});
afterAll(async () => redis?.stop());

const json = (s: string) => JSON.parse(s);
const redisReq = (op: string, args: unknown[]) => ({ path: "/redis", headers: { "x-probe-redis": op, "x-probe-args": JSON.stringify(args) } });

describe("Redis on the higress target (proxy_redis_* against a real redis-server)", () => {
  let host: Emulator;
  beforeAll(async () => {
    host = await Emulator.load(testPluginWasm("sdk-probe", "higress"), {
      config: { webdis_cluster: "outbound|6379||redis.dns" },
      clusters: { "outbound|6379||redis.dns": `redis://127.0.0.1:${redis.redisPort}` },
      pluginName: "sdk-probe",
    });
    expect(host.target).toBe("higress");
  });
  afterAll(() => host?.close());

  it("sets and gets a key; the value is really in Redis", async () => {
    expect(json((await host.request(redisReq("set", ["emu:k", "v1"]))).body)).toMatchObject({ ok: true, value: { simple: "OK" } });
    expect(json((await host.request(redisReq("get", ["emu:k"]))).body)).toMatchObject({ ok: true, value: "v1" });
    expect(await redis.command("GET", "emu:k")).toBe("$2\r\nv1\r\n");
    expect(host.hostCalls.get("proxy_redis_call")).toBeGreaterThanOrEqual(2);
  });

  it("delivers Redis's own error replies as errors", async () => {
    await redis.command("SET", "emu:str", "abc");
    const r = json((await host.request(redisReq("incrby", ["emu:str", "1"]))).body);
    expect(r.ok).toBe(false);
    expect(r.error).toMatch(/ERR value is not an integer/);
  });

  it("answers 20 concurrent requests, each with its own reply", async () => {
    await Promise.all(Array.from({ length: 20 }, (_, i) => host.request(redisReq("set", [`emu:c${i}`, `v${i}`]))));
    const rs = await Promise.all(Array.from({ length: 20 }, (_, i) => host.request(redisReq("get", [`emu:c${i}`]))));
    rs.forEach((r, i) => expect(json(r.body).value).toBe(`v${i}`));
  });

  it("fault injection: a network failure (status 1) and an injected error reply", async () => {
    host.failNextRedis("network");
    expect(json((await host.request(redisReq("get", ["emu:k"]))).body)).toMatchObject({ ok: false, error: "cannot connect to redis cluster" });
    host.failNextRedis({ error: "ERR injected" });
    expect(json((await host.request(redisReq("get", ["emu:k"]))).body)).toMatchObject({ ok: false, error: "ERR injected" });
    host.failNext("proxy_redis_call", Status.InternalFailure);
    const r = await host.request(redisReq("get", ["emu:k"]));
    expect(r.status).toBe(503);
    expect(r.body).toMatch(/redis refused/);
  });

  it("a Redis that is not there gives status 1 (connection failure)", async () => {
    const h = await Emulator.load(testPluginWasm("sdk-probe", "higress"), { config: { webdis_cluster: "r" }, clusters: { r: "redis://127.0.0.1:1" } });
    expect(json((await h.request(redisReq("get", ["x"]))).body)).toMatchObject({ ok: false, error: "cannot connect to redis cluster" });
    h.close();
  });
});

describe("Redis on the envoy target (webdis through proxy_http_call)", () => {
  it("reaches the same Redis over HTTP", async () => {
    const host = await Emulator.load(testPluginWasm("sdk-probe", "envoy"), { config: { webdis_cluster: "webdis" }, clusters: { webdis: redis.webdisUrl } });
    expect(host.target).toBe("envoy");
    expect(json((await host.request(redisReq("set", ["emu:w", "via-webdis"]))).body)).toMatchObject({ ok: true });
    expect(await redis.command("GET", "emu:w")).toBe("$10\r\nvia-webdis\r\n");
  });
});

describe("HTTP callouts", () => {
  const load = (callee: unknown = null) =>
    Emulator.load(testPluginWasm("sdk-probe", "envoy"), { config: { upstream_cluster: "callee" }, clusters: { callee: callee as null } });

  it("can be answered by hand, and the request resumes", async () => {
    const host = await load();
    const s = host.stream();
    expect(s.sendRequestHeaders({ ":authority": "gw", ":path": "/callout/x", ":method": "GET", "x-probe-callout-path": "/q?a=1", "x-request-id": "r9" }, true)).toBe(1);
    const [call] = host.pendingHttpCalls();
    expect(call.cluster).toBe("callee");
    expect(call.header(":path")).toBe("/q?a=1");
    expect(call.header(":authority")).toBe("callout.local");
    expect(call.header("x-probe-caller")).toBe("r9");
    expect(call.timeoutMs).toBe(500);
    expect(s.upstream.headers).toBeNull();
    call.respond({ status: 201, headers: { "x-upstream": "hand" }, body: JSON.stringify({ path: "/seen", method: "GET", headers: {} }) });
    expect(s.upstream.complete).toBe(true);
    const up = Object.fromEntries(s.upstream.headers!);
    expect(up["x-callout-status"]).toBe("201");
    expect(up["x-callout-upstream-header"]).toBe("hand");
    expect(up["x-callout-echo-path"]).toBe("/seen");
    s.complete();
  });

  it("times out as Envoy does (504) when the clock passes the deadline", async () => {
    const host = await load();
    const s = host.stream();
    s.sendRequestHeaders({ ":authority": "gw", ":path": "/callout/x", ":method": "GET" }, true);
    host.advance(499);
    expect(host.pendingHttpCalls()).toHaveLength(1);
    host.advance(1);
    expect(host.pendingHttpCalls()).toHaveLength(0);
    expect(Object.fromEntries(s.upstream.headers!)["x-callout-status"]).toBe("504");
  });

  it("a reset callout has no :status", async () => {
    const host = await load();
    const s = host.stream();
    s.sendRequestHeaders({ ":authority": "gw", ":path": "/callout/x", ":method": "GET" }, true);
    host.pendingHttpCalls()[0].reset();
    expect(s.upstream.complete).toBe(true);
  });

  it("routes to a responder function, and request() waits for it", async () => {
    const host = await load(async (c: { header(n: string): string | undefined }) => ({ status: 200, body: JSON.stringify({ path: c.header(":path"), method: "GET", headers: {} }) }));
    const r = await host.request({ path: "/callout/f", headers: { "x-probe-callout-path": "/fn" } });
    expect(r.status).toBe(200);
    expect(Object.fromEntries(r.upstream!.headers!)["x-callout-echo-path"]).toBe("/fn");
  });

  it("fault injection: http_call fails, an unknown cluster is BadArgument", async () => {
    const host = await load();
    host.failNext("proxy_http_call", Status.InternalFailure);
    let r = await host.request({ path: "/callout/x" });
    expect(r.status).toBe(503);
    expect(r.header("x-callout-error")).toBe("InternalFailure");
    r = await host.request({ path: "/callout/x", headers: { "x-probe-callout-cluster": "nope" } });
    expect(r.header("x-callout-error")).toBe("BadArgument");
  });

  it("a pending callout is cancelled when its request ends", async () => {
    const host = await load();
    const s = host.stream();
    s.sendRequestHeaders({ ":authority": "gw", ":path": "/callout/x", ":method": "GET" }, true);
    s.complete();
    expect(host.pendingHttpCalls()).toHaveLength(0);
  });
});

describe("ticks, shared data, queues, metrics", () => {
  const load = () => Emulator.load(testPluginWasm("sdk-probe", "envoy"), { config: { fast_tick_ms: 100, slow_tick_ms: 300 }, vmId: "probe" });

  it("fires ticks as the clock advances", async () => {
    const host = await load();
    expect(host.tickPeriodMs).toBeGreaterThan(0);
    host.advance(1000);
    const t = json((await host.request({ path: "/ticks" })).body);
    expect(t.fast).toBe(10);
    // Each handler runs on the first host tick (t=100), then every 300 ms: 100, 400, 700, 1000.
    expect(t.slow).toBe(4);
  });

  it("shared data with CAS", async () => {
    const host = await load();
    let r = await host.request({ path: "/shared/set", headers: { "x-key": "k", "x-value": "one" } });
    expect(r.header("x-shared-status")).toBe("Ok");
    const cas = r.header("x-shared-cas")!;
    r = await host.request({ path: "/shared/set", headers: { "x-key": "k", "x-value": "two", "x-cas": String(Number(cas) + 100) } });
    expect(r.header("x-shared-status")).toBe("CasMismatch");
    r = await host.request({ path: "/shared/set", headers: { "x-key": "k", "x-value": "two", "x-cas": cas } });
    expect(r.header("x-shared-status")).toBe("Ok");
    expect(host.sharedData.get("k")?.value.toString()).toBe("two");
  });

  it("queues: enqueue wakes the owner, which dequeues", async () => {
    const host = await load();
    expect((await host.request({ path: "/queue/enqueue", headers: { "x-value": "m1" } })).body).toBe("Ok");
    expect(host.enqueue("", "probe-queue", "m2")).toBe(Status.Ok);
    expect(json((await host.request({ path: "/queue/stats" })).body)).toEqual({ dequeued: 2, last: "m2" });
  });

  it("metrics follow Envoy's rules (counter adds, gauge sets, histogram records)", async () => {
    const host = await load();
    expect((await host.request({ path: "/metrics/7" })).body).toBe("1");
    expect((await host.request({ path: "/metrics/9" })).body).toBe("2");
    expect(host.metric("sluice_probe_last_size")).toBe(9n);
    expect(host.metric("sluice_probe_size")).toBe(9n);
  });
});

describe("log lines and the request id", () => {
  it("lines from the answer's headers and from a root scope carry the id read as the request headers hook ended", async () => {
    const host = await Emulator.load(testPluginWasm("sdk-probe", "envoy"), { config: {}, pluginName: "sdk-probe" });
    const r = await host.request({ path: "/log", headers: { "x-request-id": "rid-7", "x-probe-root-line": "1" } });
    expect(r.status).toBe(200);
    const lines = host.logLines();
    expect(lines).toContain("[sdk-probe] [nil] [rid-7] probe line from the response");
    expect(lines).toContain("[sdk-probe] [nil] [rid-7] probe line from a root scope");
    expect(host.traps).toEqual([]);
    host.close();
  });

  it("a snapshot of the request's headers gives the id with no read of its own; an id of invalid UTF-8 is logged, never a trap", async () => {
    const host = await Emulator.load(testPluginWasm("sdk-probe", "envoy"), { config: {}, pluginName: "sdk-probe" });
    const reads = async (headers: [string, string | Uint8Array][]) => {
      host.hostCalls.clear();
      expect((await host.request({ path: "/log", headers })).status).toBe(200);
      return { value: host.hostCalls.get("proxy_get_header_map_value") ?? 0, pairs: host.hostCalls.get("proxy_get_header_map_pairs") ?? 0 };
    };
    const plain = await reads([["x-request-id", "rid-plain"]]);
    const snap = await reads([["x-request-id", "rid-snap"], ["x-probe-snapshot", "1"]]);
    expect(snap).toEqual({ value: plain.value - 1, pairs: plain.pairs + 1 });
    expect(host.logLines()).toContain("[sdk-probe] [nil] [rid-snap] probe line from the response");
    const bad = Buffer.from([0x72, 0xff, 0xc3, 0x28, 0x64]);
    await reads([["x-request-id", bad]]);
    const read = host.logLines().at(-1);
    await reads([["x-request-id", bad], ["x-probe-snapshot", "1"]]);
    expect(host.logLines().at(-1)).toBe(read); // the same id either way
    expect(read).toMatch(/^\[sdk-probe\] \[nil\] \[r\uFFFD[^\]]*\] request\.size: present$/u);
    expect(host.traps).toEqual([]);
    host.close();
  });
});
