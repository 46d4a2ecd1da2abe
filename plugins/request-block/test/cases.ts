// The case table of request-block: every row runs on a real Envoy and on the emulator (both
// targets) through harness/src/plugin-table.ts, which also demands the same answer from both.
import type { PluginTable, Row } from "../../../harness/src/plugin-table.js";

/** A row in the short form: request fields beside the status and the exact body. */
interface Case { name: string; path: string; host?: string; headers?: [string, string][]; body?: string; chunks?: number; status: number; message?: string; logs?: string[] }
const row = (c: Case): Row => ({ name: c.name, request: { path: c.path, host: c.host, headers: c.headers, body: c.body, chunks: c.chunks }, expect: { status: c.status, body: c.message, logs: c.logs } });

const pathRules = { block_urls: ["/admin"], block_exact_urls: ["/secret", "/q?x=1", "bare"], block_regexp_urls: ["^/internal/"] };

const config = {
  block_urls: ["swagger.html", "/Admin"],
  block_exact_urls: ["/exact"],
  block_regexp_urls: ["^/api/v[0-9]+/internal/", "\\.(bak|old)$", "(a+)+$"],
  block_headers: ["evil-agent"],
  block_bodies: ["DROP TABLE"],
  blocked_code: 418,
  blocked_message: "blocked by sluice",
  _rules_: [
    { _match_route_: ["strict"], block_urls: ["secret"], blocked_code: 451, case_sensitive: false },
    { _match_domain_: ["*.example.com"], block_bodies: ["forbidden"], blocked_message: "domain rule" },
    // Path rules on their own hosts: the normalised path (default), Higress's raw-only matching, and without case.
    { _match_domain_: ["paths.test"], ...pathRules },
    { _match_domain_: ["raw.test"], ...pathRules, match_normalized_path: false },
    { _match_domain_: ["nocase.test"], ...pathRules, case_sensitive: false },
  ],
};


const cases: Case[] = [
  { name: "clean request passes", path: "/hello", status: 200 },
  { name: "substring URL is blocked", path: "/docs/swagger.html", status: 418, message: "blocked by sluice" },
  { name: "URL match is case-sensitive by default", path: "/docs/SWAGGER.html", status: 200 },
  { name: "exact URL is blocked", path: "/exact", status: 418 },
  { name: "exact URL does not block a longer path", path: "/exact/more", status: 200 },
  { name: "regex URL is blocked", path: "/api/v2/internal/users", status: 418 },
  { name: "regex URL anchors hold", path: "/public/api/v2/internal/users", status: 200 },
  { name: "regex URL with alternation", path: "/config.bak", status: 418 },
  { name: "catastrophic-backtracking pattern answers at once (linear-time engine)", path: "/" + "a".repeat(5000) + "!", status: 200 },
  { name: "header value is blocked", path: "/h", headers: [["user-agent", "evil-agent/1.0"]], status: 418 },
  { name: "header name+value dump is searched", path: "/h", headers: [["x-evil-agent", "1"]], status: 418 },
  { name: "body is blocked", path: "/b", body: "SELECT 1; DROP TABLE users", status: 418 },
  { name: "body split across chunks is blocked", path: "/b", body: "x".repeat(100) + "DROP TABLE" + "y".repeat(100), chunks: 7, status: 418 },
  { name: "clean body passes", path: "/b", body: "hello", status: 200 },
  { name: "route rule replaces global rules", path: "/strict/swagger.html", status: 200 },
  { name: "route rule blocks its own URL", path: "/strict/secret", status: 451 },
  { name: "route rule is case-insensitive", path: "/strict/SeCrEt", status: 451 },
  { name: "domain rule applies to a matching host", path: "/d", host: "api.example.com", body: "forbidden fruit", status: 403, message: "domain rule" },
  { name: "domain rule ignores the port", path: "/d", host: "api.example.com:8080", body: "forbidden", status: 403 },
  { name: "wildcard domain does not match the bare domain", path: "/d", host: "example.com", body: "forbidden", status: 200 },
  { name: "domain rule does not use global URL rules", path: "/swagger.html", host: "api.example.com", status: 200 },
  { name: "case-sensitive rule sees the decoded path (/%41dmin is /Admin)", path: "/%41dmin/x", status: 418 },
  { name: "logs with Higress's prefix", path: "/exact", status: 418, logs: ["[request-block] [nil] [RID] request blocked by url rule"] },

  // Paths an upstream resolves to a blocked one (host paths.test: rules for /admin, exactly /secret, ^/internal/).
  ...[
    "/%61dmin", "/x/..%2Fadmin", "/x/..%5Cadmin", "//internal/a", "/./internal/a", "/a/%2E%2E/internal/x",
    "/secret/", "/secret?x=1", "/secret;x", "/%73ecret", "/secret/.", "/secret/x/..", "//secret", "/secret;jsessionid=1?y",
  ].map((path) => ({ name: `normalised path ${path} is blocked`, path, host: "paths.test", status: 403 })),
  ...[
    "/secret", "/admin/x", "/internal/a", "/q?x=1",
  ].map((path) => ({ name: `raw path ${path} is blocked`, path, host: "paths.test", status: 403 })),
  // Benign paths that normalise to something no rule covers.
  ...[
    "/secrets", "/x/secret", "/secret-garden", "/sec%72et-garden", "/internal", "/public/internal/a", "/a%2Fb", "/%7Euser/",
    "/..", "/search?q=..%2Fadmin", "/hello;v=1", "/%", "/SECRET", "/%53ecret", "/Internal/a",
    "/q", "/q?x=2", "/bare", // exact rules with a query or without a leading / are compared raw only
  ].map((path) => ({ name: `benign ${path} passes`, path, host: "paths.test", status: 200 })),
  // match_normalized_path: false keeps Higress's raw-only matching.
  ...[
    "/%61dmin", "/x/..%2Fadmin", "//internal/a", "/./internal/a", "/secret/", "/secret?x=1", "/secret;x", "/%73ecret",
  ].map((path) => ({ name: `raw-only matching lets ${path} through (Higress)`, path, host: "raw.test", status: 200 })),
  ...[
    "/secret", "/admin/x", "/internal/a",
  ].map((path) => ({ name: `raw-only matching still blocks ${path}`, path, host: "raw.test", status: 403 })),
  // case_sensitive: false on normalised paths.
  ...[
    "/SECRET", "/%53ECRET/", "/Secret;x", "//INTERNAL/a", "/x/..%2FADMIN", "/%41DMIN",
  ].map((path) => ({ name: `case-insensitive: ${path} is blocked`, path, host: "nocase.test", status: 403 })),
  ...[
    "/Secrets", "/x/SECRET", "/INTERNAL",
  ].map((path) => ({ name: `case-insensitive: benign ${path} passes`, path, host: "nocase.test", status: 200 })),
];

export const table: PluginTable = {
  plugin: "request-block",
  groups: [
    { name: "global, route and domain rules; normalised paths", config, routes: ["strict"], rows: cases.map(row) },
    {
      name: "custom code and message, header folding",
      config: {
        block_urls: ["swagger.html"],
        block_exact_urls: ["/exact"],
        block_headers: ["evil-agent"],
        block_bodies: ["DROP TABLE"],
        blocked_code: 418,
        blocked_message: "blocked by sluice",
        _rules_: [
          { _match_route_: ["strict"], block_urls: ["secret"], blocked_code: 451, case_sensitive: false },
          { _match_domain_: ["*.example.com"], block_bodies: ["forbidden"], blocked_message: "domain rule" },
        ],
      },
      routes: ["strict"],
      rows: [
        { name: "clean GET passes untouched", request: { path: "/hello?x=1" }, expect: { status: 200 } },
        { name: "URL substring is blocked", request: { path: "/docs/swagger.html" }, expect: { status: 418, body: "blocked by sluice", logs: ["request blocked by url rule"] } },
        { name: "exact URL is blocked", request: { path: "/exact" }, expect: { status: 418 } },
        { name: "header value is blocked", request: { path: "/h", headers: [["user-agent", "evil-agent/2"]] }, expect: { status: 418, logs: ["request blocked by header rule"] } },
        { name: "body in one piece is blocked", request: { path: "/b", body: "SELECT 1; DROP TABLE t" }, expect: { status: 418, logs: ["request blocked by body rule"] } },
        { name: "body split over 9 chunks is blocked", request: { path: "/b", body: "a".repeat(300) + "DROP TABLE" + "b".repeat(300), chunks: 9 }, expect: { status: 418 } },
        { name: "clean chunked body reaches the upstream intact", request: { path: "/b", body: "z".repeat(5000), chunks: 5 }, expect: { status: 200 } },
        { name: "route rule, case-insensitive", request: { path: "/strict/SeCReT" }, expect: { status: 451 } },
        { name: "domain rule with a port", request: { path: "/d", host: "api.example.com:8080", body: "forbidden" }, expect: { status: 403, body: "domain rule" } },
        { name: "duplicate custom headers stay separate", request: { path: "/dup", headers: [["x-dup", "a"], ["x-dup", "b"]] }, expect: { status: 200, upstream: { "x-dup": "a, b" } } },
        {
          name: "repeated well-known headers are folded like Envoy's inline headers",
          request: { path: "/fold", headers: [["user-agent", "u1"], ["user-agent", "u2"], ["authorization", "a"], ["authorization", "b"], ["accept-encoding", "gzip"], ["accept-encoding", "br"], ["cache-control", "no-cache"], ["cache-control", "max-age=0"], ["origin", "o1"], ["origin", "o2"], ["referer", "r1"], ["referer", "r2"], ["accept", "a1"], ["accept", "a2"], ["cookie", "c=1"], ["cookie", "d=2"], ["x-forwarded-host", "h1"], ["x-forwarded-host", "h2"]] },
          expect: { status: 200, upstream: { "user-agent": "u1,u2", authorization: "a,b" } },
        },
        { name: "header values are trimmed by the codec", request: { path: "/trim", headers: [["x-pad", "  padded \t"]] }, expect: { status: 200, upstream: { "x-pad": "padded" } } },
      ],
    },
  ],
  badConfigs: [
    { name: "no block rules", config: { blocked_code: 403 }, message: "there is no block rules" },
    { name: "invalid JSON", config: "{not json", message: "not a valid json" },
    { name: "a rule without _match_", config: { block_urls: ["x"], _rules_: [{ block_urls: ["y"] }] }, message: "_match_route_" },
    { name: "an invalid regular expression", config: { block_regexp_urls: ["(unclosed"] }, message: "error parsing regexp" },
    { name: "a backreference (not RE2)", config: { block_regexp_urls: ["(a)\\1"] }, message: "block_regexp_urls[0]" },
  ],
};
