// A JSON document model whose readers never trap: every accessor returns null or a default
// when the value is missing or of another type. Parsing lives in json/parse.ts, printing in
// json/writer.ts.
import { JsonWriter } from "./writer";
import { parseStringAt } from "./parse";

export enum JsonKind { Null, Bool, Number, String, Array, Object }

export class JsonValue {
  kind: JsonKind = JsonKind.Null;
  bool: bool = false;
  num: f64 = 0;
  private text: string = "";
  /**
   * A long string from a parsed body is kept as its (validated) JSON literal in the source bytes
   * instead of a UTF-16 copy twice its size: the writer copies the literal back out as it is, and
   * `str` decodes it on each read. Set by the parser only.
   */
  source: ArrayBuffer | null = null;
  sourceStart: i32 = 0;
  sourceEnd: i32 = 0;
  arr: Array<JsonValue> | null = null;
  obj: JsonObject | null = null;

  static null(): JsonValue { return new JsonValue(); }
  static fromBool(b: bool): JsonValue { const v = new JsonValue(); v.kind = JsonKind.Bool; v.bool = b; return v; }
  static fromNumber(n: f64): JsonValue { const v = new JsonValue(); v.kind = JsonKind.Number; v.num = n; return v; }
  static fromInt(n: i64): JsonValue { return JsonValue.fromNumber(<f64>n); }
  static fromString(s: string): JsonValue { const v = new JsonValue(); v.kind = JsonKind.String; v.text = s; return v; }
  /** A string whose JSON literal (quotes included, already validated) is bytes [start, end) of `source`. */
  static fromSourceString(source: ArrayBuffer, start: i32, end: i32): JsonValue {
    const v = new JsonValue();
    v.kind = JsonKind.String;
    v.source = source;
    v.sourceStart = start;
    v.sourceEnd = end;
    return v;
  }

  /** The string (decoded now when it was left in the source bytes); "" when not a string. */
  get str(): string {
    const src = this.source;
    if (src === null) return this.text;
    const base = changetype<usize>(src);
    const s = parseStringAt(base + <usize>this.sourceStart, base + <usize>this.sourceEnd);
    return s === null ? "" : s;
  }
  set str(s: string) { this.text = s; this.source = null; }

  /** True for "" (without decoding a string kept in the source bytes). */
  get isEmptyString(): bool {
    if (this.kind != JsonKind.String) return false;
    return this.source !== null ? this.sourceEnd - this.sourceStart <= 2 : this.text.length == 0;
  }
  static fromArray(a: Array<JsonValue>): JsonValue { const v = new JsonValue(); v.kind = JsonKind.Array; v.arr = a; return v; }
  static fromObject(o: JsonObject): JsonValue { const v = new JsonValue(); v.kind = JsonKind.Object; v.obj = o; return v; }
  static newObject(): JsonValue { return JsonValue.fromObject(new JsonObject()); }
  static newArray(): JsonValue { return JsonValue.fromArray(new Array<JsonValue>()); }
  static fromStrings(list: Array<string>): JsonValue {
    const a = new Array<JsonValue>(list.length);
    for (let i = 0; i < list.length; i++) a[i] = JsonValue.fromString(list[i]);
    return JsonValue.fromArray(a);
  }

  get isNull(): bool { return this.kind == JsonKind.Null; }
  get isString(): bool { return this.kind == JsonKind.String; }
  get isNumber(): bool { return this.kind == JsonKind.Number; }
  get isBool(): bool { return this.kind == JsonKind.Bool; }
  get isArray(): bool { return this.kind == JsonKind.Array; }
  get isObject(): bool { return this.kind == JsonKind.Object; }

  asString(): string | null { return this.kind == JsonKind.String ? this.str : null; }
  asArray(): Array<JsonValue> | null { return this.kind == JsonKind.Array ? this.arr : null; }
  asObject(): JsonObject | null { return this.kind == JsonKind.Object ? this.obj : null; }
  asNumber(def: f64): f64 { return this.kind == JsonKind.Number ? this.num : def; }
  asBool(def: bool): bool { return this.kind == JsonKind.Bool ? this.bool : def; }
  /** The number truncated to an integer; `def` when not a finite number in i64 range. */
  asInt(def: i64): i64 { return this.kind == JsonKind.Number ? toInt(this.num, def) : def; }

  /** Items in an array, keys in an object, else 0. */
  get length(): i32 {
    if (this.kind == JsonKind.Array) return this.arr!.length;
    if (this.kind == JsonKind.Object) return this.obj!.size;
    return 0;
  }

  /** The i-th array item; null when not an array or out of range. */
  at(i: i32): JsonValue | null {
    if (this.kind != JsonKind.Array) return null;
    const a = this.arr!;
    return i >= 0 && i < a.length ? unchecked(a[i]) : null;
  }

  /** A member of an object; null when not an object or absent. */
  get(key: string): JsonValue | null {
    return this.kind == JsonKind.Object ? this.obj!.get(key) : null;
  }

  /** Appends to an array (ignored when this is not an array). */
  push(v: JsonValue): void {
    if (this.kind == JsonKind.Array) this.arr!.push(v);
  }

  /**
   * Follows a dotted path, gjson style: "choices.0.message.content". Numeric segments index
   * arrays; `\.` is a literal dot in a key. Null when any step is missing or of the wrong kind.
   */
  getPath(path: string): JsonValue | null {
    let cur: JsonValue | null = this;
    let i = 0;
    const n = path.length;
    while (cur !== null && i <= n) {
      let seg = "";
      let start = i;
      let escaped = false;
      while (i < n) {
        const c = path.charCodeAt(i);
        if (c == 0x5c && i + 1 < n) { escaped = true; i += 2; continue; }
        if (c == 0x2e) break;
        i++;
      }
      seg = path.substring(start, i);
      if (escaped) seg = seg.replaceAll("\\.", ".");
      i++; // skip the dot
      const v: JsonValue = cur;
      if (v.kind == JsonKind.Object) cur = v.obj!.get(seg);
      else if (v.kind == JsonKind.Array) {
        const idx = parseIndex(seg);
        cur = idx < 0 ? null : v.at(idx);
      } else cur = null;
    }
    return cur;
  }

  /** The value as text: strings as they are, numbers and booleans printed, else null. */
  toText(): string | null {
    if (this.kind == JsonKind.String) return this.str;
    if (this.kind == JsonKind.Number) return formatNumber(this.num);
    if (this.kind == JsonKind.Bool) return this.bool ? "true" : "false";
    return null;
  }

  stringify(): string {
    const w = new JsonWriter();
    w.value(this);
    return w.toString();
  }

  /** Serialises straight to UTF-8 bytes (what a body needs; no UTF-16 detour). */
  toBytes(): ArrayBuffer {
    const w = new JsonWriter();
    w.value(this);
    return w.toBytes();
  }
}

/** Objects this small are searched linearly; bigger ones get a hash index. */
const INDEX_THRESHOLD = 12;

/** An object that keeps its keys in document order (the last duplicate wins, like JSON.parse). */
export class JsonObject {
  keys: Array<string> = new Array<string>();
  values: Array<JsonValue> = new Array<JsonValue>();
  private index: Map<string, i32> | null = null;

  get size(): i32 { return this.keys.length; }

  private find(key: string): i32 {
    const idx = this.index;
    if (idx !== null) return idx.has(key) ? idx.get(key) : -1;
    const keys = this.keys;
    for (let i = 0, n = keys.length; i < n; i++) if (unchecked(keys[i]) == key) return i;
    return -1;
  }

  has(key: string): bool { return this.find(key) >= 0; }

  get(key: string): JsonValue | null {
    const i = this.find(key);
    // `keys` and `values` are public; a caller that edits one without the other must not crash us.
    return i < 0 || i >= this.values.length ? null : unchecked(this.values[i]);
  }

  /** The i-th key / value in document order (null when out of range). */
  keyAt(i: i32): string | null { return i >= 0 && i < this.keys.length ? unchecked(this.keys[i]) : null; }
  valueAt(i: i32): JsonValue | null { return i >= 0 && i < this.values.length ? unchecked(this.values[i]) : null; }

  set(key: string, value: JsonValue): void {
    const i = this.find(key);
    if (i >= 0 && i < this.values.length) { unchecked(this.values[i] = value); return; }
    if (i >= 0) return;
    this.keys.push(key);
    this.values.push(value);
    const idx = this.index;
    if (idx !== null) idx.set(key, this.keys.length - 1);
    else if (this.keys.length > INDEX_THRESHOLD) this.buildIndex();
  }

  setString(key: string, s: string): void { this.set(key, JsonValue.fromString(s)); }
  setNumber(key: string, n: f64): void { this.set(key, JsonValue.fromNumber(n)); }
  setInt(key: string, n: i64): void { this.set(key, JsonValue.fromInt(n)); }
  setBool(key: string, b: bool): void { this.set(key, JsonValue.fromBool(b)); }
  setNull(key: string): void { this.set(key, JsonValue.null()); }

  delete(key: string): void {
    const i = this.find(key);
    if (i < 0) return;
    this.keys.splice(i, 1);
    this.values.splice(i, 1);
    if (this.index !== null) this.buildIndex();
  }

  private buildIndex(): void {
    const m = new Map<string, i32>();
    const keys = this.keys;
    for (let i = 0, n = keys.length; i < n; i++) m.set(unchecked(keys[i]), i);
    this.index = m;
  }

  getString(key: string): string | null {
    const v = this.get(key);
    return v === null ? null : v.asString();
  }
  getObject(key: string): JsonObject | null {
    const v = this.get(key);
    return v === null ? null : v.asObject();
  }
  getArray(key: string): Array<JsonValue> | null {
    const v = this.get(key);
    return v === null ? null : v.asArray();
  }
  /** A number; `def` when absent or of another type. */
  getNumber(key: string, def: f64): f64 {
    const v = this.get(key);
    if (v === null) return def;
    return v.asNumber(def);
  }
  /** A number truncated to an integer; `def` when absent, of another type, or out of i64 range. */
  getInt(key: string, def: i64): i64 {
    const v = this.get(key);
    if (v === null) return def;
    return v.asInt(def);
  }
  getBool(key: string, def: bool): bool {
    const v = this.get(key);
    if (v === null) return def;
    return v.asBool(def);
  }
  /** An array of strings; non-string items are skipped. Null when the key is absent or not an array. */
  getStringArray(key: string): Array<string> | null {
    const a = this.getArray(key);
    if (a === null) return null;
    const out = new Array<string>();
    for (let i = 0; i < a.length; i++) {
      const s = a[i].asString();
      if (s !== null) out.push(s);
    }
    return out;
  }
  /** See JsonValue.getPath. */
  getPath(path: string): JsonValue | null {
    return JsonValue.fromObject(this).getPath(path);
  }

  stringify(): string {
    return JsonValue.fromObject(this).stringify();
  }
  toBytes(): ArrayBuffer {
    return JsonValue.fromObject(this).toBytes();
  }
}

function toInt(n: f64, def: i64): i64 {
  if (!isFinite(n) || Math.abs(n) >= 9223372036854775807.0) return def;
  return <i64>n;
}

function parseIndex(s: string): i32 {
  const n = s.length;
  if (n == 0 || n > 9) return -1;
  let v = 0;
  for (let i = 0; i < n; i++) {
    const c = <i32>s.charCodeAt(i) - 0x30;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

export function formatNumber(n: f64): string {
  if (!isFinite(n)) return "null";
  if (n == 0 && 1 / n < 0) return "-0";
  if (n == Math.floor(n) && Math.abs(n) < 9007199254740992.0) return (<i64>n).toString();
  return n.toString();
}

/** Quotes a string as a JSON string literal (lone surrogates escaped, like JSON.stringify). */
export function quoteJsonString(s: string): string {
  const w = QUOTE_WRITER;
  w.clear();
  w.string(s);
  return w.toString();
}

/** `s` as a JSON string literal in UTF-8 bytes (no UTF-16 round trip). */
export function quoteJsonBytes(s: string): ArrayBuffer {
  const w = QUOTE_WRITER;
  w.clear();
  w.string(s);
  return w.toBytes();
}

/** One writer for quoting (its bytes are copied out before anything else can use it). */
const QUOTE_WRITER = new JsonWriter(64);
