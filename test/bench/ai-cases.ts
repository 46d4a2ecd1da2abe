// The AI scenarios' request and configs, shared by test/bench/run.ts (measured in Envoy) and
// test/bench/profile.ts (the same work under a CPU profile), so the two cannot drift apart.

/** The 2 KB chat request every AI row sends. */
export const chatBody = JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "system", content: "You are a helpful assistant." }, { role: "user", content: "Say hello from the benchmark. ".repeat(40) }], temperature: 0.2 });
/** ai-proxy in front of the fast upstream (an OpenAI-compatible answer). */
export const aiProxyConfig = { provider: { type: "openai", apiTokens: ["sk-bench"], openaiCustomUrl: "http://bench-upstream/v1" } };
/** The providers whose requests and answers are converted. */
export const claudeConfig = { provider: { type: "claude", apiTokens: ["sk-bench"], claudeVersion: "2023-06-01", modelMapping: { "*": "claude-haiku-4-5" } } };
export const geminiConfig = { provider: { type: "gemini", apiTokens: ["g-bench"], modelMapping: { "*": "gemini-2.5-flash" } } };
/** The token limit counts in a real Redis (through webdis on the envoy target), far below its limit. */
export const tokenLimitConfig = { rule_name: "bench", rule_items: [{ limit_by_header: "x-api-key", limit_keys: [{ key: "bench-key", token_per_minute: 1000000000 }] }], redis: { service_name: "redis.static", service_port: 80, timeout: 1000 } };
/** The key the AI chain's requests carry. */
export const chainHeaders = { "x-api-key": "bench-key" };
