// HTTP callouts from the sdk-probe plugin in a real Envoy: the request pauses, the callout's
// answer comes back to the same request, which then resumes and carries the result upstream.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { RecordingUpstream, http } from "../../harness/src/index.js";
import { testPluginWasm } from "../../harness/src/tools.js";
import { useEnvoy } from "../../harness/src/vitest.js";

const up = { server: undefined as RecordingUpstream | undefined };
beforeAll(async () => {
  up.server = await RecordingUpstream.start();
});
afterAll(async () => up.server?.stop());

const gw = useEnvoy(() => ({
  plugins: [{ name: "sdk-probe", wasm: testPluginWasm("sdk-probe"), config: { upstream_cluster: "callee" } }],
  routes: [{ name: "main", prefix: "/", cluster: "up" }],
  clusters: [
    { name: "up", port: up.server!.port },
    { name: "callee", port: up.server!.port },
    // Nothing listens on port 1: connections are refused.
    { name: "dead", port: 1 },
  ],
}));

/** The request the upstream finally received, as it echoed it. */
function echoed(body: string): { path: string; headers: Record<string, string> } {
  return JSON.parse(body);
}

describe("HTTP callouts in Envoy", () => {
  it("drops the caller's own :path, :method and :authority (any case) for the call's", async () => {
    const r = await http(gw.url + "/callout/smuggle", { headers: [["x-request-id", "rid-sm"], ["x-probe-callout-path", "/hello?s=1"], ["x-probe-callout-smuggle", "1"]] });
    expect(r.status).toBe(200);
    const e = echoed(r.body);
    expect(e.headers["x-callout-status"]).toBe("200");
    expect(e.headers["x-callout-echo-path"]).toBe("/hello?s=1");
    expect(e.headers["x-callout-echo-method"]).toBe("GET");
    const callout = up.server!.requests.find((q) => q.path === "/hello?s=1");
    expect(callout?.headers.host).toBe("callout.local");
    expect(up.server!.requests.some((q) => q.path === "/smuggled")).toBe(false);
  });

  it("delivers status, headers and body, then resumes the request", async () => {
    const r = await http(gw.url + "/callout/ok", { headers: [["x-request-id", "rid-ok"], ["x-probe-callout-path", "/hello?x=1"]] });
    expect(r.status).toBe(200);
    const e = echoed(r.body);
    expect(e.path).toBe("/callout/ok");
    expect(e.headers["x-callout-status"]).toBe("200");
    expect(e.headers["x-callout-reason"]).toBe("");
    expect(e.headers["x-callout-upstream-header"]).toBe("recording");
    expect(e.headers["x-callout-echo-path"]).toBe("/hello?x=1");
    expect(e.headers["x-callout-echo-caller"]).toBe("rid-ok");
    expect(e.headers["x-callout-echo-method"]).toBe("GET");
    expect(Number(e.headers["x-callout-body-bytes"])).toBeGreaterThan(20);
    // The callee really got the callout with Higress-style pseudo headers.
    const callout = up.server!.requests.find((q) => q.path === "/hello?x=1");
    expect(callout?.headers.host).toBe("callout.local");
    expect(callout?.headers["x-probe-caller"]).toBe("rid-ok");
  });

  it("sends a body with POST and a full URL's authority", async () => {
    const r = await http(gw.url + "/callout/post", {
      headers: [["x-probe-callout-method", "POST"], ["x-probe-callout-path", "http://other.example/submit"], ["x-probe-callout-body", "payload-123"]],
    });
    const e = echoed(r.body);
    expect(e.headers["x-callout-echo-method"]).toBe("POST");
    expect(e.headers["x-callout-echo-body"]).toBe("payload-123");
    expect(e.headers["x-callout-echo-path"]).toBe("/submit");
    expect(up.server!.requests.find((q) => q.path === "/submit")?.headers.host).toBe("other.example");
  });

  it("delivers each answer to the request that asked (20 concurrent requests)", async () => {
    const ids = Array.from({ length: 20 }, (_, i) => `c${i}`);
    const results = await Promise.all(
      ids.map((id, i) => http(gw.url + `/callout/${id}`, { headers: [["x-request-id", id], ["x-probe-callout-path", `/delay/${(i % 5) * 20}?id=${id}`]] })),
    );
    results.forEach((r, i) => {
      expect(r.status).toBe(200);
      const e = echoed(r.body);
      expect(e.path).toBe(`/callout/${ids[i]}`);
      expect(e.headers["x-callout-echo-path"]).toBe(`/delay/${(i % 5) * 20}?id=${ids[i]}`);
      expect(e.headers["x-callout-echo-caller"]).toBe(ids[i]);
    });
  });

  it("RouteCluster calls the current route's own cluster", async () => {
    const r = await http(gw.url + "/callout/route", { headers: [["x-probe-callout-cluster", "@route"], ["x-probe-callout-path", "/via-route"]] });
    const e = echoed(r.body);
    expect(e.headers["x-callout-status"]).toBe("200");
    expect(e.headers["x-callout-echo-path"]).toBe("/via-route");
  });

  it("delivers a 4xx answer as a status, not an error", async () => {
    const r = await http(gw.url + "/callout/404", { headers: [["x-probe-callout-path", "/status/404"]] });
    expect(r.status).toBe(200);
    const e = echoed(r.body);
    expect(e.headers["x-callout-status"]).toBe("404");
    expect(e.headers["x-callout-echo-path"]).toBe("/status/404");
  });

  // Envoy's async client answers a timeout itself with a 504 ("upstream request timeout"), so
  // the handler sees :status 504 — not the missing :status (→ 502) that a reset produces.
  it("delivers a timeout as Envoy's 504, and the request is not left hanging", async () => {
    const r = await http(gw.url + "/callout/slow", { headers: [["x-probe-callout-path", "/delay/3000"], ["x-probe-callout-timeout", "100"]] });
    expect(r.status).toBe(200);
    const e = echoed(r.body);
    expect(e.path).toBe("/callout/slow");
    expect(e.headers["x-callout-status"]).toBe("504");
    expect(e.headers["x-callout-upstream-header"]).toBe("");
  });

  it("delivers a connection failure as Envoy's 503", async () => {
    const r = await http(gw.url + "/callout/dead", { headers: [["x-probe-callout-cluster", "dead"]] });
    expect(r.status).toBe(200);
    const e = echoed(r.body);
    expect(e.headers["x-callout-status"]).toBe("503");
    expect(e.headers["x-callout-upstream-header"]).toBe("");
  });

  it("refuses an unknown cluster at once with a clear error", async () => {
    const before = up.server!.requests.length;
    const r = await http(gw.url + "/callout/nowhere", { headers: [["x-probe-callout-cluster", "no-such-cluster"]] });
    expect(r.status).toBe(503);
    expect(r.headers["x-callout-error"]).toBe("BadArgument");
    expect(r.body).toContain("no-such-cluster");
    expect(r.body).toContain("BadArgument");
    expect(up.server!.requests.length).toBe(before);
  });

  it("sends a map of 1,024 headers, the host's limit (its own three included), and refuses one more before sending", async () => {
    const before = up.server!.requests.length;
    // x-probe-caller + 1,020 pads + :method, :path, :authority = 1,024 pairs.
    const ok = await http(gw.url + "/callout/pad", { headers: [["x-probe-callout-pad", "1020"], ["x-probe-callout-path", "/padded"]] });
    expect(ok.status).toBe(200);
    expect(echoed(ok.body).headers["x-callout-status"]).toBe("200");
    const seen = up.server!.requests.find((r) => r.path === "/padded");
    expect(seen?.headers["x-pad-0"]).toBe("v");
    expect(seen?.headers["x-pad-1019"]).toBe("v");
    const count = up.server!.requests.length;
    const over = await http(gw.url + "/callout/pad", { headers: [["x-probe-callout-pad", "1021"], ["x-probe-callout-path", "/padded-over"]] });
    expect(over.status).toBe(503);
    expect(over.headers["x-callout-error"]).toBe("BadArgument");
    expect(up.server!.requests.length).toBe(count);
    expect(before).toBeLessThan(count);
  });

  it("never trapped", async () => {
    await gw.envoy.settleLog();
    expect(gw.envoy.log).not.toMatch(/sluice: abort|wasm_fail_stream|Function: proxy_on_.* failed/);
  });
});
