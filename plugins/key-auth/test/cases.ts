// The case table of key-auth: the consumer model's truth table (global_auth true / false / unset,
// with and without rules), header vs query keys, exact statuses and messages, and attacks (case
// games, duplicate headers, key in two places, URL-encoded names, a spoofed X-Mse-Consumer, bytes
// that are not UTF-8). Every row runs on a real Envoy and on the emulator (both targets) through
// harness/src/plugin-table.ts, which also demands the same answer from both.
import { consumerRow, type ConsumerCase, type Group, type PluginTable } from "../../../harness/src/plugin-table.js";

const NO_KEY = "Request denied by Key Auth check. No Key Authentication information found.";
const MULTI = "Request denied by Key Auth check. Multi Key Authentication information found.";
const UNAUTHORIZED = "Request denied by Key Auth check. Unauthorized consumer.";

export const consumers = [
  { name: "alice", credential: "alice-key" },
  { name: "bob", credential: "bob-key" },
  { name: "carol", credential: "c@rol key+/=" },
  { name: "dave", credential: "dävé-key" },
];
/** Header bytes as written (latin1 maps each char to one byte): for invalid UTF-8 on the wire. */
const bytes = (s: string) => Buffer.from(s, "latin1");

const refused = { headers: { "www-authenticate": "Key realm=MSE Gateway" } };
const group = (name: string, config: unknown, routes: string[], cases: ConsumerCase[]): Group => ({ name, config, routes, refused, rows: cases.map(consumerRow) });

const groups: Group[] = [
  group(
    "global_auth unset, rules exist, keys in headers",
    {
      consumers,
      keys: ["X-API-KEY", "apikey"],
      in_header: true,
      in_query: true,
      _rules_: [
        { _match_route_: ["alice-only"], allow: ["alice"] },
        { _match_domain_: ["*.team.example.com"], allow: ["alice", "bob"] },
      ],
    },
    ["alice-only"],
    [
      { name: "a route without a rule passes through (no auth)", path: "/open", status: 200, consumer: null },
      { name: "a pass-through route keeps a client X-Mse-Consumer untouched (as Higress)", path: "/open", headers: [["x-mse-consumer", "x"]], status: 200, consumer: "x" },
      { name: "route rule: no key → 401", path: "/alice-only", status: 401, message: NO_KEY },
      { name: "route rule: allowed consumer passes and is named upstream", path: "/alice-only", headers: [["x-api-key", "alice-key"]], status: 200, consumer: "alice" },
      { name: "header name case does not matter (X-API-KEY vs x-api-key)", path: "/alice-only", headers: [["X-Api-Key", "alice-key"]], status: 200, consumer: "alice" },
      { name: "a second key name works too", path: "/alice-only", headers: [["apikey", "alice-key"]], status: 200, consumer: "alice" },
      { name: "known consumer not in allow → 403", path: "/alice-only", headers: [["apikey", "bob-key"]], status: 403, message: UNAUTHORIZED },
      { name: "unknown key → 403 (Higress code, not the README's 401)", path: "/alice-only", headers: [["x-api-key", "nope"]], status: 403, message: UNAUTHORIZED },
      { name: "a prefix of a key is not the key", path: "/alice-only", headers: [["x-api-key", "alice-ke"]], status: 403 },
      { name: "key values are case-sensitive", path: "/alice-only", headers: [["x-api-key", "ALICE-KEY"]], status: 403 },
      { name: "keys in two headers → 401 multi", path: "/alice-only", headers: [["x-api-key", "alice-key"], ["apikey", "bob-key"]], status: 401, message: MULTI },
      { name: "the same header twice → 401 multi (not first-wins)", path: "/alice-only", headers: [["x-api-key", "bob-key"], ["x-api-key", "alice-key"]], status: 401, message: MULTI },
      { name: "in_header wins: the query is not consulted", path: "/alice-only?apikey=alice-key", status: 401, message: NO_KEY },
      { name: "key in header and query: only the header counts", path: "/alice-only?apikey=bob-key", headers: [["x-api-key", "alice-key"]], status: 200, consumer: "alice" },
      { name: "an empty header value is no key", path: "/alice-only", headers: [["x-api-key", ""]], status: 401, message: NO_KEY },
      { name: "a spoofed X-Mse-Consumer is replaced", path: "/alice-only", headers: [["x-mse-consumer", "bob"], ["x-api-key", "alice-key"]], status: 200, consumer: "alice" },
      { name: "a spoofed x_mse_consumer (underscore) does not reach the upstream", path: "/alice-only", headers: [["x_mse_consumer", "bob"], ["x-api-key", "alice-key"]], status: 200, consumer: "alice" },
      { name: "a spoofed X_Mse-Consumer (mixed) does not reach the upstream", path: "/alice-only", headers: [["X_Mse-Consumer", "bob"], ["x-mse_consumer", "bob"], ["x-api-key", "alice-key"]], status: 200, consumer: "alice" },
      { name: "both underscore spellings at once do not reach the upstream", path: "/alice-only", headers: [["x_mse_consumer", "bob"], ["X_Mse-Consumer", "bob"], ["x-api-key", "alice-key"]], status: 200, consumer: "alice" },
      { name: "a wrong key is never logged", path: "/alice-only", headers: [["x-api-key", "secret-guess-123"]], status: 403, message: UNAUTHORIZED },
      { name: "the key followed by an invalid byte (\\xff) is not the key", path: "/alice-only", headers: [["x-api-key", bytes("alice-key\xff")]], status: 403, message: UNAUTHORIZED },
      { name: "an overlong UTF-8 'a' (\\xc1\\xa1) is not 'a'", path: "/alice-only", headers: [["x-api-key", bytes("\xc1\xa1lice-key")]], status: 403, message: UNAUTHORIZED },
      { name: "a lone invalid byte inside the key is not the key", path: "/alice-only", headers: [["x-api-key", bytes("alice-\x80key")]], status: 403, message: UNAUTHORIZED },
      { name: "domain rule: bob allowed there", path: "/d", host: "api.team.example.com", headers: [["apikey", "bob-key"]], status: 200, consumer: "bob" },
      { name: "domain rule: carol is not", path: "/d", host: "api.team.example.com", headers: [["apikey", "c@rol key+/="]], status: 403, message: UNAUTHORIZED },
      { name: "domain rule: no key → 401", path: "/d", host: "api.team.example.com", status: 401, message: NO_KEY },
    ],
  ),
  group(
    "global_auth true, keys in the query",
    { global_auth: true, consumers, keys: ["apikey", "x-api-key"], in_query: true, in_header: false, _rules_: [{ _match_route_: ["bob-only"], allow: ["bob"] }] },
    ["bob-only"],
    [
      { name: "no key anywhere → 401", path: "/x", status: 401, message: NO_KEY },
      { name: "any consumer passes where no rule applies", path: "/x?apikey=alice-key", status: 200, consumer: "alice" },
      { name: "two query keys → 401 multi", path: "/x?apikey=alice-key&apikey=bob-key", status: 401, message: MULTI },
      { name: "the same key under both names → 401 multi", path: "/x?apikey=alice-key&x-api-key=alice-key", status: 401, message: MULTI },
      { name: "a URL-encoded parameter name is decoded", path: "/x?api%6Bey=alice-key", status: 200, consumer: "alice" },
      { name: "a URL-encoded value is decoded", path: "/x?apikey=c%40rol%20key%2B%2F%3D", status: 200, consumer: "carol" },
      { name: "'+' in a query value means space", path: "/x?apikey=c@rol+key+/=", status: 403, message: UNAUTHORIZED },
      { name: "query names are case-sensitive", path: "/x?APIKEY=alice-key", status: 401, message: NO_KEY },
      { name: "headers are ignored when in_header is false", path: "/x", headers: [["x-api-key", "alice-key"]], status: 401 },
      { name: "a malformed escape is skipped, not trapped on", path: "/x?apikey=%zz", status: 401, message: NO_KEY },
      { name: "an empty query value is a (wrong) key", path: "/x?apikey=", status: 403, message: UNAUTHORIZED },
      { name: "the key among other parameters", path: "/x?a=1&apikey=alice-key&b=2", status: 200, consumer: "alice" },
      { name: "a percent-encoded invalid byte after the key is not the key", path: "/x?apikey=alice-key%FF", status: 403, message: UNAUTHORIZED },
      { name: "a percent-encoded overlong 'a' is not 'a'", path: "/x?apikey=%C1%A1lice-key", status: 403, message: UNAUTHORIZED },
      { name: "a percent-encoded UTF-8 key matches", path: "/x?apikey=d%C3%A4v%C3%A9-key", status: 200, consumer: "dave" },
      { name: "a spoofed x_mse_consumer is dropped (query key)", path: "/x?apikey=bob-key", headers: [["x_mse_consumer", "alice"]], status: 200, consumer: "bob" },
      { name: "route rule: allowed consumer", path: "/bob-only?apikey=bob-key", status: 200, consumer: "bob" },
      { name: "route rule: authenticated but not allowed → 403", path: "/bob-only?apikey=alice-key", status: 403, message: UNAUTHORIZED },
    ],
  ),
  group(
    "global_auth false: auth only where a rule says so",
    { global_auth: false, consumers, keys: ["x-api-key"], in_header: true, _rules_: [{ _match_route_: ["locked"], allow: ["alice"] }] },
    ["locked"],
    [
      { name: "no rule → pass through", path: "/free", status: 200, consumer: null },
      { name: "no rule → a wrong key is not even checked", path: "/free", headers: [["x-api-key", "junk"]], status: 200, consumer: null },
      { name: "rule → authenticated", path: "/locked", headers: [["x-api-key", "alice-key"]], status: 200, consumer: "alice" },
      { name: "rule → no key", path: "/locked", status: 401, message: NO_KEY },
    ],
  ),
  group(
    "global_auth unset and no rules: every request authenticates (legacy)",
    { consumers, keys: ["x-api-key"], in_header: true },
    [],
    [
      { name: "no key → 401", path: "/", status: 401, message: NO_KEY },
      { name: "any consumer passes", path: "/", headers: [["x-api-key", "bob-key"]], status: 200, consumer: "bob" },
      { name: "a UTF-8 key sent as raw bytes matches", path: "/", headers: [["x-api-key", Buffer.from("dävé-key", "utf8")]], status: 200, consumer: "dave" },
      { name: "the UTF-8 key with an invalid trailing byte does not", path: "/", headers: [["x-api-key", Buffer.concat([Buffer.from("dävé-key", "utf8"), Buffer.from([0xff])])]], status: 403, message: UNAUTHORIZED },
    ],
  ),
  // The key-auth scenario of the former test/differential.
  {
    name: "two consumers, header keys only, one route rule",
    config: { consumers: consumers.slice(0, 2), keys: ["X-API-KEY", "apikey"], in_header: true, _rules_: [{ _match_route_: ["alice-only"], allow: ["alice"] }] },
    routes: ["alice-only"],
    refused,
    rows: [
      { name: "no rule: passes through", request: { path: "/open" }, expect: { status: 200, upstream: { "x-mse-consumer": null } } },
      { name: "no key: 401", request: { path: "/alice-only" }, expect: { status: 401 } },
      { name: "right key in a header", request: { path: "/alice-only", headers: [["X-Api-Key", "alice-key"]] }, expect: { status: 200, upstream: { "x-mse-consumer": "alice" } } },
      { name: "in_header: a key in the query is not consulted", request: { path: "/alice-only?apikey=alice-key" }, expect: { status: 401 } },
      { name: "consumer not allowed: 403", request: { path: "/alice-only", headers: [["apikey", "bob-key"]] }, expect: { status: 403 } },
      { name: "two keys: 401", request: { path: "/alice-only", headers: [["x-api-key", "alice-key"], ["apikey", "bob-key"]] }, expect: { status: 401 } },
      { name: "spoofed X-Mse-Consumer is replaced", request: { path: "/alice-only", headers: [["x-mse-consumer", "bob"], ["x-api-key", "alice-key"]] }, expect: { status: 200, upstream: { "x-mse-consumer": "alice" } } },
    ],
  },
];

const base = { consumers, keys: ["x-api-key"], in_header: true };

export const table: PluginTable = {
  plugin: "key-auth",
  groups,
  badConfigs: ([
    ["duplicate credentials", { ...base, consumers: [...consumers, { name: "eve", credential: "bob-key" }] }, "duplicate consumer credential"],
    ["no keys", { consumers, in_header: true }, "keys is required"],
    ["a secret template in a rule (only Higress's control plane expands it)", { ...base, _rules_: [{ _match_route_: ["r"], allow: ["alice"], consumers: [{ name: "x", credential: "${secret.higress-system/keys.alice}" }] }] }, "'_rules_[0].consumers[0].credential' holds a ${secret.…} template"],
    ["empty keys", { ...base, keys: [] }, "keys cannot be empty"],
    ["neither in_query nor in_header", { consumers, keys: ["x-api-key"] }, "must one of in_query/in_header required"],
    ["no consumers", { keys: ["x-api-key"], in_header: true }, "consumers is required"],
    ["empty consumers", { ...base, consumers: [] }, "consumers cannot be empty"],
    ["a consumer without a name", { ...base, consumers: [{ credential: "k" }] }, "consumer name is required"],
    ["a consumer without a credential", { ...base, consumers: [{ name: "n" }] }, "consumer credential is required"],
    ["global_auth not a boolean", { ...base, global_auth: "yes" }, "global_auth must be a boolean"],
    ["a rule without allow", { ...base, _rules_: [{ _match_route_: ["r"] }] }, "rule 0: allow is required"],
    ["a rule with an empty allow", { ...base, _rules_: [{ _match_route_: ["r"], allow: [] }] }, "rule 0: allow cannot be empty"],
    ["rules but a broken global config", { keys: ["k"], _rules_: [{ _match_route_: ["r"], allow: ["a"] }] }, "the global configuration (keys, consumers) is missing or invalid: must one of in_query/in_header required"],
  ] as const).map(([name, config, message]) => ({ name, config, message })),
};
