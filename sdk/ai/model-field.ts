// The request's model as Higress's model plugins (model-mapper, model-router) see it: which paths
// they act on (`enableOnPathSuffix`) and the `model` field read the way gjson's String() reads it.
// On bytes: the body is validated and scanned, never parsed into a tree.
import { JsonValue } from "../json/value";
import { isValidJson } from "../json/scan";
import { findTopLevelField } from "../json/edit";
import { parseStringAt } from "../json/parse";

/** Higress's default `enableOnPathSuffix` (its code's list: the README leaves out `/responses`). */
export const MODEL_PATH_SUFFIXES: Array<string> = [
  "/completions", "/embeddings", "/images/generations", "/audio/speech", "/fine_tuning/jobs",
  "/moderations", "/image-synthesis", "/video-synthesis", "/rerank", "/messages", "/responses",
];

/**
 * `enableOnPathSuffix` as UTF-8 suffixes: Higress's default when absent or null, null when it is
 * not an array of strings (the caller refuses the config).
 */
export function parsePathSuffixes(v: JsonValue | null): Array<ArrayBuffer> | null {
  const out = new Array<ArrayBuffer>();
  if (v === null || v.isNull) {
    for (let i = 0; i < MODEL_PATH_SUFFIXES.length; i++) out.push(String.UTF8.encode(MODEL_PATH_SUFFIXES[i]));
    return out;
  }
  const a = v.asArray();
  if (a === null) return null;
  for (let i = 0; i < a.length; i++) {
    const s = a[i].asString();
    if (s === null) return null;
    out.push(String.UTF8.encode(s));
  }
  return out;
}

/**
 * True when the path without its query ends with one of the suffixes; `"*"` matches every path
 * when `starMatchesAll` (model-router's rule; model-mapper's code has no such entry).
 */
export function pathHasSuffix(path: ArrayBuffer | null, suffixes: Array<ArrayBuffer>, starMatchesAll: bool): bool {
  if (path === null) return false;
  const base = changetype<usize>(path);
  let end = path.byteLength;
  for (let i = 0; i < end; i++) if (load<u8>(base + <usize>i) == 0x3f) { end = i; break; }
  for (let i = 0; i < suffixes.length; i++) {
    const s = unchecked(suffixes[i]);
    const n = s.byteLength;
    if (starMatchesAll && n == 1 && load<u8>(changetype<usize>(s)) == 0x2a) return true;
    if (n <= end && memory.compare(base + <usize>(end - n), changetype<usize>(s), <usize>n) == 0) return true;
  }
  return false;
}

/**
 * A `modelKey` Sluice reads the way Higress's gjson path does: a plain top-level field name.
 * gjson's path syntax (nesting with `.`, wildcards, queries, modifiers) is not implemented.
 */
export function isPlainModelKey(key: string): bool {
  if (key.length == 0) return false;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    if (c == 0x2e || c == 0x2a || c == 0x3f || c == 0x23 || c == 0x7c || c == 0x40 || c == 0x5c) return false;
  }
  return true;
}

/**
 * The top-level field `key` as gjson's String() gives it: a string decoded, `null` and absence as
 * "", numbers, booleans, objects and arrays as their JSON text. Null when the body is not valid
 * JSON (Higress then leaves the request alone).
 */
export function modelFieldText(body: ArrayBuffer, key: string): string | null {
  const base = changetype<usize>(body);
  if (!isValidJson(base, body.byteLength)) return null;
  const span = findTopLevelField(body, key);
  if (span === null) return "";
  const first = load<u8>(base + <usize>span.start);
  if (first == 0x22) {
    const s = parseStringAt(base + <usize>span.start, base + <usize>span.end);
    return s === null ? "" : s;
  }
  if (first == 0x6e) return ""; // null
  return String.UTF8.decodeUnsafe(base + <usize>span.start, <usize>span.length);
}
