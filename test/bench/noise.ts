// Whether a bench run contradicts itself. A plugin cannot cost less than the proxy-wasm calls it
// makes, and the native filter is the least any filter costs: when this run's medians say otherwise,
// the machine's load moved more than the differences being measured, and the report says so at the
// top, naming each contradiction, rather than let a reader take the goal verdicts at face value.
import type { Quartiles } from "./before-after.js";

/** A row's added CPU per request, paired by round: median and quartiles. */
export type Spread = Pick<Quartiles, "q1" | "median" | "q3">;
import { HOOK_FLOOR_ROW, HEADER_FLOOR_ROW, KEY_AUTH_FLOOR_ROW, AI_PROXY_FLOOR_ROW } from "./floor-cases.js";

export const LIMIT_ROW = "native RBAC (request-block's URL check)";
export const WASM_FLOOR_ROW = "Wasm floor (hand-written module; no HTTP hook)";

/** Each floor and the plugins that make at least its host calls (so cost at least as much). */
const UNDER: [string, string[]][] = [
  [HOOK_FLOOR_ROW, ["Sluice no-op plugin"]],
  [HEADER_FLOOR_ROW, ["request-block (URL rules)", "ip-restriction"]],
  [KEY_AUTH_FLOOR_ROW, ["key-auth"]],
  [AI_PROXY_FLOOR_ROW, ["ai-proxy"]],
];

/** This run's contradictions, one sentence each (none: the run is consistent). */
export function contradictions(added: (name: string) => Spread | null): string[] {
  const f = (x: number) => x.toFixed(1);
  const out: string[] = [];
  const limit = added(LIMIT_ROW);
  if (limit && limit.median < 0) out.push(`the native RBAC limit came out at ${f(limit.median)}, below bare Envoy`);
  for (const [floorRow, plugins] of UNDER) {
    const fl = added(floorRow);
    if (!fl) continue;
    for (const p of plugins) {
      const r = added(p);
      if (r && r.median < fl.median) out.push(`${p} (${f(r.median)}) came out below its own host calls alone (${f(fl.median)})`);
    }
  }
  const floor = added(WASM_FLOOR_ROW);
  if (floor && floor.q3 - floor.q1 > Math.max(4, floor.median)) out.push(`the Wasm floor's rounds spread over ${f(floor.q1)}–${f(floor.q3)} around a median of ${f(floor.median)}`);
  return out;
}

/** The report's warning paragraph, or nothing when the run is consistent. */
export function noiseParagraph(added: (name: string) => Spread | null): string[] {
  const c = contradictions(added);
  if (!c.length) return [];
  return [`**This run contradicts itself, so its machine was noisy:** ${c.join("; ")}. Differences smaller than these are not resolved by this run: read each row against its own floor and IQR, and take the goal verdicts below as this run's medians, not as a change.`, ""];
}
