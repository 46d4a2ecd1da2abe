// The SSE side of streaming conversion: sdk/sse's reader (chunks split at any byte) behind the
// one call the filter makes, plus the two writers the converters use.
import { SseReader as SdkSseReader } from "@sluice/sdk/sse/reader";
import { SseEvent } from "@sluice/sdk/sse/event";
export { SseEvent };

export class SseReader {
  private r: SdkSseReader = new SdkSseReader();

  /** Feeds bytes; returns the events completed by them. With `last`, a final unterminated event is flushed. */
  push(chunk: ArrayBuffer, last: bool): Array<SseEvent> {
    const out = this.r.push(chunk);
    if (!last) return out;
    const rest = this.r.finish();
    for (let i = 0; i < rest.length; i++) out.push(rest[i]);
    return out;
  }

  get error(): string { return this.r.error; }
}

/** Formats one SSE event. */
export function sseData(data: string): string { return "data: " + data + "\n\n"; }
export function sseEvent(event: string, data: string): string { return "event: " + event + "\ndata: " + data + "\n\n"; }
