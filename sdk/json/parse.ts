// A strict JSON parser (RFC 8259) that returns an error value instead of trapping, whatever the
// input: truncated, malformed, deeply nested (depth is capped) or huge numbers.
import { JsonValue, JsonObject } from "./value";

export const MAX_JSON_DEPTH: i32 = 128;

export class JsonResult {
  constructor(public value: JsonValue | null, public error: string) {}
  get ok(): bool { return this.value !== null; }
}

export function parseJson(text: string): JsonResult {
  const p = new Parser(text);
  p.skipWs();
  const v = p.parseValue(0);
  if (v === null) return new JsonResult(null, p.error);
  p.skipWs();
  if (p.pos < p.len) return new JsonResult(null, "unexpected data after JSON value at offset " + p.pos.toString());
  return new JsonResult(v, "");
}

export function parseJsonBytes(bytes: ArrayBuffer): JsonResult {
  return parseJson(String.UTF8.decode(bytes));
}

/** Parses and requires an object at the top level. */
export function parseJsonObject(text: string): JsonObjectResult {
  const r = parseJson(text);
  if (!r.ok) return new JsonObjectResult(null, r.error);
  const o = r.value!.asObject();
  if (o === null) return new JsonObjectResult(null, "expected a JSON object");
  return new JsonObjectResult(o, "");
}

export class JsonObjectResult {
  constructor(public value: JsonObject | null, public error: string) {}
  get ok(): bool { return this.value !== null; }
}

class Parser {
  pos: i32 = 0;
  len: i32;
  error: string = "";
  constructor(public s: string) { this.len = s.length; }

  @inline peek(): i32 { return this.pos < this.len ? <i32>this.s.charCodeAt(this.pos) : -1; }

  skipWs(): void {
    while (this.pos < this.len) {
      const c = this.s.charCodeAt(this.pos);
      if (c == 0x20 || c == 0x0a || c == 0x0d || c == 0x09) this.pos++;
      else break;
    }
  }

  fail(msg: string): JsonValue | null {
    if (this.error.length == 0) this.error = msg + " at offset " + this.pos.toString();
    return null;
  }

  parseValue(depth: i32): JsonValue | null {
    if (depth > MAX_JSON_DEPTH) return this.fail("JSON nested too deeply");
    const c = this.peek();
    if (c == 0x7b) return this.parseObject(depth);
    if (c == 0x5b) return this.parseArray(depth);
    if (c == 0x22) {
      const s = this.parseString();
      return s === null ? null : JsonValue.fromString(s);
    }
    if (c == 0x74) return this.literal("true", JsonValue.fromBool(true));
    if (c == 0x66) return this.literal("false", JsonValue.fromBool(false));
    if (c == 0x6e) return this.literal("null", JsonValue.null());
    if (c == 0x2d || (c >= 0x30 && c <= 0x39)) return this.parseNumber();
    if (c < 0) return this.fail("unexpected end of JSON");
    return this.fail("unexpected character");
  }

  literal(word: string, v: JsonValue): JsonValue | null {
    if (this.pos + word.length > this.len || this.s.substr(this.pos, word.length) != word) return this.fail("invalid literal");
    this.pos += word.length;
    return v;
  }

  parseObject(depth: i32): JsonValue | null {
    this.pos++; // {
    const obj = new JsonObject();
    this.skipWs();
    if (this.peek() == 0x7d) { this.pos++; return JsonValue.fromObject(obj); }
    while (true) {
      this.skipWs();
      if (this.peek() != 0x22) return this.fail("expected a string key");
      const key = this.parseString();
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
      return this.fail("expected ',' or '}'");
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
      return this.fail("expected ',' or ']'");
    }
  }

  parseString(): string | null {
    this.pos++; // opening quote
    const start = this.pos;
    // Fast path: no escapes.
    while (this.pos < this.len) {
      const c = this.s.charCodeAt(this.pos);
      if (c == 0x22) { const r = this.s.substring(start, this.pos); this.pos++; return r; }
      if (c == 0x5c) break;
      if (c < 0x20) { this.fail("control character in string"); return null; }
      this.pos++;
    }
    const parts = new Array<string>();
    parts.push(this.s.substring(start, this.pos));
    while (this.pos < this.len) {
      const c = this.s.charCodeAt(this.pos);
      if (c == 0x22) { this.pos++; return parts.join(""); }
      if (c < 0x20) { this.fail("control character in string"); return null; }
      if (c != 0x5c) {
        const runStart = this.pos;
        while (this.pos < this.len) {
          const d = this.s.charCodeAt(this.pos);
          if (d == 0x22 || d == 0x5c || d < 0x20) break;
          this.pos++;
        }
        parts.push(this.s.substring(runStart, this.pos));
        continue;
      }
      this.pos++; // backslash
      if (this.pos >= this.len) break;
      const e = this.s.charCodeAt(this.pos);
      this.pos++;
      if (e == 0x22) parts.push("\"");
      else if (e == 0x5c) parts.push("\\");
      else if (e == 0x2f) parts.push("/");
      else if (e == 0x62) parts.push("\b");
      else if (e == 0x66) parts.push("\f");
      else if (e == 0x6e) parts.push("\n");
      else if (e == 0x72) parts.push("\r");
      else if (e == 0x74) parts.push("\t");
      else if (e == 0x75) {
        const u = this.hex4();
        if (u < 0) { this.fail("invalid \\u escape"); return null; }
        parts.push(String.fromCharCode(u));
      } else { this.fail("invalid escape"); return null; }
    }
    this.fail("unterminated string");
    return null;
  }

  hex4(): i32 {
    if (this.pos + 4 > this.len) return -1;
    let v = 0;
    for (let i = 0; i < 4; i++) {
      const c = <i32>this.s.charCodeAt(this.pos + i);
      let d: i32;
      if (c >= 0x30 && c <= 0x39) d = c - 0x30;
      else if (c >= 0x61 && c <= 0x66) d = c - 0x61 + 10;
      else if (c >= 0x41 && c <= 0x46) d = c - 0x41 + 10;
      else return -1;
      v = (v << 4) | d;
    }
    this.pos += 4;
    return v;
  }

  parseNumber(): JsonValue | null {
    const start = this.pos;
    if (this.peek() == 0x2d) this.pos++;
    let c = this.peek();
    if (c == 0x30) { this.pos++; }
    else if (c >= 0x31 && c <= 0x39) { while (this.peek() >= 0x30 && this.peek() <= 0x39) this.pos++; }
    else return this.fail("invalid number");
    if (this.peek() == 0x2e) {
      this.pos++;
      if (!(this.peek() >= 0x30 && this.peek() <= 0x39)) return this.fail("invalid number");
      while (this.peek() >= 0x30 && this.peek() <= 0x39) this.pos++;
    }
    c = this.peek();
    if (c == 0x65 || c == 0x45) {
      this.pos++;
      c = this.peek();
      if (c == 0x2b || c == 0x2d) this.pos++;
      if (!(this.peek() >= 0x30 && this.peek() <= 0x39)) return this.fail("invalid number");
      while (this.peek() >= 0x30 && this.peek() <= 0x39) this.pos++;
    }
    const n = parseFloat(this.s.substring(start, this.pos));
    return JsonValue.fromNumber(n);
  }
}
