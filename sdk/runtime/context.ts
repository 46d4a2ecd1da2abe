// The two kinds of context the host creates: one root context per plugin instance (config,
// ticks) and one HTTP context per request. Every method has a do-nothing default; the
// dispatcher (dispatcher.ts) calls these "raw" hooks. Plugin authors extend Plugin<C> and
// HttpFilter<C> (api/plugin.ts) instead, which add Higress's semantics.
import { Action } from "../abi/types";

export class RootContext {
  id: u32 = 0;
  onVmStart(vmConfigSize: u32): bool { return true; }
  onConfigure(configSize: u32): bool { return true; }
  onTick(): void {}
  /** Called when the host asks the plugin to wind down; return false to finish later with proxy_done. */
  onDone(): bool { return true; }
  onDelete(): void {}
  /** A new request; return null to let it pass untouched. */
  createHttpContext(id: u32): HttpContext | null { return null; }
}

export class HttpContext {
  id: u32 = 0;
  /**
   * x-request-id of this request as sent, for log lines: read from the host only when needed
   * (runtime/logstate.ts: the first line, or the headers going on), or taken from a snapshot.
   */
  requestId: ArrayBuffer | null = null;
  requestIdRead: bool = false;
  onRequestHeadersRaw(numHeaders: u32, endOfStream: bool): Action { return Action.Continue; }
  onRequestBodyRaw(bodySize: u32, endOfStream: bool): Action { return Action.Continue; }
  onRequestTrailersRaw(numTrailers: u32): Action { return Action.Continue; }
  onResponseHeadersRaw(numHeaders: u32, endOfStream: bool): Action { return Action.Continue; }
  onResponseBodyRaw(bodySize: u32, endOfStream: bool): Action { return Action.Continue; }
  onResponseTrailersRaw(numTrailers: u32): Action { return Action.Continue; }
  /** proxy_on_log: the stream is finished (Higress's "stream done"). */
  onLogRaw(): void {}
  onDoneRaw(): bool { return true; }
  onDeleteRaw(): void {}
  /** The body this stream paused its headers for never came (see api/body-wait.ts). */
  onBodyWaitExpired(request: bool): void {}
}
