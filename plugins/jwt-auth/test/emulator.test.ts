// jwt-auth on the emulator only: which build calls the host's verify_signature (Envoy's foreign
// function, node:crypto here; Higress has none, so the higress build verifies in AssemblyScript),
// and a token expiring as the emulator's clock moves. The case table is cases.ts.
import { describe, it, expect } from "vitest";
import { pluginWasm } from "../../../harness/src/index.js";
import { Emulator } from "../../../harness/src/emulator/index.js";
import { EXPIRED, aliceToken, bearer, consumers, now } from "./cases.js";

const config = { consumers: [consumers[0]], _rules_: [{ _match_route_: ["alice-only"], allow: ["alice"] }] };
const routes = [{ name: "alice-only", prefix: "/alice-only", cluster: "up" }, { name: "default", prefix: "/", cluster: "up" }];

for (const target of ["envoy", "higress"] as const) {
  describe(`jwt-auth on the emulator (${target})`, () => {
    const load = () => Emulator.load(pluginWasm("jwt-auth", target), { target, config, routes, pluginName: "jwt-auth" });

    it(target === "envoy" ? "uses Envoy's verify_signature for RS256" : "verifies RS256 without the host (Higress has no verify_signature)", async () => {
      const host = await load();
      expect((await host.request({ path: "/alice-only", headers: [bearer(aliceToken("RS256"))] })).status).toBe(200);
      const foreign = host.hostCalls.get("proxy_call_foreign_function") ?? 0;
      if (target === "envoy") expect(foreign).toBeGreaterThan(0);
      else expect(foreign).toBeLessThanOrEqual(1); // at most one probe that finds nothing
    });

    it("a token expires when the host clock moves past exp + skew", async () => {
      const host = await load();
      const t = aliceToken("HS256", { exp: now() + 30 });
      expect((await host.request({ path: "/alice-only", headers: [bearer(t)] })).status).toBe(200);
      host.advance(120_000);
      expect((await host.request({ path: "/alice-only", headers: [bearer(t)] })).body).toBe(EXPIRED);
    });
  });
}
