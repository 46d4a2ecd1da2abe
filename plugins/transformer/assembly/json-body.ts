// JSON body operations on bytes. A top-level key (the common case) is edited in place with the
// SDK's byte editors (untouched bytes go on as sent); a dotted path (gjson/sjson syntax: "a.b.0",
// "\." for a literal dot) goes through the SDK's DOM. Every operation returns null when the body
// is not a JSON object (or not UTF-8), and the caller then leaves the body as it came.
import { JsonValue, JsonObject, JsonKind, quoteJsonString, log } from "@sluice/sdk";
import { parseJson, parseJsonBytes, isValidJson, readTopLevelRaw, setTopLevelRaw, removeTopLevelField } from "@sluice/sdk/json";
import { Item, Op, Side, Strategy, Target, ValueType } from "./config";
import { KV, Sources } from "./kv";

/** Splits a gjson path on unescaped dots; null for the syntax this plugin does not implement. */
export function parseJsonPath(path: string): Array<string> | null {
  const segs = new Array<string>();
  let cur = "";
  for (let i = 0; i < path.length; i++) {
    const c = path.charAt(i);
    if (c == "\\" && i + 1 < path.length) { cur += path.charAt(i + 1); i++; continue; }
    if (c == ".") { segs.push(cur); cur = ""; continue; }
    if (c == "*" || c == "?" || c == "#" || c == "|") return null;
    if (c == "@" && cur.length == 0) return null;
    cur += c;
  }
  segs.push(cur);
  return segs;
}

/** A value_type number: JSON's number grammar. */
export function isPlainNumber(s: string): bool {
  const r = parseJson(s);
  return r.ok && r.value!.isNumber;
}

/** gjson's String() of a raw JSON value: strings decoded, null empty, the rest as written. */
export function gjsonString(raw: string): string {
  if (raw.length > 0 && raw.charCodeAt(0) == 0x22) {
    const r = parseJson(raw);
    if (r.ok) { const s = r.value!.asString(); if (s !== null) return s; }
    return "";
  }
  if (raw == "null") return "";
  return raw;
}

function arrayIndex(seg: string): i32 {
  if (seg.length == 0 || seg.length > 9) return -1;
  for (let i = 0; i < seg.length; i++) { const c = seg.charCodeAt(i); if (c < 48 || c > 57) return -1; }
  return I32.parseInt(seg);
}

function child(v: JsonValue, seg: string): JsonValue | null {
  if (v.kind == JsonKind.Object) return v.get(seg);
  if (v.kind == JsonKind.Array) { const i = arrayIndex(seg); return i < 0 ? null : v.at(i); }
  return null;
}

function parseObjectDoc(body: ArrayBuffer): JsonValue | null {
  const r = parseJsonBytes(body);
  if (!r.ok || !r.value!.isObject) return null;
  return r.value;
}

/** The raw JSON at `path`, or null when absent (or the body is not a JSON object). */
export function jsonGet(body: ArrayBuffer, path: Array<string>): string | null {
  if (path.length == 1) return readTopLevelRaw(body, path[0]);
  let cur = parseObjectDoc(body);
  for (let i = 0; i < path.length && cur !== null; i++) cur = child(cur!, path[i]);
  return cur === null ? null : cur.stringify();
}

/** Sets `path` to raw JSON, creating missing objects on the way (sjson's Set). */
export function jsonSet(body: ArrayBuffer, path: Array<string>, raw: string): ArrayBuffer | null {
  if (path.length == 1) return setTopLevelRaw(body, path[0], raw);
  const doc = parseObjectDoc(body);
  const val = parseJson(raw);
  if (doc === null || !val.ok) return null;
  let cur: JsonValue = doc;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    const last = i == path.length - 1;
    if (cur.kind == JsonKind.Object) {
      const o = cur.asObject()!;
      if (last) { o.set(seg, val.value!); break; }
      let next = o.get(seg);
      if (next === null) { next = JsonValue.newObject(); o.set(seg, next); }
      cur = next;
    } else if (cur.kind == JsonKind.Array) {
      const a = cur.asArray()!;
      // "-1" appends; an index past the end pads with nulls (sjson).
      let idx = seg == "-1" ? a.length : arrayIndex(seg);
      if (idx < 0) return null;
      while (a.length < idx) a.push(JsonValue.null());
      if (last) {
        if (idx == a.length) a.push(val.value!); else a[idx] = val.value!;
        break;
      }
      if (idx == a.length) a.push(JsonValue.newObject());
      cur = a[idx];
    } else return null; // a scalar on the way: no place for the value
  }
  return doc.toBytes();
}

/** Removes `path` (a missing one is no change). */
export function jsonRemove(body: ArrayBuffer, path: Array<string>): ArrayBuffer | null {
  if (path.length == 1) return removeTopLevelField(body, path[0]);
  const doc = parseObjectDoc(body);
  if (doc === null) return null;
  let cur: JsonValue | null = doc;
  for (let i = 0; i < path.length - 1 && cur !== null; i++) cur = child(cur!, path[i]);
  if (cur === null) return body;
  const seg = path[path.length - 1];
  if (cur.kind == JsonKind.Object) {
    const o: JsonObject = cur.asObject()!;
    if (!o.has(seg)) return body;
    o.delete(seg);
  } else if (cur.kind == JsonKind.Array) {
    const a = cur.asArray()!;
    const idx = arrayIndex(seg);
    if (idx < 0 || idx >= a.length) return body;
    a.splice(idx, 1);
  } else return body;
  return doc.toBytes();
}

/** The raw value an add/replace/append item writes. */
function valueRaw(it: Item, host: string, path: string): string {
  if (it.valueType != ValueType.Str) return it.raw;
  return quoteJsonString(it.valueFor(host, path));
}

function stringsRaw(vs: Array<string>): string {
  const parts = new Array<string>();
  for (let i = 0; i < vs.length; i++) parts.push(quoteJsonString(vs[i]));
  return "[" + parts.join(",") + "]";
}

/** The array items of a raw JSON array, each as raw JSON; null when it is not an array. */
function arrayItems(raw: string): Array<string> | null {
  const r = parseJson(raw);
  if (!r.ok) return null;
  const a = r.value!.asArray();
  if (a === null) return null;
  const out = new Array<string>();
  for (let i = 0; i < a.length; i++) out.push(a[i].stringify());
  return out;
}

function dedupeRaw(items: Array<string>, s: Strategy): string | null {
  if (s == Strategy.RetainUnique) {
    // Compared by gjson's String(): 1 and "1" are the same value to Higress.
    const seen = new Set<string>();
    const keep = new Array<string>();
    for (let i = 0; i < items.length; i++) {
      const k = gjsonString(items[i]);
      if (seen.has(k)) continue;
      seen.add(k);
      keep.push(items[i]);
    }
    return keep.length == 1 ? keep[0] : "[" + keep.join(",") + "]";
  }
  if (s == Strategy.RetainLast) return items[items.length - 1];
  if (s == Strategy.SplitAndRetainFirst || s == Strategy.SplitAndRetainLast) {
    const parts = gjsonString(items[0]).split(",");
    return quoteJsonString(s == Strategy.SplitAndRetainFirst ? parts[0] : parts[parts.length - 1]);
  }
  return items[0];
}

/** Why the last applyJson failed. */
export let jsonError = "";

function fail(op: string): ArrayBuffer | null {
  jsonError = "failed to " + op;
  return null;
}

/**
 * Higress's jsonHandler: the side's body items, rule by rule. Null (and `jsonError`) when the body
 * is not valid JSON or an edit cannot be made; the body then stays as it came.
 */
export function applyJson(side: Side, body: ArrayBuffer, host: string, path: string, src: Sources): ArrayBuffer | null {
  if (!isValidJson(changetype<usize>(body), body.byteLength)) { jsonError = "invalid json body"; return null; }
  let data: ArrayBuffer | null = body;
  for (let r = 0; r < side.rules.length; r++) {
    const rule = side.rules[r];
    const items = rule.body;
    for (let i = 0; i < items.length; i++) {
      const it = items[i];
      const d = data!;
      switch (rule.op) {
        case Op.Remove:
          data = jsonRemove(d, it.keyPath);
          if (data === null) return fail("remove");
          break;
        case Op.Rename: {
          const v = jsonGet(d, it.keyPath);
          if (v === null) break;
          data = jsonSet(d, it.toPath, v);
          if (data !== null) data = jsonRemove(data!, it.keyPath);
          if (data === null) return fail("rename");
          break;
        }
        case Op.Replace:
          data = jsonSet(d, it.keyPath, valueRaw(it, host, path));
          if (data === null) return fail("replace");
          break;
        case Op.Add:
          if (jsonGet(d, it.keyPath) !== null) break;
          data = jsonSet(d, it.keyPath, valueRaw(it, host, path));
          if (data === null) return fail("add");
          break;
        case Op.Append: {
          const add = valueRaw(it, host, path);
          const old = jsonGet(d, it.keyPath);
          let next = add;
          if (old !== null) {
            const items = arrayItems(old);
            if (items === null) next = "[" + old + "," + add + "]";
            else { items.push(add); next = "[" + items.join(",") + "]"; }
          }
          data = jsonSet(d, it.keyPath, next);
          if (data === null) return fail("append");
          break;
        }
        case Op.Map: {
          const source = rule.sourceFor(Target.Body);
          let raw: string | null = null;
          let from: KV | null = null;
          if (source == "headers") from = src.headers;
          else if (source == "querys") from = src.querys;
          else if (src.bodyJson !== null) raw = jsonGet(src.bodyJson!, it.keyPath);
          if ((source == "headers" || source == "querys") && from === null) { log.warn("map key failed, source:" + source + " not exists"); break; }
          // Values from headers and query parameters land as an array of strings (Higress).
          if (from !== null) { const vs = from.get(it.key); if (vs !== null) raw = stringsRaw(vs); }
          if (raw === null) break;
          data = jsonSet(d, it.toPath, raw!);
          if (data === null) return fail("map");
          break;
        }
        case Op.Dedupe: {
          const v = jsonGet(d, it.keyPath);
          if (v === null) break;
          const items = arrayItems(v);
          if (items === null || items.length == 0) break;
          const out = dedupeRaw(items, it.strategy);
          if (out === null) break;
          data = jsonSet(d, it.keyPath, out!);
          if (data === null) return fail("dedupe");
          break;
        }
      }
    }
  }
  return data;
}
