// Test entry: exposes the RESP codec to Node (sdk/test/resp*.test.ts).
import { decodeAt, encodeValue, encodeCommand, RespReader, DecodeStatus, RespValue } from "../redis/resp";
import { parseJson } from "../json/parse";

function describeAll(values: Array<RespValue>): string {
  let out = "[";
  for (let i = 0; i < values.length; i++) { if (i > 0) out += ","; out += values[i].toJson(); }
  return out + "]";
}

function statusText(s: DecodeStatus): string {
  return s == DecodeStatus.Incomplete ? "INCOMPLETE" : "MALFORMED";
}

/** Decodes every value in `buf`: "OK:[…]" or "INCOMPLETE:…"/"MALFORMED:…". */
export function decodeAll(buf: ArrayBuffer): string {
  const bytes = Uint8Array.wrap(buf);
  const values = new Array<RespValue>();
  let pos = 0;
  while (pos < bytes.length) {
    const r = decodeAt(bytes, pos);
    if (!r.ok) return statusText(r.status) + ":" + r.error;
    values.push(r.value!);
    pos += r.consumed;
  }
  return "OK:" + describeAll(values);
}

/** Decodes every value and encodes them again (empty on any error). */
export function reencodeAll(buf: ArrayBuffer): ArrayBuffer {
  const bytes = Uint8Array.wrap(buf);
  const parts = new Array<ArrayBuffer>();
  let total = 0;
  let pos = 0;
  while (pos < bytes.length) {
    const r = decodeAt(bytes, pos);
    if (!r.ok) return new ArrayBuffer(0);
    const e = encodeValue(r.value!);
    parts.push(e);
    total += e.byteLength;
    pos += r.consumed;
  }
  const out = new Uint8Array(total);
  let off = 0;
  for (let i = 0; i < parts.length; i++) { out.set(Uint8Array.wrap(parts[i]), off); off += parts[i].byteLength; }
  return out.buffer;
}

/** Takes complete values out of `reader`; "" when it needs more bytes, else the error. */
function drain(reader: RespReader, values: Array<RespValue>): string {
  let r = reader.next();
  while (r.ok) {
    values.push(r.value!);
    r = reader.next();
  }
  return r.status == DecodeStatus.Malformed ? r.error : "";
}

/** Feeds `buf` to a RespReader in two pieces split at `at`, draining values after each feed.
 *  A Malformed result before all bytes are in is reported as an error. */
export function splitDecode(buf: ArrayBuffer, at: i32): string {
  const reader = new RespReader();
  const values = new Array<RespValue>();
  const cut = at < 0 ? 0 : (at > buf.byteLength ? buf.byteLength : at);
  reader.feed(buf.slice(0, cut));
  const early = drain(reader, values);
  if (early.length > 0) return "MALFORMED-EARLY:" + early;
  reader.feed(buf.slice(cut));
  const late = drain(reader, values);
  if (late.length > 0) return "MALFORMED:" + late;
  if (reader.pending > 0) return "INCOMPLETE:" + reader.pending.toString() + " bytes left";
  return "OK:" + describeAll(values);
}

/** encodeCommand of a JSON array of strings. */
export function encodeCommandJson(json: string): ArrayBuffer {
  const r = parseJson(json);
  const list = r.ok ? r.value!.asArray() : null;
  const args = new Array<ArrayBuffer>();
  if (list !== null) {
    for (let i = 0; i < list.length; i++) {
      const s = list[i].asString();
      args.push(String.UTF8.encode(s === null ? "" : s));
    }
  }
  return encodeCommand(args);
}
