// Deny answers in the client's protocol. The text is Higress's deny body (a JSON object as a
// string) in the place each protocol carries assistant text.
import { quoteJsonString, randomBytes } from "@sluice/sdk";

const CHARSET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/** Higress's GenerateRandomChatID: "chatcmpl-" + 29 random letters and digits. */
export function randomId(prefix: string, n: i32): string {
  const b = new ArrayBuffer(n);
  randomBytes(b);
  const u = Uint8Array.wrap(b);
  let out = prefix;
  for (let i = 0; i < n; i++) out += CHARSET.charAt(<i32>(u[i] % 62));
  return out;
}

export function openaiJson(text: string): string {
  return "{\"id\": \"" + randomId("chatcmpl-", 29) + "\",\"object\":\"chat.completion\",\"model\":\"from-security-guard\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":" +
    quoteJsonString(text) + "},\"logprobs\":null,\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":0,\"completion_tokens\":0,\"total_tokens\":0}}";
}

/** One content chunk, the finishing chunk, then [DONE] (Higress's format, each event terminated). */
export function openaiSse(text: string): string {
  const id = randomId("chatcmpl-", 29);
  return "data:{\"id\":\"" + id + "\",\"object\":\"chat.completion.chunk\",\"model\":\"from-security-guard\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":" + quoteJsonString(text) + "},\"logprobs\":null,\"finish_reason\":null}]}\n\n" +
    "data:{\"id\":\"" + id + "\",\"object\":\"chat.completion.chunk\",\"model\":\"from-security-guard\",\"choices\":[{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":0,\"completion_tokens\":0,\"total_tokens\":0}}\n\n" +
    "data: [DONE]\n\n";
}

export function anthropicJson(text: string): string {
  return "{\"id\":\"" + randomId("msg_", 24) + "\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"from-security-guard\",\"content\":[{\"type\":\"text\",\"text\":" + quoteJsonString(text) +
    "}],\"stop_reason\":\"end_turn\",\"stop_sequence\":null,\"usage\":{\"input_tokens\":0,\"output_tokens\":0}}";
}

function ev(name: string, data: string): string { return "event: " + name + "\ndata: " + data + "\n\n"; }

/** A whole Anthropic message stream carrying the text in one delta. */
export function anthropicSse(text: string): string {
  return ev("message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"" + randomId("msg_", 24) + "\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"from-security-guard\",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":0,\"output_tokens\":0}}}") +
    ev("content_block_start", "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}") +
    ev("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":" + quoteJsonString(text) + "}}") +
    ev("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}") +
    ev("message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":0}}") +
    ev("message_stop", "{\"type\":\"message_stop\"}");
}

/**
 * The end of an Anthropic stream that already started: close the open block, one text block with
 * the deny text, then message_delta (end_turn) and message_stop.
 */
export function anthropicSseTail(text: string, openBlock: i32, nextIndex: i32): string {
  let out = "";
  if (openBlock >= 0) out += ev("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":" + openBlock.toString() + "}");
  const i = nextIndex.toString();
  return out +
    ev("content_block_start", "{\"type\":\"content_block_start\",\"index\":" + i + ",\"content_block\":{\"type\":\"text\",\"text\":\"\"}}") +
    ev("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":" + i + ",\"delta\":{\"type\":\"text_delta\",\"text\":" + quoteJsonString(text) + "}}") +
    ev("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":" + i + "}") +
    ev("message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":0}}") +
    ev("message_stop", "{\"type\":\"message_stop\"}");
}
