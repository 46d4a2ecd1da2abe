// The case table of ai-quota: the admin API (refresh, query, delta; non-admins and bad parameters
// refused with Higress's messages), a chat refused without X-Mse-Consumer or at a quota ≤ 0, the
// exact deduction of the tokens the upstream reported (plain JSON, SSE in small chunks, and every
// token-spending API in any spelling: Anthropic messages, embeddings, completions, Gemini), and
// the paths that spend nothing (models, count_tokens). Rows run in order, each host against a
// Redis of its own (Envoy through webdis, the emulator's envoy build through webdis, its higress
// build natively), through harness/src/plugin-table.ts.
import { expect } from "vitest";
import type { Observed, PluginTable, Row } from "../../../harness/src/plugin-table.js";
import type { UpstreamAnswer } from "../../../harness/src/upstream.js";
import { redisGet, waitCounter } from "../../../harness/src/redis-state.js";

// Redis must answer for these tests to mean anything: a callout timeout far above any machine's
// latency (Redis failures have their own tests).
const config = { admin_consumer: "boss", admin_path: "/quota", redis: { service_name: "redis.dns", timeout: 10000 } };
const KEY = (c: string) => `chat_quota:${c}`;
const DENIED = "Request denied by ai quota check";
const NO_QUOTA = `${DENIED}, No quota left`;

const json = (body: unknown): UpstreamAnswer => ({ headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
const openai = (p: number, c: number) => json({ choices: [], usage: { prompt_tokens: p, completion_tokens: c, total_tokens: p + c } });
const sse = (p: number, c: number): UpstreamAnswer => ({
  headers: { "content-type": "text/event-stream" },
  chunks: 23,
  body: `data: {"choices":[{"delta":{"content":"x"}}]}\n\ndata: {"choices":[],"usage":{"prompt_tokens":${p},"completion_tokens":${c},"total_tokens":${p + c}}}\n\ndata: [DONE]\n\n`,
});
const anthropic = (i: number, o: number) => json({ type: "message", content: [], usage: { input_tokens: i, output_tokens: o } });
const gemini = (p: number, c: number) => json({ usageMetadata: { promptTokenCount: p, candidatesTokenCount: c, totalTokenCount: p + c } });

const as = (who: string): [string, string][] => [["x-mse-consumer", who]];
const form = (name: string, who: string, path: string, body: string, status: number, message: string, after?: (o: Observed) => Promise<void>): Row => ({
  name,
  request: { method: "POST", path: `/v1/chat/completions/quota${path}`, headers: [...as(who), ["content-type", "application/x-www-form-urlencoded"]], body },
  expect: { status, body: message, reachesUpstream: false, check: after },
});
const query = (name: string, who: string, consumer: string, status: number, expected: string | { consumer: string; quota: number }): Row => ({
  name,
  request: { path: `/v1/chat/completions/quota?consumer=${consumer}`, headers: as(who) },
  expect: {
    status,
    reachesUpstream: false,
    ...(typeof expected === "string" ? { body: expected } : { headers: { "content-type": "application/json" }, check: (o: Observed) => expect(JSON.parse(o.body)).toEqual(expected) }),
  },
});
/** A call the plugin passes and meters: the quota afterwards (the deduction lands after the answer). */
const spend = (name: string, who: string, path: string, answer: UpstreamAnswer, left: number): Row => ({
  name: `${name} → 200; ${who}'s quota becomes ${left}`,
  request: { method: "POST", path, headers: [...as(who), ["content-type", "application/json"]], body: "{}", answer },
  expect: { status: 200, reachesUpstream: true, check: (o) => waitCounter(o.redis!, KEY(who), left) },
});
const refused = (name: string, who: string, path: string): Row => ({
  name: `${name} → 403, the upstream never called`,
  request: { method: "POST", path, headers: [...as(who), ["content-type", "application/json"]], body: "{}", answer: openai(1, 1) },
  expect: { status: 403, body: NO_QUOTA, reachesUpstream: false },
});
const quotaIs = (who: string, n: number | null) => async (o: Observed) => expect(await redisGet(o.redis!, KEY(who))).toBe(n);

const rows: Row[] = [
  {
    name: "no X-Mse-Consumer → 401; never reaches the upstream",
    request: { method: "POST", path: "/v1/chat/completions", body: "{}" },
    expect: { status: 401, body: `${DENIED}. No Key Authentication information found.`, reachesUpstream: false },
  },
  form("a non-admin cannot refresh", "alice", "/refresh", "consumer=alice&quota=100", 403, `${DENIED}. Unauthorized admin consumer.`, quotaIs("alice", null)),
  query("a non-admin cannot query", "bob", "alice", 403, `${DENIED}. Unauthorized admin consumer.`),
  form("a non-admin cannot add a delta", "bob", "/delta", "consumer=bob&value=5", 403, `${DENIED}. Unauthorized admin consumer.`, quotaIs("bob", null)),
  form("admin refresh sets the quota", "boss", "/refresh", "consumer=alice&quota=100", 200, "refresh quota successful", quotaIs("alice", 100)),
  query("admin query answers JSON", "boss", "alice", 200, { consumer: "alice", quota: 100 }),
  form("admin delta -30", "boss", "/delta", "consumer=alice&value=-30", 200, "delta quota successful", quotaIs("alice", 70)),
  form("admin delta +5 (form-encoded plus)", "boss", "/delta", "consumer=alice&value=%2B5", 200, "delta quota successful", quotaIs("alice", 75)),
  query("the query shows both deltas", "boss", "alice", 200, { consumer: "alice", quota: 75 }),
  query("a consumer without a key has quota 0", "boss", "nobody", 200, { consumer: "nobody", quota: 0 }),
  form("refresh with a non-integer quota", "boss", "/refresh", "consumer=alice&quota=lots", 403, `${DENIED}. consumer can't be empty and quota must be integer.`, quotaIs("alice", 75)),
  form("delta without a consumer", "boss", "/delta", "value=3", 403, `${DENIED}. consumer can't be empty and value must be integer.`),
  query("query without a consumer", "boss", "", 403, `${DENIED}. consumer can't be empty.`),
  refused("chat by a consumer without a quota key", "bob", "/v1/chat/completions"),
  {
    name: "a path that spends no tokens passes without a quota check (/v1/models)",
    request: { path: "/v1/models", headers: as("bob") },
    expect: { status: 200, reachesUpstream: true },
  },
  spend("chat, plain JSON answer (15+10)", "alice", "/v1/chat/completions", openai(15, 10), 50),
  spend("chat, SSE answer in 23 chunks (12+9)", "alice", "/v1/chat/completions", sse(12, 9), 29),
  form("admin refresh to 20", "boss", "/refresh", "consumer=alice&quota=20", 200, "refresh quota successful", quotaIs("alice", 20)),
  spend("the chat that crosses the quota still passes (15+10)", "alice", "/v1/chat/completions", openai(15, 10), -5),
  refused("at a quota ≤ 0 the next chat", "alice", "/v1/chat/completions"),
  form("a delta brings the consumer back", "boss", "/delta", "consumer=alice&value=6", 200, "delta quota successful", quotaIs("alice", 1)),
  spend("chat after the delta (1+1)", "alice", "/v1/chat/completions", openai(1, 1), -1),
  form("carol gets 100", "boss", "/refresh", "consumer=carol&quota=100", 200, "refresh quota successful", quotaIs("carol", 100)),
  spend("Anthropic /v1/messages (4+6)", "carol", "/v1/messages", anthropic(4, 6), 90),
  spend("embeddings in another spelling /V1/Embeddings/ (7+0)", "carol", "/V1/Embeddings/", openai(7, 0), 83),
  spend("chat without the version prefix, with a query (2+3)", "carol", "/chat/completions?x=1", openai(2, 3), 78),
  spend("legacy completions (1+2)", "carol", "/v1/completions", openai(1, 2), 75),
  spend("Gemini generateContent (3+1)", "carol", "/v1beta/models/gemini-2.5-flash:generateContent", gemini(3, 1), 71),
  {
    name: "models spend nothing: no quota needed, nothing deducted",
    request: { method: "POST", path: "/v1/models", headers: as("nobody"), body: "{}", answer: openai(50, 50) },
    expect: { status: 200, reachesUpstream: true, check: quotaIs("nobody", null) },
  },
  {
    name: "count_tokens spends nothing: no quota needed, nothing deducted",
    request: { method: "POST", path: "/v1/messages/count_tokens", headers: as("nobody"), body: "{}", answer: openai(50, 50) },
    expect: { status: 200, reachesUpstream: true, check: quotaIs("nobody", null) },
  },
  ...["/v1/messages", "/V1/EMBEDDINGS", "/v1/chat/completions/", "/v1/responses"].map((p) => refused(`no quota: ${p}`, "nobody", p)),
];

export const table: PluginTable = {
  plugin: "ai-quota",
  groups: [{ name: "admin API, refusals, deduction of the reported tokens", config, redisCluster: "outbound|6379||redis.dns", rows }],
  badConfigs: [
    { name: "no admin_consumer", config: { redis: config.redis }, message: "missing admin_consumer in config" },
    { name: "no redis", config: { admin_consumer: "boss" }, message: "missing redis in config" },
    { name: "an empty redis service name", config: { admin_consumer: "boss", redis: { service_name: "" } }, message: "redis service name must not be empty" },
  ],
};
