// The case table of ai-token-ratelimit: every key source (header, per-header with regexp:/'*',
// param, consumer, per-cookie, per-IP CIDRs from a header — IPv4 and IPv6 — and from the peer,
// global), Higress's Redis keys, check-then-add (the request that crosses the limit passes, later
// ones get 429 with X-TokenRateLimit-Reset), plain and streamed answers in any chunking, custom
// rejected_code/msg, the hour window, quota headers, estimates when no usage is reported,
// token_ratelimit_status in ai_log, `admission: reserve`, and bad configurations. A case is a
// sequence of requests, one row per request; every upstream answer is scripted, so the counter
// after each row is exact. Rows run in order on a real Envoy and on the emulator (both targets),
// each host with a Redis of its own, through harness/src/plugin-table.ts.
import { expect } from "vitest";
import type { Observed, PluginTable, Row, RowRequest } from "../../../harness/src/plugin-table.js";
import type { UpstreamAnswer } from "../../../harness/src/upstream.js";
import { redisGet, redisTtl, waitCounter } from "../../../harness/src/redis-state.js";

// Redis must answer for these tests to mean anything: a callout timeout far above any machine's
// latency (Redis failures have their own tests).
export const redisBlock = { service_name: "redis.static", service_port: 6379, timeout: 10000 };
const THRESHOLD = 50;
export const rule = (route: string, name: string, extra: Record<string, unknown>) => ({ _match_route_: [route], rule_name: name, redis: redisBlock, ...extra });
export const perMinute = (key: string, n = THRESHOLD) => ({ key, token_per_minute: n });

const config = {
  _rules_: [
    rule("hdr", "r-hdr", { rule_items: [{ limit_by_header: "x-api-key", limit_keys: [perMinute("k1")] }] }),
    rule("perhdr", "r-perhdr", { rule_items: [{ limit_by_per_header: "x-user", limit_keys: [perMinute("regexp:^vip-", 100000), perMinute("*")] }] }),
    rule("param", "r-param", { rule_items: [{ limit_by_param: "apikey", limit_keys: [perMinute("p1")] }] }),
    rule("consumer", "r-consumer", { rule_items: [{ limit_by_consumer: "", limit_keys: [perMinute("alice")] }] }),
    rule("cookie", "r-cookie", { rule_items: [{ limit_by_per_cookie: "session", limit_keys: [perMinute("*")] }] }),
    rule("ip", "r-ip", { rule_items: [{ limit_by_per_ip: "from-header-x-real-ip", limit_keys: [perMinute("10.0.0.0/8"), perMinute("2001:db8::/32")] }] }),
    rule("xff", "r-xff", { rule_items: [{ limit_by_per_ip: "from-header-x-forwarded-for", limit_keys: [perMinute("192.168.0.0/16")] }] }),
    rule("peer", "r-peer", { rule_items: [{ limit_by_per_ip: "from-remote-addr", limit_keys: [perMinute("127.0.0.0/8")] }] }),
    rule("global", "r-global", { global_threshold: { token_per_hour: THRESHOLD }, rejected_code: 503, rejected_msg: "slow down" }),
    rule("open", "r-open", { global_threshold: { token_per_minute: 100000 }, show_limit_quota_header: true }),
    rule("reserve", "r-reserve", { rule_items: [{ limit_by_per_header: "x-user", limit_keys: [perMinute("*", 100)] }], admission: "reserve", reserve_tokens: 50 }),
  ],
};
const routes = ["hdr", "perhdr", "param", "consumer", "cookie", "ip", "xff", "peer", "global", "open", "reserve"];
const K = (rule: string, rest: string) => `higress-token-ratelimit:${rule}:${rest}`;

const CHAT = JSON.stringify({ model: "gpt-4o", messages: [{ role: "user", content: "Count some tokens for me please" }] });
const STREAM_CHAT = JSON.stringify({ model: "gpt-4o", messages: [{ role: "user", content: "Count some tokens for me please" }], stream: true });
/** An answer reporting `p + c` tokens. */
const plain = (p = 12, c = 8): UpstreamAnswer => ({
  headers: { "content-type": "application/json" },
  body: JSON.stringify({ id: "c1", object: "chat.completion", model: "gpt-4o", choices: [{ index: 0, message: { role: "assistant", content: "hi" }, finish_reason: "stop" }], usage: { prompt_tokens: p, completion_tokens: c, total_tokens: p + c } }),
});
const sseBody = (usage: boolean) =>
  'data: {"id":"c2","model":"gpt-4o","choices":[{"index":0,"delta":{"content":"hel"}}]}\n\n' +
  'data: {"id":"c2","model":"gpt-4o","choices":[{"index":0,"delta":{"content":"lo"},"finish_reason":"stop"}]}\n\n' +
  (usage ? 'data: {"id":"c2","model":"gpt-4o","choices":[],"usage":{"prompt_tokens":9,"completion_tokens":11,"total_tokens":20}}\n\n' : "") +
  "data: [DONE]\n\n";
/** A stream reporting 20 tokens in its last event, in pieces of `size` bytes. */
const sse = (size: number, usage = true): UpstreamAnswer => {
  const body = sseBody(usage);
  return { headers: { "content-type": "text/event-stream" }, body, chunks: Math.ceil(body.length / size) };
};

const chat = (route: string, o: { path?: string; headers?: [string, string][]; answer?: UpstreamAnswer; stream?: boolean } = {}): RowRequest => ({
  method: "POST",
  path: `/${route}${o.path ?? "/v1/chat/completions"}`,
  headers: [["content-type", "application/json"], ...(o.headers ?? [])],
  body: o.stream ? STREAM_CHAT : CHAT,
  answer: o.answer ?? plain(),
});

/** ai_log as Higress writes it (JSON escaped once). */
const aiLog = (o: Observed) => (o.properties.ai_log === null ? null : JSON.parse(JSON.parse(`"${o.properties.ai_log}"`)));

/**
 * A sequence on one key: every request reports `per` tokens; check-then-add admits while the
 * counter is ≤ the threshold (the request crossing it passes), then two refusals that add nothing.
 */
function toLimit(name: string, key: string, req: RowRequest, o: { per?: number; threshold?: number; code?: number; msg?: string; window?: number } = {}): Row[] {
  const per = o.per ?? 20, threshold = o.threshold ?? THRESHOLD, window = o.window ?? 60;
  const rows: Row[] = [];
  let counter = 0;
  while (counter <= threshold) {
    counter += per;
    const want = counter;
    rows.push({ name: `${name}: ${want / per}. request passes, counter ${want}`, request: req, expect: { status: 200, reachesUpstream: true, check: (ob) => waitCounter(ob.redis!, key, want) } });
  }
  for (const i of [1, 2]) {
    rows.push({
      name: `${name}: over the limit (${counter} > ${threshold}) → ${o.code ?? 429} (${i})`,
      request: req,
      expect: {
        status: o.code ?? 429,
        body: o.msg ?? "Too many requests",
        reachesUpstream: false,
        check: async (ob) => {
          const reset = Number(ob.headers["x-tokenratelimit-reset"]);
          expect(reset).toBeGreaterThan(0);
          expect(reset).toBeLessThanOrEqual(window);
          expect(await redisGet(ob.redis!, key)).toBe(counter); // a refusal adds nothing
          const ttl = await redisTtl(ob.redis!, key);
          expect(ttl).toBeLessThanOrEqual(window);
          expect(ttl).toBeGreaterThan(window > 60 ? 60 : 0);
          expect(aiLog(ob)).toEqual({ token_ratelimit_status: "limited" });
        },
      },
    });
  }
  return rows;
}
/** A request that passes and is counted under `key` (or under no key at all). */
const passes = (name: string, req: RowRequest, key?: string, want = 20): Row => ({
  name: `${name} → 200${key ? `, its own counter ${want}` : ""}`,
  request: req,
  expect: { status: 200, reachesUpstream: true, check: key ? (o) => waitCounter(o.redis!, key, want) : undefined },
});

const reqBytes = Buffer.byteLength(STREAM_CHAT);
const noUsageEstimate = Math.ceil(reqBytes / 4) + Math.ceil(Buffer.byteLength(sseBody(false)) / 4);

const rows: Row[] = [
  ...toLimit("limit_by_header", K("r-hdr", "limit_by_header:60:x-api-key:k1"), chat("hdr", { headers: [["x-api-key", "k1"]] })),
  passes("limit_by_header: another value has no limit key", chat("hdr", { headers: [["x-api-key", "k2"]] })),
  passes("limit_by_header: no header", chat("hdr")),
  ...toLimit("limit_by_per_header '*'", K("r-perhdr", "limit_by_per_header:60:x-user:u1"), chat("perhdr", { headers: [["x-user", "u1"]] })),
  passes("limit_by_per_header: u2 counts apart", chat("perhdr", { headers: [["x-user", "u2"]] }), K("r-perhdr", "limit_by_per_header:60:x-user:u2")),
  ...[1, 2, 3, 4].map((i) => passes(`limit_by_per_header: 'regexp:^vip-' comes first, with a large limit (${i})`, chat("perhdr", { headers: [["x-user", "vip-1"]] }), K("r-perhdr", "limit_by_per_header:60:x-user:vip-1"), 20 * i)),
  ...toLimit("streams in 7-byte pieces", K("r-perhdr", "limit_by_per_header:60:x-user:s7"), chat("perhdr", { headers: [["x-user", "s7"]], stream: true, answer: sse(7) })),
  passes("a stream in 13-byte pieces", chat("perhdr", { headers: [["x-user", "s13"]], stream: true, answer: sse(13) }), K("r-perhdr", "limit_by_per_header:60:x-user:s13")),
  {
    name: "no usage in the answer: an estimate from the bytes is counted and flagged in ai_log and the log",
    request: chat("perhdr", { headers: [["x-user", "est"]], stream: true, answer: sse(16, false) }),
    expect: {
      status: 200,
      logs: ["token usage estimated (no usage reported)"],
      check: async (o) => {
        await waitCounter(o.redis!, K("r-perhdr", "limit_by_per_header:60:x-user:est"), noUsageEstimate);
        expect(aiLog(o)).toMatchObject({ token_usage_estimated: true, token_ratelimit_tokens: noUsageEstimate });
      },
    },
  },
  ...toLimit("limit_by_param", K("r-param", "limit_by_param:60:apikey:p1"), chat("param", { path: "/v1/chat/completions?apikey=p1&x=1" })),
  passes("limit_by_param: another value", chat("param", { path: "/v1/chat/completions?apikey=p2" })),
  ...toLimit("limit_by_consumer", K("r-consumer", "limit_by_consumer:60:x-mse-consumer:alice"), chat("consumer", { headers: [["x-mse-consumer", "alice"]] })),
  passes("limit_by_consumer: another consumer has no limit key", chat("consumer", { headers: [["x-mse-consumer", "bob"]] })),
  ...toLimit("limit_by_per_cookie", K("r-cookie", "limit_by_per_cookie:60:session:s-1"), chat("cookie", { headers: [["cookie", "theme=dark; session=s-1; x=y"]] })),
  passes("limit_by_per_cookie: another session", chat("cookie", { headers: [["cookie", "session=s-2"]] }), K("r-cookie", "limit_by_per_cookie:60:session:s-2")),
  passes("limit_by_per_cookie: another cookie of the same value", chat("cookie", { headers: [["cookie", "other=s-1"]] })),
  ...toLimit("limit_by_per_ip from a header (first of a list)", K("r-ip", "limit_by_per_ip:60:from-header-x-real-ip:10.1.2.3"), chat("ip", { headers: [["x-real-ip", " 10.1.2.3, 192.168.0.1"]] })),
  passes("limit_by_per_ip: another address in the CIDR", chat("ip", { headers: [["x-real-ip", "10.1.2.4"]] }), K("r-ip", "limit_by_per_ip:60:from-header-x-real-ip:10.1.2.4")),
  ...toLimit("limit_by_per_ip, IPv6 (key in canonical form)", K("r-ip", "limit_by_per_ip:60:from-header-x-real-ip:2001:db8::1"), chat("ip", { headers: [["x-real-ip", "2001:db8:0:0::1"]] })),
  passes("limit_by_per_ip: outside the CIDRs, no limit", chat("ip", { headers: [["x-real-ip", "192.168.0.1"]] })),
  passes("limit_by_per_ip: not an address, no limit", chat("ip", { headers: [["x-real-ip", "not-an-ip"]] })),
  ...toLimit("limit_by_per_ip from X-Forwarded-For", K("r-xff", "limit_by_per_ip:60:from-header-x-forwarded-for:192.168.3.4"), chat("xff", { headers: [["x-forwarded-for", "192.168.3.4, 10.0.0.1"]], answer: plain(30, 30) }), { per: 60 }),
  ...toLimit("limit_by_per_ip from the peer address", K("r-peer", "limit_by_per_ip:60:from-remote-addr:127.0.0.1"), chat("peer")),
  ...toLimit("global_threshold, 1-byte stream pieces, rejected_code/msg, hour window", K("r-global", "global_threshold:3600"), chat("global", { stream: true, answer: sse(1) }), { code: 503, msg: "slow down", window: 3600 }),
  {
    name: "show_limit_quota_header: Limit and Remaining on a passing response",
    request: chat("open"),
    expect: { status: 200, headers: { "x-tokenratelimit-limit": "100000", "x-tokenratelimit-remaining": "100000" }, check: (o) => waitCounter(o.redis!, K("r-open", "global_threshold:60"), 20) },
  },
  {
    name: "show_limit_quota_header: Remaining drops by the tokens used",
    request: chat("open"),
    expect: { status: 200, headers: { "x-tokenratelimit-limit": "100000", "x-tokenratelimit-remaining": "99980" } },
  },
  {
    name: "without show_limit_quota_header no quota headers",
    request: chat("hdr", { headers: [["x-api-key", "k3"]] }),
    expect: { status: 200, headers: { "x-tokenratelimit-limit": null, "x-tokenratelimit-remaining": null } },
  },
  passes("admission: reserve — 50 reserved at request time, reconciled to the 80 used", chat("reserve", { headers: [["x-user", "r1"]], answer: plain(70, 10) }), K("r-reserve", "limit_by_per_header:60:x-user:r1"), 80),
  {
    name: "admission: reserve — a failed request gives its reservation back",
    request: chat("reserve", { headers: [["x-user", "r1"]], answer: { status: 500, headers: { "content-type": "application/json" }, body: '{"error":{"message":"boom"}}' } }),
    expect: { status: 500, reachesUpstream: true, check: (o) => waitCounter(o.redis!, K("r-reserve", "limit_by_per_header:60:x-user:r1"), 80) },
  },
  passes("admission: reserve — 80 < 100 admits (130 reserved), reconciled to 160", chat("reserve", { headers: [["x-user", "r1"]], answer: plain(70, 10) }), K("r-reserve", "limit_by_per_header:60:x-user:r1"), 160),
  {
    name: "admission: reserve — at 160 ≥ 100 refused; a refusal reserves nothing",
    request: chat("reserve", { headers: [["x-user", "r1"]] }),
    expect: { status: 429, body: "Too many requests", reachesUpstream: false, check: async (o) => expect(await redisGet(o.redis!, K("r-reserve", "limit_by_per_header:60:x-user:r1"))).toBe(160) },
  },
];

const base = { rule_name: "x", redis: { service_name: "r.dns" } };
export const table: PluginTable = {
  plugin: "ai-token-ratelimit",
  groups: [{ name: "every key source, check-then-add, streams, quota headers, estimates, reserve", config, routes, useRemoteAddress: true, redisCluster: "outbound|6379||redis.static", properties: ["ai_log"], rows }],
  badConfigs: ([
    ["no redis", { rule_name: "x", global_threshold: { token_per_minute: 1 } }, "missing redis in config"],
    ["no service name", { rule_name: "x", redis: {}, global_threshold: { token_per_minute: 1 } }, "redis service name must not be empty"],
    ["no rule_name", { redis: { service_name: "r.dns" }, global_threshold: { token_per_minute: 1 } }, "missing rule_name in config"],
    ["neither", base, "at least one of 'global_threshold' or 'rule_items' must be set"],
    ["both", { ...base, global_threshold: { token_per_minute: 1 }, rule_items: [] }, "cannot be set at the same time"],
    ["no window", { ...base, global_threshold: { tokens: 1 } }, "must be set for global_threshold"],
    ["zero", { ...base, rule_items: [{ limit_by_header: "h", limit_keys: [{ key: "a", token_per_hour: 0 }] }] }, "'token_per_hour' must be a positive integer for key 'a'"],
    ["no key source", { ...base, rule_items: [{ limit_keys: [{ key: "a", token_per_hour: 1 }] }] }, "only one of 'limit_by_header'"],
    ["per without regexp", { ...base, rule_items: [{ limit_by_per_header: "h", limit_keys: [{ key: "a", token_per_hour: 1 }] }] }, "must start with 'regexp:' or be exactly '*'"],
    ["bad regexp", { ...base, rule_items: [{ limit_by_per_param: "p", limit_keys: [{ key: "regexp:(", token_per_hour: 1 }] }] }, "failed to compile regex for key 'regexp:('"],
    ["bad ip source", { ...base, rule_items: [{ limit_by_per_ip: "from-nowhere", limit_keys: [{ key: "1.2.3.4", token_per_hour: 1 }] }] }, "must start with 'from-header-'"],
    ["bad cidr", { ...base, rule_items: [{ limit_by_per_ip: "from-remote-addr", limit_keys: [{ key: "10.0.0.0/33", token_per_hour: 1 }] }] }, "failed to parse IPNet for key '10.0.0.0/33'"],
    ["bad failure mode", { ...base, global_threshold: { token_per_minute: 1 }, redis_failure_mode: "maybe" }, "redis_failure_mode must be 'open' or 'closed'"],
    ["bad admission", { ...base, global_threshold: { token_per_minute: 1 }, admission: "bogus" }, "admission must be 'check' or 'reserve'"],
    ["reserve without reserve_tokens", { ...base, global_threshold: { token_per_minute: 1 }, admission: "reserve" }, "admission 'reserve' needs reserve_tokens"],
    ["reserve_tokens 0", { ...base, global_threshold: { token_per_minute: 1 }, admission: "reserve", reserve_tokens: 0 }, "admission 'reserve' needs reserve_tokens"],
    ["reserve_tokens without admission", { ...base, global_threshold: { token_per_minute: 1 }, reserve_tokens: 10 }, "reserve_tokens is only used with admission: reserve"],
  ] as const).map(([name, config, message]) => ({ name, config, message })),
};
