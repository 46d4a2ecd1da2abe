// request-block on the emulator, both targets: the same case table as envoy.test.ts, in milliseconds.
import { describe, it, expect } from "vitest";
import { pluginWasm } from "../../../harness/src/index.js";
import { Emulator } from "../../../harness/src/emulator/index.js";
import { config, routes, cases } from "./cases.js";

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
