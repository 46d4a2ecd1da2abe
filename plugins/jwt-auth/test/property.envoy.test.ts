// jwt-auth in a real Envoy under random tokens (in Authorization and in a cookie): never a trap.
// The case table is cases.ts.
import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { http } from "../../../harness/src/index.js";
import { useRecordingUpstream, usePluginEnvoy } from "../../../harness/src/vitest.js";
import { ISS, aliceToken, b64u, bearer, consumers } from "./cases.js";

const upstream = useRecordingUpstream();
const gw = usePluginEnvoy("jwt-auth", { consumers, _rules_: [{ _match_route_: ["alice-only"], allow: ["alice"] }, { _match_route_: ["team"], allow: ["alice", "bob"] }] }, ["alice-only", "team"], upstream);

describe("jwt-auth under random input", () => {
  it("random tokens never trap the VM", async () => {
    const printable = fc.array(fc.integer({ min: 0x20, max: 0x7e }), { maxLength: 120 }).map((a) => String.fromCharCode(...a));
    const json = fc.oneof(fc.json(), fc.jsonValue().map((v) => JSON.stringify({ alg: "RS256", kid: "rsa1", x: v })), fc.jsonValue().map((v) => JSON.stringify({ iss: ISS, exp: v, nbf: v, iat: v })));
    const part = fc.oneof(printable, json.map((j) => b64u(j)), fc.uint8Array({ maxLength: 300 }).map((b) => b64u(Buffer.from(b))));
    const token = fc.oneof(printable, fc.array(part, { minLength: 1, maxLength: 5 }).map((p) => p.join(".")));
    await fc.assert(
      fc.asyncProperty(token, fc.boolean(), async (t, inCookie) => {
        const headers: [string, string][] = inCookie ? [["cookie", `jwt=${t.replace(/[;\s]/g, "")}`]] : [["authorization", `Bearer ${t}`]];
        const r = await http(gw.url + "/team", { headers });
        expect([401, 403]).toContain(r.status);
      }),
      { numRuns: 150 },
    );
    expect((await http(gw.url + "/alice-only", { headers: [bearer(aliceToken("PS256"))] })).status).toBe(200);
    await gw.envoy.settleLog();
    expect(gw.envoy.log).not.toMatch(/sluice: abort|wasm trap|RuntimeError/);
  });
});
