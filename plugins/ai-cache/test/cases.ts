// The case table of ai-cache's exact cache (Redis): a question misses and its answer is stored;
// the same question, plain or streamed, in one piece or a byte at a time, is answered from Redis
// in its own form (Higress's JSON or SSE template) without reaching the provider; a streamed
// answer is assembled from its deltas however the provider cut it; a cut stream, an error
// status, a tool call, another finish reason are never stored (the repeat reaches the provider
// again); the skip header, non-JSON requests, empty keys and `cacheKeyStrategy: disabled` pass
// untouched; allQuestions keys, cacheTTL with a prefix, custom templates; cache_status in ai_log;
// bad configurations. Rows run in order on a real Envoy and on the emulator (both targets), each
// host with a Redis of its own, through harness/src/plugin-table.ts. The semantic cache (embedding
// service + real Chroma) has its own Envoy test (semantic.envoy.test.ts); the other vector stores
// and the TextIn/xfyun embeddings are this table's second group (stores.ts), against strict mocks.
import { expect } from "vitest";
import type { BadConfig, Observed, PluginTable, Row, RowRequest } from "../../../harness/src/plugin-table.js";
import type { UpstreamAnswer } from "../../../harness/src/upstream.js";
import { redisString, waitStored } from "./helpers.js";
import { storeGroup, storeServers, storeBadConfigs } from "./stores.js";

export const cache = (extra: Record<string, unknown> = {}) => ({ type: "redis", serviceName: "redis.static", servicePort: 6379, timeout: 10000, ...extra });
const rule = (route: string, extra: Record<string, unknown>) => ({ _match_route_: [route], cache: cache(), ...extra });

const config = {
  cache: cache(),
  _rules_: [
    rule("all", { cacheKeyStrategy: "allQuestions" }),
    rule("ttl", { cache: cache({ cacheTTL: 60, cacheKeyPrefix: "pfx:" }) }),
    rule("tpl", { responseTemplate: '{"answer":"%s","share":"100%%"}', streamResponseTemplate: 'data: {"answer":"%s"}\n\ndata: [DONE]\n\n' }),
    rule("off", { cacheKeyStrategy: "disabled" }),
  ],
};
const routes = ["all", "ttl", "tpl", "off"];
const P = "higress-ai-cache:";

export const TEMPLATE = '{"id":"from-cache","choices":[{"index":0,"message":{"role":"assistant","content":"%s"},"finish_reason":"stop"}],"model":"from-cache","object":"chat.completion","usage":{"prompt_tokens":0,"completion_tokens":0,"total_tokens":0}}';
export const STREAM_TEMPLATE = 'data:{"id":"from-cache","choices":[{"index":0,"delta":{"role":"assistant","content":"%s"},"finish_reason":"stop"}],"model":"from-cache","object":"chat.completion","usage":{"prompt_tokens":0,"completion_tokens":0,"total_tokens":0}}\n\ndata:[DONE]\n\n';
export const fill = (tpl: string, v: string) => tpl.replace("%s", JSON.stringify(v).slice(1, -1)).replace("%%", "%");

const chatBody = (q: string | unknown[], stream = false, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ model: "gpt-4o", messages: Array.isArray(q) ? q : [{ role: "user", content: q }], ...(stream ? { stream: true } : {}), ...extra });

/** An OpenAI chat completion answering `text`. */
const completion = (text: string | null, o: { finish?: string; toolCalls?: unknown[] } = {}): UpstreamAnswer => ({
  headers: { "content-type": "application/json" },
  body: JSON.stringify({
    id: "c1", object: "chat.completion", model: "gpt-4o",
    choices: [{ index: 0, message: { role: "assistant", content: text, ...(o.toolCalls ? { tool_calls: o.toolCalls } : {}) }, finish_reason: o.finish ?? "stop" }],
    usage: { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 },
  }),
});
/** An OpenAI stream of `pieces`, ending with `finish` (null: no finish event) and [DONE], in `size`-byte writes. */
const stream = (pieces: string[], o: { finish?: string | null; size?: number; done?: boolean; extraDelta?: Record<string, unknown> } = {}): UpstreamAnswer => {
  const ev = (delta: unknown, finish: string | null = null) => `data: ${JSON.stringify({ id: "c2", object: "chat.completion.chunk", model: "gpt-4o", choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
  let body = ev({ role: "assistant", content: "", ...(o.extraDelta ?? {}) });
  for (const p of pieces) body += ev({ content: p });
  const finish = o.finish === undefined ? "stop" : o.finish;
  if (finish !== null) body += ev({}, finish);
  if (o.done ?? finish !== null) body += "data: [DONE]\n\n";
  return { headers: { "content-type": "text/event-stream" }, body, chunks: Math.ceil(body.length / (o.size ?? body.length)) };
};

const ask = (route: string, body: string, o: { headers?: [string, string][]; answer?: UpstreamAnswer; chunks?: number } = {}): RowRequest => ({
  method: "POST",
  path: `/${route}/v1/chat/completions`,
  headers: [["content-type", "application/json"], ...(o.headers ?? [])],
  body,
  chunks: o.chunks,
  answer: o.answer ?? completion("unused"),
});

/** An Anthropic Messages request (`/v1/messages`). */
const askAnthropic = (route: string, q: string, stream = false, answer?: UpstreamAnswer): RowRequest => ({
  method: "POST",
  path: `/${route}/v1/messages`,
  headers: [["content-type", "application/json"], ["anthropic-version", "2023-06-01"]],
  body: JSON.stringify({ model: "claude-haiku-4-5", max_tokens: 64, messages: [{ role: "user", content: q }], ...(stream ? { stream: true } : {}) }),
  answer: answer ?? completion("unused"),
});
/** What an Anthropic client gets on a hit (the SDK's sdk/ai/deny.ts shapes, id and model "from-cache"). */
const anthropicHit = (text: string) => JSON.stringify({ id: "from-cache", type: "message", role: "assistant", model: "from-cache", content: [{ type: "text", text }], stop_reason: "end_turn", stop_sequence: null, usage: { input_tokens: 0, output_tokens: 0 } });
const anthropicHitStream = (text: string) => [
  ["message_start", { type: "message_start", message: { id: "from-cache", type: "message", role: "assistant", model: "from-cache", content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 0, output_tokens: 0 } } }],
  ["content_block_start", { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } }],
  ["content_block_delta", { type: "content_block_delta", index: 0, delta: { type: "text_delta", text } }],
  ["content_block_stop", { type: "content_block_stop", index: 0 }],
  ["message_delta", { type: "message_delta", delta: { stop_reason: "end_turn", stop_sequence: null }, usage: { output_tokens: 0 } }],
  ["message_stop", { type: "message_stop" }],
].map(([e, d]) => `event: ${e}\ndata: ${JSON.stringify(d)}\n\n`).join("");

/** ai_log as Higress writes it (JSON escaped once). */
export const aiLog = (o: Observed) => (o.properties.ai_log === null ? null : JSON.parse(JSON.parse(`"${o.properties.ai_log}"`)));

const miss = (name: string, req: RowRequest, key: string, stored: string): Row => ({
  name: `${name}: miss → the provider answers, "${stored.slice(0, 24)}" is stored`,
  request: req,
  expect: {
    status: 200, reachesUpstream: true,
    check: async (o) => {
      await waitStored(o.redis!, key, stored);
      expect(aiLog(o)).toEqual({ cache_status: "miss" });
    },
  },
});
const hit = (name: string, req: RowRequest, body: string, streamed = false): Row => ({
  name: `${name}: answered from Redis, the provider is not called`,
  request: req,
  expect: {
    status: 200, reachesUpstream: false, body,
    headers: { "content-type": streamed ? "text/event-stream; charset=utf-8" : "application/json; charset=utf-8" },
    check: (o) => expect(aiLog(o)).toEqual({ cache_status: "hit", cache_match: "exact" }),
  },
});
/** An answer that must not be stored: the log says why, Redis has no key. */
const notStored = (name: string, req: RowRequest, key: string, why: string, status = 200): Row => ({
  name: `${name}: not stored (${why})`,
  request: req,
  expect: {
    status, reachesUpstream: true, logs: [why],
    check: async (o) => expect(await redisString(o.redis!, key)).toBeNull(),
  },
});
const passes = (name: string, req: RowRequest, log: unknown = null): Row => ({
  name: `${name}: passes untouched`,
  request: req,
  expect: { status: 200, reachesUpstream: true, upstreamBody: true, check: (o) => expect(aiLog(o)).toEqual(log) },
});

const Q1 = "What is the capital of France?";
const A1 = "Paris is the capital of France.";
const Q2 = "Say hello in two words";
const Q3 = "Tell me a long story";

const rows: Row[] = [
  miss("plain question", ask("plain", chatBody(Q1), { answer: completion(A1) }), P + Q1, A1),
  hit("the same question", ask("plain", chatBody(Q1)), fill(TEMPLATE, A1)),
  hit("the same question streamed (SSE template)", ask("plain", chatBody(Q1, true)), fill(STREAM_TEMPLATE, A1), true),
  hit("the same question, body sent a byte at a time", ask("plain", chatBody(Q1), { chunks: chatBody(Q1).length }), fill(TEMPLATE, A1)),
  hit("an Anthropic client (/v1/messages) asking the same gets Anthropic's shape", askAnthropic("plain", Q1), anthropicHit(A1)),
  hit("an Anthropic client streaming gets an Anthropic event stream", askAnthropic("plain", Q1, true), anthropicHitStream(A1), true),
  notStored("an Anthropic answer", askAnthropic("plain", "Anthropic only", false, { headers: { "content-type": "application/json" }, body: anthropicHit("from claude") }), P + "Anthropic only", "an Anthropic Messages answer: not cached"),
  hit("an earlier turn differs, the last question is the key", ask("plain", chatBody([{ role: "system", content: "be brief" }, { role: "user", content: Q1 }])), fill(TEMPLATE, A1)),
  miss("a streamed answer in 7-byte pieces", ask("plain", chatBody(Q2, true), { answer: stream(["Hello", " there", ", friend"], { size: 7 }) }), P + Q2, "Hello there, friend"),
  hit("the streamed answer asked without stream", ask("plain", chatBody(Q2)), fill(TEMPLATE, "Hello there, friend")),
  hit("the streamed answer asked streamed", ask("plain", chatBody(Q2, true)), fill(STREAM_TEMPLATE, "Hello there, friend"), true),
  miss("a stream in 1-byte pieces", ask("plain", chatBody("one byte at a time", true), { answer: stream(["tiny", " pieces"], { size: 1 }) }), P + "one byte at a time", "tiny pieces"),
  notStored("a stream cut before its finish", ask("plain", chatBody(Q3, true), { answer: stream(["Once", " upon"], { finish: null, size: 9 }) }), P + Q3, "the stream ended without finish_reason stop"),
  notStored("the cut stream's question again reaches the provider; an error status", ask("plain", chatBody(Q3), { answer: { status: 500, headers: { "content-type": "application/json" }, body: JSON.stringify({ error: { message: "boom", type: "server_error" } }) } }), P + Q3, "response status 500: not cached", 500),
  notStored("a 429", ask("plain", chatBody(Q3), { answer: { status: 429, headers: { "content-type": "application/json" }, body: '{"error":{"message":"slow down"}}' } }), P + Q3, "response status 429: not cached", 429),
  notStored("a tool call", ask("plain", chatBody("What is the weather?"), { answer: completion(null, { finish: "tool_calls", toolCalls: [{ id: "t1", type: "function", function: { name: "weather", arguments: "{}" } }] }) }), P + "What is the weather?", "the answer is a tool call"),
  notStored("a streamed tool call", ask("plain", chatBody("Weather, streamed?", true), { answer: stream([], { finish: "tool_calls", extraDelta: { tool_calls: [{ index: 0, id: "t1", type: "function", function: { name: "weather", arguments: "" } }] } }) }), P + "Weather, streamed?", "the answer is a tool call"),
  notStored("an answer cut by max_tokens", ask("plain", chatBody("Write an essay"), { answer: completion("It was", { finish: "length" }) }), P + "Write an essay", "finish_reason is length"),
  notStored("a streamed answer cut by max_tokens", ask("plain", chatBody("Write a poem", true), { answer: stream(["Roses"], { finish: "length" }) }), P + "Write a poem", "finish_reason is length"),
  notStored("a 200 that is not JSON", ask("plain", chatBody("html please"), { answer: { headers: { "content-type": "text/html" }, body: "<html>oops</html>" } }), P + "html please", "response body is not JSON"),
  passes("the skip header", ask("plain", chatBody(Q1), { headers: [["x-higress-skip-ai-cache", "on"]] }), { cache_status: "skip" }),
  passes("a request that is not JSON", { method: "POST", path: "/plain/v1/chat/completions", headers: [["content-type", "text/plain"]], body: Q1, answer: completion("x") }),
  passes("a JSON content type with a body that is not JSON", ask("plain", '{"model": "gpt-4o", "messages": [')),
  passes("an empty last question", ask("plain", chatBody(""))),
  passes("cacheKeyStrategy disabled", ask("off", chatBody(Q1))),
  miss("allQuestions: every user question joined by newlines", ask("all", chatBody([{ role: "user", content: "first" }, { role: "assistant", content: "ok" }, { role: "user", content: [{ type: "text", text: "second" }] }]), { answer: completion("both") }), P + "first\nsecond", "both"),
  hit("allQuestions: the same questions", ask("all", chatBody([{ role: "user", content: "first" }, { role: "user", content: "second" }])), fill(TEMPLATE, "both")),
  {
    ...miss("cacheTTL and cacheKeyPrefix", ask("ttl", chatBody(Q1), { answer: completion("with a ttl") }), "pfx:" + Q1, "with a ttl"),
    expect: {
      status: 200, reachesUpstream: true,
      check: async (o) => {
        await waitStored(o.redis!, "pfx:" + Q1, "with a ttl");
        const ttl = Number(/^:(-?\d+)/.exec(await o.redis!.command("TTL", "pfx:" + Q1))![1]);
        expect(ttl).toBeGreaterThan(0);
        expect(ttl).toBeLessThanOrEqual(60);
      },
    },
  },
  miss("custom templates", ask("tpl", chatBody("quote me"), { answer: completion('He said "hi"\nand left. 100%') }), P + "quote me", 'He said "hi"\nand left. 100%'),
  hit("responseTemplate: %s JSON-escaped, %% a percent sign", ask("tpl", chatBody("quote me")), '{"answer":"He said \\"hi\\"\\nand left. 100%","share":"100%"}'),
  hit("configured templates answer an Anthropic client too (as Higress)", askAnthropic("tpl", "quote me"), '{"answer":"He said \\"hi\\"\\nand left. 100%","share":"100%"}'),
  hit("streamResponseTemplate", ask("tpl", chatBody("quote me", true)), 'data: {"answer":"He said \\"hi\\"\\nand left. 100%"}\n\ndata: [DONE]\n\n', true),
];

export const table: PluginTable = {
  plugin: "ai-cache",
  groups: [{ name: "exact cache in Redis", config, routes: ["plain", ...routes], redisCluster: "outbound|6379||redis.static", properties: ["ai_log"], rows }, storeGroup],
  servers: storeServers,
  badConfigs: ([
    ["nothing configured", { cacheKeyStrategy: "lastQuestion" }, "at least one of vector, embedding and cache must be configured"],
    ["bad strategy", { cache: cache(), cacheKeyStrategy: "firstQuestion" }, "invalid cacheKeyStrategy: 'firstQuestion'"],
    ["cache type", { cache: cache({ type: "memcached" }) }, "unknown cache type: memcached"],
    ["cache without service", { cache: { type: "redis" } }, "cache service name is required"],
    ["negative ttl", { cache: cache({ cacheTTL: -1 }) }, "cacheTTL must not be negative"],
    ["azure without apiVersion", { embedding: { type: "azure", serviceName: "e.dns", apiKey: "k" } }, "embedding apiVersion is required for azure"],
    ["unknown embedding", { embedding: { type: "word2vec", serviceName: "e.dns", apiKey: "k" } }, "unknown embedding type: 'word2vec'"],
    ["embedding without key", { embedding: { type: "cohere", serviceName: "e.dns" } }, "embedding apiKey is required for cohere"],
    ["unknown vector", { cache: cache(), embedding: { type: "openai", serviceName: "e.dns", apiKey: "k" }, vector: { type: "faiss", serviceName: "v.dns", collectionID: "c" } }, "unknown vector type: 'faiss'"],
    ["chroma without collection", { embedding: { type: "openai", serviceName: "e.dns", apiKey: "k" }, vector: { type: "chroma", serviceName: "v.dns" } }, "vector collectionID is required for chroma"],
    ["bad relation", { embedding: { type: "openai", serviceName: "e.dns", apiKey: "k" }, vector: { type: "chroma", serviceName: "v.dns", collectionID: "c", thresholdRelation: "near" } }, "invalid thresholdRelation: 'near'"],
    ["vector without embedding", { vector: { type: "chroma", serviceName: "v.dns", collectionID: "c" } }, "the semantic cache (vector) needs an embedding service"],
  ] as const).map(([name, config, message]) => ({ name, config, message } as BadConfig)).concat(storeBadConfigs),
};
