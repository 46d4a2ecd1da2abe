// modelMapping, in Higress's order: exact key, then `prefix*` keys, then `~regex` keys (RE2 via
// sdk/regex, $1… in the target), then "*". An empty target keeps the requested model.
import { ModelMapping } from "./config";

export function mapModel(m: ModelMapping, model: string): string {
  if (m.exact.has(model)) return orKeep(m.exact.get(model), model);
  // Longest prefix first, so the result does not depend on key order.
  let best = -1;
  for (let i = 0; i < m.prefixes.length; i++) {
    if (model.startsWith(m.prefixes[i]) && (best < 0 || m.prefixes[i].length > m.prefixes[best].length)) best = i;
  }
  if (best >= 0) return orKeep(m.prefixTargets[best], model);
  for (let i = 0; i < m.regexes.length; i++) {
    // Go's regexp.ReplaceAllString, as Higress does: $1 in the target inserts a group.
    const re = m.regexes[i];
    if (re.test(model)) return orKeep(re.replaceAll(model, m.regexTargets[i]), model);
  }
  const fb = m.fallback;
  if (fb !== null) return orKeep(fb, model);
  return model;
}

function orKeep(target: string, model: string): string { return target.length == 0 ? model : target; }
