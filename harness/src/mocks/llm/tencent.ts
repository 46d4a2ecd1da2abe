// Tencent Cloud Hunyuan, native API 3.0 (POST https://hunyuan.tencentcloudapi.com/, X-TC-Action:
// ChatCompletions): the TC3-HMAC-SHA256 signature is recomputed with node:crypto and mismatches
// are refused (AuthFailure.SignatureFailure). Errors come back, as Tencent does, with HTTP 200
// and Response.Error.
import { createHash, createHmac } from "node:crypto";
import { type Answer, type Family, type MockRequest, type NormalUsage, bad, need, header, answerPieces, sse } from "./common.js";
import { type Turn, usageFor, TOOL_ARGS } from "./openai.js";

export const TENCENT_SECRETS: Record<string, string> = { AKIDsluiceMock: "sluice-mock-secret-key" };
const ROLES = new Set(["system", "user", "assistant", "tool"]);

const sha256hex = (s: string | Buffer) => createHash("sha256").update(s).digest("hex");
const hmac = (k: string | Buffer, s: string) => createHmac("sha256", k).update(s).digest();

function verifySignature(req: MockRequest): void {
  const auth = header(req, "authorization") ?? "";
  const m = /^TC3-HMAC-SHA256 Credential=([^/]+)\/(\d{4}-\d{2}-\d{2})\/([a-z]+)\/tc3_request, SignedHeaders=([a-z;-]+), Signature=([0-9a-f]{64})$/.exec(auth);
  if (!m) bad("AuthFailure.InvalidAuthorization: The Authorization header is invalid", 401, "AuthFailure.InvalidAuthorization");
  const [, id, date, service, signed, sig] = m;
  const key = TENCENT_SECRETS[id];
  if (!key) bad("AuthFailure.SecretIdNotFound", 401, "AuthFailure.SecretIdNotFound");
  const ts = Number(header(req, "x-tc-timestamp"));
  if (!Number.isInteger(ts) || Math.abs(ts - Date.now() / 1000) > 300) bad("AuthFailure.SignatureExpire", 401, "AuthFailure.SignatureExpire");
  if (new Date(ts * 1000).toISOString().slice(0, 10) !== date) bad("AuthFailure.SignatureFailure: date does not match timestamp", 401, "AuthFailure.SignatureFailure");
  const names = signed.split(";");
  need(names.includes("host") && names.includes("content-type"), "SignedHeaders must include content-type and host");
  const canonHeaders = names.map((n) => `${n}:${String(header(req, n) ?? "").trim().toLowerCase()}\n`).join("");
  const canonical = `POST\n/\n\n${canonHeaders}\n${signed}\n${sha256hex(req.raw)}`;
  const scope = `${date}/${service}/tc3_request`;
  const toSign = `TC3-HMAC-SHA256\n${ts}\n${scope}\n${sha256hex(canonical)}`;
  const kSigning = hmac(hmac(hmac("TC3" + key, date), service), "tc3_request");
  const want = createHmac("sha256", kSigning).update(toSign).digest("hex");
  if (want !== sig) bad("AuthFailure.SignatureFailure: The provided credentials could not be validated", 401, "AuthFailure.SignatureFailure");
}

export const tencentFamily: Family = {
  name: "tencent-hunyuan",
  httpStatus: () => 200,
  errorBody(status, message, code) {
    const c = code && /^[A-Z]/.test(code) ? code : status === 429 ? "RequestLimitExceeded" : status >= 500 ? "InternalError" : status === 401 ? "AuthFailure.SignatureFailure" : "InvalidParameter";
    return { Response: { Error: { Code: c, Message: message }, RequestId: "req-mock" } };
  },
  handle(req: MockRequest): Answer {
    if ((header(req, "host") ?? "") !== "hunyuan.tencentcloudapi.com") bad("unknown host", 404);
    need(req.method === "POST" && req.path === "/", "InvalidAction");
    need(header(req, "x-tc-action") === "ChatCompletions", "InvalidAction: X-TC-Action must be ChatCompletions");
    need(header(req, "x-tc-version") === "2023-09-01", "InvalidParameter: X-TC-Version");
    verifySignature(req);
    const b = req.body;
    need(typeof b?.Model === "string", "MissingParameter: Model");
    need(Array.isArray(b.Messages) && b.Messages.length > 0, "MissingParameter: Messages");
    for (const m of b.Messages) {
      need(ROLES.has(m.Role), `InvalidParameterValue: Role ${m.Role}`);
      need(typeof m.Content === "string" || m.ToolCalls, "InvalidParameterValue: Content must be a string");
    }
    for (const k of Object.keys(b)) need(["Model", "Messages", "Stream", "StreamModeration", "Temperature", "TopP", "Tools", "ToolChoice", "EnableEnhancement", "SearchInfo", "Citation", "Seed"].includes(k), `UnknownParameter: ${k}`);
    const msgs: any[] = b.Messages;
    const last = msgs[msgs.length - 1];
    const lastUser = [...msgs].reverse().find((m) => m.Role === "user");
    const turn: Turn = { model: b.Model, prompt: msgs.map((m) => m.Content ?? "").join(" "), lastUser: lastUser?.Content ?? "", reasoning: false };
    if (last.Role === "tool") turn.toolResult = last.Content;
    else if (Array.isArray(b.Tools) && b.Tools.length) turn.toolName = b.Tools[0].Function.Name;
    const u = usageFor(turn);
    const usage: NormalUsage = { prompt_tokens: u.prompt, completion_tokens: u.completion, total_tokens: u.prompt + u.completion };
    const wire = { PromptTokens: u.prompt, CompletionTokens: u.completion, TotalTokens: u.prompt + u.completion };
    const toolCall = turn.toolName !== undefined && turn.toolResult === undefined;
    const text = turn.toolResult !== undefined ? `Tool said: ${turn.toolResult}` : answerPieces(turn.lastUser).join("");
    const call = { Id: "call_mock1", Type: "function", Function: { Name: turn.toolName, Arguments: JSON.stringify(TOOL_ARGS) }, Index: 0 };
    const id = "hy-" + Math.floor(Math.random() * 1e9);
    if (!b.Stream) {
      const Message: any = { Role: "assistant", Content: toolCall ? "" : text };
      if (toolCall) Message.ToolCalls = [call];
      return { kind: "json", usage, body: { Response: { RequestId: "req-" + id, Note: "以上内容为AI生成", Choices: [{ FinishReason: toolCall ? "tool_calls" : "stop", Message }], Created: 1700000000, Id: id, Usage: wire } } };
    }
    const deltas: any[] = toolCall ? [{ Role: "assistant", Content: "", ToolCalls: [call] }] : (turn.toolResult !== undefined ? [text] : answerPieces(turn.lastUser)).map((c) => ({ Role: "assistant", Content: c }));
    let out = "";
    deltas.forEach((d, i) => {
      const final = i === deltas.length - 1;
      out += sse(JSON.stringify({ Note: "以上内容为AI生成", Choices: [{ Delta: d, FinishReason: final ? (toolCall ? "tool_calls" : "stop") : "" }], Created: 1700000000, Id: id, Usage: final ? wire : { PromptTokens: u.prompt, CompletionTokens: i + 1, TotalTokens: u.prompt + i + 1 } }));
    });
    return { kind: "stream", contentType: "text/event-stream", data: Buffer.from(out), usage };
  },
};
