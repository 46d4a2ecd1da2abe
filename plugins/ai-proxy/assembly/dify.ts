// Provider `dify`: a Dify app behind the OpenAI chat API, as Higress's dify provider does it. The
// app's kind (`botType`) picks Dify's API: Chat and Agent → POST /v1/chat-messages, Completion →
// /v1/completion-messages, Workflow → /v1/workflows/run, on api.dify.ai or difyApiUrl's host,
// with `Authorization: Bearer <app key>`. The whole conversation goes as one text ("SYSTEM: \n…\n",
// "ASSISTANT: \n…\n", "USER: \n…\n" per message): as `query` (Chat, Agent), `inputs.query`
// (Completion) or `inputs[inputVariable]` (Workflow). The answer (`answer`, or the workflow's
// `outputs[outputVariable]`) becomes a chat.completion or chunks; usage comes from
// `metadata.usage`. A Chat/Agent request's `ConversationId` header continues a conversation, and
// the (non-streamed) answer carries the conversation's id in a `ConversationId` header.
import { JsonObject, JsonValue, JsonKind, HeaderPair, HeaderMap } from "@sluice/sdk";
import { TokenUsage } from "@sluice/sdk/ai";
import { SseEvent } from "@sluice/sdk/sse";
import { ProviderAdapter, Exchange, Api, UpstreamRequest, ProviderError } from "./adapter";
import { StreamConverter, StreamOutput, ConvertingStream, STREAM_CUT } from "./stream";
import { jsonString, jsonInt, jsonBool, jsonObject, jsonArray, jsonNull, str, stringContent, nowSeconds } from "./util";

const DIFY_HOST = "api.dify.ai";
const BOT_TYPES = ["Chat", "Completion", "Agent", "Workflow"];

export class DifyAdapter extends ProviderAdapter {
  apiUrl: string = "";
  botType: string = "Chat";
  inputVariable: string = "";
  outputVariable: string = "";

  create(): ProviderAdapter { return new DifyAdapter(); }

  parse(o: JsonObject): string {
    const u = o.getString("difyApiUrl");
    if (u !== null) this.apiUrl = u;
    const b = o.getString("botType");
    // Sluice: no botType means Chat (Higress then sends an empty body to the client's path).
    if (b !== null && b.length > 0) this.botType = b;
    const iv = o.getString("inputVariable");
    if (iv !== null) this.inputVariable = iv;
    const ov = o.getString("outputVariable");
    if (ov !== null) this.outputVariable = ov;
    this.needsApiTokens = true;
    this.speaksOpenAI = false;
    // The answer's conversation id goes into a response header: the headers wait for the body.
    this.setsResponseHeaders = this.botType == "Chat" || this.botType == "Agent";
    // A failed workflow run is a 200 whose data.status is "failed".
    this.errorsInBody = this.botType == "Workflow";
    if (!BOT_TYPES.includes(this.botType)) return "invalid botType in dify provider config: " + this.botType + " (Chat, Completion, Agent or Workflow)";
    if (this.botType == "Workflow" && (this.inputVariable.length == 0 || this.outputVariable.length == 0)) {
      return "dify botType Workflow needs inputVariable and outputVariable";
    }
    return "";
  }

  /** difyApiUrl's host (a full URL or a bare host[:port], as Higress extracts it), else api.dify.ai. */
  host(ex: Exchange, headers: HeaderMap): string {
    if (this.apiUrl.length == 0) return DIFY_HOST;
    let h = this.apiUrl;
    const scheme = h.indexOf("://");
    if (scheme >= 0) h = h.substring(scheme + 3);
    for (let i = 0; i < h.length; i++) {
      const c = h.charCodeAt(i);
      if (c == 0x2f || c == 0x3f || c == 0x23) { h = h.substring(0, i); break; }
    }
    const at = h.lastIndexOf("@");
    if (at >= 0) h = h.substring(at + 1);
    return h;
  }

  path(api: Api, ex: Exchange): string {
    if (api != Api.Chat) return "";
    if (this.botType == "Completion") return "/v1/completion-messages";
    if (this.botType == "Workflow") return "/v1/workflows/run";
    return "/v1/chat-messages";
  }

  request(req: JsonObject, ex: Exchange, headers: HeaderMap): UpstreamRequest | null {
    if (ex.api != Api.Chat) return null;
    let content = "";
    const msgs = req.getArray("messages");
    if (msgs !== null) {
      for (let i = 0; i < msgs.length; i++) {
        const m = msgs[i].asObject();
        if (m === null) continue;
        const role = str(m, "role");
        const prefix = role == "system" ? "SYSTEM: \n" : role == "assistant" ? "ASSISTANT: \n" : "USER: \n";
        content += prefix + stringContent(m.get("content")) + "\n";
      }
    }
    let user = str(req, "user");
    if (user.length == 0) user = "api-user";
    const chat = this.botType == "Chat" || this.botType == "Agent";
    const inputs = new JsonObject();
    if (this.botType == "Completion") inputs.set("query", jsonString(content));
    else if (this.botType == "Workflow") inputs.set(this.inputVariable, jsonString(content));
    let conversation = "";
    if (chat) {
      const c = headers.get("conversationid");
      if (c !== null) conversation = c;
    }
    // Every field of Higress's DifyChatRequest, whatever the bot type (Dify ignores the others).
    const out = new JsonObject();
    out.set("inputs", jsonObject(inputs));
    out.set("query", jsonString(chat ? content : ""));
    out.set("response_mode", jsonString(ex.stream ? "streaming" : "blocking"));
    out.set("user", jsonString(user));
    out.set("auto_generate_name", jsonBool(false));
    out.set("conversation_id", jsonString(conversation));
    return new UpstreamRequest(out, this.path(Api.Chat, ex));
  }

  /** The answer's text for this bot type (null when there is none). */
  content(o: JsonObject): JsonValue | null {
    if (this.botType != "Workflow") {
      const a = str(o, "answer");
      return a.length > 0 ? jsonString(a) : null;
    }
    const data = o.getObject("data");
    if (data === null) return null;
    const outputs = data.getObject("outputs");
    if (outputs === null) return null;
    const v = outputs.get(this.outputVariable);
    if (v === null || v.isNull) return null;
    if (v.kind == JsonKind.String) {
      if (v.str.length == 0) return null;
      return v;
    }
    // Sluice: a non-string output goes as its JSON text (Higress puts the value itself in content).
    return jsonString(v.stringify());
  }

  /** The answer's id as Higress picks it: the conversation (Chat, Agent), the message (Completion), the workflow (Workflow). */
  answerId(o: JsonObject): string {
    if (this.botType == "Completion") return str(o, "message_id");
    if (this.botType == "Workflow") return str(o.getObject("data"), "workflow_id");
    return str(o, "conversation_id");
  }

  response(resp: JsonObject, ex: Exchange, usage: TokenUsage): JsonObject {
    const m = new JsonObject();
    m.set("role", jsonString("assistant"));
    const content = this.content(resp);
    if (content !== null) m.set("content", content);
    const c = new JsonObject();
    c.set("index", jsonInt(0));
    c.set("message", jsonObject(m));
    c.set("finish_reason", jsonString("stop"));
    c.set("logprobs", jsonNull());
    const o = new JsonObject();
    const id = this.answerId(resp);
    if (id.length > 0) o.set("id", jsonString(id));
    o.set("choices", jsonArray([jsonObject(c)]));
    // Sluice: `created` is now when Dify's answer has no created_at (a workflow's), not absent.
    const created = resp.getInt("created_at", 0);
    o.set("created", jsonInt(created != 0 ? created : nowSeconds()));
    if (ex.mapped.length > 0) o.set("model", jsonString(ex.mapped));
    o.set("object", jsonString("chat.completion"));
    o.set("usage", jsonObject(difyUsage(resp, usage)));
    if (this.setsResponseHeaders) {
      const conv = str(resp, "conversation_id");
      if (conv.length > 0) ex.answerHeaders.push(new HeaderPair("conversationid", conv));
    }
    return o;
  }

  /** A workflow run that failed (data.status "failed") → a 500 with its error. */
  bodyError(resp: JsonObject): ProviderError | null {
    const data = resp.getObject("data");
    if (data === null || str(data, "status") != "failed") return null;
    const e = str(data, "error");
    return new ProviderError(500, e.length > 0 ? e : "the dify workflow run failed", "workflow_failed");
  }

  stream(ex: Exchange, out: StreamOutput): StreamConverter { return new DifyStream(out, ex.mapped, ex.created, this); }
}

/**
 * metadata.usage as Higress's `usage` struct marshals it: prompt_tokens, completion_tokens and
 * total_tokens, each only when not zero; the gateway's usage is filled from it.
 */
function difyUsage(o: JsonObject, usage: TokenUsage): JsonObject {
  const out = new JsonObject();
  const meta = o.getObject("metadata");
  if (meta === null) return out;
  const u = meta.getObject("usage");
  if (u === null) return out;
  const p = u.getInt("prompt_tokens", 0);
  const c = u.getInt("completion_tokens", 0);
  const t = u.getInt("total_tokens", 0);
  if (p != 0) out.set("prompt_tokens", jsonInt(p));
  if (c != 0) out.set("completion_tokens", jsonInt(c));
  if (t != 0) out.set("total_tokens", jsonInt(t));
  if (u.has("prompt_tokens") || u.has("completion_tokens")) usage.set(p, c, t);
  return out;
}

/**
 * Dify's SSE events → chunks as Higress builds them: every event with JSON data becomes one chunk
 * (delta {role: assistant, content: the answer when there is one}); message_end and
 * workflow_finished finish it (finish_reason "stop"; message_end also carries the usage). Sluice
 * adds: [DONE] after the finishing event, Dify's `error` event (and a failed workflow) as the
 * gateway's error event, and an error event when the stream ends before the finishing event.
 */
class DifyStream extends ConvertingStream {
  constructor(out: StreamOutput, model: string, created: i64, public dify: DifyAdapter) { super(out, model, created); }

  event(ev: SseEvent, data: JsonObject): void {
    const kind = str(data, "event");
    if (kind == "error") {
      const m = str(data, "message");
      this.out.error(m.length > 0 ? m : "dify stream error");
      return;
    }
    const d = this.dify;
    const delta = new JsonObject();
    delta.set("role", jsonString("assistant"));
    const content = d.content(data);
    if (content !== null) delta.set("content", content);
    const finished = kind == "message_end" || kind == "workflow_finished";
    if (kind == "workflow_finished") {
      const failed = d.bodyError(data);
      if (failed !== null) { this.out.error(failed.message); return; }
    }
    const c = new JsonObject();
    c.set("index", jsonInt(0));
    c.set("delta", jsonObject(delta));
    c.set("finish_reason", finished ? jsonString("stop") : jsonNull());
    c.set("logprobs", jsonNull());
    const o = new JsonObject();
    const id = d.answerId(data);
    if (id.length > 0) o.set("id", jsonString(id));
    o.set("choices", jsonArray([jsonObject(c)]));
    const created = data.getInt("created_at", 0);
    o.set("created", jsonInt(created != 0 ? created : this.created));
    if (this.model.length > 0) o.set("model", jsonString(this.model));
    o.set("object", jsonString("chat.completion.chunk"));
    o.set("usage", kind == "message_end" ? jsonObject(difyUsage(data, this.out.usage)) : jsonNull());
    this.chunks.push(o.stringify());
    this.flush();
    if (finished) this.out.done();
  }

  end(): void { this.out.error(STREAM_CUT); }
}
