// ai-proxy on the emulator, both targets: status patterns in the config, and Anthropic ⇄ OpenAI
// conversion of a streamed answer however the SSE bytes are chunked (usage recorded as a
// property). Request rewriting per provider and bad input are rows of cases.ts (table.test.ts),
// run on Envoy and the emulator alike.
import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { pluginWasm } from "../../../harness/src/index.js";
import { Emulator } from "../../../harness/src/emulator/index.js";
import { eventStreamMessage } from "../../../harness/src/mocks/llm/bedrock.js";

const config = {
  providers: [
    { id: "openai", type: "openai", apiTokens: ["sk-openai"], modelMapping: { "gpt-4o": "gpt-4o-mini", "*": "gpt-4o" } },
    { id: "claude", type: "claude", apiTokens: ["sk-claude"], claudeVersion: "2023-06-01", modelMapping: { "*": "claude-haiku-4-5" } },
    { id: "gemini", type: "gemini", apiTokens: ["g-key"], modelMapping: { "*": "gemini-2.5-flash" } },
    { id: "qwen", type: "qwen", apiTokens: ["q-key"], qwenEnableCompatible: false, modelMapping: { "*": "qwen-plus" } },
    { id: "qwen-concat", type: "qwen", apiTokens: ["q-key"], qwenEnableCompatible: false, reasoningContentMode: "concat", modelMapping: { "*": "qwen-plus" } },
    { id: "bedrock", type: "bedrock", apiTokens: ["b-key"], awsRegion: "us-east-1", modelMapping: { "*": "amazon.nova-lite-v1:0" } },
    // promoteThinkingOnEmpty sends an answer down the tree path (otherwise the same answer when it has content)
    { id: "claude-tree", type: "claude", apiTokens: ["sk-claude"], claudeVersion: "2023-06-01", promoteThinkingOnEmpty: true, modelMapping: { "*": "claude-haiku-4-5" } },
    { id: "gemini-tree", type: "gemini", apiTokens: ["g-key"], promoteThinkingOnEmpty: true, modelMapping: { "*": "gemini-2.5-flash" } },
  ],
  _rules_: [{ _match_route_: ["openai"], activeProviderId: "openai" }, { _match_route_: ["claude"], activeProviderId: "claude" }, { _match_route_: ["gemini"], activeProviderId: "gemini" }, { _match_route_: ["qwen"], activeProviderId: "qwen" }, { _match_route_: ["qwen-concat"], activeProviderId: "qwen-concat" }, { _match_route_: ["bedrock"], activeProviderId: "bedrock" }, { _match_route_: ["claude-tree"], activeProviderId: "claude-tree" }, { _match_route_: ["gemini-tree"], activeProviderId: "gemini-tree" }],
};
const routes = [{ name: "openai", prefix: "/openai/", cluster: "up" }, { name: "claude", prefix: "/claude/", cluster: "up" }, { name: "gemini", prefix: "/gemini/", cluster: "up" }, { name: "qwen", prefix: "/qwen/", cluster: "up" }, { name: "qwen-concat", prefix: "/qwen-concat/", cluster: "up" }, { name: "bedrock", prefix: "/bedrock/", cluster: "up" }, { name: "claude-tree", prefix: "/claude-tree/", cluster: "up" }, { name: "gemini-tree", prefix: "/gemini-tree/", cluster: "up" }];
const chat = (extra: Record<string, unknown> = {}) => JSON.stringify({ model: "gpt-4o", messages: [{ role: "user", content: "hi" }], ...extra });

const CLAUDE_SSE =
  'event: message_start\ndata: {"type":"message_start","message":{"id":"m","model":"claude-haiku-4-5","usage":{"input_tokens":3}}}\n\n' +
  'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"hé 😀"}}\n\n' +
  'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":2}}\n\n' +
  'event: message_stop\ndata: {"type":"message_stop"}\n\n';

/** An OpenAI stream passed through unconverted, with the given line terminator. */
const openaiSse = (nl: string) => [
  'data: {"id":"c","object":"chat.completion.chunk","model":"gpt-4o-mini","choices":[{"index":0,"delta":{"content":"hé 😀"},"finish_reason":null}]}',
  'data: {"id":"c","object":"chat.completion.chunk","model":"gpt-4o-mini","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}',
  "data: [DONE]",
].map((e) => e + nl + nl).join("");

/** The data of each event an SSE client dispatches (WHATWG rules: CR, LF, CRLF; an unterminated event is dropped), [DONE] left out. */
function sseEvents(text: string): string[] {
  const out: string[] = [];
  let data: string[] = [];
  const lines = text.split(/\r\n|\r|\n/);
  lines.pop(); // the text after the last line terminator is not a line
  for (const line of lines) {
    if (line === "") { if (data.length > 0 && data.join("\n") !== "[DONE]") out.push(data.join("\n")); data = []; continue; }
    if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
  }
  return out;
}

/** The chunks of a body cut at the given byte offsets (inside events, lines, UTF-8 characters). */
function cut(body: string, at: number[]): Buffer[] {
  const b = Buffer.from(body);
  const points = [0, ...at.filter((x) => x > 0 && x < b.length).sort((x, y) => x - y), b.length];
  return points.slice(1).map((p, i) => b.subarray(points[i], p));
}

for (const target of ["envoy", "higress"] as const) {
  describe(`ai-proxy on the emulator (${target})`, () => {
    const load = () => Emulator.load(pluginWasm("ai-proxy", target), { target, config, routes, pluginName: "ai-proxy" });

    it("refuses to start on a retryOnStatus / failoverOnStatus pattern that is not RE2", async () => {
      for (const [key, block] of [["retryOnStatus", "retryOnFailure"], ["failoverOnStatus", "failover"]] as const) {
        const bad = { provider: { type: "openai", apiTokens: ["sk"], [block]: { [key]: ["5.*", "(4"] } } };
        const host = await Emulator.load(pluginWasm("ai-proxy", target), { target, config: bad, routes, pluginName: "ai-proxy", allowStartFailure: true });
        expect(host.started).toBe(false);
        expect(host.logLines().join("\n")).toContain(`${key}[1]: error parsing regexp: missing closing )`);
      }
    });

    it("accepts RE2 status patterns beyond digits and .* (50[23])", async () => {
      const ok = { provider: { type: "openai", apiTokens: ["sk"], retryOnFailure: { enabled: true, retryOnStatus: ["50[23]", "429"] } } };
      const host = await Emulator.load(pluginWasm("ai-proxy", target), { target, config: ok, routes, pluginName: "ai-proxy" });
      expect(host.started).toBe(true);
    });

    it("converts a streamed Claude answer to OpenAI chunks the same way however it is chunked", async () => {
      const host = await load();
      const outputs = new Set<string>();
      const chunkings = [[], [1], [7, 60, 61, 62], [150, 151, 152, 153], Array.from({ length: 40 }, (_, i) => i * 13 + 5)];
      // Cut inside the emoji too.
      const emoji = Buffer.from(CLAUDE_SSE).indexOf(Buffer.from("😀"));
      chunkings.push([emoji + 1, emoji + 2, emoji + 3]);
      for (const at of chunkings) {
        const r = await host.request({
          path: "/claude/v1/chat/completions",
          headers: { "content-type": "application/json" },
          body: chat({ stream: true }),
          response: { status: 200, headers: { "content-type": "text/event-stream" }, chunks: cut(CLAUDE_SSE, at) },
        });
        expect(r.status).toBe(200);
        const up = Object.fromEntries(r.upstream!.headers!);
        expect(up[":path"]).toBe("/v1/messages");
        expect(up["anthropic-version"]).toBe("2023-06-01");
        expect(JSON.parse(r.upstream!.body.toString())).toMatchObject({ model: "claude-haiku-4-5", stream: true });
        outputs.add(r.body.replace(/"created":\d+/g, ""));
        expect(r.body).toContain('"content":"hé 😀"');
        expect(r.body.trimEnd().endsWith("data: [DONE]")).toBe(true);
        expect(r.stream.properties.has("ai_usage")).toBe(true);
      }
      expect(outputs.size).toBe(1);
      expect(host.traps).toEqual([]);
    });

    // Converted streams read on their bytes: a text or thinking delta's string goes into the
    // client's chunk as the provider sent it (escapes kept, so `\u00e9` stays six bytes — the tree
    // path would have written `é`); events the byte path does not take (message_start, tool use,
    // a finish, invalid UTF-8) go through trees, and the result is the same at every split.
    const enc = (x: string) => Buffer.from(x);
    const claudeBytes = Buffer.concat([
      enc('event: message_start\ndata: {"type":"message_start","message":{"id":"msg_1","model":"claude-haiku-4-5","usage":{"input_tokens":9,"cache_read_input_tokens":2}}}\n\n'),
      enc('event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"let me \\"think\\""}}\n\n'),
      enc('event: content_block_delta\r\ndata: {"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"h\\u00e9\\n😀 \\ud83d\\ude00"}}\r\n\r\n'),
      enc('event: content_block_delta\ndata: { "delta" : { "text" : "x", "type" : "text_delta" }, "type" : "content_block_delta" }\n\n'),
      enc('event: content_block_delta\ndata: {"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"bad '), Buffer.from([0xff]), enc(' byte"}}\n\n'),
      enc('event: content_block_start\ndata: {"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":"tu_1","name":"f"}}\n\n'),
      enc('event: content_block_delta\ndata: {"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"{\\"a\\":1}"}}\n\n'),
      enc('event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":12}}\n\n'),
      enc('event: message_stop\ndata: {"type":"message_stop"}\n\n'),
    ]);
    const geminiBytes = Buffer.concat([
      enc('data: {"candidates":[{"content":{"parts":[{"text":"first"}],"role":"model"}}],"usageMetadata":{"promptTokenCount":5,"candidatesTokenCount":1,"totalTokenCount":6},"responseId":"r-1"}\n\n'),
      enc('data: {"candidates":[{"content":{"parts":[{"text":"ponder \\u00e9","thought":true},{"text":"a"},{"text":"\\"b\\""}],"role":"model"}}],"usageMetadata":{"promptTokenCount":5,"candidatesTokenCount":4,"totalTokenCount":9},"responseId":"r-1"}\r\n\r\n'),
      enc('data: {"candidates":[{"content":{"parts":[{"text":""}],"role":"model"}}],"responseId":"r-1"}\n\n'),
      enc('data: {"candidates":[{"content":{"parts":[{"text":"bad '), Buffer.from([0xc3]), enc('"}],"role":"model"}}],"responseId":"r-1"}\n\n'),
      enc('data: {"candidates":[{"content":{"parts":[{"text":"end"}],"role":"model"},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":5,"candidatesTokenCount":7,"totalTokenCount":12},"responseId":"r-1"}\n\n'),
    ]);
    const qwenEvent = (n: number, message: string, finish = '"null"', usage = `{"input_tokens":4,"output_tokens":${n},"total_tokens":${4 + n}}`) =>
      enc(`id:${n}\nevent:result\n:HTTP_STATUS/200\ndata:{"output":{"choices":[{"message":${message},"finish_reason":${finish}}]},"usage":${usage},"request_id":"req-q"}\n\n`);
    const qwenBytes = Buffer.concat([
      qwenEvent(1, '{"content":"","reasoning_content":"think","role":"assistant"}'),
      qwenEvent(2, '{"content":"","reasoning_content":"ing \\u00e9","role":"assistant"}'),
      qwenEvent(3, '{"content":"an\\"s","reasoning_content":"","role":"assistant"}'),
      qwenEvent(4, '{"content":"wer","role":"assistant"}', "null"),
      Buffer.concat([enc('id:5\nevent:result\ndata:{"output":{"choices":[{"message":{"content":"bad '), Buffer.from([0xe2, 0x82]), enc('","role":"assistant"},"finish_reason":"null"}]},"usage":{"input_tokens":4,"output_tokens":5,"total_tokens":9},"request_id":"req-q"}\n\n')]),
      qwenEvent(6, '{"content":"","role":"assistant"}', '"stop"', '{"input_tokens":4,"output_tokens":6,"total_tokens":10,"output_tokens_details":{"reasoning_tokens":2}}'),
    ]);
    const bedrockEvent = (type: string, data: object | Buffer) => eventStreamMessage({ ":event-type": type, ":content-type": "application/json", ":message-type": "event" }, Buffer.isBuffer(data) ? data : Buffer.from(JSON.stringify(data)));
    const bedrockBytes = Buffer.concat([
      bedrockEvent("messageStart", { role: "assistant" }),
      bedrockEvent("contentBlockDelta", enc('{"contentBlockIndex":0,"delta":{"reasoningContent":{"text":"mull \\u00e9"}},"p":"abc"}')),
      bedrockEvent("contentBlockDelta", enc('{"contentBlockIndex":1,"delta":{"text":"h\\u00e9\\n😀"},"p":"abcdefghij"}')),
      bedrockEvent("contentBlockDelta", Buffer.concat([enc('{"contentBlockIndex":1,"delta":{"text":"bad '), Buffer.from([0xff]), enc('"}}')])),
      bedrockEvent("contentBlockStart", { contentBlockIndex: 2, start: { toolUse: { toolUseId: "t1", name: "f" } } }),
      bedrockEvent("contentBlockDelta", { contentBlockIndex: 2, delta: { toolUse: { input: '{"a":1}' } } }),
      bedrockEvent("messageStop", { stopReason: "tool_use" }),
      bedrockEvent("metadata", { usage: { inputTokens: 8, outputTokens: 6, totalTokens: 14 }, metrics: { latencyMs: 1 } }),
    ]);
    const deltas = (body: string) => sseEvents(body).map((e) => JSON.parse(e)).map((c) => {
      expect(Object.keys(c)).toEqual(c.usage ? ["id", "object", "model", "choices", "usage"] : ["id", "object", "model", "choices"]);
      return c.choices.length ? { id: c.id, model: c.model, ...c.choices[0].delta, finish: c.choices[0].finish_reason } : { id: c.id, usage: c.usage };
    });

    it("converts Claude, Gemini, Qwen and Bedrock streams on their bytes: deltas as sent, the same chunks at every split, usage exact", async () => {
      const host = await load();
      for (const [route, body, expected, escapes, usage] of [
        ["claude", claudeBytes, [
          { id: "msg_1", model: "claude-haiku-4-5", role: "assistant", content: "", finish: null },
          { id: "msg_1", model: "claude-haiku-4-5", reasoning_content: 'let me "think"', finish: null },
          { id: "msg_1", model: "claude-haiku-4-5", content: "hé\n😀 😀", finish: null },
          { id: "msg_1", model: "claude-haiku-4-5", content: "x", finish: null },
          { id: "msg_1", model: "claude-haiku-4-5", content: "bad \ufffd byte", finish: null },
          { id: "msg_1", model: "claude-haiku-4-5", tool_calls: [{ index: 0, id: "tu_1", type: "function", function: { name: "f", arguments: "" } }], finish: null },
          { id: "msg_1", model: "claude-haiku-4-5", tool_calls: [{ index: 0, function: { arguments: '{"a":1}' } }], finish: null },
          { id: "msg_1", model: "claude-haiku-4-5", finish: "tool_calls" },
          { id: "msg_1", usage: { prompt_tokens: 11, completion_tokens: 12, total_tokens: 23, prompt_tokens_details: { cached_tokens: 2 } } },
        ], ['"reasoning_content":"let me \\"think\\""', '"content":"h\\u00e9\\n😀 \\ud83d\\ude00"'], { p: 11, c: 12, t: 23 }],
        ["gemini", geminiBytes, [
          { id: "r-1", model: "gemini-2.5-flash", role: "assistant", content: "first", finish: null },
          { id: "r-1", model: "gemini-2.5-flash", reasoning_content: "ponder é", content: 'a"b"', finish: null },
          { id: "r-1", model: "gemini-2.5-flash", content: "bad \ufffd", finish: null },
          { id: "r-1", model: "gemini-2.5-flash", content: "end", finish: "stop" },
          { id: "r-1", usage: { prompt_tokens: 5, completion_tokens: 7, total_tokens: 12 } },
        ], ['"reasoning_content":"ponder \\u00e9","content":"a\\"b\\""'], { p: 5, c: 7, t: 12 }],
        ["qwen", qwenBytes, [
          { id: "req-q", model: "qwen-plus", role: "assistant", reasoning_content: "think", finish: null },
          { id: "req-q", model: "qwen-plus", reasoning_content: "ing é", finish: null },
          { id: "req-q", model: "qwen-plus", content: 'an"s', finish: null },
          { id: "req-q", model: "qwen-plus", content: "wer", finish: null },
          { id: "req-q", model: "qwen-plus", content: "bad \ufffd", finish: null },
          { id: "req-q", model: "qwen-plus", finish: "stop" },
          { id: "req-q", usage: { prompt_tokens: 4, completion_tokens: 6, total_tokens: 10 } },
        ], ['"reasoning_content":"ing \\u00e9"', '"content":"an\\"s"'], { p: 4, c: 6, t: 10 }],
        ["qwen-concat", qwenBytes, [
          { id: "req-q", model: "qwen-plus", role: "assistant", content: "think", finish: null },
          { id: "req-q", model: "qwen-plus", content: "ing é", finish: null },
          { id: "req-q", model: "qwen-plus", content: 'an"s', finish: null },
          { id: "req-q", model: "qwen-plus", content: "wer", finish: null },
          { id: "req-q", model: "qwen-plus", content: "bad \ufffd", finish: null },
          { id: "req-q", model: "qwen-plus", finish: "stop" },
          { id: "req-q", usage: { prompt_tokens: 4, completion_tokens: 6, total_tokens: 10 } },
        ], ['"content":"ing \\u00e9"'], { p: 4, c: 6, t: 10 }],
        ["bedrock", bedrockBytes, [
          { model: "amazon.nova-lite-v1:0", role: "assistant", content: "", finish: null },
          { model: "amazon.nova-lite-v1:0", reasoning_content: "mull é", finish: null },
          { model: "amazon.nova-lite-v1:0", content: "hé\n😀", finish: null },
          { model: "amazon.nova-lite-v1:0", content: "bad \ufffd", finish: null },
          { model: "amazon.nova-lite-v1:0", tool_calls: [{ index: 0, id: "t1", type: "function", function: { name: "f", arguments: "" } }], finish: null },
          { model: "amazon.nova-lite-v1:0", tool_calls: [{ index: 0, function: { arguments: '{"a":1}' } }], finish: null },
          { model: "amazon.nova-lite-v1:0", finish: "tool_calls" },
          { usage: { prompt_tokens: 8, completion_tokens: 6, total_tokens: 14 } },
        ], ['"reasoning_content":"mull \\u00e9"', '"content":"h\\u00e9\\n😀"'], { p: 8, c: 6, t: 14 }],
      ] as const) {
        const outputs = new Set<string>();
        for (let at = 0; at < body.length; at++) {
          const chunks = at === 0 ? [body] : [body.subarray(0, at), body.subarray(at)];
          const type = route === "bedrock" ? "application/vnd.amazon.eventstream" : "text/event-stream";
          const r = await host.request({ path: `/${route}/v1/chat/completions`, headers: { "content-type": "application/json" }, body: chat({ stream: true }), response: { status: 200, headers: { "content-type": type }, chunks } });
          outputs.add(r.body.replace(/"created":\d+,/g, "").replace(/"id":"chatcmpl-[^"]*"/g, '"id":"random"'));
          const u = JSON.parse(r.stream.properties.get("ai_usage")!.toString());
          expect({ p: u.prompt_tokens, c: u.completion_tokens, t: u.total_tokens }, `${route} split at ${at}`).toEqual(usage);
        }
        expect(outputs.size, route).toBe(1);
        const out = [...outputs][0];
        expect(deltas(out), route).toMatchObject(expected as unknown as object[]);
        expect(deltas(out).length, route).toBe(expected.length);
        for (const e of escapes) expect(out, route).toContain(e);
        expect(out.trimEnd().endsWith("data: [DONE]"), route).toBe(true);
      }
      expect(host.traps).toEqual([]);
    });

    it("passes an OpenAI stream through byte for byte (LF, CRLF, CR line ends), however it is chunked", async () => {
      const host = await load();
      for (const nl of ["\n", "\r\n", "\r"]) {
        const sse = openaiSse(nl);
        const n = Buffer.byteLength(sse);
        const chunkings = [[], Array.from({ length: n }, (_, i) => i), ...Array.from({ length: Math.ceil(n / 5) }, (_, i) => [i * 5 + 1])];
        for (const at of chunkings) {
          const r = await host.request({ path: "/openai/v1/chat/completions", headers: { "content-type": "application/json" }, body: chat({ stream: true }), response: { status: 200, headers: { "content-type": "text/event-stream" }, chunks: cut(sse, at) } });
          expect(r.body, JSON.stringify({ nl, at })).toBe(sse);
        }
      }
      expect(host.traps).toEqual([]);
    });

    it("a request relayed on its bytes whose body ends in trailers, split at every byte: the provider gets the edited bytes once", async () => {
      const host = await load();
      const body = Buffer.from('{ "model":"gpt-4o", "messages":[{"role":"user","content":"h\u00e9 😀"}], "stream":true }');
      const want = '{ "model":"gpt-4o-mini", "messages":[{"role":"user","content":"h\u00e9 😀"}], "stream":true,"stream_options":{"include_usage":true} }';
      for (let at = 1; at < body.length; at++) {
        const r = await host.request({ path: "/openai/v1/chat/completions", headers: { "content-type": "application/json" }, chunks: [body.subarray(0, at), body.subarray(at)], trailers: { "x-checksum": "1" },
          response: { status: 200, headers: { "content-type": "application/json" }, body: '{"choices":[],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}' } });
        expect(r.status, `split at ${at}`).toBe(200);
        expect(r.upstream!.body.toString(), `split at ${at}`).toBe(want);
      }
      expect(host.traps).toEqual([]);
    });

    it("a pass-through stream read on its bytes: usage exact and bytes untouched at every split, invalid UTF-8 and a trailing usage chunk included", async () => {
      const host = await load();
      const enc = (x: string) => Buffer.from(x);
      const body = Buffer.concat([
        enc('data: {"id":"c","object":"chat.completion.chunk","model":"gpt-4o-mini","choices":[{"index":0,"delta":{"content":"h'), Buffer.from([0xff, 0xc3]), enc('\u00e9"},"finish_reason":null}]}\n\n'),
        enc('data: {"id":"c","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\r\n\r\n'),
        // the usage chunk comes after the finish (include_usage), with an invalid byte in a field nobody reads
        enc('data: {"id":"c","choices":[],"x":"'), Buffer.from([0xfe]), enc('","usage":{"prompt_tokens":11,"completion_tokens":7,"total_tokens":18,"prompt_tokens_details":{"cached_tokens":4}}}\n\n'),
        enc("data: [DONE]\n\n"),
      ]);
      for (let at = 0; at <= body.length; at++) {
        const chunks = at === 0 || at === body.length ? [body] : [body.subarray(0, at), body.subarray(at)];
        const r = await host.request({ path: "/openai/v1/chat/completions", headers: { "content-type": "application/json" }, body: chat({ stream: true }), response: { status: 200, headers: { "content-type": "text/event-stream" }, chunks } });
        expect(Buffer.compare(r.bodyBytes, body), `split at ${at}`).toBe(0);
        const u = JSON.parse(r.stream.properties.get("ai_usage")!.toString());
        expect({ p: u.prompt_tokens, c: u.completion_tokens, t: u.total_tokens, cached: u.cached_tokens, stream: u.stream }, `split at ${at}`).toEqual({ p: 11, c: 7, t: 18, cached: 4, stream: true });
      }
      expect(host.traps).toEqual([]);
    });

    it("a pass-through stream ending anywhere inside its last event: whole events, then the gateway's error or a finished answer", async () => {
      const host = await load();
      for (const nl of ["\n", "\r\n", "\r"]) {
        const sse = openaiSse(nl);
        const first = sse.indexOf("data: ", 5);
        const second = sse.indexOf("data: ", first + 5);
        for (let end = first + 1; end < second; end++) {
          const body = sse.slice(0, end);
          const r = await host.request({ path: "/openai/v1/chat/completions", headers: { "content-type": "application/json" }, body: chat({ stream: true }), response: { status: 200, headers: { "content-type": "text/event-stream" }, chunks: cut(body, [first - 3, end - 2]) } });
          const events = sseEvents(r.body);
          const what = JSON.stringify({ nl, end, body: r.body });
          const datas = events.map((e) => JSON.parse(e)); // every event the client reads is whole JSON
          const finished = datas.some((d) => d.choices?.[0]?.finish_reason === "stop");
          const last = datas.at(-1);
          expect(finished || /ended before the answer finished/.test(last?.error?.message ?? ""), what).toBe(true);
          expect(datas[0].choices[0].delta.content, what).toBe("hé 😀");
        }
      }
      expect(host.traps).toEqual([]);
    });

    it("converts Claude and Gemini chat answers on their bytes: the same completion and usage as the tree path, text as sent", async () => {
      const host = await load();
      const answer = async (route: string, body: string | Buffer) => {
        const r = await host.request({ method: "POST", path: `/${route}/v1/chat/completions`, headers: { "content-type": "application/json" }, body: chat(), response: { status: 200, headers: { "content-type": "application/json" }, body } });
        expect(r.status).toBe(200);
        const usage = r.stream.properties.get("ai_usage");
        return { body: r.body, bytes: r.bodyBytes, usage: usage === undefined ? null : JSON.parse(usage.toString()) };
      };
      // What promoteThinkingOnEmpty does to an answer (the tree route's only difference).
      const promoted = (c: any) => {
        const m = c.choices[0].message;
        if (!m.tool_calls && m.reasoning_content && String(m.content ?? "").trim() === "") { m.content = m.reasoning_content; delete m.reasoning_content; }
        return c;
      };
      const same = (c: any, missingId: boolean) => { delete c.created; if (missingId) { expect(c.id).toMatch(/^chatcmpl-/); delete c.id; } return c; };
      const text = fc.oneof(fc.constantFrom("", " ", "ok", 'h\\u00e9 \\"q\\" \\n', "😀", "\\ud83d\\ude00", "a\\\\b", "\\u2028"), fc.string({ maxLength: 8 }).map((x) => JSON.stringify(x).slice(1, -1)));
      const str = (t: string) => `"${t}"`;
      const anyValue = fc.constantFrom("null", "1", "[]", "{}", "true");
      const count = fc.constantFrom("0", "3", "12", "7.0", "-1", '"5"', "1e3", "null");
      const claudeBlock = fc.oneof(
        text.map((t) => `{"type":"text","text":${str(t)}}`),
        text.map((t) => `{"type":"thinking","thinking":${str(t)},"signature":"s"}`),
        anyValue.map((v) => `{"type":"text","text":${v}}`),
        fc.constantFrom('{"type":"text"}', '{"type":"redacted_thinking","data":"x"}', '{"type":"te\\u0078t","text":"esc"}', '"loose"', "7", '{"text":"untyped"}', '{"type":"text","text":"first","text":"last"}'),
      );
      const claude = fc.record({
        id: fc.constantFrom('"msg_1"', '"m\\u0031"', "5", null),
        blocks: fc.array(claudeBlock, { maxLength: 5 }),
        content: fc.constantFrom("array", "string", "absent"),
        stop: fc.constantFrom('"end_turn"', '"max_tokens"', '"tool_use"', '"refusal"', '"stop_sequence"', "null", '"max_\\u0074okens"', null),
        usage: fc.option(fc.tuple(count, count, count, count), { nil: null }),
      }).map(({ id, blocks, content, stop, usage }) => {
        const members = ['"type":"message"', '"role":"assistant"', '"model":"claude-haiku-4-5"'];
        if (id !== null) members.push(`"id":${id}`);
        if (content === "array") members.push(`"content":[${blocks.join(",")}]`);
        else if (content === "string") members.push('"content":"plain"');
        if (stop !== null) members.push(`"stop_reason":${stop}`);
        if (usage !== null) members.push(`"usage":{"input_tokens":${usage[0]},"output_tokens":${usage[1]},"cache_read_input_tokens":${usage[2]},"cache_creation_input_tokens":${usage[3]}}`);
        return { body: `{${members.join(" , ")}}`, missingId: false };
      });
      const geminiPart = fc.oneof(
        text.map((t) => `{"text":${str(t)}}`),
        text.map((t) => `{"text":${str(t)},"thought":true}`),
        fc.tuple(text, anyValue).map(([t, v]) => `{"text":${str(t)},"thought":${v}}`),
        anyValue.map((v) => `{"text":${v}}`),
        fc.constantFrom('{"inlineData":{"mimeType":"image/png","data":"AA=="}}', '"loose"', "{}", '{"text":"a","text":"b"}'),
      );
      const gemini = fc.record({
        id: fc.constantFrom('"r-1"', '""', '"r\\u002d2"', "3", null),
        parts: fc.array(geminiPart, { maxLength: 5 }),
        shape: fc.constantFrom("one", "two", "none", "first-not-object", "no-content", "parts-not-array"),
        finish: fc.constantFrom('"STOP"', '"MAX_TOKENS"', '"SAFETY"', '"SPII"', '"OTHER"', '""', "1", '"MAX_\\u0054OKENS"', null),
        usage: fc.option(fc.tuple(count, count, count, count), { nil: null }),
      }).map(({ id, parts, shape, finish, usage }) => {
        const fin = finish === null ? "" : `,"finishReason":${finish}`;
        const cand = shape === "no-content" ? `{"index":0${fin}}` : shape === "parts-not-array" ? `{"content":{"parts":{}}${fin}}` : `{"content":{"role":"model","parts":[${parts.join(",")}]}${fin}}`;
        const cands = shape === "none" ? "[]" : shape === "two" ? `[${cand},{"content":{"parts":[{"text":"second"}]}}]` : shape === "first-not-object" ? `[1,${cand}]` : `[${cand}]`;
        const members = [`"candidates":${cands}`];
        if (id !== null) members.push(`"responseId":${id}`);
        if (usage !== null) members.push(`"usageMetadata":{"promptTokenCount":${usage[0]},"candidatesTokenCount":${usage[1]},"thoughtsTokenCount":${usage[2]},"totalTokenCount":${usage[3]},"cachedContentTokenCount":${usage[0]}}`);
        return { body: `{ ${members.join(",")} }`, missingId: id === null || id === '""' || id === "3" };
      });
      for (const [route, gen] of [["claude", claude], ["gemini", gemini]] as const) {
        await fc.assert(fc.asyncProperty(gen, async ({ body, missingId }) => {
          const bytes = await answer(route, body), tree = await answer(`${route}-tree`, body);
          expect(same(promoted(JSON.parse(bytes.body)), missingId)).toEqual(same(JSON.parse(tree.body), missingId));
          expect(bytes.usage).toEqual(tree.usage);
        }), { numRuns: 300 });
      }
      // The byte path ran: text keeps its escapes as the provider wrote them (the tree path writes é).
      const c = await answer("claude", '{"id":"m","content":[{"type":"thinking","thinking":"t\\u00e9"},{"type":"text","text":"h\\u00e9"},{"type":"text","text":" 2"}],"stop_reason":"end_turn","usage":{"input_tokens":3,"output_tokens":1}}');
      expect(c.body).toContain('"content":"h\\u00e9 2","reasoning_content":"t\\u00e9"');
      expect((await answer("claude-tree", '{"content":[{"type":"text","text":"h\\u00e9"}]}')).body).toContain('"content":"hé"');
      const g = await answer("gemini", '{"candidates":[{"content":{"parts":[{"text":"h\\u00e9"},{"text":"why","thought":true}]},"finishReason":"STOP"}],"responseId":"r"}');
      expect(g.body).toContain('"content":"h\\u00e9","reasoning_content":"why"');
      // The same answer in two chunks, split at every byte, ending in trailers: the same completion each time.
      for (const [route, body] of [["claude", '{"id":"m","content":[{"type":"thinking","thinking":"t\\u00e9 😀"},{"type":"text","text":"h\\u00e9 \\"q\\""},{"type":"text","text":" 漢"}],"stop_reason":"max_tokens","usage":{"input_tokens":3,"output_tokens":1}}'],
        ["gemini", '{"candidates":[{"content":{"parts":[{"text":"why é","thought":true},{"text":"h\\u00e9 😀"}]},"finishReason":"MAX_TOKENS"}],"usageMetadata":{"promptTokenCount":3,"candidatesTokenCount":1,"totalTokenCount":4},"responseId":"r"}']] as const) {
        const raw = Buffer.from(body);
        const outputs = new Set<string>();
        for (let at = 1; at < raw.length; at++) {
          const r = await host.request({ method: "POST", path: `/${route}/v1/chat/completions`, headers: { "content-type": "application/json" }, body: chat(), response: { status: 200, headers: { "content-type": "application/json" }, chunks: [raw.subarray(0, at), raw.subarray(at)], trailers: { "x-upstream-checksum": "1" } } });
          expect(r.status, `${route} split at ${at}`).toBe(200);
          outputs.add(r.body.replace(/"created":\d+,/, ""));
          expect(JSON.parse(r.stream.properties.get("ai_usage")!.toString()).total_tokens, `${route} split at ${at}`).toBe(4);
        }
        expect([...outputs], route).toHaveLength(1);
        const m = JSON.parse([...outputs][0]).choices[0];
        expect(m.finish_reason).toBe("length");
        expect(m.message.content).toBe(route === "claude" ? 'hé "q" 漢' : "hé 😀");
        expect(m.message.reasoning_content).toBe(route === "claude" ? "té 😀" : "why é");
      }
      // A tool call takes the tree path: converted all the same.
      const tool = JSON.parse((await answer("claude", '{"id":"m","content":[{"type":"text","text":"h\\u00e9"},{"type":"tool_use","id":"tu","name":"f","input":{ "a" : 1 }}],"stop_reason":"tool_use"}')).body);
      expect(tool.choices[0]).toMatchObject({ message: { content: "hé", tool_calls: [{ id: "tu", type: "function", function: { name: "f", arguments: '{"a":1}' } }] }, finish_reason: "tool_calls" });
      // Not JSON, or not UTF-8 inside a string: passed through as it came, on both paths.
      const bad = Buffer.concat([Buffer.from('{"id":"m","content":[{"type":"text","text":"a'), Buffer.from([0xff]), Buffer.from('"}]}')]);
      for (const route of ["claude", "gemini", "claude-tree"]) {
        expect((await answer(route, bad)).bytes.equals(bad), route).toBe(true);
        expect((await answer(route, "not json")).body).toBe("not json");
      }
      expect(host.traps).toEqual([]);
    });

    it("converts a plain chat request for Claude and Gemini on its bytes: the same request as the tree path, strings as sent", async () => {
      const host = await load();
      const answers: Record<string, string> = {
        claude: JSON.stringify({ id: "m", type: "message", role: "assistant", model: "claude-haiku-4-5", content: [{ type: "text", text: "ok" }], stop_reason: "end_turn", usage: { input_tokens: 3, output_tokens: 1 } }),
        gemini: JSON.stringify({ candidates: [{ content: { parts: [{ text: "ok" }], role: "model" }, finishReason: "STOP", index: 0 }], usageMetadata: { promptTokenCount: 3, candidatesTokenCount: 1, totalTokenCount: 4 }, responseId: "r" }),
      };
      const sent = async (route: string, body: string) => {
        const r = await host.request({ method: "POST", path: `/${route}/v1/chat/completions`, headers: { "content-type": "application/json" }, body, response: { status: 200, headers: { "content-type": "application/json" }, body: answers[route] } });
        expect(r.status).toBe(200);
        return { body: String(r.upstream!.body), path: r.upstream!.path };
      };
      // "stop": null sends the same request down the tree path (it reads stop only as a string or a list)
      const onTree = (body: string) => body.slice(0, -1) + ',"stop":null}';
      const text = fc.oneof(fc.constantFrom("", "hi", 'h\\u00e9 \\"q\\" \\n', "😀", "a\\\\b"), fc.string({ maxLength: 8 }).map((x) => JSON.stringify(x).slice(1, -1)));
      const role = fc.constantFrom("system", "developer", "user", "assistant");
      const message = fc.tuple(role, text).map(([r, t]) => `{"role":"${r}","content":"${t}"}`);
      const extra = fc.subarray(['"temperature":0.20', '"top_p":null', '"top_k":4', '"seed":"x"', '"max_tokens":77', '"max_completion_tokens":12', '"stream":false', '"stream":true', '"n":2', '"user":"u"', '"temperature":1e0']);
      for (const route of ["claude", "gemini"]) {
        await fc.assert(fc.asyncProperty(fc.array(message, { maxLength: 6 }), extra, async (msgs, more) => {
          const body = `{"model":"gpt-4o","messages":[${msgs.join(",")}]${more.map((m) => "," + m).join("")}}`;
          const bytes = await sent(route, body), tree = await sent(route, onTree(body));
          expect(JSON.parse(bytes.body)).toEqual(JSON.parse(tree.body));
          expect(bytes.path).toBe(tree.path);
        }), { numRuns: 120 });
        // The byte path ran: an escape stays as the client wrote it (the tree path writes é).
        const body = '{"model":"gpt-4o","messages":[{"role":"system","content":"be br\\u00efef"},{"role":"user","content":"h\\u00e9"},{"role":"user","content":"again"}]}';
        const bytes = (await sent(route, body)).body;
        expect(bytes).toContain('"text":"h\\u00e9"');
        expect(bytes).toContain('be br\\u00efef');
        expect((await sent(route, onTree(body))).body).toContain('"text":"hé"');
        const parsed = JSON.parse(bytes);
        if (route === "claude") expect(parsed.messages).toEqual([{ role: "user", content: [{ type: "text", text: "hé" }, { type: "text", text: "again" }] }]);
        else expect(parsed.contents).toEqual([{ role: "user", parts: [{ text: "hé" }, { text: "again" }] }]);
        // The same body ending in trailers, split at every byte: the same provider request each time.
        const raw = Buffer.from(body);
        for (let at = 1; at < raw.length; at++) {
          const r = await host.request({ method: "POST", path: `/${route}/v1/chat/completions`, headers: { "content-type": "application/json" }, chunks: [raw.subarray(0, at), raw.subarray(at)], trailers: { "x-checksum": "1" }, response: { status: 200, headers: { "content-type": "application/json" }, body: answers[route] } });
          expect(r.status, `split at ${at}`).toBe(200);
          expect(String(r.upstream!.body), `split at ${at}`).toBe(bytes);
        }
        // Invalid UTF-8 in a content string: refused as the tree path refuses it, nothing sent.
        const bad = Buffer.concat([Buffer.from('{"model":"gpt-4o","messages":[{"role":"user","content":"a'), Buffer.from([0xff, 0xc0, 0x80]), Buffer.from('"}]}')]);
        const r = await host.request({ method: "POST", path: `/${route}/v1/chat/completions`, headers: { "content-type": "application/json" }, body: bad, response: { status: 200, headers: {}, body: "{}" } });
        expect(r.status).toBe(400);
        expect(r.upstream).toBeNull();
      }
      expect(host.traps).toEqual([]);
    });
  });
}
