// key-rate-limit on the emulator, both targets: token buckets in shared data, refilled by the
// host clock (moved with advance()), shared by every VM that shares the data (two emulators here).
import { describe, it, expect } from "vitest";
import { pluginWasm } from "../../../harness/src/index.js";
import { Emulator, SharedData } from "../../../harness/src/emulator/index.js";

const config = { limit_by_header: "x-key", limit_keys: [{ key: "k1", query_per_minute: 2 }, { key: "k2", query_per_second: 1 }] };

for (const target of ["envoy", "higress"] as const) {
  describe(`key-rate-limit on the emulator (${target})`, () => {
    const load = (sharedData?: SharedData) => Emulator.load(pluginWasm("key-rate-limit", target), { target, config, sharedData, pluginName: "key-rate-limit" });
    const send = (h: Emulator, key: string) => h.request({ path: "/", headers: { "x-key": key } });

    it("allows the configured number per window, then 429 until the clock refills the bucket", async () => {
      const host = await load();
      expect((await send(host, "k1")).status).toBe(200);
      expect((await send(host, "k1")).status).toBe(200);
      const r = await send(host, "k1");
      expect(r.status).toBe(429);
      expect(r.upstream).toBeNull();
      host.advance(30_000);
      expect((await send(host, "k1")).status).toBe(200); // half a minute: one token back
      expect((await send(host, "k1")).status).toBe(429);
      expect(host.traps).toEqual([]);
    });

    // The per-second refill on the host's clock, not the machine's: the clock moves only with
    // advance(), so this holds however slow the machine is. A refill off by one unit (ms read as
    // s, or ns as ms) fails the 999 ms / 1000 ms edge.
    it("per second: one token back exactly one second after it was taken", async () => {
      const host = await load();
      expect((await send(host, "k2")).status).toBe(200);
      expect((await send(host, "k2")).status).toBe(429);
      host.advance(999);
      expect((await send(host, "k2")).status).toBe(429);
      host.advance(1);
      expect((await send(host, "k2")).status).toBe(200);
      expect((await send(host, "k2")).status).toBe(429);
      host.advance(60_000); // a long pause refills to the capacity (1), not beyond
      expect((await send(host, "k2")).status).toBe(200);
      expect((await send(host, "k2")).status).toBe(429);
      expect(host.traps).toEqual([]);
    });

    it("keys are counted apart; unlisted keys are not limited", async () => {
      const host = await load();
      expect((await send(host, "k2")).status).toBe(200);
      expect((await send(host, "k2")).status).toBe(429);
      expect((await send(host, "k1")).status).toBe(200);
      for (let i = 0; i < 5; i++) expect((await send(host, "other")).status).toBe(200);
    });

    it("two VMs sharing data draw from one bucket", async () => {
      const shared = new SharedData();
      const a = await load(shared);
      const b = await load(shared);
      expect((await send(a, "k1")).status).toBe(200);
      expect((await send(b, "k1")).status).toBe(200);
      expect((await send(a, "k1")).status).toBe(429);
      expect((await send(b, "k1")).status).toBe(429);
    });
  });
}
