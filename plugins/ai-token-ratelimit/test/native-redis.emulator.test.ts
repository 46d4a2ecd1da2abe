// The higress build of ai-token-ratelimit in the host emulator, against a real redis-server
// through Higress's native Redis ABI (proxy_redis_init/proxy_redis_call), what is not a table row
// (cases.ts): a Redis with a password and a database other than 0, and Redis failures in both
// failure modes (injected, and Redis stopped).
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { pluginWasm } from "../../../harness/src/index.js";
import { RedisServer } from "../../../harness/src/redis.js";
import { Emulator } from "../../../harness/src/emulator/index.js";
import { WindowModel } from "./helpers.js";
import { redisGetIn, waitCounter } from "../../../harness/src/redis-state.js";

const CLUSTER = "outbound|6379||redis.dns";
let redis: RedisServer;
let host: Emulator;
let closed: Emulator;

const config = (extra: Record<string, unknown> = {}) => ({
  rule_name: "emu",
  redis: { service_name: "redis.dns", password: "pw", database: 1, timeout: 10000 }, // far above any machine's latency
  rule_items: [
    { limit_by_per_header: "x-user", limit_keys: [{ key: "*", token_per_minute: 50 }] },
    { limit_by_per_ip: "from-header-x-forwarded-for", limit_keys: [{ key: "192.168.0.0/16", token_per_minute: 50 }] },
  ],
  ...extra,
});

beforeAll(async () => {
  redis = await RedisServer.start({ password: "pw", database: 1 });
  const opts = { target: "higress" as const, clusters: { [CLUSTER]: `redis://127.0.0.1:${redis.redisPort}` }, routes: [{ name: "chat", prefix: "/", cluster: "up" }] };
  host = await Emulator.load(pluginWasm("ai-token-ratelimit", "higress"), { ...opts, config: config() });
  closed = await Emulator.load(pluginWasm("ai-token-ratelimit", "higress"), { ...opts, config: config({ redis_failure_mode: "closed" }) });
});
afterAll(async () => {
  host?.close();
  closed?.close();
  await redis?.stop();
});

const db1 = (k: string) => redisGetIn(redis, 1, k);

function openaiAnswer(prompt: number, completion: number) {
  return { status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify({ id: "c1", model: "m", choices: [{ message: { role: "assistant", content: "hi" } }], usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion } }) };
}

function sseAnswer(prompt: number, completion: number, chunks: number) {
  const body = `data: {"id":"c2","model":"m","choices":[{"delta":{"content":"hel"}}]}\n\ndata: {"id":"c2","model":"m","choices":[],"usage":{"prompt_tokens":${prompt},"completion_tokens":${completion},"total_tokens":${prompt + completion}}}\n\ndata: [DONE]\n\n`;
  return { status: 200, headers: { "content-type": "text/event-stream" }, body, chunks };
}

describe("ai-token-ratelimit (higress build, native Redis ABI)", () => {
  it("per-header limit: check-then-add with the exact key; 429 with X-TokenRateLimit-Reset", async () => {
    const k = "higress-token-ratelimit:emu:limit_by_per_header:60:x-user:u1";
    const model = new WindowModel(50);
    let rejected = 0;
    for (let i = 0; i < 10 && rejected < 2; i++) {
      const stream = i % 2 === 1;
      const r = await host.request({ path: "/v1/chat/completions", headers: { "x-user": "u1" }, body: "{}", response: stream ? sseAnswer(9, 11, 37) : openaiAnswer(12, 8) });
      if (model.admits()) {
        expect(r.status).toBe(200);
        model.add(20);
        await waitCounter(redis, k, model.current, 15000, 1);
      } else {
        expect(r.status).toBe(429);
        expect(r.body).toBe("Too many requests");
        expect(r.upstream).toBeNull();
        expect(Number(r.header("x-tokenratelimit-reset"))).toBeGreaterThan(0);
        expect(r.localResponse?.details).toBe("ai-token-ratelimit.rejected");
        expect(JSON.parse(JSON.parse(`"${r.stream.properties.get("ai_log")!.toString()}"`))).toEqual({ token_ratelimit_status: "limited" });
        rejected++;
      }
    }
    expect(rejected).toBe(2);
    expect(model.current).toBe(60);
    expect(host.traps).toEqual([]);
  });

  it("a Redis failure: open passes, closed answers 503 — and both are logged", async () => {
    host.failNextRedis("network");
    const r = await host.request({ path: "/", headers: { "x-user": "fresh" }, body: "{}", response: openaiAnswer(1, 1) });
    expect(r.status).toBe(200);
    expect(r.logs.map((l) => l.message).join("\n")).toMatch(/redis_failure_mode is open/);
    closed.failNextRedis("network");
    const c = await closed.request({ path: "/", headers: { "x-user": "fresh2" }, body: "{}", response: openaiAnswer(1, 1) });
    expect(c.status).toBe(503);
    expect(c.upstream).toBeNull();
    expect(c.logs.map((l) => l.message).join("\n")).toMatch(/redis_failure_mode is closed/);
  });

  it("Redis stopped entirely: every request is answered (open → 200, closed → 503)", async () => {
    await redis.stopRedis();
    try {
      const r = await host.request({ path: "/", headers: { "x-user": "down" }, body: "{}", response: openaiAnswer(1, 1) });
      expect(r.status).toBe(200);
      const c = await closed.request({ path: "/", headers: { "x-user": "down" }, body: "{}", response: openaiAnswer(1, 1) });
      expect(c.status).toBe(503);
    } finally {
      await redis.startRedis();
    }
    expect(host.traps).toEqual([]);
    expect(closed.traps).toEqual([]);
  });
});
