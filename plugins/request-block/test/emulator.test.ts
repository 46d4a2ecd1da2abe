// request-block on the emulator, both targets: the same case table as envoy.test.ts, in milliseconds.
import { describe, it, expect } from "vitest";
import { pluginWasm } from "../../../harness/src/index.js";
import { Emulator } from "../../../harness/src/emulator/index.js";

const config = {
  block_urls: ["swagger.html", "/Admin"],
  block_exact_urls: ["/exact"],
  block_headers: ["evil-agent"],
  block_bodies: ["DROP TABLE"],
  blocked_code: 418,
  blocked_message: "blocked by sluice",
  _rules_: [
    { _match_route_: ["strict"], block_urls: ["secret"], blocked_code: 451, case_sensitive: false },
    { _match_domain_: ["*.example.com"], block_bodies: ["forbidden"], blocked_message: "domain rule" },
  ],
};

const routes = [
  { name: "strict", prefix: "/strict", cluster: "up" },
  { name: "default", prefix: "/", cluster: "up" },
];

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

for (const target of ["envoy", "higress"] as const) {
  describe(`request-block on the emulator (${target})`, () => {
    const load = (cfg: unknown = config) => Emulator.load(pluginWasm("request-block", target), { target, config: cfg, routes, pluginName: "request-block" });

    it.each(cases)("$name", async (c) => {
      const host = await load();
      const r = await host.request({ path: c.path, authority: c.host, headers: c.headers, body: c.body, chunks: c.chunks });
      expect(r.status).toBe(c.status);
      if (c.message) expect(r.body).toBe(c.message);
      if (c.status === 200) {
        expect(r.upstream?.body.toString()).toBe(c.body ?? "");
        expect(JSON.parse(r.body).path).toBe(c.path);
      } else {
        expect(r.upstream).toBeNull();
        expect(r.localResponse?.details).toMatch(/^request-block\.blocked_by_/);
      }
      expect(host.traps).toEqual([]);
    });

    it("logs with Higress's prefix", async () => {
      const host = await load();
      const r = await host.request({ path: "/exact", headers: [["x-request-id", "rid-123"]] });
      expect(r.logs.map((l) => [l.levelName, l.message])).toContainEqual(["debug", "[request-block] [nil] [rid-123] request blocked by url rule"]);
      expect(host.logLines()).toContain("[request-block] [nil] [nil] plugin start successfully");
    });

    it("buffers the body (Pause per chunk) and lets a clean one through unchanged", async () => {
      const host = await load();
      const s = host.stream();
      expect(s.sendRequestHeaders({ ":authority": "a", ":path": "/b", ":method": "POST" }, false)).toBe(0);
      expect(s.sendRequestBody("hel", false)).toBe(1);
      expect(s.sendRequestBody("lo", true)).toBe(0);
      expect(s.upstream.body.toString()).toBe("hello");
      s.complete();
    });

    for (const [name, bad, why] of [
      ["no block rules", { blocked_code: 403 }, "there is no block rules"],
      ["invalid JSON", "{not json", "not a valid json"],
      ["a rule without _match_", { block_urls: ["x"], _rules_: [{ block_urls: ["y"] }] }, "_match_route_"],
    ] as const) {
      it(`refuses to start: ${name}`, async () => {
        const host = await Emulator.load(pluginWasm("request-block", target), { target, config: bad, allowStartFailure: true });
        expect(host.started).toBe(false);
        const text = host.logLines().join("\n");
        expect(text).toContain("plugin start failed");
        expect(text).toContain(why);
        expect(host.traps).toEqual([]);
        await expect(Emulator.load(pluginWasm("request-block", target), { target, config: bad })).rejects.toThrow(/Unable to create Wasm plugin/);
      });
    }
  });
}
