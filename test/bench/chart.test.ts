// The bench's SVG chart, rendered from a small fixed dataset: structure, not pixels.
import { describe, expect, it } from "vitest";
import { renderChart, type Bar } from "./chart.js";

const bars: Bar[] = [
  { label: "native RBAC (limit)", kind: "reference", median: 4.4, q1: 3.0, q3: 5.8 },
  { label: "Wasm floor", kind: "reference", median: 11.1, q1: 9.3, q3: 11.8 },
  { label: "key-auth", kind: "sluice", median: 45.1, q1: 44.5, q3: 45.7 },
  { label: "sluice bench-rewrite", kind: "sluice", median: 43.1, q1: 40.1, q3: 44.0 },
  { label: "go bench-rewrite (sjson)", kind: "go", median: 50.6, q1: 50.3, q3: 54.1 },
  { label: "a <noisy> & negative row", kind: "sluice", median: -2, q1: -6, q3: 1.5 },
];
const count = (s: string, re: RegExp) => (s.match(re) ?? []).length;

describe("benchmark chart", () => {
  const svg = renderChart({ title: "Added CPU", note: "5 rounds", bars, limit: 4.4, floor: 11.1 });

  it("is one svg element with a bar, a whisker, a label and a value per scenario", () => {
    expect(svg.startsWith("<svg xmlns=\"http://www.w3.org/2000/svg\"")).toBe(true);
    expect(count(svg, /<svg\b/g)).toBe(1);
    expect(svg.trimEnd().endsWith("</svg>")).toBe(true);
    expect(count(svg, /<rect class="bar /g)).toBe(bars.length);
    expect(count(svg, /<path class="whisker"/g)).toBe(bars.length);
    expect(count(svg, /<text class="label"/g)).toBe(bars.length);
    expect(count(svg, /<rect class="bar go"/g)).toBe(1);
    expect(count(svg, /<rect class="bar reference"/g)).toBe(2);
  });

  it("draws the limit and the floor as reference lines with their values", () => {
    expect(count(svg, /<line class="ref limit"/g)).toBe(1);
    expect(count(svg, /<line class="ref floor"/g)).toBe(1);
    expect(svg).toContain("native limit 4.4");
    expect(svg).toContain("Wasm floor 11.1");
  });

  it("escapes labels and has no NaN, Infinity or undefined anywhere", () => {
    expect(svg).toContain("a &lt;noisy&gt; &amp; negative row");
    expect(svg).not.toMatch(/NaN|Infinity|undefined/);
    // Every coordinate is a finite number; a negative median starts its bar left of zero.
    for (const m of svg.matchAll(/ (?:x|y|width|height|x1|x2|y1|y2)="([^"]*)"/g)) expect(Number.isFinite(Number(m[1]))).toBe(true);
    const zero = /<line class="grid" x1="([\d.]+)"[^>]*stroke="#000"/.exec(svg);
    expect(zero).not.toBeNull();
    const neg = /<rect class="bar sluice" x="([\d.]+)" y="[\d.]+" width="([\d.]+)"[^>]*><title>a &lt;noisy/.exec(svg)!;
    expect(Number(neg[1]) + Number(neg[2])).toBeCloseTo(Number(zero![1]), 0);
  });

  it("leaves out a scenario without numbers and says so", () => {
    const s = renderChart({ title: "t", bars: [...bars, { label: "skipped one", kind: "go", median: NaN, q1: NaN, q3: NaN }], limit: 4.4 });
    expect(count(s, /<rect class="bar /g)).toBe(bars.length);
    expect(s).toContain("not measured in this run: skipped one");
    expect(s).not.toMatch(/NaN/);
    expect(count(s, /<line class="ref floor"/g)).toBe(0);
  });

  it("puts a longer bar further right (linear scale)", () => {
    const w = (label: string) => Number(new RegExp(`width="([\\d.]+)"[^>]*><title>${label}:`).exec(svg)![1]);
    expect(w("go bench-rewrite \\(sjson\\)")).toBeGreaterThan(w("sluice bench-rewrite"));
    expect(w("key-auth") / w("Wasm floor")).toBeCloseTo(45.1 / 11.1, 1);
  });
});
