// The semantic-cache group of ai-cache's case table: every vector store Higress's ai-cache has
// besides Chroma (DashVector, Qdrant, Milvus, Weaviate, Pinecone, Elasticsearch), each a strict
// mock (harness/src/mocks/), and the TextIn and xfyun (signed) embedding services. For each store:
// a paraphrase of a stored question is answered from the store with 0 provider calls (its score
// against the configured threshold and relation, as the store reports it: a distance for
// DashVector and Weaviate, a similarity for the others); an unrelated question misses, reaches the
// provider, and its question, vector and answer are inserted as Higress inserts them (checked in
// the mock's collection, then removed so every host starts from the same state); the store
// refusing the key, answering its 500, or down, leaves the request answered by the provider (and,
// unlike Higress, nothing is inserted into a store that just failed the query). TextIn and xfyun give
// the question's vector for a semantic hit. The group has no Redis: only the vector store caches.
import { expect } from "vitest";
import { createServer as netServer, type AddressInfo } from "node:net";
import type { BadConfig, Group, HostedServer, Observed, Row, RowRequest } from "../../../harness/src/plugin-table.js";
import type { UpstreamAnswer } from "../../../harness/src/upstream.js";
import { EmbeddingMock, EMBEDDING_HOSTS, OPENAI_EMBEDDING_PATH, TEXTIN_EMBEDDING_PATH, type EmbeddingCall } from "../../../harness/src/mocks/embedding.js";
import { DashVectorMock, DASHVECTOR_HOST, type DashVectorCall } from "../../../harness/src/mocks/dashvector.js";
import { QdrantMock, QDRANT_HOST } from "../../../harness/src/mocks/qdrant.js";
import { MilvusMock, MILVUS_HOST } from "../../../harness/src/mocks/milvus.js";
import { WeaviateMock, WEAVIATE_HOST } from "../../../harness/src/mocks/weaviate.js";
import { PineconeMock, PINECONE_HOST } from "../../../harness/src/mocks/pinecone.js";
import { ElasticsearchMock, ELASTICSEARCH_HOST } from "../../../harness/src/mocks/elasticsearch.js";
import type { StoreCall, VectorStoreMock } from "../../../harness/src/mocks/vector-store.js";

const EMBED_KEY = "sk-embed-test";
/** A unit vector along axis i, leaning `lean` toward axis i+1 (8 dimensions). */
const axis = (i: number, lean = 0) => Array.from({ length: 8 }, (_, k) => (k === i ? 1 : k === i + 1 ? lean : 0));

const STORED_Q = "Capital of Italy?";
const PARA = "What is Italy's capital?";
const UNRELATED = "How do I bake sourdough bread?";
const ANSWER = "Rome.";
const NEW_ANSWER = "Feed the starter, then bake at 250 °C.";
const TEMPLATE = '{"id":"from-cache","choices":[{"index":0,"message":{"role":"assistant","content":"%s"},"finish_reason":"stop"}],"model":"from-cache","object":"chat.completion","usage":{"prompt_tokens":0,"completion_tokens":0,"total_tokens":0}}';

// ---- the services ----
let embed: EmbeddingMock;
let dv: DashVectorMock;
const stores: Record<string, VectorStoreMock> = {};
const cl = (name: string) => `outbound|443||${name}.dns`;

async function startEmbed(): Promise<HostedServer> {
  embed = await EmbeddingMock.start(EMBED_KEY);
  embed.vectors.set(STORED_Q, axis(0));
  embed.vectors.set(PARA, axis(0, 0.1));
  embed.vectors.set(UNRELATED, axis(4));
  return { port: embed.port, requests: [], stop: () => embed.stop() };
}

async function startDashVector(): Promise<HostedServer> {
  dv = await DashVectorMock.start("sk-dashvector-test");
  dv.collections.set("cache", { dimension: 8, docs: [{ id: "seed-1", vector: axis(0), fields: { query: STORED_Q, answer: ANSWER } }] });
  return { port: dv.port, requests: [], stop: () => dv.stop() };
}

async function startStore(name: string, m: VectorStoreMock, collection: string, fields: Record<string, unknown>): Promise<HostedServer> {
  m.collections.set(collection, { dimension: 8, records: [{ id: name === "qdrant" ? "0f3c8a2e-5d4b-4c1e-9a7f-2b6d8e1c3a90" : "1", vector: axis(0), fields }] });
  stores[name] = m;
  return { port: m.port, requests: [], stop: () => m.stop() };
}

/** A service that accepts connections and drops them at once (down). */
async function startDown(): Promise<HostedServer> {
  const s = netServer((sock) => sock.destroy());
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  return { port: (s.address() as AddressInfo).port, requests: [], stop: () => new Promise<void>((r) => s.close(() => r())) };
}

export const storeServers: Record<string, () => Promise<HostedServer>> = {
  [cl("embed")]: startEmbed,
  [cl("dashvector")]: startDashVector,
  [cl("qdrant")]: async () => startStore("qdrant", await QdrantMock.start(), "cache", { question: STORED_Q, answer: ANSWER }),
  [cl("milvus")]: async () => startStore("milvus", await MilvusMock.start(), "cache", { question: STORED_Q, answer: ANSWER }),
  [cl("weaviate")]: async () => startStore("weaviate", await WeaviateMock.start(), "Cache", { question: STORED_Q, answer: ANSWER }),
  [cl("pinecone")]: async () => startStore("pinecone", await PineconeMock.start(), "cache", { question: STORED_Q, answer: ANSWER }),
  [cl("elasticsearch")]: async () => {
    const m = await ElasticsearchMock.start();
    m.users.set("elastic", "es-pass-test");
    return startStore("elasticsearch", m, "ai-cache", { question: STORED_Q, answer: ANSWER });
  },
  [cl("down")]: startDown,
  // Each store once more, answering every request with its own 500.
  [cl("dashvector-error")]: async () => {
    const m = await DashVectorMock.start("sk-dashvector-test");
    m.collections.set("cache", { dimension: 8, docs: [] });
    m.fault = "error";
    failing.dashvector = m;
    return { port: m.port, requests: [], stop: () => m.stop() };
  },
  ...Object.fromEntries((["qdrant", "milvus", "weaviate", "pinecone", "elasticsearch"] as const).map((n) => [cl(`${n}-error`), async (): Promise<HostedServer> => {
    const m = n === "qdrant" ? await QdrantMock.start() : n === "milvus" ? await MilvusMock.start() : n === "weaviate" ? await WeaviateMock.start() : n === "pinecone" ? await PineconeMock.start() : await ElasticsearchMock.start();
    if (m instanceof ElasticsearchMock) m.users.set("elastic", "es-pass-test");
    m.collections.set(SPECS[n].collection, { dimension: 8, records: [] });
    m.fault = "error";
    failing[n] = m;
    return { port: m.port, requests: [], stop: () => m.stop() };
  }])),
};
const failing: Record<string, { calls: AnyCall[] }> = {};

// ---- what each host's request made the services do ----
const seen = new Map<object, number>();
function since<T>(calls: T[]): T[] {
  const out = calls.slice(seen.get(calls) ?? 0);
  seen.set(calls, calls.length);
  return out;
}
type AnyCall = { op: string; status: number; path: string; headers: Record<string, any>; body: any; code?: number };
const storeCalls = (name: string): AnyCall[] => (name === "dashvector" ? since<DashVectorCall>(dv.calls) : since<StoreCall>(stores[name].calls));

async function until(what: string, ok: () => boolean, ms = 10000): Promise<void> {
  for (const end = Date.now() + ms; Date.now() < end; ) {
    if (ok()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

// ---- configuration ----
interface StoreSpec {
  collection: string;
  host: string;
  key: string;
  threshold: number;
  relation: "lt" | "gt";
  extra?: Record<string, unknown>;
  /** The store's query and insert paths and auth header. */
  queryPath: string;
  insertPath: string;
  insertMethod: string;
  auth: [string, string];
  /** The status or code of a refused key, and the log line it gives. */
  refusedLog: string;
  /** The record's question and answer field names in the mock. */
  qField: string;
}
const SPECS: Record<string, StoreSpec> = {
  dashvector: { collection: "cache", host: DASHVECTOR_HOST, key: "sk-dashvector-test", threshold: 0.1, relation: "lt", queryPath: "/v1/collections/cache/query", insertPath: "/v1/collections/cache/docs", insertMethod: "POST", auth: ["dashvector-auth-token", "sk-dashvector-test"], refusedLog: "dashvector query answered 403", qField: "query" },
  qdrant: { collection: "cache", host: QDRANT_HOST, key: "qdrant-key-test", threshold: 0.9, relation: "gt", queryPath: "/collections/cache/points/search", insertPath: "/collections/cache/points", insertMethod: "PUT", auth: ["api-key", "qdrant-key-test"], refusedLog: "qdrant query answered 401", qField: "question" },
  milvus: { collection: "cache", host: MILVUS_HOST, key: "milvus-token-test", threshold: 0.9, relation: "gt", queryPath: "/v2/vectordb/entities/search", insertPath: "/v2/vectordb/entities/insert", insertMethod: "POST", auth: ["authorization", "Bearer milvus-token-test"], refusedLog: "milvus answered no matches in its shape", qField: "question" },
  weaviate: { collection: "Cache", host: WEAVIATE_HOST, key: "weaviate-key-test", threshold: 0.1, relation: "lt", queryPath: "/v1/graphql", insertPath: "/v1/objects", insertMethod: "POST", auth: ["authorization", "Bearer weaviate-key-test"], refusedLog: "weaviate query answered 401", qField: "question" },
  pinecone: { collection: "cache", host: PINECONE_HOST, key: "pcsk_test", threshold: 0.9, relation: "gt", queryPath: "/query", insertPath: "/vectors/upsert", insertMethod: "POST", auth: ["api-key", "pcsk_test"], refusedLog: "pinecone query answered 401", qField: "question" },
  // Basic credentials (no apiKey): esUsername/esPassword.
  elasticsearch: { collection: "ai-cache", host: ELASTICSEARCH_HOST, key: "", threshold: 0.95, relation: "gt", extra: { esUsername: "elastic", esPassword: "es-pass-test" }, queryPath: "/ai-cache/_search", insertPath: "/ai-cache/_doc", insertMethod: "POST", auth: ["authorization", "Basic " + Buffer.from("elastic:es-pass-test").toString("base64")], refusedLog: "elasticsearch query answered 401", qField: "question" },
};
const NAMES = Object.keys(SPECS);

const openaiEmbedding = { type: "openai", serviceName: "embed.dns", servicePort: 443, serviceHost: EMBEDDING_HOSTS.openai, apiKey: EMBED_KEY };
const vectorOf = (name: string, o: { key?: string; service?: string } = {}) => {
  const s = SPECS[name];
  const cred = name === "elasticsearch" ? (o.key !== undefined ? { esUsername: "elastic", esPassword: o.key } : s.extra) : { apiKey: o.key ?? s.key };
  return { type: name, serviceName: `${o.service ?? name}.dns`, servicePort: 443, serviceHost: s.host, collectionID: s.collection, topK: 1, threshold: s.threshold, thresholdRelation: s.relation, timeout: 5000, ...cred };
};
const rule = (route: string, extra: Record<string, unknown>) => ({ _match_route_: [route], ...extra });

const rules = [
  ...NAMES.flatMap((n) => [
    rule(n, { embedding: openaiEmbedding, vector: vectorOf(n) }),
    rule(`key-${n}`, { embedding: openaiEmbedding, vector: vectorOf(n, { key: "wrong-key" }) }),
    rule(`down-${n}`, { embedding: openaiEmbedding, vector: vectorOf(n, { service: "down" }) }),
    rule(`error-${n}`, { embedding: openaiEmbedding, vector: vectorOf(n, { service: `${n}-error` }) }),
  ]),
  rule("textin", { embedding: { type: "textin", serviceName: "embed.dns", servicePort: 443, textinAppId: "textin-app-test", textinSecretCode: "textin-secret-test", textinMatryoshkaDim: 8 }, vector: vectorOf("qdrant") }),
  rule("xfyun", { embedding: { type: "xfyun", serviceName: "embed.dns", servicePort: 443, apiKey: "xfyun-key-test", appId: "xfyun-app-test", apiSecret: "xfyun-secret-test" }, vector: vectorOf("qdrant") }),
  rule("secret-xfyun", { embedding: { type: "xfyun", serviceName: "embed.dns", servicePort: 443, apiKey: "xfyun-key-test", appId: "xfyun-app-test", apiSecret: "not-the-secret" }, vector: vectorOf("qdrant") }),
];
const routes = rules.map((r) => r._match_route_[0]);

// ---- rows ----
const chat = (q: string) => JSON.stringify({ model: "gpt-4o", messages: [{ role: "user", content: q }] });
const completion = (text: string): UpstreamAnswer => ({
  headers: { "content-type": "application/json" },
  body: JSON.stringify({ id: "c1", object: "chat.completion", model: "gpt-4o", choices: [{ index: 0, message: { role: "assistant", content: text }, finish_reason: "stop" }] }),
});
const ask = (route: string, q: string, answer = "the provider must not be asked"): RowRequest => ({
  method: "POST", path: `/${route}/v1/chat/completions`, headers: [["content-type", "application/json"]], body: chat(q), answer: completion(answer),
});
const aiLog = (o: Observed) => (o.properties.ai_log === null ? null : JSON.parse(JSON.parse(`"${o.properties.ai_log}"`)));
const close = (a: number[], b: number[]) => a.length === b.length && a.every((x, i) => Math.abs(x - b[i]) < 1e-6);

/** The one OpenAI embedding call of `q`. */
function embedded(q: string): void {
  const e = since<EmbeddingCall>(embed.calls);
  expect(e.map((c) => [c.path, c.status, c.headers.host, c.headers.authorization, c.body])).toEqual([[OPENAI_EMBEDDING_PATH, 200, EMBEDDING_HOSTS.openai, `Bearer ${EMBED_KEY}`, { input: q, model: "text-embedding-3-small" }]]);
}

/** The store's query: its path, Host, auth header and the question's vector in its body. */
function queried(name: string, c: AnyCall, q: string): void {
  const s = SPECS[name];
  expect([c.op, c.path, c.status, c.headers.host, c.headers[s.auth[0]]]).toEqual(["query", s.queryPath, 200, s.host, s.auth[1]]);
  const v = embed.vectorOf(q);
  const sent = name === "milvus" ? c.body.data[0] : name === "elasticsearch" ? c.body.knn.query_vector : name === "weaviate" ? JSON.parse(/vector: (\[[^\]]*\])/.exec(c.body.query)![1]) : c.body.vector;
  expect(close(sent, v), `${name}: the query's vector`).toBe(true);
  if (name === "dashvector") expect(c.code).toBe(0);
}

function hitRow(name: string): Row {
  return {
    name: `${name}: a paraphrase of a stored question is answered from ${name}, 0 provider calls`,
    request: ask(name, PARA),
    expect: {
      status: 200, reachesUpstream: false, body: TEMPLATE.replace("%s", ANSWER),
      notLogged: [SPECS[name].key || "es-pass-test", EMBED_KEY],
      check: (o) => {
        expect(aiLog(o)).toEqual({ cache_status: "hit", cache_match: "semantic" });
        embedded(PARA);
        const calls = storeCalls(name);
        expect(calls).toHaveLength(1);
        queried(name, calls[0], PARA);
      },
    },
  };
}

/** The record the store holds for `q` after the insert (removed again so every host starts alike). */
async function inserted(name: string, q: string): Promise<{ vector: number[]; answer: unknown }> {
  const field = SPECS[name].qField;
  if (name === "dashvector") {
    const docs = () => dv.collections.get("cache")!.docs.filter((d) => d.fields[field] === q);
    await until(`${name} insert`, () => docs().length > 0);
    const d = docs();
    expect(d).toHaveLength(1);
    const c = dv.collections.get("cache")!;
    c.docs = c.docs.filter((x) => x.fields[field] !== q);
    return { vector: d[0].vector, answer: d[0].fields.answer };
  }
  const m = stores[name];
  const coll = SPECS[name].collection;
  await until(`${name} insert`, () => m.find(coll, field, q).length > 0);
  const r = m.find(coll, field, q);
  expect(r).toHaveLength(1);
  m.remove(coll, field, q);
  return { vector: r[0].vector, answer: r[0].fields.answer };
}

function missRow(name: string): Row {
  const s = SPECS[name];
  return {
    name: `${name}: an unrelated question misses, the provider answers, question, vector and answer are inserted`,
    request: ask(name, UNRELATED, NEW_ANSWER),
    expect: {
      status: 200, reachesUpstream: true, upstreamBody: true, logs: ["nearest stored question is beyond the threshold", "answer cached"],
      check: async (o) => {
        expect(aiLog(o)).toEqual({ cache_status: "miss" });
        embedded(UNRELATED);
        const rec = await inserted(name, UNRELATED);
        expect(close(rec.vector, embed.vectorOf(UNRELATED))).toBe(true);
        expect(rec.answer).toBe(NEW_ANSWER);
        const calls = storeCalls(name);
        expect(calls.map((c) => c.op)).toEqual(["query", "insert"]);
        queried(name, calls[0], UNRELATED);
        const ins = calls[1];
        expect([ins.path, ins.status, ins.headers.host, ins.headers[s.auth[0]]]).toEqual([s.insertPath, name === "elasticsearch" ? 201 : 200, s.host, s.auth[1]]);
        if (name === "dashvector") expect(ins.code).toBe(0);
        if (name === "milvus") expect(ins.body.collectionName).toBe("cache");
        if (name === "pinecone") expect(ins.body.namespace).toBe("cache");
        if (name === "weaviate") expect(ins.body.class).toBe("Cache");
      },
    },
  };
}

function refusedRow(name: string): Row {
  return {
    name: `${name}: the store refuses the key: the provider answers, nothing is inserted`,
    request: ask(`key-${name}`, UNRELATED, NEW_ANSWER),
    expect: {
      status: 200, reachesUpstream: true, upstreamBody: true, logs: [SPECS[name].refusedLog, `${name} failed the query: the answer is not inserted there`],
      notLogged: ["wrong-key"],
      check: (o) => {
        expect(aiLog(o)).toEqual({ cache_status: "miss" });
        embedded(UNRELATED);
        const calls = storeCalls(name);
        // Milvus refuses with HTTP 200 and code 1800; the others with their 401/403.
        expect(calls.map((c) => [c.op, name === "milvus" ? c.status === 200 : c.status >= 400])).toEqual([["query", true]]);
        expect(storesHold(name, UNRELATED)).toBe(false);
      },
    },
  };
}

function storesHold(name: string, q: string): boolean {
  const field = SPECS[name].qField;
  if (name === "dashvector") return dv.collections.get("cache")!.docs.some((d) => d.fields[field] === q);
  return stores[name].find(SPECS[name].collection, field, q).length > 0;
}

function downRow(name: string): Row {
  return {
    name: `${name}: the store is down: the provider answers`,
    request: ask(`down-${name}`, UNRELATED, NEW_ANSWER),
    expect: {
      status: 200, reachesUpstream: true, upstreamBody: true, logs: [`${name} query answered`, `${name} failed the query: the answer is not inserted there`],
      check: (o) => {
        expect(aiLog(o)).toEqual({ cache_status: "miss" });
        embedded(UNRELATED);
        expect(storeCalls(name)).toEqual([]);
      },
    },
  };
}

function errorRow(name: string): Row {
  return {
    name: `${name}: the store answers its 500: the provider answers, nothing is inserted`,
    request: ask(`error-${name}`, PARA, NEW_ANSWER),
    expect: {
      status: 200, reachesUpstream: true, upstreamBody: true, logs: [`${name} query answered 500: not using the semantic cache`, `${name} failed the query: the answer is not inserted there`],
      check: (o) => {
        expect(aiLog(o)).toEqual({ cache_status: "miss" });
        embedded(PARA);
        const calls = since(failing[name].calls);
        expect(calls.map((c) => [c.op, c.status])).toEqual([["query", 500]]);
        queried(name, { ...calls[0], status: 200, code: 0 }, PARA);
      },
    },
  };
}

const embeddingHit = (type: "textin" | "xfyun"): Row => ({
  name: `${type} embeddings: a paraphrase is answered from qdrant, 0 provider calls`,
  request: ask(type, PARA),
  expect: {
    status: 200, reachesUpstream: false, body: TEMPLATE.replace("%s", ANSWER),
    notLogged: ["textin-secret-test", "xfyun-secret-test"],
    check: (o) => {
      expect(aiLog(o)).toEqual({ cache_status: "hit", cache_match: "semantic" });
      const e = since<EmbeddingCall>(embed.calls);
      expect(e).toHaveLength(1);
      const c = e[0];
      expect([c.provider, c.status, c.headers.host, c.texts]).toEqual([type, 200, EMBEDDING_HOSTS[type], [PARA]]);
      if (type === "textin") {
        expect([c.path, c.headers["x-ti-app-id"], c.headers["x-ti-secret-code"], c.body]).toEqual([TEXTIN_EMBEDDING_PATH, "textin-app-test", "textin-secret-test", { input: [PARA], matryoshka_dim: 8 }]);
      } else {
        const u = new URL(c.path, "http://x");
        expect([u.pathname, [...u.searchParams.keys()]]).toEqual(["/", ["authorization", "date", "host"]]);
        expect(c.body.header).toEqual({ app_id: "xfyun-app-test", status: 3 });
        expect(c.body.parameter).toEqual({ emb: { domain: "query", feature: { encoding: "utf8" } } });
      }
      const calls = storeCalls("qdrant");
      expect(calls).toHaveLength(1);
      expect(close(calls[0].body.vector, embed.vectorOf(PARA))).toBe(true);
    },
  },
});

const rows: Row[] = [
  ...NAMES.flatMap((n) => [hitRow(n), missRow(n), refusedRow(n), downRow(n), errorRow(n)]),
  embeddingHit("textin"),
  embeddingHit("xfyun"),
  {
    name: "xfyun with a wrong APISecret: the signature does not match (401), the provider answers",
    request: ask("secret-xfyun", PARA, NEW_ANSWER),
    expect: {
      status: 200, reachesUpstream: true, upstreamBody: true, logs: ["embedding service answered 401: not using the semantic cache"],
      notLogged: ["not-the-secret"],
      check: () => {
        const e = since<EmbeddingCall>(embed.calls);
        expect(e.map((c) => [c.provider, c.status])).toEqual([["xfyun", 401]]);
        expect(storeCalls("qdrant")).toEqual([]);
      },
    },
  },
];

export const storeGroup: Group = { name: "semantic cache in each vector store", config: { _rules_: rules, embedding: openaiEmbedding, vector: vectorOf("qdrant") }, routes, properties: ["ai_log"], rows };

const emb = { type: "openai", serviceName: "e.dns", apiKey: "k" };
export const storeBadConfigs: BadConfig[] = ([
  ["dashvector without apiKey", { embedding: emb, vector: { type: "dashvector", serviceName: "v.dns", serviceHost: "h", collectionID: "c" } }, "[DashVector] apiKey is required"],
  ["dashvector without collectionID", { embedding: emb, vector: { type: "dashvector", serviceName: "v.dns", serviceHost: "h", apiKey: "k" } }, "[DashVector] collectionID is required"],
  ["dashvector without serviceHost", { embedding: emb, vector: { type: "dashvector", serviceName: "v.dns", apiKey: "k", collectionID: "c" } }, "[DashVector] serviceHost is required"],
  ["qdrant without serviceName", { embedding: emb, vector: { type: "qdrant", collectionID: "c" } }, "[Qdrant] serviceName is required"],
  ["qdrant without collectionID", { embedding: emb, vector: { type: "qdrant", serviceName: "v.dns" } }, "[Qdrant] collectionID is required"],
  ["milvus without collectionID", { embedding: emb, vector: { type: "milvus", serviceName: "v.dns" } }, "[Milvus] collectionID is required"],
  ["weaviate without collectionID", { embedding: emb, vector: { type: "weaviate", serviceName: "v.dns" } }, "[Weaviate] collectionID is required"],
  ["weaviate class that is no GraphQL name", { embedding: emb, vector: { type: "weaviate", serviceName: "v.dns", collectionID: "Cache) { x }" } }, "[Weaviate] collectionID must be a GraphQL class name"],
  ["pinecone without serviceHost", { embedding: emb, vector: { type: "pinecone", serviceName: "v.dns", apiKey: "k" } }, "[Pinecone] serviceHost is required"],
  ["pinecone without apiKey", { embedding: emb, vector: { type: "pinecone", serviceName: "v.dns", serviceHost: "idx.pinecone.io" } }, "[Pinecone] apiKey is required"],
  ["elasticsearch without collectionID", { embedding: emb, vector: { type: "elasticsearch", serviceName: "v.dns" } }, "[ES] collectionID is required"],
  ["elasticsearch index with a slash", { embedding: emb, vector: { type: "elasticsearch", serviceName: "v.dns", collectionID: "a/_delete_by_query" } }, "vector collectionID must not contain '/'"],
  ["vector without type", { embedding: emb, vector: { serviceName: "v.dns", collectionID: "c" } }, "vector database service is required"],
  ["textin without app id", { embedding: { type: "textin", serviceName: "e.dns", textinSecretCode: "s", textinMatryoshkaDim: 8 } }, "textinAppId is required"],
  ["textin without secret code", { embedding: { type: "textin", serviceName: "e.dns", textinAppId: "a", textinMatryoshkaDim: 8 } }, "textinSecretCode is required"],
  ["textin without matryoshka dim", { embedding: { type: "textin", serviceName: "e.dns", textinAppId: "a", textinSecretCode: "s" } }, "embedding service TextIn Matryoshka Dim is required"],
  ["xfyun without apiKey", { embedding: { type: "xfyun", serviceName: "e.dns", appId: "a", apiSecret: "s" } }, "[Xfyun] apiKey is required"],
  ["xfyun without appId", { embedding: { type: "xfyun", serviceName: "e.dns", apiKey: "k", apiSecret: "s" } }, "[Xfyun] appId is required"],
  ["xfyun without apiSecret", { embedding: { type: "xfyun", serviceName: "e.dns", apiKey: "k", appId: "a" } }, "[Xfyun] apiSecret is required"],
] as const).map(([name, config, message]) => ({ name, config, message }));
