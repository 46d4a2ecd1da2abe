// ai-proxy's case table: every provider of setup.ts's PROVIDERS answers a chat completion, a
// streamed chat and (where it has them) embeddings, through the provider-family mocks, which
// refuse what the real API refuses (host, path, key or signature, model, body shape). Each row
// runs on Envoy and on the emulator (both targets), which must answer alike. The last group is
// the OpenAI provider against the runner's recording upstream (bad JSON, /v1/models, a request
// body arriving in chunks).
import type { PluginTable, Row, Group, HostedServer, Observed } from "../../../harness/src/plugin-table.js";
import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import type { RouteSpec } from "../../../harness/src/bootstrap.js";
import { LlmMock, COMPAT_ROUTES, openaiFamily, anthropicFamily, geminiFamily, dashscopeFamily, tencentFamily, bedrockFamily, deeplFamily, tritonFamily, difyFamily, DIFY_WORKFLOW_ID, cozeFamily, COZE_BOT, vertexFamily, VERTEX_PROJECT, VERTEX_REGION, VERTEX_SA, type Family } from "../../../harness/src/mocks/llm/index.js";
import { PROVIDERS, FAMILIES, VERTEX_AUTH_CLUSTER, vertexStandard, type FamilyName, type ProviderCase } from "./setup.js";

const FAMILY: Record<FamilyName, Family> = { compat: openaiFamily, anthropic: anthropicFamily, gemini: geminiFamily, dashscope: dashscopeFamily, tencent: tencentFamily, bedrock: bedrockFamily, deepl: deeplFamily, triton: tritonFamily, dify: difyFamily, coze: cozeFamily, vertex: vertexFamily };

function mockServer(f: FamilyName): () => Promise<HostedServer> {
  return async () => {
    const m = await LlmMock.start(FAMILY[f]);
    return {
      port: m.port,
      get requests() {
        return m.requests.map((r) => ({ method: r.method, path: r.path, headers: r.headers, body: r.raw }));
      },
      stop: () => m.stop(),
    };
  };
}

const json: [string, string][] = [["content-type", "application/json"]];
/** A row of the byte-relay group: the OpenAI provider gets exactly `sent` for the client's `body`. */
const relayed = (name: string, body: string, sent: string): Row => ({
  name,
  request: { method: "POST", path: "/openai/v1/chat/completions", headers: json, body },
  expect: { status: 200, upstreamPath: "/v1/chat/completions", upstreamBody: sent },
});
const client: [string, string][] = [...json, ["authorization", "Bearer client-key"]];
const MESSAGES = [{ role: "system", content: "You are terse." }, { role: "user", content: "hello gateway world" }];
const ANSWER = "Echo: hello gateway world";

type Api = "chat" | "stream" | "embeddings";

/** What the provider's real API is called with: path, credential header, and the mapped model. */
interface Wire { path: string; auth: Record<string, string | null>; model: string }

function wire(p: ProviderCase, api: Api): Wire {
  const mapping = (p.config.modelMapping ?? {}) as Record<string, string>;
  const chatModel = mapping["gpt-4o"] ?? mapping["*"];
  const embModel = mapping["text-embedding-*"] ?? mapping["*"];
  const model = api === "embeddings" ? embModel : chatModel;
  const key = ((p.config.apiTokens ?? []) as string[])[0];
  switch (p.family) {
    case "anthropic":
      return { path: "/v1/messages", auth: { "x-api-key": key, "anthropic-version": "2023-06-01", authorization: null }, model };
    case "gemini": {
      const verb = api === "embeddings" ? "batchEmbedContents" : api === "stream" ? "streamGenerateContent?alt=sse" : "generateContent";
      return { path: `/v1beta/models/${model}:${verb}`, auth: { "x-goog-api-key": key, authorization: null }, model };
    }
    case "vertex": {
      if (p.config.vertexOpenAICompatible) return { path: `/v1beta1/projects/${VERTEX_PROJECT}/locations/${VERTEX_REGION}/endpoints/openapi/chat/completions`, auth: { "x-goog-api-key": null }, model };
      const verb = api === "embeddings" ? "predict" : api === "stream" ? "streamGenerateContent?alt=sse" : "generateContent";
      // Express mode: the key in the URL (after alt=sse, as Go's url.Values.Encode sorts them), no auth header.
      if (key) return { path: `/v1/publishers/google/models/${model}:${verb}${verb.includes("?") ? "&" : "?"}key=${key}`, auth: { authorization: null, "x-goog-api-key": null }, model };
      // A service account: a Bearer token the mock issued (it refuses any other); the value differs per host.
      return { path: `/v1/projects/${VERTEX_PROJECT}/locations/${VERTEX_REGION}/publishers/google/models/${model}:${verb}`, auth: { "x-goog-api-key": null }, model };
    }
    case "triton":
      return { path: `/v2/models/${model}/versions/${p.config.tritonModelVersion}/${api === "stream" ? "generate_stream" : "generate"}`, auth: { authorization: null }, model };
    case "dify": {
      // Dify gets no model: the app is the key's.
      const bot = p.app!.botType;
      const path = bot === "Completion" ? "/v1/completion-messages" : bot === "Workflow" ? "/v1/workflows/run" : "/v1/chat-messages";
      return { path, auth: { authorization: `Bearer ${key}` }, model: "" };
    }
    case "tencent":
      return { path: "/", auth: { "x-tc-action": "ChatCompletions" }, model };
    case "bedrock":
      return { path: `/model/${encodeURIComponent(model)}/${api === "stream" ? "converse-stream" : "converse"}`, auth: key ? { authorization: `Bearer ${key}` } : {}, model };
    default: {
      if (p.family === "dashscope" && p.config.qwenEnableCompatible === false) {
        const path = api === "embeddings" ? "/api/v1/services/embeddings/text-embedding/text-embedding" : "/api/v1/services/aigc/text-generation/generation";
        return { path, auth: { authorization: `Bearer ${key}` }, model };
      }
      if (p.config.type === "cloudflare") return { path: `/client/v4/accounts/${p.config.cloudflareAccountId ?? ""}/ai/v1/${api === "embeddings" ? "embeddings" : "chat/completions"}`, auth: { authorization: `Bearer ${key}` }, model };
      if (p.config.minimaxApiType === "pro") return { path: `/v1/text/chatcompletion_pro?GroupId=${p.config.minimaxGroupId}`, auth: { authorization: `Bearer ${key}` }, model };
      if (p.id === "azure") return { path: `/openai/deployments/gpt4o-deploy/${api === "embeddings" ? "embeddings" : "chat/completions"}?api-version=2024-10-21`, auth: { "api-key": key, authorization: null }, model };
      const route = COMPAT_ROUTES[p.host];
      // Without apiTokens the client's own key goes through.
      return { path: (api === "embeddings" ? route.embeddings : route.chat)!, auth: { authorization: `Bearer ${key ?? "client-key"}` }, model };
    }
  }
}

/** The data of each SSE event the client reads. */
const events = (body: string) => body.split(/\r?\n\r?\n/).filter((e) => e.startsWith("data:")).map((e) => e.slice(5).trim());

function expectMapped(o: Observed, w: Wire): void {
  const up = o.upstream;
  if (!up) throw new Error("the request did not reach the provider");
  const sent = up.body.length ? JSON.parse(up.body) : {};
  const seen = [sent.model, sent.Model, decodeURIComponent(up.path)].join(" ");
  if (!seen.includes(w.model)) throw new Error(`the provider did not see the mapped model ${w.model}: ${seen}`);
}

/**
 * A translator (deepl) answers the chat API only, as Higress's deepl provider: the system message
 * is DeepL's context, the others its text, each translation one choice; a stream request gets the
 * same JSON answer; the model must be "Free" or "Pro"; other APIs are refused.
 */
function translatorRows(p: ProviderCase): Row[] {
  const key = (p.config.apiTokens as string[])[0];
  const target = p.config.targetLang as string;
  const upstream = { host: p.host, authorization: `DeepL-Auth-Key ${key}` };
  const sent = JSON.stringify({ text: ["hello gateway world"], target_lang: target, context: "You are terse." });
  const translated = (o: Observed, stream: boolean) => {
    const r = JSON.parse(o.body);
    const want = { index: 0, message: { name: "EN", role: "assistant", content: `${target}: hello gateway world [You are terse.]` }, finish_reason: null, logprobs: null };
    if (r.object !== "chat.completion" || r.model !== p.model || r.usage !== null || "id" in r || JSON.stringify(r.choices) !== JSON.stringify([want])) throw new Error(`not Higress's deepl answer: ${o.body}`);
    if (!(o.headers["content-type"] ?? "").startsWith("application/json")) throw new Error(`content-type ${o.headers["content-type"]} (stream: ${stream})`);
  };
  return [
    {
      name: `${p.id}: chat → /v2/translate, system message as context, translation as the choice`,
      request: { method: "POST", path: `/${p.id}/v1/chat/completions`, headers: client, body: JSON.stringify({ model: p.model, messages: MESSAGES }) },
      expect: { status: 200, upstreamPath: "/v2/translate", upstream, upstreamBody: sent, check: (o) => translated(o, false) },
    },
    {
      name: `${p.id}: stream: true gets the same JSON chat.completion (DeepL does not stream)`,
      request: { method: "POST", path: `/${p.id}/v1/chat/completions`, headers: client, body: JSON.stringify({ model: p.model, messages: MESSAGES, stream: true }) },
      expect: { status: 200, upstreamPath: "/v2/translate", upstream, upstreamBody: sent, check: (o) => translated(o, true) },
    },
    {
      name: `${p.id}: several messages → several texts → one choice each`,
      request: { method: "POST", path: `/${p.id}/v1/chat/completions`, headers: client, body: JSON.stringify({ model: p.model, messages: [{ role: "user", content: "sit by the bank" }, { role: "system", content: "money" }, { content: "a bank in China" }, { role: "user", content: [{ type: "text", text: "two" }, { type: "image_url", image_url: { url: "https://x/y.png" } }, { type: "text", text: "parts" }] }] }) },
      expect: {
        status: 200, upstreamPath: "/v2/translate", upstream,
        upstreamBody: JSON.stringify({ text: ["sit by the bank", "a bank in China", "two\nparts\n"], target_lang: target, context: "money" }),
        check: (o) => {
          const c = JSON.parse(o.body).choices;
          if (c.length !== 3 || c[1].index !== 1 || c[1].message.content !== `${target}: a bank in China [money]` || c[2].message.content !== `${target}: two\nparts\n [money]`) throw new Error(o.body);
        },
      },
    },
    {
      name: `${p.id}: a model other than Free or Pro is refused before DeepL`,
      request: { method: "POST", path: `/${p.id}/v1/chat/completions`, headers: client, body: JSON.stringify({ model: "gpt-4o", messages: MESSAGES }) },
      expect: { status: 400, reachesUpstream: false, check: (o) => { if (JSON.parse(o.body).error?.message !== 'deepl model should be "Free" or "Pro"') throw new Error(o.body); } },
    },
    {
      name: `${p.id}: embeddings are not offered`,
      request: { method: "POST", path: `/${p.id}/v1/embeddings`, headers: client, body: JSON.stringify({ model: p.model, input: "hello" }) },
      expect: { status: 400, reachesUpstream: false, check: (o) => { if (!JSON.parse(o.body).error?.message.includes("not supported by provider type 'deepl'")) throw new Error(o.body); } },
    },
    {
      name: `${p.id}: DeepL's quota error reaches the client in OpenAI's shape with its status`,
      request: { method: "POST", path: `/${p.id}/v1/chat/completions`, headers: [...client, ["x-mock-fail", "456"]], body: JSON.stringify({ model: p.model, messages: MESSAGES }) },
      expect: { status: 456, upstreamPath: "/v2/translate", upstream, check: (o) => { if (JSON.parse(o.body).error?.message !== "Quota exceeded") throw new Error(o.body); } },
    },
  ];
}

/** Triton (Higress's triton.go): only the last message goes, as text_input with its id; temperature and stream as parameters. */
function tritonRows(p: ProviderCase): Row[] {
  const path = `/${p.id}/v1/chat/completions`;
  const messages = [{ role: "system", content: "You are terse." }, { role: "user", content: "first" }, { role: "assistant", content: "ok" }, { role: "user", id: "msg-7", content: [{ type: "text", text: "last" }, { type: "text", text: "turn" }] }];
  return [
    {
      name: `${p.id}: only the last message is sent (text_input, its id), temperature and stream as parameters`,
      request: { method: "POST", path, headers: client, body: JSON.stringify({ model: "gpt-4o", temperature: 0.25, max_tokens: 9, messages }) },
      expect: {
        status: 200, upstreamPath: "/v2/models/gpt2/versions/1/generate", upstream: { host: "triton.local:PORT", authorization: null },
        upstreamBody: JSON.stringify({ id: "msg-7", text_input: "last\nturn\n", parameters: { stream: false, temperature: 0.25 } }),
        check: (o) => {
          const r = JSON.parse(o.body);
          if (r.id !== "msg-7" || r.model !== "gpt2" || r.object !== "chat.completion" || r.usage !== null) throw new Error(o.body);
          if (JSON.stringify(r.choices) !== JSON.stringify([{ index: 0, message: { role: "assistant", content: "Echo: last\nturn\n" }, finish_reason: "stop", logprobs: null }])) throw new Error(o.body);
        },
      },
    },
    {
      name: `${p.id}: the mapped model picks the path (another model → ensemble)`,
      request: { method: "POST", path, headers: client, body: JSON.stringify({ model: "other", messages: [{ role: "user", content: "hi" }] }) },
      expect: { status: 200, upstreamPath: "/v2/models/ensemble/versions/1/generate", upstreamBody: JSON.stringify({ id: "", text_input: "hi", parameters: { stream: false, temperature: 0 } }) },
    },
    {
      name: `${p.id}: a model Triton has not loaded → Triton's 400 in OpenAI's shape`,
      request: { method: "POST", path: `/${p.id}-nomodel/v1/chat/completions`, headers: client, body: JSON.stringify({ model: "gpt-4o", messages: [{ role: "user", content: "hi" }] }) },
      expect: { status: 400, upstreamPath: "/v2/models/llama/generate", check: (o) => { if (JSON.parse(o.body).error?.message !== "Request for unknown model: 'llama' is not found") throw new Error(o.body); } },
    },
    {
      name: `${p.id}: an error event mid-stream ends the stream with the gateway's error event, no [DONE]`,
      request: { method: "POST", path: `/${p.id}-nomodel/v1/chat/completions`, headers: client, body: JSON.stringify({ model: "flaky", stream: true, messages: [{ role: "user", content: "hello there" }] }) },
      expect: {
        status: 200, upstreamPath: "/v2/models/flaky/generate_stream",
        check: (o) => {
          const ev = events(o.body);
          if (ev.includes("[DONE]") || JSON.parse(ev[0]).choices?.[0]?.delta?.content !== "Echo: hello" || JSON.parse(ev.at(-1)!).error?.message !== "in-flight batching failed: out of memory") throw new Error(o.body);
        },
      },
    },
    {
      name: `${p.id}: embeddings are not offered`,
      request: { method: "POST", path: `/${p.id}/v1/embeddings`, headers: client, body: JSON.stringify({ model: "gpt-4o", input: "hi" }) },
      expect: { status: 400, reachesUpstream: false },
    },
  ];
}

/**
 * MiniMax ChatCompletion Pro (Higress's minimax.go with minimaxApiType: pro): system messages →
 * bot_setting, user/assistant → messages with sender_type/sender_name, reply_constraints naming the
 * last system message's bot, max_tokens → tokens_to_generate; the answer's messages → choices.
 */
function minimaxProRows(p: ProviderCase): Row[] {
  const path = `/${p.id}/v1/chat/completions`;
  const pro = `/v1/text/chatcompletion_pro?GroupId=${p.config.minimaxGroupId}`;
  const upstream = { host: "api.minimax.chat", authorization: `Bearer ${(p.config.apiTokens as string[])[0]}` };
  const DEFAULT_SETTING = "MM智能助理是一款由MiniMax自研的，没有调用其他产品的接口的大型语言模型。MiniMax是一家中国科技公司，一直致力于进行大模型相关的研究。";
  const error = (o: Observed, message: string) => { if (JSON.parse(o.body).error?.message !== message) throw new Error(o.body); };
  return [
    {
      name: `${p.id}: named system messages → bot_setting, user/assistant → messages, tool dropped, max_tokens → tokens_to_generate`,
      request: {
        method: "POST", path, headers: client,
        body: JSON.stringify({
          model: "gpt-4o", max_tokens: 300, temperature: 0.5, top_p: 0.9, seed: 7, tools: [{ type: "function", function: { name: "f" } }],
          messages: [
            { role: "system", name: "Sage", content: "You are wise." },
            { role: "user", name: "Ann", content: "first" },
            { role: "assistant", content: "ok" },
            { role: "tool", tool_call_id: "c1", content: "ignored" },
            { role: "system", name: "Owl", content: [{ type: "text", text: "Be" }, { type: "text", text: "brief." }] },
            { role: "user", content: "hello gateway world" },
          ],
        }),
      },
      expect: {
        status: 200, upstreamPath: pro, upstream,
        upstreamBody: JSON.stringify({
          model: "abab6.5s-chat", tokens_to_generate: 300, temperature: 0.5, top_p: 0.9, mask_sensitive_info: true,
          messages: [{ sender_type: "USER", sender_name: "Ann", text: "first" }, { sender_type: "BOT", sender_name: "MM智能助理", text: "ok" }, { sender_type: "USER", sender_name: "小明", text: "hello gateway world" }],
          bot_setting: [{ bot_name: "Sage", content: "You are wise." }, { bot_name: "Owl", content: "Be\nbrief.\n" }],
          reply_constraints: { sender_type: "BOT", sender_name: "Owl" },
        }),
        check: (o) => {
          const want = { id: "0106b3bc9fd844a9f3de1aa06004e2ab", choices: [{ index: 0, message: { name: "Owl", role: "assistant", content: ANSWER }, finish_reason: "stop", logprobs: null }], created: 1700000000, model: "abab6.5s-chat", object: "chat.completion", usage: { total_tokens: 14 } };
          if (o.body !== JSON.stringify(want)) throw new Error(`not Higress's answer: ${o.body}`);
        },
      },
    },
    {
      name: `${p.id}: no system message → MiniMax's default bot setting; stream: true sent, no temperature when 0`,
      request: { method: "POST", path, headers: client, body: JSON.stringify({ model: "other", temperature: 0, stream: true, messages: [{ role: "user", content: "hi" }] }) },
      expect: {
        status: 200, upstreamPath: pro, upstream,
        upstreamBody: JSON.stringify({
          model: "abab6.5t-chat", stream: true, mask_sensitive_info: true,
          messages: [{ sender_type: "USER", sender_name: "小明", text: "hi" }],
          bot_setting: [{ bot_name: "MM智能助理", content: DEFAULT_SETTING }],
          reply_constraints: { sender_type: "BOT", sender_name: "MM智能助理" },
        }),
        headers: { "content-type": "text/event-stream" },
        check: (o) => {
          const ev = events(o.body);
          const chunks = ev.slice(0, -1).map((e) => JSON.parse(e));
          // Pieces, the finishing chunk (the last event's whole reply is not sent again), usage, [DONE].
          const strip = (c: any) => ({ delta: c.choices[0]?.delta, finish: c.choices[0]?.finish_reason, usage: c.usage });
          const want = [{ delta: { role: "assistant", content: "Echo: hi" }, finish: null }, { delta: {}, finish: "stop" }, { usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 4 } }];
          if (ev.at(-1) !== "[DONE]" || JSON.stringify(chunks.map(strip)) !== JSON.stringify(want) || chunks.some((c) => c.object !== "chat.completion.chunk" || c.model !== "abab6.5t-chat")) throw new Error(o.body);
        },
      },
    },
    {
      name: `${p.id}: only a system message → messages null, as Higress sends it; MiniMax's refusal (HTTP 200, base_resp 2013) → 500`,
      request: { method: "POST", path, headers: client, body: JSON.stringify({ model: "gpt-4o", messages: [{ role: "system", content: "alone" }] }) },
      expect: {
        status: 500, upstreamPath: pro,
        upstreamBody: JSON.stringify({ model: "abab6.5s-chat", mask_sensitive_info: true, messages: null, bot_setting: [{ bot_name: "MM智能助理", content: "alone" }], reply_constraints: { sender_type: "BOT", sender_name: "MM智能助理" } }),
        check: (o) => error(o, "minimax response error, error_code: 2013, error_message: invalid params, messages is required"),
      },
    },
    {
      name: `${p.id}: MiniMax's rate limit (HTTP 200, base_resp 1002) → 500 with Higress's message, stream or not`,
      request: { method: "POST", path, headers: [...client, ["x-mock-fail", "429"]], body: JSON.stringify({ model: "gpt-4o", stream: true, messages: MESSAGES }) },
      expect: { status: 500, upstreamPath: pro, check: (o) => error(o, "minimax response error, error_code: 1002, error_message: rate limit exceeded(RPM)") },
    },
    {
      name: `${p.id}: a GroupId the key does not belong to → MiniMax's 1004 → 500`,
      request: { method: "POST", path: `/${MINIMAX_PRO_OTHER.id}/v1/chat/completions`, headers: client, body: JSON.stringify({ model: "gpt-4o", messages: MESSAGES }) },
      expect: { status: 500, upstreamPath: "/v1/text/chatcompletion_pro?GroupId=42", check: (o) => error(o, "minimax response error, error_code: 1004, error_message: token not match group") },
    },
    {
      name: `${p.id}: embeddings are not offered`,
      request: { method: "POST", path: `/${p.id}/v1/embeddings`, headers: client, body: JSON.stringify({ model: "gpt-4o", input: "hi" }) },
      expect: { status: 400, reachesUpstream: false, check: (o) => { if (!JSON.parse(o.body).error?.message.includes("not supported by provider type 'minimax'")) throw new Error(o.body); } },
    },
  ];
}

/** Cloudflare Workers AI (Higress's cloudflare.go): the account in the path, Cloudflare's error envelope. */
function cloudflareRows(p: ProviderCase): Row[] {
  const message = (o: Observed, want: string) => { if (JSON.parse(o.body).error?.message !== want) throw new Error(o.body); };
  return [
    {
      name: `${p.id}: Higress's own e2e config (no cloudflareAccountId) loads; the request goes where Higress sends it and Cloudflare's routing error comes back`,
      request: { method: "POST", path: `/${CLOUDFLARE_NO_ACCOUNT.id}/v1/chat/completions`, headers: client, body: JSON.stringify({ model: "gpt-3", messages: MESSAGES }) },
      expect: {
        status: 404, upstreamPath: "/client/v4/accounts//ai/v1/chat/completions", upstream: { host: "api.cloudflare.com", authorization: "Bearer sk-fake_token" },
        check: (o) => message(o, "Could not route to /client/v4/accounts//ai/v1/chat/completions, perhaps your object identifier is invalid?"),
      },
    },
    {
      name: `${p.id}: Cloudflare's error envelope ({success, errors: [{code, message}]}) → OpenAI's shape with the status and code`,
      request: { method: "POST", path: `/${p.id}/v1/chat/completions`, headers: [...client, ["x-mock-fail", "429"]], body: JSON.stringify({ model: "gpt-4o", messages: MESSAGES }) },
      expect: {
        status: 429, upstreamPath: "/client/v4/accounts/023e105f4ecef8ad9ca31a8372d0c353/ai/v1/chat/completions",
        check: (o) => { message(o, "Rate limit reached, please retry later"); if (JSON.parse(o.body).error.code !== "3040") throw new Error(o.body); },
      },
    },
    {
      name: `${p.id}: a model Workers AI does not have → its 400 (code 5007)`,
      request: { method: "POST", path: `/${CLOUDFLARE_NO_ACCOUNT.id}-ok/v1/chat/completions`, headers: client, body: JSON.stringify({ model: "llama-3", messages: MESSAGES }) },
      expect: { status: 400, upstreamPath: "/client/v4/accounts/023e105f4ecef8ad9ca31a8372d0c353/ai/v1/chat/completions", check: (o) => message(o, "AiError: No such model llama-3 or task") },
    },
    {
      name: `${p.id}: completions are not offered`,
      request: { method: "POST", path: `/${p.id}/v1/completions`, headers: client, body: JSON.stringify({ model: "gpt-4o", prompt: "hi" }) },
      expect: { status: 400, reachesUpstream: false, check: (o) => { if (!JSON.parse(o.body).error?.message.includes("not supported by provider type 'cloudflare'")) throw new Error(o.body); } },
    },
  ];
}

/** The conversation as Higress's difyChatGenRequest writes it for MESSAGES. */
const DIFY_TEXT = "SYSTEM: \nYou are terse.\nUSER: \nhello gateway world\n";
const difyBody = (o: { inputs?: object; query?: string; mode?: string; user?: string; conv?: string }) =>
  JSON.stringify({ inputs: o.inputs ?? {}, query: o.query ?? "", response_mode: o.mode ?? "blocking", user: o.user ?? "api-user", auto_generate_name: false, conversation_id: o.conv ?? "" });
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Dify's usage for MESSAGES (the mock counts words: the text in, "Echo: hello gateway world" out). */
const DIFY_USAGE = { prompt_tokens: 8, completion_tokens: 4, total_tokens: 12 };

function difyAnswer(o: Observed, id: (s: string) => boolean, model: string, usage: object): void {
  const r = JSON.parse(o.body);
  if (!id(r.id) || r.model !== model || r.object !== "chat.completion" || JSON.stringify(r.usage) !== JSON.stringify(usage) || typeof r.created !== "number") throw new Error(`not Higress's dify answer: ${o.body}`);
  if (JSON.stringify(r.choices) !== JSON.stringify([{ index: 0, message: { role: "assistant", content: ANSWER }, finish_reason: "stop", logprobs: null }])) throw new Error(o.body);
}

/** Dify (Higress's dify.go): the conversation as one text, per bot type; answers and events converted as Higress does. */
function difyRows(p: ProviderCase): Row[] {
  const path = `/${p.id}/v1/chat/completions`;
  const w = wire(p, "chat");
  const upstream = { host: p.host.replace(/:\d+$/, ":PORT"), ...w.auth };
  const bot = p.app!.botType;
  const body = (stream = false) => JSON.stringify({ model: p.model, messages: MESSAGES, ...(stream ? { stream } : {}) });
  const streamed = (o: Observed) => { const ev = events(o.body); return { ev, chunks: ev.filter((e) => e !== "[DONE]").map((e) => JSON.parse(e)) }; };
  if (bot === "Chat") {
    return [
      {
        name: `${p.id}: chat → /v1/chat-messages: the conversation as query, inputs {}, user api-user; answer's conversation id as id and ConversationId header`,
        request: { method: "POST", path, headers: client, body: body() },
        expect: {
          status: 200, upstreamPath: "/v1/chat-messages", upstream, upstreamBody: difyBody({ query: DIFY_TEXT }),
          check: (o) => { difyAnswer(o, (id) => UUID_RE.test(id), "dify", DIFY_USAGE); if (o.headers["conversationid"] !== JSON.parse(o.body).id) throw new Error(`ConversationId header: ${o.headers["conversationid"]}`); },
        },
      },
      {
        name: `${p.id}: every role and content parts in the text, the client's user, its ConversationId header as conversation_id (unknown to Dify: its 404)`,
        request: {
          method: "POST", path, headers: [...client, ["conversationid", "9b1c0a52-1111-4222-8333-944445555666"]],
          body: JSON.stringify({ model: "x", user: "u-42", messages: [{ role: "system", content: "S" }, { role: "user", content: [{ type: "text", text: "a" }, { type: "image_url", image_url: { url: "https://x/y.png" } }, { type: "text", text: "b" }] }, { role: "assistant", content: "A" }, { role: "tool", content: "T" }, { role: "user", content: "hi" }] }),
        },
        expect: {
          status: 404, upstreamPath: "/v1/chat-messages",
          upstreamBody: difyBody({ query: "SYSTEM: \nS\nUSER: \na\nb\n\nASSISTANT: \nA\nUSER: \nT\nUSER: \nhi\n", user: "u-42", conv: "9b1c0a52-1111-4222-8333-944445555666" }),
          check: (o) => { const e = JSON.parse(o.body).error; if (e?.message !== "Conversation Not Exists." || e.code !== "not_found") throw new Error(o.body); },
        },
      },
      {
        name: `${p.id}: streamed: message events → chunks (id: the conversation), message_end → stop with the usage, then [DONE]`,
        request: { method: "POST", path, headers: [...client, ["x-mock-chunking", "1"]], body: body(true) },
        expect: {
          status: 200, upstreamPath: "/v1/chat-messages", upstreamBody: difyBody({ query: DIFY_TEXT, mode: "streaming" }), headers: { "content-type": "text/event-stream" },
          check: (o) => {
            const { ev, chunks } = streamed(o);
            if (ev.at(-1) !== "[DONE]" || chunks.length !== 3) throw new Error(o.body);
            const id = chunks[0].id;
            if (!UUID_RE.test(id) || !chunks.every((c) => c.id === id && c.model === "dify" && c.object === "chat.completion.chunk" && c.choices[0].delta.role === "assistant")) throw new Error(o.body);
            if (JSON.stringify(chunks.map((c) => c.choices[0].delta.content ?? null)) !== JSON.stringify(["Echo: hello", " gateway world", null])) throw new Error(o.body);
            const end = chunks.at(-1);
            if (end.choices[0].finish_reason !== "stop" || JSON.stringify(end.usage) !== JSON.stringify(DIFY_USAGE) || chunks[0].usage !== null || chunks[0].choices[0].finish_reason !== null) throw new Error(o.body);
          },
        },
      },
      {
        name: `${p.id}: Dify's error event mid-stream → the gateway's error event, no [DONE]`,
        request: { method: "POST", path, headers: client, body: JSON.stringify({ model: "x", stream: true, messages: [{ role: "user", content: "boom" }] }) },
        expect: {
          status: 200, upstreamPath: "/v1/chat-messages",
          check: (o) => {
            const ev = events(o.body);
            if (ev.includes("[DONE]") || JSON.parse(ev[0]).choices?.[0]?.delta?.content !== "Echo: boom" || JSON.parse(ev.at(-1)!).error?.message !== "[openai] Error: upstream model timed out") throw new Error(o.body);
          },
        },
      },
      {
        name: `${p.id}: a stream cut before message_end ends with the gateway's error event`,
        request: { method: "POST", path, headers: [...client, ["x-mock-cut", "clean"]], body: body(true) },
        expect: { status: 200, upstreamPath: "/v1/chat-messages", check: (o) => { const ev = events(o.body); if (ev.includes("[DONE]") || !JSON.parse(ev.at(-1)!).error?.message.includes("ended before the answer finished")) throw new Error(o.body); } },
      },
      {
        name: `${p.id}: embeddings are not offered`,
        request: { method: "POST", path: `/${p.id}/v1/embeddings`, headers: client, body: JSON.stringify({ model: "x", input: "hi" }) },
        expect: { status: 400, reachesUpstream: false, check: (o) => { if (!JSON.parse(o.body).error?.message.includes("not supported by provider type 'dify'")) throw new Error(o.body); } },
      },
    ];
  }
  if (bot === "Agent") {
    return [
      {
        name: `${p.id}: a blocking request goes as Higress sends it, and Dify refuses it (agents only stream)`,
        request: { method: "POST", path, headers: client, body: body() },
        expect: {
          status: 400, upstreamPath: "/v1/chat-messages", upstream, upstreamBody: difyBody({ query: DIFY_TEXT }),
          check: (o) => { const e = JSON.parse(o.body).error; if (e?.message !== "Agent Chat App does not support blocking mode" || e.code !== "invalid_param") throw new Error(o.body); },
        },
      },
      {
        name: `${p.id}: streamed: agent_thought (an empty chunk, as Higress) and agent_message events → chunks, message_end → stop with the usage, then [DONE]`,
        request: { method: "POST", path, headers: [...client, ["x-mock-chunking", "random:3"]], body: body(true) },
        expect: {
          status: 200, upstreamPath: "/v1/chat-messages", upstream, upstreamBody: difyBody({ query: DIFY_TEXT, mode: "streaming" }),
          check: (o) => {
            const { ev, chunks } = streamed(o);
            if (ev.at(-1) !== "[DONE]" || chunks.length !== 4 || "content" in chunks[0].choices[0].delta) throw new Error(o.body);
            if (chunks.map((c) => c.choices[0].delta.content ?? "").join("") !== ANSWER || JSON.stringify(chunks[3].usage) !== JSON.stringify(DIFY_USAGE) || chunks[3].choices[0].finish_reason !== "stop") throw new Error(o.body);
          },
        },
      },
    ];
  }
  if (bot === "Completion") {
    return [
      {
        name: `${p.id}: chat → /v1/completion-messages: the conversation as inputs.query (query empty), the message id as id, no ConversationId header`,
        request: { method: "POST", path, headers: client, body: JSON.stringify({ model: p.model, user: "u-7", messages: MESSAGES }) },
        expect: {
          status: 200, upstreamPath: "/v1/completion-messages", upstream, upstreamBody: difyBody({ inputs: { query: DIFY_TEXT }, user: "u-7" }), headers: { conversationid: null },
          check: (o) => difyAnswer(o, (id) => UUID_RE.test(id), "dify", DIFY_USAGE),
        },
      },
      {
        name: `${p.id}: a key of another kind of app → Dify's 400 in OpenAI's shape`,
        request: { method: "POST", path: "/dify-wrongapp/v1/chat/completions", headers: client, body: body() },
        expect: { status: 400, upstreamPath: "/v1/completion-messages", check: (o) => { const e = JSON.parse(o.body).error; if (e?.message !== "App unavailable, please check your app configurations." || e.code !== "app_unavailable") throw new Error(o.body); } },
      },
    ];
  }
  return [
    {
      name: `${p.id}: chat → difyApiUrl's host /v1/workflows/run: the conversation as inputs[inputVariable], outputs[outputVariable] as the answer, the workflow id as id, usage {}`,
      request: { method: "POST", path, headers: client, body: body() },
      expect: {
        status: 200, upstreamPath: "/v1/workflows/run", upstream, upstreamBody: difyBody({ inputs: { question: DIFY_TEXT } }),
        check: (o) => difyAnswer(o, (id) => id === DIFY_WORKFLOW_ID, "my-workflow", {}),
      },
    },
    {
      name: `${p.id}: a failed run (a 200 with data.status "failed") → a 500 with the run's error`,
      request: { method: "POST", path, headers: client, body: JSON.stringify({ model: "x", messages: [{ role: "user", content: "crash" }] }) },
      expect: { status: 500, upstreamPath: "/v1/workflows/run", check: (o) => { if (JSON.parse(o.body).error?.message !== "Node LLM run failed: model quota exceeded") throw new Error(o.body); } },
    },
    {
      name: `${p.id}: streamed: every event a chunk (as Higress), the output only in workflow_finished's (stop, no usage), then [DONE]`,
      request: { method: "POST", path, headers: [...client, ["x-mock-chunking", "random:9"]], body: body(true) },
      expect: {
        status: 200, upstreamPath: "/v1/workflows/run", upstreamBody: difyBody({ inputs: { question: DIFY_TEXT }, mode: "streaming" }),
        check: (o) => {
          const { ev, chunks } = streamed(o);
          // workflow_started, node_started, 2 text_chunk, node_finished, workflow_finished
          if (ev.at(-1) !== "[DONE]" || chunks.length !== 6) throw new Error(o.body);
          const last = chunks[5];
          if (last.id !== DIFY_WORKFLOW_ID || last.choices[0].delta.content !== ANSWER || last.choices[0].finish_reason !== "stop" || last.usage !== null) throw new Error(o.body);
          if (chunks.slice(0, 5).some((c) => "content" in c.choices[0].delta || c.choices[0].finish_reason !== null)) throw new Error(o.body);
          if (chunks[0].id !== DIFY_WORKFLOW_ID || "id" in chunks[1]) throw new Error(o.body);
        },
      },
    },
    {
      name: `${p.id}: a failed run streamed → the gateway's error event, no [DONE]`,
      request: { method: "POST", path, headers: client, body: JSON.stringify({ model: "x", stream: true, messages: [{ role: "user", content: "crash" }] }) },
      expect: { status: 200, upstreamPath: "/v1/workflows/run", check: (o) => { const ev = events(o.body); if (ev.includes("[DONE]") || JSON.parse(ev.at(-1)!).error?.message !== "Node LLM run failed: model quota exceeded") throw new Error(o.body); } },
    },
  ];
}

function rows(p: ProviderCase): Row[] {
  if (p.translator) return translatorRows(p);
  if (p === TRITON_NO_VERSION || p === MINIMAX_PRO_OTHER || p === CLOUDFLARE_NO_ACCOUNT || p === CLOUDFLARE_UNMAPPED || p === DIFY_WRONG_APP || p.family === "coze") return [];
  if (p.config.type === "cloudflare") return [...chatRows(p), ...cloudflareRows(p)];
  if (p.app?.streamOnly) return difyRows(p);
  if (p.family === "dify") return [...chatRows(p), ...difyRows(p)];
  if (p.family === "triton") return [...chatRows(p), ...tritonRows(p)];
  if (p.config.minimaxApiType === "pro") return [...chatRows(p), ...minimaxProRows(p)];
  return chatRows(p);
}

function chatRows(p: ProviderCase): Row[] {
  const host = p.host.replace(/:\d+$/, ":PORT");
  const at = (api: Api) => {
    const w = wire(p, api);
    return { w, expect: { status: 200, upstreamPath: w.path, upstream: { host, ...w.auth } } };
  };
  const chat = at("chat");
  const stream = at("stream");
  const out: Row[] = [
    {
      name: `${p.id}: chat completion`,
      request: { method: "POST", path: `/${p.id}/v1/chat/completions`, headers: client, body: JSON.stringify({ model: p.model, messages: MESSAGES }) },
      expect: {
        ...chat.expect,
        check: (o) => {
          expectMapped(o, chat.w);
          const r = JSON.parse(o.body);
          if (r.object !== "chat.completion" || r.choices?.[0]?.message?.content !== ANSWER) throw new Error(`not an OpenAI chat completion: ${o.body}`);
        },
      },
    },
    {
      name: `${p.id}: streamed chat`,
      request: { method: "POST", path: `/${p.id}/v1/chat/completions`, headers: [...client, ["x-mock-chunking", "random:7"]], body: JSON.stringify({ model: p.model, messages: MESSAGES, stream: true }) },
      expect: {
        ...stream.expect,
        check: (o) => {
          expectMapped(o, stream.w);
          const ev = events(o.body);
          if (ev.at(-1) !== "[DONE]") throw new Error(`the stream does not end with [DONE]: ${o.body}`);
          const chunks = ev.slice(0, -1).map((e) => JSON.parse(e));
          const text = chunks.map((c) => c.choices?.[0]?.delta?.content ?? "").join("");
          if (!chunks.every((c) => c.object === "chat.completion.chunk") || text !== ANSWER) throw new Error(`not OpenAI chunks of the answer: ${o.body}`);
        },
      },
    },
  ];
  if (p.embeddings) {
    const emb = at("embeddings");
    out.push({
      name: `${p.id}: embeddings`,
      request: { method: "POST", path: `/${p.id}/v1/embeddings`, headers: client, body: JSON.stringify({ model: p.embeddingModel ?? "text-embedding-3-small", input: ["hello world", "sluice"] }) },
      expect: {
        ...emb.expect,
        check: (o) => {
          expectMapped(o, emb.w);
          const r = JSON.parse(o.body);
          if (r.data?.length !== 2 || r.data[1].index !== 1 || r.data[0].embedding?.length !== 8) throw new Error(`not two OpenAI embeddings: ${o.body}`);
        },
      },
    });
  }
  return out;
}

/**
 * Routing as in setup.ts: /<id>/… selects the provider by `_match_route_` and reaches its family's
 * mock; a virtual host per real provider host leads there too, whether or not the proxy re-selects
 * the route after ai-proxy rewrites :authority.
 */
function providerGroup(name: string, providers: ProviderCase[], volatile: Group["volatile"], extra: Row[] = []): Group {
  const routes: RouteSpec[] = [];
  for (const host of new Set(providers.map((p) => p.host))) routes.push({ name: `host-${host}`, domains: [host], prefix: "/", cluster: `mock-${providers.find((p) => p.host === host)!.family}` });
  for (const p of providers) routes.push({ name: p.id, prefix: `/${p.id}/`, cluster: `mock-${p.family}` });
  return {
    name,
    config: { providers: providers.map((p) => p.config), _rules_: providers.map((p) => ({ _match_route_: [p.id], activeProviderId: p.id })) },
    routes,
    volatile,
    rows: [...providers.flatMap(rows), ...extra],
  };
}

/** The provider types of assembly/providers.ts (one ProviderSpec row each). */
export const PROVIDER_TYPES: string[] = [...readFileSync(new URL("../assembly/providers.ts", import.meta.url), "utf8").matchAll(/new ProviderSpec\("([^"]+)"/g)].map((m) => m[1]);

/**
 * A Higress config as Higress's own e2e test writes it: no global provider, and one `_rules_` entry
 * per route with a `provider` of its own (no id, no activeProviderId) — every provider case of
 * setup.ts, so every provider type. One chat request per route: each reaches its own provider's
 * host, path and credential and is answered in OpenAI's shape, so every rule took effect.
 */
function rulesGroup(providers: ProviderCase[]): Group {
  const missing = PROVIDER_TYPES.filter((t) => !providers.some((p) => p.config.type === t));
  if (missing.length > 0) throw new Error(`provider types without a rule: ${missing.join(", ")}`);
  const routes: RouteSpec[] = [];
  for (const host of new Set(providers.map((p) => p.host))) routes.push({ name: `host-${host}`, domains: [host], prefix: "/", cluster: `mock-${providers.find((p) => p.host === host)!.family}` });
  for (const p of providers) routes.push({ name: p.id, prefix: `/${p.id}/`, cluster: `mock-${p.family}` });
  const rules = providers.map((p) => {
    const { id: _id, ...provider } = p.config;
    return { _match_route_: [p.id], provider };
  });
  return {
    name: `Higress's form: ${providers.length} _rules_, each with its own provider (${PROVIDER_TYPES.length} provider types), loaded whole`,
    config: { _rules_: rules },
    routes,
    // (Coze's mock numbers its conversations: each host gets its own.)
    volatile: { body: [...GENERATED, /"conversation_id":"\d+"/g], upstreamHeaders: ["authorization", "x-amz-date", "x-tc-timestamp"] },
    rows: providers.map((p): Row => {
      if (p.family === "coze") return {
        // Coze speaks its own API (protocol original): the rule's host, token and basePath take effect.
        name: `rule ${p.id} (coze): Coze's /v3/chat reaches Coze with the rule's token`,
        request: { method: "POST", path: `/${p.id}/v3/chat`, headers: client, body: JSON.stringify({ bot_id: COZE_BOT, user_id: "u-1", stream: false, auto_save_history: true, additional_messages: [{ role: "user", content: "hello gateway world", content_type: "text" }] }) },
        expect: { status: 200, upstreamPath: "/v3/chat", upstream: { host: p.host, authorization: `Bearer ${(p.config.apiTokens as string[])[0]}` } },
      };
      if (p.app?.streamOnly) return {
        // A Dify Agent app only streams: the rule's app answers a streamed chat.
        name: `rule ${p.id} (dify ${p.app.botType}): a streamed chat reaches its app`,
        request: { method: "POST", path: `/${p.id}/v1/chat/completions`, headers: client, body: JSON.stringify({ model: p.model, stream: true, messages: MESSAGES }) },
        expect: {
          status: 200, upstreamPath: "/v1/chat-messages",
          check: (o) => {
            const text = events(o.body).filter((d) => d !== "[DONE]").map((d) => JSON.parse(d).choices?.[0]?.delta?.content ?? "").join("");
            if (text !== ANSWER) throw new Error(`not the app's answer: ${o.body}`);
          },
        },
      };
      const w = p.translator ? { path: "/v2/translate", auth: {}, model: p.model } : wire(p, "chat");
      return {
        name: `rule ${p.id} (${p.config.type}): chat reaches its provider`,
        request: { method: "POST", path: `/${p.id}/v1/chat/completions`, headers: client, body: JSON.stringify({ model: p.model, messages: MESSAGES }) },
        expect: {
          status: 200, upstreamPath: p.translator ? "/v2/translate" : w.path,
          upstream: p.translator ? { host: p.host, authorization: `DeepL-Auth-Key ${(p.config.apiTokens as string[])[0]}` } : { host: p.host.replace(/:\d+$/, ":PORT"), ...(SIGNED(p) ? {} : w.auth) },
          check: (o) => {
            const r = JSON.parse(o.body);
            const want = p.translator ? `${p.config.targetLang}: hello gateway world [You are terse.]` : ANSWER;
            if (r.object !== "chat.completion" || r.choices?.[0]?.message?.content !== want) throw new Error(`not the provider's answer: ${o.body}`);
            if (!p.translator) expectMapped(o, w);
          },
        },
      };
    }),
  };
}

/** Triton without tritonModelVersion and without a mapping (rows in tritonRows; no rows of its own). */
const TRITON_NO_VERSION: ProviderCase = {
  id: "triton-nomodel", family: "triton", host: "triton.local:8000", embeddings: false, model: "llama", converted: true, textOnly: true,
  config: { id: "triton-nomodel", type: "triton", tritonDomain: "triton.local:8000", apiTokens: ["sk-triton"], modelMapping: { "gpt-4o": "llama" } },
};

/** MiniMax Pro with a GroupId the mock's keys do not belong to (rows in minimaxProRows). */
const MINIMAX_PRO_OTHER: ProviderCase = {
  id: "minimax-pro-group", family: "compat", host: "api.minimax.chat", embeddings: false, model: "gpt-4o", converted: true, textOnly: true,
  config: { id: "minimax-pro-group", type: "minimax", minimaxApiType: "pro", minimaxGroupId: 42, apiTokens: ["sk-minimax-pro"], modelMapping: { "*": "abab6.5s-chat" } },
};

/** Cloudflare as Higress's e2e test configures it: no cloudflareAccountId (rows in cloudflareRows). */
const CLOUDFLARE_NO_ACCOUNT: ProviderCase = {
  id: "cloudflare-e2e", family: "compat", host: "api.cloudflare.com", embeddings: false, model: "gpt-3", converted: false,
  config: { id: "cloudflare-e2e", type: "cloudflare", apiTokens: ["sk-fake_token"], modelMapping: { "gpt-3": "meta/llama-3.1-8b-instruct", "*": "meta/llama-3.1-70b-instruct" } },
};
/** Cloudflare without a modelMapping: the client's model goes as it is. */
const CLOUDFLARE_UNMAPPED: ProviderCase = {
  id: "cloudflare-e2e-ok", family: "compat", host: "api.cloudflare.com", embeddings: false, model: "@cf/meta/llama-3.1-8b-instruct", converted: false,
  config: { id: "cloudflare-e2e-ok", type: "cloudflare", apiTokens: ["sk-cf"], cloudflareAccountId: "023e105f4ecef8ad9ca31a8372d0c353" },
};
/** A Completion config with a chat app's key (rows in difyRows; no rows of its own). */
const DIFY_WRONG_APP: ProviderCase = {
  id: "dify-wrongapp", family: "dify", host: "api.dify.ai", embeddings: false, model: "gpt-4o", converted: true, app: { botType: "Completion" },
  config: { id: "dify-wrongapp", type: "dify", botType: "Completion", apiTokens: ["app-chat"] },
};

/**
 * Coze (Higress's coze.go): `protocol: original`; the client speaks Coze's API, ai-proxy sets the
 * host (api.coze.cn) and the Bearer token, and `basePath` takes the route's prefix off. Another
 * coze config keeps protocol openai: OpenAI requests are refused before Coze.
 */
const COZE: ProviderCase = {
  id: "coze", family: "coze", host: "api.coze.cn", embeddings: false, model: "", converted: false,
  config: { id: "coze", type: "coze", apiTokens: ["pat_sluice"], protocol: "original", basePath: "/coze" },
};
const COZE_OPENAI: ProviderCase = { ...COZE, id: "coze-openai", config: { id: "coze-openai", type: "coze", apiTokens: ["pat_sluice"] } };

function cozeRows(): Row[] {
  const body = (stream: boolean, extra: object = {}) => JSON.stringify({ bot_id: COZE_BOT, user_id: "u-1", stream, auto_save_history: true, additional_messages: [{ role: "user", content: "hello gateway world", content_type: "text" }], ...extra });
  const upstream = { host: "api.coze.cn", authorization: "Bearer pat_sluice" };
  return [
    {
      name: "coze (original): /v3/chat reaches api.coze.cn with the token, the body untouched; Coze's answer untouched",
      request: { method: "POST", path: "/coze/v3/chat?conversation_id=7390000000000000001", headers: client, body: body(false) },
      expect: {
        status: 200, upstreamPath: "/v3/chat?conversation_id=7390000000000000001", upstream, upstreamBody: body(false),
        check: (o) => { const r = JSON.parse(o.body); if (r.code !== 0 || r.data?.status !== "in_progress" || r.data.conversation_id !== "7390000000000000001" || "choices" in r) throw new Error(o.body); },
      },
    },
    {
      name: "coze (original): a streamed chat: Coze's events pass byte for byte (no conversion, no [DONE] added)",
      request: { method: "POST", path: "/coze/v3/chat", headers: [...client, ["x-mock-chunking", "random:4"]], body: body(true) },
      expect: {
        status: 200, upstreamPath: "/v3/chat", upstream, upstreamBody: body(true),
        check: (o) => {
          if (!o.body.startsWith("event:conversation.chat.created\ndata:{") || !o.body.endsWith('event:done\ndata:"[DONE]"\n\n')) throw new Error(o.body);
          const deltas = [...o.body.matchAll(/event:conversation\.message\.delta\ndata:(.*)\n/g)].map((m) => JSON.parse(m[1]).content).join("");
          if (deltas !== ANSWER) throw new Error(o.body);
        },
      },
    },
    {
      name: "coze (original): Coze's own errors pass untouched (a bot the token may not use: HTTP 200, code 4015)",
      request: { method: "POST", path: "/coze/v3/chat", headers: client, body: body(false, { bot_id: "1" }) },
      expect: { status: 200, upstreamPath: "/v3/chat", upstream, body: '{"code":4015,"msg":"The bot_id you entered is not published to the Agent as API channel."}' },
    },
    {
      name: "coze (original): an OpenAI path is not converted either: it goes to Coze as it is (Coze: 404)",
      request: { method: "POST", path: "/coze/v1/chat/completions", headers: client, body: JSON.stringify({ model: "x", messages: MESSAGES }) },
      expect: { status: 404, upstreamPath: "/v1/chat/completions", upstream },
    },
    {
      name: "coze (protocol openai): an OpenAI chat is refused before Coze (Coze has no OpenAI API)",
      request: { method: "POST", path: "/coze-openai/v1/chat/completions", headers: client, body: JSON.stringify({ model: "x", messages: MESSAGES }) },
      expect: { status: 400, reachesUpstream: false, check: (o) => { if (!JSON.parse(o.body).error?.message.includes("not supported by provider type 'coze'")) throw new Error(o.body); } },
    },
  ];
}

/**
 * Higress's own e2e configuration of ai-proxy (test/data/higress-e2e-ai-proxy.yaml, unchanged): its
 * WasmPlugin's matchRules become `_rules_` as Higress's controller writes them (ingress →
 * `_match_route_`), one route per ingress. The whole config loads, and a chat on each route reaches
 * that rule's provider (its host, its mapped model) — against the recording upstream.
 */
function higressE2eGroup(): Group {
  const doc = parseYaml(readFileSync(new URL("./data/higress-e2e-ai-proxy.yaml", import.meta.url), "utf8"));
  const matchRules = doc.spec.matchRules as { config: { provider: Record<string, any> }; ingress: string[] }[];
  const hostOf = (type: string) => PROVIDERS.find((p) => p.config.type === type)!.host;
  return {
    name: `Higress's e2e config (go-wasm-ai-proxy.yaml): ${matchRules.length} matchRules, unchanged`,
    config: { _rules_: matchRules.map((r) => ({ _match_route_: r.ingress, ...r.config })) },
    routes: matchRules.map((r, i) => ({ name: r.ingress[0], prefix: `/e2e${i}/`, cluster: "up" })),
    volatile: { body: GENERATED, upstreamHeaders: ["authorization"] },
    rows: matchRules.map((r, i): Row => {
      const p = r.config.provider;
      // The provider case of the same type and mode gives the family (so the path and credential the provider must see).
      const base = PROVIDERS.find((c) => c.config.type === p.type && !!c.config.minimaxApiType === !!p.minimaxApiType && (c.config.qwenEnableCompatible === false) === (p.qwenEnableCompatible === false) && (!c.app || c.app.botType === p.botType))!;
      const w = wire({ ...base, id: r.ingress[0], config: p }, "chat");
      const mm = (p.modelMapping ?? {}) as Record<string, string>;
      const model = p.type === "dify" ? "" : mm["gpt-3"] ?? mm["*"] ?? "gpt-3";
      return {
        name: `e2e rule ${i} (${p.type}${p.minimaxApiType ? " " + p.minimaxApiType : ""}${p.qwenEnableCompatible ? " compatible" : ""}): chat reaches ${hostOf(p.type)}${model ? " with model " + model : ""}`,
        request: { method: "POST", path: `/e2e${i}/v1/chat/completions`, headers: client, body: JSON.stringify({ model: "gpt-3", messages: [{ role: "user", content: "你好，你是谁？" }] }) },
        expect: {
          status: 200, upstreamPath: w.path, upstream: { host: hostOf(p.type), ...w.auth },
          check: (o) => { if (model && !`${o.upstream?.body} ${o.upstream?.path}`.includes(model)) throw new Error(`the provider did not get ${model}: ${o.upstream?.path} ${o.upstream?.body}`); },
        },
      };
    }),
  };
}

// Generated ids (the mocks' and ai-proxy's) and creation times differ from one request to the next.
const GENERATED = [/"(id|created|responseId|request_id|requestId|RequestId|Id|Created)":("[^"]*"|\d+)/g];
const SIGNED = (p: ProviderCase) => p.family === "tencent" || ((p.family === "bedrock" || p.family === "vertex") && !p.config.apiTokens);

export const table: PluginTable = {
  plugin: "ai-proxy",
  // (Google's token endpoint for the vertex cases is the vertex mock too, under Higress's cluster name.)
  servers: { ...Object.fromEntries(FAMILIES.map((f) => [`mock-${f}`, mockServer(f)])), [VERTEX_AUTH_CLUSTER]: mockServer("vertex") },
  groups: [
    providerGroup("every provider: chat, stream, embeddings (API keys)", [...PROVIDERS.filter((p) => !SIGNED(p)), TRITON_NO_VERSION, MINIMAX_PRO_OTHER, CLOUDFLARE_NO_ACCOUNT, CLOUDFLARE_UNMAPPED, DIFY_WRONG_APP], { body: GENERATED }, [
      {
        name: "GET /v1/models is passed to an OpenAI-compatible provider",
        request: { path: "/openai/v1/models", headers: client },
        expect: { status: 200, upstreamPath: "/v1/models", upstream: { host: "api.openai.com", authorization: "Bearer sk-openai" }, check: (o) => { if (JSON.parse(o.body).data?.[0]?.id !== "mock-model") throw new Error(o.body); } },
      },
      {
        name: "GET /v1/models is answered by ai-proxy for gemini (its mapped models)",
        request: { path: "/gemini/v1/models", headers: client },
        expect: { status: 200, reachesUpstream: false, check: (o) => { const ids = JSON.parse(o.body).data?.map((m: { id: string }) => m.id); if (JSON.stringify(ids) !== '["gemini-2.5-flash","gemini-embedding-001"]') throw new Error(o.body); } },
      },
    ]),
    providerGroup("coze: Coze's own API (protocol original)", [COZE, COZE_OPENAI], { body: [/"(id|conversation_id|chat_id)":"\d+"/g] }, cozeRows()),
    // A signature covers a timestamp: its value differs between hosts (the mock checks each).
    providerGroup("every provider: chat, stream (signed requests)", PROVIDERS.filter(SIGNED), { body: GENERATED, upstreamHeaders: ["authorization", "x-amz-date", "x-tc-timestamp"] }),
    rulesGroup([...PROVIDERS, COZE]),
    higressE2eGroup(),
    {
      name: "OpenAI provider against the recording upstream",
      config: { provider: { type: "openai", apiTokens: ["sk-diff"], modelMapping: { "gpt-4o": "gpt-4o-mini", "*": "gpt-4o" } } },
      rows: [
        { name: "chat completion: key, host and model rewritten", request: { method: "POST", path: "/v1/chat/completions", headers: [...json, ["authorization", "Bearer client"]], body: '{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}' }, expect: { status: 200, upstream: { authorization: "Bearer sk-diff", host: "api.openai.com" }, upstreamBody: '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}' } },
        { name: "streaming request in chunks", request: { method: "POST", path: "/v1/chat/completions", headers: json, body: '{"model":"x","stream":true,"messages":[{"role":"user","content":"' + "long ".repeat(200) + '"}]}', chunks: 6 }, expect: { status: 200, reachesUpstream: true } },
        { name: "embeddings", request: { method: "POST", path: "/v1/embeddings", headers: json, body: '{"model":"text-embedding-3-small","input":"a"}' }, expect: { status: 200, upstream: { authorization: "Bearer sk-diff" } } },
        {
          name: "bad JSON gets an OpenAI-shaped 400",
          request: { method: "POST", path: "/v1/chat/completions", headers: json, body: "{nope" },
          expect: { status: 400, reachesUpstream: false, check: (o) => { if (JSON.parse(o.body).error?.type !== "invalid_request_error") throw new Error(o.body); } },
        },
        {
          name: "bad JSON arriving in chunks gets an OpenAI-shaped 400",
          request: { method: "POST", path: "/v1/chat/completions", headers: json, body: "{not json", chunks: 3 },
          expect: { status: 400, reachesUpstream: false, check: (o) => { if (JSON.parse(o.body).error?.type !== "invalid_request_error") throw new Error(o.body); } },
        },
        { name: "GET /v1/models", request: { path: "/v1/models" }, expect: { status: 200, reachesUpstream: true } },
      ],
    },
    {
      // A request to a provider that takes OpenAI bodies as they are is edited on its bytes (no
      // tree): every byte the client sent reaches the provider, but `model` and the stream-usage
      // request. What needs a tree (a `developer` role the provider does not know) still gets one.
      name: "OpenAI-wire requests relayed on their bytes",
      config: {
        providers: [
          { id: "openai", type: "openai", apiTokens: ["sk-diff"], modelMapping: { "gpt-4o": "gpt-4o-mini" } },
          { id: "deepseek", type: "deepseek", apiTokens: ["sk-ds"], modelMapping: { "*": "deepseek-chat" } },
        ],
        _rules_: [{ _match_route_: ["openai"], activeProviderId: "openai" }, { _match_route_: ["deepseek"], activeProviderId: "deepseek" }],
      },
      routes: ["openai", "deepseek"],
      properties: ["ai_usage"],
      rows: [
        {
          name: "the answer passes untouched; its usage is read from the bytes (the usage members only) and published",
          request: {
            method: "POST", path: "/openai/v1/chat/completions", headers: json, body: '{"model":"gpt-4o","messages":[]}',
            answer: { headers: { "content-type": "application/json" }, body: '{"id":"c","choices":[{"index":0,"message":{"role":"assistant","content":"x"},"finish_reason":"stop"}], "usage" : {"prompt_tokens":7,"completion_tokens":3,"total_tokens":10,"prompt_tokens_details":{"cached_tokens":2}}}' },
          },
          expect: {
            status: 200, upstreamPath: "/v1/chat/completions", body: '{"id":"c","choices":[{"index":0,"message":{"role":"assistant","content":"x"},"finish_reason":"stop"}], "usage" : {"prompt_tokens":7,"completion_tokens":3,"total_tokens":10,"prompt_tokens_details":{"cached_tokens":2}}}',
            check: (o) => {
              const raw = o.properties.ai_usage ?? "{}";
              let u; try { u = JSON.parse(raw); } catch { u = JSON.parse(JSON.parse(`"${raw}"`)); } // Envoy's access log may escape quotes
              if (u.model !== "gpt-4o-mini" || u.prompt_tokens !== 7 || u.completion_tokens !== 3 || u.total_tokens !== 10 || u.cached_tokens !== 2 || u.stream !== false) throw new Error(JSON.stringify(o.properties));
            },
          },
        },
        relayed("whitespace, key order, escapes and the developer role pass as sent; only model changes",
          ' { "messages" : [{"role":"developer","content":"h\\u00e9 \\"q\\""}],\n "model" : "gpt-4o", "temperature":0.50 } ',
          ' { "messages" : [{"role":"developer","content":"h\\u00e9 \\"q\\""}],\n "model" : "gpt-4o-mini", "temperature":0.50 } '),
        relayed("a duplicated model key: every occurrence is replaced, so no upstream parser sees the client's",
          '{"model":"evil","messages":[],"model":"gpt-4o"}', '{"model":"gpt-4o-mini","messages":[],"model":"gpt-4o-mini"}'),
        relayed("stream: include_usage is added to stream_options",
          '{"model":"gpt-4o","stream":true,"stream_options":{"x":1},"messages":[]}', '{"model":"gpt-4o-mini","stream":true,"stream_options":{"x":1,"include_usage":true},"messages":[]}'),
        relayed("stream: the client's own include_usage (false) is kept",
          '{"model":"gpt-4o","stream":true,"stream_options":{"include_usage":false}}', '{"model":"gpt-4o-mini","stream":true,"stream_options":{"include_usage":false}}'),
        relayed("stream without stream_options: one is appended", '{"stream":true,"model":"o"}', '{"stream":true,"model":"o","stream_options":{"include_usage":true}}'),
        {
          name: "a body that is an array is refused like the parser refuses it",
          request: { method: "POST", path: "/openai/v1/chat/completions", headers: json, body: '[{"model":"gpt-4o"}]' },
          expect: { status: 400, reachesUpstream: false, check: (o) => { if (!JSON.parse(o.body).error?.message?.includes("not a valid JSON object")) throw new Error(o.body); } },
        },
        {
          name: "a numeric model is refused as missing, as the tree path refuses it",
          request: { method: "POST", path: "/openai/v1/chat/completions", headers: json, body: '{"model":4,"messages":[]}' },
          expect: { status: 400, reachesUpstream: false, check: (o) => { if (!JSON.parse(o.body).error?.message?.includes("missing model")) throw new Error(o.body); } },
        },
        {
          name: "deepseek (no developer role): developer becomes system, also when the role is spelled with escapes",
          request: { method: "POST", path: "/deepseek/v1/chat/completions", headers: json, body: '{"model":"m","messages":[{"role":"developer","content":"a"},{"role":"\\u0064eveloper","content":"b"},{"role":"user","content":"c"}]}' },
          expect: { status: 200, upstreamPath: "/v1/chat/completions", upstream: { host: "api.deepseek.com", authorization: "Bearer sk-ds" }, check: (o) => {
            const sent = JSON.parse(String(o.upstream?.body));
            if (sent.model !== "deepseek-chat" || JSON.stringify(sent.messages.map((m: { role: string }) => m.role)) !== '["system","system","user"]') throw new Error(String(o.upstream?.body));
          } },
        },
        {
          name: "deepseek without a developer role: relayed on its bytes",
          request: { method: "POST", path: "/deepseek/v1/chat/completions", headers: json, body: '{ "model": "m", "messages": [{"role":"user","content":"dev eloper"}] }' },
          expect: { status: 200, upstreamPath: "/v1/chat/completions", upstreamBody: '{ "model": "deepseek-chat", "messages": [{"role":"user","content":"dev eloper"}] }' },
        },
      ],
    },
    {
      // MiniMax ChatCompletion Pro answers as MiniMax sends them (Higress's samples in minimax.go).
      name: "minimax pro against the recording upstream",
      config: { provider: { type: "minimax", minimaxApiType: "pro", minimaxGroupId: "1", apiTokens: ["sk-mm"] } },
      volatile: { body: GENERATED },
      rows: [
        {
          name: "minimax pro: every message of every choice is one choice (index counted across them), usage as MiniMax reports it",
          request: {
            method: "POST", path: "/v1/chat/completions", headers: client, body: '{"model":"abab6.5s-chat","messages":[{"role":"user","content":"hi"}]}',
            answer: { headers: { "content-type": "application/json" }, body: JSON.stringify({ created: 1689747645, model: "abab6.5s-chat", reply: "a", choices: [{ finish_reason: "stop", messages: [{ sender_type: "BOT", sender_name: "MM智能助理", text: "a" }, { sender_type: "BOT", sender_name: "B", text: "b" }] }, { finish_reason: "length", index: 1, messages: [{ sender_type: "BOT", sender_name: "", text: "c" }] }], usage: { total_tokens: 187, prompt_tokens: 100, completion_tokens: 87 }, input_sensitive: false, output_sensitive: false, id: "x1", base_resp: { status_code: 0, status_msg: "" } }) },
          },
          expect: {
            status: 200, upstreamPath: "/v1/text/chatcompletion_pro?GroupId=1", upstream: { host: "api.minimax.chat", authorization: "Bearer sk-mm" },
            check: (o) => {
              const c = (i: number, name: string, content: string, finish: string) => ({ index: i, message: { ...(name ? { name } : {}), role: "assistant", content }, finish_reason: finish, logprobs: null });
              const want = { id: "x1", choices: [c(0, "MM智能助理", "a", "stop"), c(1, "B", "b", "stop"), c(2, "", "c", "length")], created: 1689747645, model: "abab6.5s-chat", object: "chat.completion", usage: { prompt_tokens: 100, completion_tokens: 87, total_tokens: 187 } };
              if (o.body !== JSON.stringify(want)) throw new Error(o.body);
            },
          },
        },
        {
          name: "minimax pro: stream events → chunks; the last event's whole reply is not repeated; usage and [DONE] follow",
          request: {
            method: "POST", path: "/v1/chat/completions", headers: client, body: '{"model":"abab6.5s-chat","stream":true,"messages":[{"role":"user","content":"Where are you from?"}]}',
            answer: {
              headers: { "content-type": "text/event-stream" }, chunks: 5,
              body: 'data: {"created":1689747645,"model":"abab6.5s-chat","reply":"","choices":[{"messages":[{"sender_type":"BOT","sender_name":"MM智能助理","text":"I "}]}],"output_sensitive":false}\n\n' +
                'data: {"created":1689747645,"model":"abab6.5s-chat","reply":"","choices":[{"messages":[{"sender_type":"BOT","sender_name":"MM智能助理","text":"am from China."}]}],"output_sensitive":false}\n\n' +
                'data: {"created":1689747645,"model":"abab6.5s-chat","reply":"I am from China.","choices":[{"finish_reason":"stop","messages":[{"sender_type":"BOT","sender_name":"MM智能助理","text":"I am from China."}]}],"usage":{"total_tokens":187},"input_sensitive":false,"output_sensitive":false,"id":"0106b3bc9fd844a9f3de1aa06004e2ab","base_resp":{"status_code":0,"status_msg":""}}\n\n',
            },
          },
          expect: {
            status: 200, upstreamPath: "/v1/text/chatcompletion_pro?GroupId=1", headers: { "content-type": "text/event-stream" },
            upstreamBody: JSON.stringify({ model: "abab6.5s-chat", stream: true, mask_sensitive_info: true, messages: [{ sender_type: "USER", sender_name: "小明", text: "Where are you from?" }], bot_setting: [{ bot_name: "MM智能助理", content: "MM智能助理是一款由MiniMax自研的，没有调用其他产品的接口的大型语言模型。MiniMax是一家中国科技公司，一直致力于进行大模型相关的研究。" }], reply_constraints: { sender_type: "BOT", sender_name: "MM智能助理" } }),
            check: (o) => {
              const ev = events(o.body);
              const head = (id?: string) => ({ ...(id ? { id } : {}), object: "chat.completion.chunk", created: 1689747645, model: "abab6.5s-chat" });
              const ch = (delta: object, finish: string | null) => [{ index: 0, delta, finish_reason: finish, logprobs: null }];
              const want = [
                { ...head(), choices: ch({ role: "assistant", content: "I " }, null) },
                { ...head(), choices: ch({ content: "am from China." }, null) },
                { ...head("0106b3bc9fd844a9f3de1aa06004e2ab"), choices: ch({}, "stop") },
                { ...head("0106b3bc9fd844a9f3de1aa06004e2ab"), choices: [], usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 187 } },
              ].map((c) => JSON.stringify(c));
              if (JSON.stringify(ev) !== JSON.stringify([...want, "[DONE]"])) throw new Error(o.body);
            },
          },
        },
        {
          name: "minimax pro: an event with a base_resp error ends the stream with the gateway's error event, no [DONE]",
          request: {
            method: "POST", path: "/v1/chat/completions", headers: client, body: '{"model":"abab6.5s-chat","stream":true,"messages":[{"role":"user","content":"hi"}]}',
            answer: {
              headers: { "content-type": "text/event-stream" },
              body: 'data: {"created":1,"model":"abab6.5s-chat","reply":"","choices":[{"messages":[{"sender_type":"BOT","sender_name":"MM智能助理","text":"Hel"}]}]}\n\ndata: {"created":1,"model":"abab6.5s-chat","reply":"","choices":null,"base_resp":{"status_code":1027,"status_msg":"output new_sensitive"}}\n\n',
            },
          },
          expect: {
            status: 200, upstreamPath: "/v1/text/chatcompletion_pro?GroupId=1",
            check: (o) => {
              const ev = events(o.body);
              if (ev.length !== 2 || JSON.parse(ev[0]).choices[0].delta.content !== "Hel" || JSON.parse(ev[1]).error?.message !== "minimax response error, error_code: 1027, error_message: output new_sensitive") throw new Error(o.body);
            },
          },
        },
        {
          name: "minimax pro: a stream that ends before the last event is reported as cut",
          request: {
            method: "POST", path: "/v1/chat/completions", headers: client, body: '{"model":"abab6.5s-chat","stream":true,"messages":[{"role":"user","content":"hi"}]}',
            answer: { headers: { "content-type": "text/event-stream" }, body: 'data: {"created":1,"model":"abab6.5s-chat","reply":"","choices":[{"messages":[{"sender_type":"BOT","sender_name":"MM智能助理","text":"Hel"}]}]}\n\n' },
          },
          expect: {
            status: 200, upstreamPath: "/v1/text/chatcompletion_pro?GroupId=1",
            check: (o) => {
              const ev = events(o.body);
              if (ev.includes("[DONE]") || JSON.parse(ev.at(-1)!).error?.message !== "the provider's stream ended before the answer finished") throw new Error(o.body);
            },
          },
        },
      ],
    },
    {
      // Without tritonDomain the request keeps its host and reaches the route's upstream (the recording one).
      name: "triton without tritonDomain against the recording upstream",
      config: { provider: { type: "triton", apiTokens: ["sk-triton"] } },
      volatile: { body: GENERATED },
      rows: [
        {
          name: "triton: no tritonDomain, no version: /v2/models/{model}/generate; the client's key is not passed on",
          request: { method: "POST", path: "/v1/chat/completions", headers: client, body: '{"model":"gpt2","messages":[{"role":"user","content":"hi"}]}', answer: { headers: { "content-type": "application/json" }, body: '{"id":"r1","model_name":"gpt2","model_version":"3","text_output":"hello"}' } },
          expect: {
            status: 200, upstreamPath: "/v2/models/gpt2/generate", upstream: { authorization: null },
            upstreamBody: '{"id":"","text_input":"hi","parameters":{"stream":false,"temperature":0}}',
            check: (o) => {
              const r = JSON.parse(o.body);
              if (r.id !== "r1" || r.model !== "gpt2" || r.choices?.[0]?.message?.content !== "hello" || r.choices[0].finish_reason !== "stop") throw new Error(o.body);
            },
          },
        },
        {
          name: "triton: a model name is percent-encoded into the path",
          request: { method: "POST", path: "/v1/chat/completions", headers: client, body: '{"model":"org/m x","messages":[{"role":"user","content":"hi"}]}', answer: { headers: { "content-type": "application/json" }, body: '{"model_name":"org/m x","model_version":"1","text_output":"ok"}' } },
          expect: { status: 200, upstreamPath: "/v2/models/org%2Fm%20x/generate" },
        },
        {
          name: "triton: an error inside a 200 answer becomes a 500 in OpenAI's shape",
          request: { method: "POST", path: "/v1/chat/completions", headers: client, body: '{"model":"gpt2","messages":[{"role":"user","content":"hi"}]}', answer: { headers: { "content-type": "application/json" }, body: '{"error":"model is not ready"}' } },
          expect: { status: 500, upstreamPath: "/v2/models/gpt2/generate", check: (o) => { if (JSON.parse(o.body).error?.message !== "model is not ready") throw new Error(o.body); } },
        },
        {
          name: "triton: generate_stream events → chunks as Higress builds them (delta {id, content}), then a stop chunk and [DONE]",
          request: {
            method: "POST", path: "/v1/chat/completions", headers: client, body: '{"model":"gpt2","stream":true,"temperature":0.5,"messages":[{"role":"user","content":"hi"}]}',
            answer: { headers: { "content-type": "text/event-stream" }, chunks: 3, body: 'data: {"id":"s1","model_name":"gpt2","model_version":"1","text_output":"Hel"}\n\ndata: {"id":"s1","model_name":"gpt2","model_version":"1","text_output":"lo"}\n\n' },
          },
          expect: {
            status: 200, upstreamPath: "/v2/models/gpt2/generate_stream",
            upstreamBody: '{"id":"","text_input":"hi","parameters":{"stream":true,"temperature":0.5}}',
            headers: { "content-type": "text/event-stream" },
            check: (o) => {
              const ev = events(o.body);
              if (ev.length !== 4 || ev[3] !== "[DONE]") throw new Error(o.body);
              const c = ev.slice(0, 3).map((e) => JSON.parse(e));
              const want = (content: string | undefined, finish: string | null) => ({ id: "s1", choices: [{ index: 0, delta: content === undefined ? { id: "s1" } : { id: "s1", content }, finish_reason: finish, logprobs: null }], model: "gpt2", object: "chat.completion.chunk", usage: null });
              const strip = (x: any) => { delete x.created; return x; };
              if (JSON.stringify(c.map(strip)) !== JSON.stringify([want("Hel", null), want("lo", null), want(undefined, "stop")])) throw new Error(o.body);
            },
          },
        },
      ],
    },
    {
      // No botType (Chat here), difyApiUrl with userinfo, port, path and query: only the host is used.
      name: "dify against the recording upstream",
      config: { provider: { type: "dify", apiTokens: ["app-x"], difyApiUrl: "https://ops@dify.example.com:8443/v1?x=1", modelMapping: { "*": "dify" } } },
      volatile: { body: GENERATED },
      rows: [
        {
          name: "dify: no botType is Chat; difyApiUrl's host; a Dify answer (Higress README's numbers) as Higress converts it; ConversationId both ways",
          request: {
            method: "POST", path: "/v1/chat/completions", headers: [...client, ["conversationid", "45701982-8118-4bc5-8e9b-64562b4555f2"]], body: '{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}',
            answer: { headers: { "content-type": "application/json" }, body: '{"event":"message","task_id":"t1","id":"m1","message_id":"m1","conversation_id":"45701982-8118-4bc5-8e9b-64562b4555f2","mode":"chat","answer":"hello","metadata":{"usage":{"prompt_tokens":16,"prompt_unit_price":"0.001","completion_tokens":243,"total_tokens":259,"total_price":"0.0005","currency":"USD","latency":1.2},"retriever_resources":[]},"created_at":1736657752}' },
          },
          expect: {
            status: 200, upstreamPath: "/v1/chat-messages", upstream: { host: "dify.example.com:PORT", authorization: "Bearer app-x" },
            upstreamBody: difyBody({ query: "USER: \nhi\n", conv: "45701982-8118-4bc5-8e9b-64562b4555f2" }),
            headers: { conversationid: "45701982-8118-4bc5-8e9b-64562b4555f2" },
            check: (o) => {
              const want = { id: "45701982-8118-4bc5-8e9b-64562b4555f2", choices: [{ index: 0, message: { role: "assistant", content: "hello" }, finish_reason: "stop", logprobs: null }], created: 1736657752, model: "dify", object: "chat.completion", usage: { prompt_tokens: 16, completion_tokens: 243, total_tokens: 259 } };
              if (o.body !== JSON.stringify(want)) throw new Error(o.body);
            },
          },
        },
        {
          name: "dify: an empty answer has no content (as Higress's omitempty); usage without numbers is {}",
          request: { method: "POST", path: "/v1/chat/completions", headers: client, body: '{"model":"m","messages":[{"role":"user","content":"hi"}]}', answer: { headers: { "content-type": "application/json" }, body: '{"event":"message","message_id":"m2","conversation_id":"c2","answer":"","metadata":{},"created_at":5}' } },
          expect: { status: 200, upstreamPath: "/v1/chat-messages", check: (o) => { if (o.body !== '{"id":"c2","choices":[{"index":0,"message":{"role":"assistant"},"finish_reason":"stop","logprobs":null}],"created":5,"model":"dify","object":"chat.completion","usage":{}}') throw new Error(o.body); } },
        },
        {
          name: "dify: Dify's events (Higress's sample message_end among them) → chunks as Higress builds them, then [DONE]",
          request: {
            method: "POST", path: "/v1/chat/completions", headers: client, body: '{"model":"gpt-4o","stream":true,"messages":[{"role":"user","content":"hi"}]}',
            answer: {
              headers: { "content-type": "text/event-stream" }, chunks: 4,
              body: 'event: ping\n\ndata: {"event": "message", "message_id": "m3", "conversation_id": "45701982-8118-4bc5-8e9b-64562b4555f2", "answer": "Hi", "created_at": 1705639511}\n\n'
                + 'data: {"event": "message_file", "id": "f1", "type": "image", "belongs_to": "assistant", "url": "https://x/f.png", "conversation_id": "45701982-8118-4bc5-8e9b-64562b4555f2"}\n\n'
                + 'data: {"event": "message_end", "id": "5e52ce04-874b-4d27-9045-b3bc80def685", "conversation_id": "45701982-8118-4bc5-8e9b-64562b4555f2", "metadata": {"usage": {"prompt_tokens": 1033, "prompt_unit_price": "0.001", "prompt_price_unit": "0.001", "prompt_price": "0.0010330", "completion_tokens": 135, "completion_unit_price": "0.002", "completion_price_unit": "0.001", "completion_price": "0.0002700", "total_tokens": 1168, "total_price": "0.0013030", "currency": "USD", "latency": 1.381760165997548}, "retriever_resources": []}}\n\n',
            },
          },
          expect: {
            status: 200, upstreamPath: "/v1/chat-messages", upstreamBody: difyBody({ query: "USER: \nhi\n", mode: "streaming" }), headers: { "content-type": "text/event-stream" },
            check: (o) => {
              const ev = events(o.body);
              if (ev.length !== 4 || ev[3] !== "[DONE]") throw new Error(o.body);
              const c = ev.slice(0, 3).map((e) => JSON.parse(e));
              const conv = "45701982-8118-4bc5-8e9b-64562b4555f2";
              const chunk = (delta: object, finish: string | null, usage: object | null, created?: number) => ({ id: conv, choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }], ...(created ? { created } : {}), model: "dify", object: "chat.completion.chunk", usage });
              if (typeof c[1].created !== "number" || typeof c[2].created !== "number") throw new Error(o.body);
              delete c[1].created; delete c[2].created;
              const want = [chunk({ role: "assistant", content: "Hi" }, null, null, 1705639511), chunk({ role: "assistant" }, null, null), chunk({ role: "assistant" }, "stop", { prompt_tokens: 1033, completion_tokens: 135, total_tokens: 1168 })];
              if (JSON.stringify(c) !== JSON.stringify(want)) throw new Error(o.body);
            },
          },
        },
      ],
    },
  ],
  badConfigs: [
    { name: "vertex without vertexAuthKey or apiTokens (Higress's message)", config: { provider: { type: "vertex", vertexRegion: "us-central1", vertexProjectId: "p", vertexAuthServiceName: "a" } }, message: "missing vertexAuthKey in vertex provider config" },
    { name: "vertex without vertexRegion (Higress's message)", config: { provider: vertexStandard("v", { vertexRegion: "" }) }, message: "missing vertexRegion or vertexProjectId in vertex provider config" },
    { name: "vertex without vertexAuthServiceName", config: { provider: vertexStandard("v", { vertexAuthServiceName: undefined }) }, message: "missing vertexAuthServiceName in vertex provider config" },
    { name: "vertex OpenAI-compatible mode without vertexProjectId", config: { provider: vertexStandard("v", { vertexProjectId: undefined, vertexOpenAICompatible: true }) }, message: "missing vertexRegion or vertexProjectId in vertex provider config for OpenAI compatible mode" },
    { name: "vertex express mode (apiTokens) with vertexOpenAICompatible", config: { provider: { type: "vertex", apiTokens: ["sk-vertex"], vertexOpenAICompatible: true } }, message: "vertexOpenAICompatible is not compatible with Express Mode (apiTokens)" },
    { name: "vertex with a vertexAuthKey that is not JSON", config: { provider: vertexStandard("v", { vertexAuthKey: "{not json" }) }, message: "vertexAuthKey is not a service-account key JSON object" },
    { name: "vertex with a key JSON lacking token_uri", config: { provider: vertexStandard("v", { vertexAuthKey: JSON.stringify({ ...VERTEX_SA, token_uri: undefined }) }) }, message: "vertexAuthKey: missing client_email, private_key or token_uri" },
    { name: "vertex with a private_key that is not a PEM key (checked at load, not at the first request)", config: { provider: vertexStandard("v", { vertexAuthKey: JSON.stringify({ ...VERTEX_SA, private_key: "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n" }) }) }, message: "vertexAuthKey: private_key: malformed PKCS#8 PrivateKeyInfo" },
    { name: "cloudflare without apiTokens (Higress requires them)", config: { provider: { type: "cloudflare", cloudflareAccountId: "023e105f4ecef8ad9ca31a8372d0c353" } }, message: "no apiToken found in provider config" },
    { name: "minimax pro without minimaxGroupId (Higress's message)", config: { provider: { type: "minimax", minimaxApiType: "pro", apiTokens: ["sk-mm"] } }, message: "missing minimaxGroupId in provider config when minimaxApiType is pro" },
    { name: "minimax pro with an empty minimaxGroupId, in providers", config: { providers: [{ id: "m", type: "minimax", minimaxApiType: "pro", minimaxGroupId: "", apiTokens: ["sk-mm"] }], activeProviderId: "m" }, message: "missing minimaxGroupId in provider config when minimaxApiType is pro" },
    { name: "minimax pro with a numeric minimaxGroupId past 2^53 (its digits are already lost)", config: { provider: { type: "minimax", minimaxApiType: "pro", minimaxGroupId: 1782658868262748467, apiTokens: ["sk-mm"] } }, message: "minimaxGroupId must be a string (this number loses digits)" },
    { name: "minimax without apiTokens (Higress requires them for v2 and pro)", config: { provider: { type: "minimax", modelMapping: { "*": "abab6.5s-chat" } } }, message: "no apiToken found in provider config" },
    { name: "coze without apiTokens", config: { provider: { type: "coze", protocol: "original" } }, message: "no apiToken found in provider config" },
    { name: "dify with a botType Higress does not know (case matters)", config: { provider: { type: "dify", apiTokens: ["app-x"], botType: "chat" } }, message: "invalid botType in dify provider config: chat (Chat, Completion, Agent or Workflow)" },
    { name: "dify Workflow without outputVariable", config: { provider: { type: "dify", apiTokens: ["app-x"], botType: "Workflow", inputVariable: "q" } }, message: "dify botType Workflow needs inputVariable and outputVariable" },
    { name: "dify without apiTokens", config: { provider: { type: "dify", botType: "Chat" } }, message: "no apiToken found in provider config" },
    { name: "deepl without targetLang", config: { provider: { type: "deepl", apiTokens: ["sk-deepl:fx"] } }, message: "missing targetLang in deepl provider config" },
    { name: "triton without apiTokens (Higress requires them, though Triton gets none)", config: { provider: { type: "triton", tritonDomain: "triton.local:8000" } }, message: "no apiToken found in provider config" },
    { name: "deepl with an empty targetLang", config: { providers: [{ id: "d", type: "deepl", apiTokens: ["sk-deepl:fx"], targetLang: "" }], activeProviderId: "d" }, message: "missing targetLang in deepl provider config" },
  ],
};
