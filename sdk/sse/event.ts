// One server-sent event, as the reader yields it and the writer prints it.

export class SseEvent {
  /** The `event:` field; "" when absent (EventSource then calls it "message"). */
  event: string = "";
  /** All `data:` lines of the event joined with "\n". */
  data: string = "";
  /** The last event id seen on the stream (it persists across events, as the spec says). */
  id: string = "";
  /** The data as UTF-8 bytes instead of `data`, from a reader with `keepBytes` (data is then ""). */
  raw: ArrayBuffer | null = null;
  /** The `retry:` value in milliseconds given in this event, or -1. */
  retry: i32 = -1;

  static of(event: string, data: string): SseEvent {
    const e = new SseEvent();
    e.event = event;
    e.data = data;
    return e;
  }
}
