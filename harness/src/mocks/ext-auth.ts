// A strict external authorization service for ext-auth (Higress's ext-auth / Envoy ext_authz
// HTTP service / a forward-auth endpoint such as oauth2-proxy or Authelia). It checks what a real
// auth service would see and refuses, with 400 `{"error":"mock: …"}` and `x-mock-error`, any
// request that breaks the contract:
//   - `Host` must be one of `hosts` (the service's FQDN or the configured service_host);
//   - the endpoint decides the mode (any other path: 404):
//       `/envoy-auth/<original path>`       envoy mode, no body;
//       `/envoy-auth-body/<original path>`  envoy mode, the client's body forwarded;
//       `/forward-auth`                      forward_auth mode, GET, no body;
//       `/forward-auth-body`                 forward_auth mode, POST, the client's body forwarded;
//   - forward_auth: x-forwarded-proto (http|https), x-forwarded-method, x-forwarded-host,
//     x-forwarded-uri (starting with /), x-original-method and x-original-uri must all be present,
//     the x-original-* equal to their x-forwarded-* twins; envoy mode: none of those may be sent;
//   - headers the client sent that ext-auth must never forward unless told to (`cookie`,
//     `x-client-secret`, `proxy-authorization`, the harness's `x-diff-id` / `x-request-id`) must
//     be absent, and no header name may repeat;
//   - a body endpoint's `content-length` (when sent) must be the body's length; other endpoints
//     must get no body.
// A request that passes is answered by its Authorization header:
//   none                    → 401 {"error":"missing credentials"}, www-authenticate, x-auth-reason: missing
//   `Bearer good-<user>[.<tag>]` → 200, x-user-id: <user>, x-auth-extra: granted,
//                              x-auth-internal: never-forward-me, and what it saw:
//                              x-auth-seen-method, x-auth-seen-path, x-auth-seen-headers (the sorted
//                              header names), x-auth-body-length / x-auth-body-sha256 (body endpoints)
//   `Bearer forbidden…`     → 403 text/plain "forbidden: insufficient scope", x-auth-reason: scope
//   `Bearer redirect…`      → 302, location: https://login.example.com/?rd=<the original uri>
//   `Bearer accepted…`      → 202 "accepted, not authorized" (a 2xx that is not a yes)
//   `Bearer crash…`         → 500 "auth backend exploded", x-auth-reason: crash
//   `Bearer unavailable…`   → 503 "try later", retry-after: 7
//   anything else           → 401 {"error":"invalid token"}, www-authenticate (error="invalid_token"),
//                              x-auth-reason: invalid-token, x-auth-debug: internal-detail
// Every request is recorded in `calls` (with the status it got).
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface ExtAuthCall {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
  status: number;
  /** Why the mock refused the request as malformed ("" when it was well formed). */
  error: string;
}

const FORWARD_HEADERS = ["x-forwarded-proto", "x-forwarded-method", "x-forwarded-host", "x-forwarded-uri", "x-original-method", "x-original-uri"];
const NEVER = ["cookie", "x-client-secret", "proxy-authorization", "x-diff-id", "x-request-id"];
/**
 * Names left out of x-auth-seen-headers: framing, which depends on the transport, and what Envoy's
 * async HTTP client adds to every callout by itself (not the plugin's doing).
 */
const NOT_LISTED = new Set(["content-length", "transfer-encoding", "connection", "x-envoy-expected-rq-timeout-ms", "x-envoy-internal"]);
export const MOCK_REALM = 'Bearer realm="ext-auth-mock"';

class Malformed extends Error {
  constructor(public status: number, message: string) { super(message); }
}

interface Endpoint { mode: "envoy" | "forward_auth"; body: boolean; method?: string }

function endpointOf(path: string): Endpoint | null {
  const p = path.split("?")[0];
  if (p === "/envoy-auth" || p.startsWith("/envoy-auth/")) return { mode: "envoy", body: false };
  if (p === "/envoy-auth-body" || p.startsWith("/envoy-auth-body/")) return { mode: "envoy", body: true };
  if (p === "/forward-auth") return { mode: "forward_auth", body: false, method: "GET" };
  if (p === "/forward-auth-body") return { mode: "forward_auth", body: true, method: "POST" };
  return null;
}

export class ExtAuthMock {
  readonly calls: ExtAuthCall[] = [];
  port = 0;
  private server: Server;

  private constructor(readonly hosts: string[]) {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c) => chunks.push(c));
      req.on("end", () => this.answer(req, Buffer.concat(chunks), res));
    });
  }

  /** `hosts`: the Host values a correctly addressed request carries. */
  static async start(hosts: string[]): Promise<ExtAuthMock> {
    const m = new ExtAuthMock(hosts);
    await new Promise<void>((r) => m.server.listen(0, "127.0.0.1", r));
    m.port = (m.server.address() as AddressInfo).port;
    return m;
  }

  /** Calls that carried this Authorization value (oldest first). */
  callsWith(authorization: string): ExtAuthCall[] {
    return this.calls.filter((c) => c.headers.authorization === authorization);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  private check(req: IncomingMessage, body: Buffer): Endpoint {
    const names = req.rawHeaders.filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase());
    const dup = names.find((n, i) => names.indexOf(n) !== i);
    if (dup) throw new Malformed(400, `header ${dup} sent twice`);
    const host = req.headers.host ?? "";
    if (!this.hosts.includes(host)) throw new Malformed(400, `unexpected Host ${JSON.stringify(host)} (expected one of ${this.hosts.join(", ")})`);
    const ep = endpointOf(req.url ?? "");
    if (!ep) throw new Malformed(404, `no auth endpoint at ${req.url}`);
    for (const n of NEVER) if (req.headers[n] !== undefined) throw new Malformed(400, `the client's ${n} header must not reach the auth service`);
    if (ep.mode === "forward_auth") {
      if (req.method !== ep.method) throw new Malformed(400, `${req.url} takes ${ep.method}, got ${req.method}`);
      for (const h of FORWARD_HEADERS) if (!req.headers[h]) throw new Malformed(400, `forward auth needs ${h}`);
      if (!/^https?$/.test(String(req.headers["x-forwarded-proto"]))) throw new Malformed(400, `x-forwarded-proto ${req.headers["x-forwarded-proto"]}`);
      if (!String(req.headers["x-forwarded-uri"]).startsWith("/")) throw new Malformed(400, "x-forwarded-uri must be a path");
      if (req.headers["x-original-method"] !== req.headers["x-forwarded-method"]) throw new Malformed(400, "x-original-method differs from x-forwarded-method");
      if (req.headers["x-original-uri"] !== req.headers["x-forwarded-uri"]) throw new Malformed(400, "x-original-uri differs from x-forwarded-uri");
    } else {
      for (const h of FORWARD_HEADERS) if (req.headers[h] !== undefined) throw new Malformed(400, `envoy mode must not send ${h}`);
    }
    if (!ep.body && body.length > 0) throw new Malformed(400, `${req.url} takes no body, got ${body.length} bytes`);
    const cl = req.headers["content-length"];
    if (ep.body && cl !== undefined && Number(cl) !== body.length) throw new Malformed(400, `content-length ${cl} but ${body.length} bytes`);
    return ep;
  }

  private answer(req: IncomingMessage, body: Buffer, res: ServerResponse): void {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(", ") : v;
    const call: ExtAuthCall = { method: req.method ?? "", path: req.url ?? "", headers, body: body.toString("utf8"), status: 0, error: "" };
    this.calls.push(call);
    const send = (status: number, h: Record<string, string>, text: string) => {
      call.status = status;
      res.writeHead(status, h);
      res.end(text);
    };
    let ep: Endpoint;
    try {
      ep = this.check(req, body);
    } catch (e) {
      const m = e as Malformed;
      call.error = m.message;
      send(m.status ?? 400, { "content-type": "application/json", "x-mock-error": m.message.replace(/[^\x20-\x7e]/g, "?") }, JSON.stringify({ error: `mock: ${m.message}` }));
      return;
    }
    const auth = req.headers.authorization;
    if (auth === undefined) {
      send(401, { "content-type": "application/json", "www-authenticate": MOCK_REALM, "x-auth-reason": "missing" }, '{"error":"missing credentials"}');
      return;
    }
    const good = /^Bearer good-([a-z0-9]+)(\.[A-Za-z0-9-]+)?$/.exec(auth);
    if (good) {
      const seen = Object.keys(headers).filter((n) => !NOT_LISTED.has(n)).sort().join(",");
      const h: Record<string, string> = {
        "content-type": "text/plain",
        "x-user-id": good[1],
        "x-auth-extra": "granted",
        "x-auth-internal": "never-forward-me",
        "x-auth-seen-method": call.method,
        "x-auth-seen-path": call.path,
        "x-auth-seen-headers": seen,
      };
      if (ep.body) {
        h["x-auth-body-length"] = String(body.length);
        h["x-auth-body-sha256"] = createHash("sha256").update(body).digest("hex");
      }
      send(200, h, "ok");
      return;
    }
    const word = /^Bearer ([a-z]+)/.exec(auth)?.[1] ?? "";
    const original = ep.mode === "forward_auth" ? headers["x-forwarded-uri"] : call.path.replace(/^\/envoy-auth(-body)?/, "");
    switch (word) {
      case "forbidden":
        send(403, { "content-type": "text/plain", "x-auth-reason": "scope" }, "forbidden: insufficient scope");
        return;
      case "redirect":
        send(302, { location: `https://login.example.com/?rd=${encodeURIComponent(original)}`, "x-auth-reason": "login" }, "");
        return;
      case "accepted":
        send(202, { "content-type": "text/plain" }, "accepted, not authorized");
        return;
      case "crash":
        send(500, { "content-type": "text/plain", "x-auth-reason": "crash" }, "auth backend exploded");
        return;
      case "unavailable":
        send(503, { "content-type": "text/plain", "retry-after": "7" }, "try later");
        return;
      default:
        send(401, { "content-type": "application/json", "www-authenticate": `${MOCK_REALM}, error="invalid_token"`, "x-auth-reason": "invalid-token", "x-auth-debug": "internal-detail" }, '{"error":"invalid token"}');
    }
  }
}
