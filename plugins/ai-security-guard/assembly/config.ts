// Higress ai-security-guard's configuration, read as its Go `Parse` reads it (README and code
// differ; the code wins: `consumer*CheckService`, `action` defaults to TextModerationPlus).
import { JsonObject, ConfigError } from "@sluice/sdk";
import { FQDNCluster, HttpClient } from "@sluice/sdk/http";
import { Regex } from "@sluice/sdk/regex";

export const TEXT_MODERATION_PLUS = "TextModerationPlus";
export const MULTI_MODAL_GUARD = "MultiModalGuard";
export const MULTI_MODAL_GUARD_BASE64 = "MultiModalGuardForBase64";
export const LENGTH_LIMIT: i32 = 1800;
export const USER_AGENT = "CIPFrom/AIGateway";

/** Higress's LevelToInt: max/S4 4, high/S3 3, medium/S2 2, low/S1 1, none/S0 0, else -1. */
export function levelToInt(level: string): i32 {
  const l = level.toLowerCase();
  if (l == "max" || l == "s4") return 4;
  if (l == "high" || l == "s3") return 3;
  if (l == "medium" || l == "s2") return 2;
  if (l == "low" || l == "s1") return 1;
  if (l == "none" || l == "s0") return 0;
  return -1;
}

/** A consumer matcher (exact / prefix / regexp on X-Mse-Consumer) with the override object. */
export class ConsumerRule {
  exact: string = "";
  prefix: string = "";
  re: Regex | null = null;
  values: JsonObject = new JsonObject();

  match(consumer: string): bool {
    if (this.exact.length > 0) return consumer == this.exact;
    if (this.prefix.length > 0) return consumer.startsWith(this.prefix);
    const re = this.re;
    if (re !== null) return re.test(consumer);
    return false;
  }

  /** The override's string, or null when the rule does not set it. */
  value(key: string): string | null { return this.values.getString(key); }
}

export const DIMENSIONS = ["contentModeration", "promptAttack", "sensitiveData", "maliciousUrl", "modelHallucination", "customLabel"];

export class Config {
  serviceName: string = "";
  servicePort: i64 = 0;
  host: string = "";
  client!: HttpClient;
  ak: string = "";
  sk: string = "";
  token: string = "";
  action: string = TEXT_MODERATION_PLUS;
  apiType: string = "text_generation";
  providerType: string = "openai";
  checkRequest: bool = false;
  checkResponse: bool = false;
  requestCheckService: string = "";
  responseCheckService: string = "";
  requestContentJsonPath: string = "messages.@reverse.0.content";
  responseContentJsonPath: string = "choices.0.message.content";
  responseStreamContentJsonPath: string = "choices.0.delta.content";
  responseFallbackPaths: Array<string> = ["choices.0.message.content", "content.#(type==\"text\")#.text"];
  responseStreamFallbackPaths: Array<string> = ["choices.0.delta.content", "delta.text"];
  denyCode: u32 = 200;
  denyMessage: string = "";
  protocolOriginal: bool = false;
  riskLevelBar: string = "high";
  /** Per-dimension level bars, indexed like DIMENSIONS. */
  levelBars: Array<string> = ["max", "max", "S4", "max", "max", "max"];
  /** Per-dimension actions (MultiModalGuard), "" when not set. */
  dimensionActions: Array<string> = ["", "", "", "", "", ""];
  riskAction: string = "block";
  timeout: u32 = 2000;
  bufferLimit: i32 = 1000;
  consumerRequestCheckService: Array<ConsumerRule> = [];
  consumerResponseCheckService: Array<ConsumerRule> = [];
  consumerRiskLevel: Array<ConsumerRule> = [];

  get isMultiModal(): bool { return this.action == MULTI_MODAL_GUARD || this.action == MULTI_MODAL_GUARD_BASE64; }

  requestService(consumer: string): string { return pick(this.consumerRequestCheckService, consumer, "requestCheckService", this.requestCheckService); }
  responseService(consumer: string): string { return pick(this.consumerResponseCheckService, consumer, "responseCheckService", this.responseCheckService); }

  riskRule(consumer: string): ConsumerRule | null {
    for (let i = 0; i < this.consumerRiskLevel.length; i++) if (this.consumerRiskLevel[i].match(consumer)) return this.consumerRiskLevel[i];
    return null;
  }

  riskLevelBarFor(consumer: string): string {
    const r = this.riskRule(consumer);
    if (r !== null) { const v = r.value("riskLevelBar"); if (v !== null) return v; }
    return this.riskLevelBar;
  }

  levelBarFor(consumer: string, dim: i32): string {
    const r = this.riskRule(consumer);
    if (r !== null) { const v = r.value(DIMENSIONS[dim] + "LevelBar"); if (v !== null) return v; }
    return this.levelBars[dim];
  }

  /** Higress's ResolveRiskActionByType: consumer dimension > consumer riskAction > global dimension > riskAction > block; mask only for sensitiveData. */
  actionFor(consumer: string, dim: i32): string {
    let a = "";
    const r = this.riskRule(consumer);
    if (r !== null) {
      const d = r.value(DIMENSIONS[dim] + "Action");
      if (d !== null && d.length > 0) a = d;
      else { const g = r.value("riskAction"); if (g !== null && g.length > 0) a = g; }
    }
    if (a.length == 0) a = this.dimensionActions[dim];
    if (a.length == 0) a = this.riskAction;
    if (a.length == 0) a = "block";
    if (a == "mask" && DIMENSIONS[dim] != "sensitiveData") a = "block";
    return a;
  }
}

function pick(rules: Array<ConsumerRule>, consumer: string, key: string, def: string): string {
  for (let i = 0; i < rules.length; i++) {
    if (!rules[i].match(consumer)) continue;
    const v = rules[i].value(key);
    return v !== null ? v : def;
  }
  return def;
}

/** gjson's .String() of a config member (numbers and booleans printed), or null when absent. */
function str(json: JsonObject, key: string): string | null {
  const v = json.get(key);
  if (v === null) return null;
  const t = v.toText();
  return t !== null ? t : (v.isNull ? "" : v.stringify());
}

function intOf(json: JsonObject, key: string, def: i64): i64 {
  const v = json.get(key);
  if (v === null) return def;
  if (v.isNumber) return v.asInt(def);
  const s = v.asString();
  if (s !== null) { const n = I64.parseInt(s.trim()); return n; }
  return 0;
}

function parseRules(json: JsonObject, key: string, err: ConfigError, validateActions: bool, multiModal: bool): Array<ConsumerRule> | null {
  const out = new Array<ConsumerRule>();
  const list = json.getArray(key);
  if (list === null) return out;
  for (let i = 0; i < list.length; i++) {
    const o = list[i].asObject();
    if (o === null) continue;
    const name = str(o, "name");
    const matchType = str(o, "matchType");
    if (name === null || matchType === null) continue; // Higress skips such entries
    const r = new ConsumerRule();
    r.values = o;
    if (matchType == "exact") r.exact = name;
    else if (matchType == "prefix") r.prefix = name;
    else if (matchType == "regexp") {
      const re = Regex.compile(name);
      if (!re.ok) return err.fail<Array<ConsumerRule>>(key + "[" + i.toString() + "].name: error parsing regexp: " + re.error);
      r.re = re.regex;
    }
    if (validateActions) {
      const ra = str(o, "riskAction");
      if (ra !== null && ra != "block" && ra != "mask") return err.fail<Array<ConsumerRule>>("invalid riskAction in consumerRiskLevel, value must be one of [block, mask]");
      if (multiModal) {
        for (let d = 0; d < DIMENSIONS.length; d++) {
          const v = str(o, DIMENSIONS[d] + "Action");
          if (v !== null && v != "block" && v != "mask") return err.fail<Array<ConsumerRule>>("invalid " + DIMENSIONS[d] + "Action in consumerRiskLevel, value must be one of [block, mask]");
        }
      }
    }
    out.push(r);
  }
  return out;
}

function pathList(json: JsonObject, key: string, err: ConfigError): Array<string> | null {
  const v = json.get(key);
  if (v === null) return null;
  const a = v.asArray();
  const msg = "invalid " + key + ", value must be an array of non-empty strings";
  if (a === null) return err.fail<Array<string>>(msg);
  const out = new Array<string>();
  for (let i = 0; i < a.length; i++) {
    const s = a[i].asString();
    if (s === null || s.trim().length == 0) return err.fail<Array<string>>(msg);
    out.push(s.trim());
  }
  return out;
}

export function parseConfig(json: JsonObject, err: ConfigError): Config | null {
  const c = new Config();
  const name = str(json, "serviceName");
  const host = str(json, "serviceHost");
  c.servicePort = intOf(json, "servicePort", 0);
  if (name === null || name.length == 0 || c.servicePort == 0 || host === null || host.length == 0) return err.fail<Config>("invalid service config");
  c.serviceName = name;
  c.host = host;
  const ak = str(json, "accessKey");
  const sk = str(json, "secretKey");
  if (ak === null || ak.length == 0 || sk === null || sk.length == 0) return err.fail<Config>("invalid AK/SK config");
  c.ak = ak; c.sk = sk;
  const token = str(json, "securityToken");
  if (token !== null) c.token = token;
  const action = str(json, "action");
  if (action !== null) c.action = action;
  // SetDefaultValues: the services follow the action.
  if (c.action == TEXT_MODERATION_PLUS) { c.requestCheckService = "llm_query_moderation"; c.responseCheckService = "llm_response_moderation"; }
  else if (c.action == MULTI_MODAL_GUARD) { c.requestCheckService = "query_security_check"; c.responseCheckService = "response_security_check"; }
  const ra = str(json, "riskAction");
  if (ra !== null) {
    if (ra != "block" && ra != "mask") return err.fail<Config>("invalid riskAction, value must be one of [block, mask]");
    c.riskAction = ra;
  }
  for (let d = 0; d < DIMENSIONS.length; d++) {
    const f = DIMENSIONS[d] + "Action";
    const v = str(json, f);
    if (v === null) continue;
    if (c.isMultiModal && v != "block" && v != "mask") return err.fail<Config>("invalid " + f + ", value must be one of [block, mask]");
    c.dimensionActions[d] = v;
  }
  const rlb = str(json, "riskLevelBar"); if (rlb !== null) c.riskLevelBar = rlb;
  const rqs = str(json, "requestCheckService"); if (rqs !== null) c.requestCheckService = rqs;
  const rss = str(json, "responseCheckService"); if (rss !== null) c.responseCheckService = rss;
  c.checkRequest = json.getBool("checkRequest", false);
  c.checkResponse = json.getBool("checkResponse", false);
  const proto = str(json, "protocol");
  c.protocolOriginal = proto !== null && proto == "original";
  const dm = str(json, "denyMessage"); if (dm !== null) c.denyMessage = dm;
  if (json.has("denyCode")) {
    const code = intOf(json, "denyCode", 200);
    // Envoy refuses a local reply outside 200..599; Higress would send what it is given.
    if (code < 200 || code > 599) return err.fail<Config>("invalid denyCode, must be an HTTP status (200-599)");
    c.denyCode = <u32>code;
  }
  const rq = str(json, "requestContentJsonPath"); if (rq !== null) c.requestContentJsonPath = rq;
  const rp = str(json, "responseContentJsonPath"); if (rp !== null) c.responseContentJsonPath = rp;
  const rsp = str(json, "responseStreamContentJsonPath"); if (rsp !== null) c.responseStreamContentJsonPath = rsp;
  const fb = pathList(json, "responseContentFallbackJsonPaths", err);
  if (err.message.length > 0) return null;
  if (fb !== null) c.responseFallbackPaths = fb;
  const sfb = pathList(json, "responseStreamContentFallbackJsonPaths", err);
  if (err.message.length > 0) return null;
  if (sfb !== null) c.responseStreamFallbackPaths = sfb;
  for (let d = 0; d < DIMENSIONS.length; d++) {
    const f = DIMENSIONS[d] + "LevelBar";
    const v = str(json, f);
    if (v === null) continue;
    if (levelToInt(v) <= 0) {
      return err.fail<Config>("invalid " + f + ", value must be one of " + (d == 2 ? "[S4, S3, S2, S1]" : "[max, high, medium, low]"));
    }
    c.levelBars[d] = v;
  }
  if (json.has("timeout")) { const t = intOf(json, "timeout", 2000); c.timeout = t <= 0 ? 2000 : <u32>min<i64>(t, 600000); }
  if (json.has("bufferLimit")) { const b = intOf(json, "bufferLimit", 1000); c.bufferLimit = b <= 0 ? 1000 : <i32>min<i64>(b, 1 << 20); }
  const crs = parseRules(json, "consumerRequestCheckService", err, false, false);
  if (crs === null) return null;
  c.consumerRequestCheckService = crs;
  const cps = parseRules(json, "consumerResponseCheckService", err, false, false);
  if (cps === null) return null;
  c.consumerResponseCheckService = cps;
  const crl = parseRules(json, "consumerRiskLevel", err, true, c.isMultiModal);
  if (crl === null) return null;
  c.consumerRiskLevel = crl;
  const at = str(json, "apiType"); if (at !== null) c.apiType = at;
  const pt = str(json, "providerType"); if (pt !== null) c.providerType = pt;
  c.client = new HttpClient(new FQDNCluster(c.serviceName, c.servicePort, c.host));
  return c;
}
