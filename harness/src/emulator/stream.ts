// One HTTP stream through the plugin, modelled on Envoy's filter manager with a single Wasm
// filter: what the filter returns decides what reaches the upstream (request) and the client
// (response). Body chunks follow Envoy's buffering: after a hook returns Pause
// (StopIterationAndBuffer) the next chunk is appended and the hook sees the whole buffer.
import { Action, DataStatus, HeadersStatus, TrailersStatus } from "./abi.js";
import { HeaderMap } from "./headers.js";
import { toBytePairs, type BytePair, type HeaderInput } from "./pairs.js";

export type HeadState = "none" | "stopped" | "stoppedAll" | "forwarded";

/** What left the filter in one direction: to the upstream (request) or to the client (response). */
export interface Sent {
  headers: [string, string][] | null;
  rawHeaders: BytePair[] | null;
  body: Buffer;
  trailers: [string, string][] | null;
  /** Everything, end of stream included, went through. */
  complete: boolean;
}

export class Direction {
  headers: HeaderMap | null = null;
  headState: HeadState = "none";
  /** The sender has sent its last byte. */
  eos = false;
  /** The filter's body buffer (buffer type 0/1): the current chunk, or all chunks since a Pause. */
  buf: Buffer | null = null;
  buffering = false;
  /** Chunks the host holds while headers are stopped with StopAllIteration. */
  held: Buffer[] = [];
  trailers: HeaderMap | null = null;
  /**
   * The headers callback returned Continue: Envoy's wasm Context forgets the header map then
   * (decodeHeaders/encodeHeaders null it), so later callbacks of this direction cannot read or
   * change the headers — until the access-log phase, which gets them again. Paused and resumed
   * headers stay reachable (continueStream keeps the map).
   */
  headersReleased = false;
  trailersState: "none" | "stopped" | "forwarded" = "none";
  out: { headers: HeaderMap | null; body: Buffer[]; trailers: HeaderMap | null; complete: boolean } = { headers: null, body: [], trailers: null, complete: false };

  sent(): Sent {
    return {
      headers: this.out.headers ? this.out.headers.toStrings() : null,
      rawHeaders: this.out.headers ? this.out.headers.pairs : null,
      body: Buffer.concat(this.out.body),
      trailers: this.out.trailers ? this.out.trailers.toStrings() : null,
      complete: this.out.complete,
    };
  }
}

export interface LocalResponse {
  status: number;
  body: Buffer;
  headers: [string, string][];
  details: string;
  grpcStatus: number;
}

export interface LogEntry {
  level: number;
  levelName: string;
  message: string;
  contextId: number;
}

export interface StreamOptions {
  /** Route name the host reports (route_name, xds.route_name); set by the emulator's routes when not given. */
  route?: string;
  /** Upstream cluster name (cluster_name, xds.cluster_name). */
  cluster?: string;
  /** Per-stream properties (dotted paths). */
  properties?: Record<string, string | Uint8Array | number | bigint | boolean>;
  sourceAddress?: string;
  /**
   * The downstream connection is TLS (Envoy's listener with a DownstreamTlsContext): `sni` is the
   * server name the client sent (connection.requested_server_name), `http2` the protocol it
   * negotiated by ALPN (request.protocol "HTTP/2"). The request's :scheme and X-Forwarded-Proto
   * become https.
   */
  tls?: { sni?: string; http2?: boolean };
}

/** What a stream needs from the host running the plugin (the Emulator implements it). */
export interface StreamHost {
  readonly rootContextId: number;
  /** The VM trapped: every later callback is refused. */
  readonly failed: boolean;
  readonly failOpen: boolean;
  /** Envoy's allow_on_headers_stop_iteration (always on for Higress). */
  readonly stopIterationKept: boolean;
  vmCall(name: string, contextId: number, ...args: number[]): number | undefined;
  drainAfterActions(): void;
  routeResolved(s: HttpStream): boolean;
  resolveRoute(s: HttpStream): void;
  onUpstreamRequest(s: HttpStream): void;
  forgetStream(s: HttpStream): void;
}

export class HttpStream {
  readonly req = new Direction();
  readonly resp = new Direction();
  created = false;
  /** on_done/on_log/on_delete ran or the stream was reset. */
  finished = false;
  /** The stream was reset (close_stream, or a local reply after the response started). */
  reset = false;
  localResponse: LocalResponse | null = null;
  pendingLocalReply: LocalResponse | null = null;
  /** Properties the plugin set on this stream (filter state), by dotted path. */
  readonly properties = new Map<string, Buffer>();
  readonly logs: LogEntry[] = [];
  /** Data injected with proxy_inject_encoded_data_to_filter_chain (Higress). */
  readonly injected: { data: Buffer; endStream: boolean }[] = [];
  upstreamOverrideHost: string | null = null;
  /** The filter asked for this with continue_stream / close_stream (after the hook returns). */
  private deferred: (() => void)[] = [];
  route: string | undefined;
  cluster: string | undefined;
  failedByTrap = false;

  constructor(readonly emu: StreamHost, readonly id: number, readonly options: StreamOptions = {}) {
    this.route = options.route;
    this.cluster = options.cluster;
    for (const [k, v] of Object.entries(options.properties ?? {})) this.properties.set(k, propertyBytes(v));
  }

  // ---------------------------------------------------------------- driving the stream

  sendRequestHeaders(headers: HeaderInput, endOfStream = false): number {
    const d = this.req;
    d.headers = new HeaderMap(toBytePairs(headers));
    d.eos = endOfStream;
    if (!this.start()) return HeadersStatus.Continue;
    if (!this.emu.routeResolved(this)) this.emu.resolveRoute(this);
    d.headersReleased = false;
    const r = this.call("proxy_on_request_headers", d.headers.size, endOfStream ? 1 : 0);
    if (r === undefined) return this.afterTrap();
    d.headersReleased = r === HeadersStatus.Continue;
    this.afterHeaders(d, r, "request");
    return r;
  }

  sendRequestBody(chunk: string | Uint8Array, endOfStream = false): number {
    return this.sendData(this.req, "request", toBuffer(chunk), endOfStream);
  }

  sendRequestTrailers(trailers: HeaderInput): number {
    return this.sendTrailers(this.req, "request", trailers);
  }

  sendResponseHeaders(headers: HeaderInput, endOfStream = false): number {
    if (this.finished || this.localResponse || this.reset) return HeadersStatus.Continue;
    const d = this.resp;
    d.headers = new HeaderMap(toBytePairs(headers));
    d.eos = endOfStream;
    if (this.emu.failed) return this.afterTrap();
    d.headersReleased = false;
    const r = this.call("proxy_on_response_headers", d.headers.size, endOfStream ? 1 : 0);
    if (r === undefined) return this.afterTrap();
    d.headersReleased = r === HeadersStatus.Continue;
    this.afterHeaders(d, r, "response");
    return r;
  }

  sendResponseBody(chunk: string | Uint8Array, endOfStream = false): number {
    return this.sendData(this.resp, "response", toBuffer(chunk), endOfStream);
  }

  sendResponseTrailers(trailers: HeaderInput): number {
    return this.sendTrailers(this.resp, "response", trailers);
  }

  /** Ends the stream as Envoy does: on_done, on_log, on_delete. Pending callouts are cancelled. */
  complete(): void {
    if (this.finished) return;
    this.finished = true;
    if (this.created && !this.emu.failed) {
      this.emu.vmCall("proxy_on_done", this.id, this.id);
      this.emu.vmCall("proxy_on_log", this.id, this.id);
      this.emu.vmCall("proxy_on_delete", this.id, this.id);
      this.emu.drainAfterActions();
    }
    this.emu.forgetStream(this);
  }

  // ---------------------------------------------------------------- what happened

  /** What the upstream received (null headers: nothing was forwarded). */
  get upstream(): Sent {
    return this.req.sent();
  }

  /** What the client received. A local response counts as the response. */
  get downstream(): Sent {
    return this.resp.sent();
  }

  /** Final status the client saw (0 for a reset stream or no response yet). */
  get status(): number {
    if (this.reset) return 0;
    const s = this.resp.out.headers?.get(":status");
    return s ? Number(s.toString()) : 0;
  }

  /** The request is paused: something is still held by the filter. */
  get requestPaused(): boolean {
    const d = this.req;
    return !this.localResponse && !this.reset && d.headState !== "none" && !d.out.complete && (d.headState !== "forwarded" || d.buffering || d.trailersState === "stopped" || d.held.length > 0);
  }

  get responsePaused(): boolean {
    const d = this.resp;
    return !this.reset && d.headState !== "none" && !d.out.complete && (d.headState !== "forwarded" || d.buffering || d.trailersState === "stopped" || d.held.length > 0);
  }

  // ---------------------------------------------------------------- internals

  private start(): boolean {
    if (this.finished) return false;
    if (this.emu.failed) {
      this.afterTrap();
      return false;
    }
    if (!this.created) {
      this.created = true;
      this.emu.vmCall("proxy_on_context_create", this.id, this.id, this.emu.rootContextId);
      if (this.emu.failed) {
        this.afterTrap();
        return false;
      }
    }
    return true;
  }

  private call(name: string, ...args: number[]): number | undefined {
    const r = this.emu.vmCall(name, this.id, this.id, ...args);
    return r === undefined ? undefined : r >>> 0;
  }

  /** After a hook returned: a local reply wins, then the return value, then continue/close calls. */
  private settleAfterHook(apply: () => void): void {
    if (this.pendingLocalReply) {
      const lr = this.pendingLocalReply;
      this.pendingLocalReply = null;
      this.applyLocalReply(lr);
    } else {
      apply();
    }
    this.runDeferred();
    this.emu.drainAfterActions();
  }

  /** Runs what the plugin asked for during a host callback (callout response, tick, …). */
  afterForeignCallback(): void {
    this.settleAfterHook(() => {});
  }

  private afterHeaders(d: Direction, r: number, dir: "request" | "response"): void {
    this.settleAfterHook(() => {
      if (r === HeadersStatus.Continue || r === HeadersStatus.ContinueAndEndStream) {
        this.forwardHeaders(d, dir);
      } else if (r === HeadersStatus.StopIteration && this.emu.stopIterationKept) {
        d.headState = "stopped";
      } else {
        d.headState = "stoppedAll";
      }
      this.checkComplete(d, dir);
    });
  }

  private sendData(d: Direction, dir: "request" | "response", chunk: Buffer, eos: boolean): number {
    if (this.finished || this.reset || (dir === "request" && this.localResponse) || (dir === "response" && this.localResponse && !this.inLocalReply)) return DataStatus.Continue;
    d.eos = eos;
    if (this.emu.failed) {
      d.held.push(chunk);
      return this.afterTrap();
    }
    if (d.headState === "stoppedAll") {
      d.held.push(chunk);
      return DataStatus.StopIterationAndBuffer;
    }
    return this.deliverData(d, dir, chunk, eos);
  }

  private deliverData(d: Direction, dir: "request" | "response", chunk: Buffer, eos: boolean): number {
    d.buf = d.buffering && d.buf ? Buffer.concat([d.buf, chunk]) : chunk;
    // Trailers may be added from the last body callback (Envoy creates the map on demand).
    const makeTrailers = eos && !d.trailers;
    if (makeTrailers) d.trailers = new HeaderMap();
    const r = this.call(dir === "request" ? "proxy_on_request_body" : "proxy_on_response_body", d.buf.length, eos ? 1 : 0);
    if (r === undefined) return this.afterTrap();
    this.settleAfterHook(() => {
      if (r === DataStatus.Continue) {
        const data = d.buf ?? Buffer.alloc(0);
        d.buf = null;
        d.buffering = false;
        this.forwardHeaders(d, dir);
        d.out.body.push(data);
      } else if (r === DataStatus.StopIterationAndBuffer || r === DataStatus.StopIterationAndWatermark) {
        d.buffering = true;
        if (d.headState === "forwarded" && !eos) {
          /* the data waits in the buffer */
        }
      } else {
        d.buf = null;
        d.buffering = false;
      }
      if (makeTrailers && d.trailers && d.trailers.size > 0 && d.trailersState === "none") {
        // Trailers added by the filter go out once the body does.
        if (!d.buffering) {
          d.trailersState = "forwarded";
          d.out.trailers = d.trailers.clone();
        }
      } else if (makeTrailers && d.trailers && d.trailers.size === 0) {
        d.trailers = null;
      }
      this.checkComplete(d, dir);
    });
    return r;
  }

  private sendTrailers(d: Direction, dir: "request" | "response", trailers: HeaderInput): number {
    if (this.finished || this.reset || this.localResponse) return TrailersStatus.Continue;
    d.trailers = new HeaderMap(toBytePairs(trailers));
    d.eos = true;
    if (this.emu.failed) return this.afterTrap();
    if (d.headState === "stoppedAll") {
      d.trailersState = "stopped";
      return TrailersStatus.StopIteration;
    }
    const r = this.call(dir === "request" ? "proxy_on_request_trailers" : "proxy_on_response_trailers", d.trailers.size);
    if (r === undefined) return this.afterTrap();
    this.settleAfterHook(() => {
      if (r === TrailersStatus.Continue) {
        this.forwardHeaders(d, dir);
        if (d.buffering && d.buf) {
          d.out.body.push(d.buf);
          d.buf = null;
          d.buffering = false;
        }
        d.trailersState = "forwarded";
        d.out.trailers = d.trailers!.clone();
      } else {
        d.trailersState = "stopped";
      }
      this.checkComplete(d, dir);
    });
    return r;
  }

  private forwardHeaders(d: Direction, _dir: "request" | "response"): void {
    if (d.headState === "forwarded") return;
    d.headState = "forwarded";
    d.out.headers = d.headers ? d.headers.clone() : new HeaderMap();
  }

  private checkComplete(d: Direction, dir: "request" | "response"): void {
    if (d.out.complete || d.headState !== "forwarded" || !d.eos || d.buffering || d.held.length > 0) return;
    if (d.trailers && d.trailersState !== "forwarded") return;
    d.out.complete = true;
    if (dir === "request") this.emu.onUpstreamRequest(this);
  }

  /** proxy_continue_stream (deferred until the hook returns, like Envoy). */
  requestContinue(dir: "request" | "response"): void {
    this.deferred.push(() => this.resume(dir));
  }

  /** proxy_close_stream: Envoy resets the stream. */
  requestClose(): void {
    this.deferred.push(() => {
      this.reset = true;
    });
  }

  private runDeferred(): void {
    while (this.deferred.length) {
      const f = this.deferred.shift()!;
      if (this.finished) continue;
      f();
    }
  }

  private resume(dir: "request" | "response"): void {
    if (this.reset || this.localResponse) return;
    const d = dir === "request" ? this.req : this.resp;
    if (d.headState === "none" || d.out.complete) return;
    const wasStoppedAll = d.headState === "stoppedAll";
    this.forwardHeaders(d, dir);
    if (wasStoppedAll && d.held.length > 0) {
      // The filter stopped all iteration, so it has not seen the held data yet.
      const data = Buffer.concat(d.held);
      d.held = [];
      const lastData = d.trailers ? false : d.eos;
      this.deliverData(d, dir, data, lastData);
      if (this.localResponse || this.reset) return;
    } else if (d.buffering) {
      d.out.body.push(d.buf ?? Buffer.alloc(0));
      d.buf = null;
      d.buffering = false;
    }
    if (d.trailersState === "stopped" && d.trailers) {
      d.trailersState = "forwarded";
      d.out.trailers = d.trailers.clone();
    }
    this.checkComplete(d, dir);
  }

  private inLocalReply = false;

  /** Envoy's sendLocalReply: headers + body go through the encoder path (the filter's response hooks). */
  private applyLocalReply(lr: LocalResponse): void {
    if (this.localResponse || this.reset) return;
    if (this.resp.headState === "forwarded") {
      // The client already has response headers: Envoy can only reset the stream.
      this.reset = true;
      return;
    }
    this.localResponse = lr;
    const headers = new HeaderMap([[Buffer.from(":status"), Buffer.from(String(lr.status))]]);
    for (const [k, v] of lr.headers) headers.add(Buffer.from(k), Buffer.from(v));
    if (lr.body.length > 0) {
      headers.replace(Buffer.from("content-length"), Buffer.from(String(lr.body.length)));
      if (!headers.get("content-type")) headers.add(Buffer.from("content-type"), Buffer.from("text/plain"));
    }
    if (lr.grpcStatus >= GRPC_OK && lr.grpcStatus <= GRPC_UNAUTHENTICATED && isGrpc(this.req.headers)) headers.add(Buffer.from("grpc-status"), Buffer.from(String(lr.grpcStatus)));
    const d = this.resp;
    d.headers = headers;
    d.buf = null;
    d.buffering = false;
    d.held = [];
    d.trailers = null;
    d.eos = lr.body.length === 0;
    this.inLocalReply = true;
    d.headersReleased = false;
    const r = this.emu.failed ? HeadersStatus.Continue : this.call("proxy_on_response_headers", headers.size, d.eos ? 1 : 0);
    d.headersReleased = r === HeadersStatus.Continue;
    this.forwardHeaders(d, "response");
    if (r !== undefined && lr.body.length > 0 && !this.emu.failed) {
      d.eos = true;
      d.buf = lr.body;
      const rb = this.call("proxy_on_response_body", lr.body.length, 1);
      d.out.body.push(rb === undefined ? lr.body : d.buf ?? Buffer.alloc(0));
      d.buf = null;
    } else {
      d.out.body.push(lr.body);
    }
    this.inLocalReply = false;
    d.out.complete = true;
    this.pendingLocalReply = null;
  }

  /** The VM trapped (now or earlier): FAIL_CLOSED answers 503, FAIL_OPEN lets the stream pass. */
  private afterTrap(): number {
    this.failedByTrap = true;
    if (this.emu.failOpen) {
      for (const [d, dir] of [[this.req, "request"], [this.resp, "response"]] as const) {
        if (d.headState === "none" && !d.headers) continue;
        this.forwardHeaders(d, dir);
        if (d.buf) d.out.body.push(d.buf);
        d.buf = null;
        d.buffering = false;
        if (d.held.length) d.out.body.push(...d.held);
        d.held = [];
        if (d.trailers) d.out.trailers = d.trailers.clone();
        this.checkComplete(d, dir);
      }
      return Action.Continue;
    }
    if (!this.localResponse && !this.reset) {
      if (this.resp.headState === "forwarded") this.reset = true;
      else {
        this.localResponse = { status: 503, body: Buffer.alloc(0), headers: [], details: "wasm_fail_stream", grpcStatus: GRPC_UNAVAILABLE };
        const d = this.resp;
        d.headers = new HeaderMap([[Buffer.from(":status"), Buffer.from("503")]]);
        d.out.headers = d.headers.clone();
        d.headState = "forwarded";
        d.out.complete = true;
      }
    }
    return Action.Pause;
  }

  /** A local reply the plugin asked for; applied when the current hook returns. */
  queueLocalReply(lr: LocalResponse): void {
    if (this.inLocalReply || this.localResponse) return;
    this.pendingLocalReply = lr;
  }
}

// gRPC status codes: the valid range (a local reply outside it has no grpc-status) and UNAVAILABLE.
const GRPC_OK = 0, GRPC_UNAVAILABLE = 14, GRPC_UNAUTHENTICATED = 16;

function isGrpc(h: HeaderMap | null): boolean {
  const ct = h?.get("content-type")?.toString() ?? "";
  return ct.startsWith("application/grpc");
}

export function toBuffer(x: string | Uint8Array | undefined): Buffer {
  if (x === undefined) return Buffer.alloc(0);
  return typeof x === "string" ? Buffer.from(x, "utf8") : Buffer.from(x);
}

/** A property value in Envoy's binary form: strings raw, integers int64 LE, booleans one byte. */
export function propertyBytes(v: string | Uint8Array | number | bigint | boolean): Buffer {
  if (typeof v === "string") return Buffer.from(v, "utf8");
  if (typeof v === "boolean") return Buffer.from([v ? 1 : 0]);
  if (typeof v === "number" || typeof v === "bigint") {
    const b = Buffer.alloc(8);
    b.writeBigInt64LE(BigInt(v));
    return b;
  }
  return Buffer.from(v);
}
