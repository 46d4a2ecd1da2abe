// Chat messages of OpenAI chat and Anthropic messages bodies, read and patched on bytes. Every
// occurrence of a top-level field counts: JSON.parse keeps the last of duplicate keys, other
// parsers the first, so a check must read them all and an edit must write them all, or a client
// can show the gateway one `messages` and the provider another.
import { ByteBuffer } from "../json/bytebuf";
import { scanJsonObject, JsonMember } from "../json/scan";
import { parseStringAt, parseJsonUnsafe } from "../json/parse";
import { JsonValue } from "../json/value";
import { JsonSpan } from "../json/edit";

function memberIs(base: usize, m: JsonMember, key: ArrayBuffer, keyText: string): bool {
  const start = base + <usize>m.keyStart + 1;
  const len = m.keyEnd - m.keyStart - 2;
  for (let i = 0; i < len; i++) {
    if (load<u8>(start + <usize>i) == 0x5c) {
      const decoded = parseStringAt(base + <usize>m.keyStart, base + <usize>m.keyEnd);
      return decoded !== null && decoded == keyText;
    }
  }
  return len == key.byteLength && memory.compare(start, changetype<usize>(key), <usize>len) == 0;
}

/**
 * The value spans of every top-level member named `key`, in document order (escaped keys are
 * decoded first). Null when the body is not a valid JSON object; empty when the key is absent.
 */
export function topLevelFields(body: ArrayBuffer, key: string): Array<JsonSpan> | null {
  const base = changetype<usize>(body);
  const scan = scanJsonObject(base, body.byteLength);
  if (!scan.ok) return null;
  const k = String.UTF8.encode(key);
  const out = new Array<JsonSpan>();
  const ms = scan.members;
  for (let i = 0; i < ms.length; i++) {
    const m = unchecked(ms[i]);
    if (memberIs(base, m, k, key)) out.push(new JsonSpan(m.valueStart, m.valueEnd));
  }
  return out;
}

/** Parses one value span of `body` (from topLevelFields) into a tree; null if it does not parse. */
export function parseSpan(body: ArrayBuffer, span: JsonSpan): JsonValue | null {
  return parseJsonUnsafe(changetype<usize>(body) + <usize>span.start, span.length).value;
}

/** Copies `body` with every span in `spans` (document order, not overlapping) replaced by `value`. */
export function replaceSpans(body: ArrayBuffer, spans: Array<JsonSpan>, value: ArrayBuffer): ArrayBuffer {
  const base = changetype<usize>(body);
  const out = new ByteBuffer(body.byteLength + spans.length * value.byteLength + 16);
  let copied = 0;
  for (let i = 0; i < spans.length; i++) {
    const s = unchecked(spans[i]);
    out.pushBytes(base + <usize>copied, s.start - copied);
    out.pushBuffer(value);
    copied = s.end;
  }
  out.pushBytes(base + <usize>copied, body.byteLength - copied);
  return out.take();
}

function isWs(c: u8): bool { return c == 0x20 || c == 0x0a || c == 0x0d || c == 0x09; }

/**
 * Inserts messages into the top-level `messages` array: `before` and `after` are raw JSON array
 * items, comma-separated (either may be empty). The array the last `messages` names (the one
 * JSON.parse keeps) is decorated and written to every occurrence. The original items are copied
 * byte for byte. Null when the body is not a JSON object or has no `messages` array.
 */
export function spliceMessages(body: ArrayBuffer, before: ArrayBuffer, after: ArrayBuffer): ArrayBuffer | null {
  const spans = topLevelFields(body, "messages");
  if (spans === null || spans.length == 0) return null;
  const base = changetype<usize>(body);
  const last = spans[spans.length - 1];
  if (load<u8>(base + <usize>last.start) != 0x5b) return null;
  // Inside the brackets, whitespace trimmed: the original items.
  let a = last.start + 1;
  let b = last.end - 1;
  while (a < b && isWs(load<u8>(base + <usize>a))) a++;
  while (b > a && isWs(load<u8>(base + <usize>(b - 1)))) b--;
  const arr = new ByteBuffer(before.byteLength + (b - a) + after.byteLength + 4);
  arr.pushByte(0x5b);
  let any = false;
  if (before.byteLength > 0) { arr.pushBuffer(before); any = true; }
  if (b > a) {
    if (any) arr.pushByte(0x2c);
    arr.pushBytes(base + <usize>a, b - a);
    any = true;
  }
  if (after.byteLength > 0) {
    if (any) arr.pushByte(0x2c);
    arr.pushBuffer(after);
  }
  arr.pushByte(0x5d);
  return replaceSpans(body, spans, arr.take());
}

/**
 * The text of one message's `content`: the string itself, or the `text` of every text part
 * (OpenAI `{"type":"text","text"}` parts, Anthropic text blocks) joined with "\n". Parts that are
 * not text (images, tool calls) contribute nothing. "" when there is no text.
 */
export function contentText(content: JsonValue | null): string {
  if (content === null) return "";
  if (content.isString) return content.str;
  const parts = content.asArray();
  if (parts === null) return "";
  const texts = new Array<string>();
  for (let i = 0; i < parts.length; i++) {
    const p = unchecked(parts[i]);
    if (p.isString) { texts.push(p.str); continue; }
    const o = p.asObject();
    if (o === null) continue;
    const t = o.get("text");
    if (t !== null && t.isString) texts.push(t.str);
  }
  return texts.join("\n");
}
