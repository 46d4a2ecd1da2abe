// proxy_log and proxy_get_log_level. Where a log line goes (host.logs, the stream's logs, the
// console) is the Emulator's pushLog.
import { LogLevel, Status } from "./abi.js";
import type { HostContext, HostFunctions } from "./types.js";

export function loggingImports(h: HostContext): HostFunctions {
  return {
    proxy_log(level: number, ptr: number, len: number) {
      const m = h.mem.readStr(ptr, len);
      if (m === null) return Status.InvalidMemoryAccess;
      if (level < LogLevel.Trace || level > LogLevel.Critical) return Status.BadArgument;
      if (level >= h.logLevel) h.pushLog(level, m, h.effective);
      return Status.Ok;
    },
    proxy_get_log_level(ret: number) {
      return h.mem.writeU32(ret, h.logLevel) ? Status.Ok : Status.InvalidMemoryAccess;
    },
  };
}
