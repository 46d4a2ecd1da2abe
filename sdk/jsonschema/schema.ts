// JSON Schema (draft-04, draft-06, draft-07) compiled once at config time and run on parsed JSON
// values. Never traps: a bad schema is an error value from compile(), a failed validation is an
// error message from validate(). `$ref` is resolved (uri.ts) against the base URI `$id`/`id` sets,
// to JSON pointers into the document or into a subschema with an `$id`, or to "#name" anchors;
// a reference outside the document is refused at compile time.
// `format` is an annotation unless the schema is compiled with assertFormat (format.ts lists the
// formats checked then; unknown ones pass).
import { JsonValue, JsonKind, JsonObject, parseJson, quoteJsonString } from "../json";
import { Regex } from "../regex";
import { formatId, checkFormat } from "./format";
import { resolveUri, splitFragment } from "./uri";

export enum Draft { Draft4 = 4, Draft6 = 6, Draft7 = 7 }

const T_NULL: u32 = 1;
const T_BOOL: u32 = 2;
const T_OBJECT: u32 = 4;
const T_ARRAY: u32 = 8;
const T_NUMBER: u32 = 16;
const T_STRING: u32 = 32;
const T_INTEGER: u32 = 64;

/** Following `$ref`s without consuming any of the instance stops here (a schema like {"$ref":"#"}). */
const MAX_DEPTH: i32 = 300;

export class SchemaResult {
  constructor(public schema: Schema | null, public error: string) {}
  get ok(): bool { return this.schema !== null; }
}

class Dependency {
  constructor(public key: string, public names: Array<string> | null, public node: Node | null) {}
}

/** One compiled (sub)schema. */
class Node {
  /** A boolean schema (draft-06+): true accepts everything, false nothing. */
  isFalse: bool = false;
  /** Where this schema sits in the document, for error messages ("#/properties/a"). */
  at: string = "#";
  ref: string | null = null;
  refNode: Node | null = null;
  /** The JsonValue this node was compiled from (identity, for its base URI). */
  key: usize = 0;
  types: u32 = 0;
  enumValues: Array<JsonValue> | null = null;
  constValue: JsonValue | null = null;
  propNames: Array<string> | null = null;
  propNodes: Array<Node> | null = null;
  /** properties → index, for schemas with many properties. */
  propIndex: Map<string, i32> | null = null;
  patterns: Array<Regex> | null = null;
  patternNodes: Array<Node> | null = null;
  additionalProps: Node | null = null;
  required: Array<string> | null = null;
  items: Node | null = null;
  itemsTuple: Array<Node> | null = null;
  additionalItems: Node | null = null;
  minItems: i64 = -1;
  maxItems: i64 = -1;
  uniqueItems: bool = false;
  minLength: i64 = -1;
  maxLength: i64 = -1;
  pattern: Regex | null = null;
  /** A known format to assert (0: none or not asserted). */
  format: i32 = 0;
  formatName: string = "";
  hasMinimum: bool = false;
  minimum: f64 = 0;
  minimumExclusive: bool = false;
  hasMaximum: bool = false;
  maximum: f64 = 0;
  maximumExclusive: bool = false;
  hasExclMin: bool = false;
  exclMin: f64 = 0;
  hasExclMax: bool = false;
  exclMax: f64 = 0;
  multipleOf: f64 = 0;
  minProps: i64 = -1;
  maxProps: i64 = -1;
  allOf: Array<Node> | null = null;
  anyOf: Array<Node> | null = null;
  oneOf: Array<Node> | null = null;
  not: Node | null = null;
  ifNode: Node | null = null;
  thenNode: Node | null = null;
  elseNode: Node | null = null;
  dependencies: Array<Dependency> | null = null;
  propertyNames: Node | null = null;
  contains: Node | null = null;
}

/** Compiles a schema document. */
class Compiler {
  error: string = "";
  cache: Map<usize, Node> = new Map<usize, Node>();
  pendingRefs: Array<Node> = new Array<Node>();
  /** Base URI of each schema position (by JsonValue identity), from `$id`/`id`. */
  baseOf: Map<usize, string> = new Map<usize, string>();
  /** Schemas by the URI their `$id`/`id` gives them (fragment included for "#name" anchors). */
  ids: Map<string, JsonValue> = new Map<string, JsonValue>();

  constructor(public root: JsonValue, public draft: Draft, public assertFormat: bool) {}

  fail(at: string, msg: string): Node {
    if (this.error.length == 0) this.error = msg + " at " + at;
    return new Node();
  }

  /** Walks the schema positions once, recording base URIs and `$id`s (draft-04: `id`). */
  scan(v: JsonValue, base: string, depth: i32): void {
    if (depth > 64 || !v.isObject) return;
    const o = v.obj!;
    let b = base;
    const idv = o.get(this.draft == Draft.Draft4 ? "id" : "$id");
    // Next to $ref (draft-04 to -07) every other keyword, $id included, is ignored.
    if (idv !== null && idv.isString && o.get("$ref") === null) {
      const full = resolveUri(base, idv.str);
      const parts = splitFragment(full);
      if (parts[1].length == 0) { b = parts[0]; if (!this.ids.has(b)) this.ids.set(b, v); }
      else if (!parts[1].startsWith("/")) { if (!this.ids.has(full)) this.ids.set(full, v); b = parts[0]; }
    }
    this.baseOf.set(changetype<usize>(v), b);
    if (o.get("$ref") !== null) return;
    for (let i = 0; i < o.keys.length; i++) {
      const k = o.keys[i];
      const c = o.values[i];
      if (k == "items" || k == "allOf" || k == "anyOf" || k == "oneOf") {
        if (c.isArray) { const a = c.arr!; for (let j = 0; j < a.length; j++) this.scan(a[j], b, depth + 1); }
        else this.scan(c, b, depth + 1);
      } else if (k == "properties" || k == "patternProperties" || k == "definitions" || k == "dependencies") {
        if (c.isObject) { const m = c.obj!; for (let j = 0; j < m.values.length; j++) this.scan(m.values[j], b, depth + 1); }
      } else if (k == "additionalItems" || k == "additionalProperties" || k == "not" || k == "if" || k == "then" || k == "else" || k == "contains" || k == "propertyNames") {
        this.scan(c, b, depth + 1);
      }
    }
  }

  compile(v: JsonValue, at: string): Node {
    const key = changetype<usize>(v);
    if (this.cache.has(key)) return this.cache.get(key);
    const n = new Node();
    n.at = at;
    n.key = key;
    this.cache.set(key, n);
    if (v.kind == JsonKind.Bool) {
      if (this.draft == Draft.Draft4) return this.fail(at, "a schema must be an object in draft-04, not a boolean");
      n.isFalse = !v.bool;
      return n;
    }
    if (v.kind != JsonKind.Object) return this.fail(at, "a schema must be an object" + (this.draft == Draft.Draft4 ? "" : " or a boolean"));
    const o = v.obj!;
    const ref = o.get("$ref");
    if (ref !== null) {
      if (!ref.isString) return this.fail(at, "\"$ref\" must be a string");
      n.ref = ref.str;
      this.pendingRefs.push(n);
      // In draft-04 to draft-07, keywords next to $ref are ignored.
      return n;
    }
    this.keywords(n, o, at);
    return n;
  }

  private sub(o: JsonObject, name: string, at: string): Node | null {
    const v = o.get(name);
    if (v === null) return null;
    return this.compile(v, at + "/" + escapePointer(name));
  }

  /** additionalProperties / additionalItems: a schema, or (in every draft) a boolean. */
  private subOrBool(o: JsonObject, name: string, at: string): Node | null {
    const v = o.get(name);
    if (v === null) return null;
    if (v.isBool) {
      const n = new Node();
      n.at = at + "/" + name;
      n.isFalse = !v.bool;
      return n;
    }
    return this.compile(v, at + "/" + name);
  }

  private subList(o: JsonObject, name: string, at: string, nonEmpty: bool): Array<Node> | null {
    const v = o.get(name);
    if (v === null) return null;
    const here = at + "/" + name;
    if (!v.isArray || (nonEmpty && v.length == 0)) { this.fail(here, "\"" + name + "\" must be " + (nonEmpty ? "a non-empty array" : "an array") + " of schemas"); return null; }
    const a = v.arr!;
    const out = new Array<Node>(a.length);
    for (let i = 0; i < a.length; i++) out[i] = this.compile(a[i], here + "/" + i.toString());
    return out;
  }

  private count(o: JsonObject, name: string, at: string): i64 {
    const v = o.get(name);
    if (v === null) return -1;
    if (!v.isNumber || v.num < 0 || v.num != Math.floor(v.num) || v.num > 9007199254740991.0) {
      this.fail(at + "/" + name, "\"" + name + "\" must be a non-negative integer");
      return -1;
    }
    return <i64>v.num;
  }

  private number(o: JsonObject, name: string, at: string): JsonValue | null {
    const v = o.get(name);
    if (v === null) return null;
    if (!v.isNumber) { this.fail(at + "/" + name, "\"" + name + "\" must be a number"); return null; }
    return v;
  }

  private keywords(n: Node, o: JsonObject, at: string): void {
    const draft = this.draft;
    // type
    const t = o.get("type");
    if (t !== null) {
      if (t.isString) {
        const bit = typeBit(t.str);
        if (bit == 0) { this.fail(at + "/type", "unknown type " + quoteJsonString(t.str)); return; }
        n.types = bit;
      } else if (t.isArray) {
        const a = t.arr!;
        for (let i = 0; i < a.length; i++) {
          const bit = a[i].isString ? typeBit(a[i].str) : 0;
          if (bit == 0) { this.fail(at + "/type", "\"type\" must list type names"); return; }
          n.types |= bit;
        }
        if (a.length == 0) { this.fail(at + "/type", "\"type\" must not be an empty array"); return; }
      } else { this.fail(at + "/type", "\"type\" must be a string or an array of strings"); return; }
    }
    const e = o.get("enum");
    if (e !== null) {
      if (!e.isArray) { this.fail(at + "/enum", "\"enum\" must be an array"); return; }
      n.enumValues = e.arr!;
    }
    if (draft != Draft.Draft4) {
      const c = o.get("const");
      if (c !== null) n.constValue = c;
    }
    // objects
    const props = o.get("properties");
    if (props !== null) {
      if (!props.isObject) { this.fail(at + "/properties", "\"properties\" must be an object"); return; }
      const po = props.obj!;
      const names = new Array<string>();
      const nodes = new Array<Node>();
      for (let i = 0; i < po.keys.length; i++) {
        const k = po.keys[i];
        names.push(k);
        nodes.push(this.compile(po.values[i], at + "/properties/" + escapePointer(k)));
      }
      n.propNames = names;
      n.propNodes = nodes;
      if (names.length > 8) {
        const m = new Map<string, i32>();
        for (let i = 0; i < names.length; i++) if (!m.has(names[i])) m.set(names[i], i);
        n.propIndex = m;
      }
    }
    const pp = o.get("patternProperties");
    if (pp !== null) {
      if (!pp.isObject) { this.fail(at + "/patternProperties", "\"patternProperties\" must be an object"); return; }
      const po = pp.obj!;
      const res = new Array<Regex>();
      const nodes = new Array<Node>();
      for (let i = 0; i < po.keys.length; i++) {
        const k = po.keys[i];
        const r = Regex.compile(k);
        if (!r.ok) { this.fail(at + "/patternProperties", "bad pattern " + quoteJsonString(k) + ": " + r.error); return; }
        res.push(r.regex!);
        nodes.push(this.compile(po.values[i], at + "/patternProperties/" + escapePointer(k)));
      }
      n.patterns = res;
      n.patternNodes = nodes;
    }
    n.additionalProps = this.subOrBool(o, "additionalProperties", at);
    const req = o.get("required");
    if (req !== null) {
      if (!req.isArray || (draft == Draft.Draft4 && req.length == 0)) { this.fail(at + "/required", "\"required\" must be " + (draft == Draft.Draft4 ? "a non-empty array" : "an array") + " of strings"); return; }
      const a = req.arr!;
      const names = new Array<string>();
      for (let i = 0; i < a.length; i++) {
        if (!a[i].isString) { this.fail(at + "/required", "\"required\" must be an array of strings"); return; }
        names.push(a[i].str);
      }
      n.required = names;
    }
    n.minProps = this.count(o, "minProperties", at);
    n.maxProps = this.count(o, "maxProperties", at);
    const deps = o.get("dependencies");
    if (deps !== null) {
      if (!deps.isObject) { this.fail(at + "/dependencies", "\"dependencies\" must be an object"); return; }
      const d = deps.obj!;
      const list = new Array<Dependency>();
      for (let i = 0; i < d.keys.length; i++) {
        const k = d.keys[i];
        const dv = d.values[i];
        if (dv.isArray) {
          const a = dv.arr!;
          const names = new Array<string>();
          for (let j = 0; j < a.length; j++) {
            if (!a[j].isString) { this.fail(at + "/dependencies/" + escapePointer(k), "a property dependency must be an array of strings"); return; }
            names.push(a[j].str);
          }
          list.push(new Dependency(k, names, null));
        } else {
          list.push(new Dependency(k, null, this.compile(dv, at + "/dependencies/" + escapePointer(k))));
        }
      }
      n.dependencies = list;
    }
    if (draft != Draft.Draft4) n.propertyNames = this.sub(o, "propertyNames", at);
    // arrays
    const items = o.get("items");
    if (items !== null) {
      if (items.isArray) n.itemsTuple = this.subList(o, "items", at, false);
      else n.items = this.compile(items, at + "/items");
    }
    n.additionalItems = this.subOrBool(o, "additionalItems", at);
    n.minItems = this.count(o, "minItems", at);
    n.maxItems = this.count(o, "maxItems", at);
    const u = o.get("uniqueItems");
    if (u !== null) {
      if (!u.isBool) { this.fail(at + "/uniqueItems", "\"uniqueItems\" must be a boolean"); return; }
      n.uniqueItems = u.bool;
    }
    if (draft != Draft.Draft4) n.contains = this.sub(o, "contains", at);
    // strings
    n.minLength = this.count(o, "minLength", at);
    n.maxLength = this.count(o, "maxLength", at);
    const p = o.get("pattern");
    if (p !== null) {
      if (!p.isString) { this.fail(at + "/pattern", "\"pattern\" must be a string"); return; }
      const r = Regex.compile(p.str);
      if (!r.ok) { this.fail(at + "/pattern", "bad pattern " + quoteJsonString(p.str) + ": " + r.error); return; }
      n.pattern = r.regex;
    }
    if (this.assertFormat) {
      const f = o.get("format");
      if (f !== null && f.isString) { n.format = formatId(f.str); n.formatName = f.str; }
    }
    // numbers
    const mn = this.number(o, "minimum", at);
    if (mn !== null) { n.hasMinimum = true; n.minimum = mn.num; }
    const mx = this.number(o, "maximum", at);
    if (mx !== null) { n.hasMaximum = true; n.maximum = mx.num; }
    if (draft == Draft.Draft4) {
      const emn = o.get("exclusiveMinimum");
      if (emn !== null) {
        if (!emn.isBool) { this.fail(at + "/exclusiveMinimum", "\"exclusiveMinimum\" must be a boolean in draft-04"); return; }
        n.minimumExclusive = emn.bool;
      }
      const emx = o.get("exclusiveMaximum");
      if (emx !== null) {
        if (!emx.isBool) { this.fail(at + "/exclusiveMaximum", "\"exclusiveMaximum\" must be a boolean in draft-04"); return; }
        n.maximumExclusive = emx.bool;
      }
    } else {
      const emn = this.number(o, "exclusiveMinimum", at);
      if (emn !== null) { n.hasExclMin = true; n.exclMin = emn.num; }
      const emx = this.number(o, "exclusiveMaximum", at);
      if (emx !== null) { n.hasExclMax = true; n.exclMax = emx.num; }
    }
    const mo = this.number(o, "multipleOf", at);
    if (mo !== null) {
      if (!(mo.num > 0) || !isFinite(mo.num)) { this.fail(at + "/multipleOf", "\"multipleOf\" must be a number greater than 0"); return; }
      n.multipleOf = mo.num;
    }
    // combinators
    n.allOf = this.subList(o, "allOf", at, true);
    n.anyOf = this.subList(o, "anyOf", at, true);
    n.oneOf = this.subList(o, "oneOf", at, true);
    n.not = this.sub(o, "not", at);
    if (draft == Draft.Draft7) {
      n.ifNode = this.sub(o, "if", at);
      n.thenNode = this.sub(o, "then", at);
      n.elseNode = this.sub(o, "else", at);
    }
    // Schemas under "definitions" are compiled for their errors even when nothing refers to them.
    const defs = o.get("definitions");
    if (defs !== null) {
      if (!defs.isObject) { this.fail(at + "/definitions", "\"definitions\" must be an object"); return; }
      const d = defs.obj!;
      for (let i = 0; i < d.keys.length; i++) this.compile(d.values[i], at + "/definitions/" + escapePointer(d.keys[i]));
    }
  }

  /** Resolves every `$ref` (new ones may appear while resolving). */
  resolveRefs(): void {
    for (let i = 0; i < this.pendingRefs.length && this.error.length == 0; i++) {
      const n = this.pendingRefs[i];
      const ref = n.ref!;
      const base = this.baseOf.has(n.key) ? this.baseOf.get(n.key) : "";
      const full = resolveUri(base, ref);
      const parts = splitFragment(full);
      const frag = parts[1];
      let target: JsonValue | null = null;
      if (frag.length == 0 || frag.startsWith("/")) {
        const doc = parts[0].length == 0 && !this.ids.has("") ? this.root : (this.ids.has(parts[0]) ? this.ids.get(parts[0]) : null);
        if (doc === null) {
          this.fail(n.at, "remote $ref " + quoteJsonString(ref) + " is not supported (only \"#\" and \"#/...\" pointers into the same schema, and $id inside it)");
          return;
        }
        target = resolvePointer(doc!, frag);
      } else if (this.ids.has(full)) target = this.ids.get(full);
      if (target === null) {
        if (ref.startsWith("#")) this.fail(n.at, "$ref " + quoteJsonString(ref) + " does not point into the schema");
        else this.fail(n.at, "remote $ref " + quoteJsonString(ref) + " is not supported (only \"#\" and \"#/...\" pointers into the same schema, and $id inside it)");
        return;
      }
      n.refNode = this.compile(target!, ref);
    }
  }
}

function typeBit(s: string): u32 {
  if (s == "null") return T_NULL;
  if (s == "boolean") return T_BOOL;
  if (s == "object") return T_OBJECT;
  if (s == "array") return T_ARRAY;
  if (s == "number") return T_NUMBER;
  if (s == "string") return T_STRING;
  if (s == "integer") return T_INTEGER;
  return 0;
}

function typeName(v: JsonValue): string {
  switch (v.kind) {
    case JsonKind.Null: return "null";
    case JsonKind.Bool: return "boolean";
    case JsonKind.Object: return "object";
    case JsonKind.Array: return "array";
    case JsonKind.String: return "string";
    default: return isInteger(v.num) ? "integer" : "number";
  }
}

function isInteger(n: f64): bool { return isFinite(n) && n == Math.floor(n); }

function escapePointer(s: string): string {
  if (s.indexOf("~") < 0 && s.indexOf("/") < 0) return s;
  return s.replaceAll("~", "~0").replaceAll("/", "~1");
}

function hexVal(c: i32): i32 {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

/** Decodes %XX escapes of a URI fragment (as UTF-8); null when malformed. */
function percentDecode(s: string): string | null {
  if (s.indexOf("%") < 0) return s;
  const bytes = new Array<u8>();
  const raw = String.UTF8.encode(s);
  const src = Uint8Array.wrap(raw);
  for (let i = 0; i < src.length; i++) {
    const c = <i32>src[i];
    if (c == 0x25) {
      if (i + 2 >= src.length) return null;
      const h = hexVal(<i32>src[i + 1]);
      const l = hexVal(<i32>src[i + 2]);
      if (h < 0 || l < 0) return null;
      bytes.push(<u8>(h * 16 + l));
      i += 2;
    } else bytes.push(<u8>c);
  }
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = bytes[i];
  return String.UTF8.decode(out.buffer);
}

/** Follows a JSON pointer ("" is the root, "/a/0/b~1c") in `root`; null when it leads nowhere. */
function resolvePointer(root: JsonValue, fragment: string): JsonValue | null {
  const p = percentDecode(fragment);
  if (p === null) return null;
  const ptr = p!;
  if (ptr.length == 0) return root;
  if (!ptr.startsWith("/")) return null;
  const parts = ptr.substring(1).split("/");
  let cur: JsonValue = root;
  for (let i = 0; i < parts.length; i++) {
    const seg = parts[i].replaceAll("~1", "/").replaceAll("~0", "~");
    if (cur.isObject) {
      const next = cur.obj!.get(seg);
      if (next === null) return null;
      cur = next;
    } else if (cur.isArray) {
      const idx = I32.parseInt(seg);
      if (seg.length == 0 || seg.length > 9 || idx < 0 || idx >= cur.length || idx.toString() != seg) return null;
      cur = cur.arr![idx];
    } else return null;
  }
  return cur;
}

/** Deep equality as JSON Schema defines it: numbers by value, objects regardless of key order. */
export function jsonEqual(a: JsonValue, b: JsonValue): bool {
  if (a.kind != b.kind) return false;
  switch (a.kind) {
    case JsonKind.Null: return true;
    case JsonKind.Bool: return a.bool == b.bool;
    case JsonKind.Number: return a.num == b.num;
    case JsonKind.String: return a.str == b.str;
    case JsonKind.Array: {
      const x = a.arr!, y = b.arr!;
      if (x.length != y.length) return false;
      for (let i = 0; i < x.length; i++) if (!jsonEqual(x[i], y[i])) return false;
      return true;
    }
    default: {
      const x = a.obj!, y = b.obj!;
      if (x.size != y.size) return false;
      for (let i = 0; i < x.keys.length; i++) {
        const other = y.get(x.keys[i]);
        if (other === null || !jsonEqual(x.values[i], other)) return false;
      }
      return true;
    }
  }
}

/** A string equal for two values exactly when jsonEqual says they are equal. */
function canonicalKey(v: JsonValue): string {
  switch (v.kind) {
    case JsonKind.Null: return "n";
    case JsonKind.Bool: return v.bool ? "t" : "f";
    case JsonKind.Number: return "#" + (v.num == 0 ? "0" : v.num.toString());
    case JsonKind.String: return quoteJsonString(v.str);
    case JsonKind.Array: {
      const a = v.arr!;
      const parts = new Array<string>(a.length);
      for (let i = 0; i < a.length; i++) parts[i] = canonicalKey(a[i]);
      return "[" + parts.join(",") + "]";
    }
    default: {
      const o = v.obj!;
      const names = o.keys.slice(0);
      names.sort();
      const parts = new Array<string>(names.length);
      for (let i = 0; i < names.length; i++) parts[i] = quoteJsonString(names[i]) + ":" + canonicalKey(o.get(names[i])!);
      return "{" + parts.join(",") + "}";
    }
  }
}

function codePoints(s: string): i64 {
  let n: i64 = 0;
  const len = s.length;
  for (let i = 0; i < len; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < len) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

function isMultiple(v: f64, m: f64): bool {
  const q = v / m;
  // The quotient overflows (1e308 / 0.5): fmod is exact in IEEE arithmetic.
  if (!isFinite(q)) return isFinite(v) && v % m == 0;
  const r = Math.round(q);
  return Math.abs(q - r) <= 1e-9 * Math.max(1.0, Math.abs(q));
}

function fmt(n: f64): string {
  return JsonValue.fromNumber(n).stringify();
}

/** A compiled schema. validate() may be called any number of times. */
export class Schema {
  /** The first error of the last failed validate(): instance path and reason. */
  private errPath: string = "";
  private errMsg: string = "";

  private constructor(private root: Node, public readonly draft: Draft) {}

  /**
   * Compiles a parsed schema. `draft` is the default; a root "$schema" naming draft-04, -06 or
   * -07 overrides it (as santhosh-tekuri/jsonschema does).
   */
  static compile(doc: JsonValue, draft: Draft, assertFormat: bool = false): SchemaResult {
    let d = draft;
    if (doc.isObject) {
      const s = doc.obj!.get("$schema");
      if (s !== null) {
        if (!s.isString) return new SchemaResult(null, "\"$schema\" must be a string");
        const url = s.str;
        if (url.indexOf("draft-04/schema") >= 0) d = Draft.Draft4;
        else if (url.indexOf("draft-06/schema") >= 0) d = Draft.Draft6;
        else if (url.indexOf("draft-07/schema") >= 0) d = Draft.Draft7;
        else return new SchemaResult(null, "unsupported \"$schema\" " + quoteJsonString(url) + " (draft-04, -06 and -07 are)");
      }
    }
    const c = new Compiler(doc, d, assertFormat);
    c.scan(doc, "", 0);
    const root = c.compile(doc, "#");
    if (c.error.length == 0) c.resolveRefs();
    if (c.error.length > 0) return new SchemaResult(null, c.error);
    return new SchemaResult(new Schema(root, d), "");
  }

  /** Parses and compiles schema text. */
  static compileText(text: string, draft: Draft, assertFormat: bool = false): SchemaResult {
    const r = parseJson(text);
    if (!r.ok) return new SchemaResult(null, "schema is not JSON: " + r.error);
    return Schema.compile(r.value!, draft, assertFormat);
  }

  /** Null when `v` is valid, else the first error ("/a/0: 150 is less than minimum 200"). */
  validate(v: JsonValue): string | null {
    this.errPath = "";
    this.errMsg = "";
    if (this.check(this.root, v, 0)) return null;
    let path: string = this.errPath;
    if (path.length == 0) path = "/";
    return path + ": " + this.errMsg;
  }

  isValid(v: JsonValue): bool { return this.check(this.root, v, 0); }

  private no(msg: string): bool {
    this.errPath = "";
    this.errMsg = msg;
    return false;
  }

  private within(seg: string): bool {
    this.errPath = "/" + escapePointer(seg) + this.errPath;
    return false;
  }

  private check(n: Node, v: JsonValue, depth: i32): bool {
    if (depth > MAX_DEPTH) return this.no("schema nesting too deep (a $ref loop?)");
    if (n.ref !== null) {
      const t = n.refNode;
      if (t === null) return this.no("unresolved $ref");
      return this.check(t!, v, depth + 1);
    }
    if (n.isFalse) return this.no("no value is allowed here");
    if (n.types != 0) {
      let ok = false;
      switch (v.kind) {
        case JsonKind.Null: ok = (n.types & T_NULL) != 0; break;
        case JsonKind.Bool: ok = (n.types & T_BOOL) != 0; break;
        case JsonKind.Object: ok = (n.types & T_OBJECT) != 0; break;
        case JsonKind.Array: ok = (n.types & T_ARRAY) != 0; break;
        case JsonKind.String: ok = (n.types & T_STRING) != 0; break;
        default: ok = (n.types & T_NUMBER) != 0 || ((n.types & T_INTEGER) != 0 && isInteger(v.num));
      }
      if (!ok) return this.no("expected " + typeList(n.types) + ", but got " + typeName(v));
    }
    const en = n.enumValues;
    if (en !== null) {
      let found = false;
      for (let i = 0; i < en.length; i++) if (jsonEqual(en[i], v)) { found = true; break; }
      if (!found) return this.no("value must be one of " + JsonValue.fromArray(en).stringify());
    }
    const cv = n.constValue;
    if (cv !== null && !jsonEqual(cv, v)) return this.no("value must be " + cv.stringify());
    switch (v.kind) {
      case JsonKind.Object: if (!this.checkObject(n, v.obj!, depth)) return false; break;
      case JsonKind.Array: if (!this.checkArray(n, v.arr!, depth)) return false; break;
      case JsonKind.String: if (!this.checkString(n, v.str)) return false; break;
      case JsonKind.Number: if (!this.checkNumber(n, v.num)) return false; break;
      default: break;
    }
    const all = n.allOf;
    if (all !== null) for (let i = 0; i < all.length; i++) if (!this.check(all[i], v, depth + 1)) return false;
    const any = n.anyOf;
    if (any !== null) {
      let ok = false;
      for (let i = 0; i < any.length; i++) if (this.check(any[i], v, depth + 1)) { ok = true; break; }
      if (!ok) return this.no("value does not match any schema of anyOf");
    }
    const one = n.oneOf;
    if (one !== null) {
      let count = 0;
      for (let i = 0; i < one.length && count < 2; i++) if (this.check(one[i], v, depth + 1)) count++;
      if (count == 0) return this.no("value does not match any schema of oneOf");
      if (count > 1) return this.no("value matches more than one schema of oneOf");
    }
    const nt = n.not;
    if (nt !== null && this.check(nt, v, depth + 1)) return this.no("value must not match the schema of not");
    const ifn = n.ifNode;
    if (ifn !== null) {
      if (this.check(ifn, v, depth + 1)) {
        const th = n.thenNode;
        if (th !== null && !this.check(th, v, depth + 1)) return false;
      } else {
        const el = n.elseNode;
        if (el !== null && !this.check(el, v, depth + 1)) return false;
      }
    }
    return true;
  }

  private checkObject(n: Node, o: JsonObject, depth: i32): bool {
    const size = <i64>o.size;
    if (n.minProps >= 0 && size < n.minProps) return this.no("object has " + size.toString() + " properties, fewer than minProperties " + n.minProps.toString());
    if (n.maxProps >= 0 && size > n.maxProps) return this.no("object has " + size.toString() + " properties, more than maxProperties " + n.maxProps.toString());
    const req = n.required;
    if (req !== null) for (let i = 0; i < req.length; i++) if (!o.has(req[i])) return this.no("missing required property " + quoteJsonString(req[i]));
    const deps = n.dependencies;
    if (deps !== null) {
      for (let i = 0; i < deps.length; i++) {
        const d = deps[i];
        if (!o.has(d.key)) continue;
        const names = d.names;
        if (names !== null) {
          for (let j = 0; j < names.length; j++) if (!o.has(names[j])) return this.no("property " + quoteJsonString(d.key) + " requires property " + quoteJsonString(names[j]));
        } else if (!this.check(d.node!, JsonValue.fromObject(o), depth + 1)) return false;
      }
    }
    const pn = n.propertyNames;
    const propNames = n.propNames;
    const patterns = n.patterns;
    const additional = n.additionalProps;
    for (let i = 0; i < o.keys.length; i++) {
      const k = o.keys[i];
      const val = o.values[i];
      if (pn !== null && !this.check(pn, JsonValue.fromString(k), depth + 1)) {
        this.errPath = "";
        this.errMsg = "property name " + quoteJsonString(k) + " is not valid: " + this.errMsg;
        return false;
      }
      let matched = false;
      if (propNames !== null) {
        const pi = n.propIndex;
        const idx = pi !== null ? (pi.has(k) ? pi.get(k) : -1) : propNames.indexOf(k);
        if (idx >= 0) {
          matched = true;
          if (!this.check(n.propNodes![idx], val, depth + 1)) return this.within(k);
        }
      }
      if (patterns !== null) {
        for (let j = 0; j < patterns.length; j++) {
          if (patterns[j].test(k)) {
            matched = true;
            if (!this.check(n.patternNodes![j], val, depth + 1)) return this.within(k);
          }
        }
      }
      if (!matched && additional !== null) {
        if (additional.isFalse && additional.ref === null) return this.no("additional property " + quoteJsonString(k) + " is not allowed");
        if (!this.check(additional, val, depth + 1)) return this.within(k);
      }
    }
    return true;
  }

  private checkArray(n: Node, a: Array<JsonValue>, depth: i32): bool {
    const len = <i64>a.length;
    if (n.minItems >= 0 && len < n.minItems) return this.no("array has " + len.toString() + " items, fewer than minItems " + n.minItems.toString());
    if (n.maxItems >= 0 && len > n.maxItems) return this.no("array has " + len.toString() + " items, more than maxItems " + n.maxItems.toString());
    if (n.uniqueItems) {
      if (a.length <= 16) {
        for (let i = 1; i < a.length; i++)
          for (let j = 0; j < i; j++)
            if (jsonEqual(a[i], a[j])) return this.no("items " + j.toString() + " and " + i.toString() + " are equal (uniqueItems)");
      } else {
        // Long arrays: one canonical key per item (keys sorted, numbers by value), linear time.
        const seen = new Map<string, i32>();
        for (let i = 0; i < a.length; i++) {
          const k = canonicalKey(a[i]);
          if (seen.has(k)) return this.no("items " + seen.get(k).toString() + " and " + i.toString() + " are equal (uniqueItems)");
          seen.set(k, i);
        }
      }
    }
    const items = n.items;
    if (items !== null) {
      for (let i = 0; i < a.length; i++) if (!this.check(items, a[i], depth + 1)) return this.within(i.toString());
    }
    const tuple = n.itemsTuple;
    if (tuple !== null) {
      const extra = n.additionalItems;
      for (let i = 0; i < a.length; i++) {
        if (i < tuple.length) {
          if (!this.check(tuple[i], a[i], depth + 1)) return this.within(i.toString());
        } else if (extra !== null) {
          if (extra.isFalse && extra.ref === null) return this.no("array has " + len.toString() + " items, the schema allows " + tuple.length.toString());
          if (!this.check(extra, a[i], depth + 1)) return this.within(i.toString());
        } else break;
      }
    }
    const contains = n.contains;
    if (contains !== null) {
      let found = false;
      for (let i = 0; i < a.length; i++) if (this.check(contains, a[i], depth + 1)) { found = true; break; }
      if (!found) return this.no("no item matches the schema of contains");
    }
    return true;
  }

  private checkString(n: Node, s: string): bool {
    if (n.minLength >= 0 || n.maxLength >= 0) {
      const len = codePoints(s);
      if (n.minLength >= 0 && len < n.minLength) return this.no("string has " + len.toString() + " characters, fewer than minLength " + n.minLength.toString());
      if (n.maxLength >= 0 && len > n.maxLength) return this.no("string has " + len.toString() + " characters, more than maxLength " + n.maxLength.toString());
    }
    const p = n.pattern;
    if (p !== null && !p.test(s)) return this.no("string does not match pattern " + quoteJsonString(p.pattern));
    if (n.format != 0 && !checkFormat(n.format, s)) return this.no(quoteJsonString(s) + " is not a valid " + n.formatName);
    return true;
  }

  private checkNumber(n: Node, x: f64): bool {
    if (n.hasMinimum) {
      if (n.minimumExclusive ? !(x > n.minimum) : !(x >= n.minimum))
        return this.no(fmt(x) + " is less than " + (n.minimumExclusive ? "or equal to exclusive " : "") + "minimum " + fmt(n.minimum));
    }
    if (n.hasMaximum) {
      if (n.maximumExclusive ? !(x < n.maximum) : !(x <= n.maximum))
        return this.no(fmt(x) + " is greater than " + (n.maximumExclusive ? "or equal to exclusive " : "") + "maximum " + fmt(n.maximum));
    }
    if (n.hasExclMin && !(x > n.exclMin)) return this.no(fmt(x) + " is not greater than exclusiveMinimum " + fmt(n.exclMin));
    if (n.hasExclMax && !(x < n.exclMax)) return this.no(fmt(x) + " is not less than exclusiveMaximum " + fmt(n.exclMax));
    if (n.multipleOf > 0 && !isMultiple(x, n.multipleOf)) return this.no(fmt(x) + " is not a multiple of " + fmt(n.multipleOf));
    return true;
  }
}

function typeList(types: u32): string {
  const names = new Array<string>();
  if (types & T_NULL) names.push("null");
  if (types & T_BOOL) names.push("boolean");
  if (types & T_OBJECT) names.push("object");
  if (types & T_ARRAY) names.push("array");
  if (types & T_NUMBER) names.push("number");
  if (types & T_STRING) names.push("string");
  if (types & T_INTEGER) names.push("integer");
  return names.join(" or ");
}
