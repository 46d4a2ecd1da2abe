// key-rate-limit in a real Envoy with two worker threads under parallel bursts: one bucket for the
// whole Envoy whichever worker a request lands on, and Envoy's own clock refilling it. The case
// table is cases.ts.
import { describe, it, expect } from "vitest";
import { pluginWasm, http } from "../../../harness/src/index.js";
import { useEnvoy, useRecordingUpstream } from "../../../harness/src/vitest.js";
import { config } from "./cases.js";

const upstream = useRecordingUpstream();

const gw = useEnvoy(
  () => ({
    plugins: [{ name: "key-rate-limit", wasm: pluginWasm("key-rate-limit"), config }],
    routes: [
      { name: "param", prefix: "/param", cluster: "up" },
      { name: "custom", prefix: "/custom", cluster: "up" },
      { name: "default", prefix: "/", cluster: "up" },
    ],
    clusters: [{ name: "up", port: upstream.port }],
  }),
  { concurrency: 2 },
);

describe("key-rate-limit in Envoy (2 workers), parallel bursts", () => {
  // No timing window: the exact refill (one token per 500 ms at 2/s) is checked on the emulator's
  // clock (emulator.test.ts, two-vms.emulator.test.ts). Here, with Envoy's real clock: a parallel burst of
  // 30 finds the bucket (capacity 2) empty at least once — all 30 passing would take a bucket
  // that refills far too fast (a clock read in the wrong unit), or a burst stretched over 14 s —
  // and a poll, bounded generously, then sees the bucket refill (a bucket that never refills in
  // real time fails it).
  it("per second: a burst empties the bucket, and Envoy's clock refills it", async () => {
    const h: [string, string][] = [["x-api-key", "ksec"]];
    // connection: close, so no idle sockets are left for the next test's per-worker connection count.
    const burst = (await Promise.all(Array.from({ length: 30 }, () => http(gw.url + "/a", { headers: [...h, ["connection", "close"]] })))).map((r) => r.status);
    expect(burst.filter((s) => s === 200).length).toBeGreaterThanOrEqual(2); // the bucket starts full
    expect(burst.filter((s) => s === 429).length).toBeGreaterThanOrEqual(1);
    expect(burst.every((s) => s === 200 || s === 429)).toBe(true);
    let st = 429;
    for (const until = Date.now() + 20000; st === 429 && Date.now() < until; ) {
      await new Promise((r) => setTimeout(r, 100));
      st = (await http(gw.url + "/a", { headers: h })).status;
    }
    expect(st).toBe(200);
  });

  it("parallel burst over many connections on both workers: exactly 7 of 30 pass", async () => {
    const statsBefore = await workerConnections();
    const rs = await Promise.all(Array.from({ length: 30 }, () => http(gw.url + "/a", { headers: [["x-api-key", "kburst"], ["connection", "close"]] })));
    expect(rs.filter((r) => r.status === 200).length).toBe(7);
    expect(rs.filter((r) => r.status === 429).length).toBe(23);
    const statsAfter = await workerConnections();
    const used = statsAfter.map((n, i) => n - (statsBefore[i] ?? 0));
    console.log(`[key-rate-limit] burst: connections per worker ${JSON.stringify(used)}, 7 admitted of 30`);
    // Both worker VMs served part of the burst, and still only 7 passed: one bucket per Envoy.
    expect(used.length).toBe(2);
    expect(used.every((n) => n > 0)).toBe(true);
  });

  it("the VM never trapped", async () => {
    await gw.envoy.settleLog();
    expect(gw.envoy.log).not.toMatch(/wasm trap|Function: proxy_on_\w+ failed|sluice: abort|RuntimeError/i);
  });
});

/** downstream_cx_total of each worker of the listener (Envoy admin stats). */
async function workerConnections(): Promise<number[]> {
  const text = await (await fetch(`${gw.envoy.adminUrl}/stats?filter=worker_`)).text();
  const out: number[] = [];
  for (const m of text.matchAll(/^listener\.[^\n]*\.worker_(\d+)\.downstream_cx_total: (\d+)$/gm)) out[Number(m[1])] = Number(m[2]);
  return out;
}

