// API-token choice and passive failover, per VM: a token whose responses match
// failoverOnStatus `failureThreshold` times in a row is taken out; after healthCheckInterval it
// gets one probe request (a real request), and a 200 puts it back (successThreshold probes).
// Higress keeps this in shared data and probes with healthCheckModel; see the README for the
// differences.
import { ProviderConfig } from "./config";
import { randomIndex, nowMillis } from "./util";

class TokenHealth {
  failures: i32 = 0;
  successes: i32 = 0;
  down: bool = false;
  downSince: i64 = 0;
  probing: bool = false;
}

const health = new Map<string, TokenHealth>();

function key(pc: ProviderConfig, token: string): string { return pc.type + "-" + pc.id + "-" + token; }

function state(pc: ProviderConfig, token: string): TokenHealth {
  const k = key(pc, token);
  if (!health.has(k)) health.set(k, new TokenHealth());
  return health.get(k);
}

/** Picks a token at random among the healthy ones (or one due for a probe), never `exclude`. */
export function chooseToken(pc: ProviderConfig, exclude: Array<string>): string {
  const list = pc.apiTokens;
  if (list.length == 0) return "";
  const candidates = new Array<string>();
  const now = nowMillis();
  for (let i = 0; i < list.length; i++) {
    if (exclude.includes(list[i])) continue;
    if (pc.failover.enabled) {
      const h = state(pc, list[i]);
      if (h.down) {
        if (!h.probing && now - h.downSince >= pc.failover.healthCheckInterval) { h.probing = true; return list[i]; }
        continue;
      }
    }
    candidates.push(list[i]);
  }
  if (candidates.length == 0) {
    // Everything is down or excluded: fall back to any token not excluded.
    for (let i = 0; i < list.length; i++) if (!exclude.includes(list[i])) candidates.push(list[i]);
    if (candidates.length == 0) return "";
  }
  return candidates[randomIndex(candidates.length)];
}

export function reportFailure(pc: ProviderConfig, token: string): void {
  if (!pc.failover.enabled || token.length == 0) return;
  const h = state(pc, token);
  h.successes = 0;
  if (h.down) { h.probing = false; h.downSince = nowMillis(); return; }
  h.failures++;
  if (h.failures >= pc.failover.failureThreshold) { h.down = true; h.downSince = nowMillis(); h.probing = false; }
}

export function reportSuccess(pc: ProviderConfig, token: string): void {
  if (!pc.failover.enabled || token.length == 0) return;
  const h = state(pc, token);
  h.failures = 0;
  if (h.down) {
    h.successes++;
    h.probing = false;
    if (h.successes >= pc.failover.successThreshold) { h.down = false; h.successes = 0; }
  }
}

export function isDown(pc: ProviderConfig, token: string): bool {
  const k = key(pc, token);
  return health.has(k) && health.get(k).down;
}
