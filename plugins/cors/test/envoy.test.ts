// cors in a real Envoy: preflights answered by the plugin, origin/method/header checks, origin
// patterns (host wildcards, port lists), credentials, upstream Access-Control-* replacement,
// attacks (Origin: null, suffix tricks, duplicate Origin lines) and bad configurations.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Envoy, pluginWasm, http } from "../../../harness/src/index.js";
import { useEnvoy } from "../../../harness/src/vitest.js";

// An upstream that sets its own (too generous) CORS headers, so replacement can be seen.
const upstream = { port: 0, server: undefined as Server | undefined, hits: 0 };
beforeAll(async () => {
  upstream.server = createServer((req, res) => {
    upstream.hits++;
    res.writeHead(200, {
      "content-type": "application/json",
      "access-control-allow-origin": "*",
      "access-control-allow-methods": "*",
      "access-control-expose-headers": "x-secret",
      vary: "Accept-Encoding",
    });
    res.end(JSON.stringify({ method: req.method, path: req.url }));
  });
  await new Promise<void>((r) => upstream.server!.listen(0, "127.0.0.1", r));
  upstream.port = (upstream.server.address() as AddressInfo).port;
});
afterAll(async () => {
  upstream.server?.closeAllConnections();
  await new Promise<void>((r) => upstream.server?.close(() => r()));
});

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

const gw = useEnvoy(() => ({
  plugins: [{ name: "cors", wasm: pluginWasm("cors"), config }],
  routes: [
    { name: "strict", prefix: "/strict", cluster: "up" },
    { name: "open", prefix: "/open", cluster: "up" },
    { name: "default", prefix: "/", cluster: "up" },
  ],
  clusters: [{ name: "up", port: upstream.port }],
}));

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

describe("cors in Envoy", () => {
  it.each(cases)("$name", async (c) => {
    const before = upstream.hits;
    const r = await http(gw.url + c.path, { method: c.method ?? "GET", headers: c.headers });
    expect(r.status).toBe(c.status);
    expect(upstream.hits - before).toBe(c.upstream ? 1 : 0);
    if (c.status === 403) {
      expect(r.body).toBe("Invalid CORS request");
      expect(r.headers["access-control-allow-origin"]).toBeUndefined();
    }
    for (const [k, v] of Object.entries(c.expect ?? {})) {
      const got = r.headers[k];
      const text = Array.isArray(got) ? got.join(",") : got;
      expect(k === "vary" ? text?.replace(/, /g, ",") : text, k).toBe(v);
    }
  });

  it("the VM never trapped", async () => {
    await gw.envoy.settleLog();
    expect(gw.envoy.log).not.toMatch(/sluice: abort|wasm trap|RuntimeError/);
  });
});

describe("cors with a bad configuration", () => {
  for (const [name, bad, why] of [
    ["credentials with allow_origins *", { allow_credentials: true, allow_origins: ["*"] }, "allow_credentials cannot be true when allow_origins is '*'"],
    ["credentials with the default origins (*)", { allow_credentials: true }, "allow_credentials cannot be true when allow_origins is '*'"],
    ["credentials with allow_origin_patterns *", { allow_credentials: true, allow_origin_patterns: ["*"] }, "allow_credentials cannot be true when allow_origin_patterns has '*' (it matches every origin, like allow_origins '*')"],
    ["credentials with a pattern whose host is only *", { allow_credentials: true, allow_origins: ["https://app.example.com"], allow_origin_patterns: ["https://*.example.com", "https://*:[*]"] }, "allow_credentials cannot be true when allow_origin_patterns has 'https://*:[*]'"],
    ["a bad port list", { allow_origin_patterns: ["http://*.a.com:[80a]"] }, "invalid allow_origin_patterns entry"],
    ["a non-boolean allow_credentials", { allow_credentials: "yes" }, "allow_credentials must be a boolean"],
    ["a negative max_age", { max_age: -1 }, "max_age must be a non-negative integer"],
  ] as const) {
    it(`refuses to start: ${name}`, async () => {
      let log = "";
      await expect(
        Envoy.start(
          { plugins: [{ name: "cors", wasm: pluginWasm("cors"), config: bad }], routes: [{ name: "r", cluster: "up" }], clusters: [{ name: "up", port: upstream.port }] },
          { allowStartFailure: true },
        ).catch((e) => {
          log = (e as { envoyLog?: string }).envoyLog ?? "";
          throw e;
        }),
      ).rejects.toThrow(/did not start/);
      expect(log).toContain("plugin start failed");
      expect(log).toContain(why);
    });
  }
});
