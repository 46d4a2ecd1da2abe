// Aliyun Content Security (green-cip) mock: TextModerationPlus and MultiModalGuard, API version
// 2022-03-02, checked the way Aliyun's gateway checks them. A request is refused with Aliyun's
// error JSON (HTTP 400/403/404, {RequestId, HostId, Code, Message, Recommend}) when:
//   - it is not `POST /?Service=<known service>` with a form-encoded body holding ServiceParameters
//     (JSON with a non-empty `content` of at most 2000 characters);
//   - x-acs-action / x-acs-version / x-acs-date (RFC 3339 UTC, ±15 min) / x-acs-signature-nonce
//     (never seen before) / x-acs-content-sha256 (of the body) / content-type are missing or wrong;
//   - the Authorization header is not `ACS3-HMAC-SHA256 Credential=…,SignedHeaders=…,Signature=…`,
//     names an unknown AccessKey, does not sign host and every x-acs-* header, or its signature is
//     not the one recomputed from the request with the key's secret (IncompleteSignature);
//   - a security token is expected for the key and x-acs-security-token does not carry it.
// Verdicts come from word lists the test sets (`risk`), per service if it wants: the highest
// level whose words occur in the content wins; `attack` words raise AttackLevel (MultiModalGuard).
// `fault` makes it misbehave: "down" (connection dropped), "garbage" (200 + not JSON),
// "error" (200 + Code 500), "status500"; `delayMs` delays every answer, `slowWords` the answers
// for content holding a word.
import { createHash, createHmac, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type Level = "high" | "medium" | "low";
export interface RiskWords { high?: string[]; medium?: string[]; low?: string[]; attack?: string[]; /** MultiModalGuard sensitiveData (S3, Suggestion mask): the words are starred in Desensitization. */ sensitive?: string[] }

export interface GreenCall {
  service: string;
  action: string;
  content: string;
  sessionId: string;
  headers: Record<string, string>;
  /** The HTTP status the mock answered and its body. */
  status: number;
  answer: any;
}

export const GREEN_SERVICES: Record<string, string[]> = {
  TextModerationPlus: ["llm_query_moderation", "llm_response_moderation"],
  MultiModalGuard: ["query_security_check", "response_security_check", "img_query_security_check"],
};

const sha256hex = (s: string | Buffer) => createHash("sha256").update(s).digest("hex");
const enc = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());

export class AliyunGreenMock {
  readonly calls: GreenCall[] = [];
  /** AccessKeyId → AccessKeySecret. */
  secrets: Record<string, string> = { LTAI5tSluiceMockKey: "sluice-mock-aliyun-secret" };
  /** AccessKeyId → the STS token its requests must carry. */
  tokens: Record<string, string> = {};
  /** Word lists, global or per service name. */
  risk: RiskWords = {};
  riskByService: Record<string, RiskWords> = {};
  /** Services a test added (a custom llm_query_moderation_01, …). */
  extraServices: string[] = [];
  fault: "" | "down" | "garbage" | "error" | "status500" = "";
  delayMs = 0;
  /** Answers for content holding one of these words wait that many ms (to hold one window's verdict). */
  slowWords: Record<string, number> = {};
  port = 0;
  private nonces = new Set<string>();
  private server: Server;

  private constructor() { this.server = createServer((req, res) => this.onRequest(req, res)); }

  static async start(): Promise<AliyunGreenMock> {
    const m = new AliyunGreenMock();
    await new Promise<void>((r) => m.server.listen(0, "127.0.0.1", r));
    m.port = (m.server.address() as AddressInfo).port;
    return m;
  }

  get url(): string { return `http://127.0.0.1:${this.port}`; }
  reset(): void { this.calls.length = 0; this.risk = {}; this.riskByService = {}; this.fault = ""; this.delayMs = 0; this.slowWords = {}; this.tokens = {}; }
  async stop(): Promise<void> { this.server.closeAllConnections(); await new Promise<void>((r) => this.server.close(() => r())); }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => { void this.answer(req, Buffer.concat(chunks), res); });
  }

  private async answer(req: IncomingMessage, raw: Buffer, res: ServerResponse): Promise<void> {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(",") : String(v ?? "");
    const call: GreenCall = { service: "", action: headers["x-acs-action"] ?? "", content: "", sessionId: "", headers, status: 0, answer: undefined };
    this.calls.push(call);
    if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
    if (this.fault === "down") { req.socket.destroy(); return; }
    const send = (status: number, body: unknown) => {
      call.status = status; call.answer = body;
      const text = typeof body === "string" ? body : JSON.stringify(body);
      if (!res.destroyed) { res.writeHead(status, { "content-type": typeof body === "string" ? "text/html" : "application/json;charset=utf-8" }); res.end(text); }
    };
    const requestId = randomUUID().toUpperCase();
    const fail = (status: number, code: string, message: string) => send(status, { RequestId: requestId, HostId: headers.host ?? "", Code: code, Message: message, Recommend: `https://api.aliyun.com/troubleshoot?q=${code}` });
    try {
      const url = new URL(req.url ?? "/", "http://x");
      if (req.method !== "POST") return fail(400, "UnsupportedHTTPMethod", `This http method ${req.method} is not supported.`);
      if (url.pathname !== "/") return fail(404, "InvalidAction.NotFound", `Specified api is not found, please check your url and method.`);
      const action = headers["x-acs-action"];
      if (!action) return fail(400, "MissingAction", "Action is mandatory for this request.");
      if (!GREEN_SERVICES[action]) return fail(404, "InvalidAction.NotFound", `Specified api ${action} is not found.`);
      if (headers["x-acs-version"] !== "2022-03-02") return fail(400, "InvalidVersion", `Specified parameter Version ${headers["x-acs-version"] ?? ""} is not valid.`);
      const date = headers["x-acs-date"] ?? "";
      if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(date)) return fail(400, "InvalidTimeStamp.Format", "Specified time stamp or date value is not well formatted.");
      if (Math.abs(Date.parse(date) - Date.now()) > 15 * 60 * 1000) return fail(400, "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired.");
      const nonce = headers["x-acs-signature-nonce"];
      if (!nonce) return fail(400, "MissingSignatureNonce", "SignatureNonce is mandatory for this action.");
      if (this.nonces.has(nonce)) return fail(400, "SignatureNonceUsed", "Specified signature nonce was used already.");
      if (headers["x-acs-content-sha256"] !== sha256hex(raw)) return fail(400, "InvalidParameter", "x-acs-content-sha256 does not match the request body.");
      if (!(headers["content-type"] ?? "").startsWith("application/x-www-form-urlencoded")) return fail(400, "InvalidParameter", "content-type must be application/x-www-form-urlencoded.");
      const auth = headers.authorization ?? "";
      const m = /^ACS3-HMAC-SHA256 Credential=([^,]+),SignedHeaders=([a-z0-9;-]+),Signature=([0-9a-f]{64})$/.exec(auth);
      if (!m) return fail(400, "IncompleteSignature", "The request signature does not conform to Aliyun standards.");
      const [, ak, signed, sig] = m;
      const sk = this.secrets[ak];
      if (!sk) return fail(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.");
      const names = signed.split(";");
      const must = Object.keys(headers).filter((n) => n.startsWith("x-acs-")).concat(["host"]);
      for (const n of must) if (!names.includes(n)) return fail(400, "IncompleteSignature", `The request signature does not conform to Aliyun standards. header ${n} is not signed.`);
      const want = this.tokens[ak];
      if (want !== undefined && headers["x-acs-security-token"] !== want) return fail(400, "InvalidSecurityToken.Mismatch", "Specified SecurityToken is invalid.");
      const query = [...url.searchParams.entries()].map(([k, v]) => `${enc(k)}=${enc(v)}`).sort().join("&");
      const canonical = `POST\n/\n${query}\n${names.map((n) => `${n}:${headers[n] ?? ""}\n`).join("")}\n${signed}\n${sha256hex(raw)}`;
      const toSign = `ACS3-HMAC-SHA256\n${sha256hex(canonical)}`;
      if (createHmac("sha256", sk).update(toSign).digest("hex") !== sig) {
        return fail(400, "IncompleteSignature", `The request signature does not conform to Aliyun standards. server string to sign is:${toSign}`);
      }
      this.nonces.add(nonce);
      const service = url.searchParams.get("Service") ?? "";
      call.service = service;
      if (!service) return fail(400, "MissingService", "Service is mandatory for this action.");
      if (!GREEN_SERVICES[action].includes(service) && !this.extraServices.includes(service)) return send(200, { Code: 400, Message: `Service ${service} is not found.`, RequestId: requestId });
      const form = new URLSearchParams(raw.toString("utf8"));
      const sp = form.get("ServiceParameters");
      if (!sp) return send(200, { Code: 400, Message: "ServiceParameters is mandatory.", RequestId: requestId });
      let params: any;
      try { params = JSON.parse(sp); } catch { return send(200, { Code: 400, Message: "ServiceParameters is not valid JSON.", RequestId: requestId }); }
      const content = typeof params.content === "string" ? params.content : "";
      call.content = content; call.sessionId = String(params.sessionId ?? "");
      if (content.length === 0) return send(200, { Code: 400, Message: "content is empty.", RequestId: requestId });
      if ([...content].length > 2000) return send(200, { Code: 400, Message: "content length exceeds 2000.", RequestId: requestId });
      const slow = Object.entries(this.slowWords).find(([w]) => content.includes(w));
      if (slow) await new Promise((r) => setTimeout(r, slow[1]));
      if (this.fault === "garbage") return send(200, "<html>502 Bad Gateway</html>");
      if (this.fault === "error") return send(200, { Code: 500, Message: "InternalError", RequestId: requestId });
      if (this.fault === "status500") return fail(500, "InternalError", "The request processing has failed due to some unknown error.");
      send(200, { Code: 200, Message: "OK", RequestId: requestId, Data: this.verdict(action, service, content) });
    } catch (e) {
      fail(500, "InternalError", String(e));
    }
  }

  private verdict(action: string, service: string, content: string): any {
    const words = this.riskByService[service] ?? this.risk;
    let level: "high" | "medium" | "low" | "none" = "none";
    let hit = "";
    for (const l of ["high", "medium", "low"] as const) {
      const w = (words[l] ?? []).find((x) => content.includes(x));
      if (w) { level = l; hit = w; break; }
    }
    const attack = (words.attack ?? []).find((x) => content.includes(x));
    if (action === "TextModerationPlus") {
      if (level === "none") return { RiskLevel: "none", Result: [{ Label: "nonLabel", Description: "未检测出风险" }] };
      return {
        RiskLevel: level,
        Result: [{ Label: "political_entity", RiskWords: hit, Confidence: 100, Description: "疑似政治实体" }],
        Advice: [{ Answer: "作为一名人工智能助手，我不能提供涉及色情、暴力、政治等敏感话题的内容。", HitLabel: "political_entity" }],
      };
    }
    const detail: any[] = [];
    if (level !== "none") detail.push({ Type: "contentModeration", Level: level, Suggestion: "block", Result: [{ Label: "political_entity", RiskWords: hit, Confidence: 100 }] });
    if (attack) detail.push({ Type: "promptAttack", Level: "high", Suggestion: "block", Result: [{ Label: "jailbreak", Confidence: 99 }] });
    const sensitive = (words.sensitive ?? []).filter((x) => content.includes(x));
    if (sensitive.length > 0) {
      let masked = content;
      for (const w of sensitive) masked = masked.split(w).join("*".repeat([...w].length));
      detail.push({ Type: "sensitiveData", Level: "S3", Suggestion: "mask", Result: [{ Label: "1780", Confidence: 100, Ext: { Desensitization: masked, SensitiveData: sensitive } }] });
    }
    return { RiskLevel: level, AttackLevel: attack ? "high" : "none", Suggestion: level !== "none" || attack ? "block" : sensitive.length > 0 ? "mask" : "pass", Detail: detail };
  }
}
