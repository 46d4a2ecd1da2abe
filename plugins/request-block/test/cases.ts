// The case table of request-block, run by both hosts: envoy.test.ts (real Envoy) and
// emulator.test.ts (the emulator, both targets), so the two cannot drift apart.

export const config = {
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
  ],
};

/** Route names the table needs (the harness names the catch-all route "default"). */
export const routes = [
  { name: "strict", prefix: "/strict", cluster: "up" },
  { name: "default", prefix: "/", cluster: "up" },
];

export interface Case {
  name: string;
  path: string;
  host?: string;
  headers?: [string, string][];
  body?: string;
  chunks?: number;
  status: number;
  message?: string;
}

export const cases: Case[] = [
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
];
