// The SSE and event-stream readers inside a real Envoy: an upstream streams OpenAI, Anthropic
// and Bedrock (event-stream) responses in deliberately awkward pieces (inside UTF-8 characters,
// between \r and \n, inside binary headers); a test plugin (sse.plugin.ts) re-frames the stream
// event by event, so the client sees exactly what the readers produced.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { createServer, type Server } from "node:http";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { join } from "node:path";
import { mkdirSync } from "node:fs";
import { repoRoot, http } from "../../harness/src/index.js";
import { useEnvoy } from "../../harness/src/vitest.js";

const enc = new TextEncoder();

/** Asynchronous: a compile on a loaded machine must not block the worker's RPC to the runner. */
async function buildPlugin(): Promise<string> {
  const out = join(repoRoot, "build", "ascunit", "sse-plugin-envoy.wasm");
  mkdirSync(join(repoRoot, "build", "ascunit"), { recursive: true });
  await promisify(execFile)(process.execPath, [
    join(repoRoot, "node_modules", "assemblyscript", "bin", "asc.js"), "sdk/test/sse.plugin.ts", "sdk/abi/version_envoy.ts",
    "--config", "asconfig.json", "--target", "envoy", "--use", "abort=~lib/@sluice/sdk/runtime/abort/sluiceAbort", "--outFile", out,
  ], { cwd: repoRoot, encoding: "utf8", maxBuffer: 1 << 26 }).catch((e: { stdout?: string; stderr?: string }) => {
    throw new Error(`asc failed:\n${e.stdout ?? ""}${e.stderr ?? ""}`);
  });
  return out;
}

const OPENAI = [
  { choices: [{ index: 0, delta: { role: "assistant", content: "" } }] },
  { choices: [{ index: 0, delta: { content: "你好" } }] },
  { choices: [{ index: 0, delta: { content: "👋 there" } }] },
  { choices: [{ index: 0, delta: {}, finish_reason: "stop" }], usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 } },
].map((c) => `data: ${JSON.stringify(c)}\r\n\r\n`).join("") + "data: [DONE]\r\n\r\n";

const ANTHROPIC_EVENTS: [string, object][] = [
  ["message_start", { type: "message_start", message: { id: "msg_1", usage: { input_tokens: 25, output_tokens: 1 } } }],
  ["ping", { type: "ping" }],
  ["content_block_delta", { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "你好👋" } }],
  ["content_block_delta", { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: " — ça va?" } }],
  ["message_delta", { type: "message_delta", delta: { stop_reason: "end_turn" }, usage: { output_tokens: 15 } }],
  ["message_stop", { type: "message_stop" }],
];
const ANTHROPIC = ": keep-alive\n\n" + ANTHROPIC_EVENTS.map(([e, d]) => `event: ${e}\ndata: ${JSON.stringify(d)}\n\n`).join("");

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => { let c = n; for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1; return c >>> 0; });
const crc32 = (b: Uint8Array) => { let c = 0xffffffff; for (const x of b) c = CRC_TABLE[(c ^ x) & 0xff] ^ (c >>> 8); return (c ^ 0xffffffff) >>> 0; };
function eventStreamMessage(eventType: string, payload: string): Buffer {
  const hs = Buffer.concat([[":event-type", eventType], [":content-type", "application/json"], [":message-type", "event"]].map(([n, v]) =>
    Buffer.concat([Buffer.from([n.length]), Buffer.from(n), Buffer.from([7, v.length >> 8, v.length & 255]), Buffer.from(v)])));
  const p = Buffer.from(payload);
  const out = Buffer.alloc(16 + hs.length + p.length);
  out.writeUInt32BE(out.length, 0); out.writeUInt32BE(hs.length, 4); out.writeUInt32BE(crc32(out.subarray(0, 8)), 8);
  hs.copy(out, 12); p.copy(out, 12 + hs.length);
  out.writeUInt32BE(crc32(out.subarray(0, out.length - 4)), out.length - 4);
  return out;
}
// Bedrock ConverseStream-style events.
const BEDROCK_EVENTS: [string, object][] = [
  ["messageStart", { role: "assistant" }],
  ["contentBlockDelta", { contentBlockIndex: 0, delta: { text: "你好👋" } }],
  ["contentBlockDelta", { contentBlockIndex: 0, delta: { text: " from Bedrock" } }],
  ["messageStop", { stopReason: "end_turn" }],
  ["metadata", { usage: { inputTokens: 9, outputTokens: 5, totalTokens: 14 } }],
];
const BEDROCK = Buffer.concat(BEDROCK_EVENTS.map(([e, d]) => eventStreamMessage(e, JSON.stringify(d))));

/** Offsets that cut through multi-byte characters, CRLF pairs and binary headers. */
function awkwardCuts(bytes: Uint8Array, step: number): number[] {
  const cuts: number[] = [];
  for (let i = 1; i < bytes.length; i++) {
    const b = bytes[i];
    if ((b & 0xc0) === 0x80 || (bytes[i - 1] === 0x0d && b === 0x0a) || i % step === 0) cuts.push(i);
  }
  return cuts;
}

let upstream: Server;
let port = 0;
beforeAll(async () => {
  upstream = createServer(async (req, res) => {
    const path = req.url ?? "/";
    let body: Uint8Array, type: string;
    if (path.startsWith("/openai")) { body = enc.encode(OPENAI); type = "text/event-stream"; }
    else if (path.startsWith("/anthropic")) { body = enc.encode(ANTHROPIC); type = "text/event-stream; charset=utf-8"; }
    else if (path.startsWith("/bedrock-corrupt")) { body = Uint8Array.from(BEDROCK); body[200] ^= 0x20; type = "application/vnd.amazon.eventstream"; }
    else { body = BEDROCK; type = "application/vnd.amazon.eventstream"; }
    res.writeHead(200, { "content-type": type });
    let prev = 0;
    // Each piece is flushed on its own, with a pause so Envoy sees separate chunks.
    for (const c of [...awkwardCuts(body, 37), body.length]) {
      if (c - prev > 0) res.write(body.subarray(prev, c));
      prev = c;
      await new Promise((r) => setTimeout(r, 2));
    }
    res.end();
  });
  await new Promise<void>((r) => upstream.listen(0, "127.0.0.1", () => r()));
  port = (upstream.address() as { port: number }).port;
});
afterAll(() => new Promise<void>((r) => upstream.close(() => r())));

const gw = useEnvoy(async () => ({
  plugins: [{ name: "sse-reframe", wasm: await buildPlugin(), config: {} }],
  routes: [{ name: "default", prefix: "/", cluster: "up" }],
  clusters: [{ name: "up", port }],
}));

interface Ev { event: string; data: string }
function parseCanonical(text: string): Ev[] {
  return text.split("\n\n").filter((b) => b.length > 0).map((block) => {
    let event = "";
    const data: string[] = [];
    for (const line of block.split("\n")) {
      if (line.startsWith("event: ")) event = line.slice(7);
      else if (line.startsWith("data: ")) data.push(line.slice(6));
    }
    return { event, data: data.join("\n") };
  });
}

describe("SSE and event-stream readers in Envoy", () => {
  it("OpenAI stream (CRLF, split inside characters and CRLF pairs) comes out event for event", async () => {
    const r = await http(gw.url + "/openai");
    expect(r.status).toBe(200);
    const evs = parseCanonical(r.body);
    const summary = JSON.parse(evs.pop()!.data);
    expect(evs.map((e) => e.data)).toEqual([...OPENAI.matchAll(/^data: (.*)\r$/gm)].map((m) => m[1]));
    expect(summary).toMatchObject({ events: 5, text: "你好👋 there", error: "" });
    expect(summary.chunks).toBeGreaterThan(10); // the plugin really saw the stream in pieces
  });

  it("Anthropic stream: event names, data and multi-byte text intact", async () => {
    const r = await http(gw.url + "/anthropic");
    const evs = parseCanonical(r.body);
    const summary = JSON.parse(evs.pop()!.data);
    expect(evs).toEqual(ANTHROPIC_EVENTS.map(([event, d]) => ({ event, data: JSON.stringify(d) })));
    expect(summary).toMatchObject({ events: 6, text: "你好👋 — ça va?", error: "" });
    expect(summary.chunks).toBeGreaterThan(10);
  });

  it("Bedrock event-stream split inside prelude, headers and payload decodes every message", async () => {
    const r = await http(gw.url + "/bedrock");
    const evs = parseCanonical(r.body);
    const summary = JSON.parse(evs.pop()!.data);
    expect(evs).toEqual(BEDROCK_EVENTS.map(([event, d]) => ({ event, data: JSON.stringify(d) })));
    expect(summary).toMatchObject({ events: 5, text: "你好👋 from Bedrock", error: "" });
    expect(summary.chunks).toBeGreaterThan(10);
  });

  it("a corrupted event-stream is an error value: earlier messages pass, the VM survives", async () => {
    const r = await http(gw.url + "/bedrock-corrupt");
    const evs = parseCanonical(r.body);
    const summary = JSON.parse(evs.pop()!.data);
    expect(summary.error).toMatch(/CRC mismatch/);
    expect(evs.length).toBeLessThan(BEDROCK_EVENTS.length);
    // The same VM still serves the next request correctly.
    const again = parseCanonical((await http(gw.url + "/anthropic")).body);
    expect(JSON.parse(again.pop()!.data).text).toBe("你好👋 — ça va?");
  });
});
