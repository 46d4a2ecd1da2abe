// ai-security-guard: Higress's AI content moderation (Aliyun Content Security TextModerationPlus
// and the AI guardrail MultiModalGuard). The prompt (and optionally the answer) is sent to the
// moderation API in 1800-character pieces, one signed call after the other; a risky piece
// refuses the request with an answer in the client's own protocol (OpenAI or Anthropic, JSON or
// SSE). When the moderation service cannot give an answer (down, slow past `timeout`, an error
// or garbage) the request goes on: fail-open, logged and recorded in ai_log.
import { Plugin, HttpFilter, BodyMode, Action, ConfigError, JsonObject, JsonValue, registerPlugin, log, Counter, time, randomBytes, HeaderPair, Status } from "@sluice/sdk";
import { UserAttributes, AiApi, classifyAiPath, gjsonGet as getPath, randomAnswerId, openaiTextAnswer, openaiTextStream, anthropicTextAnswer, anthropicTextStream, anthropicTextStreamTail } from "@sluice/sdk/ai";
import { Acs3Request, formEncode, uuidV4 } from "@sluice/sdk/aliyun";
import { hexEncode, rfc3339 } from "@sluice/sdk/encoding";
import { HttpCallHandler, HttpCallResponse, lastHttpCallError } from "@sluice/sdk/http";
import { ByteBuffer, parseJsonBytes } from "@sluice/sdk/json";
import { Config, parseConfig, LENGTH_LIMIT, USER_AGENT } from "./config";
import { textOf, setText } from "./gjson";
import { evaluate, Verdict, denyBody, riskLabel, desensitization } from "./risk";
import { SseSplitter, QueuedEvent, AnthropicState } from "./stream";

/** The model name Higress's guard writes into its own answers. */
const GUARD_MODEL = "from-security-guard";
export * from "@sluice/sdk/exports";

class SecurityGuard extends Plugin<Config> {
  requestDeny: Counter = new Counter("ai_sec_request_deny");
  requestMask: Counter = new Counter("ai_sec_request_mask");
  responseDeny: Counter = new Counter("ai_sec_response_deny");

  parseConfig(json: JsonObject, global: Config | null, err: ConfigError): Config | null {
    return parseConfig(json, err);
  }
  newFilter(): HttpFilter<Config> { return new GuardFilter(); }
}

function hexId(bytes: i32): string {
  const b = new ArrayBuffer(bytes);
  randomBytes(b);
  return hexEncode<ArrayBuffer>(b);
}

/** Pieces of at most `limit` characters (code points: a surrogate pair is never cut). */
export function splitPieces(text: string, limit: i32): Array<string> {
  const out = new Array<string>();
  let start = 0;
  while (start < text.length) {
    let end = start;
    let n = 0;
    while (end < text.length && n < limit) {
      const c = text.charCodeAt(end);
      end += (c >= 0xd800 && c <= 0xdbff && end + 1 < text.length) ? 2 : 1;
      n++;
    }
    out.push(text.substring(start, end));
    start = end;
  }
  return out;
}

/** The text of an SSE body: per event, the data's JSON at `path`, else the first fallback that has text. */
export function streamText(body: string, path: string, fallbacks: Array<string>): string {
  const events = body.replaceAll("\r\n", "\n").split("\n\n");
  let out = "";
  for (let i = 0; i < events.length; i++) {
    const lines = events[i].split("\n");
    let data = "";
    for (let j = 0; j < lines.length; j++) {
      const l = lines[j].trim();
      if (!l.startsWith("data:")) continue;
      const d = l.substring(5).trim();
      if (d.length == 0) continue;
      data = data.length > 0 ? data + "\n" + d : d;
    }
    if (data.length == 0 || data == "[DONE]") continue;
    const r = parseJsonBytes(String.UTF8.encode(data));
    if (!r.ok) continue;
    out += textAt(r.value!, path, fallbacks);
  }
  return out;
}

/** Text at the primary path, else at the first fallback (other than the primary) that has some. */
export function textAt(root: JsonValue, path: string, fallbacks: Array<string>): string {
  const t = textOf(getPath(root, path));
  if (t.length > 0) return t;
  for (let i = 0; i < fallbacks.length; i++) {
    if (fallbacks[i] == path) continue;
    const f = textOf(getPath(root, fallbacks[i]));
    if (f.length > 0) return f;
  }
  return "";
}

const PHASE_REQUEST: i32 = 1;
const PHASE_RESPONSE: i32 = 2;

class GuardFilter extends HttpFilter<Config> implements HttpCallHandler {
  consumer: string = "";
  api: AiApi = AiApi.Other;
  clientStream: bool = false;
  responseIsStream: bool = false;
  phase: i32 = 0;
  pieces: Array<string> = [];
  next: i32 = 0;
  sessionId: string = "";
  startMs: i64 = 0;
  attrs: UserAttributes = new UserAttributes();
  /** The parsed request (kept to write masked text back), and the pieces as they will be sent on. */
  requestRoot: JsonValue | null = null;
  masked: Array<string> = [];
  hasMasked: bool = false;

  // A streamed answer, checked in windows while it streams. Nothing unchecked leaves the VM:
  // events wait in `queue`, the window being judged in `window`, judged-clean bytes in `approved`
  // until a body callback (or the judge's answer, when the stream is held) lets them go.
  streaming: bool = false;
  splitter: SseSplitter = new SseSplitter();
  queue: Array<QueuedEvent> = [];
  window: Array<QueuedEvent> = [];
  approved: ByteBuffer = new ByteBuffer(1024);
  anthropic: AnthropicState = new AnthropicState();
  inFlight: bool = false;
  ended: bool = false;
  denied: bool = false;
  checkMs: i64 = 0;
  failedOpen: bool = false;

  onRequestHeaders(endOfStream: bool): Action {
    const c = this.requestHeaders.get("x-mse-consumer");
    this.consumer = c === null ? "" : c;
    const p = this.requestHeaders.get(":path");
    this.api = classifyAiPath(String.UTF8.encode(p === null ? "" : p));
    if (this.config.checkResponse) this.responseBodyMode = BodyMode.Buffer;
    if (!this.config.checkRequest || endOfStream) return Action.Continue;
    this.requestBodyMode = BodyMode.Buffer;
    // Held until the prompt is judged: the upstream sees nothing of a refused request.
    return Action.Pause;
  }

  onRequestBody(body: ArrayBuffer): Action {
    const r = parseJsonBytes(body);
    if (!r.ok) { log.info("request body is not JSON. skip"); return Action.Continue; }
    const root = r.value!;
    this.requestRoot = root;
    const o = root.asObject();
    if (o !== null) this.clientStream = o.getBool("stream", false);
    const content = textOf(getPath(root, this.config.requestContentJsonPath));
    if (content.length == 0) { log.info("request content is empty. skip"); return Action.Continue; }
    return this.begin(PHASE_REQUEST, content);
  }

  onResponseHeaders(endOfStream: bool): Action {
    const st = this.responseHeaders.get(":status");
    if (st === null || st != "200" || endOfStream) { this.responseBodyMode = BodyMode.None; return Action.Continue; }
    const ct = this.responseHeaders.get("content-type");
    this.responseIsStream = ct !== null && ct.includes("event-stream");
    if (this.responseIsStream) {
      // The stream starts at once and goes out window by window, each after it was judged clean.
      this.streaming = true;
      this.phase = PHASE_RESPONSE;
      this.responseBodyMode = BodyMode.Stream;
      this.responseHeaders.remove("content-length");
      return Action.Continue;
    }
    // Held with the body: a refused answer is replaced whole, status and headers included.
    return Action.Pause;
  }

  onResponseBody(body: ArrayBuffer): Action {
    const text = String.UTF8.decode(body);
    let content = "";
    if (this.responseIsStream) content = streamText(text, this.config.responseStreamContentJsonPath, this.config.responseStreamFallbackPaths);
    else {
      const r = parseJsonBytes(body);
      if (r.ok) content = textAt(r.value!, this.config.responseContentJsonPath, this.config.responseFallbackPaths);
    }
    if (content.length == 0) { log.info("response content is empty. skip"); return Action.Continue; }
    return this.begin(PHASE_RESPONSE, content);
  }

  onResponseChunk(chunk: ArrayBuffer, last: bool): ArrayBuffer | null {
    if (!this.streaming) return null;
    if (this.denied) return this.takeApproved();
    const events = new Array<ArrayBuffer>();
    this.splitter.push(chunk, events);
    if (last) {
      const rest = this.splitter.flush();
      if (rest !== null) events.push(rest);
      this.ended = true;
    }
    for (let i = 0; i < events.length; i++) {
      this.queue.push(new QueuedEvent(events[i], streamText(String.UTF8.decode(events[i]), this.config.responseStreamContentJsonPath, this.config.responseStreamFallbackPaths)));
    }
    this.pump();
    if (this.denied) return this.takeApproved();
    if (this.inFlight || (this.ended && this.queue.length > 0)) { this.holdStream(); return new ArrayBuffer(0); }
    if (this.ended) this.finishStream();
    return this.takeApproved();
  }

  private takeApproved(): ArrayBuffer {
    const b = this.approved.toArrayBuffer();
    this.approved.clear();
    return b;
  }

  private approve(events: Array<QueuedEvent>): void {
    for (let i = 0; i < events.length; i++) {
      this.approved.pushBuffer(events[i].bytes);
      if (this.api == AiApi.AnthropicMessages) this.anthropic.see(events[i].bytes);
    }
  }

  /** Starts judging the next window when one is ready (bufferLimit characters, or the end). */
  private pump(): void {
    if (this.failedOpen) {
      // The service failed once: the rest of this stream goes on unjudged (no call per window to a
      // service that is down, and no chain of failures).
      this.approve(this.queue);
      this.queue = [];
      return;
    }
    while (!this.inFlight && !this.denied && this.queue.length > 0) {
      let chars = 0;
      for (let i = 0; i < this.queue.length; i++) chars += this.queue[i].text.length;
      const limit = this.config.bufferLimit;
      if (chars < limit && !this.ended) return;
      const win = new Array<QueuedEvent>();
      let text = "";
      while (this.queue.length > 0 && text.length < limit) {
        const e = this.queue.shift();
        win.push(e);
        text += e.text;
      }
      if (text.length == 0) { this.approve(win); continue; } // reasoning, tool calls, usage, [DONE]
      this.window = win;
      this.inFlight = true;
      this.begin(PHASE_RESPONSE, text);
    }
  }

  /** A window was judged clean (or could not be judged: fail-open). */
  private windowPassed(): void {
    this.checkMs += time.nowMillis() - this.startMs;
    this.approve(this.window);
    this.window = [];
    this.inFlight = false;
    this.pump();
    // Not held: the next body callback lets the approved bytes go. Held (holdStream; Envoy
    // buffers what follows): the judge's answer releases the stream.
    if (!this.responseStreamHeld) return;
    if (this.ended) {
      if (this.inFlight || this.queue.length > 0) return;
      this.finishStream();
    }
    this.release();
  }

  private release(): void {
    this.replaceResponseBody(this.takeApproved());
    this.resumeResponse();
  }

  private finishStream(): void {
    if (this.failedOpen || this.denied) return;
    this.attrs.setInt("safecheck_response_rt", this.checkMs);
    this.attrs.setString("safecheck_status", "response pass");
    this.attrs.writeToLog();
  }

  private begin(phase: i32, content: string): Action {
    this.phase = phase;
    this.pieces = splitPieces(content, LENGTH_LIMIT);
    this.masked = this.pieces.slice(0);
    this.next = 0;
    if (this.sessionId.length == 0) this.sessionId = hexId(10);
    this.startMs = time.nowMillis();
    if (!this.sendNext(false)) return Action.Continue;
    return Action.Pause;
  }

  private service(): string {
    return this.phase == PHASE_REQUEST ? this.config.requestService(this.consumer) : this.config.responseService(this.consumer);
  }

  /** Sends the next piece; false (after failing open, resuming when asked) when the call could not be made. */
  private sendNext(resumeOnFailure: bool): bool {
    const c = this.config;
    const piece = this.pieces[this.next++];
    const params = "{\"content\":" + JsonValue.fromString(piece).stringify() + ",\"requestFrom\":\"" + USER_AGENT + "\",\"sessionId\":\"" + this.sessionId + "\"}";
    const body = String.UTF8.encode("ServiceParameters=" + formEncode(params));
    const nonce = new ArrayBuffer(16);
    randomBytes(nonce);
    const req = new Acs3Request("POST", "/", c.host)
      .header("x-acs-action", c.isMultiModal ? c.action : "TextModerationPlus")
      .header("x-acs-version", "2022-03-02")
      .header("x-acs-date", rfc3339(time.nowSeconds()))
      .header("x-acs-signature-nonce", uuidV4(nonce))
      .header("content-type", "application/x-www-form-urlencoded")
      .param("Service", this.service());
    req.sign(body, c.ak, c.sk, c.token);
    const headers = new Array<HeaderPair>();
    for (let i = 0; i < req.headers.length; i++) if (req.headers[i].name != "host") headers.push(req.headers[i]);
    headers.push(new HeaderPair("user-agent", USER_AGENT));
    const st = c.client.post("/?" + req.canonicalQuery(), headers, body, this, c.timeout);
    if (st != Status.Ok) { this.failOpen("call refused: " + lastHttpCallError, resumeOnFailure); return false; }
    return true;
  }

  onHttpCallResponse(resp: HttpCallResponse): void {
    if (resp.status != 200) {
      const why = resp.reason.length > 0 ? resp.reason : "status " + resp.status.toString();
      this.failOpen(why + ": " + clip(resp.bodyText()), true);
      return;
    }
    const r = parseJsonBytes(resp.body);
    const o = r.ok ? r.value!.asObject() : null;
    if (o === null) { this.failOpen("answer is not a JSON object: " + clip(resp.bodyText()), true); return; }
    const codeV = o.get("Code");
    const code: i64 = codeV === null ? 0 : codeV.asInt(0);
    if (code != 200) { this.failOpen("answer Code " + code.toString() + ": " + clip(resp.bodyText()), true); return; }
    let data = o.getObject("Data");
    if (data === null) data = new JsonObject();
    let verdict = evaluate(this.config, this.consumer, data);
    if (verdict == Verdict.Mask) {
      const m = desensitization(data);
      if (this.phase != PHASE_REQUEST) {
        log.info("mask verdict on the response: not applied, the answer passes");
      } else if (m.length == 0) {
        log.warn("desensitization content is empty, falling back to block");
        verdict = Verdict.Block;
      } else {
        this.masked[this.next - 1] = m;
        this.hasMasked = true;
      }
    }
    if (verdict != Verdict.Block) {
      if (this.next < this.pieces.length) {
        this.sendNext(true);
        return;
      }
      this.pass();
      return;
    }
    this.deny(code, data);
  }

  private phaseName(): string { return this.phase == PHASE_REQUEST ? "request" : "response"; }

  private resume(): void {
    if (this.phase == PHASE_REQUEST) this.resumeRequest();
    else this.resumeResponse();
  }

  private pass(): void {
    if (this.streaming) { this.windowPassed(); return; }
    this.attrs.setInt("safecheck_" + this.phaseName() + "_rt", time.nowMillis() - this.startMs);
    if (this.hasMasked) {
      const root = this.requestRoot;
      if (root === null || !setText(root, this.config.requestContentJsonPath, this.masked.join(""))) {
        log.warn("could not write the masked content back, falling back to block");
        this.deny(200, new JsonObject());
        return;
      }
      this.replaceRequestBody(root.toBytes());
      this.requestHeaders.remove("content-length");
      changetype<SecurityGuard>(this.plugin).requestMask.increment(1);
      this.attrs.setString("safecheck_status", "request mask");
      this.attrs.writeToLog();
      this.resume();
      return;
    }
    this.attrs.setString("safecheck_status", this.phaseName() + " pass");
    this.attrs.writeToLog();
    this.resume();
  }

  private failOpen(reason: string, resume: bool): void {
    if (this.streaming) {
      log.warn("safecheck response fail-open: moderation service gave no verdict (" + reason + "); the window goes on");
      this.failedOpen = true;
      this.attrs.setString("safecheck_status", "response fail-open");
      this.attrs.setString("safecheck_error", reason);
      this.attrs.writeToLog();
      this.windowPassed();
      return;
    }
    log.warn("safecheck " + this.phaseName() + " fail-open: moderation service gave no verdict (" + reason + ")");
    this.attrs.setInt("safecheck_" + this.phaseName() + "_rt", time.nowMillis() - this.startMs);
    this.attrs.setString("safecheck_status", this.phaseName() + " fail-open");
    this.attrs.setString("safecheck_error", reason);
    this.attrs.writeToLog();
    if (resume) this.resume();
  }

  private deny(code: i64, data: JsonObject): void {
    const c = this.config;
    const text = denyBody(c, this.consumer, code, data);
    const anthropic = this.api == AiApi.AnthropicMessages;
    const sse = this.phase == PHASE_REQUEST ? this.clientStream : this.responseIsStream;
    let body: string;
    let ct: string;
    if (c.protocolOriginal) { body = text; ct = "application/json"; }
    else if (sse) { body = anthropic ? anthropicTextStream(randomAnswerId("msg_", 24), text, GUARD_MODEL) : openaiTextStream(randomAnswerId("chatcmpl-", 29), text, GUARD_MODEL); ct = "text/event-stream;charset=UTF-8"; }
    else { body = anthropic ? anthropicTextAnswer(randomAnswerId("msg_", 24), text, GUARD_MODEL) : openaiTextAnswer(randomAnswerId("chatcmpl-", 29), text, GUARD_MODEL); ct = "application/json"; }
    // Higress's own spellings, "reqeust deny" included (dashboards match on them).
    this.attrs.setInt("safecheck_" + this.phaseName() + "_rt", time.nowMillis() - this.startMs);
    this.attrs.setString("safecheck_status", this.phase == PHASE_REQUEST ? "reqeust deny" : "response deny");
    const label = riskLabel(data, "Label");
    if (data.has("Advice")) {
      this.attrs.setString("safecheck_riskLabel", label);
      this.attrs.setString("safecheck_riskWords", riskLabel(data, "RiskWords"));
    }
    this.attrs.writeToLog();
    const plugin = changetype<SecurityGuard>(this.plugin);
    if (this.phase == PHASE_REQUEST) {
      plugin.requestDeny.increment(1);
      log.info("request denied by the moderation service" + (label.length > 0 ? " (" + label + ")" : ""));
      this.respond(c.denyCode, body, [new HeaderPair("content-type", ct)], "ai-security-guard.request_deny");
      return;
    }
    plugin.responseDeny.increment(1);
    log.info("response denied by the moderation service" + (label.length > 0 ? " (" + label + ")" : ""));
    if (this.streaming) {
      // The clean events before the window go out, then a deny that ends the stream properly.
      this.denied = true;
      this.inFlight = false;
      this.window = [];
      this.queue = [];
      // As Higress: a stream ends in SSE whatever `protocol` says (raw JSON would break the stream).
      let tail: string;
      if (anthropic) tail = this.anthropic.started ? anthropicTextStreamTail(text, this.anthropic.openBlock, this.anthropic.nextIndex) : anthropicTextStream(randomAnswerId("msg_", 24), text, GUARD_MODEL);
      else tail = openaiTextStream(randomAnswerId("chatcmpl-", 29), text, GUARD_MODEL);
      this.approved.pushBuffer(String.UTF8.encode(tail));
      if (this.responseStreamHeld) this.release();
      return;
    }
    // The answer's headers are still held: swap status, type and body, then let it go.
    this.responseHeaders.set(":status", c.denyCode.toString());
    this.responseHeaders.set("content-type", ct);
    this.responseHeaders.remove("content-length");
    this.responseHeaders.remove("content-encoding");
    this.replaceResponseBody(String.UTF8.encode(body));
    this.resumeResponse();
  }
}

function clip(s: string): string { return s.length > 200 ? s.substring(0, 200) + "…" : s; }

registerPlugin("ai-security-guard", () => new SecurityGuard());
