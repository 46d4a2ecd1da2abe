// A strict JSON parser (RFC 8259) that reads UTF-8 bytes directly and returns an error value
// instead of trapping, whatever the input: truncated, malformed, invalid UTF-8, deeply nested
// (depth is capped) or huge numbers. Offsets in error messages are byte offsets.
import { JsonValue, JsonObject } from "./value";
import { utf8SequenceLength } from "./utf8";
import { parseDecimal } from "./number";
import { hasStringSpecial, hasHighBit, hasByte, widen4 } from "./swar";

/** Deeper documents are rejected: recursion must not exhaust the shadow stack. */
export const MAX_JSON_DEPTH: i32 = 128;

export class JsonResult {
  constructor(public value: JsonValue | null, public error: string) {}
  get ok(): bool { return this.value !== null; }
}

export class JsonObjectResult {
  constructor(public value: JsonObject | null, public error: string) {}
  get ok(): bool { return this.value !== null; }
}

/**
 * Parses a UTF-8 body (the usual case: request/response bodies arrive as bytes). Strings of
 * LAZY_STRING_BYTES or more stay in `bytes` (validated, not decoded): the tree keeps `bytes` alive
 * and reads them from it, so do not modify `bytes` while the tree is in use.
 */
export function parseJsonBytes(bytes: ArrayBuffer): JsonResult {
  return parseWith(new Parser(changetype<usize>(bytes), bytes.byteLength, bytes));
}

/**
 * Strings at least this long (in bytes, quotes excluded) are left in the source buffer: a big
 * message `content` then costs no UTF-16 copy (twice its UTF-8 size) to parse and re-serialise.
 */
export const LAZY_STRING_BYTES: i32 = 1024;

/** Parses a string (config text). Lone surrogates become U+FFFD. */
export function parseJson(text: string): JsonResult {
  const bytes = String.UTF8.encode(text, false, String.UTF8.ErrorMode.REPLACE);
  return parseJsonBytes(bytes);
}

/** Parses [ptr, ptr+len), which must stay alive during the call. */
export function parseJsonUnsafe(ptr: usize, len: i32): JsonResult {
  return parseWith(new Parser(ptr, len, null));
}

function parseWith(p: Parser): JsonResult {
  p.skipWs();
  const v = p.parseValue(0);
  if (v === null) return new JsonResult(null, p.error);
  p.skipWs();
  if (p.pos < p.end) return new JsonResult(null, "unexpected data after JSON value at offset " + p.offset().toString());
  return new JsonResult(v, "");
}

/** Decodes the quoted JSON string starting at `ptr` (the quote) and ending before `end`; null when invalid. */
export function parseStringAt(ptr: usize, end: usize): string | null {
  if (end <= ptr || load<u8>(ptr) != 0x22) return null;
  const p = new Parser(ptr, <i32>(end - ptr), null);
  return p.parseString();
}

/** Parses and requires an object at the top level. */
export function parseJsonObject(text: string): JsonObjectResult {
  return objectOf(parseJson(text));
}

export function parseJsonObjectBytes(bytes: ArrayBuffer): JsonObjectResult {
  return objectOf(parseJsonBytes(bytes));
}

function objectOf(r: JsonResult): JsonObjectResult {
  if (!r.ok) return new JsonObjectResult(null, r.error);
  const o = r.value!.asObject();
  if (o === null) return new JsonObjectResult(null, "expected a JSON object");
  return new JsonObjectResult(o, "");
}

// Exact powers of ten for the fast number path (10^0..10^22 are exact doubles).
const POW10: StaticArray<f64> = [
  1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
  1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

class Parser {
  pos: usize;
  end: usize;
  base: usize;
  error: string = "";
  /** The buffer being parsed, when long strings may stay in it (see LAZY_STRING_BYTES). */
  source: ArrayBuffer | null;
  /** Set by findClose: the string had no escape and no byte >= 0x80. */
  plain: bool = true;

  constructor(ptr: usize, len: i32, source: ArrayBuffer | null) {
    this.source = source;
    this.base = ptr;
    this.pos = ptr;
    this.end = ptr + <usize>(len < 0 ? 0 : len);
  }

  @inline offset(): i32 { return <i32>(this.pos - this.base); }
  @inline peek(): i32 { return this.pos < this.end ? <i32>load<u8>(this.pos) : -1; }

  @inline skipWs(): void {
    let p = this.pos;
    const end = this.end;
    while (p < end) {
      const c = load<u8>(p);
      if (c == 0x20 || c == 0x0a || c == 0x0d || c == 0x09) p++;
      else break;
    }
    this.pos = p;
  }

  fail(msg: string): JsonValue | null {
    if (this.error.length == 0) this.error = msg + " at offset " + this.offset().toString();
    return null;
  }

  parseValue(depth: i32): JsonValue | null {
    const c = this.peek();
    if (c == 0x22) {
      const src = this.source;
      if (src !== null) {
        const start = this.pos + 1;
        const close = this.findClose(start);
        if (close == 0) return null;
        if (<i32>(close - start) >= LAZY_STRING_BYTES) {
          if (!this.plain && !this.validString(start, close)) return null;
          this.pos = close + 1;
          return JsonValue.fromSourceString(src, <i32>(start - 1 - this.base), <i32>(close + 1 - this.base));
        }
        const s = this.decodeString(start, close, this.plain, true);
        return s === null ? null : JsonValue.fromString(s);
      }
      const s = this.parseString(true); // short values repeat too ("user", "assistant")
      return s === null ? null : JsonValue.fromString(s);
    }
    if (c == 0x7b || c == 0x5b) {
      if (depth >= MAX_JSON_DEPTH) return this.fail("JSON nested too deeply");
      return c == 0x7b ? this.parseObject(depth) : this.parseArray(depth);
    }
    if (c == 0x2d || (c >= 0x30 && c <= 0x39)) return this.parseNumber();
    if (c == 0x74) return this.literal(0x65757274, JsonValue.fromBool(true)); // "true"
    if (c == 0x66) return this.literalFalse();
    if (c == 0x6e) return this.literal(0x6c6c756e, JsonValue.null()); // "null"
    if (c < 0) return this.fail("unexpected end of JSON");
    return this.fail("unexpected character");
  }

  literal(word: u32, v: JsonValue): JsonValue | null {
    if (this.pos + 4 > this.end || load<u32>(this.pos) != word) return this.fail("invalid literal");
    this.pos += 4;
    return v;
  }

  literalFalse(): JsonValue | null {
    if (this.pos + 5 > this.end || load<u32>(this.pos, 1) != 0x65736c61) return this.fail("invalid literal"); // "alse"
    this.pos += 5;
    return JsonValue.fromBool(false);
  }

  parseObject(depth: i32): JsonValue | null {
    this.pos++; // {
    const obj = new JsonObject();
    this.skipWs();
    if (this.peek() == 0x7d) { this.pos++; return JsonValue.fromObject(obj); }
    while (true) {
      this.skipWs();
      if (this.peek() != 0x22) return this.fail(this.pos >= this.end ? "unexpected end of JSON" : "expected a string key");
      const key = this.parseString(true);
      if (key === null) return null;
      this.skipWs();
      if (this.peek() != 0x3a) return this.fail("expected ':'");
      this.pos++;
      this.skipWs();
      const v = this.parseValue(depth + 1);
      if (v === null) return null;
      obj.set(key, v);
      this.skipWs();
      const c = this.peek();
      if (c == 0x2c) { this.pos++; continue; }
      if (c == 0x7d) { this.pos++; return JsonValue.fromObject(obj); }
      return this.fail(c < 0 ? "unexpected end of JSON" : "expected ',' or '}'");
    }
  }

  parseArray(depth: i32): JsonValue | null {
    this.pos++; // [
    const arr = new Array<JsonValue>();
    this.skipWs();
    if (this.peek() == 0x5d) { this.pos++; return JsonValue.fromArray(arr); }
    while (true) {
      this.skipWs();
      const v = this.parseValue(depth + 1);
      if (v === null) return null;
      arr.push(v);
      this.skipWs();
      const c = this.peek();
      if (c == 0x2c) { this.pos++; continue; }
      if (c == 0x5d) { this.pos++; return JsonValue.fromArray(arr); }
      return this.fail(c < 0 ? "unexpected end of JSON" : "expected ',' or ']'");
    }
  }

  /**
   * Two passes: find the closing quote (noting escapes and non-ASCII), then decode into a string
   * allocated once. The common case — plain ASCII — is a widening copy.
   */
  parseString(intern: bool = false): string | null {
    const start = this.pos + 1;
    const close = this.findClose(start);
    if (close == 0) return null;
    return this.decodeString(start, close, this.plain, intern);
  }

  /** The address of the closing quote of the string whose content starts at `start`, or 0. */
  findClose(start: usize): usize {
    const end = this.end;
    let p = start;
    let plain = true;
    let seen: u64 = 0; // OR of the skipped words: their high bits say "non-ASCII"
    while (true) {
      while (p + 8 <= end) {
        const w = load<u64>(p);
        if (hasStringSpecial(w)) break;
        seen |= w;
        p += 8;
      }
      if (p >= end) { this.pos = p; this.fail("unterminated string"); return 0; }
      const c = load<u8>(p);
      if (c == 0x22) break;
      if (c == 0x5c) { plain = false; p += 2; continue; }
      if (c < 0x20) { this.pos = p; this.fail("control character in string"); return 0; }
      if (c >= 0x80) plain = false;
      p++;
    }
    this.plain = plain && !hasHighBit(seen);
    return p;
  }

  /** Checks escapes and UTF-8 of [start, close) exactly as decodeString would, without decoding. */
  validString(start: usize, close: usize): bool {
    let p = start;
    while (p < close) {
      if (p + 8 <= close) {
        const w = load<u64>(p);
        if (!hasHighBit(w) && !hasByte(w, 0x5c)) { p += 8; continue; }
      }
      const c = <u32>load<u8>(p);
      if (c < 0x80 && c != 0x5c) { p++; continue; }
      if (c == 0x5c) {
        const e = <u32>load<u8>(p, 1);
        if (e == 0x75) {
          if (p + 6 > close || hex4(p + 2) < 0) { this.pos = p; this.fail("invalid \\u escape"); return false; }
          p += 6;
          continue;
        }
        if (e == 0x22 || e == 0x5c || e == 0x2f || e == 0x62 || e == 0x66 || e == 0x6e || e == 0x72 || e == 0x74) { p += 2; continue; }
        this.pos = p; this.fail("invalid escape"); return false;
      }
      const len = utf8SequenceLength(p, close);
      if (len <= 0) { this.pos = p; this.fail("invalid UTF-8 in string"); return false; }
      p += <usize>len;
    }
    return true;
  }

  decodeString(start: usize, close: usize, plain: bool, intern: bool): string | null {
    let p = start;
    const n = <i32>(close - start);
    if (plain) {
      if (intern && n <= MAX_INTERNED) {
        const hit = internedKey(start, n);
        if (hit !== null) { this.pos = close + 1; return hit; }
      }
      const out = __new(<usize>n << 1, idof<string>());
      let i = 0;
      for (; i + 4 <= n; i += 4) store<u64>(out + (<usize>i << 1), widen4(<u64>load<u32>(start + <usize>i)));
      for (; i < n; i++) store<u16>(out + (<usize>i << 1), <u16>load<u8>(start + <usize>i));
      this.pos = close + 1;
      if (intern && n <= MAX_INTERNED) rememberKey(changetype<string>(out), start, n);
      return changetype<string>(out);
    }
    // Each input byte yields at most one UTF-16 unit.
    const out = __new(<usize>n << 1, idof<string>());
    let o = out;
    p = start;
    while (p < close) {
      // Runs of 8 ASCII bytes without a backslash are widened a word at a time.
      if (p + 8 <= close) {
        const w = load<u64>(p);
        if (!hasHighBit(w) && !hasByte(w, 0x5c)) {
          store<u64>(o, widen4(w & 0xFFFFFFFF));
          store<u64>(o, widen4(w >> 32), 8);
          o += 16; p += 8;
          continue;
        }
      }
      const c = <u32>load<u8>(p);
      if (c < 0x80 && c != 0x5c) { store<u16>(o, <u16>c); o += 2; p++; continue; }
      if (c == 0x5c) {
        const e = <u32>load<u8>(p, 1);
        p += 2;
        let u: u32;
        if (e == 0x22) u = 0x22;
        else if (e == 0x5c) u = 0x5c;
        else if (e == 0x2f) u = 0x2f;
        else if (e == 0x62) u = 0x08;
        else if (e == 0x66) u = 0x0c;
        else if (e == 0x6e) u = 0x0a;
        else if (e == 0x72) u = 0x0d;
        else if (e == 0x74) u = 0x09;
        else if (e == 0x75) {
          const h = p + 4 <= close ? hex4(p) : -1;
          if (h < 0) { this.pos = p - 2; this.fail("invalid \\u escape"); return null; }
          u = <u32>h;
          p += 4;
        } else { this.pos = p - 2; this.fail("invalid escape"); return null; }
        store<u16>(o, <u16>u); o += 2;
        continue;
      }
      const len = utf8SequenceLength(p, close);
      if (len <= 0) { this.pos = p; this.fail("invalid UTF-8 in string"); return null; }
      let cp: u32;
      if (len == 2) cp = (c & 0x1F) << 6 | (<u32>load<u8>(p, 1) & 0x3F);
      else if (len == 3) cp = (c & 0x0F) << 12 | (<u32>load<u8>(p, 1) & 0x3F) << 6 | (<u32>load<u8>(p, 2) & 0x3F);
      else cp = (c & 0x07) << 18 | (<u32>load<u8>(p, 1) & 0x3F) << 12 | (<u32>load<u8>(p, 2) & 0x3F) << 6 | (<u32>load<u8>(p, 3) & 0x3F);
      if (cp < 0x10000) { store<u16>(o, <u16>cp); o += 2; }
      else {
        const d = cp - 0x10000;
        store<u16>(o, <u16>(0xD800 | (d >> 10)));
        store<u16>(o, <u16>(0xDC00 | (d & 0x3FF)), 2);
        o += 4;
      }
      p += <usize>len;
    }
    this.pos = close + 1;
    return changetype<string>(__renew(out, o - out));
  }

  /**
   * Digits are accumulated while scanning. Mantissas up to 2^53 with small exponents are exact
   * with one multiply or divide; anything else goes to the exact (slower) path in json/number.ts.
   */
  parseNumber(): JsonValue | null {
    const start = this.pos;
    const end = this.end;
    let p = start;
    let neg = false;
    if (load<u8>(p) == 0x2d) { neg = true; p++; }
    if (p >= end) { this.pos = p; return this.fail("invalid number"); }
    let mant: u64 = 0;
    let digits = 0;
    let exp10 = 0;
    let c = <u32>load<u8>(p);
    if (c == 0x30) { p++; }
    else if (c >= 0x31 && c <= 0x39) {
      while (p < end) {
        c = <u32>load<u8>(p);
        if (c < 0x30 || c > 0x39) break;
        if (digits < 19) { mant = mant * 10 + <u64>(c - 0x30); digits++; } else exp10++;
        p++;
      }
    } else { this.pos = p; return this.fail("invalid number"); }
    if (p < end && load<u8>(p) == 0x2e) {
      p++;
      const fracStart = p;
      while (p < end) {
        c = <u32>load<u8>(p);
        if (c < 0x30 || c > 0x39) break;
        if (digits < 19) {
          if (mant != 0 || c != 0x30) digits++; // leading zeros of 0.000x cost no precision
          mant = mant * 10 + <u64>(c - 0x30);
          exp10--;
        }
        p++;
      }
      if (p == fracStart) { this.pos = p; return this.fail("invalid number"); }
    }
    if (p < end && (load<u8>(p) | 0x20) == 0x65) {
      p++;
      let eneg = false;
      if (p < end && (load<u8>(p) == 0x2b || load<u8>(p) == 0x2d)) { eneg = load<u8>(p) == 0x2d; p++; }
      const expStart = p;
      let e = 0;
      while (p < end) {
        c = <u32>load<u8>(p);
        if (c < 0x30 || c > 0x39) break;
        if (e < 100000) e = e * 10 + <i32>(c - 0x30);
        p++;
      }
      if (p == expStart) { this.pos = p; return this.fail("invalid number"); }
      exp10 += eneg ? -e : e;
    }
    this.pos = p;
    let v: f64;
    if (mant <= 9007199254740992 && exp10 >= -22 && exp10 <= 22 && digits < 19) {
      v = <f64>mant;
      if (exp10 > 0) v *= unchecked(POW10[exp10]);
      else if (exp10 < 0) v /= unchecked(POW10[-exp10]);
      if (neg) v = -v;
    } else {
      v = parseDecimal(start, <i32>(p - start));
    }
    return JsonValue.fromNumber(v);
  }
}

// Object keys and short values repeat ("role", "content", "user" in every message): short ASCII
// strings are shared through a small direct-mapped cache instead of being allocated again.
// Strings are immutable, so sharing is invisible to callers; the cache holds 64 short strings.
const MAX_INTERNED = 24;
const KEY_CACHE = new StaticArray<string | null>(64);

@inline function keySlot(p: usize, n: i32): i32 {
  return <i32>((<u32>n * 31 + <u32>load<u8>(p) * 7 + <u32>load<u8>(p + <usize>n - 1)) & 63);
}

function internedKey(p: usize, n: i32): string | null {
  if (n == 0) return "";
  const s = unchecked(KEY_CACHE[keySlot(p, n)]);
  if (s === null || s.length != n) return null;
  const q = changetype<usize>(s);
  for (let i = 0; i < n; i++) if (load<u16>(q + (<usize>i << 1)) != <u16>load<u8>(p + <usize>i)) return null;
  return s;
}

function rememberKey(s: string, p: usize, n: i32): void {
  if (n > 0) unchecked(KEY_CACHE[keySlot(p, n)] = s);
}

@inline function hexDigit(c: u32): i32 {
  if (c - 0x30 < 10) return <i32>(c - 0x30);
  const l = c | 0x20;
  if (l - 0x61 < 6) return <i32>(l - 0x61 + 10);
  return -1;
}

function hex4(p: usize): i32 {
  const a = hexDigit(load<u8>(p)), b = hexDigit(load<u8>(p, 1)), c = hexDigit(load<u8>(p, 2)), d = hexDigit(load<u8>(p, 3));
  if ((a | b | c | d) < 0) return -1;
  return (a << 12) | (b << 8) | (c << 4) | d;
}
