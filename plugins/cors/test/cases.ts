// The case table of cors: preflights answered by the plugin, origin/method/header checks, origin
// patterns (host wildcards, port lists), credentials, the upstream's own Access-Control-* headers
// replaced, attacks (Origin: null, suffix tricks, duplicate Origin lines) and bad configurations.
// Every row runs on a real Envoy and on the emulator (both targets) through
// harness/src/plugin-table.ts, which also demands the same answer from both.
import type { Group, PluginTable, Row } from "../../../harness/src/plugin-table.js";

const config = {
  // global: Higress defaults (allow_origins *); an empty global config would leave the plugin off
  // on unmatched routes (as in Higress), so one default is spelled out.
  max_age: 86400,
  _rules_: [
    {
      _match_route_: ["strict"],
      allow_origins: ["https://app.example.org", "http://localhost:3000"],
      allow_origin_patterns: ["https://*.example.com", "http://*.example.net:[8080,9090]", "http://dev.example.io:[*]"],
      allow_methods: ["GET", "POST", "PUT"],
      allow_headers: ["Content-Type", "X-Token"],
      expose_headers: ["X-Request-Id", "X-Total"],
      allow_credentials: true,
      max_age: 600,
    },
    { _match_route_: ["open"], allow_origins: ["*"], allow_methods: ["*"], allow_headers: ["*"], expose_headers: ["*"] },
  ],
};

interface Case {
  name: string;
  path: string;
  method?: string;
  headers: [string, string][];
  status: number;
  /** Expected response headers (undefined value = must be absent). */
  expect?: Record<string, string | undefined>;
  /** The request must (not) reach the upstream. */
  upstream: boolean;
}

const pre = (origin: string, method: string, hdrs?: string): [string, string][] => {
  const h: [string, string][] = [["origin", origin], ["access-control-request-method", method]];
  if (hdrs !== undefined) h.push(["access-control-request-headers", hdrs]);
  return h;
};
const DEFAULT_METHODS = "GET,PUT,POST,DELETE,PATCH,OPTIONS";
const DEFAULT_HEADERS = "DNT,X-CustomHeader,Keep-Alive,User-Agent,X-Requested-With,If-Modified-Since,Cache-Control,Content-Type,Authorization";

/** A refusal is 403 "Invalid CORS request" without Access-Control-Allow-Origin; a Host header becomes the row's host. */
const row = (c: Case): Row => ({
  name: c.name,
  request: { path: c.path, method: c.method ?? "GET", headers: c.headers.filter(([k]) => k !== "host"), host: c.headers.find(([k]) => k === "host")?.[1] },
  expect: {
    status: c.status,
    body: c.status === 403 ? "Invalid CORS request" : undefined,
    reachesUpstream: c.upstream,
    headers: Object.fromEntries(Object.entries(c.expect ?? {}).map(([k, v]) => [k, v ?? null])),
  },
});
const refused = { headers: { "access-control-allow-origin": null } };

const cases: Case[] = [
  // defaults (allow_origins *)
  { name: "default: non-CORS request passes untouched (upstream headers kept)", path: "/a", headers: [], status: 200, upstream: true, expect: { "access-control-allow-origin": "*", "access-control-expose-headers": "x-secret" } },
  { name: "default: preflight answered locally with Higress defaults", path: "/a", method: "OPTIONS", headers: pre("https://x.test", "PUT", "content-type, authorization"), status: 200, upstream: false,
    expect: { "access-control-allow-origin": "*", "access-control-allow-methods": DEFAULT_METHODS, "access-control-allow-headers": DEFAULT_HEADERS, "access-control-max-age": "86400", "access-control-allow-credentials": undefined } },
  { name: "default: preflight for HEAD (not in the default list) → 403", path: "/a", method: "OPTIONS", headers: pre("https://x.test", "HEAD"), status: 403, upstream: false },
  { name: "default: preflight asking for a header outside the default list → 403", path: "/a", method: "OPTIONS", headers: pre("https://x.test", "GET", "x-evil"), status: 403, upstream: false },
  { name: "default: header names are case-insensitive in the request list", path: "/a", method: "OPTIONS", headers: pre("https://x.test", "GET", "CONTENT-TYPE,Cache-control"), status: 200, upstream: false },
  { name: "default: actual request gets *, upstream's Access-Control-* replaced", path: "/a", headers: [["origin", "https://x.test"]], status: 200, upstream: true,
    expect: { "access-control-allow-origin": "*", "access-control-allow-methods": undefined, "access-control-expose-headers": undefined } },
  { name: "default: Origin: null is an origin like any other under *", path: "/a", headers: [["origin", "null"]], status: 200, upstream: true, expect: { "access-control-allow-origin": "*" } },
  { name: "default: OPTIONS without Access-Control-Request-Method is not a preflight (proxied)", path: "/a", method: "OPTIONS", headers: [["origin", "https://x.test"]], status: 200, upstream: true },
  { name: "default: same-origin request passes without CORS decoration", path: "/a", headers: [["origin", "http://same.test"], ["host", "same.test"]], status: 200, upstream: true, expect: { "access-control-expose-headers": "x-secret" } },
  { name: "default: same origin compared case-insensitively, default port ignored", path: "/a", method: "DELETE", headers: [["origin", "HTTP://Same.Test:80"], ["host", "same.test"]], status: 200, upstream: true, expect: { "access-control-expose-headers": "x-secret" } },
  // strict rule: explicit origins, patterns, credentials
  { name: "strict: listed origin preflight echoes the origin, credentials, Vary", path: "/strict", method: "OPTIONS", headers: pre("https://app.example.org", "POST", "x-token"), status: 200, upstream: false,
    expect: { "access-control-allow-origin": "https://app.example.org", "access-control-allow-credentials": "true", vary: "Origin", "access-control-allow-methods": "GET,POST,PUT", "access-control-allow-headers": "Content-Type,X-Token", "access-control-max-age": "600" } },
  { name: "strict: actual request echoes origin (never *), exposes configured headers", path: "/strict/x", method: "POST", headers: [["origin", "http://localhost:3000"]], status: 200, upstream: true,
    expect: { "access-control-allow-origin": "http://localhost:3000", "access-control-allow-credentials": "true", "access-control-expose-headers": "X-Request-Id,X-Total", "access-control-allow-methods": undefined } },
  { name: "strict: Vary keeps the upstream's value and adds Origin", path: "/strict/x", headers: [["origin", "http://localhost:3000"]], status: 200, upstream: true, expect: { vary: "Accept-Encoding,Origin" } },
  { name: "strict: unlisted origin → 403", path: "/strict", headers: [["origin", "https://evil.test"]], status: 403, upstream: false },
  { name: "strict: Origin: null is refused", path: "/strict", headers: [["origin", "null"]], status: 403, upstream: false },
  { name: "strict: listed origin with a different scheme → 403", path: "/strict", headers: [["origin", "http://app.example.org"]], status: 403, upstream: false },
  { name: "strict: listed origin with an extra port → 403", path: "/strict", headers: [["origin", "https://app.example.org:8443"]], status: 403, upstream: false },
  { name: "strict: pattern *.example.com admits a subdomain", path: "/strict", headers: [["origin", "https://api.example.com"]], status: 200, upstream: true, expect: { "access-control-allow-origin": "https://api.example.com" } },
  { name: "strict: pattern admits nested subdomains", path: "/strict", headers: [["origin", "https://a.b.example.com"]], status: 200, upstream: true },
  { name: "strict: suffix trick example.com.evil.com → 403", path: "/strict", headers: [["origin", "https://example.com.evil.com"]], status: 403, upstream: false },
  { name: "strict: suffix trick api.example.com.evil.com → 403", path: "/strict", headers: [["origin", "https://api.example.com.evil.com"]], status: 403, upstream: false },
  { name: "strict: lookalike evilexample.com → 403", path: "/strict", headers: [["origin", "https://evilexample.com"]], status: 403, upstream: false },
  { name: "strict: userinfo trick https://evil.com@x.example.com? no — evil host with @ → 403", path: "/strict", headers: [["origin", "https://evil.com@.example.com"]], status: 403, upstream: false },
  { name: "strict: path smuggled in the origin → 403", path: "/strict", headers: [["origin", "https://evil.com/.example.com"]], status: 403, upstream: false },
  { name: "strict: the bare apex is not *.example.com → 403", path: "/strict", headers: [["origin", "https://example.com"]], status: 403, upstream: false },
  { name: "strict: pattern host is case-insensitive", path: "/strict", headers: [["origin", "https://API.Example.COM"]], status: 200, upstream: true },
  { name: "strict: port list admits 9090", path: "/strict", headers: [["origin", "http://svc.example.net:9090"]], status: 200, upstream: true },
  { name: "strict: port list refuses 8081", path: "/strict", headers: [["origin", "http://svc.example.net:8081"]], status: 403, upstream: false },
  { name: "strict: port list refuses no port", path: "/strict", headers: [["origin", "http://svc.example.net"]], status: 403, upstream: false },
  { name: "strict: [*] admits any port", path: "/strict", headers: [["origin", "http://dev.example.io:12345"]], status: 200, upstream: true },
  { name: "strict: actual DELETE (not allowed) → 403", path: "/strict", method: "DELETE", headers: [["origin", "https://app.example.org"]], status: 403, upstream: false },
  { name: "strict: preflight for PATCH → 403", path: "/strict", method: "OPTIONS", headers: pre("https://app.example.org", "PATCH"), status: 403, upstream: false },
  { name: "strict: preflight asking for Authorization → 403", path: "/strict", method: "OPTIONS", headers: pre("https://app.example.org", "GET", "x-token,authorization"), status: 403, upstream: false },
  { name: "strict: duplicate Origin lines that disagree → 403", path: "/strict", headers: [["origin", "https://app.example.org"], ["origin", "https://evil.test"]], status: 403, upstream: false },
  { name: "strict: no Origin → not CORS, passes", path: "/strict", headers: [], status: 200, upstream: true },
  // open rule: * everywhere
  { name: "open: preflight with * methods/headers echoes what was asked", path: "/open", method: "OPTIONS", headers: pre("https://x.test", "PROPFIND", "x-a, x-b"), status: 200, upstream: false,
    expect: { "access-control-allow-origin": "*", "access-control-allow-methods": "PROPFIND", "access-control-allow-headers": "x-a,x-b" } },
  { name: "open: any method on the actual request", path: "/open", method: "HEAD", headers: [["origin", "https://x.test"]], status: 200, upstream: true },
];

const groups: Group[] = [
  { name: "Higress defaults, a strict rule and an open rule", config, routes: ["strict", "open"], refused, rows: cases.map(row) },
  {
    name: "credentials with a host-wildcard pattern under a domain, methods and exposed headers",
    config: { allow_origin_patterns: ["https://*.example.com"], allow_credentials: true, allow_methods: ["GET", "POST"], expose_headers: ["x-id"] },
    refused,
    rows: [
      { name: "preflight is answered by the plugin with the echoed origin and credentials", path: "/", method: "OPTIONS", headers: pre("https://a.example.com", "POST"), status: 200, upstream: false,
        expect: { "access-control-allow-origin": "https://a.example.com", "access-control-allow-credentials": "true", "access-control-allow-methods": "GET,POST", "access-control-max-age": "86400" } },
      { name: "suffix trick refused", path: "/", headers: [["origin", "https://example.com.evil.com"]], status: 403, upstream: false },
      { name: "an unrelated origin refused (the configuration starts)", path: "/a", headers: [["origin", "https://evil.test"]], status: 403, upstream: false },
      { name: "actual request: upstream Access-Control-* replaced", path: "/", headers: [["origin", "https://b.example.com"]], status: 200, upstream: true,
        expect: { "access-control-allow-origin": "https://b.example.com", "access-control-allow-methods": undefined, "access-control-expose-headers": "x-id", vary: "Accept-Encoding,Origin" } },
    ].map(row),
  },
  // The cors scenario of the former test/differential.
  {
    name: "max_age and a strict rule with origins and a pattern",
    config: { max_age: 86400, _rules_: [{ _match_route_: ["strict"], allow_origins: ["https://app.example.org"], allow_origin_patterns: ["https://*.example.com"], allow_methods: ["GET", "POST"], allow_headers: ["Content-Type"], expose_headers: ["X-Total"], allow_credentials: true, max_age: 600 }] },
    routes: ["strict"],
    refused,
    rows: [
      { name: "preflight answered locally", path: "/a", method: "OPTIONS", headers: pre("https://x.test", "PUT"), status: 200, upstream: false },
      { name: "preflight for a method outside the list", path: "/a", method: "OPTIONS", headers: pre("https://x.test", "HEAD"), status: 403, upstream: false },
      { name: "actual request passes to the upstream", path: "/a", headers: [["origin", "https://x.test"]], status: 200, upstream: true },
      { name: "strict: pattern subdomain admitted", path: "/strict/x", headers: [["origin", "https://api.example.com"]], status: 200, upstream: true },
      { name: "strict: suffix trick refused", path: "/strict/x", headers: [["origin", "https://api.example.com.evil.com"]], status: 403, upstream: false },
    ].map(row),
  },
];

export const table: PluginTable = {
  plugin: "cors",
  groups,
  badConfigs: ([
    ["credentials with allow_origins *", { allow_credentials: true, allow_origins: ["*"] }, "allow_credentials cannot be true when allow_origins is '*'"],
    ["credentials with the default origins (*)", { allow_credentials: true }, "allow_credentials cannot be true when allow_origins is '*'"],
    ["credentials with allow_origin_patterns *", { allow_credentials: true, allow_origin_patterns: ["*"] }, "allow_credentials cannot be true when allow_origin_patterns has '*' (it matches every origin, like allow_origins '*')"],
    ["credentials with a pattern whose host is only *", { allow_credentials: true, allow_origins: ["https://app.example.com"], allow_origin_patterns: ["https://*.example.com", "https://*:[*]"] }, "allow_credentials cannot be true when allow_origin_patterns has 'https://*:[*]'"],
    ["a bad port list", { allow_origin_patterns: ["http://*.a.com:[80a]"] }, "invalid allow_origin_patterns entry"],
    ["a non-boolean allow_credentials", { allow_credentials: "yes" }, "allow_credentials must be a boolean"],
    ["a negative max_age", { max_age: -1 }, "max_age must be a non-negative integer"],
    ["credentials with a pattern that is only wildcards", { allow_credentials: true, allow_origin_patterns: ["*://*"] }, "allow_credentials cannot be true when allow_origin_patterns has '*://*'"],
  ] as const).map(([name, config, message]) => ({ name, config, message })),
  // An upstream that sets its own (too generous) CORS headers, so replacement can be seen.
  upstreamHeaders: { "access-control-allow-origin": "*", "access-control-allow-methods": "*", "access-control-expose-headers": "x-secret", vary: "Accept-Encoding" },
};
