// The higress build of key-rate-limit in the host emulator: two VMs sharing one shared-data store
// (as the worker VMs of one gateway do) draw from one bucket; the frozen clock makes the refill
// exact (advance()).
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { pluginWasm } from "../../../harness/src/index.js";
import { Emulator, SharedData } from "../../../harness/src/emulator/index.js";

const shared = new SharedData();
let vm1: Emulator;
let vm2: Emulator;
const config = { limit_by_header: "x-api-key", limit_keys: [{ key: "k", query_per_minute: 6 }, { key: "s", query_per_second: 2 }] };

beforeAll(async () => {
  const opts = { target: "higress" as const, config, sharedData: shared, routes: [{ name: "r", prefix: "/", cluster: "up" }] };
  vm1 = await Emulator.load(pluginWasm("key-rate-limit", "higress"), opts);
  vm2 = await Emulator.load(pluginWasm("key-rate-limit", "higress"), opts);
});
afterAll(() => {
  vm1?.close();
  vm2?.close();
});

describe("key-rate-limit (higress build, two VMs, one shared store)", () => {
  it("buckets are created at configuration time, one per key", () => {
    expect(shared.keys().filter((k) => k.startsWith("key-rate-limit:")).length).toBe(2);
  });

  it("alternating VMs: 6 per minute in total, then 429", async () => {
    const statuses = [];
    for (let i = 0; i < 9; i++) statuses.push((await (i % 2 ? vm2 : vm1).request({ path: "/", headers: { "x-api-key": "k" } })).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 429, 429, 429]);
    // One token every 10 s: after 10 s exactly one more request passes (on either VM).
    vm1.advance(10000);
    vm2.advance(10000);
    expect((await vm2.request({ path: "/", headers: { "x-api-key": "k" } })).status).toBe(200);
    expect((await vm1.request({ path: "/", headers: { "x-api-key": "k" } })).status).toBe(429);
    expect(vm1.traps).toEqual([]);
    expect(vm2.traps).toEqual([]);
  });

  it("per second: 2, then one more after 500 ms, full after 1 s", async () => {
    const h = { "x-api-key": "s" };
    const a = [];
    for (let i = 0; i < 3; i++) a.push((await vm1.request({ path: "/", headers: h })).status);
    expect(a).toEqual([200, 200, 429]);
    vm1.advance(500);
    vm2.advance(500);
    expect((await vm2.request({ path: "/", headers: h })).status).toBe(200);
    expect((await vm2.request({ path: "/", headers: h })).status).toBe(429);
    vm1.advance(1000);
    vm2.advance(1000);
    const b = [];
    for (let i = 0; i < 3; i++) b.push((await vm1.request({ path: "/", headers: h })).status);
    expect(b).toEqual([200, 200, 429]);
  });
});
