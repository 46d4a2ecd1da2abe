// A plugin's own answer to an LLM client, in the client's protocol: an OpenAI chat.completion
// (JSON, or SSE chunks ending in [DONE]) or an Anthropic message (JSON, or the full event
// sequence). Content plugins (data masking, prompt guards) refuse a request with these so that
// the official SDK clients read the refusal as an ordinary assistant answer. The id is the
// caller's: randomAnswerId() for unique ones, or a fixed one where answers must be reproducible.
import { quoteJsonString } from "../json/value";
import { randomBytes } from "../api/random";

const CHARSET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/** prefix + n random letters and digits (Higress's chat ids: "chatcmpl-" + 29). */
export function randomAnswerId(prefix: string, n: i32): string {
  const b = new ArrayBuffer(n);
  randomBytes(b);
  const u = Uint8Array.wrap(b);
  let out = prefix;
  for (let i = 0; i < n; i++) out += CHARSET.charAt(<i32>(u[i] % 62));
  return out;
}

/** A non-streamed chat.completion whose one choice says `text`. */
export function openaiTextAnswer(id: string, text: string, model: string): string {
  return "{\"id\":" + quoteJsonString(id) + ",\"object\":\"chat.completion\",\"model\":" + quoteJsonString(model) +
    ",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":" + quoteJsonString(text) +
    "},\"logprobs\":null,\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":0,\"completion_tokens\":0,\"total_tokens\":0}}";
}

/** A streamed chat.completion: one content chunk, a finishing chunk, then [DONE]. */
export function openaiTextStream(id: string, text: string, model: string): string {
  const head = "data:{\"id\":" + quoteJsonString(id) + ",\"object\":\"chat.completion.chunk\",\"model\":" + quoteJsonString(model) + ",\"choices\":[{\"index\":0,\"delta\":";
  return head + "{\"role\":\"assistant\",\"content\":" + quoteJsonString(text) + "},\"logprobs\":null,\"finish_reason\":null}]}\n\n" +
    head + "{},\"logprobs\":null,\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":0,\"completion_tokens\":0,\"total_tokens\":0}}\n\n" +
    "data: [DONE]\n\n";
}

/** A non-streamed Anthropic message with one text block. */
export function anthropicTextAnswer(id: string, text: string, model: string): string {
  return "{\"id\":" + quoteJsonString(id) + ",\"type\":\"message\",\"role\":\"assistant\",\"model\":" + quoteJsonString(model) +
    ",\"content\":[{\"type\":\"text\",\"text\":" + quoteJsonString(text) + "}],\"stop_reason\":\"end_turn\",\"stop_sequence\":null,\"usage\":{\"input_tokens\":0,\"output_tokens\":0}}";
}

function event(name: string, data: string): string { return "event: " + name + "\ndata: " + data + "\n\n"; }

/** A whole Anthropic message stream carrying `text` in one delta. */
export function anthropicTextStream(id: string, text: string, model: string): string {
  return event("message_start", "{\"type\":\"message_start\",\"message\":{\"id\":" + quoteJsonString(id) + ",\"type\":\"message\",\"role\":\"assistant\",\"model\":" + quoteJsonString(model) +
      ",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":0,\"output_tokens\":0}}}") +
    event("content_block_start", "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}") +
    event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":" + quoteJsonString(text) + "}}") +
    event("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}") +
    event("message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":0}}") +
    event("message_stop", "{\"type\":\"message_stop\"}");
}

/**
 * The end of an Anthropic stream that already started (a refusal in the middle of an answer):
 * close the open block (-1: none), one text block at `nextIndex` with `text`, then
 * message_delta (end_turn) and message_stop.
 */
export function anthropicTextStreamTail(text: string, openBlock: i32, nextIndex: i32): string {
  let out = "";
  if (openBlock >= 0) out += event("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":" + openBlock.toString() + "}");
  const i = nextIndex.toString();
  return out +
    event("content_block_start", "{\"type\":\"content_block_start\",\"index\":" + i + ",\"content_block\":{\"type\":\"text\",\"text\":\"\"}}") +
    event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":" + i + ",\"delta\":{\"type\":\"text_delta\",\"text\":" + quoteJsonString(text) + "}}") +
    event("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":" + i + "}") +
    event("message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":0}}") +
    event("message_stop", "{\"type\":\"message_stop\"}");
}
