// The callouts a plugin made (proxy_http_call, proxy_grpc_call/stream) as a test sees them, and
// how a cluster answers them. The host that delivers the answers is an interface so this file
// depends on nothing above it.
import type { BytePair, HeaderInput } from "./pairs.js";

export interface HttpCallAnswer {
  status?: number;
  headers?: HeaderInput;
  body?: string | Uint8Array;
  trailers?: HeaderInput;
}

export type HttpResponder = (call: HttpCall) => HttpCallAnswer | Promise<HttpCallAnswer>;

/** Where a cluster leads: "http://host:port" (a real server), "redis://host:port", a function, or
 *  null/"manual" (the cluster exists; the test answers its callouts with host.pendingHttpCalls()). */
export type ClusterTarget = string | HttpResponder | null;

/** What a call needs from the host that runs the plugin (the Emulator). */
export interface CallHost {
  nowMs(): number;
  deliverHttpCall(call: HttpCall, answer: HttpCallAnswer | null): void;
  deliverGrpc(call: GrpcCall, message: Buffer | null, status: number): void;
}

export class HttpCall {
  answered = false;
  readonly sentAt: number;
  constructor(
    private readonly host: CallHost,
    readonly token: number,
    readonly contextId: number,
    readonly cluster: string,
    readonly rawHeaders: BytePair[],
    readonly body: Buffer,
    readonly rawTrailers: BytePair[],
    readonly timeoutMs: number,
  ) {
    this.sentAt = host.nowMs();
  }
  get headers(): [string, string][] {
    return this.rawHeaders.map(([k, v]) => [k.toString(), v.toString()]);
  }
  header(name: string): string | undefined {
    const k = name.toLowerCase();
    const p = this.rawHeaders.find(([hk]) => hk.toString() === k);
    return p ? p[1].toString() : undefined;
  }
  get bodyText(): string {
    return this.body.toString("utf8");
  }
  /** Answers the call (runs proxy_on_http_call_response now). */
  respond(answer: HttpCallAnswer): void {
    this.host.deliverHttpCall(this, answer);
  }
  /** What Envoy's async client reports when the timeout fires: a local 504. */
  timeout(): void {
    this.respond({ status: 504, headers: [["content-length", "24"], ["content-type", "text/plain"]], body: "upstream request timeout" });
  }
  /** The call failed without a response (stream reset): 0 headers, status BrokenConnection "reset". */
  reset(): void {
    this.host.deliverHttpCall(this, null);
  }
}

export class GrpcCall {
  constructor(readonly host: CallHost, readonly token: number, readonly contextId: number, readonly cluster: string, readonly service: string, readonly method: string, readonly message: Buffer) {}
  /** Sends one message then closes with a gRPC status. */
  respond(message: Uint8Array, status = 0): void {
    this.host.deliverGrpc(this, Buffer.from(message), status);
  }
  close(status: number): void {
    this.host.deliverGrpc(this, null, status);
  }
}
