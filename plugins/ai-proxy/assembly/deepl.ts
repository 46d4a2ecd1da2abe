// Provider `deepl`: DeepL's text translation API (POST /v2/translate) behind the OpenAI chat API,
// as Higress's deepl provider does it. The request's model picks the service: "Free" goes to
// api-free.deepl.com, "Pro" to api.deepl.com, anything else is refused. The system message is
// DeepL's `context` (the last one wins); every other message's text is one entry of `text`;
// `target_lang` is the config's targetLang. Each of DeepL's translations is one choice of the
// chat.completion, its detected source language the message's `name`. DeepL has no streaming:
// a client asking for a stream gets the same JSON chat.completion (as with Higress).
import { JsonObject, JsonValue, HeaderPair, HeaderMap } from "@sluice/sdk";
import { TokenUsage } from "@sluice/sdk/ai";
import { ProviderAdapter, Exchange, Api, UpstreamRequest } from "./adapter";
import { jsonString, jsonInt, jsonObject, jsonArray, jsonNull, str, stringContent, nowSeconds } from "./util";

const DEEPL_HOST_FREE = "api-free.deepl.com";
const DEEPL_HOST_PRO = "api.deepl.com";

export class DeeplAdapter extends ProviderAdapter {
  targetLang: string = "";

  create(): ProviderAdapter { return new DeeplAdapter(); }

  parse(o: JsonObject): string {
    const t = o.getString("targetLang");
    if (t !== null) this.targetLang = t;
    this.speaksOpenAI = false;
    return this.targetLang.length == 0 ? "missing targetLang in deepl provider config" : "";
  }

  /** The model names the service: Pro → api.deepl.com; otherwise (Free) api-free.deepl.com. */
  host(ex: Exchange, headers: HeaderMap): string {
    return ex.mapped == "Pro" ? DEEPL_HOST_PRO : DEEPL_HOST_FREE;
  }

  authHeaders(token: string): Array<HeaderPair> {
    return [new HeaderPair("authorization", "DeepL-Auth-Key " + token)];
  }

  /** No apiTokens: the client's key is not a DeepL key and is not passed on (DeepL refuses with 403). */
  clientAuth(headers: HeaderMap): void { headers.remove("authorization"); }

  request(req: JsonObject, ex: Exchange, headers: HeaderMap): UpstreamRequest | null {
    if (ex.api != Api.Chat) return null;
    if (ex.mapped != "Free" && ex.mapped != "Pro") {
      ex.error = 'deepl model should be "Free" or "Pro"';
      return null;
    }
    const text = new Array<JsonValue>();
    let context = "";
    const msgs = req.getArray("messages");
    if (msgs !== null) {
      for (let i = 0; i < msgs.length; i++) {
        const m = msgs[i].asObject();
        if (m === null) continue;
        const t = stringContent(m.get("content"));
        if (str(m, "role") == "system") context = t;
        else text.push(jsonString(t));
      }
    }
    const out = new JsonObject();
    out.set("text", jsonArray(text));
    out.set("target_lang", jsonString(this.targetLang));
    if (context.length > 0) out.set("context", jsonString(context));
    return new UpstreamRequest(out, this.path(Api.Chat, ex));
  }

  /**
   * `{translations:[{detected_source_language, text}]}` (or `{message}`) as Higress answers it: one
   * choice per translation, no id, finish_reason, logprobs and usage null.
   */
  response(resp: JsonObject, ex: Exchange, usage: TokenUsage): JsonObject {
    const choices = new Array<JsonValue>();
    const message = resp.getString("message");
    if (message !== null && message.length > 0) {
      choices.push(choice(0, message, ""));
    } else {
      const list = resp.getArray("translations");
      if (list !== null) {
        for (let i = 0; i < list.length; i++) {
          const t = list[i].asObject();
          choices.push(choice(i, str(t, "text"), str(t, "detected_source_language")));
        }
      }
    }
    const o = new JsonObject();
    o.set("choices", jsonArray(choices));
    o.set("created", jsonInt(nowSeconds()));
    if (ex.mapped.length > 0) o.set("model", jsonString(ex.mapped));
    o.set("object", jsonString("chat.completion"));
    o.set("usage", jsonNull());
    return o;
  }
}

function choice(index: i32, content: string, name: string): JsonValue {
  const m = new JsonObject();
  if (name.length > 0) m.set("name", jsonString(name));
  m.set("role", jsonString("assistant"));
  m.set("content", jsonString(content));
  const c = new JsonObject();
  c.set("index", jsonInt(index));
  c.set("message", jsonObject(m));
  c.set("finish_reason", jsonNull());
  c.set("logprobs", jsonNull());
  return jsonObject(c);
}
