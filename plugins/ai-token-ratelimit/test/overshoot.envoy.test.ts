// How far a burst overshoots the limit, in a real Envoy against a real Redis (webdis): 50 parallel
// requests of 10 tokens each against a limit of 20 tokens.
//
// The upstream is a gate in front of the OpenAI mock's validation and answers: it holds every
// answer until each of the 50 requests has either reached it or been refused by the gateway, so
// every admission decision is made before any usage is known — the worst case of concurrency,
// reached without timing. Then:
//   - admission: check (Higress's check-then-add, the default) admits all 50: 500 tokens against a
//     limit of 20, while the Redis counter ends at 30 (the add script stops adding past the limit);
//   - admission: reserve admits ⌈20 / reserve_tokens⌉ requests and the counter ends equal to the
//     real usage (reservation reconciled), or at 0 when the upstream failed (released).
// The number of scripts Redis ran (INFO commandstats) tells when every add/reconcile has landed.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { createServer, request, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { http, pluginWasm, type HttpResult } from "../../../harness/src/index.js";
import { RedisServer } from "../../../harness/src/redis.js";
import { openaiFamily } from "../../../harness/src/mocks/llm/index.js";
import { MockError, type MockRequest } from "../../../harness/src/mocks/llm/common.js";
import { useEnvoy } from "../../../harness/src/vitest.js";
import { redisGet } from "./helpers.js";

/** Holds answers until released; validates and answers like the OpenAI mock. */
class GateUpstream {
  server: Server;
  port = 0;
  arrivals = 0;
  usages: number[] = [];
  private held: (() => void)[] = [];
  private open = false;
  onArrival: () => void = () => undefined;

  constructor() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c) => chunks.push(c));
      req.on("end", () => this.answer({ method: req.method ?? "", path: req.url ?? "", headers: req.headers, raw: Buffer.concat(chunks).toString("utf8"), body: undefined }, res));
    });
  }

  async start(): Promise<void> {
    await new Promise<void>((r) => this.server.listen(0, "127.0.0.1", r));
    this.port = (this.server.address() as AddressInfo).port;
  }

  private answer(rec: MockRequest, res: ServerResponse): void {
    const fail = rec.headers["x-gate-fail"];
    let status = 200, body: string;
    try {
      rec.body = JSON.parse(rec.raw);
      const a = openaiFamily.handle(rec);
      if (a.kind !== "json") throw new MockError(500, "the gate answers JSON only");
      this.usages.push(a.usage!.prompt_tokens + a.usage!.completion_tokens);
      body = JSON.stringify(a.body);
      if (fail) { status = Number(fail); body = JSON.stringify(openaiFamily.errorBody(status, "The server had an error", "server_error")); }
    } catch (e) {
      status = e instanceof MockError ? e.status : 500;
      body = JSON.stringify(openaiFamily.errorBody(status, String((e as Error).message), ""));
    }
    const send = () => { res.writeHead(status, { "content-type": "application/json" }); res.end(body); };
    this.arrivals++;
    if (this.open) send(); else this.held.push(send);
    this.onArrival();
  }

  get isOpen(): boolean { return this.open; }
  reset(): void { this.arrivals = 0; this.usages = []; this.open = false; }
  release(): void { this.open = true; for (const s of this.held.splice(0)) s(); }
  async stop(): Promise<void> { this.server.closeAllConnections(); await new Promise((r) => this.server.close(r)); }
}

const fx = { redis: undefined as RedisServer | undefined, gate: new GateUpstream() };
beforeAll(async () => {
  fx.redis = await RedisServer.start();
  await fx.gate.start();
});
afterAll(async () => {
  await fx.gate.stop();
  await fx.redis?.stop();
});

const LIMIT = 20;
const N = 50;
// Redis must answer for these tests to mean anything: a callout timeout far above any machine's
// latency, so a loaded machine is never taken for a Redis outage (failing open or closed has its
// own tests, with a Redis that never answers).
const redis = { service_name: "redis.static", service_port: 6379, timeout: 10000 };
const rule = (name: string, extra: Record<string, unknown> = {}) => ({ _match_route_: [name], rule_name: name, redis, global_threshold: { token_per_hour: LIMIT }, ...extra });
const ROUTES = ["check", "reserve10", "reserve15", "reserve-fail", "reserve-abort"];

const gw = useEnvoy(() => ({
  plugins: [{
    name: "ai-token-ratelimit",
    wasm: pluginWasm("ai-token-ratelimit"),
    config: {
      _rules_: [
        rule("check"),
        rule("reserve10", { admission: "reserve", reserve_tokens: 10 }),
        rule("reserve15", { admission: "reserve", reserve_tokens: 15 }),
        rule("reserve-fail", { admission: "reserve", reserve_tokens: 10 }),
        rule("reserve-abort", { admission: "reserve", reserve_tokens: 10 }),
      ],
    },
  }],
  routes: ROUTES.map((r) => ({ name: r, prefix: `/${r}/`, prefixRewrite: "/", cluster: "gate" })),
  clusters: [{ name: "gate", port: fx.gate.port }, { name: "outbound|6379||redis.static", port: fx.redis!.webdisPort }],
}));

const evalCalls = (): Promise<number> => fx.redis!.scriptRuns();

async function until(what: string, read: () => Promise<number>, want: number): Promise<void> {
  let got = await read();
  // A poll with a bound generous for a loaded machine (50 requests' worth of Redis calls).
  for (const until = Date.now() + 30000; got !== want && Date.now() < until; ) { await new Promise((r) => setTimeout(r, 20)); got = await read(); }
  expect(got, what).toBe(want);
}

interface Burst { admitted: number; refused: number; statuses: number[]; realUsage: number; evalsBefore: number }

/** N requests at once; the gate opens when each one has reached it or been answered by the gateway. */
async function burst(route: string, headers: [string, string][] = []): Promise<Burst> {
  fx.gate.reset();
  const evalsBefore = await evalCalls();
  let early = 0;
  const check = () => { if (fx.gate.arrivals + early === N) fx.gate.release(); };
  fx.gate.onArrival = check;
  const body = JSON.stringify({ model: "gpt-4o", messages: [{ role: "user", content: "a b c" }] });
  const results: HttpResult[] = await Promise.all(Array.from({ length: N }, (_, i) =>
    http(`${gw.url}/${route}/v1/chat/completions`, { method: "POST", body, headers: [["host", "api.openai.com"], ["authorization", "Bearer sk-test"], ["content-type", "application/json"], ["x-request-id", `${route}-${i}`], ...headers] })
      // Before the gate opens only a request the gateway refused can have its answer.
      .then((r) => { if (!fx.gate.isOpen) { early++; check(); } return r; })));
  const statuses = results.map((r) => r.status);
  const admitted = fx.gate.arrivals;
  const refused = statuses.filter((s) => s === 429).length;
  const realUsage = fx.gate.usages.reduce((a, b) => a + b, 0);
  return { admitted, refused, statuses, realUsage, evalsBefore };
}

const key = (route: string) => `higress-token-ratelimit:${route}:global_threshold:3600`;
const report: string[] = [];

describe(`a burst of ${N} parallel requests × 10 tokens against ${LIMIT} tokens`, () => {
  it("admission: check (default, Higress): every request is admitted; the counter under-reports", async () => {
    const b = await burst("check");
    expect(fx.gate.usages.every((u) => u === 10)).toBe(true);
    // 50 checks, then 50 add scripts (the script decides whether to add).
    await until("EVALs", evalCalls, b.evalsBefore + 2 * N);
    const counter = (await redisGet(fx.redis!, key("check")))!;
    report.push(`check:     admitted ${b.admitted}/${N}, used ${b.realUsage} tokens (limit ${LIMIT}, overshoot ${b.realUsage - LIMIT}), Redis counter ${counter}`);
    expect(b.admitted).toBe(N);
    expect(b.refused).toBe(0);
    expect(b.realUsage - LIMIT).toBeGreaterThan(LIMIT); // the documented overshoot: 480 tokens over a limit of 20
    expect(counter).toBe(30); // adds stop once the counter is past the limit: 10, 20, 30
    // The window is now spent: the next request is refused.
    const next = await http(`${gw.url}/check/v1/chat/completions`, { method: "POST", body: "{}", headers: [["host", "api.openai.com"]] });
    expect(next.status).toBe(429);
  });

  it("admission: reserve, reserve_tokens = 10: ⌈20/10⌉ = 2 admitted, the counter ends at the real usage", async () => {
    const b = await burst("reserve10");
    // 50 reservations; estimate = usage, so no reconcile call is needed.
    await until("EVALs", evalCalls, b.evalsBefore + N);
    const counter = (await redisGet(fx.redis!, key("reserve10")))!;
    report.push(`reserve10: admitted ${b.admitted}/${N}, used ${b.realUsage} tokens (limit ${LIMIT}, overshoot ${Math.max(0, b.realUsage - LIMIT)}), Redis counter ${counter}`);
    expect(b.admitted).toBe(Math.ceil(LIMIT / 10));
    expect(b.refused).toBe(N - b.admitted);
    expect(b.realUsage).toBe(20);
    expect(counter).toBe(b.realUsage);
  });

  it("admission: reserve, reserve_tokens = 15 (over-estimate): ⌈20/15⌉ = 2 admitted, reconciled down to the real usage", async () => {
    const b = await burst("reserve15");
    await until("EVALs", evalCalls, b.evalsBefore + N + 2); // + one reconcile (−5) per admitted request
    const counter = (await redisGet(fx.redis!, key("reserve15")))!;
    report.push(`reserve15: admitted ${b.admitted}/${N}, used ${b.realUsage} tokens (limit ${LIMIT}, overshoot ${Math.max(0, b.realUsage - LIMIT)}), Redis counter ${counter}`);
    expect(b.admitted).toBe(Math.ceil(LIMIT / 15));
    expect(b.refused).toBe(N - b.admitted);
    expect(counter).toBe(b.realUsage);
    expect(counter).toBe(20);
  });

  it("admission: reserve, the upstream fails: reservations are released (counter back to 0)", async () => {
    const b = await burst("reserve-fail", [["x-gate-fail", "500"]]);
    await until("EVALs", evalCalls, b.evalsBefore + N + 2); // + one release per admitted request
    expect(b.admitted).toBe(2);
    expect(b.statuses.filter((s) => s === 500).length).toBe(2);
    expect(await redisGet(fx.redis!, key("reserve-fail"))).toBe(0);
    console.log(`[ai-token-ratelimit overshoot, ${N} parallel × 10 tokens, limit ${LIMIT}]\n  ` + report.join("\n  "));
  });

  it("admission: reserve, the client leaves before the answer: the reservation is released", async () => {
    fx.gate.reset();
    fx.gate.onArrival = () => undefined;
    const u = new URL(gw.url);
    const req = request({ host: u.hostname, port: u.port, path: "/reserve-abort/v1/chat/completions", method: "POST", headers: { host: "api.openai.com", authorization: "Bearer sk-test", "content-type": "application/json" } });
    req.on("error", () => undefined);
    req.end(JSON.stringify({ model: "gpt-4o", messages: [{ role: "user", content: "a b c" }] }));
    await until("arrivals", async () => fx.gate.arrivals, 1); // admitted: 10 reserved
    expect(await redisGet(fx.redis!, key("reserve-abort"))).toBe(10);
    req.destroy();
    await until("counter", async () => (await redisGet(fx.redis!, key("reserve-abort")))!, 0);
    fx.gate.release();
  });

  it("no VM trapped", () => {
    expect(gw.envoy.log).not.toMatch(/wasm trap|Function: proxy_on_\w+ failed|panic/i);
  });
});
