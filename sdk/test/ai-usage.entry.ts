// Test entry: sdk/ai usage normalisation exposed to Node.
import { TokenUsage, extractUsage } from "../ai/usage";
import { parseJson } from "../json/parse";

/** The normalised usage of one body, or "none". */
export function normalise(text: string): string {
  const r = parseJson(text);
  if (!r.ok) return "none";
  const o = r.value!.asObject();
  if (o === null) return "none";
  const u = new TokenUsage();
  if (!extractUsage(o, u)) return "none";
  return u.toJson("m", "p", false);
}

/** Feeds newline-separated events in order (a stream) and returns the final usage. */
export function stream(lines: string): string {
  const u = new TokenUsage();
  const list = lines.split("\n");
  for (let i = 0; i < list.length; i++) {
    const r = parseJson(list[i]);
    if (!r.ok) continue;
    const o = r.value!.asObject();
    if (o !== null) extractUsage(o, u);
  }
  return u.present ? u.toJson("m", "p", true) : "none";
}
