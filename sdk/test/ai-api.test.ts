// sdk/ai/api: one path classification for ai-proxy and the meters (ai-quota, ai-token-ratelimit,
// ai-statistics). Spelling variants of a path the proxy answers must classify alike, junk never
// traps.
import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { loadAsModule } from "../../harness/src/ascunit.js";

const m = await loadAsModule("sdk/test/ai-api.entry.ts");
const classify = (path: string | Uint8Array) => {
  const bytes = typeof path === "string" ? Buffer.from(path, "utf8") : Buffer.from(path);
  const p = m.newString(bytes.toString("latin1"));
  try { return m.getString((m.exports.classify as (p: number) => number)(p)); } finally { m.unpin(p); }
};

describe("classifyAiPath", () => {
  it.each([
    ["/v1/chat/completions", "chat_completions+tokens"],
    ["/chat/completions", "chat_completions+tokens"],
    ["/V1/chat/completions", "chat_completions+tokens"],
    ["/V1/CHAT/COMPLETIONS", "chat_completions+tokens"],
    ["/v1/chat/completions/", "chat_completions+tokens"],
    ["/v1/chat/completions?x=1", "chat_completions+tokens"],
    ["/v1/chat/completions#frag", "chat_completions+tokens"],
    ["//v1//chat//completions//", "chat_completions+tokens"],
    ["/v1/chat/./completions", "chat_completions+tokens"],
    ["/v1/chat/x/../completions", "chat_completions+tokens"],
    ["/v1/chat%2Fcompletions", "chat_completions+tokens"],
    ["/v1/chat/completion%73", "chat_completions+tokens"],
    ["/openai/v1/chat/completions", "chat_completions+tokens"],
    ["/any/prefix/chat/completions", "chat_completions+tokens"],
    ["/v1/completions", "completions+tokens"],
    ["/openai/deployments/d/completions?api-version=1", "completions+tokens"],
    ["/v1/embeddings", "embeddings+tokens"],
    ["/V1/Embeddings/", "embeddings+tokens"],
    ["/v1/messages", "anthropic_messages+tokens"],
    ["/v1/messages/", "anthropic_messages+tokens"],
    ["/V1/MESSAGES?beta=true", "anthropic_messages+tokens"],
    ["/v1/messages/count_tokens", "anthropic_count_tokens"],
    ["/v1/models", "models"],
    ["/v1/responses", "responses+tokens"],
    ["/v1beta/models/gemini-2.5-flash:generateContent", "gemini_generate_content+tokens"],
    ["/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse", "gemini_generate_content+tokens"],
    ["/v1beta/models/gemini-embedding-001:batchEmbedContents", "gemini_embed_content+tokens"],
    ["/v1/chat/completions/quota", "other"],
    ["/v1/chat/completions/quota/refresh", "other"],
    ["/v1/chat/completionsx", "other"],
    ["/messages", "other"],
    ["/", "other"],
    ["", "other"],
    ["?/v1/chat/completions", "other"],
    ["/healthz", "other"],
    ["/v1/chat/completions/..", "other"],
  ])("%s → %s", (path, want) => {
    expect(classify(path)).toBe(want);
  });

  it("never traps on junk", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (b) => { classify(b); }), { numRuns: 2000 });
    fc.assert(fc.property(fc.array(fc.constantFrom("/", ".", "..", "%", "%2", "%2F", "%2e", "?", "#", "chat", "completions", "v1", "messages", ":", "A"), { maxLength: 40 }), (parts) => { classify(parts.join("")); }), { numRuns: 2000 });
    expect(classify("/" + "a/".repeat(20000) + "chat/completions")).toBe("other"); // beyond MAX_PATH_BYTES: read up to the cap
  });
});
