// An upstream stream cut in the middle of a `data:` line: ai-proxy passes OpenAI-wire (and
// Claude-to-Anthropic) streams through byte for byte, and used to append its error event straight
// onto the partial line (`…"model":"openai-chdata: {"error":…}`), so clients raised a JSON parse
// error instead of the gateway's message. Now only whole events pass; a partial one is dropped at
// the cut and the error event arrives well-formed. Checked with the official openai and anthropic
// clients, whose errors must carry the gateway's message, and on the raw bytes.
//
// The provider here is a raw TCP server (exact control over the cut) that checks what the real
// APIs check: method, path, bearer key / x-api-key, a JSON body with model, messages and stream.
// It ends the response mid-line either cleanly (chunked, terminating chunk sent) or by closing a
// close-delimited HTTP/1.1 response — both are an end of stream for Envoy.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { createServer, type Server, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import OpenAI from "openai";
import Anthropic from "@anthropic-ai/sdk";
import { useEnvoy } from "../../../harness/src/vitest.js";
import { http, pluginWasm } from "../../../harness/src/index.js";

const OPENAI_EVENTS =
  'data: {"id":"chatcmpl-cut","object":"chat.completion.chunk","created":1700000000,"model":"openai-chat","choices":[{"index":0,"delta":{"role":"assistant","content":"Hel"},"logprobs":null,"finish_reason":null}]}\n\n' +
  'data: {"id":"chatcmpl-cut","object":"chat.completion.chunk","created":1700000000,"model":"openai-ch';
const ANTHROPIC_EVENTS =
  'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_cut","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":5,"output_tokens":1}}}\n\n' +
  'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}\n\n' +
  'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hel"}}\n\n' +
  'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_del';
const COMPLETE_LINES_TAIL = // every line complete, the blank line that ends the event missing
  'data: {"id":"chatcmpl-cut","object":"chat.completion.chunk","created":1700000000,"model":"openai-chat","choices":[{"index":0,"delta":{"content":"lo"},"logprobs":null,"finish_reason":"stop"}]}\n';

let server: Server;
let port = 0;
const sockets: Socket[] = [];
const seen: { path: string; auth: string; body: any }[] = [];

/** One HTTP/1.1 request from a raw socket (enough for Envoy's upstream requests). */
function onSocket(sock: Socket): void {
  sockets.push(sock);
  let buf = Buffer.alloc(0);
  sock.on("error", () => undefined);
  sock.on("data", (d) => {
    buf = Buffer.concat([buf, d]);
    const end = buf.indexOf("\r\n\r\n");
    if (end < 0) return;
    const head = buf.subarray(0, end).toString("latin1").split("\r\n");
    const headers = new Map(head.slice(1).map((l) => [l.slice(0, l.indexOf(":")).toLowerCase(), l.slice(l.indexOf(":") + 1).trim()]));
    let raw: string;
    if ((headers.get("transfer-encoding") ?? "").includes("chunked")) {
      const parts: Buffer[] = [];
      let at = end + 4;
      for (;;) {
        const eol = buf.indexOf("\r\n", at);
        if (eol < 0) return;
        const size = parseInt(buf.subarray(at, eol).toString("latin1"), 16);
        if (buf.length < eol + 2 + size + 2) return;
        if (size === 0) { at = eol + 4; break; }
        parts.push(buf.subarray(eol + 2, eol + 2 + size));
        at = eol + 2 + size + 2;
      }
      raw = Buffer.concat(parts).toString("utf8");
      buf = buf.subarray(at);
    } else {
      const len = Number(headers.get("content-length") ?? 0);
      if (buf.length < end + 4 + len) return;
      raw = buf.subarray(end + 4, end + 4 + len).toString("utf8");
      buf = buf.subarray(end + 4 + len);
    }
    const [method, path] = head[0].split(" ");
    const fail = (status: number, msg: string) => {
      const b = JSON.stringify({ error: { message: msg, type: "invalid_request_error" } });
      sock.end(`HTTP/1.1 ${status} X\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(b)}\r\nconnection: close\r\n\r\n${b}`);
    };
    let body: any;
    try { body = JSON.parse(raw); } catch { return fail(400, "body is not JSON"); }
    const anthropic = path === "/v1/messages";
    if (method !== "POST" || (path !== "/v1/chat/completions" && !anthropic)) return fail(404, `no route ${method} ${path}`);
    const auth = anthropic ? headers.get("x-api-key") ?? "" : (headers.get("authorization") ?? "").replace(/^Bearer /, "");
    if (auth !== "sk-cut") return fail(401, "invalid key");
    if (typeof body.model !== "string" || !Array.isArray(body.messages) || body.stream !== true) return fail(400, "model, messages and stream: true are required");
    if (anthropic && typeof body.max_tokens !== "number") return fail(400, "max_tokens is required");
    seen.push({ path, auth, body });
    const how = headers.get("x-cut") ?? "chunked";
    const payload = anthropic ? ANTHROPIC_EVENTS : how === "complete-lines" ? OPENAI_EVENTS.slice(0, OPENAI_EVENTS.indexOf("data: ", 10)) + COMPLETE_LINES_TAIL : OPENAI_EVENTS;
    if (how === "close") {
      sock.write("HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nconnection: close\r\n\r\n");
      sock.end(payload);
      return;
    }
    const chunk = (s: string) => `${Buffer.byteLength(s).toString(16)}\r\n${s}\r\n`;
    // Two writes: the whole events, then the partial line, then the end of the body.
    const cutAt = payload.lastIndexOf("\n\n") + 2;
    sock.write("HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n" + chunk(payload.slice(0, cutAt)));
    setImmediate(() => sock.write(chunk(payload.slice(cutAt)) + "0\r\n\r\n"));
  });
}

beforeAll(async () => {
  server = createServer(onSocket);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((r) => server.close(r));
});

const gw = useEnvoy(() => ({
  plugins: [{
    name: "ai-proxy",
    wasm: pluginWasm("ai-proxy"),
    config: {
      providers: [
        { id: "cut-openai", type: "openai", apiTokens: ["sk-cut"], modelMapping: { "*": "openai-chat" } },
        { id: "cut-claude", type: "claude", apiTokens: ["sk-cut"], claudeVersion: "2023-06-01" },
      ],
      _rules_: [{ _match_route_: ["openai"], activeProviderId: "cut-openai" }, { _match_route_: ["claude"], activeProviderId: "cut-claude" }],
    },
  }],
  routes: [
    { name: "host-openai", domains: ["api.openai.com"], prefix: "/", cluster: "cut" },
    { name: "host-claude", domains: ["api.anthropic.com"], prefix: "/", cluster: "cut" },
    { name: "openai", prefix: "/openai/", cluster: "cut" },
    { name: "claude", prefix: "/claude/", cluster: "cut" },
  ],
  clusters: [{ name: "cut", port }],
}));

const GATEWAY_MESSAGE = /the provider's stream ended before the answer finished/;
const hello = [{ role: "user" as const, content: "hello there" }];

describe("a stream cut in the middle of a data: line", () => {
  it.each(["chunked", "close"])("openai client (%s end): the error it raises carries the gateway's message", async (how) => {
    const c = new OpenAI({ apiKey: "client-key", baseURL: `${gw.url}/openai/v1`, maxRetries: 0 });
    let text = "";
    const err = await (async () => {
      const s = await c.chat.completions.create({ model: "gpt-4o", messages: hello, stream: true }, { headers: { "x-cut": how } });
      for await (const ch of s) text += ch.choices[0]?.delta?.content ?? "";
    })().then(() => null, (e) => e);
    expect(seen.at(-1)!.auth).toBe("sk-cut");
    expect(text).toBe("Hel");
    expect(err).not.toBeNull();
    expect(String(err.message)).toMatch(GATEWAY_MESSAGE);
    expect(String(err.message)).not.toMatch(/JSON|Unexpected|Unterminated/);
  });

  it("raw bytes: whole events, then a well-formed error event; the partial line is gone", async () => {
    const r = await http(`${gw.url}/openai/v1/chat/completions`, { method: "POST", headers: [["content-type", "application/json"], ["x-cut", "chunked"]], body: JSON.stringify({ model: "gpt-4o", messages: hello, stream: true }) });
    expect(r.status).toBe(200);
    expect(r.body).not.toContain('"model":"openai-ch"');
    expect(r.body).not.toMatch(/openai-chdata:/);
    const events = r.body.split("\n\n").filter((e) => e.length > 0);
    expect(r.body.endsWith("\n\n")).toBe(true);
    for (const e of events) {
      expect(e.startsWith("data: "), e).toBe(true);
      JSON.parse(e.slice(6)); // every event is whole JSON
    }
    expect(JSON.parse(events.at(-1)!.slice(6)).error.message).toMatch(GATEWAY_MESSAGE);
  });

  it("an event whose lines are complete but whose blank line is missing is closed, not dropped", async () => {
    const c = new OpenAI({ apiKey: "client-key", baseURL: `${gw.url}/openai/v1`, maxRetries: 0 });
    let text = "";
    const s = await c.chat.completions.create({ model: "gpt-4o", messages: hello, stream: true }, { headers: { "x-cut": "complete-lines" } });
    for await (const ch of s) text += ch.choices[0]?.delta?.content ?? "";
    expect(text).toBe("Hello");
  });

  it("anthropic client on a claude stream cut mid-line: the error carries the gateway's message", async () => {
    const a = new Anthropic({ apiKey: "client-key", baseURL: `${gw.url}/claude`, maxRetries: 0 });
    const err = await a.messages.stream({ model: "claude-sonnet-4-5", max_tokens: 50, messages: hello }).finalMessage().then(() => null, (e) => e);
    expect(seen.at(-1)!.path).toBe("/v1/messages");
    expect(err).not.toBeNull();
    expect(String(err.message)).toMatch(GATEWAY_MESSAGE);
  });

  it("no VM trapped", () => {
    expect(gw.envoy.log).not.toMatch(/wasm trap|Function: proxy_on_\w+ failed|panic/i);
  });
});
