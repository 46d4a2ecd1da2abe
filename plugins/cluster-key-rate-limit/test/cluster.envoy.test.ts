// CC protection across the cluster: two Envoy instances share one Redis (through one webdis).
// Requests alternate between them (and then run in parallel against both); exactly N are
// admitted in total, then every request on either gateway gets 429.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { Envoy, RecordingUpstream, pluginWasm, http, type BootstrapSpec } from "../../../harness/src/index.js";
import { RedisServer } from "../../../harness/src/redis.js";

let redis: RedisServer;
let up: RecordingUpstream;
let a: Envoy;
let b: Envoy;

const N = 10;
const config = {
  rule_name: "cc",
  // A timeout far above any machine's latency: a loaded machine must not look like a Redis outage.
  redis: { service_name: "redis.dns", timeout: 10000 },
  show_limit_quota_header: true,
  rule_items: [
    { limit_by_per_ip: "from-header-x-real-ip", limit_keys: [{ key: "0.0.0.0/0", query_per_minute: N }] },
  ],
};

function spec(): BootstrapSpec {
  return {
    plugins: [{ name: "cluster-key-rate-limit", wasm: pluginWasm("cluster-key-rate-limit"), config }],
    routes: [{ name: "all", prefix: "/", cluster: "up" }],
    clusters: [
      { name: "up", port: up.port },
      { name: "outbound|6379||redis.dns", port: redis.webdisPort },
    ],
  };
}

beforeAll(async () => {
  redis = await RedisServer.start();
  up = await RecordingUpstream.start();
  a = await Envoy.start(spec());
  b = await Envoy.start(spec());
});
afterAll(async () => {
  await a?.stop();
  await b?.stop();
  await up?.stop();
  await redis?.stop();
});

async function counter(ip: string): Promise<number | null> {
  const r = await redis.command("GET", `higress-cluster-key-rate-limit:cc:limit_by_per_ip:60:from-header-x-real-ip:${ip}`);
  return r.startsWith("$-1") ? null : Number(/^\$\d+\r\n(\d+)\r\n/.exec(r)![1]);
}

describe("two Envoys, one Redis", () => {
  it("alternating: N admitted in total (shared), then 429 on both", async () => {
    const ip = "203.0.113.7";
    const results: { gw: string; status: number; remaining?: string }[] = [];
    for (let i = 0; i < N + 6; i++) {
      const gw = i % 2 === 0 ? a : b;
      const r = await http(gw.url + "/x", { headers: [["x-real-ip", ip]] });
      results.push({ gw: i % 2 === 0 ? "a" : "b", status: r.status, remaining: r.headers["x-ratelimit-remaining"] as string });
    }
    expect(results.map((r) => r.status)).toEqual([...Array(N).fill(200), ...Array(6).fill(429)]);
    // Remaining counts down across both gateways: one window, not two.
    expect(results.slice(0, N).map((r) => Number(r.remaining))).toEqual(Array.from({ length: N }, (_, i) => N - 1 - i));
    expect(results.filter((r) => r.gw === "a" && r.status === 200).length).toBe(N / 2);
    expect(results.filter((r) => r.gw === "b" && r.status === 429).length).toBe(3);
    expect(await counter(ip)).toBe(N + 1);
    console.log(`[cluster-key-rate-limit] alternating: admitted a=${N / 2} b=${N / 2}, then ${6} rejected (3 per gateway); counter ${N + 1}`);
  });

  it("parallel burst on both gateways: exactly N of 40 pass", async () => {
    const ip = "198.51.100.9";
    const rs = await Promise.all(Array.from({ length: 40 }, (_, i) => http((i % 2 ? a : b).url + "/y", { headers: [["x-real-ip", ip]] })));
    const ok = rs.filter((r) => r.status === 200).length;
    expect(ok).toBe(N);
    expect(rs.filter((r) => r.status === 429).length).toBe(40 - N);
    expect(await counter(ip)).toBe(N + 1);
    console.log(`[cluster-key-rate-limit] parallel: ${ok} of 40 admitted across two gateways`);
  });

  it("an IP limited on one gateway is limited on the other; other IPs are not", async () => {
    await redis.command("SET", "higress-cluster-key-rate-limit:cc:limit_by_per_ip:60:from-header-x-real-ip:192.0.2.1", String(N + 1), "EX", "60");
    expect((await http(a.url + "/z", { headers: [["x-real-ip", "192.0.2.1"]] })).status).toBe(429);
    expect((await http(b.url + "/z", { headers: [["x-real-ip", "192.0.2.1"]] })).status).toBe(429);
    expect((await http(b.url + "/z", { headers: [["x-real-ip", "192.0.2.2"]] })).status).toBe(200);
  });
});
