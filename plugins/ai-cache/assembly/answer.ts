// What a hit answers (Higress's templates, filled like Go's fmt.Sprintf with one %s) and what a
// miss stores: the answer text read from a JSON body, or assembled from a stream's deltas. Only
// a complete answer is stored: a stream must carry finish_reason "stop"; a tool call, another
// finish reason, a parse error, or more than MAX_ANSWER_BYTES of text marks it unstorable.
import { SseReader, SseEvent } from "@sluice/sdk/sse";
import { ByteBuffer, parseJsonBytes, parseJson } from "@sluice/sdk/json";
import { JsonValue } from "@sluice/sdk";
import { escapeOnce, gjsonGet, gjsonString } from "@sluice/sdk/ai";

/** The largest answer text stored (bigger answers pass through uncached). */
export const MAX_ANSWER_BYTES: i32 = 1 << 20;
/** The largest non-stream response body read to find the answer. */
export const MAX_JSON_BYTES: i32 = 4 << 20;

/** Go's Sprintf(template, value) with the value JSON-escaped: `%%` is `%`, the first `%s` the value. */
export function fillTemplate(template: string, value: string): string {
  const esc = escapeOnce(value);
  let out = "";
  let used = false;
  let from = 0;
  for (let i = 0; i < template.length - 1; i++) {
    if (template.charCodeAt(i) != 0x25) continue;
    const n = template.charCodeAt(i + 1);
    if (n == 0x25) { out += template.substring(from, i) + "%"; i++; from = i + 1; }
    else if (n == 0x73) { out += template.substring(from, i) + (used ? "%!s(MISSING)" : esc); used = true; i++; from = i + 1; }
  }
  return out + template.substring(from);
}

function finishReason(root: JsonValue): string {
  const f = gjsonGet(root, "choices.0.finish_reason");
  return f !== null && f.isString ? f.str : "";
}

function hasToolCalls(root: JsonValue, path: string): bool {
  const v = gjsonGet(root, path);
  return v !== null && !v.isNull;
}

/** Reads the answer of a non-stream response as it arrives, in pieces of any size. */
export class JsonAnswer {
  buf: ByteBuffer = new ByteBuffer(1024);
  tooBig: bool = false;

  push(chunk: ArrayBuffer): void {
    if (this.tooBig) return;
    if (this.buf.length + chunk.byteLength > MAX_JSON_BYTES) { this.tooBig = true; this.buf = new ByteBuffer(16); return; }
    this.buf.pushBuffer(chunk);
  }

  /** The answer to store, or "" (with `why`) when there is none to store. */
  finish(valueFrom: string): string {
    if (this.tooBig) { this.why = "response body larger than " + MAX_JSON_BYTES.toString() + " bytes"; return ""; }
    const r = parseJsonBytes(this.buf.toArrayBuffer());
    if (!r.ok) { this.why = "response body is not JSON"; return ""; }
    const root = r.value!;
    if (hasToolCalls(root, "choices.0.message.tool_calls")) { this.why = "the answer is a tool call"; return ""; }
    const fin = finishReason(root);
    if (fin.length > 0 && fin != "stop") { this.why = "finish_reason is " + fin; return ""; }
    const v = gjsonString(gjsonGet(root, valueFrom));
    if (v.length == 0) { this.why = "no answer at " + valueFrom; return ""; }
    if (String.UTF8.byteLength(v) > MAX_ANSWER_BYTES) { this.why = "answer larger than " + MAX_ANSWER_BYTES.toString() + " bytes"; return ""; }
    return v;
  }

  why: string = "";
}

/** Assembles a streamed answer from its SSE events as they pass. */
export class StreamAnswer {
  reader: SseReader = new SseReader(MAX_JSON_BYTES, MAX_JSON_BYTES);
  parts: Array<string> = new Array<string>();
  bytes: i32 = 0;
  stopped: bool = false;
  done: bool = false;
  why: string = "";

  constructor(public valueFrom: string, public toolCallsFrom: string) {}

  push(chunk: ArrayBuffer, last: bool): void {
    if (this.why.length > 0) return;
    this.take(this.reader.push(chunk));
    if (last) this.take(this.reader.finish());
    if (!this.reader.ok && this.why.length == 0) this.why = this.reader.error;
  }

  private take(events: Array<SseEvent>): void {
    for (let i = 0; i < events.length && this.why.length == 0; i++) {
      const data = unchecked(events[i]).data;
      if (data.length == 0) continue;
      if (data == "[DONE]") { this.done = true; continue; }
      const r = parseJson(data);
      if (!r.ok) { this.why = "an event's data is not JSON"; return; }
      const root = r.value!;
      // Higress's default path (choices.0.delta.content.tool_calls) never matches OpenAI's
      // chunks, so the real place is checked too.
      if (hasToolCalls(root, this.toolCallsFrom) || hasToolCalls(root, "choices.0.delta.tool_calls")) { this.why = "the answer is a tool call"; return; }
      const piece = gjsonString(gjsonGet(root, this.valueFrom));
      if (piece.length > 0) {
        this.bytes += String.UTF8.byteLength(piece);
        if (this.bytes > MAX_ANSWER_BYTES) { this.why = "answer larger than " + MAX_ANSWER_BYTES.toString() + " bytes"; this.parts = new Array<string>(); return; }
        this.parts.push(piece);
      }
      const fin = finishReason(root);
      if (fin == "stop") this.stopped = true;
      else if (fin.length > 0) { this.why = "finish_reason is " + fin; return; }
    }
  }

  /** At the end of the response: the answer to store, or "" (with `why`). */
  finish(): string {
    if (this.why.length > 0) return "";
    if (!this.stopped) { this.why = "the stream ended without finish_reason stop"; return ""; }
    const v = this.parts.join("");
    if (v.length == 0) this.why = "no answer at " + this.valueFrom;
    return v;
  }
}
