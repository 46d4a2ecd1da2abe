// The body pipeline in a real Envoy: streams that end on trailers (h2c both ways, HTTP/1 chunked
// trailers), body limits, and a stock Envoy filter config without allow_on_headers_stop_iteration.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import http2 from "node:http2";
import { connect } from "node:net";
import type { AddressInfo } from "node:net";
import { useEnvoy } from "../../harness/src/vitest.js";
import { testPluginWasm } from "../../harness/src/tools.js";
import { createServer, type Server } from "node:http";
import { H2EchoUpstream, h2Request, type H2Seen } from "../../harness/src/h2.js";
import { rawExchange, chunkedRequest } from "../../harness/src/raw-http.js";
import { http } from "../../harness/src/client.js";
import { bodyCases, probeRules, probeRoutes, bareRoutes, summary, problems, DROPPED_LINE, TAIL, type BodyCase } from "./cases.js";

interface Bare { port: number; server: http2.Http2Server; requests: H2Seen[] }

/** An h2c upstream that answers every request with headers and trailers only (no data frame). */
function bareUpstream(): Promise<Bare> {
  const server = http2.createServer();
  const requests: H2Seen[] = [];
  server.on("stream", (stream, headers) => {
    stream.on("error", () => {}); // a stream Envoy resets (see H2EchoUpstream)
    const body: Buffer[] = [];
    stream.on("data", (d: Buffer) => body.push(d));
    stream.on("end", () => {
      requests.push({ path: String(headers[":path"]), headers: {}, body: Buffer.concat(body).toString("latin1"), trailers: null });
      stream.respond({ ":status": 200, "content-type": "application/json" }, { waitForTrailers: true });
      stream.on("wantTrailers", () => stream.sendTrailers({ "x-upstream-trailer": "done" }));
      stream.end();
    });
  });
  return new Promise((res) => server.listen(0, "127.0.0.1", () => res({ port: (server.address() as AddressInfo).port, server, requests })));
}

/**
 * An HTTP/1.1 upstream that answers in two chunks and chunked trailers (the ai-data-masking test's
 * upstream): Envoy's cluster does not enable HTTP/1 trailers, so its codec drops them.
 */
function h1TrailerUpstream(): Promise<{ port: number; server: Server }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(200, { "content-type": "text/plain", trailer: "x-upstream-trailer" });
      res.write("first ");
      res.write("second");
      res.addTrailers({ "x-upstream-trailer": "done" });
      res.end();
    });
  });
  return new Promise((r) => server.listen(0, "127.0.0.1", () => r({ port: (server.address() as AddressInfo).port, server })));
}

const up = {
  server: undefined as H2EchoUpstream | undefined,
  bare: undefined as Bare | undefined,
  h1: undefined as { port: number; server: Server } | undefined,
};
beforeAll(async () => { up.server = await H2EchoUpstream.start(); up.bare = await bareUpstream(); up.h1 = await h1TrailerUpstream(); });
afterAll(async () => {
  await up.server?.stop();
  await new Promise<void>((r) => (up.bare ? up.bare.server.close(() => r()) : r()));
  await new Promise<void>((r) => (up.h1 ? up.h1.server.close(() => r()) : r()));
});

/** The upstream a row's route goes to. */
function upstreamOf(route: string): { requests: H2Seen[] } {
  return bareRoutes.includes(route) ? up.bare! : up.server!;
}

/**
 * One HTTP/1.1 exchange over a raw socket, the answer read to the close and its chunked body
 * parsed with its trailers (the harness's raw client drops trailers).
 */
function h1Exchange(port: number, request: Buffer): Promise<{ status: number; body: Buffer; trailers: Record<string, string> | null }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port });
    const got: Buffer[] = [];
    socket.on("connect", () => socket.write(request));
    socket.on("data", (d) => got.push(d));
    socket.on("error", reject);
    socket.on("close", () => {
      const raw = Buffer.concat(got);
      const end = raw.indexOf("\r\n\r\n");
      const head = raw.subarray(0, end).toString("latin1");
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);
      if (!/\r\ntransfer-encoding: chunked/i.test(head)) return resolve({ status, body: raw.subarray(end + 4), trailers: null });
      const body: Buffer[] = [];
      let pos = end + 4;
      for (;;) {
        const eol = raw.indexOf("\r\n", pos);
        const size = parseInt(raw.subarray(pos, eol).toString("latin1"), 16);
        pos = eol + 2;
        if (!(size > 0)) break;
        body.push(raw.subarray(pos, pos + size));
        pos += size + 2;
      }
      const lines = raw.subarray(pos).toString("latin1").split("\r\n").filter((l) => l.includes(":"));
      const trailers = lines.length ? Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(":")).trim().toLowerCase(), l.slice(l.indexOf(":") + 1).trim()])) : null;
      resolve({ status, body: Buffer.concat(body), trailers });
    });
  });
}

/** A plain HTTP/1.1 POST (Content-Length body) that asks the echo upstream for response trailers. */
function h1TrailerRequest(path: string, body: string): Buffer {
  return Buffer.from(`POST ${path} HTTP/1.1\r\nHost: probe.local\r\nTE: trailers\r\nx-want-trailers: 1\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`, "latin1");
}

/** The rows' plugin log lines: the SDK logs DROPPED_LINE exactly when the host refused bytes. */
async function expectDropLog(gw: { envoy: { log: string; settleLog(): Promise<void> } }, before: number, c: BodyCase): Promise<void> {
  await gw.envoy.settleLog();
  expect(DROPPED_LINE.test(gw.envoy.log.slice(before))).toBe(!!c.droppedAtTrailers);
}

describe("body-probe behind Envoy (h2c client, h2c upstream)", () => {
  const gw = useEnvoy(() => ({
    plugins: [{ name: "body-probe", wasm: testPluginWasm("body-probe"), config: { _rules_: probeRules } }],
    routes: [
      ...probeRoutes.map((r) => ({ name: r, path: `/${r}`, cluster: bareRoutes.includes(r) ? "bare" : "up" })),
      { name: "tp", domains: ["h1-upstream"], prefix: "/", cluster: "h1" },
    ],
    clusters: [{ name: "up", port: up.server!.port, http2: true }, { name: "bare", port: up.bare!.port, http2: true }, { name: "h1", port: up.h1!.port }],
    http1Trailers: true,
  }));

  it.each(bodyCases)("h2c: $name", async (c) => {
    const u = upstreamOf(c.route);
    const before = u.requests.length;
    await gw.envoy.settleLog();
    const logAt = gw.envoy.log.length;
    const r = await h2Request(gw.url, `/${c.route}`, {
      chunks: c.chunks,
      trailers: c.trailers,
      headers: c.responseTrailers ? { "x-want-trailers": "1" } : {},
    });
    const seen = u.requests.length > before ? u.requests[u.requests.length - 1] : null;
    expect(problems(c, { status: r.status, upstream: seen, client: { body: r.body, trailers: r.trailers } })).toEqual([]);
    if (c.responseTrailers) expect(r.trailers).toMatchObject({ "x-upstream-trailer": "done" });
    await expectDropLog(gw, logAt, c);
  });

  // HTTP/1.1 chunked requests with trailers (the listener enables them), with and without data.
  const h1 = bodyCases.filter((c) => c.trailers && !c.responseTrailers && (c.chunks.length > 0 || c.route === "tq"));
  it.each(h1)("HTTP/1 chunked trailers: $name", async (c) => {
    const before = up.server!.requests.length;
    await gw.envoy.settleLog();
    const logAt = gw.envoy.log.length;
    const r = await rawExchange("127.0.0.1", gw.envoy.port, chunkedRequest(`/${c.route}`, "probe.local", c.chunks, c.trailers!));
    const seen = up.server!.requests.length > before ? up.server!.last! : null;
    // The client's body arrives chunk-framed over HTTP/1: only the upstream side is compared.
    expect(problems({ ...c, clientSummary: false, clientMarker: false }, { status: r.status, upstream: seen, client: { body: Buffer.alloc(0), trailers: null } })).toEqual([]);
    await expectDropLog(gw, logAt, c);
  });

  // Response trailers from the h2c upstream reach an HTTP/1.1 client as chunked trailers.
  const h1Response = bodyCases.filter((c) => c.responseTrailers && !c.trailers);
  it.each(h1Response)("HTTP/1 client, chunked response trailers: $name", async (c) => {
    await gw.envoy.settleLog();
    const logAt = gw.envoy.log.length;
    const r = await h1Exchange(gw.envoy.port, h1TrailerRequest(`/${c.route}`, c.chunks.join("")));
    // Only the client side is compared (the h2c rows check what the upstream got).
    const clientOnly = { ...c, upstreamBody: undefined, upstreamHeaders: undefined, upstreamTrailers: undefined };
    expect(problems(clientOnly, { status: r.status, upstream: { body: "", headers: {}, trailers: {} }, client: { body: r.body, trailers: r.trailers } })).toEqual([]);
    expect(r.trailers).toMatchObject({ "x-upstream-trailer": "done" });
    await expectDropLog(gw, logAt, c);
  });

  // Not a table row: the emulator has no wire protocols. An HTTP/1 upstream's chunked trailers
  // need enable_trailers on the cluster; without it Envoy drops them and the answer ends on its
  // last data frame, so the streaming hook's last call is a data call and what it adds goes out.
  it("HTTP/1 upstream with chunked trailers (not enabled on the cluster): the answer ends on data", async () => {
    await gw.envoy.settleLog();
    const logAt = gw.envoy.log.length;
    const r = await h2Request(gw.url, "/tp", { chunks: ["q"], headers: { ":authority": "h1-upstream" } });
    expect(r.status).toBe(200);
    expect(r.body.toString("latin1")).toBe(`first second|seen=12|last${TAIL}`);
    expect(r.trailers?.["x-upstream-trailer"]).toBeUndefined();
    expect(r.trailers?.["x-probe-seen"]).toBeUndefined();
    await gw.envoy.settleLog();
    expect(DROPPED_LINE.test(gw.envoy.log.slice(logAt))).toBe(false);
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
