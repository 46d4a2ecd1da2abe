// The dify provider through a real Envoy with the official `openai` client, against the strict
// Dify mock (harness/src/mocks/llm/dify.ts): what Dify receives (path by botType, app key, the
// conversation as Higress's difyChatGenRequest writes it, the client's `user`), Dify's errors
// reaching the client (a wrong key, a key of another kind of app), and that the Dify and Coze
// mocks refuse what the real services refuse (so the rows that pass through them mean something).
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import OpenAI from "openai";
import { useEnvoy } from "../../../harness/src/vitest.js";
import { http } from "../../../harness/src/index.js";
import { COZE_BOT } from "../../../harness/src/mocks/llm/index.js";
import { Mocks, PROVIDERS, gatewaySpec, type ProviderCase } from "./setup.js";

const mocks = new Mocks();
beforeAll(async () => { await mocks.start(); });
afterAll(async () => { await mocks.stop(); });

const chat = PROVIDERS.find((p) => p.id === "dify-chat")!;
const completion = PROVIDERS.find((p) => p.id === "dify-completion")!;
const workflow = PROVIDERS.find((p) => p.id === "dify-workflow")!;
const extra: ProviderCase[] = [
  // A key Dify does not know: 401.
  { ...chat, id: "dify-badkey", config: { ...chat.config, id: "dify-badkey", apiTokens: ["app-nope"] } },
  // A Workflow config with a chat app's key: Dify's not_workflow_app.
  { ...workflow, id: "dify-wrongmode", config: { ...workflow.config, id: "dify-wrongmode", apiTokens: ["app-chat"] } },
];
const gw = useEnvoy(() => gatewaySpec(mocks, [chat, completion, workflow, ...extra]));
const client = (id: string) => new OpenAI({ apiKey: "client-key", baseURL: `${gw.url}/${id}/v1`, maxRetries: 0 });

describe("dify through Envoy with the openai client", () => {
  it("Chat: every role in one text, developer as SYSTEM, the client's user; the app key replaces the client's", async () => {
    const r = await client("dify-chat").chat.completions.create({
      model: "gpt-4o", user: "alice",
      messages: [{ role: "developer", content: "Be brief." }, { role: "user", content: "hi" }, { role: "assistant", content: "hello" }, { role: "user", content: "what now?" }],
    });
    const seen = mocks.dify.last!;
    expect(seen.status).toBe(200);
    expect(seen.path).toBe("/v1/chat-messages");
    expect(seen.headers.host).toBe("api.dify.ai");
    expect(seen.headers.authorization).toBe("Bearer app-chat");
    expect(seen.raw).toBe(JSON.stringify({ inputs: {}, query: "SYSTEM: \nBe brief.\nUSER: \nhi\nASSISTANT: \nhello\nUSER: \nwhat now?\n", response_mode: "blocking", user: "alice", auto_generate_name: false, conversation_id: "" }));
    expect(r.choices[0].message).toEqual({ role: "assistant", content: "Echo: what now?" });
    expect(r.id).toBe(JSON.parse(seen.sent!).conversation_id);
    expect(r.model).toBe("dify");
  });

  it("Completion: the text as inputs.query; the answer's id is Dify's message id", async () => {
    const r = await client("dify-completion").chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: "write a haiku" }] });
    const seen = mocks.dify.last!;
    expect(seen.path).toBe("/v1/completion-messages");
    expect(seen.body.inputs).toEqual({ query: "USER: \nwrite a haiku\n" });
    expect(seen.body.query).toBe("");
    expect(r.id).toBe(JSON.parse(seen.sent!).message_id);
    expect(r.choices[0].message.content).toBe("Echo: write a haiku");
  });

  it("Workflow: difyApiUrl's host, inputs[inputVariable], outputs[outputVariable] as the answer", async () => {
    const r = await client("dify-workflow").chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: "plan a trip" }] });
    const seen = mocks.dify.last!;
    expect(seen.headers.host).toBe("dify.local:5001");
    expect(seen.path).toBe("/v1/workflows/run");
    expect(seen.body.inputs).toEqual({ question: "USER: \nplan a trip\n" });
    expect(r.choices[0].message.content).toBe("Echo: plan a trip");
    expect(r.model).toBe("my-workflow");
  });

  it("a key Dify does not know: its 401 and message reach the client", async () => {
    const e: any = await client("dify-badkey").chat.completions.create({ model: "x", messages: [{ role: "user", content: "hi" }] }).catch((x) => x);
    expect(mocks.dify.last!.headers.authorization).toBe("Bearer app-nope");
    expect(e).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(e.error?.message).toBe("Access token is invalid");
  });

  it("a workflow config with a chat app's key: Dify's not_workflow_app 400", async () => {
    const e: any = await client("dify-wrongmode").chat.completions.create({ model: "x", messages: [{ role: "user", content: "hi" }] }).catch((x) => x);
    expect(e).toBeInstanceOf(OpenAI.BadRequestError);
    expect(e.error?.code).toBe("not_workflow_app");
    expect(e.error?.message).toBe("Please check if your app mode matches the right API route.");
  });
});

describe("the Dify mock refuses what Dify refuses", () => {
  const call = (path: string, body: unknown, auth = "Bearer app-chat") =>
    http(`http://127.0.0.1:${mocks.dify.port}${path}`, { method: "POST", headers: { "content-type": "application/json", authorization: auth }, body: JSON.stringify(body) });
  const ok = { inputs: {}, query: "hi", response_mode: "blocking", user: "u" };

  it("no Bearer key or an unknown one: 401", async () => {
    for (const [auth, message] of [["", "Authorization header must be provided and start with 'Bearer'"], ["app-chat", "Authorization header must be provided and start with 'Bearer'"], ["Bearer app-nope", "Access token is invalid"]]) {
      const r = await call("/v1/chat-messages", ok, auth);
      expect(r.status, auth).toBe(401);
      expect(JSON.parse(r.body)).toEqual({ code: "unauthorized", message, status: 401 });
    }
  });

  it("missing user, inputs or query, a bad response_mode, an agent asked to block: 400 invalid_param", async () => {
    const cases: [string, string, unknown, string][] = [
      ["/v1/chat-messages", "Bearer app-chat", { ...ok, user: undefined }, "user is required"],
      ["/v1/chat-messages", "Bearer app-chat", { ...ok, inputs: undefined }, "inputs is required"],
      ["/v1/chat-messages", "Bearer app-chat", { ...ok, query: "" }, "query is required"],
      ["/v1/chat-messages", "Bearer app-chat", { ...ok, response_mode: "sync" }, "response_mode: 'sync' is not a valid choice"],
      ["/v1/chat-messages", "Bearer app-agent", ok, "Agent Chat App does not support blocking mode"],
      ["/v1/completion-messages", "Bearer app-completion", { ...ok, inputs: {} }, "query is required in input form"],
      ["/v1/workflows/run", "Bearer app-workflow", { ...ok, inputs: { query: "hi" } }, "question is required in input form"],
    ];
    for (const [path, auth, body, message] of cases) {
      const r = await call(path, body, auth);
      expect(r.status, message).toBe(400);
      expect(JSON.parse(r.body)).toEqual({ code: "invalid_param", message, status: 400 });
    }
  });

  it("a route that is not the app's mode, an unknown conversation", async () => {
    let r = await call("/v1/chat-messages", ok, "Bearer app-workflow");
    expect(JSON.parse(r.body)).toEqual({ code: "not_chat_app", message: "Please check if your Chat app mode matches the right API route.", status: 400 });
    r = await call("/v1/completion-messages", { ...ok, inputs: { query: "hi" } }, "Bearer app-chat");
    expect(JSON.parse(r.body).code).toBe("app_unavailable");
    r = await call("/v1/chat-messages", { ...ok, conversation_id: "9b1c0a52-1111-4222-8333-944445555666" });
    expect(r.status).toBe(404);
    expect(JSON.parse(r.body)).toEqual({ code: "not_found", message: "Conversation Not Exists.", status: 404 });
  });
});

describe("the Coze mock refuses what Coze refuses", () => {
  const call = (body: unknown, auth = "Bearer pat_sluice") =>
    http(`http://127.0.0.1:${mocks.coze.port}/v3/chat`, { method: "POST", headers: { "content-type": "application/json", authorization: auth }, body: JSON.stringify(body) });
  const ok = { bot_id: COZE_BOT, user_id: "u", additional_messages: [{ role: "user", content: "hi", content_type: "text" }] };

  it("a wrong token: 401 code 4100", async () => {
    const r = await call(ok, "Bearer pat_nope");
    expect(r.status).toBe(401);
    expect(JSON.parse(r.body)).toEqual({ code: 4100, msg: "authentication is invalid" });
  });

  it("missing bot_id or user_id, a bad role, no history saved without streaming: HTTP 200 with Coze's code", async () => {
    for (const [body, code, msg] of [
      [{ ...ok, bot_id: undefined }, 4000, "Invalid parameter: bot_id is required"],
      [{ ...ok, user_id: undefined }, 4000, "Invalid parameter: user_id is required"],
      [{ ...ok, additional_messages: [{ role: "system", content: "x" }] }, 4000, "Invalid parameter: additional_messages.role"],
      [{ ...ok, auto_save_history: false }, 4000, "auto_save_history must be true when stream is false"],
    ] as const) {
      const r = await call(body);
      expect(r.status, msg).toBe(200);
      expect(JSON.parse(r.body)).toEqual({ code, msg });
    }
  });
});
