// traffic-tag's percentage operator under random values, on the emulator (both targets), against
// Higress's formula computed here with Node's crypto: the first 8 bytes of SHA-256(value) as a
// big-endian integer, modulo 100, below the threshold.
import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { createHash } from "node:crypto";
import { pluginWasm } from "../../../harness/src/index.js";
import { Emulator } from "../../../harness/src/emulator/index.js";

const bucket = (v: string) => Number(createHash("sha256").update(v).digest().readBigUInt64BE(0) % 100n);
const config = (n: number) => ({
  conditionGroups: [{ headerName: "x-tag", headerValue: "in", logic: "and", conditions: [{ conditionType: "header", key: "user-id", operator: "percentage", value: [String(n)] }] }],
  defaultTagKey: "x-tag",
  defaultTagVal: "out",
});
const id = fc.string({ unit: fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz0123456789-_.é"), minLength: 1, maxLength: 24 });

for (const target of ["envoy", "higress"] as const) {
  describe(`traffic-tag percentage (${target})`, () => {
    it.each([0, 37, 100])("threshold %i: tagged exactly when the value's bucket is below it", async (n) => {
      const host = await Emulator.load(pluginWasm("traffic-tag", target), { target, config: config(n), pluginName: "traffic-tag" });
      await fc.assert(
        fc.asyncProperty(id, async (v) => {
          const r = await host.request({ method: "GET", path: "/", headers: { "user-id": v } });
          expect(Object.fromEntries(r.upstream!.headers!)["x-tag"]).toBe(bucket(v) < n ? "in" : "out");
        }),
        { numRuns: 150 },
      );
      expect(host.traps).toEqual([]);
    });
  });
}
