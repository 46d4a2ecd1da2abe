// The higress build of cluster-key-rate-limit in the host emulator, against a real redis-server
// through Higress's native Redis ABI (proxy_redis_init/proxy_redis_call, password, database 1):
// exact keys and counts, X-RateLimit-* headers, Redis failures fail open.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { pluginWasm } from "../../../harness/src/index.js";
import { RedisServer } from "../../../harness/src/redis.js";
import { Emulator } from "../../../harness/src/emulator/index.js";
import { redisGetIn } from "../../../harness/src/redis-state.js";

const CLUSTER = "outbound|6379||redis.dns";
let redis: RedisServer;
let host: Emulator;

const N = 4;
const config = {
  rule_name: "emu",
  redis: { service_name: "redis.dns", password: "pw", database: 1, timeout: 10000 }, // far above any machine's latency
  show_limit_quota_header: true,
  rule_items: [
    { limit_by_per_header: "x-user", limit_keys: [{ key: "*", query_per_minute: N }] },
    { limit_by_per_ip: "from-header-x-forwarded-for", limit_keys: [{ key: "192.168.0.0/16", query_per_minute: 2 }] },
  ],
};

beforeAll(async () => {
  redis = await RedisServer.start({ password: "pw", database: 1 });
  host = await Emulator.load(pluginWasm("cluster-key-rate-limit", "higress"), {
    target: "higress",
    clusters: { [CLUSTER]: `redis://127.0.0.1:${redis.redisPort}` },
    routes: [{ name: "r", prefix: "/", cluster: "up" }],
    config,
  });
});
afterAll(async () => {
  host?.close();
  await redis?.stop();
});

const db1 = (k: string) => redisGetIn(redis, 1, k);
const ok = { status: 200, headers: { "content-type": "text/plain" }, body: "ok" };

describe("cluster-key-rate-limit (higress build, native Redis ABI)", () => {
  it("per-header *: N pass with Remaining counting down, then 429 with Reset; counter N+1", async () => {
    const seen: [number, string | null, string | null][] = [];
    for (let i = 0; i < N + 2; i++) {
      const r = await host.request({ path: "/", headers: { "x-user": "u1" }, response: ok });
      seen.push([r.status, r.header("x-ratelimit-limit"), r.header("x-ratelimit-remaining")]);
      if (r.status === 429) {
        expect(r.body).toBe("Too many requests");
        expect(r.upstream).toBeNull();
        expect(Number(r.header("x-ratelimit-reset"))).toBeGreaterThan(0);
        expect(r.localResponse?.details).toBe("cluster-key-rate-limit.rejected");
      }
    }
    expect(seen).toEqual([[200, "4", "3"], [200, "4", "2"], [200, "4", "1"], [200, "4", "0"], [429, "4", "0"], [429, "4", "0"]]);
    expect(await db1("higress-cluster-key-rate-limit:emu:limit_by_per_header:60:x-user:u1")).toBe(N + 1);
    expect(host.traps).toEqual([]);
  });

  it("per-IP from the first X-Forwarded-For address", async () => {
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await host.request({ path: "/", headers: { "x-forwarded-for": `192.168.3.4, 10.0.0.${i}` }, response: ok })).status);
    expect(statuses).toEqual([200, 200, 429]);
    expect(await db1("higress-cluster-key-rate-limit:emu:limit_by_per_ip:60:from-header-x-forwarded-for:192.168.3.4")).toBe(3);
  });

  it("a Redis failure fails open and is logged", async () => {
    host.failNextRedis("network");
    const r = await host.request({ path: "/", headers: { "x-user": "fresh" }, response: ok });
    expect(r.status).toBe(200);
    expect(r.logs.map((l) => l.message).join("\n")).toMatch(/redis call failed: .*letting the request pass/);
  });

  it("Redis stopped entirely: requests pass", async () => {
    await redis.stopRedis();
    try {
      const r = await host.request({ path: "/", headers: { "x-user": "down" }, response: ok });
      expect(r.status).toBe(200);
    } finally {
      await redis.startRedis();
    }
    expect(host.traps).toEqual([]);
  });
});
