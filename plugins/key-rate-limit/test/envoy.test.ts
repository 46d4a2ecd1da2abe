// key-rate-limit in a real Envoy with two worker threads: per-value token buckets in shared data
// (one bucket per key for the whole Envoy), header and query sources, header case/duplicates,
// encoded params, a key in the wrong place, refill over time, a parallel burst that lands on both
// workers, and bad configurations.
import { describe, it, expect } from "vitest";
import { Envoy, pluginWasm, http } from "../../../harness/src/index.js";
import { useEnvoy, useRecordingUpstream } from "../../../harness/src/vitest.js";

const upstream = useRecordingUpstream();

const pm = (key: string, n = 3) => ({ key, query_per_minute: n });
const config = {
  limit_by_header: "x-api-key",
  limit_keys: [pm("k1"), { key: "k2", query_per_hour: 5 }, pm("kcase"), pm("kdup"), pm("kboth"), { key: "ksec", query_per_second: 2 }, pm("kburst", 7), pm("shared")],
  _rules_: [
    { _match_route_: ["param"], limit_by_param: "apikey", limit_keys: [pm("p1"), pm("p 2"), pm("shared")] },
    { _match_route_: ["custom"], limit_by_header: "X-Tenant", limit_keys: [pm("t1", 2)], rejected_code: 503, rejected_msg: "tenant over quota" },
  ],
};

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

type Req = { path: string; headers?: [string, string][] };
interface Case { name: string; req: (i: number) => Req; allowed: number | null; count?: number; code?: number; msg?: string }

const cases: Case[] = [
  { name: "header key per minute: 3 allowed, then 429", req: () => ({ path: "/a", headers: [["x-api-key", "k1"]] }), allowed: 3 },
  { name: "header key per hour: 5 allowed, then 429", req: () => ({ path: "/a", headers: [["x-api-key", "k2"]] }), allowed: 5 },
  { name: "an unlisted value is not limited", req: () => ({ path: "/a", headers: [["x-api-key", "zz"]] }), allowed: null, count: 8 },
  { name: "values are case-sensitive: K1 is not k1", req: () => ({ path: "/a", headers: [["x-api-key", "K1"]] }), allowed: null, count: 6 },
  { name: "no key header: not limited", req: () => ({ path: "/a" }), allowed: null, count: 6 },
  { name: "header name case does not open a second bucket", req: (i) => ({ path: "/a", headers: [[["x-api-key", "X-API-KEY", "X-Api-Key"][i % 3], "kcase"]] }), allowed: 3 },
  { name: "duplicate header lines: the first line is the key", req: (i) => ({ path: "/a", headers: [["x-api-key", "kdup"], ["x-api-key", `other-${i}`]] }), allowed: 3 },
  { name: "header route: the key in the query is not counted", req: () => ({ path: "/a?x-api-key=kboth" }), allowed: null, count: 6 },
  { name: "header route: key in both header and query counts once per request", req: () => ({ path: "/a?x-api-key=kboth", headers: [["x-api-key", "kboth"]] }), allowed: 3 },
  { name: "param key: 3 allowed, then 429", req: () => ({ path: "/param?apikey=p1" }), allowed: 3 },
  { name: "param: encoded forms of one value share a bucket", req: (i) => ({ path: ["/param?apikey=p+2", "/param?a=1&apikey=p%202", "/param?apikey=%70%20%32&apikey=x"][i % 3] }), allowed: 3 },
  { name: "param route: the key in a header is not counted", req: () => ({ path: "/param?other=1", headers: [["apikey", "p1"]] }), allowed: null, count: 6 },
  { name: "param: only the first occurrence counts (an unlisted first value escapes, as in Higress)", req: () => ({ path: "/param?apikey=nolimit&apikey=p1" }), allowed: null, count: 6 },
  { name: "param: a double-encoded value is a different value", req: () => ({ path: "/param?apikey=%2570%2531" }), allowed: null, count: 6 },
  { name: "rules keep their own buckets: 'shared' on the param route", req: () => ({ path: "/param?apikey=shared" }), allowed: 3 },
  { name: "rules keep their own buckets: 'shared' on the header route", req: () => ({ path: "/a", headers: [["x-api-key", "shared"]] }), allowed: 3 },
  { name: "custom rejected_code/rejected_msg; header name from config is case-insensitive", req: () => ({ path: "/custom", headers: [["x-tenant", "t1"]] }), allowed: 2, code: 503, msg: "tenant over quota" },
];

describe("key-rate-limit in Envoy (2 workers)", () => {
  it.each(cases)("$name", async (c) => {
    const count = c.count ?? (c.allowed ?? 0) + 2;
    const statuses: number[] = [];
    for (let i = 0; i < count; i++) {
      const q = c.req(i);
      const r = await http(gw.url + q.path, { headers: q.headers });
      statuses.push(r.status);
      if (r.status !== 200) expect(r.body).toBe(c.msg ?? "Too many requests");
    }
    expect(statuses).toEqual(Array.from({ length: count }, (_, i) => (c.allowed === null || i < c.allowed ? 200 : c.code ?? 429)));
  });

  // No timing window: the exact refill (one token per 500 ms at 2/s) is checked on the emulator's
  // clock (emulator.test.ts, higress.test.ts). Here, with Envoy's real clock: a parallel burst of
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

describe("key-rate-limit with a bad configuration", () => {
  for (const [name, bad, why] of [
    ["both header and param", { limit_by_header: "a", limit_by_param: "b", limit_keys: [pm("x")] }, "only one of 'limit_by_header' and 'limit_by_param' can be set"],
    ["neither header nor param", { limit_keys: [pm("x")] }, "one of 'limit_by_header' and 'limit_by_param' must be set"],
    ["no limit_keys", { limit_by_header: "a" }, "limit_keys must be a non-empty array"],
    ["a key without a rate", { limit_by_header: "a", limit_keys: [{ key: "x" }] }, "must be set for key: x"],
    ["a zero rate", { limit_by_header: "a", limit_keys: [{ key: "x", query_per_second: 0 }] }, "must be a positive integer"],
    ["a duplicate key", { limit_by_header: "a", limit_keys: [pm("x"), pm("x")] }, "duplicate key 'x'"],
  ] as const) {
    it(`refuses to start: ${name}`, async () => {
      let log = "";
      await expect(
        Envoy.start(
          { plugins: [{ name: "key-rate-limit", wasm: pluginWasm("key-rate-limit"), config: bad }], routes: [{ name: "r", cluster: "up" }], clusters: [{ name: "up", port: upstream.port }] },
          { allowStartFailure: true },
        ).catch((e) => {
          log = (e as { envoyLog?: string }).envoyLog ?? "";
          throw e;
        }),
      ).rejects.toThrow(/did not start/);
      expect(log).toContain("plugin start failed");
      expect(log).toContain(why);
    });
  }
});
