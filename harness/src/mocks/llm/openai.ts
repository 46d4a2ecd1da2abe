// The OpenAI-compatible family (openai, azure, deepseek, moonshot, groq, mistral, doubao,
// openrouter, vllm, github, ollama, zhipuai, minimax, baidu v2, cohere compatibility, qwen
// compatible mode, cloudflare workers AI, …): one server that knows each provider's host, paths
// and auth style and validates chat/completions/embeddings/models requests as OpenAI's API does.
// MiniMax's ChatCompletion Pro API, on the host of its v2 API, is answered by minimax.ts.
import { type Answer, type Family, type MockRequest, type NormalUsage, bad, need, header, countTokens, answerPieces, wantsReasoning, REASONING, validKey, sse } from "./common.js";
import { isMinimaxPro, minimaxPro, minimaxProError } from "./minimax.js";

interface Route { chat?: string; completions?: string; embeddings?: string; models?: string; auth: "bearer" | "api-key" | "none" }

/** Cloudflare Workers AI (its paths carry the account, see handle). */
export const CLOUDFLARE_HOST = "api.cloudflare.com";
/** Account ids the mock's Cloudflare knows. */
export const CLOUDFLARE_ACCOUNTS = new Set(["023e105f4ecef8ad9ca31a8372d0c353"]);

/** Host → paths, as each provider documents them. */
export const COMPAT_ROUTES: Record<string, Route> = {
  "api.openai.com": { chat: "/v1/chat/completions", completions: "/v1/completions", embeddings: "/v1/embeddings", models: "/v1/models", auth: "bearer" },
  "api.deepseek.com": { chat: "/v1/chat/completions", completions: "/v1/completions", models: "/v1/models", auth: "bearer" },
  "api.moonshot.cn": { chat: "/v1/chat/completions", models: "/v1/models", auth: "bearer" },
  "api.groq.com": { chat: "/openai/v1/chat/completions", models: "/openai/v1/models", auth: "bearer" },
  "api.x.ai": { chat: "/v1/chat/completions", models: "/v1/models", auth: "bearer" },
  "api.mistral.ai": { chat: "/v1/chat/completions", embeddings: "/v1/embeddings", models: "/v1/models", auth: "bearer" },
  "ark.cn-beijing.volces.com": { chat: "/api/v3/chat/completions", embeddings: "/api/v3/embeddings", auth: "bearer" },
  "openrouter.ai": { chat: "/api/v1/chat/completions", completions: "/api/v1/completions", embeddings: "/api/v1/embeddings", models: "/api/v1/models", auth: "bearer" },
  "vllm-service.cluster.local": { chat: "/v1/chat/completions", completions: "/v1/completions", embeddings: "/v1/embeddings", models: "/v1/models", auth: "bearer" },
  "models.inference.ai.azure.com": { chat: "/chat/completions", embeddings: "/embeddings", auth: "bearer" },
  "ollama.local:11434": { chat: "/v1/chat/completions", completions: "/v1/completions", embeddings: "/v1/embeddings", models: "/v1/models", auth: "none" },
  "open.bigmodel.cn": { chat: "/api/paas/v4/chat/completions", embeddings: "/api/paas/v4/embeddings", auth: "bearer" },
  "api.minimax.chat": { chat: "/v1/text/chatcompletion_v2", auth: "bearer" },
  "qianfan.baidubce.com": { chat: "/v2/chat/completions", embeddings: "/v2/embeddings", auth: "bearer" },
  "api.cohere.ai": { chat: "/compatibility/v1/chat/completions", embeddings: "/compatibility/v1/embeddings", auth: "bearer" },
  "dashscope.aliyuncs.com": { chat: "/compatible-mode/v1/chat/completions", completions: "/compatible-mode/v1/completions", embeddings: "/compatible-mode/v1/embeddings", models: "/compatible-mode/v1/models", auth: "bearer" },
  "api.together.xyz": { chat: "/v1/chat/completions", completions: "/v1/completions", embeddings: "/v1/embeddings", models: "/v1/models", auth: "bearer" },
  "api.fireworks.ai": { chat: "/inference/v1/chat/completions", completions: "/inference/v1/completions", embeddings: "/inference/v1/embeddings", models: "/inference/v1/models", auth: "bearer" },
  "api.hunyuan.cloud.tencent.com": { chat: "/v1/chat/completions", embeddings: "/v1/embeddings", auth: "bearer" },
  "api.stepfun.com": { chat: "/v1/chat/completions", models: "/v1/models", auth: "bearer" },
  "api.lingyiwanwu.com": { chat: "/v1/chat/completions", models: "/v1/models", auth: "bearer" },
  "api.baichuan-ai.com": { chat: "/v1/chat/completions", embeddings: "/v1/embeddings", auth: "bearer" },
  "api.360.cn": { chat: "/v1/chat/completions", embeddings: "/v1/embeddings", auth: "bearer" },
  "spark-api-open.xf-yun.com": { chat: "/v1/chat/completions", auth: "bearer" },
  "api.longcat.chat": { chat: "/openai/v1/chat/completions", auth: "bearer" },
};

const ROLES = new Set(["system", "developer", "user", "assistant", "tool", "function"]);

function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) return content.map((p: any) => (p && p.type === "text" ? p.text : "")).join("");
  return "";
}

export function validateChat(body: any): void {
  need(body && typeof body === "object", "body must be a JSON object");
  need(typeof body.model === "string" && body.model.length > 0, "you must provide a model parameter");
  need(Array.isArray(body.messages) && body.messages.length > 0, "'messages' must be a non-empty array");
  const callIds = new Set<string>();
  for (const [i, m] of body.messages.entries()) {
    need(m && typeof m === "object", `messages[${i}] must be an object`);
    need(ROLES.has(m.role), `Invalid value: '${m.role}'. Supported values are: 'system', 'assistant', 'user', 'function', 'tool', and 'developer'.`);
    const c = m.content;
    need(c === undefined || c === null || typeof c === "string" || Array.isArray(c), `messages[${i}].content must be a string or an array`);
    if (Array.isArray(c)) {
      for (const p of c) {
        need(p && (p.type === "text" && typeof p.text === "string" || p.type === "image_url" && p.image_url && typeof p.image_url.url === "string"), `messages[${i}].content has an invalid part`);
      }
    }
    if (m.role === "assistant" && m.tool_calls) {
      need(Array.isArray(m.tool_calls), "tool_calls must be an array");
      for (const tc of m.tool_calls) {
        need(typeof tc.id === "string" && tc.type === "function" && typeof tc.function?.name === "string" && typeof tc.function?.arguments === "string", "invalid tool_call");
        callIds.add(tc.id);
      }
    }
    if (m.role === "tool") {
      need(typeof m.tool_call_id === "string", `messages[${i}]: tool messages need tool_call_id`);
      need(callIds.has(m.tool_call_id), `messages[${i}]: tool_call_id '${m.tool_call_id}' does not answer a previous tool call`);
    }
  }
  if (body.stream !== undefined) need(typeof body.stream === "boolean", "'stream' must be a boolean");
  if (body.stream_options !== undefined) {
    need(body.stream === true, "stream_options is only allowed when stream is true");
    need(typeof body.stream_options === "object", "stream_options must be an object");
  }
  if (body.max_tokens !== undefined) need(Number.isInteger(body.max_tokens) && body.max_tokens > 0, "max_tokens must be a positive integer");
  if (body.temperature !== undefined) need(typeof body.temperature === "number" && body.temperature >= 0 && body.temperature <= 2, "temperature must be a number between 0 and 2");
  if (body.tools !== undefined) {
    need(Array.isArray(body.tools), "tools must be an array");
    for (const t of body.tools) need(t.type === "function" && typeof t.function?.name === "string", "invalid tool");
  }
}

/** The conversation's facts every family answers from. */
export interface Turn {
  model: string;
  prompt: string;
  lastUser: string;
  toolName?: string;
  toolResult?: string;
  reasoning: boolean;
}

export function turnFromOpenAI(body: any): Turn {
  const msgs: any[] = body.messages;
  const prompt = msgs.map((m) => textOf(m.content)).join(" ");
  const last = msgs[msgs.length - 1];
  const lastUser = [...msgs].reverse().find((m) => m.role === "user");
  const turn: Turn = { model: body.model, prompt, lastUser: textOf(lastUser?.content), reasoning: wantsReasoning(body.model) };
  if (last.role === "tool") turn.toolResult = textOf(last.content);
  else if (Array.isArray(body.tools) && body.tools.length > 0) turn.toolName = body.tools[0].function.name;
  return turn;
}

export function usageFor(turn: Turn): { prompt: number; completion: number; reasoning: number } {
  const prompt = countTokens(turn.prompt) + 3;
  const answer = turn.toolResult !== undefined ? `Tool said: ${turn.toolResult}` : turn.toolName ? "" : answerPieces(turn.lastUser).join("");
  const reasoning = turn.reasoning ? countTokens(REASONING) : 0;
  const completion = countTokens(answer) + reasoning + (turn.toolName && turn.toolResult === undefined ? 5 : 0);
  return { prompt, completion, reasoning };
}

export const TOOL_ARGS = { location: "Paris", unit: "celsius" };

export function openaiChat(req: MockRequest, body: any): Answer {
  validateChat(body);
  const turn = turnFromOpenAI(body);
  const u = usageFor(turn);
  const usage: NormalUsage = { prompt_tokens: u.prompt, completion_tokens: u.completion, total_tokens: u.prompt + u.completion, cached_tokens: 2 };
  if (u.reasoning) usage.reasoning_tokens = u.reasoning;
  const wire = {
    prompt_tokens: usage.prompt_tokens,
    completion_tokens: usage.completion_tokens,
    total_tokens: usage.total_tokens,
    prompt_tokens_details: { cached_tokens: 2 },
    ...(u.reasoning ? { completion_tokens_details: { reasoning_tokens: u.reasoning } } : {}),
  };
  const id = "chatcmpl-mock" + Math.floor(Math.random() * 1e9);
  const created = 1700000000;
  const callId = "call_mock1";
  const toolCall = turn.toolName && turn.toolResult === undefined;
  // A model named *thinking-only* answers with reasoning and an empty content (as some reasoning
  // models do when they run out of tokens).
  const text = /thinking-only/.test(body.model) ? "" : turn.toolResult !== undefined ? `Tool said: ${turn.toolResult}` : answerPieces(turn.lastUser).join("");
  if (!body.stream) {
    const message: any = { role: "assistant", content: toolCall ? null : text, refusal: null };
    if (turn.reasoning) message.reasoning_content = REASONING;
    if (toolCall) message.tool_calls = [{ id: callId, type: "function", function: { name: turn.toolName, arguments: JSON.stringify(TOOL_ARGS) } }];
    return { kind: "json", usage, body: { id, object: "chat.completion", created, model: body.model, choices: [{ index: 0, message, logprobs: null, finish_reason: toolCall ? "tool_calls" : "stop" }], usage: wire } };
  }
  const chunk = (delta: any, finish: string | null = null) => sse(JSON.stringify({ id, object: "chat.completion.chunk", created, model: body.model, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] }));
  let out = chunk({ role: "assistant", content: "" });
  if (turn.reasoning) for (const w of REASONING.split(/(?<= )/)) out += chunk({ reasoning_content: w });
  if (toolCall) {
    const args = JSON.stringify(TOOL_ARGS);
    out += chunk({ tool_calls: [{ index: 0, id: callId, type: "function", function: { name: turn.toolName, arguments: "" } }] });
    out += chunk({ tool_calls: [{ index: 0, function: { arguments: args.slice(0, 10) } }] });
    out += chunk({ tool_calls: [{ index: 0, function: { arguments: args.slice(10) } }] });
    out += chunk({}, "tool_calls");
  } else {
    const pieces = turn.toolResult !== undefined ? [text] : answerPieces(turn.lastUser);
    for (const p of pieces) out += chunk({ content: p });
    out += chunk({}, "stop");
  }
  const wantUsage = body.stream_options?.include_usage === true;
  if (wantUsage) out += sse(JSON.stringify({ id, object: "chat.completion.chunk", created, model: body.model, choices: [], usage: wire }));
  out += "data: [DONE]\n\n";
  return { kind: "stream", contentType: "text/event-stream; charset=utf-8", data: Buffer.from(out), usage: wantUsage ? usage : undefined };
}

function openaiCompletions(body: any): Answer {
  need(typeof body.model === "string", "you must provide a model parameter");
  need(typeof body.prompt === "string" || Array.isArray(body.prompt), "prompt must be a string or array");
  const prompt = Array.isArray(body.prompt) ? body.prompt.join(" ") : body.prompt;
  const text = answerPieces(prompt).join("");
  const usage = { prompt_tokens: countTokens(prompt), completion_tokens: countTokens(text), total_tokens: countTokens(prompt) + countTokens(text) };
  return { kind: "json", usage, body: { id: "cmpl-mock", object: "text_completion", created: 1700000000, model: body.model, choices: [{ text, index: 0, logprobs: null, finish_reason: "stop" }], usage } };
}

export function embeddingOf(text: string, dims = 8): number[] {
  const v: number[] = [];
  for (let i = 0; i < dims; i++) v.push(Number((((text.length + 1) * (i + 3)) % 97 / 97).toFixed(6)));
  return v;
}

function openaiEmbeddings(body: any): Answer {
  need(typeof body.model === "string", "you must provide a model parameter");
  const input: string[] = typeof body.input === "string" ? [body.input] : Array.isArray(body.input) ? body.input : bad("'input' must be a string or an array");
  need(input.every((s) => typeof s === "string"), "'input' items must be strings");
  const tokens = input.reduce((n, s) => n + countTokens(s), 0);
  const usage = { prompt_tokens: tokens, completion_tokens: 0, total_tokens: tokens };
  const b64 = body.encoding_format === "base64";
  const data = input.map((s, index) => {
    const v = embeddingOf(s);
    return { object: "embedding", index, embedding: b64 ? Buffer.from(new Float32Array(v).buffer).toString("base64") : v };
  });
  return { kind: "json", usage, body: { object: "list", data, model: body.model, usage: { prompt_tokens: tokens, total_tokens: tokens } } };
}

export const openaiFamily: Family = {
  name: "openai-compatible",
  errorBody(status, message, code, req) {
    if (isMinimaxPro(req)) return minimaxProError(status, message);
    // Cloudflare's API envelope (the code is Cloudflare's: 7003 routing, 10000 authentication, 5007 model).
    if (req && header(req, "host") === CLOUDFLARE_HOST) return { success: false, errors: [{ code: Number(code) || (status === 429 ? 3040 : status >= 500 ? 3043 : 5006), message }], messages: [], result: null };
    return { error: { message, type: status === 429 ? "rate_limit_exceeded" : status >= 500 ? "server_error" : status === 401 ? "invalid_request_error" : "invalid_request_error", param: null, code: code || null } };
  },
  httpStatus(status, req) { return isMinimaxPro(req) ? 200 : status; },
  handle(req: MockRequest): Answer {
    if (isMinimaxPro(req)) return minimaxPro(req);
    const host = header(req, "host") ?? "";
    const [path, query = ""] = req.path.split("?");
    let route = COMPAT_ROUTES[host];
    let api: "chat" | "completions" | "embeddings" | "models" | undefined;
    const azure = /^[a-z0-9-]+\.openai\.azure\.com$/.test(host);
    if (host === CLOUDFLARE_HOST) {
      // Workers AI's OpenAI-compatible API: /client/v4/accounts/{account_id}/ai/v1/{api}.
      const m = /^\/client\/v4\/accounts\/([^/]*)\/ai\/v1\/(chat\/completions|embeddings)$/.exec(path);
      if (!m || !CLOUDFLARE_ACCOUNTS.has(m[1])) bad(`Could not route to ${path}, perhaps your object identifier is invalid?`, 404, "7003");
      const auth = header(req, "authorization") ?? "";
      if (!auth.startsWith("Bearer ") || !validKey(auth.slice(7))) bad("Authentication error", 401, "10000");
      need(req.method === "POST", "Method not allowed");
      need((header(req, "content-type") ?? "").includes("application/json"), "content-type must be application/json");
      if (typeof req.body?.model !== "string" || !/^@(cf|hf)\//.test(req.body.model)) bad(`AiError: No such model ${req.body?.model} or task`, 400, "5007");
      return m[2] === "embeddings" ? openaiEmbeddings(req.body) : openaiChat(req, req.body);
    }
    if (azure) {
      // /openai/deployments/{deployment}/{api}?api-version=…
      const m = /^\/openai\/deployments\/([^/]+)\/(chat\/completions|completions|embeddings)$/.exec(path);
      if (!m) bad(`Resource not found: ${path}`, 404, "404");
      if (!/api-version=\d{4}-\d{2}-\d{2}/.test(query)) bad("Missing API version", 404, "404");
      if (!validKey(header(req, "api-key"))) bad("Access denied due to invalid subscription key or wrong API endpoint.", 401, "401");
      api = m[2] === "chat/completions" ? "chat" : (m[2] as any);
      route = { auth: "api-key" };
    } else {
      if (!route) bad(`unknown host ${host}`, 404, "unknown_host");
      for (const k of ["chat", "completions", "embeddings", "models"] as const) if (route[k] === path) api = k;
      if (!api) bad(`Invalid URL (${req.method} ${req.path})`, 404, "unknown_url");
      if (route.auth === "bearer") {
        const auth = header(req, "authorization") ?? "";
        if (!auth.startsWith("Bearer ") || !validKey(auth.slice(7))) bad("Incorrect API key provided.", 401, "invalid_api_key");
      }
    }
    if (api === "models") {
      need(req.method === "GET", "models is GET");
      return { kind: "json", body: { object: "list", data: [{ id: "mock-model", object: "model", created: 1700000000, owned_by: "mock" }] } };
    }
    need(req.method === "POST", `${api} requires POST`);
    need((header(req, "content-type") ?? "").includes("application/json"), "content-type must be application/json");
    if (api === "chat") return openaiChat(req, req.body);
    if (api === "completions") return openaiCompletions(req.body);
    return openaiEmbeddings(req.body);
  },
};
