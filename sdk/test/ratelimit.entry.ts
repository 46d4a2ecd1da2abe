// Test entry: the pure parts of sdk/ratelimit (key values as Higress prints them).
import { parseIp } from "../net/ip";
import { ipText, cookieValue, firstParam } from "../ratelimit/match";
import { windowSeconds } from "../ratelimit/rules";

/** Go's net.IP.String() of an address, or "ERR". */
export function ipString(text: string): string {
  const a = parseIp(text);
  return a === null ? "ERR" : ipText(a);
}

export function cookie(header: string, name: string): string { return cookieValue(header, name); }

export function param(path: string, name: string): string {
  const v = firstParam(path, name);
  return v === null ? "<none>" : v;
}

export function window(name: string): string { return windowSeconds(name).toString(); }
