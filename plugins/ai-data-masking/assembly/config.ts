// Higress ai-data-masking's configuration, read as its Rust code reads it. Where the README says
// otherwise the code wins: `system_deny` defaults to false, `hash` is the MD5 hex of the match.
import { JsonObject, JsonValue, JsonKind, ConfigError } from "@sluice/sdk";
import { Regex } from "@sluice/sdk/regex";
import { expandGrok } from "./grok";
import { JsonPath, parseJsonPath } from "./jsonpath";
import { ReplaceRule } from "./masker";
import { DenyWords } from "./words";

export const DEFAULT_DENY_MESSAGE = "提问或回答中包含敏感词，已被屏蔽";

export class Config {
  denyOpenai: bool = true;
  denyRaw: bool = false;
  denyJsonpath: Array<JsonPath> = [];
  systemDeny: bool = false;
  denyCode: u32 = 200;
  denyMessage: string = DEFAULT_DENY_MESSAGE;
  denyRawMessage: string = "{\"errmsg\":\"" + DEFAULT_DENY_MESSAGE + "\"}";
  denyContentType: string = "application/json";
  denyWords: DenyWords = new DenyWords();
  rules: Array<ReplaceRule> = [];
  skipResponse: bool = false;

  /** Whether an answer needs looking at: masks to restore are per request, deny words are not. */
  get checksWords(): bool { return this.systemDeny || !this.denyWords.empty; }
}

function boolField(o: JsonObject, key: string, def: bool, err: ConfigError): bool {
  const v = o.get(key);
  if (v === null || v.isNull) return def;
  if (!v.isBool) { err.fail<Config>(key + " must be a boolean"); return def; }
  return v.bool;
}

function stringField(o: JsonObject, key: string, def: string, err: ConfigError): string {
  const v = o.get(key);
  if (v === null || v.isNull) return def;
  if (!v.isString) { err.fail<Config>(key + " must be a string"); return def; }
  return v.str;
}

function stringList(o: JsonObject, key: string, err: ConfigError): Array<string> {
  const out = new Array<string>();
  const v = o.get(key);
  if (v === null || v.isNull) return out;
  const a = v.asArray();
  if (a === null) { err.fail<Config>(key + " must be an array of strings"); return out; }
  for (let i = 0; i < a.length; i++) {
    if (a[i].kind != JsonKind.String) { err.fail<Config>(key + "[" + i.toString() + "] must be a string"); return out; }
    out.push(a[i].str);
  }
  return out;
}

/** Grok first; the pattern as written if the expansion does not compile (Higress does the same). */
export function compileRule(pattern: string, err: ConfigError): Regex | null {
  const g = expandGrok(pattern);
  if (g.error.length > 0) return err.fail<Regex>("replace_roles: " + g.error);
  const r = Regex.compile(g.pattern);
  if (r.ok) return r.regex;
  if (g.pattern != pattern) {
    const raw = Regex.compile(pattern);
    if (raw.ok) return raw.regex;
  }
  return err.fail<Regex>("replace_roles: regexp error field " + pattern + ": " + r.error);
}

function parseRule(v: JsonValue, i: i32, err: ConfigError): ReplaceRule | null {
  const where = "replace_roles[" + i.toString() + "]";
  const o = v.asObject();
  if (o === null) return err.fail<ReplaceRule>(where + " must be an object");
  const re = o.get("regex");
  if (re === null || !re.isString) return err.fail<ReplaceRule>(where + ".regex must be a string");
  const t = o.get("type");
  if (t === null || !t.isString) return err.fail<ReplaceRule>(where + ".type must be a string: replace or hash");
  const type = t.str;
  if (type != "replace" && type != "hash") return err.fail<ReplaceRule>(where + ".type: regexp error value " + type + " (replace or hash)");
  const restore = boolField(o, "restore", false, err);
  const value = stringField(o, "value", "", err);
  if (err.failed) return null;
  const regex = compileRule(re.str, err);
  if (regex === null) return null;
  return new ReplaceRule(regex, type == "hash", restore, value);
}

export function parseConfig(o: JsonObject, err: ConfigError): Config | null {
  const c = new Config();
  c.denyOpenai = boolField(o, "deny_openai", true, err);
  c.denyRaw = boolField(o, "deny_raw", false, err);
  c.systemDeny = boolField(o, "system_deny", false, err);
  c.skipResponse = boolField(o, "skip_response", false, err);
  const code = o.get("deny_code");
  if (code !== null && !code.isNull) {
    const n = code.asInt(-1);
    if (!code.isNumber || n < 100 || n > 599) return err.fail<Config>("deny_code must be an HTTP status (100-599)");
    c.denyCode = <u32>n;
  }
  c.denyMessage = stringField(o, "deny_message", c.denyMessage, err);
  c.denyRawMessage = stringField(o, "deny_raw_message", c.denyRawMessage, err);
  c.denyContentType = stringField(o, "deny_content_type", c.denyContentType, err);
  c.denyWords.add(stringList(o, "deny_words", err));
  const paths = stringList(o, "deny_jsonpath", err);
  if (err.failed) return null;
  for (let i = 0; i < paths.length; i++) {
    if (paths[i].length == 0) continue;
    const p = parseJsonPath(paths[i]);
    if (p === null) return err.fail<Config>("deny_jsonpath: jsonpath error value " + paths[i] + " (supported: $, .name, ['name'], [n], [*], .*)");
    c.denyJsonpath.push(p);
  }
  const rules = o.get("replace_roles");
  if (rules !== null && !rules.isNull) {
    const a = rules.asArray();
    if (a === null) return err.fail<Config>("replace_roles must be an array");
    for (let i = 0; i < a.length; i++) {
      const r = parseRule(a[i], i, err);
      if (r === null) return null;
      c.rules.push(r);
    }
  }
  if (err.failed) return null;
  return c;
}
