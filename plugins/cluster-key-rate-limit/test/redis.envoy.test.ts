// cluster-key-rate-limit in a real Envoy with Redis behind webdis, what is not a table row
// (cases.ts): the per-second window read off Redis, a concurrent burst, Redis stopped and Redis
// never answering (fail-open, every request answered and logged), random header values.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { RecordingUpstream, pluginWasm, http } from "../../../harness/src/index.js";
import { RedisServer } from "../../../harness/src/redis.js";
import { SilentServer, redisGet } from "../../../harness/src/redis-state.js";
import { useEnvoy } from "../../../harness/src/vitest.js";
import { K, N, config, routes } from "./cases.js";

const fx = { redis: undefined as RedisServer | undefined, up: undefined as RecordingUpstream | undefined, silent: undefined as SilentServer | undefined };
beforeAll(async () => {
  fx.redis = await RedisServer.start();
  fx.up = await RecordingUpstream.start();
  // A "Redis" that never answers: only the timeout can end the wait.
  fx.silent = await SilentServer.start();
});
afterAll(async () => {
  await fx.silent?.stop();
  await fx.up?.stop();
  await fx.redis?.stop();
});

const gw = useEnvoy(() => ({
  plugins: [{ name: "cluster-key-rate-limit", wasm: pluginWasm("cluster-key-rate-limit"), config }],
  routes: routes.map((r) => ({ name: r, prefix: `/${r}/`, cluster: "up" })),
  clusters: [
    { name: "up", port: fx.up!.port },
    { name: "outbound|6379||redis.static", port: fx.redis!.webdisPort },
    { name: "outbound|6379||silent.static", port: fx.silent!.port },
  ],
  useRemoteAddress: true,
}));

describe("cluster-key-rate-limit in Envoy: Redis windows, bursts and failures", () => {
  // No sleep and no timing window: the per-second window is read off Redis. The key must carry an
  // expiry of at most one second (a 60 s or missing expiry fails), a poll bounded generously then
  // sees it expire, and the next request opens a fresh window and passes.
  it("query_per_second: the window is a one-second key; once it expires requests pass again", async () => {
    const k = K("r-second", "global_threshold:1");
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await http(`${gw.url}/second/x`)).status);
    expect(statuses[0]).toBe(200);
    expect(statuses.every((s) => s === 200 || s === 429)).toBe(true);
    const pttl = Number(/^:(-?\d+)/.exec(await fx.redis!.command("PTTL", k))![1]);
    expect(pttl === -2 || (pttl > 0 && pttl <= 1000), `PTTL ${pttl}`).toBe(true); // -2: already expired
    for (const until = Date.now() + 20000; (await redisGet(fx.redis!, k)) !== null && Date.now() < until; ) await new Promise((r) => setTimeout(r, 50));
    expect(await redisGet(fx.redis!, k)).toBeNull();
    expect((await http(`${gw.url}/second/x`)).status).toBe(200);
  });

  it("concurrent burst: exactly N of 12 parallel requests pass", async () => {
    const rs = await Promise.all(Array.from({ length: 12 }, () => http(`${gw.url}/perhdr/burst`, { headers: [["x-user", "burst-user"]] })));
    expect(rs.filter((r) => r.status === 200).length).toBe(N);
    expect(rs.filter((r) => r.status === 429).length).toBe(12 - N);
  });

  // Bounded by the test timeout, not by a measured duration: nothing but the plugin's Redis answer
  // (or its 500 ms callout timeout) ends a request the plugin holds, so a plugin that waits
  // forever fails this test by timing out. The hourly global key is over its limit by now, so its
  // 200 can only be fail-open, and each request's log line must say it let the request pass.
  it("Redis stopped: requests pass (fail-open), each answered and logged; limits apply again after", async () => {
    // The hourly global key over its limit first, so a 200 there can only be fail-open.
    for (let i = 0; i <= N; i++) await http(`${gw.url}/global/pre-${i}`);
    expect((await http(`${gw.url}/global/over`)).status).toBe(503);
    await fx.redis!.stopRedis();
    try {
      const rs = await Promise.all([http(`${gw.url}/open/x`), http(`${gw.url}/hdr/x`, { headers: [["x-api-key", "k1"]] }), http(`${gw.url}/global/x`)]);
      expect(rs.map((r) => r.status)).toEqual([200, 200, 200]);
      // Envoy replaces the client's x-request-id here (use_remote_address), so each request's line
      // is told apart by the Redis key it names.
      for (const k of [K("r-open", "global_threshold:60"), K("r-hdr", "limit_by_header:60:x-api-key:k1"), K("r-global", "global_threshold:3600")]) {
        await gw.envoy.waitForLog(new RegExp(`redis call failed: .*; letting the request pass \\(${k}\\)`));
      }
    } finally {
      await fx.redis!.startRedis();
    }
    // Redis is back (empty): once webdis has reconnected, counting resumes one per request.
    const k = K("r-open", "global_threshold:60");
    const deadline = Date.now() + 20000; // a poll bound, generous for a loaded machine
    while (Date.now() < deadline && (await redisGet(fx.redis!, k)) === null) {
      expect((await http(`${gw.url}/open/x`)).status).toBe(200);
      await new Promise((r) => setTimeout(r, 100));
    }
    const before = (await redisGet(fx.redis!, k))!;
    expect(before).toBeGreaterThanOrEqual(1);
    expect((await http(`${gw.url}/open/x`)).status).toBe(200);
    expect(await redisGet(fx.redis!, k)).toBe(before + 1);
  });

  it("random header values: each first request passes, nothing traps", async () => {
    const rnd = (n: number) => Array.from({ length: 1 + Math.floor(Math.random() * n) }, () => String.fromCharCode(0x21 + Math.floor(Math.random() * 94))).join("");
    for (let i = 0; i < 60; i++) {
      const v = `fz${i}-${rnd(40)}`;
      const r = await http(`${gw.url}/perhdr/f`, { headers: [["x-user", v]] });
      expect(r.status, v).toBe(200);
      expect(await redisGet(fx.redis!, K("r-perhdr", `limit_by_per_header:60:x-user:${v}`)), v).toBe(1);
    }
  });

  // Only the plugin's callout timeout can end these requests: the silent server never answers and
  // nothing else ends a request the plugin holds. Without that timeout the test times out (the
  // bound is the test timeout, never a measured duration), and each request must add one log line
  // that names the timeout as why Redis gave no answer. That the timeout is exactly the configured
  // 300 ms is checked on the emulator's clock (emulator.test.ts).
  it("Redis never answers: each request passes once the configured timeout ends the wait (fail-open)", async () => {
    const line = /redis call failed: cannot get redis response: timeout; letting the request pass \(higress-cluster-key-rate-limit:r-hang:global_threshold:60\)/g;
    const lines = () => gw.envoy.log.match(line)?.length ?? 0;
    for (let i = 0; i < 3; i++) {
      const before = lines();
      const r = await http(`${gw.url}/hang/x`);
      expect(r.status).toBe(200);
      for (const until = Date.now() + 15000; lines() === before && Date.now() < until; ) await new Promise((res) => setTimeout(res, 25));
      expect(lines()).toBe(before + 1);
    }
  });

  it("the VM never trapped", async () => {
    await gw.envoy.settleLog();
    expect(gw.envoy.log).not.toMatch(/wasm trap|Function: proxy_on_\w+ failed|sluice: abort|RuntimeError/i);
  });
});

