// What the proxy in front does to a request before any WAF sees it, measured rather than assumed:
// a bare Envoy (no plugin), or the oracle's nginx without ModSecurity, in front of an upstream that
// keeps each request's raw header lines. scripts/waf-report.ts sends a disagreeing request (corpus
// or CRS test) through each and learns whether the proxy answered it itself or which headers it
// dropped, changed or joined; the request as Envoy forwarded it then goes to the oracle (and the
// request as nginx forwarded it to the plugin), and when that WAF answers it the way the other
// answered the original, the whole disagreement is the host's.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Envoy } from "./envoy.js";
import { exchange } from "./waf-wire.js";
import { startBareNginx } from "./modsecurity.js";

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

/** A header value in a sentence: JSON-escaped (a bare CR shows as \r), at most 60 characters. */
const shown = (v: string) => JSON.stringify(v.length > 60 ? v.slice(0, 60) + "…" : v);

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
    else if (values.join("\n") !== got.join("\n")) out.push(`changed ${name} (${shown(values.join(", "))} → ${shown(got.join(", "))})`);
  }
  for (const [key, { name }] of b) if (!a.has(key)) out.push(`added ${name}`);
  // Connection is hop-by-hop (every proxy re-makes it, and the replay sends "close"), but a value
  // other than "close" is what 920210 reads: say when the proxy did not pass it on.
  const conn = (hs: [string, string][]) => hs.filter(([k]) => k.toLowerCase() === "connection").map(([, v]) => v);
  const sentConn = conn(sent);
  if (sentConn.some((v) => v.trim().toLowerCase() !== "close") && conn(received).join("\n") !== sentConn.join("\n")) {
    out.push(`dropped the hop-by-hop Connection header ('${sentConn.join(", ")}')`);
  }
  return out;
}

type Recorded = { method: string; url: string; version: string; raw: string[]; body: Buffer };

/**
 * A bare proxy (Envoy with no plugin, or the oracle's nginx without ModSecurity) in front of a
 * recording upstream, one request at a time: what that proxy answers itself, and the request as
 * it forwards it.
 */
export class ProxyMirror {
  private last: Recorded | undefined;
  private constructor(private server: Server, private stopProxy: () => Promise<void>, readonly name: string, readonly host: string, readonly port: number) {}

  private static async recorder(): Promise<{ server: Server; port: number; sink: { mirror?: ProxyMirror } }> {
    const sink: { mirror?: ProxyMirror } = {};
    const server = createServer({ maxHeaderSize: 256 * 1024 }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c) => chunks.push(c));
      req.on("end", () => {
        if (sink.mirror) sink.mirror.last = { method: req.method ?? "", url: req.url ?? "", version: `HTTP/${req.httpVersion}`, raw: req.rawHeaders, body: Buffer.concat(chunks) };
        res.writeHead(200, { "content-length": "0" });
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    return { server, port: (server.address() as AddressInfo).port, sink };
  }

  /**
   * Envoy as the waf plugin's harness starts it (waf-envoy.ts), without the plugin; `acceptHttp10`
   * as the WAF's Envoy has it (Envoy's default: off, HTTP/1.0 answered 426).
   */
  static async envoy(opts: { acceptHttp10?: boolean } = {}): Promise<ProxyMirror> {
    const { server, port, sink } = await ProxyMirror.recorder();
    const envoy = await Envoy.start({
      plugins: [],
      routes: [{ name: "default", prefix: "/", cluster: "backend" }],
      clusters: [{ name: "backend", port }],
      bufferLimitBytes: 16 << 20,
      acceptHttp10: opts.acceptHttp10,
    });
    const url = new URL(envoy.url);
    sink.mirror = new ProxyMirror(server, () => envoy.stop(), "Envoy", url.hostname, Number(url.port));
    return sink.mirror;
  }

  /** The oracle's nginx (modsecurity.ts) without the ModSecurity module. */
  static async nginx(): Promise<ProxyMirror> {
    const { server, port, sink } = await ProxyMirror.recorder();
    const nginx = await startBareNginx(port);
    sink.mirror = new ProxyMirror(server, () => nginx.stop(), "nginx", nginx.host, nginx.port);
    return sink.mirror;
  }

  /** Sends `bytes` through the proxy and reports what reached the upstream. */
  async through(bytes: Buffer): Promise<Forwarded> {
    this.last = undefined;
    const status = await exchange(this.host, this.port, bytes).then((r) => r.status, () => 0);
    const got = this.last as Recorded | undefined;
    if (!got) return { answered: status, changes: [`${this.name} answered ${status || "nothing"} itself`] };
    const received: [string, string][] = [];
    for (let i = 0; i + 1 < got.raw.length; i += 2) received.push([got.raw[i], got.raw[i + 1]]);
    const kept = received.filter(([k]) => !ADDED.has(k.toLowerCase()) && !FRAMING.has(k.toLowerCase()));
    const head = [`${got.method} ${got.url} HTTP/1.1`, ...kept.map(([k, v]) => `${k}: ${v}`)];
    // The body is re-framed with a Content-Length, kept at 0 when the proxy sent one (a POST's
    // "Content-Length: 0" is what 920180 looks for).
    if (got.body.length > 0 || received.some(([k]) => k.toLowerCase() === "content-length")) head.push(`Content-Length: ${got.body.length}`);
    head.push("Connection: close");
    const request = Buffer.concat([Buffer.from(head.join("\r\n") + "\r\n\r\n", "latin1"), got.body]);
    const line = bytes.toString("latin1").split("\r\n", 1)[0].split(" ");
    const lineChange = line[0] !== got.method || line[1] !== got.url ? [`changed the request line to '${got.method} ${got.url}'`] : [];
    // A version other than HTTP/1.0 or 1.1 that the proxy forwards is lost on the way (every proxy
    // speaks its own version upstream, so only an unusual one is worth a word).
    const version = line[2] ?? "";
    if (version !== "HTTP/1.0" && version !== "HTTP/1.1") lineChange.push(`forwarded a ${version ? `'${version}'` : "version-less"} request line (${got.version} upstream)`);
    return { request, changes: [...lineChange, ...headerChanges(headerLines(bytes), received)] };
  }

  async stop(): Promise<void> {
    await this.stopProxy();
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
