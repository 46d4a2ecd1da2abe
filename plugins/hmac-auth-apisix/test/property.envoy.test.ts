// hmac-auth-apisix in a real Envoy under random Authorization, Date and Digest values: never a
// trap. The case table is cases.ts.
import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { http } from "../../../harness/src/index.js";
import { useRecordingUpstream, usePluginEnvoy } from "../../../harness/src/vitest.js";
import { consumers, signedReq } from "./cases.js";

const upstream = useRecordingUpstream();
const gw = usePluginEnvoy("hmac-auth-apisix", { consumers, global_auth: true, signed_headers: ["@request-target", "date"], validate_request_body: true, hide_credentials: true }, [], upstream);

describe("hmac-auth-apisix under random input", () => {
  it("random Authorization, Date and Digest values never trap the VM", async () => {
    const printable = fc.array(fc.integer({ min: 0x20, max: 0x7e }), { maxLength: 120 }).map((a) => String.fromCharCode(...a));
    const field = fc.tuple(fc.constantFrom("keyId", "algorithm", "headers", "signature", "x", ""), printable.map((s) => s.replace(/"/g, ""))).map(([k, v]) => `${k}="${v}"`);
    const auth = fc.oneof(printable, fc.array(field, { maxLength: 6 }).map((f) => "Signature " + f.join(",")), fc.array(field, { maxLength: 6 }).map((f) => 'Signature keyId="ak-alice",algorithm="hmac-sha256",' + f.join(",")));
    await fc.assert(
      fc.asyncProperty(auth, printable, printable, fc.boolean(), async (a, d, g, withBody) => {
        const r = await http(gw.url + "/a", { method: withBody ? "POST" : "GET", body: withBody ? d : undefined, headers: [["authorization", a], ["date", d], ["digest", g]] });
        expect(r.status).toBe(401);
      }),
      { numRuns: 150 },
    );
    const q = signedReq("/after-fuzz");
    expect((await http(gw.url + q.path, { headers: q.headers })).status).toBe(200);
    await gw.envoy.settleLog();
    expect(gw.envoy.log).not.toMatch(/sluice: abort|wasm trap|RuntimeError/);
  });
});
