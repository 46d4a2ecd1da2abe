// The configuration examples of Higress's traffic-tag README (README_EN.md) and its
// SampleConfig.yaml, as YAML text exactly as printed there, load on both targets and tag as the
// README says. Example 2's random split is checked for its shares in weights.emulator.test.ts.
import { describe, it, expect } from "vitest";
import { parse } from "yaml";
import { pluginWasm } from "../../../harness/src/index.js";
import { Emulator } from "../../../harness/src/emulator/index.js";
import { EXAMPLE_1, EXAMPLE_2 } from "./examples.js";

// SampleConfig.yaml's defaultConfig.
const SAMPLE = `
conditionGroups:
  - headerName: x-mse-tag-1
    headerValue: gray
    logic: or
    conditions:
      - conditionType: header
        key: x-user-type
        operator: prefix
        value:
          - test
  - headerName: x-mse-tag-2
    headerValue: blue
    logic: and
    conditions:
      - conditionType: header
        key: x-type
        operator: in
        value:
          - type1
          - type2
          - type3
      - conditionType: header
        key: x-mod
        operator: regex
        value:
          - "^[a-zA-Z0-9]{8}$"
  - headerName: x-mse-tag-3
    headerValue: green
    logic: and
    conditions:
      - conditionType: header
        key: user_id
        operator: percentage
        value:
          - 60
weightGroups:
  - headerName: x-higress-canary
    headerValue: gray
    weight: 30
  - headerName: x-higress-canary
    headerValue: base
    weight: 70
`;

for (const target of ["envoy", "higress"] as const) {
  describe(`Higress README examples (${target})`, () => {
    const tagOf = async (yaml: string, path: string, headers: Record<string, string>, name: string) => {
      const host = await Emulator.load(pluginWasm("traffic-tag", target), { target, config: parse(yaml), pluginName: "traffic-tag" });
      const r = await host.request({ method: "GET", path, headers });
      expect(host.traps).toEqual([]);
      return Object.fromEntries(r.upstream!.headers!)[name];
    };

    it("example 1: role viewer and foo=bar → gray, else base", async () => {
      expect(await tagOf(EXAMPLE_1, "/?foo=bar", { role: "viewer" }, "x-mse-tag")).toBe("gray");
      expect(await tagOf(EXAMPLE_1, "/", { role: "viewer" }, "x-mse-tag")).toBe("base");
    });

    it("example 2: every request gets gray, blue or nothing", async () => {
      expect([undefined, "gray", "blue"]).toContain(await tagOf(EXAMPLE_2, "/", {}, "x-mse-tag"));
    });

    it("SampleConfig.yaml: each group tags, and otherwise the 30/70 weights always tag", async () => {
      expect(await tagOf(SAMPLE, "/", { "x-user-type": "tester" }, "x-mse-tag-1")).toBe("gray");
      expect(await tagOf(SAMPLE, "/", { "x-type": "type2", "x-mod": "abcd1234" }, "x-mse-tag-2")).toBe("blue");
      expect(await tagOf(SAMPLE, "/", { user_id: "alice" }, "x-mse-tag-3")).toBe("green"); // SHA-256 bucket 7 < 60
      expect(["gray", "base"]).toContain(await tagOf(SAMPLE, "/", { "x-type": "type9" }, "x-higress-canary"));
    });
  });
}
