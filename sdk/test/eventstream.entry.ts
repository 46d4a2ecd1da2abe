// Test entry: one event-stream reader at a time; messages returned as JSON for Node.
import { EventStreamReader } from "../eventstream/reader";
import { EventStreamMessage, EventStreamHeader, HeaderType } from "../eventstream/message";
import { encodeEventStreamMessage } from "../eventstream/writer";
import { JsonWriter } from "../json/writer";
import { decodeUtf8 } from "../json/utf8";

let reader = new EventStreamReader();

export function reset(maxMessage: i32): void { reader = new EventStreamReader(maxMessage); }

function hex(b: ArrayBuffer): string {
  const digits = "0123456789abcdef";
  const u = Uint8Array.wrap(b);
  let s = "";
  for (let i = 0; i < u.length; i++) s += digits.charAt(u[i] >> 4) + digits.charAt(u[i] & 15);
  return s;
}

function toJson(msgs: Array<EventStreamMessage>): string {
  const w = new JsonWriter();
  w.beginArray();
  for (let i = 0; i < msgs.length; i++) {
    const m = msgs[i];
    w.beginObject().key("headers").beginArray();
    for (let j = 0; j < m.headers.length; j++) {
      const h = m.headers[j];
      w.beginObject().key("name").string(h.name).key("type").integer(h.type).key("value");
      if (h.type == HeaderType.String) w.string(h.asString()!);
      else if (h.type == HeaderType.ByteArray || h.type == HeaderType.Uuid) w.string(hex(h.bytes));
      else if (h.type == HeaderType.BoolTrue || h.type == HeaderType.BoolFalse) w.bool(h.intValue != 0);
      else w.string(h.intValue.toString());
      w.endObject();
    }
    w.endArray().key("payload").string(decodeUtf8(m.payload));
    const et = m.eventType;
    w.key("eventType").string(et === null ? "" : et);
    w.endObject();
  }
  w.endArray();
  return w.toString();
}

export function push(chunk: ArrayBuffer): string { return toJson(reader.push(chunk)); }
export function finish(): bool { return reader.finish(); }
export function error(): string { return reader.error; }
export function buffered(): i32 { return reader.buffered; }

/** A message with one header of every type, written by our writer. */
export function writeAllTypes(payload: string): ArrayBuffer | null {
  const hs = new Array<EventStreamHeader>();
  hs.push(EventStreamHeader.bool("t", true));
  hs.push(EventStreamHeader.bool("f", false));
  hs.push(EventStreamHeader.integer("byte", HeaderType.Byte, -5));
  hs.push(EventStreamHeader.integer("short", HeaderType.Short, -300));
  hs.push(EventStreamHeader.integer("int", HeaderType.Integer, -70000));
  hs.push(EventStreamHeader.integer("long", HeaderType.Long, -5000000000));
  hs.push(EventStreamHeader.byteArray("bytes", HeaderType.ByteArray, String.UTF8.encode("\x01\x02")));
  hs.push(EventStreamHeader.string(":event-type", "chunk"));
  hs.push(EventStreamHeader.integer("ts", HeaderType.Timestamp, 1700000000123));
  const uuid = new ArrayBuffer(16);
  for (let i = 0; i < 16; i++) store<u8>(changetype<usize>(uuid) + i, <u8>i);
  hs.push(EventStreamHeader.byteArray("uuid", HeaderType.Uuid, uuid));
  return encodeEventStreamMessage(hs, String.UTF8.encode(payload));
}
