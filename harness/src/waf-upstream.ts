// The backend CRS's regression tests expect (coreruleset/albedo's documented behaviour): any path
// answers 200 with an empty body, and `POST /reflect` answers exactly as its JSON body says
// (`status`, `headers`, `body` or base64 `encodedBody`), which is how response-rule tests put a
// leak into a response. An empty body matters: an upstream that echoed requests would make the
// response rules (950–956) match the test's own payload.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

interface Reflect {
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  encodedBody?: string;
}

/**
 * albedo is a Go server: Go's net/http names an unlabelled body's type by sniffing it
 * (http.DetectContentType), and response rules only read bodies of the types in
 * SecResponseBodyMimeType, so the label matters. The text cases of the WHATWG sniffing table.
 */
function sniff(body: Buffer): string {
  const start = body.toString("latin1", 0, 512).replace(/^[\t\n\x0c\r ]+/, "");
  const html = /^<(?:!DOCTYPE HTML|HTML|HEAD|SCRIPT|IFRAME|H1|DIV|FONT|TABLE|A|STYLE|TITLE|B|BODY|BR|P|!--)[ >]/i;
  if (html.test(start)) return "text/html; charset=utf-8";
  if (start.startsWith("<?xml")) return "text/xml; charset=utf-8";
  if (start.startsWith("%PDF-")) return "application/pdf";
  const binary = [...body.subarray(0, 512)].some((b) => b <= 0x08 || b === 0x0b || (b >= 0x0e && b <= 0x1a) || (b >= 0x1c && b <= 0x1f));
  return binary ? "application/octet-stream" : "text/plain; charset=utf-8";
}

export class WafUpstream {
  port = 0;
  requests = 0;
  private constructor(private server: Server) {}

  static async start(): Promise<WafUpstream> {
    const server = createServer({ maxHeaderSize: 256 * 1024 }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c) => chunks.push(c));
      req.on("end", () => {
        up.requests++;
        const status = /^\/status\/(\d{3})\b/.exec(req.url ?? "");
        if (req.method === "POST" && (req.url ?? "").split("?")[0] === "/reflect") {
          let spec: Reflect;
          try {
            spec = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Reflect;
          } catch {
            res.writeHead(400, { "content-type": "text/plain" });
            res.end("reflect: body is not JSON");
            return;
          }
          const body = spec.encodedBody !== undefined ? Buffer.from(spec.encodedBody, "base64") : Buffer.from(spec.body ?? "", "utf8");
          const headers: Record<string, string> = { ...(spec.headers ?? {}) };
          if (body.length > 0 && !Object.keys(headers).some((k) => k.toLowerCase() === "content-type")) headers["content-type"] = sniff(body);
          res.writeHead(spec.status ?? 200, { ...headers, "content-length": String(body.length) });
          res.end(body);
          return;
        }
        res.writeHead(status ? Number(status[1]) : 200, { "content-length": "0" });
        res.end();
      });
    });
    const up = new WafUpstream(server);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    up.port = (server.address() as AddressInfo).port;
    return up;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
