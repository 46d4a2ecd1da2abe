// The provider table: for the OpenAI-compatible family a provider is only a host, a path per
// API and an auth style, so they are rows here. Providers with their own wire format (claude,
// gemini, qwen native, hunyuan native, bedrock) have a family that selects their converter.

import { AiApi, classifyAiPathString } from "@sluice/sdk/ai/api";

export enum Family { Compat, Azure, Claude, Gemini, Qwen, Hunyuan, Bedrock }

export enum Auth { Bearer, None, ApiKey, XApiKey, Goog }

export enum Api { Unknown, Chat, Completions, Embeddings, Models, Messages, CountTokens }

export class ProviderSpec {
  constructor(
    public type: string,
    public family: Family,
    public host: string,
    public chatPath: string,
    public completionsPath: string,
    public embeddingsPath: string,
    public modelsPath: string,
    public auth: Auth,
  ) {}

  path(api: Api): string {
    if (api == Api.Chat) return this.chatPath;
    if (api == Api.Completions) return this.completionsPath;
    if (api == Api.Embeddings) return this.embeddingsPath;
    if (api == Api.Models) return this.modelsPath;
    return "";
  }
}

const SPECS: Array<ProviderSpec> = [
  new ProviderSpec("openai", Family.Compat, "api.openai.com", "/v1/chat/completions", "/v1/completions", "/v1/embeddings", "/v1/models", Auth.Bearer),
  new ProviderSpec("azure", Family.Azure, "", "/chat/completions", "/completions", "/embeddings", "/models", Auth.ApiKey),
  new ProviderSpec("deepseek", Family.Compat, "api.deepseek.com", "/v1/chat/completions", "/v1/completions", "", "/v1/models", Auth.Bearer),
  new ProviderSpec("moonshot", Family.Compat, "api.moonshot.cn", "/v1/chat/completions", "", "", "/v1/models", Auth.Bearer),
  new ProviderSpec("groq", Family.Compat, "api.groq.com", "/openai/v1/chat/completions", "", "", "/openai/v1/models", Auth.Bearer),
  new ProviderSpec("grok", Family.Compat, "api.x.ai", "/v1/chat/completions", "", "", "/v1/models", Auth.Bearer),
  new ProviderSpec("mistral", Family.Compat, "api.mistral.ai", "/v1/chat/completions", "", "/v1/embeddings", "/v1/models", Auth.Bearer),
  new ProviderSpec("doubao", Family.Compat, "ark.cn-beijing.volces.com", "/api/v3/chat/completions", "", "/api/v3/embeddings", "", Auth.Bearer),
  new ProviderSpec("openrouter", Family.Compat, "openrouter.ai", "/api/v1/chat/completions", "/api/v1/completions", "/api/v1/embeddings", "/api/v1/models", Auth.Bearer),
  new ProviderSpec("vllm", Family.Compat, "vllm-service.cluster.local", "/v1/chat/completions", "/v1/completions", "/v1/embeddings", "/v1/models", Auth.Bearer),
  new ProviderSpec("github", Family.Compat, "models.inference.ai.azure.com", "/chat/completions", "", "/embeddings", "", Auth.Bearer),
  new ProviderSpec("ollama", Family.Compat, "", "/v1/chat/completions", "/v1/completions", "/v1/embeddings", "/v1/models", Auth.None),
  new ProviderSpec("zhipuai", Family.Compat, "open.bigmodel.cn", "/api/paas/v4/chat/completions", "", "/api/paas/v4/embeddings", "", Auth.Bearer),
  new ProviderSpec("minimax", Family.Compat, "api.minimax.chat", "/v1/text/chatcompletion_v2", "", "", "", Auth.Bearer),
  new ProviderSpec("baidu", Family.Compat, "qianfan.baidubce.com", "/v2/chat/completions", "", "/v2/embeddings", "", Auth.Bearer),
  // Cohere's OpenAI Compatibility API (Higress uses the native /v1/chat; the compatibility API
  // keeps tools, streaming and usage intact).
  new ProviderSpec("cohere", Family.Compat, "api.cohere.ai", "/compatibility/v1/chat/completions", "", "/compatibility/v1/embeddings", "", Auth.Bearer),
  new ProviderSpec("qwen", Family.Qwen, "dashscope.aliyuncs.com", "/compatible-mode/v1/chat/completions", "/compatible-mode/v1/completions", "/compatible-mode/v1/embeddings", "/compatible-mode/v1/models", Auth.Bearer),
  new ProviderSpec("ai360", Family.Compat, "api.360.cn", "/v1/chat/completions", "", "/v1/embeddings", "", Auth.Bearer),
  new ProviderSpec("baichuan", Family.Compat, "api.baichuan-ai.com", "/v1/chat/completions", "", "/v1/embeddings", "", Auth.Bearer),
  new ProviderSpec("yi", Family.Compat, "api.lingyiwanwu.com", "/v1/chat/completions", "", "", "/v1/models", Auth.Bearer),
  new ProviderSpec("stepfun", Family.Compat, "api.stepfun.com", "/v1/chat/completions", "", "", "/v1/models", Auth.Bearer),
  new ProviderSpec("together-ai", Family.Compat, "api.together.xyz", "/v1/chat/completions", "/v1/completions", "/v1/embeddings", "/v1/models", Auth.Bearer),
  new ProviderSpec("fireworks", Family.Compat, "api.fireworks.ai", "/inference/v1/chat/completions", "/inference/v1/completions", "/inference/v1/embeddings", "/inference/v1/models", Auth.Bearer),
  new ProviderSpec("longcat", Family.Compat, "api.longcat.chat", "/openai/v1/chat/completions", "", "", "", Auth.Bearer),
  new ProviderSpec("spark", Family.Compat, "spark-api-open.xf-yun.com", "/v1/chat/completions", "", "", "", Auth.Bearer),
  new ProviderSpec("cloudflare", Family.Compat, "api.cloudflare.com", "/ai/v1/chat/completions", "", "/ai/v1/embeddings", "", Auth.Bearer),
  new ProviderSpec("generic", Family.Compat, "", "", "", "", "", Auth.Bearer),
  new ProviderSpec("claude", Family.Claude, "api.anthropic.com", "/v1/messages", "", "", "/v1/models", Auth.XApiKey),
  new ProviderSpec("gemini", Family.Gemini, "generativelanguage.googleapis.com", "", "", "", "", Auth.Goog),
  new ProviderSpec("hunyuan", Family.Hunyuan, "api.hunyuan.cloud.tencent.com", "/v1/chat/completions", "", "/v1/embeddings", "", Auth.Bearer),
  new ProviderSpec("bedrock", Family.Bedrock, "", "", "", "", "", Auth.Bearer),
];

export function findSpec(type: string): ProviderSpec | null {
  for (let i = 0; i < SPECS.length; i++) if (SPECS[i].type == type) return SPECS[i];
  return null;
}

/**
 * The API a request path asks for: the SDK's classifier (sdk/ai/api.ts), the same one ai-quota,
 * ai-token-ratelimit and ai-statistics meter by, so every path answered here is metered there.
 * Suffix match as Higress, but case, trailing slashes, %XX and dot segments do not change the answer.
 */
export function apiOfPath(path: string): Api {
  const a = classifyAiPathString(path);
  if (a == AiApi.ChatCompletions) return Api.Chat;
  if (a == AiApi.Completions) return Api.Completions;
  if (a == AiApi.Embeddings) return Api.Embeddings;
  if (a == AiApi.Models) return Api.Models;
  if (a == AiApi.AnthropicMessages) return Api.Messages;
  if (a == AiApi.AnthropicCountTokens) return Api.CountTokens;
  return Api.Unknown;
}
