// replay-protection with its Redis stopped or silent: Higress's code lets the request pass when
// the Redis call fails (fail-open), so a replay goes through while Redis is down, and detection is
// back once it runs again. A real redis-server, stopped and restarted: on Envoy and the emulator's
// envoy build through webdis (which then answers 503), on the emulator's higress build natively.
// A "Redis" that accepts connections and never answers (route /hang) can only be ended by the
// configured timeout: a plugin that waited forever would fail by the test's own timeout.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { RecordingUpstream, pluginWasm, http } from "../../../harness/src/index.js";
import { Emulator } from "../../../harness/src/emulator/index.js";
import { RedisServer } from "../../../harness/src/redis.js";
import { redisGet, SilentServer } from "../../../harness/src/redis-state.js";
import { useEnvoy } from "../../../harness/src/vitest.js";
import { redis } from "./cases.js";

const CLUSTER = "outbound|6379||redis.static";
const SILENT = "outbound|6379||silent.static";
const config = { force_nonce: true, redis, _rules_: [{ _match_route_: ["hang"], force_nonce: true, redis: { service_name: "silent.static", service_port: 6379, timeout: 300 } }] };
const FAIL_OPEN = /redis call (error|failed): .*; letting the request pass/;

const fx = { redis: [] as RedisServer[], up: undefined as RecordingUpstream | undefined, silent: undefined as SilentServer | undefined };
beforeAll(async () => {
  fx.up = await RecordingUpstream.start();
  fx.silent = await SilentServer.start();
  for (let i = 0; i < 3; i++) fx.redis.push(await RedisServer.start());
});
afterAll(async () => {
  for (const r of fx.redis) await r.stop();
  await fx.silent?.stop();
  await fx.up?.stop();
});

const gw = useEnvoy(() => ({
  plugins: [{ name: "replay-protection", wasm: pluginWasm("replay-protection"), config }],
  routes: [{ name: "hang", prefix: "/hang", cluster: "up" }, { name: "r", prefix: "/", cluster: "up" }],
  clusters: [{ name: "up", port: fx.up!.port }, { name: CLUSTER, port: fx.redis[0].webdisPort }, { name: SILENT, port: fx.silent!.port }],
}));

type Send = (nonce: string, path?: string) => Promise<{ status: number; body: string; logs: string }>;

async function scenario(send: Send, r: RedisServer, tag: string): Promise<void> {
  // A silent Redis: the same nonce twice, both passed once the 300 ms timeout ends each wait.
  for (let i = 0; i < 2; i++) {
    const hung = await send(`silent-${tag}-nonce`, "/hang/x");
    expect(hung.status).toBe(200);
    // Envoy and webdis say "timeout"; the emulator's native Redis client, whose handshake is never
    // answered, says it cannot connect. Either way the request passes.
    expect(hung.logs).toMatch(/redis call error: .*(timeout|cannot connect).*; letting the request pass/);
  }
  const n1 = `first-${tag}-nonce`;
  expect((await send(n1)).status).toBe(200);
  expect(await send(n1)).toMatchObject({ status: 429, body: "Replay Attack Detected" });
  await r.stopRedis();
  // The replay passes while Redis is down, and each such request says why in the log.
  const down = await send(n1);
  expect(down.status).toBe(200);
  expect(down.logs).toMatch(FAIL_OPEN);
  await r.startRedis();
  // Redis is back (empty): once the client side has reconnected (webdis does so on a later
  // command), a new nonce is stored again — a poll with fresh nonces, bounded generously.
  let n2 = "";
  for (let i = 0, deadline = Date.now() + 20000; Date.now() < deadline; i++) {
    n2 = `after-${tag}-nonce-${i}`;
    expect((await send(n2)).status).toBe(200);
    if ((await redisGet(r, `replay-protection:${n2}`)) === 1) break;
    await new Promise((res) => setTimeout(res, 100));
  }
  expect(await redisGet(r, `replay-protection:${n2}`)).toBe(1);
  expect(await send(n2)).toMatchObject({ status: 429, body: "Replay Attack Detected" });
}

describe("replay-protection with Redis stopped: fail-open, as Higress", () => {
  it("Envoy (Redis behind webdis)", async () => {
    await scenario(async (nonce, path = "/p") => {
      const before = gw.envoy.log.length;
      const r = await http(`${gw.url}${path}`, { headers: [["x-higress-nonce", nonce]] });
      await gw.envoy.settleLog();
      return { status: r.status, body: r.body, logs: gw.envoy.log.slice(before) };
    }, fx.redis[0], "envoy");
    expect(gw.envoy.log).not.toMatch(/sluice: abort|wasm trap|RuntimeError/);
  });

  for (const [i, target] of [[1, "envoy"], [2, "higress"]] as const) {
    it(`emulator (${target} build)`, async () => {
      const r = fx.redis[i];
      const host = await Emulator.load(pluginWasm("replay-protection", target), {
        target,
        config,
        pluginName: "replay-protection",
        routes: [{ name: "hang", prefix: "/hang", cluster: "up" }, { name: "r", prefix: "/", cluster: "up" }],
        clusters: {
          up: `http://127.0.0.1:${fx.up!.port}`,
          [CLUSTER]: target === "higress" ? `redis://127.0.0.1:${r.redisPort}` : r.webdisUrl,
          [SILENT]: `${target === "higress" ? "redis" : "http"}://127.0.0.1:${fx.silent!.port}`,
        },
      });
      try {
        await scenario(async (nonce, path = "/p") => {
          const res = await host.request({ path, headers: [["x-higress-nonce", nonce]] });
          expect(host.traps).toEqual([]);
          return { status: res.status, body: res.body, logs: res.logs.map((l) => l.message).join("\n") };
        }, r, target);
      } finally {
        host.close();
      }
    });
  }
});
