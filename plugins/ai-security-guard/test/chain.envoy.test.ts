// ai-security-guard → ai-proxy in a real Envoy, in front of the provider mocks and the strict
// Aliyun Content Security mock, driven by the official `openai` and `@anthropic-ai/sdk` clients:
// a risky prompt is refused before any provider call; a risky answer is refused, plain and
// streamed, and the streaming client never receives a byte of it; a clean stream arrives byte for
// byte as the provider sent it, however the provider cut it; a wrong secret or a moderation
// service slower than `timeout` fails open (ai_log says so).
import { describe, it, expect, beforeAll, afterAll, beforeEach } from "vitest";
import { mkdtempSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import OpenAI from "openai";
import Anthropic from "@anthropic-ai/sdk";
import { useEnvoy } from "../../../harness/src/vitest.js";
import { http, pluginWasm } from "../../../harness/src/index.js";
import { AliyunGreenMock } from "../../../harness/src/mocks/aliyun-green.js";
import { Mocks, PROVIDERS, gatewaySpec } from "../../ai-proxy/test/setup.js";

const mocks = new Mocks();
let green: AliyunGreenMock;
const logDir = mkdtempSync(join(tmpdir(), "ai-security-guard-"));
const accessLog = join(logDir, "access.log");
beforeAll(async () => { await mocks.start(); green = await AliyunGreenMock.start(); });
afterAll(async () => { await mocks.stop(); await green?.stop(); });
beforeEach(() => {
  green.reset();
  green.riskByService = { llm_query_moderation: { high: ["BOMB"] }, llm_response_moderation: { high: ["SECRET"] } };
});

const providers = PROVIDERS.filter((p) => p.id === "openai" || p.id === "claude");
const GUARD = {
  serviceName: "safecheck.dns", servicePort: 443, serviceHost: "green-cip.cn-shanghai.aliyuncs.com",
  accessKey: "LTAI5tSluiceMockKey", secretKey: "sluice-mock-aliyun-secret", checkRequest: true, checkResponse: true,
  _rules_: [
    { _match_domain_: ["badkey.example"], serviceName: "safecheck.dns", servicePort: 443, serviceHost: "green-cip.cn-shanghai.aliyuncs.com", accessKey: "LTAI5tSluiceMockKey", secretKey: "wrong-secret", checkRequest: true },
    { _match_domain_: ["window.example"], serviceName: "safecheck.dns", servicePort: 443, serviceHost: "green-cip.cn-shanghai.aliyuncs.com", accessKey: "LTAI5tSluiceMockKey", secretKey: "sluice-mock-aliyun-secret", checkRequest: true, checkResponse: true, bufferLimit: 10 },
    { _match_domain_: ["slow.example"], serviceName: "safecheck.dns", servicePort: 443, serviceHost: "green-cip.cn-shanghai.aliyuncs.com", accessKey: "LTAI5tSluiceMockKey", secretKey: "sluice-mock-aliyun-secret", checkRequest: true, timeout: 300 },
  ],
};

const gw = useEnvoy(() => {
  const spec = gatewaySpec(mocks, providers, { extraClusters: [{ name: "outbound|443||safecheck.dns", port: green.port }] });
  spec.plugins = [{ name: "ai-security-guard", wasm: pluginWasm("ai-security-guard"), config: GUARD }, ...spec.plugins];
  spec.accessLog = { path: accessLog, format: "%REQ(X-REQUEST-ID)% %RESPONSE_CODE% %FILTER_STATE(wasm.ai_log:PLAIN)%" };
  return spec;
});

const openai = (headers: Record<string, string> = {}) => new OpenAI({ apiKey: "client-key", baseURL: `${gw.url}/openai/v1`, maxRetries: 0, defaultHeaders: headers });
const anthropic = () => new Anthropic({ apiKey: "client-key", baseURL: `${gw.url}/claude`, maxRetries: 0 });
const deny = (text: string | null | undefined) => JSON.parse(text ?? "");

async function aiLogOf(id: string): Promise<Record<string, any>> {
  for (let i = 0; i < 100; i++) {
    const line = (existsSync(accessLog) ? readFileSync(accessLog, "utf8") : "").split("\n").find((l) => l.startsWith(id + " "));
    if (line) { const raw = line.split(" ").slice(2).join(" "); return JSON.parse(JSON.parse(`"${raw}"`)); }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no access log line for ${id}`);
}

describe("ai-security-guard → ai-proxy in Envoy", () => {
  it("refuses a risky prompt before any provider call (OpenAI client, plain and streamed)", async () => {
    const before = mocks.compat.requests.length;
    const r = await openai().chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: "how to make a BOMB" }] });
    expect(r.model).toBe("from-security-guard");
    expect(deny(r.choices[0].message.content)).toEqual({ code: 200, blockedDetails: [] });
    const s = await openai().chat.completions.create({ model: "gpt-4o", stream: true, messages: [{ role: "user", content: "BOMB again" }] });
    let text = "";
    for await (const c of s) text += c.choices[0]?.delta?.content ?? "";
    expect(deny(text).code).toBe(200);
    expect(mocks.compat.requests.length).toBe(before);
    expect(green.calls.map((c) => c.status)).toEqual([200, 200]);
  });

  it("refuses a risky prompt before any provider call (Anthropic client, plain and streamed)", async () => {
    const before = mocks.anthropic.requests.length;
    const m = await anthropic().messages.create({ model: "claude-haiku-4-5", max_tokens: 64, messages: [{ role: "user", content: "a BOMB recipe" }] });
    expect(m.content[0].type).toBe("text");
    expect(deny((m.content[0] as any).text).code).toBe(200);
    const stream = anthropic().messages.stream({ model: "claude-haiku-4-5", max_tokens: 64, messages: [{ role: "user", content: "a BOMB recipe" }] });
    const final = await stream.finalMessage();
    expect(deny((final.content[0] as any).text).code).toBe(200);
    expect(final.stop_reason).toBe("end_turn");
    expect(mocks.anthropic.requests.length).toBe(before);
  });

  it("refuses a risky answer, plain and streamed, for OpenAI and Anthropic clients; the stream never carries it", async () => {
    const r = await openai().chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: "tell the SECRET" }] });
    expect(r.model).toBe("from-security-guard");
    expect(green.calls.map((c) => c.service)).toEqual(["llm_query_moderation", "llm_response_moderation"]);
    for (const chunking of ["whole", "1", "random:7"]) {
      const raw = await http(`${gw.url}/openai/v1/chat/completions`, { method: "POST", headers: [["content-type", "application/json"], ["authorization", "Bearer client-key"], ["x-mock-chunking", chunking]], body: JSON.stringify({ model: "gpt-4o", stream: true, messages: [{ role: "user", content: "tell the SECRET" }] }) });
      expect(raw.status).toBe(200);
      expect(raw.body).not.toContain("SECRET");
      expect(raw.body).toContain("from-security-guard");
      expect(raw.body.trimEnd().endsWith("data: [DONE]")).toBe(true);
    }
    const m = await anthropic().messages.create({ model: "claude-haiku-4-5", max_tokens: 64, messages: [{ role: "user", content: "tell the SECRET" }] });
    expect(deny((m.content[0] as any).text).code).toBe(200);
    const events: string[] = [];
    const stream = anthropic().messages.stream({ model: "claude-haiku-4-5", max_tokens: 64, messages: [{ role: "user", content: "tell the SECRET" }] });
    stream.on("streamEvent", (e) => events.push(e.type));
    const final = await stream.finalMessage();
    expect(JSON.stringify(final)).not.toContain("SECRET");
    expect(events[0]).toBe("message_start");
    expect(events.at(-1)).toBe("message_stop");
  });

  it("lets a clean streamed answer through byte for byte, whatever the provider's chunking", async () => {
    for (const chunking of ["whole", "1", "random:3", "random:11"]) {
      const raw = await http(`${gw.url}/openai/v1/chat/completions`, { method: "POST", headers: [["content-type", "application/json"], ["authorization", "Bearer client-key"], ["x-mock-chunking", chunking]], body: JSON.stringify({ model: "gpt-4o", stream: true, messages: [{ role: "user", content: "say something nice" }] }) });
      expect(raw.status).toBe(200);
      expect(raw.body).toBe(mocks.compat.last!.sent);
    }
    const s = await openai().chat.completions.create({ model: "gpt-4o", stream: true, messages: [{ role: "user", content: "say something nice" }] });
    let text = "";
    for await (const c of s) text += c.choices[0]?.delta?.content ?? "";
    expect(text).toBe("Echo: say something nice");
  });

  it("judges a stream in bufferLimit windows: clean streams arrive byte-identical, a risky window never reaches the client", async () => {
    const ask = (content: string, chunking: string) => http(`${gw.url}/openai/v1/chat/completions`, { method: "POST", headers: [["host", "window.example"], ["content-type", "application/json"], ["authorization", "Bearer client-key"], ["x-mock-chunking", chunking]], body: JSON.stringify({ model: "gpt-4o", stream: true, messages: [{ role: "user", content }] }) });
    for (const chunking of ["whole", "1", "random:5"]) {
      green.calls.length = 0;
      const clean = await ask("alpha beta gamma delta epsilon zeta eta theta", chunking);
      expect(clean.body).toBe(mocks.compat.last!.sent);
      const windows = green.calls.filter((c) => c.service === "llm_response_moderation").map((c) => c.content);
      expect(windows.length).toBeGreaterThan(2);
      expect(windows.join("")).toBe("Echo: alpha beta gamma delta epsilon zeta eta theta");
      const risky = await ask("alpha beta gamma delta epsilon zeta SECRET theta", chunking);
      expect(risky.status).toBe(200);
      expect(risky.body).not.toContain("SECRET");
      expect(risky.body).toContain("Echo: alpha");
      expect(risky.body).toContain("from-security-guard");
      expect(risky.body.trimEnd().endsWith("data: [DONE]")).toBe(true);
    }
  });

  it("ends an Anthropic stream denied mid-way with events that fit what was already sent", async () => {
    for (const chunking of ["whole", "1", "random:9"]) {
      const r = await http(`${gw.url}/claude/v1/messages`, { method: "POST", headers: [["host", "window.example"], ["content-type", "application/json"], ["x-api-key", "client-key"], ["anthropic-version", "2023-06-01"], ["x-mock-chunking", chunking]], body: JSON.stringify({ model: "claude-haiku-4-5", max_tokens: 64, stream: true, messages: [{ role: "user", content: "alpha beta gamma delta SECRET epsilon" }] }) });
      expect(r.status).toBe(200);
      expect(r.body).not.toContain("SECRET");
      const events = r.body.split("\n\n").filter((e) => e.trim()).map((e) => JSON.parse(e.split("\n").find((l) => l.startsWith("data:"))!.slice(5)));
      const types = events.map((e) => e.type);
      expect(types.filter((t) => t === "message_start")).toHaveLength(1);
      expect(types.slice(-2)).toEqual(["message_delta", "message_stop"]);
      // Blocks open and close in order, indexes counting up.
      let open = -1, next = 0;
      for (const e of events) {
        if (e.type === "content_block_start") { expect(open).toBe(-1); expect(e.index).toBe(next); open = e.index; next++; }
        if (e.type === "content_block_delta") expect(e.index).toBe(open);
        if (e.type === "content_block_stop") { expect(e.index).toBe(open); open = -1; }
      }
      expect(open).toBe(-1);
      const last = events.filter((e) => e.type === "content_block_delta").at(-1);
      expect(JSON.parse(last.delta.text).code).toBe(200);
    }
  });

  // The provider writes its stream one byte per millisecond; the verdict on the window holding
  // "theta" (the last one) takes 1.5 s. A gateway that held the stream to its end would let the
  // first byte go only after that verdict.
  it("releases judged windows while later ones are still being judged (the client reads before the last verdict)", async () => {
    green.slowWords = { theta: 1500 };
    const { request } = await import("node:http");
    const u = new URL(gw.url);
    const result = await new Promise<{ firstBeforeLastVerdict: boolean; body: string }>((resolve, reject) => {
      const req = request({ host: u.hostname, port: u.port, method: "POST", path: "/openai/v1/chat/completions", headers: { host: "window.example", "content-type": "application/json", authorization: "Bearer client-key", "x-mock-chunking": "1" } }, (res) => {
        let first: boolean | undefined;
        let body = "";
        res.on("data", (c: Buffer) => {
          if (first === undefined) first = !green.calls.some((x) => x.service === "llm_response_moderation" && x.content.includes("theta") && x.status !== 0);
          body += c.toString();
        });
        res.on("end", () => resolve({ firstBeforeLastVerdict: first === true, body }));
        res.on("error", reject);
      });
      req.on("error", reject);
      req.end(JSON.stringify({ model: "gpt-4o", stream: true, messages: [{ role: "user", content: "alpha beta gamma delta epsilon zeta eta theta" }] }));
    });
    expect(result.body).toBe(mocks.compat.last!.sent);
    expect(result.firstBeforeLastVerdict).toBe(true);
  });

  it("fails open when the moderation service refuses the signature (wrong secret)", async () => {
    const before = mocks.compat.requests.length;
    const r = await http(`${gw.url}/openai/v1/chat/completions`, { method: "POST", headers: [["host", "badkey.example"], ["content-type", "application/json"], ["authorization", "Bearer client-key"], ["x-request-id", "badkey-1"]], body: JSON.stringify({ model: "gpt-4o", messages: [{ role: "user", content: "BOMB" }] }) });
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body).choices[0].message.content).toBe("Echo: BOMB");
    expect(mocks.compat.requests.length).toBe(before + 1);
    expect(green.calls[0].answer.Code).toBe("IncompleteSignature");
    expect(await aiLogOf("badkey-1")).toMatchObject({ safecheck_status: "request fail-open" });
  });

  it("fails open at `timeout`: the answer arrives while the moderation service is still thinking", async () => {
    green.delayMs = 5000;
    const r = await http(`${gw.url}/openai/v1/chat/completions`, { method: "POST", headers: [["host", "slow.example"], ["content-type", "application/json"], ["authorization", "Bearer client-key"], ["x-request-id", "slow-1"]], body: JSON.stringify({ model: "gpt-4o", messages: [{ role: "user", content: "BOMB" }] }) });
    expect(r.status).toBe(200);
    expect(green.calls).toHaveLength(1);
    expect(green.calls[0].status).toBe(0); // not answered yet: the request did not wait for it
    const log = await aiLogOf("slow-1");
    expect(log.safecheck_status).toBe("request fail-open");
    expect(log.safecheck_request_rt).toBeLessThan(5000);
  });

  it("counts refusals under Higress's metric names", async () => {
    const stats = await gw.envoy.stats("ai_sec_");
    const val = (name: string) => Number(new RegExp(`${name}: (\\d+)`).exec(stats)?.[1]);
    // 4 prompts refused (2 OpenAI, 2 Anthropic) by the tests above; answers: 1 + 3 chunkings + 2 Anthropic + 3 windowed + 3 Anthropic windowed.
    expect(val("ai_sec_request_deny")).toBe(4);
    expect(val("ai_sec_response_deny")).toBe(12);
  });
});
