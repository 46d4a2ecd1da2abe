// The Redis client on the envoy target: real redis-server behind webdis, reached from the
// sdk-probe plugin in a real Envoy. The probe answers each request with the RedisResult as JSON.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { RecordingUpstream, http } from "../../harness/src/index.js";
import { RedisServer } from "../../harness/src/redis.js";
import { testPluginWasm } from "../../harness/src/tools.js";
import { useEnvoy } from "../../harness/src/vitest.js";

const fx = { up: undefined as RecordingUpstream | undefined, redis: undefined as RedisServer | undefined };
beforeAll(async () => {
  fx.up = await RecordingUpstream.start();
  fx.redis = await RedisServer.start({ password: "s3cret" });
});
afterAll(async () => {
  await fx.up?.stop();
  await fx.redis?.stop();
});

const gw = useEnvoy(() => ({
  plugins: [{
    name: "sdk-probe",
    wasm: testPluginWasm("sdk-probe"),
    // The route "db3" gets its own client on database 3.
    config: {
      redis_cluster: "webdis",
      redis_timeout_ms: 2000,
      _rules_: [
        { _match_route_: ["db3"], redis_cluster: "webdis", redis_db: 3 },
        { _match_route_: ["short"], redis_cluster: "webdis", redis_timeout_ms: 100 },
        // Not webdis at all: the echo upstream answers 200 with JSON.
        { _match_route_: ["wrong"], redis_cluster: "up" },
        // A cluster Envoy does not have: the call is refused at once.
        { _match_route_: ["nocluster"], redis_cluster: "nope" },
      ],
    },
  }],
  routes: [
    { name: "db3", prefix: "/redis-db3", cluster: "up" },
    { name: "short", prefix: "/redis-short", cluster: "up" },
    { name: "wrong", prefix: "/redis-wrong", cluster: "up" },
    { name: "nocluster", prefix: "/redis-nocluster", cluster: "up" },
    { name: "main", prefix: "/", cluster: "up" },
  ],
  clusters: [
    { name: "up", port: fx.up!.port },
    { name: "webdis", port: fx.redis!.webdisPort },
  ],
}));

interface Result { ok: boolean; error: string | null; failure: string; value: unknown }

async function redis(op: string, args: unknown[], path = "/redis"): Promise<Result> {
  // Header values must be ASCII: escape the rest as JSON \u sequences.
  const json = JSON.stringify(args).replace(/[\u007f-\uffff]/g, (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"));
  const r = await http(gw.url + path, { headers: [["x-probe-redis", op], ["x-probe-args", json]] });
  expect(r.status, r.body).toBe(200);
  return JSON.parse(r.body) as Result;
}

describe("Redis through webdis (envoy target)", () => {
  it("SET then GET, and GET of a missing key is nil", async () => {
    expect(await redis("set", ["k1", "hello world / with . dots + plus"])).toMatchObject({ ok: true, value: { simple: "OK" } });
    expect((await redis("get", ["k1"])).value).toBe("hello world / with . dots + plus");
    expect(await redis("get", ["missing"])).toMatchObject({ ok: true, error: null, value: null });
    // Really in Redis, not only in webdis.
    expect(await fx.redis!.command("GET", "k1")).toContain("hello world / with . dots + plus");
  });

  it("stores binary-unsafe and empty values faithfully", async () => {
    const v = 'quote " backslash \\ unicode é 中文 %2e %';
    await redis("set", ["k2", v]);
    expect((await redis("get", ["k2"])).value).toBe(v);
    await redis("set", ["empty", ""]);
    expect((await redis("get", ["empty"])).value).toBe("");
  });

  it("a key in the path holding every code point 1–255 (UTF-8: '.', '/', '%', '?', '#', controls, bytes ≥ 0x80) is the key Redis stores", async () => {
    const key = "k:" + Array.from({ length: 255 }, (_, i) => String.fromCharCode(i + 1)).join("");
    await redis("set", [key, "every-byte"]);
    expect((await redis("get", [key])).value).toBe("every-byte");
    // Really under that key in Redis, not under a webdis reading of it.
    expect(await fx.redis!.command("GET", key)).toContain("every-byte");
    expect((await redis("eval", ["return KEYS[1]", 1, key])).value).toBe(key);
  });

  it("INCRBY, EXPIRE, SETEX, SET NX EX/PX and DEL", async () => {
    expect((await redis("incrby", ["n", 5])).value).toEqual({ int: "5" });
    expect((await redis("incrby", ["n", -7])).value).toEqual({ int: "-2" });
    expect((await redis("expire", ["n", 100])).value).toEqual({ int: "1" });
    expect(await fx.redis!.command("TTL", "n")).toMatch(/^:(9\d|100)\r\n/);
    expect((await redis("setex", ["sx", "v", 50])).value).toEqual({ simple: "OK" });
    expect((await redis("setnx", ["nx", "first", 30])).value).toEqual({ simple: "OK" });
    expect((await redis("setnx", ["nx", "second", 30])).value).toBeNull();
    expect((await redis("setnxpx", ["px", "v", 5000])).value).toEqual({ simple: "OK" });
    expect(await fx.redis!.command("PTTL", "px")).toMatch(/^:\d{4}\r\n/);
    expect((await redis("get", ["nx"])).value).toBe("first");
    expect((await redis("del", ["nx", "px", "nope"])).value).toEqual({ int: "2" });
  });

  it("MGET keeps nil elements in place (webdis's own raw output would drop them)", async () => {
    await redis("set", ["m1", "a"]);
    await redis("set", ["m3", "c"]);
    expect((await redis("mget", ["m1", "m2", "m3"])).value).toEqual(["a", null, "c"]);
  });

  it("hashes and sorted sets", async () => {
    expect((await redis("hset", ["h", "f", "v"])).value).toEqual({ int: "1" });
    expect((await redis("hget", ["h", "f"])).value).toBe("v");
    expect((await redis("hincrby", ["h", "count", 3])).value).toEqual({ int: "3" });
    for (const [score, m] of [[10, "a"], [20, "b"], [30, "c"], [2.5, "frac"]] as const) await redis("zadd", ["z", score, m]);
    expect((await redis("zrangebyscore", ["z", "-inf", "+inf"])).value).toEqual(["frac", "a", "b", "c"]);
    expect((await redis("zrangebyscore", ["z", "(10", "30"])).value).toEqual(["b", "c"]);
    expect((await redis("zremrangebyscore", ["z", "-inf", "15"])).value).toEqual({ int: "2" });
    expect((await redis("zrangebyscore", ["z", "-inf", "+inf"])).value).toEqual(["b", "c"]);
  });

  it("EVAL with keys and args returns nested replies exactly", async () => {
    const script = "redis.call('SET', KEYS[1], ARGV[1]) return {KEYS[1], ARGV[2], tonumber(ARGV[1]) + 1, {redis.call('GET', KEYS[1]), false}, {ok='fine'}}";
    const r = await redis("eval", [script, 1, "evk", "41", "second"]);
    expect(r.ok).toBe(true);
    // Lua false inside a table is a nil element, as Redis itself converts it.
    expect(r.value).toEqual(["evk", "second", { int: "42" }, ["41", null], { simple: "fine" }]);
    expect(await fx.redis!.command("GET", "evk")).toContain("41");
  });

  it("a rate-limit style script: INCR + EXPIRE atomically", async () => {
    const script = "local c = redis.call('INCR', KEYS[1]) if c == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end return c";
    for (let i = 1; i <= 3; i++) expect((await redis("eval", [script, 1, "rl:user", "60"])).value).toEqual({ int: String(i) });
  });

  it("each script's encoded form is kept per VM, never mixed up: scripts of the same length, every byte value in one", async () => {
    // The transport encodes a script once and keeps it (sdk/redis/webdis.ts): two scripts of the
    // same length that differ in one byte must each run as themselves, in any order, again and again.
    const a = "return {'a', KEYS[1], ARGV[1]}";
    const b = "return {'b', KEYS[1], ARGV[1]}";
    expect(a.length).toBe(b.length);
    for (let i = 0; i < 3; i++) {
      expect((await redis("eval", [a, 1, "ka", "x/y.z"])).value).toEqual(["a", "ka", "x/y.z"]);
      expect((await redis("eval", [b, 1, "kb", `v${i}`])).value).toEqual(["b", "kb", `v${i}`]);
    }
    // A script holding every printable ASCII byte and non-ASCII text survives the encoding.
    const printable = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join("").replace(/[\\']/g, "");
    const c = `local s = '${printable} é 漢' return {s, #s}`;
    const want = `${printable} é 漢`;
    for (let i = 0; i < 2; i++) expect((await redis("eval", [c, 0])).value).toEqual([want, { int: String(Buffer.byteLength(want)) }]);
    // More distinct scripts than either cache keeps (32 texts, 32 segments): each still runs as itself.
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 40; i++) expect((await redis("eval", [`return {'s${i}', ARGV[1]}`, 0, `r${round}`])).value).toEqual([`s${i}`, `r${round}`]);
    }
  });

  it("EVALSHA runs a loaded script", async () => {
    const sha = (await fx.redis!.command("SCRIPT", "LOAD", "return ARGV[1] .. KEYS[1]")).split("\r\n")[1];
    expect((await redis("evalsha", [sha, 1, "K", "prefix-"])).value).toBe("prefix-K");
  });

  it("Redis error replies are values: wrong type, unknown command, script error", async () => {
    await redis("set", ["str", "x"]);
    const wrong = await redis("incrby", ["str", 1]);
    expect(wrong.ok).toBe(false);
    expect(wrong.error).toMatch(/^ERR value is not an integer/);
    expect(wrong.value).toEqual({ error: wrong.error });
    // Unknown commands run inside the webdis transport's Lua wrapper, so Redis words it its way.
    const unknown = await redis("command", ["NOSUCHCOMMAND", "a"]);
    expect(unknown.error).toMatch(/^ERR Unknown Redis command called from script/);
    const script = await redis("eval", ["return redis.call('NOPE')", 0]);
    expect(script.ok).toBe(false);
    expect(script.error).toMatch(/Unknown Redis command called from script/);
    const wrongType = await redis("hget", ["str", "f"]);
    expect(wrongType.error).toMatch(/^WRONGTYPE/);
  });

  it("selects the configured database", async () => {
    await redis("set", ["dbkey", "in-db3"], "/redis-db3");
    expect((await redis("get", ["dbkey"], "/redis-db3")).value).toBe("in-db3");
    expect((await redis("get", ["dbkey"])).value).toBeNull();
    expect(await (await fetch(`${fx.redis!.webdisUrl}/3/GET/dbkey.raw`)).text()).toBe("$6\r\nin-db3\r\n");
  });

  it("raw commands", async () => {
    expect((await redis("command", ["PING"])).value).toEqual({ simple: "PONG" });
    expect((await redis("command", ["ECHO", "hi"])).value).toBe("hi");
  });

  it("20 concurrent commands: each request gets its own reply", async () => {
    await Promise.all(Array.from({ length: 20 }, (_, i) => redis("set", [`c${i}`, `v${i}`])));
    const got = await Promise.all(Array.from({ length: 20 }, (_, i) => redis("get", [`c${i}`])));
    got.forEach((r, i) => expect(r.value).toBe(`v${i}`));
  });

  it("a reply slower than the client's timeout is a timeout failure", async () => {
    // The script keeps Redis busy for ~400 ms; the "short" route's client waits 100 ms.
    const busy = "local t = redis.call('TIME') local start = t[1] * 1000000 + t[2] " +
      "repeat t = redis.call('TIME') until t[1] * 1000000 + t[2] - start > 400000 return 1";
    const r = await redis("eval", [busy, 0], "/redis-short");
    expect(r).toMatchObject({ ok: false, value: null, failure: "cannot get redis response: timeout" });
    // Redis queues other clients' commands until the script ends: a PONG means it is free again.
    const deadline = Date.now() + 5000;
    while ((await fx.redis!.command("PING")) !== "+PONG\r\n" && Date.now() < deadline) await new Promise((res) => setTimeout(res, 20));
  });

  it("a cluster Envoy does not have: refused at once, the reason names the cluster, no callback", async () => {
    const r = await http(gw.url + "/redis-nocluster", { headers: [["x-probe-redis", "get"], ["x-probe-args", '["k"]']] });
    expect(r.status).toBe(503);
    expect(r.body).toBe("redis refused (BadArgument): http call to cluster 'nope' refused: BadArgument");
  });

  it("an answer that is not RESP is a failure value, not a trap", async () => {
    const r = await redis("get", ["x"], "/redis-wrong");
    expect(r.ok).toBe(false);
    expect(r.failure).toMatch(/^cannot read redis response: unknown type byte/);
  });

  it("never trapped", async () => {
    await gw.envoy.settleLog();
    expect(gw.envoy.log).not.toMatch(/sluice: abort|wasm_fail_stream|Function: proxy_on_.* failed/);
  });
});

// Last: Redis goes away. Every request is still answered, with a failure value.
describe("Redis down", () => {
  it("answers every request with 'cannot connect to redis cluster'", async () => {
    await fx.redis!.stopRedis();
    const results = await Promise.all(Array.from({ length: 5 }, (_, i) => redis("get", [`k${i}`])));
    for (const r of results) {
      expect(r.ok).toBe(false);
      expect(r.value).toBeNull();
      expect(r.failure).toBe("cannot connect to redis cluster");
    }
  });

  it("and with webdis down too, requests are still answered", async () => {
    await fx.redis!.stop();
    const r = await redis("set", ["a", "b"]);
    expect(r.ok).toBe(false);
    expect(r.failure).not.toBe("");
    await gw.envoy.settleLog();
    expect(gw.envoy.log).not.toMatch(/sluice: abort|wasm_fail_stream/);
  });
});
