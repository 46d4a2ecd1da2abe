// NVIDIA Triton Inference Server's generate extension (POST /v2/models/{model}[/versions/{v}]/
// generate and …/generate_stream), as Triton checks it: the model (and version) must be loaded,
// the body a JSON object whose keys other than `id` and `parameters` are the model's inputs
// (`text_input` required; an input the model does not have is refused), errors are
// `{"error": "…"}` with status 400. No auth (Triton has none). generate answers
// {id?, model_name, model_version, text_output}; generate_stream sends one SSE `data:` event per
// piece and simply ends (no end marker). The answer is an echo: "Echo: <text_input>".
// Model "flaky" streams one piece, then an `{"error"}` event (Triton's mid-stream error).
import { type Answer, type Family, type MockRequest, bad, need, answerPieces, sse } from "./common.js";

/** Loaded models and their versions. */
export const TRITON_MODELS: Record<string, string[]> = { gpt2: ["1"], ensemble: ["1", "2"], flaky: ["1"] };
const INPUTS = new Set(["text_input", "max_tokens", "bad_words", "stop_words"]);

export const tritonFamily: Family = {
  name: "triton",
  errorBody(_status, message) { return { error: message }; },
  handle(req: MockRequest): Answer {
    const m = /^\/v2\/models\/([^/]+)(?:\/versions\/([^/]+))?\/(generate|generate_stream)$/.exec(req.path);
    if (!m) bad("Not Found", 404);
    const model = decodeURIComponent(m[1]);
    const version = m[2];
    const stream = m[3] === "generate_stream";
    need(req.method === "POST", `HTTP method ${req.method} is not supported`);
    const versions = TRITON_MODELS[model];
    if (!versions) bad(`Request for unknown model: '${model}' is not found`);
    if (version !== undefined && !versions.includes(version)) bad(`Request for unknown model: '${model}' version ${version} is not found`);
    const b = req.body;
    need(b && typeof b === "object" && !Array.isArray(b), "failed to parse the request JSON buffer: The document is empty.");
    need(b.id === undefined || typeof b.id === "string", "attempt to access JSON non-string as string");
    need(b.parameters === undefined || (b.parameters && typeof b.parameters === "object" && !Array.isArray(b.parameters)), "Expected JSON object for 'parameters' field");
    for (const k of Object.keys(b)) {
      if (k === "id" || k === "parameters") continue;
      need(INPUTS.has(k), `Unexpected inference input '${k}' for model '${model}'`);
    }
    need(typeof b.text_input === "string", `expected 1 inputs but got 0 inputs for model '${model}'. Got input(s) [], but missing required input(s) ['text_input']. Please provide all required input(s).`);
    const base = { ...(b.id ? { id: b.id } : {}), model_name: model, model_version: version ?? versions[versions.length - 1] };
    const text = answerPieces(b.text_input);
    if (!stream) return { kind: "json", body: { ...base, text_output: text.join("") } };
    let out = "";
    if (model === "flaky") out = sse(JSON.stringify({ ...base, text_output: text[0] })) + sse(JSON.stringify({ error: "in-flight batching failed: out of memory" }));
    else for (const piece of text) out += sse(JSON.stringify({ ...base, text_output: piece }));
    return { kind: "stream", contentType: "text/event-stream", data: Buffer.from(out) };
  },
};
