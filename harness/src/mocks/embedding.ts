// Strict embedding APIs for ai-cache's semantic cache, one server for six providers, told apart
// by path: OpenAI `POST /v1/embeddings`, DashScope `POST /api/v1/services/embeddings/
// text-embedding/text-embedding`, Azure OpenAI `POST /openai/deployments/{deployment}/embeddings
// ?api-version=…` (`api-key` header), Ollama `POST /api/embed` (no auth), Cohere `POST /v2/embed`,
// Hugging Face `POST /pipeline/feature-extraction/{model}`, TextIn `POST /ai/service/v1/acge_embedding`
// (`x-ti-app-id`/`x-ti-secret-code`), iFlytek xfyun `POST /?authorization=…&date=…&host=…` (an
// HMAC-SHA256 signature over host, date and request line in the URL, verified here; a date more
// than 300 s off is refused, as xfyun does). Each checks what the real service
// checks (its Host, its credential header, the JSON body's shape and required fields) and answers
// in that service's documented format and error format. The vector of a text comes from `vectors`
// (a test maps a paraphrase close to its original), else from a hash of the text, so unrelated
// texts land far apart.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createHash, createHmac } from "node:crypto";

export const EMBEDDING_DIMS = 8;
export const OPENAI_EMBEDDING_PATH = "/v1/embeddings";
export const DASHSCOPE_EMBEDDING_PATH = "/api/v1/services/embeddings/text-embedding/text-embedding";

export type EmbeddingProvider = "openai" | "dashscope" | "azure" | "ollama" | "cohere" | "huggingface" | "textin" | "xfyun";
export const TEXTIN_EMBEDDING_PATH = "/ai/service/v1/acge_embedding";

/** The Host each provider is reached at (Azure's is the user's resource). */
export const EMBEDDING_HOSTS: Record<EmbeddingProvider, string> = {
  openai: "api.openai.com",
  dashscope: "dashscope.aliyuncs.com",
  azure: "sluice-test.openai.azure.com",
  ollama: "localhost",
  cohere: "api.cohere.com",
  huggingface: "api-inference.huggingface.co",
  textin: "api.textin.com",
  xfyun: "emb-cn-huabei-1.xf-yun.com",
};

export interface EmbeddingCall {
  provider: EmbeddingProvider | "unknown";
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

function providerOf(path: string): EmbeddingProvider | "unknown" {
  const p = path.split("?")[0];
  if (p === OPENAI_EMBEDDING_PATH) return "openai";
  if (p === DASHSCOPE_EMBEDDING_PATH) return "dashscope";
  if (/^\/openai\/deployments\/[^/]+\/embeddings$/.test(p)) return "azure";
  if (p === "/api/embed") return "ollama";
  if (p === "/v2/embed") return "cohere";
  if (p.startsWith("/pipeline/feature-extraction/")) return "huggingface";
  if (p === TEXTIN_EMBEDDING_PATH) return "textin";
  if (p === "/") return "xfyun";
  return "unknown";
}

const stringsOrNull = (v: unknown): string[] | null => (typeof v === "string" ? [v] : Array.isArray(v) && v.length > 0 && v.every((t) => typeof t === "string") ? (v as string[]) : null);
const words = (texts: string[]) => texts.reduce((n, t) => n + t.split(/\s+/).length, 0);

export class EmbeddingMock {
  readonly calls: EmbeddingCall[] = [];
  /** Text → vector (EMBEDDING_DIMS entries); texts not listed get hashVector(text). */
  readonly vectors = new Map<string, number[]>();
  /** When set, every authenticated request is answered with this status and the provider's error body. */
  failWith = 0;
  /** When set, every authenticated request is read and never answered (the caller's timeout ends it). */
  hang = false;
  /** Azure: the deployments that exist and the api-version the resource accepts. */
  azureDeployments = new Set(["text-embedding-ada-002", "text-embedding-3-small"]);
  /** TextIn's credentials. */
  textin = { appId: "textin-app-test", secretCode: "textin-secret-test" };
  /** xfyun's APPID, APIKey and APISecret. */
  xfyun = { appId: "xfyun-app-test", apiKey: "xfyun-key-test", apiSecret: "xfyun-secret-test" };
  port = 0;
  private server: Server;

  private constructor(readonly apiKey: string) {
    this.server = createServer((req, res) => this.onRequest(req, res));
  }

  static async start(apiKey = "sk-embed-test"): Promise<EmbeddingMock> {
    const m = new EmbeddingMock(apiKey);
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

  private authenticate(provider: EmbeddingProvider, req: IncomingMessage): void {
    const auth = req.headers.authorization ?? "";
    // RFC 7235: the scheme is case-insensitive (Higress sends Cohere "BEARER").
    const bearer = /^bearer /i.test(auth) ? auth.slice(7) : undefined;
    switch (provider) {
      case "ollama": return;
      case "textin": {
        const id = req.headers["x-ti-app-id"], code = req.headers["x-ti-secret-code"];
        if (!id || !code) throw new Refused(200, "x-ti-app-id or x-ti-secret-code is empty", "40101");
        if (id !== this.textin.appId || code !== this.textin.secretCode) throw new Refused(200, "x-ti-app-id or x-ti-secret-code is invalid", "40102");
        return;
      }
      case "xfyun": return this.xfyunSignature(req);
      case "azure":
        if (req.headers["api-key"] !== this.apiKey) throw new Refused(401, "Access denied due to invalid subscription key or wrong API endpoint.", "401");
        return;
      case "huggingface":
        if (bearer !== this.apiKey) throw new Refused(401, "Invalid credentials in Authorization header", "unauthorized");
        return;
      case "cohere":
        if (bearer !== this.apiKey) throw new Refused(401, "invalid api token", "unauthorized");
        return;
      case "dashscope":
        if (auth !== `Bearer ${this.apiKey}`) throw new Refused(401, "Invalid API-key provided.", "InvalidApiKey");
        return;
      default:
        if (auth !== `Bearer ${this.apiKey}`) throw new Refused(401, "Incorrect API key provided.", "invalid_api_key");
    }
  }

  private errorBody(provider: EmbeddingProvider | "unknown", r: Refused): unknown {
    switch (provider) {
      case "dashscope": return { code: r.code, message: r.message, request_id: "mock-req" };
      case "azure": return { error: { code: r.code, message: r.message } };
      case "ollama": return { error: r.message };
      case "cohere": return { id: "mock", message: r.message };
      case "huggingface": return { error: r.message };
      case "textin": return { code: Number(r.code), message: r.message, duration: 0.1 };
      case "xfyun": return r.code === "hmac" ? { message: r.message } : { header: { code: Number(r.code), message: r.message, sid: "emb000mock" } };
      default: return { error: { message: r.message, type: r.status === 401 ? "invalid_request_error" : r.code, param: null, code: r.code } };
    }
  }

  private answer(req: IncomingMessage, raw: string, res: ServerResponse): void {
    const path = req.url ?? "";
    const provider = providerOf(path);
    const call: EmbeddingCall = { provider, path, headers: req.headers, body: undefined, status: 0, texts: [] };
    this.calls.push(call);
    let out: unknown;
    try {
      if (provider === "unknown") throw new Refused(404, `no route for ${req.method} ${path}`, "not_found");
      if (req.method !== "POST") throw new Refused(405, "method not allowed", "method_not_allowed");
      const host = (req.headers.host ?? "").replace(/:\d+$/, "");
      if (host !== EMBEDDING_HOSTS[provider]) throw new Refused(404, `unknown host ${host}`, "not_found");
      this.authenticate(provider, req);
      if (!(req.headers["content-type"] ?? "").startsWith("application/json")) throw new Refused(400, "content-type must be application/json", "invalid_request_error");
      let body: any;
      try { body = JSON.parse(raw); } catch { throw new Refused(400, "We could not parse the JSON body of your request.", "invalid_request_error"); }
      call.body = body;
      if (this.hang) return;
      if (this.failWith) throw new Refused(this.failWith, "The server had an error while processing your request", "server_error");
      out = provider === "textin" ? this.textinEmbed(body, call) : provider === "xfyun" ? this.xfyunEmbed(body, call) : this[provider](body, call, path);
      call.status = 200;
    } catch (e) {
      const r = e instanceof Refused ? e : new Refused(500, String(e), "internal_error");
      call.status = r.status;
      res.writeHead(r.status, { "content-type": "application/json" });
      res.end(JSON.stringify(this.errorBody(provider, r)));
      return;
    }
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify(out));
  }

  /**
   * xfyun's URL signature: `authorization` is base64 of `api_key="…", algorithm="hmac-sha256",
   * headers="host date request-line", signature="…"`, the signature base64(HMAC-SHA256(APISecret,
   * "host: {host}\ndate: {date}\nPOST {path} HTTP/1.1")); `host` must be the request's Host and
   * `date` an RFC 1123 date within 300 s of now.
   */
  private xfyunSignature(req: IncomingMessage): void {
    const u = new URL(req.url ?? "/", "http://x");
    const host = u.searchParams.get("host"), date = u.searchParams.get("date"), auth = u.searchParams.get("authorization");
    if (!host || !date || !auth) throw new Refused(401, "Unauthorized", "hmac");
    if (host !== (req.headers.host ?? "").replace(/:\d+$/, "")) throw new Refused(401, "HMAC signature does not match", "hmac");
    const t = Date.parse(date);
    if (!/^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/.test(date) || !Number.isFinite(t) || Math.abs(Date.now() - t) > 300_000) {
      throw new Refused(401, "HMAC signature cannot be verified, a valid date or x-date header is required for HMAC Authentication", "hmac");
    }
    const m = /^api_key="([^"]*)", algorithm="([^"]*)", headers="([^"]*)", signature="([^"]*)"$/.exec(Buffer.from(auth, "base64").toString("utf8"));
    if (!m) throw new Refused(401, "HMAC signature cannot be verified", "hmac");
    const [, apiKey, alg, headers, signature] = m;
    if (apiKey !== this.xfyun.apiKey) throw new Refused(401, "HMAC signature cannot be verified", "hmac");
    if (alg !== "hmac-sha256" || headers !== "host date request-line") throw new Refused(401, "HMAC signature cannot be verified", "hmac");
    const want = createHmac("sha256", this.xfyun.apiSecret).update(`host: ${host}\ndate: ${date}\n${req.method} ${u.pathname} HTTP/1.1`).digest("base64");
    if (signature !== want) throw new Refused(401, "HMAC signature does not match", "hmac");
  }

  private textinEmbed(body: any, call: EmbeddingCall): unknown {
    const texts = body?.input;
    if (!Array.isArray(texts) || texts.length === 0 || !texts.every((t: unknown) => typeof t === "string" && t.length > 0)) throw new Refused(200, "input must be a non-empty array of strings", "40003");
    const dim = body.matryoshka_dim ?? 1792;
    if (!Number.isInteger(dim) || dim < 1 || dim > 1792) throw new Refused(200, "matryoshka_dim must be an integer from 1 to 1792", "40003");
    call.texts = texts;
    // The mock's vectors have EMBEDDING_DIMS entries: a longer matryoshka_dim pads with zeros.
    const fit = (v: number[]) => (v.length >= dim ? v.slice(0, dim) : [...v, ...new Array(dim - v.length).fill(0)]);
    return { code: 200, message: "success", duration: 0.05, result: { embedding: texts.map((t: string) => fit(this.vectorOf(t))), matryoshka_dim: dim } };
  }

  private xfyunEmbed(body: any, call: EmbeddingCall): unknown {
    if (body?.header?.app_id !== this.xfyun.appId) throw new Refused(200, "app_id is invalid", "10313");
    if (!Number.isInteger(body.header.status)) throw new Refused(200, "header.status must be an integer", "10163");
    const emb = body.parameter?.emb;
    if (emb?.domain !== "query" && emb?.domain !== "para") throw new Refused(200, "parameter.emb.domain must be query or para", "10163");
    if (emb?.feature?.encoding !== "utf8") throw new Refused(200, "parameter.emb.feature.encoding must be utf8", "10163");
    const text = body.payload?.messages?.text;
    if (typeof text !== "string" || text.length === 0) throw new Refused(200, "payload.messages.text is required", "10163");
    let inner: any;
    try { inner = JSON.parse(Buffer.from(text, "base64").toString("utf8")); } catch { throw new Refused(200, "payload.messages.text is not base64 of a JSON message list", "10163"); }
    const msgs = inner?.messages;
    if (!Array.isArray(msgs) || msgs.length === 0 || !msgs.every((m: any) => typeof m?.content === "string" && m.content.length > 0 && typeof m?.role === "string")) throw new Refused(200, "messages must be a non-empty list of {content, role}", "10163");
    const q = msgs.map((m: any) => m.content).join("\n");
    call.texts = [q];
    const v = this.vectorOf(q);
    const raw = Buffer.alloc(v.length * 4);
    v.forEach((x, i) => raw.writeFloatLE(x, i * 4));
    return { header: { code: 0, message: "success", sid: "emb000mock" }, payload: { feature: { encoding: "utf8", compress: "raw", format: "plain", status: "3", text: raw.toString("base64") } } };
  }

  private openai(body: any, call: EmbeddingCall): unknown {
    if (typeof body?.model !== "string" || body.model.length === 0) throw new Refused(400, "you must provide a model parameter", "invalid_request_error");
    return this.openaiShaped(body, call, body.model);
  }

  private openaiShaped(body: any, call: EmbeddingCall, model: string): unknown {
    const texts = stringsOrNull(body?.input);
    if (texts === null || texts.some((t) => t.length === 0)) throw new Refused(400, "'input' must be a non-empty string or array of strings", "invalid_request_error");
    call.texts = texts;
    const tokens = words(texts);
    return { object: "list", data: texts.map((t, index) => ({ object: "embedding", index, embedding: this.vectorOf(t) })), model, usage: { prompt_tokens: tokens, total_tokens: tokens } };
  }

  private dashscope(body: any, call: EmbeddingCall): unknown {
    if (typeof body?.model !== "string" || body.model.length === 0) throw new Refused(400, "Model not exist.", "InvalidParameter");
    const texts = body.input?.texts;
    if (!Array.isArray(texts) || texts.length === 0 || !texts.every((t: unknown) => typeof t === "string" && t.length > 0)) throw new Refused(400, "input.texts must be a non-empty array of strings", "InvalidParameter");
    if (body.parameters?.text_type !== undefined && !["query", "document"].includes(body.parameters.text_type)) throw new Refused(400, "parameters.text_type must be query or document", "InvalidParameter");
    call.texts = texts;
    return { output: { embeddings: texts.map((t: string, text_index: number) => ({ text_index, embedding: this.vectorOf(t) })) }, usage: { total_tokens: words(texts) }, request_id: "mock-req" };
  }

  private azure(body: any, call: EmbeddingCall, path: string): unknown {
    const u = new URL(path, "http://x");
    const deployment = decodeURIComponent(u.pathname.split("/")[3]);
    if (!u.searchParams.get("api-version")) throw new Refused(404, "Resource not found", "404");
    if (!this.azureDeployments.has(deployment)) throw new Refused(404, "The API deployment for this resource does not exist.", "DeploymentNotFound");
    return this.openaiShaped(body, call, deployment);
  }

  private ollama(body: any, call: EmbeddingCall): unknown {
    if (typeof body?.model !== "string" || body.model.length === 0) throw new Refused(400, "model is required", "bad_request");
    const texts = stringsOrNull(body.input);
    if (texts === null) throw new Refused(400, "invalid input type", "bad_request");
    call.texts = texts;
    return { model: body.model, embeddings: texts.map((t) => this.vectorOf(t)), total_duration: 1000, load_duration: 10, prompt_eval_count: words(texts) };
  }

  private cohere(body: any, call: EmbeddingCall): unknown {
    if (typeof body?.model !== "string" || body.model.length === 0) throw new Refused(400, "model is required", "bad_request");
    const texts = body.texts;
    if (!Array.isArray(texts) || texts.length === 0 || !texts.every((t: unknown) => typeof t === "string")) throw new Refused(400, "texts must be a non-empty array of strings", "bad_request");
    if (!["search_document", "search_query", "classification", "clustering"].includes(body.input_type)) throw new Refused(400, "invalid input_type", "bad_request");
    const types: unknown = body.embedding_types ?? ["float"];
    if (!Array.isArray(types) || !types.includes("float")) throw new Refused(400, "embedding_types must include float", "bad_request");
    call.texts = texts;
    return { id: "mock-embed", embeddings: { float: texts.map((t: string) => this.vectorOf(t)) }, texts, meta: { api_version: { version: "2" }, billed_units: { input_tokens: words(texts) } } };
  }

  private huggingface(body: any, call: EmbeddingCall): unknown {
    const texts = stringsOrNull(body?.inputs);
    if (texts === null) throw new Refused(400, "inputs must be a string or a list of strings", "bad_request");
    call.texts = texts;
    // One text: one vector; a list: a list of vectors (the feature-extraction pipeline's shape).
    return typeof body.inputs === "string" ? this.vectorOf(texts[0]) : texts.map((t) => this.vectorOf(t));
  }
}
