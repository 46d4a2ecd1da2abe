// Large request bodies: in a real Envoy with a 128 MiB buffer limit, bodies of tens of MB are
// answered (passthrough with model mapping, and converted for claude) or refused with 413 in the
// client's API dialect; the VM never traps and the next ordinary request gets 200. On the
// emulator: the VM's working memory stays a small multiple of the body, and the 413 shapes.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { request } from "node:http";
import { useEnvoy } from "../../../harness/src/vitest.js";
import { pluginWasm } from "../../../harness/src/index.js";
import { Emulator } from "../../../harness/src/emulator/index.js";
import { Mocks, PROVIDERS, gatewaySpec } from "./setup.js";

const MB = 1000 * 1000;
// Already JSON-escaped, mostly ASCII (each ASCII byte is two bytes of UTF-16), with no whitespace
// once decoded (the mocks count words). Whole repetitions keep escapes and UTF-8 sequences intact.
const CHUNK = Buffer.from('Lorem_ipsum_dolor_sit_amet,_consectetur_adipiscing_elit,_sed_do_eiusmod_tempor-\\"q\\"-caf\u00e9-\u4e2d\u6587-\ud83d\ude00-\\/-\\\\-\\u00e9-');
const CHUNK_CHARS = JSON.parse(`"${CHUNK.toString()}"`).length;

/** An OpenAI chat body of about `bytes`: one big user message, then a short exchange. */
function bigChat(bytes: number, extra = ""): { body: Buffer; contentChars: number } {
  const n = Math.max(1, Math.floor(bytes / CHUNK.length));
  const body = Buffer.concat([
    Buffer.from('{"model":"gpt-4o","messages":[{"role":"system","content":"be brief"},{"role":"user","content":"'),
    Buffer.alloc(n * CHUNK.length, CHUNK),
    Buffer.from(`"},{"role":"assistant","content":"ok"},{"role":"user","content":"hi"}],"max_tokens":16${extra}}`),
  ]);
  return { body, contentChars: n * CHUNK_CHARS };
}

/** An Anthropic /v1/messages body of about `bytes`. */
function bigMessages(bytes: number): Buffer {
  const n = Math.max(1, Math.floor(bytes / CHUNK.length));
  return Buffer.concat([
    Buffer.from('{"model":"gpt-4o","max_tokens":16,"messages":[{"role":"user","content":"'),
    Buffer.alloc(n * CHUNK.length, CHUNK),
    Buffer.from('"}]}'),
  ]);
}

/** POST on a fresh connection; an answer that comes while the body is still being sent is read too. */
function post(url: string, path: string, body: Buffer): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = request({ host: u.hostname, port: u.port, path, method: "POST", agent: false, headers: { "content-type": "application/json", "content-length": String(body.length), authorization: "Bearer client-key" } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (d) => chunks.push(d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    });
    // An early answer (413) may reset the rest of the upload; only a missing answer is an error.
    req.on("error", (e) => { if (!req.res) reject(e); });
    req.end(body);
  });
}

const LIMIT_OPENAI_SHAPE = { error: { type: "invalid_request_error", code: "request_too_large", message: expect.stringContaining("larger than the limit") } };
const LIMIT_ANTHROPIC_SHAPE = { type: "error", error: { type: "request_too_large", message: expect.stringContaining("larger than the limit") } };

describe("large request bodies in Envoy (128 MiB buffer limit)", () => {
  const mocks = new Mocks();
  beforeAll(async () => { await mocks.start(); });
  afterAll(async () => { await mocks.stop(); });
  const providers = [PROVIDERS.find((p) => p.id === "openai")!, PROVIDERS.find((p) => p.id === "claude")!];
  const gw = useEnvoy(() => {
    const spec = gatewaySpec(mocks, providers, { extraRoutes: [{ name: "small", prefix: "/small/", cluster: "mock-compat" }] });
    (spec.plugins[0].config as any)._rules_.push({ _match_route_: ["small"], activeProviderId: "openai", maxRequestBodyBytes: 1000000 });
    spec.bufferLimitBytes = 128 * 1024 * 1024;
    return spec;
  }, { logLevel: "warn", wasmLogLevel: "warn" });

  const ordinary = async (prefix: string) => {
    const r = await post(gw.url, `${prefix}/v1/chat/completions`, bigChat(100).body);
    expect(r.status, r.body).toBe(200);
  };
  const noTrap = () => expect(gw.envoy.log).not.toMatch(/failed:|unreachable|wasm trap|sluice: abort/i);

  it("passes three 40 MB bodies in a row with the model mapped, then an ordinary request", async () => {
    const { body, contentChars } = bigChat(40 * MB);
    for (let i = 0; i < 3; i++) {
      const r = await post(gw.url, "/openai/v1/chat/completions", body);
      expect(r.status, r.body.slice(0, 300)).toBe(200);
      expect(JSON.parse(r.body).choices[0].message.content).toBe("Echo: hi");
      const up = mocks.compat.last!.body;
      expect(up.model).toBe("openai-chat");
      expect(up.messages[1].content.length).toBe(contentChars);
      mocks.compat.clear();
    }
    await ordinary("/openai");
    noTrap();
  });

  it("passes an 80 MB body, then an ordinary request", async () => {
    const { body, contentChars } = bigChat(80 * MB);
    const r = await post(gw.url, "/openai/v1/chat/completions", body);
    expect(r.status, r.body.slice(0, 300)).toBe(200);
    expect(mocks.compat.last!.body.messages[1].content.length).toBe(contentChars);
    mocks.compat.clear();
    await ordinary("/openai");
    noTrap();
  });

  it("converts 30 MB then 60 MB bodies for claude, then an ordinary request", async () => {
    for (const size of [30, 60]) {
      const { body, contentChars } = bigChat(size * MB);
      const r = await post(gw.url, "/claude/v1/chat/completions", body);
      expect(r.status, r.body.slice(0, 300)).toBe(200);
      expect(JSON.parse(r.body).object).toBe("chat.completion");
      const up = mocks.anthropic.last!.body;
      expect(up.model).toBe("claude-sonnet-4-5");
      expect(up.system).toBe("be brief");
      expect(up.messages[0].content[0].text.length).toBe(contentChars);
      mocks.anthropic.clear();
    }
    await ordinary("/claude");
    noTrap();
  });

  it("refuses a body over the default limit (100 MiB) with 413 in OpenAI's shape, then serves the next", async () => {
    mocks.compat.clear();
    const r = await post(gw.url, "/openai/v1/chat/completions", bigChat(110 * MB).body);
    expect(r.status).toBe(413);
    expect(JSON.parse(r.body)).toMatchObject(LIMIT_OPENAI_SHAPE);
    expect(mocks.compat.requests.length).toBe(0);
    await ordinary("/openai");
    noTrap();
  });

  it("maxRequestBodyBytes on a rule: 413 in the client's dialect (OpenAI, Anthropic /v1/messages)", async () => {
    mocks.compat.clear();
    const r = await post(gw.url, "/small/v1/chat/completions", bigChat(2 * MB).body);
    expect(r.status).toBe(413);
    expect(JSON.parse(r.body)).toMatchObject(LIMIT_OPENAI_SHAPE);
    const m = await post(gw.url, "/small/v1/messages", bigMessages(2 * MB));
    expect(m.status).toBe(413);
    expect(JSON.parse(m.body)).toMatchObject(LIMIT_ANTHROPIC_SHAPE);
    expect(mocks.compat.requests.length).toBe(0);
    await ordinary("/small");
    noTrap();
  });
});

const emuConfig = {
  providers: [
    { id: "openai", type: "openai", apiTokens: ["sk-openai"], modelMapping: { "gpt-4o": "gpt-4o-mini" } },
    { id: "claude", type: "claude", apiTokens: ["sk-claude"], modelMapping: { "*": "claude-haiku-4-5" } },
    { id: "gemini", type: "gemini", apiTokens: ["sk-gemini"], modelMapping: { "*": "gemini-2.5-flash" } },
    { id: "qwen", type: "qwen", qwenEnableCompatible: false, apiTokens: ["sk-qwen"], modelMapping: { "*": "qwen-max" } },
    { id: "bedrock", type: "bedrock", awsAccessKey: "AKIA", awsSecretKey: "secret", awsRegion: "us-east-1", modelMapping: { "*": "amazon.nova-lite-v1:0" } },
    { id: "hunyuan", type: "hunyuan", hunyuanAuthId: "AKID", hunyuanAuthKey: "key", modelMapping: { "*": "hunyuan-lite" } },
  ],
  _rules_: [
    { _match_route_: ["openai"], activeProviderId: "openai" },
    { _match_route_: ["claude"], activeProviderId: "claude" },
    ...["gemini", "qwen", "bedrock", "hunyuan"].map((id) => ({ _match_route_: [id], activeProviderId: id })),
    { _match_route_: ["small"], activeProviderId: "openai", maxRequestBodyBytes: 4096 },
  ],
};
const emuRoutes = ["openai", "claude", "small", "gemini", "qwen", "bedrock", "hunyuan"].map((n) => ({ name: n, prefix: `/${n}/`, cluster: "up" }));
const OPENAI_ANSWER = JSON.stringify({ id: "c", object: "chat.completion", created: 1, model: "gpt-4o-mini", choices: [{ index: 0, message: { role: "assistant", content: "ok" }, finish_reason: "stop" }], usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 } });
const CLAUDE_ANSWER = JSON.stringify({ id: "msg_1", type: "message", role: "assistant", model: "claude-haiku-4-5", content: [{ type: "text", text: "ok" }], stop_reason: "end_turn", usage: { input_tokens: 3, output_tokens: 1 } });

for (const target of ["envoy", "higress"] as const) {
  describe(`large request bodies on the emulator (${target})`, () => {
    const load = () => Emulator.load(pluginWasm("ai-proxy", target), { target, config: emuConfig, routes: emuRoutes, pluginName: "ai-proxy", logLevel: "warn" });
    const memory = (host: Emulator) => (host as unknown as { mem: { buffer: ArrayBuffer } }).mem.buffer.byteLength;

    for (const [name, path, answer] of [["passthrough with model mapping", "/openai/v1/chat/completions", OPENAI_ANSWER], ["claude conversion", "/claude/v1/chat/completions", CLAUDE_ANSWER]] as const) {
      it(`${name}: a 10 MB body costs at most 3 bytes of VM memory per body byte, and repeating it no more`, async () => {
        const host = await load();
        const { body, contentChars } = bigChat(10 * MB);
        const before = memory(host);
        for (let i = 0; i < 3; i++) {
          const r = await host.request({ path, headers: { "content-type": "application/json" }, body, chunks: 4, response: { status: 200, headers: { "content-type": "application/json" }, body: answer } });
          expect(r.status).toBe(200);
          const up = JSON.parse(r.upstream!.body.toString());
          const content = path.startsWith("/claude") ? up.messages[0].content[0].text : up.messages[1].content;
          expect(content.length).toBe(contentChars);
          expect((memory(host) - before) / body.length).toBeLessThanOrEqual(3);
        }
        const r = await host.request({ path, headers: { "content-type": "application/json" }, body: bigChat(100).body, response: { status: 200, headers: { "content-type": "application/json" }, body: answer } });
        expect(r.status).toBe(200);
        expect(host.traps).toEqual([]);
      });
    }

    it("the other conversions (gemini, qwen, bedrock, hunyuan; Anthropic /v1/messages in) keep a 10 MB body within 3 bytes of VM memory per body byte", async () => {
      const { body: chatBody, contentChars } = bigChat(10 * MB);
      const longest = (v: unknown): number => typeof v === "string" ? v.length : v && typeof v === "object" ? Math.max(0, ...Object.values(v).map(longest)) : 0;
      for (const path of ["/gemini/v1/chat/completions", "/qwen/v1/chat/completions", "/bedrock/v1/chat/completions", "/hunyuan/v1/chat/completions", "/openai/v1/messages"]) {
        const id = path;
        const body = path.endsWith("/messages") ? bigMessages(10 * MB) : chatBody;
        const host = await load();
        const before = memory(host);
        for (let i = 0; i < 2; i++) {
          const r = await host.request({ path, headers: { "content-type": "application/json" }, body, response: { status: 200, headers: { "content-type": "application/json" }, body: path.endsWith("/messages") ? OPENAI_ANSWER : "{}" } });
          expect(r.status, id).toBe(200);
          expect(longest(JSON.parse(r.upstream!.body.toString())), id).toBe(contentChars);
          expect((memory(host) - before) / body.length, id).toBeLessThanOrEqual(3);
        }
        expect(host.traps, id).toEqual([]);
      }
    });

    it("converts a 10 MB claude answer to OpenAI within 3 bytes of VM memory per body byte", async () => {
      const host = await load();
      const n = Math.floor(10 * MB / CHUNK.length);
      const answer = Buffer.concat([
        Buffer.from('{"id":"msg_1","type":"message","role":"assistant","model":"claude-haiku-4-5","content":[{"type":"text","text":"'),
        Buffer.alloc(n * CHUNK.length, CHUNK),
        Buffer.from('"}],"stop_reason":"end_turn","usage":{"input_tokens":3,"output_tokens":1}}'),
      ]);
      const before = memory(host);
      for (let i = 0; i < 2; i++) {
        const r = await host.request({ path: "/claude/v1/chat/completions", headers: { "content-type": "application/json" }, body: bigChat(100).body, response: { status: 200, headers: { "content-type": "application/json" }, body: answer } });
        expect(r.status).toBe(200);
        expect(JSON.parse(r.body).choices[0].message.content.length).toBe(n * CHUNK_CHARS);
        expect((memory(host) - before) / answer.length).toBeLessThanOrEqual(3);
      }
      expect(host.traps).toEqual([]);
    });

    it("refuses a body over maxRequestBodyBytes while it arrives: 413, OpenAI or Anthropic shape, nothing sent upstream", async () => {
      const host = await load();
      const r = await host.request({ path: "/small/v1/chat/completions", headers: { "content-type": "application/json" }, body: bigChat(20000).body, chunks: 8 });
      expect(r.status).toBe(413);
      expect(JSON.parse(r.body)).toMatchObject(LIMIT_OPENAI_SHAPE);
      expect(r.upstream).toBeNull();
      // Higress: the host's buffer limit sits 1 MiB above, so the plugin's 413 (in the API's shape) comes first.
      if (target === "higress") expect(r.stream.properties.get("set_decoder_buffer_limit")?.toString()).toBe(String(4096 + 1048576));
      const m = await host.request({ path: "/small/v1/messages", headers: { "content-type": "application/json" }, body: bigMessages(20000), chunks: 8 });
      expect(m.status).toBe(413);
      expect(JSON.parse(m.body)).toMatchObject(LIMIT_ANTHROPIC_SHAPE);
      const ok = await host.request({ path: "/small/v1/chat/completions", headers: { "content-type": "application/json" }, body: bigChat(100).body, response: { status: 200, headers: { "content-type": "application/json" }, body: OPENAI_ANSWER } });
      expect(ok.status).toBe(200);
      expect(host.traps).toEqual([]);
    });

    it("refuses a maxRequestBodyBytes that is not a positive integer up to 256 MiB", async () => {
      for (const bad of [0, -1, 1.5, "10", 300 * 1024 * 1024]) {
        const config = { providers: emuConfig.providers, activeProviderId: "openai", maxRequestBodyBytes: bad };
        const host = await Emulator.load(pluginWasm("ai-proxy", target), { target, config, routes: emuRoutes, pluginName: "ai-proxy", allowStartFailure: true });
        expect(host.started, String(bad)).toBe(false);
        expect(host.logLines().join("\n")).toContain("maxRequestBodyBytes must be an integer from 1 to 268435456");
      }
    });
  });
}
