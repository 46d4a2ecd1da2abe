// AWS event-stream messages (application/vnd.amazon.eventstream, used by Bedrock streaming):
// typed headers plus a binary payload.
import { decodeUtf8 } from "../json/utf8";

/** Header value types, as numbered on the wire. */
export enum HeaderType {
  BoolTrue = 0, BoolFalse = 1, Byte = 2, Short = 3, Integer = 4, Long = 5,
  ByteArray = 6, String = 7, Timestamp = 8, Uuid = 9,
}

export class EventStreamHeader {
  /** Integer-like values: bools (0/1), byte, short, integer, long, timestamp (ms since epoch). */
  intValue: i64 = 0;
  /** Byte-like values: byte arrays, strings (UTF-8), UUIDs (16 bytes). */
  bytes: ArrayBuffer = new ArrayBuffer(0);

  constructor(public name: string, public type: HeaderType) {}

  static bool(name: string, v: bool): EventStreamHeader {
    const h = new EventStreamHeader(name, v ? HeaderType.BoolTrue : HeaderType.BoolFalse);
    h.intValue = v ? 1 : 0;
    return h;
  }
  static integer(name: string, type: HeaderType, v: i64): EventStreamHeader {
    const h = new EventStreamHeader(name, type);
    h.intValue = v;
    return h;
  }
  static string(name: string, v: string): EventStreamHeader {
    const h = new EventStreamHeader(name, HeaderType.String);
    h.bytes = String.UTF8.encode(v);
    return h;
  }
  static byteArray(name: string, type: HeaderType, v: ArrayBuffer): EventStreamHeader {
    const h = new EventStreamHeader(name, type);
    h.bytes = v;
    return h;
  }

  get isString(): bool { return this.type == HeaderType.String; }
  /** The string value; null for other types. */
  asString(): string | null { return this.type == HeaderType.String ? decodeUtf8(this.bytes) : null; }
}

export class EventStreamMessage {
  headers: Array<EventStreamHeader> = new Array<EventStreamHeader>();
  payload: ArrayBuffer = new ArrayBuffer(0);

  header(name: string): EventStreamHeader | null {
    for (let i = 0; i < this.headers.length; i++) if (this.headers[i].name == name) return this.headers[i];
    return null;
  }
  headerString(name: string): string | null {
    const h = this.header(name);
    return h === null ? null : h.asString();
  }
  /** `:message-type` — "event", "exception" or "error". */
  get messageType(): string | null { return this.headerString(":message-type"); }
  /** `:event-type` — e.g. "chunk" for Bedrock InvokeModelWithResponseStream. */
  get eventType(): string | null { return this.headerString(":event-type"); }
  /** `:exception-type` on exception messages (e.g. "throttlingException"). */
  get exceptionType(): string | null { return this.headerString(":exception-type"); }
}
