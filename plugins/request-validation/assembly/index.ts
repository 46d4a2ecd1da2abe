// request-validation: checks request headers and the JSON body against JSON Schemas before the
// request goes upstream. Configuration, order and answers follow Higress's request-validation
// plugin (see README.md): the headers are validated as one object of name → value (the last of a
// repeated header wins, pseudo-headers included), then the body, parsed as JSON; a failure is
// answered with rejected_code (403) and rejected_msg. One deliberate difference: a schema that
// does not compile is refused at configuration time (Higress compiles it per request, logs the
// error and lets the request through).
import { Plugin, HttpFilter, Action, BodyMode, ConfigError, JsonObject, JsonValue, registerPlugin, log } from "@sluice/sdk";
import { parseJson, parseJsonBytes, decodeUtf8, JsonKind } from "@sluice/sdk/json";
import { Schema, Draft } from "@sluice/sdk/jsonschema";
export * from "@sluice/sdk/exports";

const DEFAULT_REJECTED_CODE: u32 = 403;

class ValidationConfig {
  headerSchema: Schema | null = null;
  bodySchema: Schema | null = null;
  rejectedCode: u32 = DEFAULT_REJECTED_CODE;
  rejectedMsg: string = "";
  draft: Draft = Draft.Draft7;
}

/** gjson's Bool(): true, a non-zero number, or a string strconv.ParseBool reads as true. */
function gjsonBool(json: JsonObject, key: string): bool {
  const v = json.get(key);
  if (v === null) return false;
  if (v.isBool) return v.bool;
  if (v.isNumber) return v.num != 0;
  if (v.isString) {
    const s = v.str.toLowerCase();
    return s == "1" || s == "t" || s == "true";
  }
  return false;
}

/** gjson's Int(): a number truncated, or a numeric string; else 0. */
function gjsonInt(json: JsonObject, key: string): i64 {
  const v = json.get(key);
  if (v === null) return 0;
  if (v.isNumber) return v.asInt(0);
  if (v.isString) {
    const r = parseJson(v.str.trim());
    if (r.ok && r.value!.isNumber) return r.value!.asInt(0);
  }
  return 0;
}

/**
 * A schema field: Higress reads it as text (gjson's String()), so an object is its JSON and a
 * string holds JSON text; absent, null or "" turns the check off (null result, no error).
 */
function schemaField(json: JsonObject, key: string, draft: Draft, err: ConfigError): Schema | null {
  const v = json.get(key);
  if (v === null || v.isNull || v.isEmptyString) return null;
  let doc: JsonValue = v;
  if (v.isString) {
    const r = parseJson(v.str);
    if (!r.ok) { err.fail<Schema>(key + ": not a valid JSON schema: " + r.error); return null; }
    doc = r.value!;
  }
  // Higress's validator (santhosh-tekuri/jsonschema v1) asserts the formats it knows in draft-04/-07.
  const c = Schema.compile(doc, draft, true);
  if (!c.ok) { err.fail<Schema>(key + ": " + c.error); return null; }
  return c.schema;
}

class RequestValidation extends Plugin<ValidationConfig> {
  parseConfig(json: JsonObject, global: ValidationConfig | null, err: ConfigError): ValidationConfig | null {
    const c = new ValidationConfig();
    const swagger = gjsonBool(json, "enable_swagger");
    const oas3 = gjsonBool(json, "enable_oas3");
    if (swagger && oas3) return err.fail<ValidationConfig>("enable_swagger and enable_oas3 can not be true at the same time");
    // Swagger 2.0 schemas are draft-04; OpenAPI 3 and the default are draft-07.
    c.draft = swagger ? Draft.Draft4 : Draft.Draft7;
    c.headerSchema = schemaField(json, "header_schema", c.draft, err);
    if (err.failed) return null;
    c.bodySchema = schemaField(json, "body_schema", c.draft, err);
    if (err.failed) return null;
    const code = gjsonInt(json, "rejected_code");
    // As Higress: a code outside 101..599 falls back to 403.
    c.rejectedCode = code > 100 && code < 600 ? <u32>code : DEFAULT_REJECTED_CODE;
    const msg = json.get("rejected_msg");
    if (msg !== null) {
      const t = msg.isString ? msg.str : msg.isNull ? "" : msg.stringify();
      c.rejectedMsg = t;
    }
    return c;
  }

  newFilter(): HttpFilter<ValidationConfig> { return new RequestValidationFilter(); }
}

class RequestValidationFilter extends HttpFilter<ValidationConfig> {
  onRequestHeaders(endOfStream: bool): Action {
    const c = this.config;
    const hs = c.headerSchema;
    if (hs !== null) {
      const pairs = this.requestHeaders.pairs();
      const obj = new JsonObject();
      for (let i = 0; i < pairs.length; i++) obj.setString(pairs[i].name, pairs[i].value);
      const e = hs.validate(JsonValue.fromObject(obj));
      if (e !== null) {
        log.error("validate request headers failed: " + e!);
        return this.respond(c.rejectedCode, c.rejectedMsg, [], "request-validation.invalid_headers");
      }
    }
    if (c.bodySchema !== null && !endOfStream) this.requestBodyMode = BodyMode.Buffer;
    return Action.Continue;
  }

  onRequestBody(body: ArrayBuffer): Action {
    const c = this.config;
    const bs = c.bodySchema;
    if (bs === null) return Action.Continue;
    let r = parseJsonBytes(body);
    // Go's json.Unmarshal replaces invalid UTF-8 in strings with U+FFFD and validates the rest;
    // so do we (a stray byte must not turn validation off).
    if (!r.ok && r.error.startsWith("invalid UTF-8")) r = parseJson(decodeUtf8(body));
    // Go nests up to 10000 levels, our parser 128: a deeper body is refused rather than passed on
    // unvalidated (Higress would have validated it).
    if (!r.ok && r.error.startsWith("JSON nested too deeply")) {
      log.error("validate request body failed: " + r.error);
      return this.respond(c.rejectedCode, c.rejectedMsg, [], "request-validation.invalid_body");
    }
    // As Higress (json.Unmarshal into a map): a body that is not a JSON object — or null — is not
    // validated and goes on; null is validated as null.
    if (!r.ok) {
      log.error("unmarshal body failed: " + r.error);
      return Action.Continue;
    }
    const v = r.value!;
    if (v.kind != JsonKind.Object && v.kind != JsonKind.Null) {
      log.error("unmarshal body failed: the body is not a JSON object");
      return Action.Continue;
    }
    const e = bs.validate(v);
    if (e !== null) {
      log.error("validate request body failed: " + e!);
      return this.respond(c.rejectedCode, c.rejectedMsg, [], "request-validation.invalid_body");
    }
    return Action.Continue;
  }
}

registerPlugin("request-validation", () => new RequestValidation());
