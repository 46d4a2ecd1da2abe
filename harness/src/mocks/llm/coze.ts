// Coze's chat API v3 (POST https://api.coze.cn/v3/chat[?conversation_id=…]), checked as Coze
// checks it: `Authorization: Bearer <personal access token>` (missing or unknown → 401, Coze's
// code 4100); a JSON body with `bot_id` (a bot this token may use) and `user_id` strings,
// `additional_messages` an array of {role: user|assistant, content, content_type: text} when
// given, `stream` a boolean, and a non-streamed chat needs `auto_save_history` true (Coze's rule).
// Errors are Coze's `{"code", "msg"}`: 401 for auth, otherwise HTTP 200 with a non-zero code.
// Answers: a non-streamed chat is only created (`data.status: "in_progress"`, the answer is
// fetched later through other APIs); a streamed one sends Coze's events (`event:` + `data:` with no
// space, as Coze writes them): conversation.chat.created, conversation.message.delta pieces,
// conversation.message.completed, conversation.chat.completed with usage, and `done`.
// The bot echoes the last user message: "Echo: <text>".
import { type Answer, type Family, type MockRequest, MockError, header, countTokens, answerPieces } from "./common.js";

/** Tokens and the bots they may use. */
export const COZE_TOKENS: Record<string, string[]> = { "pat_sluice": ["7342998842093764620"] };
export const COZE_BOT = "7342998842093764620";
const CREATED_AT = 1718792949;

function cozeError(code: number, msg: string, status = 200): never {
  throw new MockError(status, msg, String(code));
}

let seq = 0;
const id = () => String(7400000000000000000n + BigInt(++seq));

export const cozeFamily: Family = {
  name: "coze",
  errorBody(status, message, code) {
    if (status === 429) return { code: 4013, msg: "Your request rate is too high. Please reduce the request frequency." };
    if (status >= 500 && !/^\d+$/.test(code)) return { code: 5000, msg: "The service is temporarily unavailable. Please try again later." };
    return { code: /^\d+$/.test(code) ? Number(code) : 4000, msg: message };
  },
  handle(req: MockRequest): Answer {
    const [path, query = ""] = req.path.split("?");
    if (path !== "/v3/chat") throw new MockError(404, "404 page not found", "4004");
    if (req.method !== "POST") throw new MockError(405, "method not allowed", "4000");
    const auth = header(req, "authorization") ?? "";
    const bots = auth.startsWith("Bearer ") ? COZE_TOKENS[auth.slice(7)] : undefined;
    if (!bots) cozeError(4100, "authentication is invalid", 401);
    const b = req.body;
    if (!b || typeof b !== "object" || Array.isArray(b)) cozeError(4000, "The requested parameter is invalid");
    if (typeof b.bot_id !== "string" || b.bot_id.length === 0) cozeError(4000, "Invalid parameter: bot_id is required");
    if (typeof b.user_id !== "string" || b.user_id.length === 0) cozeError(4000, "Invalid parameter: user_id is required");
    if (!bots.includes(b.bot_id)) cozeError(4015, "The bot_id you entered is not published to the Agent as API channel.");
    if (b.stream !== undefined && typeof b.stream !== "boolean") cozeError(4000, "Invalid parameter: stream");
    const msgs = b.additional_messages ?? [];
    if (!Array.isArray(msgs)) cozeError(4000, "Invalid parameter: additional_messages");
    for (const m of msgs) {
      if (!m || (m.role !== "user" && m.role !== "assistant")) cozeError(4000, "Invalid parameter: additional_messages.role");
      if (typeof m.content !== "string") cozeError(4000, "Invalid parameter: additional_messages.content");
      if (m.content_type !== undefined && m.content_type !== "text" && m.content_type !== "object_string" && m.content_type !== "card") cozeError(4000, "Invalid parameter: additional_messages.content_type");
    }
    const stream = b.stream === true;
    if (!stream && b.auto_save_history === false) cozeError(4000, "auto_save_history must be true when stream is false");
    const conv = new URLSearchParams(query).get("conversation_id") ?? id();
    const chat = { id: id(), conversation_id: conv, bot_id: b.bot_id, created_at: CREATED_AT, last_error: { code: 0, msg: "" } };
    const last = [...msgs].reverse().find((m: { role: string }) => m.role === "user")?.content ?? "";
    const pieces = answerPieces(last);
    const answer = pieces.join("");
    const input = msgs.reduce((n: number, m: { content: string }) => n + countTokens(m.content), 0), output = countTokens(answer);
    const usage = { prompt_tokens: input, completion_tokens: output, total_tokens: input + output };
    if (!stream) return { kind: "json", body: { data: { ...chat, status: "in_progress" }, code: 0, msg: "" } };
    const ev = (name: string, data: unknown) => `event:${name}\ndata:${typeof data === "string" ? data : JSON.stringify(data)}\n\n`;
    const msg = { id: id(), conversation_id: conv, bot_id: b.bot_id, role: "assistant", type: "answer", content_type: "text", chat_id: chat.id };
    let out = ev("conversation.chat.created", { ...chat, status: "created" });
    out += ev("conversation.chat.in_progress", { ...chat, status: "in_progress" });
    for (const p of pieces) out += ev("conversation.message.delta", { ...msg, content: p });
    out += ev("conversation.message.completed", { ...msg, content: answer });
    out += ev("conversation.chat.completed", { ...chat, status: "completed", completed_at: CREATED_AT + 2, usage: { token_count: input + output, output_count: output, input_count: input } });
    out += ev("done", '"[DONE]"');
    return { kind: "stream", contentType: "text/event-stream", data: Buffer.from(out), usage };
  },
};
