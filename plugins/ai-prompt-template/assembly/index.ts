// ai-prompt-template: a request `{"template": name, "properties": {...}}` becomes the named
// template from the configuration with each `{{key}}` filled in. Configuration and behaviour
// follow Higress's ai-prompt-template, except where its code produces a broken request: values
// are substituted into the template's decoded strings and re-escaped (Higress pastes them into the
// raw JSON text, so a `"` in a value breaks or rewrites the body), and an unknown template name is
// refused with a 400 (Higress sends an empty body upstream). See README.md.
import { Plugin, HttpFilter, Action, BodyMode, ConfigError, JsonObject, JsonValue, JsonKind, HeaderPair, registerPlugin, log } from "@sluice/sdk";
import { parseJsonBytes, JsonWriter } from "@sluice/sdk/json";
import { AiApi, classifyAiPathString, openaiErrorJson, anthropicErrorJson } from "@sluice/sdk/ai";
export * from "@sluice/sdk/exports";

class TemplateConfig {
  names: Array<string> = [];
  templates: Array<JsonValue> = [];

  find(name: string): JsonValue | null {
    // The last of two templates with one name wins, as in Higress's map.
    for (let i = this.names.length - 1; i >= 0; i--) if (this.names[i] == name) return this.templates[i];
    return null;
  }
}

class PromptTemplate extends Plugin<TemplateConfig> {
  parseConfig(json: JsonObject, global: TemplateConfig | null, err: ConfigError): TemplateConfig | null {
    const c = new TemplateConfig();
    const list = json.getArray("templates");
    if (list === null) return err.fail<TemplateConfig>("templates must be an array of {name, template} objects");
    for (let i = 0; i < list.length; i++) {
      const at = "templates[" + i.toString() + "]";
      const o = list[i].asObject();
      if (o === null) return err.fail<TemplateConfig>(at + " must be an object with name and template");
      const name = o.getString("name");
      if (name === null || name.length == 0) return err.fail<TemplateConfig>(at + ".name must be a non-empty string");
      const t = o.get("template");
      if (t === null || !t.isObject) return err.fail<TemplateConfig>(at + ".template must be an object (the request body to send)");
      c.names.push(name);
      c.templates.push(t);
    }
    return c;
  }

  newFilter(): HttpFilter<TemplateConfig> { return new PromptTemplateFilter(); }
}

/** A property's text as Higress's gjson `String()` gives it: strings decoded, null empty, the rest as JSON. */
function propertyText(v: JsonValue): string {
  if (v.isString) return v.str;
  if (v.isNull) return "";
  return v.stringify();
}

/** `{{key}}` → the property's text, in one left-to-right pass: inserted text is not scanned again. */
function fill(s: string, props: JsonObject | null): string {
  if (props === null || !s.includes("{{")) return s;
  const out = new Array<string>();
  let from = 0;
  let i = s.indexOf("{{");
  while (i >= 0) {
    const j = s.indexOf("}}", i + 2);
    if (j < 0) break;
    const v = props.get(s.substring(i + 2, j));
    if (v === null) { i = s.indexOf("{{", i + 1); continue; } // a missing property stays `{{key}}`, as in Higress
    out.push(s.substring(from, i));
    out.push(propertyText(v));
    from = j + 2;
    i = s.indexOf("{{", from);
  }
  if (from == 0) return s;
  out.push(s.substring(from));
  return out.join("");
}

function emit(w: JsonWriter, v: JsonValue, props: JsonObject | null): void {
  switch (v.kind) {
    case JsonKind.String: w.string(fill(v.str, props)); break;
    case JsonKind.Array: {
      const a = v.asArray()!;
      w.beginArray();
      for (let i = 0; i < a.length; i++) emit(w, a[i], props);
      w.endArray();
      break;
    }
    case JsonKind.Object: {
      const o = v.asObject()!;
      w.beginObject();
      for (let i = 0; i < o.size; i++) {
        w.key(o.keyAt(i)!);
        emit(w, o.valueAt(i)!, props);
      }
      w.endObject();
      break;
    }
    default: w.value(v);
  }
}

class PromptTemplateFilter extends HttpFilter<TemplateConfig> {
  private anthropic: bool = false;

  onRequestHeaders(endOfStream: bool): Action {
    const enable = this.requestHeaders.get("template-enable");
    if (endOfStream || (enable !== null && enable == "false")) return Action.Continue;
    const p = this.requestHeaders.get(":path");
    this.anthropic = classifyAiPathString(p === null ? "" : p) == AiApi.AnthropicMessages;
    this.requestBodyMode = BodyMode.Buffer;
    this.requestHeaders.remove("content-length");
    return Action.Continue;
  }

  onRequestBody(body: ArrayBuffer): Action {
    const r = parseJsonBytes(body);
    if (!r.ok) return Action.Continue;
    const root = r.value!.asObject();
    if (root === null) return Action.Continue;
    const name = root.get("template");
    const props = root.get("properties");
    // Both must be present (any type), as in Higress; otherwise the body is not a template request.
    if (name === null || props === null) return Action.Continue;
    const key = propertyText(name);
    const t = this.config.find(key);
    if (t === null) {
      const msg = "unknown prompt template: " + key;
      log.info(msg);
      return this.respond(400, this.anthropic ? anthropicErrorJson(400, msg) : openaiErrorJson(400, msg, "template_not_found"),
        [new HeaderPair("content-type", "application/json")], "ai-prompt-template.unknown_template");
    }
    const w = new JsonWriter(body.byteLength + 256);
    emit(w, t, props.asObject());
    this.replaceRequestBody(w.takeBytes());
    return Action.Continue;
  }
}

registerPlugin("ai-prompt-template", () => new PromptTemplate());
