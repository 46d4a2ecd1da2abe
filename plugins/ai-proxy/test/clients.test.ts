// The official `openai` and `@anthropic-ai/sdk` clients against every provider, through a real
// Envoy running ai-proxy, to provider mocks that validate requests like the real APIs.
// Checks: answers, tool calls, embeddings, streaming under three chunkings, and that the usage the
// client sees and the usage ai-proxy publishes (access log, `ai_usage` filter state) both equal
// the usage the provider reported.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { mkdtempSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import OpenAI from "openai";
import Anthropic from "@anthropic-ai/sdk";
import { useEnvoy } from "../../../harness/src/vitest.js";
import { http } from "../../../harness/src/index.js";
import { Mocks, PROVIDERS, CHAT_PROVIDERS, gatewaySpec, type ProviderCase } from "./setup.js";
import type { NormalUsage } from "../../../harness/src/mocks/llm/index.js";

const mocks = new Mocks();
const logDir = mkdtempSync(join(tmpdir(), "ai-proxy-"));
const accessLog = join(logDir, "access.log");
beforeAll(async () => { await mocks.start(); });
afterAll(async () => { await mocks.stop(); });

const gw = useEnvoy(() => gatewaySpec(mocks, PROVIDERS, { accessLog }));

/** request id → the usage the provider reported; checked against the access log at the end. */
const published = new Map<string, NormalUsage>();
let seq = 0;
const rid = (p: ProviderCase, what: string) => `${p.id}-${what}-${++seq}`;

function openai(p: ProviderCase): OpenAI {
  return new OpenAI({ apiKey: "client-key", baseURL: `${gw.url}/${p.id}/v1`, maxRetries: 0 });
}
function anthropic(p: ProviderCase): Anthropic {
  return new Anthropic({ apiKey: "client-key", baseURL: `${gw.url}/${p.id}`, maxRetries: 0 });
}

const WEATHER_TOOL = {
  type: "function" as const,
  function: { name: "get_weather", description: "Weather of a city", parameters: { type: "object", properties: { location: { type: "string" }, unit: { type: "string" } }, required: ["location"] } },
};

function expectUsage(got: any, want: NormalUsage | undefined) {
  expect(want, "the mock reported usage").toBeDefined();
  expect(got).toBeDefined();
  expect(got.prompt_tokens).toBe(want!.prompt_tokens);
  expect(got.completion_tokens).toBe(want!.completion_tokens);
  expect(got.total_tokens).toBe(want!.total_tokens);
  if (want!.cached_tokens) expect(got.prompt_tokens_details?.cached_tokens).toBe(want!.cached_tokens);
  if (want!.reasoning_tokens) expect(got.completion_tokens_details?.reasoning_tokens).toBe(want!.reasoning_tokens);
}

function expectAnthropicUsage(got: any, want: NormalUsage | undefined) {
  expect(want).toBeDefined();
  const prompt = got.input_tokens + (got.cache_read_input_tokens ?? 0) + (got.cache_creation_input_tokens ?? 0);
  expect(prompt).toBe(want!.prompt_tokens);
  expect(got.output_tokens).toBe(want!.completion_tokens);
}

async function collectStream(stream: AsyncIterable<any>) {
  let content = "", reasoning = "", finish = "", usage: any;
  const calls: { id?: string; name?: string; args: string }[] = [];
  for await (const c of stream) {
    if (c.usage) usage = c.usage;
    const ch = c.choices?.[0];
    if (!ch) continue;
    if (ch.delta?.content) content += ch.delta.content;
    if (ch.delta?.reasoning_content) reasoning += ch.delta.reasoning_content;
    for (const tc of ch.delta?.tool_calls ?? []) {
      const call = (calls[tc.index] ??= { args: "" });
      if (tc.id) call.id = tc.id;
      if (tc.function?.name) call.name = tc.function.name;
      if (tc.function?.arguments) call.args += tc.function.arguments;
    }
    if (ch.finish_reason) finish = ch.finish_reason;
  }
  return { content, reasoning, finish, usage, calls };
}

const MESSAGES = [
  { role: "system" as const, content: "You are terse." },
  { role: "user" as const, content: "hello gateway world" },
];

describe.each(CHAT_PROVIDERS)("openai client → $id", (p) => {
  const mock = () => mocks.of(p.family);

  it("chat", async () => {
    const id = rid(p, "chat");
    const r = await openai(p).chat.completions.create({ model: p.model, messages: MESSAGES }, { headers: { "x-request-id": id } });
    expect(r.choices[0].message.content).toBe("Echo: hello gateway world");
    expect(r.choices[0].finish_reason).toBe("stop");
    const last = mock().last!;
    expect(last.status).toBe(200);
    if (p.family === "compat" && p.config.modelMapping) expect(last.body.model).toBe((p.config.modelMapping as Record<string, string>)["gpt-4o"]);
    expectUsage(r.usage, last.usage);
    published.set(id, last.usage!);
  });

  // 1-byte delivery of converted streams is covered byte-for-byte by "chunking-independent" below.
  for (const chunking of p.id === "openai" ? ["whole", "1", "random:7"] : p.converted ? ["whole", "random:7"] : ["random:3"]) {
    it(`stream (${chunking})`, async () => {
      const id = rid(p, "stream");
      const s = await openai(p).chat.completions.create({ model: p.model, messages: MESSAGES, stream: true }, { headers: { "x-mock-chunking": chunking, "x-request-id": id } });
      const got = await collectStream(s);
      expect(got.content).toBe("Echo: hello gateway world");
      expect(got.finish).toBe("stop");
      const last = mock().last!;
      // ai-proxy asked for usage on the stream (stream_options.include_usage) where the wire is OpenAI's.
      if (p.family === "compat") expect(last.body.stream_options?.include_usage).toBe(true);
      expectUsage(got.usage, last.usage);
      published.set(id, last.usage!);
    });
  }

  it("tools (two turns)", async () => {
    const c = openai(p);
    const r = await c.chat.completions.create({ model: p.model, messages: MESSAGES, tools: [WEATHER_TOOL] });
    const call = r.choices[0].message.tool_calls?.[0] as any;
    expect(call?.function.name).toBe("get_weather");
    expect(JSON.parse(call.function.arguments)).toEqual({ location: "Paris", unit: "celsius" });
    expect(r.choices[0].finish_reason).toBe("tool_calls");
    const r2 = await c.chat.completions.create({
      model: p.model,
      tools: [WEATHER_TOOL],
      messages: [...MESSAGES, r.choices[0].message as any, { role: "tool", tool_call_id: call.id, content: "sunny 21C" }],
    });
    expect(r2.choices[0].message.content).toBe("Tool said: sunny 21C");
    expectUsage(r2.usage, mock().last!.usage);
  });

  it("tools, streamed", async () => {
    const s = await openai(p).chat.completions.create({ model: p.model, messages: MESSAGES, tools: [WEATHER_TOOL], stream: true }, { headers: { "x-mock-chunking": "random:11" } });
    const got = await collectStream(s);
    expect(got.calls.length).toBe(1);
    expect(got.calls[0].name).toBe("get_weather");
    expect(JSON.parse(got.calls[0].args)).toEqual({ location: "Paris", unit: "celsius" });
    expect(got.finish).toBe("tool_calls");
    expectUsage(got.usage, mock().last!.usage);
  });

  it.runIf(p.embeddings)("embeddings", async () => {
    const r = await openai(p).embeddings.create({ model: p.embeddingModel ?? "text-embedding-3-small", input: ["hello world", "sluice"] });
    expect(r.data.length).toBe(2);
    expect(r.data[0].embedding.length).toBe(8);
    expect(r.data[1].index).toBe(1);
    const last = mock().last!;
    expect(last.status).toBe(200);
    expect(r.usage.prompt_tokens).toBe(last.usage!.prompt_tokens);
  });

  it("errors come back in OpenAI's shape with the provider's status", async () => {
    const c = openai(p);
    for (const status of [429, 500]) {
      const e: any = await c.chat.completions.create({ model: p.model, messages: MESSAGES }, { headers: { "x-mock-fail": String(status) } }).catch((x) => x);
      expect(e).toBeInstanceOf(OpenAI.APIError);
      expect(e.status).toBe(status);
      expect(typeof e.error?.message).toBe("string");
    }
  });
});

// A translator (deepl) behind the chat API: the translation is the answer; no finish_reason or
// usage (Higress's answer has neither); DeepL's errors keep their status. More in deepl.test.ts.
describe.each(PROVIDERS.filter((p) => p.translator))("openai client → $id (translation)", (p) => {
  const target = p.config.targetLang as string;

  it("chat", async () => {
    const r = await openai(p).chat.completions.create({ model: p.model, messages: MESSAGES });
    expect(r.choices.map((c) => c.message.content)).toEqual([`${target}: hello gateway world [You are terse.]`]);
    expect(r.choices[0].finish_reason).toBeNull();
    expect(r.usage).toBeNull();
    const last = mocks.deepl.last!;
    expect(last.status).toBe(200);
    expect(last.headers.host).toBe(p.host);
    expect(last.body).toEqual({ text: ["hello gateway world"], target_lang: target, context: "You are terse." });
  });

  it("anthropic client (/v1/messages): the translation as the message's text", async () => {
    const r = await anthropic(p).messages.create({ model: p.model, max_tokens: 64, system: "You are terse.", messages: [{ role: "user", content: "hello gateway world" }] });
    expect(r.type).toBe("message");
    expect(r.content).toEqual([{ type: "text", text: `${target}: hello gateway world [You are terse.]` }]);
    expect(mocks.deepl.last!.body).toEqual({ text: ["hello gateway world"], target_lang: target, context: "You are terse." });
  });

  it("errors come back in OpenAI's shape with the provider's status", async () => {
    for (const status of [429, 456, 500]) {
      const e: any = await openai(p).chat.completions.create({ model: p.model, messages: MESSAGES }, { headers: { "x-mock-fail": String(status) } }).catch((x) => x);
      expect(e).toBeInstanceOf(OpenAI.APIError);
      expect(e.status).toBe(status);
      expect(typeof e.error?.message).toBe("string");
    }
  });
});

// MiniMax's ChatCompletion Pro (minimaxApiType: pro): the answer (the bot's name as the message's
// name), the stream under three chunkings, both clients; MiniMax's errors come in HTTP 200 answers
// (base_resp) and reach the client as Higress answers them: 500 with MiniMax's code and message.
describe.each(PROVIDERS.filter((p) => p.config.minimaxApiType === "pro"))("openai and anthropic clients → $id (ChatCompletion Pro)", (p) => {
  const pro = `/v1/text/chatcompletion_pro?GroupId=${p.config.minimaxGroupId}`;

  it("chat", async () => {
    const r = await openai(p).chat.completions.create({ model: p.model, messages: MESSAGES, max_tokens: 64 });
    expect(r.object).toBe("chat.completion");
    expect(r.choices).toHaveLength(1);
    expect(r.choices[0].message.content).toBe("Echo: hello gateway world");
    expect((r.choices[0].message as any).name).toBe("MM智能助理");
    expect(r.choices[0].finish_reason).toBe("stop");
    const last = mocks.compat.last!;
    expect(last.status).toBe(200);
    expect(last.path).toBe(pro);
    expect(last.headers.authorization).toBe(`Bearer ${(p.config.apiTokens as string[])[0]}`);
    expect(last.body.bot_setting).toEqual([{ bot_name: "MM智能助理", content: "You are terse." }]);
    expect(last.body.messages).toEqual([{ sender_type: "USER", sender_name: "小明", text: "hello gateway world" }]);
    expect(last.body.tokens_to_generate).toBe(64);
    expect(r.usage?.total_tokens).toBe(last.usage!.total_tokens);
  });

  for (const chunking of ["whole", "1", "random:7"]) {
    it(`stream (${chunking})`, async () => {
      const s = await openai(p).chat.completions.create({ model: p.model, messages: MESSAGES, stream: true }, { headers: { "x-mock-chunking": chunking } });
      const got = await collectStream(s);
      expect(got.content).toBe("Echo: hello gateway world");
      expect(got.finish).toBe("stop");
      const last = mocks.compat.last!;
      expect(last.body.stream).toBe(true);
      expect(got.usage?.total_tokens).toBe(last.usage!.total_tokens);
    });
  }

  it("anthropic client: message and stream", async () => {
    const r = await anthropic(p).messages.create({ model: p.model, max_tokens: 64, system: "You are terse.", messages: [{ role: "user", content: "hello gateway world" }] });
    expect(r.content).toEqual([{ type: "text", text: "Echo: hello gateway world" }]);
    expect(r.stop_reason).toBe("end_turn");
    expect(mocks.compat.last!.body.bot_setting).toEqual([{ bot_name: "MM智能助理", content: "You are terse." }]);
    const m = await anthropic(p).messages.stream({ model: p.model, max_tokens: 64, messages: [{ role: "user", content: "hello gateway world" }] }, { headers: { "x-mock-chunking": "random:5" } }).finalMessage();
    expect(m.content).toEqual([{ type: "text", text: "Echo: hello gateway world" }]);
    expect(m.stop_reason).toBe("end_turn");
  });

  it("MiniMax's errors (HTTP 200, base_resp) come back as Higress's 500 in OpenAI's shape", async () => {
    for (const [status, code] of [[429, 1002], [500, 1013]]) {
      const e: any = await openai(p).chat.completions.create({ model: p.model, messages: MESSAGES }, { headers: { "x-mock-fail": String(status) } }).catch((x) => x);
      expect(e).toBeInstanceOf(OpenAI.APIError);
      expect(e.status).toBe(500);
      expect(e.error?.message).toMatch(new RegExp(`^minimax response error, error_code: ${code}, error_message: `));
    }
  });
});

// Text-only providers (triton): the answer and the stream under three chunkings through both
// clients; no tools and no usage (Triton reports none).
describe.each(PROVIDERS.filter((p) => p.textOnly && p.family === "triton"))("openai and anthropic clients → $id (text only)", (p) => {
  it("chat", async () => {
    const r = await openai(p).chat.completions.create({ model: p.model, messages: MESSAGES });
    expect(r.choices[0].message.content).toBe("Echo: hello gateway world");
    expect(r.choices[0].finish_reason).toBe("stop");
    expect(r.usage).toBeNull();
    const last = mocks.of(p.family).last!;
    expect(last.status).toBe(200);
    expect(last.body.text_input).toBe("hello gateway world");
  });

  for (const chunking of ["whole", "1", "random:7"]) {
    it(`stream (${chunking})`, async () => {
      const s = await openai(p).chat.completions.create({ model: p.model, messages: MESSAGES, stream: true }, { headers: { "x-mock-chunking": chunking } });
      const got = await collectStream(s);
      expect(got.content).toBe("Echo: hello gateway world");
      expect(got.finish).toBe("stop");
      expect(mocks.of(p.family).last!.body.parameters).toEqual({ stream: true, temperature: 0 });
    });
  }

  it("anthropic client: message and stream", async () => {
    const r = await anthropic(p).messages.create({ model: p.model, max_tokens: 64, messages: [{ role: "user", content: "hello gateway world" }] });
    expect(r.content).toEqual([{ type: "text", text: "Echo: hello gateway world" }]);
    expect(r.stop_reason).toBe("end_turn");
    const s = anthropic(p).messages.stream({ model: p.model, max_tokens: 64, messages: [{ role: "user", content: "hello gateway world" }] }, { headers: { "x-mock-chunking": "random:5" } });
    const m = await s.finalMessage();
    expect(m.content).toEqual([{ type: "text", text: "Echo: hello gateway world" }]);
    expect(m.stop_reason).toBe("end_turn");
  });

  it("errors come back in OpenAI's shape with the provider's status", async () => {
    for (const status of [429, 500]) {
      const e: any = await openai(p).chat.completions.create({ model: p.model, messages: MESSAGES }, { headers: { "x-mock-fail": String(status) } }).catch((x) => x);
      expect(e).toBeInstanceOf(OpenAI.APIError);
      expect(e.status).toBe(status);
      expect(typeof e.error?.message).toBe("string");
    }
  });
});

// Dify apps (Chat, Completion, Agent, Workflow): the answer and the stream under three chunkings
// through the openai client, the usage Dify reported (none for a workflow), a conversation
// continued with the ConversationId header, the Anthropic client, Dify's errors.
describe.each(PROVIDERS.filter((p) => p.app))("openai and anthropic clients → $id (Dify app)", (p) => {
  const mock = () => mocks.dify;
  const workflow = p.app!.botType === "Workflow";

  it(p.app!.streamOnly ? "chat: Dify refuses a blocking request to an agent (as with Higress)" : "chat", async () => {
    const id = rid(p, "chat");
    const call = openai(p).chat.completions.create({ model: p.model, messages: MESSAGES }, { headers: { "x-request-id": id } });
    if (p.app!.streamOnly) {
      const e: any = await call.catch((x) => x);
      expect(e).toBeInstanceOf(OpenAI.APIError);
      expect(e.status).toBe(400);
      expect(e.error?.message).toBe("Agent Chat App does not support blocking mode");
      return;
    }
    const r = await call;
    expect(r.choices[0].message.content).toBe("Echo: hello gateway world");
    expect(r.choices[0].finish_reason).toBe("stop");
    expect(r.model).toBe(p.config.modelMapping ? (p.config.modelMapping as Record<string, string>)["*"] : p.model);
    const last = mock().last!;
    expect(last.status).toBe(200);
    expect(last.body.response_mode).toBe("blocking");
    if (workflow) expect(r.usage).toEqual({});
    else { expectUsage(r.usage, last.usage); published.set(id, last.usage!); }
  });

  for (const chunking of ["whole", "1", "random:7"]) {
    it(`stream (${chunking})`, async () => {
      const s = await openai(p).chat.completions.create({ model: p.model, messages: MESSAGES, stream: true }, { headers: { "x-mock-chunking": chunking } });
      const got = await collectStream(s);
      expect(got.content).toBe("Echo: hello gateway world");
      expect(got.finish).toBe("stop");
      const last = mock().last!;
      expect(last.body.response_mode).toBe("streaming");
      if (workflow) expect(got.usage).toBeUndefined();
      else expectUsage(got.usage, last.usage);
    });
  }

  if (p.app!.botType === "Chat") {
    it("a conversation continues with the ConversationId header the first answer carried", async () => {
      const first = await openai(p).chat.completions.create({ model: p.model, messages: MESSAGES }).withResponse();
      const conv = first.response.headers.get("conversationid");
      expect(conv).toBe(first.data.id);
      expect(mocks.dify.last!.body.conversation_id).toBe("");
      const second = await openai(p).chat.completions.create({ model: p.model, messages: [{ role: "user", content: "and again" }] }, { headers: { ConversationId: conv! } });
      expect(mocks.dify.last!.body.conversation_id).toBe(conv);
      expect(second.id).toBe(conv);
      expect(second.choices[0].message.content).toBe("Echo: and again");
    });
  }

  it("anthropic client: stream (and message, but for an agent)", async () => {
    if (!p.app!.streamOnly) {
      const r = await anthropic(p).messages.create({ model: p.model, max_tokens: 64, messages: [{ role: "user", content: "hello gateway world" }] });
      expect(r.content).toEqual([{ type: "text", text: "Echo: hello gateway world" }]);
      expect(r.stop_reason).toBe("end_turn");
    }
    const s = anthropic(p).messages.stream({ model: p.model, max_tokens: 64, messages: [{ role: "user", content: "hello gateway world" }] }, { headers: { "x-mock-chunking": "random:5" } });
    const m = await s.finalMessage();
    expect(m.content).toEqual([{ type: "text", text: "Echo: hello gateway world" }]);
    expect(m.stop_reason).toBe("end_turn");
    if (!workflow) expectAnthropicUsage(m.usage, mock().last!.usage);
  });

  it("Dify's errors come back in OpenAI's shape with Dify's status", async () => {
    for (const status of [429, 500]) {
      const e: any = await openai(p).chat.completions.create({ model: p.model, messages: MESSAGES, stream: p.app!.streamOnly }, { headers: { "x-mock-fail": String(status) } }).catch((x) => x);
      expect(e).toBeInstanceOf(OpenAI.APIError);
      expect(e.status).toBe(status);
      expect(e.error?.message).toBe(status === 429 ? "Too many requests. Please try again later." : "The server encounters an internal error.");
    }
  });
});

const ANTHROPIC_CLIENT = PROVIDERS.filter((p) => ["openai", "deepseek", "azure", "qwen-compatible", "qwen", "gemini", "claude", "mistral", "hunyuan", "bedrock-sigv4"].includes(p.id));

describe.each(ANTHROPIC_CLIENT)("anthropic client (/v1/messages) → $id", (p) => {
  const mock = () => mocks.of(p.family);

  it("message", async () => {
    const r = await anthropic(p).messages.create({ model: p.model, max_tokens: 256, system: "You are terse.", messages: [{ role: "user", content: "hello gateway world" }] });
    expect(r.type).toBe("message");
    const text = r.content.filter((b) => b.type === "text").map((b: any) => b.text).join("");
    expect(text).toBe("Echo: hello gateway world");
    expect(r.stop_reason).toBe("end_turn");
    expectAnthropicUsage(r.usage, mock().last!.usage);
  });

  for (const chunking of p.id === "openai" ? ["whole", "1", "random:5"] : ["whole", "random:5"]) {
    it(`stream (${chunking})`, async () => {
      const s = anthropic(p).messages.stream({ model: p.model, max_tokens: 256, messages: [{ role: "user", content: "hello gateway world" }] }, { headers: { "x-mock-chunking": chunking } });
      const m = await s.finalMessage();
      const text = m.content.filter((b) => b.type === "text").map((b: any) => b.text).join("");
      expect(text).toBe("Echo: hello gateway world");
      expect(m.stop_reason).toBe("end_turn");
      expectAnthropicUsage(m.usage, mock().last!.usage);
    });
  }

  it("tool use, both turns, streamed", async () => {
    const tools = [{ name: "get_weather", description: "Weather", input_schema: { type: "object" as const, properties: { location: { type: "string" } } } }];
    const c = anthropic(p);
    const m = await c.messages.stream({ model: p.model, max_tokens: 256, tools, messages: [{ role: "user", content: "weather in Paris?" }] }, { headers: { "x-mock-chunking": "random:9" } }).finalMessage();
    const use = m.content.find((b) => b.type === "tool_use") as any;
    expect(use?.name).toBe("get_weather");
    expect(use.input).toEqual({ location: "Paris", unit: "celsius" });
    expect(m.stop_reason).toBe("tool_use");
    const m2 = await c.messages.create({
      model: p.model, max_tokens: 256, tools,
      messages: [
        { role: "user", content: "weather in Paris?" },
        { role: "assistant", content: m.content as any },
        { role: "user", content: [{ type: "tool_result", tool_use_id: use.id, content: "sunny 21C" }] },
      ],
    });
    expect(m2.content.filter((b) => b.type === "text").map((b: any) => b.text).join("")).toBe("Tool said: sunny 21C");
  });

  it("errors come back in Anthropic's shape", async () => {
    const e: any = await anthropic(p).messages.create({ model: p.model, max_tokens: 10, messages: [{ role: "user", content: "x" }] }, { headers: { "x-mock-fail": "429" } }).catch((x) => x);
    expect(e).toBeInstanceOf(Anthropic.APIError);
    expect(e.status).toBe(429);
    expect(e.error?.type).toBe("error");
  });
});

// The same provider stream, delivered whole, byte by byte, and split at random points, must give
// byte-identical gateway output (ids and timestamps aside, which differ per request).
const normalise = (t: string) => t.replace(/"(id|tool_use_id)":"[^"]*"/g, '"$1":"X"').replace(/"created":\d+/g, '"created":0');
describe.each(PROVIDERS.filter((p) => p.converted))("stream conversion is chunking-independent → $id", (p) => {
  const run = async (path: string, body: object, chunking: string) => {
    const r = await http(`${gw.url}/${p.id}${path}`, { method: "POST", headers: { "content-type": "application/json", "x-mock-chunking": chunking }, body: JSON.stringify(body) });
    expect(r.status).toBe(200);
    return normalise(r.body);
  };
  it.each([
    ["/v1/chat/completions", { model: p.model, messages: MESSAGES, stream: true }],
    ["/v1/chat/completions", { model: p.model, messages: MESSAGES, stream: true, tools: [WEATHER_TOOL] }],
    ["/v1/messages", { model: p.model, max_tokens: 100, messages: [{ role: "user", content: "hello gateway world" }], stream: true }],
  ])("%s %#", async (path, body) => {
    const whole = await run(path, body, "whole");
    expect(whole.length).toBeGreaterThan(100);
    expect(await run(path, body, "1")).toBe(whole);
    for (const seed of [1, 2]) expect(await run(path, body, `random:${seed}`)).toBe(whole);
  });
});

describe("published usage (filter state ai_usage in the access log)", () => {
  it("equals the provider's usage for every request", async () => {
    expect(published.size).toBeGreaterThan(20);
    // Envoy flushes file access logs about every second.
    let lines: string[] = [];
    for (let i = 0; i < 40; i++) {
      await new Promise((r) => setTimeout(r, 250));
      lines = existsSync(accessLog) ? readFileSync(accessLog, "utf8").split("\n") : [];
      if ([...published.keys()].every((id) => lines.some((l) => l.startsWith(id + " ")))) break;
    }
    for (const [id, want] of published) {
      const line = lines.find((l) => l.startsWith(id + " "));
      expect(line, `access log line for ${id}`).toBeDefined();
      const json = JSON.parse(line!.slice(line!.indexOf("{")));
      expect(json.prompt_tokens, id).toBe(want.prompt_tokens);
      expect(json.completion_tokens, id).toBe(want.completion_tokens);
      expect(json.total_tokens, id).toBe(want.total_tokens);
    }
  });
});
