// Test entry: exposes the JSON parser, writer, scanner and in-place edits to Node.
import { parseJson, parseJsonBytes } from "../json/parse";
import { JsonValue, JsonObject } from "../json/value";
import { JsonWriter } from "../json/writer";
import { setTopLevelString, setTopLevelRaw, ensureStreamUsage, removeTopLevelField, readTopLevelString, readTopLevelRaw, findTopLevelField } from "../json/edit";
import { decodeUtf8 } from "../json/utf8";
import { JsonObjectView } from "../json/object-view";
import { JsonKeyProbe } from "../json/probe";
import { ByteBuffer } from "../json/bytebuf";

export function roundTrip(text: string): string {
  const r = parseJson(text);
  return r.ok ? r.value!.stringify() : "ERR:" + r.error;
}

/** "OK:" + serialised document, or "ERR:" + error. */
export function parseBytes(body: ArrayBuffer): string {
  const r = parseJsonBytes(body);
  if (!r.ok) return "ERR:" + r.error;
  return "OK:" + String.UTF8.decode(r.value!.toBytes());
}

/** The decoded string member `key` of a parsed body (long strings are read back from the body). */
export function stringMember(body: ArrayBuffer, key: string): string {
  const r = parseJsonBytes(body);
  if (!r.ok) return "ERR:" + r.error;
  const o = r.value!.asObject();
  const s: string | null = o === null ? null : o.getString(key);
  return s === null ? "MISSING" : "OK:" + s;
}

export function getPath(text: string, path: string): string {
  const r = parseJson(text);
  if (!r.ok) return "ERR";
  const v = r.value!.getPath(path);
  return v === null ? "MISSING" : v.stringify();
}

export function getInt(text: string, key: string): i64 {
  const r = parseJson(text);
  if (!r.ok) return -999;
  const o = r.value!.asObject();
  return o === null ? -998 : o.getInt(key, -1);
}

export function setModel(body: ArrayBuffer, model: string): ArrayBuffer | null { return setTopLevelString(body, "model", model); }
export function setRaw(body: ArrayBuffer, key: string, raw: string): ArrayBuffer | null { return setTopLevelRaw(body, key, raw); }
export function streamUsage(body: ArrayBuffer): ArrayBuffer | null { return ensureStreamUsage(body); }
export function remove(body: ArrayBuffer, key: string): ArrayBuffer | null { return removeTopLevelField(body, key); }
export function readString(body: ArrayBuffer, key: string): string | null { return readTopLevelString(body, key); }
export function readRaw(body: ArrayBuffer, key: string): string | null { return readTopLevelRaw(body, key); }
export function hasField(body: ArrayBuffer, key: string): bool { return findTopLevelField(body, key) !== null; }
export function lossy(body: ArrayBuffer): string { return decodeUtf8(body); }

/** Builds a chat completion response with the writer. */
export function writeResponse(content: string, tokens: i32): string {
  const w = new JsonWriter();
  w.beginObject();
  w.key("id").string("chatcmpl-1");
  w.key("object").string("chat.completion");
  w.key("choices").beginArray();
  w.beginObject().key("index").integer(0).key("message").beginObject().key("role").string("assistant").key("content").string(content).endObject().key("finish_reason").string("stop").endObject();
  w.endArray();
  w.key("usage").beginObject().key("total_tokens").integer(tokens).key("ratio").number(0.5).key("none").null().key("ok").bool(true).endObject();
  w.endObject();
  return w.toString();
}

/** Builds a tree by hand and edits it (set/delete/setters). */
export function buildTree(): string {
  const o = new JsonObject();
  o.setString("model", "a");
  o.setInt("n", 3);
  o.setBool("stream", true);
  o.setNull("x");
  const arr = JsonValue.newArray();
  arr.push(JsonValue.fromNumber(1.5));
  arr.push(JsonValue.fromString("s"));
  o.set("arr", arr);
  o.delete("x");
  o.setString("model", "b");
  for (let i = 0; i < 20; i++) o.setInt("k" + i.toString(), i);
  o.delete("k3");
  o.setInt("k5", 55);
  return o.stringify();
}

/** A hand-built cycle and mismatched keys/values must not crash the writer or lookups. */
export function abuseTree(): string {
  const o = new JsonObject();
  const v = JsonValue.fromObject(o);
  o.set("self", v);
  o.keys.push("orphan");
  const missing = o.get("orphan");
  const out = v.stringify();
  return (missing === null ? "null-ok " : "BAD ") + out.length.toString() + " " + out.substring(0, 20);
}

/** AssemblyScript's own decoder, to check the claim that it never traps (it returns garbage). */
export function stdDecodeLength(body: ArrayBuffer): i32 { return String.UTF8.decode(body).length; }

// ---- JsonObjectView: reads and edits on one scan ----

/** A JSON summary of what a view reads: validity, `key` as string / bool / first byte, has. */
export function viewRead(body: ArrayBuffer, key: string): string {
  const v = JsonObjectView.of(body);
  if (v === null) return "INVALID";
  const s = v.getString(key);
  const w = new JsonWriter();
  w.beginObject();
  w.key("has").bool(v.has(key));
  w.key("kind").integer(v.kindOf(key));
  w.key("bool").integer(v.getBool(key, false) ? 1 : v.getBool(key, true) ? 2 : 0);
  w.key("string");
  if (s === null) w.null(); else w.string(s);
  const val = v.getValue(key);
  w.key("value");
  if (val === null) w.null(); else w.value(val);
  w.endObject();
  return w.toString();
}

/** Queues `key = raw` for each pair in `edits` (key\nraw\nkey\nraw…), then writes the document. */
export function viewEdit(body: ArrayBuffer, edits: string): ArrayBuffer | null {
  const v = JsonObjectView.of(body);
  if (v === null) return null;
  const parts = edits.length == 0 ? new Array<string>() : edits.split("\n");
  for (let i = 0; i + 1 < parts.length; i += 2) v.setRaw(parts[i], String.UTF8.encode(parts[i + 1]));
  return v.toBytes();
}

/** The relay recipe ai-proxy uses: model replaced, stream_options.include_usage added unless the client set it. */
export function viewRelay(body: ArrayBuffer, model: string): ArrayBuffer | null {
  const v = JsonObjectView.of(body);
  if (v === null) return null;
  const so = v.getObject("stream_options");
  if (so === null) v.setRaw("stream_options", String.UTF8.encode("{\"include_usage\":true}"));
  else if (!so.has("include_usage")) { so.setRaw("include_usage", String.UTF8.encode("true")); v.setRaw("stream_options", so.toBytes()); }
  v.setString("model", model);
  return v.toBytes();
}

/** The `finish_reason` strings of the object elements of `choices`, joined with "|"; "NONE" when it is not an array. */
export function viewFinishes(body: ArrayBuffer): string {
  const v = JsonObjectView.of(body);
  if (v === null) return "INVALID";
  const cs = v.getObjects("choices");
  if (cs === null) return "NONE";
  const out = new Array<string>();
  for (let i = 0; i < cs.length; i++) { const f = cs[i].getString("finish_reason"); out.push(f === null ? "-" : f); }
  return out.join("|");
}

/** The byte readers: stringIs(key, ascii), writeString, appendStringContent, getNumber, firstElementKind. */
export function viewProbe(body: ArrayBuffer, key: string, ascii: string): string {
  const v = JsonObjectView.of(body);
  if (v === null) return "INVALID";
  const w = new JsonWriter();
  w.beginObject();
  w.key("is").bool(v.stringIs(key, ascii));
  const raw = new JsonWriter();
  w.key("raw");
  if (v.writeString(key, raw)) w.string(raw.toString()); else w.null();
  const content = new ByteBuffer();
  w.key("content");
  if (v.appendStringContent(key, content)) w.string(String.UTF8.decodeUnsafe(content.ptr, <usize>content.length)); else w.null();
  w.key("num").number(v.getNumber(key, 12345.5));
  w.key("first").integer(v.firstElementKind(key));
  w.endObject();
  return w.toString();
}

/** The object elements of an array field, walked one at a time (firstObjectIn / nextObjectIn): their raw bytes, as a JSON array of strings. */
export function viewWalk(body: ArrayBuffer, key: string): string {
  const v = JsonObjectView.of(body);
  if (v === null) return "INVALID";
  const w = new JsonWriter();
  w.beginArray();
  let next = v.firstObjectIn(key);
  while (next !== null) {
    const e: JsonObjectView = next;
    w.string(String.UTF8.decode(e.rawBytes()));
    next = v.nextObjectIn(key, e);
  }
  w.endArray();
  return w.toString();
}

const STREAM_PROBE = new JsonKeyProbe(["usage", "error"], ["finish_reason"]);

/** JsonKeyProbe(["usage", "error"], unlessNull ["finish_reason"]).mayHave on the bytes. */
export function probeMayHave(body: ArrayBuffer): bool {
  return STREAM_PROBE.mayHave(changetype<usize>(body), body.byteLength);
}
