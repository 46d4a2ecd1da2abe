// The higress build of ai-quota in the host emulator against a real redis-server through
// Higress's native Redis ABI, what is not a table row (cases.ts): a Redis call that fails on the
// quota check (the emulator injects the failure; a real Envoy cannot).
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

const answer = (p: number, c: number) => ({ status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify({ choices: [], usage: { prompt_tokens: p, completion_tokens: c, total_tokens: p + c } }) });
const admin = (path: string, body: string, who = "boss") =>
  host.request({ method: "POST", path: `/v1/chat/completions/quota${path}`, headers: { "x-mse-consumer": who, "content-type": "application/x-www-form-urlencoded" }, body });

describe("ai-quota (higress build, native Redis ABI): Redis failures", () => {
  it("a Redis failure on the quota check refuses the request (as Higress); nothing traps", async () => {
    await admin("/refresh", "consumer=bob&quota=100");
    host.failNextRedis("network");
    const r = await host.request({ path: "/v1/chat/completions", headers: { "x-mse-consumer": "bob" }, body: "{}", response: answer(1, 1) });
    expect(r.status).toBe(403);
    expect(host.traps).toEqual([]);
  });
});
