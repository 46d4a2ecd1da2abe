// ai-quota in a real Envoy with key-auth in front (X-Mse-Consumer), Redis through webdis and the
// OpenAI mock, what is not a table row (cases.ts): Redis stopped mid-test (chat refused, admin
// 503, every request answered) and back again.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { pluginWasm, http } from "../../../harness/src/index.js";
import { RedisServer } from "../../../harness/src/redis.js";
import { LlmMock, openaiFamily } from "../../../harness/src/mocks/llm/index.js";
import { useEnvoy } from "../../../harness/src/vitest.js";
import { chat as chatTo } from "../../ai-token-ratelimit/test/helpers.js";

const fx = { redis: undefined as RedisServer | undefined, mock: undefined as LlmMock | undefined };
beforeAll(async () => {
  fx.redis = await RedisServer.start();
  fx.mock = await LlmMock.start(openaiFamily);
});
afterAll(async () => {
  await fx.mock?.stop();
  await fx.redis?.stop();
});

// Redis must answer for these tests to mean anything: a callout timeout far above any machine's
// latency, so a loaded machine is never taken for a Redis outage (failing open or closed has its
// own tests, with a Redis that never answers).
const REDIS_TIMEOUT_MS = 10000;

const gw = useEnvoy(() => ({
  plugins: [
    {
      name: "key-auth", wasm: pluginWasm("key-auth"),
      config: { consumers: [{ name: "alice", credential: "alice-key" }, { name: "bob", credential: "bob-key" }, { name: "boss", credential: "boss-key" }], keys: ["x-key"], in_header: true, _rules_: [{ _match_route_: ["api"], allow: ["alice", "bob", "boss"] }] },
    },
    { name: "ai-quota", wasm: pluginWasm("ai-quota"), config: { redis_key_prefix: "chat_quota:", admin_consumer: "boss", admin_path: "/quota", redis: { service_name: "redis.static", service_port: 6379, timeout: REDIS_TIMEOUT_MS } } },
  ],
  routes: [
    { name: "api", prefix: "/api/", prefixRewrite: "/", cluster: "mock" },
    { name: "open", prefix: "/open/", prefixRewrite: "/", cluster: "mock" },
  ],
  clusters: [
    { name: "mock", port: fx.mock!.port },
    { name: "outbound|6379||redis.static", port: fx.redis!.webdisPort },
  ],
}));

const as = (who: string): [string, string][] => [["x-key", `${who}-key`]];
const chat = (who: string, o: { stream?: boolean; chunking?: string } = {}) => chatTo(`${gw.url}/api`, { headers: as(who), ...o });
const form = (who: string, path: string, body: string) =>
  http(`${gw.url}/api/v1/chat/completions/quota${path}`, { method: "POST", headers: [...as(who), ["content-type", "application/x-www-form-urlencoded"]], body });

describe("ai-quota in Envoy: Redis stopped and restarted", () => {
  // Bounded by the test timeout, not by a measured duration: nothing but the plugin's Redis answer
  // (or its 500 ms callout timeout) ends a request the plugin holds, so a plugin that waits
  // forever fails this test by timing out; failing open would fail the 403, and each request's
  // own log line must say that Redis gave no answer.
  it("Redis stopped: chat is refused (403, as Higress), admin answers 503; every request answered", async () => {
    await form("boss", "/refresh", "consumer=alice&quota=1000");
    await fx.redis!.stopRedis();
    try {
      const [c, q] = await Promise.all([
        chatTo(`${gw.url}/api`, { headers: [...as("alice"), ["x-request-id", "down-chat-1"]] }),
        http(`${gw.url}/api/v1/chat/completions/quota?consumer=alice`, { headers: [...as("boss"), ["x-request-id", "down-admin-1"]] }),
      ]);
      expect([c.status, c.body]).toEqual([403, "Request denied by ai quota check, No quota left"]);
      expect(q.status).toBe(503);
      expect(q.body).toMatch(/^redis error:/);
      await gw.envoy.waitForLog(/\[down-chat-1\] redis call failed: /);
    } finally {
      await fx.redis!.startRedis();
    }
    // webdis reconnects to the restarted Redis within a moment.
    let st = 0;
    // A poll with a generous bound (a loaded machine may take a while to reconnect), not a window.
    for (const until = Date.now() + 20000; st !== 200 && Date.now() < until; ) {
      st = (await form("boss", "/refresh", "consumer=alice&quota=1000")).status;
      if (st !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    expect(st).toBe(200);
    expect((await chat("alice")).status).toBe(200);
  });

  it("the VM never trapped", async () => {
    await gw.envoy.settleLog();
    expect(gw.envoy.log).not.toMatch(/wasm trap|Function: proxy_on_\w+ failed|panic/i);
  });
});
