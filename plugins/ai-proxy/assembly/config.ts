// Higress ai-proxy configuration: `provider` (legacy single) or `providers` + `activeProviderId`,
// with per-rule overlays (a rule usually only sets activeProviderId).
import { JsonObject, JsonValue, ConfigError } from "@sluice/sdk";
import { Regex } from "@sluice/sdk/regex";
import { ProviderAdapter } from "./adapter";
import { newAdapter } from "./providers";
import { StatusPattern } from "./status";

export class ModelMapping {
  exact: Map<string, string> = new Map<string, string>();
  prefixes: Array<string> = [];
  prefixTargets: Array<string> = [];
  regexes: Array<Regex> = [];
  regexTargets: Array<string> = [];
  fallback: string | null = null;
}

export class CustomSetting {
  name: string = "";
  value: JsonValue = JsonValue.null();
  raw: bool = false;
  overwrite: bool = true;
}

export class FailoverConfig {
  enabled: bool = false;
  failureThreshold: i32 = 3;
  successThreshold: i32 = 1;
  healthCheckInterval: i64 = 5000;
  healthCheckModel: string = "";
  onStatus: Array<StatusPattern> = [];
}

export class RetryConfig {
  enabled: bool = false;
  maxRetries: i32 = 1;
  retryTimeout: u32 = 60000;
  onStatus: Array<StatusPattern> = [];
}

export class ContextConfig {
  fileUrl: string = "";
  serviceName: string = "";
  servicePort: i32 = 80;
  host: string = "";
  path: string = "";
}

export class ProviderConfig {
  id: string = "";
  type: string = "";
  /** Everything this provider type does differently (its own config fields included). */
  adapter!: ProviderAdapter;
  apiTokens: Array<string> = [];
  timeout: u32 = 120000;
  modelMapping: ModelMapping = new ModelMapping();
  originalProtocol: bool = false;
  context: ContextConfig | null = null;
  customSettings: Array<CustomSetting> = [];
  failover: FailoverConfig = new FailoverConfig();
  retry: RetryConfig = new RetryConfig();
  capabilities: Map<string, string> = new Map<string, string>();
  basePath: string = "";
  basePathPrepend: bool = false;
  providerBasePath: string = "";
  providerDomain: string = "";
  firstByteTimeout: i64 = 0;
  contextCleanupCommands: Array<string> = [];
  responseJsonSchema: JsonValue | null = null;
  mergeConsecutiveMessages: bool = false;
  promoteThinkingOnEmpty: bool = false;
}

/** Higress's ai-proxy raises the per-request buffer limit to 100 MiB; bigger bodies are refused. */
export const DEFAULT_MAX_REQUEST_BODY_BYTES: i64 = 100 * 1024 * 1024;
// Working memory is about twice the body, and a Wasm VM gets at most 4 GiB (Envoy: 1 GiB).
const MAX_REQUEST_BODY_BYTES_LIMIT: i64 = 256 * 1024 * 1024;

export class AiProxyConfig {
  providers: Array<ProviderConfig> = [];
  activeProviderId: string = "";
  active: ProviderConfig | null = null;
  maxRequestBodyBytes: i64 = DEFAULT_MAX_REQUEST_BODY_BYTES;
}

function strings(o: JsonObject, key: string): Array<string> {
  const a = o.getStringArray(key);
  return a === null ? [] : a;
}

function s(o: JsonObject, key: string, def: string): string {
  const v = o.getString(key);
  return v === null ? def : v;
}

/** The compiled patterns, or null with the reason in `err` when one is not a valid RE2 pattern. */
function statusPatterns(o: JsonObject | null, key: string, err: ConfigError): Array<StatusPattern> | null {
  let list: Array<string> = ["4.*", "5.*"];
  if (o !== null) {
    const a = o.getStringArray(key);
    if (a !== null && a.length > 0) list = a;
  }
  const out = new Array<StatusPattern>();
  for (let i = 0; i < list.length; i++) {
    const r = Regex.compile(list[i]);
    if (!r.ok) return err.fail<Array<StatusPattern>>(key + "[" + i.toString() + "]: " + r.error);
    out.push(new StatusPattern(list[i], r.regex!));
  }
  return out;
}

export function parseProvider(o: JsonObject, err: ConfigError): ProviderConfig | null {
  const p = new ProviderConfig();
  const type = o.getString("type");
  if (type === null || type.length == 0) return err.fail<ProviderConfig>("missing type in provider config");
  const adapter = newAdapter(type);
  if (adapter === null) return err.fail<ProviderConfig>("unknown provider type: " + type);
  p.type = type;
  p.adapter = adapter;
  p.id = s(o, "id", "");
  p.apiTokens = strings(o, "apiTokens");
  p.timeout = <u32>o.getNumber("timeout", 120000);
  const mm = o.getObject("modelMapping");
  if (mm !== null) {
    for (let i = 0; i < mm.keys.length; i++) {
      const k = mm.keys[i];
      const v = mm.getString(k);
      if (v === null) return err.fail<ProviderConfig>("modelMapping values must be strings");
      if (k == "*") p.modelMapping.fallback = v;
      else if (k.startsWith("~")) {
        const re = Regex.compile(k.substring(1));
        if (re.regex === null) return err.fail<ProviderConfig>("modelMapping key " + k + ": " + re.error);
        p.modelMapping.regexes.push(re.regex!);
        p.modelMapping.regexTargets.push(v);
      }
      else if (k.endsWith("*")) { p.modelMapping.prefixes.push(k.substring(0, k.length - 1)); p.modelMapping.prefixTargets.push(v); }
      else p.modelMapping.exact.set(k, v);
    }
  }
  const protocol = s(o, "protocol", "openai");
  if (protocol == "original") p.originalProtocol = true;
  else if (protocol != "openai" && protocol.length > 0) return err.fail<ProviderConfig>("invalid protocol in config: " + protocol);
  const ctx = o.getObject("context");
  if (ctx !== null) {
    const c = new ContextConfig();
    c.fileUrl = s(ctx, "fileUrl", "");
    c.serviceName = s(ctx, "serviceName", "");
    c.servicePort = <i32>ctx.getNumber("servicePort", 80);
    if (c.fileUrl.length == 0 || c.serviceName.length == 0) return err.fail<ProviderConfig>("context requires fileUrl and serviceName");
    // Split the URL into host and path (scheme optional).
    let rest = c.fileUrl;
    const scheme = rest.indexOf("://");
    if (scheme >= 0) rest = rest.substring(scheme + 3);
    const slash = rest.indexOf("/");
    c.host = slash < 0 ? rest : rest.substring(0, slash);
    c.path = slash < 0 ? "/" : rest.substring(slash);
    p.context = c;
  }
  const cs = o.getArray("customSettings");
  if (cs !== null) {
    for (let i = 0; i < cs.length; i++) {
      const e = cs[i].asObject();
      if (e === null) return err.fail<ProviderConfig>("customSettings entries must be objects");
      const c = new CustomSetting();
      c.name = s(e, "name", "");
      const v = e.get("value");
      if (c.name.length == 0 || v === null) return err.fail<ProviderConfig>("customSettings entries need name and value");
      c.value = v;
      c.raw = s(e, "mode", "auto") == "raw";
      c.overwrite = e.getBool("overwrite", true);
      p.customSettings.push(c);
    }
  }
  const fo = o.getObject("failover");
  if (fo !== null) {
    p.failover.enabled = fo.getBool("enabled", false);
    p.failover.failureThreshold = <i32>fo.getNumber("failureThreshold", 3);
    p.failover.successThreshold = <i32>fo.getNumber("successThreshold", 1);
    p.failover.healthCheckInterval = <i64>fo.getNumber("healthCheckInterval", 5000);
    p.failover.healthCheckModel = s(fo, "healthCheckModel", "");
    if (p.failover.enabled && p.failover.healthCheckModel.length == 0) return err.fail<ProviderConfig>("missing healthCheckModel in failover config");
  }
  const failoverOn = statusPatterns(fo, "failoverOnStatus", err);
  if (failoverOn === null) return null;
  p.failover.onStatus = failoverOn;
  const rf = o.getObject("retryOnFailure");
  if (rf !== null) {
    p.retry.enabled = rf.getBool("enabled", false);
    p.retry.maxRetries = <i32>rf.getNumber("maxRetries", 1);
    p.retry.retryTimeout = <u32>rf.getNumber("retryTimeout", 60000);
  }
  const retryOn = statusPatterns(rf, "retryOnStatus", err);
  if (retryOn === null) return null;
  p.retry.onStatus = retryOn;
  const caps = o.getObject("capabilities");
  if (caps !== null) {
    for (let i = 0; i < caps.keys.length; i++) {
      const v = caps.getString(caps.keys[i]);
      if (v !== null) p.capabilities.set(caps.keys[i], v);
    }
  }
  p.basePath = s(o, "basePath", "");
  p.basePathPrepend = s(o, "basePathHandling", "removePrefix") == "prepend";
  p.providerBasePath = s(o, "providerBasePath", "");
  p.providerDomain = s(o, "providerDomain", "");
  p.firstByteTimeout = <i64>o.getNumber("firstByteTimeout", 0);
  p.contextCleanupCommands = strings(o, "contextCleanupCommands");
  const rjs = o.get("responseJsonSchema");
  if (rjs !== null && rjs.isObject) p.responseJsonSchema = rjs;
  const hiclaw = o.getBool("hiclawMode", false);
  p.mergeConsecutiveMessages = o.getBool("mergeConsecutiveMessages", false) || hiclaw;
  p.promoteThinkingOnEmpty = o.getBool("promoteThinkingOnEmpty", false) || hiclaw;

  // The provider's own fields (Higress refuses the same ones at config time).
  const refused = adapter.parse(o);
  if (refused.length > 0) return err.fail<ProviderConfig>(refused);
  if (adapter.needsApiTokens && p.apiTokens.length == 0) return err.fail<ProviderConfig>("no apiToken found in provider config");
  return p;
}

/** Parses the global config (base null) or a rule overlaid on the global config. */
export function parseAiProxyConfig(json: JsonObject, global: AiProxyConfig | null, err: ConfigError): AiProxyConfig | null {
  const c = new AiProxyConfig();
  if (global !== null) {
    c.providers = global.providers;
    c.activeProviderId = global.activeProviderId;
    c.active = global.active;
    c.maxRequestBodyBytes = global.maxRequestBodyBytes;
  }
  const limit = json.get("maxRequestBodyBytes");
  if (limit !== null) {
    const n = limit.asInt(-1);
    if (!limit.isNumber || <f64>n != limit.num || n < 1 || n > MAX_REQUEST_BODY_BYTES_LIMIT) {
      return err.fail<AiProxyConfig>("maxRequestBodyBytes must be an integer from 1 to " + MAX_REQUEST_BODY_BYTES_LIMIT.toString());
    }
    c.maxRequestBodyBytes = n;
  }
  const list = json.getArray("providers");
  if (list !== null) {
    c.providers = [];
    for (let i = 0; i < list.length; i++) {
      const o = list[i].asObject();
      if (o === null) return err.fail<AiProxyConfig>("providers entries must be objects");
      const p = parseProvider(o, err);
      if (p === null) return null;
      c.providers.push(p);
    }
    c.active = null;
  }
  const aid = json.getString("activeProviderId");
  if (aid !== null) c.activeProviderId = aid;
  if (list !== null || aid !== null) {
    c.active = null;
    for (let i = 0; i < c.providers.length; i++) {
      if (c.providers[i].id == c.activeProviderId) { c.active = c.providers[i]; break; }
    }
  }
  const single = json.getObject("provider");
  if (single !== null) {
    const p = parseProvider(single, err);
    if (p === null) return null;
    c.active = p;
  }
  return c;
}
