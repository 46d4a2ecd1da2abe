// Weight-based tagging draws from the host's randomness (WASI random_get), so its shares are
// checked over a fixed number of requests with bounds far outside chance: with n = 1200 and
// p = 0.3 the standard deviation is 16 requests, the bounds are 8 of them away.
import { describe, it, expect } from "vitest";
import { parse } from "yaml";
import { pluginWasm } from "../../../harness/src/index.js";
import { Emulator } from "../../../harness/src/emulator/index.js";
import { EXAMPLE_2 } from "./examples.js";

const N = 1200;

for (const target of ["envoy", "higress"] as const) {
  describe(`traffic-tag weights (${target})`, () => {
    it("README example 2: 30% gray, 30% blue, 40% untagged", async () => {
      const host = await Emulator.load(pluginWasm("traffic-tag", target), { target, config: parse(EXAMPLE_2), pluginName: "traffic-tag" });
      const seen: Record<string, number> = { gray: 0, blue: 0, none: 0 };
      for (let i = 0; i < N; i++) {
        const r = await host.request({ method: "GET", path: "/" });
        const tags = r.upstream!.headers!.filter(([k]) => k === "x-mse-tag").map(([, v]) => v);
        expect(tags.length).toBeLessThanOrEqual(1);
        seen[tags[0] ?? "none"]++;
      }
      expect(host.traps).toEqual([]);
      expect(seen.gray).toBeGreaterThan(230);
      expect(seen.gray).toBeLessThan(490);
      expect(seen.blue).toBeGreaterThan(230);
      expect(seen.blue).toBeLessThan(490);
      expect(seen.none).toBeGreaterThan(350);
      expect(seen.none).toBeLessThan(610);
    });
  });
}
