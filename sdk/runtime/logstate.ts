// What every log line and the host's level need: the plugin's name and id, the request being
// handled (its x-request-id) and the host's log level, cached. The dispatcher keeps it current.
import { LogLevel, MapType } from "../abi/types";
import { HttpContext } from "./context";
import * as host from "./hostcalls";

export class LogState {
  pluginName: string = "sluice";
  pluginId: string = "nil";
  /** The request being handled (null in root callbacks), set by the dispatcher. */
  stream: HttpContext | null = null;
  /** The context the host runs right now (the dispatcher's `current`): a stream, or a root scope. */
  effective: u32 = 0;
  level: u32 = <u32>LogLevel.Info;
}

export const logState = new LogState();

/** Asks the host for its level again (the dispatcher does this on configure and periodically). */
export function refreshLogLevel(): void {
  logState.level = host.getLogLevel();
}

const REQUEST_ID: ArrayBuffer = String.UTF8.encode("x-request-id");

/**
 * x-request-id of the request being handled (UTF-8 as sent), or null. Not read at the start of
 * every request: taken from a request-header snapshot when the filter takes one, read when the
 * first line is written during the request headers hook, and otherwise read as that hook ends
 * (settleRequestId), while the host surely has the headers: Envoy forgets them once they went
 * on, and a callback after the stream ended finds none. A filter whose config does not match the
 * request never reads it. The read is made with the request as the effective context.
 */
export function currentRequestId(): ArrayBuffer | null {
  const ctx = logState.stream;
  if (ctx === null) return null;
  if (!ctx.requestIdRead) {
    const switched = logState.effective != ctx.id;
    if (switched) host.setEffectiveContext(ctx.id);
    readRequestId(ctx);
    if (switched) host.setEffectiveContext(logState.effective);
  }
  return ctx.requestId;
}

/** The request headers hook is ending: the id is read now unless a snapshot or a line had it. */
export function settleRequestId(ctx: HttpContext): void {
  if (!ctx.requestIdRead) readRequestId(ctx);
}

/** A snapshot of the request's headers was taken: the id is in it (no host call). */
export function requestIdFrom(ctx: HttpContext, value: ArrayBuffer | null): void {
  if (ctx.requestIdRead) return;
  ctx.requestIdRead = true;
  ctx.requestId = value;
}

function readRequestId(ctx: HttpContext): void {
  ctx.requestIdRead = true;
  ctx.requestId = host.getHeaderBytes(MapType.HttpRequestHeaders, REQUEST_ID);
}
