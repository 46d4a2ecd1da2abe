// The provider table: one row per provider type: its adapter, host, a path per API and an auth
// style. For an OpenAI-compatible provider the row is all there is (the default adapter); a
// provider with its own wire format or settings has an adapter of its own (adapter.ts).
import { AiApi, classifyAiPathString } from "@sluice/sdk/ai";
import { ProviderAdapter, ProviderSpec, Api, Auth } from "./adapter";
import { OpenAIAdapter, AzureAdapter, OllamaAdapter, VllmAdapter, GenericAdapter, CloudflareAdapter } from "./compatible";
import { MinimaxAdapter } from "./minimax";
import { QwenAdapter } from "./qwen";
import { ClaudeAdapter } from "./claude";
import { GeminiAdapter } from "./gemini";
import { HunyuanAdapter } from "./hunyuan";
import { BedrockAdapter } from "./bedrock";
import { DeeplAdapter } from "./deepl";
import { TritonAdapter } from "./triton";
import { DifyAdapter } from "./dify";
import { CozeAdapter } from "./coze";
import { VertexAdapter } from "./vertex";

const COMPATIBLE = new ProviderAdapter();

const SPECS: Array<ProviderSpec> = [
  new ProviderSpec("openai", new OpenAIAdapter(), "api.openai.com", "/v1/chat/completions", "/v1/completions", "/v1/embeddings", "/v1/models", Auth.Bearer),
  new ProviderSpec("azure", new AzureAdapter(), "", "/chat/completions", "/completions", "/embeddings", "/models", Auth.ApiKey),
  new ProviderSpec("deepseek", COMPATIBLE, "api.deepseek.com", "/v1/chat/completions", "/v1/completions", "", "/v1/models", Auth.Bearer),
  new ProviderSpec("moonshot", COMPATIBLE, "api.moonshot.cn", "/v1/chat/completions", "", "", "/v1/models", Auth.Bearer),
  new ProviderSpec("groq", COMPATIBLE, "api.groq.com", "/openai/v1/chat/completions", "", "", "/openai/v1/models", Auth.Bearer),
  new ProviderSpec("grok", COMPATIBLE, "api.x.ai", "/v1/chat/completions", "", "", "/v1/models", Auth.Bearer),
  new ProviderSpec("mistral", COMPATIBLE, "api.mistral.ai", "/v1/chat/completions", "", "/v1/embeddings", "/v1/models", Auth.Bearer),
  new ProviderSpec("doubao", COMPATIBLE, "ark.cn-beijing.volces.com", "/api/v3/chat/completions", "", "/api/v3/embeddings", "", Auth.Bearer, "doubaoDomain"),
  new ProviderSpec("openrouter", COMPATIBLE, "openrouter.ai", "/api/v1/chat/completions", "/api/v1/completions", "/api/v1/embeddings", "/api/v1/models", Auth.Bearer),
  new ProviderSpec("vllm", new VllmAdapter(), "vllm-service.cluster.local", "/v1/chat/completions", "/v1/completions", "/v1/embeddings", "/v1/models", Auth.Bearer),
  new ProviderSpec("github", COMPATIBLE, "models.inference.ai.azure.com", "/chat/completions", "", "/embeddings", "", Auth.Bearer),
  new ProviderSpec("ollama", new OllamaAdapter(), "", "/v1/chat/completions", "/v1/completions", "/v1/embeddings", "/v1/models", Auth.None),
  new ProviderSpec("zhipuai", COMPATIBLE, "open.bigmodel.cn", "/api/paas/v4/chat/completions", "", "/api/paas/v4/embeddings", "", Auth.Bearer, "zhipuDomain"),
  new ProviderSpec("minimax", new MinimaxAdapter(), "api.minimax.chat", "/v1/text/chatcompletion_v2", "", "", "", Auth.Bearer),
  new ProviderSpec("baidu", COMPATIBLE, "qianfan.baidubce.com", "/v2/chat/completions", "", "/v2/embeddings", "", Auth.Bearer),
  // Cohere's OpenAI Compatibility API (Higress uses the native /v1/chat; the compatibility API
  // keeps tools, streaming and usage intact).
  new ProviderSpec("cohere", COMPATIBLE, "api.cohere.ai", "/compatibility/v1/chat/completions", "", "/compatibility/v1/embeddings", "", Auth.Bearer),
  new ProviderSpec("qwen", new QwenAdapter(), "dashscope.aliyuncs.com", "/compatible-mode/v1/chat/completions", "/compatible-mode/v1/completions", "/compatible-mode/v1/embeddings", "/compatible-mode/v1/models", Auth.Bearer, "qwenDomain"),
  new ProviderSpec("ai360", COMPATIBLE, "api.360.cn", "/v1/chat/completions", "", "/v1/embeddings", "", Auth.Bearer),
  new ProviderSpec("baichuan", COMPATIBLE, "api.baichuan-ai.com", "/v1/chat/completions", "", "/v1/embeddings", "", Auth.Bearer),
  new ProviderSpec("yi", COMPATIBLE, "api.lingyiwanwu.com", "/v1/chat/completions", "", "", "/v1/models", Auth.Bearer),
  new ProviderSpec("stepfun", COMPATIBLE, "api.stepfun.com", "/v1/chat/completions", "", "", "/v1/models", Auth.Bearer),
  new ProviderSpec("together-ai", COMPATIBLE, "api.together.xyz", "/v1/chat/completions", "/v1/completions", "/v1/embeddings", "/v1/models", Auth.Bearer),
  new ProviderSpec("fireworks", COMPATIBLE, "api.fireworks.ai", "/inference/v1/chat/completions", "/inference/v1/completions", "/inference/v1/embeddings", "/inference/v1/models", Auth.Bearer),
  new ProviderSpec("longcat", COMPATIBLE, "api.longcat.chat", "/openai/v1/chat/completions", "", "", "", Auth.Bearer),
  new ProviderSpec("spark", COMPATIBLE, "spark-api-open.xf-yun.com", "/v1/chat/completions", "", "", "", Auth.Bearer),
  new ProviderSpec("cloudflare", new CloudflareAdapter(), "api.cloudflare.com", "/ai/v1/chat/completions", "", "/ai/v1/embeddings", "", Auth.Bearer),
  new ProviderSpec("generic", new GenericAdapter(), "", "", "", "", "", Auth.Bearer),
  new ProviderSpec("claude", new ClaudeAdapter(), "api.anthropic.com", "/v1/messages", "", "", "/v1/models", Auth.XApiKey),
  new ProviderSpec("gemini", new GeminiAdapter(), "generativelanguage.googleapis.com", "", "", "", "", Auth.Goog),
  new ProviderSpec("hunyuan", new HunyuanAdapter(), "api.hunyuan.cloud.tencent.com", "/v1/chat/completions", "", "/v1/embeddings", "", Auth.Bearer),
  new ProviderSpec("bedrock", new BedrockAdapter(), "", "", "", "", "", Auth.Bearer),
  // Chat → DeepL's /v2/translate; the host is api-free.deepl.com or api.deepl.com by model (deepl.ts).
  new ProviderSpec("deepl", new DeeplAdapter(), "api-free.deepl.com", "/v2/translate", "", "", "", Auth.Bearer),
  // Chat → /v2/models/{model}[/versions/{v}]/generate[_stream] on tritonDomain (triton.ts builds the path).
  new ProviderSpec("triton", new TritonAdapter(), "", "/v2/models/{MODEL_NAME}/generate", "", "", "", Auth.None),
  // Chat → api.dify.ai (or difyApiUrl's host) /v1/chat-messages, /v1/completion-messages or /v1/workflows/run by botType (dify.ts).
  new ProviderSpec("dify", new DifyAdapter(), "api.dify.ai", "/v1/chat-messages", "", "", "", Auth.Bearer),
  // Coze's own API with `protocol: original` (host and Bearer only; no OpenAI API, coze.ts).
  new ProviderSpec("coze", new CozeAdapter(), "api.coze.cn", "", "", "", "", Auth.Bearer),
  // Vertex AI: express mode (key in the URL), service-account OAuth2, or its OpenAI-compatible endpoint (vertex.ts).
  new ProviderSpec("vertex", new VertexAdapter(), "aiplatform.googleapis.com", "", "", "", "", Auth.None),
];

/** A fresh adapter for a provider type (null when the type is unknown). */
export function newAdapter(type: string): ProviderAdapter | null {
  for (let i = 0; i < SPECS.length; i++) {
    const spec = SPECS[i];
    if (spec.type != type) continue;
    const a = spec.adapter.create();
    a.spec = spec;
    return a;
  }
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
