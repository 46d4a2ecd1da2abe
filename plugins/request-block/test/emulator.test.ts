// request-block on the emulator only: what a table row cannot observe (the stream's Pause per
// chunk, the local response's details, the start line). The rows are in cases.ts.
import { describe, it, expect } from "vitest";
import { pluginWasm } from "../../../harness/src/index.js";
import { Emulator } from "../../../harness/src/emulator/index.js";

const config = { block_urls: ["swagger.html"], block_bodies: ["DROP TABLE"] };

for (const target of ["envoy", "higress"] as const) {
  describe(`request-block on the emulator (${target})`, () => {
    const load = () => Emulator.load(pluginWasm("request-block", target), { target, config, pluginName: "request-block" });

    it("logs its start with Higress's prefix", async () => {
      const host = await load();
      expect(host.logLines()).toContain("[request-block] [nil] [nil] plugin start successfully");
    });

    it("names the rule in the local response's details", async () => {
      const host = await load();
      const r = await host.request({ path: "/docs/swagger.html" });
      expect(r.upstream).toBeNull();
      expect(r.localResponse?.details).toMatch(/^request-block\.blocked_by_/);
      expect(host.traps).toEqual([]);
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
  });
}
