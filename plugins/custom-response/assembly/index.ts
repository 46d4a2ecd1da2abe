// custom-response: answers with a configured status, headers and body — either every request
// (a mock; the upstream is never called) or in place of responses whose status matches
// `enable_on_status` exactly or by a fuzzy pattern (`5xx`, `x23`). Configuration (the `rules`
// schema and the legacy top-level one) and behaviour follow Higress's custom-response code.
import { Plugin, HttpFilter, Action, ConfigError, JsonObject, registerPlugin, log, HeaderPair } from "@sluice/sdk";
import { parseJson } from "@sluice/sdk/json";
export * from "@sluice/sdk/exports";

const DETAIL = "custom-response";

class Rule {
  status: u32 = 200;
  headers: Array<HeaderPair> = [];
  body: string = "";
  /** Exact codes as written ("404", "5") and fuzzy patterns lower-cased ("5xx"). */
  enableOnStatus: Array<string> = [];
}

class Config {
  defaultRule: Rule | null = null;
  exact: Map<string, Rule> = new Map();
  /** Fuzzy patterns in configuration order (Higress walks a Go map: its order is random). */
  fuzzy: Array<string> = [];
  fuzzyRules: Array<Rule> = [];
  get onStatus(): bool { return this.exact.size > 0 || this.fuzzy.length > 0; }
}

function isDigits(s: string): bool {
  if (s.length == 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** Go's strings.TrimSpace for the ASCII whitespace a YAML/JSON string may carry. */
function trimSpace(s: string): string { return s.trim(); }

/** A fuzzy pattern lower-cased, or null with `err` set (Higress's messages). */
function fuzzyPattern(s: string, err: ConfigError): string | null {
  if (s.length != 3) return err.fail<string>('invalid enable_on_status "' + s + '": length must be 3');
  const lower = s.toLowerCase();
  let hasX = false, hasDigit = false;
  for (let i = 0; i < 3; i++) {
    const c = lower.charCodeAt(i);
    if (c == 120 /* x */) hasX = true;
    else if (c >= 48 && c <= 57) hasDigit = true;
    else return err.fail<string>('invalid enable_on_status "' + s + '": must contain only digits and x/X');
  }
  if (!hasX) return err.fail<string>('invalid enable_on_status "' + s + '": fuzzy match must contain x/X');
  if (!hasDigit) return err.fail<string>('invalid enable_on_status "' + s + '": must contain at least one digit');
  return lower;
}

function parseRule(json: JsonObject, err: ConfigError): Rule | null {
  const r = new Rule();
  let contentType = "";
  const hv = json.get("headers");
  if (hv !== null && !hv.isNull) {
    const list = hv.asArray();
    if (list === null) return err.fail<Rule>("headers must be an array of \"key=value\" strings");
    for (let i = 0; i < list.length; i++) {
      const item = list[i].toText();
      const eq = item === null ? -1 : item.indexOf("=");
      if (item === null || eq < 0 || trimSpace(item.substring(0, eq)).length == 0) {
        return err.fail<Rule>("invalid header pair format: " + (item === null ? list[i].stringify() : item));
      }
      const key = trimSpace(item.substring(0, eq));
      const value = trimSpace(item.substring(eq + 1));
      const lower = key.toLowerCase();
      if (lower == "content-type") contentType = value;
      else if (lower != "content-length") r.headers.push(new HeaderPair(key, value)); // the host sets the length
    }
  }
  const bv = json.get("body");
  if (bv !== null && !bv.isNull) {
    const t = bv.toText();
    if (t === null) return err.fail<Rule>("body must be a string");
    r.body = t;
  }
  if (contentType.length == 0 && r.body.length > 0) {
    contentType = parseJson(r.body).ok ? "application/json; charset=utf-8" : "text/plain; charset=utf-8";
  }
  // Higress adds an empty content-type when there is neither a body nor a configured type.
  if (contentType.length > 0) r.headers.push(new HeaderPair("content-type", contentType));

  const sv = json.get("status_code");
  if (sv !== null) {
    const t = sv.toText();
    if (t === null || !isDigits(t)) return err.fail<Rule>("invalid status code value: " + (t === null ? sv.stringify() : t));
    const n = I32.parseInt(t);
    if (t.length > 3 || n < 100 || n > 599) return err.fail<Rule>("invalid status code value: " + t + " (must be 100-599)");
    r.status = <u32>n;
  }

  const ev = json.get("enable_on_status");
  if (ev !== null && !ev.isNull) {
    const list = ev.asArray();
    if (list === null) return err.fail<Rule>("enable_on_status must be an array of status codes or patterns");
    for (let i = 0; i < list.length; i++) {
      const s = list[i].toText();
      if (s === null) return err.fail<Rule>("invalid enable_on_status value: " + list[i].stringify());
      if (isDigits(s)) { r.enableOnStatus.push(s); continue; }
      const p = fuzzyPattern(s, err);
      if (p === null) return null;
      r.enableOnStatus.push(p);
    }
  }
  return r;
}

class CustomResponse extends Plugin<Config> {
  parseConfig(json: JsonObject, global: Config | null, err: ConfigError): Config | null {
    const c = new Config();
    const rules = new Array<Rule>();
    const rv = json.get("rules");
    const rulesVersion = rv !== null && rv.isArray;
    if (rulesVersion) {
      const list = rv!.asArray()!;
      for (let i = 0; i < list.length; i++) {
        const o = list[i].asObject();
        if (o === null) return err.fail<Config>("rules[" + i.toString() + "] must be an object");
        const r = parseRule(o, err);
        if (r === null) { err.message = "rules[" + i.toString() + "]: " + err.message; return null; }
        // The first rule without enable_on_status answers when no status decides.
        if (r.enableOnStatus.length == 0 && c.defaultRule === null) c.defaultRule = r;
        rules.push(r);
      }
    } else {
      const r = parseRule(json, err);
      if (r === null) return null;
      rules.push(r);
      c.defaultRule = r;
    }
    for (let i = 0; i < rules.length; i++) {
      const r = rules[i];
      for (let j = 0; j < r.enableOnStatus.length; j++) {
        const s = r.enableOnStatus[j];
        if (c.exact.has(s) || c.fuzzy.includes(s)) return err.fail<Config>("enableOnStatus can only use once: " + s + " is in two rules");
        if (s.includes("x")) { c.fuzzy.push(s); c.fuzzyRules.push(r); }
        else c.exact.set(s, r);
      }
    }
    if (rulesVersion && c.defaultRule === null && !c.onStatus) return err.fail<Config>("no valid config is found: rules is empty");
    return c;
  }

  newFilter(): HttpFilter<Config> { return new CustomResponseFilter(); }
}

function fuzzyMatch(pattern: string, status: string): bool {
  if (pattern.length != status.length) return false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern.charCodeAt(i);
    if (c != 120 /* x */ && status.charCodeAt(i) != c) return false;
  }
  return true;
}

class CustomResponseFilter extends HttpFilter<Config> {
  onRequestHeaders(endOfStream: bool): Action {
    const c = this.config;
    if (c.onStatus) return Action.Continue;
    const r = c.defaultRule!;
    log.debug("use the default rule");
    return this.respond(r.status, r.body, r.headers, DETAIL);
  }

  // Also runs for another filter's local reply, when that filter is after this one in the
  // decoding order (the README's "behind another plugin" section says what Envoy does).
  onResponseHeaders(endOfStream: bool): Action {
    const c = this.config;
    const status = this.responseHeaders.get(":status");
    if (status === null || !c.onStatus) return Action.Continue;
    let rule: Rule | null = c.exact.has(status) ? c.exact.get(status) : null;
    if (rule === null) {
      for (let i = 0; i < c.fuzzy.length; i++) {
        if (fuzzyMatch(c.fuzzy[i], status)) { rule = c.fuzzyRules[i]; break; }
      }
    }
    if (rule === null) return Action.Continue;
    log.debug("status " + status + " replaced by a custom response");
    return this.respond(rule.status, rule.body, rule.headers, DETAIL);
  }
}

registerPlugin("custom-response", () => new CustomResponse());
