// key-auth in a real Envoy under random keys, names and query strings: never a trap. The case
// table is cases.ts.
import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { http } from "../../../harness/src/index.js";
import { useRecordingUpstream, usePluginEnvoy } from "../../../harness/src/vitest.js";
import { consumers } from "./cases.js";

const upstream = useRecordingUpstream();
const gw = usePluginEnvoy("key-auth", { consumers, keys: ["X-API-KEY", "apikey"], in_header: true, in_query: true, _rules_: [{ _match_route_: ["alice-only"], allow: ["alice"] }] }, ["alice-only"], upstream);

describe("key-auth under random input", () => {
  it("random keys, names and query strings never trap the VM", async () => {
    const printable = fc.array(fc.integer({ min: 0x20, max: 0x7e }), { maxLength: 120 }).map((a) => String.fromCharCode(...a));
    const query = fc.array(fc.oneof(printable.map(encodeURIComponent), fc.constantFrom("%", "%z", "%4", "+", "&", "=", ";", "apikey=", "x-api-key=", "%61pikey=")), { maxLength: 8 }).map((p) => p.join(""));
    await fc.assert(
      fc.asyncProperty(printable, printable, query, async (k1, k2, q) => {
        const r = await http(`${gw.url}/alice-only?${q}`, { headers: [["x-api-key", k1], ["apikey", k2]] });
        expect([200, 401, 403]).toContain(r.status);
      }),
      { numRuns: 150 },
    );
    expect((await http(gw.url + "/alice-only", { headers: [["x-api-key", "alice-key"]] })).status).toBe(200);
    await gw.envoy.settleLog();
    expect(gw.envoy.log).not.toMatch(/sluice: abort|wasm trap|RuntimeError/);
  });
});
