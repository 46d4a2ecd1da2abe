// ai-statistics on the emulator, both targets: the ai_log property (tokens, model, attributes
// from headers and bodies), streaming under any chunking, and Higress-named counters.
import { describe, it, expect } from "vitest";
import { pluginWasm } from "../../../harness/src/index.js";
import { Emulator } from "../../../harness/src/emulator/index.js";

const attributes = [
  { key: "team", value_source: "fixed_value", value: "blue", apply_to_log: true },
  { key: "user_agent", value_source: "request_header", value: "user-agent", apply_to_log: true },
  { key: "first_message_role", value_source: "request_body", value: "messages.0.role", apply_to_log: true },
  { key: "question", apply_to_log: true },
  { key: "finish", value_source: "response_body", value: "choices.0.finish_reason", apply_to_log: true },
  { key: "stream_finish", value_source: "response_streaming_body", value: "choices.0.finish_reason", rule: "replace", apply_to_log: true },
  { key: "answer", apply_to_log: true, rule: "append" },
];
const config = { attributes, enable_path_suffixes: ["/completions"] };
const routes = [{ name: "chat-route", prefix: "/", cluster: "mock" }];
const request = (extra: Record<string, unknown> = {}) => JSON.stringify({ model: "gpt-4o", messages: [{ role: "user", content: "What is a token?" }], ...extra });
const plain = {
  status: 200,
  headers: { "content-type": "application/json" },
  body: JSON.stringify({ id: "chatcmpl-1", object: "chat.completion", model: "gpt-4o", choices: [{ index: 0, message: { role: "assistant", content: "A piece." }, finish_reason: "stop" }], usage: { prompt_tokens: 12, completion_tokens: 3, total_tokens: 15 } }),
};
const sse =
  'data: {"id":"chatcmpl-2","model":"gpt-4o","choices":[{"index":0,"delta":{"role":"assistant","content":"A "}}]}\n\n' +
  'data: {"id":"chatcmpl-2","model":"gpt-4o","choices":[{"index":0,"delta":{"content":"piece."},"finish_reason":"stop"}]}\n\n' +
  'data: {"id":"chatcmpl-2","model":"gpt-4o","choices":[],"usage":{"prompt_tokens":12,"completion_tokens":2,"total_tokens":14}}\n\n' +
  "data: [DONE]\n\n";

for (const target of ["envoy", "higress"] as const) {
  describe(`ai-statistics on the emulator (${target})`, () => {
    const load = () => Emulator.load(pluginWasm("ai-statistics", target), { target, config, routes, pluginName: "ai-statistics" });
    // Higress writes ai_log as JSON escaped once (the access log prints it inside a JSON string).
    const aiLog = (r: { stream: { properties: Map<string, Buffer> } }) => {
      const raw = r.stream.properties.get("ai_log")?.toString();
      return raw === undefined ? null : JSON.parse(JSON.parse(`"${raw}"`));
    };

    it("non-streaming: tokens, model and attributes from every source in ai_log", async () => {
      const host = await load();
      const r = await host.request({ path: "/v1/chat/completions", headers: { "content-type": "application/json", "user-agent": "agent/1.0" }, body: request(), response: plain });
      expect(r.status).toBe(200);
      expect(aiLog(r)).toMatchObject({ model: "gpt-4o", input_token: 12, output_token: 3, total_token: 15, response_type: "normal", team: "blue", user_agent: "agent/1.0", first_message_role: "user", question: "What is a token?", finish: "stop", answer: "A piece." });
      expect(host.traps).toEqual([]);
    });

    it("streaming: the same log however the SSE bytes are chunked", async () => {
      const host = await load();
      const logs = new Set<string>();
      for (const n of [1, 3, 17, sse.length]) {
        const r = await host.request({ path: "/v1/chat/completions", headers: { "content-type": "application/json" }, body: request({ stream: true }), response: { status: 200, headers: { "content-type": "text/event-stream" }, body: sse, chunks: Math.ceil(sse.length / n) } });
        const ai = aiLog(r);
        expect(ai).toMatchObject({ input_token: 12, output_token: 2, response_type: "stream", stream_finish: "stop", answer: "A piece." });
        delete ai.llm_service_duration;
        delete ai.llm_first_token_duration;
        logs.add(JSON.stringify(ai));
      }
      expect(logs.size).toBe(1);
      expect(host.traps).toEqual([]);
    });

    it("counts tokens under Higress's metric names", async () => {
      const host = await load();
      await host.request({ path: "/v1/chat/completions", headers: { "content-type": "application/json" }, body: request(), response: plain });
      const m = host.metrics();
      const name = Object.keys(m).find((k) => k.startsWith("route.chat-route.upstream.mock.model.gpt-4o.consumer.none.metric.") && k.endsWith("input_token"));
      expect(name, Object.keys(m).join("\n")).toBeDefined();
      expect(m[name!]).toBe(12n);
    });

    it("a path outside enable_path_suffixes is not recorded", async () => {
      const host = await load();
      const r = await host.request({ path: "/v1/models", response: { status: 200, body: "{}" } });
      expect(r.stream.properties.has("ai_log")).toBe(false);
    });

    it("an LLM API outside enable_path_suffixes is still recorded (/V1/Messages/)", async () => {
      const host = await load();
      const usage = { input_tokens: 9, output_tokens: 3 };
      const r = await host.request({ path: "/V1/Messages/", headers: { "content-type": "application/json" }, body: JSON.stringify({ model: "claude", messages: [] }), response: { status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify({ type: "message", usage }) } });
      expect(aiLog(r)).toMatchObject({ input_token: 9, output_token: 3, team: "blue" });
    });
  });
}
