// Issue #14's before data and the before → after tables: the recorded run reproduces the numbers
// docs/benchmarks.md printed at b41cd40, every plugin has a recorded size, goals are judged right.
import { readdirSync, existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { beforeAdded, beforeAfterTable, loadBefore, pairedRatio, sizesTable, TRACKED } from "./before-after.js";
import { repoRoot } from "../../harness/src/tools.js";

const before = loadBefore(repoRoot);

describe("issue #14 before data", () => {
  it("reproduces b41cd40's printed added CPU (paired by round, median and IQR)", () => {
    const at = (n: string) => beforeAdded(before, n)!;
    expect(at("key-auth").median).toBeCloseTo(45.1, 1);
    expect(at("Sluice no-op plugin").median).toBeCloseTo(24.3, 1);
    expect(at("native RBAC (request-block's URL check)").q1).toBeCloseTo(3.0, 1);
    expect(at("AI chain").median).toBeCloseTo(367.2, 1);
    expect(at("go bench-rewrite (sjson)").q3).toBeCloseTo(54.1, 1);
    // the 500-event rows were not in that run: the issue's own numbers stand as their before
    for (const t of TRACKED) expect(beforeAdded(before, t.name) !== null || t.issueBefore !== undefined, t.name).toBe(true);
  });

  it("records a size for every plugin directory, both targets", () => {
    const plugins = readdirSync(join(repoRoot, "plugins")).filter((d) => existsSync(join(repoRoot, "plugins", d, "plugin.yaml")));
    for (const p of plugins) {
      expect(before.moduleSizes[p], p).toBeDefined();
      expect(before.moduleSizes[p].envoy).toBeGreaterThan(1000);
      expect(before.moduleSizes[p].higress).toBeGreaterThan(1000);
    }
  });
});

describe("before → after tables", () => {
  const after = (n: string) => ({ "Sluice no-op plugin": { q1: 1, median: 1.5, q3: 2, n: 5 }, "key-auth": { q1: 8, median: 9, q3: 10, n: 5 }, "sluice bench-rewrite": { q1: 20, median: 22, q3: 24, n: 5 }, "go bench-rewrite (sjson)": { q1: 48, median: 50, q3: 52, n: 5 }, "ai-proxy": { q1: 30, median: 40, q3: 50, n: 5 }, "AI chain": { q1: 70, median: 90, q3: 95, n: 5 }, "ai-proxy stream (500 events converted from Claude)": { q1: 900, median: 1000, q3: 1100, n: 5 }, "ai-proxy stream (500 events converted from Gemini)": { q1: 1400, median: 1600, q3: 1700, n: 5 } } as Record<string, { q1: number; median: number; q3: number; n: number }>)[n] ?? null;
  const rows = beforeAfterTable(before, after);
  const row = (n: string) => rows.find((r) => r.startsWith(`| ${n} |`))!;

  it("has one row per tracked scenario and judges each goal", () => {
    expect(rows.length).toBe(2 + TRACKED.length);
    expect(row("Sluice no-op plugin")).toMatch(/\| 24\.3 \(IQR 21\.4–27\.3\) \| \*\*1\.5\*\* \(IQR 1\.0–2\.0\) \| -22\.8 \| yes \|$/);
    expect(row("key-auth")).toMatch(/\| no \(3\.0 over\) \|$/);
    expect(row("sluice bench-rewrite")).toMatch(/\| yes \|$/); // 22 ≤ 50 / 2
    expect(row("ai-proxy")).toMatch(/\| no \(20\.0 over\) \|$/);
    expect(row("AI chain")).toMatch(/\| no \(2\.3 × ai-proxy\) \|$/);
    expect(row("ip-restriction")).toMatch(/\| not run \| — \| — \|$/);
    expect(row("ai-proxy stream (500 events converted from Claude)")).toMatch(/\| \+3,638 \(7\.3 per event; issue #14's run\) \| \*\*1000\.0\*\* \(IQR 900\.0–1100\.0; \*\*2\.00 per event\*\*\) \| — \| yes \|$/);
    expect(row("ai-proxy stream (500 events converted from Gemini)")).toMatch(/\| no \(3\.20 per event\) \|$/);
    expect(rows.join("\n")).not.toMatch(/NaN|undefined/);
  });

  it("sets ai-proxy beside its host calls alone when that row ran", () => {
    const withFloor = (n: string) => n === "ai-proxy's host calls alone (hand-written module)" ? { q1: 30, median: 32.5, q3: 35, n: 5 } : after(n);
    const r = beforeAfterTable(before, withFloor).find((x) => x.startsWith("| ai-proxy |"))!;
    expect(r).toMatch(/\| no \(20\.0 over\); 7\.5 above its host calls alone \|$/);
  });

  it("lists every plugin's size before and now with the change", () => {
    const t = sizesTable(before, [{ name: "key-auth", envoy: Math.round(before.moduleSizes["key-auth"].envoy / 2), higress: NaN }, { name: "bench-rewrite (Go wasip1, sjson)", envoy: 3666293, higress: NaN }]);
    expect(t.length).toBe(2 + Object.keys(before.moduleSizes).length + 1);
    expect(t.find((r) => r.startsWith("| key-auth |"))).toMatch(/\| -50\.0 % \| \d+ \| — \| — \|$/);
    expect(t.find((r) => r.startsWith("| ai-proxy |"))).toMatch(/\| — \| — \| \d+ \| — \| — \|$/);
    expect(t.find((r) => r.startsWith("| bench-rewrite (Go wasip1, sjson) |"))).toMatch(/^\| bench-rewrite \(Go wasip1, sjson\) \| — \| 3666293 \| — \|/);
  });

  it("pairs ratios round by round", () => {
    const r = pairedRatio([10, 20, 30, 40], [20, 20, 20, 20])!;
    expect(r.median).toBeCloseTo(1.25);
    expect(r.n).toBe(4);
    expect(pairedRatio([1, 2], [0, 0])).toBeNull();
  });
});
