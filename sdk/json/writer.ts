// A streaming JSON writer that produces UTF-8 bytes directly: for building response bodies and
// for serialising a JsonValue. Commas are placed automatically, so callers only say what comes
// next: w.beginObject(); w.key("a"); w.number(1); w.endObject();
import { ByteBuffer } from "./bytebuf";
import { JsonValue, JsonKind } from "./value";
import { dtoa_buffered, itoa_buffered } from "util/number";
import { isPlainAscii16, narrow4 } from "./swar";

const HEX_DIGITS = "0123456789abcdef";
export const MAX_WRITE_DEPTH: i32 = 512;
// Units of a string quoted per reservation of output space.
const QUOTE_WINDOW: i32 = 16384;
// Scratch space for number formatting (UTF-16 digits), so printing allocates nothing.
const NUMBER_SCRATCH = memory.data(128);

export class JsonWriter {
  readonly buf: ByteBuffer;
  private needComma: bool = false;
  private afterKey: bool = false;

  constructor(capacity: i32 = 256) { this.buf = new ByteBuffer(capacity); }

  @inline private separate(): void {
    if (this.afterKey) { this.afterKey = false; return; }
    if (this.needComma) this.buf.pushByte(0x2c);
  }

  beginObject(): JsonWriter { this.separate(); this.buf.pushByte(0x7b); this.needComma = false; return this; }
  endObject(): JsonWriter { this.buf.pushByte(0x7d); this.needComma = true; this.afterKey = false; return this; }
  beginArray(): JsonWriter { this.separate(); this.buf.pushByte(0x5b); this.needComma = false; return this; }
  endArray(): JsonWriter { this.buf.pushByte(0x5d); this.needComma = true; this.afterKey = false; return this; }

  key(k: string): JsonWriter {
    this.separate();
    this.writeQuoted(k);
    this.buf.pushByte(0x3a);
    this.afterKey = true;
    return this;
  }

  string(s: string): JsonWriter { this.separate(); this.writeQuoted(s); this.needComma = true; return this; }
  bool(b: bool): JsonWriter { this.separate(); this.buf.pushAscii(b ? "true" : "false"); this.needComma = true; return this; }
  null(): JsonWriter { this.separate(); this.buf.pushAscii("null"); this.needComma = true; return this; }

  /** A number; NaN and infinities become null (as JSON.stringify does). */
  number(n: f64): JsonWriter {
    this.separate();
    this.writeNumber(n);
    this.needComma = true;
    return this;
  }

  integer(n: i64): JsonWriter {
    this.separate();
    this.pushScratch(itoa_buffered<i64>(NUMBER_SCRATCH, n));
    this.needComma = true;
    return this;
  }

  /**
   * Opens a string value whose content the caller pushes into `buf` as JSON string content
   * (escapes kept, e.g. spans of a validated document joined); `closeString` ends it.
   */
  openString(): JsonWriter { this.separate(); this.buf.pushByte(0x22); this.needComma = true; return this; }
  closeString(): JsonWriter { this.buf.pushByte(0x22); return this; }

  /** Pre-serialised JSON, copied as is (the caller vouches for it). */
  raw(json: string): JsonWriter { this.separate(); this.buf.pushUtf8(json); this.needComma = true; return this; }
  rawBytes(ptr: usize, len: i32): JsonWriter { this.separate(); this.buf.pushBytes(ptr, len); this.needComma = true; return this; }

  /**
   * A whole JsonValue tree. Trees deeper than MAX_WRITE_DEPTH (only possible when built by hand,
   * e.g. an object that contains itself) are cut off with `null` rather than overflowing the stack.
   */
  value(v: JsonValue): JsonWriter { return this.valueAt(v, 0); }

  private valueAt(v: JsonValue, depth: i32): JsonWriter {
    if (depth > MAX_WRITE_DEPTH) return this.null();
    switch (v.kind) {
      case JsonKind.Null: this.null(); break;
      case JsonKind.Bool: this.bool(v.bool); break;
      case JsonKind.Number: this.number(v.num); break;
      case JsonKind.String: {
        const src = v.source;
        // A string the parser left in its source bytes is already a valid literal: copied as is.
        if (src !== null) this.rawBytes(changetype<usize>(src) + <usize>v.sourceStart, v.sourceEnd - v.sourceStart);
        else this.string(v.str);
        break;
      }
      case JsonKind.Array: {
        this.beginArray();
        const a = v.arr!;
        for (let i = 0, n = a.length; i < n; i++) this.valueAt(unchecked(a[i]), depth + 1);
        this.endArray();
        break;
      }
      case JsonKind.Object: {
        this.beginObject();
        const o = v.obj!;
        const keys = o.keys, values = o.values;
        const n = keys.length < values.length ? keys.length : values.length;
        for (let i = 0; i < n; i++) {
          this.key(unchecked(keys[i]));
          this.valueAt(unchecked(values[i]), depth + 1);
        }
        this.endObject();
        break;
      }
    }
    return this;
  }

  toBytes(): ArrayBuffer { return this.buf.toArrayBuffer(); }
  /** The bytes without a copy; the writer is empty afterwards. Size the writer well (constructor) for big output. */
  takeBytes(): ArrayBuffer { this.needComma = false; this.afterKey = false; return this.buf.take(); }
  toString(): string { return String.UTF8.decodeUnsafe(this.buf.ptr, <usize>this.buf.length); }
  get length(): i32 { return this.buf.length; }
  clear(): void { this.buf.clear(); this.needComma = false; this.afterKey = false; }
  /** The next value starts a new document after what the buffer holds (no comma); for framing values in a byte stream. */
  restart(): JsonWriter { this.needComma = false; this.afterKey = false; return this; }

  private writeNumber(n: f64): void {
    if (!isFinite(n)) { this.buf.pushAscii("null"); return; }
    if (n == 0 && 1 / n < 0) { this.buf.pushAscii("-0"); return; }
    if (n == Math.floor(n) && Math.abs(n) < 9007199254740992.0) {
      this.pushScratch(itoa_buffered<i64>(NUMBER_SCRATCH, <i64>n));
      return;
    }
    this.pushScratch(dtoa_buffered<f64>(NUMBER_SCRATCH, n));
  }

  private pushScratch(units: u32): void {
    const buf = this.buf;
    buf.reserve(<i32>units);
    const dst = buf.ptr + <usize>buf.length;
    for (let i: u32 = 0; i < units; i++) store<u8>(dst + <usize>i, <u8>load<u16>(NUMBER_SCRATCH + (<usize>i << 1)));
    buf.length += <i32>units;
  }

  /** Writes s as a quoted JSON string in UTF-8; lone surrogates become \uXXXX like JSON.stringify. */
  private writeQuoted(s: string): void {
    const n = s.length;
    const buf = this.buf;
    const src = changetype<usize>(s);
    buf.reserve(1);
    let o = buf.ptr + <usize>buf.length;
    store<u8>(o++, 0x22);
    let i = 0;
    // Room is reserved per window for its worst case (every unit a \u00XX escape), not for the
    // whole string at once: a 40 MB string must not reserve 240 MB.
    do {
      const stop = n - i < QUOTE_WINDOW ? n : i + QUOTE_WINDOW;
      buf.length = <i32>(o - buf.ptr);
      buf.reserve((stop - i) * 6 + 1);
      o = buf.ptr + <usize>buf.length;
      for (; i < stop; i++) {
        // Four plain ASCII units at a time.
        while (i + 4 <= stop) {
          const w = load<u64>(src + (<usize>i << 1));
          if (!isPlainAscii16(w)) break;
          store<u32>(o, narrow4(w));
          o += 4; i += 4;
        }
        if (i >= stop) break;
        const c = <u32>load<u16>(src + (<usize>i << 1));
        if (c < 0x80) {
          if (c >= 0x20 && c != 0x22 && c != 0x5c) { store<u8>(o++, <u8>c); continue; }
          store<u8>(o++, 0x5c);
          if (c == 0x22) store<u8>(o++, 0x22);
          else if (c == 0x5c) store<u8>(o++, 0x5c);
          else if (c == 0x0a) store<u8>(o++, 0x6e);
          else if (c == 0x0d) store<u8>(o++, 0x72);
          else if (c == 0x09) store<u8>(o++, 0x74);
          else if (c == 0x08) store<u8>(o++, 0x62);
          else if (c == 0x0c) store<u8>(o++, 0x66);
          else o = writeUnicodeEscape(o, c);
        } else if (c < 0x800) {
          store<u8>(o++, <u8>(0xC0 | (c >> 6)));
          store<u8>(o++, <u8>(0x80 | (c & 0x3F)));
        } else if (c >= 0xD800 && c <= 0xDFFF) {
          // A pair may straddle the window's end: the low half is read (and consumed) past it.
          if (c <= 0xDBFF && i + 1 < n) {
            const d = <u32>load<u16>(src + (<usize>(i + 1) << 1));
            if (d >= 0xDC00 && d <= 0xDFFF) {
              const cp = 0x10000 + ((c - 0xD800) << 10) + (d - 0xDC00);
              store<u8>(o++, <u8>(0xF0 | (cp >> 18)));
              store<u8>(o++, <u8>(0x80 | ((cp >> 12) & 0x3F)));
              store<u8>(o++, <u8>(0x80 | ((cp >> 6) & 0x3F)));
              store<u8>(o++, <u8>(0x80 | (cp & 0x3F)));
              i++;
              continue;
            }
          }
          store<u8>(o++, 0x5c);
          o = writeUnicodeEscape(o, c);
        } else {
          store<u8>(o++, <u8>(0xE0 | (c >> 12)));
          store<u8>(o++, <u8>(0x80 | ((c >> 6) & 0x3F)));
          store<u8>(o++, <u8>(0x80 | (c & 0x3F)));
        }
      }
    } while (i < n);
    store<u8>(o++, 0x22);
    buf.length = <i32>(o - buf.ptr);
  }
}

// Writes "uXXXX" (the backslash is already out).
function writeUnicodeEscape(o: usize, c: u32): usize {
  const hex = changetype<usize>(HEX_DIGITS);
  store<u8>(o, 0x75);
  store<u8>(o, <u8>load<u16>(hex + (((c >> 12) & 15) << 1)), 1);
  store<u8>(o, <u8>load<u16>(hex + (((c >> 8) & 15) << 1)), 2);
  store<u8>(o, <u8>load<u16>(hex + (((c >> 4) & 15) << 1)), 3);
  store<u8>(o, <u8>load<u16>(hex + ((c & 15) << 1)), 4);
  return o + 5;
}
