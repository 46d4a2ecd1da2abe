// SSE output: the two event formats the converters write, and the aligner that keeps a
// passed-through stream in whole events. Reading SSE is the SDK's SseReader (stream.ts).
import { isValidJson } from "@sluice/sdk/json";
import { findLineBreak } from "@sluice/sdk/encoding";

/** Formats one SSE event. */
export function sseData(data: string): string { return "data: " + data + "\n\n"; }
export function sseEvent(event: string, data: string): string { return "event: " + event + "\ndata: " + data + "\n\n"; }

/**
 * Passes an SSE byte stream on in whole events only (up to the last blank line), holding the
 * unterminated rest. A stream passed through byte for byte that is cut mid-line would otherwise
 * leave the client a partial line, and whatever the gateway appends (its error event) would be
 * glued onto it: `…"model":"openai-chdata: {"error":…}` — a JSON error on the client instead of
 * the gateway's message. At the end, `finish()` closes a held event whose data is whole and drops
 * one that stops mid-line (an SSE client would drop it too).
 */
export class SseEventAligner {
  private held: Uint8Array = new Uint8Array(0);
  private atLineStart: bool = true;
  private prevCR: bool = false;
  /** Bytes held beyond this are passed on anyway (memory stays bounded; alignment is lost). */
  static readonly MAX_HELD: i32 = 1 << 20;
  /** What was passed on ends inside an oversized event (passed on unterminated). */
  unaligned: bool = false;
  /** Bytes of a partial line dropped by finish(). */
  dropped: i32 = 0;

  /** The bytes to pass on for `chunk`: the held bytes and the chunk, up to the last event end. */
  push(chunk: ArrayBuffer): ArrayBuffer {
    const c = Uint8Array.wrap(chunk);
    const base = this.held.length;
    let boundary = -1;
    const p = changetype<usize>(chunk);
    let prevCR = this.prevCR, atLineStart = this.atLineStart;
    for (let i = 0, n = chunk.byteLength; i < n; i++) {
      // jump through the rest of a line: the bytes before the next CR / LF only end a CRLF pair and a line start
      const next = findLineBreak(p, n, i);
      if (next > i) { prevCR = false; atLineStart = false; i = next - 1; continue; }
      const b = load<u8>(p + <usize>i);
      if (b == 10 && prevCR) { prevCR = false; if (boundary == base + i) boundary = base + i + 1; continue; }
      prevCR = b == 13;
      if (b == 10 || b == 13) {
        if (atLineStart) boundary = base + i + 1;
        atLineStart = true;
      } else atLineStart = false;
    }
    this.prevCR = prevCR;
    this.atLineStart = atLineStart;
    if (boundary >= 0) this.unaligned = false;
    if (base == 0 && boundary == c.length) return chunk;
    const all = new Uint8Array(base + c.length);
    all.set(this.held, 0);
    all.set(c, base);
    if (boundary < 0 && all.length > SseEventAligner.MAX_HELD) { this.unaligned = true; boundary = all.length; }
    if (boundary < 0) { this.held = all; return new ArrayBuffer(0); }
    this.held = all.slice(boundary);
    return all.slice(0, boundary).buffer;
  }

  /**
   * At the end of the stream, the held event: closed with the blank line it lacks when its data is
   * whole (its lines all ended, or its data is complete JSON / `[DONE]` — what the gateway's own
   * reader accepted), else nothing (it stops mid-line: dropped, as an SSE client would).
   */
  finish(): ArrayBuffer {
    const h = this.held;
    this.held = new Uint8Array(0);
    if (h.length == 0) return new ArrayBuffer(0);
    if (onlyLineEnds(h)) return h.buffer; // the LF of a CRLF whose CR ended the last event
    if (this.atLineStart) {
      // One more line terminator of the same kind makes the blank line ("\r\n" + "\n" would not).
      const out = new Uint8Array(h.length + 1);
      out.set(h, 0);
      out[h.length] = h[h.length - 1];
      return out.buffer;
    }
    if (!wholeData(h)) { this.dropped = h.length; return new ArrayBuffer(0); }
    const out = new Uint8Array(h.length + 2);
    out.set(h, 0);
    out[h.length] = 10;
    out[h.length + 1] = 10;
    return out.buffer;
  }
}

function onlyLineEnds(b: Uint8Array): bool {
  for (let i = 0; i < b.length; i++) if (b[i] != 10 && b[i] != 13) return false;
  return true;
}

/** The `data:` lines of one unterminated event, joined as an SSE client joins them, are whole JSON or [DONE]. */
function wholeData(event: Uint8Array): bool {
  const text = String.UTF8.decode(event.buffer);
  const lines = text.replaceAll("\r\n", "\n").replaceAll("\r", "\n").split("\n");
  let data = "";
  let any = false;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    if (!l.startsWith("data:")) continue;
    const v = l.length > 5 && l.charCodeAt(5) == 32 ? l.substring(6) : l.substring(5);
    data = any ? data + "\n" + v : v;
    any = true;
  }
  if (!any) return false;
  if (data == "[DONE]") return true;
  const bytes = String.UTF8.encode(data);
  return isValidJson(changetype<usize>(bytes), bytes.byteLength);
}
