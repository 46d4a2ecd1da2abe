// Provider `claude`: OpenAI chat ⇄ Anthropic Messages, whole and streamed.
import { JsonObject, JsonValue, JsonKind, HeaderPair, HeaderMap, log } from "@sluice/sdk";
import { TokenUsage, usageFromAnthropic } from "@sluice/sdk/ai";
import { SseEvent } from "@sluice/sdk/sse";
import { JsonObjectView, JsonWriter, ByteBuffer } from "@sluice/sdk/json";
import { jsonString, jsonInt, jsonBool, jsonObject, jsonArray, copy, str, strValue, parseArgs, contentText, contentValue, splitDataUrl } from "./util";
import { completionWith, chunk, usageChunk, beginCompletion, completionMessage, endCompletion, closeContent } from "./openai";
import { anthropicErrorJson as anthropicError } from "@sluice/sdk/ai";
import { ProviderAdapter, Exchange, Api, UpstreamRequest, UpstreamBytes } from "./adapter";
import { StreamConverter, StreamOutput, ConvertingStream, STREAM_CUT } from "./stream";
import { appendByRole, stopSequences, toolFunctions, toolCall, toolCallArguments, argumentsText, simpleRole, MESSAGE, requestWriter, ROLE_USER } from "./convert";

export function textBlock(t: string): JsonValue { return textBlockOf(jsonString(t)); }

/** A text block around a string value (kept as it is: a big text is not decoded). */
export function textBlockOf(t: JsonValue): JsonValue {
  const b = new JsonObject();
  b.set("type", jsonString("text"));
  b.set("text", t);
  return jsonObject(b);
}

function contentBlocks(v: JsonValue | null): Array<JsonValue> {
  const out = new Array<JsonValue>();
  if (v === null) return out;
  if (v.kind == JsonKind.String) { if (!v.isEmptyString) out.push(textBlockOf(v)); return out; }
  const a = v.asArray();
  if (a === null) return out;
  for (let i = 0; i < a.length; i++) {
    const p = a[i].asObject();
    if (p === null) continue;
    const t = str(p, "type");
    if (t == "text") out.push(textBlockOf(strValue(p, "text")));
    else if (t == "image_url") {
      const iu = p.getObject("image_url");
      const url = iu === null ? str(p, "image_url") : str(iu, "url");
      const src = new JsonObject();
      const d = splitDataUrl(url);
      if (d !== null) {
        src.set("type", jsonString("base64"));
        src.set("media_type", jsonString(d[0]));
        src.set("data", jsonString(d[1]));
      } else {
        src.set("type", jsonString("url"));
        src.set("url", jsonString(url));
      }
      const b = new JsonObject();
      b.set("type", jsonString("image"));
      b.set("source", jsonObject(src));
      out.push(jsonObject(b));
    }
  }
  return out;
}

/** An assistant's reasoning as a Messages `thinking` block (no signature: it was not Claude's). */
export function thinkingBlock(reasoning: string): JsonValue {
  const b = new JsonObject();
  b.set("type", jsonString("thinking"));
  b.set("thinking", jsonString(reasoning));
  b.set("signature", jsonString(""));
  return jsonObject(b);
}

/** OpenAI `tool_calls` as Messages `tool_use` blocks, appended to `blocks`. */
export function appendToolUseBlocks(calls: Array<JsonValue>, blocks: Array<JsonValue>): void {
  for (let i = 0; i < calls.length; i++) {
    const c = calls[i].asObject();
    if (c === null) continue;
    const fn = c.getObject("function");
    const b = new JsonObject();
    b.set("type", jsonString("tool_use"));
    b.set("id", jsonString(str(c, "id")));
    b.set("name", jsonString(str(fn, "name")));
    b.set("input", parseArgs(str(fn, "arguments")));
    blocks.push(jsonObject(b));
  }
}

export class ClaudeAdapter extends ProviderAdapter {
  version: string = "2023-06-01";

  create(): ProviderAdapter { return new ClaudeAdapter(); }

  parse(o: JsonObject): string {
    const v = o.getString("claudeVersion");
    const a = o.getString("apiVersion");
    this.version = v !== null ? v : a !== null ? a : "2023-06-01";
    this.needsApiTokens = true;
    this.speaksOpenAI = false;
    this.speaksMessages = true;
    return "";
  }

  authHeaders(token: string): Array<HeaderPair> {
    const out = super.authHeaders(token);
    out.push(new HeaderPair("anthropic-version", this.version));
    return out;
  }

  get convertsOnBytes(): bool { return true; }
  requestOnBytes(req: JsonObjectView, ex: Exchange): UpstreamBytes | null {
    const body = openaiToClaudeRequestBytes(req, ex.mapped);
    MESSAGE.release(); // the request body is not kept past this call
    return body === null ? null : new UpstreamBytes(body, "/v1/messages");
  }

  request(req: JsonObject, ex: Exchange, headers: HeaderMap): UpstreamRequest | null {
    if (ex.nativeMessages) {
      req.set("model", jsonString(ex.mapped));
      return new UpstreamRequest(req, "/v1/messages");
    }
    if (ex.api != Api.Chat) return null;
    return new UpstreamRequest(openaiToClaudeRequest(req, ex.mapped), "/v1/messages");
  }

  get convertsResponsesOnBytes(): bool { return true; }
  responseOnBytes(resp: JsonObjectView, ex: Exchange, usage: TokenUsage, w: JsonWriter): bool {
    if (ex.nativeMessages) return false;
    THINKING.clear();
    const ok = claudeToOpenAIResponseBytes(resp, ex.mapped, usage, w);
    BLOCK.release(); // the answer is not kept past this call
    THINKING.reset(256);
    return ok;
  }

  response(resp: JsonObject, ex: Exchange, usage: TokenUsage): JsonObject {
    if (!ex.nativeMessages) return claudeToOpenAIResponse(resp, ex.mapped, usage);
    const u = resp.getObject("usage");
    if (u !== null) usageFromAnthropic(u, usage);
    return resp;
  }

  stream(ex: Exchange, out: StreamOutput): StreamConverter {
    const s = new ClaudeStream(out, ex.mapped, ex.created);
    s.passThrough = ex.nativeMessages;
    if (!s.passThrough) s.readOnBytes();
    return s;
  }
}

/** OpenAI chat request → Messages request. `system` may already hold the context file. */
export function openaiToClaudeRequest(req: JsonObject, model: string): JsonObject {
  const out = new JsonObject();
  out.set("model", jsonString(model));
  const msgs = new Array<JsonValue>();
  let system = "";
  const list = req.getArray("messages");
  if (list !== null) {
    for (let i = 0; i < list.length; i++) {
      const m = list[i].asObject();
      if (m === null) continue;
      const role = str(m, "role");
      if (role == "system" || role == "developer") {
        const t = contentText(m.get("content"));
        system = system.length > 0 ? system + "\n" + t : t;
      } else if (role == "tool") {
        const b = new JsonObject();
        b.set("type", jsonString("tool_result"));
        b.set("tool_use_id", jsonString(str(m, "tool_call_id")));
        b.set("content", contentValue(m.get("content")));
        appendByRole(msgs, "user", "content", [jsonObject(b)]);
      } else if (role == "assistant") {
        const blocks = new Array<JsonValue>();
        const r = str(m, "reasoning_content");
        if (r.length > 0) blocks.push(thinkingBlock(r));
        const cb = contentBlocks(m.get("content"));
        for (let j = 0; j < cb.length; j++) blocks.push(cb[j]);
        const calls = m.getArray("tool_calls");
        if (calls !== null) appendToolUseBlocks(calls, blocks);
        appendByRole(msgs, "assistant", "content", blocks);
      } else {
        appendByRole(msgs, "user", "content", contentBlocks(m.get("content")));
      }
    }
  }
  if (system.length > 0) out.set("system", jsonString(system));
  out.set("messages", jsonArray(msgs));
  let maxTokens = req.getNumber("max_completion_tokens", req.getNumber("max_tokens", 4096));
  out.set("max_tokens", jsonInt(<i64>maxTokens));
  copy(req, "temperature", out, "temperature");
  copy(req, "top_p", out, "top_p");
  const stop = stopSequences(req);
  if (stop !== null) out.set("stop_sequences", stop);
  if (req.getBool("stream", false)) out.set("stream", jsonBool(true));
  const fns = toolFunctions(req);
  if (fns !== null) {
    const ts = new Array<JsonValue>();
    for (let i = 0; i < fns.length; i++) {
      const fn = fns[i];
      const o = new JsonObject();
      o.set("name", jsonString(str(fn, "name")));
      copy(fn, "description", o, "description");
      const p = fn.get("parameters");
      if (p !== null) o.set("input_schema", p);
      else {
        const empty = new JsonObject();
        empty.set("type", jsonString("object"));
        o.set("input_schema", jsonObject(empty));
      }
      ts.push(jsonObject(o));
    }
    out.set("tools", jsonArray(ts));
  }
  const tc = req.get("tool_choice");
  if (tc !== null) {
    const c = new JsonObject();
    if (tc.kind == JsonKind.String) {
      if (tc.str == "required") c.set("type", jsonString("any"));
      else if (tc.str == "none") c.set("type", jsonString("none"));
      else c.set("type", jsonString("auto"));
      out.set("tool_choice", jsonObject(c));
    } else {
      const o = tc.asObject();
      if (o !== null) {
        c.set("type", jsonString("tool"));
        c.set("name", jsonString(str(o.getObject("function"), "name")));
        out.set("tool_choice", jsonObject(c));
      }
    }
  }
  const effort = req.getString("reasoning_effort");
  if (effort !== null) {
    const budget: i64 = effort == "high" ? 16384 : effort == "medium" ? 8192 : 1024;
    const th = new JsonObject();
    th.set("type", jsonString("enabled"));
    th.set("budget_tokens", jsonInt(budget));
    out.set("thinking", jsonObject(th));
  }
  const user = req.getString("user");
  if (user !== null) {
    const md = new JsonObject();
    md.set("user_id", jsonString(user));
    out.set("metadata", jsonObject(md));
  }
  return out;
}

/**
 * openaiToClaudeRequest on the request's bytes, for the common chat request: every message is
 * `{role, content}` with role system, developer, user or assistant and string content, and the
 * request has no stop, tools, tool_choice, reasoning_effort or user. The strings go into the
 * Messages request as they were sent (escapes kept) and no tree is built; the result equals the
 * tree path's as JSON (system messages joined with "\n", empty contents dropped, consecutive
 * messages of one role merged into one content list). Null for any other request.
 */
export function openaiToClaudeRequestBytes(req: JsonObjectView, model: string): ArrayBuffer | null {
  if (req.has("stop") || req.has("tools") || req.has("tool_choice") || req.has("reasoning_effort") || req.has("user")) return null;
  if (req.kindOf("messages") != 0x5b) return null;
  // Pass 1: every message simple; the system text joined (as sent, between one pair of quotes).
  const system = new ByteBuffer(64);
  system.pushByte(0x22);
  for (let m = req.firstObjectIn("messages", MESSAGE); m !== null; m = req.nextObjectIn("messages", m!, MESSAGE)) {
    const role = simpleRole(m);
    if (role < 0) return null;
    if (role >= ROLE_USER) continue;
    if (system.length > 1) system.pushAscii("\\n");
    m.appendStringContent("content", system);
  }
  const w = requestWriter(req);
  w.beginObject();
  w.key("model").string(model);
  if (system.length > 1) {
    system.pushByte(0x22);
    w.key("system").rawBytes(system.ptr, system.length);
  }
  // Pass 2: user and assistant messages, consecutive ones of a role merged.
  w.key("messages").beginArray();
  let open = -1;
  for (let m = req.firstObjectIn("messages", MESSAGE); m !== null; m = req.nextObjectIn("messages", m!, MESSAGE)) {
    const role = simpleRole(m);
    if (role < ROLE_USER || m.stringIs("content", "")) continue;
    if (role != open) {
      if (open >= 0) w.endArray().endObject();
      w.beginObject().key("role").string(role == ROLE_USER ? "user" : "assistant").key("content").beginArray();
      open = role;
    }
    w.beginObject().key("type").string("text").key("text");
    m.writeString("content", w);
    w.endObject();
  }
  if (open >= 0) w.endArray().endObject();
  w.endArray();
  w.key("max_tokens").integer(<i64>req.getNumber("max_completion_tokens", req.getNumber("max_tokens", 4096)));
  if (req.kindOf("temperature") != 0 && req.kindOf("temperature") != 0x6e) req.writeValue("temperature", w.key("temperature"));
  if (req.kindOf("top_p") != 0 && req.kindOf("top_p") != 0x6e) req.writeValue("top_p", w.key("top_p"));
  if (req.getBool("stream", false)) w.key("stream").bool(true);
  w.endObject();
  return w.takeBytes();
}

/** Text values joined; one passes as it is (a big answer stays undecoded). */
function joinedText(texts: Array<JsonValue>): JsonValue {
  if (texts.length == 1) return texts[0];
  let s = "";
  for (let i = 0; i < texts.length; i++) s += texts[i].str;
  return jsonString(s);
}

export function finishOf(stopReason: string): string {
  if (stopReason == "max_tokens") return "length";
  if (stopReason == "tool_use") return "tool_calls";
  if (stopReason == "refusal") return "content_filter";
  return "stop";
}

/** Messages response → chat.completion; usage filled. */
function claudeToOpenAIResponse(resp: JsonObject, model: string, usage: TokenUsage): JsonObject {
  const msg = new JsonObject();
  msg.set("role", jsonString("assistant"));
  let thinking = "";
  const texts = new Array<JsonValue>();
  const calls = new Array<JsonValue>();
  const content = resp.getArray("content");
  if (content !== null) {
    for (let i = 0; i < content.length; i++) {
      const b = content[i].asObject();
      if (b === null) continue;
      const t = str(b, "type");
      if (t == "text") texts.push(strValue(b, "text"));
      else if (t == "thinking") thinking += str(b, "thinking");
      else if (t == "tool_use") calls.push(toolCall(-1, str(b, "id"), str(b, "name"), argumentsText(b.get("input"))));
    }
  }
  msg.set("content", joinedText(texts));
  if (thinking.length > 0) msg.set("reasoning_content", jsonString(thinking));
  if (calls.length > 0) msg.set("tool_calls", jsonArray(calls));
  const u = resp.getObject("usage");
  if (u !== null) usageFromAnthropic(u, usage);
  return completionWith(str(resp, "id"), model, msg, finishOf(str(resp, "stop_reason")), usage);
}

const BLOCK = JsonObjectView.reusable();
const THINKING = new ByteBuffer(256);

/**
 * claudeToOpenAIResponse on the answer's bytes: text blocks joined as sent (escapes kept, nothing
 * decoded), thinking likewise. An answer with a tool_use block takes the tree path (false).
 */
function claudeToOpenAIResponseBytes(resp: JsonObjectView, model: string, usage: TokenUsage, w: JsonWriter): bool {
  beginCompletion(w);
  if (resp.kindOf("id") == 0x22) resp.writeString("id", w); else w.string("");
  completionMessage(w, model);
  w.key("content").openString();
  const thinking = THINKING;
  let next = resp.firstObjectIn("content", BLOCK);
  while (next !== null) {
    const b: JsonObjectView = next;
    // A text (or thinking) that is absent or not a string adds nothing, as on the tree path.
    if (b.stringIs("type", "text")) b.appendStringContent("text", w.buf);
    else if (b.stringIs("type", "thinking")) b.appendStringContent("thinking", thinking);
    else if (b.stringIs("type", "tool_use")) return false;
    next = resp.nextObjectIn("content", b, BLOCK);
  }
  closeContent(w, thinking);
  const u = resp.getObject("usage", BLOCK);
  if (u !== null) usageFromAnthropic<JsonObjectView>(u, usage);
  const stop = resp.getString("stop_reason");
  endCompletion(w, finishOf(stop === null ? "" : stop), usage);
  return true;
}

/** Messages SSE events → OpenAI chunks (an Anthropic client's native stream passes through). */
class ClaudeStream extends ConvertingStream {
  id: string = "";
  toolCount: i32 = -1;
  /** content block index → tool call index (-1 for non-tool blocks). */
  blockTool: Map<i32, i32> = new Map<i32, i32>();
  done: bool = false;
  errorMessage: string = "";

  event(ev: SseEvent, data: JsonObject): void {
    this.convert(data, this.out.usage, this.chunks);
    if (this.passThrough) {
      this.chunks = [];
      if (this.done) this.out.report.publish();
      return;
    }
    if (this.errorMessage.length > 0) { this.out.error(this.errorMessage); return; }
    // The last item after message_stop is the usage chunk; [DONE] follows.
    this.flush();
    if (this.done) this.out.done();
  }

  /**
   * The hot events, text and thinking deltas, on their bytes: the delta's string goes into the
   * chunk as it was sent (no text, no tree). Every other event (a few per answer) takes the tree path.
   */
  private view: JsonObjectView = JsonObjectView.reusable();
  private delta: JsonObjectView = JsonObjectView.reusable();

  rawEvent(ev: SseEvent, raw: ArrayBuffer): void {
    const v = this.view;
    if (v.read(raw) && v.stringIs("type", "content_block_delta")) {
      const x = v.getObject("delta", this.delta);
      if (x !== null) {
        const text = x.stringIs("type", "text_delta");
        if (text || x.stringIs("type", "thinking_delta")) {
          const w = this.out.w;
          this.frame.begin(w, this.id);
          w.key(text ? "content" : "reasoning_content");
          if (!x.writeString(text ? "text" : "thinking", w)) w.string("");
          this.frame.end(w, "");
          return;
        }
      }
    }
    super.rawEvent(ev, raw);
  }

  doneMarker(): void { if (!this.passThrough) this.out.done(); }

  end(): void {
    if (!this.passThrough) { this.out.error(STREAM_CUT); return; }
    if (!this.done) {
      log.warn("the provider's stream ended without message_stop");
      this.tail = "event: error\ndata: " + anthropicError(502, STREAM_CUT) + "\n\n";
    }
    this.out.report.publish();
  }

  private convert(data: JsonObject, usage: TokenUsage, out: Array<string>): void {
    const type = str(data, "type");
    if (type == "message_start") {
      const m = data.getObject("message");
      this.id = str(m, "id");
      const u: JsonObject | null = m === null ? null : m.getObject("usage");
      if (u !== null) usageFromAnthropic(u, usage);
      const d = new JsonObject();
      d.set("role", jsonString("assistant"));
      d.set("content", jsonString(""));
      out.push(chunk(this.id, this.model, this.created, d, ""));
    } else if (type == "content_block_start") {
      const b = data.getObject("content_block");
      const idx = <i32>data.getNumber("index", 0);
      if (b !== null && str(b, "type") == "tool_use") {
        this.toolCount++;
        this.blockTool.set(idx, this.toolCount);
        const d = new JsonObject();
        d.set("tool_calls", jsonArray([toolCall(this.toolCount, str(b, "id"), str(b, "name"), "")]));
        out.push(chunk(this.id, this.model, this.created, d, ""));
      }
    } else if (type == "content_block_delta") {
      const x = data.getObject("delta");
      const t = str(x, "type");
      const d = new JsonObject();
      if (t == "text_delta") d.set("content", jsonString(str(x, "text")));
      else if (t == "thinking_delta") d.set("reasoning_content", jsonString(str(x, "thinking")));
      else if (t == "input_json_delta") {
        const idx = <i32>data.getNumber("index", 0);
        const tool = this.blockTool.has(idx) ? this.blockTool.get(idx) : this.toolCount;
        d.set("tool_calls", jsonArray([toolCallArguments(tool, str(x, "partial_json"))]));
      } else return;
      out.push(chunk(this.id, this.model, this.created, d, ""));
    } else if (type == "message_delta") {
      const u = data.getObject("usage");
      if (u !== null) {
        // message_delta carries cumulative output tokens (and, lately, the input side too).
        const input = u.has("input_tokens") ? u : null;
        if (input !== null) usageFromAnthropic(u, usage);
        else {
          const out2 = u.getNumber("output_tokens", 0);
          usage.set(usage.promptTokens, <i64>out2, usage.promptTokens + <i64>out2);
        }
      }
      const x = data.getObject("delta");
      out.push(chunk(this.id, this.model, this.created, new JsonObject(), finishOf(str(x, "stop_reason"))));
    } else if (type == "message_stop") {
      out.push(usageChunk(this.id, this.model, this.created, usage.toOpenAI()));
      this.done = true;
    } else if (type == "error") {
      const e = data.getObject("error");
      this.errorMessage = e === null ? "upstream error" : str(e, "message");
    }
  }
}
