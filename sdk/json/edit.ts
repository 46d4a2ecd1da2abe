// In-place edits of a JSON object body, on raw UTF-8 bytes, without building a tree: the common
// gateway rewrites (swap `model`, force `stream_options.include_usage`, drop a field) copy the
// untouched bytes as they are. Every function validates the whole document first (same grammar
// as the parser) and returns null on malformed input or when the top level is not an object.
//
// Duplicate keys: JSON.parse keeps the last one, other parsers the first. An edit applies to
// every occurrence, so no upstream parser can see a value the gateway did not approve.
import { ByteBuffer } from "./bytebuf";
import { JsonObjectScan, scanJsonObject, scanJsonObjectAt, isValidJson } from "./scan";
import { parseStringAt } from "./parse";
import { quoteJsonBytes } from "./value";

/** A top-level field's value as found in the body: its byte span and first byte. */
export class JsonSpan {
  constructor(public start: i32, public end: i32) {}
  get length(): i32 { return this.end - this.start; }
}

/** True when the key spanning [keyStart, keyEnd) (quotes included) equals `key` (keys with escapes are decoded before comparing). */
export function keyMatchesAt(base: usize, keyStart: i32, keyEnd: i32, key: string, keyUtf8: ArrayBuffer): bool {
  const start = base + <usize>keyStart + 1;
  const len = keyEnd - keyStart - 2;
  let escaped = false;
  for (let i = 0; i < len; i++) if (load<u8>(start + <usize>i) == 0x5c) { escaped = true; break; }
  if (!escaped) return len == keyUtf8.byteLength && memory.compare(start, changetype<usize>(keyUtf8), <usize>len) == 0;
  const decoded = parseStringAt(base + <usize>keyStart, base + <usize>keyEnd);
  return decoded !== null && decoded == key;
}

/** Index of the last member named `key` (the one JSON.parse keeps), or -1. */
function lastMatch(base: usize, scan: JsonObjectScan, key: string, keyUtf8: ArrayBuffer): i32 {
  for (let i = scan.count - 1; i >= 0; i--) if (keyMatchesAt(base, scan.keyStart(i), scan.keyEnd(i), key, keyUtf8)) return i;
  return -1;
}

/** Finds a top-level field's value span; null when malformed, not an object, or absent. */
export function findTopLevelField(body: ArrayBuffer, key: string): JsonSpan | null {
  const base = changetype<usize>(body);
  const scan = scanJsonObject(base, body.byteLength);
  if (!scan.ok) return null;
  const i = lastMatch(base, scan, key, String.UTF8.encode(key));
  if (i < 0) return null;
  return new JsonSpan(scan.valueStart(i), scan.valueEnd(i));
}

/** A top-level string field, decoded; null when malformed, absent or not a string. */
export function readTopLevelString(body: ArrayBuffer, key: string): string | null {
  const span = findTopLevelField(body, key);
  if (span === null) return null;
  const base = changetype<usize>(body);
  if (load<u8>(base + <usize>span.start) != 0x22) return null;
  return parseStringAt(base + <usize>span.start, base + <usize>span.end);
}

/** A top-level field's raw JSON text (e.g. `true`, `{"a":1}`); null when malformed or absent. */
export function readTopLevelRaw(body: ArrayBuffer, key: string): string | null {
  const span = findTopLevelField(body, key);
  if (span === null) return null;
  return String.UTF8.decodeUnsafe(changetype<usize>(body) + <usize>span.start, <usize>span.length);
}

/**
 * Sets a top-level field to `rawJson` (already serialised JSON, which must be valid): every
 * occurrence is replaced, or the field is appended when absent. Null on malformed input.
 */
export function setTopLevelRaw(body: ArrayBuffer, key: string, rawJson: string): ArrayBuffer | null {
  const raw = String.UTF8.encode(rawJson);
  if (!isValidJson(changetype<usize>(raw), raw.byteLength)) return null;
  return setTopLevelBytes(body, key, raw);
}

/** setTopLevelRaw with the value already UTF-8 bytes of valid JSON (the caller vouches for it). */
function setTopLevelBytes(body: ArrayBuffer, key: string, raw: ArrayBuffer): ArrayBuffer | null {
  const base = changetype<usize>(body);
  const scan = scanJsonObject(base, body.byteLength);
  if (!scan.ok) return null;
  const out = new ByteBuffer(body.byteLength + raw.byteLength + key.length + 8);
  emitWithField(out, base, 0, body.byteLength, scan, key, raw);
  return out.take(); // handed over, not copied: a big body should not exist three times
}

/** Sets a top-level field to a string value (the `model` swap). Null on malformed input. */
export function setTopLevelString(body: ArrayBuffer, key: string, value: string): ArrayBuffer | null {
  // Quoted straight into UTF-8 by the JSON writer: valid JSON, no UTF-16 round trip.
  return setTopLevelBytes(body, key, quoteJsonBytes(value));
}

/** Removes every occurrence of a top-level field. Null on malformed input; a copy when absent. */
export function removeTopLevelField(body: ArrayBuffer, key: string): ArrayBuffer | null {
  const base = changetype<usize>(body);
  const scan = scanJsonObject(base, body.byteLength);
  if (!scan.ok) return null;
  const keyUtf8 = String.UTF8.encode(key);
  const out = new ByteBuffer(body.byteLength);
  out.pushBytes(base, scan.open + 1);
  let first = true;
  for (let i = 0; i < scan.count; i++) {
    const ks = scan.keyStart(i);
    if (keyMatchesAt(base, ks, scan.keyEnd(i), key, keyUtf8)) continue;
    if (!first) out.pushByte(0x2c);
    first = false;
    out.pushBytes(base + <usize>ks, scan.valueEnd(i) - ks);
  }
  out.pushBytes(base + <usize>scan.close, body.byteLength - scan.close);
  return out.take(); // handed over, not copied: a big body should not exist three times
}

/**
 * Sets `body[key][innerKey] = rawJson`, keeping the other members of `body[key]`; when
 * `body[key]` is absent or not an object it becomes `{innerKey: rawJson}`.
 * `setNestedRaw(body, "stream_options", "include_usage", "true")` is the usage-reporting fix.
 */
export function setNestedRaw(body: ArrayBuffer, key: string, innerKey: string, rawJson: string): ArrayBuffer | null {
  const raw = String.UTF8.encode(rawJson);
  if (!isValidJson(changetype<usize>(raw), raw.byteLength)) return null;
  const base = changetype<usize>(body);
  const len = body.byteLength;
  const scan = scanJsonObject(base, len);
  if (!scan.ok) return null;
  const keyUtf8 = String.UTF8.encode(key);
  const out = new ByteBuffer(len + raw.byteLength + key.length + innerKey.length + 16);
  let copied = 0;
  let found = false;
  const n = scan.count;
  for (let i = 0; i < n; i++) {
    if (!keyMatchesAt(base, scan.keyStart(i), scan.keyEnd(i), key, keyUtf8)) continue;
    found = true;
    const vs = scan.valueStart(i), ve = scan.valueEnd(i);
    out.pushBytes(base + <usize>copied, vs - copied);
    if (load<u8>(base + <usize>vs) == 0x7b) {
      const inner = scanJsonObjectAt(base, vs, ve);
      if (!inner.ok) return null;
      emitWithField(out, base, vs, ve, inner, innerKey, raw);
    } else {
      emitSingleMember(out, innerKey, raw);
    }
    copied = ve;
  }
  if (!found) {
    const at = insertionPoint(scan);
    out.pushBytes(base, at);
    if (n > 0) out.pushByte(0x2c);
    out.pushBuffer(quoteJsonBytes(key));
    out.pushByte(0x3a);
    emitSingleMember(out, innerKey, raw);
    copied = at;
  }
  out.pushBytes(base + <usize>copied, len - copied);
  return out.take(); // handed over, not copied: a big body should not exist three times
}

/** Forces `stream_options.include_usage = true` so streamed responses report token usage. */
export function ensureStreamUsage(body: ArrayBuffer): ArrayBuffer | null {
  return setNestedRaw(body, "stream_options", "include_usage", "true");
}

function emitSingleMember(out: ByteBuffer, key: string, raw: ArrayBuffer): void {
  out.pushByte(0x7b);
  out.pushBuffer(quoteJsonBytes(key));
  out.pushByte(0x3a);
  out.pushBuffer(raw);
  out.pushByte(0x7d);
}

// Where a new member goes: after the last member's value, or just after `{`.
function insertionPoint(scan: JsonObjectScan): i32 {
  const n = scan.count;
  return n > 0 ? scan.valueEnd(n - 1) : scan.open + 1;
}

/** Copies [from, to) of the buffer, with every `key` member's value replaced (or `key` added). */
function emitWithField(out: ByteBuffer, base: usize, from: i32, to: i32, scan: JsonObjectScan, key: string, raw: ArrayBuffer): void {
  const keyUtf8 = String.UTF8.encode(key);
  let copied = from;
  let found = false;
  const n = scan.count;
  for (let i = 0; i < n; i++) {
    if (!keyMatchesAt(base, scan.keyStart(i), scan.keyEnd(i), key, keyUtf8)) continue;
    found = true;
    out.pushBytes(base + <usize>copied, scan.valueStart(i) - copied);
    out.pushBuffer(raw);
    copied = scan.valueEnd(i);
  }
  if (!found) {
    const at = insertionPoint(scan);
    out.pushBytes(base + <usize>copied, at - copied);
    if (n > 0) out.pushByte(0x2c);
    out.pushBuffer(quoteJsonBytes(key));
    out.pushByte(0x3a);
    out.pushBuffer(raw);
    copied = at;
  }
  out.pushBytes(base + <usize>copied, to - copied);
}
