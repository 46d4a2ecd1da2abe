// An HTTP/1.1 client that writes the request bytes itself over a TCP socket. Node's http client
// refuses (or re-encodes) header values with bytes that are not printable ASCII, so a test that
// must put \xff or an overlong UTF-8 sequence on the wire uses this instead.
import { connect } from "node:net";
import type { HttpResult } from "./client.js";

export interface RawHttpOptions {
  method?: string;
  /** Header pairs in order; a Buffer value is sent byte for byte. */
  headers?: [string, string | Buffer][];
  body?: string | Buffer;
  /** The request-target as it is (default: the URL's path and query, which URL parsing normalises: `/./a` becomes `/a`). */
  target?: string;
}

/** Sends one request on a fresh connection (`Connection: close`) and reads the whole answer. */
export function rawHttp(url: string, opts: RawHttpOptions = {}): Promise<HttpResult> {
  const u = new URL(url);
  const pairs = opts.headers ?? [];
  const head: Buffer[] = [Buffer.from(`${opts.method ?? (opts.body !== undefined ? "POST" : "GET")} ${opts.target ?? u.pathname + u.search} HTTP/1.1\r\n`, "latin1")];
  const line = (k: string, v: string | Buffer) => head.push(Buffer.from(`${k}: `, "latin1"), typeof v === "string" ? Buffer.from(v, "utf8") : v, Buffer.from("\r\n"));
  if (!pairs.some(([k]) => k.toLowerCase() === "host")) line("host", u.host);
  for (const [k, v] of pairs) line(k, v);
  const body = opts.body === undefined ? undefined : Buffer.from(opts.body);
  if (body !== undefined && !pairs.some(([k]) => k.toLowerCase() === "content-length")) line("content-length", String(body.length));
  line("connection", "close");
  head.push(Buffer.from("\r\n"));
  const request = Buffer.concat(body === undefined ? head : [...head, body]);

  return rawExchange(u.hostname.replace(/^\[(.*)\]$/, "$1"), Number(u.port), request);
}

/**
 * Writes `request` as it is on a fresh connection and parses the answer (the request must carry
 * `Connection: close`). No half-close: Envoy takes a client's FIN on HTTP/1 as the end of the
 * connection. For requests no client library builds, e.g. chunked bodies with trailers.
 */
export function rawExchange(host: string, port: number, request: Buffer): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    const chunks: Buffer[] = [];
    socket.on("connect", () => socket.write(request));
    socket.on("data", (c) => {
      chunks.push(c);
      // A response with a Content-Length is complete without the close: Envoy delays closing
      // after a local reply (delayed_close_timeout, 1 s) while it waits for the client to close.
      const got = Buffer.concat(chunks);
      if (hasWholeBody(got)) {
        socket.destroy();
        resolve(parseResponse(got));
      }
    });
    socket.on("error", reject);
    socket.on("close", () => {
      try {
        resolve(parseResponse(Buffer.concat(chunks)));
      } catch (e) {
        reject(e);
      }
    });
  });
}

/** An HTTP/1.1 chunked POST: `chunks` as chunks, then `trailers` after the last (0) chunk. */
export function chunkedRequest(path: string, host: string, chunks: string[], trailers: Record<string, string>): Buffer {
  let s = `POST ${path} HTTP/1.1\r\nHost: ${host}\r\nTransfer-Encoding: chunked\r\nTE: trailers\r\nConnection: close\r\n\r\n`;
  for (const c of chunks) s += `${Buffer.byteLength(c, "latin1").toString(16)}\r\n${c}\r\n`;
  s += "0\r\n";
  for (const [k, v] of Object.entries(trailers)) s += `${k}: ${v}\r\n`;
  s += "\r\n";
  return Buffer.from(s, "latin1");
}

function hasWholeBody(raw: Buffer): boolean {
  const end = raw.indexOf("\r\n\r\n");
  if (end < 0) return false;
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(raw.subarray(0, end).toString("latin1"));
  return length !== null && raw.length >= end + 4 + Number(length[1]);
}

function parseResponse(raw: Buffer): HttpResult {
  const end = raw.indexOf("\r\n\r\n");
  if (end < 0) throw new Error(`incomplete HTTP response (${raw.length} bytes)`);
  const lines = raw.subarray(0, end).toString("latin1").split("\r\n");
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0]);
  if (!status) throw new Error(`bad status line: ${lines[0]}`);
  const headers: Record<string, string | string[] | undefined> = {};
  for (const l of lines.slice(1)) {
    const colon = l.indexOf(":");
    const k = l.slice(0, colon).trim().toLowerCase();
    const v = l.slice(colon + 1).trim();
    const prev = headers[k];
    headers[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  let body = raw.subarray(end + 4);
  if (String(headers["transfer-encoding"] ?? "").toLowerCase() === "chunked") body = dechunk(body);
  else if (headers["content-length"] !== undefined) body = body.subarray(0, Number(headers["content-length"]));
  return { status: Number(status[1]), headers, body: body.toString("utf8") };
}

function dechunk(b: Buffer): Buffer {
  const out: Buffer[] = [];
  let pos = 0;
  for (;;) {
    const eol = b.indexOf("\r\n", pos);
    if (eol < 0) break;
    const size = parseInt(b.subarray(pos, eol).toString("latin1"), 16);
    if (!(size > 0)) break;
    out.push(b.subarray(eol + 2, eol + 2 + size));
    pos = eol + 2 + size + 2;
  }
  return Buffer.concat(out);
}
