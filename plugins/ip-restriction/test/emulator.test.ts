// ip-restriction on the emulator only: a peer address other than loopback, which a test cannot
// give a real Envoy. The case table is cases.ts.
import { describe, it, expect } from "vitest";
import { pluginWasm } from "../../../harness/src/index.js";
import { Emulator } from "../../../harness/src/emulator/index.js";
import { config, routes } from "./cases.js";

for (const target of ["envoy", "higress"] as const) {
  describe(`ip-restriction on the emulator (${target})`, () => {
    it("origin-source: another peer address passes a deny", async () => {
      const host = await Emulator.load(pluginWasm("ip-restriction", target), {
        target,
        config,
        routes: [...routes.map((n) => ({ name: n, prefix: `/${n}`, cluster: "up" })), { name: "default", prefix: "/", cluster: "up" }],
        useRemoteAddress: true,
        pluginName: "ip-restriction",
      });
      const r = await host.request({ path: "/peer-deny", stream: { sourceAddress: "10.9.8.7:5555" } });
      expect(r.status).toBe(200);
      expect(r.upstream?.complete).toBe(true);
      expect(host.traps).toEqual([]);
    });
  });
}
