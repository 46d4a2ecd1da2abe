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
      const config = { rule_name: `emu-${target}`, redis: { service_name: "redis.dns", timeout: 10000 }, rule_items: [{ limit_by_per_ip: "from-header-x-real-ip", limit_keys: [{ key: "0.0.0.0/0", query_per_minute: N }] }] };
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

// The envoy build reaches Redis through a webdis callout. With the cluster answered by hand and
// never answered, only the callout's own timeout can end the wait, and the emulator fires it on
// its clock (advance()): the exact configured timeout is checked without any real time passing,
// so a slow machine cannot fail it, and a timeout that is ignored, defaulted or off by a unit can.
describe("cluster-key-rate-limit on the emulator (envoy): a Redis that never answers", () => {
  it("holds the request until exactly the configured 300 ms, then lets it pass (fail-open)", async () => {
    const config = { rule_name: "hang", redis: { service_name: "redis.dns", timeout: 300 }, global_threshold: { query_per_minute: 1 } };
    const host = await Emulator.load(pluginWasm("cluster-key-rate-limit", "envoy"), { target: "envoy", config, clusters: { [CLUSTER]: null } });
    const s = host.stream();
    s.sendRequestHeaders({ ":authority": "gw", ":path": "/", ":method": "GET", "x-request-id": "hang-1" }, true);
    expect(host.pendingHttpCalls()).toHaveLength(1);
    host.advance(299);
    expect(s.requestPaused).toBe(true);
    expect(s.upstream.headers).toBeNull();
    host.advance(1);
    expect(host.pendingHttpCalls()).toHaveLength(0);
    expect(s.upstream.complete).toBe(true);
    expect(s.localResponse).toBeNull();
    expect(host.logLines().join("\n")).toMatch(/\[hang-1\] redis call failed: cannot get redis response: timeout; letting the request pass/);
    s.complete();
    expect(host.traps).toEqual([]);
    host.close();
  });
});
