// Embedding services (OpenAI, DashScope, Azure OpenAI, Ollama, Cohere, Hugging Face, TextIn, iFlytek
// Spark/xfyun): the request
// each API documents for one text (path, auth header, body) and the first vector read back from
// its answer. Shared by ai-cache's semantic cache and ai-rag. A vector is bounded in size and
// read without trapping; anything unexpected is null (the caller goes on without it).
import { HeaderPair } from "../runtime/pairs";
import { Status } from "../abi/types";
import { JsonWriter } from "../json/writer";
import { parseJsonBytes } from "../json/parse";
import { JsonValue } from "../json/value";
import { Cluster } from "../http/cluster";
import { httpCall, HttpCallHandler } from "../http/call";
import { gjsonGet } from "./gjson-path";
import { time } from "../api/time";
import { hmacSha256 } from "../crypto/hmac";
import { base64Encode, base64Decode } from "../encoding/base64";
import { formatHttpDate } from "../net/httpdate-format";

/** Larger vectors than any embedding model produces are refused. */
export const MAX_EMBEDDING_DIMS: i32 = 16384;

export enum EmbeddingType { OpenAI, DashScope, Azure, Ollama, Cohere, HuggingFace, TextIn, Xfyun }

/** One embedding service: its API, where it is reached, its credential and model. */
export class EmbeddingService {
  type: EmbeddingType = EmbeddingType.OpenAI;
  cluster!: Cluster;
  apiKey: string = "";
  model: string = "";
  /** Azure's `api-version` query parameter. */
  apiVersion: string = "";
  timeoutMs: u32 = 10000;
  /** TextIn's `x-ti-app-id`, `x-ti-secret-code` and `matryoshka_dim`. */
  textinAppId: string = "";
  textinSecretCode: string = "";
  textinMatryoshkaDim: i32 = 0;
  /** xfyun's APPID and APISecret (the APIKey is `apiKey`). */
  xfyunAppId: string = "";
  xfyunApiSecret: string = "";
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
    case EmbeddingType.TextIn:
      w.beginObject().key("input").beginArray().string(text).endArray().key("matryoshka_dim").integer(e.textinMatryoshkaDim).endObject();
      return new EmbeddingRequest("/ai/service/v1/acge_embedding", [new HeaderPair("x-ti-app-id", e.textinAppId), new HeaderPair("x-ti-secret-code", e.textinSecretCode), json], w.buf.toArrayBuffer());
    case EmbeddingType.Xfyun: {
      // The text goes base64-encoded as a one-message chat; the request is signed in its URL.
      const msg = new JsonWriter(64 + text.length);
      msg.beginObject().key("messages").beginArray().beginObject().key("content").string(text).key("role").string("user").endObject().endArray().endObject();
      w.beginObject().key("header").beginObject().key("app_id").string(e.xfyunAppId).key("status").integer(3).endObject()
        .key("parameter").beginObject().key("emb").beginObject().key("domain").string("query")
        .key("feature").beginObject().key("encoding").string("utf8").endObject().endObject().endObject()
        .key("payload").beginObject().key("messages").beginObject().key("text").string(base64Encode<ArrayBuffer>(msg.buf.toArrayBuffer())).endObject().endObject()
        .endObject();
      return new EmbeddingRequest("/" + xfyunAuthQuery(e.cluster.hostName(), formatHttpDate(time.nowSeconds()), e.apiKey, e.xfyunApiSecret), [json], w.buf.toArrayBuffer());
    }
    case EmbeddingType.HuggingFace:
      w.beginObject().key("inputs").string(text).key("options").beginObject().key("wait_for_model").bool(true).endObject().endObject();
      return new EmbeddingRequest("/pipeline/feature-extraction/" + e.model, bearer, w.buf.toArrayBuffer());
    default:
      w.beginObject().key("input").string(text).key("model").string(e.model).endObject();
      return new EmbeddingRequest("/v1/embeddings", bearer, w.buf.toArrayBuffer());
  }
}

/** Go's url.QueryEscape: unreserved bytes kept, space as `+`, everything else `%XX`. */
function queryEscape(s: string): string {
  const b = Uint8Array.wrap(String.UTF8.encode(s));
  const hex = "0123456789ABCDEF";
  let out = "";
  for (let i = 0; i < b.length; i++) {
    const c = b[i];
    if ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c == 0x2d || c == 0x2e || c == 0x5f || c == 0x7e) out += String.fromCharCode(c);
    else if (c == 0x20) out += "+";
    else out += "%" + hex.charAt(c >> 4) + hex.charAt(c & 15);
  }
  return out;
}

/**
 * xfyun's HMAC-SHA256 URL signature (as its docs and Higress's embedding/xfyun.go build it): the
 * signature over `host: {host}\ndate: {date}\nPOST / HTTP/1.1` with the APISecret, wrapped in
 * `api_key="…", algorithm="hmac-sha256", headers="host date request-line", signature="…"`,
 * base64-encoded; the query `?authorization=…&date=…&host=…` (Go's url.Values order).
 */
export function xfyunAuthQuery(host: string, date: string, apiKey: string, apiSecret: string): string {
  const origin = "host: " + host + "\ndate: " + date + "\nPOST / HTTP/1.1";
  const signature = base64Encode<ArrayBuffer>(hmacSha256<string, string>(apiSecret, origin));
  const auth = "api_key=\"" + apiKey + "\", algorithm=\"hmac-sha256\", headers=\"host date request-line\", signature=\"" + signature + "\"";
  return "?authorization=" + queryEscape(base64Encode<string>(auth)) + "&date=" + queryEscape(date) + "&host=" + queryEscape(host);
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
    case EmbeddingType.TextIn: return "result.embedding.0";
    default: return "data.0.embedding";
  }
}

/** The first vector of an answer, or null. */
export function readEmbedding(e: EmbeddingService, body: ArrayBuffer): Array<f64> | null {
  const r = parseJsonBytes(body);
  if (!r.ok) return null;
  if (e.type == EmbeddingType.Xfyun) return xfyunVector(r.value!);
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

/** xfyun's vector: `payload.feature.text`, base64 of little-endian float32s. */
function xfyunVector(root: JsonValue): Array<f64> | null {
  const t = gjsonGet(root, "payload.feature.text");
  if (t === null || !t.isString) return null;
  const raw = base64Decode(t.str);
  if (raw === null) return null;
  const n = raw.byteLength;
  if (n == 0 || n % 4 != 0 || n / 4 > MAX_EMBEDDING_DIMS) return null;
  const out = new Array<f64>(n / 4);
  const p = changetype<usize>(raw);
  for (let i = 0; i < n / 4; i++) {
    const x = <f64>load<f32>(p + (<usize>i << 2));
    if (!isFinite(x)) return null;
    out[i] = x;
  }
  return out;
}
