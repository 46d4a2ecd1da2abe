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
 * x-request-id of the request being handled (UTF-8 as sent), or null. Read from the host when a
 * line of this request is first written, not on every request: a plugin that pauses its request
 * (to read the body, or for a callout) and writes no line never asks. The read is made with the
 * request as the effective context, whatever scope the line is from. Envoy forgets the request's
 * header map once its headers hook returned Continue (until the access-log phase), so
 * settleRequestId() reads it then, before it is gone.
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

/** The request headers hook let the headers go on: the id is read now, while the host has them. */
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
