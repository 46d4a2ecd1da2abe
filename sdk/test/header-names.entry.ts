// Test entry: the header-name cache (sdk/runtime/header-names.ts) seen from Node.
import { headerKey } from "../runtime/header-names";

/** The bytes headerKey gives `name`, as text. */
export function key(name: string): string { return String.UTF8.decode(headerKey(name)); }

/** True when two calls with the same string hand back the same cached buffer. */
export function cachedTwice(name: string): bool { return headerKey(name) === headerKey(name); }

/**
 * `n` names built at run time (so each is a fresh string, and freed ones can be reused by the
 * allocator), each checked against its own lower-cased encoding, with full collections in between:
 * returns the first wrong index, or -1.
 */
export function churn(n: i32): i32 {
  for (let i = 0; i < n; i++) {
    const name = "X-Churn-" + i.toString() + (i % 3 == 0 ? "-ÄÖ" : "");
    const want = name.toLowerCase();
    if (String.UTF8.decode(headerKey(name)) != want) return i;
    // The same text in a new string must not be mistaken for the old one, nor the old for it.
    const again = "X-Churn-" + i.toString() + (i % 3 == 0 ? "-ÄÖ" : "");
    if (String.UTF8.decode(headerKey(again)) != want) return i;
    if ((i & 63) == 0) __collect();
  }
  return -1;
}
