// Every API ai-proxy answers is metered: key-auth → ai-quota → ai-token-ratelimit → ai-statistics
// → ai-proxy (openai) in one real Envoy, real Redis. For each spelling of each API path the
// gateway serves (case, trailing slash, query, prefix-less, Anthropic /v1/messages, completions,
// embeddings): a consumer without quota is refused before the provider is called; a consumer
// with quota is answered, and the provider-reported tokens are deducted from the quota, added to
// the rate-limit counter (the next request is refused), and written to ai_log. All four plugins
// decide what a path is with one classifier (sdk/ai/api.ts).
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { useEnvoy } from "../../harness/src/vitest.js";
import { http, pluginWasm } from "../../harness/src/index.js";
import { AiLogFile } from "../../harness/src/ai-log.js";
import { Mocks, PROVIDERS, gatewaySpec } from "../../plugins/ai-proxy/test/setup.js";
import { redisGet, useRedisServer } from "../../harness/src/redis-state.js";

const mocks = new Mocks();
beforeAll(() => mocks.start());
afterAll(() => mocks.stop());
const fx = useRedisServer();
const aiLogs = new AiLogFile("sluice-ai-paths-");

const openai = PROVIDERS.find((p) => p.id === "openai")!;

const gw = useEnvoy(() => {
  const spec = gatewaySpec(mocks, [openai], { extraClusters: [{ name: "outbound|6379||redis.dns", port: fx.redis.webdisPort }] });
  spec.plugins = [
    { name: "key-auth", wasm: pluginWasm("key-auth"), config: { consumers: [{ name: "rich", credential: "rich-key" }, { name: "broke", credential: "broke-key" }, { name: "boss", credential: "boss-key" }], keys: ["x-sluice-key"], in_header: true, global_auth: true } },
    { name: "ai-quota", wasm: pluginWasm("ai-quota"), config: { admin_consumer: "boss", redis: { service_name: "redis.dns", timeout: 10000 } } },
    // 1 token a day per x-case value: the first request passes (post-paid), its tokens are
    // counted, the second is refused — for every path.
    { name: "ai-token-ratelimit", wasm: pluginWasm("ai-token-ratelimit"), config: { rule_name: "paths", redis: { service_name: "redis.dns", timeout: 10000 }, rule_items: [{ limit_by_per_header: "x-case", limit_keys: [{ key: "*", token_per_day: 1 }] }] } },
    // Higress's light defaults: before the shared classifier, these only recorded the suffixes
    // /completions and /messages (embeddings and a trailing slash went unlogged).
    { name: "ai-statistics", wasm: pluginWasm("ai-statistics"), config: { use_default_response_attributes: true } },
    ...spec.plugins,
  ];
  spec.accessLog = { path: aiLogs.path, format: aiLogs.format };
  return spec;
});

const chat = { model: "gpt-4o", messages: [{ role: "user", content: "count my tokens please" }] };
const CASES: { name: string; path: string; body: unknown }[] = [
  { name: "chat", path: "/v1/chat/completions", body: chat },
  { name: "chat-noversion", path: "/chat/completions", body: chat },
  { name: "chat-upper", path: "/V1/chat/completions", body: chat },
  { name: "chat-allcaps", path: "/V1/CHAT/COMPLETIONS", body: chat },
  { name: "chat-slash", path: "/v1/chat/completions/", body: chat },
  { name: "chat-query", path: "/v1/chat/completions?trace=1", body: chat },
  { name: "chat-encoded", path: "/v1/chat/completion%73", body: chat },
  { name: "anthropic", path: "/v1/messages", body: { model: "gpt-4o", max_tokens: 50, messages: [{ role: "user", content: "count my tokens please" }] } },
  { name: "completions", path: "/v1/completions", body: { model: "gpt-4o", prompt: "count my tokens please" } },
  { name: "embeddings", path: "/v1/embeddings", body: { model: "text-embedding-3-small", input: ["count my tokens please", "and these"] } },
  { name: "embeddings-upper", path: "/V1/Embeddings/", body: { model: "text-embedding-3-small", input: "count my tokens" } },
];

let seq = 0;
async function send(path: string, body: unknown, key: string, xcase: string) {
  const id = `${xcase}-${key}-${++seq}`;
  const r = await http(`${gw.url}/openai${path}`, {
    method: "POST",
    headers: [["content-type", "application/json"], ["authorization", "Bearer client-key"], ["x-sluice-key", key], ["x-case", xcase], ["x-request-id", id]],
    body: JSON.stringify(body),
  });
  return { ...r, id };
}

async function poll<T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string): Promise<T> {
  let v = await read();
  for (let i = 0; i < 150 && !ok(v); i++) { await new Promise((r) => setTimeout(r, 20)); v = await read(); }
  if (!ok(v)) throw new Error(`${what}: ${JSON.stringify(v)}`);
  return v;
}

const QUOTA = 1_000_000;

describe("every API path ai-proxy answers is metered by ai-quota, ai-token-ratelimit and ai-statistics", () => {
  it("the rich consumer has a quota, the broke one none", async () => {
    await fx.redis.command("SET", "chat_quota:rich", String(QUOTA));
    await fx.redis.command("DEL", "chat_quota:broke");
  });

  it.each(CASES.map((c) => [c.name, c]))("%s: a consumer without quota is refused before the provider is called", async (_n, c) => {
    const before = mocks.compat.requests.length;
    const r = await send(c.path, c.body, "broke-key", `broke-${c.name}`);
    expect(r.status, r.body).toBe(403);
    expect(r.body).toBe("Request denied by ai quota check, No quota left");
    expect(mocks.compat.requests.length).toBe(before);
  });

  it.each(CASES.map((c) => [c.name, c]))("%s: answered; tokens deducted from the quota, counted by the limiter (next request 429), logged", async (_n, c) => {
    const quotaBefore = (await redisGet(fx.redis, "chat_quota:rich"))!;
    const before = mocks.compat.requests.length;
    const r = await send(c.path, c.body, "rich-key", c.name);
    expect(r.status, r.body).toBe(200);
    expect(mocks.compat.requests.length).toBe(before + 1);
    const u = mocks.compat.last!.usage!;
    const used = u.prompt_tokens + u.completion_tokens;
    expect(used).toBeGreaterThan(0);
    await poll(() => redisGet(fx.redis, "chat_quota:rich"), (v) => v === quotaBefore - used, `${c.name}: quota should drop by ${used} from ${quotaBefore}`);
    const key = `higress-token-ratelimit:paths:limit_by_per_header:86400:x-case:${c.name}`;
    await poll(() => redisGet(fx.redis, key), (v) => v === used, `${c.name}: rate-limit counter should be ${used}`);
    const again = await send(c.path, c.body, "rich-key", c.name);
    expect(again.status, again.body).toBe(429);
    const log = await poll(async () => aiLogs.read(r.id), (v) => v !== undefined && v.input_token !== undefined, `${c.name}: ai_log with tokens`);
    expect(log!.input_token).toBe(u.prompt_tokens);
    expect(log!.output_token).toBe(u.completion_tokens);
    expect(log!.token_usage_estimated).toBeUndefined();
  });

  it("ai-quota's admin API still answers under /v1/chat/completions/quota", async () => {
    const q = await http(`${gw.url}/openai/v1/chat/completions/quota?consumer=broke`, { headers: [["x-sluice-key", "boss-key"]] });
    expect(q.status, q.body).toBe(200);
    expect(JSON.parse(q.body)).toEqual({ consumer: "broke", quota: 0 });
    const set = await http(`${gw.url}/openai/v1/chat/completions/quota/refresh`, { method: "POST", headers: [["x-sluice-key", "boss-key"], ["content-type", "application/x-www-form-urlencoded"]], body: "consumer=broke&quota=500" });
    expect(set.status, set.body).toBe(200);
    expect(await redisGet(fx.redis, "chat_quota:broke")).toBe(500);
    const denied = await http(`${gw.url}/openai/v1/chat/completions/quota?consumer=broke`, { headers: [["x-sluice-key", "rich-key"]] });
    expect(denied.status).toBe(403);
  });

  it("no VM trapped", () => {
    expect(gw.envoy.log).not.toMatch(/wasm trap|Function: proxy_on_\w+ failed|panic/i);
  });
});
