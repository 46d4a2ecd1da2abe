// Small JSON builders and readers used by every conversion (they never trap).
import { JsonObject, JsonValue, JsonKind, randomBytes, time } from "@sluice/sdk";
import { JsonWriter, parseJson, parseJsonObjectBytes, decodeUtf8Lossy } from "@sluice/sdk/json";

export function jsonString(s: string): JsonValue { return JsonValue.fromString(s); }
export function jsonNumber(n: f64): JsonValue { return JsonValue.fromNumber(n); }
export function jsonInt(n: i64): JsonValue { return JsonValue.fromNumber(<f64>n); }
export function jsonBool(b: bool): JsonValue { return JsonValue.fromBool(b); }
export function jsonObject(o: JsonObject): JsonValue { return JsonValue.fromObject(o); }
export function jsonArray(a: Array<JsonValue>): JsonValue { return JsonValue.fromArray(a); }
export function jsonNull(): JsonValue { return JsonValue.null(); }

/** Copies `from[key]` to `to[newKey]` when present. */
export function copy(from: JsonObject, key: string, to: JsonObject, newKey: string): void {
  const v = from.get(key);
  if (v !== null && !v.isNull) to.set(newKey, v);
}

export function str(o: JsonObject | null, key: string): string {
  if (o === null) return "";
  const s = o.getString(key);
  return s === null ? "" : s;
}

/** A JSON object from text, or null when the text is not one. */
export function parseObject(text: string): JsonObject | null {
  const r = parseJson(text);
  if (!r.ok) return null;
  return r.value!.asObject();
}

/** A JSON object from a UTF-8 body (long strings stay in `body`, undecoded), or null. */
export function parseObjectBytes(body: ArrayBuffer): JsonObject | null {
  return parseJsonObjectBytes(body).value;
}

/** A JSON object from bytes that may not be valid UTF-8 (a provider's event): strict first, else decoded lossily (U+FFFD), as SSE events are. */
export function parseObjectLenient(bytes: ArrayBuffer): JsonObject | null {
  const o = parseObjectBytes(bytes);
  return o !== null ? o : parseObject(decodeUtf8Lossy(changetype<usize>(bytes), bytes.byteLength));
}

/**
 * A request body as UTF-8, written once into a buffer sized from the incoming body: no regrowth
 * copies, and strings the parser left in the body are copied over byte for byte.
 */
export function bodyBytes(o: JsonObject, sizeHint: i32): ArrayBuffer {
  const w = new JsonWriter(sizeHint + (sizeHint >> 4) + 1024);
  w.value(jsonObject(o));
  return w.takeBytes();
}

/** The UTF-8 size of a value serialised (without making a string of it). */
export function jsonByteLength(v: JsonValue): i32 {
  const w = new JsonWriter();
  w.value(v);
  return w.length;
}

/** `content` as a string value: a string passes as it is (a big one stays undecoded), else its text parts joined. */
export function contentValue(v: JsonValue | null): JsonValue {
  if (v !== null && v.kind == JsonKind.String) return v;
  return jsonString(contentText(v));
}

/** `o[key]` when it is a string (as it is), else "". */
export function strValue(o: JsonObject | null, key: string): JsonValue {
  if (o === null) return jsonString("");
  const v = o.get(key);
  return v !== null && v.kind == JsonKind.String ? v : jsonString("");
}

/** Message `content` as plain text: a string, or the text parts of an array joined. */
export function contentText(v: JsonValue | null): string {
  if (v === null) return "";
  if (v.kind == JsonKind.String) return v.str;
  const a = v.asArray();
  if (a === null) return "";
  let s = "";
  for (let i = 0; i < a.length; i++) {
    const p = a[i].asObject();
    if (p === null) continue;
    const t = p.getString("text");
    if (t !== null) s += t;
  }
  return s;
}

/** Message content as Higress's StringContent reads it: a string, or each `{type:"text"}` part's text followed by "\n". */
export function stringContent(v: JsonValue | null): string {
  if (v === null) return "";
  if (v.kind == JsonKind.String) return v.str;
  const a = v.asArray();
  if (a === null) return "";
  let s = "";
  for (let i = 0; i < a.length; i++) {
    const p = a[i].asObject();
    if (p === null || str(p, "type") != "text") continue;
    const t = p.get("text");
    if (t !== null && t.kind == JsonKind.String) s += t.str + "\n";
  }
  return s;
}

/** The arguments string of a tool call parsed into an object (`{}` when it is not JSON). */
export function parseArgs(s: string): JsonValue {
  const r = parseJson(s);
  if (r.ok && r.value!.isObject) return r.value!;
  return jsonObject(new JsonObject());
}

/** Splits `data:image/png;base64,XXXX` into [mime, data]; null when it is not a base64 data URL. */
export function splitDataUrl(url: string): Array<string> | null {
  if (!url.startsWith("data:")) return null;
  const comma = url.indexOf(",");
  if (comma < 0) return null;
  const meta = url.substring(5, comma);
  if (!meta.endsWith(";base64")) return null;
  return [meta.substring(0, meta.length - 7), url.substring(comma + 1)];
}

/** A pseudo-unique id from the host's random source. */
export function randomId(prefix: string): string {
  const b = new ArrayBuffer(12);
  randomBytes(b);
  const hex = "0123456789abcdef";
  let s = prefix;
  const u = Uint8Array.wrap(b);
  for (let i = 0; i < u.length; i++) s += hex.charAt(u[i] >> 4) + hex.charAt(u[i] & 15);
  return s;
}

export function randomIndex(n: i32): i32 {
  if (n <= 1) return 0;
  const b = new ArrayBuffer(4);
  randomBytes(b);
  return <i32>(load<u32>(changetype<usize>(b)) % <u32>n);
}

export function nowSeconds(): i64 {
  return time.nowSeconds();
}
export function nowMillis(): i64 {
  return time.nowMillis();
}
