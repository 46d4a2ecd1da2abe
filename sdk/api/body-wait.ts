// A request (or response) whose headers a plugin paused to read the body first must get that
// body. On a stock Envoy whose Wasm filter lacks `allow_on_headers_stop_iteration: true`, the
// host turns the pause into StopAllIteration and holds the body back from the plugin too: the
// stream would hang until the client gives up. This watchdog answers such a stream with a 500
// that names the missing setting, once its deadline passes without any body callback.
import * as host from "../runtime/hostcalls";
import { dispatcher } from "../runtime/dispatcher";
import { registerTickFor, TickHandler } from "../timers/ticker";
import { log } from "./log";

export const BODY_WAIT_MESSAGE =
  "the request body never reached the plugin: on Envoy, a Wasm filter whose plugin pauses in the headers phase to read the body needs 'allow_on_headers_stop_iteration: true' in its config";

const TICK_MS: u32 = 250;

class Waiting {
  constructor(public deadlineMs: i64, public request: bool) {}
}

class BodyWaitWatchdog implements TickHandler {
  waiting: Map<u32, Waiting> = new Map<u32, Waiting>();
  ticking: Set<u32> = new Set<u32>();
  explained: bool = false;

  arm(rootId: u32, contextId: u32, timeoutMs: u32, request: bool): void {
    if (timeoutMs == 0) return;
    if (!this.ticking.has(rootId)) {
      if (!registerTickFor(rootId, TICK_MS, this)) return;
      this.ticking.add(rootId);
    }
    this.waiting.set(contextId, new Waiting(nowMs() + <i64>timeoutMs, request));
  }

  disarm(contextId: u32): void {
    if (this.waiting.size > 0 && this.waiting.has(contextId)) this.waiting.delete(contextId);
  }

  onTick(): void {
    if (this.waiting.size == 0) return;
    const now = nowMs();
    const ids = this.waiting.keys();
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      const w = this.waiting.get(id);
      if (w.deadlineMs > now) continue;
      this.waiting.delete(id);
      if (!dispatcher.streams.has(id)) continue;
      const ctx = dispatcher.streams.get(id);
      if (host.setEffectiveContext(id) != 0) continue;
      dispatcher.enterStream(id, ctx);
      if (!this.explained) {
        this.explained = true;
        log.error(BODY_WAIT_MESSAGE);
      }
      ctx.onBodyWaitExpired(w.request);
    }
  }
}

function nowMs(): i64 { return <i64>(host.monotonicNanos() / 1000000); }

export const bodyWait = new BodyWaitWatchdog();
