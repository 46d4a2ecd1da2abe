// The JSONPath subset `deny_jsonpath` is written in: `$`, `.name`, `['name']`, `[n]`, `[*]`, `.*`.
// A path selects string values in a parsed body; the caller reads and rewrites them in place.
import { JsonValue, JsonKind } from "@sluice/sdk/json";

const SEG_KEY: i32 = 0;
const SEG_INDEX: i32 = 1;
const SEG_ALL: i32 = 2;

class Segment {
  constructor(public kind: i32, public key: string, public index: i32) {}
}

export class JsonPath {
  constructor(public text: string, private segments: Array<Segment>) {}

  /** Every string the path selects, as the values holding them (rewritable with `.str = …`). */
  strings(root: JsonValue): Array<JsonValue> {
    let cur: Array<JsonValue> = [root];
    for (let s = 0; s < this.segments.length; s++) {
      const seg = this.segments[s];
      const next = new Array<JsonValue>();
      for (let i = 0; i < cur.length; i++) {
        const v = cur[i];
        if (seg.kind == SEG_KEY) {
          const o = v.asObject();
          if (o === null) continue;
          const c = o.get(seg.key);
          if (c !== null) next.push(c);
        } else if (seg.kind == SEG_INDEX) {
          const a = v.asArray();
          if (a === null) continue;
          const k = seg.index < 0 ? a.length + seg.index : seg.index;
          if (k >= 0 && k < a.length) next.push(a[k]);
        } else {
          const a = v.asArray();
          if (a !== null) { for (let k = 0; k < a.length; k++) next.push(a[k]); continue; }
          const o = v.asObject();
          if (o === null) continue;
          for (let k = 0; k < o.keys.length; k++) { const c = o.valueAt(k); if (c !== null) next.push(c); }
        }
      }
      cur = next;
    }
    const out = new Array<JsonValue>();
    for (let i = 0; i < cur.length; i++) if (cur[i].kind == JsonKind.String) out.push(cur[i]);
    return out;
  }
}

function isKeyChar(c: i32): bool {
  return c != 0x2e && c != 0x5b && c != 0x5d && c != 0x20;
}

/** Parses a path; null when it is not in the subset (the config is refused then). */
export function parseJsonPath(text: string): JsonPath | null {
  const t = text.trim();
  if (!t.startsWith("$")) return null;
  const segs = new Array<Segment>();
  let i = 1;
  const n = t.length;
  while (i < n) {
    const c = t.charCodeAt(i);
    if (c == 0x2e) { // .
      i++;
      if (i < n && t.charCodeAt(i) == 0x2e) return null; // recursive descent is not supported
      if (i < n && t.charCodeAt(i) == 0x2a) { segs.push(new Segment(SEG_ALL, "", 0)); i++; continue; }
      const start = i;
      while (i < n && isKeyChar(<i32>t.charCodeAt(i))) i++;
      if (i == start) return null;
      segs.push(new Segment(SEG_KEY, t.substring(start, i), 0));
    } else if (c == 0x5b) { // [
      const close = t.indexOf("]", i);
      if (close < 0) return null;
      const inner = t.substring(i + 1, close).trim();
      i = close + 1;
      if (inner == "*") { segs.push(new Segment(SEG_ALL, "", 0)); continue; }
      if (inner.length >= 2 && (inner.startsWith("'") && inner.endsWith("'") || inner.startsWith("\"") && inner.endsWith("\""))) {
        segs.push(new Segment(SEG_KEY, inner.substring(1, inner.length - 1), 0));
        continue;
      }
      let neg = false;
      let k = 0;
      if (inner.startsWith("-")) neg = true;
      const digits = neg ? inner.substring(1) : inner;
      if (digits.length == 0 || digits.length > 9) return null;
      for (let d = 0; d < digits.length; d++) {
        const ch = <i32>digits.charCodeAt(d);
        if (ch < 0x30 || ch > 0x39) return null;
        k = k * 10 + (ch - 0x30);
      }
      segs.push(new Segment(SEG_INDEX, "", neg ? -k : k));
    } else return null;
  }
  return new JsonPath(t, segs);
}
