// The Redis client on the higress target (proxy_redis_init/call, buffer 9), run in the emulator
// (Higress's Envoy cannot run here) against a real password-protected redis-server.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { testPluginWasm } from "../../harness/src/tools.js";
import { RedisServer } from "../../harness/src/redis.js";
import { Emulator } from "../../harness/src/emulator/index.js";

let redis: RedisServer;
let host: Emulator;
const CLUSTER = "outbound|6379||redis.dns";
beforeAll(async () => {
  redis = await RedisServer.start({ password: "pw-123" });
  host = await Emulator.load(testPluginWasm("sdk-probe", "higress"), {
    config: { redis_cluster: CLUSTER, redis_password: "pw-123", redis_db: 2 },
    clusters: { [CLUSTER]: `redis://127.0.0.1:${redis.redisPort}` },
  });
});
afterAll(async () => {
  host?.close();
  await redis?.stop();
});

const call = async (op: string, args: unknown[]) =>
  JSON.parse((await host.request({ path: "/redis", headers: { "x-probe-redis": op, "x-probe-args": JSON.stringify(args) } })).body);

describe("Redis on the higress target", () => {
  it("authenticates with the configured password and uses the configured database", async () => {
    expect(await call("set", ["hk", "in-db2"])).toMatchObject({ ok: true, value: { simple: "OK" } });
    expect(await redis.command("GET", "hk")).toBe("$-1\r\n"); // not in db 0
    const viaWebdisDb2 = await (await fetch(`${redis.webdisUrl}/2/GET/hk.raw`)).text();
    expect(viaWebdisDb2).toBe("$6\r\nin-db2\r\n");
  });

  it("gives the same result values as the webdis transport (nested EVAL reply, nil in MGET)", async () => {
    await call("set", ["m1", "a"]);
    expect((await call("mget", ["m1", "missing"])).value).toEqual(["a", null]);
    const script = "return {KEYS[1], tonumber(ARGV[1]) + 1, {false, 'x'}, {ok='fine'}}";
    expect((await call("eval", [script, 1, "k", "41"])).value).toEqual(["k", { int: "42" }, [null, "x"], { simple: "fine" }]);
  });

  it("NOAUTH: re-initializes and resends once; the handler sees only the retry's reply", async () => {
    await call("set", ["auth-k", "after-reauth"]);
    const inits = host.hostCalls.get("proxy_redis_init") ?? 0;
    host.failNextRedis({ error: "NOAUTH Authentication required." });
    const r = await call("get", ["auth-k"]);
    expect(r).toMatchObject({ ok: true, value: "after-reauth" });
    expect(host.hostCalls.get("proxy_redis_init")).toBe(inits + 1);
  });

  it("a second NOAUTH in a row is delivered as the error (one retry only)", async () => {
    host.failNextRedis({ error: "NOAUTH Authentication required." });
    host.failNextRedis({ error: "NOAUTH Authentication required." });
    expect(await call("get", ["auth-k"])).toMatchObject({ ok: false, error: "NOAUTH Authentication required." });
  });
});
