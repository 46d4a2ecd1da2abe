// The CI-sized fuzz run: 20k inputs over every built plugin (both targets) and the SDK parsers,
// zero traps allowed. The long run is `npm run fuzz` (1,000,000 inputs, docs/fuzz-report.md).
import { describe, it, expect, beforeAll } from "vitest";
import { loadAsModule } from "../../harness/src/ascunit.js";
import { runFuzz, formatReport, discoverTargets, PARSERS, type FuzzStats } from "./fuzzer.js";
import { minimalPlugin } from "../../harness/test/wasm-builder.js";

describe("fuzzing through the emulator", () => {
  beforeAll(async () => {
    // Compiled up front without blocking the worker (asc runs in another process; cached until
    // the SDK changes), so the fuzzer's own synchronous load finds it ready.
    await loadAsModule("test/fuzz/parsers.entry.ts");
  }, 300_000);

  it("counts a trap as a failure (self-test with a plugin that traps on odd paths)", async () => {
    // on_request_headers traps when called with num_headers % 2 == 1.
    const body = [0x20, 1, 0x41, 1, 0x71, 0x04, 0x40, 0x00, 0x0b, 0x41, 0, 0x0f]; // local.get 1; i32.const 1; i32.and; if unreachable end; i32.const 0; return
    const module = new WebAssembly.Module(minimalPlugin([{ name: "proxy_on_request_headers", params: 3, result: true, body }]));
    const stats = await runFuzz({ inputs: 300, seed: 7, plugins: ["-none-"], parserShare: 0, extraTargets: [{ name: "trapper", target: "envoy", module, seeds: [{}] }] });
    expect(stats.traps).toBeGreaterThan(0);
    expect(stats.unique[0]).toMatchObject({ plugin: "trapper", kind: "request", callback: "proxy_on_request_headers" });
  });

  let stats: FuzzStats;
  it("20k inputs over every plugin and the SDK parsers: no traps", async () => {
    expect(discoverTargets().length).toBeGreaterThan(0);
    // Bounded by count, not time: a busy machine runs the same inputs, only slower (146 s seen
    // at load 5 since the WAF joined; the bound is for a hang, not a speed).
    stats = await runFuzz({ inputs: 20000, seed: Number(process.env.SLUICE_FUZZ_SEED ?? 2026) });
    console.log(`[sluice] fuzz: ${stats.inputs} inputs in ${(stats.ms / 1000).toFixed(1)} s, ${stats.traps} traps`);
    if (stats.traps) console.log(formatReport(stats, "vitest test/fuzz/fuzz.test.ts"));
    expect(stats.unique).toEqual([]);
    expect(stats.traps).toBe(0);
    expect(stats.inputs).toBe(20000);
    const targets = discoverTargets().map((t) => `${t.name} [${t.target}]`).sort();
    expect(Object.keys(stats.perPlugin).sort()).toEqual(targets);
    for (const p of Object.values(stats.perPlugin)) expect(p.requests).toBeGreaterThan(0);
    expect(Object.keys(stats.parsers).sort()).toEqual([...PARSERS].sort());
    for (const p of Object.values(stats.parsers)) expect(p.inputs).toBeGreaterThan(0);
  }, 420_000);
});
