// Dify's service API for apps (https://api.dify.ai/v1 or a self-hosted Dify), checked as Dify
// checks it: `Authorization: Bearer <app key>` (missing → 401 "Authorization header must be
// provided and start with 'Bearer'", unknown key → 401 "Access token is invalid"); the app's key
// decides its mode, and the mode must match the route (POST /v1/chat-messages: chat and
// agent-chat apps; /v1/completion-messages: completion apps; /v1/workflows/run: workflow apps);
// `inputs` an object, `user` a non-empty string, `response_mode` blocking or streaming, `query` a
// non-empty string for chat apps, the app's input variables in `inputs` for the others;
// `conversation_id` (when not empty) a conversation of this app; an agent-chat app only streams.
// Errors are Dify's `{"code", "message", "status"}`.
//
// Answers are Dify's shapes: blocking JSON (message with metadata.usage, or a workflow run's
// data.outputs) and SSE events (`event: ping`, message / agent_message / agent_thought pieces and
// message_end with metadata.usage; workflow_started, node_started, node_finished, text_chunk and
// workflow_finished). The app echoes the last non-empty line of its input: "Echo: <line>".
// Input switches (that last line): "boom" streams one piece then Dify's `error` event; "crash"
// makes a workflow run fail (status "failed").
import { type Answer, type Family, type MockRequest, type NormalUsage, bad, header, countTokens, answerPieces } from "./common.js";

type Mode = "chat" | "agent-chat" | "completion" | "workflow";

/** App keys and their apps' modes. */
export const DIFY_APPS: Record<string, Mode> = { "app-chat": "chat", "app-agent": "agent-chat", "app-completion": "completion", "app-workflow": "workflow" };
/** The workflow app's input and output variables; the completion app's input variable. */
export const DIFY_WORKFLOW_VARS = { input: "question", output: "answer_text" };
const COMPLETION_VAR = "query";

const ROUTES: Record<string, (m: Mode) => boolean> = {
  "/v1/chat-messages": (m) => m === "chat" || m === "agent-chat",
  "/v1/completion-messages": (m) => m === "completion",
  "/v1/workflows/run": (m) => m === "workflow",
};

/** Conversations the chat apps started (id → app key). */
const conversations = new Map<string, string>();
let seq = 0;
const uuid = (kind: number) => {
  const n = (++seq).toString(16).padStart(12, "0");
  return `${kind.toString(16).padStart(8, "0")}-0000-4000-8000-${n}`;
};
const CREATED_AT = 1705407629;
/** The workflow app's workflow (its id is the chat.completion's id, as Higress picks it). */
export const DIFY_WORKFLOW_ID = "fd5c2ac9-8f1b-4e3a-9c55-7b3a0c6f2d10";

function difyError(status: number, code: string, message: string): never {
  bad(message, status, code);
}

function invalid(message: string): never {
  difyError(400, "invalid_param", message);
}

function usageOf(prompt: string, answer: string): { usage: NormalUsage; dify: Record<string, unknown> } {
  const p = countTokens(prompt), c = countTokens(answer);
  const usage = { prompt_tokens: p, completion_tokens: c, total_tokens: p + c };
  return {
    usage,
    dify: {
      prompt_tokens: p, prompt_unit_price: "0.001", prompt_price_unit: "0.001", prompt_price: (p * 0.000001).toFixed(7),
      completion_tokens: c, completion_unit_price: "0.002", completion_price_unit: "0.001", completion_price: (c * 0.000002).toFixed(7),
      total_tokens: p + c, total_price: (p * 0.000001 + c * 0.000002).toFixed(7), currency: "USD", latency: 0.5,
    },
  };
}

const lastLine = (text: string) => text.split("\n").map((l) => l.trim()).filter((l) => l.length > 0).at(-1) ?? "";
const data = (o: unknown) => `data: ${JSON.stringify(o)}\n\n`;

export const difyFamily: Family = {
  name: "dify",
  errorBody(status, message, code) {
    if (status === 429) return { code: "too_many_requests", message: "Too many requests. Please try again later.", status };
    if (status >= 500 && (code === "" || code === "server_error")) return { code: "internal_server_error", message: "The server encounters an internal error.", status };
    return { code: code === "invalid_request_error" ? "invalid_param" : code, message, status };
  },
  handle(req: MockRequest): Answer {
    const path = req.path.split("?")[0];
    const route = ROUTES[path];
    if (!route) difyError(404, "not_found", "The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.");
    if (req.method !== "POST") difyError(405, "method_not_allowed", "The method is not allowed for the requested URL.");
    const auth = header(req, "authorization") ?? "";
    if (!auth.startsWith("Bearer ")) difyError(401, "unauthorized", "Authorization header must be provided and start with 'Bearer'");
    const key = auth.slice(7).trim();
    const mode = DIFY_APPS[key];
    if (!mode) difyError(401, "unauthorized", "Access token is invalid");
    if (!route(mode)) {
      if (path === "/v1/chat-messages") difyError(400, "not_chat_app", "Please check if your Chat app mode matches the right API route.");
      if (path === "/v1/workflows/run") difyError(400, "not_workflow_app", "Please check if your app mode matches the right API route.");
      difyError(400, "app_unavailable", "App unavailable, please check your app configurations.");
    }
    if (!(header(req, "content-type") ?? "").startsWith("application/json")) difyError(415, "unsupported_media_type", "Did not attempt to load JSON data because the request Content-Type was not 'application/json'.");
    const b = req.body;
    if (!b || typeof b !== "object" || Array.isArray(b)) invalid("The browser (or proxy) sent a request that this server could not understand.");
    if (typeof b.user !== "string" || b.user.length === 0) invalid("user is required");
    if (!b.inputs || typeof b.inputs !== "object" || Array.isArray(b.inputs)) invalid("inputs is required");
    if (b.response_mode !== undefined && b.response_mode !== null && b.response_mode !== "blocking" && b.response_mode !== "streaming") invalid(`response_mode: '${b.response_mode}' is not a valid choice`);
    const streaming = b.response_mode === "streaming";

    let text: string;
    let conversation = "";
    if (mode === "chat" || mode === "agent-chat") {
      if (typeof b.query !== "string" || b.query.length === 0) invalid("query is required");
      text = b.query;
      if (b.conversation_id !== undefined && b.conversation_id !== null && b.conversation_id !== "") {
        if (typeof b.conversation_id !== "string" || conversations.get(b.conversation_id) !== key) difyError(404, "not_found", "Conversation Not Exists.");
        conversation = b.conversation_id;
      } else {
        conversation = uuid(1);
        conversations.set(conversation, key);
      }
      if (mode === "agent-chat" && !streaming) invalid("Agent Chat App does not support blocking mode");
    } else {
      const name = mode === "completion" ? COMPLETION_VAR : DIFY_WORKFLOW_VARS.input;
      const v = b.inputs[name];
      if (typeof v !== "string" || v.length === 0) invalid(`${name} is required in input form`);
      text = v;
    }

    const line = lastLine(text);
    const pieces = answerPieces(line);
    const answer = pieces.join("");
    const { usage, dify } = usageOf(text, answer);
    const task = uuid(2);
    const message = uuid(3);

    if (mode === "workflow") {
      const run = uuid(4);
      const workflow = DIFY_WORKFLOW_ID;
      const failed = line === "crash";
      const finished = {
        id: run, workflow_id: workflow, status: failed ? "failed" : "succeeded",
        outputs: failed ? null : { [DIFY_WORKFLOW_VARS.output]: answer },
        error: failed ? "Node LLM run failed: model quota exceeded" : null,
        elapsed_time: 1.25, total_tokens: usage.total_tokens, total_steps: 3, created_at: CREATED_AT, finished_at: CREATED_AT + 1,
      };
      if (!streaming) return { kind: "json", body: { workflow_run_id: run, task_id: task, data: finished }, usage: failed ? undefined : usage };
      let out = "event: ping\n\n";
      out += data({ event: "workflow_started", task_id: task, workflow_run_id: run, data: { id: run, workflow_id: workflow, sequence_number: 1, inputs: b.inputs, created_at: CREATED_AT } });
      out += data({ event: "node_started", task_id: task, workflow_run_id: run, data: { id: uuid(5), node_id: "llm", node_type: "llm", title: "LLM", index: 2, predecessor_node_id: "start", inputs: null, created_at: CREATED_AT } });
      if (!failed) for (const p of pieces) out += data({ event: "text_chunk", task_id: task, workflow_run_id: run, data: { text: p, from_variable_selector: ["llm", "text"] } });
      out += data({ event: "node_finished", task_id: task, workflow_run_id: run, data: { id: uuid(5), node_id: "llm", node_type: "llm", title: "LLM", index: 2, status: failed ? "failed" : "succeeded", outputs: failed ? null : { text: answer }, created_at: CREATED_AT } });
      out += data({ event: "workflow_finished", task_id: task, workflow_run_id: run, data: finished });
      return { kind: "stream", contentType: "text/event-stream; charset=utf-8", data: Buffer.from(out), usage: failed ? undefined : usage };
    }

    const conv = mode === "completion" ? {} : { conversation_id: conversation };
    if (!streaming) {
      const body = { event: "message", task_id: task, id: message, message_id: message, ...conv, mode, answer, metadata: { usage: dify, ...(mode === "completion" ? {} : { retriever_resources: [] }) }, created_at: CREATED_AT };
      return { kind: "json", body, usage };
    }
    const kind = mode === "agent-chat" ? "agent_message" : "message";
    const base = { task_id: task, id: message, message_id: message, ...conv, created_at: CREATED_AT };
    let out = "event: ping\n\n";
    if (mode === "agent-chat") out += data({ event: "agent_thought", id: uuid(6), task_id: task, message_id: message, position: 1, thought: "", observation: "", tool: "", tool_input: "", created_at: CREATED_AT, message_files: [], ...conv });
    if (line === "boom") {
      out += data({ event: kind, ...base, answer: pieces[0] });
      out += data({ event: "error", task_id: task, message_id: message, status: 500, code: "completion_request_error", message: "[openai] Error: upstream model timed out" });
      return { kind: "stream", contentType: "text/event-stream; charset=utf-8", data: Buffer.from(out) };
    }
    for (const p of pieces) out += data({ event: kind, ...base, answer: p });
    out += data({ event: "message_end", task_id: task, id: message, message_id: message, ...conv, metadata: { usage: dify, ...(mode === "completion" ? {} : { retriever_resources: [] }) } });
    return { kind: "stream", contentType: "text/event-stream; charset=utf-8", data: Buffer.from(out), usage };
  },
};
