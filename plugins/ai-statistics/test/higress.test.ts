// The higress build of ai-statistics in the host emulator: ai_log (escaped once, merged with a
// value already there), Higress's counter names, streams split into small chunks.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { pluginWasm } from "../../../harness/src/index.js";
import { Emulator } from "../../../harness/src/emulator/index.js";

let host: Emulator;
beforeAll(async () => {
  host = await Emulator.load(pluginWasm("ai-statistics", "higress"), {
    target: "higress",
    config: { attributes: [{ key: "q", value_source: "request_body", value: "messages.0.content", apply_to_log: true }] },
    routes: [{ name: "r1", prefix: "/", cluster: "outbound|443||llm.dns" }],
  });
});
afterAll(() => host?.close());

const body = JSON.stringify({ model: "qwen-max", messages: [{ role: "user", content: "hi there" }] });
const readLog = (r: { stream: { properties: Map<string, Buffer> } }) => JSON.parse(JSON.parse(`"${r.stream.properties.get("ai_log")!.toString()}"`));

describe("ai-statistics (higress build)", () => {
  it("plain answer: ai_log and counters", async () => {
    const r = await host.request({
      method: "POST", path: "/v1/chat/completions", headers: { "x-mse-consumer": "alice", "content-type": "application/json" }, body,
      response: { status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify({ id: "c1", model: "qwen-max", choices: [{ message: { content: "ok" } }], usage: { prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 } }) },
    });
    expect(r.status).toBe(200);
    expect(readLog(r)).toMatchObject({ model: "qwen-max", input_token: 7, output_token: 3, total_token: 10, response_type: "normal", q: "hi there", chat_id: "c1", chat_round: 1 });
    const base = "route.r1.upstream.outbound|443||llm.dns.model.qwen-max.consumer.alice.metric.";
    expect(host.metric(base + "input_token")).toBe(7n);
    expect(host.metric(base + "output_token")).toBe(3n);
    expect(host.metric(base + "llm_duration_count")).toBe(1n);
    expect(host.traps).toEqual([]);
  });

  it("stream in 5-byte chunks: usage from the last event, first-token latency set", async () => {
    const sse = `data: {"id":"c2","model":"qwen-max","choices":[{"delta":{"content":"he"}}]}\n\ndata: {"id":"c2","model":"qwen-max","choices":[],"usage":{"prompt_tokens":11,"completion_tokens":4,"total_tokens":15}}\n\ndata: [DONE]\n\n`;
    const r = await host.request({
      method: "POST", path: "/v1/chat/completions", headers: { "content-type": "application/json" }, body,
      response: { status: 200, headers: { "content-type": "text/event-stream" }, body: sse, chunks: Math.ceil(sse.length / 5) },
    });
    expect(readLog(r)).toMatchObject({ input_token: 11, output_token: 4, response_type: "stream" });
    expect(readLog(r).llm_first_token_duration).toBeGreaterThanOrEqual(0);
    expect(host.metric("route.r1.upstream.outbound|443||llm.dns.model.qwen-max.consumer.none.metric.llm_stream_duration_count")).toBe(1n);
  });
});
