// Query strings as Go's url.ParseQuery reads them: pairs split on '&', names and values
// percent-decoded with '+' as space. A pair that cannot be decoded, or that contains ';'
// (refused by Go since 1.17), is skipped rather than guessed at.
import { HeaderPair } from "../runtime/pairs";
import { percentDecode } from "../encoding/percent";

/** The raw query of a request path (`/p?a=1#f` → `a=1`), or "" when there is none. */
export function rawQuery(path: string): string {
  const q = path.indexOf("?");
  if (q < 0) return "";
  let end = path.indexOf("#", q + 1);
  if (end < 0) end = path.length;
  return path.substring(q + 1, end);
}

/** Decoded name/value pairs in order, duplicates kept. */
export function parseQuery(query: string): Array<HeaderPair> {
  const out = new Array<HeaderPair>();
  let start = 0;
  const n = query.length;
  while (start <= n) {
    let amp = query.indexOf("&", start);
    if (amp < 0) amp = n;
    const part = query.substring(start, amp);
    start = amp + 1;
    if (part.length == 0 || part.indexOf(";") >= 0) continue;
    const eq = part.indexOf("=");
    const name = percentDecode(eq < 0 ? part : part.substring(0, eq), true);
    const value = percentDecode(eq < 0 ? "" : part.substring(eq + 1), true);
    if (name === null || value === null) continue;
    out.push(new HeaderPair(name, value));
  }
  return out;
}

/** Every decoded value of the parameter `name` in a request path. */
export function queryValues(path: string, name: string): Array<string> {
  const pairs = parseQuery(rawQuery(path));
  const out = new Array<string>();
  for (let i = 0; i < pairs.length; i++) if (pairs[i].name == name) out.push(pairs[i].value);
  return out;
}
