// The token-accounting chain in one real Envoy, in Higress's order:
//   key-auth → ai-quota (750) → ai-token-ratelimit (600) → ai-statistics (200) → ai-proxy (100) → mocks
// For one provider of every ai-proxy family (OpenAI-compatible, claude, gemini, qwen native,
// hunyuan native, bedrock), plain answers and streams (whole and 1-byte chunks): the tokens in
// ai_log, in the Prometheus counters, added to the Redis rate-limit counter and deducted from the
// consumer's quota all equal the usage the provider mock reported.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { useEnvoy } from "../../harness/src/vitest.js";
import { http, pluginWasm } from "../../harness/src/index.js";
import { AiLogFile } from "../../harness/src/ai-log.js";
import { useRedisServer } from "../../harness/src/redis-state.js";
import { Mocks, PROVIDERS, gatewaySpec, type ProviderCase } from "../../plugins/ai-proxy/test/setup.js";

const mocks = new Mocks();
beforeAll(() => mocks.start());
afterAll(() => mocks.stop());
const fx = useRedisServer();
const aiLogs = new AiLogFile("sluice-ai-chain-");

const IDS = ["openai", "deepseek", "claude", "gemini", "qwen", "qwen-compatible", "hunyuan", "bedrock-sigv4"];
const providers = PROVIDERS.filter((p) => IDS.includes(p.id));

/** Higress's Prometheus labels for the ai-statistics metric names. */
const STATS_TAGS = [
  { name: "ai_route", regex: "^wasmcustom\\.route\\.((.*?)\\.)upstream\\." },
  { name: "ai_cluster", regex: "^wasmcustom\\.route\\..*?\\.upstream\\.((.*?)\\.)model\\." },
  { name: "ai_model", regex: "^wasmcustom\\.route\\..*?\\.upstream\\..*?\\.model\\.((.*?)\\.)consumer\\." },
  { name: "ai_consumer", regex: "^wasmcustom\\.route\\..*?\\.upstream\\..*?\\.model\\..*?\\.consumer\\.((.*?)\\.)metric\\." },
];

const gw = useEnvoy(() => {
  const spec = gatewaySpec(mocks, providers, { extraClusters: [{ name: "outbound|6379||redis.dns", port: fx.redis.webdisPort }] });
  spec.plugins = [
    { name: "key-auth", wasm: pluginWasm("key-auth"), config: { consumers: [{ name: "tenant", credential: "tenant-key" }], keys: ["x-sluice-key"], in_header: true, global_auth: true } },
    { name: "ai-quota", wasm: pluginWasm("ai-quota"), config: { admin_consumer: "boss", redis: { service_name: "redis.dns", timeout: 10000 } } },
    { name: "ai-token-ratelimit", wasm: pluginWasm("ai-token-ratelimit"), config: { rule_name: "chain", redis: { service_name: "redis.dns", timeout: 10000 }, rule_items: [{ limit_by_per_header: "x-tenant", limit_keys: [{ key: "*", token_per_day: 100000000 }] }] } },
    { name: "ai-statistics", wasm: pluginWasm("ai-statistics"), config: {} },
    ...spec.plugins,
  ];
  spec.accessLog = { path: aiLogs.path, format: aiLogs.format };
  spec.statsTags = STATS_TAGS;
  return spec;
});

interface Seen { id: string; provider: ProviderCase; prompt: number; completion: number }
const seen: Seen[] = [];
let seq = 0;

async function call(p: ProviderCase, stream: boolean, chunking: string): Promise<Seen> {
  const id = `${p.id}-${stream ? "s" : "n"}-${chunking}-${++seq}`;
  const mock = mocks.of(p.family);
  const before = mock.requests.length;
  const body = { model: p.model, messages: [{ role: "system", content: "Be brief." }, { role: "user", content: `Tell me about tokens number ${seq}` }], ...(stream ? { stream: true } : {}) };
  const r = await http(`${gw.url}/${p.id}/v1/chat/completions`, {
    method: "POST",
    headers: [["content-type", "application/json"], ["authorization", "Bearer client-key"], ["x-sluice-key", "tenant-key"], ["x-request-id", id], ["x-tenant", p.id], ["x-mock-chunking", chunking]],
    body: JSON.stringify(body),
  });
  expect(r.status, r.body).toBe(200);
  expect(mock.requests.length).toBe(before + 1);
  const u = mock.last!.usage;
  expect(u, `${p.id} mock usage`).toBeDefined();
  const s = { id, provider: p, prompt: u!.prompt_tokens, completion: u!.completion_tokens };
  seen.push(s);
  return s;
}

const QUOTA = 100000000;

describe("usage through ai-proxy → ai-statistics / ai-token-ratelimit / ai-quota", () => {
  it("the tenant gets a quota", async () => {
    await fx.redis.command("SET", "chat_quota:tenant", String(QUOTA));
  });

  for (const p of providers) {
    it(`${p.id}: plain, stream, stream in 1-byte chunks`, async () => {
      await call(p, false, "whole");
      await call(p, true, "whole");
      await call(p, true, "1");
    });
  }

  it("ai_log holds each request's tokens, model and latencies", async () => {
    const logs = await aiLogs.readAll(seen.map((s) => s.id));
    for (const s of seen) {
      const l = logs.get(s.id);
      expect(l, s.id).toBeDefined();
      expect(l!.input_token, s.id).toBe(s.prompt);
      expect(l!.output_token, s.id).toBe(s.completion);
      expect(l!.total_token, s.id).toBe(s.prompt + s.completion);
      expect(typeof l!.model).toBe("string");
      expect(l!.llm_service_duration).toBeGreaterThanOrEqual(0);
      expect(l!.chat_round).toBe(1);
      if (s.id.includes("-s-")) {
        expect(l!.response_type, s.id).toBe("stream");
        expect(l!.llm_first_token_duration).toBeGreaterThanOrEqual(0);
        expect(l!.llm_first_token_duration).toBeLessThanOrEqual(l!.llm_service_duration);
      } else {
        expect(l!.response_type, s.id).toBe("normal");
        expect(l!.llm_first_token_duration).toBeUndefined();
      }
      expect(l!.token_usage_estimated).toBeUndefined();
    }
    console.log(`[ai-chain] ${seen.length} requests over ${providers.length} providers: ai_log tokens = mock usage`);
  });

  it("Prometheus counters (Higress names and labels) sum to the mocks' usage per route", async () => {
    await gw.envoy.settleLog(); // every stream finished: its on_log counted it
    const prom = await gw.envoy.prometheus();
    for (const p of providers) {
      const mine = seen.filter((s) => s.provider === p);
      const sum = (re: RegExp) => prom.split("\n").filter((l) => re.test(l)).reduce((a, l) => a + Number(l.split(" ").pop()), 0);
      const labels = `ai_route="${p.id}",ai_cluster="mock-${p.family}"`;
      const input = sum(new RegExp(`^route_upstream_model_consumer_metric_input_token\\{[^}]*${labels.replace(/[|.]/g, "\\$&")}[^}]*ai_consumer="tenant"`));
      const output = sum(new RegExp(`^route_upstream_model_consumer_metric_output_token\\{[^}]*${labels.replace(/[|.]/g, "\\$&")}`));
      const count = sum(new RegExp(`^route_upstream_model_consumer_metric_llm_duration_count\\{[^}]*${labels.replace(/[|.]/g, "\\$&")}`));
      const streams = sum(new RegExp(`^route_upstream_model_consumer_metric_llm_stream_duration_count\\{[^}]*${labels.replace(/[|.]/g, "\\$&")}`));
      expect(input, p.id).toBe(mine.reduce((a, s) => a + s.prompt, 0));
      expect(output, p.id).toBe(mine.reduce((a, s) => a + s.completion, 0));
      expect(count, p.id).toBe(3);
      expect(streams, p.id).toBe(2);
    }
    expect(prom).toMatch(/route_upstream_model_consumer_metric_llm_first_token_duration\{/);
    expect(prom).toMatch(/route_upstream_model_consumer_metric_llm_service_latency_bucket\{/);
  });

  it("the rate-limit counter of each tenant holds exactly the provider-reported tokens", async () => {
    for (const p of providers) {
      const want = seen.filter((s) => s.provider === p).reduce((a, s) => a + s.prompt + s.completion, 0);
      const k = `higress-token-ratelimit:chain:limit_by_per_header:86400:x-tenant:${p.id}`;
      let got = "";
      for (let i = 0; i < 100; i++) {
        got = await fx.redis.command("GET", k);
        if (got === `$${String(want).length}\r\n${want}\r\n`) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(got, p.id).toBe(`$${String(want).length}\r\n${want}\r\n`);
    }
  });

  it("the consumer's quota was reduced by exactly the provider-reported tokens", async () => {
    const want = QUOTA - seen.reduce((a, s) => a + s.prompt + s.completion, 0);
    let got = "";
    for (let i = 0; i < 100; i++) {
      got = await fx.redis.command("GET", "chat_quota:tenant");
      if (got === `$${String(want).length}\r\n${want}\r\n`) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(got).toBe(`$${String(want).length}\r\n${want}\r\n`);
  });

  it("no VM trapped", async () => {
    await gw.envoy.settleLog();
    expect(gw.envoy.log).not.toMatch(/wasm trap|Function: proxy_on_\w+ failed|panic/i);
  });
});
