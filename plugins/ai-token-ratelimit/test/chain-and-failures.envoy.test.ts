// ai-token-ratelimit in a real Envoy against a real Redis (through webdis), the OpenAI mock as
// the upstream, what is not a table row (cases.ts): the consumer key-auth sets in front (a client
// cannot pose as another consumer), a stream the upstream cuts mid-way (estimated, logged as
// cut), and Redis stopped mid-test or never answering (fail-open and fail-closed, every request
// answered in bounded time).
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { mkdtempSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pluginWasm } from "../../../harness/src/index.js";
import { RedisServer } from "../../../harness/src/redis.js";
import { SilentServer } from "../../../harness/src/redis-state.js";
import { LlmMock, openaiFamily } from "../../../harness/src/mocks/llm/index.js";
import { useEnvoy } from "../../../harness/src/vitest.js";
import { rule, perMinute as tablePerMinute } from "./cases.js";
import { WindowModel, chat, lastTotal, redisGet, redisTtl, waitCounter, sseUsage, type ChatOptions } from "./helpers.js";

const fx = { redis: undefined as RedisServer | undefined, mock: undefined as LlmMock | undefined, silent: undefined as SilentServer | undefined };
beforeAll(async () => {
  fx.redis = await RedisServer.start();
  fx.mock = await LlmMock.start(openaiFamily);
  // A "Redis" that never answers: only the timeout can end the wait.
  fx.silent = await SilentServer.start();
});
afterAll(async () => {
  await fx.silent?.stop();
  await fx.mock?.stop();
  await fx.redis?.stop();
});

// The rules of the table (a Redis callout timeout far above any machine's latency), with a
// threshold of its own.
const THRESHOLD = 60;
const perMinute = (key: string, n = THRESHOLD) => tablePerMinute(key, n);

const config = {
  _rules_: [
    rule("hdr", "r-hdr", { rule_items: [{ limit_by_header: "x-api-key", limit_keys: [perMinute("k1")] }] }),
    rule("perhdr", "r-perhdr", { rule_items: [{ limit_by_per_header: "x-user", limit_keys: [perMinute("regexp:^vip-", 100000), perMinute("*")] }] }),
    rule("consumer", "r-consumer", { rule_items: [{ limit_by_consumer: "", limit_keys: [perMinute("alice")] }] }),
    rule("global", "r-global", { global_threshold: { token_per_hour: THRESHOLD }, rejected_code: 503, rejected_msg: "slow down" }),
    rule("closed", "r-closed", { global_threshold: { token_per_minute: 100000 }, redis_failure_mode: "closed" }),
    rule("open", "r-open", { global_threshold: { token_per_minute: 100000 }, show_limit_quota_header: true }),
    { _match_route_: ["hang-open"], rule_name: "r-hang", redis: { service_name: "silent.static", service_port: 6379, timeout: 300 }, global_threshold: { token_per_minute: 10 } },
    { _match_route_: ["hang-closed"], rule_name: "r-hang", redis: { service_name: "silent.static", service_port: 6379, timeout: 300 }, global_threshold: { token_per_minute: 10 }, redis_failure_mode: "closed" },
  ],
};

const logDir = mkdtempSync(join(tmpdir(), "sluice-atr-"));
const accessLog = join(logDir, "access.log");
const routes = ["hdr", "perhdr", "consumer", "global", "closed", "open", "hang-open", "hang-closed"];
const gw = useEnvoy(() => ({
  plugins: [
    { name: "key-auth", wasm: pluginWasm("key-auth"), config: { consumers: [{ name: "alice", credential: "alice-key" }, { name: "bob", credential: "bob-key" }], keys: ["x-consumer-key"], in_header: true, _rules_: [{ _match_route_: ["consumer"], allow: ["alice", "bob"] }] } },
    { name: "ai-token-ratelimit", wasm: pluginWasm("ai-token-ratelimit"), config },
  ],
  routes: routes.map((r) => ({ name: r, prefix: `/${r}/`, prefixRewrite: "/", cluster: "mock" })),
  clusters: [
    { name: "mock", port: fx.mock!.port },
    { name: "outbound|6379||redis.static", port: fx.redis!.webdisPort },
    { name: "outbound|6379||silent.static", port: fx.silent!.port },
  ],
  accessLog: { path: accessLog, format: "%REQ(X-REQUEST-ID)% %RESPONSE_CODE% %FILTER_STATE(wasm.ai_log:PLAIN)%" },
}));

const key = (rule: string, rest: string) => `higress-token-ratelimit:${rule}:${rest}`;

/**
 * Sends requests until two are rejected; every answer must be what the scripts decide, and the
 * Redis counter must hold exactly the tokens the mock reported for the admitted requests.
 */
async function driveToLimit(route: string, redisKey: string, o: ChatOptions, threshold = THRESHOLD, reject = { code: 429, msg: "Too many requests" }) {
  const model = new WindowModel(threshold);
  let admitted = 0, rejected = 0;
  for (let i = 0; i < 20 && rejected < 2; i++) {
    const before = fx.mock!.requests.length;
    // The key's TTL only counts down and a refusal adds nothing, so the Reset a refusal reports
    // lies between the TTL read just before and just after it, however long the request takes.
    const ttlBefore = model.admits() ? 0 : await redisTtl(fx.redis!, redisKey);
    const r = await chat(`${gw.url}/${route}`, o);
    if (model.admits()) {
      expect(r.status, r.body).toBe(200);
      expect(fx.mock!.requests.length).toBe(before + 1);
      const used = lastTotal(fx.mock!);
      if (o.stream) expect(sseUsage(r.body)).toMatchObject({ prompt_tokens: fx.mock!.last!.usage!.prompt_tokens });
      model.add(used);
      admitted++;
      await waitCounter(fx.redis!, redisKey, model.current);
    } else {
      expect(r.status).toBe(reject.code);
      expect(r.body).toBe(reject.msg);
      expect(fx.mock!.requests.length).toBe(before); // never reached the upstream
      const reset = Number(r.headers["x-tokenratelimit-reset"]);
      expect(reset).toBeGreaterThan(0);
      expect(reset).toBeLessThanOrEqual(ttlBefore);
      expect(reset).toBeGreaterThanOrEqual(await redisTtl(fx.redis!, redisKey));
      rejected++;
    }
  }
  expect(rejected).toBe(2);
  expect(admitted).toBeGreaterThan(1);
  expect(await redisGet(fx.redis!, redisKey)).toBe(model.current);
  expect(model.current).toBeGreaterThan(threshold);
  return { admitted, total: model.current };
}

describe("ai-token-ratelimit in Envoy: key-auth in front, cut streams, Redis failures", () => {
  it("limit_by_consumer: the X-Mse-Consumer key-auth sets", async () => {
    await driveToLimit("consumer", key("r-consumer", "limit_by_consumer:60:x-mse-consumer:alice"), { headers: [["x-consumer-key", "alice-key"]] });
    // bob is another consumer: no limit key for him.
    expect((await chat(`${gw.url}/consumer`, { headers: [["x-consumer-key", "bob-key"]] })).status).toBe(200);
    // A client cannot pose as bob to escape: key-auth overwrites X-Mse-Consumer.
    expect((await chat(`${gw.url}/consumer`, { headers: [["x-consumer-key", "alice-key"], ["x-mse-consumer", "bob"]] })).status).toBe(429);
  });

  it("a stream cut mid-way: estimated from what passed, logged as cut", async () => {
    const k = key("r-perhdr", "limit_by_per_header:60:x-user:cut");
    await chat(`${gw.url}/perhdr`, { headers: [["x-user", "cut"], ["x-request-id", "cut-1"]], stream: true, cut: "1" }).catch(() => undefined);
    await gw.envoy.waitForLog(/token usage estimated \(stream cut\)/);
    const deadline = Date.now() + 15000; // a poll bound, generous for a loaded machine; the add usually lands at once
    while (Date.now() < deadline && (await redisGet(fx.redis!, k)) === null) await new Promise((r) => setTimeout(r, 20));
    expect(await redisGet(fx.redis!, k)).toBeGreaterThan(0);
    // Written from proxy_on_log, and still in Envoy's access log (1.39 runs the filters' log
    // handlers before the HCM access loggers).
    expect((await accessLine("cut-1")).aiLog).toMatchObject({ token_usage_estimated: true });
  });

  // Bounded by the test timeout, not by a measured duration: a request the plugin leaves paused
  // is never answered (the route timeout only starts once the plugin lets the request go), so a
  // plugin that waits forever for Redis fails this test by timing out; a wrong mode fails the
  // status list.
  it("Redis stopped: fail-open passes, fail-closed answers 503, every request answered; then recovery", async () => {
    await fx.redis!.stopRedis();
    try {
      const results = await Promise.all([
        chat(`${gw.url}/open`), chat(`${gw.url}/hdr`, { headers: [["x-api-key", "k1"]] }), chat(`${gw.url}/closed`), chat(`${gw.url}/global`, { stream: true }),
      ]);
      expect(results.map((r) => r.status)).toEqual([200, 200, 503, 200]);
      expect(results[2].body).toBe("Token rate limit unavailable");
      await gw.envoy.waitForLog(/redis_failure_mode is open: letting the request pass/);
      await gw.envoy.waitForLog(/redis_failure_mode is closed: rejecting the request/);
    } finally {
      await fx.redis!.startRedis();
    }
    // Redis is back (empty): limits apply again from zero (webdis reconnects within a moment).
    let st = 0;
    // A poll with a generous bound (a loaded machine may take a while to reconnect), not a window.
    for (const until = Date.now() + 20000; st !== 200 && Date.now() < until; ) {
      st = (await chat(`${gw.url}/closed`)).status;
      if (st !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    expect(st).toBe(200);
    expect((await chat(`${gw.url}/hdr`, { headers: [["x-api-key", "k1"]] })).status).toBe(200);
  });

  // Only the plugin's callout timeout can end these requests: the silent server never answers and
  // nothing else ends a request the plugin holds. Without that timeout the test times out (the
  // bound is the test timeout, never a measured duration); a wrong mode fails the statuses; and
  // each request's own log line must name the timeout as why Redis gave no answer. That the
  // timeout is exactly the configured 300 ms is checked on the emulator's clock (redis-failure.emulator.test.ts).
  it("a Redis that never answers: the configured timeout ends the wait in both modes", async () => {
    const [open, closed] = await Promise.all([
      chat(`${gw.url}/hang-open`, { headers: [["x-request-id", "hang-open-1"]] }),
      chat(`${gw.url}/hang-closed`, { headers: [["x-request-id", "hang-closed-1"]] }),
    ]);
    expect(open.status).toBe(200);
    expect(closed.status).toBe(503);
    expect(closed.body).toBe("Token rate limit unavailable");
    await gw.envoy.waitForLog(/\[hang-open-1\] redis call failed: cannot get redis response: timeout; redis_failure_mode is open/);
    await gw.envoy.waitForLog(/\[hang-closed-1\] redis call failed: cannot get redis response: timeout; redis_failure_mode is closed/);
  });

  it("the VM never trapped", async () => {
    await gw.envoy.settleLog();
    expect(gw.envoy.log).not.toMatch(/wasm trap|Function: proxy_on_\w+ failed|panic/i);
  });
});

async function accessLine(id: string): Promise<{ status: string; aiLog: Record<string, unknown> }> {
  const deadline = Date.now() + 15000; // Envoy flushes access log files every 10 s (or when its buffer fills)
  while (Date.now() < deadline) {
    const lines = existsSync(accessLog) ? readFileSync(accessLog, "utf8").split("\n") : [];
    const line = lines.find((l) => l.startsWith(id + " "));
    if (line) {
      const [, status, ...rest] = line.split(" ");
      const raw = rest.join(" ");
      return { status, aiLog: raw === "-" ? {} : JSON.parse(JSON.parse(`"${raw}"`)) };
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`no access log line for ${id}`);
}
