// ai-cache's configuration, read as Higress's ai-cache reads it (config/config.go): `cache`
// (Redis), `embedding`, `vector`, the key strategy and the gjson paths and templates. Providers
// Sluice does not implement yet are refused by name at load, never accepted and ignored.
import { ConfigError, JsonObject } from "@sluice/sdk";
import { FQDNCluster } from "@sluice/sdk/http";
import { RedisClient } from "@sluice/sdk/redis";
import { EmbeddingService, EmbeddingType, ChromaCollection } from "@sluice/sdk/ai";

export const DEFAULT_RESPONSE_TEMPLATE =
  '{"id":"from-cache","choices":[{"index":0,"message":{"role":"assistant","content":"%s"},"finish_reason":"stop"}],"model":"from-cache","object":"chat.completion","usage":{"prompt_tokens":0,"completion_tokens":0,"total_tokens":0}}';
export const DEFAULT_STREAM_RESPONSE_TEMPLATE =
  'data:{"id":"from-cache","choices":[{"index":0,"delta":{"role":"assistant","content":"%s"},"finish_reason":"stop"}],"model":"from-cache","object":"chat.completion","usage":{"prompt_tokens":0,"completion_tokens":0,"total_tokens":0}}\n\ndata:[DONE]\n\n';

export enum KeyStrategy { LastQuestion, AllQuestions, Disabled }
export enum Relation { Lt, Lte, Gt, Gte }

export class CacheConfig {
  redis!: RedisClient;
  ttl: i64 = 0;
  prefix: string = "higress-ai-cache:";
}

/** The Chroma collection (the SDK's) with the query's size and the threshold test. */
export class VectorConfig extends ChromaCollection {
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
  else if (type == "textin" || type == "xfyun") {
    return err.fail<EmbeddingService>("embedding type '" + type + "' is not supported yet (supported: openai, dashscope, azure, ollama, cohere, huggingface)");
  } else return err.fail<EmbeddingService>("unknown embedding type: '" + type + "'");
  const name = str(o, "serviceName", "");
  if (name.length == 0) return err.fail<EmbeddingService>("embedding service name is required");
  e.cluster = new FQDNCluster(name, port(o, name, defPort), str(o, "serviceHost", host));
  e.apiKey = str(o, "apiKey", "");
  if (needsKey && e.apiKey.length == 0) return err.fail<EmbeddingService>("embedding apiKey is required for " + type);
  e.model = str(o, "model", e.model);
  if (e.model.length == 0) return err.fail<EmbeddingService>("embedding model must not be empty");
  e.apiVersion = str(o, "apiVersion", "");
  if (e.type == EmbeddingType.Azure && e.apiVersion.length == 0) return err.fail<EmbeddingService>("embedding apiVersion is required for azure");
  e.timeoutMs = timeout(o, 10000);
  return e;
}

function parseVector(o: JsonObject, err: ConfigError): VectorConfig | null {
  const type = str(o, "type", "");
  if (type == "dashvector" || type == "elasticsearch" || type == "weaviate" || type == "pinecone" || type == "qdrant" || type == "milvus") {
    return err.fail<VectorConfig>("vector type '" + type + "' is not supported yet (supported: chroma)");
  }
  if (type != "chroma") return err.fail<VectorConfig>("unknown vector type: '" + type + "'");
  const name = str(o, "serviceName", "");
  if (name.length == 0) return err.fail<VectorConfig>("vector service name is required");
  const v = new VectorConfig();
  v.cluster = new FQDNCluster(name, port(o, name, 443), str(o, "serviceHost", ""));
  v.apiKey = str(o, "apiKey", "");
  v.collectionId = str(o, "collectionID", "");
  if (v.collectionId.length == 0) return err.fail<VectorConfig>("vector collectionID is required for chroma");
  v.tenant = str(o, "tenant", v.tenant);
  v.database = str(o, "database", v.database);
  const k = o.getInt("topK", 1);
  v.topK = k >= 1 && k <= 100 ? <i32>k : 1;
  v.timeoutMs = timeout(o, 10000);
  v.threshold = o.getNumber("threshold", 1000);
  const rel = str(o, "thresholdRelation", "lt");
  if (rel == "lt") v.relation = Relation.Lt;
  else if (rel == "lte") v.relation = Relation.Lte;
  else if (rel == "gt") v.relation = Relation.Gt;
  else if (rel == "gte") v.relation = Relation.Gte;
  else return err.fail<VectorConfig>("invalid thresholdRelation: '" + rel + "' (lt, lte, gt or gte)");
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
  if (c.semantic && c.embedding === null) return err.fail<Config>("the semantic cache (vector) needs an embedding service to query chroma");
  c.keyFrom = str(json, "cacheKeyFrom", c.keyFrom);
  c.valueFrom = str(json, "cacheValueFrom", c.valueFrom);
  c.streamValueFrom = str(json, "cacheStreamValueFrom", c.streamValueFrom);
  c.toolCallsFrom = str(json, "cacheToolCallsFrom", c.toolCallsFrom);
  c.responseTemplate = str(json, "responseTemplate", c.responseTemplate);
  c.streamResponseTemplate = str(json, "streamResponseTemplate", c.streamResponseTemplate);
  return c;
}
