// One case table for the SDK's body pipeline (test/plugins/body-probe), run on a real Envoy and on
// the emulator for both targets. Each row is a stream that ends on a data frame or on trailers;
// what the probe's hooks saw comes back inside the body, so a skipped hook cannot go unnoticed.
import { crc32 } from "node:zlib";

/** body-probe configuration per route (Higress `_rules_`). */
export const probeRules = [
  { _match_route_: ["rb"], request: "buffer", pause_headers: true },
  { _match_route_: ["rbn"], request: "buffer", pause_headers: false },
  { _match_route_: ["rs"], request: "stream" },
  { _match_route_: ["pb"], response: "buffer" },
  { _match_route_: ["ps"], response: "stream" },
  { _match_route_: ["lim"], request: "buffer", pause_headers: true, request_limit: 1000, response: "buffer", response_limit: 100000 },
  { _match_route_: ["tq"], request: "stream", tail: "<tail>" },
  { _match_route_: ["tp", "tb"], response: "stream", tail: "<tail>" },
];
export const probeRoutes = ["rb", "rbn", "rs", "pb", "ps", "lim", "tq", "tp", "tb"];
/** Routes whose upstream answers with headers and trailers only (no data frame). */
export const bareRoutes = ["tb"];
/** What the probe's streaming hook adds after its end marker on the tq/tp/tb routes. */
export const TAIL = "<tail>";

export interface BodyCase {
  name: string;
  /** Route name; the request path is `/<route>`. */
  route: string;
  chunks: string[];
  /** Request trailers: the stream ends on them instead of the last data frame. */
  trailers?: Record<string, string>;
  /** Ask the upstream to end its answer with trailers. */
  responseTrailers?: boolean;
  status: number;
  /** What the upstream must receive as the request body (exact). */
  upstreamBody?: string;
  /** The client's body must carry the probe's buffered summary / streaming end marker. */
  clientSummary?: boolean;
  clientMarker?: boolean;
  /** Request headers the upstream must receive (set by the probe's hooks). */
  upstreamHeaders?: Record<string, string>;
  /** Request trailers the upstream / response trailers the client must receive. */
  upstreamTrailers?: Record<string, string>;
  clientTrailers?: Record<string, string>;
  /**
   * The bytes the streaming response hook returned at its last call (end marker + TAIL): "kept"
   * when the client's body must end with them, "dropped" when they must be nowhere in it.
   */
  clientTail?: "kept" | "dropped";
  /** The client's body must be empty (the upstream sent no data frame). */
  clientEmpty?: boolean;
  /**
   * The streaming hook's last call came at the trailers and returned bytes: the host refuses to
   * add them (proxy_set_buffer_bytes → BadArgument, status 2) and the SDK logs DROPPED_LINE.
   */
  droppedAtTrailers?: boolean;
}

export function summary(body: string): string {
  const b = Buffer.from(body, "latin1");
  return `len=${b.length};crc=${(crc32(b) >>> 0).toString(16)};${body}`;
}

const T = { "x-trailer": "t1" };
const big = "x".repeat(1500);

export const bodyCases: BodyCase[] = [
  { name: "buffered request, ends on data", route: "rb", chunks: ["hello ", "world"], status: 200, upstreamBody: summary("hello world"), upstreamHeaders: { "x-probe-request-body": "11" } },
  { name: "buffered request, ends on trailers: the hook sees the whole body", route: "rb", chunks: ["hello ", "world"], trailers: T, status: 200, upstreamBody: summary("hello world"), upstreamHeaders: { "x-probe-request-body": "11" } },
  // Envoy has no body buffer to replace when no data frame came: the hook runs, the body stays empty.
  { name: "buffered request, trailers and no data: the hook sees an empty body", route: "rb", chunks: [], trailers: T, status: 200, upstreamBody: "", upstreamHeaders: { "x-probe-request-body": "0" } },
  { name: "buffered request, ends on trailers: a blocked body is blocked", route: "rb", chunks: ["aaa BLO", "CK zzz"], trailers: T, status: 403 },
  { name: "buffered request, headers not paused, ends on trailers: a blocked body is blocked", route: "rbn", chunks: ["BLOCK"], trailers: T, status: 403 },
  { name: "buffered request, headers not paused, ends on data: blocked", route: "rbn", chunks: ["xx", "BLOCK"], status: 403 },
  { name: "streaming request, ends on data: the last chunk is marked", route: "rs", chunks: ["abc", "defg"], status: 200, upstreamBody: "abcdefg|seen=7|last" },
  { name: "streaming request, ends on trailers: the hook still gets its last call", route: "rs", chunks: ["abc", "defg"], trailers: T, status: 200, upstreamBody: "abcdefg", upstreamTrailers: { "x-probe-seen": "7|last" }, droppedAtTrailers: true },
  { name: "buffered response, ends on data", route: "pb", chunks: ["q"], status: 200, clientSummary: true },
  { name: "buffered response, ends on trailers: the hook sees the whole body", route: "pb", chunks: ["q"], responseTrailers: true, status: 200, clientSummary: true },
  { name: "streaming response, ends on data: the last chunk is marked", route: "ps", chunks: ["q"], status: 200, clientMarker: true },
  { name: "streaming response, ends on trailers: the hook still gets its last call", route: "ps", chunks: ["q"], responseTrailers: true, status: 200, clientTrailers: { "x-probe-seen": "*" }, droppedAtTrailers: true },
  { name: "body over the limit → 413, never read", route: "lim", chunks: [big], status: 413 },
  { name: "body over the limit, ends on trailers → 413", route: "lim", chunks: [big.slice(0, 700), big.slice(700)], trailers: T, status: 413 },
  { name: "body under the limit passes", route: "lim", chunks: ["small"], trailers: T, status: 200, upstreamBody: summary("small"), clientSummary: true },
  // Bytes a streaming hook returns at its last call: they go out when that call comes with the
  // last data frame; at the trailers Envoy has no body buffer for the filter (it passed every
  // chunk on), so proxy_set_buffer_bytes fails and the bytes are dropped — on h2c and HTTP/1.
  { name: "streaming request with a tail, ends on data: the tail goes out", route: "tq", chunks: ["abc", "defg"], status: 200, upstreamBody: `abcdefg|seen=7|last${TAIL}` },
  { name: "streaming request with a tail, ends on trailers: bytes added at the trailers are dropped", route: "tq", chunks: ["abc", "defg"], trailers: T, status: 200, upstreamBody: "abcdefg", upstreamTrailers: { "x-probe-seen": "7|last" }, droppedAtTrailers: true },
  { name: "streaming request with a tail, trailers and no data: bytes added at the trailers are dropped", route: "tq", chunks: [], trailers: T, status: 200, upstreamBody: "", upstreamTrailers: { "x-probe-seen": "0|last" }, droppedAtTrailers: true },
  { name: "streaming response with a tail, ends on data: the tail goes out", route: "tp", chunks: ["q"], status: 200, clientMarker: true, clientTail: "kept" },
  { name: "streaming response with a tail, ends on trailers: bytes added at the trailers are dropped", route: "tp", chunks: ["q"], responseTrailers: true, status: 200, clientTrailers: { "x-probe-seen": "*" }, clientTail: "dropped", droppedAtTrailers: true },
  { name: "streaming response with a tail, trailers and no data: bytes added at the trailers are dropped", route: "tb", chunks: ["q"], responseTrailers: true, status: 200, clientTrailers: { "x-probe-seen": "*" }, clientTail: "dropped", clientEmpty: true, droppedAtTrailers: true },
];

/** What one run of a row produced, on Envoy or the emulator. */
export interface Outcome {
  status: number;
  /** The request as the upstream received it (null: it never got there). */
  upstream: { body: string; headers: Record<string, string>; trailers: Record<string, string> | null } | null;
  client: { body: Buffer; trailers: Record<string, string> | null };
}

/** Everything wrong with an outcome (empty when the row holds). */
export function problems(c: BodyCase, o: Outcome): string[] {
  const out: string[] = [];
  if (o.status !== c.status) out.push(`status ${o.status}, expected ${c.status}`);
  if (c.status !== 200) {
    if (o.upstream !== null) out.push("a refused request reached the upstream");
    return out;
  }
  if (o.upstream === null) return [...out, "the request never reached the upstream"];
  if (c.upstreamBody !== undefined && o.upstream.body !== c.upstreamBody) out.push(`upstream body ${JSON.stringify(o.upstream.body.slice(0, 120))}, expected ${JSON.stringify(c.upstreamBody)}`);
  for (const [k, v] of Object.entries(c.upstreamHeaders ?? {})) if (o.upstream.headers[k] !== v) out.push(`upstream header ${k}=${o.upstream.headers[k]}, expected ${v}`);
  for (const [k, v] of Object.entries({ ...(c.trailers ?? {}), ...(c.upstreamTrailers ?? {}) })) if (o.upstream.trailers?.[k] !== v) out.push(`upstream trailer ${k}=${o.upstream.trailers?.[k]}, expected ${v}`);
  let s = o.client.body.toString("latin1");
  if (c.clientEmpty && s !== "") out.push(`client body ${JSON.stringify(s.slice(0, 80))}, expected none`);
  if (c.clientTail === "kept") {
    if (!s.endsWith(`|last${TAIL}`)) out.push(`client body ends ${JSON.stringify(s.slice(-40))}, expected the end marker and ${TAIL}`);
    else s = s.slice(0, -TAIL.length);
  }
  if (c.clientTail === "dropped" && (s.includes(TAIL) || s.includes("|last"))) out.push(`client body ${JSON.stringify(s.slice(-40))} carries bytes added at the trailers`);
  if (c.clientSummary) {
    const m = /^len=(\d+);crc=([0-9a-f]+);/.exec(s);
    if (!m) out.push(`no summary in ${JSON.stringify(s.slice(0, 80))}`);
    else {
      const rest = Buffer.from(s.slice(m[0].length), "latin1");
      if (Number(m[1]) !== rest.length) out.push(`summary says ${m[1]} bytes, ${rest.length} followed`);
      if ((crc32(rest) >>> 0).toString(16) !== m[2]) out.push("summary crc does not match the body");
    }
  }
  if (c.clientMarker) {
    const m = /\|seen=(\d+)\|last$/.exec(s);
    if (!m) out.push(`no end marker in ${JSON.stringify(s.slice(-80))}`);
    else if (Number(m[1]) !== s.length - m[0].length) out.push(`marker says ${m[1]} bytes, ${s.length - m[0].length} came`);
  }
  if (c.clientTrailers?.["x-probe-seen"] === "*") {
    const t = o.client.trailers?.["x-probe-seen"];
    if (t !== `${o.client.body.length}|last`) out.push(`client trailer x-probe-seen=${t}, expected ${o.client.body.length}|last`);
  }
  return out;
}

/** The SDK's warning when the host refused bytes a streaming hook added at the trailers. */
export const DROPPED_LINE = /could not add \d+ bytes at the end of the body \(status 2\)/;
