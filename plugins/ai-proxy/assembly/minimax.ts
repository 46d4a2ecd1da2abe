// Provider `minimax`, as Higress's minimax provider has it: `minimaxApiType: v2` (the default) is
// MiniMax's OpenAI-compatible ChatCompletion v2 (/v1/text/chatcompletion_v2: only host, path, key
// and model change); `minimaxApiType: pro` is ChatCompletion Pro (POST
// /v1/text/chatcompletion_pro?GroupId={minimaxGroupId}), which has its own wire format:
//   request:  system messages → `bot_setting` [{bot_name, content}], user/assistant messages →
//             `messages` [{sender_type USER|BOT, sender_name, text}], `reply_constraints` naming
//             the bot that answers, max_tokens → tokens_to_generate, mask_sensitive_info: true;
//   answer:   choices[].messages[] → one OpenAI choice per message (sender_name as `name`),
//             `usage` (MiniMax reports total_tokens), `base_resp.status_code` ≠ 0 is an error;
//   stream:   each event's message text → a chunk; the last event (finish_reason, usage, and the
//             whole reply again) → the finishing chunk, then usage and [DONE].
import { JsonObject, JsonValue, HeaderMap } from "@sluice/sdk";
import { TokenUsage } from "@sluice/sdk/ai";
import { SseEvent } from "@sluice/sdk/sse";
import { ProviderAdapter, Exchange, Api, UpstreamRequest, ProviderError } from "./adapter";
import { StreamConverter, StreamOutput, OpenAIStream, ConvertingStream } from "./stream";
import { jsonString, jsonInt, jsonNumber, jsonBool, jsonObject, jsonArray, jsonNull, str, stringContent } from "./util";

const PRO_PATH = "/v1/text/chatcompletion_pro";
// Higress's defaults (minimax.go), the names MiniMax's own examples use.
const DEFAULT_BOT_NAME = "MM智能助理";
const DEFAULT_BOT_SETTING = "MM智能助理是一款由MiniMax自研的，没有调用其他产品的接口的大型语言模型。MiniMax是一家中国科技公司，一直致力于进行大模型相关的研究。";
const DEFAULT_SENDER_NAME = "小明";

function orDefault(s: string, def: string): string { return s.length > 0 ? s : def; }

function botSetting(name: string, content: string): JsonValue {
  const o = new JsonObject();
  o.set("bot_name", jsonString(name));
  o.set("content", jsonString(content));
  return jsonObject(o);
}

/** A JSON number as Go's int64/float64 field reads it (0 when absent or not a number). */
function num(o: JsonObject, key: string): f64 {
  const v = o.get(key);
  return v !== null && v.isNumber ? v.num : 0;
}

export class MinimaxAdapter extends ProviderAdapter {
  pro: bool = false;
  groupId: string = "";

  create(): ProviderAdapter { return new MinimaxAdapter(); }

  parse(o: JsonObject): string {
    const t = o.getString("minimaxApiType");
    this.pro = t !== null && t == "pro";
    const g = o.getString("minimaxGroupId");
    if (g !== null) this.groupId = g;
    else {
      // Higress reads the field with gjson's String(): a number (`minimaxGroupId: 1`, as in its
      // own e2e config) is taken as its text.
      const v = o.get("minimaxGroupId");
      if (v !== null && v.isNumber) {
        // Past 2^53 a JSON number has lost digits by the time it is read (Higress keeps its text).
        if (v.num != Math.floor(v.num) || Math.abs(v.num) > 9007199254740991) return "minimaxGroupId must be a string (this number loses digits)";
        this.groupId = v.toText()!;
      }
    }
    // Higress refuses a minimax config without apiTokens (both API types).
    this.needsApiTokens = true;
    if (!this.pro) return "";
    if (this.groupId.length == 0) return "missing minimaxGroupId in provider config when minimaxApiType is pro";
    this.speaksOpenAI = false;
    // ChatCompletion Pro reports errors in `base_resp` of an HTTP 200 answer.
    this.errorsInBody = true;
    // The context file becomes the first bot setting, not a system message.
    this.contextInBody = true;
    return "";
  }

  request(req: JsonObject, ex: Exchange, headers: HeaderMap): UpstreamRequest | null {
    if (!this.pro) return super.request(req, ex, headers);
    if (ex.api != Api.Chat) return null;
    const messages = new Array<JsonValue>();
    const settings = new Array<JsonValue>();
    let botName = "";
    const msgs = req.getArray("messages");
    if (msgs !== null) {
      for (let i = 0; i < msgs.length; i++) {
        const m = msgs[i].asObject();
        if (m === null) continue;
        const role = str(m, "role");
        const name = str(m, "name");
        const text = stringContent(m.get("content"));
        if (role == "system") {
          botName = orDefault(name, DEFAULT_BOT_NAME);
          settings.push(botSetting(botName, text));
        } else if (role == "assistant" || role == "user") {
          const o = new JsonObject();
          o.set("sender_type", jsonString(role == "user" ? "USER" : "BOT"));
          o.set("sender_name", jsonString(orDefault(name, role == "user" ? DEFAULT_SENDER_NAME : DEFAULT_BOT_NAME)));
          o.set("text", jsonString(text));
          messages.push(jsonObject(o));
        }
        // Other roles (tool, function) are left out, as Higress does.
      }
    }
    // The context file (Higress's setBotSettings): the only setting when the request has none,
    // else a setting of its own before them, under the first one's bot name.
    if (settings.length == 0) {
      settings.push(botSetting(DEFAULT_BOT_NAME, orDefault(ex.context, DEFAULT_BOT_SETTING)));
    } else if (ex.context.length > 0) {
      const first = settings[0].asObject();
      settings.unshift(botSetting(str(first, "bot_name"), ex.context));
    }
    const constraints = new JsonObject();
    constraints.set("sender_type", jsonString("BOT"));
    constraints.set("sender_name", jsonString(orDefault(botName, DEFAULT_BOT_NAME)));

    // Field order and omitted zero values as Higress's minimaxChatCompletionProRequest.
    const out = new JsonObject();
    out.set("model", jsonString(ex.mapped));
    if (ex.stream) out.set("stream", jsonBool(true));
    const maxTokens = <i64>num(req, "max_tokens");
    if (maxTokens != 0) out.set("tokens_to_generate", jsonInt(maxTokens));
    const temperature = num(req, "temperature");
    if (temperature != 0) out.set("temperature", jsonNumber(temperature));
    const topP = num(req, "top_p");
    if (topP != 0) out.set("top_p", jsonNumber(topP));
    out.set("mask_sensitive_info", jsonBool(true));
    // Without user or assistant messages Higress sends `null` (MiniMax refuses it).
    out.set("messages", messages.length > 0 ? jsonArray(messages) : jsonNull());
    out.set("bot_setting", jsonArray(settings));
    out.set("reply_constraints", jsonObject(constraints));
    return new UpstreamRequest(out, PRO_PATH + "?GroupId=" + this.groupId);
  }

  /** Pro's answer as Higress's responseProToOpenAI builds it. */
  response(resp: JsonObject, ex: Exchange, usage: TokenUsage): JsonObject {
    if (!this.pro) return super.response(resp, ex, usage);
    const choices = new Array<JsonValue>();
    const list = resp.getArray("choices");
    if (list !== null) {
      for (let i = 0; i < list.length; i++) {
        const c = list[i].asObject();
        if (c === null) continue;
        const finish = str(c, "finish_reason");
        const ms = c.getArray("messages");
        if (ms === null) continue;
        for (let j = 0; j < ms.length; j++) {
          const m = ms[j].asObject();
          if (m === null) continue;
          const msg = new JsonObject();
          const name = str(m, "sender_name");
          if (name.length > 0) msg.set("name", jsonString(name));
          msg.set("role", jsonString("assistant"));
          msg.set("content", jsonString(str(m, "text")));
          const ch = new JsonObject();
          ch.set("index", jsonInt(choices.length));
          ch.set("message", jsonObject(msg));
          ch.set("finish_reason", jsonString(finish));
          ch.set("logprobs", jsonNull());
          choices.push(jsonObject(ch));
        }
      }
    }
    const o = new JsonObject();
    const id = str(resp, "id");
    if (id.length > 0) o.set("id", jsonString(id));
    o.set("choices", choices.length > 0 ? jsonArray(choices) : jsonNull());
    const created = <i64>num(resp, "created");
    if (created != 0) o.set("created", jsonInt(created));
    const model = str(resp, "model");
    if (model.length > 0) o.set("model", jsonString(model));
    o.set("object", jsonString("chat.completion"));
    o.set("usage", jsonObject(proUsage(resp, usage)));
    return o;
  }

  bodyError(resp: JsonObject): ProviderError | null {
    if (!this.pro) return null;
    return proError(resp);
  }

  stream(ex: Exchange, out: StreamOutput): StreamConverter {
    if (!this.pro) return new OpenAIStream(out, !ex.anthropicIn);
    return new MinimaxProStream(out, ex.mapped, ex.created);
  }
}

/** `base_resp` with a non-zero status_code: a 500 with Higress's message. */
function proError(resp: JsonObject): ProviderError | null {
  const b = resp.getObject("base_resp");
  if (b === null) return null;
  const code = <i64>num(b, "status_code");
  if (code == 0) return null;
  const msg = "minimax response error, error_code: " + code.toString() + ", error_message: " + str(b, "status_msg");
  return new ProviderError(500, msg, code.toString());
}

/** MiniMax's usage (it reports total_tokens; the others when present) into `usage`; the OpenAI
 *  usage object with zero counts left out, as Higress marshals it. */
function proUsage(resp: JsonObject, usage: TokenUsage): JsonObject {
  const u = resp.getObject("usage");
  const out = new JsonObject();
  if (u === null) return out;
  const prompt = <i64>num(u, "prompt_tokens");
  const completion = <i64>num(u, "completion_tokens");
  const total = <i64>num(u, "total_tokens");
  usage.set(prompt, completion, total);
  if (prompt != 0) out.set("prompt_tokens", jsonInt(prompt));
  if (completion != 0) out.set("completion_tokens", jsonInt(completion));
  if (total != 0) out.set("total_tokens", jsonInt(total));
  return out;
}

/**
 * ChatCompletion Pro's stream → OpenAI chunks. An event's messages carry the next piece of text;
 * the last event has finish_reason, usage and id — and the whole reply again, which is not sent
 * twice: it becomes the finishing chunk (empty delta). Then the usage chunk and [DONE].
 */
class MinimaxProStream extends ConvertingStream {
  id: string = "";
  sawFinish: bool = false;
  sentRole: bool = false;

  event(ev: SseEvent, data: JsonObject): void {
    const e = proError(data);
    if (e !== null) { this.out.error(e.message); return; }
    const created = <i64>num(data, "created");
    if (created != 0) this.created = created;
    const model = str(data, "model");
    if (model.length > 0) this.model = model;
    const id = str(data, "id");
    if (id.length > 0) this.id = id;
    const list = data.getArray("choices");
    if (list === null) return;
    for (let i = 0; i < list.length; i++) {
      const c = list[i].asObject();
      if (c === null) continue;
      const finish = str(c, "finish_reason");
      if (finish.length > 0) {
        proUsage(data, this.out.usage);
        this.sawFinish = true;
        this.chunks.push(this.chunk(new JsonObject(), finish));
        continue;
      }
      const ms = c.getArray("messages");
      if (ms === null) continue;
      for (let j = 0; j < ms.length; j++) {
        const m = ms[j].asObject();
        if (m === null) continue;
        const d = new JsonObject();
        if (!this.sentRole) { d.set("role", jsonString("assistant")); this.sentRole = true; }
        d.set("content", jsonString(str(m, "text")));
        this.chunks.push(this.chunk(d, ""));
      }
    }
    this.flush();
  }

  private chunk(delta: JsonObject, finish: string): string {
    const c = new JsonObject();
    c.set("index", jsonInt(0));
    c.set("delta", jsonObject(delta));
    c.set("finish_reason", finish.length > 0 ? jsonString(finish) : jsonNull());
    c.set("logprobs", jsonNull());
    const o = new JsonObject();
    if (this.id.length > 0) o.set("id", jsonString(this.id));
    o.set("object", jsonString("chat.completion.chunk"));
    o.set("created", jsonInt(this.created));
    o.set("model", jsonString(this.model));
    o.set("choices", jsonArray([jsonObject(c)]));
    return o.stringify();
  }

  /** MiniMax ends the stream after the last event (no [DONE]); one that never finished was cut. */
  end(): void { this.endWithUsage(this.sawFinish, this.id); }
}
