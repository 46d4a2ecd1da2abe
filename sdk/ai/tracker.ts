// Watches a response go by (streamed or whole) and finds what the AI plugins account for:
// the token usage (OpenAI, Anthropic, Gemini, DashScope, Bedrock, Tencent shapes, as
// extractUsage reads them; on streams the last report wins), the model, the chat id, the time of
// the first byte, and byte counts for an estimate when no usage ever arrives (cut streams,
// providers that report none). Memory is bounded: SSE is read event by event, a non-stream body
// is kept only up to `maxBodyBytes`.
import { TokenUsage, extractUsageView, AI_USAGE_PROPERTY } from "./usage";
import { JsonObjectView } from "../json/object-view";
import { decodeUtf8Lossy } from "../json/utf8";
import { JsonKeyProbe } from "../json/probe";
import { SseReader } from "../sse/reader";
import { ByteBuffer } from "../json/bytebuf";
import { parseJsonBytes, parseJsonObjectBytes } from "../json/parse";
import { JsonObject } from "../json/value";
import * as host from "../runtime/hostcalls";

export const DEFAULT_MAX_BODY_BYTES: i32 = 8 << 20;

export enum UsageSource {
  /** Nothing known yet. */
  None,
  /** ai-proxy's normalised `ai_usage` filter state. */
  Published,
  /** Read from the response body by this plugin. */
  Response,
  /** Estimated from byte counts (no report arrived). */
  Estimated,
}

export function usageSourceName(s: UsageSource): string {
  if (s == UsageSource.Published) return "ai_usage";
  if (s == UsageSource.Response) return "response";
  if (s == UsageSource.Estimated) return "estimated";
  return "none";
}

/** Usage and model as ai-proxy published them (`ai_usage`), or null. */
export class PublishedUsage {
  usage: TokenUsage = new TokenUsage();
  model: string = "";
  stream: bool = false;
}

export function readPublished(): PublishedUsage | null {
  const b = host.getPropertyBytes([AI_USAGE_PROPERTY]);
  if (b === null || b.byteLength == 0) return null;
  const r = parseJsonBytes(b);
  if (!r.ok) return null;
  const o = r.value!.asObject();
  if (o === null) return null;
  const p = new PublishedUsage();
  p.usage.set(nonNeg(o, "prompt_tokens"), nonNeg(o, "completion_tokens"), nonNeg(o, "total_tokens"));
  p.usage.cachedTokens = nonNeg(o, "cached_tokens");
  p.usage.cacheCreationTokens = nonNeg(o, "cache_creation_tokens");
  p.usage.reasoningTokens = nonNeg(o, "reasoning_tokens");
  const m = o.getString("model");
  if (m !== null) p.model = m;
  p.stream = o.getBool("stream", false);
  return p;
}

function nonNeg(o: JsonObject, k: string): i64 {
  const n = o.getInt(k, 0);
  return n < 0 ? 0 : n;
}

/** Bytes per token for estimates (a common rule of thumb for English text and JSON). */
export const BYTES_PER_TOKEN: i64 = 4;

export function estimateTokens(bytes: i64): i64 {
  return bytes <= 0 ? 0 : (bytes + BYTES_PER_TOKEN - 1) / BYTES_PER_TOKEN;
}

/** Where extractUsageView finds usage, at any depth (message.usage, Response.Usage …); spelled any way. */
const USAGE_PROBE = new JsonKeyProbe(["usage", "usageMetadata", "Usage"]);

/** Receives every JSON event of a stream (for attribute extraction). */
export interface StreamEventSink {
  onStreamEvent(event: JsonObject): void;
}

export class ResponseTracker {
  usage: TokenUsage = new TokenUsage();
  /** Set to see every JSON stream event. */
  sink: StreamEventSink | null = null;
  /**
   * The whole non-stream body as JSON, after finish() (null when not JSON or too big), when
   * `keepBody` is set; without it the body is read on its bytes (usage, model, id) and no tree is built.
   */
  bodyObject: JsonObject | null = null;
  keepBody: bool = false;
  model: string = "";
  chatId: string = "";
  isStream: bool = false;
  responseBytes: i64 = 0;
  /** Bytes of answer text seen in stream events / the body (for estimates). */
  firstByteNanos: u64 = 0;
  ended: bool = false;
  private sse: SseReader | null = null;
  private body: ByteBuffer | null = null;
  private overflow: bool = false;
  /** Re-used for every event (nothing allocated to read one once warm). */
  private eventView: JsonObjectView = JsonObjectView.reusable();

  constructor(public maxBodyBytes: i32 = DEFAULT_MAX_BODY_BYTES) {}

  /** Call from onResponseHeaders. */
  begin(contentType: string | null): void {
    this.isStream = contentType !== null && contentType.toLowerCase().indexOf("text/event-stream") >= 0;
    if (this.isStream) {
      const r = new SseReader();
      r.keepBytes = true; // events are read on their bytes (a sink's tree is parsed from them)
      this.sse = r;
    }
    else this.body = new ByteBuffer(1024);
  }

  /** Call for each response chunk. */
  push(chunk: ArrayBuffer, last: bool): void {
    const n = chunk.byteLength;
    if (n > 0 && this.firstByteNanos == 0) this.firstByteNanos = host.currentTimeNanos();
    this.responseBytes += n;
    const sse = this.sse;
    if (sse !== null) {
      const events = sse.push(chunk);
      for (let i = 0; i < events.length; i++) {
        const raw = events[i].raw;
        if (raw !== null) this.onEvent(raw);
      }
    } else {
      const b = this.body;
      if (b !== null && !this.overflow && n > 0) {
        if (b.length + n > this.maxBodyBytes) { this.overflow = true; this.body = null; }
        else b.pushBytes(changetype<usize>(chunk), n);
      }
    }
    if (last) this.finish();
  }

  /** The body (or the stream) ended normally. */
  finish(): void {
    if (this.ended) return;
    this.ended = true;
    const b = this.body;
    this.body = null;
    if (b === null || b.length == 0) return;
    const bytes = b.take();
    const v = JsonObjectView.of(bytes);
    if (v === null) return;
    this.read(v);
    if (this.keepBody) this.bodyObject = parseJsonObjectBytes(bytes).value;
  }

  /**
   * One stream event's data: only events that can tell something are scanned, on their bytes
   * (usage, model, id); a sink also gets the event as a tree. Data that is not strict UTF-8 JSON
   * is read as a client would: decoded lossily (U+FFFD), then read the same way.
   */
  private onEvent(raw: ArrayBuffer): void {
    const p = changetype<usize>(raw);
    const n = raw.byteLength;
    if (n == 0 || load<u8>(p) != 0x7b) return; // "[DONE]", comments, non-JSON
    const sink = this.sink;
    const interesting = sink !== null || this.model.length == 0 || this.chatId.length == 0 || USAGE_PROBE.mayHave(p, n);
    if (!interesting) return;
    let bytes = raw;
    const v = this.eventView;
    if (!v.read(bytes)) {
      bytes = String.UTF8.encode(decodeUtf8Lossy(p, n));
      if (!v.read(bytes)) return;
    }
    this.read(v);
    // Once model and id are known, only events that may carry usage matter: the reader leaves the others out.
    const r = this.sse;
    if (sink === null && r !== null && this.model.length > 0 && this.chatId.length > 0) r.skipUnless = USAGE_PROBE;
    if (sink !== null) {
      const o = parseJsonObjectBytes(bytes).value;
      if (o !== null) sink.onStreamEvent(o);
    }
  }

  /** Usage, model and chat id from one answer or event (the first model and id seen stay). */
  private read(o: JsonObjectView): void {
    const u = new TokenUsage();
    if (extractUsageView(o, u)) this.takeUsage(u);
    if (this.model.length == 0) {
      let m = o.getString("model");
      if (m === null) { const msg = o.getObject("message"); if (msg !== null) m = msg.getString("model"); }
      if (m === null) { const resp = o.getObject("response"); if (resp !== null) m = resp.getString("model"); }
      if (m === null) m = o.getString("modelVersion");
      if (m !== null) this.model = m;
    }
    if (this.chatId.length == 0) {
      let id = o.getString("id");
      if (id === null) { const resp = o.getObject("response"); if (resp !== null) id = resp.getString("id"); }
      if (id === null) id = o.getString("responseId");
      if (id === null) { const msg = o.getObject("message"); if (msg !== null) id = msg.getString("id"); }
      if (id !== null) this.chatId = id;
    }
  }

  private takeUsage(u: TokenUsage): void {
    if (u.totalTokens + u.promptTokens + u.completionTokens > 0) {
      // Anthropic's message_delta reports only output tokens: keep the input seen earlier.
      if (u.promptTokens == 0 && this.usage.promptTokens > 0) u.set(this.usage.promptTokens, u.completionTokens, this.usage.promptTokens + u.completionTokens);
      this.usage.copyFrom(u);
    }
  }
}

/** The usage to account for one request: ai-proxy's published report, else the response's, else an estimate. */
export class AccountedUsage {
  usage: TokenUsage = new TokenUsage();
  model: string = "";
  source: UsageSource = UsageSource.None;
  get estimated(): bool { return this.source == UsageSource.Estimated; }
}

/**
 * Decides what a request used. `requestBytes` is the request body size (content-length) for the
 * prompt estimate; `allowEstimate` is false for responses that used nothing (errors, local replies).
 */
export function accountUsage(t: ResponseTracker, requestBytes: i64, allowEstimate: bool): AccountedUsage {
  const a = new AccountedUsage();
  const p = readPublished();
  if (p !== null && p.usage.present) {
    a.usage.copyFrom(p.usage);
    a.model = p.model.length > 0 ? p.model : t.model;
    a.source = UsageSource.Published;
    return a;
  }
  if (t.usage.present) {
    a.usage.copyFrom(t.usage);
    a.model = t.model;
    a.source = UsageSource.Response;
    return a;
  }
  a.model = t.model;
  if (!allowEstimate) return a;
  const prompt = estimateTokens(requestBytes);
  const completion = estimateTokens(t.responseBytes);
  if (prompt + completion == 0) return a;
  a.usage.set(prompt, completion, prompt + completion);
  a.source = UsageSource.Estimated;
  return a;
}
