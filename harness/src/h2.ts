// HTTP/2 without TLS (h2c, prior knowledge) on both sides of Envoy, for streams that end in
// trailers: a client that sends a body in chosen chunks and then trailers, and an echo upstream
// that can answer with trailers. (HTTP/1.1 chunked trailers: raw-http.ts.)
import http2 from "node:http2";
import type { AddressInfo } from "node:net";

export interface H2Result {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  trailers: Record<string, string> | null;
}

export interface H2RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  /** Body chunks, each sent as its own DATA frame write. */
  chunks?: (string | Uint8Array)[];
  trailers?: Record<string, string>;
}

function flat(h: http2.IncomingHttpHeaders | http2.IncomingHttpHeaders & http2.IncomingHttpStatusHeader): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(",") : String(v);
  return out;
}

/** One h2c request to `base` (http://127.0.0.1:port); resolves when the response ended. */
export function h2Request(base: string, path: string, opts: H2RequestOptions = {}): Promise<H2Result> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(base);
    session.on("error", reject);
    const chunks = opts.chunks ?? [];
    const hasTrailers = !!opts.trailers;
    const req = session.request(
      { ":method": opts.method ?? "POST", ":path": path, ...(opts.headers ?? {}) },
      { endStream: chunks.length === 0 && !hasTrailers, waitForTrailers: hasTrailers },
    );
    if (hasTrailers) req.on("wantTrailers", () => req.sendTrailers(opts.trailers!));
    let status = 0;
    let headers: Record<string, string> = {};
    let trailers: Record<string, string> | null = null;
    const body: Buffer[] = [];
    req.on("response", (h) => { status = Number(h[":status"]); headers = flat(h); });
    req.on("trailers", (t) => { trailers = flat(t); });
    req.on("data", (d: Buffer) => body.push(d));
    req.on("end", () => { session.close(); resolve({ status, headers, body: Buffer.concat(body), trailers }); });
    req.on("error", (e) => { session.destroy(); reject(e); });
    for (let i = 0; i < chunks.length; i++) req.write(chunks[i]);
    if (chunks.length > 0 || hasTrailers) req.end();
  });
}

export interface H2Seen {
  path: string;
  headers: Record<string, string>;
  body: string;
  trailers: Record<string, string> | null;
}

/**
 * An h2c upstream that answers with a JSON echo of the request (path, headers, body, trailers).
 * `/trailers…` paths answer in several DATA frames followed by response trailers.
 */
export class H2EchoUpstream {
  readonly requests: H2Seen[] = [];
  port = 0;
  private server: http2.Http2Server;

  private constructor() {
    this.server = http2.createServer();
    this.server.on("stream", (stream, headers) => {
      // Envoy resets an upstream stream when a plugin answers locally after the headers went on;
      // for an upstream that is an ordinary event, not an error of the test process.
      stream.on("error", () => {});
      const body: Buffer[] = [];
      let trailers: Record<string, string> | null = null;
      stream.on("trailers", (t) => { trailers = flat(t); });
      stream.on("data", (d: Buffer) => body.push(d));
      stream.on("end", () => {
        const seen: H2Seen = { path: String(headers[":path"]), headers: flat(headers), body: Buffer.concat(body).toString("latin1"), trailers };
        this.requests.push(seen);
        const answer = JSON.stringify(seen);
        const withTrailers = seen.headers["x-want-trailers"] !== undefined;
        stream.respond({ ":status": 200, "content-type": "application/json" }, { waitForTrailers: withTrailers });
        if (withTrailers) stream.on("wantTrailers", () => stream.sendTrailers({ "x-upstream-trailer": "done" }));
        if (withTrailers) {
          const third = Math.max(1, Math.floor(answer.length / 3));
          stream.write(answer.slice(0, third));
          stream.write(answer.slice(third, 2 * third));
          stream.end(answer.slice(2 * third));
        } else {
          stream.end(answer);
        }
      });
    });
  }

  static async start(): Promise<H2EchoUpstream> {
    const u = new H2EchoUpstream();
    await new Promise<void>((res) => u.server.listen(0, "127.0.0.1", res));
    u.port = (u.server.address() as AddressInfo).port;
    return u;
  }

  get last(): H2Seen | undefined {
    return this.requests[this.requests.length - 1];
  }

  async stop(): Promise<void> {
    await new Promise<void>((res) => this.server.close(() => res()));
  }
}
