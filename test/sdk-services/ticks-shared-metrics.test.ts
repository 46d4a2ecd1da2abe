// Timers, shared data (CAS), shared queues, leader election and metrics from the sdk-probe
// plugin in a real Envoy.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { RecordingUpstream, http } from "../../harness/src/index.js";
import { testPluginWasm } from "../../harness/src/tools.js";
import { useEnvoy } from "../../harness/src/vitest.js";

const up = { server: undefined as RecordingUpstream | undefined };
beforeAll(async () => {
  up.server = await RecordingUpstream.start();
});
afterAll(async () => up.server?.stop());

const gw = useEnvoy(() => ({
  plugins: [{ name: "sdk-probe", wasm: testPluginWasm("sdk-probe"), config: { fast_tick_ms: 100, slow_tick_ms: 300, upstream_cluster: "up", tick_callout_path: "/from-tick" } }],
  routes: [{ name: "main", prefix: "/", cluster: "up" }],
  clusters: [{ name: "up", port: up.server!.port }],
}));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function ticks(): Promise<{ fast: number; slow: number; leader: boolean; vmId: string; leaderError: string; tickCallouts: number; tickCalloutStatus: number }> {
  return JSON.parse((await http(gw.url + "/ticks")).body);
}

describe("ticks", () => {
  it("run each handler on its own period over the one host tick", async () => {
    const a = await ticks();
    // Until both have run a few times (not a fixed time: a busy machine delays ticks).
    let b = a;
    for (let i = 0; i < 200 && (b.fast - a.fast < 5 || b.slow - a.slow < 2); i++) {
      await sleep(50);
      b = await ticks();
    }
    const fast = b.fast - a.fast, slow = b.slow - a.slow;
    // Both run on the one host tick. On time, the fast one runs 3× as often (the exact counts are
    // checked on the emulator's clock, test/emulator/sdk-probe.test.ts); on a loaded machine a host
    // tick that comes 300 ms late runs both, so all Envoy can promise is fast ≥ slow.
    expect(fast).toBeGreaterThanOrEqual(5);
    expect(slow).toBeGreaterThanOrEqual(2);
    expect(fast).toBeGreaterThanOrEqual(slow);
  });

  it("a callout made from a tick (root context) gets its answer", async () => {
    let t = await ticks();
    for (let i = 0; i < 40 && t.tickCallouts === 0; i++) {
      await sleep(50);
      t = await ticks();
    }
    expect(t.tickCallouts).toBeGreaterThan(0);
    expect(t.tickCalloutStatus).toBe(200);
    expect(up.server!.requests.some((r) => r.path === "/from-tick" && r.headers.host === "tick.local")).toBe(true);
  });

  // Envoy runs a VM on the main thread and one per worker, sharing data by vm_id: exactly one
  // of them holds the lease. The worker answering requests leads iff the lease names it.
  it("leader election (run from the fast tick) keeps a Higress-format lease in shared data", async () => {
    const t = await ticks();
    expect(t.vmId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const lease = await http(gw.url + "/shared/get", { headers: [["x-key", "higress_wasm_vm_lease:"]] });
    expect(lease.headers["x-shared-status"]).toBe("Ok");
    const doc = JSON.parse(lease.body) as { vmID: string; timestamp: number };
    expect(Object.keys(doc)).toEqual(["vmID", "timestamp"]);
    expect(Math.abs(doc.timestamp - Date.now() / 1000)).toBeLessThan(60);
    expect(t.leader).toBe(doc.vmID === t.vmId);
    expect(t.leaderError).toBe("");
  });
});

describe("leader lease takeover (Higress semantics)", () => {
  const setLease = (vmID: string, timestamp: number) =>
    http(gw.url + "/shared/set", { headers: [["x-key", "higress_wasm_vm_lease:"], ["x-value", JSON.stringify({ vmID, timestamp })]] });
  const lease = async () => JSON.parse((await http(gw.url + "/shared/get", { headers: [["x-key", "higress_wasm_vm_lease:"]] })).body) as { vmID: string; timestamp: number };

  it("a fresh lease of another VM is respected", async () => {
    await setLease("someone-else", Math.floor(Date.now() / 1000));
    // The election runs on the fast tick: let it run a few times rather than wait a fixed time.
    const t0 = (await ticks()).fast;
    for (let i = 0; i < 200 && (await ticks()).fast - t0 < 4; i++) await sleep(50);
    expect((await lease()).vmID).toBe("someone-else");
    expect((await ticks()).leader).toBe(false);
  });

  it("a lease older than 60 s is taken over", async () => {
    await setLease("someone-else", Math.floor(Date.now() / 1000) - 61);
    let l = await lease();
    for (let i = 0; i < 40 && l.vmID === "someone-else"; i++) {
      await sleep(50);
      l = await lease();
    }
    expect(l.vmID).not.toBe("someone-else");
    expect(l.vmID).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe("shared data", () => {
  const op = (name: string, headers: [string, string][]) => http(gw.url + `/shared/${name}`, { headers });

  it("reports a missing key as NotFound", async () => {
    const r = await op("get", [["x-key", "never-set"]]);
    expect(r.headers["x-shared-status"]).toBe("NotFound");
  });

  it("a CAS set with the current version wins; the same stale version then gets CasMismatch", async () => {
    const first = await op("set", [["x-key", "k"], ["x-value", "v1"]]);
    expect(first.headers["x-shared-status"]).toBe("Ok");
    const cas = first.headers["x-shared-cas"] as string;
    expect(Number(cas)).toBeGreaterThan(0);

    const second = await op("set", [["x-key", "k"], ["x-value", "v2"], ["x-cas", cas]]);
    expect(second.headers["x-shared-status"]).toBe("Ok");
    expect(second.body).toBe("v2");
    expect(second.headers["x-shared-cas"]).not.toBe(cas);

    const stale = await op("set", [["x-key", "k"], ["x-value", "v3"], ["x-cas", cas]]);
    expect(stale.headers["x-shared-status"]).toBe("CasMismatch");
    expect(stale.body).toBe("v2");
    expect((await op("get", [["x-key", "k"]])).body).toBe("v2");
  });

  it("increments a counter with CAS retries under concurrency", async () => {
    await Promise.all(Array.from({ length: 25 }, () => op("incr", [["x-key", "counter"]])));
    expect((await op("get", [["x-key", "counter"]])).body).toBe("25");
  });
});

describe("shared queue", () => {
  it("the registering root context's handler dequeues what requests enqueue", async () => {
    for (let i = 0; i < 5; i++) {
      const r = await http(gw.url + "/queue/enqueue", { headers: [["x-value", `item-${i}`]] });
      expect(r.body).toBe("Ok");
    }
    let stats = { dequeued: 0, last: "" };
    for (let i = 0; i < 40 && stats.dequeued < 5; i++) {
      await sleep(50);
      stats = JSON.parse((await http(gw.url + "/queue/stats")).body);
    }
    expect(stats).toEqual({ dequeued: 5, last: "item-4" });
  });
});

describe("metrics", () => {
  it("counter, gauge and histogram values appear in /stats/prometheus", async () => {
    const sizes = [10, 20, 30, 40, 1000];
    const bodies: string[] = [];
    for (const n of sizes) {
      const r = await http(gw.url + `/metrics/${n}`);
      expect(r.headers["x-metric-status"]).toBe("Ok");
      bodies.push(r.body);
    }
    // The plugin reads its own (tagged) counter back after each increment.
    expect(bodies).toEqual(["1", "2", "3", "4", "1"]);
    // Envoy merges histograms into the admin view at its stats flush (every 5 s by default):
    // wait for that flush instead of assuming a time.
    let prom = await gw.envoy.prometheus();
    for (let i = 0; i < 150 && !/^sluice_probe_size_count\{?\}? [1-9]/m.test(prom); i++) {
      await sleep(100);
      prom = await gw.envoy.prometheus();
    }
    // Tags are encoded Istio-style into the name; without stats_tags they stay in the name.
    const series = /^sluice_probe_requests_probe_kind___metrics____size_class___(\w+?)___\{\} (\d+)$/gm;
    const found = Object.fromEntries([...prom.matchAll(series)].map((m) => [m[1], m[2]]));
    expect(found, prom.split("\n").filter((l) => l.includes("sluice")).join("\n")).toEqual({ small: "4", large: "1" });
    expect(prom).toMatch(/^# TYPE sluice_probe_requests\S* counter$/m);
    expect(/^sluice_probe_last_size\{?\}? (\d+)$/m.exec(prom)?.[1]).toBe("1000");
    expect(/^sluice_probe_size_count\{?\}? (\d+)$/m.exec(prom)?.[1]).toBe(String(sizes.length));
    // Envoy's histograms are approximate (log-linear buckets): the sum is near 1100, not exact.
    const sum = Number(/^sluice_probe_size_sum\{?\}? ([\d.e+]+)$/m.exec(prom)?.[1]);
    expect(sum).toBeGreaterThan(1000);
    expect(sum).toBeLessThan(1250);
    // Buckets: 10 and 20 are ≤ 25; everything is ≤ 1000 (Envoy's bucket edges are approximate).
    expect(Number(/^sluice_probe_size_bucket\{le="25"\} (\d+)$/m.exec(prom)?.[1])).toBe(2);
    expect(Number(/^sluice_probe_size_bucket\{le="\+Inf"\} (\d+)$/m.exec(prom)?.[1])).toBe(5);
  });
});

describe("health", () => {
  it("never trapped", async () => {
    await gw.envoy.settleLog();
    expect(gw.envoy.log).not.toMatch(/sluice: abort|wasm_fail_stream|Function: proxy_on_.* failed/);
  });
});
