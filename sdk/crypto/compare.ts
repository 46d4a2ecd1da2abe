// Comparison whose running time does not depend on where two secrets first differ.
import { toBytes } from "../encoding/bytes";

/**
 * True if a and b hold the same bytes; time depends only on the lengths. Compare what the client
 * sent as bytes: a string argument stands for its UTF-8 encoding, so it must come from
 * configuration or a strict decode (sdk/auth/credential.ts) — String.UTF8.decode drops and folds
 * invalid bytes, and its result can equal a secret the client never sent.
 */
export function constantTimeEqual<A, B>(a: A, b: B): bool {
  const x = toBytes(a), y = toBytes(b);
  const n = x.length;
  let diff: u32 = <u32>(n ^ y.length);
  const m = min(n, y.length);
  const px = x.dataStart, py = y.dataStart;
  for (let i: usize = 0; i < <usize>m; i++) diff |= <u32>(load<u8>(px + i) ^ load<u8>(py + i));
  return diff == 0;
}
