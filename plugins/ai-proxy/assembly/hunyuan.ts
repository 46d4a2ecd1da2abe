// Provider `hunyuan` with hunyuanAuthId/hunyuanAuthKey: Tencent Cloud's native ChatCompletions
// API (hunyuan.tencentcloudapi.com, X-TC-Action, TC3-HMAC-SHA256 signature). Without them the
// provider is OpenAI-compatible (api.hunyuan.cloud.tencent.com) and handled by the table.
import { JsonObject, JsonValue, JsonKind, TokenUsage, usageFromTencent } from "@sluice/sdk";
import { jsonString, jsonInt, jsonBool, jsonObject, jsonArray, copy, str, contentValue } from "./util";
import { completionWith, chunk, usageChunk } from "./openai";
import { toolFunctions } from "./convert";

export const HUNYUAN_HOST = "hunyuan.tencentcloudapi.com";

export function openaiToHunyuanRequest(req: JsonObject, model: string, stream: bool): JsonObject {
  const out = new JsonObject();
  out.set("Model", jsonString(model));
  const msgs = new Array<JsonValue>();
  const list = req.getArray("messages");
  if (list !== null) {
    for (let i = 0; i < list.length; i++) {
      const m = list[i].asObject();
      if (m === null) continue;
      const o = new JsonObject();
      let role = str(m, "role");
      if (role == "developer") role = "system";
      o.set("Role", jsonString(role));
      o.set("Content", contentValue(m.get("content")));
      const tid = m.getString("tool_call_id");
      if (tid !== null) o.set("ToolCallId", jsonString(tid));
      const calls = m.getArray("tool_calls");
      if (calls !== null) {
        const tc = new Array<JsonValue>();
        for (let j = 0; j < calls.length; j++) {
          const c = calls[j].asObject();
          if (c === null) continue;
          const fn = c.getObject("function");
          const f = new JsonObject();
          f.set("Name", jsonString(str(fn, "name")));
          f.set("Arguments", jsonString(str(fn, "arguments")));
          const t = new JsonObject();
          t.set("Id", jsonString(str(c, "id")));
          t.set("Type", jsonString("function"));
          t.set("Function", jsonObject(f));
          tc.push(jsonObject(t));
        }
        o.set("ToolCalls", jsonArray(tc));
      }
      msgs.push(jsonObject(o));
    }
  }
  out.set("Messages", jsonArray(msgs));
  out.set("Stream", jsonBool(stream));
  copy(req, "temperature", out, "Temperature");
  copy(req, "top_p", out, "TopP");
  const fns = toolFunctions(req);
  if (fns !== null) {
    const ts = new Array<JsonValue>();
    for (let i = 0; i < fns.length; i++) {
      const fn = fns[i];
      const f = new JsonObject();
      f.set("Name", jsonString(str(fn, "name")));
      f.set("Description", jsonString(str(fn, "description")));
      const p = fn.get("parameters");
      f.set("Parameters", jsonString(p === null ? "{}" : p.stringify()));
      const o = new JsonObject();
      o.set("Type", jsonString("function"));
      o.set("Function", jsonObject(f));
      ts.push(jsonObject(o));
    }
    out.set("Tools", jsonArray(ts));
  }
  return out;
}

function toolCallsOf(list: Array<JsonValue> | null, withIndex: bool): Array<JsonValue> {
  const out = new Array<JsonValue>();
  if (list === null) return out;
  for (let i = 0; i < list.length; i++) {
    const t = list[i].asObject();
    if (t === null) continue;
    const f = t.getObject("Function");
    const fn = new JsonObject();
    fn.set("name", jsonString(str(f, "Name")));
    fn.set("arguments", jsonString(str(f, "Arguments")));
    const c = new JsonObject();
    if (withIndex) c.set("index", jsonInt(<i64>t.getNumber("Index", <f64>i)));
    c.set("id", jsonString(str(t, "Id")));
    c.set("type", jsonString("function"));
    c.set("function", jsonObject(fn));
    out.push(jsonObject(c));
  }
  return out;
}

/** Tencent answers errors with HTTP 200 and Response.Error; returns it or null. */
export function hunyuanError(resp: JsonObject): JsonObject | null {
  const r = resp.getObject("Response");
  return r === null ? null : r.getObject("Error");
}

export function hunyuanErrorStatus(code: string): u32 {
  if (code.startsWith("AuthFailure")) return 401;
  if (code.startsWith("LimitExceeded") || code.startsWith("RequestLimitExceeded")) return 429;
  if (code.startsWith("InternalError")) return 500;
  return 400;
}

export function hunyuanToOpenAIResponse(resp: JsonObject, model: string, usage: TokenUsage): JsonObject {
  let r = resp.getObject("Response");
  if (r === null) r = resp;
  const msg = new JsonObject();
  msg.set("role", jsonString("assistant"));
  let finish = "stop";
  const choices = r.getArray("Choices");
  if (choices !== null && choices.length > 0) {
    const c = choices[0].asObject();
    if (c !== null) {
      const f = str(c, "FinishReason");
      if (f.length > 0) finish = f;
      const m = c.getObject("Message");
      msg.set("content", jsonString(str(m, "Content")));
      const calls = toolCallsOf(m === null ? null : m.getArray("ToolCalls"), false);
      if (calls.length > 0) msg.set("tool_calls", jsonArray(calls));
    }
  }
  const u = r.getObject("Usage");
  if (u !== null) usageFromTencent(u, usage);
  return completionWith(str(r, "Id"), model, msg, finish, usage);
}

export class HunyuanStreamReader {
  id: string = "";
  model: string;
  created: i64;
  done: bool = false;
  started: bool = false;

  constructor(model: string, created: i64) { this.model = model; this.created = created; }

  event(data: JsonObject, usage: TokenUsage, out: Array<string>): void {
    if (this.id.length == 0) this.id = str(data, "Id");
    const u = data.getObject("Usage");
    if (u !== null) usageFromTencent(u, usage);
    const choices = data.getArray("Choices");
    if (choices === null || choices.length == 0) return;
    const c = choices[0].asObject();
    if (c === null) return;
    const dl = c.getObject("Delta");
    const d = new JsonObject();
    if (!this.started) { d.set("role", jsonString("assistant")); this.started = true; }
    const content = str(dl, "Content");
    if (content.length > 0) d.set("content", jsonString(content));
    const calls = toolCallsOf(dl === null ? null : dl.getArray("ToolCalls"), true);
    if (calls.length > 0) d.set("tool_calls", jsonArray(calls));
    const f = str(c, "FinishReason");
    if (f.length > 0) this.done = true;
    if (d.size > 0 || f.length > 0) out.push(chunk(this.id, this.model, this.created, d, f));
  }

  end(usage: TokenUsage, out: Array<string>): void {
    out.push(usageChunk(this.id, this.model, this.created, usage.toOpenAI()));
  }
}
