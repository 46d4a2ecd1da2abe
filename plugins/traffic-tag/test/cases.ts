// The case table of traffic-tag: condition groups (header, parameter, cookie; every operator; and /
// or with missing values), the default tag, weights at their deterministic ends (100 and 0), a
// client's own tag header, and the refused configurations with Higress's messages. Every row runs
// on a real Envoy and on the emulator (both targets) through harness/src/plugin-table.ts, which
// also demands the same answer from both. Proportions of a weighted split: weights.emulator.test.ts.
import type { PluginTable, Row } from "../../../harness/src/plugin-table.js";

interface Case { name: string; path?: string; headers?: [string, string][]; upstream: Record<string, string | null>; logs?: string[] }
const row = (c: Case): Row => ({
  name: c.name,
  request: { method: "GET", path: c.path ?? "/", headers: c.headers },
  expect: { status: 200, reachesUpstream: true, upstream: c.upstream, logs: c.logs },
});
const cond = (conditionType: string, key: string, operator: string, value: unknown) => ({ conditionType, key, operator, value });
const TAG = "x-mse-tag";

// SHA-256(value)[0..8] big-endian % 100: alice → 7, frank → 99.
const contentConfig = {
  defaultTagKey: TAG,
  defaultTagVal: "base",
  conditionGroups: [
    // Higress README's example 1.
    { headerName: TAG, headerValue: "gray", logic: "and", conditions: [cond("header", "role", "in", ["user", "viewer", "editor"]), cond("parameter", "foo", "equal", ["bar"])] },
    { headerName: TAG, headerValue: "blue", logic: "or", conditions: [cond("header", "x-user-type", "prefix", ["test"]), cond("cookie", "uid", "regex", ["^[a-z]{3}$"])] },
    { headerName: TAG, headerValue: "green", logic: "and", conditions: [cond("header", "x-type", "not_in", ["a", "b"]), cond("parameter", "v", "not_equal", ["1"])] },
    // Upper-case logic, type and operator: Higress lower-cases them (its README says lower-case only).
    { headerName: "x-tag-pct", headerValue: "pct", logic: "AND", conditions: [cond("HEADER", "user-id", "Percentage", [60])] },
  ],
};

export const table: PluginTable = {
  plugin: "traffic-tag",
  groups: [
    {
      name: "condition groups and the default tag",
      config: contentConfig,
      rows: [
        { name: "README example 1: role in the list and foo=bar → gray", path: "/?foo=bar", headers: [["role", "viewer"]], upstream: { [TAG]: "gray" }, logs: ["ADD HEADER: x-mse-tag, value: gray"] },
        { name: "and: a missing parameter fails the group → default tag", headers: [["role", "viewer"]], upstream: { [TAG]: "base" } },
        { name: "and: a value not in the list fails the group", path: "/?foo=bar", headers: [["role", "admin"]], upstream: { [TAG]: "base" } },
        { name: "a repeated parameter: the first value counts", path: "/?foo=bar&foo=baz", headers: [["role", "user"]], upstream: { [TAG]: "gray" } },
        { name: "parameter names and values are percent-decoded", path: "/?fo%6F=b%61r", headers: [["role", "editor"]], upstream: { [TAG]: "gray" } },
        { name: "header names are case-insensitive, values are not", path: "/?foo=bar", headers: [["Role", "User"]], upstream: { [TAG]: "base" } },
        { name: "or: the prefix condition alone → blue", headers: [["x-user-type", "tester"]], upstream: { [TAG]: "blue" } },
        { name: "or: the cookie regex alone → blue", headers: [["cookie", "a=1; uid=abc"]], upstream: { [TAG]: "blue" } },
        { name: "or: neither holds → default", headers: [["cookie", "uid=abcd"], ["x-user-type", "prod"]], upstream: { [TAG]: "base" } },
        { name: "a cookie named like the key's suffix is not the key", headers: [["cookie", "xuid=abc"]], upstream: { [TAG]: "base" } },
        { name: "not_in and not_equal both hold → green", path: "/?v=2", headers: [["x-type", "c"]], upstream: { [TAG]: "green" } },
        { name: "not_in fails on a listed value", path: "/?v=2", headers: [["x-type", "a"]], upstream: { [TAG]: "base" } },
        { name: "percentage: alice hashes to 7 < 60 → tagged, no default", headers: [["user-id", "alice"]], upstream: { "x-tag-pct": "pct", [TAG]: null } },
        { name: "percentage: frank hashes to 99 ≥ 60 → default", headers: [["user-id", "frank"]], upstream: { "x-tag-pct": null, [TAG]: "base" } },
        { name: "the first matching group wins", path: "/?foo=bar&v=2", headers: [["role", "user"], ["x-user-type", "test"], ["x-type", "c"]], upstream: { [TAG]: "gray" } },
        { name: "a client's own tag is kept, not added to (as Higress)", headers: [[TAG, "vip"]], upstream: { [TAG]: "vip" }, logs: ["ADD HEADER failed: x-mse-tag already exists, value: vip"] },
        { name: "a client's tag wins over a matching group too", path: "/?foo=bar", headers: [["role", "user"], [TAG, "vip"]], upstream: { [TAG]: "vip" } },
      ].map(row),
    },
    {
      name: "weights at their deterministic ends",
      config: {
        conditionGroups: [{ headerName: "x-canary", headerValue: "pinned", logic: "or", conditions: [cond("header", "x-pin", "equal", "yes")] }],
        weightGroups: [{ headerName: "x-canary", headerValue: "never", weight: 0 }, { headerName: "x-canary", headerValue: "gray", weight: 100 }],
        defaultTagKey: "x-canary",
        defaultTagVal: "base",
      },
      rows: [
        { name: "a matching condition group comes before the weights (a single value need not be a list)", headers: [["x-pin", "yes"]], upstream: { "x-canary": "pinned" } },
        { name: "weight 100 takes every request; weight 0 none; the default is not reached", upstream: { "x-canary": "gray" } },
        { name: "again: still gray", path: "/again", upstream: { "x-canary": "gray" } },
      ].map(row),
    },
    {
      name: "weights that leave a share untagged, no default value",
      config: { weightGroups: [{ headerName: "x-canary", headerValue: "never", weight: 0 }], defaultTagKey: "x-canary" },
      rows: [{ name: "nothing picked and defaultTagVal missing → no header", upstream: { "x-canary": null } }].map(row),
    },
    {
      name: "an empty configuration (Higress loads it and tags nothing)",
      config: {},
      rows: [{ name: "no tag header is added", headers: [["role", "user"]], upstream: { [TAG]: null, "x-canary": null } }].map(row),
    },
  ],
  badConfigs: ([
    ["logic neither and nor or", { conditionGroups: [{ headerName: "h", headerValue: "v", logic: "xor", conditions: [] }] }, "invalid condition group:"],
    ["a group without headerValue", { conditionGroups: [{ headerName: "h", logic: "or", conditions: [] }] }, "invalid condition group:"],
    ["an unknown operator", { conditionGroups: [{ headerName: "h", headerValue: "v", logic: "or", conditions: [cond("header", "k", "like", ["x"])] }] }, "invalid operator: 'like'"],
    ["an unknown conditionType", { conditionGroups: [{ headerName: "h", headerValue: "v", logic: "or", conditions: [cond("query", "k", "equal", ["x"])] }] }, "invalid conditionType: 'query'"],
    ["in with no values", { conditionGroups: [{ headerName: "h", headerValue: "v", logic: "or", conditions: [cond("header", "k", "in", [])] }] }, "value must contain at least one element for 'in' or 'not_in' operators"],
    ["equal with two values", { conditionGroups: [{ headerName: "h", headerValue: "v", logic: "or", conditions: [cond("header", "k", "equal", ["a", "b"])] }] }, "value must contain exactly one element for 'equal' operator"],
    ["percentage over 100", { conditionGroups: [{ headerName: "h", headerValue: "v", logic: "or", conditions: [cond("header", "k", "percentage", ["101"])] }] }, "value for 'percentage' must be greater than 0 and less than 100"],
    ["percentage not an integer", { conditionGroups: [{ headerName: "h", headerValue: "v", logic: "or", conditions: [cond("header", "k", "percentage", ["5.5"])] }] }, "value for 'percentage' must be a valid integer"],
    ["a regex RE2 refuses", { conditionGroups: [{ headerName: "h", headerValue: "v", logic: "or", conditions: [cond("header", "k", "regex", ["(a"])] }] }, "invalid regex '(a'"],
    ["weights over 100 in total", { weightGroups: [{ headerName: "h", headerValue: "a", weight: 60 }, { headerName: "h", headerValue: "b", weight: 50 }] }, "total weight exceeds: 100"],
    ["a weight group without headerName", { weightGroups: [{ headerValue: "a", weight: 10 }] }, "invalid weight config:"],
  ] as const).map(([name, config, message]) => ({ name, config, message })),
};
