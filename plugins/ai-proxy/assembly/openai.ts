// OpenAI shapes the converters build: chat.completion, chat.completion.chunk and errors.
import { JsonObject, JsonValue } from "@sluice/sdk";
import { TokenUsage } from "@sluice/sdk/ai";
import { JsonWriter, ByteBuffer } from "@sluice/sdk/json";
import { jsonString, jsonInt, jsonObject, jsonArray, jsonNull, nowSeconds } from "./util";

export function newCompletion(id: string, model: string): JsonObject {
  const o = new JsonObject();
  o.set("id", jsonString(id));
  o.set("object", jsonString("chat.completion"));
  o.set("created", jsonInt(nowSeconds()));
  o.set("model", jsonString(model));
  return o;
}

/** A chat.completion with one choice and the request's usage. */
export function completionWith(id: string, model: string, message: JsonObject, finish: string, usage: TokenUsage): JsonObject {
  const o = newCompletion(id, model);
  const choice = new JsonObject();
  choice.set("index", jsonInt(0));
  choice.set("message", jsonObject(message));
  choice.set("logprobs", jsonNull());
  choice.set("finish_reason", finish.length > 0 ? jsonString(finish) : jsonNull());
  o.set("choices", jsonArray([jsonObject(choice)]));
  o.set("usage", jsonObject(usage.toOpenAI()));
  return o;
}

/**
 * A chat.completion written straight into bytes, member for member as `completionWith` builds it:
 * `beginCompletion` opens it up to `"id":` (the caller writes the id's value), `completionMessage`
 * goes on to the message's `"role":"assistant"` (the caller writes the message's other members),
 * `endCompletion` closes the message and writes the finish reason and usage.
 */
export function beginCompletion(w: JsonWriter): void {
  w.beginObject().key("id");
}

export function completionMessage(w: JsonWriter, model: string): void {
  w.key("object").string("chat.completion").key("created").integer(nowSeconds()).key("model").string(model);
  w.key("choices").beginArray().beginObject().key("index").integer(0);
  w.key("message").beginObject().key("role").string("assistant");
}

/** Closes the content string the caller opened, then writes `reasoning_content` from joined string content, when there is any. */
export function closeContent(w: JsonWriter, reasoning: ByteBuffer): void {
  w.closeString();
  if (reasoning.length == 0) return;
  w.key("reasoning_content").openString();
  w.buf.pushBytes(reasoning.ptr, reasoning.length);
  w.closeString();
}

export function endCompletion(w: JsonWriter, finish: string, usage: TokenUsage): void {
  w.endObject().key("logprobs").null().key("finish_reason");
  if (finish.length > 0) w.string(finish); else w.null();
  w.endObject().endArray().key("usage");
  usage.writeOpenAI(w);
  w.endObject();
}

/** One chat.completion.chunk with a single choice (delta may be empty; finish "" = null). */
export function chunk(id: string, model: string, created: i64, delta: JsonObject, finish: string): string {
  const o = new JsonObject();
  o.set("id", jsonString(id));
  o.set("object", jsonString("chat.completion.chunk"));
  o.set("created", jsonInt(created));
  o.set("model", jsonString(model));
  const choice = new JsonObject();
  choice.set("index", jsonInt(0));
  choice.set("delta", jsonObject(delta));
  choice.set("logprobs", jsonNull());
  choice.set("finish_reason", finish.length > 0 ? jsonString(finish) : jsonNull());
  o.set("choices", jsonArray([jsonObject(choice)]));
  return o.stringify();
}

/**
 * chat.completion.chunk events written straight into a stream's bytes, the same bytes as
 * `sseData(chunk(…))`: `begin` writes `data: {"id":…,"choices":[{"index":0,"delta":{`, the caller
 * writes the delta's members with the writer, `end` closes it with the finish reason. The part
 * before the delta is built once per id.
 */
export class ChunkFrame {
  private head: ArrayBuffer = new ArrayBuffer(0);
  private headId: string | null = null;

  constructor(public model: string, public created: i64) {}

  begin(w: JsonWriter, id: string): void {
    const known = this.headId;
    if (known === null || known != id) { this.head = chunkHead(id, this.model, this.created); this.headId = id; }
    w.buf.pushBuffer(this.head);
    w.restart();
    w.beginObject();
  }

  /** Closes the delta and the chunk (finish "" = null). */
  end(w: JsonWriter, finish: string): void {
    w.endObject();
    w.buf.pushAscii(',"logprobs":null,"finish_reason":');
    w.restart();
    if (finish.length > 0) w.string(finish); else w.null();
    w.buf.pushAscii("}]}\n\n");
    w.restart();
  }
}

function chunkHead(id: string, model: string, created: i64): ArrayBuffer {
  const w = new JsonWriter(160);
  w.buf.pushAscii("data: ");
  w.beginObject().key("id").string(id).key("object").string("chat.completion.chunk").key("created").integer(created);
  w.key("model").string(model).key("choices").beginArray().beginObject().key("index").integer(0).key("delta");
  return w.toBytes();
}

/** The trailing usage chunk of a stream with include_usage (empty choices). */
export function usageChunk(id: string, model: string, created: i64, usage: JsonObject): string {
  const o = new JsonObject();
  o.set("id", jsonString(id));
  o.set("object", jsonString("chat.completion.chunk"));
  o.set("created", jsonInt(created));
  o.set("model", jsonString(model));
  o.set("choices", jsonArray(new Array<JsonValue>()));
  o.set("usage", jsonObject(usage));
  return o.stringify();
}

/** The human message inside any provider's error body (OpenAI, Anthropic, Gemini, DashScope, Tencent, AWS, Cloudflare). */
export function providerErrorMessage(body: JsonObject | null, fallback: string): string {
  if (body === null) return fallback;
  const e = body.getObject("error");
  if (e !== null) {
    const m = e.getString("message");
    if (m !== null) return m;
  }
  const es = body.getString("error");
  if (es !== null) return es;
  const m = body.getString("message");
  if (m !== null) return m;
  const m2 = body.getString("Message");
  if (m2 !== null) return m2;
  const r = body.getObject("Response");
  if (r !== null) {
    const re = r.getObject("Error");
    if (re !== null) {
      const rm = re.getString("Message");
      if (rm !== null) return rm;
    }
  }
  const first = firstError(body);
  if (first !== null) {
    const fm = first.getString("message");
    if (fm !== null) return fm;
  }
  return fallback;
}

/** Cloudflare's API envelope: `{"success": false, "errors": [{"code", "message"}], …}`. */
function firstError(body: JsonObject): JsonObject | null {
  const list = body.getArray("errors");
  return list === null || list.length == 0 ? null : list[0].asObject();
}

export function providerErrorCode(body: JsonObject | null): string {
  if (body === null) return "";
  const e = body.getObject("error");
  if (e !== null) {
    const c = e.get("code");
    if (c !== null) { const t = c.toText(); if (t !== null) return t; }
    const t2 = e.getString("type");
    if (t2 !== null) return t2;
    const st = e.getString("status");
    if (st !== null) return st;
  }
  const c = body.getString("code");
  if (c !== null) return c;
  const first = firstError(body);
  if (first !== null) {
    const fc = first.get("code");
    if (fc !== null) { const t = fc.toText(); if (t !== null) return t; }
  }
  return "";
}
