// Shared machinery of the LLM provider mocks: a real HTTP server per provider family that
// validates requests the way the real API does and answers in the provider's native format.
//
// Test switches (request headers, forwarded by the gateway untouched):
//   x-mock-fail: 429 | 500 | 503        answer that status with the provider's error body
//   x-mock-delay: <ms>                  wait before the first byte (slow first byte)
//   x-mock-chunking: whole | 1 | random[:seed]   how a stream is cut into writes
//   x-mock-fail-for: <key>:<status>     fail only requests authenticated with <key>
//   x-mock-cut: 1 | clean               send half of the stream, then drop the connection
//                                       (1) or end the response normally (clean)
// Each answered request is recorded with the usage the mock reported (normalised to OpenAI's
// names) so tests can compare it with what the gateway reports.
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface NormalUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  cached_tokens?: number;
  reasoning_tokens?: number;
}

export interface MockRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  raw: string;
  body: any;
}

export interface MockRecord extends MockRequest {
  status: number;
  usage?: NormalUsage;
  /** The provider-native body or stream text the mock sent. */
  sent?: string;
}

export class MockError extends Error {
  constructor(public status: number, message: string, public code = "") { super(message); }
}

/** What a handler returns: a JSON answer or a stream (already in wire format, as one string or bytes). */
export type Answer =
  | { kind: "json"; status?: number; body: unknown; usage?: NormalUsage; headers?: Record<string, string> }
  | { kind: "stream"; contentType: string; data: Buffer; usage?: NormalUsage; headers?: Record<string, string> };

export interface Family {
  name: string;
  handle(req: MockRequest): Answer;
  /** The provider's error body for a status (used for validation failures and x-mock-fail). */
  errorBody(status: number, message: string, code: string, req?: MockRequest): unknown;
  /** The HTTP status the provider really uses for an error (Tencent, MiniMax Pro: always 200). */
  httpStatus?(status: number, req?: MockRequest): number;
}

/** A tiny seeded PRNG so "random" chunking is reproducible. */
export function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s / 0x100000000;
  };
}

export function splitForChunking(data: Buffer, mode: string): Buffer[] {
  if (!mode || mode === "whole") return [data];
  if (mode === "1") {
    const out: Buffer[] = [];
    for (let i = 0; i < data.length; i++) out.push(data.subarray(i, i + 1));
    return out;
  }
  const m = /^random(?::(\d+))?$/.exec(mode);
  const next = rng(m && m[1] ? Number(m[1]) : 42);
  const out: Buffer[] = [];
  let i = 0;
  while (i < data.length) {
    const n = 1 + Math.floor(next() * 40);
    out.push(data.subarray(i, i + n));
    i += n;
  }
  return out;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class LlmMock {
  readonly requests: MockRecord[] = [];
  private server: Server;
  port = 0;

  private constructor(public family: Family) {
    this.server = createServer((req, res) => this.onRequest(req, res));
  }

  static async start(family: Family, port = 0): Promise<LlmMock> {
    const m = new LlmMock(family);
    await new Promise<void>((r) => m.server.listen(port, "127.0.0.1", r));
    m.port = (m.server.address() as AddressInfo).port;
    return m;
  }

  get last(): MockRecord | undefined { return this.requests[this.requests.length - 1]; }
  clear(): void { this.requests.length = 0; }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => { void this.answer(req, Buffer.concat(chunks).toString("utf8"), res); });
  }

  private async answer(req: IncomingMessage, raw: string, res: ServerResponse): Promise<void> {
    const rec: MockRecord = { method: req.method ?? "", path: req.url ?? "", headers: req.headers, raw, body: undefined, status: 0 };
    this.requests.push(rec);
    const h = (n: string) => { const v = req.headers[n]; return Array.isArray(v) ? v[0] : v; };
    const delay = Number(h("x-mock-delay") ?? 0);
    if (delay > 0) await sleep(delay);
    let answer: Answer;
    try {
      // A form (an OAuth token request) is left to the family; everything else must be JSON.
      if (raw.length > 0 && !(h("content-type") ?? "").startsWith("application/x-www-form-urlencoded")) {
        try { rec.body = JSON.parse(raw); } catch { throw new MockError(400, "request body is not valid JSON"); }
      }
      let forced = Number(h("x-mock-fail") ?? 0);
      // x-mock-fail-for: <key>:<status> fails only requests made with that credential.
      const failFor = h("x-mock-fail-for");
      if (failFor) {
        const [key, st] = failFor.split(":");
        if (credentialOf(rec) === key) forced = Number(st);
      }
      answer = this.family.handle(rec);
      if (forced) throw new MockError(forced, forced === 429 ? "Rate limit reached, please retry later" : "The server had an error while processing your request", forced === 429 ? "rate_limit_exceeded" : "server_error");
    } catch (e) {
      const err = e instanceof MockError ? e : new MockError(500, String(e));
      rec.status = err.status;
      const body = JSON.stringify(this.family.errorBody(err.status, err.message, err.code, rec));
      rec.sent = body;
      res.writeHead(this.family.httpStatus ? this.family.httpStatus(err.status, rec) : err.status, { "content-type": "application/json" });
      res.end(body);
      return;
    }
    rec.status = answer.kind === "json" ? answer.status ?? 200 : 200;
    rec.usage = answer.usage;
    if (answer.kind === "json") {
      const body = JSON.stringify(answer.body);
      rec.sent = body;
      res.writeHead(rec.status, { "content-type": "application/json", ...(answer.headers ?? {}) });
      res.end(body);
      return;
    }
    rec.sent = answer.data.toString("utf8");
    res.writeHead(200, { "content-type": answer.contentType, "cache-control": "no-cache", ...(answer.headers ?? {}) });
    res.flushHeaders();
    let data = answer.data;
    // x-mock-cut: 1 drops the connection after half the stream; "clean" ends the response there.
    const cutMode = h("x-mock-cut");
    const cut = cutMode === "1" || cutMode === "clean";
    if (cut) data = data.subarray(0, Math.floor(data.length / 2));
    const pieces = splitForChunking(data, h("x-mock-chunking") ?? "whole");
    for (const p of pieces) {
      if (res.destroyed) return;
      res.write(p);
      if (pieces.length > 1) await sleep(1);
    }
    if (cutMode === "1") { await sleep(20); res.socket?.destroy(); return; }
    res.end();
  }
}

// ---- helpers shared by the families ------------------------------------------------------

export function bad(message: string, status = 400, code = "invalid_request_error"): never {
  throw new MockError(status, message, code);
}

export function need(cond: unknown, message: string): asserts cond {
  if (!cond) bad(message);
}

export function header(req: MockRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Deterministic token counting: words + 1 per message, enough to compare numbers end to end. */
export function countTokens(text: string): number {
  const t = text.trim();
  return t.length === 0 ? 0 : t.split(/\s+/).length;
}

/** The answer every mock gives: an echo of the last user text, in a few pieces. */
export function answerPieces(lastUser: string): string[] {
  const words = `Echo: ${lastUser}`.split(" ");
  const out: string[] = [];
  for (let i = 0; i < words.length; i += 2) out.push((i > 0 ? " " : "") + words.slice(i, i + 2).join(" "));
  return out;
}

export const REASONING = "Let me think step by step.";

/** A model whose name contains "reason" also returns reasoning text. */
export function wantsReasoning(model: string): boolean { return /reason|think|r1/.test(model); }

/** Valid keys: anything starting with "sk-" except "sk-bad" (tests use it for 401). */
export function validKey(k: string | undefined): boolean {
  return !!k && k.startsWith("sk-") && k !== "sk-bad";
}

export function sse(data: string, event?: string): string {
  return (event ? `event: ${event}\n` : "") + `data: ${data}\n\n`;
}

/** The credential a request carries, whatever the provider's header. */
export function credentialOf(req: MockRequest): string {
  const auth = header(req, "authorization") ?? "";
  if (auth.startsWith("Bearer ")) return auth.slice(7);
  return header(req, "x-api-key") ?? header(req, "api-key") ?? header(req, "x-goog-api-key") ?? auth;
}
