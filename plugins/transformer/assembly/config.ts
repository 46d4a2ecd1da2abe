// transformer's configuration: `reroute`, `reqRules[]`, `respRules[]`. Each rule is one operation
// (remove, rename, replace, add, append, map, dedupe) with items for headers, querys and body.
// Everything that Higress would only find wrong per request (a bad regex, a value that is not of
// its value_type, an unknown operation) is refused here with the rule and item it is in.
import { ConfigError, JsonObject, JsonValue } from "@sluice/sdk";
import { parseJson } from "@sluice/sdk/json";
import { Regex } from "@sluice/sdk/regex";
import { parseJsonPath, isPlainNumber } from "./json-body";

export enum Op { Remove, Rename, Replace, Add, Append, Map, Dedupe }
export enum Target { Headers, Querys, Body }
export enum Strategy { RetainFirst, RetainLast, RetainUnique, SplitAndRetainFirst, SplitAndRetainLast }
export enum ValueType { Str, Obj, Bool, Num }

const OPS = ["remove", "rename", "replace", "add", "append", "map", "dedupe"];
const TARGET_NAMES = ["headers", "querys", "body"];

/** One item of a rule's headers / querys / body list. */
export class Item {
  /** remove/replace/add/append/dedupe: the key; rename: oldKey; map: fromKey. */
  key: string = "";
  /** rename: newKey; map: toKey. */
  toKey: string = "";
  /** replace: newValue; add: value; append: appendValue. */
  value: string = "";
  /** Body items: the key and toKey as JSON path segments. */
  keyPath: Array<string> = [];
  toPath: Array<string> = [];
  valueType: ValueType = ValueType.Str;
  /** A non-string value as JSON text, fixed at config time (patterns only apply to strings). */
  raw: string = "";
  strategy: Strategy = Strategy.RetainFirst;
  /** host_pattern (wins) or path_pattern: `$1` in the value takes the host's or path's groups. */
  pattern: Regex | null = null;
  onHost: bool = false;

  /** Higress's matchAndReplace: the subject with each match replaced by the value template. */
  valueFor(host: string, path: string): string {
    const re = this.pattern;
    if (re === null) return this.value;
    const subject = this.onHost ? host : path;
    if (!re.test(subject)) return this.value;
    return re.replaceAll(subject, this.value);
  }
}

export class Rule {
  op: Op = Op.Remove;
  /** map only: "headers" | "querys" | "body", or "" (the target itself). */
  mapSource: string = "";
  headers: Array<Item> = [];
  querys: Array<Item> = [];
  body: Array<Item> = [];

  items(t: Target): Array<Item> {
    return t == Target.Headers ? this.headers : t == Target.Querys ? this.querys : this.body;
  }
  /** Where a map item of target `t` reads from. */
  sourceFor(t: Target): string {
    return this.mapSource.length > 0 ? this.mapSource : TARGET_NAMES[<i32>t];
  }
}

/** The rules of one direction, and what they touch. */
export class Side {
  rules: Array<Rule> = [];
  headerChange: bool = false;
  queryChange: bool = false;
  bodyChange: bool = false;
  /** Some map rule reads from the body (mapSource: body): header/query edits wait for it. */
  needBodyMapSource: bool = false;
}

export class TransformerConfig {
  reroute: bool = true;
  req: Side | null = null;
  resp: Side | null = null;
}

function opOf(name: string): i32 {
  for (let i = 0; i < OPS.length; i++) if (OPS[i] == name) return i;
  return -1;
}

/** A field of an item as gjson's String() reads it (absent/null: ""); null when it is an object or array. */
function fieldText(o: JsonObject, key: string): string | null {
  const v = o.get(key);
  if (v === null || v.isNull) return "";
  if (v.isObject || v.isArray) return null;
  return v.toText();
}

/** strconv.ParseBool's spellings. */
function parseGoBool(s: string): i32 {
  if (s == "1" || s == "t" || s == "T" || s == "TRUE" || s == "true" || s == "True") return 1;
  if (s == "0" || s == "f" || s == "F" || s == "FALSE" || s == "false" || s == "False") return 0;
  return -1;
}

function parseItem(v: JsonValue, op: Op, t: Target, mapSource: string, where: string, err: ConfigError): Item | null {
  const o = v.asObject();
  if (o === null) return err.fail<Item>(where + " must be an object");
  const it = new Item();
  let keyField = "key";
  let toField = "";
  let valueField = "";
  if (op == Op.Rename) { keyField = "oldKey"; toField = "newKey"; }
  else if (op == Op.Map) { keyField = "fromKey"; toField = "toKey"; }
  else if (op == Op.Replace) valueField = "newValue";
  else if (op == Op.Add) valueField = "value";
  else if (op == Op.Append) valueField = "appendValue";

  const key = fieldText(o, keyField);
  if (key === null || key.length == 0) return err.fail<Item>(where + ": '" + keyField + "' is required (a non-empty string)");
  it.key = key;
  if (toField.length > 0) {
    const to = fieldText(o, toField);
    if (to === null || to.length == 0) return err.fail<Item>(where + ": '" + toField + "' is required (a non-empty string)");
    it.toKey = to;
  }
  if (valueField.length > 0) {
    const val = fieldText(o, valueField);
    if (val === null) return err.fail<Item>(where + ": '" + valueField + "' must be a string");
    it.value = val;
  }
  // Where a map item reads from ("" for the other operations).
  const source = op == Op.Map ? (mapSource.length > 0 ? mapSource : TARGET_NAMES[<i32>t]) : "";
  // Header names are case-insensitive: Higress lowercases the header keys it writes and compares
  // (a map's fromKey only when it reads headers).
  if (op == Op.Map ? source == "headers" : t == Target.Headers) it.key = it.key.toLowerCase();
  if (t == Target.Headers) it.toKey = it.toKey.toLowerCase();
  const keyIsPath = op == Op.Map ? source == "body" : t == Target.Body;
  if (op == Op.Dedupe) {
    const s = fieldText(o, "strategy");
    if (s === null) return err.fail<Item>(where + ": 'strategy' must be a string");
    const u = s.toUpperCase();
    if (u.length == 0 || u == "RETAIN_FIRST") it.strategy = Strategy.RetainFirst;
    else if (u == "RETAIN_LAST") it.strategy = Strategy.RetainLast;
    else if (u == "RETAIN_UNIQUE") it.strategy = Strategy.RetainUnique;
    else if (u == "SPLIT_AND_RETAIN_FIRST") it.strategy = Strategy.SplitAndRetainFirst;
    else if (u == "SPLIT_AND_RETAIN_LAST") it.strategy = Strategy.SplitAndRetainLast;
    else return err.fail<Item>(where + ": unknown dedupe strategy \"" + s + "\" (RETAIN_FIRST, RETAIN_LAST, RETAIN_UNIQUE, SPLIT_AND_RETAIN_FIRST, SPLIT_AND_RETAIN_LAST)");
  }
  if (op == Op.Replace || op == Op.Add || op == Op.Append) {
    const hp = fieldText(o, "host_pattern");
    const pp = fieldText(o, "path_pattern");
    if (hp === null || pp === null) return err.fail<Item>(where + ": host_pattern and path_pattern must be strings");
    const pattern = hp.length > 0 ? hp : pp;
    if (pattern.length > 0) {
      const r = Regex.compile(pattern);
      if (!r.ok) return err.fail<Item>(where + ": failed to new reg: " + r.error);
      it.pattern = r.regex;
      it.onHost = hp.length > 0;
    }
  }
  if (keyIsPath) {
    const kp = parseJsonPath(it.key);
    if (kp === null) return err.fail<Item>(where + ": '" + keyField + "' is not a supported JSON path (wildcards * ?, # queries, | pipes and @ modifiers are not supported): " + it.key);
    it.keyPath = kp;
  }
  if (t == Target.Body) {
    const vt = fieldText(o, "value_type");
    if (vt === null) return err.fail<Item>(where + ": 'value_type' must be a string");
    const lower = vt.toLowerCase();
    if (lower.length == 0 || lower == "string") it.valueType = ValueType.Str;
    else if (lower == "object") it.valueType = ValueType.Obj;
    else if (lower == "boolean") it.valueType = ValueType.Bool;
    else if (lower == "number") it.valueType = ValueType.Num;
    else return err.fail<Item>(where + ": invalid body params type \"" + vt + "\" (object, boolean, number, string)");
    if (toField.length > 0) {
      const tp = parseJsonPath(it.toKey);
      if (tp === null) return err.fail<Item>(where + ": '" + toField + "' is not a supported JSON path (wildcards * ?, # queries, | pipes and @ modifiers are not supported): " + it.toKey);
      it.toPath = tp;
    }
    // Only string values go through the patterns, so every other value is known now.
    if (valueField.length > 0 && it.valueType != ValueType.Str) {
      if (it.valueType == ValueType.Bool) {
        const b = parseGoBool(it.value);
        if (b < 0) return err.fail<Item>(where + ": '" + valueField + "' is not a boolean: \"" + it.value + "\"");
        it.raw = b == 1 ? "true" : "false";
      } else if (it.valueType == ValueType.Num) {
        if (!isPlainNumber(it.value)) return err.fail<Item>(where + ": '" + valueField + "' is not a number: \"" + it.value + "\"");
        it.raw = parseJson(it.value).value!.stringify();
      } else {
        const r = parseJson(it.value);
        if (!r.ok) return err.fail<Item>(where + ": '" + valueField + "' is not valid JSON for value_type object: " + r.error);
        it.raw = r.value!.stringify();
      }
    }
  }
  return it;
}

function parseItems(o: JsonObject, name: string, r: Rule, t: Target, where: string, out: Array<Item>, err: ConfigError): bool {
  const v = o.get(name);
  if (v === null || v.isNull) return true;
  const arr = v.asArray();
  if (arr === null) { err.fail<Item>(where + "." + name + " must be an array"); return false; }
  for (let i = 0; i < arr.length; i++) {
    const it = parseItem(arr[i], r.op, t, r.mapSource, where + "." + name + "[" + i.toString() + "]", err);
    if (it === null) return false;
    out.push(it);
  }
  return true;
}

function parseSide(v: JsonValue, name: string, response: bool, err: ConfigError): Side | null {
  const arr = v.asArray();
  if (arr === null) return err.fail<Side>(name + " must be an array of rules");
  const side = new Side();
  for (let i = 0; i < arr.length; i++) {
    const where = name + "[" + i.toString() + "]";
    const o = arr[i].asObject();
    if (o === null) return err.fail<Side>(where + " must be an object");
    const opText = fieldText(o, "operate");
    const op = opText === null ? -1 : opOf(opText.toLowerCase());
    if (op < 0) return err.fail<Side>(where + ": invalid operate type \"" + (opText === null ? "" : opText) + "\" (remove, rename, replace, add, append, map, dedupe)");
    const r = new Rule();
    r.op = <Op>op;
    if (r.op == Op.Map) {
      const ms = fieldText(o, "mapSource");
      if (ms === null) return err.fail<Side>(where + ": mapSource must be a string");
      if (o.has("mapSource") && ms != "headers" && ms != "querys" && ms != "body") return err.fail<Side>(where + ": invalid map source \"" + ms + "\" (headers, querys, body)");
      r.mapSource = ms;
      if (ms == "body") side.needBodyMapSource = true;
    }
    if (!parseItems(o, "headers", r, Target.Headers, where, r.headers, err)) return null;
    // The response has no query string: Higress ignores `querys` there.
    if (!response && !parseItems(o, "querys", r, Target.Querys, where, r.querys, err)) return null;
    if (!parseItems(o, "body", r, Target.Body, where, r.body, err)) return null;
    side.headerChange = side.headerChange || r.headers.length > 0;
    side.queryChange = side.queryChange || r.querys.length > 0;
    side.bodyChange = side.bodyChange || r.body.length > 0;
    side.rules.push(r);
  }
  return side;
}

export function parseTransformerConfig(json: JsonObject, err: ConfigError): TransformerConfig | null {
  const c = new TransformerConfig();
  const reroute = json.get("reroute");
  if (reroute !== null && !reroute.isNull) {
    if (!reroute.isBool) return err.fail<TransformerConfig>("reroute must be a boolean");
    c.reroute = reroute.asBool(true);
  }
  const req = json.get("reqRules");
  const resp = json.get("respRules");
  if ((req === null || req.isNull) && (resp === null || resp.isNull)) return err.fail<TransformerConfig>("transformer rule not exist in yaml: set reqRules or respRules");
  if (req !== null && !req.isNull) {
    c.req = parseSide(req, "reqRules", false, err);
    if (c.req === null) return null;
  }
  if (resp !== null && !resp.isNull) {
    c.resp = parseSide(resp, "respRules", true, err);
    if (c.resp === null) return null;
  }
  return c;
}
