// ai-prompt-decorator: adds configured messages before and after a chat request's own messages
// and rewrites message text with literal or RE2 rules. Configuration and behaviour follow
// Higress's ai-prompt-decorator (prepend, append, replace, `${geo-*}` variables); Anthropic
// /v1/messages bodies are a Sluice extension: system-role decorations go to the top-level
// `system` field there, since that API has no system messages (README.md).
import { Plugin, HttpFilter, Action, BodyMode, ConfigError, JsonObject, JsonValue, registerPlugin, log, properties } from "@sluice/sdk";
import { parseJsonBytes, setTopLevelRaw } from "@sluice/sdk/json";
import { Regex } from "@sluice/sdk/regex";
import { AiApi, classifyAiPathString, spliceMessages, topLevelFields, parseSpan, replaceSpans } from "@sluice/sdk/ai";
export * from "@sluice/sdk/exports";

class Message {
  constructor(public role: string, public content: string) {}
}

class ReplaceRule {
  constructor(public pattern: string, public replacement: string, public onRole: string, public regex: Regex | null) {}

  apply(text: string): string {
    const r = this.regex;
    return r !== null ? r.replaceAll(text, this.replacement) : text.replaceAll(this.pattern, this.replacement);
  }
}

class DecoratorConfig {
  prepend: Array<Message> = [];
  append: Array<Message> = [];
  replace: Array<ReplaceRule> = [];
}

function parseMessages(json: JsonObject, field: string, out: Array<Message>, err: ConfigError): bool {
  const v = json.get(field);
  if (v === null || v.isNull) return true;
  const list = v.asArray();
  if (list === null) { err.fail<DecoratorConfig>(field + " must be an array of {role, content} messages"); return false; }
  for (let i = 0; i < list.length; i++) {
    const at = field + "[" + i.toString() + "]";
    const o = list[i].asObject();
    if (o === null) { err.fail<DecoratorConfig>(at + " must be an object with role and content"); return false; }
    const role = o.getString("role");
    const content = o.getString("content");
    // Higress would send `"role":""` for a missing field, which every provider refuses.
    if (role === null || role.length == 0) { err.fail<DecoratorConfig>(at + ".role must be a non-empty string"); return false; }
    if (content === null) { err.fail<DecoratorConfig>(at + ".content must be a string"); return false; }
    out.push(new Message(role, content));
  }
  return true;
}

class PromptDecorator extends Plugin<DecoratorConfig> {
  parseConfig(json: JsonObject, global: DecoratorConfig | null, err: ConfigError): DecoratorConfig | null {
    const c = new DecoratorConfig();
    if (!parseMessages(json, "prepend", c.prepend, err)) return null;
    if (!parseMessages(json, "append", c.append, err)) return null;
    const rv = json.get("replace");
    if (rv !== null && !rv.isNull) {
      const rules = rv.asArray();
      if (rules === null) return err.fail<DecoratorConfig>("replace must be an array of {pattern, replacement, on_role, regex} rules");
      for (let i = 0; i < rules.length; i++) {
        const at = "replace[" + i.toString() + "]";
        const o = rules[i].asObject();
        if (o === null) return err.fail<DecoratorConfig>(at + " must be an object");
        const pattern = o.getString("pattern");
        if (pattern === null || pattern.length == 0) return err.fail<DecoratorConfig>(at + ".pattern must be a non-empty string");
        const replacement = o.getString("replacement");
        if (replacement === null) return err.fail<DecoratorConfig>(at + ".replacement must be a string");
        const onRole = o.getString("on_role");
        let regex: Regex | null = null;
        if (o.getBool("regex", false)) {
          const r = Regex.compile(pattern);
          if (!r.ok) return err.fail<DecoratorConfig>(at + ".pattern: " + r.error);
          regex = r.regex;
        }
        c.replace.push(new ReplaceRule(pattern, replacement, onRole === null ? "" : onRole, regex));
      }
    }
    return c;
  }

  newFilter(): HttpFilter<DecoratorConfig> { return new PromptDecoratorFilter(); }
}

const GEO = ["geo-country", "geo-province", "geo-city", "geo-isp"];

/** `${geo-*}` filled from the properties geo-ip sets; null when one is used but not set. */
function withGeo(content: string): string | null {
  if (!content.includes("${geo-")) return content;
  let out = content;
  for (let i = 0; i < GEO.length; i++) {
    const key = "${" + GEO[i] + "}";
    if (!out.includes(key)) continue;
    const v = properties.getString([GEO[i]]);
    if (v === null) { log.warn("property " + GEO[i] + " is not set (is geo-ip before this plugin?): request passed undecorated"); return null; }
    out = out.replaceAll(key, v);
  }
  return out;
}

function rewrite(text: string, role: string, rules: Array<ReplaceRule>): string {
  let out = text;
  for (let i = 0; i < rules.length; i++) {
    const r = rules[i];
    if (r.onRole.length > 0 && r.onRole != role) continue;
    out = r.apply(out);
  }
  return out;
}

function messageValue(m: Message): JsonValue {
  const o = new JsonObject();
  o.setString("role", m.role);
  o.setString("content", m.content);
  return JsonValue.fromObject(o);
}

/** Comma-separated message objects, ready to splice into an array. */
function rawItems(list: Array<Message>): ArrayBuffer {
  if (list.length == 0) return new ArrayBuffer(0);
  const parts = new Array<string>(list.length);
  for (let i = 0; i < list.length; i++) parts[i] = messageValue(list[i]).stringify();
  return String.UTF8.encode(parts.join(","));
}

function textBlock(text: string): JsonValue {
  const o = new JsonObject();
  o.setString("type", "text");
  o.setString("text", text);
  return JsonValue.fromObject(o);
}

class PromptDecoratorFilter extends HttpFilter<DecoratorConfig> {
  private anthropic: bool = false;

  onRequestHeaders(endOfStream: bool): Action {
    const c = this.config;
    if (endOfStream || c.prepend.length + c.append.length + c.replace.length == 0) return Action.Continue;
    const p = this.requestHeaders.get(":path");
    this.anthropic = classifyAiPathString(p === null ? "" : p) == AiApi.AnthropicMessages;
    this.requestBodyMode = BodyMode.Buffer;
    this.requestHeaders.remove("content-length");
    return Action.Continue;
  }

  onRequestBody(body: ArrayBuffer): Action {
    const c = this.config;
    // Decorations with their variables filled; on Anthropic's API system ones go to `system`.
    const pre = new Array<Message>();
    const app = new Array<Message>();
    const preSystem = new Array<string>();
    const appSystem = new Array<string>();
    for (let pass = 0; pass < 2; pass++) {
      const src = pass == 0 ? c.prepend : c.append;
      for (let i = 0; i < src.length; i++) {
        const content = withGeo(src[i].content);
        if (content === null) return Action.Continue;
        if (this.anthropic && src[i].role == "system") (pass == 0 ? preSystem : appSystem).push(content);
        else (pass == 0 ? pre : app).push(new Message(src[i].role, content));
      }
    }
    let out: ArrayBuffer | null = c.replace.length == 0
      ? spliceMessages(body, rawItems(pre), rawItems(app))
      : this.rebuildMessages(body, pre, app);
    if (out === null) {
      log.warn("request body is not a JSON object with a messages array: passed unchanged");
      return Action.Continue;
    }
    if (this.anthropic) {
      out = this.decorateSystem(out, preSystem, appSystem);
      if (out === null) return Action.Continue;
    }
    this.replaceRequestBody(out);
    return Action.Continue;
  }

  /** The tree path, for rewrite rules: they need each message's role and decoded text. */
  private rebuildMessages(body: ArrayBuffer, pre: Array<Message>, app: Array<Message>): ArrayBuffer | null {
    const spans = topLevelFields(body, "messages");
    if (spans === null || spans.length == 0) return null;
    const orig = parseSpan(body, spans[spans.length - 1]);
    if (orig === null || !orig.isArray) return null;
    const items = orig.asArray()!;
    const all = new Array<JsonValue>();
    for (let i = 0; i < pre.length; i++) all.push(messageValue(pre[i]));
    for (let i = 0; i < items.length; i++) all.push(items[i]);
    for (let i = 0; i < app.length; i++) all.push(messageValue(app[i]));
    for (let i = 0; i < all.length; i++) {
      const o = all[i].asObject();
      if (o === null) continue;
      const content = o.get("content");
      // Multimodal content (parts) is left as it is, as in Higress.
      if (content === null || !content.isString) continue;
      const role = o.getString("role");
      const text = content.str;
      const next = rewrite(text, role === null ? "" : role, this.config.replace);
      if (next != text) o.setString("content", next);
    }
    return replaceSpans(body, spans, JsonValue.fromArray(all).toBytes());
  }

  /** Anthropic: system decorations around the client's `system` (a string or text blocks). */
  private decorateSystem(body: ArrayBuffer, pre: Array<string>, app: Array<string>): ArrayBuffer | null {
    const rules = this.config.replace;
    if (pre.length + app.length + rules.length == 0) return body;
    const spans = topLevelFields(body, "system");
    if (spans === null) return null;
    const cur = spans.length > 0 ? parseSpan(body, spans[spans.length - 1]) : null;
    let value: JsonValue;
    if (cur === null || cur.isNull || cur.isString) {
      const parts = pre.slice(0);
      if (cur !== null && cur.isString && !cur.isEmptyString) parts.push(cur.str);
      for (let i = 0; i < app.length; i++) parts.push(app[i]);
      if (parts.length == 0) return body;
      const text = parts.join("\n");
      const next = rewrite(text, "system", rules);
      if (pre.length + app.length == 0 && next == text) return body;
      value = JsonValue.fromString(next);
    } else if (cur.isArray) {
      if (pre.length + app.length == 0) return body;
      const blocks = new Array<JsonValue>();
      for (let i = 0; i < pre.length; i++) blocks.push(textBlock(pre[i]));
      const items = cur.asArray()!;
      for (let i = 0; i < items.length; i++) blocks.push(items[i]);
      for (let i = 0; i < app.length; i++) blocks.push(textBlock(app[i]));
      value = JsonValue.fromArray(blocks);
    } else {
      log.warn("system is neither a string nor an array: left as it is");
      return body;
    }
    if (spans.length == 0) return setTopLevelRaw(body, "system", value.stringify());
    return replaceSpans(body, spans, value.toBytes());
  }
}

registerPlugin("ai-prompt-decorator", () => new PromptDecorator());
