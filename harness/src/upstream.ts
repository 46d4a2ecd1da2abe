// A recording upstream: answers every request with a JSON echo of what it received and keeps
// the requests for assertions. Special paths let tests pick the answer:
//   /status/<code>       → that status
//   /delay/<ms>          → answer after a delay
// and a test may script the answer to one request, by the value of its x-diff-id header (`answer`).
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A scripted answer (e.g. an LLM's reply with token usage), sent in `chunks` writes when given. */
export interface UpstreamAnswer {
  status?: number;
  headers?: Record<string, string>;
  body: string;
  chunks?: number;
}

export class RecordingUpstream {
  readonly requests: RecordedRequest[] = [];
  /** Answers by x-diff-id; each is used for every request that carries its id. */
  readonly answers = new Map<string, UpstreamAnswer>();
  private server: Server;
  port = 0;

  /** `headers`: added to every answer (e.g. an upstream that sets its own CORS headers). */
  private constructor(headers: Record<string, string> = {}) {
    // Large headers (a 64 KB User-Agent from the hostile tests) are echoed, not refused with 431.
    this.server = createServer({ maxHeaderSize: 256 * 1024 }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c) => chunks.push(c));
      req.on("end", () => {
        const rec: RecordedRequest = { method: req.method ?? "", path: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString("utf8") };
        this.requests.push(rec);
        const status = /^\/status\/(\d{3})/.exec(rec.path);
        const delay = /^\/delay\/(\d+)/.exec(rec.path);
        const scripted = this.answers.get(String(req.headers["x-diff-id"] ?? ""));
        if (scripted) {
          res.writeHead(scripted.status ?? 200, { ...headers, ...scripted.headers });
          const n = Math.max(1, scripted.chunks ?? 1);
          const size = Math.ceil(scripted.body.length / n);
          for (let i = 0; i < scripted.body.length; i += size) res.write(scripted.body.slice(i, i + size));
          res.end();
          return;
        }
        const send = () => {
          res.writeHead(status ? Number(status[1]) : 200, { "content-type": "application/json", ...headers, "x-upstream": "recording" });
          res.end(JSON.stringify(rec));
        };
        if (delay) setTimeout(send, Number(delay[1]));
        else send();
      });
    });
    // Every header kept (Node keeps 1,000 by default): a callout may carry up to the map limit, 1,024.
    this.server.maxHeadersCount = 0;
  }

  static async start(headers?: Record<string, string>): Promise<RecordingUpstream> {
    const u = new RecordingUpstream(headers);
    await new Promise<void>((res) => u.server.listen(0, "127.0.0.1", res));
    u.port = (u.server.address() as AddressInfo).port;
    return u;
  }

  get last(): RecordedRequest | undefined {
    return this.requests[this.requests.length - 1];
  }

  clear(): void {
    this.requests.length = 0;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((res) => this.server.close(() => res()));
  }
}
