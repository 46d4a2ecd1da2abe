// One runner for a plugin's case table (its test/cases.ts). Every row runs on a real Envoy and on
// the emulator for both targets, all in front of the same recording upstream; the row's own
// expectations are asserted on each, and the emulator must show exactly what Envoy showed
// (status, body, the request the upstream saw, the plugin's log lines for the request): where
// they differ, the emulator is wrong. Bad configurations must stop Envoy and fail the emulator's
// load with the same message, on both targets.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { Envoy } from "./envoy.js";
import { RecordingUpstream, type RecordedRequest, type UpstreamAnswer } from "./upstream.js";
import { http, type HttpResult } from "./client.js";
import { rawHttp } from "./raw-http.js";
import { tlsRequest } from "./tls-client.js";
import { pluginWasm, testPluginWasm, repoRoot } from "./tools.js";
import { useEnvoy } from "./vitest.js";
import { Emulator } from "./emulator/index.js";
import { RedisServer } from "./redis.js";
import type { RouteSpec } from "./bootstrap.js";
import { mkdtempSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export type Target = "envoy" | "higress";
const TARGETS: Target[] = ["envoy", "higress"];

export interface RowRequest {
  method?: string;
  /** Sent byte for byte (no URL normalisation: `/./a` stays `/./a`). */
  path: string;
  /** The Host header (default: Envoy's listener address). */
  host?: string;
  /** A Buffer value goes on the wire byte for byte (Node's client would refuse it). */
  headers?: [string, string | Buffer][];
  body?: string;
  /** Send the body in this many chunks (chunked transfer encoding). */
  chunks?: number;
  /** What the upstream answers (default: a JSON echo of the request), e.g. an LLM reply with usage. */
  answer?: UpstreamAnswer;
  /**
   * Over the group's TLS listener (`downstreamTls`): the SNI sent in the handshake ("" for none)
   * and whether the request is HTTP/2 (else HTTP/1.1). Default in a TLS group: no SNI, HTTP/1.1.
   */
  tls?: { sni: string; http2?: boolean };
}

export interface RowExpect {
  status: number;
  /** Exact response body (local responses). */
  body?: string;
  /** Response headers (null: must be absent). */
  headers?: Record<string, string | null>;
  /** Whether the request must reach the upstream (default: not checked). */
  reachesUpstream?: boolean;
  /** The path the upstream must have seen (default: the request's path, unchanged). */
  upstreamPath?: string;
  /** Headers the upstream must have seen (null: absent; a value: present once, under no '_'/case alias). */
  upstream?: Record<string, string | null>;
  /** The body the upstream must have received (true: the request's body, unchanged). */
  upstreamBody?: string | true;
  /** Substrings of the plugin's log lines for this request. */
  logs?: string[];
  /** Strings that must appear in no log line for this request (secrets). */
  notLogged?: string[];
  /** Anything else, on each host's observation. */
  check?: (o: Observed) => void | Promise<void>;
}

export interface Row {
  name: string;
  /** A function is called once per row, at run time (a fresh Date header), and sent to every host. */
  request: RowRequest | (() => RowRequest);
  expect: RowExpect;
}

/** One configuration of the plugin and the rows run against it (one Envoy, one emulator per target). */
export interface Group {
  name: string;
  config: unknown;
  /**
   * Routes before the catch-all "default" route (to "up"): a name is a route with prefix /<name>
   * to "up"; a RouteSpec names its own cluster (e.g. one of the table's `servers`) and domains.
   */
  routes?: (string | RouteSpec)[];
  useRemoteAddress?: boolean;
  /** Envoy's listener speaks TLS (the harness's test certificate, ALPN h2 and http/1.1); rows say their SNI and protocol. */
  downstreamTls?: boolean;
  /** Envoy's worker threads (default 1): with more, requests land on several VMs. */
  workers?: number;
  /**
   * A Redis cluster name (e.g. "outbound|6379||redis.static"): each host gets a Redis of its own
   * under it (Envoy and the envoy build through webdis, the higress build natively), so counters
   * kept there start equal on all three; a row's check finds it as `o.redis`.
   */
  redisCluster?: string;
  /**
   * Filter-state properties the plugin writes per request (e.g. "ai_log"): Envoy's are read from
   * its access log (%FILTER_STATE(wasm.<name>:PLAIN)%), the emulator's from the stream; a row's
   * check finds them as `o.properties`. Not part of the differential check (they may hold latencies).
   */
  properties?: string[];
  /**
   * What legitimately differs between hosts and is left out of the differential check (the row's
   * own expectations still see it): body substrings (generated ids, timestamps) and upstream
   * headers (request signatures over a timestamp), log line substrings (a service's request id quoted
   * in an error line).
   */
  volatile?: { body?: RegExp[]; upstreamHeaders?: string[]; logs?: RegExp[] };
  /** Expectations added to every row that is refused (status ≥ 400), e.g. a challenge header. */
  refused?: Pick<RowExpect, "headers">;
  rows: Row[];
}

export interface BadConfig {
  name: string;
  config: unknown;
  /** A substring of the refusal Envoy logs and the emulator's load error carries. */
  message: string;
}

export interface PluginTable {
  plugin: string;
  /** plugins/<plugin> (default) or test/plugins/<plugin>. */
  testPlugin?: boolean;
  groups: Group[];
  badConfigs?: BadConfig[];
  /** Headers the recording upstream adds to every answer. */
  upstreamHeaders?: Record<string, string>;
  /**
   * Servers the runner starts once for the table and offers as clusters of these names to Envoy
   * and the emulator (e.g. provider mocks that check requests as the real API does). Requests
   * they record are found by their x-diff-id header, like the recording upstream's.
   */
  servers?: Record<string, () => Promise<HostedServer>>;
}

/** A server a table's rows reach through a cluster, recording what it received. */
export interface HostedServer {
  port: number;
  readonly requests: RecordedRequest[];
  stop(): Promise<void>;
}

/** What a client and the upstream could observe of one request. */
export interface Observed {
  status: number;
  /** The response body, or for an echo from the upstream, the request it echoed (method, path, body). */
  body: string;
  headers: Record<string, string>;
  upstream: { method: string; path: string; body: string; headers: Record<string, string> } | null;
  logs: string[];
  /** The host's own Redis (groups with `redisCluster`). */
  redis?: RedisServer;
  /** The group's `properties` as the plugin left them (raw bytes as text; null: not set). */
  properties: Record<string, string | null>;
  /** A counter or gauge of the host (cumulative over the group's rows, run in the same order on each host). */
  metric: (name: string) => Promise<number | undefined>;
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
// Headers whose value legitimately differs per run or per transport.
const VOLATILE = new Set(["x-diff-id", "x-request-id", "x-envoy-expected-rq-timeout-ms", "content-length", "transfer-encoding", "connection"]);
const flat = (v: unknown, sep = ", ") => (Array.isArray(v) ? v.join(sep) : String(v));
const normalize = (s: string, rid: string) => s.split(rid).join("RID").replace(UUID, "RID");

function upstreamView(rec: RecordedRequest | undefined, rid: string): Observed["upstream"] {
  if (!rec) return null;
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(rec.headers)) {
    if (VOLATILE.has(k)) continue;
    headers[k] = normalize(flat(v), rid);
    // The port of the authority is Envoy's on one side, the emulator's idea of it on the other.
    if (k === "host") headers[k] = headers[k].replace(/:\d+$/, ":PORT");
  }
  return { method: rec.method, path: rec.path, body: rec.body, headers };
}

function bodyView(status: number, body: string, fromUpstream: boolean): string {
  if (!fromUpstream || body === "") return body; // a HEAD answer has no body
  const echo = JSON.parse(body) as RecordedRequest;
  return JSON.stringify({ status, method: echo.method, path: echo.path, body: echo.body });
}

const routesOf = (g: Group): RouteSpec[] => [...(g.routes ?? []).map((r) => (typeof r === "string" ? { name: r, prefix: `/${r}`, cluster: "up" } : r)), { name: "default", prefix: "/", cluster: "up" }];

/** An observation with what the group declares volatile masked, for the differential check. */
function masked(o: Observed, g: Group): { body: string; upstream: Observed["upstream"]; logs: string[] } {
  const mask = (s: string, res: RegExp[] = []) => res.reduce((t, re) => t.replace(re, "VOLATILE"), s);
  const body = mask(o.body, g.volatile?.body);
  const logs = o.logs.map((l) => mask(l, g.volatile?.logs));
  if (!o.upstream) return { body, upstream: null, logs };
  const headers = { ...o.upstream.headers };
  for (const h of g.volatile?.upstreamHeaders ?? []) if (headers[h] !== undefined) headers[h] = "VOLATILE";
  return { body, upstream: { ...o.upstream, headers }, logs };
}

/** The row's own expectations, on one host's observation. */
async function assertRow(where: string, o: Observed, row: Row, q: RowRequest, g: Group): Promise<void> {
  const e = row.expect;
  expect(o.status, `${where}: status`).toBe(e.status);
  if (e.body !== undefined) expect(o.body, `${where}: body`).toBe(e.body);
  const headers = { ...(e.status >= 400 ? g.refused?.headers : {}), ...e.headers };
  for (const [k, v] of Object.entries(headers)) expect(o.headers[k] ?? null, `${where}: response header ${k}`).toBe(v);
  if (e.reachesUpstream !== undefined) expect(o.upstream !== null, `${where}: reached the upstream`).toBe(e.reachesUpstream);
  if (o.upstream) expect(o.upstream.path, `${where}: the upstream's path`).toBe(e.upstreamPath ?? q.path);
  if (e.upstreamBody !== undefined) expect(o.upstream?.body, `${where}: the upstream's body`).toBe(e.upstreamBody === true ? (q.body ?? "") : e.upstreamBody);
  for (const [k, v] of Object.entries(e.upstream ?? {})) {
    expect(o.upstream, `${where}: the request reached the upstream`).not.toBeNull();
    expect(o.upstream!.headers[k] ?? null, `${where}: upstream header ${k}`).toBe(v);
    // An upstream that folds '_' into '-' (or ignores case) must find no second value.
    if (v !== null) expect(Object.keys(o.upstream!.headers).filter((h) => h.toLowerCase().replace(/_/g, "-") === k), `${where}: aliases of ${k}`).toEqual([k]);
  }
  const logs = o.logs.join("\n");
  for (const l of e.logs ?? []) expect(logs, `${where}: log`).toContain(l);
  for (const s of e.notLogged ?? []) expect(logs, `${where}: log`).not.toContain(s);
  await e.check?.(o);
}

function responseHeaders(h: Record<string, string | string[] | undefined> | [string, string][]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Array.isArray(h) ? h : Object.entries(h)) if (v !== undefined) out[k.toLowerCase()] = out[k.toLowerCase()] === undefined ? flat(v, ",") : `${out[k.toLowerCase()]},${flat(v, ",")}`;
  return out;
}

let seq = 0;

/** Declares the table's tests (call it at the top level of the plugin's test/table.test.ts). */
export function runPluginTable(t: PluginTable): void {
  const wasmOf = (target: Target) => (t.testPlugin ? testPluginWasm(t.plugin, target) : pluginWasm(t.plugin, target));
  const upstream = { server: undefined as RecordingUpstream | undefined };
  const servers: Record<string, HostedServer> = {};
  beforeAll(async () => {
    upstream.server = await RecordingUpstream.start(t.upstreamHeaders);
    for (const [name, start] of Object.entries(t.servers ?? {})) servers[name] = await start();
  });
  afterAll(async () => {
    await upstream.server?.stop();
    for (const s of Object.values(servers)) await s.stop();
  });
  const find = (rid: string) =>
    [upstream.server!, ...Object.values(servers)].map((s) => s.requests.find((q) => q.headers["x-diff-id"] === rid)).find((q) => q !== undefined);

  for (const g of t.groups) {
    describe(`${t.plugin}: ${g.name}`, () => {
      // One Redis per host: Envoy, the emulator's envoy build, its higress build.
      const redis: RedisServer[] = [];
      if (g.redisCluster) {
        beforeAll(async () => {
          for (let i = 0; i < 3; i++) redis.push(await RedisServer.start());
        });
        afterAll(async () => {
          for (const r of redis) await r.stop();
        });
      }
      const props = g.properties ?? [];
      const accessLog = props.length ? join(mkdtempSync(join(tmpdir(), "sluice-table-")), "access.log") : undefined;
      const gw = useEnvoy(() => ({
        accessLog: accessLog ? { path: accessLog, format: ["%REQ(X-DIFF-ID)%", ...props.map((p) => `%FILTER_STATE(wasm.${p}:PLAIN)%`)].join("\t") } : undefined,
        plugins: [{ name: t.plugin, wasm: wasmOf("envoy"), config: g.config }],
        routes: routesOf(g),
        clusters: [{ name: "up", port: upstream.server!.port }, ...Object.entries(servers).map(([name, s]) => ({ name, port: s.port })), ...(g.redisCluster ? [{ name: g.redisCluster, port: redis[0].webdisPort }] : [])],
        useRemoteAddress: g.useRemoteAddress,
        downstreamTls: g.downstreamTls ? { certChain: join(repoRoot, "harness", "fixtures", "tls", "server.crt"), privateKey: join(repoRoot, "harness", "fixtures", "tls", "server.key") } : undefined,
      }), { concurrency: g.workers });
      const tlsOf = (q: RowRequest) => q.tls ?? (g.downstreamTls ? { sni: "" } : undefined);
      const hosts: Partial<Record<Target, Emulator>> = {};
      beforeAll(async () => {
        for (const target of TARGETS) {
          const r = redis[TARGETS.indexOf(target) + 1];
          hosts[target] = await Emulator.load(wasmOf(target), {
            target,
            config: g.config,
            pluginName: t.plugin,
            routes: routesOf(g),
            clusters: {
              up: `http://127.0.0.1:${upstream.server!.port}`,
              ...Object.fromEntries(Object.entries(servers).map(([name, s]) => [name, `http://127.0.0.1:${s.port}`])),
              ...(g.redisCluster ? { [g.redisCluster]: target === "higress" ? `redis://127.0.0.1:${r.redisPort}` : r.webdisUrl } : {}),
            },
            useRemoteAddress: g.useRemoteAddress,
          });
        }
      });
      afterAll(() => {
        for (const h of Object.values(hosts)) h?.close();
      });
      const envoyLines = () => gw.envoy.wasmLog().map((l) => l.replace(/^.*?wasm log[^:]*: /, ""));

      // The access log line is written when the stream ends, after the response: a bounded poll.
      async function envoyProperties(rid: string): Promise<Record<string, string | null>> {
        const out: Record<string, string | null> = {};
        if (!accessLog) return out;
        for (let i = 0; i < 200; i++) {
          const line = existsSync(accessLog) ? readFileSync(accessLog, "utf8").split("\n").find((l) => l.startsWith(rid + "\t")) : undefined;
          if (line !== undefined) {
            const fields = line.split("\t").slice(1);
            props.forEach((p, j) => (out[p] = fields[j] === "-" || fields[j] === undefined ? null : fields[j]));
            return out;
          }
          await new Promise((r) => setTimeout(r, 50));
        }
        throw new Error(`no access log line for ${rid}`);
      }
      async function envoyMetric(name: string): Promise<number | undefined> {
        await gw.envoy.settleLog(); // every stream finished: its on_log has counted
        const esc = name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
        const m = new RegExp(`(?:^|\\.)${esc}: (\\d+)$`, "m").exec(await gw.envoy.stats(esc));
        return m ? Number(m[1]) : undefined;
      }

      async function onEnvoy(row: Row, q: RowRequest): Promise<Observed> {
        const rid = `diff-${String(++seq).padStart(5, "0")}-env`;
        if (q.answer) upstream.server!.answers.set(rid, q.answer);
        const headers: [string, string | Buffer][] = [["x-request-id", rid], ["x-diff-id", rid], ...(q.headers ?? [])];
        if (q.host) headers.push(["host", q.host]);
        const before = envoyLines().length;
        let r: HttpResult;
        const tls = tlsOf(q);
        if (tls) {
          if (!g.downstreamTls) throw new Error(`${row.name}: a TLS row needs a group with downstreamTls`);
          if (headers.some(([, v]) => typeof v !== "string") || (q.chunks ?? 1) > 1) throw new Error(`${row.name}: raw header bytes and chunked bodies are not supported over TLS`);
          r = await tlsRequest({ port: gw.envoy.port, sni: tls.sni, http2: tls.http2 ?? false, method: q.method, path: q.path, authority: q.host ?? `127.0.0.1:${gw.envoy.port}`, headers: headers.filter(([k]) => k !== "host") as [string, string][], body: q.body });
        } else if ((q.chunks ?? 1) > 1) {
          if (headers.some(([, v]) => typeof v !== "string")) throw new Error(`${row.name}: raw header bytes with a chunked body are not supported`);
          r = await http(gw.url + q.path, { method: q.method, headers: headers as [string, string][], body: q.body, chunks: q.chunks });
        } else {
          r = await rawHttp(gw.url, { target: q.path, method: q.method, headers, body: q.body });
        }
        // The plugin's lines reach the log after the response (on_log/on_done even run after it).
        await gw.envoy.settleLog();
        return {
          status: r.status,
          body: bodyView(r.status, r.body, r.headers["x-upstream"] === "recording"),
          headers: responseHeaders(r.headers),
          upstream: upstreamView(find(rid), rid),
          logs: envoyLines().slice(before).map((l) => normalize(l, rid)),
          redis: redis[0],
          properties: await envoyProperties(rid),
          metric: envoyMetric,
        };
      }

      async function onEmulator(target: Target, q: RowRequest): Promise<Observed> {
        const rid = `diff-${String(++seq).padStart(5, "0")}-em${target[0]}`;
        if (q.answer) upstream.server!.answers.set(rid, q.answer);
        const h = hosts[target]!;
        const r = await h.request({
          method: q.method,
          path: q.path,
          authority: q.host ?? `127.0.0.1:${gw.envoy.port}`,
          headers: [["x-request-id", rid], ["x-diff-id", rid], ...(q.headers ?? [])],
          body: q.body,
          chunks: q.chunks,
          stream: tlsOf(q) ? { tls: tlsOf(q) } : undefined,
        });
        expect(h.traps, `${target}: traps`).toEqual([]);
        return {
          status: r.status,
          body: bodyView(r.status, r.body, r.header("x-upstream") === "recording"),
          headers: responseHeaders(r.headers),
          upstream: upstreamView(find(rid), rid),
          logs: r.logs.map((l) => normalize(l.message, rid)),
          redis: redis[TARGETS.indexOf(target) + 1],
          properties: Object.fromEntries(props.map((p) => [p, r.stream.properties.get(p)?.toString() ?? null])),
          metric: async (name) => {
            const v = h.metric(name);
            return v === undefined ? undefined : Number(v);
          },
        };
      }

      it.each(g.rows.map((row) => [row.name, row] as const))("%s", async (_name, row) => {
        const q = typeof row.request === "function" ? row.request() : row.request;
        const envoy = await onEnvoy(row, q);
        await assertRow("envoy", envoy, row, q, g);
        for (const target of TARGETS) {
          const emu = await onEmulator(target, q);
          await assertRow(`emulator (${target})`, emu, row, q, g);
          // The differential property: the emulator answers as Envoy did.
          const [e, m] = [masked(envoy, g), masked(emu, g)];
          expect({ target, status: emu.status, body: m.body }).toEqual({ target, status: envoy.status, body: e.body });
          expect(m.upstream, `${target}: what the upstream saw`).toEqual(e.upstream);
          expect(m.logs, `${target}: plugin log lines`).toEqual(e.logs);
        }
      });

      it("Envoy's log shows no abort or trap", async () => {
        await gw.envoy.settleLog();
        expect(gw.envoy.log).not.toMatch(/sluice: abort|wasm trap|RuntimeError/);
      });
    });
  }

  if (t.badConfigs?.length) {
    describe(`${t.plugin}: bad configurations`, () => {
      it.each(t.badConfigs!.map((b) => [b.name, b] as const))("refuses to start: %s", async (_name, b) => {
        let log = "";
        await expect(
          Envoy.start(
            { plugins: [{ name: t.plugin, wasm: wasmOf("envoy"), config: b.config }], routes: [{ name: "r", cluster: "up" }], clusters: [{ name: "up", port: upstream.server!.port }] },
            { allowStartFailure: true },
          ).catch((e) => {
            log = (e as { envoyLog?: string }).envoyLog ?? "";
            throw e;
          }),
        ).rejects.toThrow(/did not start/);
        expect(log).toContain("plugin start failed");
        expect(log).toContain(b.message);
        expect(log).toContain(`Unable to create Wasm plugin ${t.plugin}`);
        expect(log).not.toMatch(/sluice: abort/);
        for (const target of TARGETS) {
          const host = await Emulator.load(wasmOf(target), { target, config: b.config, pluginName: t.plugin, allowStartFailure: true });
          expect(host.started, target).toBe(false);
          expect(host.traps, target).toEqual([]);
          host.close();
          const failure = await Emulator.load(wasmOf(target), { target, config: b.config, pluginName: t.plugin }).then(
            () => null,
            (e: Error) => e.message,
          );
          expect(failure, target).toContain(`Unable to create Wasm plugin ${t.plugin}`);
          expect(failure, target).toContain("plugin start failed");
          expect(failure, target).toContain(b.message);
        }
      });
    });
  }
}

/** A row of the credential plugins in the short form: request fields, status, exact message, consumer. */
export interface ConsumerCase {
  name: string;
  path: string;
  host?: string;
  headers?: [string, string | Buffer][];
  status: number;
  message?: string;
  /** The X-Mse-Consumer the upstream must see (null: none). */
  consumer?: string | null;
}

/** The credential plugins' row: the consumer named upstream, and no credential (header value) in the log. */
export function consumerRow(c: ConsumerCase): Row {
  return {
    name: c.name,
    request: { path: c.path, host: c.host, headers: c.headers },
    expect: {
      status: c.status,
      body: c.message,
      upstream: c.consumer === undefined ? undefined : { "x-mse-consumer": c.consumer },
      // A bare word ("Basic ", "nope") is too common in log lines to mean a leak.
      notLogged: (c.headers ?? []).flatMap(([, v]) => (typeof v === "string" && v.trim().length > 3 && !/^[A-Za-z]+$/.test(v.trim()) ? [v] : [])),
    },
  };
}
