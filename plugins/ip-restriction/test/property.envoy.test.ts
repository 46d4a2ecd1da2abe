// ip-restriction in a real Envoy under random X-Forwarded-For values: never a trap. The case table
// is cases.ts.
import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { pluginWasm, http } from "../../../harness/src/index.js";
import { useEnvoy, useRecordingUpstream } from "../../../harness/src/vitest.js";
import { config, routes, xff } from "./cases.js";

const upstream = useRecordingUpstream();
const gw = useEnvoy(() => ({
  plugins: [{ name: "ip-restriction", wasm: pluginWasm("ip-restriction"), config }],
  routes: [...routes.map((r) => ({ name: r, prefix: `/${r}`, cluster: "up" })), { name: "default", prefix: "/", cluster: "up" }],
  clusters: [{ name: "up", port: upstream.port }],
  useRemoteAddress: true,
}));

describe("ip-restriction under random input", () => {
  it("random X-Forwarded-For values never trap the VM", async () => {
    const printable = fc.array(fc.integer({ min: 0x20, max: 0x7e }), { maxLength: 120 }).map((a) => String.fromCharCode(...a));
    const addr = fc.oneof(printable, fc.ipV4(), fc.ipV6(), fc.ipV6().map((a) => `[${a}]:443`), fc.ipV4().map((a) => `${a}:${Math.floor(Math.random() * 70000)}`));
    await fc.assert(
      fc.asyncProperty(addr, addr, async (a, b) => {
        const r = await http(gw.url + "/a", { headers: xff(`${a}, ${b}`) });
        expect([200, 403]).toContain(r.status);
      }),
      { numRuns: 200 },
    );
    expect((await http(gw.url + "/a", { headers: xff("10.1.2.3") })).status).toBe(200);
    await gw.envoy.settleLog();
    expect(gw.envoy.log).not.toMatch(/sluice: abort|wasm trap|RuntimeError/);
  });
});
