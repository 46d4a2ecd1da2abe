// Test entry: sdk/ai's vector-store requests and readers, xfyun's URL signature and vector reader,
// exposed to Node.
import { xfyunAuthQuery, EmbeddingService, EmbeddingType, readEmbedding, embeddingRequest } from "../ai/embedding";
import { VectorStore, VectorStoreType, vectorQueryRequest, vectorInsertRequest, readVectorStoreMatches } from "../ai/vector-stores";
import { FQDNCluster } from "../http/cluster";
import { JsonWriter } from "../json/writer";

export function xfyunQuery(host: string, date: string, apiKey: string, apiSecret: string): string { return xfyunAuthQuery(host, date, apiKey, apiSecret); }

/** xfyun's vector from an answer body, as JSON ("null" when refused). */
export function xfyunVector(body: string): string {
  const e = new EmbeddingService();
  e.type = EmbeddingType.Xfyun;
  const v = readEmbedding(e, String.UTF8.encode(body));
  if (v === null) return "null";
  const w = new JsonWriter();
  w.beginArray();
  for (let i = 0; i < v.length; i++) w.number(v[i]);
  w.endArray();
  return String.UTF8.decode(w.buf.toArrayBuffer());
}

/** The xfyun request body for `text` (its URL carries the current date). */
export function xfyunBody(text: string): string {
  const e = new EmbeddingService();
  e.type = EmbeddingType.Xfyun;
  e.cluster = new FQDNCluster("x.dns", 443, "emb-cn-huabei-1.xf-yun.com");
  e.apiKey = "k"; e.xfyunAppId = "app"; e.xfyunApiSecret = "s";
  return String.UTF8.decode(embeddingRequest(e, text).body);
}

function store(type: i32, collection: string): VectorStore {
  const s = new VectorStore();
  s.type = <VectorStoreType>type;
  s.cluster = new FQDNCluster("v.dns", 443, "h");
  s.apiKey = "key";
  s.collection = collection;
  return s;
}

/** The matches of a store's answer as `question|score|answer` lines ("null" when refused). */
export function matches(type: i32, collection: string, body: string): string {
  const m = readVectorStoreMatches(store(type, collection), String.UTF8.encode(body));
  if (m === null) return "null";
  const out = new Array<string>();
  for (let i = 0; i < m.length; i++) out.push(m[i].id + "|" + m[i].score.toString() + "|" + m[i].text);
  return out.join("\n");
}

/** `METHOD path\nheader: value…\n\nbody` of a query (insert: `q` and `answer` set). */
export function request(type: i32, collection: string, insert: bool, q: string, answer: string): string {
  const emb: Array<f64> = [0.5, -0.25, 1];
  const r = insert ? vectorInsertRequest(store(type, collection), q, emb, answer) : vectorQueryRequest(store(type, collection), emb, 2);
  let s = r.method + " " + r.path + "\n";
  for (let i = 0; i < r.headers.length; i++) s += r.headers[i].name + ": " + r.headers[i].value + "\n";
  return s + "\n" + String.UTF8.decode(r.body);
}
