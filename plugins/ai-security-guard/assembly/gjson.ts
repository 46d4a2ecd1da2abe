// What ai-security-guard does with gjson paths beyond reading them (the SDK's gjsonGet): the text
// of a message value for moderation, and writing desensitised text back at a concrete path.
import { JsonValue, JsonKind } from "@sluice/sdk";
import { gjsonString, gjsonSplitPath, gjsonIndex } from "@sluice/sdk/ai";

/**
 * Text of a value for moderation: strings as they are; an array of strings or of content parts
 * (`{"type":"text","text":…}`, OpenAI multimodal and Anthropic blocks) joined; else gjsonString.
 */
export function textOf(v: JsonValue | null): string {
  if (v === null) return "";
  if (v.kind != JsonKind.Array) return gjsonString(v);
  const a = v.arr!;
  let out = "";
  let any = false;
  for (let i = 0; i < a.length; i++) {
    const item = a[i];
    if (item.kind == JsonKind.String) { out += item.str; any = true; continue; }
    const o = item.asObject();
    if (o !== null) {
      const t = o.getString("text");
      if (t !== null) { if (out.length > 0 && any) out += "\n"; out += t; any = true; }
    }
  }
  return any ? out : gjsonString(v);
}

/**
 * Replaces the text at a path of plain keys, indexes and `@reverse.N` (what Higress's
 * resolveJsonPath turns into a concrete path before sjson writes). A string is replaced; an array
 * of content parts gets the text in its first text part and the other text parts emptied.
 * False when the path does not lead to a string or such an array.
 */
export function setText(root: JsonValue, path: string, text: string): bool {
  const segs = gjsonSplitPath(path);
  let parent: JsonValue = root;
  let i = 0;
  while (i < segs.length) {
    let seg = segs[i];
    let reversed = false;
    if (seg == "@reverse") {
      if (i + 1 >= segs.length || parent.kind != JsonKind.Array) return false;
      reversed = true;
      seg = segs[++i];
    }
    let child: JsonValue | null = null;
    let key = "";
    let idx = -1;
    if (parent.kind == JsonKind.Array) {
      idx = gjsonIndex(seg);
      const n = parent.arr!.length;
      if (idx < 0 || idx >= n) return false;
      if (reversed) idx = n - 1 - idx;
      child = parent.arr![idx];
    } else if (parent.kind == JsonKind.Object) {
      key = seg;
      child = parent.obj!.get(seg);
    }
    if (child === null) return false;
    if (i == segs.length - 1) {
      if (child.kind == JsonKind.String) {
        const v = JsonValue.fromString(text);
        if (idx >= 0) parent.arr![idx] = v; else parent.obj!.set(key, v);
        return true;
      }
      if (child.kind == JsonKind.Array) {
        const a = child.arr!;
        let done = false;
        for (let k = 0; k < a.length; k++) {
          const o = a[k].asObject();
          if (o === null || o.getString("type") != "text") continue;
          o.setString("text", done ? "" : text);
          done = true;
        }
        return done;
      }
      return false;
    }
    parent = child;
    i++;
  }
  return false;
}
