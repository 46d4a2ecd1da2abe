// A recording upstream: answers every request with a JSON echo of what it received and keeps
// the requests for assertions. Special paths let tests pick the answer:
//   /status/<code>       → that status
//   /delay/<ms>          → answer after a delay
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export class RecordingUpstream {
  readonly requests: RecordedRequest[] = [];
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
        const send = () => {
          res.writeHead(status ? Number(status[1]) : 200, { "content-type": "application/json", ...headers, "x-upstream": "recording" });
          res.end(JSON.stringify(rec));
        };
        if (delay) setTimeout(send, Number(delay[1]));
        else send();
      });
    });
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
