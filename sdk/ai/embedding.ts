// Embedding services (OpenAI, DashScope, Azure OpenAI, Ollama, Cohere, Hugging Face): the request
// each API documents for one text (path, auth header, body) and the first vector read back from
// its answer. Shared by ai-cache's semantic cache and ai-rag. A vector is bounded in size and
// read without trapping; anything unexpected is null (the caller goes on without it).
import { HeaderPair } from "../runtime/pairs";
import { Status } from "../abi/types";
import { JsonWriter } from "../json/writer";
import { parseJsonBytes } from "../json/parse";
import { Cluster } from "../http/cluster";
import { httpCall, HttpCallHandler } from "../http/call";
import { gjsonGet } from "./gjson-path";

/** Larger vectors than any embedding model produces are refused. */
export const MAX_EMBEDDING_DIMS: i32 = 16384;

export enum EmbeddingType { OpenAI, DashScope, Azure, Ollama, Cohere, HuggingFace }

/** One embedding service: its API, where it is reached, its credential and model. */
export class EmbeddingService {
  type: EmbeddingType = EmbeddingType.OpenAI;
  cluster!: Cluster;
  apiKey: string = "";
  model: string = "";
  /** Azure's `api-version` query parameter. */
  apiVersion: string = "";
  timeoutMs: u32 = 10000;
}

export class EmbeddingRequest {
  constructor(public path: string, public headers: Array<HeaderPair>, public body: ArrayBuffer) {}
}

/** The request asking `e` for the vector of `text`, as its API documents it. */
export function embeddingRequest(e: EmbeddingService, text: string): EmbeddingRequest {
  const json = new HeaderPair("content-type", "application/json");
  const bearer = [new HeaderPair("authorization", "Bearer " + e.apiKey), json];
  const w = new JsonWriter();
  switch (e.type) {
    case EmbeddingType.DashScope:
      w.beginObject().key("model").string(e.model)
        .key("input").beginObject().key("texts").beginArray().string(text).endArray().endObject()
        .key("parameters").beginObject().key("text_type").string("query").endObject()
        .endObject();
      return new EmbeddingRequest("/api/v1/services/embeddings/text-embedding/text-embedding", bearer, w.buf.toArrayBuffer());
    case EmbeddingType.Azure:
      // The model names the deployment; the key goes in `api-key`.
      w.beginObject().key("input").string(text).endObject();
      return new EmbeddingRequest("/openai/deployments/" + e.model + "/embeddings?api-version=" + e.apiVersion, [new HeaderPair("api-key", e.apiKey), json], w.buf.toArrayBuffer());
    case EmbeddingType.Ollama:
      w.beginObject().key("input").string(text).key("model").string(e.model).endObject();
      return new EmbeddingRequest("/api/embed", [json], w.buf.toArrayBuffer());
    case EmbeddingType.Cohere:
      w.beginObject().key("texts").beginArray().string(text).endArray().key("model").string(e.model)
        .key("input_type").string("search_document")
        .key("embedding_types").beginArray().string("float").endArray()
        .endObject();
      return new EmbeddingRequest("/v2/embed", bearer, w.buf.toArrayBuffer());
    case EmbeddingType.HuggingFace:
      w.beginObject().key("inputs").string(text).key("options").beginObject().key("wait_for_model").bool(true).endObject().endObject();
      return new EmbeddingRequest("/pipeline/feature-extraction/" + e.model, bearer, w.buf.toArrayBuffer());
    default:
      w.beginObject().key("input").string(text).key("model").string(e.model).endObject();
      return new EmbeddingRequest("/v1/embeddings", bearer, w.buf.toArrayBuffer());
  }
}

/** Sends the embedding request for `text` (POST, the service's timeout); the host's Status. */
export function requestEmbedding(e: EmbeddingService, text: string, handler: HttpCallHandler): Status {
  const q = embeddingRequest(e, text);
  return httpCall(e.cluster, "POST", q.path, q.headers, q.body, e.timeoutMs, handler);
}

/** Where each API puts the first vector of its answer ("" : the body is the vector). */
function vectorPath(t: EmbeddingType): string {
  switch (t) {
    case EmbeddingType.DashScope: return "output.embeddings.0.embedding";
    case EmbeddingType.Ollama: return "embeddings.0";
    case EmbeddingType.Cohere: return "embeddings.float.0";
    case EmbeddingType.HuggingFace: return "";
    default: return "data.0.embedding";
  }
}

/** The first vector of an answer, or null. */
export function readEmbedding(e: EmbeddingService, body: ArrayBuffer): Array<f64> | null {
  const r = parseJsonBytes(body);
  if (!r.ok) return null;
  const path = vectorPath(e.type);
  const v = path.length == 0 ? r.value : gjsonGet(r.value!, path);
  if (v === null) return null;
  const a = v.asArray();
  if (a === null || a.length == 0 || a.length > MAX_EMBEDDING_DIMS) return null;
  const out = new Array<f64>(a.length);
  for (let i = 0; i < a.length; i++) {
    const x = unchecked(a[i]);
    if (!x.isNumber) return null;
    out[i] = x.asNumber(0);
  }
  return out;
}
