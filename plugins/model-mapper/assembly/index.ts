// model-mapper: rewrites the request's `model` by Higress's model-mapper rules — an exact key, then
// the `prefix*` keys in key order, then `*` — on the API paths Higress applies it to. The body is
// edited on bytes: only the model's value changes, every other byte goes upstream as sent.
import { Plugin, HttpFilter, Action, BodyMode, ConfigError, JsonObject, JsonValue, registerPlugin, log } from "@sluice/sdk";
import { setTopLevelString, quoteJsonString } from "@sluice/sdk/json";
import { parsePathSuffixes, pathHasSuffix, isPlainModelKey, modelFieldText } from "@sluice/sdk/ai";
export * from "@sluice/sdk/exports";

/** Higress's SetRequestBodyBufferLimit for this plugin. */
const BODY_LIMIT: u32 = 100 << 20;

class MapperConfig {
  modelKey: string = "model";
  exact: Map<string, string> = new Map<string, string>();
  /** `prefix*` keys without the `*`, sorted by key (Higress sorts them so the first match is stable). */
  prefixes: Array<string> = [];
  prefixTargets: Array<string> = [];
  /** The `*` target ("" when absent or empty: keep the model). */
  fallback: string = "";
  suffixes: Array<ArrayBuffer> = [];

  /** Higress's precedence; "" means the model stays as it is. */
  target(model: string): string {
    if (this.exact.has(model)) return this.exact.get(model);
    for (let i = 0; i < this.prefixes.length; i++) if (model.startsWith(this.prefixes[i])) return this.prefixTargets[i];
    return this.fallback;
  }
}

/** A mapping value as gjson's String() reads it; null for objects and arrays (refused). */
function mappingText(v: JsonValue): string | null {
  if (v.isNull) return "";
  return v.toText();
}

class ModelMapper extends Plugin<MapperConfig> {
  parseConfig(json: JsonObject, global: MapperConfig | null, err: ConfigError): MapperConfig | null {
    const c = new MapperConfig();
    const key = json.get("modelKey");
    if (key !== null && !key.isNull) {
      const k = key.asString();
      if (k === null) return err.fail<MapperConfig>("modelKey must be a string");
      if (k.length > 0) {
        if (!isPlainModelKey(k)) return err.fail<MapperConfig>("modelKey must be a top-level field name (gjson paths with . * ? # | @ are not supported): " + k);
        c.modelKey = k;
      }
    }
    const mapping = json.get("modelMapping");
    if (mapping !== null && !mapping.isNull) {
      const o = mapping.asObject();
      if (o === null) return err.fail<MapperConfig>("modelMapping must be an object");
      const keys = new Array<string>();
      for (let i = 0; i < o.size; i++) keys.push(o.keyAt(i)!);
      keys.sort((a: string, b: string): i32 => (a < b ? -1 : a > b ? 1 : 0));
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i];
        const t = mappingText(o.get(k)!);
        if (t === null) return err.fail<MapperConfig>("modelMapping values must be model names (strings): " + k);
        if (k == "*") c.fallback = t;
        else if (k.endsWith("*")) {
          c.prefixes.push(k.substring(0, k.length - 1));
          c.prefixTargets.push(t);
        } else c.exact.set(k, t);
      }
    }
    const suffixes = parsePathSuffixes(json.get("enableOnPathSuffix"));
    if (suffixes === null) return err.fail<MapperConfig>("enableOnPathSuffix must be an array");
    c.suffixes = suffixes;
    return c;
  }

  newFilter(): HttpFilter<MapperConfig> { return new ModelMapperFilter(); }
}

class ModelMapperFilter extends HttpFilter<MapperConfig> {
  onRequestHeaders(endOfStream: bool): Action {
    if (endOfStream || !pathHasSuffix(this.requestHeaders.getBytes(":path"), this.config.suffixes, false)) return Action.Continue;
    this.requestHeaders.remove("content-length");
    this.requestBodyMode = BodyMode.Buffer;
    this.requestBodyLimit = BODY_LIMIT;
    return Action.Continue;
  }

  onRequestBody(body: ArrayBuffer): Action {
    if (body.byteLength == 0) return Action.Continue;
    const c = this.config;
    const model = modelFieldText(body, c.modelKey);
    if (model === null) {
      log.error("invalid json body");
      return Action.Continue;
    }
    const next = c.target(model);
    if (next.length == 0 || next == model) return Action.Continue;
    const out = setTopLevelString(body, c.modelKey, next);
    if (out === null) {
      log.error("failed to update model: the body is not a JSON object");
      return Action.Continue;
    }
    this.replaceRequestBody(out);
    // Quoted: a model from the body must not break the log into lines.
    log.debug("model mapped, before: " + quoteJsonString(model) + ", after: " + quoteJsonString(next));
    return Action.Continue;
  }
}

registerPlugin("model-mapper", () => new ModelMapper());
