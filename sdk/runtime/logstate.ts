// What every log line and the host's level need: the plugin's name and id, the request being
// handled (its x-request-id) and the host's log level, cached. The dispatcher keeps it current.
import { LogLevel } from "../abi/types";
import * as host from "./hostcalls";

export class LogState {
  pluginName: string = "sluice";
  pluginId: string = "nil";
  /** x-request-id of the request being handled (UTF-8 as sent), set by the dispatcher. */
  requestId: ArrayBuffer | null = null;
  level: u32 = <u32>LogLevel.Info;
}

export const logState = new LogState();

/** Asks the host for its level again (the dispatcher does this on configure and periodically). */
export function refreshLogLevel(): void {
  logState.level = host.getLogLevel();
}
