// Several periodic functions over the host's single tick per root context (Higress's
// RegisterTickFunc). Register from the root context (configuration); each handler runs on the
// first host tick and then whenever its own period has passed. The host tick period is the
// greatest common divisor of the registered periods, at least MIN_TICK_MS.
import { dispatcher } from "../runtime/dispatcher";
import * as host from "../runtime/hostcalls";
import { Status } from "../abi/types";

export const MIN_TICK_MS: u32 = 10;

export interface TickHandler {
  onTick(): void;
}

class TickEntry {
  lastRunMs: i64 = -1;
  runs: u64 = 0;
  constructor(public periodMs: u32, public handler: TickHandler) {}
}

class RootTicks {
  entries: Array<TickEntry> = [];
  hostPeriodMs: u32 = 0;
}

const tickRoots = new Map<u32, RootTicks>();

function gcd(a: u32, b: u32): u32 {
  while (b != 0) { const t = a % b; a = b; b = t; }
  return a;
}

/** Why the last registerTick() failed ("" after success). */
export let lastTickError: string = "";

/** Runs `handler` every `periodMs` (≥ 1). Returns false, with `lastTickError`, outside a root context. */
export function registerTick(periodMs: u32, handler: TickHandler): bool {
  const rootId = dispatcher.current;
  if (!dispatcher.roots.has(rootId)) { lastTickError = "ticks must be registered from the root context (configuration)"; return false; }
  return registerTickFor(rootId, periodMs, handler);
}

/** registerTick for a given root context; the SDK uses it from a request of that root (the host
 *  sets the tick of the calling context's root). */
export function registerTickFor(rootId: u32, periodMs: u32, handler: TickHandler): bool {
  if (periodMs == 0) { lastTickError = "tick period must be > 0 ms"; return false; }
  let ticks: RootTicks;
  if (tickRoots.has(rootId)) ticks = tickRoots.get(rootId);
  else { ticks = new RootTicks(); tickRoots.set(rootId, ticks); }
  ticks.entries.push(new TickEntry(periodMs, handler));
  let period = periodMs;
  for (let i = 0; i < ticks.entries.length; i++) period = gcd(period, ticks.entries[i].periodMs);
  if (period < MIN_TICK_MS) period = MIN_TICK_MS;
  if (period != ticks.hostPeriodMs) {
    const st = host.setTickPeriod(period);
    if (st != Status.Ok) { ticks.entries.pop(); lastTickError = "the host refused a tick period of " + period.toString() + " ms"; return false; }
    ticks.hostPeriodMs = period;
  }
  lastTickError = "";
  return true;
}

/** Stops every tick of the current root context (e.g. before registering again on reconfigure). */
export function clearTicks(): void {
  const rootId = dispatcher.current;
  if (!tickRoots.has(rootId)) return;
  tickRoots.delete(rootId);
  host.setTickPeriod(0);
}

/** Called by proxy_on_tick: runs the handlers whose period has passed. */
export function runTicks(rootId: u32): void {
  if (!tickRoots.has(rootId)) return;
  const ticks = tickRoots.get(rootId);
  const now = <i64>(host.monotonicNanos() / 1000000);
  // A handler may register more ticks; run only those present when the tick started.
  const n = ticks.entries.length;
  for (let i = 0; i < n && i < ticks.entries.length; i++) {
    const e = ticks.entries[i];
    // Half a host tick of slack: host ticks jitter, and a tick that comes 1 ms early must not
    // push the handler back a whole period.
    if (e.lastRunMs >= 0 && now - e.lastRunMs + <i64>(ticks.hostPeriodMs / 2) < <i64>e.periodMs) continue;
    e.lastRunMs = now;
    e.runs++;
    e.handler.onTick();
  }
}

/** Forgets a deleted root context's ticks. */
export function dropTicks(rootId: u32): void {
  if (tickRoots.has(rootId)) tickRoots.delete(rootId);
}
