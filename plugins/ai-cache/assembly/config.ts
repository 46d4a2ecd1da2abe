// ai-cache's configuration, read as Higress's ai-cache reads it (config/config.go): `cache`
// (Redis), `embedding`, `vector`, the key strategy and the gjson paths and templates. Providers
// and stores Sluice does not know are refused by name at load, never accepted and ignored.
import { ConfigError, JsonObject } from "@sluice/sdk";
import { FQDNCluster } from "@sluice/sdk/http";
import { RedisClient } from "@sluice/sdk/redis";
import { EmbeddingService, EmbeddingType, ChromaCollection, VectorStore, VectorStoreType } from "@sluice/sdk/ai";

export const DEFAULT_RESPONSE_TEMPLATE =
  '{"id":"from-cache","choices":[{"index":0,"message":{"role":"assistant","content":"%s"},"finish_reason":"stop"}],"model":"from-cache","object":"chat.completion","usage":{"prompt_tokens":0,"completion_tokens":0,"total_tokens":0}}';
export const DEFAULT_STREAM_RESPONSE_TEMPLATE =
  'data:{"id":"from-cache","choices":[{"index":0,"delta":{"role":"assistant","content":"%s"},"finish_reason":"stop"}],"model":"from-cache","object":"chat.completion","usage":{"prompt_tokens":0,"completion_tokens":0,"total_tokens":0}}\n\ndata:[DONE]\n\n';

/** TextIn's largest `matryoshka_dim` (acge-text-embedding's full vector). */
const MAX_TEXTIN_DIM: i64 = 1792;

export enum KeyStrategy { LastQuestion, AllQuestions, Disabled }
export enum Relation { Lt, Lte, Gt, Gte }

export class CacheConfig {
  redis!: RedisClient;
  ttl: i64 = 0;
  prefix: string = "higress-ai-cache:";
}

/** The vector database: Chroma (the SDK's collection) or another store (`store`), with the query's size and the threshold test. */
export class VectorConfig extends ChromaCollection {
  /** The store when it is not Chroma. */
  store: VectorStore | null = null;
  /** Higress's `vector.type`. */
  typeName: string = "chroma";
  topK: i32 = 1;
  threshold: f64 = 1000;
  relation: Relation = Relation.Lt;
}

export class Config {
  strategy: KeyStrategy = KeyStrategy.LastQuestion;
  semantic: bool = false;
  keyFrom: string = "messages.@reverse.0.content";
  valueFrom: string = "choices.0.message.content";
  streamValueFrom: string = "choices.0.delta.content";
  toolCallsFrom: string = "choices.0.delta.content.tool_calls";
  responseTemplate: string = DEFAULT_RESPONSE_TEMPLATE;
  streamResponseTemplate: string = DEFAULT_STREAM_RESPONSE_TEMPLATE;
  cache: CacheConfig | null = null;
  embedding: EmbeddingService | null = null;
  vector: VectorConfig | null = null;
}

function str(o: JsonObject, key: string, def: string): string {
  const v = o.get(key);
  if (v === null) return def;
  const t = v.toText();
  return t === null ? def : t;
}

function timeout(o: JsonObject, def: u32): u32 {
  const t = o.getInt("timeout", 0);
  return t > 0 && t < 3600000 ? <u32>t : def;
}

function port(o: JsonObject, name: string, def: i64): i64 {
  const p = o.getInt("servicePort", 0);
  if (p > 0 && p < 65536) return p;
  return name.endsWith(".static") ? 80 : def;
}

function parseCache(o: JsonObject, err: ConfigError): CacheConfig | null {
  const type = str(o, "type", "redis");
  if (type != "redis") return err.fail<CacheConfig>("unknown cache type: " + type + " (only redis is supported)");
  const name = str(o, "serviceName", "");
  if (name.length == 0) return err.fail<CacheConfig>("cache service name is required");
  const c = new CacheConfig();
  const redis = new RedisClient(new FQDNCluster(name, port(o, name, 6379), str(o, "serviceHost", "")));
  redis.init(str(o, "username", ""), str(o, "password", ""), timeout(o, 10000), <i32>o.getInt("database", 0));
  c.redis = redis;
  const ttl = o.getInt("cacheTTL", 0);
  if (ttl < 0) return err.fail<CacheConfig>("cacheTTL must not be negative");
  c.ttl = ttl;
  c.prefix = str(o, "cacheKeyPrefix", c.prefix);
  return c;
}

function parseEmbedding(o: JsonObject, err: ConfigError): EmbeddingService | null {
  const type = str(o, "type", "");
  const e = new EmbeddingService();
  // Each API's default host, port and model, as Higress's providers set them.
  let host = "";
  let defPort: i64 = 443;
  let needsKey = true;
  if (type == "openai") { e.type = EmbeddingType.OpenAI; e.model = "text-embedding-3-small"; host = "api.openai.com"; }
  else if (type == "dashscope") { e.type = EmbeddingType.DashScope; e.model = "text-embedding-v2"; host = "dashscope.aliyuncs.com"; }
  else if (type == "azure") { e.type = EmbeddingType.Azure; e.model = "text-embedding-ada-002"; }
  else if (type == "ollama") { e.type = EmbeddingType.Ollama; e.model = "llama3.2"; host = "localhost"; defPort = 11434; needsKey = false; }
  else if (type == "cohere") { e.type = EmbeddingType.Cohere; e.model = "embed-english-v2.0"; host = "api.cohere.com"; }
  else if (type == "huggingface") { e.type = EmbeddingType.HuggingFace; e.model = "sentence-transformers/all-MiniLM-L6-v2"; host = "api-inference.huggingface.co"; }
  else if (type == "textin") { e.type = EmbeddingType.TextIn; e.model = "acge-text-embedding"; host = "api.textin.com"; needsKey = false; }
  else if (type == "xfyun") { e.type = EmbeddingType.Xfyun; host = "emb-cn-huabei-1.xf-yun.com"; }
  else return err.fail<EmbeddingService>("unknown embedding type: '" + type + "'");
  const name = str(o, "serviceName", "");
  if (name.length == 0) return err.fail<EmbeddingService>("embedding service name is required");
  e.cluster = new FQDNCluster(name, port(o, name, defPort), str(o, "serviceHost", host));
  e.apiKey = str(o, "apiKey", "");
  if (e.type == EmbeddingType.TextIn) {
    // Higress's messages (embedding/textin.go).
    e.textinAppId = str(o, "textinAppId", "");
    e.textinSecretCode = str(o, "textinSecretCode", "");
    const dim = o.getInt("textinMatryoshkaDim", 0);
    if (e.textinAppId.length == 0) return err.fail<EmbeddingService>("textinAppId is required");
    if (e.textinSecretCode.length == 0) return err.fail<EmbeddingService>("textinSecretCode is required");
    if (dim == 0) return err.fail<EmbeddingService>("embedding service TextIn Matryoshka Dim is required");
    if (dim < 0 || dim > MAX_TEXTIN_DIM) return err.fail<EmbeddingService>("textinMatryoshkaDim must be from 1 to " + MAX_TEXTIN_DIM.toString());
    e.textinMatryoshkaDim = <i32>dim;
  }
  if (e.type == EmbeddingType.Xfyun) {
    // Higress's messages (embedding/xfyun.go).
    e.xfyunAppId = str(o, "appId", "");
    e.xfyunApiSecret = str(o, "apiSecret", "");
    if (e.apiKey.length == 0) return err.fail<EmbeddingService>("[Xfyun] apiKey is required");
    if (e.xfyunAppId.length == 0) return err.fail<EmbeddingService>("[Xfyun] appId is required");
    if (e.xfyunApiSecret.length == 0) return err.fail<EmbeddingService>("[Xfyun] apiSecret is required");
  }
  if (needsKey && e.apiKey.length == 0) return err.fail<EmbeddingService>("embedding apiKey is required for " + type);
  e.model = str(o, "model", e.model);
  if (e.model.length == 0 && e.type != EmbeddingType.Xfyun) return err.fail<EmbeddingService>("embedding model must not be empty");
  e.apiVersion = str(o, "apiVersion", "");
  if (e.type == EmbeddingType.Azure && e.apiVersion.length == 0) return err.fail<EmbeddingService>("embedding apiVersion is required for azure");
  e.timeoutMs = timeout(o, 10000);
  return e;
}

/** A GraphQL name (Weaviate's class is written into the query). */
function isGraphqlName(s: string): bool {
  if (s.length == 0 || s.length > 256) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const letter = (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c == 0x5f;
    if (!letter && !(i > 0 && c >= 0x30 && c <= 0x39)) return false;
  }
  return true;
}

/** A name that stays one path segment (a collection, an index). */
function isPathSegment(s: string): bool {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c <= 0x20 || c == 0x2f || c == 0x3f || c == 0x23 || c == 0x25 || c == 0x7f) return false;
  }
  return s != "." && s != "..";
}

function parseVector(o: JsonObject, err: ConfigError): VectorConfig | null {
  const type = str(o, "type", "");
  const v = new VectorConfig();
  v.typeName = type;
  const name = str(o, "serviceName", "");
  const host = str(o, "serviceHost", "");
  v.apiKey = str(o, "apiKey", "");
  v.collectionId = str(o, "collectionID", "");
  if (type == "chroma") {
    if (name.length == 0) return err.fail<VectorConfig>("vector service name is required");
    if (v.collectionId.length == 0) return err.fail<VectorConfig>("vector collectionID is required for chroma");
    v.tenant = str(o, "tenant", v.tenant);
    v.database = str(o, "database", v.database);
  } else {
    const s = new VectorStore();
    // Each store's required fields and messages, in Higress's order (vector/*.go ValidateConfig).
    if (type == "dashvector") {
      s.type = VectorStoreType.DashVector;
      if (v.apiKey.length == 0) return err.fail<VectorConfig>("[DashVector] apiKey is required");
      if (v.collectionId.length == 0) return err.fail<VectorConfig>("[DashVector] collectionID is required");
      if (name.length == 0) return err.fail<VectorConfig>("[DashVector] serviceName is required");
      if (host.length == 0) return err.fail<VectorConfig>("[DashVector] serviceHost is required");
    } else if (type == "qdrant" || type == "milvus") {
      s.type = type == "qdrant" ? VectorStoreType.Qdrant : VectorStoreType.Milvus;
      const tag = type == "qdrant" ? "[Qdrant]" : "[Milvus]";
      if (name.length == 0) return err.fail<VectorConfig>(tag + " serviceName is required");
      if (v.collectionId.length == 0) return err.fail<VectorConfig>(tag + " collectionID is required");
    } else if (type == "weaviate" || type == "elasticsearch") {
      s.type = type == "weaviate" ? VectorStoreType.Weaviate : VectorStoreType.Elasticsearch;
      const tag = type == "weaviate" ? "[Weaviate]" : "[ES]";
      if (v.collectionId.length == 0) return err.fail<VectorConfig>(tag + " collectionID is required");
      if (name.length == 0) return err.fail<VectorConfig>(tag + " serviceName is required");
    } else if (type == "pinecone") {
      s.type = VectorStoreType.Pinecone;
      if (host.length == 0) return err.fail<VectorConfig>("[Pinecone] serviceHost is required");
      if (name.length == 0) return err.fail<VectorConfig>("[Pinecone] serviceName is required");
      if (v.apiKey.length == 0) return err.fail<VectorConfig>("[Pinecone] apiKey is required");
    } else if (type.length == 0) return err.fail<VectorConfig>("vector database service is required");
    else return err.fail<VectorConfig>("unknown vector type: '" + type + "'");
    if (s.type == VectorStoreType.Weaviate && !isGraphqlName(v.collectionId)) return err.fail<VectorConfig>("[Weaviate] collectionID must be a GraphQL class name (letters, digits, '_'; not starting with a digit): '" + v.collectionId + "'");
    if (s.type != VectorStoreType.Weaviate && !isPathSegment(v.collectionId)) return err.fail<VectorConfig>("vector collectionID must not contain '/', '?', '#', '%', spaces or control characters: '" + v.collectionId + "'");
    s.apiKey = v.apiKey;
    s.collection = v.collectionId;
    s.esUsername = str(o, "esUsername", "");
    s.esPassword = str(o, "esPassword", "");
    v.store = s;
  }
  v.cluster = new FQDNCluster(name, port(o, name, 443), host);
  const k = o.getInt("topK", 1);
  v.topK = k >= 1 && k <= 100 ? <i32>k : 1;
  v.timeoutMs = timeout(o, 10000);
  v.threshold = o.getNumber("threshold", 1000);
  // Higress: a threshold of 0 is unset (1000).
  if (v.threshold == 0) v.threshold = 1000;
  const rel = str(o, "thresholdRelation", "lt");
  if (rel == "lt") v.relation = Relation.Lt;
  else if (rel == "lte") v.relation = Relation.Lte;
  else if (rel == "gt") v.relation = Relation.Gt;
  else if (rel == "gte") v.relation = Relation.Gte;
  else return err.fail<VectorConfig>("invalid thresholdRelation: '" + rel + "' (lt, lte, gt or gte)");
  const st = v.store;
  if (st !== null) { st.cluster = v.cluster; st.timeoutMs = v.timeoutMs; }
  return v;
}

export function parseConfig(json: JsonObject, err: ConfigError): Config | null {
  const c = new Config();
  const s = str(json, "cacheKeyStrategy", "lastQuestion");
  if (s == "lastQuestion") c.strategy = KeyStrategy.LastQuestion;
  else if (s == "allQuestions") c.strategy = KeyStrategy.AllQuestions;
  else if (s == "disabled") c.strategy = KeyStrategy.Disabled;
  else return err.fail<Config>("invalid cacheKeyStrategy: '" + s + "' (lastQuestion, allQuestions or disabled)");
  const cache = json.getObject("cache");
  const emb = json.getObject("embedding");
  const vec = json.getObject("vector");
  if (cache === null && emb === null && vec === null) return err.fail<Config>("at least one of vector, embedding and cache must be configured");
  if (cache !== null) { c.cache = parseCache(cache, err); if (c.cache === null) return null; }
  if (emb !== null) { c.embedding = parseEmbedding(emb, err); if (c.embedding === null) return null; }
  if (vec !== null) { c.vector = parseVector(vec, err); if (c.vector === null) return null; }
  c.semantic = c.vector !== null && json.getBool("enableSemanticCache", true);
  if (c.semantic && c.embedding === null) return err.fail<Config>("the semantic cache (vector) needs an embedding service to query " + c.vector!.typeName);
  c.keyFrom = str(json, "cacheKeyFrom", c.keyFrom);
  c.valueFrom = str(json, "cacheValueFrom", c.valueFrom);
  c.streamValueFrom = str(json, "cacheStreamValueFrom", c.streamValueFrom);
  c.toolCallsFrom = str(json, "cacheToolCallsFrom", c.toolCallsFrom);
  c.responseTemplate = str(json, "responseTemplate", c.responseTemplate);
  c.streamResponseTemplate = str(json, "streamResponseTemplate", c.streamResponseTemplate);
  return c;
}
