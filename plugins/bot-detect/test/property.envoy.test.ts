// bot-detect in a real Envoy under random User-Agents: never a trap. The case table is cases.ts.
import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { http } from "../../../harness/src/index.js";
import { useRecordingUpstream, usePluginEnvoy } from "../../../harness/src/vitest.js";
import { config, CHROME } from "./cases.js";

const upstream = useRecordingUpstream();
const gw = usePluginEnvoy("bot-detect", config, ["custom", "allow-google"], upstream);

describe("bot-detect under random input", () => {
  it("random User-Agents never trap the VM", async () => {
    const printable = fc.array(fc.integer({ min: 0x20, max: 0x7e }), { maxLength: 300 }).map((a) => String.fromCharCode(...a));
    await fc.assert(
      fc.asyncProperty(printable, async (ua) => {
        const r = await http(gw.url + "/p", { headers: [["user-agent", ua]] });
        expect([200, 403]).toContain(r.status);
      }),
      { numRuns: 150 },
    );
    expect((await http(gw.url + "/p", { headers: [["user-agent", CHROME]] })).status).toBe(200);
    await gw.envoy.settleLog();
    expect(gw.envoy.log).not.toMatch(/sluice: abort|wasm trap|RuntimeError|does not compile/);
  });
});
