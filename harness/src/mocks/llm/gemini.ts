// Google Gemini API (generativelanguage.googleapis.com): /v1beta/models/{model}:generateContent,
// :streamGenerateContent?alt=sse, :batchEmbedContents; x-goog-api-key; unknown fields rejected
// the way Google's JSON→proto mapping does; roles user|model only.
import { type Answer, type Family, type MockRequest, type NormalUsage, bad, need, header, answerPieces, wantsReasoning, REASONING, validKey, sse, countTokens } from "./common.js";
import { type Turn, usageFor, TOOL_ARGS, embeddingOf } from "./openai.js";

const TOP = new Set(["contents", "systemInstruction", "generationConfig", "safetySettings", "tools", "toolConfig", "cachedContent"]);
const PART_KEYS = new Set(["text", "inlineData", "fileData", "functionCall", "functionResponse", "thought", "thoughtSignature"]);
const GEN_KEYS = new Set(["maxOutputTokens", "temperature", "topP", "topK", "stopSequences", "candidateCount", "seed", "responseMimeType", "responseSchema", "thinkingConfig", "presencePenalty", "frequencyPenalty"]);

function partsText(parts: any[]): string {
  return parts.map((p) => (typeof p.text === "string" ? p.text : p.functionResponse ? JSON.stringify(p.functionResponse.response) : "")).join(" ");
}

function validate(body: any, model: string): Turn {
  need(body && typeof body === "object", "Invalid JSON payload");
  for (const k of Object.keys(body)) need(TOP.has(k), `Invalid JSON payload received. Unknown name "${k}": Cannot find field.`);
  need(Array.isArray(body.contents) && body.contents.length > 0, "* GenerateContentRequest.contents: contents is not specified");
  for (const [i, c] of body.contents.entries()) {
    need(c.role === "user" || c.role === "model", `Please use a valid role: user, model. (contents[${i}].role = ${c.role})`);
    need(Array.isArray(c.parts) && c.parts.length > 0, `* GenerateContentRequest.contents[${i}].parts: contents.parts must not be empty.`);
    for (const p of c.parts) for (const k of Object.keys(p)) need(PART_KEYS.has(k), `Invalid JSON payload received. Unknown name "${k}" at 'contents[${i}].parts[0]': Cannot find field.`);
  }
  if (body.systemInstruction) need(Array.isArray(body.systemInstruction.parts), "systemInstruction.parts required");
  if (body.generationConfig) for (const k of Object.keys(body.generationConfig)) need(GEN_KEYS.has(k), `Invalid JSON payload received. Unknown name "${k}" at 'generation_config': Cannot find field.`);
  if (body.tools) for (const t of body.tools) need(Array.isArray(t.functionDeclarations) || t.googleSearch || t.codeExecution, "tools[].functionDeclarations required");
  const contents: any[] = body.contents;
  const last = contents[contents.length - 1];
  const lastUser = [...contents].reverse().find((c) => c.role === "user" && c.parts.some((p: any) => typeof p.text === "string"));
  const prompt = [body.systemInstruction ? partsText(body.systemInstruction.parts) : "", ...contents.map((c) => partsText(c.parts))].join(" ");
  const turn: Turn = { model, prompt, lastUser: lastUser ? lastUser.parts.filter((p: any) => typeof p.text === "string").map((p: any) => p.text).join("") : "", reasoning: wantsReasoning(model) };
  const fr = last.parts.find((p: any) => p.functionResponse);
  if (fr) {
    const r = fr.functionResponse.response;
    turn.toolResult = typeof r?.result === "string" ? r.result : JSON.stringify(r?.result ?? r);
  } else if (body.tools?.[0]?.functionDeclarations?.length) turn.toolName = body.tools[0].functionDeclarations[0].name;
  return turn;
}

export const geminiFamily: Family = {
  name: "gemini",
  errorBody(status, message) {
    const st = status === 429 ? "RESOURCE_EXHAUSTED" : status === 401 || status === 403 ? "PERMISSION_DENIED" : status === 404 ? "NOT_FOUND" : status >= 500 ? "INTERNAL" : "INVALID_ARGUMENT";
    return { error: { code: status, message, status: st } };
  },
  handle(req: MockRequest): Answer {
    if ((header(req, "host") ?? "") !== "generativelanguage.googleapis.com") bad("unknown host", 404);
    const [path, query = ""] = req.path.split("?");
    const m = /^\/(v1|v1beta)\/models\/([^/:]+):(generateContent|streamGenerateContent|batchEmbedContents)$/.exec(path);
    if (!m) bad(`The requested URL ${path} was not found on this server.`, 404);
    if (!validKey(header(req, "x-goog-api-key"))) bad("API key not valid. Please pass a valid API key.", 400);
    need(req.method === "POST", "POST required");
    const model = m[2];
    const body = req.body;
    if (m[3] === "batchEmbedContents") {
      need(Array.isArray(body?.requests) && body.requests.length > 0, "requests is required");
      for (const r of body.requests) {
        need(r.model === `models/${model}`, `Model names should start with models/ and match the URL (got ${r.model})`);
        need(Array.isArray(r.content?.parts), "content.parts required");
      }
      return { kind: "json", usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 }, body: { embeddings: body.requests.map((r: any) => ({ values: embeddingOf(r.content.parts.map((p: any) => p.text).join("")) })) } };
    }
    const turn = validate(body, model);
    const u = usageFor(turn);
    const thoughts = u.reasoning;
    const candidates = u.completion - thoughts;
    const usage: NormalUsage = { prompt_tokens: u.prompt, completion_tokens: u.completion, total_tokens: u.prompt + u.completion, cached_tokens: 0 };
    if (thoughts) usage.reasoning_tokens = thoughts;
    const meta = (final: boolean) => ({ promptTokenCount: u.prompt, candidatesTokenCount: final ? candidates : Math.max(1, Math.floor(candidates / 2)), totalTokenCount: final ? u.prompt + u.completion : u.prompt + Math.max(1, Math.floor(candidates / 2)), ...(thoughts ? { thoughtsTokenCount: thoughts } : {}) });
    const toolCall = turn.toolName !== undefined && turn.toolResult === undefined;
    const text = turn.toolResult !== undefined ? `Tool said: ${turn.toolResult}` : answerPieces(turn.lastUser).join("");
    const responseId = "gemini-mock-" + Math.floor(Math.random() * 1e9);
    if (m[3] === "generateContent") {
      const parts: any[] = [];
      if (turn.reasoning) parts.push({ text: REASONING, thought: true });
      if (toolCall) parts.push({ functionCall: { name: turn.toolName, args: TOOL_ARGS } });
      else parts.push({ text });
      return { kind: "json", usage, body: { candidates: [{ content: { role: "model", parts }, finishReason: "STOP", index: 0 }], usageMetadata: meta(true), modelVersion: model, responseId } };
    }
    if (!/(^|&)alt=sse(&|$)/.test(query)) bad("streamGenerateContent without alt=sse returns a JSON array; this mock only serves alt=sse", 400);
    const pieces = toolCall ? [] : turn.toolResult !== undefined ? [text] : answerPieces(turn.lastUser);
    const events: any[] = [];
    if (turn.reasoning) events.push({ parts: [{ text: REASONING, thought: true }] });
    if (toolCall) events.push({ parts: [{ functionCall: { name: turn.toolName, args: TOOL_ARGS } }] });
    for (const p of pieces) events.push({ parts: [{ text: p }] });
    let out = "";
    events.forEach((e, i) => {
      const final = i === events.length - 1;
      const cand: any = { content: { role: "model", parts: e.parts }, index: 0 };
      if (final) cand.finishReason = "STOP";
      // Gemini repeats (cumulative) usageMetadata on every event; only the last is final.
      out += sse(JSON.stringify({ candidates: [cand], usageMetadata: meta(final), modelVersion: model, responseId }));
    });
    return { kind: "stream", contentType: "text/event-stream", data: Buffer.from(out.replace(/\n\n/g, "\r\n\r\n")), usage };
  },
};

export { countTokens };
