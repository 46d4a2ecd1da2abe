// The normalised token-usage model every AI plugin shares. ai-proxy fills it from whatever the
// provider reports (OpenAI, Anthropic, Gemini, DashScope, Bedrock, Tencent shapes) and publishes
// it as the filter-state property `ai_usage` (JSON, see docs/plugins/ai-proxy.md); readers such
// as ai-token-ratelimit, ai-statistics and ai-quota call readPublished() (ai/tracker.ts) in their
// onStreamDone, or extractUsage() on a body they see themselves.
//
// Conventions (the ones other AI gateways get wrong):
//  - promptTokens counts every input token, cached ones included (Anthropic reports
//    cache_read/cache_creation apart from input_tokens; we add them back).
//  - completionTokens counts every output token, reasoning included (Gemini reports
//    thoughtsTokenCount apart from candidatesTokenCount; we add it).
//  - on streams, providers repeat cumulative usage: the last report *replaces* earlier ones,
//    reports are never summed.
import { JsonObject, JsonValue, quoteJsonString } from "../json/value";
import { ByteBuffer } from "../json/bytebuf";
import { JsonObjectView } from "../json/object-view";
import * as host from "../runtime/hostcalls";

export const AI_USAGE_PROPERTY = "ai_usage";

export class TokenUsage {
  /** False until some report was seen. */
  present: bool = false;
  promptTokens: i64 = 0;
  completionTokens: i64 = 0;
  totalTokens: i64 = 0;
  /** Input tokens served from the provider's prompt cache (part of promptTokens). */
  cachedTokens: i64 = 0;
  /** Input tokens written to the prompt cache (Anthropic/Bedrock; part of promptTokens). */
  cacheCreationTokens: i64 = 0;
  /** Reasoning/thinking tokens (part of completionTokens). */
  reasoningTokens: i64 = 0;

  set(prompt: i64, completion: i64, total: i64): void {
    this.present = true;
    this.promptTokens = prompt;
    this.completionTokens = completion;
    this.totalTokens = total > 0 ? total : prompt + completion;
  }

  copyFrom(o: TokenUsage): void {
    this.present = o.present;
    this.promptTokens = o.promptTokens;
    this.completionTokens = o.completionTokens;
    this.totalTokens = o.totalTokens;
    this.cachedTokens = o.cachedTokens;
    this.cacheCreationTokens = o.cacheCreationTokens;
    this.reasoningTokens = o.reasoningTokens;
  }

  /** The OpenAI `usage` object (details included when non-zero). */
  toOpenAI(): JsonObject {
    const o = new JsonObject();
    o.set("prompt_tokens", num(this.promptTokens));
    o.set("completion_tokens", num(this.completionTokens));
    o.set("total_tokens", num(this.totalTokens));
    if (this.cachedTokens > 0) {
      const d = new JsonObject();
      d.set("cached_tokens", num(this.cachedTokens));
      o.set("prompt_tokens_details", JsonValue.fromObject(d));
    }
    if (this.reasoningTokens > 0) {
      const d = new JsonObject();
      d.set("reasoning_tokens", num(this.reasoningTokens));
      o.set("completion_tokens_details", JsonValue.fromObject(d));
    }
    return o;
  }

  /** The Anthropic `usage` object: input_tokens excludes cache reads/writes, as Anthropic reports it. */
  toAnthropic(): JsonObject {
    const o = new JsonObject();
    let input = this.promptTokens - this.cachedTokens - this.cacheCreationTokens;
    if (input < 0) input = 0;
    o.set("input_tokens", num(input));
    o.set("output_tokens", num(this.completionTokens));
    if (this.cachedTokens > 0) o.set("cache_read_input_tokens", num(this.cachedTokens));
    if (this.cacheCreationTokens > 0) o.set("cache_creation_input_tokens", num(this.cacheCreationTokens));
    return o;
  }

  /** The published form (the `ai_usage` property). */
  toJson(model: string, provider: string, stream: bool): string {
    return String.UTF8.decode(this.toJsonBytes(model, provider, stream));
  }

  /** The published form as UTF-8, written straight into bytes (no tree, no UTF-16 text). */
  toJsonBytes(model: string, provider: string, stream: bool): ArrayBuffer {
    const b = new ByteBuffer(192 + model.length * 3 + provider.length * 3);
    b.pushAscii("{\"model\":");
    b.pushUtf8(quoteJsonString(model));
    b.pushAscii(",\"provider\":");
    b.pushUtf8(quoteJsonString(provider));
    b.pushAscii(stream ? ",\"stream\":true" : ",\"stream\":false");
    field(b, "prompt_tokens", this.promptTokens);
    field(b, "completion_tokens", this.completionTokens);
    field(b, "total_tokens", this.totalTokens);
    field(b, "cached_tokens", this.cachedTokens);
    field(b, "cache_creation_tokens", this.cacheCreationTokens);
    field(b, "reasoning_tokens", this.reasoningTokens);
    b.pushByte(0x7d);
    return b.take();
  }
}

function field(b: ByteBuffer, key: string, n: i64): void {
  b.pushByte(0x2c);
  b.pushByte(0x22);
  b.pushAscii(key);
  b.pushAscii("\":");
  b.pushAscii(n.toString());
}

function num(n: i64): JsonValue { return JsonValue.fromNumber(<f64>n); }

/** `int` for anything with getNumber (JsonObject, JsonObjectView). */
function count<T>(o: T, key: string): i64 {
  const v = o.getNumber(key, 0);
  if (!isFinite(v) || v < 0) return 0;
  return <i64>v;
}

function int(o: JsonObject | null, key: string): i64 {
  if (o === null) return 0;
  const v = o.getNumber(key, 0);
  if (!isFinite(v) || v < 0) return 0;
  return <i64>v;
}

/** OpenAI `usage` (also DeepSeek/Qwen-compatible/… extras: prompt_cache_hit_tokens). */
export function usageFromOpenAI(u: JsonObject, out: TokenUsage): void {
  out.set(int(u, "prompt_tokens"), int(u, "completion_tokens"), int(u, "total_tokens"));
  out.cachedTokens = int(u.getObject("prompt_tokens_details"), "cached_tokens");
  if (out.cachedTokens == 0) out.cachedTokens = int(u, "prompt_cache_hit_tokens");
  out.reasoningTokens = int(u.getObject("completion_tokens_details"), "reasoning_tokens");
}

/** Anthropic `usage` (message or message_delta): cache tokens are added to the prompt. */
export function usageFromAnthropic(u: JsonObject, out: TokenUsage): void {
  const cacheRead = int(u, "cache_read_input_tokens");
  const cacheWrite = int(u, "cache_creation_input_tokens");
  const prompt = int(u, "input_tokens") + cacheRead + cacheWrite;
  const completion = int(u, "output_tokens");
  out.set(prompt, completion, prompt + completion);
  out.cachedTokens = cacheRead;
  out.cacheCreationTokens = cacheWrite;
}

/** Gemini `usageMetadata` (a JsonObject, or a JsonObjectView on a stream's bytes): thoughts are output tokens. */
export function usageFromGemini<T>(u: T, out: TokenUsage): void {
  const thoughts = count<T>(u, "thoughtsTokenCount");
  const prompt = count<T>(u, "promptTokenCount");
  const completion = count<T>(u, "candidatesTokenCount") + thoughts;
  out.set(prompt, completion, count<T>(u, "totalTokenCount"));
  out.cachedTokens = count<T>(u, "cachedContentTokenCount");
  out.reasoningTokens = thoughts;
}

/** DashScope native `usage` (input_tokens/output_tokens, details like OpenAI), from a tree or a view. */
export function usageFromDashScope<T>(u: T, out: TokenUsage): void {
  out.set(count<T>(u, "input_tokens"), count<T>(u, "output_tokens"), count<T>(u, "total_tokens"));
  const pd = u.getObject("prompt_tokens_details");
  out.cachedTokens = pd === null ? 0 : count(pd!, "cached_tokens");
  const od = u.getObject("output_tokens_details");
  out.reasoningTokens = od === null ? 0 : count(od!, "reasoning_tokens");
}

/** Bedrock Converse `usage` (inputTokens/outputTokens/totalTokens, cacheRead/WriteInputTokens). */
export function usageFromBedrock(u: JsonObject, out: TokenUsage): void {
  const read = int(u, "cacheReadInputTokens");
  const write = int(u, "cacheWriteInputTokens");
  out.set(int(u, "inputTokens") + read + write, int(u, "outputTokens"), int(u, "totalTokens"));
  out.cachedTokens = read;
  out.cacheCreationTokens = write;
}

/** Tencent Hunyuan `Usage` (PromptTokens/CompletionTokens/TotalTokens). */
export function usageFromTencent(u: JsonObject, out: TokenUsage): void {
  out.set(int(u, "PromptTokens"), int(u, "CompletionTokens"), int(u, "TotalTokens"));
}

/**
 * Finds usage in any provider's JSON body or stream event, like Higress's tokenusage package:
 * `usage` (OpenAI, Anthropic, DashScope, Bedrock), `message.usage` (Anthropic message_start),
 * `usageMetadata` (Gemini), `Response.Usage` / `Usage` (Tencent), `response.usage` (Responses).
 * Returns false when nothing was found (out unchanged).
 */
export function extractUsage(body: JsonObject, out: TokenUsage): bool {
  let u = body.getObject("usage");
  if (u === null) {
    const m = body.getObject("message");
    if (m !== null) u = m.getObject("usage");
  }
  if (u === null) {
    const r = body.getObject("response");
    if (r !== null) u = r.getObject("usage");
  }
  if (u !== null) {
    if (u.has("prompt_tokens") || u.has("completion_tokens")) { usageFromOpenAI(u, out); return true; }
    if (u.has("inputTokens") || u.has("outputTokens")) { usageFromBedrock(u, out); return true; }
    if (u.has("input_tokens") || u.has("output_tokens")) {
      if (u.has("total_tokens") || u.has("output_tokens_details") || u.has("prompt_tokens_details")) usageFromDashScope<JsonObject>(u, out);
      else usageFromAnthropic(u, out);
      return true;
    }
    return false;
  }
  const g = body.getObject("usageMetadata");
  if (g !== null) { usageFromGemini<JsonObject>(g, out); return true; }
  let t = body.getObject("Usage");
  if (t === null) {
    const r = body.getObject("Response");
    if (r !== null) t = r.getObject("Usage");
  }
  if (t !== null) { usageFromTencent(t, out); return true; }
  return false;
}

/**
 * extractUsage on a body read as bytes: only the members it looks at (`usage`, `message.usage`,
 * `response.usage`, `usageMetadata`, `Usage`, `Response.Usage`) are parsed; the rest (choices,
 * content) is never built into a tree.
 */
export function extractUsageView(body: JsonObjectView, out: TokenUsage): bool {
  const o = new JsonObject();
  pick(body, "usage", o);
  nested(body, "message", o);
  nested(body, "response", o);
  pick(body, "usageMetadata", o);
  pick(body, "Usage", o);
  const r = body.getObject("Response");
  if (r !== null) {
    const inner = new JsonObject();
    pick(r, "Usage", inner);
    o.set("Response", JsonValue.fromObject(inner));
  }
  return extractUsage(o, out);
}

function pick(from: JsonObjectView, key: string, to: JsonObject): void {
  const v = from.getValue(key);
  if (v !== null) to.set(key, v);
}

/** `to[key] = {usage: from[key].usage}` when from[key] is an object. */
function nested(from: JsonObjectView, key: string, to: JsonObject): void {
  const m = from.getObject(key);
  if (m === null) return;
  const inner = new JsonObject();
  pick(m, "usage", inner);
  to.set(key, JsonValue.fromObject(inner));
}

/** Publishes usage for later filters and the access log: `%FILTER_STATE(wasm.ai_usage:PLAIN)%`. */
export function publishUsage(u: TokenUsage, model: string, provider: string, stream: bool): void {
  host.setPropertyBytes([AI_USAGE_PROPERTY], u.toJsonBytes(model, provider, stream));
}
