// Anthropic Messages API (POST /v1/messages): x-api-key + anthropic-version, strict roles and
// block types, tool_use/tool_result pairing; answers as a message or the documented event
// stream (message_start, content_block_*, message_delta, message_stop, with pings).
import { type Answer, type Family, type MockRequest, type NormalUsage, bad, need, header, countTokens, answerPieces, wantsReasoning, REASONING, validKey, sse } from "./common.js";
import { type Turn, usageFor, TOOL_ARGS } from "./openai.js";

const TOP_LEVEL = new Set(["model", "messages", "max_tokens", "system", "stream", "temperature", "top_p", "top_k", "stop_sequences", "tools", "tool_choice", "thinking", "metadata", "service_tier", "container", "mcp_servers"]);
const BLOCKS = new Set(["text", "image", "tool_use", "tool_result", "thinking", "redacted_thinking", "document"]);

function blockText(c: unknown): string {
  if (typeof c === "string") return c;
  if (Array.isArray(c)) return c.map((b: any) => (b?.type === "text" ? b.text : b?.type === "tool_result" ? blockText(b.content) : "")).join(" ");
  return "";
}

function validate(body: any): Turn {
  need(body && typeof body === "object", "body must be a JSON object");
  need(typeof body.model === "string" && body.model.length > 0, "model: Field required");
  need(Number.isInteger(body.max_tokens) && body.max_tokens > 0, "max_tokens: Field required");
  need(Array.isArray(body.messages) && body.messages.length > 0, "messages: at least one message is required");
  if (body.system !== undefined) need(typeof body.system === "string" || Array.isArray(body.system), "system: Input should be a valid string or list");
  const toolIds = new Set<string>();
  for (const [i, m] of body.messages.entries()) {
    need(m.role === "user" || m.role === "assistant", `messages.${i}.role: Input should be 'user' or 'assistant'`);
    need(i > 0 || m.role === "user", "messages: first message must use the \"user\" role");
    if (i > 0) need(body.messages[i - 1].role !== m.role, `messages: roles must alternate between "user" and "assistant", but found multiple "${m.role}" roles in a row`);
    need(typeof m.content === "string" || Array.isArray(m.content), `messages.${i}.content: Input should be a valid string or list`);
    if (Array.isArray(m.content)) {
      for (const b of m.content) {
        need(b && BLOCKS.has(b.type), `messages.${i}.content: Input tag '${b?.type}' found using 'type' does not match any of the expected tags`);
        if (b.type === "tool_use") { need(m.role === "assistant" && typeof b.id === "string" && typeof b.name === "string" && typeof b.input === "object", "invalid tool_use block"); toolIds.add(b.id); }
        if (b.type === "tool_result") need(m.role === "user" && toolIds.has(b.tool_use_id), `messages.${i}: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${b.tool_use_id}`);
        if (b.type === "image") need(b.source && (b.source.type === "base64" && typeof b.source.data === "string" && typeof b.source.media_type === "string" || b.source.type === "url"), "invalid image source");
        if (b.type === "text") need(typeof b.text === "string", "text block needs text");
      }
    }
  }
  if (body.stream !== undefined) need(typeof body.stream === "boolean", "stream: Input should be a valid boolean");
  if (body.tools !== undefined) for (const t of body.tools) need(typeof t.name === "string" && t.input_schema && typeof t.input_schema === "object", "tools: each tool needs name and input_schema");
  if (body.thinking !== undefined) need(body.thinking.type === "enabled" && body.thinking.budget_tokens >= 1024 || body.thinking.type === "disabled", "thinking.budget_tokens: must be >= 1024");
  for (const k of Object.keys(body)) need(TOP_LEVEL.has(k), `${k}: Extra inputs are not permitted`);
  const msgs: any[] = body.messages;
  const last = msgs[msgs.length - 1];
  const lastUserMsg = [...msgs].reverse().find((m) => m.role === "user" && (typeof m.content === "string" || m.content.some((b: any) => b.type === "text")));
  const prompt = [blockText(body.system), ...msgs.map((m) => blockText(m.content))].join(" ");
  const turn: Turn = { model: body.model, prompt, lastUser: lastUserMsg ? blockText(Array.isArray(lastUserMsg.content) ? lastUserMsg.content.filter((b: any) => b.type === "text") : lastUserMsg.content) : "", reasoning: wantsReasoning(body.model) || body.thinking?.type === "enabled" };
  const lastResult = Array.isArray(last.content) ? last.content.find((b: any) => b.type === "tool_result") : undefined;
  if (lastResult) turn.toolResult = blockText(lastResult.content);
  else if (Array.isArray(body.tools) && body.tools.length > 0) turn.toolName = body.tools[0].name;
  return turn;
}

export const anthropicFamily: Family = {
  name: "anthropic",
  errorBody(status, message) {
    const type = status === 401 ? "authentication_error" : status === 429 ? "rate_limit_error" : status === 404 ? "not_found_error" : status >= 500 ? "api_error" : "invalid_request_error";
    return { type: "error", error: { type, message } };
  },
  handle(req: MockRequest): Answer {
    const path = req.path.split("?")[0];
    if (path !== "/v1/messages" && path !== "/v1/messages/count_tokens") bad(`Not found: ${req.path}`, 404);
    need(req.method === "POST", "POST required");
    if ((header(req, "host") ?? "") !== "api.anthropic.com") bad("unknown host", 404);
    if (!validKey(header(req, "x-api-key"))) bad("invalid x-api-key", 401);
    need(/^\d{4}-\d{2}-\d{2}$/.test(header(req, "anthropic-version") ?? ""), "anthropic-version: header is required");
    const body = req.body;
    if (path === "/v1/messages/count_tokens") {
      need(typeof body?.model === "string" && Array.isArray(body?.messages), "model and messages are required");
      const prompt = [blockText(body.system), ...body.messages.map((m: any) => blockText(m.content))].join(" ");
      return { kind: "json", body: { input_tokens: countTokens(prompt) + 3 } };
    }
    const turn = validate(body);
    const u = usageFor(turn);
    const cacheRead = 4;
    // Anthropic's input_tokens excludes cache reads; normalised prompt = input + cache.
    const usage: NormalUsage = { prompt_tokens: u.prompt + cacheRead, completion_tokens: u.completion, total_tokens: u.prompt + cacheRead + u.completion, cached_tokens: cacheRead };
    const wireUsage = { input_tokens: u.prompt, output_tokens: u.completion, cache_read_input_tokens: cacheRead, cache_creation_input_tokens: 0 };
    const id = "msg_mock" + Math.floor(Math.random() * 1e9);
    const toolCall = turn.toolName !== undefined && turn.toolResult === undefined;
    const text = turn.toolResult !== undefined ? `Tool said: ${turn.toolResult}` : answerPieces(turn.lastUser).join("");
    const stop = toolCall ? "tool_use" : "end_turn";
    if (!body.stream) {
      const content: any[] = [];
      if (turn.reasoning) content.push({ type: "thinking", thinking: REASONING, signature: "sig-mock" });
      if (toolCall) content.push({ type: "tool_use", id: "toolu_mock1", name: turn.toolName, input: TOOL_ARGS });
      else content.push({ type: "text", text });
      return { kind: "json", usage, body: { id, type: "message", role: "assistant", model: body.model, content, stop_reason: stop, stop_sequence: null, usage: wireUsage } };
    }
    const ev = (type: string, data: object) => sse(JSON.stringify({ type, ...data }), type);
    let out = ev("message_start", { message: { id, type: "message", role: "assistant", model: body.model, content: [], stop_reason: null, stop_sequence: null, usage: { ...wireUsage, output_tokens: 1 } } });
    out += ev("ping", {});
    let index = 0;
    if (turn.reasoning) {
      out += ev("content_block_start", { index, content_block: { type: "thinking", thinking: "", signature: "" } });
      for (const w of REASONING.split(/(?<= )/)) out += ev("content_block_delta", { index, delta: { type: "thinking_delta", thinking: w } });
      out += ev("content_block_delta", { index, delta: { type: "signature_delta", signature: "sig-mock" } });
      out += ev("content_block_stop", { index });
      index++;
    }
    if (toolCall) {
      const args = JSON.stringify(TOOL_ARGS);
      out += ev("content_block_start", { index, content_block: { type: "tool_use", id: "toolu_mock1", name: turn.toolName, input: {} } });
      out += ev("content_block_delta", { index, delta: { type: "input_json_delta", partial_json: "" } });
      out += ev("content_block_delta", { index, delta: { type: "input_json_delta", partial_json: args.slice(0, 9) } });
      out += ev("content_block_delta", { index, delta: { type: "input_json_delta", partial_json: args.slice(9) } });
      out += ev("content_block_stop", { index });
    } else {
      out += ev("content_block_start", { index, content_block: { type: "text", text: "" } });
      const pieces = turn.toolResult !== undefined ? [text] : answerPieces(turn.lastUser);
      for (const p of pieces) out += ev("content_block_delta", { index, delta: { type: "text_delta", text: p } });
      out += ev("content_block_stop", { index });
    }
    out += ev("message_delta", { delta: { stop_reason: stop, stop_sequence: null }, usage: { output_tokens: u.completion } });
    out += ev("message_stop", {});
    return { kind: "stream", contentType: "text/event-stream; charset=utf-8", data: Buffer.from(out), usage };
  },
};
