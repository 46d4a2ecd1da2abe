// A JSON document model whose readers never trap: every accessor returns null or a default
// when the value is missing or of another type. Parsing lives in json/parse.ts.

export enum JsonKind { Null, Bool, Number, String, Array, Object }

export class JsonValue {
  kind: JsonKind = JsonKind.Null;
  bool: bool = false;
  num: f64 = 0;
  str: string = "";
  arr: Array<JsonValue> | null = null;
  obj: JsonObject | null = null;

  static null(): JsonValue { return new JsonValue(); }
  static fromBool(b: bool): JsonValue { const v = new JsonValue(); v.kind = JsonKind.Bool; v.bool = b; return v; }
  static fromNumber(n: f64): JsonValue { const v = new JsonValue(); v.kind = JsonKind.Number; v.num = n; return v; }
  static fromString(s: string): JsonValue { const v = new JsonValue(); v.kind = JsonKind.String; v.str = s; return v; }
  static fromArray(a: Array<JsonValue>): JsonValue { const v = new JsonValue(); v.kind = JsonKind.Array; v.arr = a; return v; }
  static fromObject(o: JsonObject): JsonValue { const v = new JsonValue(); v.kind = JsonKind.Object; v.obj = o; return v; }
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

  /** The value as text: strings as they are, numbers and booleans printed, else null. */
  toText(): string | null {
    if (this.kind == JsonKind.String) return this.str;
    if (this.kind == JsonKind.Number) return formatNumber(this.num);
    if (this.kind == JsonKind.Bool) return this.bool ? "true" : "false";
    return null;
  }

  stringify(): string {
    const sb = new Array<string>();
    writeValue(this, sb);
    return sb.join("");
  }
}

/** An object that keeps its keys in document order (the last duplicate wins, like JSON.parse). */
export class JsonObject {
  keys: Array<string> = new Array<string>();
  private map: Map<string, JsonValue> = new Map<string, JsonValue>();

  get size(): i32 { return this.keys.length; }
  has(key: string): bool { return this.map.has(key); }

  get(key: string): JsonValue | null {
    if (!this.map.has(key)) return null;
    return this.map.get(key);
  }

  set(key: string, value: JsonValue): void {
    if (!this.map.has(key)) this.keys.push(key);
    this.map.set(key, value);
  }

  delete(key: string): void {
    if (!this.map.has(key)) return;
    this.map.delete(key);
    const i = this.keys.indexOf(key);
    if (i >= 0) this.keys.splice(i, 1);
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
  /** A number (or a numeric string, as Higress's gjson accepts) — `def` when absent or wrong. */
  getNumber(key: string, def: f64): f64 {
    const v = this.get(key);
    if (v === null) return def;
    if (v.kind == JsonKind.Number) return v.num;
    return def;
  }
  getBool(key: string, def: bool): bool {
    const v = this.get(key);
    if (v === null || v.kind != JsonKind.Bool) return def;
    return v.bool;
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

  stringify(): string {
    return JsonValue.fromObject(this).stringify();
  }
}

export function formatNumber(n: f64): string {
  if (!isFinite(n)) return "null";
  if (n == Math.floor(n) && Math.abs(n) < 9007199254740992.0) return (<i64>n).toString();
  return n.toString();
}

function writeValue(v: JsonValue, sb: Array<string>): void {
  switch (v.kind) {
    case JsonKind.Null: sb.push("null"); break;
    case JsonKind.Bool: sb.push(v.bool ? "true" : "false"); break;
    case JsonKind.Number: sb.push(formatNumber(v.num)); break;
    case JsonKind.String: sb.push(quoteJsonString(v.str)); break;
    case JsonKind.Array: {
      const a = v.arr!;
      sb.push("[");
      for (let i = 0; i < a.length; i++) {
        if (i > 0) sb.push(",");
        writeValue(a[i], sb);
      }
      sb.push("]");
      break;
    }
    case JsonKind.Object: {
      const o = v.obj!;
      sb.push("{");
      for (let i = 0; i < o.keys.length; i++) {
        if (i > 0) sb.push(",");
        const k = o.keys[i];
        sb.push(quoteJsonString(k));
        sb.push(":");
        writeValue(o.get(k)!, sb);
      }
      sb.push("}");
      break;
    }
  }
}

const HEX = "0123456789abcdef";

/** Quotes a string as a JSON string literal. */
export function quoteJsonString(s: string): string {
  let needs = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c == 0x22 || c == 0x5c) { needs = true; break; }
  }
  if (!needs) return "\"" + s + "\"";
  const parts = new Array<string>();
  parts.push("\"");
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x20 && c != 0x22 && c != 0x5c) continue;
    if (i > start) parts.push(s.substring(start, i));
    start = i + 1;
    if (c == 0x22) parts.push("\\\"");
    else if (c == 0x5c) parts.push("\\\\");
    else if (c == 0x0a) parts.push("\\n");
    else if (c == 0x0d) parts.push("\\r");
    else if (c == 0x09) parts.push("\\t");
    else if (c == 0x08) parts.push("\\b");
    else if (c == 0x0c) parts.push("\\f");
    else parts.push("\\u00" + HEX.charAt(c >> 4) + HEX.charAt(c & 15));
  }
  if (start < s.length) parts.push(s.substring(start));
  parts.push("\"");
  return parts.join("");
}
