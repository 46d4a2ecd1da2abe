// Higress's `ai_log`: user attributes merged into one JSON object kept in the filter-state
// property `ai_log` (Envoy key `wasm.ai_log`, printed by `%FILTER_STATE(wasm.ai_log:PLAIN)%`).
// Like wasm-go's WriteUserAttributeToLogWithKey, the stored text is the JSON escaped once (the
// inside of a JSON string literal), so Higress's access-log format `"ai_log":"%FILTER_STATE(…)%"`
// stays valid JSON; what other plugins wrote there before is kept and overwritten key by key.
//
// Written from onStreamDone (proxy_on_log) it still reaches Envoy's access log: Envoy 1.39 runs the
// filters' log handlers before the access loggers (plugins/ai-token-ratelimit's cut-stream test).
import { JsonObject, JsonValue } from "../json/value";
import { parseJson, parseJsonBytes } from "../json/parse";
import { JsonWriter } from "../json/writer";
import * as host from "../runtime/hostcalls";
import { Status } from "../abi/types";

export const AI_LOG_KEY = "ai_log";

/** The inside of a JSON string literal for `s` (quotes dropped). */
export function escapeOnce(s: string): string {
  const w = new JsonWriter();
  w.string(s);
  const q = w.toString();
  return q.substring(1, q.length - 1);
}

/**
 * The inside of a JSON string literal for UTF-8 JSON text (JsonWriter's output): `"` and `\`
 * escaped. JSON text holds no raw control characters, so that is all escapeOnce() would do to it.
 */
export function escapeJsonText(ptr: usize, len: i32): ArrayBuffer {
  let extra = 0;
  for (let i = 0; i < len; i++) { const c = load<u8>(ptr + <usize>i); if (c == 0x22 || c == 0x5c) extra++; }
  const out = new ArrayBuffer(len + extra);
  let o = changetype<usize>(out);
  for (let i = 0; i < len; i++) {
    const c = load<u8>(ptr + <usize>i);
    if (c == 0x22 || c == 0x5c) store<u8>(o++, 0x5c);
    store<u8>(o++, c);
  }
  return out;
}

/** Reads a log property as an object: escaped-once text (Higress) or plain JSON; null if neither. */
export function readLogObject(key: string = AI_LOG_KEY): JsonObject | null {
  const b = host.getPropertyBytes([key]);
  if (b === null || b.byteLength == 0) return null;
  let r = parseJsonBytes(b);
  if (r.ok) return r.value!.asObject();
  // Escaped once by writeToLog (escapeJsonText): its only escapes are \" and \\, so dropping each
  // escaping backslash gives the JSON text back as bytes, with no string in between.
  const plain = unescapeQuotes(b);
  if (plain !== null) {
    r = parseJsonBytes(plain);
    if (r.ok) return r.value!.asObject();
  }
  // Escaped once otherwise (Higress's \u escapes, …): the inside of a string literal.
  const n = b.byteLength;
  const quoted = new ArrayBuffer(n + 2);
  const q = changetype<usize>(quoted);
  store<u8>(q, 0x22);
  memory.copy(q + 1, changetype<usize>(b), <usize>n);
  store<u8>(q + <usize>n + 1, 0x22);
  const unq = parseJsonBytes(quoted);
  const inner = unq.ok ? unq.value!.asString() : null;
  // Not UTF-8, or not a literal's inside: read as text, bad bytes replaced.
  if (inner === null) return readLogText(String.UTF8.decode(b));
  r = parseJson(inner);
  return r.ok ? r.value!.asObject() : null;
}

/**
 * escapeJsonText undone: the text with each `\"` and `\\` made `"` and `\`; null when the text has
 * any other escape, a bare `"` or a control character (not a literal's inside, or not ours).
 */
function unescapeQuotes(b: ArrayBuffer): ArrayBuffer | null {
  const n = b.byteLength;
  const p = changetype<usize>(b);
  const out = new ArrayBuffer(n);
  const o = changetype<usize>(out);
  let k = 0;
  for (let i = 0; i < n; i++) {
    let c = load<u8>(p + <usize>i);
    if (c == 0x5c) {
      if (i + 1 >= n) return null;
      c = load<u8>(p + <usize>(++i));
      if (c != 0x22 && c != 0x5c) return null;
    } else if (c == 0x22 || c < 0x20) return null;
    store<u8>(o + <usize>k, c);
    k++;
  }
  return out.slice(0, k);
}

function readLogText(text: string): JsonObject | null {
  let r = parseJson(text);
  if (r.ok) return r.value!.asObject();
  const unq = parseJson("\"" + text + "\"");
  if (!unq.ok) return null;
  const inner = unq.value!.asString();
  if (inner === null) return null;
  r = parseJson(inner);
  return r.ok ? r.value!.asObject() : null;
}

/** Per-request attributes (Higress's SetUserAttribute / WriteUserAttributeToLogWithKey). */
export class UserAttributes {
  values: JsonObject = new JsonObject();

  set(key: string, v: JsonValue): void { this.values.set(key, v); }
  setString(key: string, s: string): void { this.values.setString(key, s); }
  setInt(key: string, n: i64): void { this.values.setInt(key, n); }
  setBool(key: string, b: bool): void { this.values.setBool(key, b); }
  get(key: string): JsonValue | null { return this.values.get(key); }
  has(key: string): bool { return this.values.has(key); }

  /** Merges into what the property holds (ours win) and writes it back escaped once. */
  writeToLog(key: string = AI_LOG_KEY): Status {
    let merged = readLogObject(key);
    if (merged === null) merged = new JsonObject();
    for (let i = 0; i < this.values.size; i++) merged.set(this.values.keys[i], this.values.values[i]);
    // JSON bytes, escaped once as bytes: no string of the whole text.
    const w = new JsonWriter(512);
    w.value(JsonValue.fromObject(merged));
    return host.setPropertyBytes([key], escapeJsonText(w.buf.ptr, w.buf.length));
  }
}
