// ai-data-masking: Higress's AI data masking. A prompt that holds a deny word is refused before
// any upstream call, in the client's protocol; otherwise what the replace rules match (phone
// numbers, e-mail addresses, ID numbers, keys…) is replaced by masks before the prompt leaves,
// and masks marked `restore` are turned back into the originals in the answer: JSON answers, and
// streamed answers (OpenAI and Anthropic SSE) however their bytes were cut.
import { Plugin, HttpFilter, BodyMode, Action, ConfigError, JsonObject, JsonValue, JsonKind, registerPlugin, log, HeaderPair, quoteJsonString } from "@sluice/sdk";
import { AiApi, classifyAiPath, openaiTextAnswer, openaiTextStream, anthropicTextAnswer, anthropicTextStream } from "@sluice/sdk/ai";
import { parseJsonBytes, isValidUtf8 } from "@sluice/sdk/json";
import { Config, parseConfig } from "./config";
import { MaskMap, maskText } from "./masker";
import { Restorer } from "./restore";
import { systemWords } from "./words";
export * from "@sluice/sdk/exports";

const SSE_TYPE = "text/event-stream;charset=UTF-8";

class DataMasking extends Plugin<Config> {
  parseConfig(json: JsonObject, global: Config | null, err: ConfigError): Config | null {
    return parseConfig(json, err);
  }
  newFilter(): HttpFilter<Config> { return new MaskingFilter(); }
}

/** A string as it stands inside a JSON string literal (the quotes taken off). */
function jsonInner(s: string): ArrayBuffer {
  const q = quoteJsonString(s);
  return String.UTF8.encode(q.substring(1, q.length - 1));
}

class MaskingFilter extends HttpFilter<Config> {
  api: AiApi = AiApi.Other;
  isOpenai: bool = false;
  clientStream: bool = false;
  model: string = "";
  masks: MaskMap = new MaskMap();
  changed: bool = false;
  denyWord: string = "";
  restorer: Restorer = new Restorer();
  checkAnswer: bool = false;

  onRequestHeaders(endOfStream: bool): Action {
    const p = this.requestHeaders.get(":path");
    this.api = classifyAiPath(String.UTF8.encode(p === null ? "" : p));
    if (endOfStream) return Action.Continue;
    this.requestBodyMode = BodyMode.Buffer;
    // Held with the body: a refused prompt never reaches the upstream.
    return Action.Pause;
  }

  onRequestBody(body: ArrayBuffer): Action {
    const c = this.config;
    if (!isValidUtf8(changetype<usize>(body), body.byteLength)) { log.info("request body is not UTF-8: not inspected"); return Action.Continue; }
    if (c.denyOpenai) {
      const r = parseJsonBytes(body);
      const o = r.ok ? r.value!.asObject() : null;
      const messages: Array<JsonValue> | null = o === null ? null : o.getArray("messages");
      if (o !== null && messages !== null) {
        this.isOpenai = true;
        this.clientStream = o.getBool("stream", false);
        const m = o.getString("model");
        this.model = m === null ? "" : m;
        for (let i = 0; i < messages.length; i++) {
          const msg = messages[i].asObject();
          if (msg === null) continue;
          const content = msg.get("content");
          if (content === null) continue;
          if (!this.inspectValue(content)) return this.denyRequest();
        }
        return this.sendOn(r.value!);
      }
    }
    if (c.denyJsonpath.length > 0) {
      const r = parseJsonBytes(body);
      if (r.ok) {
        const root = r.value!;
        for (let p = 0; p < c.denyJsonpath.length; p++) {
          const found = c.denyJsonpath[p].strings(root);
          for (let i = 0; i < found.length; i++) if (!this.inspect(found[i])) return this.denyRequest();
        }
        return this.sendOn(root);
      }
    }
    if (c.denyRaw) {
      const text = String.UTF8.decode(body);
      if (!this.passes(text)) return this.denyRequest();
      const masked = maskText(text, c.rules, this.masks);
      if (masked != text) {
        this.replaceRequestBody(String.UTF8.encode(masked));
        this.requestHeaders.remove("content-length");
      }
      this.prepareRestore();
    }
    return Action.Continue;
  }

  /** A message's content: a string, or content parts whose `text` strings are read. */
  private inspectValue(content: JsonValue): bool {
    if (content.kind == JsonKind.String) return this.inspect(content);
    const parts = content.asArray();
    if (parts === null) return true;
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i].asObject();
      if (part === null) continue;
      const t = part.get("text");
      if (t !== null && t.kind == JsonKind.String && !this.inspect(t)) return false;
    }
    return true;
  }

  /** Checks one string for deny words and masks it in place; false when it must be refused. */
  private inspect(v: JsonValue): bool {
    const text = v.str;
    if (!this.passes(text)) return false;
    const masked = maskText(text, this.config.rules, this.masks);
    if (masked != text) { v.str = masked; this.changed = true; }
    return true;
  }

  private passes(text: string): bool {
    const custom = this.config.denyWords.find(text);
    if (custom !== null) { this.denyWord = custom; log.warn("custom deny word " + custom + " matched"); return false; }
    if (this.config.systemDeny) {
      const sys = systemWords().find(text);
      if (sys !== null) { this.denyWord = sys; log.warn("system deny word " + sys + " matched"); return false; }
    }
    return true;
  }

  private sendOn(root: JsonValue): Action {
    if (this.changed) {
      this.replaceRequestBody(root.toBytes());
      this.requestHeaders.remove("content-length");
    }
    this.prepareRestore();
    return Action.Continue;
  }

  private prepareRestore(): void {
    const m = this.masks;
    if (m.restorable > 0) log.debug("masks to restore in the answer: " + m.restorable.toString());
  }

  private denyBody(stream: bool): string {
    const model = this.model.length > 0 ? this.model : "ai-data-masking";
    const text = this.config.denyMessage;
    // A fixed id: Higress's deny answer has none, and a reproducible answer is easier to test.
    if (this.api == AiApi.AnthropicMessages) return stream ? anthropicTextStream("msg_ai_data_masking", text, model) : anthropicTextAnswer("msg_ai_data_masking", text, model);
    return stream ? openaiTextStream("chatcmpl-ai-data-masking", text, model) : openaiTextAnswer("chatcmpl-ai-data-masking", text, model);
  }

  private denyRequest(): Action {
    const c = this.config;
    if (!this.isOpenai) return this.respond(c.denyCode, c.denyRawMessage, [new HeaderPair("content-type", c.denyContentType)], "ai-data-masking.deny");
    const ct = this.clientStream ? SSE_TYPE : "application/json";
    return this.respond(c.denyCode, this.denyBody(this.clientStream), [new HeaderPair("content-type", ct)], "ai-data-masking.deny");
  }

  onResponseHeaders(endOfStream: bool): Action {
    if (endOfStream || this.config.skipResponse) return Action.Continue;
    const ct = this.responseHeaders.get("content-type");
    const type = ct === null ? "" : ct.toLowerCase();
    const sse = type.includes("event-stream");
    const json = sse || type.includes("json");
    const m = this.masks;
    for (let i = 0; i < m.masks.length; i++) {
      if (m.ambiguous[i]) continue;
      // In JSON (and in SSE data, which is JSON) a mask stands as its escaped text.
      if (json) this.restorer.add(jsonInner(m.masks[i]), jsonInner(m.originals[i]));
      else this.restorer.add(String.UTF8.encode(m.masks[i]), String.UTF8.encode(m.originals[i]));
    }
    // Deny words are looked for in whole answers (as Higress does when it buffers them).
    this.checkAnswer = !sse && this.config.checksWords && (this.isOpenai || this.config.denyRaw);
    if (sse) {
      if (this.restorer.empty) return Action.Continue;
      this.restorer.acrossEvents = true;
      this.responseBodyMode = BodyMode.Stream;
      this.responseHeaders.remove("content-length");
      return Action.Continue;
    }
    if (this.restorer.empty && !this.checkAnswer) return Action.Continue;
    this.responseBodyMode = BodyMode.Buffer;
    // Held with the body: a refused answer changes the content type too.
    return Action.Pause;
  }

  onResponseBody(body: ArrayBuffer): Action {
    if (this.checkAnswer && isValidUtf8(changetype<usize>(body), body.byteLength) && !this.answerPasses(body)) {
      const c = this.config;
      const deny = this.isOpenai ? this.denyBody(false) : c.denyRawMessage;
      this.responseHeaders.set("content-type", this.isOpenai ? "application/json" : c.denyContentType);
      this.responseHeaders.remove("content-length");
      this.responseHeaders.remove("content-encoding");
      this.replaceResponseBody(String.UTF8.encode(deny));
      return Action.Continue;
    }
    const out = this.restorer.push(body, true);
    if (out !== null) {
      this.responseHeaders.remove("content-length");
      this.replaceResponseBody(out);
    }
    return Action.Continue;
  }

  /** OpenAI answers: each choice's message content (Anthropic: each text block); raw: the body. */
  private answerPasses(body: ArrayBuffer): bool {
    if (!this.isOpenai) return this.passes(String.UTF8.decode(body));
    const r = parseJsonBytes(body);
    const o = r.ok ? r.value!.asObject() : null;
    if (o === null) return true;
    const choices = o.getArray("choices");
    if (choices !== null) {
      for (let i = 0; i < choices.length; i++) {
        const ch = choices[i].asObject();
        const msg: JsonObject | null = ch === null ? null : ch.getObject("message");
        const content: string | null = msg === null ? null : msg.getString("content");
        if (content !== null && !this.passes(content)) return false;
      }
    }
    const blocks = o.getArray("content");
    if (blocks !== null) {
      for (let i = 0; i < blocks.length; i++) {
        const b = blocks[i].asObject();
        const t: string | null = b === null ? null : b.getString("text");
        if (t !== null && !this.passes(t)) return false;
      }
    }
    return true;
  }

  onResponseChunk(chunk: ArrayBuffer, last: bool): ArrayBuffer | null {
    return this.restorer.push(chunk, last);
  }
}

registerPlugin("ai-data-masking", () => new DataMasking());
