// A streamed answer cut into whole SSE events (however the bytes were chunked), each with the text
// the moderation service is shown, plus what an Anthropic stream has already said (so a deny can
// end it with events that fit what came before).
import { ByteBuffer, parseJsonBytes } from "@sluice/sdk/json";
import { gjsonGet as getPath, gjsonString as resultString } from "@sluice/sdk/ai";

export class QueuedEvent {
  constructor(public bytes: ArrayBuffer, public text: string) {}
}

/** Splits bytes into events at a blank line (LF LF or CRLF CRLF), keeping each event's bytes as they came. */
export class SseSplitter {
  carry: ByteBuffer = new ByteBuffer(256);
  private scanned: i32 = 0;

  push(chunk: ArrayBuffer, out: Array<ArrayBuffer>): void {
    this.carry.pushBuffer(chunk);
    const p = this.carry.ptr;
    let start = 0;
    let i = this.scanned > 0 ? this.scanned - 1 : 0;
    const n = this.carry.length;
    while (i < n) {
      if (load<u8>(p + i) == 10) {
        let end = -1;
        if (i + 1 < n && load<u8>(p + i + 1) == 10) end = i + 2;
        else if (i + 2 < n && load<u8>(p + i + 1) == 13 && load<u8>(p + i + 2) == 10) end = i + 3;
        if (end > 0) { out.push(this.carry.slice(start, end)); start = end; i = end; continue; }
      }
      i++;
    }
    if (start > 0) this.carry.discard(start);
    this.scanned = this.carry.length;
  }

  /** What is left at the end of the stream (an event without its blank line), or null. */
  flush(): ArrayBuffer | null {
    if (this.carry.length == 0) return null;
    const b = this.carry.toArrayBuffer();
    this.carry.clear();
    this.scanned = 0;
    return b;
  }
}

/** Tracks the Anthropic events already let through: was the message started, which block is open. */
export class AnthropicState {
  started: bool = false;
  openBlock: i32 = -1;
  nextIndex: i32 = 0;
  stopped: bool = false;

  see(event: ArrayBuffer): void {
    const text = String.UTF8.decode(event);
    const lines = text.replaceAll("\r\n", "\n").split("\n");
    for (let i = 0; i < lines.length; i++) {
      const l = lines[i];
      if (!l.startsWith("data:")) continue;
      const r = parseJsonBytes(String.UTF8.encode(l.substring(5).trim()));
      if (!r.ok) continue;
      const v = r.value!;
      const type = resultString(getPath(v, "type"));
      if (type == "message_start") this.started = true;
      else if (type == "message_stop") this.stopped = true;
      else if (type == "content_block_start") {
        const idx = getPath(v, "index");
        this.openBlock = idx === null ? this.nextIndex : <i32>idx.asInt(this.nextIndex);
        this.nextIndex = this.openBlock + 1;
      } else if (type == "content_block_stop") this.openBlock = -1;
    }
  }
}
