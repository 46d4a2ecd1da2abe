// basic-auth in a real Envoy under random Authorization values: never a trap. The case table is
// cases.ts.
import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { http } from "../../../harness/src/index.js";
import { useRecordingUpstream, usePluginEnvoy } from "../../../harness/src/vitest.js";
import { basic, consumers } from "./cases.js";

const upstream = useRecordingUpstream();
const gw = usePluginEnvoy("basic-auth", { consumers, _rules_: [{ _match_route_: ["alice-only"], allow: ["alice"] }] }, ["alice-only"], upstream);

describe("basic-auth under random input", () => {
  it("random Authorization values never trap the VM", async () => {
    const printable = fc.array(fc.integer({ min: 0x20, max: 0x7e }), { maxLength: 120 }).map((a) => String.fromCharCode(...a));
    const payload = fc.oneof(
      printable,
      fc.uint8Array({ maxLength: 64 }).map((b) => "Basic " + Buffer.from(b).toString("base64")),
      fc.tuple(printable, printable).map(([u, p]) => "Basic " + Buffer.from(`${u}:${p}`, "utf8").toString("base64")),
      printable.map((s) => "Basic " + s),
    );
    await fc.assert(
      fc.asyncProperty(payload, async (a) => {
        const r = await http(gw.url + "/alice-only", { headers: [["authorization", a]] });
        expect([401, 403]).toContain(r.status);
      }),
      { numRuns: 150 },
    );
    expect((await http(gw.url + "/alice-only", { headers: [basic("alice:wonderland")] })).status).toBe(200);
    await gw.envoy.settleLog();
    expect(gw.envoy.log).not.toMatch(/sluice: abort|wasm trap|RuntimeError/);
  });
});
