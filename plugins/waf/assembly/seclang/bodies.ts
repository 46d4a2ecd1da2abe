// Request body processors: URLENCODED and JSON fill ARGS_POST (JSON names as Coraza and Higress
// write them: json.a.b, arrays json.items.0).
import { parseJsonBytes, JsonValue, JsonKind } from "@sluice/sdk/json";
import { KV } from "./variables";
import { latin1, toByteString } from "./bytes";
import { urlDecodeArg } from "./transforms";

/** `a=1&b=2` → pairs, names and values URL-decoded ('+' is a space). */
export function parseUrlEncoded(s: string, out: Array<KV>, limit: i32): void {
  if (s.length == 0) return;
  let start = 0;
  const n = s.length;
  while (start <= n && out.length < limit) {
    let end = s.indexOf("&", start);
    if (end < 0) end = n;
    if (end > start) {
      const part = s.substring(start, end);
      const eq = part.indexOf("=");
      const name = eq < 0 ? part : part.substring(0, eq);
      const value = eq < 0 ? "" : part.substring(eq + 1);
      out.push(new KV(urlDecodeArg(name), urlDecodeArg(value)));
    }
    start = end + 1;
  }
}

/** Flattens a JSON body; false when it is not JSON (or deeper than `depthLimit`). */
export function parseJsonArgs(body: ArrayBuffer, out: Array<KV>, limit: i32, depthLimit: i32): bool {
  const res = parseJsonBytes(body);
  if (!res.ok) return false;
  return flatten(res.value!, "json", out, limit, 0, depthLimit);
}

function flatten(v: JsonValue, name: string, out: Array<KV>, limit: i32, depth: i32, depthLimit: i32): bool {
  if (depth > depthLimit) return false;
  if (out.length >= limit) return true;
  if (v.kind == JsonKind.Object) {
    const o = v.obj!;
    for (let i = 0; i < o.keys.length; i++) if (!flatten(o.values[i], name + "." + toByteString(o.keys[i]), out, limit, depth + 1, depthLimit)) return false;
  } else if (v.kind == JsonKind.Array) {
    const a = v.arr!;
    for (let i = 0; i < a.length; i++) if (!flatten(a[i], name + "." + i.toString(), out, limit, depth + 1, depthLimit)) return false;
  } else if (v.kind == JsonKind.String) out.push(new KV(name, latin1(String.UTF8.encode(v.str))));
  else if (v.kind == JsonKind.Number) out.push(new KV(name, v.num == Math.floor(v.num) && Math.abs(v.num) < 1e15 ? (<i64>v.num).toString() : v.num.toString()));
  else if (v.kind == JsonKind.Bool) out.push(new KV(name, v.bool ? "true" : "false"));
  else out.push(new KV(name, ""));
  return true;
}
