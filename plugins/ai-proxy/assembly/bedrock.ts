// Provider `bedrock`: OpenAI chat ⇄ Bedrock Converse / ConverseStream (binary AWS event-stream),
// signed with SigV4 (awsAccessKey/awsSecretKey) or sent with a Bedrock API key (apiTokens, Bearer).
import { JsonObject, JsonValue, JsonKind, HeaderMap } from "@sluice/sdk";
import { TokenUsage, usageFromBedrock } from "@sluice/sdk/ai";
import { EventStreamReader } from "@sluice/sdk/sse";
import { ProviderAdapter, Exchange, Api, UpstreamRequest } from "./adapter";
import { StreamConverter, StreamOutput, STREAM_CUT } from "./stream";
import { jsonString, jsonInt, jsonObject, jsonArray, str, strValue, parseArgs, contentValue, splitDataUrl, parseObjectLenient, randomId, nowSeconds } from "./util";
import { completionWith, chunk, usageChunk, providerErrorMessage, ChunkFrame } from "./openai";
import { JsonObjectView } from "@sluice/sdk/json";
import { sigV4Authorization } from "./sign";
import { percentEncode, isoBasicDateTime } from "@sluice/sdk/encoding";
import { appendByRole, stopSequences, toolFunctions, toolCall, toolCallArguments, argumentsText } from "./convert";

export class BedrockAdapter extends ProviderAdapter {
  accessKey: string = "";
  secretKey: string = "";
  region: string = "";

  create(): ProviderAdapter { return new BedrockAdapter(); }

  parse(o: JsonObject): string {
    this.speaksOpenAI = false;
    const a = o.getString("awsAccessKey"); if (a !== null) this.accessKey = a;
    const s = o.getString("awsSecretKey"); if (s !== null) this.secretKey = s;
    const r = o.getString("awsRegion"); if (r !== null) this.region = r;
    if (this.region.length == 0) return "missing awsRegion in provider config";
    const tokens = o.getStringArray("apiTokens");
    if ((tokens === null || tokens.length == 0) && (this.accessKey.length == 0 || this.secretKey.length == 0)) return "bedrock needs apiTokens or awsAccessKey+awsSecretKey";
    return "";
  }

  host(ex: Exchange, headers: HeaderMap): string { return "bedrock-runtime." + this.region + ".amazonaws.com"; }

  request(req: JsonObject, ex: Exchange, headers: HeaderMap): UpstreamRequest | null {
    if (ex.api != Api.Chat) return null;
    return new UpstreamRequest(openaiToBedrockRequest(req), "/model/" + percentEncode<string>(ex.mapped) + (ex.stream ? "/converse-stream" : "/converse"));
  }

  /** SigV4 unless a Bedrock API key (apiTokens) went on as Bearer. */
  sign(headers: HeaderMap, host: string, path: string, body: ArrayBuffer, ex: Exchange): void {
    if (ex.token.length > 0) return;
    const date = isoBasicDateTime(nowSeconds());
    headers.set("x-amz-date", date);
    headers.set("authorization", sigV4Authorization(this.accessKey, this.secretKey, this.region, "bedrock", host, path, body, date));
  }

  response(resp: JsonObject, ex: Exchange, usage: TokenUsage): JsonObject {
    return bedrockToOpenAIResponse(resp, ex.mapped, randomId("chatcmpl-"), usage);
  }

  stream(ex: Exchange, out: StreamOutput): StreamConverter { return new BedrockStream(out, randomId("chatcmpl-"), ex.mapped, ex.created); }
}

/** A text block around a string value (kept as it is: a big text is not decoded). */
function textBlock(t: JsonValue): JsonValue {
  const o = new JsonObject();
  o.set("text", t);
  return jsonObject(o);
}

function blocks(v: JsonValue | null): Array<JsonValue> {
  const out = new Array<JsonValue>();
  if (v === null) return out;
  if (v.kind == JsonKind.String) { if (!v.isEmptyString) out.push(textBlock(v)); return out; }
  const a = v.asArray();
  if (a === null) return out;
  for (let i = 0; i < a.length; i++) {
    const p = a[i].asObject();
    if (p === null) continue;
    const t = str(p, "type");
    if (t == "text") out.push(textBlock(strValue(p, "text")));
    else if (t == "image_url") {
      const iu = p.getObject("image_url");
      const d = splitDataUrl(iu === null ? "" : str(iu, "url"));
      if (d === null) continue; // Converse takes bytes only
      const src = new JsonObject();
      src.set("bytes", jsonString(d[1]));
      const img = new JsonObject();
      const slash = d[0].indexOf("/");
      img.set("format", jsonString(slash >= 0 ? d[0].substring(slash + 1) : d[0]));
      img.set("source", jsonObject(src));
      const o = new JsonObject();
      o.set("image", jsonObject(img));
      out.push(jsonObject(o));
    }
  }
  return out;
}

function openaiToBedrockRequest(req: JsonObject): JsonObject {
  const out = new JsonObject();
  const msgs = new Array<JsonValue>();
  const system = new Array<JsonValue>();
  const list = req.getArray("messages");
  if (list !== null) {
    for (let i = 0; i < list.length; i++) {
      const m = list[i].asObject();
      if (m === null) continue;
      const role = str(m, "role");
      if (role == "system" || role == "developer") { system.push(textBlock(contentValue(m.get("content")))); continue; }
      if (role == "tool") {
        const tr = new JsonObject();
        tr.set("toolUseId", jsonString(str(m, "tool_call_id")));
        tr.set("content", jsonArray([textBlock(contentValue(m.get("content")))]));
        const o = new JsonObject();
        o.set("toolResult", jsonObject(tr));
        appendByRole(msgs, "user", "content", [jsonObject(o)]);
        continue;
      }
      if (role == "assistant") {
        const content = blocks(m.get("content"));
        const calls = m.getArray("tool_calls");
        if (calls !== null) {
          for (let j = 0; j < calls.length; j++) {
            const c = calls[j].asObject();
            if (c === null) continue;
            const fn = c.getObject("function");
            const tu = new JsonObject();
            tu.set("toolUseId", jsonString(str(c, "id")));
            tu.set("name", jsonString(str(fn, "name")));
            tu.set("input", parseArgs(str(fn, "arguments")));
            const o = new JsonObject();
            o.set("toolUse", jsonObject(tu));
            content.push(jsonObject(o));
          }
        }
        appendByRole(msgs, "assistant", "content", content);
        continue;
      }
      appendByRole(msgs, "user", "content", blocks(m.get("content")));
    }
  }
  out.set("messages", jsonArray(msgs));
  if (system.length > 0) out.set("system", jsonArray(system));
  const ic = new JsonObject();
  const mt = req.getNumber("max_completion_tokens", req.getNumber("max_tokens", -1));
  if (mt >= 0) ic.set("maxTokens", jsonInt(<i64>mt));
  const t = req.get("temperature"); if (t !== null && t.isNumber) ic.set("temperature", t);
  const tp = req.get("top_p"); if (tp !== null && tp.isNumber) ic.set("topP", tp);
  const stop = stopSequences(req);
  if (stop !== null) ic.set("stopSequences", stop);
  if (ic.size > 0) out.set("inferenceConfig", jsonObject(ic));
  const fns = toolFunctions(req);
  if (fns !== null) {
    const ts = new Array<JsonValue>();
    for (let i = 0; i < fns.length; i++) {
      const fn = fns[i];
      const spec = new JsonObject();
      spec.set("name", jsonString(str(fn, "name")));
      const desc = fn.getString("description");
      if (desc !== null) spec.set("description", jsonString(desc));
      const schema = new JsonObject();
      const p = fn.get("parameters");
      schema.set("json", p === null ? jsonObject(new JsonObject()) : p);
      spec.set("inputSchema", jsonObject(schema));
      const o = new JsonObject();
      o.set("toolSpec", jsonObject(spec));
      ts.push(jsonObject(o));
    }
    const tc = new JsonObject();
    tc.set("tools", jsonArray(ts));
    out.set("toolConfig", jsonObject(tc));
  }
  return out;
}

export function bedrockFinish(r: string): string {
  if (r == "max_tokens") return "length";
  if (r == "tool_use") return "tool_calls";
  if (r == "content_filtered" || r == "guardrail_intervened") return "content_filter";
  return "stop";
}

function bedrockToOpenAIResponse(resp: JsonObject, model: string, id: string, usage: TokenUsage): JsonObject {
  const msg = new JsonObject();
  msg.set("role", jsonString("assistant"));
  let text = "", reasoning = "";
  const calls = new Array<JsonValue>();
  const output = resp.getObject("output");
  const message: JsonObject | null = output === null ? null : output.getObject("message");
  const content: Array<JsonValue> | null = message === null ? null : message.getArray("content");
  if (content !== null) {
    for (let i = 0; i < content.length; i++) {
      const b = content[i].asObject();
      if (b === null) continue;
      const t = b.getString("text");
      if (t !== null) { text += t; continue; }
      const rc = b.getObject("reasoningContent");
      if (rc !== null) { reasoning += str(rc.getObject("reasoningText"), "text"); continue; }
      const tu = b.getObject("toolUse");
      if (tu !== null) calls.push(toolCall(-1, str(tu, "toolUseId"), str(tu, "name"), argumentsText(tu.get("input"))));
    }
  }
  msg.set("content", jsonString(text));
  if (reasoning.length > 0) msg.set("reasoning_content", jsonString(reasoning));
  if (calls.length > 0) msg.set("tool_calls", jsonArray(calls));
  const u = resp.getObject("usage");
  if (u !== null) usageFromBedrock(u, usage);
  return completionWith(id, model, msg, bedrockFinish(str(resp, "stopReason")), usage);
}

/** ConverseStream: AWS binary event-stream messages (event type + JSON payload) → OpenAI chunks. */
class BedrockStream extends StreamConverter {
  private events: EventStreamReader = new EventStreamReader();
  id: string;
  model: string;
  created: i64;
  tools: i32 = -1;
  blockTool: Map<i32, i32> = new Map<i32, i32>();
  done: bool = false;
  errorMessage: string = "";

  private frame: ChunkFrame;
  // Re-used for every event: reading an event allocates nothing once warm.
  private view: JsonObjectView = JsonObjectView.reusable();
  private delta: JsonObjectView = JsonObjectView.reusable();
  private reasoning: JsonObjectView = JsonObjectView.reusable();

  constructor(out: StreamOutput, id: string, model: string, created: i64) {
    super(out);
    this.id = id;
    this.model = model;
    this.created = created;
    this.frame = new ChunkFrame(model, created);
  }

  push(chunk: ArrayBuffer): ArrayBuffer {
    const es = this.events;
    const msgs = es.push(chunk);
    const out = this.out;
    for (let i = 0; i < msgs.length && !out.ended; i++) {
      const m = msgs[i];
      const mt = m.messageType;
      const et = m.eventType;
      // An OpenAI client's text deltas on bytes (an Anthropic client's events are built from trees by its writer).
      if (out.writer === null && mt !== null && mt == "event" && et !== null && et == "contentBlockDelta" && this.textDelta(m.payload)) continue;
      const payload = parseObjectLenient(m.payload);
      if (mt === null || mt != "event") {
        const ex = m.exceptionType;
        out.error((ex === null ? "error" : ex) + ": " + providerErrorMessage(payload, "bedrock stream error"));
        break;
      }
      if (payload === null || et === null) continue;
      const list = new Array<string>();
      this.event(et, payload, out.usage, list);
      out.emitAll(list);
      if (this.done) out.done();
    }
    if (!es.ok) out.error("corrupt event stream: " + es.error);
    return out.take();
  }

  /**
   * A text or reasoning delta (the hot event) on its bytes: its string goes into the chunk as
   * sent. False when the payload needs the tree path (tool input, not UTF-8 JSON, another shape).
   */
  private textDelta(payload: ArrayBuffer): bool {
    const v = this.view;
    if (!v.read(payload)) return false;
    const delta = v.getObject("delta", this.delta);
    if (delta === null) return false;
    let from: JsonObjectView = delta;
    let name = "content";
    if (delta.kindOf("text") != 0x22) {
      const rc = delta.getObject("reasoningContent", this.reasoning);
      if (rc === null || delta.has("text") || rc.kindOf("text") != 0x22) return false;
      from = rc;
      name = "reasoning_content";
    }
    const w = this.out.w;
    this.frame.begin(w, this.id);
    w.key(name);
    from.writeString("text", w);
    this.frame.end(w, "");
    return true;
  }

  finish(): ArrayBuffer {
    if (!this.events.finish() || !this.done) this.out.error(STREAM_CUT);
    this.out.report.publish();
    return this.out.take();
  }

  private event(type: string, data: JsonObject, usage: TokenUsage, out: Array<string>): void {
    if (type == "messageStart") {
      const d = new JsonObject();
      d.set("role", jsonString("assistant"));
      d.set("content", jsonString(""));
      out.push(chunk(this.id, this.model, this.created, d, ""));
    } else if (type == "contentBlockStart") {
      const start = data.getObject("start");
      const tu: JsonObject | null = start === null ? null : start.getObject("toolUse");
      if (tu === null) return;
      this.tools++;
      this.blockTool.set(<i32>data.getNumber("contentBlockIndex", 0), this.tools);
      const d = new JsonObject();
      d.set("tool_calls", jsonArray([toolCall(this.tools, str(tu, "toolUseId"), str(tu, "name"), "")]));
      out.push(chunk(this.id, this.model, this.created, d, ""));
    } else if (type == "contentBlockDelta") {
      const delta = data.getObject("delta");
      if (delta === null) return;
      const d = new JsonObject();
      const t = delta.getString("text");
      const rc = delta.getObject("reasoningContent");
      const tu = delta.getObject("toolUse");
      if (t !== null) d.set("content", jsonString(t));
      else if (rc !== null) { const rt = rc.getString("text"); if (rt === null) return; d.set("reasoning_content", jsonString(rt)); }
      else if (tu !== null) {
        const idx = <i32>data.getNumber("contentBlockIndex", 0);
        const tool = this.blockTool.has(idx) ? this.blockTool.get(idx) : this.tools;
        d.set("tool_calls", jsonArray([toolCallArguments(tool, str(tu, "input"))]));
      } else return;
      out.push(chunk(this.id, this.model, this.created, d, ""));
    } else if (type == "messageStop") {
      out.push(chunk(this.id, this.model, this.created, new JsonObject(), bedrockFinish(str(data, "stopReason"))));
    } else if (type == "metadata") {
      const u = data.getObject("usage");
      if (u !== null) usageFromBedrock(u, usage);
      out.push(usageChunk(this.id, this.model, this.created, usage.toOpenAI()));
      this.done = true;
    }
  }
}
