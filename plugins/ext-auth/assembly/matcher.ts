// String matchers and the whitelist/blacklist of ext-auth, as Higress's `expr` package reads them.
//
// A StringMatcher is an object with one of `exact`, `prefix`, `suffix`, `contains`, `regex` (a
// non-empty string). Header-name lists (`allowed_headers`, `allowed_upstream_headers`,
// `allowed_client_headers`) always match ignoring case, whatever `ignore_case` says (Higress's
// BuildRepeatedStringMatcherIgnoreCase). Where an item names several kinds, Higress picks one at
// random (Go map order); here the first of exact, prefix, suffix, contains, regex wins.
import { JsonObject, JsonValue } from "@sluice/sdk";
import { Regex } from "@sluice/sdk/regex";

export const KIND_EXACT: i32 = 0;
export const KIND_PREFIX: i32 = 1;
export const KIND_SUFFIX: i32 = 2;
export const KIND_CONTAINS: i32 = 3;
export const KIND_REGEX: i32 = 4;
const KIND_NAMES = ["exact", "prefix", "suffix", "contains", "regex"];

export class StringMatcher {
  kind: i32 = KIND_EXACT;
  target: string = "";
  ignoreCase: bool = false;
  re: Regex | null = null;

  match(s: string): bool {
    const input = this.ignoreCase && this.kind != KIND_REGEX ? s.toLowerCase() : s;
    switch (this.kind) {
      case KIND_EXACT: return input == this.target;
      case KIND_PREFIX: return input.startsWith(this.target);
      case KIND_SUFFIX: return input.endsWith(this.target);
      case KIND_CONTAINS: return input.includes(this.target);
      default: {
        const re = this.re;
        return re !== null && re.test(s);
      }
    }
  }
}

/** A matcher of one kind, or an error string (Go's regexp message for a bad pattern). */
export class MatcherResult {
  matcher: StringMatcher | null = null;
  error: string = "";
}

export function kindOf(name: string): i32 {
  for (let i = 0; i < KIND_NAMES.length; i++) if (KIND_NAMES[i] == name) return i;
  return -1;
}

export function buildMatcher(kind: i32, target: string, ignoreCase: bool): MatcherResult {
  const r = new MatcherResult();
  const m = new StringMatcher();
  m.kind = kind;
  m.ignoreCase = ignoreCase;
  if (kind == KIND_REGEX) {
    const pattern = ignoreCase && !target.startsWith("(?i)") ? "(?i)" + target : target;
    const c = Regex.compile(pattern);
    if (!c.ok) { r.error = c.error; return r; }
    m.re = c.regex;
    m.target = pattern;
  } else {
    m.target = ignoreCase ? target.toLowerCase() : target;
  }
  r.matcher = m;
  return r;
}

/** Any of several matchers (Higress's repeated StringMatcher). */
export class MatcherList {
  items: Array<StringMatcher> = [];
  match(s: string): bool {
    for (let i = 0; i < this.items.length; i++) if (this.items[i].match(s)) return true;
    return false;
  }
}

export class MatcherListResult {
  list: MatcherList | null = null;
  error: string = "";
}

/** `field` is an array of StringMatcher objects; header names: always ignoring case. */
export function parseMatcherList(field: string, v: JsonValue): MatcherListResult {
  const out = new MatcherListResult();
  const arr = v.asArray();
  if (arr === null) { out.error = field + " must be an array of string matchers ({exact|prefix|suffix|contains|regex: string})"; return out; }
  const list = new MatcherList();
  for (let i = 0; i < arr.length; i++) {
    const where = field + "[" + i.toString() + "]";
    const o = arr[i].asObject();
    if (o === null) { out.error = where + " must be an object with one of exact, prefix, suffix, contains, regex"; return out; }
    let built: StringMatcher | null = null;
    for (let k = 0; k < KIND_NAMES.length && built === null; k++) {
      const t = o.get(KIND_NAMES[k]);
      if (t === null) continue;
      const s = t.asString();
      if (s === null) { out.error = where + "." + KIND_NAMES[k] + " must be a string"; return out; }
      if (s.length == 0) continue; // Higress skips an empty target
      const r = buildMatcher(k, s, true);
      if (r.matcher === null) { out.error = where + ": " + r.error; return out; }
      built = r.matcher;
    }
    if (built === null) { out.error = where + ": unknown string matcher type (one of exact, prefix, suffix, contains, regex must be a non-empty string)"; return out; }
    list.items.push(built!);
  }
  out.list = list;
  return out;
}

// ---- match_type / match_list ----

export const MODE_WHITELIST: i32 = 0;
export const MODE_BLACKLIST: i32 = 1;

export class MatchRule {
  domain: string = "";
  methods: Array<string> = [];
  path: StringMatcher | null = null;

  /** A rule with no condition at all matches nothing (Higress). */
  matches(host: string, method: string, path: string): bool {
    const p = this.path;
    if (this.domain.length == 0 && p === null && this.methods.length == 0) return false;
    if (this.domain.length > 0 && !globMatch(this.domain, host)) return false;
    if (p !== null && !p.match(path)) return false;
    if (this.methods.length > 0 && !this.methods.includes(method)) return false;
    return true;
  }
}

export class MatchRules {
  mode: i32 = MODE_WHITELIST;
  rules: Array<MatchRule> = [];

  /**
   * True when the request skips authentication. Whitelist: a matching rule skips it (no rule:
   * everything is authenticated). Blacklist: only matching requests are authenticated.
   */
  skipsAuth(host: string, method: string, path: string): bool {
    let hit = false;
    for (let i = 0; i < this.rules.length && !hit; i++) hit = this.rules[i].matches(host, method, path);
    return this.mode == MODE_WHITELIST ? hit : !hit;
  }
}

/**
 * Higress's domain pattern: the whole host (as the request's :authority, port included) against the
 * pattern, where `*` stands for any run of characters (even empty) and everything else is literal;
 * case-sensitive.
 */
export function globMatch(pattern: string, s: string): bool {
  let p = 0, i = 0, star = -1, mark = 0;
  const pl = pattern.length, sl = s.length;
  while (i < sl) {
    if (p < pl && pattern.charCodeAt(p) == 42) { star = p++; mark = i; continue; }
    if (p < pl && pattern.charCodeAt(p) == s.charCodeAt(i)) { p++; i++; continue; }
    if (star >= 0) { p = star + 1; i = ++mark; continue; }
    return false;
  }
  while (p < pl && pattern.charCodeAt(p) == 42) p++;
  return p == pl;
}

export class MatchRulesResult {
  rules: MatchRules | null = null;
  error: string = "";
}

/** match_type + match_list (absent: a whitelist with no rule — everything is authenticated). */
export function parseMatchRules(json: JsonObject): MatchRulesResult {
  const out = new MatchRulesResult();
  const rules = new MatchRules();
  const listV = json.get("match_list");
  if (listV === null) { out.rules = rules; return out; }
  const typeV = json.get("match_type");
  if (typeV === null) { out.error = "missing match_type in config"; return out; }
  const type = typeV.asString();
  if (type === null || (type != "whitelist" && type != "blacklist")) { out.error = "invalid match_type in config, must be 'whitelist' or 'blacklist'"; return out; }
  rules.mode = type == "whitelist" ? MODE_WHITELIST : MODE_BLACKLIST;
  const arr = listV.asArray();
  if (arr === null) { out.error = "match_list must be an array of rules"; return out; }
  for (let i = 0; i < arr.length; i++) {
    const where = "match_list[" + i.toString() + "]";
    const o = arr[i].asObject();
    if (o === null) { out.error = where + " must be an object"; return out; }
    const r = new MatchRule();
    const d = stringField(o, "match_rule_domain");
    if (d === null) { out.error = where + ".match_rule_domain must be a string"; return out; }
    r.domain = d;
    const mv = o.get("match_rule_method");
    if (mv !== null) {
      const ma = mv.asArray();
      if (ma === null) { out.error = where + ".match_rule_method must be an array of method names"; return out; }
      for (let j = 0; j < ma.length; j++) {
        const s = ma[j].asString();
        if (s === null) { out.error = where + ".match_rule_method[" + j.toString() + "] must be a string"; return out; }
        r.methods.push(s);
      }
    }
    const type = stringField(o, "match_rule_type");
    const path = stringField(o, "match_rule_path");
    if (type === null || path === null) { out.error = where + ": match_rule_type and match_rule_path must be strings"; return out; }
    if (type.length > 0 || path.length > 0) {
      const k = kindOf(type);
      if (k < 0) {
        out.error = "failed to build string matcher for " + where + " (path \"" + path + "\", type \"" + type + "\"): unknown string matcher type (exact, prefix, suffix, contains, regex)";
        return out;
      }
      const m = buildMatcher(k, path, false);
      if (m.matcher === null) { out.error = "failed to build string matcher for " + where + " (path \"" + path + "\", type \"" + type + "\"): " + m.error; return out; }
      r.path = m.matcher;
    }
    rules.rules.push(r);
  }
  out.rules = rules;
  return out;
}

/** "" when absent, null when present but not a string. */
function stringField(o: JsonObject, key: string): string | null {
  const v = o.get(key);
  if (v === null) return "";
  return v.asString();
}
