// API-token choice and passive failover. Health lives in Envoy shared data (one entry per token,
// key `<type>-<id>-apiToken-<token hash>`), so every worker VM sees it, as in Higress. A token
// whose responses match failoverOnStatus `failureThreshold` times in a row is taken out; after
// healthCheckInterval it gets one probe (the next real request), and `successThreshold` 200s put
// it back. Higress probes with a synthetic healthCheckModel request on a leader's timer instead;
// see the README.
import { ProviderConfig } from "./config";
import { randomIndex, nowMillis } from "./util";
import { sharedData } from "@sluice/sdk";

class TokenHealth {
  failures: i32 = 0;
  successes: i32 = 0;
  down: bool = false;
  downSince: i64 = 0;
  probeAt: i64 = 0;
  cas: u32 = 0;

  encode(): string {
    return this.failures.toString() + "|" + this.successes.toString() + "|" + (this.down ? "1" : "0") + "|" + this.downSince.toString() + "|" + this.probeAt.toString();
  }
}

function fnv(s: string): string {
  let h: u32 = 2166136261;
  for (let i = 0; i < s.length; i++) { h ^= <u32>s.charCodeAt(i); h *= 16777619; }
  return h.toString(16);
}

function key(pc: ProviderConfig, token: string): string { return pc.type + "-" + pc.id + "-apiToken-" + fnv(token); }

function load(pc: ProviderConfig, token: string): TokenHealth {
  const h = new TokenHealth();
  const e = sharedData.get(key(pc, token));
  if (!e.found) return h;
  h.cas = e.cas;
  const parts = e.text.split("|");
  if (parts.length != 5) return h;
  h.failures = <i32>parseInt(parts[0]);
  h.successes = <i32>parseInt(parts[1]);
  h.down = parts[2] == "1";
  h.downSince = <i64>parseInt(parts[3]);
  h.probeAt = <i64>parseInt(parts[4]);
  return h;
}

/** Stores with CAS; on a lost race the other writer's view wins (health is advisory). */
function store(pc: ProviderConfig, token: string, h: TokenHealth): bool {
  return sharedData.setText(key(pc, token), h.encode(), h.cas) == 0;
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
      const h = load(pc, list[i]);
      if (h.down) {
        // One probe per interval, claimed with CAS so workers do not all probe at once.
        if (now - h.probeAt >= pc.failover.healthCheckInterval && now - h.downSince >= pc.failover.healthCheckInterval) {
          h.probeAt = now;
          if (store(pc, list[i], h)) return list[i];
        }
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
  for (let attempt = 0; attempt < 4; attempt++) {
    const h = load(pc, token);
    h.successes = 0;
    if (h.down) h.downSince = nowMillis();
    else {
      h.failures++;
      if (h.failures >= pc.failover.failureThreshold) { h.down = true; h.downSince = nowMillis(); h.probeAt = 0; }
    }
    if (store(pc, token, h)) return;
  }
}

export function reportSuccess(pc: ProviderConfig, token: string): void {
  if (!pc.failover.enabled || token.length == 0) return;
  for (let attempt = 0; attempt < 4; attempt++) {
    const h = load(pc, token);
    if (!h.down && h.failures == 0) return;
    h.failures = 0;
    if (h.down) {
      h.successes++;
      if (h.successes >= pc.failover.successThreshold) { h.down = false; h.successes = 0; }
    }
    if (store(pc, token, h)) return;
  }
}
