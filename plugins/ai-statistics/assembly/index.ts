// ai-statistics: per-request LLM observability in Higress's format. Tokens (input, output,
// total), model, consumer, first-token and total latency go to the `ai_log` filter state (merged
// with what other plugins wrote) and to counters named as Higress names them:
//   route.<route>.upstream.<cluster>.model.<model>.consumer.<consumer>.metric.<name>
// plus configurable attributes from fixed values, headers and request/response bodies.
import { Plugin, HttpFilter, BodyMode, Action, ConfigError, JsonObject, JsonValue, registerPlugin, log, Counter, Histogram, HeaderSnapshot, IS_HIGRESS, time, properties, routeName, clusterName } from "@sluice/sdk";
import { ResponseTracker, StreamEventSink, accountUsage, usageSourceName, UsageSource, UserAttributes, escapeOnce, AiApi, classifyAiPath, aiApiSpendsTokens } from "@sluice/sdk/ai";
import { parseJsonBytes, JsonObjectView } from "@sluice/sdk/json";
export * from "@sluice/sdk/exports";

const FIXED = "fixed_value";
const REQ_HEADER = "request_header";
const REQ_BODY = "request_body";
const RESP_HEADER = "response_header";
const RESP_BODY = "response_body";
const RESP_STREAM = "response_streaming_body";

const BUILTINS = ["question", "system", "answer", "reasoning", "reasoning_tokens", "cached_tokens"];
const SESSION_HEADERS = ["x-openclaw-session-key", "x-clawdbot-session-key", "x-moltbot-session-key", "x-agent-session"];

class Attribute {
  key: string = "";
  source: string = "";
  value: string = "";
  defaultValue: string = "";
  rule: string = "";
  applyToLog: bool = false;
  applyToSpan: bool = false;
  traceSpanKey: string = "";
  separateField: bool = false;
  /** The source this attribute is evaluated at (the builtin's when value_source is empty). */
  effectiveSources(): Array<string> {
    if (this.source.length > 0) return [this.source];
    const k = this.key;
    if (k == "question" || k == "system") return [REQ_BODY];
    if (BUILTINS.includes(k)) return [RESP_STREAM, RESP_BODY];
    return [];
  }
}

class Config {
  attributes: Array<Attribute> = [];
  disableUsage: bool = false;
  valueLengthLimit: i32 = 32000;
  pathSuffixes: Array<string> = [];
  contentTypes: Array<string> = [];
  sessionHeader: string = "";
  needRequestBody: bool = false;
  /** use_default_* without enable_path_suffixes: only the token-spending LLM APIs. */
  onlyTokenApis: bool = false;
}

function defaultAttributes(full: bool): Array<Attribute> {
  const out = new Array<Attribute>();
  const keys = full ? ["messages", "question", "system", "answer", "reasoning", "reasoning_tokens", "cached_tokens"] : ["reasoning_tokens", "cached_tokens"];
  for (let i = 0; i < keys.length; i++) {
    const a = new Attribute();
    a.key = keys[i];
    a.applyToLog = true;
    if (keys[i] == "messages") { a.source = REQ_BODY; a.value = "messages"; }
    if (keys[i] == "answer" || keys[i] == "reasoning") a.rule = "append";
    out.push(a);
  }
  return out;
}

/**
 * The metrics of one route, cluster, model and consumer, named as Higress names them
 * (`route.<route>.upstream.<cluster>.model.<model>.consumer.<consumer>.metric.<name>`), made
 * once: a request of the same four costs no name building and no lookup by name.
 */
class MetricSet {
  inputToken: Counter;
  outputToken: Counter;
  totalToken: Counter;
  firstTokenDuration: Counter;
  streamDurationCount: Counter;
  serviceDuration: Counter;
  durationCount: Counter;
  firstTokenLatency: Histogram;
  serviceLatency: Histogram;

  constructor(base: string, public route: string, public cluster: string, public model: string, public consumer: string) {
    this.inputToken = new Counter(base + "input_token");
    this.outputToken = new Counter(base + "output_token");
    this.totalToken = new Counter(base + "total_token");
    this.firstTokenDuration = new Counter(base + "llm_first_token_duration");
    this.streamDurationCount = new Counter(base + "llm_stream_duration_count");
    this.serviceDuration = new Counter(base + "llm_service_duration");
    this.durationCount = new Counter(base + "llm_duration_count");
    this.firstTokenLatency = new Histogram(base + "llm_first_token_latency");
    this.serviceLatency = new Histogram(base + "llm_service_latency");
  }

  is(route: string, cluster: string, model: string, consumer: string): bool {
    return this.route == route && this.cluster == cluster && this.model == model && this.consumer == consumer;
  }
}

/** Counters refuse increments ≤ 0 (as Higress skips them); latencies below zero record as 0. */
function count(c: Counter, n: i64): void { if (n > 0) c.increment(n); }
function record(h: Histogram, v: i64): void { h.record(<u64>(v < 0 ? 0 : v)); }

class AiStatistics extends Plugin<Config> {
  metricSets: Map<string, MetricSet> = new Map<string, MetricSet>();
  /** The set the last request used: most requests repeat it. */
  lastSet: MetricSet | null = null;

  parseConfig(json: JsonObject, global: Config | null, err: ConfigError): Config | null {
    const c = new Config();
    const full = json.getBool("use_default_attributes", false);
    const light = json.getBool("use_default_response_attributes", false);
    const hasLimit = json.has("value_length_limit");
    if (hasLimit) c.valueLengthLimit = <i32>json.getInt("value_length_limit", 32000);
    if (full) {
      c.attributes = defaultAttributes(true);
      if (!hasLimit) c.valueLengthLimit = 10485760;
    } else if (light) {
      c.attributes = defaultAttributes(false);
      if (!hasLimit) c.valueLengthLimit = 4000;
    } else {
      const list = json.getArray("attributes");
      if (list !== null) {
        for (let i = 0; i < list.length; i++) {
          const o = list[i].asObject();
          if (o === null) return err.fail<Config>("attributes[" + i.toString() + "] must be an object");
          const a = new Attribute();
          const k = o.getString("key");
          a.key = k === null ? "" : k;
          const s = o.getString("value_source");
          if (s !== null) a.source = s;
          if (a.source.length > 0 && a.source != FIXED && a.source != REQ_HEADER && a.source != REQ_BODY && a.source != RESP_HEADER && a.source != RESP_BODY && a.source != RESP_STREAM) {
            return err.fail<Config>("value_source must be one of [fixed_value, request_header, request_body, response_header, response_body, response_streaming_body]");
          }
          const v = o.getString("value");
          if (v !== null) a.value = v;
          const d = o.getString("default_value");
          if (d !== null) a.defaultValue = d;
          const r = o.getString("rule");
          if (r !== null) a.rule = r;
          if (a.rule.length > 0 && a.rule != "first" && a.rule != "replace" && a.rule != "append") return err.fail<Config>("value of rule must be one of [nil, first, replace, append]");
          a.applyToLog = o.getBool("apply_to_log", false);
          a.applyToSpan = o.getBool("apply_to_span", false);
          const t = o.getString("trace_span_key");
          if (t !== null) a.traceSpanKey = t;
          a.separateField = o.getBool("as_separate_log_field", false);
          c.attributes.push(a);
        }
      }
    }
    for (let i = 0; i < c.attributes.length; i++) if (c.attributes[i].effectiveSources().includes(REQ_BODY)) c.needRequestBody = true;
    c.disableUsage = json.getBool("disable_openai_usage", false);
    const suffixes = json.getStringArray("enable_path_suffixes");
    // Higress's defaults here are ["/completions", "/messages"]; token-spending APIs are recorded
    // whatever the list says (pathEnabled), so the defaults add nothing else.
    if ((full || light) && suffixes === null) { c.pathSuffixes = []; c.onlyTokenApis = true; }
    else if (suffixes !== null) c.pathSuffixes = suffixes.includes("*") ? [] : suffixes;
    const types = json.getStringArray("enable_content_types");
    if (types !== null) c.contentTypes = types.includes("*") ? [] : types;
    const sh = json.getString("session_id_header");
    if (sh !== null) c.sessionHeader = sh;
    return c;
  }

  newFilter(): HttpFilter<Config> { return new StatisticsFilter(); }

  metricsOf(route: string, cluster: string, model: string, consumer: string): MetricSet {
    const last = this.lastSet;
    if (last !== null && last.is(route, cluster, model, consumer)) return last;
    // Keyed by the names' common prefix: four values that make the same names share the metrics.
    const base = "route." + route + ".upstream." + cluster + ".model." + model + ".consumer." + consumer + ".metric.";
    let set: MetricSet;
    if (this.metricSets.has(base)) set = this.metricSets.get(base);
    else { set = new MetricSet(base, route, cluster, model, consumer); this.metricSets.set(base, set); }
    this.lastSet = set;
    return set;
  }
}

/** Per-attribute state while a stream goes by (rules first/replace/append). */
class StreamValue {
  value: JsonValue | null = null;
  text: string = "";
  seen: bool = false;
}

function nowMs(): i64 { return time.nowMillis(); }

class StatisticsFilter extends HttpFilter<Config> implements StreamEventSink {
  skip: bool = false;
  route: string = "";
  cluster: string = "";
  consumer: string = "none";
  startMs: i64 = 0;
  requestBytes: i64 = 0;
  requestModel: string = "";
  status: i32 = 0;
  attrs: UserAttributes = new UserAttributes();
  tracker: ResponseTracker = new ResponseTracker();
  streamValues: Array<StreamValue> = [];
  finished: bool = false;
  sawResponse: bool = false;
  api: AiApi = AiApi.Other;

  onRequestHeaders(endOfStream: bool): Action {
    // Every header this reads (path, consumer, length, session, attributes), in one host call.
    const headers = this.requestHeaders.snapshot();
    const path = headers.get(":path");
    const p = path === null ? "" : path;
    this.api = classifyAiPath(String.UTF8.encode(p));
    if (!pathEnabled(p, this.api, this.config)) { this.skip = true; return Action.Continue; }
    this.route = routeName();
    this.cluster = clusterName();
    // A route named `a@b@c[@…]` is an API: its first three parts name it.
    const first = this.route.indexOf("@");
    const second = first < 0 ? -1 : this.route.indexOf("@", first + 1);
    if (second >= 0) {
      const third = this.route.indexOf("@", second + 1);
      if (third >= 0) this.route = this.route.substring(0, third);
      this.attrs.setString("api", this.route);
    } else this.attrs.setString("api", "-");
    const consumer = headers.get("x-mse-consumer");
    if (consumer !== null && consumer.length > 0) this.consumer = consumer;
    this.startMs = nowMs();
    const cl = headers.get("content-length");
    if (cl !== null) { this.requestBytes = I64.parseInt(cl.trim()); if (this.requestBytes < 0) this.requestBytes = 0; }
    const sid = this.sessionId(headers);
    if (sid.length > 0) this.attrs.setString("session_id", sid);
    this.requestModel = modelFromPath(p);
    // A Gemini-style path carries the model; the body (when read) overrides it.
    setSpanTag("trace_span_tag.gen_ai.span.kind", "LLM");
    this.evaluate(FIXED, null);
    this.evaluate(REQ_HEADER, null, headers);
    if (endOfStream) this.finishRequest(null);
    else {
      this.requestBodyMode = BodyMode.Buffer;
      // Higress: raise this request's buffer limit to 100 MiB, as its ai-statistics does (Envoy
      // has no such property; the connection's buffer limit applies there).
      if (IS_HIGRESS) properties.setString(["set_decoder_buffer_limit"], "104857600");
    }
    this.responseBodyMode = BodyMode.Stream;
    return Action.Continue;
  }

  onRequestBody(body: ArrayBuffer): Action {
    if (this.requestBytes == 0) this.requestBytes = body.byteLength;
    // No attribute reads the request body: the model and the user rounds are read on its bytes.
    if (!this.config.needRequestBody) { this.finishRequestBytes(body); return Action.Continue; }
    let obj: JsonObject | null = null;
    if (body.byteLength > 0) {
      const r = parseJsonBytes(body);
      if (r.ok) obj = r.value!.asObject();
    }
    this.finishRequest(obj);
    return Action.Continue;
  }

  /** finishRequest without a tree (no request-body attributes to evaluate). */
  private finishRequestBytes(body: ArrayBuffer): void {
    let model = this.requestModel.length > 0 ? this.requestModel : "UNKNOWN";
    let rounds = 0;
    const v = body.byteLength > 0 ? JsonObjectView.of(body) : null;
    if (v !== null) {
      const m = v.getString("model");
      if (m !== null) model = m;
      const msgs = v.getObjects("messages");
      if (msgs !== null) {
        for (let i = 0; i < msgs.length; i++) { const r = msgs[i].getString("role"); if (r !== null && r == "user") rounds++; }
      } else {
        const contents = v.getObjects("contents");
        if (contents !== null) for (let i = 0; i < contents.length; i++) { const r = contents[i].getString("role"); if (!contents[i].has("role") || (r !== null && r == "user")) rounds++; }
      }
    }
    this.requestModel = model;
    setSpanTag("trace_span_tag.gen_ai.request.model", model);
    this.attrs.setInt("chat_round", rounds);
    this.attrs.writeToLog();
  }

  private finishRequest(obj: JsonObject | null): void {
    let model = this.requestModel.length > 0 ? this.requestModel : "UNKNOWN";
    let rounds = 0;
    if (obj !== null) {
      const m = obj.getString("model");
      if (m !== null) model = m;
      const msgs = obj.getArray("messages");
      if (msgs !== null) {
        for (let i = 0; i < msgs.length; i++) { const o = msgs[i].asObject(); if (o !== null && o.getString("role") == "user") rounds++; }
      } else {
        const contents = obj.getArray("contents");
        if (contents !== null) for (let i = 0; i < contents.length; i++) { const o = contents[i].asObject(); if (o !== null && (!o.has("role") || o.getString("role") == "user")) rounds++; }
      }
      this.evaluate(REQ_BODY, JsonValue.fromObject(obj));
    }
    this.requestModel = model;
    setSpanTag("trace_span_tag.gen_ai.request.model", model);
    this.attrs.setInt("chat_round", rounds);
    this.attrs.writeToLog();
  }

  onResponseHeaders(endOfStream: bool): Action {
    if (this.skip) return Action.Continue;
    this.sawResponse = true;
    const headers = this.responseHeaders.snapshot();
    const s = headers.get(":status");
    this.status = s === null ? 0 : I32.parseInt(s);
    const ct = headers.get("content-type");
    if (!contentTypeEnabled(ct === null ? "" : ct, this.config.contentTypes)) { this.skip = true; return Action.Continue; }
    // The answer's tree is built only when an attribute reads the response body.
    for (let i = 0; i < this.config.attributes.length; i++) if (this.config.attributes[i].effectiveSources().includes(RESP_BODY)) this.tracker.keepBody = true;
    this.tracker.begin(ct);
    if (this.tracker.isStream) {
      // Events become trees only for attributes that read them; without one, the tracker reads
      // usage, model and id on the events' bytes (and skips events that cannot carry usage).
      let readsEvents = false;
      for (let i = 0; i < this.config.attributes.length; i++) {
        this.streamValues.push(new StreamValue());
        if (this.config.attributes[i].effectiveSources().includes(RESP_STREAM)) readsEvents = true;
      }
      if (readsEvents) this.tracker.sink = this;
    }
    this.evaluate(RESP_HEADER, null, headers);
    if (endOfStream) this.finish(false);
    return Action.Continue;
  }

  onResponseChunk(chunk: ArrayBuffer, last: bool): ArrayBuffer | null {
    if (this.skip) return null;
    const first = this.tracker.firstByteNanos == 0 && chunk.byteLength > 0;
    this.tracker.push(chunk, last);
    if (first && this.tracker.isStream) this.attrs.setInt("llm_first_token_duration", <i64>(this.tracker.firstByteNanos / 1000000) - this.startMs);
    if (last) this.finish(false);
    return null;
  }

  onStreamDone(): void {
    if (!this.skip && this.sawResponse && !this.finished) this.finish(true);
  }

  /** One JSON event of the stream: feeds response_streaming_body attributes. */
  onStreamEvent(event: JsonObject): void {
    const ev = JsonValue.fromObject(event);
    const attrs = this.config.attributes;
    for (let i = 0; i < attrs.length; i++) {
      const a = attrs[i];
      if (!a.effectiveSources().includes(RESP_STREAM) || i >= this.streamValues.length) continue;
      const sv = this.streamValues[i];
      if (a.value.length > 0) this.feed(sv, a.rule, ev.getPath(a.value));
      else this.feedBuiltin(sv, a, ev);
    }
  }

  private feed(sv: StreamValue, rule: string, v: JsonValue | null): bool {
    if (v === null) return false;
    if (rule == "first") { if (!sv.seen) sv.value = v; }
    else if (rule == "append") { const t = v.toText(); sv.text += t !== null ? t : v.stringify(); sv.value = JsonValue.fromString(sv.text); }
    else sv.value = v; // replace (and Higress's unset rule, which logs an error and yields nothing: we replace)
    sv.seen = true;
    return true;
  }

  private feedBuiltin(sv: StreamValue, a: Attribute, ev: JsonValue): void {
    if (a.key == "answer") {
      if (!this.feed(sv, "append", ev.getPath("choices.0.delta.content"))) this.feed(sv, "append", ev.getPath("delta.text"));
    } else if (a.key == "reasoning") {
      this.feed(sv, "append", ev.getPath("choices.0.delta.reasoning_content"));
    }
  }

  private finish(cut: bool): void {
    if (this.finished) return;
    this.finished = true;
    const end = nowMs();
    this.attrs.setInt("llm_service_duration", end - this.startMs);
    this.attrs.setString("response_type", this.tracker.isStream ? "stream" : "normal");
    if (this.tracker.chatId.length > 0) this.attrs.setString("chat_id", this.tracker.chatId);
    let haveUsage = false;
    let input: i64 = 0, output: i64 = 0, total: i64 = 0;
    let model = this.requestModel.length > 0 ? this.requestModel : "unknown";
    if (!this.config.disableUsage) {
      const a = accountUsage(this.tracker, this.requestBytes, this.status >= 200 && this.status < 300 && aiApiSpendsTokens(this.api));
      if (a.source != UsageSource.None) {
        haveUsage = true;
        input = a.usage.promptTokens;
        output = a.usage.completionTokens;
        total = a.usage.totalTokens;
        if (a.model.length > 0) model = a.model;
        this.attrs.setString("model", model);
        this.attrs.setInt("input_token", input);
        this.attrs.setInt("output_token", output);
        this.attrs.setInt("total_token", total);
        if (a.usage.cachedTokens > 0) this.attrs.setInt("cached_tokens_total", a.usage.cachedTokens);
        if (a.estimated) {
          this.attrs.setBool("token_usage_estimated", true);
          log.warn("token usage estimated (" + (cut ? "stream cut" : "no usage reported") + "): input " + input.toString() + ", output " + output.toString());
        }
        this.builtinUsage(a.usage.reasoningTokens, a.usage.cachedTokens);
        setSpanTag("trace_span_tag.gen_ai.model_name", model);
        setSpanTag("trace_span_tag.gen_ai.usage.input_tokens", input.toString());
        setSpanTag("trace_span_tag.gen_ai.usage.output_tokens", output.toString());
        setSpanTag("trace_span_tag.gen_ai.usage.total_tokens", total.toString());
        if (log.debugOn()) log.debug("usage from " + usageSourceName(a.source) + ": model " + model + ", input " + input.toString() + ", output " + output.toString());
      }
    }
    if (this.tracker.isStream) {
      for (let i = 0; i < this.config.attributes.length && i < this.streamValues.length; i++) {
        const a = this.config.attributes[i];
        if (a.effectiveSources().includes(RESP_STREAM) && (a.value.length > 0 || a.key == "answer" || a.key == "reasoning")) this.apply(a, this.streamValues[i].value);
      }
    } else {
      const o = this.tracker.bodyObject;
      this.evaluate(RESP_BODY, o === null ? null : JsonValue.fromObject(o));
    }
    this.attrs.writeToLog();
    if (!haveUsage) { log.info("get usage information failed, skip metric record"); return; }
    const m = (<AiStatistics>this.plugin).metricsOf(this.route, this.cluster, model, this.consumer);
    count(m.inputToken, input);
    count(m.outputToken, output);
    count(m.totalToken, total);
    if (this.attrs.has("llm_first_token_duration")) {
      const ft = this.attrs.get("llm_first_token_duration")!.asInt(0);
      count(m.firstTokenDuration, ft);
      count(m.streamDurationCount, 1);
      record(m.firstTokenLatency, ft);
    }
    count(m.serviceDuration, end - this.startMs);
    count(m.durationCount, 1);
    record(m.serviceLatency, end - this.startMs);
  }

  private builtinUsage(reasoning: i64, cached: i64): void {
    const attrs = this.config.attributes;
    for (let i = 0; i < attrs.length; i++) {
      const a = attrs[i];
      if (a.source.length > 0) continue;
      if (a.key == "reasoning_tokens") this.apply(a, JsonValue.fromInt(reasoning));
      else if (a.key == "cached_tokens") this.apply(a, JsonValue.fromInt(cached));
    }
  }

  /** Evaluates the attributes of one source (body: the parsed JSON, or null; headers: the source's header snapshot). */
  private evaluate(source: string, body: JsonValue | null, headers: HeaderSnapshot | null = null): void {
    const attrs = this.config.attributes;
    for (let i = 0; i < attrs.length; i++) {
      const a = attrs[i];
      if (!a.effectiveSources().includes(source)) continue;
      if (source == RESP_STREAM) continue;
      let v: JsonValue | null = null;
      if (a.value.length > 0) {
        if (source == FIXED) v = JsonValue.fromString(a.value);
        else if (source == REQ_HEADER || source == RESP_HEADER) { const h = headers !== null ? headers.get(a.value) : null; if (h !== null) v = JsonValue.fromString(h); }
        else if (body !== null) v = body.getPath(a.value);
      }
      if (isEmpty(v) && body !== null) v = builtinFromBody(a.key, source, body);
      if (a.key == "reasoning_tokens" || a.key == "cached_tokens") if (a.source.length == 0) continue; // from usage, later
      this.apply(a, v);
    }
  }

  private apply(a: Attribute, value: JsonValue | null): void {
    let v = value;
    if (isEmpty(v) && a.defaultValue.length > 0) v = JsonValue.fromString(a.defaultValue);
    if (v === null) return;
    const limit = this.config.valueLengthLimit;
    let text = v.toText();
    if (text === null) text = v.stringify();
    if (limit > 0 && text.length > limit) {
      const half = limit / 2;
      v = JsonValue.fromString(text.substring(0, half) + " [truncated] " + text.substring(text.length - half));
      text = v.asString()!;
    }
    if (a.applyToLog) {
      if (a.separateField) properties.setString([a.key], v.isString ? escapeOnce(text) : text);
      else this.attrs.set(a.key, v);
    }
    if (a.applyToSpan) setSpanTag("trace_span_tag." + (a.traceSpanKey.length > 0 ? a.traceSpanKey : a.key), text);
  }

  private sessionId(headers: HeaderSnapshot): string {
    if (this.config.sessionHeader.length > 0) {
      const v = headers.get(this.config.sessionHeader);
      if (v !== null && v.length > 0) return v;
    }
    for (let i = 0; i < SESSION_HEADERS.length; i++) {
      const v = headers.get(SESSION_HEADERS[i]);
      if (v !== null && v.length > 0) return v;
    }
    return "";
  }
}

function isEmpty(v: JsonValue | null): bool {
  return v === null || v.isNull || (v.isString && v.str.length == 0);
}

function builtinFromBody(key: string, source: string, body: JsonValue): JsonValue | null {
  if (source == REQ_BODY) {
    if (key == "question") {
      const msgs = body.get("messages");
      if (msgs !== null && msgs.length > 0) { const last = msgs.at(msgs.length - 1); if (last !== null) return last.get("content"); }
    } else if (key == "system") return body.get("system");
  } else if (source == RESP_BODY) {
    if (key == "answer") { const v = body.getPath("choices.0.message.content"); return isEmpty(v) ? body.getPath("content.0.text") : v; }
    if (key == "reasoning") return body.getPath("choices.0.message.reasoning_content");
  }
  return null;
}

/**
 * Every LLM API that spends tokens is recorded (the SDK classifier, the one ai-proxy answers by),
 * whatever enable_path_suffixes says: a spelling the list misses (`/V1/embeddings/`) must not go
 * unlogged. The list adds other paths.
 */
function pathEnabled(path: string, api: AiApi, c: Config): bool {
  if (aiApiSpendsTokens(api)) return true;
  if (c.onlyTokenApis) return false;
  const suffixes = c.pathSuffixes;
  if (suffixes.length == 0) return true;
  const q = path.indexOf("?");
  const p = q < 0 ? path : path.substring(0, q);
  for (let i = 0; i < suffixes.length; i++) if (p.endsWith(suffixes[i])) return true;
  return false;
}

function contentTypeEnabled(ct: string, types: Array<string>): bool {
  if (types.length == 0) return true;
  for (let i = 0; i < types.length; i++) if (ct.indexOf(types[i]) >= 0) return true;
  return false;
}

/** `…/{version}/models/{model}:generateContent` (Gemini) → model; else "". */
function modelFromPath(path: string): string {
  const q = path.indexOf("?");
  const p = q < 0 ? path : path.substring(0, q);
  if (p.indexOf("generateContent") < 0 && p.indexOf("GenerateContent") < 0) return "";
  const m = p.lastIndexOf("/models/");
  if (m < 0) return "";
  const rest = p.substring(m + 8);
  const colon = rest.indexOf(":");
  return colon <= 0 ? "" : rest.substring(0, colon);
}

/** A span attribute: Higress's `trace_span_tag.<key>` property, its whole name given (the fixed ones are literals). */
function setSpanTag(property: string, value: string): void {
  if (value.length == 0) return;
  properties.setString([property], value);
}

registerPlugin("ai-statistics", () => new AiStatistics());
