// LLM provider mocks, one HTTP server per provider family (see common.ts for the test switches).
export { LlmMock, type MockRecord, type NormalUsage, type Family, splitForChunking } from "./common.js";
export { openaiFamily, COMPAT_ROUTES, CLOUDFLARE_ACCOUNTS } from "./openai.js";
export { anthropicFamily } from "./anthropic.js";
export { geminiFamily } from "./gemini.js";
export { dashscopeFamily } from "./dashscope.js";
export { tencentFamily, TENCENT_SECRETS } from "./tencent.js";
export { bedrockFamily, AWS_SECRETS, eventStreamMessage } from "./bedrock.js";
export { deeplFamily, DEEPL_HOSTS } from "./deepl.js";
export { tritonFamily, TRITON_MODELS } from "./triton.js";
export { MINIMAX_GROUPS } from "./minimax.js";
export { difyFamily, DIFY_APPS, DIFY_WORKFLOW_VARS, DIFY_WORKFLOW_ID } from "./dify.js";
export { cozeFamily, COZE_TOKENS, COZE_BOT } from "./coze.js";
export { vertexFamily, VERTEX_SA, VERTEX_SA_WRONG_KEY, VERTEX_PROJECT, VERTEX_REGION, VERTEX_TOKEN_REQUESTS, vertexMockOptions } from "./vertex.js";
