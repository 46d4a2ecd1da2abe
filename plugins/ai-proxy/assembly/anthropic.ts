// The Anthropic Messages API on the client side: requests become OpenAI chat requests, OpenAI
// answers (whole or streamed) become Messages answers. Used for /v1/messages on every provider
// that does not speak Messages natively, so Claude Code can drive any model.
import { JsonObject, JsonValue, JsonKind } from "@sluice/sdk";
import { TokenUsage } from "@sluice/sdk/ai";
import { jsonString, jsonInt, jsonBool, jsonObject, jsonArray, jsonNull, copy, str, strValue, parseArgs, contentText, contentValue, randomId } from "./util";
import { sseEvent } from "./sse";
import { toolCall, argumentsText } from "./convert";
import { textBlock, thinkingBlock, appendToolUseBlocks } from "./claude";

function textPart(t: JsonValue): JsonValue {
  const p = new JsonObject();
  p.set("type", jsonString("text"));
  p.set("text", t);
  return jsonObject(p);
}

function imagePart(block: JsonObject): JsonValue | null {
  const src = block.getObject("source");
  if (src === null) return null;
  let url = "";
  if (str(src, "type") == "base64") url = "data:" + str(src, "media_type") + ";base64," + str(src, "data");
  else if (str(src, "type") == "url") url = str(src, "url");
  else return null;
  const iu = new JsonObject();
  iu.set("url", jsonString(url));
  const p = new JsonObject();
  p.set("type", jsonString("image_url"));
  p.set("image_url", jsonObject(iu));
  return jsonObject(p);
}


/** Anthropic /v1/messages request → OpenAI /v1/chat/completions request. */
export function anthropicToOpenAIRequest(req: JsonObject): JsonObject {
  const out = new JsonObject();
  copy(req, "model", out, "model");
  const msgs = new Array<JsonValue>();
  const sys = req.get("system");
  if (sys !== null) {
    const t = contentValue(sys);
    if (!t.isEmptyString) {
      const m = new JsonObject();
      m.set("role", jsonString("system"));
      m.set("content", t);
      msgs.push(jsonObject(m));
    }
  }
  const list = req.getArray("messages");
  if (list !== null) {
    for (let i = 0; i < list.length; i++) {
      const m = list[i].asObject();
      if (m === null) continue;
      const role = str(m, "role");
      const content = m.get("content");
      if (content === null) continue;
      if (content.kind == JsonKind.String) {
        const o = new JsonObject();
        o.set("role", jsonString(role));
        o.set("content", content);
        msgs.push(jsonObject(o));
        continue;
      }
      const blocks = content.asArray();
      if (blocks === null) continue;
      if (role == "assistant") {
        let text = "", thinking = "";
        const calls = new Array<JsonValue>();
        for (let j = 0; j < blocks.length; j++) {
          const b = blocks[j].asObject();
          if (b === null) continue;
          const t = str(b, "type");
          if (t == "text") text += str(b, "text");
          else if (t == "thinking") thinking += str(b, "thinking");
          else if (t == "tool_use") calls.push(toolCall(-1, str(b, "id"), str(b, "name"), argumentsText(b.get("input"))));
        }
        const o = new JsonObject();
        o.set("role", jsonString("assistant"));
        o.set("content", text.length > 0 || calls.length == 0 ? jsonString(text) : jsonNull());
        if (thinking.length > 0) o.set("reasoning_content", jsonString(thinking));
        if (calls.length > 0) o.set("tool_calls", jsonArray(calls));
        msgs.push(jsonObject(o));
        continue;
      }
      // user: tool_result blocks become tool messages (first), the rest one user message.
      const parts = new Array<JsonValue>();
      let onlyText = true;
      for (let j = 0; j < blocks.length; j++) {
        const b = blocks[j].asObject();
        if (b === null) continue;
        const t = str(b, "type");
        if (t == "tool_result") {
          const o = new JsonObject();
          o.set("role", jsonString("tool"));
          o.set("tool_call_id", jsonString(str(b, "tool_use_id")));
          o.set("content", contentValue(b.get("content")));
          msgs.push(jsonObject(o));
        } else if (t == "text") parts.push(textPart(strValue(b, "text")));
        else if (t == "image") {
          const p = imagePart(b);
          if (p !== null) { parts.push(p); onlyText = false; }
        }
      }
      if (parts.length > 0) {
        const o = new JsonObject();
        o.set("role", jsonString(role));
        // One text part passes as it is (a big one stays undecoded); several are joined.
        if (onlyText) o.set("content", parts.length == 1 ? strValue(parts[0].asObject(), "text") : jsonString(contentText(jsonArray(parts))));
        else o.set("content", jsonArray(parts));
        msgs.push(jsonObject(o));
      }
    }
  }
  out.set("messages", jsonArray(msgs));
  copy(req, "max_tokens", out, "max_tokens");
  copy(req, "temperature", out, "temperature");
  copy(req, "top_p", out, "top_p");
  copy(req, "stop_sequences", out, "stop");
  const stream = req.getBool("stream", false);
  if (stream) {
    out.set("stream", jsonBool(true));
    const so = new JsonObject();
    so.set("include_usage", jsonBool(true));
    out.set("stream_options", jsonObject(so));
  }
  const tools = req.getArray("tools");
  if (tools !== null && tools.length > 0) {
    const ts = new Array<JsonValue>();
    for (let i = 0; i < tools.length; i++) {
      const t = tools[i].asObject();
      if (t === null) continue;
      const fn = new JsonObject();
      fn.set("name", jsonString(str(t, "name")));
      copy(t, "description", fn, "description");
      const schema = t.get("input_schema");
      fn.set("parameters", schema === null ? jsonObject(new JsonObject()) : schema);
      const o = new JsonObject();
      o.set("type", jsonString("function"));
      o.set("function", jsonObject(fn));
      ts.push(jsonObject(o));
    }
    out.set("tools", jsonArray(ts));
  }
  const tc = req.getObject("tool_choice");
  if (tc !== null) {
    const t = str(tc, "type");
    if (t == "auto") out.set("tool_choice", jsonString("auto"));
    else if (t == "any") out.set("tool_choice", jsonString("required"));
    else if (t == "none") out.set("tool_choice", jsonString("none"));
    else if (t == "tool") {
      const fn = new JsonObject();
      fn.set("name", jsonString(str(tc, "name")));
      const o = new JsonObject();
      o.set("type", jsonString("function"));
      o.set("function", jsonObject(fn));
      out.set("tool_choice", jsonObject(o));
    }
  }
  const thinking = req.getObject("thinking");
  if (thinking !== null && str(thinking, "type") == "enabled") {
    const budget = thinking.getNumber("budget_tokens", 0);
    out.set("reasoning_effort", jsonString(budget >= 16384 ? "high" : budget >= 8192 ? "medium" : "low"));
  }
  const md = req.getObject("metadata");
  if (md !== null) copy(md, "user_id", out, "user");
  return out;
}

export function stopReasonOf(finish: string): string {
  if (finish == "length") return "max_tokens";
  if (finish == "tool_calls" || finish == "function_call") return "tool_use";
  if (finish == "content_filter") return "refusal";
  return "end_turn";
}

/** OpenAI chat.completion → Anthropic message. */
export function openaiToAnthropicResponse(resp: JsonObject, model: string, usage: TokenUsage): JsonObject {
  const out = new JsonObject();
  let id = str(resp, "id");
  if (!id.startsWith("msg_")) id = "msg_" + id;
  out.set("id", jsonString(id));
  out.set("type", jsonString("message"));
  out.set("role", jsonString("assistant"));
  out.set("model", jsonString(model));
  const content = new Array<JsonValue>();
  let finish = "stop";
  const choices = resp.getArray("choices");
  if (choices !== null && choices.length > 0) {
    const c = choices[0].asObject();
    if (c !== null) {
      const f = c.getString("finish_reason");
      if (f !== null) finish = f;
      const m = c.getObject("message");
      if (m !== null) {
        const r = str(m, "reasoning_content");
        if (r.length > 0) content.push(thinkingBlock(r));
        const t = contentText(m.get("content"));
        if (t.length > 0) content.push(textBlock(t));
        const calls = m.getArray("tool_calls");
        if (calls !== null) {
          appendToolUseBlocks(calls, content);
          if (calls.length > 0) finish = "tool_calls";
        }
      }
    }
  }
  out.set("content", jsonArray(content));
  out.set("stop_reason", jsonString(stopReasonOf(finish)));
  out.set("stop_sequence", jsonNull());
  out.set("usage", jsonObject(usage.toAnthropic()));
  return out;
}

const NONE: i32 = 0, TEXT: i32 = 1, THINKING: i32 = 2, TOOL: i32 = 3;

/** Turns OpenAI chunks into the Messages event sequence, one block at a time, in order. */
export class AnthropicStreamWriter {
  started: bool = false;
  finished: bool = false;
  blockIndex: i32 = -1;
  blockType: i32 = NONE;
  /** OpenAI tool_calls index of the open tool block. */
  toolIndex: i32 = -1;
  finish: string = "";
  model: string = "";

  constructor(model: string) { this.model = model; }

  private start(id: string, out: Array<string>): void {
    if (this.started) return;
    this.started = true;
    const m = new JsonObject();
    m.set("id", jsonString(id.startsWith("msg_") ? id : "msg_" + id));
    m.set("type", jsonString("message"));
    m.set("role", jsonString("assistant"));
    m.set("model", jsonString(this.model));
    m.set("content", jsonArray(new Array<JsonValue>()));
    m.set("stop_reason", jsonNull());
    m.set("stop_sequence", jsonNull());
    const u = new JsonObject();
    u.set("input_tokens", jsonInt(0));
    u.set("output_tokens", jsonInt(0));
    m.set("usage", jsonObject(u));
    const e = new JsonObject();
    e.set("type", jsonString("message_start"));
    e.set("message", jsonObject(m));
    out.push(sseEvent("message_start", e.stringify()));
  }

  private close(out: Array<string>): void {
    if (this.blockType == NONE) return;
    const e = new JsonObject();
    e.set("type", jsonString("content_block_stop"));
    e.set("index", jsonInt(this.blockIndex));
    out.push(sseEvent("content_block_stop", e.stringify()));
    this.blockType = NONE;
  }

  private open(type: i32, block: JsonObject, out: Array<string>): void {
    this.close(out);
    this.blockIndex++;
    this.blockType = type;
    const e = new JsonObject();
    e.set("type", jsonString("content_block_start"));
    e.set("index", jsonInt(this.blockIndex));
    e.set("content_block", jsonObject(block));
    out.push(sseEvent("content_block_start", e.stringify()));
  }

  private delta(d: JsonObject, out: Array<string>): void {
    const e = new JsonObject();
    e.set("type", jsonString("content_block_delta"));
    e.set("index", jsonInt(this.blockIndex));
    e.set("delta", jsonObject(d));
    out.push(sseEvent("content_block_delta", e.stringify()));
  }

  /** One OpenAI chunk (parsed). */
  push(c: JsonObject, out: Array<string>): void {
    if (this.finished) return;
    this.start(str(c, "id"), out);
    const choices = c.getArray("choices");
    if (choices === null || choices.length == 0) return;
    const ch = choices[0].asObject();
    if (ch === null) return;
    const d = ch.getObject("delta");
    if (d !== null) {
      const r = str(d, "reasoning_content");
      if (r.length > 0) {
        if (this.blockType != THINKING) {
          const b = new JsonObject();
          b.set("type", jsonString("thinking"));
          b.set("thinking", jsonString(""));
          b.set("signature", jsonString(""));
          this.open(THINKING, b, out);
        }
        const x = new JsonObject();
        x.set("type", jsonString("thinking_delta"));
        x.set("thinking", jsonString(r));
        this.delta(x, out);
      }
      const t = contentText(d.get("content"));
      if (t.length > 0) {
        if (this.blockType != TEXT) {
          const b = new JsonObject();
          b.set("type", jsonString("text"));
          b.set("text", jsonString(""));
          this.open(TEXT, b, out);
        }
        const x = new JsonObject();
        x.set("type", jsonString("text_delta"));
        x.set("text", jsonString(t));
        this.delta(x, out);
      }
      const calls = d.getArray("tool_calls");
      if (calls !== null) {
        for (let i = 0; i < calls.length; i++) {
          const call = calls[i].asObject();
          if (call === null) continue;
          const idx = <i32>call.getNumber("index", <f64>i);
          const fn = call.getObject("function");
          if (this.blockType != TOOL || idx != this.toolIndex) {
            const b = new JsonObject();
            b.set("type", jsonString("tool_use"));
            let id = str(call, "id");
            if (id.length == 0) id = randomId("toolu_");
            b.set("id", jsonString(id));
            b.set("name", jsonString(str(fn, "name")));
            b.set("input", jsonObject(new JsonObject()));
            this.open(TOOL, b, out);
            this.toolIndex = idx;
          }
          const args = str(fn, "arguments");
          if (args.length > 0) {
            const x = new JsonObject();
            x.set("type", jsonString("input_json_delta"));
            x.set("partial_json", jsonString(args));
            this.delta(x, out);
          }
        }
      }
    }
    const f = ch.getString("finish_reason");
    if (f !== null && f.length > 0) this.finish = f;
  }

  /** The end of the OpenAI stream: closes the block, reports stop reason and usage. */
  end(usage: TokenUsage, out: Array<string>): void {
    if (this.finished) return;
    this.start(randomId("msg_"), out);
    this.close(out);
    this.finished = true;
    const d = new JsonObject();
    d.set("stop_reason", jsonString(stopReasonOf(this.finish)));
    d.set("stop_sequence", jsonNull());
    const e = new JsonObject();
    e.set("type", jsonString("message_delta"));
    e.set("delta", jsonObject(d));
    e.set("usage", jsonObject(usage.toAnthropic()));
    out.push(sseEvent("message_delta", e.stringify()));
    const stop = new JsonObject();
    stop.set("type", jsonString("message_stop"));
    out.push(sseEvent("message_stop", stop.stringify()));
  }

  /** A failure mid-stream: an `error` event (the SDK raises it). */
  fail(message: string, out: Array<string>): void {
    if (this.finished) return;
    this.finished = true;
    const er = new JsonObject();
    er.set("type", jsonString("api_error"));
    er.set("message", jsonString(message));
    const e = new JsonObject();
    e.set("type", jsonString("error"));
    e.set("error", jsonObject(er));
    out.push(sseEvent("error", e.stringify()));
  }
}
