// Which limit applies to the current request, and under which Redis key. Call it from the
// request-headers hook (on Envoy, request headers cannot be read later). Rule items are tried in
// order and the first that yields a key wins; no match means no limiting — as in Higress.
import { requestHeaders } from "../api/headers";
import * as host from "../runtime/hostcalls";
import { parseQuery, rawQuery } from "../net/query";
import { parseIp, stripAddressPort, IpAddress } from "../net/ip";
import { RateLimitRules, LimitRule, LimitKey, KeyKind, LimitType, IpSource, Threshold, CONSUMER_HEADER_NAME, isPerValueType } from "./rules";

/** The limit a request falls under. */
export class LimitMatch {
  constructor(
    /** The Redis key counting this limit. */
    public key: string,
    public threshold: Threshold,
    /** The matched rule (null for global_threshold). */
    public rule: LimitRule | null,
    /** The request's value the key was built from ("" for global_threshold). */
    public value: string,
  ) {}
  get count(): i64 { return this.threshold.count; }
  get windowSeconds(): i64 { return this.threshold.windowSeconds; }
}

/**
 * Higress's Redis key layout:
 *   `{prefix}:{rule_name}:global_threshold:{window}` and
 *   `{prefix}:{rule_name}:{limit_by_*}:{window}:{key name}:{value}`
 * (prefix `higress-token-ratelimit`, `higress-cluster-key-rate-limit`).
 */
export function globalKey(prefix: string, ruleName: string, windowSeconds: i64): string {
  return prefix + ":" + ruleName + ":global_threshold:" + windowSeconds.toString();
}

export function ruleKey(prefix: string, ruleName: string, rule: LimitRule, windowSeconds: i64, value: string): string {
  return prefix + ":" + ruleName + ":" + rule.type + ":" + windowSeconds.toString() + ":" + rule.name + ":" + value;
}

/** Where the request's values come from; the default reads the current request through the host. */
export class RequestView {
  header(name: string): string | null { return requestHeaders.get(name); }
  path(): string { const p = requestHeaders.get(":path"); return p === null ? "" : p; }
  remoteAddress(): string {
    const b = host.getPropertyBytes(["source", "address"]);
    return b === null ? "" : String.UTF8.decode(b);
  }
}

/** The current request's limit, or null when no rule applies. */
export function matchLimit(rules: RateLimitRules, prefix: string, view: RequestView = new RequestView()): LimitMatch | null {
  const g = rules.global;
  if (g !== null) return new LimitMatch(globalKey(prefix, rules.ruleName, g.windowSeconds), g, null, "");
  for (let i = 0; i < rules.rules.length; i++) {
    const r = rules.rules[i];
    const m = matchRule(r, view);
    if (m !== null) return new LimitMatch(ruleKey(prefix, rules.ruleName, r, m.key.threshold.windowSeconds, m.value), m.key.threshold, r, m.value);
  }
  return null;
}

class RuleHit {
  constructor(public key: LimitKey, public value: string) {}
}

function matchRule(r: LimitRule, view: RequestView): RuleHit | null {
  const t = r.type;
  if (t == LimitType.PER_IP) return matchIp(r, view);
  let value: string | null = null;
  if (t == LimitType.HEADER || t == LimitType.PER_HEADER) value = view.header(r.name);
  else if (t == LimitType.CONSUMER || t == LimitType.PER_CONSUMER) value = view.header(CONSUMER_HEADER_NAME);
  else if (t == LimitType.PARAM || t == LimitType.PER_PARAM) value = firstParam(view.path(), r.name);
  else if (t == LimitType.COOKIE || t == LimitType.PER_COOKIE) {
    const cookie = view.header("cookie");
    if (cookie !== null) { const v = cookieValue(cookie, r.name); if (v.length > 0) value = v; }
  }
  if (value === null) return null;
  const k = findKey(r, value);
  return k === null ? null : new RuleHit(k, value);
}

/** The first limit key that takes `value` (Higress's findMatchingItem). */
export function findKey(r: LimitRule, value: string): LimitKey | null {
  const per = isPerValueType(r.type);
  for (let i = 0; i < r.keys.length; i++) {
    const k = r.keys[i];
    if (per) {
      if (k.kind == KeyKind.All) return k;
      if (k.kind == KeyKind.Regexp && k.regex !== null && k.regex!.test(value)) return k;
    }
    if (k.key == value) return k;
  }
  return null;
}

function matchIp(r: LimitRule, view: RequestView): RuleHit | null {
  let text: string;
  if (r.ipSource == IpSource.Header) {
    const h = view.header(r.ipHeader);
    if (h === null) return null;
    const comma = h.trim().indexOf(",");
    text = comma < 0 ? h.trim() : h.trim().substring(0, comma);
  } else {
    text = view.remoteAddress();
  }
  const ip = parseIp(stripAddressPort(text.trim()));
  if (ip === null) return null;
  for (let i = 0; i < r.keys.length; i++) {
    const k = r.keys[i];
    if (k.cidr !== null && k.cidr!.contains(ip)) return new RuleHit(k, ipText(ip));
  }
  return null;
}

/** Go's net.IP.String(): dotted IPv4, RFC 5952 IPv6 (longest zero run compressed). */
export function ipText(ip: IpAddress): string {
  if (ip.isV4) return ip.toString();
  const w = new Array<u32>(8);
  for (let i = 0; i < 8; i++) {
    w[i] = i < 4 ? <u32>((ip.hi >> (<u64>(48 - i * 16))) & 0xffff) : <u32>((ip.lo >> (<u64>(48 - (i - 4) * 16))) & 0xffff);
  }
  let bestStart = -1, bestLen = 0;
  for (let i = 0; i < 8;) {
    if (w[i] != 0) { i++; continue; }
    let j = i;
    while (j < 8 && w[j] == 0) j++;
    if (j - i > bestLen && j - i >= 2) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  let out = "";
  for (let i = 0; i < 8; i++) {
    if (i == bestStart) { out += "::"; i += bestLen - 1; continue; }
    if (out.length > 0 && !out.endsWith(":")) out += ":";
    out += w[i].toString(16);
  }
  return out;
}

/** The first value of a query parameter (Go's url.ParseQuery), or null. */
export function firstParam(path: string, name: string): string | null {
  const pairs = parseQuery(rawQuery(path));
  for (let i = 0; i < pairs.length; i++) if (pairs[i].name == name) return pairs[i].value;
  return null;
}

/** The value of cookie `name` in a Cookie header (Higress: pairs split on ';', trimmed, split on '='). */
export function cookieValue(cookie: string, name: string): string {
  const pairs = cookie.split(";");
  for (let i = 0; i < pairs.length; i++) {
    const p = pairs[i].trim();
    const eq = p.indexOf("=");
    const k = eq < 0 ? p : p.substring(0, eq);
    if (k != name) continue;
    if (eq < 0) return "";
    const rest = p.substring(eq + 1);
    // Go's strings.Split(pair, "=")[1]: the value stops at a second '='.
    const eq2 = rest.indexOf("=");
    return eq2 < 0 ? rest : rest.substring(0, eq2);
  }
  return "";
}
