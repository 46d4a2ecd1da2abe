// The case table of ai-statistics: ai_log (tokens, model, latencies, attributes from every
// value_source — fixed, request/response headers, request/response bodies, streaming bodies with
// first/replace/append — builtins question/answer, defaults, value_length_limit, span tags and
// separate log fields), the same log however an SSE answer is chunked, enable_path_suffixes (and
// the LLM APIs recorded whatever it says), and counters under Higress's names. Each row's upstream
// answer is scripted; rows run in order on a real Envoy (ai_log read from its access log) and on
// the emulator, both targets, through harness/src/plugin-table.ts.
import { expect } from "vitest";
import type { Observed, PluginTable, Row } from "../../../harness/src/plugin-table.js";
import type { UpstreamAnswer } from "../../../harness/src/upstream.js";

export const attributes = [
  { key: "team", value_source: "fixed_value", value: "blue", apply_to_log: true },
  { key: "user_agent", value_source: "request_header", value: "user-agent", apply_to_log: true, apply_to_span: true },
  { key: "temperature", value_source: "request_body", value: "temperature", apply_to_log: true },
  { key: "first_message_role", value_source: "request_body", value: "messages.0.role", apply_to_log: true },
  { key: "question", apply_to_log: true },
  { key: "upstream_server", value_source: "response_header", value: "x-mock-family", default_value: "unknown", apply_to_log: true },
  { key: "finish", value_source: "response_body", value: "choices.0.finish_reason", apply_to_log: true },
  { key: "answer", apply_to_log: true, rule: "append" },
  { key: "stream_id_first", value_source: "response_streaming_body", value: "id", rule: "first", apply_to_log: true },
  { key: "stream_finish", value_source: "response_streaming_body", value: "choices.0.finish_reason", rule: "replace", apply_to_log: true },
  { key: "long", value_source: "fixed_value", value: "x".repeat(50), apply_to_log: true },
  { key: "sep", value_source: "fixed_value", value: 'separate "value"', apply_to_log: true, as_separate_log_field: true },
];
const config = { attributes, value_length_limit: 20, enable_path_suffixes: ["/completions"] };
const METRIC = (model: string, consumer: string, name: string) => `route.default.upstream.up.model.${model}.consumer.${consumer}.metric.${name}`;

const chatBody = (extra: Record<string, unknown> = {}) => JSON.stringify({ model: "gpt-4o", messages: [{ role: "user", content: "What is a token?" }], ...extra });
const json = (body: unknown, headers: Record<string, string> = {}): UpstreamAnswer => ({ headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
const plain = (headers: Record<string, string> = { "x-mock-family": "openai" }) =>
  json({ id: "chatcmpl-1", object: "chat.completion", model: "gpt-4o", choices: [{ index: 0, message: { role: "assistant", content: "A piece." }, finish_reason: "stop" }], usage: { prompt_tokens: 12, completion_tokens: 3, total_tokens: 15 } }, headers);
const SSE =
  'data: {"id":"chatcmpl-2","model":"gpt-4o","choices":[{"index":0,"delta":{"role":"assistant","content":"A "}}]}\n\n' +
  'data: {"id":"chatcmpl-2","model":"gpt-4o","choices":[{"index":0,"delta":{"content":"piece."},"finish_reason":"stop"}]}\n\n' +
  'data: {"id":"chatcmpl-2","model":"gpt-4o","choices":[],"usage":{"prompt_tokens":12,"completion_tokens":2,"total_tokens":14}}\n\n' +
  "data: [DONE]\n\n";

/** ai_log as Higress writes it: JSON escaped once (the access log prints it inside a JSON string). */
function aiLog(o: Observed): Record<string, any> | null {
  const raw = o.properties.ai_log;
  return raw === null ? null : JSON.parse(JSON.parse(`"${raw}"`));
}
const post = (path: string, body: string, answer: UpstreamAnswer, headers: [string, string][] = []) => ({
  method: "POST",
  path,
  headers: [["content-type", "application/json"], ...headers] as [string, string][],
  body,
  answer,
});

// Under value_length_limit (20), so logged whole.
const HOSTILE_QUESTION = 'a"b\\c\n\t\u0001\ud800é\u2028漢';
const HOSTILE_ANSWER = 'x\\"y\r\u001f</';

const rows: Row[] = [
  {
    name: "non-streaming: tokens, model, latency and attributes from every source; span tag and separate field",
    request: post("/v1/chat/completions", chatBody(), plain(), [["user-agent", "agent/1.0"]]),
    expect: {
      status: 200,
      check: (o) => {
        const ai = aiLog(o)!;
        expect(ai).toMatchObject({
          model: "gpt-4o", input_token: 12, output_token: 3, total_token: 15, response_type: "normal", chat_round: 1, chat_id: "chatcmpl-1",
          team: "blue", user_agent: "agent/1.0", first_message_role: "user", question: "What is a token?", finish: "stop", answer: "A piece.", upstream_server: "openai",
        });
        expect(ai.llm_service_duration).toBeGreaterThanOrEqual(0);
        expect(ai.llm_first_token_duration).toBeUndefined();
        expect(ai.temperature).toBeUndefined(); // not in the request body
        expect(ai.long).toBe("x".repeat(10) + " [truncated] " + "x".repeat(10));
        expect(ai.sep).toBeUndefined();
        expect(o.properties.sep).toBe('separate \\"value\\"');
        expect(o.properties["trace_span_tag.user_agent"]).toBe("agent/1.0");
      },
    },
  },
  {
    name: "a response header that is absent takes its default_value; a request-body value is logged",
    request: post("/v1/chat/completions", chatBody({ temperature: 0.5 }), plain({})),
    expect: { status: 200, check: (o) => expect(aiLog(o)).toMatchObject({ upstream_server: "unknown", temperature: 0.5, input_token: 12 }) },
  },
  {
    name: "value_length_limit: a longer value keeps its first and last 10 characters",
    request: post("/v1/chat/completions", JSON.stringify({ model: "gpt-4o", messages: [{ role: "user", content: "What is a token, really, in the end?" }] }), plain()),
    expect: { status: 200, check: (o) => expect(aiLog(o)).toMatchObject({ question: "What is a  [truncated] n the end?", answer: "A piece.", input_token: 12 }) },
  },
  ...[1, 3, 5, 17, SSE.length].map((n): Row => ({
    name: `streaming in ${n}-byte chunks: the same ai_log, rules first/replace/append, first-token latency`,
    request: post("/v1/chat/completions", chatBody({ stream: true }), { headers: { "content-type": "text/event-stream" }, body: SSE, chunks: Math.ceil(SSE.length / n) }),
    expect: {
      status: 200,
      body: SSE,
      check: (o) => {
        const ai = aiLog(o)!;
        expect(ai).toMatchObject({ model: "gpt-4o", input_token: 12, output_token: 2, total_token: 14, response_type: "stream", stream_id_first: "chatcmpl-2", stream_finish: "stop", answer: "A piece.", team: "blue" });
        expect(ai.llm_first_token_duration).toBeGreaterThanOrEqual(0);
        expect(ai.llm_first_token_duration).toBeLessThanOrEqual(ai.llm_service_duration);
      },
    },
  })),
  {
    name: "counters under Higress's metric names (three plain answers and five streams so far, and this one)",
    request: post("/v1/chat/completions", chatBody(), plain()),
    expect: {
      status: 200,
      check: async (o) => {
        expect(await o.metric(METRIC("gpt-4o", "none", "input_token"))).toBe(9 * 12);
        expect(await o.metric(METRIC("gpt-4o", "none", "output_token"))).toBe(4 * 3 + 5 * 2);
        expect(await o.metric(METRIC("gpt-4o", "none", "total_token"))).toBe(4 * 15 + 5 * 14);
        expect(await o.metric(METRIC("gpt-4o", "none", "llm_duration_count"))).toBe(9);
        expect(await o.metric(METRIC("gpt-4o", "none", "llm_stream_duration_count"))).toBe(5);
      },
    },
  },
  {
    name: "the consumer (X-Mse-Consumer) and model name the counters",
    request: post("/v1/chat/completions", JSON.stringify({ model: "qwen-max", messages: [{ role: "user", content: "hi there" }] }), json({ id: "c1", model: "qwen-max", choices: [{ message: { content: "ok" } }], usage: { prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 } }), [["x-mse-consumer", "alice"]]),
    expect: {
      status: 200,
      check: async (o) => {
        expect(aiLog(o)).toMatchObject({ model: "qwen-max", input_token: 7, output_token: 3, total_token: 10, chat_id: "c1", question: "hi there" });
        expect(await o.metric(METRIC("qwen-max", "alice", "input_token"))).toBe(7);
        expect(await o.metric(METRIC("qwen-max", "alice", "output_token"))).toBe(3);
        expect(await o.metric(METRIC("qwen-max", "alice", "llm_duration_count"))).toBe(1);
      },
    },
  },
  {
    // Higress reads the session from the first of its agent headers that is set, in its order
    // (x-openclaw-session-key, x-clawdbot-session-key, x-moltbot-session-key, x-agent-session);
    // the route here is named without '@', so no API is named.
    name: "session_id from the first agent session header set, in Higress's order (repeated, in another case: the first value); api '-' for a plain route name",
    request: post("/v1/chat/completions", chatBody(), plain(), [["x-agent-session", "agent-1"], ["X-Moltbot-Session-Key", "molt-1"], ["x-moltbot-session-key", "molt-2"]]),
    expect: { status: 200, check: (o) => expect(aiLog(o)).toMatchObject({ session_id: "molt-1", api: "-", input_token: 12 }) },
  },
  {
    // The plugin keeps each model and consumer's counters once made, and the last ones at hand:
    // going back to gpt-4o after alice's qwen-max must count on gpt-4o's, and leave alice's alone.
    name: "back to the first model and consumer: their counters go on, the second's stay",
    request: post("/v1/chat/completions", chatBody(), plain()),
    expect: {
      status: 200,
      check: async (o) => {
        expect(await o.metric(METRIC("gpt-4o", "none", "input_token"))).toBe(11 * 12);
        expect(await o.metric(METRIC("gpt-4o", "none", "llm_duration_count"))).toBe(11);
        expect(await o.metric(METRIC("qwen-max", "alice", "input_token"))).toBe(7);
        expect(await o.metric(METRIC("qwen-max", "alice", "llm_duration_count"))).toBe(1);
      },
    },
  },
  {
    name: "a path outside enable_path_suffixes that is no LLM API is not recorded (/v1/files)",
    request: post("/v1/files", chatBody(), plain()),
    expect: {
      status: 200,
      check: (o) => {
        const ai = aiLog(o);
        expect(ai?.input_token).toBeUndefined();
        expect(ai?.team).toBeUndefined();
      },
    },
  },
  {
    name: "listing models is not recorded",
    request: { path: "/v1/models", answer: json({ data: [] }) },
    expect: { status: 200, check: (o) => expect(aiLog(o)?.team).toBeUndefined() },
  },
  {
    name: "an LLM API outside enable_path_suffixes is still recorded (/V1/Messages/, Anthropic usage)",
    request: post("/V1/Messages/", JSON.stringify({ model: "claude", max_tokens: 5, messages: [] }), json({ type: "message", usage: { input_tokens: 9, output_tokens: 3 } })),
    expect: { status: 200, check: (o) => expect(aiLog(o)).toMatchObject({ input_token: 9, output_token: 3, team: "blue" }) },
  },
  {
    name: "embeddings are recorded whatever enable_path_suffixes says",
    request: post("/v1/embeddings", JSON.stringify({ model: "text-embedding-3-small", input: "four tokens right here" }), json({ object: "list", data: [], model: "text-embedding-3-small", usage: { prompt_tokens: 4, total_tokens: 4 } })),
    expect: { status: 200, check: (o) => expect(aiLog(o)).toMatchObject({ input_token: 4, output_token: 0, team: "blue" }) },
  },
  {
    // ai_log is serialised and escaped once as bytes (sdk/ai/log.ts): what a client or upstream
    // puts in a logged value must read back exactly. The second write of the request reads the
    // first one's escaped text back before merging (the first holds plain values here; hostile
    // values read back by a second write: test/emulator/ai-log.test.ts).
    name: "hostile logged values (quotes, backslashes, control characters, a lone surrogate, U+2028, non-ASCII) read back exactly",
    request: post("/v1/chat/completions", JSON.stringify({ model: "gpt-4o", messages: [{ role: "user", content: HOSTILE_QUESTION }] }),
      json({ id: "chatcmpl-h", object: "chat.completion", model: "gpt-4o", choices: [{ index: 0, message: { role: "assistant", content: HOSTILE_ANSWER }, finish_reason: "stop" }], usage: { prompt_tokens: 2, completion_tokens: 1, total_tokens: 3 } })),
    expect: { status: 200, check: (o) => expect(aiLog(o)).toMatchObject({ question: HOSTILE_QUESTION, answer: HOSTILE_ANSWER, chat_round: 1, input_token: 2, team: "blue" }) },
  },
];

// Without attributes that read stream events, an event is scanned only when it may carry usage
// (one light pass over its bytes): usage spelled with \u escapes, or nested under message, is read
// however the stream is cut; a content chunk that only mentions "usage" in its text changes nothing.
const SSE_SPELLED =
  'data: {"id":"chatcmpl-3","model":"gpt-4o","choices":[{"index":0,"delta":{"content":"the \\"usage\\" of"}}]}\n\n' +
  'data: {"id":"chatcmpl-3","choices":[{"index":0,"delta":{"content":"usage"},"finish_reason":"stop"}]}\n\n' +
  'data: {"id":"chatcmpl-3","choices":[],"\\u0075sage":{"prompt_tokens":7,"completion_tokens":4,"total_tokens":11}}\n\n' +
  "data: [DONE]\n\n";
const SSE_NESTED =
  'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_1","model":"claude-x","usage":{"input_tokens":5,"output_tokens":1}}}\n\n' +
  'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"hi"}}\n\n' +
  'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":6}}\n\n';
const usageRows: Row[] = [
  ...[1, 7, SSE_SPELLED.length].map((n): Row => ({
    name: `usage with an escaped key, in ${n}-byte chunks`,
    request: post("/v1/chat/completions", chatBody({ stream: true }), { headers: { "content-type": "text/event-stream" }, body: SSE_SPELLED, chunks: Math.ceil(SSE_SPELLED.length / n) }),
    expect: { status: 200, body: SSE_SPELLED, check: (o) => expect(aiLog(o)).toMatchObject({ model: "gpt-4o", chat_id: "chatcmpl-3", input_token: 7, output_token: 4, total_token: 11, response_type: "stream" }) },
  })),
  ...[1, SSE_NESTED.length].map((n): Row => ({
    name: `Anthropic stream usage (message.usage, then message_delta), in ${n}-byte chunks`,
    request: post("/v1/messages", JSON.stringify({ model: "claude-x", max_tokens: 5, stream: true, messages: [] }), { headers: { "content-type": "text/event-stream" }, body: SSE_NESTED, chunks: Math.ceil(SSE_NESTED.length / n) }),
    expect: { status: 200, body: SSE_NESTED, check: (o) => expect(aiLog(o)).toMatchObject({ model: "claude-x", chat_id: "msg_1", input_token: 5, output_token: 6, total_token: 11 }) },
  })),
];

export const table: PluginTable = {
  plugin: "ai-statistics",
  groups: [
    { name: "ai_log, attributes, streams, counters, paths", config, properties: ["ai_log", "sep", "trace_span_tag.user_agent"], rows },
    { name: "stream usage read on bytes (no stream attributes)", config: {}, properties: ["ai_log"], rows: usageRows },
  ],
};
