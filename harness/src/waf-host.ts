// What the proxy in front does to a request before any WAF filter sees it, measured rather than
// assumed: a bare Envoy (no plugin) in front of an upstream that keeps each request's raw header
// lines. scripts/waf-report.ts sends a disagreeing corpus request through it and learns whether
// Envoy answered the request itself or which headers it dropped or joined; the request as Envoy
// forwarded it then goes to the oracle, and when the oracle answers that request the way the
// plugin answered the original, the whole disagreement is the host's.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Envoy } from "./envoy.js";
import { exchange } from "./waf-wire.js";

/** Headers Envoy adds on its way to the upstream (not the client's). */
const ADDED = new Set(["x-request-id", "x-forwarded-proto", "x-envoy-expected-rq-timeout-ms"]);
/** Framing and hop-by-hop headers: re-made by every proxy, not a change a WAF rule is shown. */
const FRAMING = new Set(["connection", "content-length", "transfer-encoding", "keep-alive"]);

export interface Forwarded {
  /** Envoy answered the request itself with this status (nothing reached the upstream). */
  answered?: number;
  /** The request as Envoy forwarded it (Envoy's own added headers left out). */
  request?: Buffer;
  /** What Envoy changed, in words ("dropped Referer", "joined 2 Content-Type headers into one"). */
  changes: string[];
}

/** Header lines of a raw HTTP/1 request: [name, value] in order. */
export function headerLines(bytes: Buffer): [string, string][] {
  const text = bytes.toString("latin1");
  const end = text.indexOf("\r\n\r\n");
  const head = end < 0 ? text : text.slice(0, end);
  return head.split("\r\n").slice(1).flatMap((l): [string, string][] => {
    const i = l.indexOf(":");
    return i > 0 ? [[l.slice(0, i), l.slice(i + 1).trim()]] : [];
  });
}

/** The differences between the header lines a client sent and those the upstream received. */
export function headerChanges(sent: [string, string][], received: [string, string][]): string[] {
  const byName = (hs: [string, string][]) => {
    const m = new Map<string, { name: string; values: string[] }>();
    for (const [k, v] of hs) {
      const key = k.toLowerCase();
      if (FRAMING.has(key) || ADDED.has(key)) continue;
      const e = m.get(key) ?? { name: k, values: [] };
      e.values.push(v);
      m.set(key, e);
    }
    return m;
  };
  const a = byName(sent), b = byName(received);
  const out: string[] = [];
  for (const [key, { name, values }] of a) {
    const got = b.get(key)?.values ?? [];
    if (got.length === 0) out.push(`dropped ${name}`);
    else if (values.length > 1 && got.length === 1) out.push(`joined ${values.length} ${name} headers into one ('${got[0]}')`);
    else if (values.join("\n") !== got.join("\n")) out.push(`changed ${name}`);
  }
  for (const [key, { name }] of b) if (!a.has(key)) out.push(`added ${name}`);
  return out;
}

/** A bare Envoy in front of a recording upstream, one request at a time. */
export class EnvoyMirror {
  private last: { method: string; url: string; raw: string[]; body: Buffer } | undefined;
  private constructor(private server: Server, private envoy: Envoy, readonly host: string, readonly port: number) {}

  static async start(): Promise<EnvoyMirror> {
    let mirror: EnvoyMirror | undefined;
    const server = createServer({ maxHeaderSize: 256 * 1024 }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c) => chunks.push(c));
      req.on("end", () => {
        if (mirror) mirror.last = { method: req.method ?? "", url: req.url ?? "", raw: req.rawHeaders, body: Buffer.concat(chunks) };
        res.writeHead(200, { "content-length": "0" });
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const upstreamPort = (server.address() as AddressInfo).port;
    const envoy = await Envoy.start({
      plugins: [],
      routes: [{ name: "default", prefix: "/", cluster: "backend" }],
      clusters: [{ name: "backend", port: upstreamPort }],
      bufferLimitBytes: 16 << 20,
    });
    const url = new URL(envoy.url);
    mirror = new EnvoyMirror(server, envoy, url.hostname, Number(url.port));
    return mirror;
  }

  /** Sends `bytes` through Envoy and reports what reached the upstream. */
  async through(bytes: Buffer): Promise<Forwarded> {
    this.last = undefined;
    const status = await exchange(this.host, this.port, bytes).then((r) => r.status, () => 0);
    const got = this.last as { method: string; url: string; raw: string[]; body: Buffer } | undefined;
    if (!got) return { answered: status, changes: [`Envoy answered ${status || "nothing"} itself`] };
    const received: [string, string][] = [];
    for (let i = 0; i + 1 < got.raw.length; i += 2) received.push([got.raw[i], got.raw[i + 1]]);
    const kept = received.filter(([k]) => !ADDED.has(k.toLowerCase()) && !FRAMING.has(k.toLowerCase()));
    const head = [`${got.method} ${got.url} HTTP/1.1`, ...kept.map(([k, v]) => `${k}: ${v}`)];
    if (got.body.length > 0) head.push(`Content-Length: ${got.body.length}`);
    head.push("Connection: close");
    const request = Buffer.concat([Buffer.from(head.join("\r\n") + "\r\n\r\n", "latin1"), got.body]);
    const line = bytes.toString("latin1").split("\r\n", 1)[0].split(" ");
    const lineChange = line[0] !== got.method || line[1] !== got.url ? [`changed the request line to '${got.method} ${got.url}'`] : [];
    return { request, changes: [...lineChange, ...headerChanges(headerLines(bytes), received)] };
  }

  async stop(): Promise<void> {
    await this.envoy.stop();
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
