// The bench's "ai-proxy's host calls alone" row is only a floor for ai-proxy if the hand-written
// module (test/bench/ai-proxy-floor.wat) makes the calls ai-proxy makes. Both run here on the
// emulator with the bench's request (a 2 KB OpenAI chat, no client credentials) and must make the
// same proxy-wasm calls, the same number of times: a change to ai-proxy's host work shows up here.
import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import binaryen from "binaryen";
import { repoRoot, pluginWasm } from "../../harness/src/index.js";
import { Emulator } from "../../harness/src/emulator/index.js";

const chat = JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "system", content: "You are a helpful assistant." }, { role: "user", content: "Say hello from the benchmark. ".repeat(40) }], temperature: 0.2 });
const answer = JSON.stringify({ id: "c", object: "chat.completion", created: 1, model: "gpt-4o-mini", choices: [{ index: 0, message: { role: "assistant", content: "Hello." }, finish_reason: "stop" }], usage: { prompt_tokens: 21, completion_tokens: 9, total_tokens: 30 } });

async function calls(wasm: string | Uint8Array, config: unknown): Promise<Record<string, number>> {
  const host = await Emulator.load(wasm, { target: "envoy", config, routes: [{ name: "r", prefix: "/", cluster: "up" }], pluginName: "p", logLevel: "warn" });
  const req = () => host.request({ method: "POST", path: "/v1/chat/completions", headers: { "content-type": "application/json", "x-request-id": "bench" }, body: chat, response: { status: 200, headers: { "content-type": "application/json" }, body: answer } });
  expect((await req()).status).toBe(200);
  host.hostCalls.clear();
  expect((await req()).status).toBe(200);
  expect(host.traps).toEqual([]);
  return Object.fromEntries([...host.hostCalls.entries()].sort());
}

describe("ai-proxy's host-call floor", () => {
  it("makes the proxy-wasm calls ai-proxy makes for the bench's chat", async () => {
    const m = binaryen.parseText(readFileSync(join(repoRoot, "test", "bench", "ai-proxy-floor.wat"), "utf8"));
    expect(m.validate()).toBeTruthy();
    const floor = await calls(m.emitBinary(), {});
    const aiProxy = await calls(pluginWasm("ai-proxy", "envoy"), { provider: { type: "openai", apiTokens: ["sk-bench"], openaiCustomUrl: "http://bench-upstream/v1" } });
    expect(floor).toEqual(aiProxy);
    expect(aiProxy.proxy_replace_header_map_value).toBeGreaterThan(0);
  });
});
