// MiniMax's ChatCompletion Pro API (POST https://api.minimax.chat/v1/text/chatcompletion_pro?GroupId=<group>),
// reached through the OpenAI-compatible family's server (the host is the one of MiniMax's v2 API;
// openai.ts hands this path over). Checked as MiniMax documents it: `Authorization: Bearer <key>`,
// the account's `GroupId` in the query, a JSON body with `model` (an abab model), `messages`
// [{sender_type USER|BOT|FUNCTION, sender_name, text}], `bot_setting` [{bot_name, content}] and
// `reply_constraints` {sender_type "BOT", sender_name: one of bot_setting's bot names};
// tokens_to_generate a positive integer, temperature and top_p in (0, 1]. Parameters the Pro API
// does not document are refused (MiniMax ignores them) so an OpenAI field leaking through is caught.
//
// Errors are what MiniMax sends: HTTP 200 with `base_resp: {status_code, status_msg}` (1002 rate
// limit, 1004 authentication, 1013 internal error, 2013 invalid parameters). The answer echoes the
// last USER text; usage is `{total_tokens}` only, as MiniMax reports it. A stream sends one event per
// piece (`reply: ""`, the piece as the message's text), then the last event with finish_reason,
// the whole reply (in `reply` and as the message's text again), usage, id and base_resp, and ends
// (no [DONE]).
import { type Answer, type MockRequest, bad, need, header, countTokens, answerPieces, validKey, sse } from "./common.js";

export const MINIMAX_HOST = "api.minimax.chat";
export const MINIMAX_PRO_PATH = "/v1/text/chatcompletion_pro";
/** Group ids the mock's accounts have. */
export const MINIMAX_GROUPS = new Set(["1", "1782658868262748467"]);
const MODELS = new Set(["abab5.5-chat", "abab5.5s-chat", "abab6-chat", "abab6.5-chat", "abab6.5s-chat", "abab6.5g-chat", "abab6.5t-chat"]);
const PARAMS = new Set(["model", "stream", "tokens_to_generate", "temperature", "top_p", "mask_sensitive_info", "messages", "bot_setting", "reply_constraints", "sample_messages", "plugins", "glyph", "functions", "function_call"]);
const SENDERS = new Set(["USER", "BOT", "FUNCTION"]);

export function isMinimaxPro(req: MockRequest | undefined): boolean {
  return !!req && header(req, "host") === MINIMAX_HOST && req.path.split("?")[0] === MINIMAX_PRO_PATH;
}

/** MiniMax's error answer (always HTTP 200) for a status the mock failed with. */
export function minimaxProError(status: number, message: string): unknown {
  const code = status === 429 ? 1002 : status === 401 ? 1004 : status >= 500 ? 1013 : 2013;
  const msg = status === 429 ? "rate limit exceeded(RPM)" : status >= 500 ? "internal service error" : message;
  return { created: 0, model: "", reply: "", choices: null, base_resp: { status_code: code, status_msg: msg } };
}

const inRange = (v: unknown) => typeof v === "number" && v > 0 && v <= 1;

export function minimaxPro(req: MockRequest): Answer {
  need(req.method === "POST", "invalid params, method must be POST");
  const auth = header(req, "authorization") ?? "";
  if (!auth.startsWith("Bearer ") || !validKey(auth.slice(7))) bad("login fail: Please carry the API secret key in the 'Authorization' field of the request header", 401);
  const group = new URLSearchParams(req.path.split("?")[1] ?? "").get("GroupId");
  if (!group || !MINIMAX_GROUPS.has(group)) bad("token not match group", 401);
  need((header(req, "content-type") ?? "").startsWith("application/json"), "invalid params, content-type must be application/json");
  const b = req.body;
  need(b && typeof b === "object" && !Array.isArray(b), "invalid params, body must be a JSON object");
  for (const k of Object.keys(b)) need(PARAMS.has(k), `invalid params, unknown field ${k}`);
  need(typeof b.model === "string" && MODELS.has(b.model), `invalid params, model ${b.model} is not supported`);
  need(b.stream === undefined || typeof b.stream === "boolean", "invalid params, stream must be a boolean");
  need(b.mask_sensitive_info === undefined || typeof b.mask_sensitive_info === "boolean", "invalid params, mask_sensitive_info must be a boolean");
  need(b.tokens_to_generate === undefined || (Number.isInteger(b.tokens_to_generate) && b.tokens_to_generate > 0), "invalid params, tokens_to_generate must be a positive integer");
  need(b.temperature === undefined || inRange(b.temperature), "invalid params, temperature must be in (0, 1]");
  need(b.top_p === undefined || inRange(b.top_p), "invalid params, top_p must be in (0, 1]");
  need(Array.isArray(b.messages) && b.messages.length > 0, "invalid params, messages is required");
  for (const m of b.messages) {
    need(m && typeof m === "object" && SENDERS.has(m.sender_type), "invalid params, sender_type must be USER, BOT or FUNCTION");
    need(typeof m.sender_name === "string" && m.sender_name.length > 0, "invalid params, sender_name is required");
    need(typeof m.text === "string", "invalid params, text must be a string");
  }
  need(Array.isArray(b.bot_setting) && b.bot_setting.length > 0, "invalid params, bot_setting is required");
  for (const s of b.bot_setting) need(s && typeof s.bot_name === "string" && s.bot_name.length > 0 && typeof s.content === "string" && s.content.length > 0, "invalid params, bot_setting needs bot_name and content");
  const rc = b.reply_constraints;
  need(rc && typeof rc === "object" && rc.sender_type === "BOT", "invalid params, reply_constraints.sender_type must be BOT");
  need(b.bot_setting.some((s: any) => s.bot_name === rc.sender_name), "invalid params, reply_constraints.sender_name must be one of bot_setting's bot_name");

  const lastUser = [...b.messages].reverse().find((m: any) => m.sender_type === "USER")?.text ?? "";
  const pieces = answerPieces(lastUser);
  const reply = pieces.join("");
  const input = [...b.bot_setting.map((s: any) => s.content), ...b.messages.map((m: any) => m.text)].join(" ");
  const total = countTokens(input) + countTokens(reply);
  const usage = { prompt_tokens: 0, completion_tokens: 0, total_tokens: total };
  const created = 1700000000;
  const id = "0106b3bc9fd844a9f3de1aa06004e2ab";
  const message = (text: string) => ({ sender_type: "BOT", sender_name: rc.sender_name, text });
  const last = { created, model: b.model, reply, choices: [{ finish_reason: "stop", messages: [message(reply)] }], usage: { total_tokens: total }, input_sensitive: false, output_sensitive: false, id, base_resp: { status_code: 0, status_msg: "" } };
  if (!b.stream) return { kind: "json", usage, body: last };
  let out = "";
  for (const p of pieces) out += sse(JSON.stringify({ created, model: b.model, reply: "", choices: [{ messages: [message(p)] }], output_sensitive: false }));
  out += sse(JSON.stringify(last));
  return { kind: "stream", contentType: "text/event-stream", data: Buffer.from(out), usage };
}
