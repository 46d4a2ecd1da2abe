// cluster-key-rate-limit on the emulator, both targets, two gateways sharing one real Redis:
// the higress build through proxy_redis_*, the envoy build through webdis. Exactly N requests are
// admitted across both, then 429.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { pluginWasm } from "../../../harness/src/index.js";
import { RedisServer } from "../../../harness/src/redis.js";
import { Emulator } from "../../../harness/src/emulator/index.js";

const CLUSTER = "outbound|6379||redis.dns";
const N = 4;
let redis: RedisServer;
beforeAll(async () => {
  redis = await RedisServer.start();
});
afterAll(async () => redis?.stop());

for (const target of ["envoy", "higress"] as const) {
  describe(`cluster-key-rate-limit on the emulator (${target})`, () => {
    it(`admits exactly ${N} requests per IP across two gateways, then 429`, async () => {
      const config = { rule_name: `emu-${target}`, redis: { service_name: "redis.dns", timeout: 1000 }, rule_items: [{ limit_by_per_ip: "from-header-x-real-ip", limit_keys: [{ key: "0.0.0.0/0", query_per_minute: N }] }] };
      const clusters = { [CLUSTER]: target === "higress" ? `redis://127.0.0.1:${redis.redisPort}` : redis.webdisUrl };
      const gws = [await Emulator.load(pluginWasm("cluster-key-rate-limit", target), { target, config, clusters }), await Emulator.load(pluginWasm("cluster-key-rate-limit", target), { target, config, clusters })];
      const statuses: number[] = [];
      for (let i = 0; i < N + 3; i++) statuses.push((await gws[i % 2].request({ path: "/", headers: { "x-real-ip": "198.51.100.7" } })).status);
      expect(statuses.filter((s) => s === 200)).toHaveLength(N);
      expect(statuses.slice(N)).toEqual([429, 429, 429]);
      // Another address has its own counter.
      expect((await gws[0].request({ path: "/", headers: { "x-real-ip": "198.51.100.8" } })).status).toBe(200);
      for (const g of gws) {
        expect(g.traps).toEqual([]);
        g.close();
      }
    });
  });
}
