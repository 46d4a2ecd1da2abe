// ai-proxy behaviour in a real Envoy: Higress README configs unchanged, modelMapping, token
// choice and failover, retryOnFailure, context file, customSettings, protocol: original, error
// shapes, bad input that must not trap, cut streams, slow first byte, images and reasoning.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import OpenAI from "openai";
import Anthropic from "@anthropic-ai/sdk";
import { useEnvoy } from "../../../harness/src/vitest.js";
import { http } from "../../../harness/src/index.js";
import { Mocks, PROVIDERS, gatewaySpec, type ProviderCase } from "./setup.js";

const mocks = new Mocks();
let ctxServer: Server;
let ctxPort = 0;
const CONTEXT = "Sluice context: the gateway is called Sluice.";
beforeAll(async () => {
  await mocks.start();
  ctxServer = createServer((req, res) => {
    if (req.url === "/docs/context.txt") { res.writeHead(200, { "content-type": "text/plain" }); res.end(CONTEXT); }
    else { res.writeHead(404); res.end("no"); }
  });
  await new Promise<void>((r) => ctxServer.listen(0, "127.0.0.1", r));
  ctxPort = (ctxServer.address() as AddressInfo).port;
});
afterAll(async () => { await mocks.stop(); ctxServer.close(); });

const byId = (id: string) => PROVIDERS.find((p) => p.id === id)!;
const extra: ProviderCase[] = [
  {
    id: "map", family: "compat", host: "api.openai.com", embeddings: false, model: "x", converted: false,
    config: {
      id: "map", type: "openai", apiTokens: ["sk-map"],
      modelMapping: { "gpt-4o": "exact-target", "gpt-3.5-*": "prefix-target", "~^claude-(.*)$": "openai/claude-$1", "keep-me": "", "*": "fallback-target" },
      customSettings: [
        { name: "max_tokens", value: 77 },
        { name: "temperature", value: 0.3, overwrite: false },
        { name: "metadata.team", value: "sluice", mode: "raw" },
      ],
    },
  },
  {
    id: "ctx", family: "compat", host: "api.openai.com", embeddings: false, model: "gpt-4o", converted: false,
    config: { id: "ctx", type: "openai", apiTokens: ["sk-ctx"], context: { fileUrl: "http://ctx.local/docs/context.txt", serviceName: "ctx.static", servicePort: 80 } },
  },
  {
    id: "ctx-claude", family: "anthropic", host: "api.anthropic.com", embeddings: false, model: "claude-sonnet-4-5", converted: true,
    config: { id: "ctx-claude", type: "claude", apiTokens: ["sk-claude"], context: { fileUrl: "http://ctx.local/docs/context.txt", serviceName: "ctx.static", servicePort: 80 } },
  },
  {
    id: "ctx-minimax", family: "compat", host: "api.minimax.chat", embeddings: false, model: "abab6.5s-chat", converted: true,
    config: { id: "ctx-minimax", type: "minimax", minimaxApiType: "pro", minimaxGroupId: "1", apiTokens: ["sk-mm"], context: { fileUrl: "http://ctx.local/docs/context.txt", serviceName: "ctx.static", servicePort: 80 } },
  },
  {
    id: "fo", family: "compat", host: "api.openai.com", embeddings: false, model: "gpt-4o", converted: false,
    config: { id: "fo", type: "openai", apiTokens: ["sk-t1", "sk-t2"], failover: { enabled: true, failureThreshold: 2, successThreshold: 1, healthCheckInterval: 3600000, healthCheckModel: "gpt-4o-mini" } },
  },
  {
    id: "retry", family: "compat", host: "api.openai.com", embeddings: false, model: "gpt-4o", converted: false,
    config: { id: "retry", type: "openai", apiTokens: ["sk-r1", "sk-r2", "sk-r3"], retryOnFailure: { enabled: true, maxRetries: 2 } },
  },
  {
    id: "rand", family: "compat", host: "api.openai.com", embeddings: false, model: "gpt-4o", converted: false,
    config: { id: "rand", type: "openai", apiTokens: ["sk-a", "sk-b", "sk-c"] },
  },
  {
    id: "orig", family: "compat", host: "api.deepseek.com", embeddings: false, model: "deepseek-chat", converted: false,
    config: { id: "orig", type: "deepseek", apiTokens: ["sk-orig"], protocol: "original", basePath: "/orig", modelMapping: { "*": "never-used" } },
  },
  {
    id: "badkey", family: "compat", host: "api.openai.com", embeddings: false, model: "gpt-4o", converted: false,
    config: { id: "badkey", type: "openai", apiTokens: ["sk-bad"] },
  },
  {
    id: "hunyuan-wrong", family: "tencent", host: "hunyuan.tencentcloudapi.com", embeddings: false, model: "hunyuan-lite", converted: true,
    config: { id: "hunyuan-wrong", type: "hunyuan", hunyuanAuthId: "AKIDsluiceMock", hunyuanAuthKey: "not-the-secret" },
  },
  {
    id: "bedrock-wrong", family: "bedrock", host: "bedrock-runtime.eu-west-1.amazonaws.com", embeddings: false, model: "amazon.nova-lite-v1:0", converted: true,
    config: { id: "bedrock-wrong", type: "bedrock", awsAccessKey: "AKIASLUICEMOCK", awsSecretKey: "not-the-secret", awsRegion: "eu-west-1" },
  },
  {
    id: "caps", family: "compat", host: "api.deepseek.com", embeddings: true, model: "deepseek-chat", converted: false,
    config: { id: "caps", type: "deepseek", apiTokens: ["sk-caps"], providerDomain: "api.openai.com", capabilities: { "openai/v1/embeddings": "/v1/embeddings" } },
  },
  {
    id: "hiclaw", family: "compat", host: "api.openai.com", embeddings: false, model: "gpt-4o", converted: false,
    config: { id: "hiclaw", type: "openai", apiTokens: ["sk-hiclaw"], hiclawMode: true, contextCleanupCommands: ["/clear"], responseJsonSchema: { name: "answer", schema: { type: "object" } } },
  },
  {
    id: "passauth", family: "compat", host: "api.openai.com", embeddings: false, model: "gpt-4o", converted: false,
    config: { id: "passauth", type: "openai" },
  },
];
const providers = [byId("openai"), byId("claude"), byId("gemini"), byId("qwen"), byId("deepseek"), byId("hunyuan"), byId("bedrock-sigv4"), ...extra];

// The multi-provider example of Higress's ai-proxy README, unchanged, as the global config; a
// route rule carries the README's legacy single-provider example, unchanged.
const README_MULTI = {
  providers: [{ id: "my-openai", type: "openai", apiTokens: ["sk-readme1", "sk-readme2"], failover: { enabled: true, healthCheckModel: "gpt-4o-mini" }, retryOnFailure: { enabled: true, maxRetries: 2 } }],
  activeProviderId: "my-openai",
};
const README_LEGACY = { provider: { type: "qwen", apiTokens: ["sk-xxx"], modelMapping: { "gpt-3": "qwen-turbo", "*": "qwen-plus" } } };

const gw = useEnvoy(() => {
  const spec = gatewaySpec(mocks, providers, {
    extraRoutes: [{ name: "readme-legacy", prefix: "/readme-legacy/", cluster: "mock-dashscope" }, { name: "default", prefix: "/", cluster: "mock-compat" }],
    extraClusters: [{ name: "outbound|80||ctx.static", port: ctxPort }],
  });
  const cfg = spec.plugins[0].config as any;
  cfg.providers = [...README_MULTI.providers, ...cfg.providers];
  cfg.activeProviderId = README_MULTI.activeProviderId;
  cfg._rules_.push({ _match_route_: ["readme-legacy"], ...README_LEGACY });
  return spec;
}, { concurrency: 2 });

const client = (prefix: string) => new OpenAI({ apiKey: "client-key", baseURL: `${gw.url}${prefix}/v1`, maxRetries: 0 });
const hello = [{ role: "user" as const, content: "hello there" }];

describe("Higress README configs, unchanged", () => {
  it("multi-provider (global providers + activeProviderId) serves routes without a rule", async () => {
    const r = await client("").chat.completions.create({ model: "gpt-4o", messages: hello });
    expect(r.choices[0].message.content).toBe("Echo: hello there");
    const last = mocks.compat.last!;
    expect(last.headers.host).toBe("api.openai.com");
    expect(["Bearer sk-readme1", "Bearer sk-readme2"]).toContain(last.headers.authorization);
  });

  it("legacy single provider (qwen, modelMapping gpt-3 / *)", async () => {
    await client("/readme-legacy").chat.completions.create({ model: "gpt-3", messages: hello });
    expect(mocks.dashscope.last!.body.model).toBe("qwen-turbo");
    expect(mocks.dashscope.last!.path).toBe("/compatible-mode/v1/chat/completions");
    await client("/readme-legacy").chat.completions.create({ model: "gpt-4", messages: hello });
    expect(mocks.dashscope.last!.body.model).toBe("qwen-plus");
  });
});

describe("modelMapping", () => {
  it.each([
    ["gpt-4o", "exact-target"],
    ["gpt-3.5-turbo", "prefix-target"],
    ["claude-3-opus", "openai/claude-3-opus"],
    ["keep-me", "keep-me"],
    ["anything-else", "fallback-target"],
  ])("%s → %s", async (model, want) => {
    await client("/map").chat.completions.create({ model, messages: hello });
    expect(mocks.compat.last!.body.model).toBe(want);
  });

  it("missing model is a 400 in OpenAI's shape", async () => {
    const r = await http(`${gw.url}/map/v1/chat/completions`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ messages: hello }) });
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body).error.message).toMatch(/model/);
  });
});

describe("customSettings", () => {
  it("overwrite, overwrite:false and raw paths", async () => {
    await client("/map").chat.completions.create({ model: "gpt-4o", messages: hello, max_tokens: 5, temperature: 0.9 });
    const b = mocks.compat.last!.body;
    expect(b.max_tokens).toBe(77);
    expect(b.temperature).toBe(0.9);
    expect(b.metadata).toEqual({ team: "sluice" });
    await client("/map").chat.completions.create({ model: "gpt-4o", messages: hello });
    expect(mocks.compat.last!.body.temperature).toBe(0.3);
  });
});

describe("context file (HTTP callout)", () => {
  it("is inserted as a system message after the existing system messages", async () => {
    const r = await client("/ctx").chat.completions.create({ model: "gpt-4o", messages: [{ role: "system", content: "Be brief." }, ...hello] });
    expect(r.choices[0].message.content).toBe("Echo: hello there");
    const msgs = mocks.compat.last!.body.messages;
    expect(msgs.map((m: any) => m.role)).toEqual(["system", "system", "user"]);
    expect(msgs[1].content).toBe(CONTEXT);
  });

  it("minimax pro: becomes the bot setting (Higress's setBotSettings), before the request's own under its first bot name", async () => {
    await client("/ctx-minimax").chat.completions.create({ model: "abab6.5s-chat", messages: hello });
    expect(mocks.compat.last!.body.bot_setting).toEqual([{ bot_name: "MM智能助理", content: CONTEXT }]);
    expect(mocks.compat.last!.body.messages).toEqual([{ sender_type: "USER", sender_name: "小明", text: "hello there" }]);
    await client("/ctx-minimax").chat.completions.create({ model: "abab6.5s-chat", messages: [{ role: "system", name: "Sage", content: "Be brief." }, { role: "system", name: "Owl", content: "Be kind." }, ...hello] });
    expect(mocks.compat.last!.body.bot_setting).toEqual([{ bot_name: "Sage", content: CONTEXT }, { bot_name: "Sage", content: "Be brief." }, { bot_name: "Owl", content: "Be kind." }]);
    expect(mocks.compat.last!.body.reply_constraints).toEqual({ sender_type: "BOT", sender_name: "Owl" });
  });

  it("goes into `system` for claude", async () => {
    await client("/ctx-claude").chat.completions.create({ model: "claude-sonnet-4-5", messages: hello });
    expect(mocks.anthropic.last!.body.system).toBe(CONTEXT);
  });
});

describe("apiTokens", () => {
  it("are chosen at random", async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 30; i++) {
      await client("/rand").chat.completions.create({ model: "gpt-4o", messages: hello });
      seen.add(String(mocks.compat.last!.headers.authorization));
    }
    expect(seen).toEqual(new Set(["Bearer sk-a", "Bearer sk-b", "Bearer sk-c"]));
  });

  // No timing window: the interval is an hour, so no run, however slow, reaches a probe here (a
  // probe is a real request on sk-t1 and would fail it again). The probe and the return after the
  // interval are checked on the emulator's clock (failover-clock.test.ts).
  it("failover takes a failing token out for the whole gateway (both workers)", async () => {
    // Envoy runs two workers (two VMs); every request opens a new connection, so requests land on
    // both. Health is in shared data: the whole gateway, not each VM, sees exactly
    // failureThreshold (2) failures before sk-t1 is taken out.
    const call = (fail: boolean) => http(`${gw.url}/fo/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", connection: "close", ...(fail ? { "x-mock-fail-for": "sk-t1:429" } : {}) },
      body: JSON.stringify({ model: "gpt-4o", messages: hello }),
    });
    // Tokens are picked at random: send until sk-t1 has failed twice.
    let failures = 0;
    for (let i = 0; i < 200 && failures < 2; i++) {
      const st = (await call(true)).status;
      expect([200, 429]).toContain(st);
      if (st === 429) failures++;
    }
    expect(failures).toBe(2);
    // Out on both workers: no more failures, every request on sk-t2 (per-VM health would let each
    // worker fail sk-t1 twice).
    for (let i = 0; i < 16; i++) {
      expect((await call(true)).status).toBe(200);
      expect(String(mocks.compat.last!.headers.authorization)).toBe("Bearer sk-t2");
    }
    // Both workers served some of these requests.
    const stats = await (await fetch(`${gw.envoy.adminUrl}/stats?filter=worker_.\\.downstream_cx_total`)).text();
    const perWorker = [...stats.matchAll(/worker_(\d)\.downstream_cx_total: (\d+)/g)].map((m) => Number(m[2]));
    expect(perWorker.length).toBe(2);
    expect(Math.min(...perWorker)).toBeGreaterThan(0);
  });

  it("a provider's 401 comes back as an OpenAI authentication error", async () => {
    const e: any = await client("/badkey").chat.completions.create({ model: "gpt-4o", messages: hello }).catch((x) => x);
    expect(e.status).toBe(401);
    expect(e).toBeInstanceOf(OpenAI.AuthenticationError);
  });

  it("openai without apiTokens passes the client's key through as Bearer", async () => {
    const c = new OpenAI({ apiKey: "sk-client-own", baseURL: `${gw.url}/passauth/v1`, maxRetries: 0 });
    await c.chat.completions.create({ model: "gpt-4o", messages: hello });
    expect(mocks.compat.last!.headers.authorization).toBe("Bearer sk-client-own");
  });
});

describe("signatures are checked by the mocks", () => {
  it("hunyuan with a wrong secret key: the mock refuses the TC3 signature, the client gets 401", async () => {
    const e: any = await client("/hunyuan-wrong").chat.completions.create({ model: "hunyuan-lite", messages: hello }).catch((x) => x);
    expect(e.status).toBe(401);
    expect(e.error?.message).toMatch(/SignatureFailure|credentials/);
  });

  it("bedrock with a wrong secret key: the mock refuses the SigV4 signature, the client gets 403", async () => {
    const e: any = await client("/bedrock-wrong").chat.completions.create({ model: "amazon.nova-lite-v1:0", messages: hello }).catch((x) => x);
    expect(e.status).toBe(403);
    expect(e.error?.message).toMatch(/signature/);
  });

  it("the mocks reject what the real APIs reject: an unknown role", async () => {
    const e: any = await client("/openai").chat.completions.create({ model: "gpt-4o", messages: [{ role: "robot" as any, content: "hi" }] }).catch((x) => x);
    expect(e.status).toBe(400);
    expect(e.error?.message).toMatch(/robot/);
  });
});

describe("contextCleanupCommands, mergeConsecutiveMessages, promoteThinkingOnEmpty (hiclawMode)", () => {
  it("a cleanup command drops earlier turns (system kept); consecutive user messages merge", async () => {
    await client("/hiclaw").chat.completions.create({
      model: "gpt-4o",
      messages: [
        { role: "system", content: "S" }, { role: "user", content: "old" }, { role: "assistant", content: "a" },
        { role: "user", content: "/clear" }, { role: "user", content: "first" }, { role: "user", content: "second" },
      ],
    });
    expect(mocks.compat.last!.body.messages).toEqual([{ role: "system", content: "S" }, { role: "user", content: "first\n\nsecond" }]);
  });

  it("responseJsonSchema becomes the default response_format", async () => {
    await client("/hiclaw").chat.completions.create({ model: "gpt-4o", messages: hello });
    expect(mocks.compat.last!.body.response_format).toEqual({ type: "json_schema", json_schema: { name: "answer", schema: { type: "object" } } });
    await client("/hiclaw").chat.completions.create({ model: "gpt-4o", messages: hello, response_format: { type: "text" } });
    expect(mocks.compat.last!.body.response_format).toEqual({ type: "text" });
  });

  it("reasoning is promoted to content when the content is empty", async () => {
    const r: any = await client("/hiclaw").chat.completions.create({ model: "thinking-only", messages: hello });
    expect(r.choices[0].message.content).toBe("Let me think step by step.");
    expect(r.choices[0].message.reasoning_content).toBeUndefined();
  });
});

describe("retryOnFailure", () => {
  it("re-sends with another token when one fails (non-streaming)", async () => {
    for (let i = 0; i < 6; i++) {
      const before = mocks.compat.requests.length;
      const r = await client("/retry").chat.completions.create({ model: "gpt-4o", messages: hello }, { headers: { "x-mock-fail-for": "sk-r1:503" } });
      expect(r.choices[0].message.content).toBe("Echo: hello there");
      const reqs = mocks.compat.requests.slice(before);
      expect(reqs.at(-1)!.headers.authorization).not.toBe("Bearer sk-r1");
      if (reqs.length > 1) expect(reqs[0].headers.authorization).toBe("Bearer sk-r1");
    }
  });

  it("gives up after maxRetries with the provider's error", async () => {
    const before = mocks.compat.requests.length;
    const e: any = await client("/retry").chat.completions.create({ model: "gpt-4o", messages: hello }, { headers: { "x-mock-fail": "500" } }).catch((x) => x);
    expect(e.status).toBe(500);
    expect(mocks.compat.requests.length - before).toBe(3); // 1 + maxRetries 2
  });
});

describe("protocol: original", () => {
  it("rewrites host, path prefix and auth, but not the body", async () => {
    const body = { model: "deepseek-chat", messages: hello, stream: false };
    const r = await http(`${gw.url}/orig/v1/chat/completions`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    expect(r.status).toBe(200);
    const last = mocks.compat.last!;
    expect(last.path).toBe("/v1/chat/completions");
    expect(last.headers.authorization).toBe("Bearer sk-orig");
    expect(last.raw).toBe(JSON.stringify(body));
  });
});

describe("other OpenAI APIs", () => {
  it("/v1/completions", async () => {
    const r = await client("/deepseek").completions.create({ model: "deepseek-chat", prompt: "say hi" });
    expect(r.choices[0].text).toBe("Echo: say hi");
    expect(mocks.compat.last!.path).toBe("/v1/completions");
  });
  // GET /v1/models (passed through, or answered locally for gemini): rows of cases.ts.
});

describe("a Claude Code-shaped request on any provider", () => {
  // System as cache_control'd text blocks, tools with cache_control, tool_choice, metadata,
  // anthropic-beta header, streaming: the shape Claude Code sends.
  const body = (model: string) => ({
    model, max_tokens: 512, stream: true, temperature: 1,
    system: [{ type: "text" as const, text: "You are Claude Code.", cache_control: { type: "ephemeral" as const } }, { type: "text" as const, text: "Be concise." }],
    messages: [{ role: "user" as const, content: [{ type: "text" as const, text: "list the files", cache_control: { type: "ephemeral" as const } }] }],
    tools: [{ name: "Bash", description: "Run a command", input_schema: { type: "object" as const, properties: { command: { type: "string" } }, required: ["command"] }, cache_control: { type: "ephemeral" as const } }],
    tool_choice: { type: "auto" as const },
    metadata: { user_id: "user_abc" },
  });
  it.each(["openai", "gemini", "qwen", "bedrock-sigv4", "claude"])("%s", async (id) => {
    const a = new Anthropic({ apiKey: "k", baseURL: `${gw.url}/${id}`, maxRetries: 0, defaultHeaders: { "anthropic-beta": "claude-code-20250219,interleaved-thinking-2025-05-14" } });
    const m = await a.messages.stream(body("claude-sonnet-4-5") as any, { headers: { "x-mock-chunking": "random:8" } }).finalMessage();
    const use = m.content.find((b) => b.type === "tool_use") as any;
    expect(use?.name).toBe("Bash");
    expect(m.stop_reason).toBe("tool_use");
    expect(m.usage.output_tokens).toBeGreaterThan(0);
  });
});

describe("Anthropic count_tokens (used by Claude Code)", () => {
  it("is forwarded to claude", async () => {
    const a = new Anthropic({ apiKey: "k", baseURL: `${gw.url}/claude`, maxRetries: 0 });
    const r = await a.messages.countTokens({ model: "gpt-4o", messages: [{ role: "user", content: "one two three" }] });
    expect(r.input_tokens).toBe(6);
    expect(mocks.anthropic.last!.body.model).toBe("claude-sonnet-4-5");
  });

  it("is estimated for providers without it", async () => {
    const a = new Anthropic({ apiKey: "k", baseURL: `${gw.url}/gemini`, maxRetries: 0 });
    const r = await a.messages.countTokens({ model: "gpt-4o", system: "be brief", messages: [{ role: "user", content: "one two three four five six seven eight" }] });
    expect(r.input_tokens).toBeGreaterThan(5);
    expect(r.input_tokens).toBeLessThan(40);
  });
});

describe("capabilities and providerDomain", () => {
  it("capabilities add an API the provider type lacks; providerDomain overrides the host", async () => {
    const r = await client("/caps").embeddings.create({ model: "text-embedding-3-small", input: "hello" });
    expect(r.data.length).toBe(1);
    const last = mocks.compat.last!;
    expect(last.headers.host).toBe("api.openai.com");
    expect(last.path).toBe("/v1/embeddings");
    expect(last.headers.authorization).toBe("Bearer sk-caps");
  });

  it("an API the provider lacks is refused with an OpenAI error", async () => {
    const e: any = await client("/deepseek").embeddings.create({ model: "x", input: "hello" }).catch((x) => x);
    expect(e.status).toBe(400);
    expect(e.error?.message).toMatch(/not supported/);
  });
});

describe("images and reasoning", () => {
  const image = [{ role: "user" as const, content: [{ type: "text" as const, text: "what is this" }, { type: "image_url" as const, image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } }] }];

  it.each(["claude", "gemini", "openai"])("an image part reaches %s in its native form", async (id) => {
    const r = await client(`/${id}`).chat.completions.create({ model: "gpt-4o", messages: image });
    expect(r.choices[0].message.content).toBe("Echo: what is this");
    if (id === "claude") expect(mocks.anthropic.last!.body.messages[0].content[1]).toEqual({ type: "image", source: { type: "base64", media_type: "image/png", data: "iVBORw0KGgo=" } });
    if (id === "gemini") expect(mocks.gemini.last!.body.contents[0].parts[1]).toEqual({ inlineData: { mimeType: "image/png", data: "iVBORw0KGgo=" } });
  });

  it.each(["claude", "gemini", "qwen", "deepseek"])("reasoning_content from %s (whole and streamed)", async (id) => {
    const c = client(`/${id}`);
    const r: any = await c.chat.completions.create({ model: "deep-reasoner", messages: hello });
    expect(r.choices[0].message.reasoning_content).toBe("Let me think step by step.");
    expect(r.choices[0].message.content).toBe("Echo: hello there");
    const s = await c.chat.completions.create({ model: "deep-reasoner", messages: hello, stream: true }, { headers: { "x-mock-chunking": "random:5" } });
    let reasoning = "", content = "", usage: any;
    for await (const ch of s as any) {
      reasoning += ch.choices?.[0]?.delta?.reasoning_content ?? "";
      content += ch.choices?.[0]?.delta?.content ?? "";
      if (ch.usage) usage = ch.usage;
    }
    expect(reasoning).toBe("Let me think step by step.");
    expect(content).toBe("Echo: hello there");
    // Anthropic counts thinking inside output_tokens and does not report it apart.
    if (id !== "claude") expect(usage.completion_tokens_details?.reasoning_tokens).toBe(6);
  });

  it("Anthropic thinking blocks from a reasoning model on an OpenAI-compatible provider", async () => {
    const a = new Anthropic({ apiKey: "k", baseURL: `${gw.url}/deepseek`, maxRetries: 0 });
    const m = await a.messages.stream({ model: "deep-reasoner", max_tokens: 100, messages: hello }, { headers: { "x-mock-chunking": "random:2" } }).finalMessage();
    expect(m.content[0].type).toBe("thinking");
    expect((m.content[0] as any).thinking).toBe("Let me think step by step.");
    expect((m.content[1] as any).text).toBe("Echo: hello there");
  });
});

describe("bad input never traps the VM", () => {
  const junk = ["", "{", "[1,2]", "null", "{\"model\":", "\u0000\u0001binary", "{\"model\":\"gpt-4o\",\"messages\":\"nope\"}", "[".repeat(5000), "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"\\ud800\"}]}"];
  it.each(junk.map((j, i) => [i, j]))("junk body #%i → an error response, gateway alive", async (_i, body) => {
    const r = await http(`${gw.url}/claude/v1/chat/completions`, { method: "POST", headers: { "content-type": "application/json" }, body });
    // The last one is valid JSON (a lone surrogate escape): any answer is fine, a trap is not.
    if (_i !== junk.length - 1) expect(r.status).toBe(400);
    const ok = await client("/claude").chat.completions.create({ model: "gpt-4o", messages: hello });
    expect(ok.choices[0].message.content).toBe("Echo: hello there");
  });

  it("junk on /v1/messages answers in Anthropic's error shape", async () => {
    const r = await http(`${gw.url}/gemini/v1/messages`, { method: "POST", headers: { "content-type": "application/json" }, body: "{oops" });
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body).type).toBe("error");
  });

  it("a provider sending junk on a converted stream does not trap", async () => {
    // The mock never sends junk by itself; a cut stream is the closest real failure.
    for (const id of ["claude", "gemini", "qwen", "openai"]) {
      const c = client(`/${id}`);
      const err = await (async () => {
        const s = await c.chat.completions.create({ model: "gpt-4o", messages: hello, stream: true }, { headers: { "x-mock-cut": "1", "x-mock-chunking": "random:4" } });
        for await (const _ of s) { /* drain */ }
      })().then(() => null, (e) => e);
      expect(err, `${id}: a cut stream must not look like a clean answer`).not.toBeNull();
      const ok = await c.chat.completions.create({ model: "gpt-4o", messages: hello });
      expect(ok.choices[0].message.content).toBe("Echo: hello there");
    }
  });
});

describe("truncated streams that end cleanly", () => {
  it.each(["openai", "deepseek", "claude", "gemini", "qwen", "hunyuan", "bedrock-sigv4"])("%s: the openai client raises instead of returning half an answer", async (id) => {
    const c = client(`/${id}`);
    const err = await (async () => {
      const s = await c.chat.completions.create({ model: "gpt-4o", messages: hello, stream: true }, { headers: { "x-mock-cut": "clean" } });
      for await (const _ of s) { /* drain */ }
    })().then(() => null, (e) => e);
    // Converted streams end with our error event; pass-through streams too, after the provider's
    // half event is dropped (test/stream-cut.test.ts), so the client never trips on broken JSON.
    expect(err).not.toBeNull();
    expect(String(err.message)).toMatch(/ended before the answer finished/);
  });

  it.each(["claude", "deepseek"])("%s: the anthropic client raises too", async (id) => {
    const a = new Anthropic({ apiKey: "k", baseURL: `${gw.url}/${id}`, maxRetries: 0 });
    const err = await a.messages.stream({ model: "gpt-4o", max_tokens: 50, messages: hello }, { headers: { "x-mock-cut": "clean" } }).finalMessage().then(() => null, (e) => e);
    expect(err).not.toBeNull();
  });
});

describe("slow providers", () => {
  it("a slow first byte still streams fine", async () => {
    const s = await client("/claude").chat.completions.create({ model: "gpt-4o", messages: hello, stream: true }, { headers: { "x-mock-delay": "400" } });
    let content = "";
    for await (const ch of s) content += ch.choices[0]?.delta?.content ?? "";
    expect(content).toBe("Echo: hello there");
    // The delay was in effect because the mock got its switch (it always waits then), not
    // because a clock measured it.
    expect(mocks.anthropic.last!.headers["x-mock-delay"]).toBe("400");
  });
});
