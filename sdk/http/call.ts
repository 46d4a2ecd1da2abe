// HTTP callouts (Higress's HttpCall): dispatch now, answer later. The host refuses a call at once
// (unknown cluster, bad headers) with a Status; otherwise the handler gets exactly one
// HttpCallResponse, with the calling request made current again so it can resume or respond.
import { BufferType, MapType, Status } from "../abi/types";
import * as host from "../runtime/hostcalls";
import { dispatcher, CallKind, PendingCall } from "../runtime/dispatcher";
import { BytesPair, HeaderPair, encodeBytesPairs, writePair, MAX_PAIRS, MAX_PAIRS_BYTES } from "../runtime/pairs";
import { HeaderSnapshot } from "../api/headers";
import { Cluster } from "./cluster";

/** Higress's default callout timeout. */
export const DEFAULT_TIMEOUT_MS: u32 = 500;

/** Passed by `HttpCallResponse.of` and dropped at once (never handed out): no array per call. */
const NO_HEADERS = new Array<HeaderPair>(0);

export class HttpCallResponse {
  private decoded: Array<HeaderPair> | null;
  /** The host's header map as read, decoded on the first read of `headers` (a Redis call never reads them). */
  private snapshot: HeaderSnapshot | null = null;

  constructor(
    /** The upstream's status; 502 when no response arrived (timeout or reset), 500 when unreadable. */
    public status: u32,
    headers: Array<HeaderPair>,
    public body: ArrayBuffer,
    /** Why there is no real response ("timeout", "reset", …), "" when the upstream answered. */
    public reason: string,
  ) { this.decoded = headers; }

  /** A response whose headers stay in the host's encoding until read. */
  static of(status: u32, headers: HeaderSnapshot, body: ArrayBuffer, reason: string): HttpCallResponse {
    const r = new HttpCallResponse(status, NO_HEADERS, body, reason);
    r.decoded = null;
    r.snapshot = headers;
    return r;
  }

  /** Every response header (lower-case names, `:status` included), in the order received. */
  get headers(): Array<HeaderPair> {
    let h = this.decoded;
    if (h === null) {
      const s = this.snapshot!;
      h = new Array<HeaderPair>(s.count);
      for (let i = 0; i < s.count; i++) unchecked(h[i] = new HeaderPair(s.name(i), s.value(i)));
      this.decoded = h;
      this.snapshot = null;
    }
    return h;
  }
  set headers(h: Array<HeaderPair>) { this.decoded = h; this.snapshot = null; }

  /** The first value of a response header (names are lower-case), or null. */
  header(name: string): string | null {
    const s = this.snapshot;
    if (s !== null) return s.get(name);
    const lower = name.toLowerCase();
    const headers = this.headers;
    for (let i = 0; i < headers.length; i++) if (headers[i].name == lower) return headers[i].value;
    return null;
  }

  bodyText(): string { return String.UTF8.decode(this.body); }

  /** True when the upstream answered with 2xx. */
  get ok(): bool { return this.status >= 200 && this.status < 300; }
}

/** Receives the answer of one callout. A filter can implement it and pass `this`. */
export interface HttpCallHandler {
  onHttpCallResponse(response: HttpCallResponse): void;
}

class PendingHttpCall extends PendingCall {
  constructor(public handler: HttpCallHandler) { super(); }

  deliver(numHeaders: u32, bodySize: u32, numTrailers: u32): void {
    // The map stays encoded: :status is read where it lies, the rest only if a handler asks.
    const headers = new HeaderSnapshot(numHeaders > 0 ? host.getHeaderMapEncoded(MapType.HttpCallResponseHeaders) : new ArrayBuffer(0));
    let body: ArrayBuffer | null = null;
    if (bodySize > 0) body = host.getBuffer(BufferType.HttpCallResponseBody, 0, bodySize);
    let status: u32 = 502;
    let reason = "";
    const s = headers.getBytes(":status");
    if (s === null) {
      const st = host.getStatus();
      reason = st.message.length > 0 ? st.message : "no response (timeout or reset)";
    } else {
      status = parseStatus(s);
      if (status == 0) {
        status = 500;
        reason = "unreadable :status";
      }
    }
    this.handler.onHttpCallResponse(HttpCallResponse.of(status, headers, body === null ? new ArrayBuffer(0) : body, reason));
  }
}

/** Parses a 3-digit status; 0 when it is not one. */
function parseStatus(s: ArrayBuffer): u32 {
  if (s.byteLength != 3) return 0;
  const p = changetype<usize>(s);
  let n: u32 = 0;
  for (let i = 0; i < 3; i++) {
    const c = <u32>load<u8>(p + <usize>i);
    if (c < 48 || c > 57) return 0;
    n = n * 10 + (c - 48);
  }
  return n;
}

/** The :authority and :path of a callout URL ("http://host/p?q", "/p?q" or "p"). */
export class CalloutTarget {
  constructor(public authority: string, public path: string) {}
}

export function splitUrl(url: string, defaultAuthority: string): CalloutTarget {
  // A path alone ("/p?q", the usual callout, up to kilobytes for webdis): no scheme, no
  // authority; one scan for '#', and the string itself when it has a single leading slash.
  const n = url.length;
  if (n > 0 && url.charCodeAt(0) == 47 && (n == 1 || url.charCodeAt(1) != 47)) {
    const authority = defaultAuthority.length > 0 ? defaultAuthority : "unknownhost";
    for (let i = 1; i < n; i++) if (url.charCodeAt(i) == 35) return new CalloutTarget(authority, url.substring(0, i)); // '#'
    return new CalloutTarget(authority, url);
  }
  let rest = url;
  let authority = "";
  const scheme = rest.indexOf("://");
  if (scheme > 0 && rest.indexOf("/") > scheme) {
    rest = rest.substring(scheme + 3);
    let end = rest.length;
    for (let i = 0; i < rest.length; i++) {
      const c = rest.charCodeAt(i);
      if (c == 47 || c == 63 || c == 35) { end = i; break; } // '/', '?', '#'
    }
    authority = rest.substring(0, end);
    const at = authority.lastIndexOf("@");
    if (at >= 0) authority = authority.substring(at + 1);
    rest = rest.substring(end);
  }
  const hash = rest.indexOf("#");
  if (hash >= 0) rest = rest.substring(0, hash);
  // Higress: "/" + path without its leading slashes, plus the query.
  let start = 0;
  while (start < rest.length && rest.charCodeAt(start) == 47) start++;
  const path = "/" + rest.substring(start);
  if (authority.length == 0) authority = defaultAuthority.length > 0 ? defaultAuthority : "unknownhost";
  return new CalloutTarget(authority, path);
}

/** Why the last httpCall() was refused ("" after a dispatched call). */
export let lastHttpCallError: string = "";

/**
 * Sends an HTTP request to `cluster`. Returns Status.Ok when dispatched (the handler will be
 * called once), or the host's refusal (BadArgument for an unknown cluster) with no callback.
 * Caller-supplied :method/:path/:authority are replaced, as Higress does.
 */
export function httpCall(cluster: Cluster, method: string, url: string, headers: Array<HeaderPair>,
                         body: ArrayBuffer | null, timeoutMs: u32, handler: HttpCallHandler): Status {
  const name = cluster.clusterName();
  if (name.length == 0) {
    lastHttpCallError = "no cluster name (is the route's cluster known here?)";
    return Status.BadArgument;
  }
  const target = splitUrl(url, cluster.hostName());
  const extra = new Array<BytesPair>(headers.length);
  for (let i = 0; i < headers.length; i++) extra[i] = new BytesPair(String.UTF8.encode(headers[i].name), String.UTF8.encode(headers[i].value));
  return send(name, String.UTF8.encode(method), String.UTF8.encode(target.path), String.UTF8.encode(target.authority),
              extra, body === null ? new ArrayBuffer(0) : body, timeoutMs, handler);
}

const EMPTY_MAP = encodeBytesPairs(new Array<BytesPair>())!;
const METHOD = String.UTF8.encode(":method");
const PATH = String.UTF8.encode(":path");
const AUTHORITY = String.UTF8.encode(":authority");

/**
 * httpCall for a request whose path is already bytes (`/…`, no fragment: the Redis client's
 * webdis paths, kilobytes long) and whose headers are bytes: nothing is decoded or re-encoded.
 * The :authority is the cluster's host name, as httpCall gives a path-only URL.
 */
export function httpCallPath(cluster: Cluster, method: ArrayBuffer, path: ArrayBuffer, headers: Array<BytesPair>,
                             body: ArrayBuffer, timeoutMs: u32, handler: HttpCallHandler): Status {
  const name = cluster.clusterName();
  if (name.length == 0) {
    lastHttpCallError = "no cluster name (is the route's cluster known here?)";
    return Status.BadArgument;
  }
  const hostName = cluster.hostName();
  return send(name, method, path, String.UTF8.encode(hostName.length > 0 ? hostName : "unknownhost"), headers, body, timeoutMs, handler);
}

/** Name bytes equal to a lower-case ASCII pseudo-header name, any case. */
function isPseudo(name: ArrayBuffer, pseudo: ArrayBuffer): bool {
  const n = name.byteLength;
  if (n != pseudo.byteLength) return false;
  const a = changetype<usize>(name), b = changetype<usize>(pseudo);
  for (let i = 0; i < n; i++) {
    let c = <u32>load<u8>(a + <usize>i);
    if (c - 65 < 26) c |= 32;
    if (c != <u32>load<u8>(b + <usize>i)) return false;
  }
  return true;
}

/**
 * Both entry points: the caller's headers (its :method, :path and :authority dropped, as Higress
 * does) and the request's own, serialised once and sent.
 */
function send(name: string, method: ArrayBuffer, path: ArrayBuffer, authority: ArrayBuffer, headers: Array<BytesPair>,
              body: ArrayBuffer, timeoutMs: u32, handler: HttpCallHandler): Status {
  // The map's size first (the request's own three pairs included), then the map into the scratch buffer.
  let n = 3;
  let size: i64 = <i64>(METHOD.byteLength + method.byteLength + PATH.byteLength + path.byteLength + AUTHORITY.byteLength + authority.byteLength + 6);
  for (let i = 0, m = headers.length; i < m; i++) {
    const h = unchecked(headers[i]);
    if (isCallPseudo(h.name)) continue;
    n++;
    size += <i64>h.name.byteLength + <i64>h.value.byteLength + 2;
  }
  size += 4 + <i64>n * 8;
  if (n > MAX_PAIRS || size > <i64>MAX_PAIRS_BYTES) {
    lastHttpCallError = "http call to cluster '" + name + "' refused: " + statusName(Status.BadArgument);
    return Status.BadArgument;
  }
  if (mapScratch.byteLength < <i32>size) mapScratch = new ArrayBuffer(<i32>size);
  const base = changetype<usize>(mapScratch);
  store<u32>(base, <u32>n);
  let sizes = base + 4;
  let data = sizes + <usize>n * 8;
  for (let i = 0, m = headers.length; i < m; i++) {
    const h = unchecked(headers[i]);
    if (isCallPseudo(h.name)) continue;
    data = writePair(sizes, data, h.name, h.value);
    sizes += 8;
  }
  data = writePair(sizes, data, METHOD, method);
  data = writePair(sizes + 8, data, PATH, path);
  writePair(sizes + 16, data, AUTHORITY, authority);
  const token = host.httpCallEncodedAt(name, base, <usize>size, body, EMPTY_MAP, timeoutMs);
  if (mapScratch.byteLength > MAP_SCRATCH_KEEP) mapScratch = new ArrayBuffer(MAP_SCRATCH_INITIAL);
  return dispatched(name, token, handler);
}

/**
 * Callouts' header maps are written here, not into a buffer per call: the host copies the map
 * during proxy_http_call. It grows to the largest map sent and is let go past MAP_SCRATCH_KEEP.
 */
const MAP_SCRATCH_INITIAL: i32 = 2048;
const MAP_SCRATCH_KEEP: i32 = 16384;
let mapScratch = new ArrayBuffer(MAP_SCRATCH_INITIAL);

/** A caller's :method, :path or :authority (any case): dropped, the request's own go instead. */
function isCallPseudo(n: ArrayBuffer): bool {
  return isPseudo(n, METHOD) || isPseudo(n, PATH) || isPseudo(n, AUTHORITY);
}


/** After the host call: the refusal, or the handler registered for the answer. */
function dispatched(name: string, token: u32, handler: HttpCallHandler): Status {
  const st = host.lastCallStatus;
  if (st != Status.Ok) {
    lastHttpCallError = "http call to cluster '" + name + "' refused: " + statusName(st);
    return st;
  }
  lastHttpCallError = "";
  const pending = new PendingHttpCall(handler);
  pending.contextId = dispatcher.current;
  dispatcher.expect(CallKind.Http, token, pending);
  return Status.Ok;
}

/** A cluster with Higress's HttpClient verbs (default timeout 500 ms). */
export class HttpClient {
  constructor(public cluster: Cluster) {}
  get(url: string, headers: Array<HeaderPair>, handler: HttpCallHandler, timeoutMs: u32 = DEFAULT_TIMEOUT_MS): Status {
    return httpCall(this.cluster, "GET", url, headers, null, timeoutMs, handler);
  }
  post(url: string, headers: Array<HeaderPair>, body: ArrayBuffer | null, handler: HttpCallHandler, timeoutMs: u32 = DEFAULT_TIMEOUT_MS): Status {
    return httpCall(this.cluster, "POST", url, headers, body, timeoutMs, handler);
  }
  call(method: string, url: string, headers: Array<HeaderPair>, body: ArrayBuffer | null, handler: HttpCallHandler, timeoutMs: u32 = DEFAULT_TIMEOUT_MS): Status {
    return httpCall(this.cluster, method, url, headers, body, timeoutMs, handler);
  }
}

/** A readable name for a host Status (for error messages). */
export function statusName(st: Status): string {
  switch (st) {
    case Status.Ok: return "Ok";
    case Status.NotFound: return "NotFound";
    case Status.BadArgument: return "BadArgument";
    case Status.SerializationFailure: return "SerializationFailure";
    case Status.ParseFailure: return "ParseFailure";
    case Status.InvalidMemoryAccess: return "InvalidMemoryAccess";
    case Status.Empty: return "Empty";
    case Status.CasMismatch: return "CasMismatch";
    case Status.InternalFailure: return "InternalFailure";
    case Status.Unimplemented: return "Unimplemented";
  }
  return "Status(" + (<u32>st).toString() + ")";
}
