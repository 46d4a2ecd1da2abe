// A JSON object read and patched on its UTF-8 bytes: one validating scan (json/scan.ts, the
// parser's grammar) finds every top-level member; fields are read from their spans and edits are
// queued and written out in one pass, copying untouched bytes as they are. No tree is built, no
// text is decoded but the fields asked for: the gateway's common request rewrites (read `model`
// and `stream`, swap `model`, force `stream_options.include_usage`) cost one scan and one copy.
//
// Duplicate keys: a read sees the last occurrence (what JSON.parse and the SDK's parser keep); an
// edit replaces every occurrence, so no upstream parser can see a value the gateway did not approve.
import { ByteBuffer } from "./bytebuf";
import { JsonObjectScan, JsonMember, scanJsonObject, scanJsonObjectInto, scanJsonObjectAt, scanJsonArrayAt, skipJsonValueAt } from "./scan";
import { parseStringAt, parseJsonUnsafe } from "./parse";
import { quoteJsonBytes, JsonValue } from "./value";
import { keyMatchesAt } from "./edit";
import { JsonWriter } from "./writer";
import { parseDecimal } from "./number";

const EMPTY = new ArrayBuffer(0);

class Edit {
  constructor(public key: string, public keyUtf8: ArrayBuffer, public raw: ArrayBuffer) {}
}

export class JsonObjectView {
  private edits: Array<Edit> | null = null;

  private constructor(
    /** The buffer the spans point into (kept alive by the view). */
    private buffer: ArrayBuffer,
    readonly scan: JsonObjectScan,
    /** A view of the whole document (whitespace around the object is kept), not of a nested object. */
    private wholeDoc: bool = false,
  ) {}

  get body(): ArrayBuffer { return this.buffer; }
  get whole(): bool { return this.wholeDoc; }

  /** A view of a whole document that must be one JSON object; null when it is not (or is malformed). */
  static of(body: ArrayBuffer): JsonObjectView | null {
    const scan = scanJsonObject(changetype<usize>(body), body.byteLength);
    return scan.ok ? new JsonObjectView(body, scan, true) : null;
  }

  /**
   * An empty view to be re-used, document after document (a stream's events): `read` scans into
   * it, and the `into` argument of getObject / firstObjectIn / nextObjectIn scans a nested
   * object into one — nothing is allocated per event once the storage has grown. A re-used view
   * is valid until its next read; views taken from it before are not changed.
   */
  static reusable(): JsonObjectView { return new JsonObjectView(new ArrayBuffer(0), new JsonObjectScan()); }

  /** This view, re-read as the whole document `body`; false (and the view empty) when it is not one JSON object. */
  read(body: ArrayBuffer): bool {
    this.buffer = body;
    this.wholeDoc = true;
    this.edits = null;
    scanJsonObjectInto(changetype<usize>(body), body.byteLength, this.scan);
    if (this.scan.ok) return true;
    this.scan.count = 0;
    return false;
  }

  /**
   * Empties the view and lets go of the buffer it read: a re-used view held in a global would
   * otherwise keep its last document alive (a 10 MB request body until the next request).
   */
  release(): void {
    this.buffer = EMPTY;
    this.wholeDoc = false;
    this.edits = null;
    this.scan.reset();
  }

  /** `into` re-pointed at the object at [start, end) of this view's buffer (a validated object). */
  private nested(start: i32, end: i32, into: JsonObjectView | null): JsonObjectView | null {
    if (into === null) {
      const scan = scanJsonObjectAt(this.base, start, end);
      return scan.ok ? new JsonObjectView(this.body, scan) : null;
    }
    into.buffer = this.buffer;
    into.wholeDoc = false;
    into.edits = null;
    scanJsonObjectAt(this.base, start, end, into.scan);
    return into.scan.ok ? into : null;
  }

  private get base(): usize { return changetype<usize>(this.body); }

  /** Index of the last member named `key` (read its offsets from `scan`), or -1. */
  find(key: string): i32 {
    const sc = this.scan;
    const base = this.base;
    if (isAscii(key)) {
      // The common case (an ASCII key): compared with the key's code units, nothing encoded.
      for (let i = sc.count - 1; i >= 0; i--) if (keyIsAscii(base, sc.keyStart(i), sc.keyEnd(i), key)) return i;
      return -1;
    }
    const k = String.UTF8.encode(key);
    for (let i = sc.count - 1; i >= 0; i--) if (keyMatchesAt(base, sc.keyStart(i), sc.keyEnd(i), key, k)) return i;
    return -1;
  }

  /** The last member named `key`, or null. */
  member(key: string): JsonMember | null {
    const i = this.find(key);
    return i < 0 ? null : this.scan.member(i);
  }

  /** Whether a string field equals `ascii` (an ASCII literal), compared on the bytes (escapes decoded). */
  stringIs(key: string, ascii: string): bool {
    const i = this.find(key);
    if (i < 0) return false;
    const sc = this.scan;
    const p = this.base + <usize>sc.valueStart(i);
    if (load<u8>(p) != 0x22) return false;
    const len = sc.valueEnd(i) - sc.valueStart(i) - 2;
    // Each ASCII character is at most six bytes as sent (\u0041): a longer string cannot be
    // `ascii`, and is not scanned or decoded to find that out (a 2 KB message is not read at all).
    if (len > 6 * ascii.length) return false;
    if (!hasBackslash(p + 1, len)) return len == ascii.length && bytesAreAscii(p + 1, ascii);
    const s = parseStringAt(p, this.base + <usize>sc.valueEnd(i));
    return s !== null && s == ascii;
  }

  /**
   * Writes a string field's JSON literal as it was sent (quotes and escapes kept; the view's scan
   * validated it) as the writer's next value. False, and nothing written, when absent or not a string.
   */
  writeString(key: string, w: JsonWriter): bool {
    const i = this.find(key);
    const sc = this.scan;
    if (i < 0 || load<u8>(this.base + <usize>sc.valueStart(i)) != 0x22) return false;
    w.rawBytes(this.base + <usize>sc.valueStart(i), sc.valueEnd(i) - sc.valueStart(i));
    return true;
  }

  /** Appends the bytes between a string field's quotes (escapes kept), to join strings; false when absent or not a string. */
  appendStringContent(key: string, out: ByteBuffer): bool {
    const i = this.find(key);
    const sc = this.scan;
    if (i < 0 || load<u8>(this.base + <usize>sc.valueStart(i)) != 0x22) return false;
    out.pushBytes(this.base + <usize>sc.valueStart(i) + 1, sc.valueEnd(i) - sc.valueStart(i) - 2);
    return true;
  }

  has(key: string): bool { return this.find(key) >= 0; }

  /** How many members the object has (a repeated key counts each time). */
  get count(): i32 { return this.scan.count; }

  /**
   * Writes a field's value as it was sent (any kind; the view's scan validated it) as the
   * writer's next value. False, and nothing written, when absent.
   */
  writeValue(key: string, w: JsonWriter): bool {
    const i = this.find(key);
    if (i < 0) return false;
    const sc = this.scan;
    w.rawBytes(this.base + <usize>sc.valueStart(i), sc.valueEnd(i) - sc.valueStart(i));
    return true;
  }

  /** First byte of the value (`"`, `{`, `[`, `t`, `f`, `n`, a digit or `-`), or 0 when absent. */
  kindOf(key: string): u8 {
    const i = this.find(key);
    const sc = this.scan;
    return i < 0 ? 0 : load<u8>(this.base + <usize>sc.valueStart(i));
  }

  /** A string field, decoded; null when absent or not a string. */
  getString(key: string): string | null {
    const i = this.find(key);
    const sc = this.scan;
    if (i < 0 || load<u8>(this.base + <usize>sc.valueStart(i)) != 0x22) return null;
    return parseStringAt(this.base + <usize>sc.valueStart(i), this.base + <usize>sc.valueEnd(i));
  }

  /** A boolean field; `def` when absent or not a boolean (as JsonObject.getBool). */
  getBool(key: string, def: bool): bool {
    const i = this.find(key);
    const sc = this.scan;
    if (i < 0) return def;
    const c = load<u8>(this.base + <usize>sc.valueStart(i));
    return c == 0x74 ? true : c == 0x66 ? false : def;
  }

  /** A number field (parsed from its span, as JSON.parse would); `def` when absent or not a number. */
  getNumber(key: string, def: f64): f64 {
    const i = this.find(key);
    const sc = this.scan;
    if (i < 0) return def;
    const c = load<u8>(this.base + <usize>sc.valueStart(i));
    if (c != 0x2d && <u32>(c - 0x30) >= 10) return def;
    const p = this.base + <usize>sc.valueStart(i), n = sc.valueEnd(i) - sc.valueStart(i);
    // A plain integer of up to 15 digits (token counts) is exact in a double: no big-number parse.
    if (c != 0x2d && n <= 15) {
      let v: i64 = 0, j = 0;
      for (; j < n; j++) {
        const d = <u32>load<u8>(p + <usize>j) - 0x30;
        if (d >= 10) break;
        v = v * 10 + <i64>d;
      }
      if (j == n) return <f64>v;
    }
    return parseDecimal(p, n);
  }

  /** A member's value parsed into a tree (for the small parts a caller needs whole); null when absent. */
  getValue(key: string): JsonValue | null {
    const i = this.find(key);
    const sc = this.scan;
    if (i < 0) return null;
    return parseJsonUnsafe(this.base + <usize>sc.valueStart(i), sc.valueEnd(i) - sc.valueStart(i)).value;
  }

  /** A view of an object-valued field (same buffer; scanned into `into` when given); null when absent or not an object. */
  getObject(key: string, into: JsonObjectView | null = null): JsonObjectView | null {
    const i = this.find(key);
    const sc = this.scan;
    if (i < 0 || load<u8>(this.base + <usize>sc.valueStart(i)) != 0x7b) return null;
    return this.nested(sc.valueStart(i), sc.valueEnd(i), into);
  }

  /** Views of the object elements of an array-valued field (other elements skipped); null when absent or not an array. */
  getObjects(key: string): Array<JsonObjectView> | null {
    const i = this.find(key);
    const sc = this.scan;
    if (i < 0) return null;
    const spans = scanJsonArrayAt(this.base, sc.valueStart(i), sc.valueEnd(i));
    if (spans === null) return null;
    const out = new Array<JsonObjectView>();
    for (let k = 0; k + 1 < spans.length; k += 2) {
      const a = unchecked(spans[k]);
      if (load<u8>(this.base + <usize>a) != 0x7b) continue;
      const scan = scanJsonObjectAt(this.base, a, unchecked(spans[k + 1]));
      if (scan.ok) out.push(new JsonObjectView(this.body, scan));
    }
    return out;
  }

  /**
   * The first object element of an array field (other elements skipped), or null; walk on with
   * `nextObjectIn(key, prev)`. One element at a time: no list of spans or views is built.
   */
  firstObjectIn(key: string, into: JsonObjectView | null = null): JsonObjectView | null {
    const i = this.find(key);
    if (i < 0) return null;
    const sc = this.scan;
    if (load<u8>(this.base + <usize>sc.valueStart(i)) != 0x5b) return null;
    return this.objectFrom(sc.valueStart(i) + 1, sc.valueEnd(i) - 1, into);
  }

  /** The object element after `prev` (a view from firstObjectIn / nextObjectIn of the same field; it may be `into`), or null. */
  nextObjectIn(key: string, prev: JsonObjectView, into: JsonObjectView | null = null): JsonObjectView | null {
    const i = this.find(key);
    if (i < 0 || prev.body != this.body) return null;
    const sc = this.scan;
    const from = prev.scan.close + 1;
    if (from <= sc.valueStart(i) || from >= sc.valueEnd(i)) return null;
    return this.objectFrom(from, sc.valueEnd(i) - 1, into);
  }

  /** The first object among the elements in [from, end) of a validated array (between elements: whitespace and commas). */
  private objectFrom(from: i32, end: i32, into: JsonObjectView | null): JsonObjectView | null {
    const base = this.base;
    let p = from;
    while (p < end) {
      const c = load<u8>(base + <usize>p);
      if (c == 0x20 || c == 0x09 || c == 0x0a || c == 0x0d || c == 0x2c) { p++; continue; }
      if (c == 0x7b) return this.nested(p, end, into);
      p = skipJsonValueAt(base, p, end);
      if (p < 0) return null;
    }
    return null;
  }

  /** First byte of an array field's first element (`{`, `"`, …); 0 when absent, not an array, or empty. */
  firstElementKind(key: string): u8 {
    const i = this.find(key);
    if (i < 0) return 0;
    const sc = this.scan;
    const base = this.base;
    if (load<u8>(base + <usize>sc.valueStart(i)) != 0x5b) return 0;
    for (let j = sc.valueStart(i) + 1, end = sc.valueEnd(i) - 1; j < end; j++) {
      const c = load<u8>(base + <usize>j);
      if (c != 0x20 && c != 0x09 && c != 0x0a && c != 0x0d) return c;
    }
    return 0;
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

  setString(key: string, value: string): void { this.setRaw(key, quoteJsonBytes(value)); }

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
    const n = s.count;
    let done: StaticArray<bool> | null = es === null ? null : new StaticArray<bool>(es.length);
    if (es !== null) {
      for (let i = 0; i < n; i++) {
        const ks = s.keyStart(i), ke = s.keyEnd(i);
        for (let j = es.length - 1; j >= 0; j--) {
          const e = unchecked(es[j]);
          if (!keyMatchesAt(base, ks, ke, e.key, e.keyUtf8)) continue;
          // the last queued edit of a key wins; earlier ones for the same key are dropped
          out.pushBytes(base + <usize>copied, s.valueStart(i) - copied);
          out.pushBuffer(e.raw);
          copied = s.valueEnd(i);
          for (let k = 0; k < es.length; k++) if (unchecked(es[k]).key == e.key) done![k] = true;
          break;
        }
      }
      const at = n > 0 ? s.valueEnd(n - 1) : s.open + 1;
      out.pushBytes(base + <usize>copied, at - copied);
      copied = at;
      let any = n > 0;
      for (let j = 0; j < es.length; j++) {
        if (done![j]) continue;
        const e = unchecked(es[j]);
        let later = false; // a later edit of the same key is the one to append
        for (let k = j + 1; k < es.length; k++) if (unchecked(es[k]).key == e.key) { later = true; break; }
        if (later) continue;
        if (any) out.pushByte(0x2c);
        any = true;
        out.pushBuffer(quoteJsonBytes(e.key));
        out.pushByte(0x3a);
        out.pushBuffer(e.raw);
      }
    }
    out.pushBytes(base + <usize>copied, to - copied);
    return out.take();
  }
}

function isAscii(s: string): bool {
  const p = changetype<usize>(s);
  for (let i = 0, n = s.length; i < n; i++) if (load<u16>(p + (<usize>i << 1)) >= 0x80) return false;
  return true;
}

function hasBackslash(p: usize, len: i32): bool {
  for (let i = 0; i < len; i++) if (load<u8>(p + <usize>i) == 0x5c) return true;
  return false;
}

/** The `len == ascii.length` bytes at p equal the ASCII string's code units. */
function bytesAreAscii(p: usize, ascii: string): bool {
  const q = changetype<usize>(ascii);
  for (let i = 0, n = ascii.length; i < n; i++) if (<u16>load<u8>(p + <usize>i) != load<u16>(q + (<usize>i << 1))) return false;
  return true;
}

/** A member's key equals an ASCII key (escaped keys decoded first). */
function keyIsAscii(base: usize, keyStart: i32, keyEnd: i32, key: string): bool {
  const start = base + <usize>keyStart + 1;
  const len = keyEnd - keyStart - 2;
  if (len > 6 * key.length) return false; // at most six bytes per ASCII character as sent (see stringIs)
  if (!hasBackslash(start, len)) return len == key.length && bytesAreAscii(start, key);
  const decoded = parseStringAt(base + <usize>keyStart, base + <usize>keyEnd);
  return decoded !== null && decoded == key;
}
