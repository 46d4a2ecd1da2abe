// Logging with Higress's prefix `[plugin] [id|nil] [x-request-id|nil] message`, gated by the
// host's log level so a disabled level costs one comparison (check `log.enabled` before
// building an expensive message).
import { LogLevel } from "../abi/types";
import * as host from "../runtime/hostcalls";
import { logState, currentRequestId } from "../runtime/logstate";
export { logState, refreshLogLevel } from "../runtime/logstate";

export function logEnabled(level: LogLevel): bool {
  return <u32>level >= logState.level;
}

function emit(level: LogLevel, message: string): void {
  if (<u32>level < logState.level) return;
  const rid = currentRequestId();
  host.log(<u32>level, "[" + logState.pluginName + "] [" + logState.pluginId + "] [" + (rid === null ? "nil" : String.UTF8.decode(rid)) + "] " + message);
}

export namespace log {
  export function trace(message: string): void { emit(LogLevel.Trace, message); }
  export function debug(message: string): void { emit(LogLevel.Debug, message); }
  export function info(message: string): void { emit(LogLevel.Info, message); }
  export function warn(message: string): void { emit(LogLevel.Warn, message); }
  export function error(message: string): void { emit(LogLevel.Error, message); }
  export function critical(message: string): void { emit(LogLevel.Critical, message); }
  export function enabled(level: LogLevel): bool { return logEnabled(level); }
  /** Whether a debug / info line would be written: check before building a message on a hot path. */
  export function debugOn(): bool { return <u32>LogLevel.Debug >= logState.level; }
  export function infoOn(): bool { return <u32>LogLevel.Info >= logState.level; }
}
