// sdk/ai usage normalisation: every provider's shape to one form (cached tokens inside the
// prompt, reasoning inside the completion, streams replace rather than sum), compiled to wasm.
import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { loadAsModule } from "../../harness/src/ascunit.js";

const m = await loadAsModule("sdk/test/ai-usage.entry.ts");
const call = (name: string, s: string) => {
  const p = m.newString(s);
  try { return m.getString((m.exports[name] as (p: number) => number)(p)); } finally { m.unpin(p); }
};
const call2 = (name: string, a: string, b: string) => {
  const p = m.newString(a), q = m.newString(b);
  try { return m.getString((m.exports[name] as (p: number, q: number) => number)(p, q)); } finally { m.unpin(p); m.unpin(q); }
};
const normBytes = (v: unknown) => { const r = call("normaliseBytes", JSON.stringify(v)); return r === "none" ? null : JSON.parse(r); };
const norm = (v: unknown) => { const r = call("normalise", JSON.stringify(v)); return r === "none" ? null : JSON.parse(r); };
const pick = (o: any) => o && { p: o.prompt_tokens, c: o.completion_tokens, t: o.total_tokens, cached: o.cached_tokens, write: o.cache_creation_tokens, r: o.reasoning_tokens };

describe("extractUsage", () => {
  it.each([
    ["OpenAI", { usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15, prompt_tokens_details: { cached_tokens: 4 }, completion_tokens_details: { reasoning_tokens: 2 } } }, { p: 10, c: 5, t: 15, cached: 4, write: 0, r: 2 }],
    ["DeepSeek cache hits", { usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15, prompt_cache_hit_tokens: 6 } }, { p: 10, c: 5, t: 15, cached: 6, write: 0, r: 0 }],
    ["Anthropic (cache outside input_tokens)", { usage: { input_tokens: 10, output_tokens: 5, cache_read_input_tokens: 100, cache_creation_input_tokens: 20 } }, { p: 130, c: 5, t: 135, cached: 100, write: 20, r: 0 }],
    ["Anthropic message_start", { type: "message_start", message: { usage: { input_tokens: 7, output_tokens: 1 } } }, { p: 7, c: 1, t: 8, cached: 0, write: 0, r: 0 }],
    ["Gemini (thoughts are output)", { usageMetadata: { promptTokenCount: 10, candidatesTokenCount: 5, thoughtsTokenCount: 3, totalTokenCount: 18, cachedContentTokenCount: 2 } }, { p: 10, c: 8, t: 18, cached: 2, write: 0, r: 3 }],
    ["DashScope", { usage: { input_tokens: 9, output_tokens: 4, total_tokens: 13, output_tokens_details: { reasoning_tokens: 2 } } }, { p: 9, c: 4, t: 13, cached: 0, write: 0, r: 2 }],
    ["Bedrock", { usage: { inputTokens: 9, outputTokens: 4, totalTokens: 16, cacheReadInputTokens: 3 } }, { p: 12, c: 4, t: 16, cached: 3, write: 0, r: 0 }],
    ["Tencent", { Response: { Usage: { PromptTokens: 3, CompletionTokens: 2, TotalTokens: 5 } } }, { p: 3, c: 2, t: 5, cached: 0, write: 0, r: 0 }],
    ["Responses API", { type: "response.completed", response: { usage: { input_tokens: 3, output_tokens: 2, total_tokens: 5 } } }, { p: 3, c: 2, t: 5, cached: 0, write: 0, r: 0 }],
  ])("%s", (_n, body, want) => {
    expect(pick(norm(body))).toEqual(want);
    // the same read on the body's bytes, inside a bigger answer (choices, content) that is skipped
    const big = { id: "x", choices: [{ index: 0, message: { role: "assistant", content: "y".repeat(3000) } }], ...body };
    expect(pick(normBytes(big))).toEqual(want);
  });

  it("on bytes (extractUsageView) it reads exactly what the tree reads, for any body", () => {
    const shapes = fc.jsonValue({ maxDepth: 3 });
    const body = fc.record({
      usage: fc.option(fc.oneof(shapes, fc.record({ prompt_tokens: fc.nat(), completion_tokens: fc.nat(), input_tokens: fc.nat() }, { requiredKeys: [] })), { nil: undefined }),
      message: fc.option(fc.oneof(shapes, fc.record({ usage: fc.record({ input_tokens: fc.nat(), output_tokens: fc.nat() }) })), { nil: undefined }),
      response: fc.option(shapes, { nil: undefined }),
      usageMetadata: fc.option(fc.oneof(shapes, fc.record({ promptTokenCount: fc.nat(), candidatesTokenCount: fc.nat() })), { nil: undefined }),
      Response: fc.option(fc.oneof(shapes, fc.record({ Usage: fc.record({ PromptTokens: fc.nat() }) })), { nil: undefined }),
      other: shapes,
    }, { requiredKeys: [] });
    fc.assert(fc.property(body, (b) => { expect(normBytes(b)).toEqual(norm(b)); }), { numRuns: 1000 });
    for (const junk of ["", "{", "[]", '{"usage":{"prompt_tokens":1}', '{"usage":1}x']) expect(call("normaliseBytes", junk)).toBe(call("normalise", junk));
  });

  it("the published form is JSON with the model and provider escaped and whole numbers", () => {
    const model = 'gpt "4o"\\n\u00e9😀';
    expect(JSON.parse(call2("published", model, "p\u0001"))).toEqual({ model, provider: "p\u0001", stream: true, prompt_tokens: 12, completion_tokens: 5, total_tokens: 17, cached_tokens: 3, cache_creation_tokens: 9007199254740992, reasoning_tokens: 2 });
    expect(call2("published", "m", "p")).toContain('"cache_creation_tokens":9007199254740993');
  });

  it("finds nothing where there is nothing, and never traps on junk", () => {
    for (const v of [{}, { usage: null }, { usage: "x" }, { usage: { prompt_tokens: "many" } }, [], "usage"]) {
      const r = norm(v);
      if (r !== null) expect(r.prompt_tokens).toBe(0);
    }
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 4 }), (v) => { norm(v); norm({ usage: v }); norm({ usageMetadata: v }); }), { numRuns: 500 });
  });

  it("on a stream the last cumulative report wins (Gemini repeats usageMetadata on every event)", () => {
    const events = [1, 2, 3].map((i) => JSON.stringify({ candidates: [], usageMetadata: { promptTokenCount: 10, candidatesTokenCount: i * 2, totalTokenCount: 10 + i * 2 } }));
    expect(pick(JSON.parse(call("stream", events.join("\n"))))).toEqual({ p: 10, c: 6, t: 16, cached: 0, write: 0, r: 0 });
  });
});
