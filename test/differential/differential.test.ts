// Runs every scenario of scenarios.ts on a real Envoy and on the emulator (envoy and higress
// targets), all against the same recording upstream, and demands identical observable results.
// Where they differ, the emulator is wrong.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { RecordingUpstream, http, pluginWasm, type RecordedRequest } from "../../harness/src/index.js";
import { testPluginWasm } from "../../harness/src/tools.js";
import { useEnvoy } from "../../harness/src/vitest.js";
import { Emulator } from "../../harness/src/emulator/index.js";
import { groups, type Group, type Scenario } from "./scenarios.js";

const upstream = { server: undefined as RecordingUpstream | undefined };
beforeAll(async () => {
  upstream.server = await RecordingUpstream.start();
});
afterAll(async () => upstream.server?.stop());

/** What a client and the upstream could observe of one request. */
interface Observed {
  status: number;
  /** The response body, or for an echo from the upstream, the request it echoed (method, path, body). */
  body: string;
  upstream: { method: string; path: string; body: string; headers: Record<string, string> } | null;
  logs: string[];
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

// Headers whose value legitimately differs per run or per transport.
const VOLATILE = new Set(["x-diff-id", "x-request-id", "x-envoy-expected-rq-timeout-ms", "content-length", "transfer-encoding", "connection"]);

function upstreamView(rec: RecordedRequest | undefined, rid: string): Observed["upstream"] {
  if (!rec) return null;
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(rec.headers)) {
    if (!VOLATILE.has(k)) headers[k] = (Array.isArray(v) ? v.join(", ") : String(v)).split(rid).join("RID").replace(UUID, "RID");
  }
  return { method: rec.method, path: rec.path, body: rec.body, headers };
}

function bodyView(status: number, body: string, fromUpstream: boolean): string {
  if (!fromUpstream) return body;
  const echo = JSON.parse(body) as RecordedRequest;
  return JSON.stringify({ status, method: echo.method, path: echo.path, body: echo.body });
}

const routesOf = (g: Group) => [...(g.routes ?? []).map((r) => ({ name: r, prefix: `/${r}`, cluster: "up" })), { name: "default", prefix: "/", cluster: "up" }];
const wasmOf = (g: Group, target: "envoy" | "higress") => (g.testPlugin ? testPluginWasm(g.plugin, target) : pluginWasm(g.plugin, target));

/** Plugin log lines with this request's id (or a generated one) replaced by RID. */
function normalizeLogs(lines: string[], rid: string): string[] {
  return lines.map((l) => l.split(rid).join("RID").replace(UUID, "RID"));
}

let seq = 0;

for (const g of groups) {
  describe(`differential: ${g.name}`, () => {
    const gw = useEnvoy(() => ({
      plugins: [{ name: g.plugin, wasm: wasmOf(g, "envoy"), config: g.config }],
      routes: routesOf(g),
      clusters: [{ name: "up", port: upstream.server!.port }],
      useRemoteAddress: g.useRemoteAddress,
    }));
    const hosts: Partial<Record<"envoy" | "higress", Emulator>> = {};
    beforeAll(async () => {
      for (const target of ["envoy", "higress"] as const) {
        hosts[target] = await Emulator.load(wasmOf(g, target), {
          target,
          config: g.config,
          pluginName: g.plugin,
          routes: routesOf(g),
          clusters: { up: `http://127.0.0.1:${upstream.server!.port}` },
          useRemoteAddress: g.useRemoteAddress,
        });
      }
    });
    afterAll(() => {
      for (const h of Object.values(hosts)) h?.close();
    });

    const find = (rid: string) => upstream.server!.requests.find((q) => q.headers["x-diff-id"] === rid);
    const envoyLines = () => gw.envoy.wasmLog().map((l) => l.replace(/^.*?wasm log[^:]*: /, ""));

    async function onEnvoy(s: Scenario): Promise<Observed> {
      const rid = `diff-${String(++seq).padStart(4, "0")}-env`;
      const headers: [string, string][] = [["x-request-id", rid], ["x-diff-id", rid], ...(s.request.headers ?? [])];
      if (s.request.host) headers.push(["host", s.request.host]);
      const before = envoyLines().length;
      const r = await http(gw.url + s.request.path, { method: s.request.method, headers, body: s.request.body, chunks: s.request.chunks });
      const rec = find(rid);
      const fromUpstream = r.headers["x-upstream"] === "recording";
      // The plugin's lines reach the log after the response (on_log/on_done even run after it).
      await gw.envoy.settleLog();
      return {
        status: r.status,
        body: bodyView(r.status, r.body, fromUpstream),
        upstream: upstreamView(rec, rid),
        logs: normalizeLogs(envoyLines().slice(before), rid),
      };
    }

    async function onEmulator(target: "envoy" | "higress", s: Scenario): Promise<Observed> {
      const rid = `diff-${String(++seq).padStart(4, "0")}-em${target[0]}`;
      const h = hosts[target]!;
      const r = await h.request({
        method: s.request.method,
        path: s.request.path,
        authority: s.request.host ?? `127.0.0.1:${gw.envoy.port}`,
        headers: [["x-request-id", rid], ["x-diff-id", rid], ...(s.request.headers ?? [])],
        body: s.request.body,
        chunks: s.request.chunks,
      });
      expect(h.traps).toEqual([]);
      const fromUpstream = r.header("x-upstream") === "recording";
      return {
        status: r.status,
        body: bodyView(r.status, r.body, fromUpstream),
        upstream: upstreamView(find(rid), rid),
        logs: normalizeLogs(r.logs.map((l) => l.message), rid),
      };
    }

    it.each(g.scenarios.map((s) => [s.name, s] as const))("%s", async (_name, s) => {
      const envoy = await onEnvoy(s);
      // The scenario's own expectations hold on Envoy…
      expect(envoy.status).toBe(s.expect.status);
      if (s.expect.body !== undefined) expect(envoy.body).toBe(s.expect.body);
      for (const [k, v] of Object.entries(s.expect.upstream ?? {})) expect(envoy.upstream?.headers[k] ?? null, k).toBe(v);
      for (const l of s.expect.logs ?? []) expect(envoy.logs.join("\n")).toContain(l);
      // …and the emulator shows exactly the same, on both targets.
      for (const target of ["envoy", "higress"] as const) {
        const emu = await onEmulator(target, s);
        const hostHeader = (o: Observed) => (o.upstream ? { ...o.upstream, headers: { ...o.upstream.headers, host: o.upstream.headers.host?.replace(/:\d+$/, ":PORT") } } : null);
        expect({ target, status: emu.status, body: emu.body }).toEqual({ target, status: envoy.status, body: envoy.body });
        expect(hostHeader(emu), `${target}: what the upstream saw`).toEqual(hostHeader(envoy));
        expect(emu.logs, `${target}: plugin log lines`).toEqual(envoy.logs);
      }
    });
  });
}
