// The body pipeline's case table on the emulator, both targets (same rows as envoy.test.ts).
import { describe, it, expect } from "vitest";
import { testPluginWasm } from "../../harness/src/tools.js";
import { Emulator } from "../../harness/src/emulator/index.js";
import type { Sent } from "../../harness/src/emulator/stream.js";
import { bodyCases, probeRules, probeRoutes, bareRoutes, problems, DROPPED_LINE } from "./cases.js";

const routes = probeRoutes.map((r) => ({ name: r, path: `/${r}`, cluster: "up" }));

/**
 * What the h2c upstreams of the Envoy test answer: a JSON echo of the request (in three data
 * frames and trailers on demand), or on bare routes only headers and trailers.
 */
function echo(sent: Sent) {
  const headers = Object.fromEntries(sent.headers ?? []);
  const trailers = sent.trailers ? Object.fromEntries(sent.trailers) : null;
  const body = JSON.stringify({ path: headers[":path"], headers, body: sent.body.toString("latin1"), trailers });
  const third = Math.max(1, Math.floor(body.length / 3));
  const withTrailers = headers["x-want-trailers"] !== undefined;
  if (bareRoutes.some((r) => headers[":path"]?.startsWith(`/${r}`))) {
    return { status: 200, headers: [["content-type", "application/json"]] as [string, string][], chunks: [], trailers: [["x-upstream-trailer", "done"]] as [string, string][] };
  }
  return withTrailers
    ? { status: 200, headers: [["content-type", "application/json"]] as [string, string][], chunks: [body.slice(0, third), body.slice(third, 2 * third), body.slice(2 * third)], trailers: [["x-upstream-trailer", "done"]] as [string, string][] }
    : { status: 200, headers: [["content-type", "application/json"]] as [string, string][], body };
}

for (const target of ["envoy", "higress"] as const) {
  describe(`body-probe on the emulator (${target})`, () => {
    it.each(bodyCases)("$name", async (c) => {
      const host = await Emulator.load(testPluginWasm("body-probe", target), { target, config: { _rules_: probeRules }, routes, pluginName: "body-probe" });
      const r = await host.request({
        method: "POST",
        path: `/${c.route}`,
        headers: c.responseTrailers ? [["x-want-trailers", "1"]] : [],
        chunks: c.chunks,
        trailers: c.trailers ? Object.entries(c.trailers) : undefined,
        response: echo,
      });
      const up = r.upstream && r.upstream.headers
        ? { body: r.upstream.body.toString("latin1"), headers: Object.fromEntries(r.upstream.headers), trailers: r.upstream.trailers ? Object.fromEntries(r.upstream.trailers) : null }
        : null;
      const trailers = r.stream.downstream.trailers;
      const client = { body: r.bodyBytes, trailers: trailers ? Object.fromEntries(trailers) : null };
      expect(problems(c, { status: r.status, upstream: up, client })).toEqual([]);
      if (c.responseTrailers) expect(client.trailers).toMatchObject({ "x-upstream-trailer": "done" });
      expect(host.logLines().some((l) => DROPPED_LINE.test(l))).toBe(!!c.droppedAtTrailers);
      expect(host.traps).toEqual([]);
    });
  });
}

describe("a stock Envoy filter config on the emulator (allow_on_headers_stop_iteration unset)", () => {
  it("a request paused for its body gets 500 naming the setting once the wait expires", async () => {
    const host = await Emulator.load(testPluginWasm("body-probe", "envoy"), {
      target: "envoy", allowOnHeadersStopIteration: false, pluginName: "body-probe",
      config: { request: "buffer", pause_headers: true, body_wait_ms: 300 },
    });
    const s = host.stream();
    s.sendRequestHeaders({ ":authority": "a", ":path": "/x", ":method": "POST" }, false);
    s.sendRequestBody("hello", true);
    expect(s.localResponse).toBeNull();
    host.advance(1000);
    expect(s.localResponse?.status).toBe(500);
    expect(s.localResponse?.body.toString()).toContain("allow_on_headers_stop_iteration");
    expect(s.upstream.headers).toBeNull();
    expect(host.logLines().filter((l) => l.includes("allow_on_headers_stop_iteration")).length).toBe(1);
    s.complete();
  });

  it("with the setting (the default) the body arrives and nothing fires later", async () => {
    const host = await Emulator.load(testPluginWasm("body-probe", "envoy"), {
      target: "envoy", pluginName: "body-probe", config: { request: "buffer", pause_headers: true, body_wait_ms: 300 },
    });
    const s = host.stream();
    s.sendRequestHeaders({ ":authority": "a", ":path": "/x", ":method": "POST" }, false);
    s.sendRequestBody("hello", true);
    host.advance(1000);
    expect(s.localResponse).toBeNull();
    expect(s.upstream.complete).toBe(true);
    s.complete();
  });
});
