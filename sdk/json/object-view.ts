// A JSON object read and patched on its UTF-8 bytes: one validating scan (json/scan.ts, the
// parser's grammar) finds every top-level member; fields are read from their spans and edits are
// queued and written out in one pass, copying untouched bytes as they are. No tree is built, no
// text is decoded but the fields asked for: the gateway's common request rewrites (read `model`
// and `stream`, swap `model`, force `stream_options.include_usage`) cost one scan and one copy.
//
// Duplicate keys: a read sees the last occurrence (what JSON.parse and the SDK's parser keep); an
// edit replaces every occurrence, so no upstream parser can see a value the gateway did not approve.
import { ByteBuffer } from "./bytebuf";
import { JsonObjectScan, JsonMember, scanJsonObject, scanJsonObjectAt, scanJsonArrayAt } from "./scan";
import { parseStringAt, parseJsonUnsafe } from "./parse";
import { quoteJsonString, JsonValue } from "./value";
import { keyMatches } from "./edit";

class Edit {
  constructor(public key: string, public keyUtf8: ArrayBuffer, public raw: ArrayBuffer) {}
}

export class JsonObjectView {
  private edits: Array<Edit> | null = null;

  private constructor(
    /** The buffer the spans point into (kept alive by the view). */
    readonly body: ArrayBuffer,
    readonly scan: JsonObjectScan,
    /** A view of the whole document (whitespace around the object is kept), not of a nested object. */
    readonly whole: bool = false,
  ) {}

  /** A view of a whole document that must be one JSON object; null when it is not (or is malformed). */
  static of(body: ArrayBuffer): JsonObjectView | null {
    const scan = scanJsonObject(changetype<usize>(body), body.byteLength);
    return scan.ok ? new JsonObjectView(body, scan, true) : null;
  }

  private get base(): usize { return changetype<usize>(this.body); }

  /** The last member named `key`, or null. */
  member(key: string): JsonMember | null {
    const ms = this.scan.members;
    const k = String.UTF8.encode(key);
    const base = this.base;
    for (let i = ms.length - 1; i >= 0; i--) {
      const m = unchecked(ms[i]);
      if (keyMatches(base, m, key, k)) return m;
    }
    return null;
  }

  has(key: string): bool { return this.member(key) !== null; }

  /** First byte of the value (`"`, `{`, `[`, `t`, `f`, `n`, a digit or `-`), or 0 when absent. */
  kindOf(key: string): u8 {
    const m = this.member(key);
    return m === null ? 0 : load<u8>(this.base + <usize>m.valueStart);
  }

  /** A string field, decoded; null when absent or not a string. */
  getString(key: string): string | null {
    const m = this.member(key);
    if (m === null || load<u8>(this.base + <usize>m.valueStart) != 0x22) return null;
    return parseStringAt(this.base + <usize>m.valueStart, this.base + <usize>m.valueEnd);
  }

  /** A boolean field; `def` when absent or not a boolean (as JsonObject.getBool). */
  getBool(key: string, def: bool): bool {
    const m = this.member(key);
    if (m === null) return def;
    const c = load<u8>(this.base + <usize>m.valueStart);
    return c == 0x74 ? true : c == 0x66 ? false : def;
  }

  /** A member's value parsed into a tree (for the small parts a caller needs whole); null when absent. */
  getValue(key: string): JsonValue | null {
    const m = this.member(key);
    if (m === null) return null;
    return parseJsonUnsafe(this.base + <usize>m.valueStart, m.valueEnd - m.valueStart).value;
  }

  /** A view of an object-valued field (same buffer); null when absent or not an object. */
  getObject(key: string): JsonObjectView | null {
    const m = this.member(key);
    if (m === null || load<u8>(this.base + <usize>m.valueStart) != 0x7b) return null;
    const scan = scanJsonObjectAt(this.base, m.valueStart, m.valueEnd);
    return scan.ok ? new JsonObjectView(this.body, scan) : null;
  }

  /** Views of the object elements of an array-valued field (other elements skipped); null when absent or not an array. */
  getObjects(key: string): Array<JsonObjectView> | null {
    const m = this.member(key);
    if (m === null) return null;
    const spans = scanJsonArrayAt(this.base, m.valueStart, m.valueEnd);
    if (spans === null) return null;
    const out = new Array<JsonObjectView>();
    for (let i = 0; i + 1 < spans.length; i += 2) {
      const a = unchecked(spans[i]);
      if (load<u8>(this.base + <usize>a) != 0x7b) continue;
      const scan = scanJsonObjectAt(this.base, a, unchecked(spans[i + 1]));
      if (scan.ok) out.push(new JsonObjectView(this.body, scan));
    }
    return out;
  }

  /** The raw bytes of this object (from `{` to `}`). */
  rawBytes(): ArrayBuffer {
    const s = this.scan;
    return this.body.slice(s.open, s.close + 1);
  }

  /** Queues `key = rawJson` (serialised JSON the caller vouches for): every occurrence, or appended. */
  setRaw(key: string, rawJson: ArrayBuffer): void {
    let es = this.edits;
    if (es === null) { es = new Array<Edit>(); this.edits = es; }
    es.push(new Edit(key, String.UTF8.encode(key), rawJson));
  }

  setString(key: string, value: string): void { this.setRaw(key, String.UTF8.encode(quoteJsonString(value))); }

  get edited(): bool { return this.edits !== null; }

  /**
   * This object with the queued edits applied (for a whole-document view: the document, the
   * whitespace around it kept; the input buffer itself when nothing was queued). Members keep
   * their order; added ones go last.
   */
  toBytes(): ArrayBuffer {
    const es = this.edits;
    const s = this.scan;
    if (es === null && this.whole) return this.body;
    const base = this.base;
    const from = this.whole ? 0 : s.open;
    const to = this.whole ? this.body.byteLength : s.close + 1;
    let extra = 0;
    if (es !== null) for (let i = 0; i < es.length; i++) extra += es[i].raw.byteLength + es[i].keyUtf8.byteLength + 4;
    const out = new ByteBuffer(to - from + extra);
    let copied = from;
    const ms = s.members;
    let done: StaticArray<bool> | null = es === null ? null : new StaticArray<bool>(es.length);
    if (es !== null) {
      for (let i = 0; i < ms.length; i++) {
        const m = unchecked(ms[i]);
        for (let j = es.length - 1; j >= 0; j--) {
          const e = unchecked(es[j]);
          if (!keyMatches(base, m, e.key, e.keyUtf8)) continue;
          // the last queued edit of a key wins; earlier ones for the same key are dropped
          out.pushBytes(base + <usize>copied, m.valueStart - copied);
          out.pushBuffer(e.raw);
          copied = m.valueEnd;
          for (let k = 0; k < es.length; k++) if (unchecked(es[k]).key == e.key) done![k] = true;
          break;
        }
      }
      const at = ms.length > 0 ? unchecked(ms[ms.length - 1]).valueEnd : s.open + 1;
      out.pushBytes(base + <usize>copied, at - copied);
      copied = at;
      let any = ms.length > 0;
      for (let j = 0; j < es.length; j++) {
        if (done![j]) continue;
        const e = unchecked(es[j]);
        let later = false; // a later edit of the same key is the one to append
        for (let k = j + 1; k < es.length; k++) if (unchecked(es[k]).key == e.key) { later = true; break; }
        if (later) continue;
        if (any) out.pushByte(0x2c);
        any = true;
        out.pushUtf8(quoteJsonString(e.key));
        out.pushByte(0x3a);
        out.pushBuffer(e.raw);
      }
    }
    out.pushBytes(base + <usize>copied, to - copied);
    return out.take();
  }
}
