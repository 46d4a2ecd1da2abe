// ai-statistics in a real Envoy with the OpenAI mock as upstream: attributes from every
// value_source (fixed, request/response headers, request/response bodies, streaming bodies with
// first/replace/append), builtins (question, answer), defaults, span tags and separate log
// fields, value_length_limit, enable_path_suffixes, ai_log merged with what another plugin wrote
// (ai-token-ratelimit before it), and counters under Higress's names.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { mkdtempSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { http, pluginWasm } from "../../../harness/src/index.js";
import { RedisServer } from "../../../harness/src/redis.js";
import { LlmMock, openaiFamily } from "../../../harness/src/mocks/llm/index.js";
import { useEnvoy } from "../../../harness/src/vitest.js";
import { chat, lastTotal, waitCounter } from "../../ai-token-ratelimit/test/helpers.js";

const fx = { mock: undefined as LlmMock | undefined, redis: undefined as RedisServer | undefined };
beforeAll(async () => {
  fx.mock = await LlmMock.start(openaiFamily);
  fx.redis = await RedisServer.start();
});
afterAll(async () => {
  await fx.mock?.stop();
  await fx.redis?.stop();
});

const logDir = mkdtempSync(join(tmpdir(), "sluice-ais-"));
const accessLog = join(logDir, "access.log");
const attributes = [
  { key: "team", value_source: "fixed_value", value: "blue", apply_to_log: true },
  { key: "user_agent", value_source: "request_header", value: "user-agent", apply_to_log: true, apply_to_span: true },
  { key: "temperature", value_source: "request_body", value: "temperature", apply_to_log: true },
  { key: "first_message_role", value_source: "request_body", value: "messages.0.role", apply_to_log: true },
  { key: "question", apply_to_log: true },
  { key: "upstream_server", value_source: "response_header", value: "x-mock-family", default_value: "unknown", apply_to_log: true },
  { key: "finish", value_source: "response_body", value: "choices.0.finish_reason", apply_to_log: true },
  { key: "answer", apply_to_log: true, rule: "append" },
  { key: "stream_id_first", value_source: "response_streaming_body", value: "id", rule: "first", apply_to_log: true },
  { key: "stream_finish", value_source: "response_streaming_body", value: "choices.0.finish_reason", rule: "replace", apply_to_log: true },
  { key: "long", value_source: "fixed_value", value: "x".repeat(50), apply_to_log: true },
  { key: "sep", value_source: "fixed_value", value: "separate \"value\"", apply_to_log: true, as_separate_log_field: true },
];

const gw = useEnvoy(() => ({
  plugins: [
    { name: "ai-token-ratelimit", wasm: pluginWasm("ai-token-ratelimit"), config: { rule_name: "s", redis: { service_name: "redis.dns", timeout: 10000 }, rule_items: [{ limit_by_header: "x-limited", limit_keys: [{ key: "yes", token_per_minute: 1 }] }] } },
    { name: "ai-statistics", wasm: pluginWasm("ai-statistics"), config: { attributes, value_length_limit: 20, enable_path_suffixes: ["/completions"] } },
  ],
  routes: [{ name: "chat-route", prefix: "/", cluster: "mock" }],
  clusters: [{ name: "mock", port: fx.mock!.port }, { name: "outbound|6379||redis.dns", port: fx.redis!.webdisPort }],
  accessLog: { path: accessLog, format: "%REQ(X-REQUEST-ID)% %RESPONSE_CODE% SEP=%FILTER_STATE(wasm.sep:PLAIN)%\tSPAN=%FILTER_STATE(wasm.trace_span_tag.user_agent:PLAIN)%\tAI=%FILTER_STATE(wasm.ai_log:PLAIN)%" },
}));

async function line(id: string): Promise<{ status: string; ai: Record<string, any>; rest: string }> {
  for (let i = 0; i < 80; i++) {
    const l = (existsSync(accessLog) ? readFileSync(accessLog, "utf8").split("\n") : []).find((x) => x.startsWith(id + " "));
    if (l) {
      const status = l.split(" ")[1];
      const at = l.lastIndexOf("\tAI=");
      const raw = l.slice(at + 4);
      return { status, ai: raw === "-" ? {} : JSON.parse(JSON.parse(`"${raw}"`)), rest: l.slice(0, at) };
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no access log line for ${id}`);
}

describe("ai-statistics in Envoy", () => {
  it("non-streaming: tokens, model, latency and attributes from every source", async () => {
    const r = await chat(gw.url, { headers: [["x-request-id", "n1"], ["user-agent", "test-agent/1.0"]], text: "What is a token?" });
    expect(r.status).toBe(200);
    const u = fx.mock!.last!.usage!;
    const { ai, rest } = await line("n1");
    expect(ai).toMatchObject({
      model: "gpt-4o", input_token: u.prompt_tokens, output_token: u.completion_tokens, total_token: u.prompt_tokens + u.completion_tokens,
      response_type: "normal", chat_round: 1, team: "blue", user_agent: "test-agent/1.0", first_message_role: "user",
      question: "What is a token?", finish: "stop", upstream_server: "unknown", api: "-",
    });
    expect(typeof ai.answer).toBe("string");
    expect(ai.answer.length).toBeGreaterThan(0);
    expect(ai.chat_id).toMatch(/^chatcmpl-/);
    expect(ai.llm_service_duration).toBeGreaterThanOrEqual(0);
    expect(ai.llm_first_token_duration).toBeUndefined();
    expect(ai.temperature).toBeUndefined();
    expect(ai.long).toBe("x".repeat(10) + " [truncated] " + "x".repeat(10));
    expect(ai.sep).toBeUndefined();
    expect(rest).toContain('SEP=separate \\"value\\"');
    expect(rest).toContain("SPAN=test-agent/1.0");
  });

  it("streaming (1-byte chunks): first-token latency, rules first/replace/append", async () => {
    const r = await chat(gw.url, { headers: [["x-request-id", "s1"]], stream: true, chunking: "1", text: "Stream please" });
    expect(r.status).toBe(200);
    const u = fx.mock!.last!.usage!;
    const { ai } = await line("s1");
    expect(ai).toMatchObject({ input_token: u.prompt_tokens, output_token: u.completion_tokens, response_type: "stream", stream_finish: "stop" });
    expect(ai.stream_id_first).toMatch(/^chatcmpl-/);
    const deltas = r.body.split("\n").filter((l) => l.startsWith("data: {")).map((l) => JSON.parse(l.slice(6)).choices?.[0]?.delta?.content ?? "").join("");
    expect(ai.answer).toBe(deltas.length > 20 ? deltas.slice(0, 10) + " [truncated] " + deltas.slice(-10) : deltas);
    expect(ai.llm_first_token_duration).toBeGreaterThanOrEqual(0);
    expect(ai.llm_first_token_duration).toBeLessThanOrEqual(ai.llm_service_duration);
  });

  it("ai_log is merged with what another plugin wrote (ai-token-ratelimit's status)", async () => {
    await chat(gw.url, { headers: [["x-limited", "yes"]] }); // crosses the limit of 1
    // ai-token-ratelimit adds the tokens after the answer: wait until Redis has them.
    await waitCounter(fx.redis!, "higress-token-ratelimit:s:limit_by_header:60:x-limited:yes", lastTotal(fx.mock!));
    const r = await chat(gw.url, { headers: [["x-limited", "yes"], ["x-request-id", "m1"]] });
    expect(r.status).toBe(429);
    const { ai } = await line("m1");
    expect(ai.token_ratelimit_status).toBe("limited");
  });

  it("counters under Higress's metric names", async () => {
    await gw.envoy.settleLog(); // every stream finished: its on_log counted it
    const stats = await gw.envoy.stats("metric\\.");
    const val = (name: string) => Number(new RegExp(`route\\.chat-route\\.upstream\\.mock\\.model\\.gpt-4o\\.consumer\\.none\\.metric\\.${name}: (\\d+)`).exec(stats)?.[1]);
    expect(val("input_token")).toBeGreaterThan(0);
    expect(val("llm_duration_count")).toBeGreaterThanOrEqual(3);
    expect(val("llm_stream_duration_count")).toBe(1);
    expect(val("total_token")).toBe(val("input_token") + val("output_token"));
    expect(lastTotal(fx.mock!)).toBeGreaterThan(0);
  });

  it("a stream cut mid-way: recorded from proxy_on_log with estimated tokens, flagged", async () => {
    await chat(gw.url, { headers: [["x-request-id", "cut1"]], stream: true, cut: "1" }).catch(() => undefined);
    const { ai } = await line("cut1");
    expect(ai).toMatchObject({ response_type: "stream", token_usage_estimated: true });
    expect(ai.input_token).toBeGreaterThan(0);
    expect(ai.total_token).toBe(ai.input_token + ai.output_token);
    await gw.envoy.waitForLog(/token usage estimated \(stream cut\)/);
  });

  it("paths outside enable_path_suffixes are not recorded", async () => {
    const r = await chat(gw.url, { path: "/v1/files", headers: [["x-request-id", "e1"]] });
    expect(r.status).toBeGreaterThanOrEqual(200);
    const { ai } = await line("e1");
    expect(ai.input_token).toBeUndefined();
    expect(ai.team).toBeUndefined();
  });

  it("an LLM API is recorded whatever enable_path_suffixes says (embeddings, not in the list)", async () => {
    const r = await http(gw.url + "/v1/embeddings", { method: "POST", headers: [["host", "api.openai.com"], ["authorization", "Bearer sk-test"], ["content-type", "application/json"], ["x-request-id", "e2"]], body: JSON.stringify({ model: "text-embedding-3-small", input: "four tokens right here" }) });
    expect(r.status, r.body).toBe(200);
    const { ai } = await line("e2");
    expect(ai.input_token).toBe(4);
    expect(ai.output_token).toBe(0);
    expect(ai.team).toBe("blue");
  });

  it("no trap", async () => {
    await gw.envoy.settleLog();
    expect(gw.envoy.log).not.toMatch(/wasm trap|Function: proxy_on_\w+ failed|panic/i);
  });
});
