// A test plugin for the real-Envoy SSE/event-stream test (sse-envoy.test.ts): it re-frames the
// upstream's stream as it passes, event by event, so the client sees what the readers produced.
//   text/event-stream  → each event re-written canonically (`event:`/`data:` lines, \n endings)
//   application/vnd.amazon.eventstream → each message as `event: <:event-type>` + payload
// and, at the end, a `sluice_summary` event (events, non-empty chunks seen, concatenated text
// deltas, reader error).
import { Plugin, HttpFilter, Action, BodyMode, ConfigError, JsonObject, registerPlugin } from "@sluice/sdk";
import { SseReader, SseEvent, EventStreamReader, EventStreamMessage, writeSseEvent } from "@sluice/sdk/sse";
import { ByteBuffer, parseJson, parseJsonBytes, JsonWriter, decodeUtf8 } from "@sluice/sdk/json";
export * from "@sluice/sdk/exports";

class Config {}

class Reframe extends HttpFilter<Config> {
  sse: SseReader | null = null;
  es: EventStreamReader | null = null;
  events: i32 = 0;
  chunks: i32 = 0;
  text: string = "";

  onResponseHeaders(endOfStream: bool): Action {
    const ct = this.responseHeaders.get("content-type");
    if (ct === null) return Action.Continue;
    if (ct.startsWith("text/event-stream")) this.sse = new SseReader(4096, 65536);
    else if (ct.startsWith("application/vnd.amazon.eventstream")) this.es = new EventStreamReader(65536);
    else return Action.Continue;
    this.responseHeaders.remove("content-length");
    this.responseHeaders.set("content-type", "text/event-stream");
    this.responseBodyMode = BodyMode.Stream;
    return Action.Continue;
  }

  onResponseChunk(chunk: ArrayBuffer, last: bool): ArrayBuffer | null {
    if (chunk.byteLength > 0) this.chunks++;
    const out = new ByteBuffer(chunk.byteLength + 64);
    let error = "";
    const sse = this.sse;
    if (sse !== null) {
      const evs = sse.push(chunk);
      if (last) { const rest = sse.finish(); for (let i = 0; i < rest.length; i++) evs.push(rest[i]); }
      for (let i = 0; i < evs.length; i++) this.emitSse(out, evs[i]);
      error = sse.error;
    }
    const es = this.es;
    if (es !== null) {
      const msgs = es.push(chunk);
      for (let i = 0; i < msgs.length; i++) this.emitMessage(out, msgs[i]);
      if (last) es.finish();
      error = es.error;
    }
    if (last) {
      const w = new JsonWriter();
      w.beginObject().key("events").integer(this.events).key("chunks").integer(this.chunks).key("text").string(this.text).key("error").string(error).endObject();
      writeSseEvent(out, SseEvent.of("sluice_summary", w.toString()));
    }
    return out.toArrayBuffer();
  }

  private emitSse(out: ByteBuffer, e: SseEvent): void {
    this.events++;
    const r = parseJson(e.data);
    if (r.ok) {
      const openai = r.value!.getPath("choices.0.delta.content");
      const anthropic = r.value!.getPath("delta.text");
      if (openai !== null && openai.isString) this.text += openai.str;
      if (anthropic !== null && anthropic.isString) this.text += anthropic.str;
    }
    writeSseEvent(out, SseEvent.of(e.event, e.data));
  }

  private emitMessage(out: ByteBuffer, m: EventStreamMessage): void {
    this.events++;
    const et = m.eventType;
    const payload = decodeUtf8(m.payload);
    const r = parseJsonBytes(m.payload);
    if (r.ok) {
      const t = r.value!.getPath("delta.text");
      if (t !== null && t.isString) this.text += t.str;
    }
    writeSseEvent(out, SseEvent.of(et === null ? "" : et, payload));
  }
}

class ReframePlugin extends Plugin<Config> {
  parseConfig(json: JsonObject, global: Config | null, err: ConfigError): Config | null { return new Config(); }
  newFilter(): HttpFilter<Config> { return new Reframe(); }
}

registerPlugin("sse-reframe", () => new ReframePlugin());
