// The case table of basic-auth: the consumer model's truth table, exact statuses, messages and
// realm, malformed or hostile Authorization headers (bytes that are not UTF-8 among them). Every
// row runs on a real Envoy and on the emulator (both targets) through harness/src/plugin-table.ts,
// which also demands the same answer from both.
import { consumerRow, type ConsumerCase, type Group, type PluginTable, type Row } from "../../../harness/src/plugin-table.js";

const NO_AUTH = "Request denied by Basic Auth check. No Basic Authentication information found.";
const BAD = "Request denied by Basic Auth check. Invalid username and/or password.";
const UNAUTHORIZED = "Request denied by Basic Auth check. Unauthorized consumer.";

export const consumers = [
  { name: "alice", credential: "alice:wonderland" },
  { name: "bob", credential: "bob:builder" },
  { name: "carol", credential: "carol:p@ss wörd!" },
];
export const basic = (s: string): [string, string] => ["authorization", "Basic " + Buffer.from(s, "utf8").toString("base64")];
/** Bytes as written (latin1 maps each char to one byte): invalid UTF-8 on the wire. */
const bytes = (s: string) => Buffer.from(s, "latin1");
const basicBytes = (b: Buffer): [string, string] => ["authorization", "Basic " + b.toString("base64")];

const refused = { headers: { "www-authenticate": "Basic realm=MSE Gateway" } };
/** Neither the credential (consumerRow) nor a decoded password is ever logged. */
const row = (c: ConsumerCase): Row => {
  const r = consumerRow(c);
  r.expect.notLogged = [...(r.expect.notLogged ?? []), "wonderland", "hunter2-guess"];
  return r;
};
const group = (name: string, config: unknown, routes: string[], cases: ConsumerCase[]): Group => ({ name, config, routes, refused, rows: cases.map(row) });

const groups: Group[] = [
  group(
    "global_auth unset, rules exist",
    { consumers, _rules_: [{ _match_route_: ["alice-only"], allow: ["alice"] }, { _match_domain_: ["*.team.example.com"], allow: ["alice", "bob"] }] },
    ["alice-only"],
    [
      { name: "a route without a rule passes through", path: "/open", status: 200, consumer: null },
      { name: "no Authorization → 401", path: "/alice-only", status: 401, message: NO_AUTH },
      { name: "right user and password → 200 and X-Mse-Consumer", path: "/alice-only", headers: [basic("alice:wonderland")], status: 200, consumer: "alice" },
      { name: "the header name's case does not matter", path: "/alice-only", headers: [["AUTHORIZATION", basic("alice:wonderland")[1]]], status: 200, consumer: "alice" },
      { name: "wrong password → 401", path: "/alice-only", headers: [basic("alice:Wonderland")], status: 401, message: BAD },
      { name: "unknown user → 401", path: "/alice-only", headers: [basic("mallory:wonderland")], status: 401, message: BAD },
      { name: "another consumer's password → 401", path: "/alice-only", headers: [basic("alice:builder")], status: 401, message: BAD },
      { name: "valid consumer not in allow → 403", path: "/alice-only", headers: [basic("bob:builder")], status: 403, message: UNAUTHORIZED },
      { name: "not base64 → 401", path: "/alice-only", headers: [["authorization", "Basic !!!!"]], status: 401, message: BAD },
      { name: "unpadded base64 → 401 (Go's StdEncoding)", path: "/alice-only", headers: [["authorization", "Basic YWxpY2U6d29uZGVybGFuZA"]], status: 401, message: BAD },
      { name: "no colon in the credential → 401", path: "/alice-only", headers: [basic("alicewonderland")], status: 401, message: BAD },
      { name: "an extra ':part' → 401", path: "/alice-only", headers: [basic("alice:wonderland:x")], status: 401, message: BAD },
      { name: "'Basic ' with nothing after it (Envoy trims the space) → 401 no auth data", path: "/alice-only", headers: [["authorization", "Basic "]], status: 401, message: NO_AUTH },
      { name: "another scheme → 401 no auth data", path: "/alice-only", headers: [["authorization", "Bearer abc"]], status: 401, message: NO_AUTH },
      { name: "lower-case 'basic' is not the Basic scheme (as Higress)", path: "/alice-only", headers: [["authorization", "basic " + basic("alice:wonderland")[1].slice(6)]], status: 401, message: NO_AUTH },
      { name: "two Authorization headers → 401 (no first-wins)", path: "/alice-only", headers: [basic("alice:wonderland"), basic("alice:wonderland")], status: 401, message: BAD },
      { name: "a spoofed X-Mse-Consumer is replaced", path: "/alice-only", headers: [["x-mse-consumer", "admin"], basic("alice:wonderland")], status: 200, consumer: "alice" },
      { name: "a spoofed x_mse_consumer (underscore) does not reach the upstream", path: "/alice-only", headers: [["x_mse_consumer", "admin"], ["X_Mse-Consumer", "admin"], basic("alice:wonderland")], status: 200, consumer: "alice" },
      { name: "user:password followed by an invalid byte (\\xff) inside the base64 → 401", path: "/alice-only", headers: [basicBytes(bytes("alice:wonderland\xff"))], status: 401, message: BAD },
      { name: "an overlong 'a' (\\xc1\\xa1) inside the base64 → 401", path: "/alice-only", headers: [basicBytes(bytes("\xc1\xa1lice:wonderland"))], status: 401, message: BAD },
      { name: "the header value followed by an invalid byte (\\xff) → 401", path: "/alice-only", headers: [["authorization", Buffer.concat([Buffer.from(basic("alice:wonderland")[1]), bytes("\xff")])]], status: 401, message: BAD },
      { name: "an overlong 'Y' (\\xc1\\x99) in the base64 text → 401", path: "/alice-only", headers: [["authorization", Buffer.concat([Buffer.from("Basic "), bytes("\xc1\x99"), Buffer.from(basic("alice:wonderland")[1].slice(7))])]], status: 401, message: BAD },
      { name: "a wrong password is never logged", path: "/alice-only", headers: [basic("alice:hunter2-guess")], status: 401, message: BAD },
      { name: "domain rule: bob allowed", path: "/d", host: "x.team.example.com", headers: [basic("bob:builder")], status: 200, consumer: "bob" },
      { name: "domain rule: carol not allowed → 403", path: "/d", host: "x.team.example.com", headers: [basic("carol:p@ss wörd!")], status: 403, message: UNAUTHORIZED },
    ],
  ),
  group(
    "global_auth true",
    { global_auth: true, consumers, _rules_: [{ _match_route_: ["bob-only"], allow: ["bob"] }] },
    ["bob-only"],
    [
      { name: "no rule: any consumer, UTF-8 password", path: "/x", headers: [basic("carol:p@ss wörd!")], status: 200, consumer: "carol" },
      { name: "no rule: still needs credentials", path: "/x", status: 401, message: NO_AUTH },
      { name: "route rule: bob passes", path: "/bob-only", headers: [basic("bob:builder")], status: 200, consumer: "bob" },
      { name: "route rule: alice → 403", path: "/bob-only", headers: [basic("alice:wonderland")], status: 403, message: UNAUTHORIZED },
    ],
  ),
  group(
    "global_auth false",
    { global_auth: false, consumers, _rules_: [{ _match_route_: ["locked"], allow: ["alice"] }] },
    ["locked"],
    [
      { name: "no rule → pass through even with bad credentials", path: "/free", headers: [["authorization", "Basic !!!!"]], status: 200, consumer: null },
      { name: "rule → alice passes", path: "/locked", headers: [basic("alice:wonderland")], status: 200, consumer: "alice" },
      { name: "rule → no credentials → 401", path: "/locked", status: 401, message: NO_AUTH },
    ],
  ),
  // The basic-auth scenario of the former test/differential.
  {
    name: "global_auth true, two consumers",
    config: { global_auth: true, consumers: [consumers[0], consumers[2]] },
    refused,
    rows: [
      { name: "right credentials", request: { path: "/x", headers: [basic("alice:wonderland")] }, expect: { status: 200, upstream: { "x-mse-consumer": "alice" } } },
      { name: "UTF-8 password", request: { path: "/x", headers: [basic("carol:p@ss wörd!")] }, expect: { status: 200 } },
      { name: "wrong password", request: { path: "/x", headers: [basic("alice:nope")] }, expect: { status: 401 } },
      { name: "no credentials", request: { path: "/x" }, expect: { status: 401 } },
      { name: "'Basic ' with trailing space only", request: { path: "/x", headers: [["authorization", "Basic "]] }, expect: { status: 401 } },
      { name: "two Authorization headers", request: { path: "/x", headers: [basic("alice:wonderland"), basic("alice:wonderland")] }, expect: { status: 401 } },
      { name: "a POST body passes through", request: { path: "/x", headers: [basic("alice:wonderland")], body: '{"a":1}' }, expect: { status: 200 } },
    ],
  },
];

export const table: PluginTable = {
  plugin: "basic-auth",
  groups,
  badConfigs: ([
    ["no consumers", {}, "consumers is required"],
    ["empty consumers", { consumers: [] }, "consumers cannot be empty"],
    ["a consumer without a name", { consumers: [{ credential: "a:b" }] }, "consumer name is required"],
    ["a consumer without a credential", { consumers: [{ name: "a" }] }, "consumer credential is required"],
    ["duplicate credentials", { consumers: [...consumers, { name: "eve", credential: "bob:builder" }] }, "duplicate consumer credential"],
    ["a credential without ':'", { consumers: [{ name: "a", credential: "ab" }] }, "invalid credential format"],
    ["a credential with two ':'", { consumers: [{ name: "a", credential: "a:b:c" }] }, "invalid credential format"],
    ["a secret template (only Higress's control plane expands it)", { consumers: [{ name: "a", credential: "${secret.ns/s.key}:x" }] }, "'consumers[0].credential' holds a ${secret.…} template: only Higress's control plane expands those"],
    ["global_auth not a boolean", { consumers, global_auth: 1 }, "global_auth must be a boolean"],
    ["a rule without allow", { consumers, _rules_: [{ _match_domain_: ["a.com"] }] }, "rule 0: allow is required"],
  ] as const).map(([name, config, message]) => ({ name, config, message })),
};
