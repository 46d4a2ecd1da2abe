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
import { JsonObject, JsonValue } from "../json/value";
import { JsonWriter } from "../json/writer";
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

  /** `toOpenAI()` written as the writer's next value (the same members, in the same order; no tree). */
  writeOpenAI(w: JsonWriter): void {
    w.beginObject();
    w.key("prompt_tokens").integer(this.promptTokens);
    w.key("completion_tokens").integer(this.completionTokens);
    w.key("total_tokens").integer(this.totalTokens);
    if (this.cachedTokens > 0) w.key("prompt_tokens_details").beginObject().key("cached_tokens").integer(this.cachedTokens).endObject();
    if (this.reasoningTokens > 0) w.key("completion_tokens_details").beginObject().key("reasoning_tokens").integer(this.reasoningTokens).endObject();
    w.endObject();
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
    const w = USAGE_WRITER;
    w.clear();
    w.beginObject();
    w.key("model").string(model);
    w.key("provider").string(provider);
    w.key("stream").bool(stream);
    w.key("prompt_tokens").integer(this.promptTokens);
    w.key("completion_tokens").integer(this.completionTokens);
    w.key("total_tokens").integer(this.totalTokens);
    w.key("cached_tokens").integer(this.cachedTokens);
    w.key("cache_creation_tokens").integer(this.cacheCreationTokens);
    w.key("reasoning_tokens").integer(this.reasoningTokens);
    w.endObject();
    return w.toBytes();
  }
}

/** One writer for every published usage (the bytes are copied out; nothing else holds it). */
const USAGE_WRITER = new JsonWriter(256);

function num(n: i64): JsonValue { return JsonValue.fromNumber(<f64>n); }

// Every reader below takes a tree (JsonObject) or a view on the bytes (JsonObjectView): both have
// getObject / has / getNumber with the same meaning (the last of duplicate keys counts).

/** A token count: 0 when absent, not a number, negative or not finite. */
function count<T>(o: T, key: string): i64 {
  if (isNullable<T>() && changetype<usize>(o) == 0) return 0;
  const v = changetype<NonNullable<T>>(o).getNumber(key, 0);
  if (!isFinite(v) || v < 0) return 0;
  return <i64>v;
}

/** A count inside a nested object (`o[obj][key]`); 0 when the object is absent. */
function nestedCount<T>(o: T, obj: string, key: string): i64 {
  if (isNullable<T>() && changetype<usize>(o) == 0) return 0;
  const inner = changetype<NonNullable<T>>(o).getObject(obj);
  return inner === null ? 0 : count(inner!, key);
}

/** OpenAI `usage` (also DeepSeek/Qwen-compatible/… extras: prompt_cache_hit_tokens). */
export function usageFromOpenAI<T>(u: T, out: TokenUsage): void {
  out.set(count<T>(u, "prompt_tokens"), count<T>(u, "completion_tokens"), count<T>(u, "total_tokens"));
  out.cachedTokens = nestedCount<T>(u, "prompt_tokens_details", "cached_tokens");
  if (out.cachedTokens == 0) out.cachedTokens = count<T>(u, "prompt_cache_hit_tokens");
  out.reasoningTokens = nestedCount<T>(u, "completion_tokens_details", "reasoning_tokens");
}

/** Anthropic `usage` (message or message_delta): cache tokens are added to the prompt. */
export function usageFromAnthropic<T>(u: T, out: TokenUsage): void {
  const cacheRead = count<T>(u, "cache_read_input_tokens");
  const cacheWrite = count<T>(u, "cache_creation_input_tokens");
  const prompt = count<T>(u, "input_tokens") + cacheRead + cacheWrite;
  const completion = count<T>(u, "output_tokens");
  out.set(prompt, completion, prompt + completion);
  out.cachedTokens = cacheRead;
  out.cacheCreationTokens = cacheWrite;
}

/** Gemini `usageMetadata`: thoughts are output tokens. */
export function usageFromGemini<T>(u: T, out: TokenUsage): void {
  const thoughts = count<T>(u, "thoughtsTokenCount");
  const prompt = count<T>(u, "promptTokenCount");
  const completion = count<T>(u, "candidatesTokenCount") + thoughts;
  out.set(prompt, completion, count<T>(u, "totalTokenCount"));
  out.cachedTokens = count<T>(u, "cachedContentTokenCount");
  out.reasoningTokens = thoughts;
}

/** DashScope native `usage` (input_tokens/output_tokens, details like OpenAI). */
export function usageFromDashScope<T>(u: T, out: TokenUsage): void {
  out.set(count<T>(u, "input_tokens"), count<T>(u, "output_tokens"), count<T>(u, "total_tokens"));
  out.cachedTokens = nestedCount<T>(u, "prompt_tokens_details", "cached_tokens");
  out.reasoningTokens = nestedCount<T>(u, "output_tokens_details", "reasoning_tokens");
}

/** Bedrock Converse `usage` (inputTokens/outputTokens/totalTokens, cacheRead/WriteInputTokens). */
export function usageFromBedrock<T>(u: T, out: TokenUsage): void {
  const read = count<T>(u, "cacheReadInputTokens");
  const write = count<T>(u, "cacheWriteInputTokens");
  out.set(count<T>(u, "inputTokens") + read + write, count<T>(u, "outputTokens"), count<T>(u, "totalTokens"));
  out.cachedTokens = read;
  out.cacheCreationTokens = write;
}

/** Tencent Hunyuan `Usage` (PromptTokens/CompletionTokens/TotalTokens). */
export function usageFromTencent<T>(u: T, out: TokenUsage): void {
  out.set(count<T>(u, "PromptTokens"), count<T>(u, "CompletionTokens"), count<T>(u, "TotalTokens"));
}

/**
 * Finds usage in any provider's JSON body or stream event, like Higress's tokenusage package:
 * `usage` (OpenAI, Anthropic, DashScope, Bedrock), `message.usage` (Anthropic message_start),
 * `usageMetadata` (Gemini), `Response.Usage` / `Usage` (Tencent), `response.usage` (Responses).
 * Returns false when nothing was found (out unchanged).
 */
export function extractUsage<T>(o: T, out: TokenUsage): bool {
  if (isNullable<T>() && changetype<usize>(o) == 0) return false;
  const body = changetype<NonNullable<T>>(o);
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
    const x = u!;
    if (x.has("prompt_tokens") || x.has("completion_tokens")) { usageFromOpenAI(x, out); return true; }
    if (x.has("inputTokens") || x.has("outputTokens")) { usageFromBedrock(x, out); return true; }
    if (x.has("input_tokens") || x.has("output_tokens")) {
      if (x.has("total_tokens") || x.has("output_tokens_details") || x.has("prompt_tokens_details")) usageFromDashScope(x, out);
      else usageFromAnthropic(x, out);
      return true;
    }
    return false;
  }
  const g = body.getObject("usageMetadata");
  if (g !== null) { usageFromGemini(g!, out); return true; }
  let t = body.getObject("Usage");
  if (t === null) {
    const r = body.getObject("Response");
    if (r !== null) t = r.getObject("Usage");
  }
  if (t !== null) { usageFromTencent(t!, out); return true; }
  return false;
}

/** extractUsage on a body read as bytes: only the members it looks at are scanned; no tree is built. */
export function extractUsageView(body: JsonObjectView, out: TokenUsage): bool {
  return extractUsage<JsonObjectView>(body, out);
}

/** Publishes usage for later filters and the access log: `%FILTER_STATE(wasm.ai_usage:PLAIN)%`. */
export function publishUsage(u: TokenUsage, model: string, provider: string, stream: bool): void {
  host.setPropertyBytes([AI_USAGE_PROPERTY], u.toJsonBytes(model, provider, stream));
}
