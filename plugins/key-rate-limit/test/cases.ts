// The case table of key-rate-limit: per-value token buckets in shared data (one bucket per key
// for the whole Envoy, which runs two worker threads), header and query sources, header
// case/duplicates, encoded params, a key in the wrong place, and bad configurations. A case is a
// sequence of requests; each request is a row, run in order on a real Envoy and on the emulator
// (both targets, each with its own buckets) through harness/src/plugin-table.ts, which also
// demands the same answer from all three.
import type { Group, PluginTable, Row } from "../../../harness/src/plugin-table.js";

export const pm = (key: string, n = 3) => ({ key, query_per_minute: n });
export const config = {
  limit_by_header: "x-api-key",
  limit_keys: [pm("k1"), { key: "k2", query_per_hour: 5 }, pm("kcase"), pm("kdup"), pm("kboth"), { key: "ksec", query_per_second: 2 }, pm("kburst", 7), pm("shared")],
  _rules_: [
    { _match_route_: ["param"], limit_by_param: "apikey", limit_keys: [pm("p1"), pm("p 2"), pm("shared")] },
    { _match_route_: ["custom"], limit_by_header: "X-Tenant", limit_keys: [pm("t1", 2)], rejected_code: 503, rejected_msg: "tenant over quota" },
  ],
};

type Req = { path: string; headers?: [string, string][] };
/** `allowed` requests pass, the rest are refused (null: none is); `count` requests in all (default allowed + 2). */
interface Case { name: string; req: (i: number) => Req; allowed: number | null; count?: number; code?: number; msg?: string }

/** One row per request of the sequence. */
const rows = (c: Case): Row[] => {
  const count = c.count ?? (c.allowed ?? 0) + 2;
  return Array.from({ length: count }, (_, i) => {
    const pass = c.allowed === null || i < c.allowed;
    return {
      name: `${c.name}: request ${i + 1} of ${count} → ${pass ? 200 : c.code ?? 429}`,
      request: c.req(i),
      expect: { status: pass ? 200 : c.code ?? 429, body: pass ? undefined : c.msg ?? "Too many requests", reachesUpstream: pass },
    };
  });
};

const cases: Case[] = [
  { name: "header key per minute: 3 allowed, then 429", req: () => ({ path: "/a", headers: [["x-api-key", "k1"]] }), allowed: 3 },
  { name: "header key per hour: 5 allowed, then 429", req: () => ({ path: "/a", headers: [["x-api-key", "k2"]] }), allowed: 5 },
  { name: "an unlisted value is not limited", req: () => ({ path: "/a", headers: [["x-api-key", "zz"]] }), allowed: null, count: 8 },
  { name: "values are case-sensitive: K1 is not k1", req: () => ({ path: "/a", headers: [["x-api-key", "K1"]] }), allowed: null, count: 6 },
  { name: "no key header: not limited", req: () => ({ path: "/a" }), allowed: null, count: 6 },
  { name: "header name case does not open a second bucket", req: (i) => ({ path: "/a", headers: [[["x-api-key", "X-API-KEY", "X-Api-Key"][i % 3], "kcase"]] }), allowed: 3 },
  { name: "duplicate header lines: the first line is the key", req: (i) => ({ path: "/a", headers: [["x-api-key", "kdup"], ["x-api-key", `other-${i}`]] }), allowed: 3 },
  { name: "header route: the key in the query is not counted", req: () => ({ path: "/a?x-api-key=kboth" }), allowed: null, count: 6 },
  { name: "header route: key in both header and query counts once per request", req: () => ({ path: "/a?x-api-key=kboth", headers: [["x-api-key", "kboth"]] }), allowed: 3 },
  { name: "param key: 3 allowed, then 429", req: () => ({ path: "/param?apikey=p1" }), allowed: 3 },
  { name: "param: encoded forms of one value share a bucket", req: (i) => ({ path: ["/param?apikey=p+2", "/param?a=1&apikey=p%202", "/param?apikey=%70%20%32&apikey=x"][i % 3] }), allowed: 3 },
  { name: "param route: the key in a header is not counted", req: () => ({ path: "/param?other=1", headers: [["apikey", "p1"]] }), allowed: null, count: 6 },
  { name: "param: only the first occurrence counts (an unlisted first value escapes, as in Higress)", req: () => ({ path: "/param?apikey=nolimit&apikey=p1" }), allowed: null, count: 6 },
  { name: "param: a double-encoded value is a different value", req: () => ({ path: "/param?apikey=%2570%2531" }), allowed: null, count: 6 },
  { name: "rules keep their own buckets: 'shared' on the param route", req: () => ({ path: "/param?apikey=shared" }), allowed: 3 },
  { name: "rules keep their own buckets: 'shared' on the header route", req: () => ({ path: "/a", headers: [["x-api-key", "shared"]] }), allowed: 3 },
  { name: "custom rejected_code/rejected_msg; header name from config is case-insensitive", req: () => ({ path: "/custom", headers: [["x-tenant", "t1"]] }), allowed: 2, code: 503, msg: "tenant over quota" },
];

const groups: Group[] = [
  { name: "header and param keys, a custom-code rule (2 workers)", config, routes: ["param", "custom"], workers: 2, rows: cases.flatMap(rows) },
  // The key-rate-limit scenario of the former test/differential.
  {
    name: "one key, 2 per minute",
    config: { limit_by_header: "x-key", limit_keys: [{ key: "k1", query_per_minute: 2 }] },
    rows: [
      ...rows({ name: "k1", req: () => ({ path: "/", headers: [["x-key", "k1"]] }), allowed: 2, count: 3 }),
      ...rows({ name: "an unlisted key passes", req: () => ({ path: "/", headers: [["x-key", "zz"]] }), allowed: null, count: 1 }),
    ],
  },
];

export const table: PluginTable = {
  plugin: "key-rate-limit",
  groups,
  badConfigs: ([
    ["both header and param", { limit_by_header: "a", limit_by_param: "b", limit_keys: [pm("x")] }, "only one of 'limit_by_header' and 'limit_by_param' can be set"],
    ["neither header nor param", { limit_keys: [pm("x")] }, "one of 'limit_by_header' and 'limit_by_param' must be set"],
    ["no limit_keys", { limit_by_header: "a" }, "limit_keys must be a non-empty array"],
    ["a key without a rate", { limit_by_header: "a", limit_keys: [{ key: "x" }] }, "must be set for key: x"],
    ["a zero rate", { limit_by_header: "a", limit_keys: [{ key: "x", query_per_second: 0 }] }, "must be a positive integer"],
    ["a duplicate key", { limit_by_header: "a", limit_keys: [pm("x"), pm("x")] }, "duplicate key 'x'"],
  ] as const).map(([name, config, message]) => ({ name, config, message })),
};
