// The moderation answer ({Code, Message, RequestId, Data{…}}) and Higress's decision on it:
// TextModerationPlus blocks when Data.RiskLevel reaches riskLevelBar; MultiModalGuard gates on
// RiskLevel / AttackLevel, then judges each Detail against its dimension's bar and action.
import { JsonObject, log } from "@sluice/sdk";
import { JsonWriter } from "@sluice/sdk/json";
import { Config, DIMENSIONS, levelToInt } from "./config";

export enum Verdict { Pass, Mask, Block }

function s(o: JsonObject | null, key: string): string {
  if (o === null) return "";
  const v = o.getString(key);
  return v === null ? "" : v;
}

function dimIndex(type: string): i32 {
  for (let i = 0; i < DIMENSIONS.length; i++) if (DIMENSIONS[i] == type) return i;
  return -1;
}

function exceeds(c: Config, consumer: string, detail: JsonObject): bool {
  const d = dimIndex(s(detail, "Type"));
  if (d < 0) return false;
  return levelToInt(s(detail, "Level")) >= levelToInt(c.levelBarFor(consumer, d));
}

function triggersBlock(detail: JsonObject, action: string, over: bool): bool {
  if (action == "block") return over;
  if (s(detail, "Suggestion") == "mask") return false;
  return over;
}

function details(data: JsonObject): Array<JsonObject> {
  const out = new Array<JsonObject>();
  const a = data.getArray("Detail");
  if (a === null) return out;
  for (let i = 0; i < a.length; i++) { const o = a[i].asObject(); if (o !== null) out.push(o); }
  return out;
}

export function evaluate(c: Config, consumer: string, data: JsonObject): Verdict {
  if (!c.isMultiModal) {
    return levelToInt(s(data, "RiskLevel")) < levelToInt(c.riskLevelBarFor(consumer)) ? Verdict.Pass : Verdict.Block;
  }
  if (levelToInt(s(data, "RiskLevel")) >= levelToInt(c.levelBarFor(consumer, 0))) return Verdict.Block;
  if (levelToInt(s(data, "AttackLevel")) >= levelToInt(c.levelBarFor(consumer, 1))) return Verdict.Block;
  const ds = details(data);
  let mask = false;
  for (let i = 0; i < ds.length; i++) {
    const d = dimIndex(s(ds[i], "Type"));
    const action = d < 0 ? "block" : c.actionFor(consumer, d);
    const over = exceeds(c, consumer, ds[i]);
    log.info("safecheck_risk_type=" + s(ds[i], "Type") + ", safecheck_resolved_action=" + action);
    if (triggersBlock(ds[i], action, over)) return Verdict.Block;
    if (action == "mask" && s(ds[i], "Suggestion") == "mask" && over) mask = true;
  }
  return mask ? Verdict.Mask : Verdict.Pass;
}

/** The masked text of the first sensitiveData Detail suggesting mask ("" when none). */
export function desensitization(data: JsonObject): string {
  const ds = details(data);
  for (let i = 0; i < ds.length; i++) {
    if (s(ds[i], "Type") != "sensitiveData" || s(ds[i], "Suggestion") != "mask") continue;
    const r = ds[i].getArray("Result");
    if (r === null || r.length == 0) continue;
    const o = r[0].asObject();
    if (o === null) continue;
    const ext = o.getObject("Ext");
    const t = s(ext, "Desensitization");
    if (t.length > 0) return t;
  }
  return "";
}

/**
 * Higress's BuildDenyResponseBody: {"code":<Aliyun Code>,"denyMessage":…(omitted when empty),
 * "blockedDetails":[{"type","level"}]} — the Details that block, else ones synthesised from
 * RiskLevel / AttackLevel against the contentModeration / promptAttack bars.
 */
export function denyBody(c: Config, consumer: string, code: i64, data: JsonObject): string {
  const w = new JsonWriter();
  w.beginObject();
  w.key("code"); w.integer(code);
  if (c.denyMessage.length > 0) { w.key("denyMessage"); w.string(c.denyMessage); }
  w.key("blockedDetails");
  w.beginArray();
  const ds = details(data);
  let n = 0;
  for (let i = 0; i < ds.length; i++) {
    const d = dimIndex(s(ds[i], "Type"));
    const action = d < 0 ? "block" : c.actionFor(consumer, d);
    if (!triggersBlock(ds[i], action, exceeds(c, consumer, ds[i]))) continue;
    w.beginObject(); w.key("type"); w.string(s(ds[i], "Type")); w.key("level"); w.string(s(ds[i], "Level")); w.endObject();
    n++;
  }
  if (n == 0) {
    const rl = s(data, "RiskLevel");
    if (levelToInt(rl) >= levelToInt(c.levelBarFor(consumer, 0))) { w.beginObject(); w.key("type"); w.string("contentModeration"); w.key("level"); w.string(rl); w.endObject(); }
    const al = s(data, "AttackLevel");
    if (levelToInt(al) >= levelToInt(c.levelBarFor(consumer, 1))) { w.beginObject(); w.key("type"); w.string("promptAttack"); w.key("level"); w.string(al); w.endObject(); }
  }
  w.endArray();
  w.endObject();
  return w.toString();
}

/** Result[0].Label / RiskWords when the answer has Advice (what Higress logs). */
export function riskLabel(data: JsonObject, key: string): string {
  if (!data.has("Advice")) return "";
  const r = data.getArray("Result");
  if (r === null || r.length == 0) return "";
  return s(r[0].asObject(), key);
}

