// cors on the emulator, both targets: preflights answered locally, origins checked (lists,
// patterns, tricks), and the upstream's own Access-Control-* headers replaced.
import { describe, it, expect } from "vitest";
import { pluginWasm } from "../../../harness/src/index.js";
import { Emulator } from "../../../harness/src/emulator/index.js";

const config = {
  max_age: 86400,
  _rules_: [
    {
      _match_route_: ["strict"],
      allow_origins: ["https://app.example.org", "http://localhost:3000"],
      allow_origin_patterns: ["https://*.example.com", "http://*.example.net:[8080,9090]"],
      allow_methods: ["GET", "POST", "PUT"],
      allow_headers: ["Content-Type", "X-Token"],
      expose_headers: ["X-Request-Id", "X-Total"],
      allow_credentials: true,
      max_age: 600,
    },
  ],
};
const routes = [{ name: "strict", prefix: "/strict", cluster: "up" }, { name: "default", prefix: "/", cluster: "up" }];
// An upstream that sets its own (too generous) CORS headers, so replacement can be seen.
const upstreamAnswer = { status: 200, headers: { "content-type": "application/json", "access-control-allow-origin": "*", "access-control-allow-methods": "*", "access-control-expose-headers": "x-secret", vary: "Accept-Encoding" }, body: "{}" };
const pre = (origin: string, method: string, hdrs?: string): [string, string][] => {
  const h: [string, string][] = [["origin", origin], ["access-control-request-method", method]];
  if (hdrs) h.push(["access-control-request-headers", hdrs]);
  return h;
};

interface Case { name: string; path: string; method?: string; headers: [string, string][]; status: number; upstream: boolean; expect?: Record<string, string | undefined> }
const cases: Case[] = [
  { name: "default: preflight answered locally", path: "/a", method: "OPTIONS", headers: pre("https://x.test", "PUT", "content-type, authorization"), status: 200, upstream: false, expect: { "access-control-allow-origin": "*", "access-control-max-age": "86400", "access-control-allow-credentials": undefined } },
  { name: "default: preflight for HEAD → 403", path: "/a", method: "OPTIONS", headers: pre("https://x.test", "HEAD"), status: 403, upstream: false },
  { name: "default: actual request gets *, upstream's value replaced", path: "/a", headers: [["origin", "https://x.test"]], status: 200, upstream: true, expect: { "access-control-allow-origin": "*" } },
  { name: "strict: listed origin preflight echoes the origin", path: "/strict", method: "OPTIONS", headers: pre("https://app.example.org", "POST", "x-token"), status: 200, upstream: false, expect: { "access-control-allow-origin": "https://app.example.org", "access-control-allow-credentials": "true", "access-control-max-age": "600" } },
  { name: "strict: actual request exposes configured headers", path: "/strict/x", method: "POST", headers: [["origin", "http://localhost:3000"]], status: 200, upstream: true, expect: { "access-control-allow-origin": "http://localhost:3000", "access-control-expose-headers": "X-Request-Id,X-Total" } },
  { name: "strict: unlisted origin → 403", path: "/strict", headers: [["origin", "https://evil.test"]], status: 403, upstream: false },
  { name: "strict: pattern admits a subdomain", path: "/strict", headers: [["origin", "https://api.example.com"]], status: 200, upstream: true, expect: { "access-control-allow-origin": "https://api.example.com" } },
  { name: "strict: suffix trick → 403", path: "/strict", headers: [["origin", "https://api.example.com.evil.com"]], status: 403, upstream: false },
  { name: "strict: port list admits 9090", path: "/strict", headers: [["origin", "http://svc.example.net:9090"]], status: 200, upstream: true },
  { name: "strict: port list refuses 8081", path: "/strict", headers: [["origin", "http://svc.example.net:8081"]], status: 403, upstream: false },
];

for (const target of ["envoy", "higress"] as const) {
  describe(`cors on the emulator (${target})`, () => {
    it.each(cases)("$name", async (c) => {
      const host = await Emulator.load(pluginWasm("cors", target), { target, config, routes, pluginName: "cors" });
      const r = await host.request({ path: c.path, method: c.method, headers: c.headers, response: upstreamAnswer });
      expect(r.status).toBe(c.status);
      expect(r.upstream !== null).toBe(c.upstream);
      for (const [k, v] of Object.entries(c.expect ?? {})) expect(r.header(k), k).toBe(v);
      expect(host.traps).toEqual([]);
    });
  });
}

for (const target of ["envoy", "higress"] as const) {
  describe(`cors bad configurations (${target})`, () => {
    for (const [name, bad, why] of [
      ["credentials with allow_origins *", { allow_credentials: true, allow_origins: ["*"] }, "allow_credentials cannot be true when allow_origins is '*'"],
      ["credentials with allow_origin_patterns *", { allow_credentials: true, allow_origin_patterns: ["*"] }, "allow_credentials cannot be true when allow_origin_patterns has '*'"],
      ["credentials with a pattern whose host is only *", { allow_credentials: true, allow_origin_patterns: ["*://*"] }, "allow_credentials cannot be true when allow_origin_patterns has '*://*'"],
    ] as const) {
      it(`refuses to start: ${name}`, async () => {
        const host = await Emulator.load(pluginWasm("cors", target), { target, config: bad, allowStartFailure: true });
        expect(host.started).toBe(false);
        expect(host.logLines().join("\n")).toContain(why);
        expect(host.traps).toEqual([]);
      });
    }

    it("credentials with a host-wildcard pattern under a domain still start", async () => {
      const host = await Emulator.load(pluginWasm("cors", target), { target, config: { allow_credentials: true, allow_origin_patterns: ["https://*.example.com"] }, routes, pluginName: "cors" });
      expect(host.started).toBe(true);
      const r = await host.request({ path: "/a", headers: [["origin", "https://evil.test"]], response: upstreamAnswer });
      expect(r.status).toBe(403);
    });
  });
}
