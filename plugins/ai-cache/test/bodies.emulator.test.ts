// ai-cache in the emulator, both targets (envoy: Redis through webdis; higress: Higress's native
// Redis ABI), for the bodies an attacker or a provider may send and a table row cannot: request
// and response split at every byte (multi-byte UTF-8 characters cut in two), bodies ending in
// trailers, bytes that are not UTF-8; and the semantic path (real Chroma, the embedding mock) on
// the higress build. Nothing may trap, the client gets the provider's bytes unchanged, and only
// what was complete is stored.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { pluginWasm } from "../../../harness/src/index.js";
import { RedisServer } from "../../../harness/src/redis.js";
import { ChromaServer } from "../../../harness/src/chroma.js";
import { EmbeddingMock } from "../../../harness/src/mocks/embedding.js";
import { Emulator } from "../../../harness/src/emulator/index.js";
import { redisString, waitStored } from "./helpers.js";
import { TEMPLATE, fill } from "./cases.js";

const REDIS = "outbound|6379||redis.static";
const cacheBlock = { type: "redis", serviceName: "redis.static", servicePort: 6379, timeout: 10000 };
let redis: RedisServer, chroma: ChromaServer, embed: EmbeddingMock;
let collection = "";
const hosts: Record<string, Emulator> = {};

beforeAll(async () => {
  [redis, chroma, embed] = await Promise.all([RedisServer.start(), ChromaServer.start(), EmbeddingMock.start()]);
  collection = await chroma.createCollection("ai-cache-emulator");
  // Each target's question lies on its own axis, its paraphrase close to it.
  for (const [target, axis] of [["envoy", 2], ["higress", 5]] as const) {
    const v = (lean: number) => Array.from({ length: 8 }, (_, k) => (k === axis ? 1 : k === axis + 1 ? lean : 0));
    embed.vectors.set(`Capital of Italy? (${target})`, v(0));
    embed.vectors.set(`What is Italy's capital? (${target})`, v(0.1));
  }
  for (const target of ["envoy", "higress"] as const) {
    hosts[target] = await Emulator.load(pluginWasm("ai-cache", target), {
      target,
      config: {
        cache: cacheBlock,
        embedding: { type: "openai", serviceName: "openai-embed.dns", servicePort: 443, apiKey: "sk-embed-test", timeout: 10000 },
        vector: { type: "chroma", serviceName: "chroma.dns", servicePort: 8000, collectionID: collection, threshold: 0.05, timeout: 10000 },
      },
      pluginName: "ai-cache",
      routes: [{ name: "chat", prefix: "/", cluster: "up" }],
      clusters: {
        [REDIS]: target === "higress" ? `redis://127.0.0.1:${redis.redisPort}` : redis.webdisUrl,
        "outbound|443||openai-embed.dns": `http://127.0.0.1:${embed.port}`,
        "outbound|8000||chroma.dns": chroma.url,
      },
    });
  }
}, 120_000);
afterAll(async () => {
  for (const h of Object.values(hosts)) h.close();
  await Promise.all([redis?.stop(), chroma?.stop(), embed?.stop()]);
});

const bytes = (s: string | Buffer) => (typeof s === "string" ? Buffer.from(s, "utf8") : s);
const everyByte = (s: string | Buffer) => [...bytes(s)].map((b) => Buffer.from([b]));
const chat = (q: string, stream = false) => JSON.stringify({ model: "gpt-4o", messages: [{ role: "user", content: q }], ...(stream ? { stream: true } : {}) });
const completion = (text: string) => JSON.stringify({ id: "c", object: "chat.completion", model: "gpt-4o", choices: [{ index: 0, message: { role: "assistant", content: text }, finish_reason: "stop" }] });
const sse = (pieces: string[], finish = true) =>
  pieces.map((p) => `data: ${JSON.stringify({ id: "c", choices: [{ index: 0, delta: { content: p }, finish_reason: null }] })}\n\n`).join("") +
  (finish ? `data: ${JSON.stringify({ id: "c", choices: [{ index: 0, delta: {}, finish_reason: "stop" }] })}\n\ndata: [DONE]\n\n` : "");
const JSON_CT = { "content-type": "application/json" };
const SSE_CT = { "content-type": "text/event-stream" };

for (const target of ["envoy", "higress"] as const) {
  describe(`ai-cache in the emulator (${target} build)`, () => {
    const h = () => hosts[target];
    const key = (q: string) => "higress-ai-cache:" + q;

    it("a request split at every byte and ending in trailers; a JSON answer split at every byte", async () => {
      const q = `${target}: Grüße aus 日本?`;
      const a = `Hallo — こんにちは (${target})`;
      const r = await h().request({ method: "POST", path: "/v1/chat/completions", headers: JSON_CT, chunks: everyByte(chat(q)), trailers: { "x-trailer": "1" }, response: { headers: JSON_CT, chunks: everyByte(completion(a)) } });
      expect(h().traps).toEqual([]);
      expect(r.status).toBe(200);
      expect(r.body).toBe(completion(a));
      await waitStored(redis, key(q), a);
      const hit = await h().request({ method: "POST", path: "/v1/chat/completions", headers: JSON_CT, chunks: everyByte(chat(q)) });
      expect(hit.upstream).toBeNull();
      expect(hit.body).toBe(fill(TEMPLATE, a));
    });

    it("an SSE answer split at every byte (UTF-8 characters cut in two) passes unchanged and is assembled exactly", async () => {
      const q = `${target}: stream bytes`;
      const body = sse(["Grü", "ße ", "日本", " ✓"]);
      const r = await h().request({ method: "POST", path: "/v1/chat/completions", headers: JSON_CT, body: chat(q, true), response: { headers: SSE_CT, chunks: everyByte(body) } });
      expect(h().traps).toEqual([]);
      expect(r.bodyBytes.equals(bytes(body))).toBe(true);
      await waitStored(redis, key(q), "Grüße 日本 ✓");
    });

    it("a stream that ends in trailers is stored (its last call comes at the trailers)", async () => {
      const q = `${target}: trailers`;
      const body = sse(["with ", "trailers"]);
      const r = await h().request({ method: "POST", path: "/v1/chat/completions", headers: JSON_CT, body: chat(q, true), response: { headers: SSE_CT, chunks: 5, body, trailers: { "grpc-status": "0" } } });
      expect(h().traps).toEqual([]);
      expect(r.body).toBe(body);
      await waitStored(redis, key(q), "with trailers");
    });

    it("a stream that ends without a finish, in trailers, is not stored", async () => {
      const q = `${target}: cut with trailers`;
      const r = await h().request({ method: "POST", path: "/v1/chat/completions", headers: JSON_CT, body: chat(q, true), response: { headers: SSE_CT, body: sse(["half"], false), trailers: { "x-end": "1" } } });
      expect(h().traps).toEqual([]);
      expect(r.logs.map((l) => l.message).join("\n")).toContain("the stream ended without finish_reason stop");
      expect(await redisString(redis, key(q))).toBeNull();
    });

    it("a request body over 4 MiB passes uncached, byte for byte", async () => {
      const q = `${target}: big ` + "x".repeat(5 << 20);
      const body = chat(q);
      const r = await h().request({ method: "POST", path: "/v1/chat/completions", headers: JSON_CT, chunks: 64, body, response: { headers: JSON_CT, body: completion("big answer") } });
      expect(h().traps).toEqual([]);
      expect(r.status).toBe(200);
      expect(r.upstream!.body.length).toBe(body.length);
      expect(r.logs.map((l) => l.message).join("\n")).toContain("request body larger than 4194304 bytes: not cached");
    });

    it("a request body that is not UTF-8 passes byte for byte, without a trap", async () => {
      const raw = Buffer.concat([Buffer.from('{"model":"m","messages":[{"role":"user","content":"'), Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0x80]), Buffer.from('"}]}')]);
      const r = await h().request({ method: "POST", path: "/v1/chat/completions", headers: JSON_CT, chunks: everyByte(raw), response: { headers: JSON_CT, body: completion("fine") } });
      expect(h().traps).toEqual([]);
      expect(r.status).toBe(200);
      expect(Buffer.from(r.upstream!.body).equals(raw)).toBe(true);
    });

    it("an answer with bytes that are not UTF-8 reaches the client unchanged, without a trap", async () => {
      const q = `${target}: broken answer bytes`;
      const answer = Buffer.concat([Buffer.from('{"choices":[{"index":0,"message":{"role":"assistant","content":"bad '), Buffer.from([0xff, 0xc0]), Buffer.from('"},"finish_reason":"stop"}]}')]);
      const r = await h().request({ method: "POST", path: "/v1/chat/completions", headers: JSON_CT, body: chat(q), response: { headers: JSON_CT, chunks: everyByte(answer) } });
      expect(h().traps).toEqual([]);
      expect(r.bodyBytes.equals(answer)).toBe(true);
    });

    it("semantic cache: a paraphrase of a stored question is answered from Chroma without the provider", async () => {
      const q = `Capital of Italy? (${target})`, para = `What is Italy's capital? (${target})`;
      const first = await h().request({ method: "POST", path: "/v1/chat/completions", headers: JSON_CT, body: chat(q), response: { headers: JSON_CT, body: completion("Rome.") } });
      expect(h().traps).toEqual([]);
      expect(first.upstream).not.toBeNull();
      {
        for (let i = 0; i < 300 && !(await chroma.get(collection, [q]).catch(() => ({ ids: [] }))).ids.length; i++) await new Promise((res) => setTimeout(res, 50));
      }
      const r = await h().request({ method: "POST", path: "/v1/chat/completions", headers: JSON_CT, body: chat(para), response: { headers: JSON_CT, body: completion("the provider must not be asked") } });
      expect(h().traps).toEqual([]);
      expect(r.upstream).toBeNull();
      expect(JSON.parse(r.body).choices[0].message.content).toBe("Rome.");
    });
  });
}
