// Replaces AssemblyScript's `env.abort` import, which Envoy does not provide.
// An abort is a bug in the SDK or a plugin: log it loudly (proxy_log is allowed even in the
// host's restricted mode) and let the `unreachable` the compiler emits after it trap.
import { proxy_log } from "../abi/imports";

export function sluiceAbort(message: string | null, fileName: string | null, line: u32, column: u32): void {
  let text = "sluice: abort";
  if (message !== null) text += ": " + message;
  if (fileName !== null) text += " at " + fileName + ":" + line.toString() + ":" + column.toString();
  const bytes = String.UTF8.encode(text);
  proxy_log(5, changetype<usize>(bytes), <usize>bytes.byteLength);
}
