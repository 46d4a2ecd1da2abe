// Shared data of ai-data-masking's tests: a prompt with a phone number, an e-mail address and an
// ID number, the masks Higress's rules make of them, and provider answers that repeat the masks.
import { createHash } from "node:crypto";

export const PHONE = "13800138000";
export const EMAIL = "alice.smith@example.com";
export const ID = "110105194912310021";
export const md5 = (s: string) => createHash("md5").update(s).digest("hex");
export const MASK_PHONE = md5(PHONE);
export const MASK_EMAIL = "****@example.com";
export const MASK_ID = md5(ID);

/** IDCARD first: MOBILE (8–11 digits) would otherwise take the ID number's first digits. */
export const CONFIG = {
  deny_words: ["project-omega"],
  replace_roles: [
    { regex: "%{IDCARD}", type: "hash", restore: true },
    { regex: "%{MOBILE}", type: "hash", restore: true },
    { regex: "%{EMAILLOCALPART}@%{HOSTNAME:domain}", type: "replace", restore: true, value: "****@$domain" },
  ],
};

export const PROMPT = `Call me on ${PHONE}, write to ${EMAIL}; my ID is ${ID}.`;
export const MASKED_PROMPT = `Call me on ${MASK_PHONE}, write to ${MASK_EMAIL}; my ID is ${MASK_ID}.`;
export const chat = (content: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ model: "gpt-4o", messages: [{ role: "system", content: "Be brief." }, { role: "user", content }], ...extra });

/** What a provider says back, the masks in it as the provider saw them. */
export const answerText = (phone: string, email: string, id: string) => `Noted: phone ${phone}, mail ${email}, ID ${id}. Bye.`;
export const MASKED_ANSWER = answerText(MASK_PHONE, MASK_EMAIL, MASK_ID);
export const CLEAR_ANSWER = answerText(PHONE, EMAIL, ID);

/** An OpenAI stream whose deltas cut the text into pieces of `step` characters. */
export function openaiStream(text: string, step = 12): string {
  return openaiStreamOf(pieces(text, step));
}

/** An OpenAI stream with one delta per piece. */
export function openaiStreamOf(deltas: string[]): string {
  const head = (delta: string, finish: string | null) =>
    `data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":${delta},"finish_reason":${finish === null ? "null" : JSON.stringify(finish)}}]}\n\n`;
  let out = head(`{"role":"assistant","content":""}`, null);
  // Whole masks stay inside one delta (a provider's tokens split them; that is the next test's case).
  for (const piece of deltas) out += head(JSON.stringify({ content: piece }), null);
  return out + head("{}", "stop") + "data: [DONE]\n\n";
}

/** An Anthropic /v1/messages stream with the text in content_block_delta events. */
export function anthropicStream(text: string, step = 12): string {
  return anthropicStreamOf(pieces(text, step));
}

/** An Anthropic stream with one content_block_delta per piece. */
export function anthropicStreamOf(deltas: string[]): string {
  const ev = (name: string, data: unknown) => `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
  let out = ev("message_start", { type: "message_start", message: { id: "msg_1", type: "message", role: "assistant", model: "claude-haiku-4-5", content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 9, output_tokens: 1 } } });
  out += ev("content_block_start", { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } });
  for (const piece of deltas) out += ev("content_block_delta", { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: piece } });
  out += ev("content_block_stop", { type: "content_block_stop", index: 0 });
  out += ev("message_delta", { type: "message_delta", delta: { stop_reason: "end_turn", stop_sequence: null }, usage: { output_tokens: 20 } });
  return out + ev("message_stop", { type: "message_stop" });
}

/** Cuts text at word ends roughly every `step` characters, never inside a mask. */
function pieces(text: string, step: number): string[] {
  const words = text.split(/(?<= )/);
  const out: string[] = [];
  let cur = "";
  for (const w of words) {
    cur += w;
    if (cur.length >= step) { out.push(cur); cur = ""; }
  }
  if (cur) out.push(cur);
  return out;
}

/** The stream as the client must receive it: the provider's bytes with each mask restored. */
export const restored = (stream: string) => stream.split(MASK_PHONE).join(PHONE).split(MASK_EMAIL).join(EMAIL).split(MASK_ID).join(ID);

/**
 * Streams whose last data frame ends inside what could be a mask (masking-trailers.envoy.test.ts,
 * the emulator's rows of the same): the plugin holds those bytes back until its last call.
 */
export const TAIL_STREAMS: Record<string, string> = {
  // The last frame stops inside what could be a mask: nothing to restore there.
  prefix: `data: {"choices":[{"delta":{"content":"x ${MASK_EMAIL}"}}]}\n\ndata: {"choices":[{"delta":{"content":"${MASK_EMAIL.slice(0, 6)}"}}]}`,
  // The mask is cut between the two data frames and the event has no blank line at the end.
  cut: `data: {"choices":[{"delta":{"content":"id ${MASK_ID}"}}]}`,
};

/** Where a TAIL_STREAMS stream is cut into its two data frames. */
export function tailSplit(s: string): number {
  return s.indexOf(MASK_ID) > 0 ? s.indexOf(MASK_ID) + 9 : s.length - 3;
}
