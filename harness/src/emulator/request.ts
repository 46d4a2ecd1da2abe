// One request as Emulator.request() runs it: the request a test describes, the headers Envoy's
// HTTP/1 connection manager would hand the filter, and the result the test reads.
import { randomUUID } from "node:crypto";
import { networkInterfaces } from "node:os";
import { toBytePairs, type BytePair, type HeaderInput } from "./pairs.js";
import { DEFAULT_PEER } from "./properties.js";
import { toBuffer, type HttpStream, type LocalResponse, type LogEntry, type Sent, type StreamOptions } from "./stream.js";
import type { HostOptions } from "./types.js";

const enc = (s: string) => Buffer.from(s, "utf8");

export interface RequestSpec {
  method?: string;
  path?: string;
  /** Host header (becomes :authority). */
  authority?: string;
  headers?: HeaderInput;
  body?: string | Uint8Array;
  /** Split the body into this many chunks, or give the chunks. */
  chunks?: number | (string | Uint8Array)[];
  trailers?: HeaderInput;
  /** Take the headers as given (no :authority/:path/:method/x-request-id added). */
  raw?: boolean;
  /** The upstream's answer (default: the route's cluster, else a 200 JSON echo). */
  response?: UpstreamAnswer | ((upstream: Sent) => UpstreamAnswer | Promise<UpstreamAnswer>);
  stream?: StreamOptions;
}

export interface UpstreamAnswer {
  status?: number;
  headers?: HeaderInput;
  body?: string | Uint8Array;
  chunks?: number | (string | Uint8Array)[];
  trailers?: HeaderInput;
}

export interface RequestResult {
  status: number;
  headers: [string, string][];
  header(name: string): string | undefined;
  body: string;
  bodyBytes: Buffer;
  localResponse: LocalResponse | null;
  /** What the upstream got, or null when the request never reached it. */
  upstream: Sent | null;
  logs: LogEntry[];
  reset: boolean;
  stream: HttpStream;
}

export function splitBody(body: string | Uint8Array | undefined, chunks: number | (string | Uint8Array)[] | undefined): Buffer[] {
  if (Array.isArray(chunks)) return chunks.map((c) => toBuffer(c));
  if (body === undefined) return [];
  const buf = toBuffer(body);
  const n = Math.max(1, Math.min(chunks ?? 1, Math.max(1, buf.length)));
  if (n === 1) return [buf];
  const size = Math.ceil(buf.length / n);
  const out: Buffer[] = [];
  for (let off = 0; off < buf.length; off += size) out.push(buf.subarray(off, off + size));
  return out;
}

// Envoy keeps these request headers "inline": a repeated line is folded into the first with ",".
const INLINE_REQUEST_HEADERS = new Set([
  "x-client-trace-id", "x-envoy-downstream-service-cluster", "x-envoy-downstream-service-node", "x-envoy-external-address",
  "x-envoy-force-trace", "x-envoy-hedge-on-per-try-timeout", "x-envoy-internal", "x-envoy-ip-tags", "x-envoy-original-url",
  "x-envoy-retry-grpc-on", "x-envoy-retry-on", "x-envoy-upstream-alt-stat-name", "x-envoy-upstream-rq-per-try-timeout-ms",
  "x-envoy-upstream-rq-timeout-alt-response", "x-envoy-upstream-rq-timeout-ms", "x-envoy-is-timeout-retry", "expect",
  "x-forwarded-client-cert", "x-forwarded-for", "x-forwarded-host", "x-forwarded-proto", "grpc-timeout", "user-agent", "te",
  "connection", "content-type", "x-envoy-decorator-operation", "keep-alive", "proxy-connection", "proxy-status", "x-request-id",
  "transfer-encoding", "upgrade", "via", "content-length", "x-envoy-attempt-count",
  // Registered as inline by extensions linked into the official build (seen in Envoy 1.39).
  "authorization", "accept-encoding", "cache-control", "origin", "access-control-request-method", "access-control-request-headers",
  "accept", "referer", "content-encoding", "x-forwarded-port", "grpc-accept-encoding", "if-none-match", "if-modified-since",
  "if-match", "pragma", "x-envoy-original-path",
]);

// Hop-by-hop and sanitized headers the connection manager removes before filters run.
const STRIPPED_REQUEST_HEADERS = new Set(["connection", "keep-alive", "proxy-connection", "te", "x-forwarded-client-cert"]);

/** The request headers Envoy's HTTP/1 connection manager hands to filters. */
export function envoyRequestHeaders(spec: RequestSpec, chunks: Buffer[], o: HostOptions): BytePair[] {
  // The codec trims optional whitespace around values and folds repeated inline headers.
  const user: BytePair[] = [];
  for (const [k, v] of toBytePairs(spec.headers)) {
    const value = Buffer.from(v.toString("latin1").replace(/^[ \t]+|[ \t]+$/g, ""), "latin1");
    const name = k.toString("latin1");
    const prev = INLINE_REQUEST_HEADERS.has(name) ? user.find(([pk]) => pk.equals(k)) : undefined;
    if (prev) prev[1] = Buffer.concat([prev[1], enc(","), value]);
    else user.push([k, value]);
  }
  // Over a TLS listener Envoy's filters see https (the :scheme, and the X-Forwarded-Proto it sets).
  const proto = spec.stream?.tls ? "https" : "http";
  const hostPair = user.find(([k]) => k.toString() === "host" || k.toString() === ":authority");
  const authority = spec.authority ?? (hostPair ? hostPair[1].toString() : "example.com");
  const rest = user.filter(([k]) => !["host", ":authority", ":path", ":method", ":scheme"].includes(k.toString()) && !STRIPPED_REQUEST_HEADERS.has(k.toString()));
  const out: BytePair[] = [
    [enc(":authority"), enc(authority)],
    [enc(":path"), enc(spec.path ?? "/")],
    [enc(":method"), enc(spec.method ?? (chunks.length ? "POST" : "GET"))],
    [enc(":scheme"), enc(proto)],
    ...rest,
  ];
  const find = (n: string) => out.find(([k]) => k.toString() === n);
  if (chunks.length > 0 && !find("content-length") && !find("transfer-encoding")) {
    if (Array.isArray(spec.chunks) || (spec.chunks ?? 1) > 1) out.push([enc("transfer-encoding"), enc("chunked")]);
    else out.push([enc("content-length"), enc(String(chunks.reduce((a, b) => a + b.length, 0)))]);
  }
  let edge = false;
  if (o.useRemoteAddress) {
    // use_remote_address: the request is an edge request (Envoy 1.39 treats no address as
    // internal by default). Envoy appends the peer to X-Forwarded-For (its own local address when
    // the peer is loopback), records the peer in x-envoy-external-address, drops client x-envoy-*
    // headers, sets X-Forwarded-Proto itself and replaces a client's x-request-id.
    edge = true;
    const peer = (spec.stream?.sourceAddress ?? DEFAULT_PEER).replace(/:\d+$/, "");
    const appended = /^127\./.test(peer) || peer === "::1" ? localAddress() : peer;
    for (let i = out.length - 1; i >= 0; i--) if (out[i][0].toString().startsWith("x-envoy-")) out.splice(i, 1);
    const xff = find("x-forwarded-for");
    if (xff) xff[1] = Buffer.concat([xff[1], enc(","), enc(appended)]);
    else out.push([enc("x-forwarded-for"), enc(appended)]);
    const xfp = find("x-forwarded-proto");
    if (xfp) xfp[1] = enc(proto);
    else out.push([enc("x-forwarded-proto"), enc(proto)]);
    out.push([enc("x-envoy-external-address"), enc(peer)]);
    const rid = find("x-request-id");
    if (rid) rid[1] = enc(randomUUID());
  }
  if (!find("x-forwarded-proto")) out.push([enc("x-forwarded-proto"), enc(proto)]);
  if (!find("x-request-id")) out.push([enc("x-request-id"), enc(randomUUID())]);
  return out;
}

/** Envoy's notion of its own address: the first non-loopback IPv4 address of the machine. */
function localAddress(): string {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === "IPv4" && !a.internal) return a.address;
  }
  return "127.0.0.1";
}

export function resultOf(s: HttpStream): RequestResult {
  const down = s.downstream;
  const up = s.upstream;
  return {
    status: s.status,
    headers: (down.headers ?? []).filter(([k]) => k !== ":status"),
    header(name: string) {
      const k = name.toLowerCase();
      return down.headers?.find(([hk]) => hk === k)?.[1];
    },
    body: down.body.toString("utf8"),
    bodyBytes: down.body,
    localResponse: s.localResponse,
    upstream: up.complete ? up : null,
    logs: s.logs,
    reset: s.reset,
    stream: s,
  };
}
