import { quoteJsonString } from "../json/value";

// RESP2, the Redis wire protocol: values, an encoder, and an incremental decoder that tells
// "need more bytes" apart from "these bytes are not RESP". Nothing here traps on bad input:
// lengths, counts, integers and nesting depth are checked before they are used.

export enum RespKind { SimpleString, Error, Integer, BulkString, Nil, NilArray, Array }

export class RespValue {
  kind: RespKind = RespKind.Nil;
  /** Bytes of a simple string, error or bulk string. */
  bytes: ArrayBuffer = new ArrayBuffer(0);
  integer: i64 = 0;
  items: Array<RespValue> = [];

  static simple(s: string): RespValue { return RespValue.ofBytes(RespKind.SimpleString, String.UTF8.encode(s)); }
  static error(s: string): RespValue { return RespValue.ofBytes(RespKind.Error, String.UTF8.encode(s)); }
  static bulk(b: ArrayBuffer): RespValue { return RespValue.ofBytes(RespKind.BulkString, b); }
  static bulkString(s: string): RespValue { return RespValue.ofBytes(RespKind.BulkString, String.UTF8.encode(s)); }
  static int(n: i64): RespValue { const v = new RespValue(); v.kind = RespKind.Integer; v.integer = n; return v; }
  static nil(): RespValue { return new RespValue(); }
  static nilArray(): RespValue { const v = new RespValue(); v.kind = RespKind.NilArray; return v; }
  static array(items: Array<RespValue>): RespValue { const v = new RespValue(); v.kind = RespKind.Array; v.items = items; return v; }
  static ofBytes(kind: RespKind, b: ArrayBuffer): RespValue { const v = new RespValue(); v.kind = kind; v.bytes = b; return v; }

  get isError(): bool { return this.kind == RespKind.Error; }
  /** A nil bulk string or a nil array. */
  get isNil(): bool { return this.kind == RespKind.Nil || this.kind == RespKind.NilArray; }
  get isArray(): bool { return this.kind == RespKind.Array; }

  /** Text of a bulk/simple string or error, the decimal of an integer, null otherwise. */
  asString(): string | null {
    if (this.kind == RespKind.Integer) return this.integer.toString();
    if (this.kind == RespKind.BulkString || this.kind == RespKind.SimpleString || this.kind == RespKind.Error) return String.UTF8.decode(this.bytes);
    return null;
  }

  /** An integer reply, or a string holding a decimal integer; `fallback` otherwise. */
  asInt(fallback: i64 = 0): i64 {
    if (this.kind == RespKind.Integer) return this.integer;
    if (this.kind == RespKind.BulkString || this.kind == RespKind.SimpleString) {
      const r = parseDecimal(Uint8Array.wrap(this.bytes), 0, this.bytes.byteLength);
      return r.ok ? r.value : fallback;
    }
    return fallback;
  }

  /** A readable JSON form (for logs and tests): bulk → "text", simple → {"simple":…},
   *  error → {"error":…}, integer → {"int":"n"}, nil → null, nil array → {"nilArray":true}, array → […]. */
  toJson(): string {
    switch (this.kind) {
      case RespKind.BulkString: return quoteJsonString(String.UTF8.decode(this.bytes));
      case RespKind.SimpleString: return "{\"simple\":" + quoteJsonString(String.UTF8.decode(this.bytes)) + "}";
      case RespKind.Error: return "{\"error\":" + quoteJsonString(String.UTF8.decode(this.bytes)) + "}";
      case RespKind.Integer: return "{\"int\":\"" + this.integer.toString() + "\"}";
      case RespKind.NilArray: return "{\"nilArray\":true}";
      case RespKind.Array: {
        let out = "[";
        for (let i = 0; i < this.items.length; i++) { if (i > 0) out += ","; out += this.items[i].toJson(); }
        return out + "]";
      }
    }
    return "null";
  }

  /** Element `i` of an array reply, or null. */
  at(i: i32): RespValue | null {
    if (this.kind != RespKind.Array || i < 0 || i >= this.items.length) return null;
    return this.items[i];
  }
}

// ---- encoder --------------------------------------------------------------------------------

class ByteWriter {
  buf: Uint8Array = new Uint8Array(64);
  len: i32 = 0;
  private grow(extra: i32): void {
    if (this.len + extra <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + extra) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }
  byte(b: u8): void { this.grow(1); this.buf[this.len++] = b; }
  bytes(b: ArrayBuffer): void {
    const n = b.byteLength;
    this.grow(n);
    memory.copy(changetype<usize>(this.buf.buffer) + <usize>this.buf.byteOffset + <usize>this.len, changetype<usize>(b), <usize>n);
    this.len += n;
  }
  ascii(s: string): void { for (let i = 0; i < s.length; i++) this.byte(<u8>s.charCodeAt(i)); }
  crlf(): void { this.byte(13); this.byte(10); }
  finish(): ArrayBuffer { return this.buf.slice(0, this.len).buffer; }
}

function writeValue(w: ByteWriter, v: RespValue): void {
  switch (v.kind) {
    case RespKind.SimpleString: w.byte(43); w.bytes(v.bytes); w.crlf(); break; // '+'
    case RespKind.Error: w.byte(45); w.bytes(v.bytes); w.crlf(); break; // '-'
    case RespKind.Integer: w.byte(58); w.ascii(v.integer.toString()); w.crlf(); break; // ':'
    case RespKind.BulkString: w.byte(36); w.ascii(v.bytes.byteLength.toString()); w.crlf(); w.bytes(v.bytes); w.crlf(); break;
    case RespKind.Nil: w.ascii("$-1"); w.crlf(); break;
    case RespKind.NilArray: w.ascii("*-1"); w.crlf(); break;
    case RespKind.Array:
      w.byte(42); w.ascii(v.items.length.toString()); w.crlf();
      for (let i = 0; i < v.items.length; i++) writeValue(w, v.items[i]);
      break;
  }
}

/** Serializes any value (simple strings and errors must not contain CR or LF). */
export function encodeValue(v: RespValue): ArrayBuffer {
  const w = new ByteWriter();
  writeValue(w, v);
  return w.finish();
}

/** A command as Redis wants it: an array of bulk strings. */
export function encodeCommand(args: Array<ArrayBuffer>): ArrayBuffer {
  const w = new ByteWriter();
  w.byte(42); w.ascii(args.length.toString()); w.crlf();
  for (let i = 0; i < args.length; i++) {
    w.byte(36); w.ascii(args[i].byteLength.toString()); w.crlf(); w.bytes(args[i]); w.crlf();
  }
  return w.finish();
}

// ---- decoder --------------------------------------------------------------------------------

export enum DecodeStatus { Complete, Incomplete, Malformed }

export class DecodeResult {
  constructor(public status: DecodeStatus, public value: RespValue | null, public consumed: i32, public error: string) {}
  get ok(): bool { return this.status == DecodeStatus.Complete; }
}

/** Deeper nesting than this is refused rather than recursed into (the stack is finite). */
export const MAX_DEPTH: i32 = 64;
/** Largest bulk string accepted (Redis's own proto-max-bulk-len default). */
export const MAX_BULK: i64 = 512 * 1024 * 1024;
/** Largest array count accepted. */
export const MAX_ITEMS: i64 = 1 << 24;

class ParsedInt {
  constructor(public ok: bool, public value: i64) {}
}

/** A decimal i64 in bytes [from, to): optional '-', digits only, no overflow. */
function parseDecimal(b: Uint8Array, from: i32, to: i32): ParsedInt {
  if (from >= to) return new ParsedInt(false, 0);
  let neg = false;
  let i = from;
  if (b[i] == 45) { neg = true; i++; if (i >= to) return new ParsedInt(false, 0); }
  let n: u64 = 0;
  const limit: u64 = neg ? <u64>9223372036854775808 : <u64>9223372036854775807;
  for (; i < to; i++) {
    const c = b[i];
    if (c < 48 || c > 57) return new ParsedInt(false, 0);
    const d = <u64>(c - 48);
    if (n > (limit - d) / 10) return new ParsedInt(false, 0);
    n = n * 10 + d;
  }
  return new ParsedInt(true, neg ? -(<i64>n) : <i64>n);
}

class Parser {
  status: DecodeStatus = DecodeStatus.Complete;
  error: string = "";
  constructor(public b: Uint8Array, public pos: i32, public end: i32) {}

  private fail(msg: string): RespValue | null {
    if (this.status == DecodeStatus.Complete) { this.status = DecodeStatus.Malformed; this.error = msg; }
    return null;
  }
  private more(): RespValue | null {
    if (this.status == DecodeStatus.Complete) this.status = DecodeStatus.Incomplete;
    return null;
  }

  /** Index of the CR that ends the line starting at `pos`; -1 incomplete, -2 malformed. */
  private lineEnd(): i32 {
    for (let i = this.pos; i < this.end; i++) {
      const c = this.b[i];
      if (c == 13) {
        if (i + 1 >= this.end) return -1;
        return this.b[i + 1] == 10 ? i : -2;
      }
      if (c == 10) return -2;
    }
    return -1;
  }

  value(depth: i32): RespValue | null {
    if (depth > MAX_DEPTH) return this.fail("nesting deeper than " + MAX_DEPTH.toString());
    if (this.pos >= this.end) return this.more();
    const type = this.b[this.pos];
    if (type != 43 && type != 45 && type != 58 && type != 36 && type != 42) {
      return this.fail("unknown type byte 0x" + (<u32>type).toString(16) + " at offset " + this.pos.toString());
    }
    this.pos++;
    const eol = this.lineEnd();
    if (eol == -1) return this.more();
    if (eol == -2) return this.fail("line without CRLF at offset " + this.pos.toString());
    const lineStart = this.pos;
    this.pos = eol + 2;
    if (type == 43 || type == 45) {
      const bytes = this.b.slice(lineStart, eol).buffer;
      return RespValue.ofBytes(type == 43 ? RespKind.SimpleString : RespKind.Error, bytes);
    }
    const n = parseDecimal(this.b, lineStart, eol);
    if (!n.ok) return this.fail("bad integer at offset " + lineStart.toString());
    if (type == 58) return RespValue.int(n.value);
    if (type == 36) {
      if (n.value == -1) return RespValue.nil();
      if (n.value < 0 || n.value > MAX_BULK) return this.fail("bad bulk length " + n.value.toString());
      const len = <i32>n.value;
      if (<i64>this.pos + <i64>len + 2 > <i64>this.end) return this.more();
      if (this.b[this.pos + len] != 13 || this.b[this.pos + len + 1] != 10) return this.fail("bulk string not followed by CRLF");
      const bytes = this.b.slice(this.pos, this.pos + len).buffer;
      this.pos += len + 2;
      return RespValue.bulk(bytes);
    }
    // '*'
    if (n.value == -1) return RespValue.nilArray();
    if (n.value < 0 || n.value > MAX_ITEMS) return this.fail("bad array count " + n.value.toString());
    const count = <i32>n.value;
    const items = new Array<RespValue>();
    for (let i = 0; i < count; i++) {
      const item = this.value(depth + 1);
      if (item === null) return null;
      items.push(item);
    }
    return RespValue.array(items);
  }
}

/** Decodes one value from `bytes[offset..]`. */
export function decodeAt(bytes: Uint8Array, offset: i32): DecodeResult {
  if (offset < 0 || offset > bytes.length) return new DecodeResult(DecodeStatus.Malformed, null, 0, "offset out of range");
  const p = new Parser(bytes, offset, bytes.length);
  const v = p.value(0);
  if (v === null) return new DecodeResult(p.status, null, 0, p.status == DecodeStatus.Incomplete ? "incomplete reply" : p.error);
  return new DecodeResult(DecodeStatus.Complete, v, p.pos - offset, "");
}

/** Decodes exactly one value that must fill `buf` (a whole reply). */
export function decodeReply(buf: ArrayBuffer): DecodeResult {
  const r = decodeAt(Uint8Array.wrap(buf), 0);
  if (r.ok && r.consumed != buf.byteLength) {
    return new DecodeResult(DecodeStatus.Malformed, null, 0, (buf.byteLength - r.consumed).toString() + " bytes after the reply");
  }
  return r;
}

/**
 * Incremental decoder: feed bytes as they arrive, take values out as they complete.
 * After a Malformed result the stream cannot be resynchronized; the reader stays failed.
 */
export class RespReader {
  private buf: Uint8Array = new Uint8Array(0);
  private len: i32 = 0;
  private pos: i32 = 0;
  failed: string = "";

  feed(chunk: ArrayBuffer): void {
    const n = chunk.byteLength;
    if (this.len + n > this.buf.length) {
      // Drop consumed bytes, then grow.
      const live = this.len - this.pos;
      let cap = this.buf.length < 64 ? 64 : this.buf.length;
      while (cap < live + n) cap *= 2;
      const next = new Uint8Array(cap);
      next.set(this.buf.subarray(this.pos, this.len));
      this.buf = next;
      this.len = live;
      this.pos = 0;
    }
    memory.copy(changetype<usize>(this.buf.buffer) + <usize>this.len, changetype<usize>(chunk), <usize>n);
    this.len += n;
  }

  /** The next complete value, or Incomplete (feed more), or Malformed. */
  next(): DecodeResult {
    if (this.failed.length > 0) return new DecodeResult(DecodeStatus.Malformed, null, 0, this.failed);
    const r = decodeAt(this.buf.subarray(0, this.len), this.pos);
    if (r.status == DecodeStatus.Complete) this.pos += r.consumed;
    else if (r.status == DecodeStatus.Malformed) this.failed = r.error;
    return r;
  }

  /** Bytes fed but not yet returned as values. */
  get pending(): i32 { return this.len - this.pos; }
}
