// The VM-wide calls: which context a call acts on, the clock and the tick timer.
import { Status } from "./abi.js";
import type { HostContext, HostFunctions } from "./types.js";

export function vmImports(h: HostContext): HostFunctions {
  return {
    proxy_set_effective_context(id: number) {
      if (id !== h.rootContextId && !h.stream(id)) return Status.BadArgument;
      h.effective = id;
      return Status.Ok;
    },
    proxy_done() {
      return Status.Ok;
    },
    proxy_get_current_time_nanoseconds(ret: number) {
      return h.mem.writeU64(ret, h.nowNs()) ? Status.Ok : Status.InvalidMemoryAccess;
    },
    proxy_set_tick_period_milliseconds(ms: number) {
      h.setTickPeriod(ms >>> 0);
      return Status.Ok;
    },
    emscripten_notify_memory_growth() {
      return Status.Ok;
    },
  };
}
