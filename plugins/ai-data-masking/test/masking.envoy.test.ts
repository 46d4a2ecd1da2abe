// ai-data-masking in a real Envoy in front of a strict streaming provider mock: the provider
// refuses (400) any request that carries a phone number, an e-mail address or an ID number in
// clear, and answers with the masks it saw, as an OpenAI or Anthropic stream cut whole, into
// 1-byte writes or at random places. The client must read the provider's bytes with only the
// masks turned back into the originals.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { useEnvoy } from "../../../harness/src/vitest.js";
import { http, pluginWasm } from "../../../harness/src/index.js";
import { CONFIG, PHONE, EMAIL, ID, MASK_PHONE, MASK_EMAIL, MASK_ID, PROMPT, MASKED_PROMPT, MASKED_ANSWER, chat, openaiStream, anthropicStream, openaiStreamOf, anthropicStreamOf, restored } from "./fixtures.js";

// A model's tokens cut masks across deltas; the client must read each original whole, in the
// delta where its mask began.
const SPLIT = ["Noted: phone " + MASK_PHONE.slice(0, 10), MASK_PHONE.slice(10) + ", mail " + MASK_EMAIL.slice(0, 5), MASK_EMAIL.slice(5) + ", ID " + MASK_ID.slice(0, 20), MASK_ID.slice(20) + ". Bye."];
const SPLIT_RESTORED = ["Noted: phone " + PHONE, ", mail " + EMAIL, ", ID " + ID, ". Bye."];

/** Cuts at seeded pseudo-random places (reproducible: the seed is in the test name). */
function cuts(s: string, mode: string): string[] {
  if (mode === "whole") return [s];
  if (mode === "1") return [...Buffer.from(s)].map((b) => String.fromCharCode(b));
  let seed = Number(mode.split(":")[1]);
  const out: string[] = [];
  let i = 0;
  while (i < s.length) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    const n = 1 + (seed % 23);
    out.push(s.slice(i, i + n));
    i += n;
  }
  return out;
}

class StreamingProvider {
  server!: Server;
  port = 0;
  seen: string[] = [];
  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const parts: Buffer[] = [];
      req.on("data", (c) => parts.push(c));
      req.on("end", async () => {
        const body = Buffer.concat(parts).toString();
        this.seen.push(body);
        // A provider must never see personal data in clear: that is the point of the plugin.
        if ([PHONE, EMAIL, ID].some((s) => body.includes(s)) || !body.includes(MASKED_PROMPT)) { res.writeHead(400).end("personal data in clear"); return; }
        const anthropic = req.url!.endsWith("/v1/messages");
        const split = req.headers["x-mock-split-masks"] === "1";
        const stream = anthropic ? (split ? anthropicStreamOf(SPLIT) : anthropicStream(MASKED_ANSWER)) : (split ? openaiStreamOf(SPLIT) : openaiStream(MASKED_ANSWER));
        res.writeHead(200, { "content-type": "text/event-stream" });
        // Each piece as its own 1-byte-or-more write: latin1 keeps single bytes single.
        for (const piece of cuts(stream, String(req.headers["x-mock-chunking"] ?? "whole"))) {
          res.write(Buffer.from(piece, "latin1"));
          await new Promise((r) => setImmediate(r));
        }
        res.end();
      });
    });
    await new Promise<void>((r) => this.server.listen(0, "127.0.0.1", r));
    this.port = (this.server.address() as AddressInfo).port;
  }
  stop(): Promise<void> { return new Promise((r) => this.server.close(() => r())); }
}

const provider = new StreamingProvider();
beforeAll(async () => { await provider.start(); });
afterAll(async () => { await provider.stop(); });

const gw = useEnvoy(() => ({
  plugins: [{ name: "ai-data-masking", wasm: pluginWasm("ai-data-masking"), config: CONFIG }],
  routes: [{ name: "r", prefix: "/", cluster: "up" }],
  clusters: [{ name: "up", port: provider.port }],
}));

describe("ai-data-masking in Envoy: streamed answers restored however they are cut", () => {
  for (const [name, path, build] of [["OpenAI", "/v1/chat/completions", openaiStream], ["Anthropic", "/v1/messages", anthropicStream]] as const) {
    for (const mode of ["whole", "1", "random:7", "random:42", "random:1234"]) {
      it(`${name} stream, ${mode === "1" ? "1-byte" : mode} chunks`, async () => {
        const before = provider.seen.length;
        const r = await http(gw.url + path, { method: "POST", headers: [["content-type", "application/json"], ["x-mock-chunking", mode]], body: chat(PROMPT, { stream: true }) });
        expect(r.status).toBe(200);
        expect(provider.seen.length).toBe(before + 1);
        expect(JSON.parse(provider.seen.at(-1)!).messages[1].content).toBe(MASKED_PROMPT);
        // Byte-identical to the provider's stream apart from the restored masks (the stream is ASCII).
        expect(r.body).toBe(restored(build(MASKED_ANSWER)));
        expect(r.body).toContain(PHONE);
        expect(r.body).toContain(EMAIL);
        expect(r.body).toContain(ID);
      });
    }
  }

  for (const [name, path, streamOf] of [["OpenAI", "/v1/chat/completions", openaiStreamOf], ["Anthropic", "/v1/messages", anthropicStreamOf]] as const) {
    for (const mode of ["whole", "1", "random:9"]) {
      it(`${name} stream whose deltas cut the masks, ${mode === "1" ? "1-byte" : mode} chunks`, async () => {
        const r = await http(gw.url + path, { method: "POST", headers: [["content-type", "application/json"], ["x-mock-chunking", mode], ["x-mock-split-masks", "1"]], body: chat(PROMPT, { stream: true }) });
        expect(r.status).toBe(200);
        expect(r.body).toBe(streamOf(SPLIT_RESTORED));
      });
    }
  }

  it("Envoy's log shows no abort or trap", async () => {
    await gw.envoy.settleLog();
    expect(gw.envoy.log).not.toMatch(/sluice: abort|wasm trap|RuntimeError/);
  });
});
