// Prints server-sent events. Newlines inside `data` become separate `data:` lines (so any text
// round-trips through a reader); CR/LF in `event` and `id` are dropped because they would end
// the field early and let the text forge extra fields.
import { ByteBuffer } from "../json/bytebuf";
import { SseEvent } from "./event";

/** Appends one event (terminated by a blank line) to `out`. */
export function writeSseEvent(out: ByteBuffer, e: SseEvent): void {
  if (e.event.length > 0) { out.pushAscii("event: "); pushSingleLine(out, e.event); out.pushByte(0x0a); }
  if (e.id.length > 0) { out.pushAscii("id: "); pushSingleLine(out, e.id); out.pushByte(0x0a); }
  if (e.retry >= 0) { out.pushAscii("retry: "); out.pushAscii(e.retry.toString()); out.pushByte(0x0a); }
  const d = e.data;
  let start = 0;
  const n = d.length;
  for (let i = 0; i <= n; i++) {
    const c = i < n ? d.charCodeAt(i) : 0x0a;
    if (c != 0x0a && c != 0x0d) continue;
    out.pushAscii("data: ");
    out.pushUtf8(d.substring(start, i));
    out.pushByte(0x0a);
    if (c == 0x0d && i + 1 < n && d.charCodeAt(i + 1) == 0x0a) i++;
    start = i + 1;
  }
  out.pushByte(0x0a);
}

/** One event as bytes. */
export function encodeSseEvent(e: SseEvent): ArrayBuffer {
  const out = new ByteBuffer(e.data.length + 32);
  writeSseEvent(out, e);
  return out.toArrayBuffer();
}

/** `data: <data>\n\n` (with `event:` first when given): the OpenAI and Anthropic shapes. */
export function encodeSseData(data: string, event: string = ""): ArrayBuffer {
  return encodeSseEvent(SseEvent.of(event, data));
}

/** A comment line (`: text`), e.g. a keep-alive; readers ignore it. */
export function encodeSseComment(text: string): ArrayBuffer {
  const out = new ByteBuffer(text.length + 4);
  out.pushAscii(": ");
  pushSingleLine(out, text);
  out.pushAscii("\n\n");
  return out.toArrayBuffer();
}

function pushSingleLine(out: ByteBuffer, s: string): void {
  let clean = true;
  for (let i = 0; i < s.length; i++) { const c = s.charCodeAt(i); if (c == 0x0a || c == 0x0d) { clean = false; break; } }
  out.pushUtf8(clean ? s : s.replaceAll("\r", "").replaceAll("\n", ""));
}
