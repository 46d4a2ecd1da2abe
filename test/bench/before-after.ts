// Issue #14's "before" (test/bench/before.json: the per-round Envoy CPU of commit b41cd40's bench
// run and every plugin's module size at commit acfb765) beside this run's numbers.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { HOOK_FLOOR_ROW, HEADER_FLOOR_ROW, KEY_AUTH_FLOOR_ROW, AI_PROXY_FLOOR_ROW } from "./floor-cases.js";

export interface Quartiles { q1: number; median: number; q3: number; n: number }

interface BeforeScenario { baseline: string | null; envoyCpuUsPerRound: number[]; reqPerSec: number; p99msPerRound: number[]; requestsMeasured: number }
export interface BeforeData {
  scenariosCommit: string;
  sizesCommit: string;
  runs: number;
  seconds: number;
  scenarios: Record<string, BeforeScenario>;
  moduleSizes: Record<string, { envoy: number; higress: number }>;
}

export function loadBefore(repoRoot: string): BeforeData {
  return JSON.parse(readFileSync(join(repoRoot, "test", "bench", "before.json"), "utf8")) as BeforeData;
}

/** Quartiles by linear interpolation (the same rule as run.ts). */
export function quartiles(xs: number[]): Quartiles {
  const v = [...xs].sort((a, b) => a - b);
  const at = (q: number) => { const i = q * (v.length - 1); const lo = Math.floor(i); return v[lo] + (v[Math.min(lo + 1, v.length - 1)] - v[lo]) * (i - lo); };
  return { q1: at(0.25), median: at(0.5), q3: at(0.75), n: v.length };
}

/** Per-round differences x[i] − y[i] (round i of both ran back to back). */
export function paired(x: number[] | undefined, y: number[] | undefined): Quartiles | null {
  if (!x?.length || !y?.length) return null;
  const n = Math.min(x.length, y.length);
  return quartiles(Array.from({ length: n }, (_, i) => x[i] - y[i]));
}

/** Per-round ratios x[i] / y[i]: how many times one scenario's added cost is another's, same round. */
export function pairedRatio(x: number[], y: number[]): Quartiles | null {
  const n = Math.min(x.length, y.length);
  const r = Array.from({ length: n }, (_, i) => x[i] / y[i]).filter((v) => Number.isFinite(v));
  return r.length ? quartiles(r) : null;
}

/** The added CPU of a scenario in the before run, paired with its baseline there. */
export function beforeAdded(b: BeforeData, name: string): Quartiles | null {
  const s = b.scenarios[name];
  if (!s?.baseline) return null;
  return paired(s.envoyCpuUsPerRound, b.scenarios[s.baseline]?.envoyCpuUsPerRound);
}

/** The scenarios issue #14 tracks, with its goal for each (µs of added Envoy CPU per request). */
export const TRACKED: { name: string; goal: string; max?: number; perEvent?: number; issueBefore?: string; floor?: string }[] = [
  { name: "native RBAC (request-block's URL check)", goal: "the limit (no Wasm)" },
  { name: "Wasm floor (hand-written module; no HTTP hook)", goal: "what any Wasm module costs" },
  { name: HOOK_FLOOR_ROW, goal: "what the no-op plugin's host calls cost", issueBefore: "not measured before" },
  { name: "Sluice no-op plugin", goal: "≤ 2", max: 2, floor: HOOK_FLOOR_ROW },
  { name: HEADER_FLOOR_ROW, goal: "what request-block's and ip-restriction's host calls cost", issueBefore: "not measured before" },
  { name: "request-block (URL rules)", goal: "≤ 4", max: 4, floor: HEADER_FLOOR_ROW },
  { name: "ip-restriction", goal: "≤ 6", max: 6, floor: HEADER_FLOOR_ROW },
  { name: KEY_AUTH_FLOOR_ROW, goal: "what key-auth's host calls cost", issueBefore: "not measured before" },
  { name: "key-auth", goal: "≤ 6", max: 6, floor: KEY_AUTH_FLOOR_ROW },
  { name: "sluice bench-rewrite", goal: "≤ ½ of Go + sjson (same run)" },
  { name: "go bench-rewrite (sjson)", goal: "the Go comparator" },
  { name: AI_PROXY_FLOOR_ROW, goal: "what ai-proxy's proxy-wasm calls cost with no plugin logic", issueBefore: "not measured before" },
  { name: "ai-proxy", goal: "≤ 20", max: 20, floor: AI_PROXY_FLOOR_ROW },
  { name: "ai-proxy (2 KB request converted for Claude)", goal: "≤ 30", max: 30, issueBefore: "not measured before" },
  { name: "ai-proxy (2 KB request converted for Gemini)", goal: "≤ 30", max: 30, issueBefore: "not measured before" },
  { name: "ai-proxy stream", goal: "— (8 events; per event: the 500-event rows)" },
  // Not in the before run: the issue's own measurement (its table) is the before.
  { name: "ai-proxy stream (500 events passed through)", goal: "≤ 1 per event", max: 1, perEvent: 500, issueBefore: "+2,405 (4.8 per event; issue #14's run)" },
  { name: "ai-proxy stream (500 events converted from Claude)", goal: "≤ 3 per event", max: 3, perEvent: 500, issueBefore: "+3,638 (7.3 per event; issue #14's run)" },
  { name: "ai-proxy stream (500 events converted from Gemini)", goal: "≤ 3 per event", max: 3, perEvent: 500, issueBefore: "+5,421 (10.8 per event; issue #14's run)" },
  { name: "AI chain", goal: "≤ 2 × ai-proxy" },
  { name: "AI chain stream", goal: "—" },
];

const f1 = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? "—" : x.toFixed(1));
const q = (x: Quartiles | null) => (x ? `${f1(x.median)} (IQR ${f1(x.q1)}–${f1(x.q3)})` : "—");

/**
 * Markdown: before → after of the tracked scenarios. `after(name)` gives this run's added CPU
 * (paired with the scenario's baseline) or null when the scenario did not run.
 */
export function beforeAfterTable(b: BeforeData, after: (name: string) => Quartiles | null): string[] {
  const L = ["| scenario | goal (µs) | before: + CPU µs/req | after: + CPU µs/req | after − before | goal met |", "|---|---|---|---|---|---|"];
  for (const t of TRACKED) {
    const was = beforeAdded(b, t.name), now = after(t.name);
    const delta = was && now ? `${now.median - was.median >= 0 ? "+" : ""}${f1(now.median - was.median)}` : "—";
    let met = "—";
    const per = t.perEvent;
    if (now && t.max !== undefined && per !== undefined) met = now.median / per <= t.max ? "yes" : `no (${(now.median / per).toFixed(2)} per event)`;
    else if (now && t.max !== undefined) met = now.median <= t.max ? "yes" : `no (${f1(now.median - t.max)} over)`;
    if (now && t.name === "sluice bench-rewrite") {
      const go = after("go bench-rewrite (sjson)");
      if (go) met = now.median <= go.median / 2 ? "yes" : `no (${(now.median / go.median).toFixed(2)} × Go)`;
    }
    const floor = now && t.floor ? after(t.floor) : null;
    if (now && floor) met += `; ${f1(now.median - floor.median)} above its host calls alone`;
    if (now && t.name === "AI chain") {
      const ai = after("ai-proxy");
      if (ai) met = now.median <= 2 * ai.median ? "yes" : `no (${f1(now.median / ai.median)} × ai-proxy)`;
    }
    const perText = now && per !== undefined ? `; **${(now.median / per).toFixed(2)} per event**` : "";
    L.push(`| ${t.name} | ${t.goal} | ${was ? q(was) : t.issueBefore ?? "—"} | ${now ? `**${f1(now.median)}** (IQR ${f1(now.q1)}–${f1(now.q3)}${perText})` : "not run"} | ${delta} | ${met} |`);
  }
  return L;
}

/** Markdown: every plugin's module size before (acfb765) and now, both targets. */
export function sizesTable(b: BeforeData, now: { name: string; envoy: number; higress: number }[]): string[] {
  const L = [`| plugin | envoy before (${b.sizesCommit}) | envoy now | change | higress before | higress now | change |`, "|---|---|---|---|---|---|---|"];
  const pct = (was: number | undefined, is: number | undefined) =>
    was && is && Number.isFinite(is) ? `${is >= was ? "+" : ""}${(((is - was) / was) * 100).toFixed(1)} %` : "—";
  const names = [...new Set([...Object.keys(b.moduleSizes), ...now.map((m) => m.name)])];
  for (const name of names) {
    const was = b.moduleSizes[name], is = now.find((m) => m.name === name);
    const v = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? "—" : String(x));
    L.push(`| ${name} | ${v(was?.envoy)} | ${v(is?.envoy)} | ${pct(was?.envoy, is?.envoy)} | ${v(was?.higress)} | ${v(is?.higress)} | ${pct(was?.higress, is?.higress)} |`);
  }
  return L;
}
