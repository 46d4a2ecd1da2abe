// Streamed answers: every provider's stream goes through one StreamConverter (bytes in, bytes for
// the client out). SSE providers share SseConverter (event splitting, the end-of-stream checks,
// and the byte-exact pass-through for providers that already speak the client's dialect).
import { JsonObject, log } from "@sluice/sdk";
import { TokenUsage, extractUsage, extractUsageView, publishUsage } from "@sluice/sdk/ai";
import { JsonObjectView, JsonWriter, JsonKeyProbe, decodeUtf8Lossy } from "@sluice/sdk/json";
import { SseReader, SseEvent } from "@sluice/sdk/sse";
import { sseData, SseEventAligner } from "./sse";
import { parseObject, parseObjectBytes } from "./util";
import { providerErrorMessage, usageChunk, ChunkFrame } from "./openai";
import { openaiErrorJson as openaiError } from "@sluice/sdk/ai";
import { AnthropicStreamWriter } from "./anthropic";

export const STREAM_CUT = "the provider's stream ended before the answer finished";

/** The normalised usage of one exchange, published once as the `ai_usage` property. */
export class UsageReport {
  usage: TokenUsage = new TokenUsage();
  model: string = "";
  provider: string = "";
  stream: bool = false;
  published: bool = false;

  publish(): void {
    this.published = true;
    publishUsage(this.usage, this.model, this.provider, this.stream);
  }
}

/**
 * The client's side of a converted stream, written as UTF-8 bytes: OpenAI chunks (as JSON text,
 * or framed straight into `w` by a ChunkFrame), or Anthropic events through the writer.
 */
export class StreamOutput {
  /** The client's bytes since the last take; converters on the byte path write chunks into it. */
  readonly w: JsonWriter = new JsonWriter(1024);
  /** The Anthropic writer's events, moved into `w` after each call. */
  private list: Array<string> = [];
  sawDone: bool = false;
  failed: bool = false;

  constructor(public report: UsageReport, public writer: AnthropicStreamWriter | null) {}

  get usage(): TokenUsage { return this.report.usage; }
  get ended(): bool { return this.sawDone || this.failed; }

  private text(s: string): void { this.w.buf.pushUtf8(s); }

  private drain(): void {
    const l = this.list;
    for (let i = 0; i < l.length; i++) this.text(unchecked(l[i]));
    this.list = [];
  }

  /** One OpenAI chunk (JSON text) for the client. */
  emit(chunkJson: string): void {
    const w = this.writer;
    if (w !== null) {
      const o = parseObject(chunkJson);
      if (o !== null) { w.push(o, this.list); this.drain(); }
      return;
    }
    const b = this.w.buf;
    b.pushAscii("data: ");
    b.pushUtf8(chunkJson);
    b.pushAscii("\n\n");
  }

  emitAll(chunks: Array<string>): void {
    for (let i = 0; i < chunks.length; i++) this.emit(chunks[i]);
  }

  /** An OpenAI chunk object, as it came from an OpenAI-speaking provider. */
  emitObject(chunk: JsonObject): void {
    const w = this.writer;
    if (w !== null) { w.push(chunk, this.list); this.drain(); }
  }

  done(): void {
    if (this.sawDone) return;
    this.sawDone = true;
    const w = this.writer;
    if (w !== null) { w.end(this.usage, this.list); this.drain(); }
    else this.w.buf.pushAscii("data: [DONE]\n\n");
    this.report.publish();
  }

  error(message: string): void {
    if (this.ended) return;
    this.failed = true;
    log.warn("stream failed: " + message);
    const w = this.writer;
    if (w !== null) { w.fail(message, this.list); this.drain(); }
    else this.text(sseData(openaiError(502, message, "upstream_stream_error")));
    this.report.publish();
  }

  /** The bytes written since the last take. */
  take(): ArrayBuffer {
    this.w.restart();
    return this.w.takeBytes();
  }
}

/** A provider's stream → the client's stream. `push` for every chunk, `finish` once at the end. */
export abstract class StreamConverter {
  constructor(public out: StreamOutput) {}
  abstract push(chunk: ArrayBuffer): ArrayBuffer;
  abstract finish(): ArrayBuffer;
}

/**
 * SSE in. Subclasses convert one event (`event`) and check the end (`end`). With `passThrough`
 * the provider's bytes go on untouched, in whole events (the events are still read for usage and
 * errors), and `tail` is what is appended when the stream ended badly.
 */
export abstract class SseConverter extends StreamConverter {
  protected reader: SseReader = new SseReader();
  private aligner: SseEventAligner = new SseEventAligner();
  passThrough: bool = false;
  tail: string = "";

  /** One event's data parsed (events that are not JSON objects, and [DONE], do not get here). */
  abstract event(ev: SseEvent, data: JsonObject): void;
  /** The stream ended and neither [DONE] nor an error was seen. */
  abstract end(): void;
  /**
   * An event from a reader with `keepBytes`: its data as UTF-8. The default decodes it and takes
   * the text path; a subclass that reads events on bytes overrides it.
   */
  rawEvent(ev: SseEvent, raw: ArrayBuffer): void {
    ev.data = decodeUtf8Lossy(changetype<usize>(raw), raw.byteLength);
    if (ev.data == "[DONE]") { this.doneMarker(); return; }
    const obj = parseObject(ev.data);
    if (obj !== null) this.event(ev, obj);
  }

  /** `data: [DONE]`. */
  doneMarker(): void { this.out.done(); }

  push(chunk: ArrayBuffer): ArrayBuffer {
    this.read(this.reader.push(chunk));
    if (!this.passThrough) return this.out.take();
    this.out.take();
    // Bytes pass untouched, but in whole events: a stream cut mid-line must not glue the error
    // event appended at the end onto the partial line (the client would see broken JSON).
    return this.aligner.push(chunk);
  }

  finish(): ArrayBuffer {
    this.read(this.reader.finish());
    if (this.out.ended) this.out.report.publish();
    else this.end();
    if (!this.passThrough) return this.out.take();
    this.out.take();
    const a = this.aligner;
    const closed = a.finish();
    if (a.dropped > 0) log.warn("the provider's stream ended inside an event: " + a.dropped.toString() + " bytes dropped");
    // An oversized event already went out unterminated: end it before ours.
    const tail = String.UTF8.encode((a.unaligned && this.tail.length > 0 ? "\n\n" : "") + this.tail);
    const joined = new Uint8Array(closed.byteLength + tail.byteLength);
    joined.set(Uint8Array.wrap(closed), 0);
    joined.set(Uint8Array.wrap(tail), closed.byteLength);
    return joined.buffer;
  }

  private read(events: Array<SseEvent>): void {
    for (let i = 0; i < events.length; i++) {
      if (this.out.ended) return;
      const ev = events[i];
      const raw = ev.raw;
      if (raw !== null) { this.rawEvent(ev, raw); continue; }
      if (ev.data == "[DONE]") { this.doneMarker(); continue; }
      const obj = parseObject(ev.data);
      if (obj !== null) this.event(ev, obj);
    }
  }
}

/** What an OpenAI-wire event can tell the reader: usage (at any depth), an error, a finish. */
const EVENT_PROBE = new JsonKeyProbe(["usage", "error"], ["finish_reason"]);

/** A provider that speaks OpenAI: passed through to an OpenAI client, converted for an Anthropic one. */
export class OpenAIStream extends SseConverter {
  sawFinish: bool = false;
  // Re-used for every event: reading an event allocates nothing once warm.
  private view: JsonObjectView = JsonObjectView.reusable();
  private choice: JsonObjectView = JsonObjectView.reusable();

  constructor(out: StreamOutput, passThrough: bool) {
    super(out);
    this.passThrough = passThrough;
    // Passed through, an event is only read (usage, finish, errors): on its bytes, no text, no tree;
    // an event the probe proves has none of them is not even handed over.
    this.reader.keepBytes = passThrough;
    if (passThrough) this.reader.skipUnless = EVENT_PROBE;
  }

  rawEvent(ev: SseEvent, raw: ArrayBuffer): void {
    const p = changetype<usize>(raw);
    const n = raw.byteLength;
    if (n == 6 && load<u32>(p) == 0x4e4f445b && load<u16>(p, 4) == 0x5d45) { this.doneMarker(); return; } // [DONE]
    // Most events are content deltas with nothing to read: one light pass proves it (no usage,
    // no error, no finish_reason but null) and they are not scanned.
    if (!EVENT_PROBE.mayHave(p, n)) return;
    const v = this.view;
    if (!v.read(raw)) { super.rawEvent(ev, raw); return; } // not valid UTF-8 JSON: the lenient text path decides
    // usage where extractUsageView looks for it on an OpenAI-wire event: top level, message.usage, response.usage
    if (v.has("usage") || v.has("message") || v.has("response")) extractUsageView(v, this.out.usage);
    if (!this.sawFinish && finishes(v, this.choice)) this.sawFinish = true;
    if (v.has("error")) {
      const obj = parseObjectBytes(raw);
      this.out.error(providerErrorMessage(obj, "upstream error"));
    }
  }

  event(ev: SseEvent, data: JsonObject): void {
    if (ev.data.includes("\"usage\"")) extractUsage(data, this.out.usage);
    if (!this.sawFinish && hasFinish(data)) this.sawFinish = true;
    if (data.has("error")) { this.out.error(providerErrorMessage(data, "upstream error")); return; }
    this.out.emitObject(data);
  }

  end(): void {
    if (!this.passThrough) { this.out.error(STREAM_CUT); return; }
    // Some compatible servers omit [DONE]; a stream that never finished a choice is truncated.
    if (!this.sawFinish) {
      log.warn("the provider's stream ended before any finish_reason");
      this.tail = sseData(openaiError(502, STREAM_CUT, "upstream_stream_error"));
    }
    this.out.report.publish();
  }
}

/** A converting provider's stream: `event` queues OpenAI chunks, `flush` sends them to the client. */
export abstract class ConvertingStream extends SseConverter {
  chunks: Array<string> = [];
  /** Frames chunks straight into the client's bytes (the byte path of a converter's hot events). */
  readonly frame: ChunkFrame;

  constructor(out: StreamOutput, public model: string, public created: i64) {
    super(out);
    this.frame = new ChunkFrame(model, created);
  }

  /**
   * Hands this converter events as UTF-8 (`rawEvent`) when the client takes OpenAI chunks; an
   * Anthropic client's events are built from trees by its writer, so events are decoded for it.
   */
  readOnBytes(): void { this.reader.keepBytes = this.out.writer === null; }

  flush(): void {
    this.out.emitAll(this.chunks);
    this.chunks = [];
  }

  /** The stream ended: the answer must have finished (`finished`), then the usage chunk and [DONE]. */
  endWithUsage(finished: bool, id: string): void {
    if (!finished) { this.out.error(STREAM_CUT); return; }
    this.chunks.push(usageChunk(id, this.model, this.created, this.out.usage.toOpenAI()));
    this.flush();
    this.out.done();
  }
}

/** hasFinish on bytes. */
function finishes(chunk: JsonObjectView, into: JsonObjectView): bool {
  let next = chunk.firstObjectIn("choices", into);
  while (next !== null) {
    const c: JsonObjectView = next;
    if (c.kindOf("finish_reason") == 0x22 && !c.stringIs("finish_reason", "")) return true;
    next = chunk.nextObjectIn("choices", c, into);
  }
  return false;
}

/** Whether an OpenAI chunk finishes a choice. */
function hasFinish(chunk: JsonObject): bool {
  const choices = chunk.getArray("choices");
  if (choices === null) return false;
  for (let i = 0; i < choices.length; i++) {
    const c = choices[i].asObject();
    if (c === null) continue;
    const f = c.getString("finish_reason");
    if (f !== null && f.length > 0) return true;
  }
  return false;
}
