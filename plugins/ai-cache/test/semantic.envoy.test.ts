// ai-cache in a real Envoy with a real Redis (through webdis), a real Chroma server (v2 API),
// the strict embedding mock (OpenAI, DashScope, Azure, Ollama, Cohere, Hugging Face) and the strict OpenAI provider mock, whose
// calls are counted: a repeated question is answered from Redis with 0 provider calls; a
// paraphrase that the embedding mock maps close to the original is answered from Chroma with 0
// provider calls; an unrelated question misses; streamed and plain requests each get their own
// form of a cached answer; a cut, failed or bypassed answer is never stored (Redis nor Chroma);
// an embedding service that fails leaves the request answered by the provider.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { createServer, type AddressInfo } from "node:net";
import { mkdtempSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { useEnvoy } from "../../../harness/src/vitest.js";
import { http, pluginWasm, type HttpResult } from "../../../harness/src/index.js";
import { RedisServer } from "../../../harness/src/redis.js";
import { ChromaServer } from "../../../harness/src/chroma.js";
import { EmbeddingMock, OPENAI_EMBEDDING_PATH, EMBEDDING_HOSTS, type EmbeddingProvider } from "../../../harness/src/mocks/embedding.js";
import { LlmMock, openaiFamily } from "../../../harness/src/mocks/llm/index.js";
import { redisString, waitStored } from "./helpers.js";
import { TEMPLATE, fill } from "./cases.js";

const Q = "What is the capital of France?";
const PARA = "Which city is the capital of France?";
const PARA_STREAM = "Name the capital city of France";
const UNRELATED = "How do I bake sourdough bread?";
const axis = (i: number, lean = 0) => Array.from({ length: 8 }, (_, k) => (k === i ? 1 : k === i + 1 ? lean : 0));
const ECHO = (q: string) => `Echo: ${q}`; // what the provider mock answers

let redis: RedisServer, chroma: ChromaServer, embed: EmbeddingMock, llm: LlmMock;
let openaiCollection = "";
/** A loopback port nobody listens on: the "Chroma is down" route's cluster. */
let deadPort = 0;
const collections: Record<string, string> = {};

/** The other embedding providers, each on its own route (prefix stripped) with its own collection and key prefix. */
const API_KEY = "sk-embed-test";
const PROVIDERS: { type: Exclude<EmbeddingProvider, "openai">; port: number; embedding: Record<string, unknown>; path: string; body: unknown; auth: Record<string, string | undefined> }[] = [
  { type: "dashscope", port: 443, embedding: { apiKey: API_KEY }, path: "/api/v1/services/embeddings/text-embedding/text-embedding", body: { model: "text-embedding-v2", input: { texts: [Q] }, parameters: { text_type: "query" } }, auth: { authorization: `Bearer ${API_KEY}` } },
  { type: "azure", port: 443, embedding: { apiKey: API_KEY, apiVersion: "2024-02-01", serviceHost: EMBEDDING_HOSTS.azure }, path: "/openai/deployments/text-embedding-ada-002/embeddings?api-version=2024-02-01", body: { input: Q }, auth: { "api-key": API_KEY, authorization: undefined } },
  { type: "ollama", port: 11434, embedding: { model: "nomic-embed-text" }, path: "/api/embed", body: { input: Q, model: "nomic-embed-text" }, auth: { authorization: undefined } },
  { type: "cohere", port: 443, embedding: { apiKey: API_KEY }, path: "/v2/embed", body: { texts: [Q], model: "embed-english-v2.0", input_type: "search_document", embedding_types: ["float"] }, auth: { authorization: `Bearer ${API_KEY}` } },
  { type: "huggingface", port: 443, embedding: { apiKey: API_KEY }, path: "/pipeline/feature-extraction/sentence-transformers/all-MiniLM-L6-v2", body: { inputs: Q, options: { wait_for_model: true } }, auth: { authorization: `Bearer ${API_KEY}` } },
];
const logDir = mkdtempSync(join(tmpdir(), "ai-cache-"));
const accessLog = join(logDir, "access.log");

beforeAll(async () => {
  [redis, chroma, embed, llm] = await Promise.all([RedisServer.start(), ChromaServer.start(), EmbeddingMock.start(), LlmMock.start(openaiFamily)]);
  deadPort = await new Promise<number>((res) => { const s = createServer(); s.listen(0, "127.0.0.1", () => { const port = (s.address() as AddressInfo).port; s.close(() => res(port)); }); });
  openaiCollection = await chroma.createCollection("ai-cache-openai");
  for (const p of PROVIDERS) collections[p.type] = await chroma.createCollection(`ai-cache-${p.type}`);
  // The paraphrases lie close to the original (squared L2 0.01), the unrelated question far.
  embed.vectors.set(Q, axis(0));
  embed.vectors.set(PARA, axis(0, 0.1));
  embed.vectors.set(PARA_STREAM, axis(0, 0.12));
  embed.vectors.set(UNRELATED, axis(4));
}, 120_000);
afterAll(async () => {
  await Promise.all([redis?.stop(), chroma?.stop(), embed?.stop(), llm?.stop()]);
});

const vector = (collectionID: string) => ({ type: "chroma", serviceName: "chroma.dns", servicePort: 8000, collectionID, threshold: 0.05, thresholdRelation: "lt", timeout: 10000 });
const gw = useEnvoy(() => ({
  plugins: [{
    name: "ai-cache",
    wasm: pluginWasm("ai-cache"),
    config: {
      cache: { type: "redis", serviceName: "redis.static", servicePort: 6379, timeout: 10000 },
      embedding: { type: "openai", serviceName: "openai-embed.dns", servicePort: 443, apiKey: API_KEY, model: "text-embedding-3-small", timeout: 10000 },
      vector: vector(openaiCollection),
      _rules_: [
        ...PROVIDERS.map((p) => ({
          _match_route_: [p.type],
          cache: { type: "redis", serviceName: "redis.static", servicePort: 6379, timeout: 10000, cacheKeyPrefix: `${p.type}:` },
          embedding: { type: p.type, serviceName: `${p.type}.dns`, servicePort: p.port, timeout: 10000, ...p.embedding },
          vector: vector(collections[p.type]),
        })),
        {
          _match_route_: ["vdown"],
          cache: { type: "redis", serviceName: "redis.static", servicePort: 6379, timeout: 10000, cacheKeyPrefix: "vdown:" },
          embedding: { type: "openai", serviceName: "openai-embed.dns", servicePort: 443, apiKey: API_KEY, timeout: 10000 },
          vector: { ...vector(openaiCollection), serviceName: "chroma-down.dns" },
        },
      ],
    },
  }],
  routes: [
    ...PROVIDERS.map((p) => ({ name: p.type, prefix: `/${p.type}/`, prefixRewrite: "/", cluster: "llm" })),
    { name: "vdown", prefix: "/vdown/", prefixRewrite: "/", cluster: "llm" },
    { name: "default", prefix: "/", cluster: "llm" },
  ],
  clusters: [
    { name: "llm", port: llm.port },
    { name: "outbound|6379||redis.static", port: redis.webdisPort },
    { name: "outbound|443||openai-embed.dns", port: embed.port },
    ...PROVIDERS.map((p) => ({ name: `outbound|${p.port}||${p.type}.dns`, port: embed.port })),
    { name: "outbound|8000||chroma.dns", port: chroma.port },
    { name: "outbound|8000||chroma-down.dns", port: deadPort },
  ],
  accessLog: { path: accessLog, format: "%REQ(X-REQUEST-ID)% %FILTER_STATE(wasm.ai_log:PLAIN)%" },
  // Room for a request over the plugin's 4 MiB key-reading limit (Envoy's default is 1 MiB).
  bufferLimitBytes: 16 << 20,
}));

let seq = 0;
async function ask(q: string, o: { stream?: boolean; headers?: [string, string][]; prefix?: string } = {}): Promise<HttpResult & { id: string }> {
  const id = `ai-cache-${++seq}`;
  const body = JSON.stringify({ model: "gpt-4o", messages: [{ role: "user", content: q }], ...(o.stream ? { stream: true } : {}) });
  const r = await http(`${gw.url}${o.prefix ?? ""}/v1/chat/completions`, {
    method: "POST",
    headers: [["host", "api.openai.com"], ["authorization", "Bearer sk-test"], ["content-type", "application/json"], ["x-request-id", id], ...(o.headers ?? [])],
    body,
  });
  return { ...r, id };
}

async function aiLogOf(id: string): Promise<Record<string, unknown> | null> {
  for (let i = 0; i < 200; i++) {
    const line = (existsSync(accessLog) ? readFileSync(accessLog, "utf8") : "").split("\n").find((l) => l.startsWith(id + " "));
    if (line) { const raw = line.slice(id.length + 1); return raw === "-" ? null : JSON.parse(JSON.parse(`"${raw}"`)); }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no access log line for ${id}`);
}

/** Waits (bounded) until Chroma holds `id` in the collection; returns its stored document. */
async function waitChroma(collection: string, id: string): Promise<string | null> {
  for (let i = 0; i < 300; i++) {
    // An empty collection answers get with a 500 ("Nothing found on disk") until its first add.
    const g = await chroma.get(collection, [id]).catch(() => null);
    if (g && g.ids.length === 1) return g.documents[0];
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`chroma never stored ${JSON.stringify(id)}`);
}

/** The SSE events' data of a stream body. */
const sseData = (body: string) => body.split(/\n\n/).map((e) => e.split("\n").filter((l) => l.startsWith("data:")).map((l) => l.slice(5).trim()).join("\n")).filter((d) => d.length > 0);

const providerCalls = () => llm.requests.length;

describe("ai-cache in Envoy: Redis + Chroma + embeddings in front of a counted provider", () => {
  it("a first question misses: the provider answers and the answer is stored in Redis and, with its vector, in Chroma", async () => {
    const before = providerCalls();
    const r = await ask(Q);
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body).choices[0].message.content).toBe(ECHO(Q));
    expect(providerCalls()).toBe(before + 1);
    expect(await aiLogOf(r.id)).toEqual({ cache_status: "miss" });
    await waitStored(redis, "higress-ai-cache:" + Q, ECHO(Q));
    expect(await waitChroma(openaiCollection, Q)).toBe(ECHO(Q));
    const stored = await chroma.get(openaiCollection, [Q]);
    expect(stored.embeddings![0]).toEqual(axis(0));
    // The embedding call was OpenAI's, as its API documents it.
    const call = embed.calls.at(-1)!;
    expect(call).toMatchObject({ provider: "openai", path: OPENAI_EMBEDDING_PATH, status: 200, texts: [Q] });
    expect(call.body).toEqual({ input: Q, model: "text-embedding-3-small" });
    expect(call.headers.authorization).toBe("Bearer sk-embed-test");
  });

  it("the same question is answered from Redis: 0 provider calls, no embedding call", async () => {
    const calls = providerCalls(), embeds = embed.calls.length;
    const r = await ask(Q);
    expect(r.status).toBe(200);
    expect(r.body).toBe(fill(TEMPLATE, ECHO(Q)));
    expect(providerCalls()).toBe(calls);
    expect(embed.calls.length).toBe(embeds);
    expect(await aiLogOf(r.id)).toEqual({ cache_status: "hit", cache_match: "exact" });
  });

  it("a paraphrase close to it is answered from Chroma: 0 provider calls, the original's answer", async () => {
    const calls = providerCalls(), embeds = embed.answered;
    const r = await ask(PARA);
    expect(r.status).toBe(200);
    expect(r.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(JSON.parse(r.body).choices[0].message.content).toBe(ECHO(Q));
    expect(providerCalls()).toBe(calls);
    expect(embed.answered).toBe(embeds + 1);
    expect(await aiLogOf(r.id)).toEqual({ cache_status: "hit", cache_match: "semantic" });
    // Like Higress, the answer is kept under the paraphrase's own key too: next time an exact hit.
    await waitStored(redis, "higress-ai-cache:" + PARA, ECHO(Q));
    const again = await ask(PARA);
    expect(await aiLogOf(again.id)).toEqual({ cache_status: "hit", cache_match: "exact" });
    expect(embed.answered).toBe(embeds + 1);
  });

  it("a streamed paraphrase gets the cached answer as a valid SSE stream ending in [DONE]", async () => {
    const calls = providerCalls();
    const r = await ask(PARA_STREAM, { stream: true });
    expect(r.status).toBe(200);
    expect(r.headers["content-type"]).toBe("text/event-stream; charset=utf-8");
    const data = sseData(r.body);
    expect(data.at(-1)).toBe("[DONE]");
    expect(data.slice(0, -1).map((d) => JSON.parse(d).choices[0].delta.content).join("")).toBe(ECHO(Q));
    expect(JSON.parse(data[0]).choices[0].finish_reason).toBe("stop");
    expect(providerCalls()).toBe(calls);
  });

  it("an unrelated question misses, is answered by the provider and stored", async () => {
    const calls = providerCalls();
    const r = await ask(UNRELATED);
    expect(JSON.parse(r.body).choices[0].message.content).toBe(ECHO(UNRELATED));
    expect(providerCalls()).toBe(calls + 1);
    expect(await aiLogOf(r.id)).toEqual({ cache_status: "miss" });
    expect(await waitChroma(openaiCollection, UNRELATED)).toBe(ECHO(UNRELATED));
  });

  it("a streamed answer passes to the client unchanged, is assembled and stored; a plain request then gets it as JSON", async () => {
    const q = "Stream me something about tea";
    const calls = providerCalls();
    const r = await ask(q, { stream: true, headers: [["x-mock-chunking", "1"]] });
    expect(r.status).toBe(200);
    expect(r.body).toBe(llm.last!.sent); // byte for byte what the provider sent
    expect(providerCalls()).toBe(calls + 1);
    await waitStored(redis, "higress-ai-cache:" + q, ECHO(q));
    expect(await waitChroma(openaiCollection, q)).toBe(ECHO(q));
    const plain = await ask(q);
    expect(plain.body).toBe(fill(TEMPLATE, ECHO(q)));
    expect(providerCalls()).toBe(calls + 1);
  });

  it("a stream cut before its end (half sent, then a clean end or a dropped connection) is never stored", async () => {
    for (const cut of ["clean", "1"]) {
      const q = `Cut me off (${cut})`;
      const calls = providerCalls();
      const r = await ask(q, { stream: true, headers: [["x-mock-cut", cut]] }).catch(() => null);
      if (r) expect(r.body).not.toContain("[DONE]");
      expect(providerCalls()).toBe(calls + 1);
      // Asked again, it reaches the provider again: nothing was stored.
      await gw.envoy.settleLog();
      const again = await ask(q);
      expect(JSON.parse(again.body).choices[0].message.content).toBe(ECHO(q));
      expect(providerCalls()).toBe(calls + 2);
      await waitStored(redis, "higress-ai-cache:" + q, ECHO(q)); // the complete second answer is
      expect(await waitChroma(openaiCollection, q)).toBe(ECHO(q));
    }
  });

  it("a failed answer is never stored", async () => {
    const q = "Fail for me please";
    const calls = providerCalls();
    const r = await ask(q, { headers: [["x-mock-fail", "500"]] });
    expect(r.status).toBe(500);
    await gw.envoy.settleLog();
    expect(gw.envoy.wasmLog().join("\n")).toContain("response status 500: not cached");
    expect(await redisString(redis, "higress-ai-cache:" + q)).toBeNull();
    expect((await chroma.get(openaiCollection, [q])).ids).toEqual([]);
    await ask(q);
    expect(providerCalls()).toBe(calls + 2);
  });

  it("the skip header bypasses the cache: the provider answers a cached question, nothing is looked up", async () => {
    const calls = providerCalls(), embeds = embed.calls.length;
    const r = await ask(Q, { headers: [["x-higress-skip-ai-cache", "on"]] });
    expect(JSON.parse(r.body).choices[0].message.content).toBe(ECHO(Q));
    expect(providerCalls()).toBe(calls + 1);
    expect(embed.calls.length).toBe(embeds);
    expect(await aiLogOf(r.id)).toEqual({ cache_status: "skip" });
  });

  it("an embedding service that fails leaves the request answered by the provider (fail-open)", async () => {
    const q = "Embeddings are down, still answer";
    embed.failWith = 503;
    try {
      const calls = providerCalls();
      const r = await ask(q);
      expect(JSON.parse(r.body).choices[0].message.content).toBe(ECHO(q));
      expect(providerCalls()).toBe(calls + 1);
      await gw.envoy.settleLog();
      expect(gw.envoy.wasmLog().join("\n")).toContain("embedding service answered 503: not using the semantic cache");
      // The exact cache still works; Chroma got nothing (no vector to store).
      await waitStored(redis, "higress-ai-cache:" + q, ECHO(q));
      expect((await chroma.get(openaiCollection, [q])).ids).toEqual([]);
    } finally {
      embed.failWith = 0;
    }
  });

  it.each(PROVIDERS.map((p) => [p.type, p] as const))("%s embeddings (own route and collection): a miss stores, a paraphrase hits", async (type, p) => {
    const calls = providerCalls();
    const first = await ask(Q, { prefix: `/${type}` });
    expect(JSON.parse(first.body).choices[0].message.content).toBe(ECHO(Q));
    expect(providerCalls()).toBe(calls + 1);
    // The call as the provider's API documents it: path, credential header, body.
    const call = embed.calls.at(-1)!;
    expect(call).toMatchObject({ provider: type, path: p.path, status: 200, texts: [Q] });
    expect(call.body).toEqual(p.body);
    expect(call.headers.host).toBe(EMBEDDING_HOSTS[type]);
    for (const [h, v] of Object.entries(p.auth)) expect(call.headers[h], h).toBe(v);
    expect(await waitChroma(collections[type], Q)).toBe(ECHO(Q));
    await waitStored(redis, `${type}:` + Q, ECHO(Q));
    const para = await ask(PARA, { prefix: `/${type}` });
    expect(JSON.parse(para.body).choices[0].message.content).toBe(ECHO(Q));
    expect(providerCalls()).toBe(calls + 1);
    expect(await aiLogOf(para.id)).toEqual({ cache_status: "hit", cache_match: "semantic" });
  });

  it("a Chroma that is down leaves the request answered by the provider (fail-open); the exact cache still stores", async () => {
    const q = "Is the vector store up?";
    const calls = providerCalls();
    const r = await ask(q, { prefix: "/vdown" });
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body).choices[0].message.content).toBe(ECHO(q));
    expect(providerCalls()).toBe(calls + 1);
    await gw.envoy.settleLog();
    expect(gw.envoy.wasmLog().join("\n")).toMatch(/chroma query answered 50\d: not using the semantic cache/);
    await waitStored(redis, "vdown:" + q, ECHO(q));
    const again = await ask(q, { prefix: "/vdown" });
    expect(await aiLogOf(again.id)).toEqual({ cache_status: "hit", cache_match: "exact" });
    expect(providerCalls()).toBe(calls + 1);
  });

  it("a request body over 4 MiB is not read for a key: it reaches the provider whole, uncached", async () => {
    const q = "big " + "y".repeat(5 << 20);
    const calls = providerCalls();
    const r = await ask(q);
    expect(r.status).toBe(200);
    expect(providerCalls()).toBe(calls + 1);
    expect(llm.last!.body.messages[0].content).toBe(q);
    await gw.envoy.settleLog();
    expect(gw.envoy.wasmLog().join("\n")).toContain("request body larger than 4194304 bytes: not cached");
    expect(await aiLogOf(r.id)).toBeNull();
  });

  it("Envoy's log shows no abort or trap", async () => {
    await gw.envoy.settleLog();
    expect(gw.envoy.log).not.toMatch(/sluice: abort|wasm trap|RuntimeError/);
  });
});
