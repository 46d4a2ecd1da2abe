// Which LLM API a request path asks for. ai-proxy decides what to answer with this, and ai-quota,
// ai-token-ratelimit and ai-statistics decide what to meter with it: one classifier, so a path
// the proxy answers can never be one the meters skip (a consumer without quota was answered on
// `/chat/completions`, `/V1/chat/completions`, `/v1/messages`, … while ai-quota only looked for
// the case-sensitive suffix `/v1/chat/completions`).
//
// The path is read the way an upstream server would route it, so spelling variants classify
// alike: query and fragment dropped, %XX decoded once, ASCII case folded, empty and `.` segments
// dropped, `..` resolved. Then the last segments decide (any prefix, like Higress's suffix match):
//
//   …/chat/completions              ChatCompletions
//   …/completions                   Completions
//   …/embeddings                    Embeddings
//   …/v1/messages                   AnthropicMessages
//   …/v1/messages/count_tokens      AnthropicCountTokens
//   …/models                        Models
//   …/responses                     Responses             (OpenAI Responses API)
//   …/models/<m>:generateContent, :streamGenerateContent  GeminiGenerateContent
//   …/models/<m>:embedContent, :batchEmbedContents        GeminiEmbedContent
//   anything else                   Other
//
// Work is linear in the path length and bounded by MAX_PATH_BYTES; nothing here can trap.

export enum AiApi {
  Other,
  ChatCompletions,
  Completions,
  Embeddings,
  AnthropicMessages,
  AnthropicCountTokens,
  Models,
  Responses,
  GeminiGenerateContent,
  GeminiEmbedContent,
}

/** Longer paths are read only up to here (Envoy's default header limit is 60 KiB). */
export const MAX_PATH_BYTES: i32 = 16384;

/** A stable name for logs and `ai_log` (`chat_completions`, `anthropic_messages`, …). */
export function aiApiName(api: AiApi): string {
  switch (api) {
    case AiApi.ChatCompletions: return "chat_completions";
    case AiApi.Completions: return "completions";
    case AiApi.Embeddings: return "embeddings";
    case AiApi.AnthropicMessages: return "anthropic_messages";
    case AiApi.AnthropicCountTokens: return "anthropic_count_tokens";
    case AiApi.Models: return "models";
    case AiApi.Responses: return "responses";
    case AiApi.GeminiGenerateContent: return "gemini_generate_content";
    case AiApi.GeminiEmbedContent: return "gemini_embed_content";
    default: return "other";
  }
}

/**
 * Does a call to this API spend tokens (so quota, token limits and statistics apply)? Listing
 * models and Anthropic's count_tokens spend none.
 */
export function aiApiSpendsTokens(api: AiApi): bool {
  return api != AiApi.Other && api != AiApi.Models && api != AiApi.AnthropicCountTokens;
}

function hexVal(c: u32): i32 {
  if (c >= 48 && c <= 57) return <i32>c - 48;
  if (c >= 97 && c <= 102) return <i32>c - 87;
  if (c >= 65 && c <= 70) return <i32>c - 55;
  return -1;
}

/** The normalised path bytes (see the header comment), '/'-separated segments, no leading '/'. */
class Segments {
  buf: Uint8Array;
  /** [start, end) of each segment in `buf`. */
  starts: Array<i32> = [];
  ends: Array<i32> = [];
  constructor(n: i32) { this.buf = new Uint8Array(n); }

  /** Empties the segments and makes room for a path of `n` bytes (the buffer is kept when large enough). */
  reset(n: i32): Segments {
    if (this.buf.length < n) this.buf = new Uint8Array(n);
    this.starts.length = 0;
    this.ends.length = 0;
    return this;
  }

  get count(): i32 { return this.starts.length; }

  /** Segment `i` counted from the end (0 = last) equals `s` (lower-case ASCII)? */
  is(fromEnd: i32, s: string): bool {
    const k = this.starts.length - 1 - fromEnd;
    if (k < 0) return false;
    const a = this.starts[k], b = this.ends[k];
    if (b - a != s.length) return false;
    for (let i = 0; i < s.length; i++) if (<u32>this.buf[a + i] != <u32>s.charCodeAt(i)) return false;
    return true;
  }

  /** The last segment's text after its last ':' (Gemini's `<model>:<method>`), or "". */
  lastMethod(): string {
    const k = this.starts.length - 1;
    if (k < 0) return "";
    const a = this.starts[k], b = this.ends[k];
    for (let i = b - 1; i > a; i--) {
      if (this.buf[i] == 58) return String.UTF8.decodeUnsafe(this.buf.dataStart + <usize>(i + 1), <usize>(b - i - 1));
    }
    return "";
  }
}

/** One Segments for every classification (nothing keeps it past the call that filled it). */
const SEGMENTS = new Segments(256);

function segmentsOf(p: Uint8Array): Segments {
  let n = p.length;
  if (n > MAX_PATH_BYTES) n = MAX_PATH_BYTES;
  const s = SEGMENTS.reset(n);
  const out = s.buf;
  let w = 0;
  let segStart = 0;
  for (let i = 0; i <= n; i++) {
    let c: u32 = i < n ? <u32>p[i] : 47;
    if (c == 63 || c == 35) { c = 47; n = i; } // '?' or '#': the path ends here
    if (c == 37 && i + 2 < n) { // %XX, decoded once
      const h = hexVal(<u32>p[i + 1]), l = hexVal(<u32>p[i + 2]);
      if (h >= 0 && l >= 0) { c = <u32>(h * 16 + l); i += 2; }
    }
    if (c == 47) {
      const len = w - segStart;
      if (len == 1 && out[segStart] == 46) { w = segStart; } // "."
      else if (len == 2 && out[segStart] == 46 && out[segStart + 1] == 46) { // ".."
        w = segStart;
        if (s.starts.length > 0) { w = s.starts.pop(); s.ends.pop(); }
      } else if (len > 0) { s.starts.push(segStart); s.ends.push(w); }
      segStart = w;
      if (i >= n) break;
      continue;
    }
    if (c >= 65 && c <= 90) c += 32;
    out[w++] = <u8>c;
  }
  return s;
}

/** The API the request path (`:path` bytes, query included or not) asks for. */
export function classifyAiPath(path: ArrayBuffer): AiApi {
  const s = segmentsOf(Uint8Array.wrap(path));
  if (s.count == 0) return AiApi.Other;
  if (s.is(0, "completions")) return s.is(1, "chat") ? AiApi.ChatCompletions : AiApi.Completions;
  if (s.is(0, "embeddings")) return AiApi.Embeddings;
  if (s.is(0, "messages") && s.is(1, "v1")) return AiApi.AnthropicMessages;
  if (s.is(0, "count_tokens") && s.is(1, "messages") && s.is(2, "v1")) return AiApi.AnthropicCountTokens;
  if (s.is(0, "models")) return AiApi.Models;
  if (s.is(0, "responses")) return AiApi.Responses;
  if (s.is(1, "models")) {
    const m = s.lastMethod();
    if (m == "generatecontent" || m == "streamgeneratecontent") return AiApi.GeminiGenerateContent;
    if (m == "embedcontent" || m == "batchembedcontents") return AiApi.GeminiEmbedContent;
  }
  return AiApi.Other;
}

/** classifyAiPath for a path already read as a string. */
export function classifyAiPathString(path: string): AiApi {
  return classifyAiPath(String.UTF8.encode(path));
}
