// The bench report's self-check (noise.ts) on two real runs' numbers: a quiet run that is
// consistent, and a noisy one whose limit and floors contradict the plugins above them.
import { describe, expect, it } from "vitest";
import { contradictions, noiseParagraph, LIMIT_ROW, WASM_FLOOR_ROW, type Spread } from "./noise.js";
import { HOOK_FLOOR_ROW, HEADER_FLOOR_ROW, KEY_AUTH_FLOOR_ROW, AI_PROXY_FLOOR_ROW } from "./floor-cases.js";

const run = (rows: Record<string, [number, number, number]>) => (name: string): Spread | null => {
  const r = rows[name];
  return r ? { q1: r[0], median: r[1], q3: r[2] } : null;
};

// docs/benchmarks.md at e7ded4a (2026-12-04 15:55): added CPU µs/req, IQR low, median, IQR high.
const quiet = run({
  [LIMIT_ROW]: [4.2, 4.7, 17.2], [WASM_FLOOR_ROW]: [6.1, 7.2, 8.3], [HOOK_FLOOR_ROW]: [10.4, 12.9, 18.8], "Sluice no-op plugin": [13.1, 14.0, 14.3],
  [HEADER_FLOOR_ROW]: [11.9, 12.6, 13.3], "request-block (URL rules)": [16.2, 17.7, 19.4], "ip-restriction": [16.7, 16.8, 18.2],
  [KEY_AUTH_FLOOR_ROW]: [13.5, 13.9, 16.7], "key-auth": [16.7, 18.9, 21.5], [AI_PROXY_FLOOR_ROW]: [24.5, 29.0, 36.4], "ai-proxy": [56.1, 57.5, 71.4],
});
// The run of 2026-12-04 19:55, on a loaded machine (not committed).
const noisy = run({
  [LIMIT_ROW]: [-1.5, -0.8, 9.8], [WASM_FLOOR_ROW]: [5.7, 9.8, 26.2], [HOOK_FLOOR_ROW]: [10.4, 19.6, 31.8], "Sluice no-op plugin": [10.8, 14.8, 16.6],
  [HEADER_FLOOR_ROW]: [9.2, 15.9, 20.2], "request-block (URL rules)": [16.9, 25.6, 25.7], "ip-restriction": [21.3, 28.3, 30.9],
  [KEY_AUTH_FLOOR_ROW]: [16.6, 18.1, 19.7], "key-auth": [20.9, 24.2, 24.6], [AI_PROXY_FLOOR_ROW]: [21.7, 28.9, 31.5], "ai-proxy": [66.9, 72.8, 76.6],
});

describe("bench self-check", () => {
  it("finds nothing to say about a consistent run", () => {
    expect(contradictions(quiet)).toEqual([]);
    expect(noiseParagraph(quiet)).toEqual([]);
  });

  it("names each contradiction of a noisy run: a limit below bare Envoy, a plugin below its own host calls, a floor whose rounds disagree", () => {
    expect(contradictions(noisy)).toEqual([
      "the native RBAC limit came out at -0.8, below bare Envoy",
      "Sluice no-op plugin (14.8) came out below its own host calls alone (19.6)",
      "the Wasm floor's rounds spread over 5.7–26.2 around a median of 9.8",
    ]);
    const p = noiseParagraph(noisy).join("\n");
    expect(p).toMatch(/^\*\*This run contradicts itself/);
    expect(p).toContain("not as a change");
  });

  it("checks only the rows the run has (an --only run)", () => {
    expect(contradictions(run({ "ai-proxy": [1, 2, 3] }))).toEqual([]);
    expect(contradictions(run({ [AI_PROXY_FLOOR_ROW]: [30, 31, 32], "ai-proxy": [20, 25, 40] }))).toEqual(["ai-proxy (25.0) came out below its own host calls alone (31.0)"]);
  });
});
