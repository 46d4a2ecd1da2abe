// Amazon Bedrock Runtime Converse / ConverseStream (POST /model/{modelId}/converse[-stream] on
// bedrock-runtime.{region}.amazonaws.com). Auth: a Bedrock API key (Bearer) or SigV4, which is
// recomputed here with node:crypto (canonical URI encoded twice, as for every non-S3 service)
// and refused on mismatch. ConverseStream answers in the binary AWS event-stream encoding with
// real prelude and message CRC32s.
import { createHash, createHmac } from "node:crypto";
import { crc32 } from "node:zlib";
import { type Answer, type Family, type MockRequest, type NormalUsage, bad, need, header, answerPieces, validKey, wantsReasoning, REASONING } from "./common.js";
import { type Turn, usageFor, TOOL_ARGS } from "./openai.js";

export const AWS_SECRETS: Record<string, string> = { AKIASLUICEMOCK: "sluice/mock/secret/access/key" };

const sha256hex = (s: string | Buffer) => createHash("sha256").update(s).digest("hex");
const hmac = (k: string | Buffer, s: string) => createHmac("sha256", k).update(s).digest();

function awsEncode(s: string, keepSlash: boolean): string {
  let out = "";
  for (const b of Buffer.from(s, "utf8")) {
    const ch = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~]/.test(ch)) out += ch;
    else if (ch === "/" && keepSlash) out += ch;
    else out += "%" + b.toString(16).toUpperCase().padStart(2, "0");
  }
  return out;
}

function verifySigV4(req: MockRequest, region: string): void {
  const auth = header(req, "authorization") ?? "";
  const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([a-z0-9-]+)\/([a-z-]+)\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/.exec(auth);
  if (!m) bad("Authorization header requires 'Credential', 'Signature', 'SignedHeaders' parameters", 403, "IncompleteSignatureException");
  const [, ak, date, reg, service, signed, sig] = m;
  const secret = AWS_SECRETS[ak];
  if (!secret) bad("The security token included in the request is invalid.", 403, "UnrecognizedClientException");
  need(reg === region && service === "bedrock", "Credential should be scoped to a valid region and service bedrock");
  const amzDate = header(req, "x-amz-date") ?? "";
  need(/^\d{8}T\d{6}Z$/.test(amzDate) && amzDate.startsWith(date), "x-amz-date missing or does not match the credential scope");
  const t = Date.UTC(+amzDate.slice(0, 4), +amzDate.slice(4, 6) - 1, +amzDate.slice(6, 8), +amzDate.slice(9, 11), +amzDate.slice(11, 13), +amzDate.slice(13, 15));
  if (Math.abs(t - Date.now()) > 5 * 60 * 1000) bad("Signature expired", 403, "InvalidSignatureException");
  const names = signed.split(";");
  need(names.includes("host") && names.includes("x-amz-date"), "SignedHeaders must include host and x-amz-date");
  const [path, query = ""] = req.path.split("?");
  const canonHeaders = names.map((n) => `${n}:${String(header(req, n) ?? "").trim()}\n`).join("");
  const canonical = `${req.method}\n${awsEncode(path, true)}\n${query}\n${canonHeaders}\n${signed}\n${sha256hex(req.raw)}`;
  const scope = `${date}/${reg}/${service}/aws4_request`;
  const toSign = `AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n${sha256hex(canonical)}`;
  const kSigning = hmac(hmac(hmac(hmac("AWS4" + secret, date), reg), service), "aws4_request");
  if (createHmac("sha256", kSigning).update(toSign).digest("hex") !== sig) {
    bad("The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.", 403, "InvalidSignatureException");
  }
}

/** One AWS event-stream message with string headers. */
export function eventStreamMessage(headers: Record<string, string>, payload: Buffer): Buffer {
  const hs: Buffer[] = [];
  for (const [k, v] of Object.entries(headers)) {
    const name = Buffer.from(k), value = Buffer.from(v);
    const h = Buffer.alloc(1 + name.length + 1 + 2 + value.length);
    h.writeUInt8(name.length, 0); name.copy(h, 1); h.writeUInt8(7, 1 + name.length);
    h.writeUInt16BE(value.length, 2 + name.length); value.copy(h, 4 + name.length);
    hs.push(h);
  }
  const hb = Buffer.concat(hs);
  const total = 12 + hb.length + payload.length + 4;
  const prelude = Buffer.alloc(8);
  prelude.writeUInt32BE(total, 0); prelude.writeUInt32BE(hb.length, 4);
  const pc = Buffer.alloc(4); pc.writeUInt32BE(crc32(prelude), 0);
  const body = Buffer.concat([prelude, pc, hb, payload]);
  const mc = Buffer.alloc(4); mc.writeUInt32BE(crc32(body), 0);
  return Buffer.concat([body, mc]);
}

const event = (type: string, data: object) => eventStreamMessage({ ":event-type": type, ":content-type": "application/json", ":message-type": "event" }, Buffer.from(JSON.stringify({ ...data, p: "abcdefghij" })));

function textOf(content: any[]): string {
  return content.map((b) => (typeof b.text === "string" ? b.text : b.toolResult ? b.toolResult.content.map((c: any) => c.text ?? JSON.stringify(c.json)).join(" ") : "")).join(" ");
}

export const bedrockFamily: Family = {
  name: "bedrock",
  errorBody(status, message) { return { message }; },
  handle(req: MockRequest): Answer {
    const host = header(req, "host") ?? "";
    const hm = /^bedrock-runtime\.([a-z0-9-]+)\.amazonaws\.com$/.exec(host);
    if (!hm) bad("unknown host", 404);
    const [path] = req.path.split("?");
    const pm = /^\/model\/([^/]+)\/(converse|converse-stream)$/.exec(path);
    if (!pm) bad(`UnknownOperationException`, 404, "UnknownOperationException");
    const auth = header(req, "authorization") ?? "";
    if (auth.startsWith("Bearer ")) { if (!validKey(auth.slice(7))) bad("Invalid API Key format: Must start with pre-defined prefix", 403, "AccessDeniedException"); }
    else verifySigV4(req, hm[1]);
    const modelId = decodeURIComponent(pm[1]);
    const b = req.body;
    need(b && Array.isArray(b.messages) && b.messages.length > 0, "1 validation error detected: Value null at 'messages' failed to satisfy constraint: Member must not be null");
    for (const k of Object.keys(b)) need(["messages", "system", "inferenceConfig", "toolConfig", "guardrailConfig", "additionalModelRequestFields", "additionalModelResponseFieldPaths", "promptVariables", "requestMetadata", "performanceConfig"].includes(k), `Malformed input request: extraneous key [${k}] is not permitted`);
    const ids = new Set<string>();
    b.messages.forEach((m: any, i: number) => {
      need(m.role === "user" || m.role === "assistant", `Value '${m.role}' at 'messages.${i + 1}.member.role' failed to satisfy constraint: Member must satisfy enum value set: [user, assistant]`);
      need(i === 0 || b.messages[i - 1].role !== m.role, "A conversation must alternate between user and assistant roles.");
      need(Array.isArray(m.content) && m.content.length > 0, "content must be a non-empty list");
      for (const c of m.content) {
        const keys = Object.keys(c);
        need(keys.length === 1 && ["text", "image", "toolUse", "toolResult", "reasoningContent", "document", "cachePoint"].includes(keys[0]), `invalid content block ${JSON.stringify(keys)}`);
        if (c.toolUse) ids.add(c.toolUse.toolUseId);
        if (c.toolResult) need(ids.has(c.toolResult.toolUseId), "toolResult does not match a previous toolUse");
      }
    });
    if (b.inferenceConfig) for (const k of Object.keys(b.inferenceConfig)) need(["maxTokens", "temperature", "topP", "stopSequences"].includes(k), `inferenceConfig.${k} is not permitted`);
    const msgs: any[] = b.messages;
    const last = msgs[msgs.length - 1];
    const lastUser = [...msgs].reverse().find((m) => m.role === "user" && m.content.some((c: any) => typeof c.text === "string"));
    const prompt = [...(b.system ?? []).map((s: any) => s.text), ...msgs.map((m) => textOf(m.content))].join(" ");
    const turn: Turn = { model: modelId, prompt, lastUser: lastUser ? lastUser.content.filter((c: any) => typeof c.text === "string").map((c: any) => c.text).join("") : "", reasoning: wantsReasoning(modelId) };
    const tr = last.content.find((c: any) => c.toolResult);
    if (tr) turn.toolResult = tr.toolResult.content.map((c: any) => c.text).join("");
    else if (b.toolConfig?.tools?.length) turn.toolName = b.toolConfig.tools[0].toolSpec.name;
    const u = usageFor(turn);
    const cacheRead = 3;
    const usage: NormalUsage = { prompt_tokens: u.prompt + cacheRead, completion_tokens: u.completion, total_tokens: u.prompt + cacheRead + u.completion, cached_tokens: cacheRead };
    const wire = { inputTokens: u.prompt, outputTokens: u.completion, totalTokens: u.prompt + cacheRead + u.completion, cacheReadInputTokens: cacheRead, cacheWriteInputTokens: 0 };
    const toolCall = turn.toolName !== undefined && turn.toolResult === undefined;
    const text = turn.toolResult !== undefined ? `Tool said: ${turn.toolResult}` : answerPieces(turn.lastUser).join("");
    const stop = toolCall ? "tool_use" : "end_turn";
    if (pm[2] === "converse") {
      const content: any[] = [];
      if (turn.reasoning) content.push({ reasoningContent: { reasoningText: { text: REASONING, signature: "sig" } } });
      content.push(toolCall ? { toolUse: { toolUseId: "tooluse_mock1", name: turn.toolName, input: TOOL_ARGS } } : { text });
      return { kind: "json", usage, body: { output: { message: { role: "assistant", content } }, stopReason: stop, usage: wire, metrics: { latencyMs: 42 } } };
    }
    const parts: Buffer[] = [event("messageStart", { role: "assistant" })];
    let idx = 0;
    if (turn.reasoning) {
      for (const w of REASONING.split(/(?<= )/)) parts.push(event("contentBlockDelta", { contentBlockIndex: idx, delta: { reasoningContent: { text: w } } }));
      parts.push(event("contentBlockStop", { contentBlockIndex: idx }));
      idx++;
    }
    if (toolCall) {
      const args = JSON.stringify(TOOL_ARGS);
      parts.push(event("contentBlockStart", { contentBlockIndex: idx, start: { toolUse: { toolUseId: "tooluse_mock1", name: turn.toolName } } }));
      parts.push(event("contentBlockDelta", { contentBlockIndex: idx, delta: { toolUse: { input: args.slice(0, 12) } } }));
      parts.push(event("contentBlockDelta", { contentBlockIndex: idx, delta: { toolUse: { input: args.slice(12) } } }));
    } else {
      for (const p of turn.toolResult !== undefined ? [text] : answerPieces(turn.lastUser)) parts.push(event("contentBlockDelta", { contentBlockIndex: idx, delta: { text: p } }));
    }
    parts.push(event("contentBlockStop", { contentBlockIndex: idx }));
    parts.push(event("messageStop", { stopReason: stop }));
    parts.push(event("metadata", { usage: wire, metrics: { latencyMs: 42 } }));
    return { kind: "stream", contentType: "application/vnd.amazon.eventstream", data: Buffer.concat(parts), usage };
  },
};
