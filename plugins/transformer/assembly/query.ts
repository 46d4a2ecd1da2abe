// The query string and form bodies: parsed as Go's url.Query / url.ParseQuery read them, written
// back as url.Values.Encode writes them (keys sorted, QueryEscape), which is what Higress sends.
import { parseQuery, rawQuery } from "@sluice/sdk/net";
import { percentDecode } from "@sluice/sdk/encoding";
import { KV, encodeKv } from "./kv";

/** The query parameters of a request path (undecodable pairs are skipped, as u.Query() does). */
export function readQuery(path: string): KV {
  const kv = new KV();
  const pairs = parseQuery(rawQuery(path));
  for (let i = 0; i < pairs.length; i++) kv.add(pairs[i].name, pairs[i].value);
  return kv;
}

/** The path with its query rebuilt from `qs` (no '?' when nothing is left). */
export function pathWithQuery(path: string, qs: KV): string {
  let end = path.indexOf("?");
  const hash = path.indexOf("#");
  let fragment = "";
  if (hash >= 0 && (end < 0 || hash < end)) end = hash;
  if (hash >= 0) fragment = path.substring(hash);
  const base = end < 0 ? path : path.substring(0, end);
  const q = encodeKv(qs);
  return base + (q.length > 0 ? "?" + q : "") + fragment;
}

/** A form body as url.ParseQuery reads it; null where Go returns an error (a ';', a bad escape). */
export function parseForm(body: string): KV | null {
  const kv = new KV();
  let start = 0;
  const n = body.length;
  while (start < n) {
    let amp = body.indexOf("&", start);
    if (amp < 0) amp = n;
    const part = body.substring(start, amp);
    start = amp + 1;
    if (part.indexOf(";") >= 0) return null;
    if (part.length == 0) continue;
    const eq = part.indexOf("=");
    const name = percentDecode(eq < 0 ? part : part.substring(0, eq), true);
    const value = percentDecode(eq < 0 ? "" : part.substring(eq + 1), true);
    if (name === null || value === null) return null;
    kv.add(name, value);
  }
  return kv;
}
