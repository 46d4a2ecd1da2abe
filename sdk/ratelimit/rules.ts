// The rate-limit rule grammar shared by Higress's ai-token-ratelimit (`token_per_*`) and
// cluster-key-rate-limit (`query_per_*`): `rule_name`, either `global_threshold` or `rule_items`,
// each rule item naming one key source (`limit_by_header`, `limit_by_per_ip`, …) and its
// `limit_keys`. Parsed once per configuration; parsing never traps and reports the first error in
// Higress's words. Matching a request against the rules lives in match.ts.
import { JsonObject, JsonValue } from "../json/value";
import { ConfigError } from "../api/plugin";
import { Regex } from "../regex/regex";
import { Cidr, parseCidr } from "../net/ip";

/** The header Higress's auth plugins set to the authenticated consumer's name. */
export const CONSUMER_HEADER_NAME = "x-mse-consumer";

/** The `limit_by_*` key sources, named exactly as in the config (they are part of the Redis key). */
export namespace LimitType {
  export const HEADER = "limit_by_header";
  export const PARAM = "limit_by_param";
  export const CONSUMER = "limit_by_consumer";
  export const COOKIE = "limit_by_cookie";
  export const PER_HEADER = "limit_by_per_header";
  export const PER_PARAM = "limit_by_per_param";
  export const PER_CONSUMER = "limit_by_per_consumer";
  export const PER_COOKIE = "limit_by_per_cookie";
  export const PER_IP = "limit_by_per_ip";
}

/** Is this a `limit_by_per_*` type whose keys are `*` or `regexp:<re>` (every value counted apart)? */
export function isPerValueType(t: string): bool {
  return t == LimitType.PER_HEADER || t == LimitType.PER_PARAM || t == LimitType.PER_CONSUMER || t == LimitType.PER_COOKIE;
}

/** The four window names of one unit (`token`, `query`) in the order they are looked for. */
export const WINDOW_SUFFIXES: Array<string> = ["_per_second", "_per_minute", "_per_hour", "_per_day"];
const WINDOW_SECONDS: Array<i64> = [1, 60, 3600, 86400];

/** `token_per_minute` → 60 (any unit prefix); 0 when the name is not a window. */
export function windowSeconds(name: string): i64 {
  for (let i = 0; i < WINDOW_SUFFIXES.length; i++) {
    if (name.endsWith(WINDOW_SUFFIXES[i]) && name.length > WINDOW_SUFFIXES[i].length) return WINDOW_SECONDS[i];
  }
  return 0;
}

export enum KeyKind {
  /** limit_by_header/param/consumer/cookie: the request's value must equal `key`. */
  Exact,
  /** `*`: every value, each counted under its own Redis key. */
  All,
  /** `regexp:<re>` (RE2 syntax): values the pattern matches, each counted apart. */
  Regexp,
  /** limit_by_per_ip: addresses inside a CIDR, each address counted apart. */
  IpNet,
}

/** A threshold over a fixed window. */
export class Threshold {
  constructor(public count: i64, public windowSeconds: i64, public windowName: string) {}
}

/** One entry of `limit_keys`. */
export class LimitKey {
  kind: KeyKind = KeyKind.Exact;
  /** The key as configured (`alice`, `*`, `regexp:^a`, `10.0.0.0/8`). */
  key: string = "";
  regex: Regex | null = null;
  cidr: Cidr | null = null;
  threshold: Threshold = new Threshold(0, 0, "");
}

/** Where limit_by_per_ip reads the client address. */
export enum IpSource { RemoteAddr, Header }

/** One entry of `rule_items`. */
export class LimitRule {
  /** The `limit_by_*` field name (LimitType.*). */
  type: string = "";
  /**
   * The key name used in the Redis key: the header/param/cookie name, `x-mse-consumer` for the
   * consumer types, and the raw `limit_by_per_ip` value (`from-remote-addr`, `from-header-x-real-ip`).
   */
  name: string = "";
  ipSource: IpSource = IpSource.RemoteAddr;
  /** The header for IpSource.Header, lower-case. */
  ipHeader: string = "";
  keys: Array<LimitKey> = [];
}

export class RateLimitRules {
  ruleName: string = "";
  /** Set when `global_threshold` was configured (then `rules` is empty). */
  global: Threshold | null = null;
  rules: Array<LimitRule> = [];
}

/**
 * Reads one threshold (`<unit>_per_second|minute|hour|day`) from an object. Higress iterates a Go
 * map here (random order when several are given); we take the first in second → day order.
 * Returns null with `err` set when none is present or the count is not a positive integer.
 */
export function parseThreshold(o: JsonObject, unit: string, what: string, err: ConfigError): Threshold | null {
  for (let i = 0; i < WINDOW_SUFFIXES.length; i++) {
    const name = unit + WINDOW_SUFFIXES[i];
    const v = o.get(name);
    if (v === null) continue;
    const n = numberOf(v);
    if (n <= 0) return err.fail<Threshold>("'" + name + "' must be a positive integer" + (what.length > 0 ? " for key '" + what + "'" : "") + ", got " + (v.toText() !== null ? v.toText()! : v.stringify()));
    return new Threshold(n, WINDOW_SECONDS[i], name);
  }
  const names = "'" + unit + "_per_second', '" + unit + "_per_minute', '" + unit + "_per_hour', or '" + unit + "_per_day'";
  return err.fail<Threshold>(what.length > 0 ? "one of " + names + " must be set for key: " + what : "one of " + names + " must be set for global_threshold");
}

/** A positive integer from a number or a decimal string (gjson's .Int() accepts both); else 0. */
function numberOf(v: JsonValue): i64 {
  if (v.isNumber) { const n = v.asInt(0); return <f64>n == v.num ? n : (v.num > 0 ? n : 0); }
  const s = v.asString();
  if (s === null || s.length == 0 || s.length > 18) return 0;
  let n: i64 = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return 0;
    n = n * 10 + c;
  }
  return n;
}

/** A non-empty string field, else null. */
function nonEmpty(o: JsonObject, key: string): string | null {
  const v = o.get(key);
  if (v === null) return null;
  const s = v.toText();
  return s === null || s.length == 0 ? null : s;
}

const ONE_OF = "only one of 'limit_by_header' and 'limit_by_param' and 'limit_by_consumer' and 'limit_by_cookie' and 'limit_by_per_header' and 'limit_by_per_param' and 'limit_by_per_consumer' and 'limit_by_per_cookie' and 'limit_by_per_ip' can be set";

function parseRule(item: JsonObject, unit: string, err: ConfigError): LimitRule | null {
  const r = new LimitRule();
  // Later fields win, in Higress's order (header, param, cookie, per_header, per_param,
  // per_cookie, consumer, per_consumer, per_ip).
  const named = [LimitType.HEADER, LimitType.PARAM, LimitType.COOKIE, LimitType.PER_HEADER, LimitType.PER_PARAM, LimitType.PER_COOKIE];
  for (let i = 0; i < named.length; i++) {
    const s = nonEmpty(item, named[i]);
    if (s !== null) { r.type = named[i]; r.name = s; }
  }
  if (item.has(LimitType.CONSUMER)) { r.type = LimitType.CONSUMER; r.name = CONSUMER_HEADER_NAME; }
  if (item.has(LimitType.PER_CONSUMER)) { r.type = LimitType.PER_CONSUMER; r.name = CONSUMER_HEADER_NAME; }
  const perIp = nonEmpty(item, LimitType.PER_IP);
  if (perIp !== null) {
    r.name = perIp;
    if (perIp.startsWith("from-header-")) {
      const h = perIp.substring(12);
      if (h.length == 0) return err.fail<LimitRule>("limit_by_per_ip parse error: empty after 'from-header-'");
      r.ipSource = IpSource.Header;
      r.ipHeader = h.toLowerCase();
    } else if (perIp == "from-remote-addr") {
      r.ipSource = IpSource.RemoteAddr;
    } else {
      return err.fail<LimitRule>("the 'limit_by_per_ip' restriction must start with 'from-header-' or be exactly 'from-remote-addr'");
    }
    r.type = LimitType.PER_IP;
  }
  if (r.type.length == 0) return err.fail<LimitRule>(ONE_OF);

  const keysValue = item.get("limit_keys");
  if (keysValue === null) return err.fail<LimitRule>("missing limit_keys in config");
  const keys = keysValue.asArray();
  if (keys === null || keys.length == 0) return err.fail<LimitRule>("config limit_keys cannot be empty");
  for (let i = 0; i < keys.length; i++) {
    const o = keys[i].asObject();
    if (o === null) return err.fail<LimitRule>("limit_keys key is required");
    const key = nonEmpty(o, "key");
    if (key === null) return err.fail<LimitRule>("limit_keys key is required");
    const k = new LimitKey();
    k.key = key;
    if (r.type == LimitType.PER_IP) {
      const c = parseCidr(key.trim());
      if (c === null) return err.fail<LimitRule>("failed to parse IPNet for key '" + key + "': invalid IP[" + key + "]");
      k.kind = KeyKind.IpNet;
      k.cidr = c;
    } else if (isPerValueType(r.type)) {
      if (key == "*") k.kind = KeyKind.All;
      else if (key.startsWith("regexp:")) {
        const re = Regex.compile(key.substring(7));
        if (!re.ok) return err.fail<LimitRule>("failed to compile regex for key '" + key + "': " + re.error);
        k.kind = KeyKind.Regexp;
        k.regex = re.regex;
      } else {
        return err.fail<LimitRule>("the '" + r.type + "' restriction must start with 'regexp:' or be exactly '*'");
      }
    } else {
      k.kind = KeyKind.Exact;
    }
    const t = parseThreshold(o, unit, key, err);
    if (t === null) return null;
    k.threshold = t;
    r.keys.push(k);
  }
  return r;
}

/**
 * Parses `rule_name` + (`global_threshold` | `rule_items`) with thresholds named `<unit>_per_*`
 * (`token` for ai-token-ratelimit, `query` for cluster-key-rate-limit).
 */
export function parseRateLimitRules(json: JsonObject, unit: string, err: ConfigError): RateLimitRules | null {
  const out = new RateLimitRules();
  const name = json.get("rule_name");
  if (name === null) return err.fail<RateLimitRules>("missing rule_name in config");
  const ruleName = name.toText();
  out.ruleName = ruleName === null ? "" : ruleName;

  const g = json.get("global_threshold");
  const items = json.get("rule_items");
  if (g === null && items === null) return err.fail<RateLimitRules>("at least one of 'global_threshold' or 'rule_items' must be set");
  if (g !== null && items !== null) return err.fail<RateLimitRules>("'global_threshold' and 'rule_items' cannot be set at the same time");
  if (g !== null) {
    const go = g.asObject();
    if (go === null) return err.fail<RateLimitRules>("failed to parse global_threshold: it must be an object");
    const sub = new ConfigError();
    const t = parseThreshold(go, unit, "", sub);
    if (t === null) return err.fail<RateLimitRules>("failed to parse global_threshold: " + sub.message);
    out.global = t;
    return out;
  }
  const list = items!.asArray();
  if (list === null || list.length == 0) return err.fail<RateLimitRules>("config rule_items cannot be empty");
  for (let i = 0; i < list.length; i++) {
    const o = list[i].asObject();
    const sub = new ConfigError();
    const r = o === null ? sub.fail<LimitRule>(ONE_OF) : parseRule(o!, unit, sub);
    if (r === null) return err.fail<RateLimitRules>("failed to parse rule_item in rule_items: " + sub.message);
    out.rules.push(r);
  }
  return out;
}
