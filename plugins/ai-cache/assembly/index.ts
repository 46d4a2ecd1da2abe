// ai-cache: answers repeated questions from Redis and similar ones from a vector database
// (Chroma, DashVector, Qdrant, Milvus, Weaviate, Pinecone, Elasticsearch), so they never reach the LLM. Configuration and flow follow Higress's ai-cache: the
// key is the last question (or all user questions), a Redis GET answers an exact repeat, a miss
// asks the embedding service for the question's vector and the database for the nearest stored one
// within the threshold; a hit is a local answer from Higress's templates (JSON, or SSE for
// `stream: true`). A miss goes on to the provider, and the answer, as it passes through untouched,
// is read (JSON) or assembled (SSE) and stored — only when it is complete and successful (status
// 200, finish_reason stop, no tool call), which Higress does not check. Every failure of Redis,
// the embedding service or Chroma lets the request go on (fail-open).
import { Plugin, HttpFilter, BodyMode, Action, ConfigError, JsonObject, JsonValue, registerPlugin, log, HeaderPair, Status, Counter } from "@sluice/sdk";
import { UserAttributes, contentText, gjsonGet, gjsonString, AiApi, classifyAiPath, anthropicTextAnswer, anthropicTextStream, requestEmbedding, readEmbedding, chromaQuery, chromaPath, chromaHeaders, chromaUpsertBody, readChromaMatches, VectorMatch, vectorQueryRequest, vectorInsertRequest, readVectorStoreMatches } from "@sluice/sdk/ai";
import { httpCall, HttpCallHandler, HttpCallResponse, lastHttpCallError } from "@sluice/sdk/http";
import { RedisHandler, RedisResult } from "@sluice/sdk/redis";
import { parseJsonBytes } from "@sluice/sdk/json";
import { Config, KeyStrategy, parseConfig, DEFAULT_RESPONSE_TEMPLATE, DEFAULT_STREAM_RESPONSE_TEMPLATE } from "./config";
import { passes } from "./vector";
import { fillTemplate, JsonAnswer, StreamAnswer } from "./answer";
export * from "@sluice/sdk/exports";

const SKIP_HEADER = "x-higress-skip-ai-cache";
/** Longer keys are not looked up or stored (a conversation pasted whole is not a cache key). */
const MAX_KEY_BYTES: i32 = 64 << 10;
/** Larger request bodies are not read for a key: they pass uncached (bounded memory per request). */
const MAX_REQUEST_BYTES: u32 = 4 << 20;

class AiCache extends Plugin<Config> {
  hits: Counter = new Counter("ai_cache_hit");
  semanticHits: Counter = new Counter("ai_cache_semantic_hit");
  misses: Counter = new Counter("ai_cache_miss");
  stored: Counter = new Counter("ai_cache_stored");

  parseConfig(json: JsonObject, global: Config | null, err: ConfigError): Config | null { return parseConfig(json, err); }
  newFilter(): HttpFilter<Config> { return new CacheFilter(); }
}

/** Logs the outcome of a store; the request may be gone by then (the calls belong to the root). */
class StoreOutcome implements RedisHandler, HttpCallHandler {
  constructor(public what: string, public where: string = "chroma") {}
  onRedisResult(r: RedisResult): void {
    if (!r.ok) log.warn("cache store in redis failed for " + this.what + ": " + r.error!);
  }
  onHttpCallResponse(r: HttpCallResponse): void {
    if (!r.ok) log.warn("cache store in " + this.where + " failed for " + this.what + ": status " + r.status.toString());
  }
}

enum Phase { Idle, Exact, Embedding, Querying, SimilarExact, Forwarded, Done }

function keyOf(c: Config, root: JsonValue): string {
  if (c.strategy == KeyStrategy.AllQuestions) {
    const msgs = gjsonGet(root, "messages");
    if (msgs === null) return "";
    const a = msgs.asArray();
    if (a === null) return "";
    const qs = new Array<string>();
    for (let i = 0; i < a.length; i++) {
      const m = unchecked(a[i]).asObject();
      if (m === null) continue;
      const role = m.getString("role");
      if (role === null || role != "user") continue;
      qs.push(contentText(m.get("content")));
    }
    return qs.join("\n");
  }
  const v = gjsonGet(root, c.keyFrom);
  if (v !== null && v.isArray) return contentText(v);
  return gjsonString(v);
}

class CacheFilter extends HttpFilter<Config> implements RedisHandler, HttpCallHandler {
  phase: Phase = Phase.Idle;
  key: string = "";
  stream: bool = false;
  embedding: Array<f64> | null = null;
  /** The vector database failed this request's query (refused, down, an answer not its own): nothing is inserted there. */
  storeFailed: bool = false;
  sse: bool = false;
  json: JsonAnswer | null = null;
  events: StreamAnswer | null = null;
  attrs: UserAttributes = new UserAttributes();
  /** The client's API (its path): an Anthropic client is answered in Anthropic's shape. */
  api: AiApi = AiApi.Other;

  private get owner(): AiCache { return <AiCache>this.plugin; }

  onRequestHeaders(endOfStream: bool): Action {
    if (this.config.strategy == KeyStrategy.Disabled) return Action.Continue;
    const skip = this.requestHeaders.get(SKIP_HEADER);
    if (skip !== null && skip == "on") {
      log.debug("skip header on: bypassing the cache");
      this.mark("skip");
      return Action.Continue;
    }
    const ct = this.requestHeaders.get("content-type");
    if (ct === null || !ct.toLowerCase().includes("application/json") || endOfStream) return Action.Continue;
    const path = this.requestHeaders.getBytes(":path");
    this.api = path === null ? AiApi.Other : classifyAiPath(path);
    // The answer is read on its way back: ask for it uncompressed.
    this.requestHeaders.remove("accept-encoding");
    this.requestBodyMode = BodyMode.Buffer;
    this.requestBodyLimit = MAX_REQUEST_BYTES;
    return Action.Pause;
  }

  onRequestBodyTooLarge(size: u32): Action {
    log.debug("request body larger than " + MAX_REQUEST_BYTES.toString() + " bytes: not cached");
    return Action.Continue;
  }

  onRequestBody(body: ArrayBuffer): Action {
    const r = parseJsonBytes(body);
    if (!r.ok || !r.value!.isObject) { log.debug("request body is not a JSON object: not cached"); return Action.Continue; }
    const root = r.value!;
    const s = gjsonGet(root, "stream");
    this.stream = s !== null && s.asBool(false);
    const key = keyOf(this.config, root);
    if (key.length == 0) { log.debug("cache key is empty: not cached"); return Action.Continue; }
    if (String.UTF8.byteLength(key) > MAX_KEY_BYTES) { log.debug("cache key longer than " + MAX_KEY_BYTES.toString() + " bytes: not cached"); return Action.Continue; }
    this.key = key;
    if (this.config.cache !== null) {
      const redis = this.config.cache!.redis;
      if (redis.get(this.config.cache!.prefix + key, this) == Status.Ok) { this.phase = Phase.Exact; return Action.Pause; }
      log.warn("redis get refused: " + redis.lastError);
    }
    return this.semanticOrForward() ? Action.Pause : Action.Continue;
  }

  /** After an exact miss: start the similarity search (true: paused for it), else forward. */
  private semanticOrForward(): bool {
    if (this.config.semantic) {
      const e = this.config.embedding!;
      if (requestEmbedding(e, this.key, this) == Status.Ok) { this.phase = Phase.Embedding; return true; }
      log.warn("embedding call refused: " + lastHttpCallError);
    }
    this.phase = Phase.Forwarded;
    return false;
  }

  private forward(): void {
    this.phase = Phase.Forwarded;
    this.resumeRequest();
  }

  onRedisResult(r: RedisResult): void {
    if (this.phase != Phase.Exact && this.phase != Phase.SimilarExact) return;
    const similar = this.phase == Phase.SimilarExact;
    if (!r.ok) log.warn("redis get failed: " + r.error!);
    const v = r.string;
    if (v !== null && v.length > 0) { this.answer(v, similar); return; }
    if (similar || !this.semanticOrForward()) this.forward();
  }

  onHttpCallResponse(resp: HttpCallResponse): void {
    if (this.phase == Phase.Embedding) { this.onEmbedding(resp); return; }
    if (this.phase == Phase.Querying) this.onNearest(resp);
  }

  private onEmbedding(resp: HttpCallResponse): void {
    const e = this.config.embedding!;
    if (resp.status != 200) { log.warn("embedding service answered " + resp.status.toString() + ": not using the semantic cache"); this.forward(); return; }
    const emb = readEmbedding(e, resp.body);
    if (emb === null) { log.warn("embedding service answered no vector: not using the semantic cache"); this.forward(); return; }
    this.embedding = emb;
    const v = this.config.vector!;
    const store = v.store;
    let st: Status;
    if (store !== null) {
      const q = vectorQueryRequest(store, emb, v.topK);
      st = httpCall(v.cluster, q.method, q.path, q.headers, q.body, v.timeoutMs, this);
    } else st = chromaQuery(v, emb, v.topK, this);
    if (st != Status.Ok) {
      this.storeFailed = true;
      log.warn(v.typeName + " query refused: " + lastHttpCallError);
      this.forward();
      return;
    }
    this.phase = Phase.Querying;
  }

  private onNearest(resp: HttpCallResponse): void {
    const v = this.config.vector!;
    if (resp.status != 200) { this.storeFailed = true; log.warn(v.typeName + " query answered " + resp.status.toString() + ": not using the semantic cache"); this.forward(); return; }
    const store = v.store;
    const matches: Array<VectorMatch> | null = store !== null ? readVectorStoreMatches(store, resp.body) : readChromaMatches(resp.body);
    if (matches === null) { this.storeFailed = true; log.warn(v.typeName + " answered no matches in its shape: not using the semantic cache"); this.forward(); return; }
    if (matches.length == 0) { log.debug("no similar question stored"); this.forward(); return; }
    const n = matches[0];
    if (!passes(v, n.score)) { log.debug("nearest stored question is beyond the threshold"); this.forward(); return; }
    if (n.text.length > 0) {
      // Like Higress: the answer is also kept under this question's own key.
      const c = this.config.cache;
      if (c !== null) this.storeRedis(c.prefix + this.key, n.text);
      this.answer(n.text, true);
      return;
    }
    const c = this.config.cache;
    if (c !== null && c.redis.get(c.prefix + n.id, this) == Status.Ok) { this.phase = Phase.SimilarExact; return; }
    this.forward();
  }

  /** A hit: the answer from the template of the request's own form (JSON or SSE). */
  private answer(value: string, semantic: bool): void {
    this.phase = Phase.Done;
    this.attrs.setString("cache_match", semantic ? "semantic" : "exact");
    this.mark("hit");
    if (semantic) this.owner.semanticHits.increment(1); else this.owner.hits.increment(1);
    log.debug((semantic ? "semantic" : "exact") + " cache hit");
    const ct = this.stream ? "text/event-stream; charset=utf-8" : "application/json; charset=utf-8";
    // Higress answers every client with its OpenAI templates; an Anthropic client (/v1/messages)
    // could not read that, so unless the templates were configured it gets Anthropic's shape.
    const anthropic = this.api == AiApi.AnthropicMessages &&
      this.config.responseTemplate == DEFAULT_RESPONSE_TEMPLATE && this.config.streamResponseTemplate == DEFAULT_STREAM_RESPONSE_TEMPLATE;
    const body = anthropic
      ? (this.stream ? anthropicTextStream("from-cache", value, "from-cache") : anthropicTextAnswer("from-cache", value, "from-cache"))
      : fillTemplate(this.stream ? this.config.streamResponseTemplate : this.config.responseTemplate, value);
    this.respond(200, body, [new HeaderPair("content-type", ct)], "ai-cache.hit");
  }

  private mark(status: string): void {
    this.attrs.setString("cache_status", status);
    this.attrs.writeToLog();
  }

  onResponseHeaders(endOfStream: bool): Action {
    if (this.phase != Phase.Forwarded) return Action.Continue;
    this.mark("miss");
    this.owner.misses.increment(1);
    if (this.api == AiApi.AnthropicMessages) { log.debug("an Anthropic Messages answer: not cached (only OpenAI-shaped answers are read)"); this.phase = Phase.Done; return Action.Continue; }
    const st = this.responseHeaders.get(":status");
    if (st === null || st != "200" || endOfStream) { log.debug("response status " + (st === null ? "none" : st) + ": not cached"); this.phase = Phase.Done; return Action.Continue; }
    const ct = this.responseHeaders.get("content-type");
    this.sse = ct !== null && ct.toLowerCase().includes("text/event-stream");
    if (this.sse) this.events = new StreamAnswer(this.config.streamValueFrom, this.config.toolCallsFrom);
    else this.json = new JsonAnswer();
    // The client gets every byte as the provider sent it; the answer is read on the way.
    this.responseBodyMode = BodyMode.Stream;
    return Action.Continue;
  }

  onResponseChunk(chunk: ArrayBuffer, last: bool): ArrayBuffer | null {
    if (this.phase != Phase.Forwarded) return null;
    let value = "";
    let why = "";
    const ev = this.events;
    const js = this.json;
    if (ev !== null) {
      ev.push(chunk, last);
      if (!last) return null;
      value = ev.finish();
      why = ev.why;
    } else if (js !== null) {
      js.push(chunk);
      if (!last) return null;
      value = js.finish(this.config.valueFrom);
      why = js.why;
    }
    this.phase = Phase.Done;
    if (value.length == 0) { log.debug("answer not cached: " + why); return null; }
    this.store(value);
    return null;
  }

  private store(value: string): void {
    const c = this.config.cache;
    if (c !== null) this.storeRedis(c.prefix + this.key, value);
    const emb = this.embedding;
    if (this.config.semantic && emb !== null && this.storeFailed) {
      // Unlike Higress, which inserts anyway: the same store just failed, the insert would too.
      log.debug(this.config.vector!.typeName + " failed the query: the answer is not inserted there");
    } else if (this.config.semantic && emb !== null) {
      const v = this.config.vector!;
      const store = v.store;
      this.beginRootScope();
      let st: Status;
      const outcome = new StoreOutcome("the question's vector", v.typeName);
      if (store !== null) {
        // Like Higress: the question, its vector and the answer in one record.
        const q = vectorInsertRequest(store, this.key, emb, value);
        st = httpCall(v.cluster, q.method, q.path, q.headers, q.body, v.timeoutMs, outcome);
      } else st = httpCall(v.cluster, "POST", chromaPath(v, "upsert"), chromaHeaders(v), chromaUpsertBody(this.key, emb, value), v.timeoutMs, outcome);
      this.endRootScope();
      if (st != Status.Ok) log.warn(v.typeName + " insert refused: " + lastHttpCallError);
    }
    this.owner.stored.increment(1);
    log.debug("answer cached");
  }

  /** From the root context: the store must outlive this request. */
  private storeRedis(key: string, value: string): void {
    const c = this.config.cache!;
    this.beginRootScope();
    const h = new StoreOutcome("the answer");
    const st = c.ttl > 0 ? c.redis.setEx(key, value, c.ttl, h) : c.redis.set(key, value, h);
    this.endRootScope();
    if (st != Status.Ok) log.warn("redis set refused: " + c.redis.lastError);
  }
}

registerPlugin("ai-cache", () => new AiCache());
