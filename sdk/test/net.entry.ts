// Test entry: exposes the IP/CIDR parser and the query parser to Node.
import { parseIp, parseCidr } from "../net/ip";
import { parseQuery } from "../net/query";

/** The canonical form of an address, or "ERR". */
export function ip(text: string): string {
  const a = parseIp(text);
  return a === null ? "ERR" : (a.isV4 ? "4:" : "6:") + a.toString();
}

/** The canonical form of a range, or "ERR". */
export function cidr(text: string): string {
  const c = parseCidr(text);
  return c === null ? "ERR" : c.toString();
}

/** Whether `range` contains `addr` ("ERR" if either does not parse). */
export function contains(range: string, addr: string): string {
  const c = parseCidr(range);
  const a = parseIp(addr);
  if (c === null || a === null) return "ERR";
  return c.contains(a) ? "yes" : "no";
}

/** Decoded pairs as name=value lines. */
export function query(q: string): string {
  const pairs = parseQuery(q);
  const out = new Array<string>();
  for (let i = 0; i < pairs.length; i++) out.push(pairs[i].name + "=" + pairs[i].value);
  return out.join("\n");
}
