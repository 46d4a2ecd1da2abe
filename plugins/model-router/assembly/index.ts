// model-router: makes the request's model routable, as Higress's model-router does — the model
// copied into a header (`modelToHeader`), `provider/model` split into a provider header and the
// bare model (`addProviderHeader`), and `higress/auto` resolved by RE2 rules on the last user
// message (`autoRouting`, into `x-higress-llm-model`). JSON bodies are edited on bytes; in a
// multipart/form-data body only the model field's bytes change.
import { Plugin, HttpFilter, Action, BodyMode, ConfigError, JsonObject, JsonValue, registerPlugin, log } from "@sluice/sdk";
import { setTopLevelString, parseJsonBytes, quoteJsonString } from "@sluice/sdk/json";
import { parsePathSuffixes, pathHasSuffix, isPlainModelKey, modelFieldText } from "@sluice/sdk/ai";
import { Regex } from "@sluice/sdk/regex";
import { isSafeHeaderValue, FieldSpan, multipartBoundary, findFormFields } from "@sluice/sdk/http";
export * from "@sluice/sdk/exports";

/** Higress's SetRequestBodyBufferLimit for this plugin. */
const BODY_LIMIT: u32 = 100 << 20;
const AUTO_MODEL = "higress/auto";
const AUTO_HEADER = "x-higress-llm-model";

class RouterConfig {
  modelKey: string = "model";
  addProviderHeader: string = "";
  modelToHeader: string = "";
  suffixes: Array<ArrayBuffer> = [];
  autoEnabled: bool = false;
  defaultModel: string = "";
  patterns: Array<Regex> = [];
  models: Array<string> = [];
}

/** An optional string field: "" when absent or null, null (refused) when another type. */
function optionalString(o: JsonObject, key: string): string | null {
  const v = o.get(key);
  if (v === null || v.isNull) return "";
  return v.asString();
}

class ModelRouter extends Plugin<RouterConfig> {
  parseConfig(json: JsonObject, global: RouterConfig | null, err: ConfigError): RouterConfig | null {
    const c = new RouterConfig();
    const key = optionalString(json, "modelKey");
    if (key === null) return err.fail<RouterConfig>("modelKey must be a string");
    if (key.length > 0) {
      if (!isPlainModelKey(key)) return err.fail<RouterConfig>("modelKey must be a top-level field name (gjson paths with . * ? # | @ are not supported): " + key);
      c.modelKey = key;
    }
    const provider = optionalString(json, "addProviderHeader");
    if (provider === null) return err.fail<RouterConfig>("addProviderHeader must be a header name");
    c.addProviderHeader = provider;
    const toHeader = optionalString(json, "modelToHeader");
    if (toHeader === null) return err.fail<RouterConfig>("modelToHeader must be a header name");
    c.modelToHeader = toHeader;
    const suffixes = parsePathSuffixes(json.get("enableOnPathSuffix"));
    if (suffixes === null) return err.fail<RouterConfig>("enableOnPathSuffix must be an array of path suffixes");
    c.suffixes = suffixes;

    const auto = json.get("autoRouting");
    if (auto === null || auto.isNull) return c;
    const a = auto.asObject();
    if (a === null) return err.fail<RouterConfig>("autoRouting must be an object with enable, defaultModel and rules");
    const enable = a.get("enable");
    if (enable !== null && !enable.isNull && !enable.isBool) return err.fail<RouterConfig>("autoRouting.enable must be a boolean");
    c.autoEnabled = enable !== null && enable.asBool(false);
    const def = optionalString(a, "defaultModel");
    if (def === null) return err.fail<RouterConfig>("autoRouting.defaultModel must be a string");
    c.defaultModel = def;
    const rules = a.get("rules");
    if (rules === null || rules.isNull) return c;
    const list = rules.asArray();
    if (list === null) return err.fail<RouterConfig>("autoRouting.rules must be an array of {pattern, model}");
    for (let i = 0; i < list.length; i++) {
      const at = "autoRouting.rules[" + i.toString() + "]";
      const r = list[i].asObject();
      if (r === null) return err.fail<RouterConfig>(at + " must be an object with pattern and model");
      const pattern = optionalString(r, "pattern");
      const model = optionalString(r, "model");
      if (pattern === null || model === null) return err.fail<RouterConfig>(at + ": pattern and model must be strings");
      // Higress skips an incomplete rule or a pattern that does not compile, with a warning, and loads the rest.
      if (pattern.length == 0 || model.length == 0) {
        log.warn("skipping invalid auto routing rule: pattern=" + pattern + ", model=" + model);
        continue;
      }
      const re = Regex.compile(pattern);
      if (re.regex === null) {
        log.warn("failed to compile regex pattern '" + pattern + "': " + re.error);
        continue;
      }
      c.patterns.push(re.regex!);
      c.models.push(model);
    }
    return c;
  }

  newFilter(): HttpFilter<RouterConfig> { return new ModelRouterFilter(); }
}

/** A value as gjson's String() gives it: strings decoded, absent and null as "", the rest as JSON. */
function gjsonText(v: JsonValue | null): string {
  if (v === null || v.isNull) return "";
  if (v.isString) return v.str;
  return v.stringify();
}

/**
 * The last `user` message's text as Higress reads it: a string content, or the last `text` part of
 * an array content (a user message whose array has no text part keeps the previous one's text).
 */
function lastUserMessage(body: ArrayBuffer): string {
  const r = parseJsonBytes(body);
  if (!r.ok) return "";
  const root = r.value!.asObject();
  if (root === null) return "";
  const messages = root.getArray("messages");
  if (messages === null) return "";
  let last = "";
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i].asObject();
    if (m === null || gjsonText(m.get("role")) != "user") continue;
    const content = m.get("content");
    const parts: Array<JsonValue> | null = content === null ? null : content.asArray();
    if (parts === null) { last = gjsonText(content); continue; }
    for (let j = 0; j < parts.length; j++) {
      const p = parts[j].asObject();
      if (p !== null && gjsonText(p.get("type")) == "text") last = gjsonText(p.get("text"));
    }
  }
  return last;
}

class ModelRouterFilter extends HttpFilter<RouterConfig> {
  private contentType: string = "";

  onRequestHeaders(endOfStream: bool): Action {
    if (endOfStream || !pathHasSuffix(this.requestHeaders.getBytes(":path"), this.config.suffixes, true)) return Action.Continue;
    const contentType = this.requestHeaders.get("content-type");
    // Higress reads only JSON and multipart bodies; any other is not buffered at all.
    if (contentType === null || (!contentType.includes("application/json") && !contentType.includes("multipart/form-data"))) return Action.Continue;
    this.contentType = contentType;
    this.requestHeaders.remove("content-length");
    this.requestBodyMode = BodyMode.Buffer;
    this.requestBodyLimit = BODY_LIMIT;
    // The headers wait for the body: the routing headers are set from it (Higress: HeaderStopIteration).
    return Action.Pause;
  }

  onRequestBody(body: ArrayBuffer): Action {
    if (this.contentType.includes("application/json")) this.routeJson(body);
    else this.routeMultipart(body, this.contentType);
    return Action.Continue;
  }

  /** Higress sets these headers as they come; a CR, LF or NUL from the body is not let through. */
  private setHeader(name: string, value: ArrayBuffer): void {
    if (!isSafeHeaderValue(value)) {
      log.warn("not setting header " + name + ": the value holds CR, LF or NUL");
      return;
    }
    this.requestHeaders.setBytes(name, value);
  }

  private routeJson(body: ArrayBuffer): void {
    const c = this.config;
    const model = modelFieldText(body, c.modelKey);
    if (model === null) {
      log.error("invalid json body");
      return;
    }
    if (model.length == 0) return;
    if (c.autoEnabled && model == AUTO_MODEL) {
      this.autoRoute(body);
      return;
    }
    if (c.modelToHeader.length > 0) this.setHeader(c.modelToHeader, String.UTF8.encode(model));
    if (c.addProviderHeader.length == 0) return;
    const slash = model.indexOf("/");
    if (slash < 0) {
      log.debug("model route to provider not work, model: " + quoteJsonString(model)); // quoted: no line breaks from the body in the log
      return;
    }
    this.setHeader(c.addProviderHeader, String.UTF8.encode(model.substring(0, slash)));
    const out = setTopLevelString(body, c.modelKey, model.substring(slash + 1));
    if (out === null) {
      log.error("failed to update model in json body: the body is not a JSON object");
      return;
    }
    this.replaceRequestBody(out);
  }

  private autoRoute(body: ArrayBuffer): void {
    const c = this.config;
    const message = lastUserMessage(body);
    let target = "";
    if (message.length > 0) {
      for (let i = 0; i < c.patterns.length; i++) {
        if (c.patterns[i].test(message)) {
          target = c.models[i];
          log.info("auto routing: user message matched, routing to model: " + target);
          break;
        }
      }
    }
    if (target.length == 0 && c.defaultModel.length > 0) {
      target = c.defaultModel;
      log.info("auto routing: no rule matched, using default model: " + target);
    }
    if (target.length == 0) {
      log.warn("auto routing: no rule matched and no default model configured");
      return;
    }
    this.setHeader(AUTO_HEADER, String.UTF8.encode(target));
    const out = setTopLevelString(body, c.modelKey, target);
    if (out === null) {
      log.error("failed to update model in auto routing json body: the body is not a JSON object");
      return;
    }
    this.replaceRequestBody(out);
  }

  private routeMultipart(body: ArrayBuffer, contentType: string): void {
    const c = this.config;
    const boundary = multipartBoundary(contentType);
    if (boundary === null) {
      log.error("no boundary in content type");
      return;
    }
    const fields = findFormFields(body, boundary, c.modelKey);
    if (fields === null) {
      log.error("failed to read multipart body");
      return;
    }
    const base = changetype<usize>(body);
    // Only the split changes bytes: [start, end) of a field becomes the model after the slash.
    const cuts = new Array<FieldSpan>();
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i];
      const model = String.UTF8.decodeUnsafe(base + <usize>f.start, <usize>(f.end - f.start));
      if (c.modelToHeader.length > 0) this.setHeader(c.modelToHeader, body.slice(f.start, f.end));
      if (c.addProviderHeader.length == 0) continue;
      let slash = -1;
      for (let j = f.start; j < f.end; j++) if (load<u8>(base + <usize>j) == 0x2f) { slash = j; break; }
      if (slash < 0) {
        log.debug("model route to provider not work, model: " + quoteJsonString(model)); // quoted: no line breaks from the body in the log
        continue;
      }
      // Cut on bytes ('/' never occurs inside a UTF-8 sequence), so the rest goes on as sent.
      this.setHeader(c.addProviderHeader, body.slice(f.start, slash));
      cuts.push(new FieldSpan(f.start, slash + 1));
    }
    if (cuts.length == 0) return;
    let size = body.byteLength;
    for (let i = 0; i < cuts.length; i++) size -= cuts[i].end - cuts[i].start;
    const out = new ArrayBuffer(size);
    const dst = changetype<usize>(out);
    let copied = 0;
    let written = 0;
    for (let i = 0; i < cuts.length; i++) {
      const n = cuts[i].start - copied;
      memory.copy(dst + <usize>written, base + <usize>copied, <usize>n);
      written += n;
      copied = cuts[i].end;
    }
    memory.copy(dst + <usize>written, base + <usize>copied, <usize>(body.byteLength - copied));
    this.replaceRequestBody(out);
  }
}

registerPlugin("model-router", () => new ModelRouter());
