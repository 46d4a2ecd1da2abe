// The embedding call of the semantic cache, per provider: path, auth and body as each API
// documents them, and the vector read back from its answer. A vector is bounded in size and read
// without trapping; anything unexpected is null (the request then goes on uncached).
import { HeaderPair } from "@sluice/sdk";
import { JsonWriter, parseJsonBytes } from "@sluice/sdk/json";
import { gjsonGet } from "@sluice/sdk/ai";
import { EmbeddingConfig, EmbeddingType } from "./config";

/** Larger vectors than any embedding model produces are refused, not stored. */
const MAX_DIMS: i32 = 16384;

export class EmbeddingRequest {
  constructor(public path: string, public headers: Array<HeaderPair>, public body: ArrayBuffer) {}
}

export function embeddingRequest(e: EmbeddingConfig, text: string): EmbeddingRequest {
  const headers = [new HeaderPair("authorization", "Bearer " + e.apiKey), new HeaderPair("content-type", "application/json")];
  const w = new JsonWriter();
  if (e.type == EmbeddingType.DashScope) {
    w.beginObject().key("model").string(e.model)
      .key("input").beginObject().key("texts").beginArray().string(text).endArray().endObject()
      .key("parameters").beginObject().key("text_type").string("query").endObject()
      .endObject();
    return new EmbeddingRequest("/api/v1/services/embeddings/text-embedding/text-embedding", headers, w.buf.toArrayBuffer());
  }
  w.beginObject().key("input").string(text).key("model").string(e.model).endObject();
  return new EmbeddingRequest("/v1/embeddings", headers, w.buf.toArrayBuffer());
}

/** The first vector of an answer, or null. */
export function readEmbedding(e: EmbeddingConfig, body: ArrayBuffer): Array<f64> | null {
  const r = parseJsonBytes(body);
  if (!r.ok) return null;
  const path = e.type == EmbeddingType.DashScope ? "output.embeddings.0.embedding" : "data.0.embedding";
  const v = gjsonGet(r.value!, path);
  if (v === null) return null;
  const a = v.asArray();
  if (a === null || a.length == 0 || a.length > MAX_DIMS) return null;
  const out = new Array<f64>(a.length);
  for (let i = 0; i < a.length; i++) {
    const x = unchecked(a[i]);
    if (!x.isNumber) return null;
    out[i] = x.asNumber(0);
  }
  return out;
}
