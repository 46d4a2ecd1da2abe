// Header maps as Higress's transformer sees them: names lowercased, repeated headers as one key
// with several values. After the edits only the headers that changed are written back (Higress
// replaces the whole map; the result upstream is the same, less the re-sorting).
import { HeaderMap } from "@sluice/sdk";
import { KV } from "./kv";

export function readHeaders(h: HeaderMap): KV {
  const kv = new KV();
  const pairs = h.pairs();
  for (let i = 0; i < pairs.length; i++) kv.add(pairs[i].name.toLowerCase(), pairs[i].value);
  return kv;
}

function sameValues(a: Array<string> | null, b: Array<string> | null): bool {
  if (a === null || b === null) return a === b;
  if (a.length != b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] != b[i]) return false;
  return true;
}

/** Writes the difference between `before` and `after` to the host's map. */
export function writeHeaders(h: HeaderMap, before: KV, after: KV): void {
  for (let i = 0; i < before.keys.length; i++) {
    const k = before.keys[i];
    if (after.get(k) === null) h.remove(k);
  }
  for (let i = 0; i < after.keys.length; i++) {
    const k = after.keys[i];
    const vs = after.vals[i];
    if (sameValues(before.get(k), vs)) continue;
    if (vs.length == 0) { h.remove(k); continue; }
    h.set(k, vs[0]);
    for (let j = 1; j < vs.length; j++) h.add(k, vs[j]);
  }
}
