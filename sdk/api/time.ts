// The host's clocks: wall time for timestamps and dates, monotonic time for durations.
import * as host from "../runtime/hostcalls";

export namespace time {
  /** Wall-clock time, nanoseconds since the Unix epoch. */
  export function nowNanos(): u64 { return host.currentTimeNanos(); }
  /** Wall-clock time, milliseconds since the Unix epoch. */
  export function nowMillis(): i64 { return <i64>(host.currentTimeNanos() / 1000000); }
  /** Wall-clock time, whole seconds since the Unix epoch. */
  export function nowSeconds(): i64 { return <i64>(host.currentTimeNanos() / 1000000000); }
  /** A monotonic clock for measuring durations (nanoseconds from an arbitrary start). */
  export function monotonicNanos(): u64 { return host.monotonicNanos(); }
}
