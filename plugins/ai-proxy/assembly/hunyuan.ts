// Provider `hunyuan` with hunyuanAuthId/hunyuanAuthKey: Tencent Cloud's native ChatCompletions
// API (hunyuan.tencentcloudapi.com, X-TC-Action, TC3-HMAC-SHA256 signature). Without them the
// provider is OpenAI-compatible (api.hunyuan.cloud.tencent.com) and handled by the table.
import { JsonObject, JsonValue, HeaderMap } from "@sluice/sdk";
import { TokenUsage, usageFromTencent } from "@sluice/sdk/ai";
import { SseEvent } from "@sluice/sdk/sse";
import { ProviderAdapter, Exchange, Api, UpstreamRequest, ProviderError } from "./adapter";
import { StreamConverter, StreamOutput, ConvertingStream } from "./stream";
import { tc3Authorization } from "./sign";
import { jsonString, jsonInt, jsonBool, jsonObject, jsonArray, copy, str, contentValue, nowSeconds } from "./util";
import { completionWith, chunk } from "./openai";
import { toolFunctions } from "./convert";

const HUNYUAN_HOST = "hunyuan.tencentcloudapi.com";

/** `hunyuan`: OpenAI-compatible (the table row, Bearer) unless hunyuanAuthId is set: then Tencent Cloud's API, TC3-signed. */
export class HunyuanAdapter extends ProviderAdapter {
  authId: string = "";
  authKey: string = "";

  create(): ProviderAdapter { return new HunyuanAdapter(); }

  parse(o: JsonObject): string {
    const id = o.getString("hunyuanAuthId");
    if (id !== null) this.authId = id;
    const key = o.getString("hunyuanAuthKey");
    if (key !== null) this.authKey = key;
    this.speaksOpenAI = this.authId.length == 0;
    // Tencent reports errors as HTTP 200 + Response.Error.
    this.errorsInBody = !this.speaksOpenAI;
    return "";
  }

  host(ex: Exchange, headers: HeaderMap): string { return this.speaksOpenAI ? super.host(ex, headers) : HUNYUAN_HOST; }

  request(req: JsonObject, ex: Exchange, headers: HeaderMap): UpstreamRequest | null {
    if (this.speaksOpenAI) return super.request(req, ex, headers);
    if (ex.api != Api.Chat) return null;
    return new UpstreamRequest(openaiToHunyuanRequest(req, ex.mapped, ex.stream), "/");
  }

  sign(headers: HeaderMap, host: string, path: string, body: ArrayBuffer, ex: Exchange): void {
    if (this.speaksOpenAI) return;
    const now = nowSeconds();
    headers.set("x-tc-action", "ChatCompletions");
    headers.set("x-tc-version", "2023-09-01");
    headers.set("x-tc-timestamp", now.toString());
    headers.set("authorization", tc3Authorization(this.authId, this.authKey, "hunyuan", HUNYUAN_HOST, "application/json", body, now));
  }

  response(resp: JsonObject, ex: Exchange, usage: TokenUsage): JsonObject {
    return this.speaksOpenAI ? super.response(resp, ex, usage) : hunyuanToOpenAIResponse(resp, ex.mapped, usage);
  }

  bodyError(resp: JsonObject): ProviderError | null {
    const e = hunyuanError(resp);
    if (e === null) return null;
    return new ProviderError(hunyuanErrorStatus(str(e, "Code")), str(e, "Message"), str(e, "Code"));
  }

  stream(ex: Exchange, out: StreamOutput): StreamConverter {
    return this.speaksOpenAI ? super.stream(ex, out) : new HunyuanStream(out, ex.mapped, ex.created);
  }
}

function openaiToHunyuanRequest(req: JsonObject, model: string, stream: bool): JsonObject {
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
function hunyuanError(resp: JsonObject): JsonObject | null {
  const r = resp.getObject("Response");
  return r === null ? null : r.getObject("Error");
}

function hunyuanErrorStatus(code: string): u32 {
  if (code.startsWith("AuthFailure")) return 401;
  if (code.startsWith("LimitExceeded") || code.startsWith("RequestLimitExceeded")) return 429;
  if (code.startsWith("InternalError")) return 500;
  return 400;
}

function hunyuanToOpenAIResponse(resp: JsonObject, model: string, usage: TokenUsage): JsonObject {
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

class HunyuanStream extends ConvertingStream {
  id: string = "";
  done: bool = false;
  started: bool = false;

  event(ev: SseEvent, data: JsonObject): void {
    const e = hunyuanError(data);
    if (e !== null) { this.out.error(str(e, "Message")); return; }
    const usage = this.out.usage;
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
    if (d.size > 0 || f.length > 0) this.chunks.push(chunk(this.id, this.model, this.created, d, f));
    this.flush();
  }

  end(): void { this.endWithUsage(this.done, this.id); }
}
