// cluster-key-rate-limit in a real Envoy with Redis behind webdis: a case table over every key
// source (header, param, consumer, cookie, their limit_by_per_* forms, per-IP CIDRs from a header
// or the peer, global_threshold), Higress's Redis keys and counts (N allowed, then 429), the
// X-RateLimit-* headers, attacks (header case, duplicates, encoded params, key in header vs query,
// spoofed X-Forwarded-For), Redis down (fail-open, every request answered) and bad configurations.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { Envoy, RecordingUpstream, pluginWasm, http, type HttpResult } from "../../../harness/src/index.js";
import { RedisServer } from "../../../harness/src/redis.js";
import { useEnvoy } from "../../../harness/src/vitest.js";
import { createServer, type Server, type Socket } from "node:net";

const fx = { redis: undefined as RedisServer | undefined, up: undefined as RecordingUpstream | undefined, silent: undefined as Server | undefined, silentPort: 0 };
const held: Socket[] = [];
beforeAll(async () => {
  fx.redis = await RedisServer.start();
  fx.up = await RecordingUpstream.start();
  // A Redis front that accepts connections and never answers: only the timeout ends the wait.
  fx.silent = createServer((sock) => { held.push(sock); sock.on("error", () => undefined); });
  await new Promise<void>((r) => fx.silent!.listen(0, "127.0.0.1", r));
  fx.silentPort = (fx.silent.address() as { port: number }).port;
});
afterAll(async () => {
  for (const s of held) s.destroy();
  await new Promise((r) => fx.silent?.close(r));
  await fx.up?.stop();
  await fx.redis?.stop();
});

// Redis must answer for these tests to mean anything: a callout timeout far above any machine's
// latency, so a loaded machine is never taken for a Redis outage (failing open or closed has its
// own tests, with a Redis that never answers).
const redisBlock = { service_name: "redis.static", service_port: 6379, timeout: 10000 };
const N = 3;
const rule = (route: string, name: string, extra: Record<string, unknown>) => ({ _match_route_: [route], rule_name: name, redis: redisBlock, ...extra });
const perMinute = (key: string, n = N) => ({ key, query_per_minute: n });

const config = {
  _rules_: [
    rule("hdr", "r-hdr", { rule_items: [{ limit_by_header: "x-api-key", limit_keys: [perMinute("k1"), perMinute("k-dup")] }] }),
    rule("param", "r-param", { rule_items: [{ limit_by_param: "apikey", limit_keys: [perMinute("p1"), perMinute("p 2")] }] }),
    rule("perhdr", "r-perhdr", { rule_items: [{ limit_by_per_header: "x-user", limit_keys: [perMinute("regexp:^vip-", 1000), perMinute("*")] }] }),
    rule("perparam", "r-perparam", { rule_items: [{ limit_by_per_param: "uid", limit_keys: [perMinute("*")] }] }),
    rule("consumer", "r-consumer", { rule_items: [{ limit_by_consumer: "", limit_keys: [perMinute("alice")] }] }),
    rule("perconsumer", "r-perconsumer", { rule_items: [{ limit_by_per_consumer: "", limit_keys: [perMinute("*")] }] }),
    rule("cookie", "r-cookie", { rule_items: [{ limit_by_cookie: "session", limit_keys: [perMinute("s1")] }] }),
    rule("percookie", "r-percookie", { rule_items: [{ limit_by_per_cookie: "session", limit_keys: [perMinute("*")] }] }),
    rule("ip", "r-ip", { rule_items: [{ limit_by_per_ip: "from-header-x-real-ip", limit_keys: [perMinute("10.0.0.0/8"), perMinute("2001:db8::/32")] }] }),
    rule("peer", "r-peer", { rule_items: [{ limit_by_per_ip: "from-remote-addr", limit_keys: [perMinute("127.0.0.0/8")] }] }),
    rule("multi", "r-multi", { rule_items: [
      { limit_by_header: "x-tier", limit_keys: [perMinute("gold", 5)] },
      { limit_by_per_param: "uid", limit_keys: [perMinute("*", 2)] },
    ] }),
    rule("global", "r-global", { global_threshold: { query_per_hour: N }, rejected_code: 503, rejected_msg: "slow down" }),
    rule("quota", "r-quota", { global_threshold: { query_per_minute: N }, show_limit_quota_header: true }),
    rule("second", "r-second", { global_threshold: { query_per_second: 2 } }),
    rule("open", "r-open", { global_threshold: { query_per_minute: 100000 } }),
    { _match_route_: ["hang"], rule_name: "r-hang", redis: { service_name: "silent.static", service_port: 6379, timeout: 300 }, global_threshold: { query_per_minute: 1 } },
  ],
};

const routes = ["hdr", "param", "perhdr", "perparam", "consumer", "perconsumer", "cookie", "percookie", "ip", "peer", "multi", "global", "quota", "second", "open", "hang"];
const gw = useEnvoy(() => ({
  plugins: [{ name: "cluster-key-rate-limit", wasm: pluginWasm("cluster-key-rate-limit"), config }],
  routes: routes.map((r) => ({ name: r, prefix: `/${r}/`, cluster: "up" })),
  clusters: [
    { name: "up", port: fx.up!.port },
    { name: "outbound|6379||redis.static", port: fx.redis!.webdisPort },
    { name: "outbound|6379||silent.static", port: fx.silentPort },
  ],
  useRemoteAddress: true,
}));

async function redisGet(key: string): Promise<number | null> {
  const r = await fx.redis!.command("GET", key);
  if (r.startsWith("$-1")) return null;
  return Number(/^\$\d+\r\n(-?\d+)\r\n/.exec(r)![1]);
}
async function redisTtl(key: string): Promise<number> {
  return Number(/^:(-?\d+)/.exec(await fx.redis!.command("TTL", key))![1]);
}

type Req = { path: string; headers?: [string, string][] };
interface Case {
  name: string;
  /** The i-th request (i from 0). */
  req: (i: number) => Req;
  /** Requests admitted before the first 429 (null: never limited within `count` requests). */
  allowed: number | null;
  count?: number;
  /** The Redis key (Higress's layout) and the value it must hold after the run. */
  key?: string;
  code?: number;
  msg?: string;
}
const K = (rule: string, rest: string) => `higress-cluster-key-rate-limit:${rule}:${rest}`;

const cases: Case[] = [
  { name: "limit_by_header: N allowed, then 429", req: () => ({ path: "/hdr/a", headers: [["x-api-key", "k1"]] }), allowed: N, key: K("r-hdr", "limit_by_header:60:x-api-key:k1") },
  { name: "limit_by_header: an unlisted value is not limited", req: () => ({ path: "/hdr/a", headers: [["x-api-key", "k2"]] }), allowed: null, count: N + 3 },
  { name: "limit_by_header: header name case does not open a second counter", req: (i) => ({ path: "/hdr/b", headers: [[["x-api-key", "X-API-KEY", "X-Api-Key"][i % 3], "k-dup"]] }), allowed: N, key: K("r-hdr", "limit_by_header:60:x-api-key:k-dup") },
  { name: "limit_by_param: N allowed, then 429", req: () => ({ path: "/param/a?apikey=p1" }), allowed: N, key: K("r-param", "limit_by_param:60:apikey:p1") },
  { name: "limit_by_param: percent-encoded and plus-encoded values are the same key", req: (i) => ({ path: ["/param/a?apikey=p+2", "/param/a?x=1&apikey=p%202", "/param/a?apikey=%70%20%32&apikey=zz"][i % 3] }), allowed: N, key: K("r-param", "limit_by_param:60:apikey:p 2") },
  { name: "limit_by_param: the key in a header (not the query) is not counted", req: () => ({ path: "/param/a?other=1", headers: [["apikey", "p1"]] }), allowed: null, count: N + 3 },
  { name: "limit_by_per_header *: every user counted apart", req: (i) => ({ path: "/perhdr/a", headers: [["x-user", i < N + 2 ? "u1" : "u2"]] }), allowed: N, count: N + 2, key: K("r-perhdr", "limit_by_per_header:60:x-user:u1") },
  { name: "limit_by_per_header regexp: first matching key wins (vip- has a high limit)", req: () => ({ path: "/perhdr/a", headers: [["x-user", "vip-1"]] }), allowed: null, count: N + 3, key: K("r-perhdr", "limit_by_per_header:60:x-user:vip-1") },
  { name: "limit_by_per_header: duplicate lines — the first line is the key", req: (i) => ({ path: "/perhdr/a", headers: [["x-user", "dup-a"], ["x-user", `dup-b${i}`]] }), allowed: N, key: K("r-perhdr", "limit_by_per_header:60:x-user:dup-a") },
  { name: "limit_by_per_header: URL-special characters stay one exact key (webdis path)", req: () => ({ path: "/perhdr/a", headers: [["x-user", "a/b.c%2F?x#y &z=..\\"]] }), allowed: N, key: K("r-perhdr", "limit_by_per_header:60:x-user:a/b.c%2F?x#y &z=..\\") },
  { name: "limit_by_per_param *: per value", req: () => ({ path: "/perparam/a?uid=42" }), allowed: N, key: K("r-perparam", "limit_by_per_param:60:uid:42") },
  { name: "limit_by_per_param: a double-encoded value is its own key (decoded once)", req: () => ({ path: "/perparam/a?uid=%2534" }), allowed: N, key: K("r-perparam", "limit_by_per_param:60:uid:%34") },
  { name: "limit_by_consumer: the consumer header", req: () => ({ path: "/consumer/a", headers: [["x-mse-consumer", "alice"]] }), allowed: N, key: K("r-consumer", "limit_by_consumer:60:x-mse-consumer:alice") },
  { name: "limit_by_consumer: another consumer is not listed", req: () => ({ path: "/consumer/a", headers: [["x-mse-consumer", "bob"]] }), allowed: null, count: N + 2 },
  { name: "limit_by_per_consumer *", req: () => ({ path: "/perconsumer/a", headers: [["X-Mse-Consumer", "carol"]] }), allowed: N, key: K("r-perconsumer", "limit_by_per_consumer:60:x-mse-consumer:carol") },
  { name: "limit_by_cookie: among other cookies", req: () => ({ path: "/cookie/a", headers: [["cookie", "a=1; session=s1; b=2"]] }), allowed: N, key: K("r-cookie", "limit_by_cookie:60:session:s1") },
  { name: "limit_by_per_cookie *", req: () => ({ path: "/percookie/a", headers: [["cookie", "session=xyz"]] }), allowed: N, key: K("r-percookie", "limit_by_per_cookie:60:session:xyz") },
  { name: "limit_by_per_ip from a header: the first address of the list", req: (i) => ({ path: "/ip/a", headers: [["x-real-ip", `10.1.2.3, 8.8.8.${i}`]] }), allowed: N, key: K("r-ip", "limit_by_per_ip:60:from-header-x-real-ip:10.1.2.3") },
  { name: "limit_by_per_ip: IPv6 keys are canonical (zero runs compressed)", req: () => ({ path: "/ip/a", headers: [["x-real-ip", "2001:0DB8:0:0:0:0:0:7"]] }), allowed: N, key: K("r-ip", "limit_by_per_ip:60:from-header-x-real-ip:2001:db8::7") },
  { name: "limit_by_per_ip: an address outside every CIDR is not limited", req: () => ({ path: "/ip/a", headers: [["x-real-ip", "192.168.0.1"]] }), allowed: null, count: N + 2 },
  { name: "limit_by_per_ip from-remote-addr: spoofed X-Forwarded-For changes nothing", req: (i) => ({ path: "/peer/a", headers: [["x-forwarded-for", `10.9.9.${i}`]] }), allowed: N, key: K("r-peer", "limit_by_per_ip:60:from-remote-addr:127.0.0.1") },
  { name: "several rule items: the first that matches decides", req: (i) => ({ path: "/multi/a?uid=m1", headers: [["x-tier", "gold"]] }), allowed: 5, key: K("r-multi", "limit_by_header:60:x-tier:gold") },
  { name: "several rule items: falls through to the next item", req: () => ({ path: "/multi/a?uid=m2", headers: [["x-tier", "silver"]] }), allowed: 2, key: K("r-multi", "limit_by_per_param:60:uid:m2") },
  { name: "global_threshold per hour with rejected_code/rejected_msg", req: (i) => ({ path: `/global/${i}` }), allowed: N, key: K("r-global", "global_threshold:3600"), code: 503, msg: "slow down" },
];

function rejectedOk(r: HttpResult, c: Case) {
  expect(r.status).toBe(c.code ?? 429);
  expect(r.body).toBe(c.msg ?? "Too many requests");
  expect(Number(r.headers["x-ratelimit-reset"])).toBeGreaterThan(0);
}

describe("cluster-key-rate-limit in Envoy", () => {
  it.each(cases)("$name", async (c) => {
    const count = c.count ?? (c.allowed ?? 0) + 2;
    const statuses: number[] = [];
    for (let i = 0; i < count; i++) {
      const q = c.req(i);
      const r = await http(gw.url + q.path, { headers: q.headers });
      statuses.push(r.status);
      if (c.allowed !== null && i >= c.allowed) rejectedOk(r, c);
    }
    const want = Array.from({ length: count }, (_, i) => (c.allowed === null || i < c.allowed ? 200 : c.code ?? 429));
    expect(statuses).toEqual(want);
    if (c.key) {
      // The request that crossed the threshold was counted, later rejections were not.
      expect(await redisGet(c.key)).toBe(c.allowed === null ? count : c.allowed + 1);
      const ttl = await redisTtl(c.key);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(c.key.includes(":3600") ? 3600 : 60);
    }
  });

  it("show_limit_quota_header: Limit/Remaining count down, the refusal says Remaining 0 and Reset", async () => {
    const seen: [number, string | undefined, string | undefined][] = [];
    for (let i = 0; i < N + 1; i++) {
      const r = await http(`${gw.url}/quota/x`);
      seen.push([r.status, r.headers["x-ratelimit-limit"] as string, r.headers["x-ratelimit-remaining"] as string]);
      if (r.status === 429) {
        expect(Number(r.headers["x-ratelimit-reset"])).toBeGreaterThan(0);
        expect(Number(r.headers["x-ratelimit-reset"])).toBeLessThanOrEqual(60);
      }
    }
    expect(seen).toEqual([[200, "3", "2"], [200, "3", "1"], [200, "3", "0"], [429, "3", "0"]]);
  });

  it("without show_limit_quota_header no quota headers are sent on passes", async () => {
    const r = await http(`${gw.url}/hdr/q`, { headers: [["x-api-key", "k3-unlisted"]] });
    expect(r.headers["x-ratelimit-limit"]).toBeUndefined();
    const r2 = await http(`${gw.url}/param/q?apikey=p1`);
    expect(r2.status).toBe(429);
    expect(r2.headers["x-ratelimit-limit"]).toBeUndefined();
  });

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
    for (const until = Date.now() + 20000; (await redisGet(k)) !== null && Date.now() < until; ) await new Promise((r) => setTimeout(r, 50));
    expect(await redisGet(k)).toBeNull();
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
    while (Date.now() < deadline && (await redisGet(k)) === null) {
      expect((await http(`${gw.url}/open/x`)).status).toBe(200);
      await new Promise((r) => setTimeout(r, 100));
    }
    const before = (await redisGet(k))!;
    expect(before).toBeGreaterThanOrEqual(1);
    expect((await http(`${gw.url}/open/x`)).status).toBe(200);
    expect(await redisGet(k)).toBe(before + 1);
  });

  it("random header values: each first request passes, nothing traps", async () => {
    const rnd = (n: number) => Array.from({ length: 1 + Math.floor(Math.random() * n) }, () => String.fromCharCode(0x21 + Math.floor(Math.random() * 94))).join("");
    for (let i = 0; i < 60; i++) {
      const v = `fz${i}-${rnd(40)}`;
      const r = await http(`${gw.url}/perhdr/f`, { headers: [["x-user", v]] });
      expect(r.status, v).toBe(200);
      expect(await redisGet(K("r-perhdr", `limit_by_per_header:60:x-user:${v}`)), v).toBe(1);
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

describe("cluster-key-rate-limit with a bad configuration", () => {
  const base = { rule_name: "r", redis: redisBlock };
  for (const [name, bad, why] of [
    ["no redis", { rule_name: "r", global_threshold: { query_per_second: 1 } }, "missing redis in config"],
    ["no rule_name", { redis: redisBlock, global_threshold: { query_per_second: 1 } }, "missing rule_name in config"],
    ["both global_threshold and rule_items", { ...base, global_threshold: { query_per_second: 1 }, rule_items: [{ limit_by_header: "x", limit_keys: [perMinute("a")] }] }, "cannot be set at the same time"],
    ["token_per_* instead of query_per_*", { ...base, global_threshold: { token_per_second: 1 } }, "'query_per_second', 'query_per_minute', 'query_per_hour', or 'query_per_day' must be set"],
    ["a bad CIDR", { ...base, rule_items: [{ limit_by_per_ip: "from-remote-addr", limit_keys: [perMinute("10.0.0.0/40")] }] }, "failed to parse IPNet"],
    ["a bad regexp key", { ...base, rule_items: [{ limit_by_per_header: "x", limit_keys: [perMinute("regexp:(a")] }] }, "failed to compile regex"],
    ["a plain key on a per_ type", { ...base, rule_items: [{ limit_by_per_param: "x", limit_keys: [perMinute("abc")] }] }, "must start with 'regexp:' or be exactly '*'"],
    ["a bad rejected_code", { ...base, global_threshold: { query_per_second: 1 }, rejected_code: 99 }, "rejected_code must be an HTTP status code"],
  ] as const) {
    it(`refuses to start: ${name}`, async () => {
      let log = "";
      await expect(
        Envoy.start(
          { plugins: [{ name: "cluster-key-rate-limit", wasm: pluginWasm("cluster-key-rate-limit"), config: bad }], routes: [{ name: "r", cluster: "up" }], clusters: [{ name: "up", port: fx.up!.port }] },
          { allowStartFailure: true },
        ).catch((e) => {
          log = (e as { envoyLog?: string }).envoyLog ?? "";
          throw e;
        }),
      ).rejects.toThrow(/did not start/);
      expect(log).toContain("plugin start failed");
      expect(log).toContain(why);
    });
  }
});
