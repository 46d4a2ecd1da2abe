// The higress build of ai-quota in the host emulator against a real redis-server through
// Higress's native Redis ABI: admin API, refusal at ≤ 0, deduction of the reported tokens
// (plain and streamed answers), Redis failures.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { pluginWasm } from "../../../harness/src/index.js";
import { RedisServer } from "../../../harness/src/redis.js";
import { Emulator } from "../../../harness/src/emulator/index.js";

const CLUSTER = "outbound|6379||redis.dns";
let redis: RedisServer;
let host: Emulator;

beforeAll(async () => {
  redis = await RedisServer.start();
  host = await Emulator.load(pluginWasm("ai-quota", "higress"), {
    target: "higress",
    config: { admin_consumer: "boss", redis: { service_name: "redis.dns", timeout: 10000 } }, // far above any machine's latency
    clusters: { [CLUSTER]: `redis://127.0.0.1:${redis.redisPort}` },
  });
});
afterAll(async () => {
  host?.close();
  await redis?.stop();
});

const quota = async (c: string) => {
  const r = await redis.command("GET", `chat_quota:${c}`);
  const m = /^\$\d+\r\n(-?\d+)\r\n/.exec(r);
  return m ? Number(m[1]) : null;
};
async function waitQuota(c: string, want: number) {
  for (let i = 0; i < 100 && (await quota(c)) !== want; i++) await new Promise((r) => setTimeout(r, 10));
  expect(await quota(c)).toBe(want);
}
const answer = (p: number, c: number) => ({ status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify({ choices: [], usage: { prompt_tokens: p, completion_tokens: c, total_tokens: p + c } }) });
const sse = (p: number, c: number) => ({ status: 200, headers: { "content-type": "text/event-stream" }, chunks: 23, body: `data: {"choices":[{"delta":{"content":"x"}}]}\n\ndata: {"choices":[],"usage":{"prompt_tokens":${p},"completion_tokens":${c},"total_tokens":${p + c}}}\n\ndata: [DONE]\n\n` });
const admin = (path: string, body: string, who = "boss") =>
  host.request({ method: "POST", path: `/v1/chat/completions/quota${path}`, headers: { "x-mse-consumer": who, "content-type": "application/x-www-form-urlencoded" }, body });

describe("ai-quota (higress build, native Redis ABI)", () => {
  it("admin refresh / query / delta, non-admin refused", async () => {
    expect((await admin("/refresh", "consumer=alice&quota=40", "alice")).status).toBe(403);
    const r = await admin("/refresh", "consumer=alice&quota=40");
    expect([r.status, r.body]).toEqual([200, "refresh quota successful"]);
    const q = await host.request({ path: "/v1/chat/completions/quota?consumer=alice", headers: { "x-mse-consumer": "boss" } });
    expect(JSON.parse(q.body)).toEqual({ consumer: "alice", quota: 40 });
    expect((await admin("/delta", "consumer=alice&value=-5")).status).toBe(200);
    await waitQuota("alice", 35);
  });

  it("chat: deducts the reported tokens (plain and streamed), refuses at ≤ 0", async () => {
    let r = await host.request({ path: "/v1/chat/completions", headers: { "x-mse-consumer": "alice" }, body: "{}", response: answer(10, 5) });
    expect(r.status).toBe(200);
    await waitQuota("alice", 20);
    r = await host.request({ path: "/v1/chat/completions", headers: { "x-mse-consumer": "alice" }, body: "{}", response: sse(12, 9) });
    expect(r.status).toBe(200);
    await waitQuota("alice", -1);
    r = await host.request({ path: "/v1/chat/completions", headers: { "x-mse-consumer": "alice" }, body: "{}", response: answer(1, 1) });
    expect([r.status, r.body]).toEqual([403, "Request denied by ai quota check, No quota left"]);
    expect(r.upstream).toBeNull();
    r = await host.request({ path: "/v1/chat/completions", body: "{}" });
    expect(r.status).toBe(401);
  });

  it("every token-spending API is metered, in any spelling; models and count_tokens are not", async () => {
    await admin("/refresh", "consumer=carol&quota=100");
    const anthropic = { status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify({ type: "message", content: [], usage: { input_tokens: 4, output_tokens: 6 } }) };
    let left = 100;
    for (const [path, resp, used] of [["/v1/messages", anthropic, 10], ["/V1/Embeddings/", answer(7, 0), 7], ["/chat/completions?x=1", answer(2, 3), 5], ["/v1/completions", answer(1, 2), 3], ["/v1beta/models/gemini-2.5-flash:generateContent", { ...answer(0, 0), body: JSON.stringify({ usageMetadata: { promptTokenCount: 3, candidatesTokenCount: 1, totalTokenCount: 4 } }) }, 4]] as const) {
      const r = await host.request({ path, headers: { "x-mse-consumer": "carol" }, body: "{}", response: resp });
      expect(r.status, path).toBe(200);
      left -= used;
      await waitQuota("carol", left);
    }
    for (const path of ["/v1/models", "/v1/messages/count_tokens"]) {
      const r = await host.request({ path, headers: { "x-mse-consumer": "nobody" }, body: "{}", response: answer(50, 50) });
      expect(r.status, path).toBe(200); // spends nothing: no quota needed, nothing deducted
    }
    await waitQuota("carol", left);
    for (const path of ["/v1/messages", "/V1/EMBEDDINGS", "/v1/chat/completions/", "/v1/responses"]) {
      const r = await host.request({ path, headers: { "x-mse-consumer": "nobody" }, body: "{}", response: answer(1, 1) });
      expect([r.status, r.body], path).toEqual([403, "Request denied by ai quota check, No quota left"]);
      expect(r.upstream).toBeNull();
    }
  });

  it("a Redis failure on the quota check refuses the request (as Higress); nothing traps", async () => {
    await admin("/refresh", "consumer=bob&quota=100");
    host.failNextRedis("network");
    const r = await host.request({ path: "/v1/chat/completions", headers: { "x-mse-consumer": "bob" }, body: "{}", response: answer(1, 1) });
    expect(r.status).toBe(403);
    expect(host.traps).toEqual([]);
  });
});
