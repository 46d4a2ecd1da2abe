// Test entry: one SSE reader at a time, events returned as JSON for Node to compare.
import { JsonKeyProbe } from "../json/probe";
import { SseReader } from "../sse/reader";
import { SseEvent } from "../sse/event";
import { encodeSseEvent } from "../sse/writer";
import { JsonWriter } from "../json/writer";
import { decodeUtf8Lossy } from "../json/utf8";

let reader = new SseReader();

export function reset(maxLine: i32, maxEvent: i32): void { reader = new SseReader(maxLine, maxEvent); }

/** A reader that keeps event data as bytes (`raw`); toJson decodes them so Node compares alike. */
export function resetKeepBytes(): void { reader = new SseReader(); reader.keepBytes = true; }

/** keepBytes, leaving out JSON-object events with no usage, no error and no finish_reason but null. */
export function resetSkipping(): void { resetKeepBytes(); reader.skipUnless = new JsonKeyProbe(["usage", "error"], ["finish_reason"]); }
export function skipped(): i32 { return reader.skipped; }

function toJson(events: Array<SseEvent>): string {
  const w = new JsonWriter();
  w.beginArray();
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    const raw = e.raw;
    // In bytes mode `data` must stay empty; "!" marks a reader that decoded anyway.
    const data = raw === null ? e.data : (e.data.length > 0 ? "!" : "") + decodeUtf8Lossy(changetype<usize>(raw), raw.byteLength);
    w.beginObject().key("event").string(e.event).key("data").string(data).key("id").string(e.id).key("retry").integer(e.retry).endObject();
  }
  w.endArray();
  return w.toString();
}

export function push(chunk: ArrayBuffer): string { return toJson(reader.push(chunk)); }
export function finish(): string { return toJson(reader.finish()); }
export function error(): string { return reader.error; }

export function encode(event: string, data: string, id: string, retry: i32): ArrayBuffer {
  const e = SseEvent.of(event, data);
  e.id = id;
  e.retry = retry;
  return encodeSseEvent(e);
}
