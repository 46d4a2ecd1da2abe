// Provider `qwen` in native mode (qwenEnableCompatible: false): DashScope text-generation and
// text-embedding APIs, with their SSE (X-DashScope-SSE: enable, incremental_output).
import { JsonObject, JsonValue, JsonKind, HeaderMap } from "@sluice/sdk";
import { TokenUsage, usageFromDashScope } from "@sluice/sdk/ai";
import { SseEvent } from "@sluice/sdk/sse";
import { JsonObjectView, ByteBuffer } from "@sluice/sdk/json";
import { jsonString, jsonInt, jsonBool, jsonObject, jsonArray, copy, str, contentText } from "./util";
import { completionWith, chunk, providerErrorMessage } from "./openai";
import { ProviderAdapter, Exchange, Api, UpstreamRequest } from "./adapter";
import { openaiEmbedding, openaiEmbeddingsList } from "./embeddings";
import { StreamConverter, StreamOutput, ConvertingStream } from "./stream";

const QWEN_CHAT_PATH = "/api/v1/services/aigc/text-generation/generation";
const QWEN_VL_PATH = "/api/v1/services/aigc/multimodal-generation/generation";
const QWEN_EMBEDDING_PATH = "/api/v1/services/embeddings/text-embedding/text-embedding";

/** `qwen`: OpenAI-compatible mode (the table row) unless qwenEnableCompatible is false. */
export class QwenAdapter extends ProviderAdapter {
  compatible: bool = true;
  enableSearch: bool = false;
  reasoningContentMode: string = "passthrough";

  create(): ProviderAdapter { return new QwenAdapter(); }

  parse(o: JsonObject): string {
    this.compatible = o.getBool("qwenEnableCompatible", true);
    this.enableSearch = o.getBool("qwenEnableSearch", false);
    this.needsApiTokens = true;
    this.speaksOpenAI = this.compatible;
    const m = o.getString("reasoningContentMode");
    if (m !== null) this.reasoningContentMode = m;
    return super.parse(o);
  }

  /** Native mode has no model list: answered from modelMapping. */
  path(api: Api, ex: Exchange): string { return !this.compatible && api == Api.Models ? "" : super.path(api, ex); }

  request(req: JsonObject, ex: Exchange, headers: HeaderMap): UpstreamRequest | null {
    if (this.compatible) return super.request(req, ex, headers);
    if (ex.api == Api.Chat) {
      if (ex.stream) headers.set("x-dashscope-sse", "enable");
      return new UpstreamRequest(openaiToQwenRequest(req, ex.mapped, ex.stream, this), ex.mapped.includes("-vl") ? QWEN_VL_PATH : QWEN_CHAT_PATH);
    }
    if (ex.api == Api.Embeddings) return new UpstreamRequest(openaiToQwenEmbeddings(req, ex.mapped), QWEN_EMBEDDING_PATH);
    return null;
  }

  response(resp: JsonObject, ex: Exchange, usage: TokenUsage): JsonObject {
    if (this.compatible) return super.response(resp, ex, usage);
    return ex.api == Api.Embeddings ? qwenToOpenAIEmbeddings(resp, ex.mapped, usage) : qwenToOpenAIResponse(resp, ex.mapped, this, usage);
  }

  stream(ex: Exchange, out: StreamOutput): StreamConverter {
    if (this.compatible) return super.stream(ex, out);
    const s = new QwenStream(out, ex.mapped, ex.created);
    s.pc = this;
    s.readOnBytes();
    return s;
  }
}

function openaiToQwenRequest(req: JsonObject, model: string, stream: bool, pc: QwenAdapter): JsonObject {
  const out = new JsonObject();
  out.set("model", jsonString(model));
  const input = new JsonObject();
  const msgs = new Array<JsonValue>();
  const list = req.getArray("messages");
  if (list !== null) {
    for (let i = 0; i < list.length; i++) {
      const m = list[i].asObject();
      if (m === null) continue;
      const o = new JsonObject();
      let role = str(m, "role");
      if (role == "developer") role = "system";
      o.set("role", jsonString(role));
      const c = m.get("content");
      if (c !== null && c.kind == JsonKind.Array) o.set("content", jsonString(contentText(c)));
      else if (c !== null) o.set("content", c);
      else o.set("content", jsonString(""));
      copy(m, "tool_calls", o, "tool_calls");
      copy(m, "tool_call_id", o, "tool_call_id");
      copy(m, "name", o, "name");
      msgs.push(jsonObject(o));
    }
  }
  input.set("messages", jsonArray(msgs));
  out.set("input", jsonObject(input));
  const p = new JsonObject();
  p.set("result_format", jsonString("message"));
  const mt = req.get("max_completion_tokens");
  if (mt !== null && mt.isNumber) p.set("max_tokens", mt); else copy(req, "max_tokens", p, "max_tokens");
  copy(req, "temperature", p, "temperature");
  copy(req, "top_p", p, "top_p");
  copy(req, "top_k", p, "top_k");
  copy(req, "seed", p, "seed");
  copy(req, "n", p, "n");
  copy(req, "stop", p, "stop");
  copy(req, "tools", p, "tools");
  copy(req, "tool_choice", p, "tool_choice");
  copy(req, "presence_penalty", p, "presence_penalty");
  copy(req, "enable_thinking", p, "enable_thinking");
  if (stream) p.set("incremental_output", jsonBool(true));
  if (pc.enableSearch) p.set("enable_search", jsonBool(true));
  out.set("parameters", jsonObject(p));
  return out;
}

function readMessage(resp: JsonObject): JsonObject | null {
  const output = resp.getObject("output");
  if (output === null) return null;
  const choices = output.getArray("choices");
  if (choices === null || choices.length == 0) return null;
  return choices[0].asObject();
}

function finishOf(f: string): string {
  if (f == "null" || f.length == 0) return "";
  return f;
}

function qwenToOpenAIResponse(resp: JsonObject, model: string, pc: QwenAdapter, usage: TokenUsage): JsonObject {
  const msg = new JsonObject();
  msg.set("role", jsonString("assistant"));
  let finish = "stop";
  const choice = readMessage(resp);
  if (choice !== null) {
    const f = finishOf(str(choice, "finish_reason"));
    if (f.length > 0) finish = f;
    const m = choice.getObject("message");
    if (m !== null) {
      const content = contentText(m.get("content"));
      const reasoning = str(m, "reasoning_content");
      if (pc.reasoningContentMode == "concat" && reasoning.length > 0) msg.set("content", jsonString(reasoning + "\n" + content));
      else msg.set("content", jsonString(content));
      if (pc.reasoningContentMode == "passthrough" && reasoning.length > 0) msg.set("reasoning_content", jsonString(reasoning));
      copy(m, "tool_calls", msg, "tool_calls");
    }
  }
  const u = resp.getObject("usage");
  if (u !== null) usageFromDashScope<JsonObject>(u, usage);
  return completionWith(str(resp, "request_id"), model, msg, finish, usage);
}

class QwenStream extends ConvertingStream {
  id: string = "";
  started: bool = false;
  pc!: QwenAdapter;
  done: bool = false;

  event(ev: SseEvent, data: JsonObject): void {
    if (data.has("code") && !data.has("output")) { this.out.error(providerErrorMessage(data, "upstream error")); return; }
    const usage = this.out.usage;
    if (this.id.length == 0) this.id = str(data, "request_id");
    const u = data.getObject("usage");
    if (u !== null) usageFromDashScope<JsonObject>(u, usage);
    const choice = readMessage(data);
    if (choice === null) return;
    const d = new JsonObject();
    if (!this.started) { d.set("role", jsonString("assistant")); this.started = true; }
    const m = choice.getObject("message");
    if (m !== null) {
      const r = str(m, "reasoning_content");
      const c = contentText(m.get("content"));
      if (r.length > 0) {
        if (this.pc.reasoningContentMode == "passthrough") d.set("reasoning_content", jsonString(r));
        else if (this.pc.reasoningContentMode == "concat") d.set("content", jsonString(r));
      }
      if (c.length > 0) d.set("content", jsonString(d.has("content") ? str(d, "content") + c : c));
      const calls = m.getArray("tool_calls");
      if (calls !== null && calls.length > 0) {
        // DashScope tool-call deltas already carry index/id/function like OpenAI's.
        for (let i = 0; i < calls.length; i++) {
          const call = calls[i].asObject();
          if (call !== null && !call.has("index")) call.set("index", jsonInt(i));
        }
        d.set("tool_calls", jsonArray(calls));
      }
    }
    const f = finishOf(str(choice, "finish_reason"));
    if (f.length > 0) this.done = true;
    if (d.size > 0 || f.length > 0) this.chunks.push(chunk(this.id, this.model, this.created, d, f));
    this.flush();
  }

  end(): void { this.endWithUsage(this.done, this.id); }

  private joined: ByteBuffer = new ByteBuffer(256);
  // Re-used for every event: reading an event allocates nothing once warm.
  private view: JsonObjectView = JsonObjectView.reusable();
  private output: JsonObjectView = JsonObjectView.reusable();
  private choice: JsonObjectView = JsonObjectView.reusable();
  private message: JsonObjectView = JsonObjectView.reusable();
  private usageView: JsonObjectView = JsonObjectView.reusable();

  /** The hot events (text and reasoning deltas after the first event) on their bytes; the rest on the tree path. */
  rawEvent(ev: SseEvent, raw: ArrayBuffer): void {
    const v = this.view;
    if (!v.read(raw) || !this.started || this.id.length == 0 || !this.textDelta(v)) super.rawEvent(ev, raw);
  }

  /**
   * A delta whose message has string content / reasoning_content and no tool calls, and no
   * finish: its strings go into the chunk as sent. False (nothing done) when it needs the tree path.
   */
  private textDelta(v: JsonObjectView): bool {
    if (v.has("code") && !v.has("output")) return false;
    const output = v.getObject("output", this.output);
    if (output === null || output.firstElementKind("choices") != 0x7b) return false;
    const choice = output.firstObjectIn("choices", this.choice);
    if (choice === null) return false;
    // a finish is a string other than "" and "null" (the tree path decides the rest)
    if (choice.kindOf("finish_reason") == 0x22 && !choice.stringIs("finish_reason", "null") && !choice.stringIs("finish_reason", "")) return false;
    const m = choice.getObject("message", this.message);
    let rText = false, cText = false;
    if (m !== null) {
      if (m.has("tool_calls")) return false;
      const ck = m.kindOf("content"), rk = m.kindOf("reasoning_content");
      if ((ck != 0 && ck != 0x22) || (rk != 0 && rk != 0x22)) return false;
      rText = rk == 0x22 && !m.stringIs("reasoning_content", "");
      cText = ck == 0x22 && !m.stringIs("content", "");
    }
    const u = v.getObject("usage", this.usageView);
    if (u !== null) usageFromDashScope<JsonObjectView>(u, this.out.usage);
    const mode = this.pc.reasoningContentMode;
    const reasoning = rText && mode == "passthrough";
    const concat = rText && mode == "concat";
    if (!reasoning && !concat && !cText) return true;
    const msg = m!;
    const w = this.out.w;
    this.frame.begin(w, this.id);
    if (reasoning) { w.key("reasoning_content"); msg.writeString("reasoning_content", w); }
    if (concat) {
      const j = this.joined;
      j.clear();
      j.pushByte(0x22);
      msg.appendStringContent("reasoning_content", j);
      if (cText) msg.appendStringContent("content", j);
      j.pushByte(0x22);
      w.key("content");
      w.rawBytes(j.ptr, j.length);
    } else if (cText) { w.key("content"); msg.writeString("content", w); }
    this.frame.end(w, "");
    return true;
  }
}

function openaiToQwenEmbeddings(req: JsonObject, model: string): JsonObject {
  const texts = new Array<JsonValue>();
  const inp = req.get("input");
  if (inp !== null) {
    if (inp.kind == JsonKind.String) texts.push(inp);
    else {
      const a = inp.asArray();
      if (a !== null) for (let i = 0; i < a.length; i++) if (a[i].isString) texts.push(a[i]);
    }
  }
  const input = new JsonObject();
  input.set("texts", jsonArray(texts));
  const out = new JsonObject();
  out.set("model", jsonString(model));
  out.set("input", jsonObject(input));
  const p = new JsonObject();
  copy(req, "dimensions", p, "dimension");
  out.set("parameters", jsonObject(p));
  return out;
}

function qwenToOpenAIEmbeddings(resp: JsonObject, model: string, usage: TokenUsage): JsonObject {
  const data = new Array<JsonValue>();
  const output = resp.getObject("output");
  const list: Array<JsonValue> | null = output === null ? null : output.getArray("embeddings");
  if (list !== null) {
    for (let i = 0; i < list.length; i++) {
      const e = list[i].asObject();
      if (e !== null) data.push(openaiEmbedding(<i64>e.getNumber("text_index", <f64>i), e.get("embedding")));
    }
  }
  const u = resp.getObject("usage");
  return openaiEmbeddingsList(data, model, u === null ? 0 : <i64>u.getNumber("total_tokens", 0), usage);
}
