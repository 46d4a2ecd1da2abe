// traffic-tag's configuration, read as Higress's parser reads it (same fields, same checks, same
// messages): condition groups, weight groups, and the default tag.
import { ConfigError, JsonObject, JsonValue, log } from "@sluice/sdk";
import { Regex } from "@sluice/sdk/regex";

export const enum Source { Header, Parameter, Cookie }
export const enum Op { Equal, NotEqual, Prefix, In, NotIn, Regex, Percentage }

export class Condition {
  source: Source = Source.Header;
  key: string = "";
  /** Header names are looked up lower-case; parameter and cookie names as written, in UTF-8. */
  keyBytes: ArrayBuffer = new ArrayBuffer(0);
  op: Op = Op.Equal;
  values: Array<ArrayBuffer> = [];
  regex: Regex | null = null;
  percent: i32 = 0;
}

export class ConditionGroup {
  headerName: string = "";
  headerValue: string = "";
  and: bool = true;
  conditions: Array<Condition> = [];
}

export class WeightGroup {
  headerName: string = "";
  headerValue: string = "";
  /** The running total up to and including this group: a draw in [0, 100) below it picks the group. */
  accumulate: i64 = 0;
}

export class TagConfig {
  conditionGroups: Array<ConditionGroup> = [];
  weightGroups: Array<WeightGroup> = [];
  defaultTagKey: string = "";
  defaultTagVal: string = "";
}

export const TOTAL_WEIGHT: i64 = 100;

/** A field as gjson's String() reads it: absent and null as "", strings as they are, the rest as JSON. */
function text(o: JsonObject, key: string): string {
  const v = o.get(key);
  return v === null ? "" : valueText(v);
}

function valueText(v: JsonValue): string {
  if (v.isNull) return "";
  if (v.isString) return v.str;
  const t = v.toText();
  return t !== null ? t : v.stringify();
}

/** gjson's Array(): an array's items, a single value as a one-item list, nothing when absent. */
function listText(v: JsonValue | null): Array<string> {
  const out = new Array<string>();
  if (v === null || v.isNull) return out;
  const a = v.asArray();
  if (a === null) { out.push(valueText(v)); return out; }
  for (let i = 0; i < a.length; i++) out.push(valueText(a[i]));
  return out;
}

function parseCondition(o: JsonObject, err: ConfigError): Condition | null {
  const c = new Condition();
  const type = text(o, "conditionType").toLowerCase();
  c.key = text(o, "key");
  const op = text(o, "operator").toLowerCase();
  const values = listText(o.get("value"));
  if (type.length == 0) return err.fail<Condition>("conditionType cannot be empty");
  if (c.key.length == 0) return err.fail<Condition>("key cannot be empty");
  if (op.length == 0) return err.fail<Condition>("operator cannot be empty");
  if (op == "equal") c.op = Op.Equal;
  else if (op == "not_equal") c.op = Op.NotEqual;
  else if (op == "prefix") c.op = Op.Prefix;
  else if (op == "in") c.op = Op.In;
  else if (op == "not_in") c.op = Op.NotIn;
  else if (op == "regex") c.op = Op.Regex;
  else if (op == "percentage") c.op = Op.Percentage;
  else return err.fail<Condition>("invalid operator: '" + op + "'");
  if (type == "header") c.source = Source.Header;
  else if (type == "parameter") c.source = Source.Parameter;
  else if (type == "cookie") c.source = Source.Cookie;
  else return err.fail<Condition>("invalid conditionType: '" + type + "'");
  c.keyBytes = String.UTF8.encode(c.source == Source.Header ? c.key.toLowerCase() : c.key);
  if (c.op == Op.In || c.op == Op.NotIn) {
    if (values.length < 1) return err.fail<Condition>("value must contain at least one element for 'in' or 'not_in' operators");
  } else if (c.op == Op.Percentage) {
    if (values.length != 1) return err.fail<Condition>("value for 'percentage' must contain exactly one element");
    const p = parsePercent(values[0]);
    if (p == i32.MIN_VALUE) return err.fail<Condition>("value for 'percentage' must be a valid integer");
    // Higress's message; its check lets 0 and 100 through.
    if (p < 0 || p > 100) return err.fail<Condition>("value for 'percentage' must be greater than 0 and less than 100");
    c.percent = p;
  } else if (values.length != 1) {
    return err.fail<Condition>("value must contain exactly one element for '" + op + "' operator");
  }
  if (c.op == Op.Regex) {
    const r = Regex.compile(values[0]);
    if (r.regex === null) return err.fail<Condition>("invalid regex '" + values[0] + "': " + r.error);
    c.regex = r.regex;
  }
  for (let i = 0; i < values.length; i++) c.values.push(String.UTF8.encode(values[i]));
  return c;
}

/** strconv.Atoi on a percentage: i32.MIN_VALUE when it is not a plain decimal integer. */
function parsePercent(s: string): i32 {
  let i = 0;
  let neg = false;
  if (s.length > 0 && (s.charCodeAt(0) == 0x2b || s.charCodeAt(0) == 0x2d)) { neg = s.charCodeAt(0) == 0x2d; i = 1; }
  if (i >= s.length || s.length - i > 9) return i32.MIN_VALUE;
  let n = 0;
  for (; i < s.length; i++) {
    const d = s.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) return i32.MIN_VALUE;
    n = n * 10 + d;
  }
  return neg ? -n : n;
}

/** gjson's Int(): numbers truncated, numeric strings parsed, anything else 0. */
function weightOf(v: JsonValue | null): i64 {
  if (v === null) return 0;
  if (v.isNumber) return v.asInt(0);
  if (v.isString) {
    const p = parsePercent(v.str);
    return p == i32.MIN_VALUE ? 0 : <i64>p;
  }
  return 0;
}

export function parseTagConfig(json: JsonObject, err: ConfigError): TagConfig | null {
  const c = new TagConfig();
  if (json.size == 0) {
    log.error("plugin config is empty");
    return c;
  }
  const groups = json.get("conditionGroups");
  const groupList = groups === null || groups.isNull ? new Array<JsonValue>() : groups.asArray();
  if (groupList === null) return err.fail<TagConfig>("conditionGroups must be an array of condition groups");
  for (let i = 0; i < groupList.length; i++) {
    const o = groupList[i].asObject();
    if (o === null) return err.fail<TagConfig>("invalid condition group: " + groupList[i].stringify());
    const g = new ConditionGroup();
    g.headerName = text(o, "headerName");
    g.headerValue = text(o, "headerValue");
    const logic = text(o, "logic").toLowerCase();
    if (g.headerName.length == 0 || g.headerValue.length == 0 || (logic != "and" && logic != "or")) {
      return err.fail<TagConfig>("invalid condition group: " + groupList[i].stringify() + ", HeaderName: " + g.headerName + ", HeaderValue: " + g.headerValue + ", Logic: " + logic);
    }
    g.and = logic == "and";
    const conds = o.get("conditions");
    const condList = conds === null || conds.isNull ? new Array<JsonValue>() : conds.asArray();
    if (condList === null) return err.fail<TagConfig>("conditions must be an array of conditions");
    for (let j = 0; j < condList.length; j++) {
      const co = condList[j].asObject();
      if (co === null) return err.fail<TagConfig>("conditionType cannot be empty");
      const cond = parseCondition(co, err);
      if (cond === null) return null;
      g.conditions.push(cond);
    }
    c.conditionGroups.push(g);
  }

  const k = json.get("defaultTagKey");
  const v = json.get("defaultTagVal");
  if (k !== null && v !== null) {
    c.defaultTagKey = valueText(k);
    c.defaultTagVal = valueText(v);
  }

  const weights = json.get("weightGroups");
  const weightList = weights === null || weights.isNull ? new Array<JsonValue>() : weights.asArray();
  if (weightList === null) return err.fail<TagConfig>("weightGroups must be an array of weight groups");
  let total: i64 = 0;
  for (let i = 0; i < weightList.length; i++) {
    const o = weightList[i].asObject();
    if (o === null) return err.fail<TagConfig>("invalid weight config: " + weightList[i].stringify());
    const w = new WeightGroup();
    w.headerName = text(o, "headerName");
    w.headerValue = text(o, "headerValue");
    const weight = weightOf(o.get("weight"));
    if (w.headerName.length == 0 || w.headerValue.length == 0 || weight < 0 || weight > TOTAL_WEIGHT) {
      return err.fail<TagConfig>("invalid weight config: " + weightList[i].stringify());
    }
    total += weight;
    if (total > TOTAL_WEIGHT) return err.fail<TagConfig>("total weight exceeds: " + TOTAL_WEIGHT.toString());
    w.accumulate = total;
    c.weightGroups.push(w);
  }
  return c;
}
