// The case table of replay-protection: missing, empty, short, long and non-base64 nonces (400s with
// Higress's bodies), the first use of a nonce passing with its Redis key written by
// `SET <prefix>:<nonce> 1 NX EX <ttl>`, the second use refused (429, or the configured code and
// message), header-name case, optional nonces, and bad configurations. Rows run in order on a
// real Envoy (Redis behind webdis) and on the emulator (both targets), each host with a Redis of
// its own, through harness/src/plugin-table.ts.
import { expect } from "vitest";
import type { Group, Observed, PluginTable, Row } from "../../../harness/src/plugin-table.js";
import { redisGet, redisTtl } from "../../../harness/src/redis-state.js";

// Redis must answer for these rows to mean anything: a timeout far above a loaded machine's latency
// (Redis down and failing open have their own test).
export const redis = { service_name: "redis.static", service_port: 6379, timeout: 10000 };
const H = "X-Higress-Nonce";

const refused = (name: string, headers: [string, string][], status: number, body: string): Row => ({ name, request: { path: "/p", headers }, expect: { status, body, reachesUpstream: false } });
/** The nonce's first use: it passes and Redis holds `<key> = 1` with an expiry of at most `ttl`. */
const firstUse = (name: string, headers: [string, string][], key: string, ttl: number): Row => ({
  name,
  request: { path: "/p", headers },
  expect: {
    status: 200,
    reachesUpstream: true,
    check: async (o: Observed) => {
      expect(await redisGet(o.redis!, key)).toBe(1);
      const t = await redisTtl(o.redis!, key);
      expect(t > 0 && t <= ttl, `TTL ${t}`).toBe(true);
    },
  },
});

const groups: Group[] = [
  {
    name: "force_nonce, base64 check, lengths 8 to 32",
    config: { force_nonce: true, validate_base64: true, nonce_min_length: 8, nonce_max_length: 32, redis },
    redisCluster: "outbound|6379||redis.static",
    rows: [
      refused("no nonce header → 400 Missing Required Header", [], 400, "Missing Required Header"),
      refused("an empty nonce header is a missing one", [[H, ""]], 400, "Missing Required Header"),
      refused("7 characters → 400 Invalid Nonce", [[H, "abc1234"]], 400, "Invalid Nonce"),
      refused("33 characters → 400 Invalid Nonce", [[H, "a".repeat(33)]], 400, "Invalid Nonce"),
      refused("characters outside base64 → 400 Invalid Nonce", [[H, "abc$def%ghij"]], 400, "Invalid Nonce"),
      refused("a space inside → 400 Invalid Nonce", [[H, "abcd efgh"]], 400, "Invalid Nonce"),
      firstUse("first use of a base64 nonce → 200, SET NX with EX 900", [[H, "bm9uY2UtMDAwMDE="]], "replay-protection:bm9uY2UtMDAwMDE=", 900),
      refused("the same nonce again → 429 Replay Attack Detected", [[H, "bm9uY2UtMDAwMDE="]], 429, "Replay Attack Detected"),
      refused("the same nonce under another header-name case → 429", [["x-higress-nonce", "bm9uY2UtMDAwMDE="]], 429, "Replay Attack Detected"),
      firstUse("exactly 8 characters, with '-' (Higress's pattern allows it) → 200", [[H, "ab-cd/+="]], "replay-protection:ab-cd/+=", 900),
      firstUse("exactly 32 characters → 200", [[H, "Z".repeat(32)]], `replay-protection:${"Z".repeat(32)}`, 900),
      { name: "a POST body waits for Redis and reaches the upstream whole", request: { method: "POST", path: "/p", headers: [[H, "cG9zdC1ub25jZQ=="]], body: '{"a":1}', chunks: 3 }, expect: { status: 200, upstreamBody: true } },
      refused("and its replay is refused", [[H, "cG9zdC1ub25jZQ=="]], 429, "Replay Attack Detected"),
    ],
  },
  {
    name: "optional nonce, own header, code, message, prefix and TTL",
    config: { nonce_header: "x-request-nonce", nonce_ttl: 60, reject_code: 409, reject_msg: "replayed", redis: { ...redis, key_prefix: "rp" } },
    redisCluster: "outbound|6379||redis.static",
    rows: [
      { name: "no nonce: passes (force_nonce is false unless set, as in Higress's code)", request: { path: "/p" }, expect: { status: 200, reachesUpstream: true } },
      { name: "X-Higress-Nonce is not this configuration's header", request: { path: "/p", headers: [[H, "x"]] }, expect: { status: 200, reachesUpstream: true } },
      firstUse("first use → 200, key rp:<nonce>, TTL ≤ 60", [["X-Request-Nonce", "abc$def%ghij"]], "rp:abc$def%ghij", 60),
      refused("second use → 409 replayed", [["x-request-nonce", "abc$def%ghij"]], 409, "replayed"),
      refused("too short is still 400 Invalid Nonce", [["x-request-nonce", "short"]], 400, "Invalid Nonce"),
    ],
  },
];

export const table: PluginTable = {
  plugin: "replay-protection",
  groups,
  badConfigs: ([
    ["no redis", { force_nonce: true }, "missing redis in config"],
    ["redis without service_name", { redis: { service_port: 6379 } }, "redis service name must not be empty"],
    ["force_nonce not a boolean", { force_nonce: "yes", redis }, "force_nonce must be a boolean"],
    ["validate_base64 not a boolean", { validate_base64: 1, redis }, "validate_base64 must be a boolean"],
    ["negative nonce_ttl", { nonce_ttl: -5, redis }, "nonce_ttl must be an integer between 0 and"],
    ["fractional nonce_min_length", { nonce_min_length: 8.5, redis }, "nonce_min_length must be an integer"],
    ["min above max", { nonce_min_length: 64, nonce_max_length: 16, redis }, "nonce_min_length (64) must not exceed nonce_max_length (16)"],
    ["reject_code not a status", { reject_code: 42, redis }, "reject_code must be an HTTP status code between 100 and 599"],
    ["reject_code above 599", { reject_code: 600, redis }, "reject_code must be an integer between 0 and 599"],
    ["nonce_header not a string", { nonce_header: ["x"], redis }, "nonce_header must be a string"],
    ["reject_msg not a string", { reject_msg: { a: 1 }, redis }, "reject_msg must be a string"],
  ] as const).map(([name, config, message]) => ({ name, config, message })),
};
