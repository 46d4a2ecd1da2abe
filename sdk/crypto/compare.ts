// Comparison whose running time does not depend on where two secrets first differ.
import { toBytes } from "../encoding/bytes";

/** True if a and b hold the same bytes; time depends only on the lengths. */
export function constantTimeEqual<A, B>(a: A, b: B): bool {
  const x = toBytes(a), y = toBytes(b);
  const n = x.length;
  let diff: u32 = <u32>(n ^ y.length);
  const m = min(n, y.length);
  const px = x.dataStart, py = y.dataStart;
  for (let i: usize = 0; i < <usize>m; i++) diff |= <u32>(load<u8>(px + i) ^ load<u8>(py + i));
  return diff == 0;
}
