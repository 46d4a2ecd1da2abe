// Vector databases for a semantic cache that keeps a question and its answer with the question's
// vector: DashVector, Qdrant, Milvus (REST v2), Weaviate (GraphQL), Pinecone and Elasticsearch
// (kNN). The requests are the ones Higress's ai-cache sends (vector/*.go): the query for the
// `topK` nearest records and the insert of one record; the reader gives each match as
// VectorMatch(id: the stored question, score, text: the stored answer). What the score means is
// the database's: DashVector's cosine score and Weaviate's `distance` are distances (smaller is
// closer); Qdrant's and Pinecone's `score`, Milvus's `distance` for COSINE/IP and Elasticsearch's
// `_score` are similarities (larger is closer). Answers not in the database's shape read as null.
import { HeaderPair } from "../runtime/pairs";
import { JsonWriter } from "../json/writer";
import { parseJsonBytes } from "../json/parse";
import { JsonValue } from "../json/value";
import { Cluster } from "../http/cluster";
import { randomBytes } from "../api/random";
import { base64Encode } from "../encoding/base64";
import { gjsonGet } from "./gjson-path";
import { VectorMatch } from "./vector";

export enum VectorStoreType { DashVector, Qdrant, Milvus, Weaviate, Pinecone, Elasticsearch }

/** The name Higress's configuration gives each store (`vector.type`). */
export function vectorStoreName(t: VectorStoreType): string {
  switch (t) {
    case VectorStoreType.DashVector: return "dashvector";
    case VectorStoreType.Qdrant: return "qdrant";
    case VectorStoreType.Milvus: return "milvus";
    case VectorStoreType.Weaviate: return "weaviate";
    case VectorStoreType.Pinecone: return "pinecone";
    default: return "elasticsearch";
  }
}

/** One store: where it is reached, its credential, and the collection (index, class, namespace). */
export class VectorStore {
  type: VectorStoreType = VectorStoreType.Qdrant;
  cluster!: Cluster;
  apiKey: string = "";
  /** DashVector/Qdrant/Milvus collection, Weaviate class, Pinecone namespace, Elasticsearch index. */
  collection: string = "";
  /** Elasticsearch Basic credentials (used when `apiKey` is empty). */
  esUsername: string = "";
  esPassword: string = "";
  timeoutMs: u32 = 10000;
}

export class VectorRequest {
  constructor(public method: string, public path: string, public headers: Array<HeaderPair>, public body: ArrayBuffer) {}
}

function writeVector(w: JsonWriter, emb: Array<f64>): void {
  w.beginArray();
  for (let i = 0; i < emb.length; i++) w.number(unchecked(emb[i]));
  w.endArray();
}

function vectorText(emb: Array<f64>): string {
  const w = new JsonWriter(16 + emb.length * 20);
  writeVector(w, emb);
  return String.UTF8.decode(w.buf.toArrayBuffer());
}

/** A random (version 4) UUID, the id Higress gives a Qdrant point or a Pinecone vector. */
export function randomUuid(): string {
  const b = new ArrayBuffer(16);
  randomBytes(b);
  const u = Uint8Array.wrap(b);
  u[6] = (u[6] & 0x0f) | 0x40;
  u[8] = (u[8] & 0x3f) | 0x80;
  const hex = "0123456789abcdef";
  let s = "";
  for (let i = 0; i < 16; i++) {
    if (i == 4 || i == 6 || i == 8 || i == 10) s += "-";
    s += hex.charAt(u[i] >> 4) + hex.charAt(u[i] & 15);
  }
  return s;
}

/** The store's auth header (Higress's): DashVector's token, Qdrant's/Pinecone's api-key, a Bearer, Elasticsearch's ApiKey or Basic. */
function headersOf(s: VectorStore): Array<HeaderPair> {
  const h = [new HeaderPair("content-type", "application/json")];
  switch (s.type) {
    case VectorStoreType.DashVector: h.push(new HeaderPair("dashvector-auth-token", s.apiKey)); break;
    case VectorStoreType.Qdrant: h.push(new HeaderPair("api-key", s.apiKey)); break;
    case VectorStoreType.Pinecone: h.push(new HeaderPair("api-key", s.apiKey)); break;
    case VectorStoreType.Elasticsearch:
      h.push(new HeaderPair("authorization", s.apiKey.length > 0 ? "ApiKey " + s.apiKey : "Basic " + base64Encode<string>(s.esUsername + ":" + s.esPassword)));
      break;
    default: h.push(new HeaderPair("authorization", "Bearer " + s.apiKey));
  }
  return h;
}

/** The query for the `topK` nearest records of `emb`, with their question and answer. */
export function vectorQueryRequest(s: VectorStore, emb: Array<f64>, topK: i32): VectorRequest {
  const w = new JsonWriter(128 + emb.length * 20);
  let path = "";
  switch (s.type) {
    case VectorStoreType.DashVector:
      path = "/v1/collections/" + s.collection + "/query";
      w.beginObject().key("vector"); writeVector(w, emb);
      w.key("topk").integer(topK).key("include_vector").bool(false).endObject();
      break;
    case VectorStoreType.Qdrant:
      path = "/collections/" + s.collection + "/points/search";
      w.beginObject().key("vector"); writeVector(w, emb);
      w.key("limit").integer(topK).key("with_payload").bool(true).endObject();
      break;
    case VectorStoreType.Milvus:
      path = "/v2/vectordb/entities/search";
      w.beginObject().key("collectionName").string(s.collection).key("data").beginArray(); writeVector(w, emb);
      w.endArray().key("annsField").string("vector").key("limit").integer(topK)
        .key("outputFields").beginArray().string("question").string("answer").endArray().endObject();
      break;
    case VectorStoreType.Weaviate: {
      path = "/v1/graphql";
      // The class name was checked to be a GraphQL name when the configuration loaded.
      const q = "{ Get { " + s.collection + " (limit: " + topK.toString() + " nearVector: { vector: " + vectorText(emb) +
        " }) { question answer _additional { distance } } } }";
      w.beginObject().key("query").string(q).endObject();
      break;
    }
    case VectorStoreType.Pinecone:
      path = "/query";
      w.beginObject().key("namespace").string(s.collection).key("vector"); writeVector(w, emb);
      w.key("topK").integer(topK).key("includeMetadata").bool(true).key("includeValues").bool(false).endObject();
      break;
    default:
      path = "/" + s.collection + "/_search";
      w.beginObject().key("_source").beginObject().key("excludes").beginArray().string("embedding").endArray().endObject()
        .key("knn").beginObject().key("field").string("embedding").key("query_vector"); writeVector(w, emb);
      w.key("k").integer(topK).endObject().key("size").integer(topK).endObject();
  }
  return new VectorRequest("POST", path, headersOf(s), w.buf.toArrayBuffer());
}

/** The insert of one record: `question`'s vector with the question and its answer. */
export function vectorInsertRequest(s: VectorStore, question: string, emb: Array<f64>, answer: string): VectorRequest {
  const w = new JsonWriter(128 + emb.length * 20 + question.length + answer.length);
  let method = "POST";
  let path = "";
  switch (s.type) {
    case VectorStoreType.DashVector:
      path = "/v1/collections/" + s.collection + "/docs";
      w.beginObject().key("docs").beginArray().beginObject().key("vector"); writeVector(w, emb);
      w.key("fields").beginObject().key("answer").string(answer).key("query").string(question).endObject()
        .endObject().endArray().endObject();
      break;
    case VectorStoreType.Qdrant:
      method = "PUT";
      path = "/collections/" + s.collection + "/points";
      w.beginObject().key("points").beginArray().beginObject().key("id").string(randomUuid()).key("vector"); writeVector(w, emb);
      w.key("payload").beginObject().key("question").string(question).key("answer").string(answer).endObject()
        .endObject().endArray().endObject();
      break;
    case VectorStoreType.Milvus:
      path = "/v2/vectordb/entities/insert";
      w.beginObject().key("collectionName").string(s.collection).key("data").beginArray().beginObject().key("vector"); writeVector(w, emb);
      // Higress leaves an empty question or answer out (omitempty).
      if (question.length > 0) w.key("question").string(question);
      if (answer.length > 0) w.key("answer").string(answer);
      w.endObject().endArray().endObject();
      break;
    case VectorStoreType.Weaviate:
      path = "/v1/objects";
      w.beginObject().key("class").string(s.collection).key("vector"); writeVector(w, emb);
      w.key("properties").beginObject().key("question").string(question).key("answer").string(answer).endObject().endObject();
      break;
    case VectorStoreType.Pinecone:
      path = "/vectors/upsert";
      w.beginObject().key("vectors").beginArray().beginObject().key("id").string(randomUuid()).key("values"); writeVector(w, emb);
      w.key("metadata").beginObject().key("question").string(question).key("answer").string(answer).endObject()
        .endObject().endArray().key("namespace").string(s.collection).endObject();
      break;
    default:
      path = "/" + s.collection + "/_doc";
      w.beginObject().key("embedding"); writeVector(w, emb);
      w.key("question").string(question).key("answer").string(answer).endObject();
  }
  return new VectorRequest(method, path, headersOf(s), w.buf.toArrayBuffer());
}

function str(v: JsonValue | null): string | null {
  return v !== null && v.isString ? v.str : null;
}

/**
 * The matches of a query answer in the store's order, or null when it is not the store's shape
 * (Higress's test: the first match must carry a score and an answer; a DashVector or Milvus
 * answer with a non-zero `code` is an error). An empty list is no match.
 */
export function readVectorStoreMatches(s: VectorStore, body: ArrayBuffer): Array<VectorMatch> | null {
  const r = parseJsonBytes(body);
  if (!r.ok || !r.value!.isObject) return null;
  const root = r.value!;
  let list: JsonValue | null = null;
  let scoreKey = "score";
  let q = "question", a = "answer";
  switch (s.type) {
    case VectorStoreType.DashVector: {
      const code = gjsonGet(root, "code");
      if (code === null || !code.isNumber || code.asNumber(-1) != 0) return null;
      list = gjsonGet(root, "output");
      if (list === null || list.isNull) return new Array<VectorMatch>();
      q = "fields.query"; a = "fields.answer";
      break;
    }
    case VectorStoreType.Qdrant: list = gjsonGet(root, "result"); q = "payload.question"; a = "payload.answer"; break;
    case VectorStoreType.Milvus: {
      const code = gjsonGet(root, "code");
      if (code !== null && (!code.isNumber || code.asNumber(-1) != 0)) return null;
      list = gjsonGet(root, "data"); scoreKey = "distance";
      break;
    }
    case VectorStoreType.Weaviate: {
      const get = gjsonGet(root, "data.Get");
      if (get === null || !get.isObject) return null;
      list = get.asObject()!.get(s.collection);
      scoreKey = "_additional.distance";
      break;
    }
    case VectorStoreType.Pinecone: list = gjsonGet(root, "matches"); q = "metadata.question"; a = "metadata.answer"; break;
    default: list = gjsonGet(root, "hits.hits"); scoreKey = "_score"; q = "_source.question"; a = "_source.answer";
  }
  if (list === null) return null;
  const arr = list.asArray();
  if (arr === null) return null;
  const out = new Array<VectorMatch>();
  for (let i = 0; i < arr.length; i++) {
    const m = unchecked(arr[i]);
    if (!m.isObject) return null;
    const score = gjsonGet(m, scoreKey);
    if (score === null || !score.isNumber) return null;
    const question = str(gjsonGet(m, q));
    const answer = str(gjsonGet(m, a));
    // DashVector's answer may be absent (a question stored alone): its answer is then in Redis.
    if (answer === null && s.type != VectorStoreType.DashVector) return null;
    out.push(new VectorMatch(question === null ? "" : question, score.asNumber(0), answer === null ? "" : answer));
  }
  return out;
}
