// The part of gjson's path syntax Higress's AI plugins put in their configs (`cacheKeyFrom`,
// `cacheValueFrom`, `requestContentJsonPath`, …), over the SDK's JSON tree: dotted keys (`\.`
// escapes a dot), array indexes, `#` (length), `#.key` (that key of every item), `@reverse`, and
// queries `#(key=="v")` (first match) / `#(key=="v")#` (all matches) with == and != on strings,
// numbers and booleans. Anything else finds nothing; nothing here traps.
import { JsonValue, JsonKind } from "../json/value";

/** The segments of a path: split on dots outside `#(…)` queries; `\.` keeps a dot in a key. */
export function gjsonSplitPath(path: string): Array<string> {
  const out = new Array<string>();
  let cur = "";
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (c == 0x5c && i + 1 < path.length && !quoted) { cur += path.charAt(i + 1); i++; continue; }
    if (c == 0x22 && depth > 0) quoted = !quoted;
    if (!quoted) {
      if (c == 0x28) depth++;
      else if (c == 0x29 && depth > 0) depth--;
      else if (c == 0x2e && depth == 0) { out.push(cur); cur = ""; continue; }
    }
    cur += path.charAt(i);
  }
  out.push(cur);
  return out;
}

/** A non-negative array index, or -1. */
export function gjsonIndex(s: string): i32 {
  if (s.length == 0 || s.length > 9) return -1;
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return -1;
    n = n * 10 + (c - 48);
  }
  return n;
}

/** `key=="value"` / `key!=3` / `key==true`: does item match? */
function matches(item: JsonValue, cond: string): bool {
  let op = cond.indexOf("==");
  let negate = false;
  if (op < 0) { op = cond.indexOf("!="); negate = true; }
  if (op < 0) {
    // A bare key: the item has a truthy value there.
    const v = gjsonGet(item, cond.trim());
    return v !== null && !(v.kind == JsonKind.Null) && !(v.kind == JsonKind.Bool && !v.bool);
  }
  const key = cond.substring(0, op).trim();
  const want = cond.substring(op + 2).trim();
  const v = gjsonGet(item, key);
  let eq = false;
  if (v !== null) {
    if (want.length >= 2 && want.charCodeAt(0) == 0x22 && want.charCodeAt(want.length - 1) == 0x22) {
      eq = v.kind == JsonKind.String && v.str == want.substring(1, want.length - 1);
    } else if (want == "true" || want == "false") {
      eq = v.kind == JsonKind.Bool && v.bool == (want == "true");
    } else if (v.kind == JsonKind.Number) {
      eq = v.num == parseFloat(want);
    }
  }
  return negate ? !eq : eq;
}

function step(cur: JsonValue, seg: string, rest: Array<string>, at: i32): JsonValue | null {
  if (seg == "@reverse") {
    if (cur.kind == JsonKind.Array) {
      const a = cur.arr!;
      const r = new Array<JsonValue>(a.length);
      for (let i = 0; i < a.length; i++) r[i] = a[a.length - 1 - i];
      return walk(JsonValue.fromArray(r), rest, at);
    }
    return walk(cur, rest, at);
  }
  if (cur.kind == JsonKind.Array) {
    const a = cur.arr!;
    if (seg == "#") {
      if (at >= rest.length) return JsonValue.fromInt(a.length);
      const all = new Array<JsonValue>();
      for (let i = 0; i < a.length; i++) { const v = walk(a[i], rest, at); if (v !== null) all.push(v); }
      return JsonValue.fromArray(all);
    }
    if (seg.startsWith("#(")) {
      const multi = seg.endsWith(")#");
      const close = multi ? seg.length - 2 : seg.length - 1;
      if (close < 2 || seg.charCodeAt(close) != 0x29) return null;
      const cond = seg.substring(2, close);
      if (multi) {
        const all = new Array<JsonValue>();
        for (let i = 0; i < a.length; i++) {
          if (!matches(a[i], cond)) continue;
          const v = walk(a[i], rest, at);
          if (v !== null) all.push(v);
        }
        return JsonValue.fromArray(all);
      }
      for (let i = 0; i < a.length; i++) if (matches(a[i], cond)) return walk(a[i], rest, at);
      return null;
    }
    const idx = gjsonIndex(seg);
    if (idx < 0 || idx >= a.length) return null;
    return walk(a[idx], rest, at);
  }
  if (cur.kind == JsonKind.Object) {
    const v = cur.obj!.get(seg);
    return v === null ? null : walk(v, rest, at);
  }
  return null;
}

function walk(cur: JsonValue, segs: Array<string>, at: i32): JsonValue | null {
  if (at >= segs.length) return cur;
  return step(cur, segs[at], segs, at + 1);
}

/** The value at a gjson path, or null. */
export function gjsonGet(root: JsonValue, path: string): JsonValue | null {
  if (path.length == 0) return null;
  return walk(root, gjsonSplitPath(path), 0);
}

/**
 * gjson's Result.String(): a string as it is, numbers and booleans printed, null/missing "",
 * objects and arrays as JSON text.
 */
export function gjsonString(v: JsonValue | null): string {
  if (v === null) return "";
  if (v.kind == JsonKind.Null) return "";
  const t = v.toText();
  if (t !== null) return t;
  return v.stringify();
}

