// A client for Envoy's TLS listener (BootstrapSpec.downstreamTls): one request on a fresh
// connection with the given SNI (or none), over HTTP/2 or HTTP/1.1 as ALPN agrees. The :authority
// (Host) is chosen apart from the SNI, so a test can send one name in the handshake and another
// in the request — what sni-misdirect is about. The harness's certificate is self-signed: it is
// not verified here.
import { connect as h2connect, constants } from "node:http2";
import { request as httpsRequest } from "node:https";
import type { HttpResult } from "./client.js";

export interface TlsRequest {
  port: number;
  /** The server name sent in the TLS handshake; "" sends none. */
  sni: string;
  http2: boolean;
  method?: string;
  path: string;
  /** The :authority (HTTP/2) or Host (HTTP/1.1). */
  authority: string;
  headers?: [string, string][];
  body?: string;
}

export function tlsRequest(r: TlsRequest): Promise<HttpResult> {
  return r.http2 ? h2Request(r) : h1Request(r);
}

// Node sends no SNI for an IP address or an empty servername.
const tlsName = (sni: string) => (sni === "" ? "" : sni);

function h2Request(r: TlsRequest): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const session = h2connect(`https://127.0.0.1:${r.port}`, { servername: tlsName(r.sni), rejectUnauthorized: false, ALPNProtocols: ["h2"] });
    session.on("error", reject);
    const headers: Record<string, string | string[]> = {
      [constants.HTTP2_HEADER_METHOD]: r.method ?? (r.body !== undefined ? "POST" : "GET"),
      [constants.HTTP2_HEADER_PATH]: r.path,
      [constants.HTTP2_HEADER_SCHEME]: "https",
      [constants.HTTP2_HEADER_AUTHORITY]: r.authority,
    };
    for (const [k, v] of r.headers ?? []) {
      const name = k.toLowerCase();
      const prev = headers[name];
      headers[name] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
    }
    const req = session.request(headers, { endStream: r.body === undefined });
    let status = 0;
    const out: Record<string, string | string[] | undefined> = {};
    req.on("response", (h) => {
      status = Number(h[constants.HTTP2_HEADER_STATUS]);
      for (const [k, v] of Object.entries(h)) if (!k.startsWith(":")) out[k] = v as string | string[];
    });
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      session.close();
      resolve({ status, headers: out, body: Buffer.concat(chunks).toString("utf8") });
    });
    req.on("error", (e) => {
      session.destroy();
      reject(e);
    });
    if (r.body !== undefined) req.end(r.body);
  });
}

function h1Request(r: TlsRequest): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | string[]> = { host: r.authority, connection: "close" };
    for (const [k, v] of r.headers ?? []) headers[k.toLowerCase()] = v;
    const req = httpsRequest({ host: "127.0.0.1", port: r.port, method: r.method ?? (r.body !== undefined ? "POST" : "GET"), path: r.path, headers, servername: tlsName(r.sni), rejectUnauthorized: false, ALPNProtocols: ["http/1.1"], agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(r.body);
  });
}
