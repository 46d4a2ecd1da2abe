// Chroma over its v2 API (chromadb ≥ 1.0 serves no other): a query for the nearest stored
// question and an upsert of a question's vector with its answer. Higress's ai-cache speaks v1
// (`/api/v1/collections/{id}/query|add`), which Chroma 1.x no longer serves (README).
import { HeaderPair } from "@sluice/sdk";
import { JsonWriter, parseJsonBytes } from "@sluice/sdk/json";
import { gjsonGet } from "@sluice/sdk/ai";
import { VectorConfig, Relation } from "./config";

export function collectionPath(v: VectorConfig, op: string): string {
  return "/api/v2/tenants/" + v.tenant + "/databases/" + v.database + "/collections/" + v.collectionId + "/" + op;
}

export function vectorHeaders(v: VectorConfig): Array<HeaderPair> {
  const h = [new HeaderPair("content-type", "application/json")];
  if (v.apiKey.length > 0) h.push(new HeaderPair("x-chroma-token", v.apiKey));
  return h;
}

function writeVector(w: JsonWriter, emb: Array<f64>): void {
  w.beginArray();
  for (let i = 0; i < emb.length; i++) w.number(unchecked(emb[i]));
  w.endArray();
}

export function queryBody(v: VectorConfig, emb: Array<f64>): ArrayBuffer {
  const w = new JsonWriter(64 + emb.length * 20);
  w.beginObject().key("query_embeddings").beginArray();
  writeVector(w, emb);
  w.endArray().key("n_results").integer(v.topK)
    .key("include").beginArray().string("documents").string("distances").endArray()
    .endObject();
  return w.buf.toArrayBuffer();
}

export function upsertBody(key: string, emb: Array<f64>, answer: string): ArrayBuffer {
  const w = new JsonWriter(64 + emb.length * 20 + key.length + answer.length);
  w.beginObject().key("ids").beginArray().string(key).endArray().key("embeddings").beginArray();
  writeVector(w, emb);
  w.endArray().key("documents").beginArray().string(answer).endArray().endObject();
  return w.buf.toArrayBuffer();
}

/** The nearest stored question: its id (the cache key), its distance and the stored answer. */
export class Nearest {
  constructor(public id: string, public distance: f64, public answer: string) {}
}

/** The first result of a query answer, or null (no result, or not Chroma's shape). */
export function readNearest(body: ArrayBuffer): Nearest | null {
  const r = parseJsonBytes(body);
  if (!r.ok) return null;
  const root = r.value!;
  const id = gjsonGet(root, "ids.0.0");
  const d = gjsonGet(root, "distances.0.0");
  if (id === null || !id.isString || d === null || !d.isNumber) return null;
  const doc = gjsonGet(root, "documents.0.0");
  return new Nearest(id.str, d.asNumber(0), doc !== null && doc.isString ? doc.str : "");
}

export function passes(v: VectorConfig, score: f64): bool {
  switch (v.relation) {
    case Relation.Lt: return score < v.threshold;
    case Relation.Lte: return score <= v.threshold;
    case Relation.Gt: return score > v.threshold;
    default: return score >= v.threshold;
  }
}
