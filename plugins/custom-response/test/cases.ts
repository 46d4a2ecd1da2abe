// The case table of custom-response: the mock (answered in the request-headers phase, the upstream
// never called), the `rules` schema (exact codes, fuzzy patterns, the default rule that only the
// request phase uses), the legacy top-level schema, headers as Higress writes them, and bad
// configurations. Every row runs on a real Envoy and on the emulator (both targets) through
// harness/src/plugin-table.ts. Upstream statuses come from the recording upstream's /status/NNN.
import type { Group, PluginTable, Row } from "../../../harness/src/plugin-table.js";

const JSON_TYPE = "application/json; charset=utf-8";
const TEXT_TYPE = "text/plain; charset=utf-8";

/** A response the upstream produced (its echo) and the plugin left alone. */
const passes = (name: string, path: string, status: number): Row => ({ name, request: { path }, expect: { status, reachesUpstream: true, headers: { "x-upstream": "recording" } } });

export const rulesConfig = {
  rules: [
    { status_code: 200, body: '{"hello":"world 200"}', enable_on_status: ["201"], headers: ["key1=value1", " key2 = value2 "] },
    { status_code: 502, body: "upstream trouble", enable_on_status: ["5xx", 404], headers: ["X-Token=a=b", "Content-Length=999"] },
    { status_code: 418, body: "x23", enable_on_status: ["X23"] },
    { status_code: 299, body: "the default rule" },
    { status_code: 404, body: "second rule without enable_on_status" },
  ],
};

const groups: Group[] = [
  {
    name: "legacy schema, no enable_on_status: a mock",
    config: { status_code: 200, headers: ["Content-Type=application/json", "Hello=World"], body: '{"hello":"world"}' },
    rows: [
      { name: "a GET is answered by the plugin, the upstream is never called", request: { path: "/any" }, expect: { status: 200, body: '{"hello":"world"}', reachesUpstream: false, headers: { "content-type": "application/json", hello: "World", "content-length": "17", "x-upstream": null } } },
      { name: "a POST with a body is answered the same", request: { method: "POST", path: "/x", headers: [["content-type", "text/plain"]], body: "payload" }, expect: { status: 200, body: '{"hello":"world"}', reachesUpstream: false } },
      { name: "an upstream error path never reaches the upstream either", request: { path: "/status/503" }, expect: { status: 200, body: '{"hello":"world"}', reachesUpstream: false } },
    ],
  },
  {
    name: "rules: exact codes, fuzzy patterns, default rule",
    config: rulesConfig,
    rows: [
      passes("an upstream 200 matches no rule and passes (the default rule is not used in the response phase)", "/status/200", 200),
      { name: "exact 201 → rule 1 (JSON body: JSON content type, trimmed header pairs)", request: { path: "/status/201" }, expect: { status: 200, body: '{"hello":"world 200"}', reachesUpstream: true, headers: { "content-type": JSON_TYPE, key1: "value1", key2: "value2", "x-upstream": null } } },
      { name: "exact 404 (a number in the config) → rule 2, value keeps its '=', Content-Length is the real one", request: { path: "/status/404" }, expect: { status: 502, body: "upstream trouble", headers: { "content-type": TEXT_TYPE, "x-token": "a=b", "content-length": "16" } } },
      { name: "5xx matches 503 → rule 2", request: { path: "/status/503" }, expect: { status: 502, body: "upstream trouble" } },
      { name: "5xx matches 599", request: { path: "/status/599" }, expect: { status: 502, body: "upstream trouble" } },
      { name: "X23 (upper-case x) matches 423 → rule 3", request: { path: "/status/423" }, expect: { status: 418, body: "x23", headers: { "content-type": TEXT_TYPE } } },
      { name: "x23 does not match 424", request: { path: "/status/424" }, expect: { status: 424, reachesUpstream: true, headers: { "x-upstream": "recording" } } },
      passes("400 matches nothing", "/status/400", 400),
      passes("a 302 passes", "/status/302", 302),
    ],
  },
  {
    name: "legacy schema with enable_on_status (Higress's rate-limit example)",
    config: { enable_on_status: [429], status_code: 302, headers: ["Location=https://example.com"] },
    rows: [
      { name: "429 → 302 with Location, no body and no content type", request: { path: "/status/429" }, expect: { status: 302, body: "", headers: { location: "https://example.com", "content-type": null } } },
      passes("200 passes", "/status/200", 200),
      passes("428 passes (exact only)", "/status/428", 428),
    ],
  },
  {
    name: "per-route rules (_rules_), no global configuration",
    config: { _rules_: [{ _match_route_: ["mock"], body: "mocked", status_code: 503 }, { _match_route_: ["status"], rules: [{ enable_on_status: ["40x"], status_code: 200, body: "[]" }] }] },
    routes: ["mock", "status"],
    rows: [
      { name: "the mock route is answered by the plugin", request: { path: "/mock/a" }, expect: { status: 503, body: "mocked", reachesUpstream: false, headers: { "content-type": TEXT_TYPE } } },
      { name: "40x on the status route", request: { path: "/status/404" }, expect: { status: 200, body: "[]", headers: { "content-type": JSON_TYPE } } },
      passes("410 is not 40x", "/status/410", 410),
      passes("a route without a rule: no plugin", "/other", 200),
    ],
  },
];

export const table: PluginTable = {
  plugin: "custom-response",
  groups,
  badConfigs: ([
    ["a header without '='", { headers: ["NoEquals"] }, "invalid header pair format: NoEquals"],
    ["a header with an empty name", { headers: ["=v"] }, "invalid header pair format: =v"],
    ["headers not a list", { headers: "a=b" }, "headers must be an array"],
    ["status_code not a number", { status_code: "abc" }, "invalid status code value: abc"],
    ["status_code out of range", { status_code: 1000 }, "invalid status code value: 1000"],
    ["a fuzzy pattern of 4 characters", { rules: [{ enable_on_status: ["4xxx"] }] }, "rules[0]: invalid enable_on_status \"4xxx\": length must be 3"],
    ["a fuzzy pattern with a letter", { enable_on_status: ["4y4"] }, "must contain only digits and x/X"],
    ["a fuzzy pattern without a digit", { enable_on_status: ["xxx"] }, "must contain at least one digit"],
    ["a status in two rules", { rules: [{ enable_on_status: [404] }, { enable_on_status: ["404"] }] }, "enableOnStatus can only use once: 404"],
    ["the same pattern in two cases", { rules: [{ enable_on_status: ["5xx"] }, { enable_on_status: ["5XX"] }] }, "enableOnStatus can only use once: 5xx"],
    ["empty rules", { rules: [] }, "no valid config is found"],
    ["a rule that is not an object", { rules: ["x"] }, "rules[0] must be an object"],
  ] as const).map(([name, config, message]) => ({ name, config, message })),
};
