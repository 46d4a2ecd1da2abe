// The case table of ip-restriction: global, route and domain rules, the peer address vs a header
// as the source, IPv4/IPv6/CIDR matching, and bad configurations. Every row runs on a real Envoy
// (use_remote_address, as on an edge gateway: the peer is appended to X-Forwarded-For) and on the
// emulator (both targets) through harness/src/plugin-table.ts, which also demands the same answer.
import type { Group, PluginTable, Row } from "../../../harness/src/plugin-table.js";

export const config = {
  ip_source_type: "header",
  allow: ["10.0.0.0/8", "2001:db8::/32", "192.168.1.1"],
  _rules_: [
    { _match_route_: ["peer-deny"], deny: ["127.0.0.0/8"], status: 451, message: "go \"away\" \\ now" },
    { _match_route_: ["peer-allow"], ip_source_type: "origin-source", allow: ["127.0.0.1/32"] },
    { _match_route_: ["real-ip"], ip_source_type: "header", ip_header_name: "X-Real-IP", deny: ["1.2.3.4", "2001:db8::1"] },
    { _match_domain_: ["*.v6.example.com"], ip_source_type: "header", allow: ["::1", "fd00::/8"] },
  ],
};

export const routes = ["peer-deny", "peer-allow", "real-ip"];

const BLOCKED = "Your IP address is blocked.";
export const xff = (v: string): [string, string][] => [["x-forwarded-for", v]];

/** A row in the short form; a refusal carries `{"message": …}` as JSON (default BLOCKED). */
interface Case { name: string; path: string; host?: string; headers?: [string, string][]; status: number; message?: string }
const row = (c: Case): Row => ({
  name: c.name,
  request: { path: c.path, host: c.host, headers: c.headers },
  expect: { status: c.status, body: c.status === 200 ? undefined : JSON.stringify({ message: c.message ?? BLOCKED }) },
});
const refused = { headers: { "content-type": "application/json" } };

const cases: Case[] = [
  // global config: header source, allow list
  { name: "allowed IPv4 in a CIDR", path: "/a", headers: xff("10.1.2.3"), status: 200 },
  { name: "only the first X-Forwarded-For value counts (allowed first)", path: "/a", headers: xff("10.1.2.3, 8.8.8.8"), status: 200 },
  { name: "only the first X-Forwarded-For value counts (denied first)", path: "/a", headers: xff("8.8.8.8, 10.1.2.3"), status: 403, message: BLOCKED },
  { name: "the value is trimmed", path: "/a", headers: xff("  192.168.1.1  ,1.1.1.1"), status: 200 },
  { name: "a single allowed address does not allow its neighbour", path: "/a", headers: xff("192.168.1.2"), status: 403, message: BLOCKED },
  { name: "a port after an IPv4 address is ignored", path: "/a", headers: xff("10.1.2.3:8080"), status: 200 },
  { name: "IPv6 in an allowed range", path: "/a", headers: xff("2001:db8::5"), status: 200 },
  { name: "bracketed IPv6 with a port", path: "/a", headers: xff("[2001:db8::5]:443"), status: 200 },
  { name: "IPv6 outside the range", path: "/a", headers: xff("2001:db9::1"), status: 403 },
  { name: "IPv4-mapped IPv6 matches the IPv4 range", path: "/a", headers: xff("::ffff:10.0.0.7"), status: 200 },
  { name: "no client X-Forwarded-For: Envoy's own entry (the peer) is not allowed", path: "/a", status: 403, message: BLOCKED },
  { name: "garbage in the header fails closed", path: "/a", headers: xff("not-an-ip"), status: 403 },
  { name: "octal-looking IPv4 is refused, not guessed", path: "/a", headers: xff("010.1.2.3"), status: 403 },
  { name: "header name is case-insensitive", path: "/a", headers: [["X-FORWARDED-FOR", "10.9.9.9"]], status: 200 },
  // route rules
  { name: "origin-source: the peer 127.0.0.1 is denied with the rule's status/message", path: "/peer-deny", status: 451, message: "go \"away\" \\ now" },
  { name: "origin-source: a spoofed X-Forwarded-For cannot escape a deny", path: "/peer-deny", headers: xff("10.1.2.3"), status: 451, message: "go \"away\" \\ now" },
  { name: "origin-source: the peer is allowed whatever X-Forwarded-For says", path: "/peer-allow", headers: xff("8.8.8.8"), status: 200 },
  { name: "custom header: a denied address", path: "/real-ip", headers: [["x-real-ip", "1.2.3.4"]], status: 403 },
  { name: "custom header: another address passes", path: "/real-ip", headers: [["X-Real-IP", "5.6.7.8"]], status: 200 },
  { name: "custom header: X-Forwarded-For is not consulted", path: "/real-ip", headers: [["x-forwarded-for", "1.2.3.4"], ["x-real-ip", "5.6.7.8"]], status: 200 },
  { name: "custom header: a denied IPv6 address", path: "/real-ip", headers: [["x-real-ip", "2001:DB8:0::1"]], status: 403 },
  { name: "custom header: missing header fails closed even in deny mode", path: "/real-ip", status: 403 },
  // domain rule
  { name: "domain rule: IPv6 loopback allowed", path: "/d", host: "api.v6.example.com", headers: xff("::1"), status: 200 },
  { name: "domain rule: unique-local range allowed", path: "/d", host: "api.v6.example.com:8443", headers: xff("fd12:3456::1"), status: 200 },
  { name: "domain rule does not inherit the global allow list", path: "/d", host: "api.v6.example.com", headers: xff("10.1.2.3"), status: 403 },
  { name: "duplicate X-Forwarded-For lines: the first line's first value decides (denied first)", path: "/a", headers: [["x-forwarded-for", "8.8.8.8"], ["x-forwarded-for", "10.0.0.1"]], status: 403 },
  { name: "duplicate X-Forwarded-For lines: the first line's first value decides (allowed first)", path: "/a", headers: [["x-forwarded-for", "10.0.0.1"], ["x-forwarded-for", "8.8.8.8"]], status: 200 },
];

const groups: Group[] = [
  { name: "header source, route and domain rules", config, routes, useRemoteAddress: true, refused, rows: cases.map(row) },
  // The ip-restriction scenario of the former test/differential.
  {
    name: "header source, allow list; origin-source and custom-header rules",
    config: {
      ip_source_type: "header",
      allow: ["10.0.0.0/8", "2001:db8::/32"],
      _rules_: [
        { _match_route_: ["peer-deny"], ip_source_type: "origin-source", deny: ["127.0.0.0/8"], status: 451, message: "go away" },
        { _match_route_: ["real-ip"], ip_source_type: "header", ip_header_name: "X-Real-IP", deny: ["1.2.3.4"] },
      ],
    },
    routes: ["peer-deny", "real-ip"],
    useRemoteAddress: true,
    refused,
    rows: [
      { name: "allowed address in X-Forwarded-For", request: { path: "/a", headers: xff("10.1.2.3") }, expect: { status: 200 } },
      { name: "denied address in X-Forwarded-For", request: { path: "/a", headers: xff("8.8.8.8") }, expect: { status: 403 } },
      { name: "no X-Forwarded-For: Envoy appends the peer", request: { path: "/a" }, expect: { status: 403 } },
      { name: "duplicate X-Forwarded-For lines", request: { path: "/a", headers: [["x-forwarded-for", "10.0.0.1"], ["x-forwarded-for", "8.8.8.8"]] }, expect: { status: 200 } },
      { name: "IPv6 in range", request: { path: "/a", headers: xff("[2001:db8::5]:443") }, expect: { status: 200 } },
      { name: "origin-source: the peer is denied", request: { path: "/peer-deny", headers: xff("10.1.2.3") }, expect: { status: 451 } },
      { name: "custom header: denied", request: { path: "/real-ip", headers: [["X-Real-IP", "1.2.3.4"]] }, expect: { status: 403 } },
      { name: "custom header: allowed", request: { path: "/real-ip", headers: [["x-real-ip", "5.6.7.8"]] }, expect: { status: 200 } },
    ],
  },
];

export const table: PluginTable = {
  plugin: "ip-restriction",
  groups,
  badConfigs: ([
    ["both allow and deny", { allow: ["1.2.3.4"], deny: ["5.6.7.8"] }, "allow and deny cannot be set at the same time"],
    ["neither allow nor deny", { status: 403 }, "allow and deny cannot be empty at the same time"],
    ["empty lists", { allow: [], deny: [] }, "allow and deny cannot be empty at the same time"],
    ["a CIDR with a bad prefix", { deny: ["10.0.0.0/33"] }, "invalid IP[10.0.0.0/33]"],
    ["garbage in the list", { allow: ["10.0.0.1", "localhost"] }, "invalid IP[localhost]"],
    ["an unknown ip_source_type", { ip_source_type: "socket", deny: ["1.2.3.4"] }, "ip_source_type must be"],
    ["an impossible status", { deny: ["1.2.3.4"], status: 1000 }, "status must be an HTTP status code"],
    ["a bad rule", { deny: ["1.2.3.4"], _rules_: [{ _match_route_: ["r"], allow: ["1.2.3.4"], deny: ["::1"] }] }, "rule 0: allow and deny cannot be set at the same time"],
  ] as const).map(([name, config, message]) => ({ name, config, message })),
};
