// request-block in a real Envoy: a case table over global, route and domain rules.
import { describe, it, expect } from "vitest";
import { Envoy, pluginWasm, http } from "../../../harness/src/index.js";
import { useRecordingUpstream, usePluginEnvoy } from "../../../harness/src/vitest.js";

const upstream = useRecordingUpstream();

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
  ],
};

const gw = usePluginEnvoy("request-block", config, ["strict"], upstream);

interface Case {
  name: string;
  path: string;
  host?: string;
  headers?: [string, string][];
  body?: string;
  chunks?: number;
  status: number;
  message?: string;
}

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
];

describe("request-block in Envoy", () => {
  it.each(cases)("$name", async (c) => {
    const headers: [string, string][] = [...(c.headers ?? [])];
    if (c.host) headers.push(["host", c.host]);
    const r = await http(gw.url + c.path, { headers, body: c.body, chunks: c.chunks });
    expect(r.status).toBe(c.status);
    if (c.message) expect(r.body).toBe(c.message);
    if (c.status === 200) expect(JSON.parse(r.body).path).toBe(c.path);
  });

  it("logs with Higress's prefix", async () => {
    await http(gw.url + "/exact", { headers: [["x-request-id", "rid-123"]] });
    await gw.envoy.waitForLog(/\[request-block\] \[nil\] \[rid-123\] request blocked by url rule/);
  });
});

describe("request-block with a bad configuration", () => {
  for (const [name, bad, why] of [
    ["no block rules", { blocked_code: 403 }, "there is no block rules"],
    ["invalid JSON", "{not json", "not a valid json"],
    ["a rule without _match_", { block_urls: ["x"], _rules_: [{ block_urls: ["y"] }] }, "_match_route_"],
    ["an invalid regular expression", { block_regexp_urls: ["(unclosed"] }, "error parsing regexp"],
    ["a backreference (not RE2)", { block_regexp_urls: ["(a)\\1"] }, "block_regexp_urls[0]"],
  ] as const) {
    it(`refuses to start: ${name}`, async () => {
      let log = "";
      await expect(
        Envoy.start(
          { plugins: [{ name: "request-block", wasm: pluginWasm("request-block"), config: bad }], routes: [{ name: "r", cluster: "up" }], clusters: [{ name: "up", port: upstream.port }] },
          { allowStartFailure: true },
        ).catch((e) => {
          log = (e as { envoyLog?: string }).envoyLog ?? "";
          throw e;
        }),
      ).rejects.toThrow(/did not start/);
      expect(log).toContain("plugin start failed");
      expect(log).toContain(why);
      expect(log).toMatch(/Unable to create Wasm plugin request-block/);
      expect(log).not.toMatch(/sluice: abort/);
    });
  }
});
