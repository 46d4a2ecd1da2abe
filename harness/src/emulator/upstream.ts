// Sends a request the plugin let through (or an HTTP callout) to a real server, the way Envoy's
// router would: pseudo-headers become the request line and Host, hop-by-hop headers are dropped.
import { request } from "node:http";
import type { HeaderMap } from "./headers.js";
import type { BytePair } from "./pairs.js";

const HOP = new Set(["connection", "keep-alive", "proxy-connection", "te", "upgrade", "transfer-encoding", "content-length"]);

/** Repeated names as arrays (sent as separate lines), so Node lets us drop its Connection header. */
function grouped(flat: string[]): Record<string, string | string[]> {
  const out: Record<string, string[]> = {};
  for (let i = 0; i < flat.length; i += 2) (out[flat[i]] ??= []).push(flat[i + 1]);
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.length === 1 ? v[0] : v]));
}

export type Exchange = { status: number; headers: BytePair[]; body: Buffer } | { error: "timeout" | "connect" | "terminated" | "invalid" };

/** Envoy's local answer when the upstream cannot be reached ("connect") or drops the connection before answering. */
export function resetAnswer(error: "connect" | "terminated"): string {
  return `upstream connect error or disconnect/reset before headers. reset reason: ${error === "terminated" ? "connection termination" : "connection failure"}`;
}

/**
 * `callout`: Envoy's async client (proxy_http_call) marks the request internal, announces its
 * timeout and sends content-length only with a body; otherwise the router forwards a request.
 */
export async function httpExchange(baseUrl: string, headers: HeaderMap, body: Buffer, timeoutMs: number, callout = false): Promise<Exchange> {
  // Node's agent keeps connections alive, and a server may close an idle one just as it is
  // reused (a plugin that worked long between two requests makes that likely): such a request
  // never reached the server, so it is sent once more on a new connection, as Envoy's pool does
  // for a connection closed before use.
  let r = await exchangeOnce(baseUrl, headers, body, timeoutMs, callout);
  if ("error" in r && r.error === "reset") r = await exchangeOnce(baseUrl, headers, body, timeoutMs, callout);
  return "error" in r && r.error === "reset" ? { error: "terminated" } : (r as Exchange);
}

function exchangeOnce(baseUrl: string, headers: HeaderMap, body: Buffer, timeoutMs: number, callout: boolean): Promise<Exchange | { error: "reset" }> {
  const base = new URL(baseUrl);
  const flat: string[] = [];
  const authority = headers.get(":authority")?.toString("latin1") ?? base.host;
  flat.push("host", authority);
  for (const [k, v] of headers.pairs) {
    const name = k.toString("latin1");
    if (name.startsWith(":") || HOP.has(name) || name === "host") continue;
    flat.push(name, v.toString("latin1"));
  }
  if (body.length > 0 || (!callout && headers.get("content-length"))) flat.push("content-length", String(body.length));
  if (callout) {
    flat.push("x-envoy-internal", "true");
    if (timeoutMs > 0) flat.push("x-envoy-expected-rq-timeout-ms", String(timeoutMs));
  }
  return new Promise((resolve) => {
    let settled = false;
    const done = (r: Exchange | { error: "reset" }) => {
      if (!settled) {
        settled = true;
        resolve(r);
      }
    };
    let req;
    try {
      req = request(
        {
          host: base.hostname,
          port: base.port,
          method: headers.get(":method")?.toString("latin1") ?? "GET",
          path: headers.get(":path")?.toString("latin1") ?? "/",
          headers: grouped(flat),
          setHost: false,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            const out: BytePair[] = [];
            for (let i = 0; i < res.rawHeaders.length; i += 2) {
              const k = res.rawHeaders[i].toLowerCase();
              if (k === "connection" || k === "keep-alive") continue;
              out.push([Buffer.from(k, "latin1"), Buffer.from(res.rawHeaders[i + 1], "latin1")]);
            }
            done({ status: res.statusCode ?? 502, headers: out, body: Buffer.concat(chunks) });
          });
          res.on("error", () => done({ error: "connect" }));
        },
      );
    } catch {
      return done({ error: "invalid" });
    }
    // Envoy sends no Connection header; keep Node from adding one.
    req.removeHeader("connection");
    if (timeoutMs > 0) req.setTimeout(timeoutMs, () => {
      req.destroy();
      done({ error: "timeout" });
    });
    // A reset on a reused connection is retried; on a fresh one the server took the connection and
    // dropped it (Envoy: "connection termination"); anything else never connected.
    req.on("error", (e: NodeJS.ErrnoException) => done(e.code === "ECONNRESET" ? (req.reusedSocket ? { error: "reset" } : { error: "terminated" }) : { error: "connect" }));
    if (body.length > 0) req.end(body);
    else req.end();
  });
}
