// Alibaba Cloud DashScope (Qwen): the native text-generation API
// (/api/v1/services/aigc/text-generation/generation, SSE with X-DashScope-SSE: enable,
// incremental_output) and text-embedding API, plus compatible mode (/compatible-mode/v1/…),
// which is OpenAI's wire format and is delegated to the OpenAI-compatible family.
import { type Answer, type Family, type MockRequest, type NormalUsage, bad, need, header, answerPieces, REASONING, validKey, wantsReasoning, countTokens } from "./common.js";
import { type Turn, usageFor, TOOL_ARGS, embeddingOf, openaiFamily } from "./openai.js";

const ROLES = new Set(["system", "user", "assistant", "tool"]);
const PARAMS = new Set(["result_format", "max_tokens", "temperature", "top_p", "top_k", "seed", "n", "stop", "tools", "tool_choice", "incremental_output", "enable_search", "presence_penalty", "repetition_penalty", "enable_thinking", "thinking_budget", "parallel_tool_calls"]);

function textOf(c: unknown): string {
  if (typeof c === "string") return c;
  if (Array.isArray(c)) return c.map((p: any) => p?.text ?? "").join("");
  return "";
}

function validate(body: any): Turn {
  need(body && typeof body === "object", "body must be JSON");
  need(typeof body.model === "string" && body.model.length > 0, "Model not exist.");
  need(body.input && Array.isArray(body.input.messages) && body.input.messages.length > 0, "Input should be a valid dict with messages");
  const ids = new Set<string>();
  for (const m of body.input.messages) {
    need(ROLES.has(m.role), `Role must be in [system, user, assistant, tool], got ${m.role}`);
    need(typeof m.content === "string" || Array.isArray(m.content) || (m.role === "assistant" && m.tool_calls), "content must be a string");
    if (m.tool_calls) for (const t of m.tool_calls) ids.add(t.id);
    if (m.role === "tool") need(ids.has(m.tool_call_id) || typeof m.tool_call_id === "string", "tool message needs tool_call_id");
  }
  const p = body.parameters ?? {};
  for (const k of Object.keys(p)) need(PARAMS.has(k), `parameters.${k} is not supported`);
  need(p.result_format === undefined || p.result_format === "message" || p.result_format === "text", "result_format must be text or message");
  if (p.incremental_output !== undefined) need(typeof p.incremental_output === "boolean", "incremental_output must be a boolean");
  const msgs: any[] = body.input.messages;
  const last = msgs[msgs.length - 1];
  const lastUser = [...msgs].reverse().find((m) => m.role === "user");
  const turn: Turn = { model: body.model, prompt: msgs.map((m) => textOf(m.content)).join(" "), lastUser: textOf(lastUser?.content), reasoning: wantsReasoning(body.model) };
  if (last.role === "tool") turn.toolResult = textOf(last.content);
  else if (Array.isArray(p.tools) && p.tools.length > 0) turn.toolName = p.tools[0].function?.name;
  return turn;
}

function sseEvent(id: number, data: object): string {
  return `id:${id}\nevent:result\n:HTTP_STATUS/200\ndata:${JSON.stringify(data)}\n\n`;
}

export const dashscopeFamily: Family = {
  name: "dashscope",
  errorBody(status, message, code) {
    if (status === 429) return { code: "Throttling.RateQuota", message: "Requests rate limit exceeded, please try again later.", request_id: "req-mock" };
    if (status === 401) return { code: "InvalidApiKey", message, request_id: "req-mock" };
    if (status >= 500) return { code: "InternalError", message, request_id: "req-mock" };
    return { code: code && code !== "invalid_request_error" ? code : "InvalidParameter", message, request_id: "req-mock" };
  },
  handle(req: MockRequest): Answer {
    const host = header(req, "host") ?? "";
    if (host !== "dashscope.aliyuncs.com" && host !== "dashscope-intl.aliyuncs.com") bad("unknown host", 404);
    const path = req.path.split("?")[0];
    if (path.startsWith("/compatible-mode/")) {
      const r = openaiFamily.handle(req);
      return r;
    }
    const auth = header(req, "authorization") ?? "";
    if (!auth.startsWith("Bearer ") || !validKey(auth.slice(7))) bad("Invalid API-key provided.", 401, "InvalidApiKey");
    need(req.method === "POST", "POST required");
    const body = req.body;
    if (path === "/api/v1/services/embeddings/text-embedding/text-embedding") {
      need(typeof body?.model === "string", "Model not exist.");
      need(Array.isArray(body?.input?.texts), "input.texts is required");
      const tokens = body.input.texts.reduce((n: number, s: string) => n + countTokens(s), 0);
      return { kind: "json", usage: { prompt_tokens: tokens, completion_tokens: 0, total_tokens: tokens }, body: { output: { embeddings: body.input.texts.map((t: string, i: number) => ({ text_index: i, embedding: embeddingOf(t) })) }, usage: { total_tokens: tokens }, request_id: "req-mock-emb" } };
    }
    if (path !== "/api/v1/services/aigc/text-generation/generation" && path !== "/api/v1/services/aigc/multimodal-generation/generation") bad(`Url not found: ${path}`, 404, "NotFound");
    const turn = validate(body);
    const u = usageFor(turn);
    const usage: NormalUsage = { prompt_tokens: u.prompt, completion_tokens: u.completion, total_tokens: u.prompt + u.completion, cached_tokens: 0 };
    if (u.reasoning) usage.reasoning_tokens = u.reasoning;
    const wire = (out: number) => ({ input_tokens: u.prompt, output_tokens: out, total_tokens: u.prompt + out, ...(u.reasoning ? { output_tokens_details: { reasoning_tokens: u.reasoning } } : {}) });
    const toolCall = turn.toolName !== undefined && turn.toolResult === undefined;
    const text = turn.toolResult !== undefined ? `Tool said: ${turn.toolResult}` : answerPieces(turn.lastUser).join("");
    const requestId = "req-mock-" + Math.floor(Math.random() * 1e9);
    const call = { index: 0, id: "call_mock1", type: "function", function: { name: turn.toolName, arguments: JSON.stringify(TOOL_ARGS) } };
    const sseOn = (header(req, "x-dashscope-sse") ?? "").toLowerCase() === "enable";
    if (!sseOn) {
      const message: any = { role: "assistant", content: toolCall ? "" : text };
      if (turn.reasoning) message.reasoning_content = REASONING;
      if (toolCall) message.tool_calls = [call];
      return { kind: "json", usage, body: { output: { choices: [{ finish_reason: toolCall ? "tool_calls" : "stop", message }] }, usage: wire(u.completion), request_id: requestId } };
    }
    const incremental = body.parameters?.incremental_output === true;
    const deltas: any[] = [];
    if (turn.reasoning) for (const w of REASONING.split(/(?<= )/)) deltas.push({ role: "assistant", content: "", reasoning_content: w });
    if (toolCall) deltas.push({ role: "assistant", content: "", tool_calls: [call] });
    else for (const p of turn.toolResult !== undefined ? [text] : answerPieces(turn.lastUser)) deltas.push({ role: "assistant", content: p });
    let out = "";
    let acc = "";
    deltas.forEach((d, i) => {
      const final = i === deltas.length - 1;
      acc += d.content;
      const message = incremental ? d : { ...d, content: acc };
      const produced = final ? u.completion : Math.min(u.completion, i + 1);
      out += sseEvent(i + 1, { output: { choices: [{ message, finish_reason: final ? (toolCall ? "tool_calls" : "stop") : "null" }] }, usage: wire(produced), request_id: requestId });
    });
    return { kind: "stream", contentType: "text/event-stream;charset=UTF-8", data: Buffer.from(out), usage };
  },
};
