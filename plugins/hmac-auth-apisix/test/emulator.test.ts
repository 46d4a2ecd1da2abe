// hmac-auth-apisix on the emulator only: its clock (frozen at load, moved by advance()) makes a
// signature go stale without waiting. The case table is cases.ts.
import { describe, it, expect } from "vitest";
import { pluginWasm } from "../../../harness/src/index.js";
import { Emulator } from "../../../harness/src/emulator/index.js";
import { consumers, err, signedReq } from "./cases.js";

const config = { consumers, global_auth: true, signed_headers: ["@request-target", "date"] };

for (const target of ["envoy", "higress"] as const) {
  describe(`hmac-auth-apisix on the emulator (${target})`, () => {
    const load = () => Emulator.load(pluginWasm("hmac-auth-apisix", target), { target, config, pluginName: "hmac-auth-apisix" });

    it("a signature that was fine becomes a replay once the host clock moves 10 minutes on", async () => {
      const host = await load();
      const q = signedReq("/later");
      expect((await host.request({ path: q.path, headers: q.headers })).status).toBe(200);
      host.advance(10 * 60 * 1000);
      const r = await host.request({ path: q.path, headers: q.headers });
      expect(r.body).toBe(err("Clock skew exceeded"));
    });
  });
}
