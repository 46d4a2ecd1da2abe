// Shared setup of the ai-proxy Envoy tests: the provider mocks, the Higress-style config (global
// `providers`, one `_rules_` entry per route setting `activeProviderId`), and the Envoy routes.
//
// Routing: the client calls /<id>/v1/… on the catch-all host; route <id> selects the provider by
// `_match_route_`. ai-proxy rewrites :authority to the provider's real host (api.openai.com, …),
// and a virtual host per real provider host sends the request to the family's mock (like DNS
// pointing the provider's name at the mock). Both routes lead to the same mock, so the test does
// not depend on whether Envoy re-selects the route after the header rewrite.
import { LlmMock, openaiFamily, anthropicFamily, geminiFamily, dashscopeFamily, tencentFamily, bedrockFamily, deeplFamily, tritonFamily, difyFamily, DIFY_WORKFLOW_VARS, cozeFamily, vertexFamily, VERTEX_SA, VERTEX_PROJECT, VERTEX_REGION } from "../../../harness/src/mocks/llm/index.js";
import type { BootstrapSpec, RouteSpec, ClusterSpec } from "../../../harness/src/index.js";
import { pluginWasm } from "../../../harness/src/index.js";

export type FamilyName = "compat" | "anthropic" | "gemini" | "dashscope" | "tencent" | "bedrock" | "deepl" | "triton" | "dify" | "coze" | "vertex";
export const FAMILIES: FamilyName[] = ["compat", "anthropic", "gemini", "dashscope", "tencent", "bedrock", "deepl", "triton", "dify", "coze", "vertex"];

/** vertexAuthServiceName of the vertex cases: Higress's DnsCluster name for it, served by the vertex mock (Google's token endpoint). */
export const VERTEX_AUTH_SERVICE = "vertex-auth";
export const VERTEX_AUTH_CLUSTER = `outbound|443||${VERTEX_AUTH_SERVICE}.dns`;
/** A vertex provider in service-account mode (the mock's account), with extra fields. */
export const vertexStandard = (id: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  id, type: "vertex", vertexAuthKey: JSON.stringify(VERTEX_SA), vertexRegion: VERTEX_REGION, vertexProjectId: VERTEX_PROJECT, vertexAuthServiceName: VERTEX_AUTH_SERVICE,
  modelMapping: { "gpt-4o": "gemini-2.5-flash", "text-embedding-*": "text-embedding-005" }, ...extra,
});

export interface ProviderCase {
  id: string;
  family: FamilyName;
  config: Record<string, unknown>;
  /** The real host the provider is reached at (virtual host → mock). */
  host: string;
  embeddings: boolean;
  /** Models the client asks for; mapped by modelMapping where the config has one. */
  model: string;
  embeddingModel?: string;
  /** Whether the response stream is converted (not passed through). */
  converted: boolean;
  /**
   * A translation service behind the chat API (deepl): no chat model, tools, streaming or usage,
   * so the chat suites (clients.test.ts) leave it out; cases.ts has rows of its own for it and
   * deepl.test.ts drives it with the `openai` client.
   */
  translator?: boolean;
  /** Text in, text out (triton, minimax pro): no tools; clients.test.ts has rows of its own for them. */
  textOnly?: boolean;
  /**
   * A Dify app (botType Chat, Completion, Agent or Workflow): text in, text out, no tools; the
   * conversation goes as one text. An Agent app only streams (Dify refuses a blocking request).
   * clients.test.ts and cases.ts have rows of their own for it.
   */
  app?: { botType: string; streamOnly?: boolean };
}

const compat = (id: string, type: string, host: string, embeddings: boolean, extra: Record<string, unknown> = {}): ProviderCase => ({
  id, family: "compat", host, embeddings, model: "gpt-4o", converted: false,
  config: { id, type, apiTokens: [`sk-${id}`], modelMapping: { "gpt-4o": `${id}-chat`, "deep-reasoner": "", "*": `${id}-default` }, ...extra },
});

export const PROVIDERS: ProviderCase[] = [
  compat("openai", "openai", "api.openai.com", true),
  compat("azure", "azure", "myres.openai.azure.com", true, { azureServiceUrl: "https://myres.openai.azure.com/openai/deployments/gpt4o-deploy/chat/completions?api-version=2024-10-21" }),
  compat("deepseek", "deepseek", "api.deepseek.com", false),
  compat("moonshot", "moonshot", "api.moonshot.cn", false),
  compat("groq", "groq", "api.groq.com", false),
  compat("grok", "grok", "api.x.ai", false),
  compat("mistral", "mistral", "api.mistral.ai", true),
  compat("doubao", "doubao", "ark.cn-beijing.volces.com", true),
  compat("openrouter", "openrouter", "openrouter.ai", true),
  compat("vllm", "vllm", "vllm-service.cluster.local", true),
  compat("github", "github", "models.inference.ai.azure.com", true),
  compat("ollama", "ollama", "ollama.local:11434", true, { apiTokens: [], ollamaServerHost: "ollama.local", ollamaServerPort: 11434 }),
  compat("zhipuai", "zhipuai", "open.bigmodel.cn", true),
  compat("minimax", "minimax", "api.minimax.chat", false),
  // MiniMax's ChatCompletion Pro API (its own wire format), on the host of the v2 API.
  {
    id: "minimax-pro", family: "compat", host: "api.minimax.chat", embeddings: false, model: "gpt-4o", converted: true, textOnly: true,
    config: { id: "minimax-pro", type: "minimax", minimaxApiType: "pro", minimaxGroupId: "1782658868262748467", apiTokens: ["sk-minimax-pro"], modelMapping: { "gpt-4o": "abab6.5s-chat", "*": "abab6.5t-chat" } },
  },
  compat("baidu", "baidu", "qianfan.baidubce.com", true),
  compat("cohere", "cohere", "api.cohere.ai", true),
  { ...compat("qwen-compatible", "qwen", "dashscope.aliyuncs.com", true), family: "dashscope" },
  compat("together-ai", "together-ai", "api.together.xyz", true),
  compat("fireworks", "fireworks", "api.fireworks.ai", true),
  compat("stepfun", "stepfun", "api.stepfun.com", false),
  compat("yi", "yi", "api.lingyiwanwu.com", false),
  compat("baichuan", "baichuan", "api.baichuan-ai.com", true),
  compat("ai360", "ai360", "api.360.cn", true),
  compat("spark", "spark", "spark-api-open.xf-yun.com", false),
  compat("longcat", "longcat", "api.longcat.chat", false),
  // generic: genericHost, the client's path (basePath "/generic" removed), Bearer apiTokens.
  compat("generic", "generic", "api.openai.com", true, { genericHost: "api.openai.com", basePath: "/generic" }),
  compat("hunyuan-compatible", "hunyuan", "api.hunyuan.cloud.tencent.com", true),
  // Cloudflare Workers AI: the account is part of the path; model names are Workers AI's (@cf/…).
  {
    ...compat("cloudflare", "cloudflare", "api.cloudflare.com", true, { cloudflareAccountId: "023e105f4ecef8ad9ca31a8372d0c353" }),
    embeddingModel: "text-embedding-3-small",
    config: { id: "cloudflare", type: "cloudflare", apiTokens: ["sk-cloudflare"], cloudflareAccountId: "023e105f4ecef8ad9ca31a8372d0c353", modelMapping: { "gpt-4o": "@cf/meta/llama-3.1-8b-instruct", "text-embedding-*": "@cf/baai/bge-base-en-v1.5", "*": "@cf/meta/llama-3.1-70b-instruct" } },
  },
  {
    id: "claude", family: "anthropic", host: "api.anthropic.com", embeddings: false, model: "gpt-4o", converted: true,
    config: { id: "claude", type: "claude", apiTokens: ["sk-claude"], claudeVersion: "2023-06-01", modelMapping: { "gpt-4o": "claude-sonnet-4-5", "deep-reasoner": "", "*": "claude-haiku-4-5" } },
  },
  {
    id: "gemini", family: "gemini", host: "generativelanguage.googleapis.com", embeddings: true, model: "gpt-4o", embeddingModel: "text-embedding-3-small", converted: true,
    config: { id: "gemini", type: "gemini", apiTokens: ["sk-gemini"], modelMapping: { "gpt-4o": "gemini-2.5-flash", "text-embedding-*": "gemini-embedding-001" } },
  },
  {
    id: "qwen", family: "dashscope", host: "dashscope.aliyuncs.com", embeddings: true, model: "gpt-4o", embeddingModel: "text-embedding-3-small", converted: true,
    config: { id: "qwen", type: "qwen", qwenEnableCompatible: false, apiTokens: ["sk-qwen"], modelMapping: { "gpt-4o": "qwen-max", "text-embedding-*": "text-embedding-v3", "deep-reasoner": "", "*": "qwen-plus" } },
  },
  {
    id: "hunyuan", family: "tencent", host: "hunyuan.tencentcloudapi.com", embeddings: false, model: "gpt-4o", converted: true,
    config: { id: "hunyuan", type: "hunyuan", hunyuanAuthId: "AKIDsluiceMock", hunyuanAuthKey: "sluice-mock-secret-key", modelMapping: { "gpt-4o": "hunyuan-turbos-latest", "*": "hunyuan-lite" } },
  },
  {
    id: "bedrock-sigv4", family: "bedrock", host: "bedrock-runtime.us-east-1.amazonaws.com", embeddings: false, model: "gpt-4o", converted: true,
    config: { id: "bedrock-sigv4", type: "bedrock", awsAccessKey: "AKIASLUICEMOCK", awsSecretKey: "sluice/mock/secret/access/key", awsRegion: "us-east-1", modelMapping: { "gpt-4o": "anthropic.claude-3-5-sonnet-20240620-v1:0", "deep-reasoner": "", "*": "amazon.nova-lite-v1:0" } },
  },
  {
    id: "bedrock-apikey", family: "bedrock", host: "bedrock-runtime.us-west-2.amazonaws.com", embeddings: false, model: "gpt-4o", converted: true,
    config: { id: "bedrock-apikey", type: "bedrock", apiTokens: ["sk-bedrock-key"], awsRegion: "us-west-2", modelMapping: { "*": "us.amazon.nova-pro-v1:0" } },
  },
  // DeepL: the model names the service (Free → api-free.deepl.com, Pro → api.deepl.com); a Free key ends in ":fx".
  {
    id: "deepl", family: "deepl", host: "api-free.deepl.com", embeddings: false, model: "Free", converted: false, translator: true,
    config: { id: "deepl", type: "deepl", apiTokens: ["sk-deepl:fx"], targetLang: "ZH" },
  },
  {
    id: "deepl-pro", family: "deepl", host: "api.deepl.com", embeddings: false, model: "Pro", converted: false, translator: true,
    config: { id: "deepl-pro", type: "deepl", apiTokens: ["sk-deepl-pro"], targetLang: "DE" },
  },
  // NVIDIA Triton's generate extension on tritonDomain; no auth reaches it.
  {
    id: "triton", family: "triton", host: "triton.local:8000", embeddings: false, model: "gpt-4o", converted: true, textOnly: true,
    config: { id: "triton", type: "triton", tritonDomain: "triton.local:8000", tritonModelVersion: "1", apiTokens: ["sk-triton"], modelMapping: { "gpt-4o": "gpt2", "*": "ensemble" } },
  },
  // Vertex AI: express mode (key in the URL), a service account (OAuth2 token from the mock's
  // token endpoint through vertexAuthServiceName), and its OpenAI-compatible endpoint.
  {
    id: "vertex-express", family: "vertex", host: "aiplatform.googleapis.com", embeddings: true, model: "gpt-4o", embeddingModel: "text-embedding-3-small", converted: true,
    config: { id: "vertex-express", type: "vertex", apiTokens: ["sk-vertex"], modelMapping: { "gpt-4o": "gemini-2.5-flash", "text-embedding-*": "text-embedding-005" } },
  },
  {
    id: "vertex", family: "vertex", host: `${VERTEX_REGION}-aiplatform.googleapis.com`, embeddings: true, model: "gpt-4o", embeddingModel: "text-embedding-3-small", converted: true,
    config: vertexStandard("vertex"),
  },
  {
    id: "vertex-openai", family: "vertex", host: `${VERTEX_REGION}-aiplatform.googleapis.com`, embeddings: false, model: "gpt-4o", converted: false,
    config: vertexStandard("vertex-openai", { vertexOpenAICompatible: true, modelMapping: { "*": "google/gemini-2.0-flash-001" } }),
  },
  // Dify apps: the key picks the app (the mock knows each key's app mode); the model is not sent.
  ...(["Chat", "Completion", "Agent"] as const).map((botType): ProviderCase => ({
    id: `dify-${botType.toLowerCase()}`, family: "dify", host: "api.dify.ai", embeddings: false, model: "gpt-4o", converted: true,
    app: { botType, streamOnly: botType === "Agent" },
    config: { id: `dify-${botType.toLowerCase()}`, type: "dify", botType, apiTokens: [`app-${botType.toLowerCase()}`], modelMapping: { "*": "dify" } },
  })),
  // A self-hosted Dify (difyApiUrl: only its host is used) running a workflow app.
  {
    id: "dify-workflow", family: "dify", host: "dify.local:5001", embeddings: false, model: "gpt-4o", converted: true, app: { botType: "Workflow" },
    config: { id: "dify-workflow", type: "dify", botType: "Workflow", difyApiUrl: "http://dify.local:5001/v1", inputVariable: DIFY_WORKFLOW_VARS.input, outputVariable: DIFY_WORKFLOW_VARS.output, apiTokens: ["app-workflow"], modelMapping: { "*": "my-workflow" } },
  },
];

/** The chat providers with tools and usage (every one but the translators, text-only ones and apps). */
export const CHAT_PROVIDERS = PROVIDERS.filter((p) => !p.translator && !p.textOnly && !p.app);

export class Mocks {
  compat!: LlmMock;
  anthropic!: LlmMock;
  gemini!: LlmMock;
  dashscope!: LlmMock;
  tencent!: LlmMock;
  bedrock!: LlmMock;
  deepl!: LlmMock;
  triton!: LlmMock;
  dify!: LlmMock;
  coze!: LlmMock;
  vertex!: LlmMock;

  async start(): Promise<void> {
    this.vertex = await LlmMock.start(vertexFamily);
    this.tencent = await LlmMock.start(tencentFamily);
    this.bedrock = await LlmMock.start(bedrockFamily);
    this.deepl = await LlmMock.start(deeplFamily);
    this.triton = await LlmMock.start(tritonFamily);
    this.dify = await LlmMock.start(difyFamily);
    this.coze = await LlmMock.start(cozeFamily);
    this.compat = await LlmMock.start(openaiFamily);
    this.anthropic = await LlmMock.start(anthropicFamily);
    this.gemini = await LlmMock.start(geminiFamily);
    this.dashscope = await LlmMock.start(dashscopeFamily);
  }

  of(f: FamilyName): LlmMock { return this[f]; }

  async stop(): Promise<void> {
    await Promise.all(FAMILIES.map((f) => this[f]?.stop()));
  }
}

export function gatewaySpec(mocks: Mocks, providers: ProviderCase[], extra: { globalConfig?: Record<string, unknown>; accessLog?: string; extraRoutes?: RouteSpec[]; extraClusters?: ClusterSpec[] } = {}): BootstrapSpec {
  const clusters: ClusterSpec[] = [...FAMILIES.map((f) => ({ name: `mock-${f}`, port: mocks.of(f).port })), { name: VERTEX_AUTH_CLUSTER, port: mocks.vertex.port }];
  const routes: RouteSpec[] = [];
  const hosts = new Map<string, FamilyName>();
  for (const p of providers) hosts.set(p.host, p.family);
  for (const [host, fam] of hosts) routes.push({ name: `host-${host}`, domains: [host], prefix: "/", cluster: `mock-${fam}` });
  for (const p of providers) routes.push({ name: p.id, prefix: `/${p.id}/`, cluster: `mock-${p.family}` });
  routes.push(...(extra.extraRoutes ?? []));
  const config = {
    providers: providers.map((p) => p.config),
    ...(extra.globalConfig ?? {}),
    _rules_: providers.map((p) => ({ _match_route_: [p.id], activeProviderId: p.id })),
  };
  return {
    plugins: [{ name: "ai-proxy", wasm: pluginWasm("ai-proxy"), config }],
    routes,
    clusters: [...clusters, ...(extra.extraClusters ?? [])],
    bufferLimitBytes: 8 * 1024 * 1024,
    accessLog: extra.accessLog ? { path: extra.accessLog, format: "%REQ(X-REQUEST-ID)% %RESPONSE_CODE% %FILTER_STATE(wasm.ai_usage:PLAIN)%" } : undefined,
  };
}
