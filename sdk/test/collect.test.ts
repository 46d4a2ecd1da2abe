// The SDK's collection policy (sdk/runtime/collect.ts): plugins are built with AssemblyScript's
// minimal runtime, which never collects on its own, so the SDK collects as the VM is left. Counted,
// not timed: after a warm-up, thousands more requests must not grow the VM's linear memory by a
// single page. Without the collection points, every request's garbage would stay and memory would
// grow with the request count.
import { describe, it, expect } from "vitest";
import { pluginWasm } from "../../harness/src/index.js";
import { Emulator } from "../../harness/src/emulator/index.js";

const chat = JSON.stringify({ model: "gpt-4o", messages: [{ role: "system", content: "Be brief." }, { role: "user", content: "hello ".repeat(200) }] });
const answer = JSON.stringify({ id: "c", object: "chat.completion", model: "gpt-4o-mini", choices: [{ index: 0, message: { role: "assistant", content: "ok" }, finish_reason: "stop" }], usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 } });
let sse = "";
for (let i = 0; i < 40; i++) sse += `data: {"id":"c","object":"chat.completion.chunk","model":"gpt-4o-mini","choices":[{"index":0,"delta":{"content":"w${i} "},"finish_reason":null}]}\n\n`;
sse += 'data: {"id":"c","object":"chat.completion.chunk","model":"gpt-4o-mini","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":40,"total_tokens":43}}\n\ndata: [DONE]\n\n';

interface Case { plugin: string; config: unknown; warmup: number; count: number; spec: Parameters<Emulator["request"]>[0] }
const cases: Case[] = [
  { plugin: "ai-proxy", config: { provider: { type: "openai", apiTokens: ["sk"], modelMapping: { "*": "gpt-4o-mini" } } }, warmup: 500, count: 5000,
    spec: { method: "POST", path: "/v1/chat/completions", headers: { "content-type": "application/json" }, body: chat, response: { status: 200, headers: { "content-type": "application/json" }, body: answer } } },
  { plugin: "ai-proxy", config: { provider: { type: "claude", apiTokens: ["sk"], modelMapping: { "*": "claude-haiku-4-5" } } }, warmup: 300, count: 2000,
    spec: { method: "POST", path: "/v1/chat/completions", headers: { "content-type": "application/json" }, body: chat, response: { status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify({ id: "m", type: "message", role: "assistant", model: "claude-haiku-4-5", content: [{ type: "text", text: "ok" }], stop_reason: "end_turn", usage: { input_tokens: 3, output_tokens: 1 } }) } } },
  { plugin: "ai-proxy", config: { provider: { type: "openai", apiTokens: ["sk"] } }, warmup: 200, count: 1500,
    spec: { method: "POST", path: "/v1/chat/completions", headers: { "content-type": "application/json" }, body: JSON.stringify({ ...JSON.parse(chat), stream: true }), response: { status: 200, headers: { "content-type": "text/event-stream" }, body: sse, chunks: 7 } } },
  // The waf keeps the incremental collector (its package.json): the SDK's collection points stand aside.
  { plugin: "waf", config: { useCRS: true }, warmup: 300, count: 1500,
    spec: { path: "/api/items?id=42&q=hello", headers: { "user-agent": "Mozilla/5.0", accept: "application/json" } } },
  { plugin: "key-auth", config: { consumers: [{ name: "c1", credential: "k1" }], keys: ["x-api-key"], in_header: true }, warmup: 1000, count: 10000,
    spec: { path: "/a", headers: { "x-api-key": "k1" } } },
];

describe("VM memory stays flat (minimal runtime, collected as the VM is left)", () => {
  for (const c of cases) {
    const stream = typeof c.spec?.response === "object" && (c.spec.response as { chunks?: number }).chunks ? " (stream)" : "";
    it(`${c.plugin}${stream} ${JSON.stringify((c.config as { provider?: { type: string } }).provider?.type ?? "")}: ${c.count} requests after ${c.warmup} add no page`, async () => {
      const host = await Emulator.load(pluginWasm(c.plugin, "envoy"), { target: "envoy", config: c.config, pluginName: c.plugin, logLevel: "warn" });
      for (let i = 0; i < c.warmup; i++) await host.request(c.spec);
      const first = await host.request(c.spec);
      expect(first.status).toBe(200);
      const warm = host.memoryBytes;
      for (let i = 0; i < c.count; i++) await host.request(c.spec);
      expect(host.memoryBytes).toBe(warm);
      expect(host.traps).toEqual([]);
    }, 120_000);
  }
});
