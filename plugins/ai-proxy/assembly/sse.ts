// TEMPORARY — to be replaced by sdk/sse when it lands (one call site: SseReader.push).
// An SSE reader that accepts chunks split at any byte (inside a UTF-8 sequence, between \r and
// \n, inside a field name) and yields complete events.

export class SseEvent {
  event: string = "";
  data: string = "";
  id: string = "";
  hasData: bool = false;
}

export class SseReader {
  private pending: Uint8Array = new Uint8Array(0);
  private cur: SseEvent = new SseEvent();
  private dataParts: Array<string> = [];

  /** Feeds bytes; returns the events completed by them. With `last`, a final unterminated event is flushed. */
  push(chunk: ArrayBuffer, last: bool): Array<SseEvent> {
    const out = new Array<SseEvent>();
    const inp = Uint8Array.wrap(chunk);
    let buf: Uint8Array;
    if (this.pending.length == 0) buf = inp;
    else {
      buf = new Uint8Array(this.pending.length + inp.length);
      buf.set(this.pending, 0);
      buf.set(inp, this.pending.length);
    }
    let start = 0;
    let i = 0;
    const n = buf.length;
    while (i < n) {
      const c = buf[i];
      if (c == 10 || c == 13) {
        if (c == 13 && i + 1 >= n && !last) break; // maybe \r\n split across chunks
        this.line(buf, start, i, out);
        if (c == 13 && i + 1 < n && buf[i + 1] == 10) i++;
        i++;
        start = i;
        continue;
      }
      i++;
    }
    if (start < n) {
      if (last) {
        this.line(buf, start, n, out);
        start = n;
      }
    }
    this.pending = start < n ? buf.slice(start, n) : new Uint8Array(0);
    if (last) this.dispatch(out);
    return out;
  }

  private line(buf: Uint8Array, from: i32, to: i32, out: Array<SseEvent>): void {
    if (from == to) { this.dispatch(out); return; }
    const text = String.UTF8.decode(buf.slice(from, to).buffer);
    if (text.charCodeAt(0) == 58) return; // ":" comment
    const colon = text.indexOf(":");
    let field = text, value = "";
    if (colon >= 0) {
      field = text.substring(0, colon);
      value = text.substring(colon + 1);
      if (value.startsWith(" ")) value = value.substring(1);
    }
    if (field == "data") { this.dataParts.push(value); this.cur.hasData = true; }
    else if (field == "event") this.cur.event = value;
    else if (field == "id") this.cur.id = value;
  }

  private dispatch(out: Array<SseEvent>): void {
    if (this.cur.hasData || this.cur.event.length > 0) {
      this.cur.data = this.dataParts.join("\n");
      out.push(this.cur);
    }
    this.cur = new SseEvent();
    this.dataParts = [];
  }
}

/** Formats one SSE event. */
export function sseData(data: string): string { return "data: " + data + "\n\n"; }
export function sseEvent(event: string, data: string): string { return "event: " + event + "\ndata: " + data + "\n\n"; }
