// The decision request's body, in the shape Higress's Go plugin sends (a Go map marshalled by
// encoding/json, so the keys come sorted):
//   {"input":{"request":{"body":"<base64>","headers":[["name","value"],…],"method":"GET",
//                        "path":"/p?q=1","query":{"q":["1"]},"scheme":"http"}}}
// `headers` is every request header as the host lists them (pseudo-headers included), pairs in
// order; `query` is url.ParseQuery of the path's query (every value of a name, in order; pairs
// that do not decode are left out); `body` is there only when the body is not empty, and it is
// base64 (Go marshals []byte so): a policy reads it with base64.decode.
import { HeaderPair } from "@sluice/sdk";
import { JsonWriter } from "@sluice/sdk/json";
import { base64Encode } from "@sluice/sdk/encoding";
import { parseQuery, rawQuery } from "@sluice/sdk/net";

/** What the header hook saw; reused by the body's query (the headers do not change in between). */
export class RequestFacts {
  constructor(
    public method: string,
    public scheme: string,
    public path: string,
    public headers: Array<HeaderPair>,
  ) {}
}

function byName(a: string, b: string): i32 { return a < b ? -1 : a > b ? 1 : 0; }

function writeQuery(w: JsonWriter, path: string): void {
  const pairs = parseQuery(rawQuery(path));
  // Values by name (a map: a hostile query of many names stays linear), names sorted as Go's encoder sorts map keys.
  const values = new Map<string, Array<string>>();
  const names = new Array<string>();
  for (let i = 0; i < pairs.length; i++) {
    const p = pairs[i];
    if (values.has(p.name)) values.get(p.name).push(p.value);
    else { values.set(p.name, [p.value]); names.push(p.name); }
  }
  names.sort(byName);
  w.beginObject();
  for (let i = 0; i < names.length; i++) {
    w.key(names[i]);
    w.beginArray();
    const vs = values.get(names[i]);
    for (let j = 0; j < vs.length; j++) w.string(vs[j]);
    w.endArray();
  }
  w.endObject();
}

export function decisionInput(f: RequestFacts, body: ArrayBuffer | null): ArrayBuffer {
  const w = new JsonWriter(512);
  w.beginObject().key("input").beginObject().key("request").beginObject();
  if (body !== null && body.byteLength > 0) w.key("body").string(base64Encode<ArrayBuffer>(body));
  w.key("headers").beginArray();
  for (let i = 0; i < f.headers.length; i++) {
    w.beginArray().string(f.headers[i].name).string(f.headers[i].value).endArray();
  }
  w.endArray();
  w.key("method").string(f.method);
  w.key("path").string(f.path);
  w.key("query");
  writeQuery(w, f.path);
  w.key("scheme").string(f.scheme);
  w.endObject().endObject().endObject();
  return w.toBytes();
}
