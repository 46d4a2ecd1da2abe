// Random bytes from the host (WASI random_get: the host's CSPRNG).
import * as host from "../runtime/hostcalls";

/** Fills `buf` with random bytes; false when the host could not. */
export function randomBytes(buf: ArrayBuffer): bool { return host.randomBytes(buf); }

/** A random integer in [0, n) (n > 0); 0 when the host has no randomness. */
export function randomBelow(n: u32): u32 {
  if (n <= 1) return 0;
  const b = new ArrayBuffer(4);
  if (!host.randomBytes(b)) return 0;
  return load<u32>(changetype<usize>(b)) % n;
}
