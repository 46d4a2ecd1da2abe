// The case table of cluster-key-rate-limit: every key source (header, param, consumer, cookie,
// their limit_by_per_* forms, per-IP CIDRs from a header or the peer, global_threshold), Higress's
// Redis keys and counts (N allowed, then 429), the X-RateLimit-* headers, attacks (header case,
// duplicates, encoded params, key in header vs query, spoofed X-Forwarded-For) and bad
// configurations. A case is a sequence of requests, one row per request, run in order on a real
// Envoy (Redis behind webdis) and on the emulator (both targets), each host with a Redis of its
// own, through harness/src/plugin-table.ts, which also demands the same answer from all three.
import { expect } from "vitest";
import type { Group, Observed, PluginTable, Row } from "../../../harness/src/plugin-table.js";

// Redis must answer for these tests to mean anything: a callout timeout far above any machine's
// latency, so a loaded machine is never taken for a Redis outage (failing open or closed has its
// own tests, with a Redis that never answers).
export const redisBlock = { service_name: "redis.static", service_port: 6379, timeout: 10000 };
export const N = 3;
const rule = (route: string, name: string, extra: Record<string, unknown>) => ({ _match_route_: [route], rule_name: name, redis: redisBlock, ...extra });
export const perMinute = (key: string, n = N) => ({ key, query_per_minute: n });

export const config = {
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

export const routes = ["hdr", "param", "perhdr", "perparam", "consumer", "perconsumer", "cookie", "percookie", "ip", "peer", "multi", "global", "quota", "second", "open", "hang"];

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
export const K = (rule: string, rest: string) => `higress-cluster-key-rate-limit:${rule}:${rest}`;

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

async function redisGet(o: Observed, key: string): Promise<number | null> {
  const r = await o.redis!.command("GET", key);
  if (r.startsWith("$-1")) return null;
  return Number(/^\$\d+\r\n(-?\d+)\r\n/.exec(r)![1]);
}
async function redisTtl(o: Observed, key: string): Promise<number> {
  return Number(/^:(-?\d+)/.exec(await o.redis!.command("TTL", key))![1]);
}

/** One row per request; a refusal carries the message and X-RateLimit-Reset; the last row reads the Redis counter. */
const rows = (c: Case): Row[] => {
  const count = c.count ?? (c.allowed ?? 0) + 2;
  return Array.from({ length: count }, (_, i): Row => {
    const pass = c.allowed === null || i < c.allowed;
    const last = i === count - 1;
    return {
      name: `${c.name}: request ${i + 1} of ${count} → ${pass ? 200 : c.code ?? 429}`,
      request: c.req(i),
      expect: {
        status: pass ? 200 : c.code ?? 429,
        body: pass ? undefined : c.msg ?? "Too many requests",
        reachesUpstream: pass,
        check: async (o) => {
          if (!pass) expect(Number(o.headers["x-ratelimit-reset"])).toBeGreaterThan(0);
          if (last && c.key) {
            // The request that crossed the threshold was counted, later rejections were not.
            expect(await redisGet(o, c.key)).toBe(c.allowed === null ? count : c.allowed + 1);
            const ttl = await redisTtl(o, c.key);
            expect(ttl).toBeGreaterThan(0);
            expect(ttl).toBeLessThanOrEqual(c.key.includes(":3600") ? 3600 : 60);
          }
        },
      },
    };
  });
};

const quota = (n: number, status: number, remaining: string): Row => ({
  name: `show_limit_quota_header: request ${n} → ${status}, Limit 3, Remaining ${remaining}`,
  request: { path: "/quota/x" },
  expect: {
    status,
    headers: { "x-ratelimit-limit": "3", "x-ratelimit-remaining": remaining },
    check: (o) => {
      if (status === 429) {
        expect(Number(o.headers["x-ratelimit-reset"])).toBeGreaterThan(0);
        expect(Number(o.headers["x-ratelimit-reset"])).toBeLessThanOrEqual(60);
      }
    },
  },
});

const groups: Group[] = [
  {
    name: "every key source, global thresholds, quota headers",
    config,
    routes,
    useRemoteAddress: true,
    redisCluster: "outbound|6379||redis.static",
    rows: [
      ...cases.flatMap(rows),
      quota(1, 200, "2"),
      quota(2, 200, "1"),
      quota(3, 200, "0"),
      quota(4, 429, "0"),
      { name: "without show_limit_quota_header no quota headers on a pass", request: { path: "/hdr/q", headers: [["x-api-key", "k3-unlisted"]] }, expect: { status: 200, headers: { "x-ratelimit-limit": null } } },
      { name: "without show_limit_quota_header no quota headers on a refusal", request: { path: "/param/q?apikey=p1" }, expect: { status: 429, headers: { "x-ratelimit-limit": null } } },
    ],
  },
];

export const table: PluginTable = {
  plugin: "cluster-key-rate-limit",
  groups,
  badConfigs: (() => {
    const base = { rule_name: "r", redis: redisBlock };
    return ([
    ["no redis", { rule_name: "r", global_threshold: { query_per_second: 1 } }, "missing redis in config"],
    ["no rule_name", { redis: redisBlock, global_threshold: { query_per_second: 1 } }, "missing rule_name in config"],
    ["both global_threshold and rule_items", { ...base, global_threshold: { query_per_second: 1 }, rule_items: [{ limit_by_header: "x", limit_keys: [perMinute("a")] }] }, "cannot be set at the same time"],
    ["token_per_* instead of query_per_*", { ...base, global_threshold: { token_per_second: 1 } }, "'query_per_second', 'query_per_minute', 'query_per_hour', or 'query_per_day' must be set"],
    ["a bad CIDR", { ...base, rule_items: [{ limit_by_per_ip: "from-remote-addr", limit_keys: [perMinute("10.0.0.0/40")] }] }, "failed to parse IPNet"],
    ["a bad regexp key", { ...base, rule_items: [{ limit_by_per_header: "x", limit_keys: [perMinute("regexp:(a")] }] }, "failed to compile regex"],
    ["a plain key on a per_ type", { ...base, rule_items: [{ limit_by_per_param: "x", limit_keys: [perMinute("abc")] }] }, "must start with 'regexp:' or be exactly '*'"],
    ["a bad rejected_code", { ...base, global_threshold: { query_per_second: 1 }, rejected_code: 99 }, "rejected_code must be an HTTP status code"],
    ] as const).map(([name, config, message]) => ({ name, config, message }));
  })(),
};
