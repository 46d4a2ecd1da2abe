// The body pipeline in a real Envoy: streams that end on trailers (h2c both ways, HTTP/1 chunked
// trailers), body limits, and a stock Envoy filter config without allow_on_headers_stop_iteration.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { useEnvoy } from "../../harness/src/vitest.js";
import { testPluginWasm } from "../../harness/src/tools.js";
import { H2EchoUpstream, h2Request } from "../../harness/src/h2.js";
import { rawExchange, chunkedRequest } from "../../harness/src/raw-http.js";
import { http } from "../../harness/src/client.js";
import { bodyCases, probeRules, probeRoutes, summary, problems } from "./cases.js";

const up = { server: undefined as H2EchoUpstream | undefined };
beforeAll(async () => { up.server = await H2EchoUpstream.start(); });
afterAll(async () => up.server?.stop());

describe("body-probe behind Envoy (h2c client, h2c upstream)", () => {
  const gw = useEnvoy(() => ({
    plugins: [{ name: "body-probe", wasm: testPluginWasm("body-probe"), config: { _rules_: probeRules } }],
    routes: probeRoutes.map((r) => ({ name: r, prefix: `/${r}`, cluster: "up" })),
    clusters: [{ name: "up", port: up.server!.port, http2: true }],
    http1Trailers: true,
  }));

  it.each(bodyCases)("h2c: $name", async (c) => {
    const before = up.server!.requests.length;
    const r = await h2Request(gw.url, `/${c.route}`, {
      chunks: c.chunks,
      trailers: c.trailers,
      headers: c.responseTrailers ? { "x-want-trailers": "1" } : {},
    });
    const seen = up.server!.requests.length > before ? up.server!.last! : null;
    expect(problems(c, { status: r.status, upstream: seen, client: { body: r.body, trailers: r.trailers } })).toEqual([]);
    if (c.responseTrailers) expect(r.trailers).toMatchObject({ "x-upstream-trailer": "done" });
  });

  // HTTP/1.1 chunked requests with trailers (the listener enables them).
  const h1 = bodyCases.filter((c) => c.trailers && !c.responseTrailers && c.chunks.length > 0);
  it.each(h1)("HTTP/1 chunked trailers: $name", async (c) => {
    const before = up.server!.requests.length;
    const r = await rawExchange("127.0.0.1", gw.envoy.port, chunkedRequest(`/${c.route}`, "probe.local", c.chunks, c.trailers!));
    const seen = up.server!.requests.length > before ? up.server!.last! : null;
    // The client's body arrives chunk-framed over HTTP/1: only the upstream side is compared.
    expect(problems({ ...c, clientSummary: false, clientMarker: false }, { status: r.status, upstream: seen, client: { body: Buffer.alloc(0), trailers: null } })).toEqual([]);
  });

  it("after every case above, an ordinary request gets 200", async () => {
    const r = await h2Request(gw.url, "/rb", { chunks: ["ok"] });
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body.toString()).body).toBe(summary("ok"));
    await gw.envoy.settleLog();
    expect(gw.envoy.log).not.toMatch(/failed:|unreachable/);
  });
});

describe("a stock Envoy filter config (allow_on_headers_stop_iteration unset)", () => {
  const gw = useEnvoy(() => ({
    plugins: [{
      name: "body-probe", wasm: testPluginWasm("body-probe"), allowOnHeadersStopIteration: false,
      config: { request: "buffer", pause_headers: true, body_wait_ms: 300 },
    }],
    routes: [{ name: "all", prefix: "/", cluster: "up" }],
    clusters: [{ name: "up", port: up.server!.port, http2: true }],
  }));

  it("a request paused for its body is answered 500 naming the setting, not left hanging", async () => {
    const r = await http(gw.url + "/x", { method: "POST", body: "hello" });
    expect(r.status).toBe(500);
    expect(r.body).toContain("allow_on_headers_stop_iteration");
    expect(up.server!.requests.some((q) => q.path === "/x")).toBe(false);
  });

  it("one explanatory log line names the setting", async () => {
    await http(gw.url + "/y", { method: "POST", body: "again" });
    await gw.envoy.settleLog();
    const lines = gw.envoy.log.split("\n").filter((l) => l.includes("allow_on_headers_stop_iteration: true' in its config"));
    expect(lines.length).toBe(1);
  });

  it("a request without a body is not affected", async () => {
    const r = await http(gw.url + "/nobody");
    expect(r.status).toBe(200);
  });
});
