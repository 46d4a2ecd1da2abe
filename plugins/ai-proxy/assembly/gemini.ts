// Provider `gemini`: OpenAI chat ⇄ generateContent / streamGenerateContent?alt=sse, embeddings
// ⇄ batchEmbedContents.
import { JsonObject, JsonValue, JsonKind, HeaderMap } from "@sluice/sdk";
import { TokenUsage, usageFromGemini } from "@sluice/sdk/ai";
import { SseEvent } from "@sluice/sdk/sse";
import { JsonObjectView, ByteBuffer, JsonWriter } from "@sluice/sdk/json";
import { jsonString, jsonInt, jsonNumber, jsonObject, jsonArray, str, strValue, parseArgs, contentText, contentValue, splitDataUrl, randomId } from "./util";
import { completionWith, chunk, providerErrorMessage, beginCompletion, completionMessage, endCompletion, closeContent } from "./openai";
import { ProviderAdapter, Exchange, Api, UpstreamRequest, UpstreamBytes } from "./adapter";
import { openaiEmbedding, openaiEmbeddingsList } from "./embeddings";
import { StreamConverter, StreamOutput, ConvertingStream } from "./stream";
import { appendByRole, stopSequences, toolFunctions, toolCall, argumentsText, simpleRole, MESSAGE, requestWriter, ROLE_USER, ROLE_ASSISTANT } from "./convert";

function textPart(t: string): JsonValue { return textPartOf(jsonString(t)); }

/** A text part around a string value (kept as it is: a big text is not decoded). */
function textPartOf(t: JsonValue): JsonValue {
  const p = new JsonObject();
  p.set("text", t);
  return jsonObject(p);
}

function parts(v: JsonValue | null): Array<JsonValue> {
  const out = new Array<JsonValue>();
  if (v === null) return out;
  if (v.kind == JsonKind.String) { out.push(textPartOf(v)); return out; }
  const a = v.asArray();
  if (a === null) return out;
  for (let i = 0; i < a.length; i++) {
    const p = a[i].asObject();
    if (p === null) continue;
    const t = str(p, "type");
    if (t == "text") out.push(textPartOf(strValue(p, "text")));
    else if (t == "image_url") {
      const iu = p.getObject("image_url");
      const url = iu === null ? str(p, "image_url") : str(iu, "url");
      const d = splitDataUrl(url);
      const o = new JsonObject();
      if (d !== null) {
        const inline = new JsonObject();
        inline.set("mimeType", jsonString(d[0]));
        inline.set("data", jsonString(d[1]));
        o.set("inlineData", jsonObject(inline));
      } else {
        // Higress downloads the image; we hand Gemini the URI (fileData), which it fetches itself.
        const fd = new JsonObject();
        fd.set("mimeType", jsonString(url.endsWith(".png") ? "image/png" : "image/jpeg"));
        fd.set("fileUri", jsonString(url));
        o.set("fileData", jsonObject(fd));
      }
      out.push(jsonObject(o));
    }
  }
  return out;
}

export class GeminiAdapter extends ProviderAdapter {
  apiVersion: string = "v1beta";
  thinkingBudget: i64 = -2; // -2: not set
  safetySetting: Map<string, string> = new Map<string, string>();

  create(): ProviderAdapter { return new GeminiAdapter(); }

  parse(o: JsonObject): string {
    const v = o.getString("apiVersion");
    if (v !== null) this.apiVersion = v;
    this.thinkingBudget = <i64>o.getNumber("geminiThinkingBudget", -2);
    this.needsApiTokens = true;
    this.speaksOpenAI = false;
    const gss = o.getObject("geminiSafetySetting");
    if (gss !== null) {
      for (let i = 0; i < gss.keys.length; i++) {
        const s = gss.getString(gss.keys[i]);
        if (s !== null) this.safetySetting.set(gss.keys[i], s);
      }
    }
    return "";
  }

  /** No model list: answered from modelMapping. */
  path(api: Api, ex: Exchange): string { return ""; }

  get convertsOnBytes(): bool { return true; }
  requestOnBytes(req: JsonObjectView, ex: Exchange): UpstreamBytes | null {
    const body = openaiToGeminiRequestBytes(req, this);
    MESSAGE.release(); // the request body is not kept past this call
    if (body === null) return null;
    return new UpstreamBytes(body, "/" + this.apiVersion + "/models/" + ex.mapped + (ex.stream ? ":streamGenerateContent?alt=sse" : ":generateContent"));
  }

  request(req: JsonObject, ex: Exchange, headers: HeaderMap): UpstreamRequest | null {
    const base = "/" + this.apiVersion + "/models/" + ex.mapped;
    if (ex.api == Api.Chat) return new UpstreamRequest(openaiToGeminiRequest(req, this), base + (ex.stream ? ":streamGenerateContent?alt=sse" : ":generateContent"));
    if (ex.api == Api.Embeddings) return new UpstreamRequest(openaiToGeminiEmbeddings(req, ex.mapped), base + ":batchEmbedContents");
    return null;
  }

  get convertsResponsesOnBytes(): bool { return true; }
  responseOnBytes(resp: JsonObjectView, ex: Exchange, usage: TokenUsage, w: JsonWriter): bool {
    THOUGHTS.clear();
    const ok = geminiToOpenAIResponseBytes(resp, ex.mapped, usage, w);
    CANDIDATE.release(); INNER.release(); PART.release(); // the answer is not kept past this call
    THOUGHTS.reset(256);
    return ok;
  }

  response(resp: JsonObject, ex: Exchange, usage: TokenUsage): JsonObject {
    return ex.api == Api.Embeddings ? geminiToOpenAIEmbeddings(resp, ex.mapped, usage) : geminiToOpenAIResponse(resp, ex.mapped, usage);
  }

  stream(ex: Exchange, out: StreamOutput): StreamConverter {
    const s = new GeminiStream(out, ex.mapped, ex.created);
    s.readOnBytes();
    return s;
  }
}

function openaiToGeminiRequest(req: JsonObject, pc: GeminiAdapter): JsonObject {
  const out = new JsonObject();
  const contents = new Array<JsonValue>();
  const sys = new Array<JsonValue>();
  const toolNames = new Map<string, string>();
  const list = req.getArray("messages");
  if (list !== null) {
    for (let i = 0; i < list.length; i++) {
      const m = list[i].asObject();
      if (m === null) continue;
      const role = str(m, "role");
      if (role == "system" || role == "developer") {
        sys.push(textPartOf(contentValue(m.get("content"))));
      } else if (role == "assistant") {
        const ps = new Array<JsonValue>();
        const t = contentValue(m.get("content"));
        if (!t.isEmptyString) ps.push(textPartOf(t));
        const calls = m.getArray("tool_calls");
        if (calls !== null) {
          for (let j = 0; j < calls.length; j++) {
            const c = calls[j].asObject();
            if (c === null) continue;
            const fn = c.getObject("function");
            const name = str(fn, "name");
            toolNames.set(str(c, "id"), name);
            const fc = new JsonObject();
            fc.set("name", jsonString(name));
            fc.set("args", parseArgs(str(fn, "arguments")));
            const p = new JsonObject();
            p.set("functionCall", jsonObject(fc));
            ps.push(jsonObject(p));
          }
        }
        appendByRole(contents, "model", "parts", ps);
      } else if (role == "tool") {
        const id = str(m, "tool_call_id");
        const name = toolNames.has(id) ? toolNames.get(id) : str(m, "name");
        const resp = new JsonObject();
        const text = contentText(m.get("content"));
        const parsed = parseArgs(text);
        if (parsed.asObject()!.size > 0) resp.set("result", parsed); else resp.set("result", jsonString(text));
        const fr = new JsonObject();
        fr.set("name", jsonString(name));
        fr.set("response", jsonObject(resp));
        const p = new JsonObject();
        p.set("functionResponse", jsonObject(fr));
        appendByRole(contents, "user", "parts", [jsonObject(p)]);
      } else {
        appendByRole(contents, "user", "parts", parts(m.get("content")));
      }
    }
  }
  out.set("contents", jsonArray(contents));
  if (sys.length > 0) {
    const si = new JsonObject();
    si.set("parts", jsonArray(sys));
    out.set("systemInstruction", jsonObject(si));
  }
  const gc = new JsonObject();
  const mt = req.getNumber("max_completion_tokens", req.getNumber("max_tokens", -1));
  if (mt >= 0) gc.set("maxOutputTokens", jsonNumber(mt));
  const t = req.get("temperature"); if (t !== null && t.isNumber) gc.set("temperature", t);
  const tp = req.get("top_p"); if (tp !== null && tp.isNumber) gc.set("topP", tp);
  const tk = req.get("top_k"); if (tk !== null && tk.isNumber) gc.set("topK", tk);
  const seed = req.get("seed"); if (seed !== null && seed.isNumber) gc.set("seed", seed);
  const n = req.get("n"); if (n !== null && n.isNumber) gc.set("candidateCount", n);
  const stop = stopSequences(req);
  if (stop !== null) gc.set("stopSequences", stop);
  const rf = req.getObject("response_format");
  if (rf !== null && str(rf, "type") != "text") gc.set("responseMimeType", jsonString("application/json"));
  if (pc.thinkingBudget != -2) {
    const th = new JsonObject();
    th.set("thinkingBudget", jsonInt(pc.thinkingBudget));
    gc.set("thinkingConfig", jsonObject(th));
  }
  if (gc.size > 0) out.set("generationConfig", jsonObject(gc));
  if (pc.safetySetting.size > 0) {
    const ss = new Array<JsonValue>();
    const keys = pc.safetySetting.keys();
    for (let i = 0; i < keys.length; i++) {
      const o = new JsonObject();
      o.set("category", jsonString(keys[i]));
      o.set("threshold", jsonString(pc.safetySetting.get(keys[i])));
      ss.push(jsonObject(o));
    }
    out.set("safetySettings", jsonArray(ss));
  }
  const fns = toolFunctions(req);
  if (fns !== null) {
    const decls = new Array<JsonValue>();
    for (let i = 0; i < fns.length; i++) {
      const fn = fns[i];
      const d = new JsonObject();
      d.set("name", jsonString(str(fn, "name")));
      const desc = fn.get("description"); if (desc !== null) d.set("description", desc);
      const params = fn.get("parameters"); if (params !== null) d.set("parameters", params);
      decls.push(jsonObject(d));
    }
    const tool = new JsonObject();
    tool.set("functionDeclarations", jsonArray(decls));
    out.set("tools", jsonArray([jsonObject(tool)]));
  }
  return out;
}

/** True when a field is a JSON number (what the tree path's `isNumber` copies). */
function isNumberField(req: JsonObjectView, key: string): bool {
  const c = req.kindOf(key);
  return c == 0x2d || (c >= 0x30 && c <= 0x39);
}

/** A numeric field copied as sent under another name, when it is a number. */
function copyNumber(req: JsonObjectView, key: string, w: JsonWriter, as: string): void {
  if (isNumberField(req, key)) req.writeValue(key, w.key(as));
}

/**
 * openaiToGeminiRequest on the request's bytes, for the common chat request: every message is
 * `{role, content}` with role system, developer, user or assistant and string content, and the
 * request has no stop, tools or response_format. Strings go into the parts as they were sent
 * (escapes kept) and no tree is built; the result equals the tree path's as JSON (each system
 * message a part of systemInstruction, an empty assistant content dropped, consecutive messages
 * of one role merged). Null for any other request.
 */
export function openaiToGeminiRequestBytes(req: JsonObjectView, pc: GeminiAdapter): ArrayBuffer | null {
  if (req.has("stop") || req.has("tools") || req.has("response_format")) return null;
  if (req.kindOf("messages") != 0x5b) return null;
  let systems = 0;
  for (let m = req.firstObjectIn("messages", MESSAGE); m !== null; m = req.nextObjectIn("messages", m!, MESSAGE)) {
    const role = simpleRole(m);
    if (role < 0) return null;
    if (role < ROLE_USER) systems++;
  }
  const w = requestWriter(req);
  w.beginObject();
  w.key("contents").beginArray();
  let open = -1;
  for (let m = req.firstObjectIn("messages", MESSAGE); m !== null; m = req.nextObjectIn("messages", m!, MESSAGE)) {
    const role = simpleRole(m);
    if (role < ROLE_USER || (role == ROLE_ASSISTANT && m.stringIs("content", ""))) continue;
    if (role != open) {
      if (open >= 0) w.endArray().endObject();
      w.beginObject().key("role").string(role == ROLE_USER ? "user" : "model").key("parts").beginArray();
      open = role;
    }
    m.writeString("content", w.beginObject().key("text"));
    w.endObject();
  }
  if (open >= 0) w.endArray().endObject();
  w.endArray();
  if (systems > 0) {
    w.key("systemInstruction").beginObject().key("parts").beginArray();
    for (let m = req.firstObjectIn("messages", MESSAGE); m !== null; m = req.nextObjectIn("messages", m!, MESSAGE)) {
      if (simpleRole(m) >= ROLE_USER) continue;
      m.writeString("content", w.beginObject().key("text"));
      w.endObject();
    }
    w.endArray().endObject();
  }
  const mt = req.getNumber("max_completion_tokens", req.getNumber("max_tokens", -1));
  const temperature = isNumberField(req, "temperature"), topP = isNumberField(req, "top_p"), topK = isNumberField(req, "top_k");
  const seed = isNumberField(req, "seed"), n = isNumberField(req, "n");
  if (mt >= 0 || temperature || topP || topK || seed || n || pc.thinkingBudget != -2) {
    w.key("generationConfig").beginObject();
    if (mt >= 0) w.key("maxOutputTokens").number(mt);
    copyNumber(req, "temperature", w, "temperature");
    copyNumber(req, "top_p", w, "topP");
    copyNumber(req, "top_k", w, "topK");
    copyNumber(req, "seed", w, "seed");
    copyNumber(req, "n", w, "candidateCount");
    if (pc.thinkingBudget != -2) w.key("thinkingConfig").beginObject().key("thinkingBudget").integer(pc.thinkingBudget).endObject();
    w.endObject();
  }
  if (pc.safetySetting.size > 0) {
    w.key("safetySettings").beginArray();
    const keys = pc.safetySetting.keys();
    for (let i = 0; i < keys.length; i++) {
      w.beginObject().key("category").string(keys[i]).key("threshold").string(pc.safetySetting.get(keys[i])).endObject();
    }
    w.endArray();
  }
  w.endObject();
  return w.takeBytes();
}

export function geminiFinish(r: string): string {
  if (r == "MAX_TOKENS") return "length";
  if (r == "SAFETY" || r == "RECITATION" || r == "BLOCKLIST" || r == "PROHIBITED_CONTENT" || r == "SPII") return "content_filter";
  if (r.length == 0) return "";
  return "stop";
}

/** Reads the first candidate into text/reasoning/tool calls; returns the finish reason. */
class Candidate {
  text: string = "";
  reasoning: string = "";
  calls: Array<JsonValue> = [];
  finish: string = "";
}

function readCandidate(resp: JsonObject, callBase: i32): Candidate {
  const c = new Candidate();
  const cands = resp.getArray("candidates");
  if (cands === null || cands.length == 0) return c;
  const cand = cands[0].asObject();
  if (cand === null) return c;
  c.finish = geminiFinish(str(cand, "finishReason"));
  const content = cand.getObject("content");
  const ps: Array<JsonValue> | null = content === null ? null : content.getArray("parts");
  if (ps === null) return c;
  for (let i = 0; i < ps.length; i++) {
    const p = ps[i].asObject();
    if (p === null) continue;
    const fc = p.getObject("functionCall");
    if (fc !== null) {
      c.calls.push(toolCall(callBase + c.calls.length, randomId("call_"), str(fc, "name"), argumentsText(fc.get("args"))));
      continue;
    }
    const t = p.getString("text");
    if (t === null) continue;
    if (p.getBool("thought", false)) c.reasoning += t; else c.text += t;
  }
  if (c.calls.length > 0 && (c.finish == "stop" || c.finish == "")) c.finish = c.finish.length > 0 ? "tool_calls" : "";
  return c;
}

function geminiToOpenAIResponse(resp: JsonObject, model: string, usage: TokenUsage): JsonObject {
  const c = readCandidate(resp, 0);
  const msg = new JsonObject();
  msg.set("role", jsonString("assistant"));
  msg.set("content", jsonString(c.text));
  if (c.reasoning.length > 0) msg.set("reasoning_content", jsonString(c.reasoning));
  if (c.calls.length > 0) {
    for (let i = 0; i < c.calls.length; i++) c.calls[i].asObject()!.delete("index");
    msg.set("tool_calls", jsonArray(c.calls));
  }
  const um = resp.getObject("usageMetadata");
  if (um !== null) usageFromGemini<JsonObject>(um, usage);
  let id = str(resp, "responseId");
  if (id.length == 0) id = randomId("chatcmpl-");
  return completionWith(id, model, msg, c.finish.length > 0 ? c.finish : "stop", usage);
}

class GeminiStream extends ConvertingStream {
  id: string = "";
  started: bool = false;
  calls: i32 = 0;
  sawFinish: bool = false;

  event(ev: SseEvent, data: JsonObject): void {
    if (data.has("error")) { this.out.error(providerErrorMessage(data, "upstream error")); return; }
    const usage = this.out.usage;
    if (this.id.length == 0) {
      this.id = str(data, "responseId");
      if (this.id.length == 0) this.id = randomId("chatcmpl-");
    }
    // usageMetadata is cumulative in every event: replace, never add.
    const um = data.getObject("usageMetadata");
    if (um !== null) usageFromGemini<JsonObject>(um, usage);
    const c = readCandidate(data, this.calls);
    const d = new JsonObject();
    if (!this.started) { d.set("role", jsonString("assistant")); this.started = true; }
    if (c.reasoning.length > 0) d.set("reasoning_content", jsonString(c.reasoning));
    if (c.text.length > 0 || (d.size > 0 && c.reasoning.length == 0)) d.set("content", jsonString(c.text));
    if (c.calls.length > 0) { d.set("tool_calls", jsonArray(c.calls)); this.calls += c.calls.length; }
    let finish = c.finish;
    if (finish.length > 0 && this.calls > 0 && finish == "stop") finish = "tool_calls";
    if (finish.length > 0) this.sawFinish = true;
    if (d.size > 0 || finish.length > 0) this.chunks.push(chunk(this.id, this.model, this.created, d, finish));
    this.flush();
  }

  end(): void { this.endWithUsage(this.sawFinish, this.id); }

  /** The hot events (text and thought parts after the first event) on their bytes; the rest on the tree path. */
  rawEvent(ev: SseEvent, raw: ArrayBuffer): void {
    const v = this.view;
    if (!v.read(raw) || !this.started || this.id.length == 0 || !this.textParts(v)) { super.rawEvent(ev, raw); return; }
    // usageMetadata is cumulative in every event: replace, never add.
    const um = v.getObject("usageMetadata", this.inner);
    if (um !== null) usageFromGemini<JsonObjectView>(um, this.out.usage);
    const reasoning = this.reasoning.length > 2, text = this.text.length > 2;
    if (!reasoning && !text) return;
    const w = this.out.w;
    this.frame.begin(w, this.id);
    if (reasoning) { w.key("reasoning_content"); w.rawBytes(this.reasoning.ptr, this.reasoning.length); }
    if (text) { w.key("content"); w.rawBytes(this.text.ptr, this.text.length); }
    this.frame.end(w, "");
  }

  // Re-used for every event: reading an event allocates nothing once warm.
  private view: JsonObjectView = JsonObjectView.reusable();
  private candidate: JsonObjectView = JsonObjectView.reusable();
  private inner: JsonObjectView = JsonObjectView.reusable();
  private part: JsonObjectView = JsonObjectView.reusable();
  private text: ByteBuffer = new ByteBuffer(256);
  private reasoning: ByteBuffer = new ByteBuffer(64);

  /**
   * Joins the first candidate's text and thought parts into `text` / `reasoning` (JSON literals,
   * escapes as sent); false when the event needs the tree path: an error, no candidate or a first
   * candidate that is not an object, a finish reason, a function call.
   */
  private textParts(v: JsonObjectView): bool {
    if (v.has("error") || v.firstElementKind("candidates") != 0x7b) return false;
    const c = v.firstObjectIn("candidates", this.candidate);
    if (c === null || c.has("finishReason")) return false;
    const t = this.text, r = this.reasoning;
    t.clear(); r.clear();
    t.pushByte(0x22); r.pushByte(0x22);
    const content = c.getObject("content", this.inner);
    if (content !== null && !appendTextParts(content, this.part, t, r)) return false;
    t.pushByte(0x22); r.pushByte(0x22);
    return true;
  }
}

/**
 * Appends a candidate content's text parts to `text` and its thought parts to `reasoning` (string
 * content, escapes as sent); false at a function call, which only the tree path converts.
 */
function appendTextParts(content: JsonObjectView, part: JsonObjectView, text: ByteBuffer, reasoning: ByteBuffer): bool {
  let next = content.firstObjectIn("parts", part);
  while (next !== null) {
    const p: JsonObjectView = next;
    if (p.has("functionCall")) return false;
    if (p.kindOf("text") == 0x22) p.appendStringContent("text", p.getBool("thought", false) ? reasoning : text);
    next = content.nextObjectIn("parts", p, part);
  }
  return true;
}

const CANDIDATE = JsonObjectView.reusable();
const INNER = JsonObjectView.reusable();
const PART = JsonObjectView.reusable();
const THOUGHTS = new ByteBuffer(256);

/**
 * geminiToOpenAIResponse on the answer's bytes: the first candidate's text and thought parts
 * joined as sent (escapes kept, nothing decoded). An answer with a function call takes the tree
 * path (false).
 */
function geminiToOpenAIResponseBytes(resp: JsonObjectView, model: string, usage: TokenUsage, w: JsonWriter): bool {
  beginCompletion(w);
  // As str(resp, "responseId"): absent, not a string or empty → a new id.
  if (resp.kindOf("responseId") != 0x22 || resp.stringIs("responseId", "")) w.string(randomId("chatcmpl-"));
  else resp.writeString("responseId", w);
  completionMessage(w, model);
  w.key("content").openString();
  let finish = "stop";
  const reasoning = THOUGHTS;
  // As readCandidate: only a first element that is an object counts.
  const c: JsonObjectView | null = resp.firstElementKind("candidates") == 0x7b ? resp.firstObjectIn("candidates", CANDIDATE) : null;
  if (c !== null) {
    const r = c.getString("finishReason");
    const f = geminiFinish(r === null ? "" : r);
    if (f.length > 0) finish = f;
    const content = c.getObject("content", INNER);
    if (content !== null && !appendTextParts(content, PART, w.buf, reasoning)) return false;
  }
  closeContent(w, reasoning);
  const um = resp.getObject("usageMetadata", INNER);
  if (um !== null) usageFromGemini<JsonObjectView>(um, usage);
  endCompletion(w, finish, usage);
  return true;
}



/** OpenAI embeddings request → batchEmbedContents. */
function openaiToGeminiEmbeddings(req: JsonObject, model: string): JsonObject {
  const inputs = new Array<string>();
  const inp = req.get("input");
  if (inp !== null) {
    if (inp.kind == JsonKind.String) inputs.push(inp.str);
    else {
      const a = inp.asArray();
      if (a !== null) for (let i = 0; i < a.length; i++) { const s = a[i].asString(); if (s !== null) inputs.push(s); }
    }
  }
  const reqs = new Array<JsonValue>();
  for (let i = 0; i < inputs.length; i++) {
    const r = new JsonObject();
    r.set("model", jsonString("models/" + model));
    const c = new JsonObject();
    c.set("parts", jsonArray([textPart(inputs[i])]));
    r.set("content", jsonObject(c));
    const dims = req.get("dimensions");
    if (dims !== null && dims.isNumber) r.set("outputDimensionality", dims);
    reqs.push(jsonObject(r));
  }
  const out = new JsonObject();
  out.set("requests", jsonArray(reqs));
  return out;
}

function geminiToOpenAIEmbeddings(resp: JsonObject, model: string, usage: TokenUsage): JsonObject {
  const data = new Array<JsonValue>();
  const list = resp.getArray("embeddings");
  if (list !== null) {
    for (let i = 0; i < list.length; i++) {
      const e = list[i].asObject();
      if (e !== null) data.push(openaiEmbedding(i, e.get("values")));
    }
  }
  return openaiEmbeddingsList(data, model, 0, usage);
}
