// Test entry: sdk/ai usage normalisation exposed to Node.
import { TokenUsage, extractUsage, extractUsageView } from "../ai/usage";
import { JsonObjectView } from "../json/object-view";
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

/** normalise, read on the body's bytes (extractUsageView): must agree with the tree. */
export function normaliseBytes(text: string): string {
  const v = JsonObjectView.of(String.UTF8.encode(text));
  if (v === null) return "none";
  const u = new TokenUsage();
  if (!extractUsageView(v, u)) return "none";
  return u.toJson("m", "p", false);
}

/** The published form of fixed numbers with a model and provider that need escaping. */
export function published(model: string, provider: string): string {
  const u = new TokenUsage();
  u.promptTokens = 12; u.completionTokens = 5; u.totalTokens = 17; u.cachedTokens = 3; u.reasoningTokens = 2;
  u.cacheCreationTokens = 9007199254740993;
  return u.toJson(model, provider, true);
}
