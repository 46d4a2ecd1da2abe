// The benchmark's chart (docs/benchmarks.svg): added Envoy CPU µs per request per scenario, one
// horizontal bar per scenario at the median of the per-round paired differences, with a whisker
// over the interquartile range; the native-filter limit and the Wasm floor as vertical reference
// lines. Hand-written SVG from the numbers, no dependencies (test/bench/chart.test.ts checks it).

export type BarKind = "sluice" | "go" | "reference";

export interface Bar {
  label: string;
  kind: BarKind;
  median: number;
  q1: number;
  q3: number;
}

export interface ChartInput {
  title: string;
  bars: Bar[];
  /** Median added µs of the native (no Wasm) filter doing the same check: the limit. */
  limit?: number;
  /** Median added µs of a hand-written Wasm module with no HTTP hook: what any Wasm module costs. */
  floor?: number;
  /** One line under the title (method, sample count). */
  note?: string;
}

const COLORS: Record<BarKind, string> = { sluice: "#2f6db5", go: "#d9822b", reference: "#7a7a7a" };
const LABEL_W = 360, PLOT_W = 470, RIGHT_W = 120, ROW_H = 20, TOP = 88, BOTTOM = 56;

function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}
const finite = (x: number | undefined): x is number => typeof x === "number" && Number.isFinite(x);
const num = (x: number) => (Math.round(x * 10) / 10).toString();

/** A tick step of 1, 2 or 5 × 10^k giving at most about 8 ticks up to max. */
function tickStep(max: number): number {
  const raw = max / 8;
  const p = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * p >= raw) return m * p;
  return 10 * p;
}

export function renderChart(input: ChartInput): string {
  // Bars whose numbers are missing (a skipped scenario) are left out and listed under the chart.
  const bars = input.bars.filter((b) => finite(b.median) && finite(b.q1) && finite(b.q3));
  const missing = input.bars.filter((b) => !bars.includes(b)).map((b) => b.label);
  const refs = [input.limit, input.floor].filter(finite);
  const hi = Math.max(1, ...bars.map((b) => Math.max(b.median, b.q3)), ...refs);
  const lo = Math.min(0, ...bars.map((b) => Math.min(b.median, b.q1)), ...refs);
  const step = tickStep(hi - lo);
  const max = Math.ceil(hi / step) * step, min = Math.floor(lo / step) * step;
  const x = (v: number) => LABEL_W + ((v - min) / (max - min)) * PLOT_W;
  const height = TOP + bars.length * ROW_H + BOTTOM + (missing.length ? 16 : 0);
  const width = LABEL_W + PLOT_W + RIGHT_W;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  out.push(`<text class="title" x="10" y="20" font-size="15" font-weight="bold">${esc(input.title)}</text>`);
  if (input.note) out.push(`<text class="note" x="10" y="38" fill="#444">${esc(input.note)}</text>`);
  // Legend.
  let lx = 10;
  for (const [kind, text] of [["sluice", "Sluice (AssemblyScript)"], ["go", "Go (wasip1)"], ["reference", "limit / floor rows"]] as [BarKind, string][]) {
    out.push(`<rect class="legend" x="${lx}" y="46" width="10" height="10" fill="${COLORS[kind]}"/><text x="${lx + 14}" y="55">${esc(text)}</text>`);
    lx += 20 + text.length * 7;
  }
  const plotTop = TOP, plotBottom = TOP + bars.length * ROW_H;
  // Grid and axis.
  for (let v = min; v <= max + step / 2; v += step) {
    const gx = x(v).toFixed(1);
    out.push(`<line class="grid" x1="${gx}" y1="${plotTop}" x2="${gx}" y2="${plotBottom}" stroke="${v === 0 ? "#000" : "#e2e2e2"}"/>`);
    out.push(`<text class="tick" x="${gx}" y="${plotBottom + 14}" text-anchor="middle" fill="#444">${num(v)}</text>`);
  }
  out.push(`<text class="axis" x="${LABEL_W + PLOT_W / 2}" y="${plotBottom + 32}" text-anchor="middle">added Envoy CPU µs per request (median of per-round paired differences; whisker: IQR)</text>`);
  bars.forEach((b, i) => {
    const y = plotTop + i * ROW_H;
    const x0 = x(Math.min(0, b.median)), x1 = x(Math.max(0, b.median));
    out.push(`<text class="label" x="${LABEL_W - 8}" y="${y + 14}" text-anchor="end">${esc(b.label)}</text>`);
    out.push(`<rect class="bar ${b.kind}" x="${x0.toFixed(1)}" y="${y + 4}" width="${Math.max(0.5, x1 - x0).toFixed(1)}" height="${ROW_H - 8}" fill="${COLORS[b.kind]}"><title>${esc(`${b.label}: ${num(b.median)} µs (IQR ${num(b.q1)}–${num(b.q3)})`)}</title></rect>`);
    const wy = (y + ROW_H / 2).toFixed(1);
    out.push(`<path class="whisker" d="M${x(b.q1).toFixed(1)} ${wy}H${x(b.q3).toFixed(1)}M${x(b.q1).toFixed(1)} ${y + 6}V${y + ROW_H - 6}M${x(b.q3).toFixed(1)} ${y + 6}V${y + ROW_H - 6}" stroke="#111" fill="none"/>`);
    out.push(`<text class="value" x="${LABEL_W + PLOT_W + 8}" y="${y + 14}">${num(b.median)} (${num(b.q1)}–${num(b.q3)})</text>`);
  });
  // Reference lines over the bars.
  const ref = (cls: string, v: number | undefined, text: string, color: string, dy: number) => {
    if (!finite(v)) return;
    const rx = x(v).toFixed(1);
    out.push(`<line class="ref ${cls}" x1="${rx}" y1="${plotTop - 4}" x2="${rx}" y2="${plotBottom}" stroke="${color}" stroke-width="1.5" stroke-dasharray="5 3"/>`);
    out.push(`<text class="ref-label ${cls}" x="${rx}" y="${plotTop - 6 - dy}" text-anchor="middle" fill="${color}" font-size="11">${esc(`${text} ${num(v)}`)}</text>`);
  };
  ref("limit", input.limit, "native limit", "#2a9d3a", 0);
  ref("floor", input.floor, "Wasm floor", "#b02a2a", 12);
  if (missing.length) out.push(`<text class="missing" x="10" y="${height - 8}" fill="#444">${esc(`not measured in this run: ${missing.join(", ")}`)}</text>`);
  out.push("</svg>");
  return out.join("\n") + "\n";
}
