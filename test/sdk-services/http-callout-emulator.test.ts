// The callout cases a stock Envoy will not produce on demand, in the emulator: a reset with no
// headers at all (Higress's rule: missing :status → 502), and an unreadable :status (→ 500).
import { describe, it, expect } from "vitest";
import { testPluginWasm } from "../../harness/src/tools.js";
import { Emulator } from "../../harness/src/emulator/index.js";

async function pausedCallout(target: "envoy" | "higress") {
  const host = await Emulator.load(testPluginWasm("sdk-probe", target), { config: { upstream_cluster: "callee" }, clusters: { callee: null } });
  const s = host.stream();
  s.sendRequestHeaders({ ":authority": "gw", ":path": "/callout/x", ":method": "GET" }, true);
  const [call] = host.pendingHttpCalls();
  return { host, s, call };
}

describe("callout answers without a usable :status", () => {
  for (const target of ["envoy", "higress"] as const) {
    it(`${target}: a reset (no headers) is status 502 with a reason, and the request resumes`, async () => {
      const { s, call } = await pausedCallout(target);
      call.reset();
      expect(s.upstream.complete).toBe(true);
      const h = Object.fromEntries(s.upstream.headers!);
      expect(h["x-callout-status"]).toBe("502");
      expect(h["x-callout-reason"]).not.toBe("");
      expect(h["x-callout-body-bytes"]).toBe("0");
    });
  }

  it("an unreadable :status is 500", async () => {
    const { s, call } = await pausedCallout("envoy");
    call.respond({ status: 2000 as number, body: "{}" });
    const h = Object.fromEntries(s.upstream.headers!);
    expect(h["x-callout-status"]).toBe("500");
  });
});

describe("callouts of requests that ended", () => {
  it("are forgotten: the host never answers them, and the dispatcher does not keep them forever", async () => {
    const host = await Emulator.load(testPluginWasm("sdk-probe", "envoy"), { config: { upstream_cluster: "callee" }, clusters: { callee: null } });
    for (let i = 0; i < 600; i++) {
      const s = host.stream();
      s.sendRequestHeaders({ ":authority": "gw", ":path": "/callout/x", ":method": "GET" }, true);
      s.complete(); // the client went away: the host cancels the callout
    }
    expect(host.pendingHttpCalls()).toHaveLength(0);
    const pending = Number((await host.request({ path: "/pending" })).body);
    // Swept whenever the map reaches its threshold (256, then twice what survived a sweep).
    expect(pending).toBeLessThan(256);
  });
});
