// A validating JSON scanner that builds no tree: it checks a document with exactly the parser's
// grammar (same depth cap, same strict UTF-8) and records where each top-level member's key and
// value lie. In-place edits (json/edit.ts) and cheap field reads are built on it.
import { MAX_JSON_DEPTH } from "./parse";
import { utf8SequenceLength } from "./utf8";
import { hasStringSpecial, hasHighBit } from "./swar";

/** Where one member of an object lies, as byte offsets into the scanned buffer. */
export class JsonMember {
  constructor(
    /** Offset of the key's opening quote. */
    public keyStart: i32,
    /** Offset just after the key's closing quote. */
    public keyEnd: i32,
    public valueStart: i32,
    public valueEnd: i32,
  ) {}
}

const NO_SPANS = new StaticArray<i32>(0);

/**
 * The result of scanning one object: its braces and members, or an error. Members are kept as
 * flat offsets (four per member, one allocation per object however many members it has): read
 * them with `keyStart(i)` … `valueEnd(i)` for i < `count`.
 */
export class JsonObjectScan {
  error: string = "";
  /** Offset of `{` and of the matching `}`. */
  open: i32 = -1;
  close: i32 = -1;
  /** Number of members. */
  count: i32 = 0;
  private spans: StaticArray<i32> = NO_SPANS;

  get ok(): bool { return this.error.length == 0; }

  /** Empty again, for a new scan (the member storage is kept). */
  reset(): void { this.error = ""; this.open = -1; this.close = -1; this.count = 0; }

  @inline keyStart(i: i32): i32 { return unchecked(this.spans[i << 2]); }
  @inline keyEnd(i: i32): i32 { return unchecked(this.spans[(i << 2) + 1]); }
  @inline valueStart(i: i32): i32 { return unchecked(this.spans[(i << 2) + 2]); }
  @inline valueEnd(i: i32): i32 { return unchecked(this.spans[(i << 2) + 3]); }

  add(keyStart: i32, keyEnd: i32, valueStart: i32, valueEnd: i32): void {
    let sp = this.spans;
    const at = this.count << 2;
    if (at + 4 > sp.length) {
      const grown = new StaticArray<i32>(sp.length == 0 ? 32 : sp.length << 1);
      memory.copy(changetype<usize>(grown), changetype<usize>(sp), <usize>at << 2);
      this.spans = sp = grown;
    }
    unchecked(sp[at] = keyStart);
    unchecked(sp[at + 1] = keyEnd);
    unchecked(sp[at + 2] = valueStart);
    unchecked(sp[at + 3] = valueEnd);
    this.count++;
  }

  /** Member i as an object (for code that keeps members around). */
  member(i: i32): JsonMember {
    return new JsonMember(this.keyStart(i), this.keyEnd(i), this.valueStart(i), this.valueEnd(i));
  }

  /** Every member as an object (allocates; hot paths read the offsets). */
  get members(): Array<JsonMember> {
    const out = new Array<JsonMember>(this.count);
    for (let i = 0; i < this.count; i++) unchecked(out[i] = this.member(i));
    return out;
  }
}

// One scanner for every scan (a scan runs to its end before the next starts): nothing allocated per scan.
const SCANNER = new Scanner();
function scanner(ptr: usize, len: i32): Scanner { return SCANNER.reset(ptr, len); }

/** Scans a whole document that must be an object (whitespace around it allowed). */
export function scanJsonObject(ptr: usize, len: i32): JsonObjectScan {
  return scanJsonObjectInto(ptr, len, new JsonObjectScan());
}

/** scanJsonObject into an existing result (its storage re-used: nothing allocated once it is big enough). */
export function scanJsonObjectInto(ptr: usize, len: i32, out: JsonObjectScan): JsonObjectScan {
  out.reset();
  const s = scanner(ptr, len);
  let p = s.skipWs(ptr);
  if (p >= s.end || load<u8>(p) != 0x7b) { out.error = "expected a JSON object"; return out; }
  const after = s.scanObject(p, 0, out);
  if (after == 0) { out.error = s.error; out.count = 0; return out; }
  p = s.skipWs(after);
  if (p < s.end) { out.error = "unexpected data after JSON value at offset " + (<i32>(p - ptr)).toString(); out.count = 0; }
  return out;
}

/** Scans an object already known to be valid, spanning [start, end) of the buffer at ptr. */
export function scanJsonObjectAt(ptr: usize, start: i32, end: i32, into: JsonObjectScan | null = null): JsonObjectScan {
  let out: JsonObjectScan;
  if (into !== null) { out = into; out.reset(); } else out = new JsonObjectScan();
  const s = scanner(ptr, end);
  const p = ptr + <usize>start;
  if (p >= s.end || load<u8>(p) != 0x7b || s.scanObject(p, 0, out) == 0) {
    out.error = s.error.length > 0 ? s.error : "expected a JSON object";
    out.count = 0;
  }
  return out;
}

/**
 * The elements of an array already known to be valid, spanning [start, end) of the buffer at ptr:
 * [start0, end0, start1, end1, …] as offsets from ptr; null when it is not an array.
 */
export function scanJsonArrayAt(ptr: usize, start: i32, end: i32): Array<i32> | null {
  const s = scanner(ptr, end);
  const p = ptr + <usize>start;
  if (p >= s.end || load<u8>(p) != 0x5b) return null;
  const out = new Array<i32>();
  return s.scanArray(p, 0, out) == 0 ? null : out;
}

/** Offset just after the valid value starting at `start` (the buffer at ptr, up to `end`), or -1. */
export function skipJsonValueAt(ptr: usize, start: i32, end: i32): i32 {
  const s = scanner(ptr, end);
  const p = s.scanValue(ptr + <usize>start, 0, null);
  return p == 0 ? -1 : <i32>(p - ptr);
}

/** True when [ptr, ptr+len) is exactly one valid JSON value (whitespace around it allowed). */
export function isValidJson(ptr: usize, len: i32): bool {
  const s = scanner(ptr, len);
  let p = s.skipWs(ptr);
  p = s.scanValue(p, 0, null);
  if (p == 0) return false;
  return s.skipWs(p) == s.end;
}

/** Positions are absolute addresses; 0 means "failed" (no buffer starts at address 0). */
class Scanner {
  base: usize = 0;
  end: usize = 0;
  error: string = "";
  reset(ptr: usize, len: i32): Scanner { this.base = ptr; this.end = ptr + <usize>(len < 0 ? 0 : len); this.error = ""; return this; }

  fail(p: usize, msg: string): usize {
    if (this.error.length == 0) this.error = msg + " at offset " + (<i32>(p - this.base)).toString();
    return 0;
  }

  skipWs(p: usize): usize {
    const end = this.end;
    while (p < end) {
      const c = load<u8>(p);
      if (c == 0x20 || c == 0x0a || c == 0x0d || c == 0x09) p++;
      else break;
    }
    return p;
  }

  /** Validates the value at p; returns the address just after it, or 0. */
  scanValue(p: usize, depth: i32, members: JsonObjectScan | null): usize {
    if (p >= this.end) return this.fail(p, "unexpected end of JSON");
    const c = load<u8>(p);
    if (c == 0x22) return this.scanString(p);
    if (c == 0x7b || c == 0x5b) {
      if (depth >= MAX_JSON_DEPTH) return this.fail(p, "JSON nested too deeply");
      return c == 0x7b ? this.scanObject(p, depth, members) : this.scanArray(p, depth);
    }
    if (c == 0x2d || (c >= 0x30 && c <= 0x39)) return this.scanNumber(p);
    if (c == 0x74) return p + 4 <= this.end && load<u32>(p) == 0x65757274 ? p + 4 : this.fail(p, "invalid literal");
    if (c == 0x6e) return p + 4 <= this.end && load<u32>(p) == 0x6c6c756e ? p + 4 : this.fail(p, "invalid literal");
    if (c == 0x66) return p + 5 <= this.end && load<u32>(p, 1) == 0x65736c61 ? p + 5 : this.fail(p, "invalid literal");
    return this.fail(p, "unexpected character");
  }

  /** `record` receives the members of this object only (nested objects are not recorded). */
  scanObject(p: usize, depth: i32, record: JsonObjectScan | null): usize {
    const open = p;
    p = this.skipWs(p + 1);
    if (p < this.end && load<u8>(p) == 0x7d) {
      if (record !== null) { record.open = <i32>(open - this.base); record.close = <i32>(p - this.base); }
      return p + 1;
    }
    while (true) {
      p = this.skipWs(p);
      if (p >= this.end) return this.fail(p, "unexpected end of JSON");
      if (load<u8>(p) != 0x22) return this.fail(p, "expected a string key");
      const keyStart = p;
      p = this.scanString(p);
      if (p == 0) return 0;
      const keyEnd = p;
      p = this.skipWs(p);
      if (p >= this.end || load<u8>(p) != 0x3a) return this.fail(p, "expected ':'");
      p = this.skipWs(p + 1);
      const valueStart = p;
      p = this.scanValue(p, depth + 1, null);
      if (p == 0) return 0;
      if (record !== null) {
        record.add(<i32>(keyStart - this.base), <i32>(keyEnd - this.base), <i32>(valueStart - this.base), <i32>(p - this.base));
      }
      p = this.skipWs(p);
      if (p >= this.end) return this.fail(p, "unexpected end of JSON");
      const c = load<u8>(p);
      if (c == 0x2c) { p++; continue; }
      if (c == 0x7d) {
        if (record !== null) { record.open = <i32>(open - this.base); record.close = <i32>(p - this.base); }
        return p + 1;
      }
      return this.fail(p, "expected ',' or '}'");
    }
  }

  /** `elements` (when given) receives each element's [start, end) offsets, flattened. */
  scanArray(p: usize, depth: i32, elements: Array<i32> | null = null): usize {
    p = this.skipWs(p + 1);
    if (p < this.end && load<u8>(p) == 0x5d) return p + 1;
    while (true) {
      p = this.skipWs(p);
      const start = p;
      p = this.scanValue(p, depth + 1, null);
      if (p == 0) return 0;
      if (elements !== null) { elements.push(<i32>(start - this.base)); elements.push(<i32>(p - this.base)); }
      p = this.skipWs(p);
      if (p >= this.end) return this.fail(p, "unexpected end of JSON");
      const c = load<u8>(p);
      if (c == 0x2c) { p++; continue; }
      if (c == 0x5d) return p + 1;
      return this.fail(p, "expected ',' or ']'");
    }
  }

  scanString(p: usize): usize {
    const end = this.end;
    p++;
    while (true) {
      while (p + 8 <= end && !hasStringSpecial(load<u64>(p)) && !hasHighBit(load<u64>(p))) p += 8;
      if (p >= end) return this.fail(p, "unterminated string");
      const c = <u32>load<u8>(p);
      if (c == 0x22) return p + 1;
      if (c < 0x20) return this.fail(p, "control character in string");
      if (c == 0x5c) {
        if (p + 1 >= end) return this.fail(p, "unterminated string");
        const e = <u32>load<u8>(p, 1);
        if (e == 0x75) {
          if (p + 6 > end || !isHex(load<u8>(p, 2)) || !isHex(load<u8>(p, 3)) || !isHex(load<u8>(p, 4)) || !isHex(load<u8>(p, 5))) {
            return this.fail(p, "invalid \\u escape");
          }
          p += 6;
          continue;
        }
        if (e == 0x22 || e == 0x5c || e == 0x2f || e == 0x62 || e == 0x66 || e == 0x6e || e == 0x72 || e == 0x74) { p += 2; continue; }
        return this.fail(p, "invalid escape");
      }
      if (c < 0x80) { p++; continue; }
      const n = utf8SequenceLength(p, end);
      if (n <= 0) return this.fail(p, "invalid UTF-8 in string");
      p += <usize>n;
    }
  }

  scanNumber(p: usize): usize {
    const end = this.end;
    const start = p;
    if (load<u8>(p) == 0x2d) p++;
    if (p >= end) return this.fail(p, "invalid number");
    let c = load<u8>(p);
    if (c == 0x30) p++;
    else if (c >= 0x31 && c <= 0x39) { while (p < end && isDigit(load<u8>(p))) p++; }
    else return this.fail(p, "invalid number");
    if (p < end && load<u8>(p) == 0x2e) {
      p++;
      const f = p;
      while (p < end && isDigit(load<u8>(p))) p++;
      if (p == f) return this.fail(p, "invalid number");
    }
    if (p < end && (load<u8>(p) | 0x20) == 0x65) {
      p++;
      if (p < end && (load<u8>(p) == 0x2b || load<u8>(p) == 0x2d)) p++;
      const e = p;
      while (p < end && isDigit(load<u8>(p))) p++;
      if (p == e) return this.fail(p, "invalid number");
    }
    return p > start ? p : this.fail(p, "invalid number");
  }
}

@inline function isDigit(c: u8): bool { return c >= 0x30 && c <= 0x39; }
@inline function isHex(c: u8): bool { return (c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x66); }
