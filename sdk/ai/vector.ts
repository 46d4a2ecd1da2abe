// Vector databases for retrieval: a nearest-neighbour query with a vector and the matches read
// back (id, score, stored text), for Chroma (v2 API, chromadb ≥ 1.0) and Alibaba Cloud DashVector
// (HTTP API `POST /v1/collections/{name}/query`). Both report a distance-like score (smaller is
// closer: Chroma's distances; DashVector's score for its cosine and euclidean metrics). Shared by
// ai-cache's semantic cache and ai-rag. Answers that are not the database's shape read as null.
import { HeaderPair } from "../runtime/pairs";
import { Status } from "../abi/types";
import { JsonWriter } from "../json/writer";
import { parseJsonBytes } from "../json/parse";
import { JsonValue } from "../json/value";
import { Cluster } from "../http/cluster";
import { httpCall, HttpCallHandler } from "../http/call";
import { gjsonGet } from "./gjson-path";

/** One match of a query: the stored id, its score (distance) and the text stored with it. */
export class VectorMatch {
  constructor(public id: string, public score: f64, public text: string) {}
}

function writeVector(w: JsonWriter, emb: Array<f64>): void {
  w.beginArray();
  for (let i = 0; i < emb.length; i++) w.number(unchecked(emb[i]));
  w.endArray();
}

// ---- Chroma (v2 API) ----

/** A Chroma collection: `/api/v2/tenants/{tenant}/databases/{database}/collections/{id}/…`. */
export class ChromaCollection {
  cluster!: Cluster;
  /** Sent as `x-chroma-token` when set. */
  apiKey: string = "";
  collectionId: string = "";
  tenant: string = "default_tenant";
  database: string = "default_database";
  timeoutMs: u32 = 10000;
}

export function chromaPath(c: ChromaCollection, op: string): string {
  return "/api/v2/tenants/" + c.tenant + "/databases/" + c.database + "/collections/" + c.collectionId + "/" + op;
}

export function chromaHeaders(c: ChromaCollection): Array<HeaderPair> {
  const h = [new HeaderPair("content-type", "application/json")];
  if (c.apiKey.length > 0) h.push(new HeaderPair("x-chroma-token", c.apiKey));
  return h;
}

/** A query for the `n` nearest records, with their documents and distances. */
export function chromaQueryBody(emb: Array<f64>, n: i32): ArrayBuffer {
  const w = new JsonWriter(64 + emb.length * 20);
  w.beginObject().key("query_embeddings").beginArray();
  writeVector(w, emb);
  w.endArray().key("n_results").integer(n)
    .key("include").beginArray().string("documents").string("distances").endArray()
    .endObject();
  return w.buf.toArrayBuffer();
}

/** An upsert of one record: its id, vector and document. */
export function chromaUpsertBody(id: string, emb: Array<f64>, document: string): ArrayBuffer {
  const w = new JsonWriter(64 + emb.length * 20 + id.length + document.length);
  w.beginObject().key("ids").beginArray().string(id).endArray().key("embeddings").beginArray();
  writeVector(w, emb);
  w.endArray().key("documents").beginArray().string(document).endArray().endObject();
  return w.buf.toArrayBuffer();
}

/** Sends a query for the `n` nearest records of `c` (POST …/query); the host's Status. */
export function chromaQuery(c: ChromaCollection, emb: Array<f64>, n: i32, handler: HttpCallHandler): Status {
  return httpCall(c.cluster, "POST", chromaPath(c, "query"), chromaHeaders(c), chromaQueryBody(emb, n), c.timeoutMs, handler);
}

/**
 * The matches of the first query embedding, nearest first (Chroma's order), or null when the
 * answer is not Chroma's shape. A record without a document has text "".
 */
export function readChromaMatches(body: ArrayBuffer): Array<VectorMatch> | null {
  const r = parseJsonBytes(body);
  if (!r.ok) return null;
  const root = r.value!;
  const idsV = gjsonGet(root, "ids.0");
  const distV = gjsonGet(root, "distances.0");
  if (idsV === null || distV === null) return null;
  const ids = idsV.asArray();
  const dists = distV.asArray();
  if (ids === null || dists === null || ids.length != dists.length) return null;
  const docsV = gjsonGet(root, "documents.0");
  const docs: Array<JsonValue> | null = docsV === null ? null : docsV.asArray();
  const out = new Array<VectorMatch>();
  for (let i = 0; i < ids.length; i++) {
    const id = unchecked(ids[i]);
    const d = unchecked(dists[i]);
    if (!id.isString || !d.isNumber) return null;
    let text = "";
    if (docs !== null && i < docs.length) {
      const doc = unchecked(docs![i]);
      if (doc.isString) text = doc.str;
    }
    out.push(new VectorMatch(id.str, d.asNumber(0), text));
  }
  return out;
}

// ---- DashVector ----

/** A DashVector collection (`dashvector-auth-token` is its API key). */
export class DashVectorCollection {
  cluster!: Cluster;
  apiKey: string = "";
  collection: string = "";
  timeoutMs: u32 = 500;
}

export function dashVectorQueryPath(c: DashVectorCollection): string {
  return "/v1/collections/" + c.collection + "/query";
}

/** A query for the `topk` nearest docs, returning only `fields` (all fields when empty). */
export function dashVectorQueryBody(emb: Array<f64>, topk: i32, fields: Array<string>): ArrayBuffer {
  const w = new JsonWriter(64 + emb.length * 20);
  w.beginObject().key("vector");
  writeVector(w, emb);
  w.key("topk").integer(topk).key("include_vector").bool(false);
  if (fields.length > 0) {
    w.key("output_fields").beginArray();
    for (let i = 0; i < fields.length; i++) w.string(unchecked(fields[i]));
    w.endArray();
  }
  w.endObject();
  return w.buf.toArrayBuffer();
}

/** Sends a query for the `topk` nearest docs of `c`; the host's Status. */
export function dashVectorQuery(c: DashVectorCollection, emb: Array<f64>, topk: i32, fields: Array<string>, handler: HttpCallHandler): Status {
  const h = [new HeaderPair("content-type", "application/json"), new HeaderPair("dashvector-auth-token", c.apiKey)];
  return httpCall(c.cluster, "POST", dashVectorQueryPath(c), h, dashVectorQueryBody(emb, topk, fields), c.timeoutMs, handler);
}

/**
 * The docs of a query answer in DashVector's order (`output[{id, fields, score}]`), each with the
 * text of its field `field` ("" when absent or not a string), or null when the answer is not a
 * success (`code` other than 0) or not DashVector's shape.
 */
export function readDashVectorMatches(body: ArrayBuffer, field: string): Array<VectorMatch> | null {
  const r = parseJsonBytes(body);
  if (!r.ok) return null;
  const root = r.value!.asObject();
  if (root === null) return null;
  const code = root.get("code");
  if (code === null || !code.isNumber || code.asNumber(-1) != 0) return null;
  const outV = root.get("output");
  // A query that found nothing may carry no output at all.
  if (outV === null || outV.isNull) return new Array<VectorMatch>();
  const out = outV.asArray();
  if (out === null) return null;
  const matches = new Array<VectorMatch>();
  for (let i = 0; i < out.length; i++) {
    const doc = unchecked(out[i]).asObject();
    if (doc === null) return null;
    const id = doc.get("id");
    const score = doc.get("score");
    if (id === null || !id.isString || score === null || !score.isNumber) return null;
    let text = "";
    const fields = doc.getObject("fields");
    if (fields !== null) {
      const t = fields.get(field);
      if (t !== null && t.isString) text = t.str;
    }
    matches.push(new VectorMatch(id.str, score.asNumber(0), text));
  }
  return matches;
}

