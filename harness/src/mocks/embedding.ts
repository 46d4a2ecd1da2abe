// Strict embedding APIs for ai-cache's semantic cache: OpenAI (`POST /v1/embeddings`) and
// DashScope (`POST /api/v1/services/embeddings/text-embedding/text-embedding`) on one server.
// Each checks what the real service checks (its Host, Bearer key, JSON body shape, model) and
// answers in that service's documented format and error format. The vector of a text comes
// from `vectors` (a test maps a paraphrase close to its original), else from a hash of the text,
// so unrelated texts land far apart.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createHash } from "node:crypto";

export const EMBEDDING_DIMS = 8;
export const OPENAI_EMBEDDING_PATH = "/v1/embeddings";
export const DASHSCOPE_EMBEDDING_PATH = "/api/v1/services/embeddings/text-embedding/text-embedding";

export interface EmbeddingCall {
  provider: "openai" | "dashscope";
  path: string;
  headers: IncomingMessage["headers"];
  body: any;
  status: number;
  texts: string[];
}

/** A unit vector with non-negative entries derived from the text (stable across runs). */
export function hashVector(text: string, dims = EMBEDDING_DIMS): number[] {
  const h = createHash("sha256").update(text).digest();
  const v = Array.from({ length: dims }, (_, i) => h[i] / 255 + 0.01);
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}

class Refused extends Error {
  constructor(public status: number, message: string, public code: string) { super(message); }
}

export class EmbeddingMock {
  readonly calls: EmbeddingCall[] = [];
  /** Text → vector (EMBEDDING_DIMS entries); texts not listed get hashVector(text). */
  readonly vectors = new Map<string, number[]>();
  /** When set, every request is answered with this status and the provider's error body. */
  failWith = 0;
  port = 0;
  private server: Server;

  private constructor(readonly apiKey: string, readonly hosts: { openai: string; dashscope: string }) {
    this.server = createServer((req, res) => this.onRequest(req, res));
  }

  static async start(apiKey = "sk-embed-test", hosts = { openai: "api.openai.com", dashscope: "dashscope.aliyuncs.com" }): Promise<EmbeddingMock> {
    const m = new EmbeddingMock(apiKey, hosts);
    await new Promise<void>((r) => m.server.listen(0, "127.0.0.1", r));
    m.port = (m.server.address() as AddressInfo).port;
    return m;
  }

  vectorOf(text: string): number[] { return this.vectors.get(text) ?? hashVector(text); }
  clear(): void { this.calls.length = 0; }
  /** Successful calls so far. */
  get answered(): number { return this.calls.filter((c) => c.status === 200).length; }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => this.answer(req, Buffer.concat(chunks).toString("utf8"), res));
  }

  private answer(req: IncomingMessage, raw: string, res: ServerResponse): void {
    const path = req.url ?? "";
    const provider = path === DASHSCOPE_EMBEDDING_PATH ? "dashscope" : "openai";
    const call: EmbeddingCall = { provider, path, headers: req.headers, body: undefined, status: 0, texts: [] };
    this.calls.push(call);
    let out: unknown;
    try {
      if (path !== OPENAI_EMBEDDING_PATH && path !== DASHSCOPE_EMBEDDING_PATH) throw new Refused(404, `no route for ${req.method} ${path}`, "not_found");
      if (req.method !== "POST") throw new Refused(405, "method not allowed", "method_not_allowed");
      const host = (req.headers.host ?? "").replace(/:\d+$/, "");
      if (host !== this.hosts[provider]) throw new Refused(404, `unknown host ${host}`, "not_found");
      if (req.headers.authorization !== `Bearer ${this.apiKey}`) {
        throw provider === "openai"
          ? new Refused(401, "Incorrect API key provided.", "invalid_api_key")
          : new Refused(401, "Invalid API-key provided.", "InvalidApiKey");
      }
      if (!(req.headers["content-type"] ?? "").startsWith("application/json")) throw new Refused(400, "content-type must be application/json", "invalid_request_error");
      let body: any;
      try { body = JSON.parse(raw); } catch { throw new Refused(400, "We could not parse the JSON body of your request.", "invalid_request_error"); }
      call.body = body;
      if (this.failWith) throw new Refused(this.failWith, "The server had an error while processing your request", "server_error");
      out = provider === "openai" ? this.openai(body, call) : this.dashscope(body, call);
      call.status = 200;
    } catch (e) {
      const r = e instanceof Refused ? e : new Refused(500, String(e), "internal_error");
      call.status = r.status;
      out = provider === "openai"
        ? { error: { message: r.message, type: r.status === 401 ? "invalid_request_error" : r.code, param: null, code: r.code } }
        : { code: r.code, message: r.message, request_id: "mock-req" };
      res.writeHead(r.status, { "content-type": "application/json" });
      res.end(JSON.stringify(out));
      return;
    }
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify(out));
  }

  private openai(body: any, call: EmbeddingCall): unknown {
    if (typeof body?.model !== "string" || body.model.length === 0) throw new Refused(400, "you must provide a model parameter", "invalid_request_error");
    const input = body.input;
    const texts = typeof input === "string" ? [input] : Array.isArray(input) && input.every((t: unknown) => typeof t === "string") ? (input as string[]) : null;
    if (texts === null || texts.length === 0 || texts.some((t) => t.length === 0)) throw new Refused(400, "'input' must be a non-empty string or array of strings", "invalid_request_error");
    call.texts = texts;
    const tokens = texts.reduce((n, t) => n + t.split(/\s+/).length, 0);
    return { object: "list", data: texts.map((t, index) => ({ object: "embedding", index, embedding: this.vectorOf(t) })), model: body.model, usage: { prompt_tokens: tokens, total_tokens: tokens } };
  }

  private dashscope(body: any, call: EmbeddingCall): unknown {
    if (typeof body?.model !== "string" || body.model.length === 0) throw new Refused(400, "Model not exist.", "InvalidParameter");
    const texts = body.input?.texts;
    if (!Array.isArray(texts) || texts.length === 0 || !texts.every((t: unknown) => typeof t === "string" && t.length > 0)) throw new Refused(400, "input.texts must be a non-empty array of strings", "InvalidParameter");
    call.texts = texts;
    const tokens = texts.reduce((n: number, t: string) => n + t.split(/\s+/).length, 0);
    return { output: { embeddings: texts.map((t: string, text_index: number) => ({ text_index, embedding: this.vectorOf(t) })) }, usage: { total_tokens: tokens }, request_id: "mock-req" };
  }
}
