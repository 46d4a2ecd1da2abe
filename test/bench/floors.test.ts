// The bench's hand-written floors are only floors for a plugin if they make the calls that plugin
// makes: ai-proxy-floor.wat those of ai-proxy on the bench's request (a 2 KB OpenAI chat, no
// client credentials), hook-floor.wat those of the Sluice no-op plugin on a GET, header-floor.wat
// and key-auth-floor.wat those of request-block, ip-restriction and key-auth on theirs
// (floor-cases.ts, the configs the bench runs). Each pair runs here on the emulator and must make
// the same proxy-wasm calls, the same number of times, and be entered by the host for the same
// hooks (a hook the module exports costs a VM entry per request even when it does nothing: the
// floors once exported proxy_on_done, which Sluice's modules do not, and ai-proxy-floor.wat lacked
// the proxy_on_log ai-proxy has): a change to a plugin's host work shows up here.
import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import binaryen from "binaryen";
import { repoRoot, pluginWasm } from "../../harness/src/index.js";
import { Emulator } from "../../harness/src/emulator/index.js";
import { floorCases } from "./floor-cases.js";

const chat = JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "system", content: "You are a helpful assistant." }, { role: "user", content: "Say hello from the benchmark. ".repeat(40) }], temperature: 0.2 });
const answer = JSON.stringify({ id: "c", object: "chat.completion", created: 1, model: "gpt-4o-mini", choices: [{ index: 0, message: { role: "assistant", content: "Hello." }, finish_reason: "stop" }], usage: { prompt_tokens: 21, completion_tokens: 9, total_tokens: 30 } });

const chatRequest = { method: "POST", path: "/v1/chat/completions", headers: { "content-type": "application/json", "x-request-id": "bench" }, body: chat, response: { status: 200, headers: { "content-type": "application/json" }, body: answer } };
const getRequest = { path: "/json", headers: { "x-request-id": "bench" }, response: { status: 200, headers: { "content-type": "application/json" }, body: "{}" } };

function assemble(wat: string): Uint8Array {
  const m = binaryen.parseText(readFileSync(join(repoRoot, "test", "bench", wat), "utf8"));
  expect(m.validate()).toBeTruthy();
  return m.emitBinary();
}

/** One request's proxy-wasm calls (`host`) and the hooks the host entered for it (`entries`), by name. */
async function calls(wasm: string | Uint8Array, config: unknown, spec: Parameters<Emulator["request"]>[0]): Promise<{ host: Record<string, number>; entries: Record<string, number> }> {
  const host = await Emulator.load(wasm, { target: "envoy", config, routes: [{ name: "r", prefix: "/", cluster: "up" }], pluginName: "p", logLevel: "warn" });
  const req = () => host.request(spec);
  expect((await req()).status).toBe(200);
  host.hostCalls.clear();
  host.vmEntries.clear();
  expect((await req()).status).toBe(200);
  expect(host.traps).toEqual([]);
  return { host: Object.fromEntries([...host.hostCalls.entries()].sort()), entries: Object.fromEntries([...host.vmEntries.entries()].sort()) };
}

describe("the bench's host-call floors", () => {
  it("ai-proxy-floor.wat makes the proxy-wasm calls ai-proxy makes for the bench's chat", async () => {
    const floor = await calls(assemble("ai-proxy-floor.wat"), {}, chatRequest);
    const aiProxy = await calls(pluginWasm("ai-proxy", "envoy"), { provider: { type: "openai", apiTokens: ["sk-bench"], openaiCustomUrl: "http://bench-upstream/v1" } }, chatRequest);
    expect(floor).toEqual(aiProxy);
    expect(aiProxy.host.proxy_replace_header_map_value).toBeGreaterThan(0);
    expect(aiProxy.entries.proxy_on_log).toBe(1);
  });

  it("hook-floor.wat makes the proxy-wasm calls the Sluice no-op plugin makes for a GET", async () => {
    const floor = await calls(assemble("hook-floor.wat"), {}, getRequest);
    const noop = await calls(join(repoRoot, "test", "plugins", "noop", "build", "envoy.wasm"), {}, getRequest);
    expect(floor).toEqual(noop);
    expect(noop.host).toEqual({ proxy_get_header_map_value: 1 });
    expect(noop.entries).toEqual({ proxy_on_context_create: 1, proxy_on_delete: 1, proxy_on_request_headers: 1 });
  });

  for (const c of floorCases) {
    it(`${c.floor} makes the proxy-wasm calls ${c.plugin} makes for the bench's GET`, async () => {
      const spec = { path: "/json", headers: { ...c.headers, "x-request-id": "bench" }, response: getRequest.response };
      const floor = await calls(assemble(c.floor), {}, spec);
      const plugin = await calls(pluginWasm(c.plugin, "envoy"), c.config, spec);
      expect(floor).toEqual(plugin);
      expect(Object.keys(plugin.host).length).toBeGreaterThan(0);
    });
  }
});
