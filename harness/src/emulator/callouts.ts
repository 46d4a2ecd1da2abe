// HTTP and gRPC callouts: the calls that start them, the calls a test (or a cluster's server or
// responder) answers, and proxy_get_status, which reports how the last one ended.
import { CalloutKind, Status } from "./abi.js";
import { GrpcCall, HttpCall, type CallHost, type HttpCallAnswer } from "./calls.js";
import { HeaderMap } from "./headers.js";
import { decodePairsStrict, toBytePairs } from "./pairs.js";
import { toBuffer } from "./stream.js";
import type { HostContext, HostFunctions } from "./types.js";
import { httpExchange, resetAnswer } from "./upstream.js";

const enc = (s: string) => Buffer.from(s, "utf8");

/** Callouts in flight, by token, and their delivery to the module. */
export class Callouts {
  readonly http = new Map<number, HttpCall>();
  readonly grpc = new Map<number, GrpcCall>();

  constructor(private readonly h: HostContext) {}

  deliverHttpCall(call: HttpCall, answer: HttpCallAnswer | null): void {
    const h = this.h;
    if (call.answered || !this.http.has(call.token)) return;
    call.answered = true;
    this.http.delete(call.token);
    const stream = h.stream(call.contextId);
    if (call.contextId !== h.rootContextId && (!stream || stream.finished)) return;
    if (h.failed) return;
    let nh = 0, nb = 0, nt = 0;
    if (answer) {
      const headers = new HeaderMap([[enc(":status"), enc(String(answer.status ?? 200))], ...toBytePairs(answer.headers)]);
      const body = toBuffer(answer.body);
      const trailers = new HeaderMap(toBytePairs(answer.trailers));
      h.data.callResponse = { headers, body, trailers };
      h.data.lastStatus = { code: Status.Ok, message: "" };
      nh = headers.size; nb = body.length; nt = trailers.size;
    } else {
      h.data.callResponse = null;
      h.data.lastStatus = { code: Status.BrokenConnection, message: "reset" };
    }
    h.vmCall("proxy_on_http_call_response", call.contextId, call.contextId, call.token, nh, nb, nt);
    h.data.callResponse = null;
    h.afterCallback(stream);
  }

  deliverGrpc(call: GrpcCall, message: Buffer | null, status: number): void {
    const h = this.h;
    if (!this.grpc.has(call.token) || h.failed) return;
    this.grpc.delete(call.token);
    const stream = h.stream(call.contextId);
    if (message) {
      h.data.grpcMessage = message;
      h.vmCall("proxy_on_grpc_receive", call.contextId, call.contextId, call.token, message.length);
      h.data.grpcMessage = null;
    }
    h.data.lastStatus = { code: status, message: "" };
    h.vmCall("proxy_on_grpc_close", call.contextId, call.contextId, call.token, status);
    h.afterCallback(stream);
  }

  /** A stream ended: its callouts will never be delivered. */
  forget(contextId: number): void {
    for (const [t, c] of this.http) if (c.contextId === contextId) this.http.delete(t);
    for (const [t, c] of this.grpc) if (c.contextId === contextId) this.grpc.delete(t);
  }
}

/** `callHost` is what HttpCall/GrpcCall answer through (the Emulator). */
export function calloutImports(h: HostContext, calls: Callouts, callHost: CallHost): HostFunctions {
  return {
    proxy_get_status(codePtr: number, msgPtr: number, msgSize: number) {
      if (!h.mem.writeU32(codePtr, h.data.lastStatus.code)) return Status.InvalidMemoryAccess;
      return h.mem.copyOut(enc(h.data.lastStatus.message), msgPtr, msgSize);
    },
    proxy_http_call(cPtr: number, cLen: number, hPtr: number, hLen: number, bPtr: number, bLen: number, tPtr: number, tLen: number, timeout: number, retToken: number) {
      const cluster = h.mem.readStr(cPtr, cLen);
      const hd = h.mem.read(hPtr, hLen);
      const body = h.mem.read(bPtr, bLen);
      const t = h.mem.read(tPtr, tLen);
      if (cluster === null || hd === null || body === null || t === null) return Status.InvalidMemoryAccess;
      const target = h.options.clusters?.[cluster];
      if (target === undefined || (typeof target === "string" && target.startsWith("redis"))) return Status.BadArgument;
      const headers = new HeaderMap(decodePairsStrict(hd));
      if (!headers.get(":path") || !headers.get(":method") || !headers.get(":authority")) return Status.BadArgument;
      if (body.length > 0) headers.replace(enc("content-length"), enc(String(body.length)));
      const token = h.takeToken(CalloutKind.Http);
      if (!h.mem.writeU32(retToken, token)) return Status.InvalidMemoryAccess;
      const call = new HttpCall(callHost, token, h.effective, cluster, headers.pairs, body, decodePairsStrict(t), timeout >>> 0);
      calls.http.set(token, call);
      if (typeof target === "function") {
        h.track(Promise.resolve().then(async () => {
          const a = await target(call);
          if (!call.answered) call.respond(a);
        }));
      } else if (typeof target === "string" && target.startsWith("http")) {
        h.track(httpExchange(target, headers, body, call.timeoutMs, true).then((r) => {
          if ("error" in r) {
            if (r.error === "timeout") call.timeout();
            else call.respond({ status: 503, headers: [["content-type", "text/plain"]], body: resetAnswer(r.error === "terminated" ? "terminated" : "connect") });
          } else call.respond({ status: r.status, headers: r.headers, body: r.body });
        }));
      }
      return Status.Ok;
    },
    proxy_grpc_call(cPtr: number, cLen: number, sPtr: number, sLen: number, mPtr: number, mLen: number, _hPtr: number, _hLen: number, msgPtr: number, msgLen: number, _timeout: number, retToken: number) {
      const cluster = h.mem.readStr(cPtr, cLen);
      const service = h.mem.readStr(sPtr, sLen);
      const method = h.mem.readStr(mPtr, mLen);
      const msg = h.mem.read(msgPtr, msgLen);
      if (cluster === null || service === null || method === null || msg === null) return Status.InvalidMemoryAccess;
      if (!h.options.clusters?.[cluster]) return Status.ParseFailure;
      const token = h.takeToken(CalloutKind.GrpcCall);
      if (!h.mem.writeU32(retToken, token)) return Status.InvalidMemoryAccess;
      calls.grpc.set(token, new GrpcCall(callHost, token, h.effective, cluster, service, method, msg));
      return Status.Ok;
    },
    proxy_grpc_stream(cPtr: number, cLen: number, sPtr: number, sLen: number, mPtr: number, mLen: number, _hPtr: number, _hLen: number, retToken: number) {
      const cluster = h.mem.readStr(cPtr, cLen);
      const service = h.mem.readStr(sPtr, sLen);
      const method = h.mem.readStr(mPtr, mLen);
      if (cluster === null || service === null || method === null) return Status.InvalidMemoryAccess;
      if (!h.options.clusters?.[cluster]) return Status.ParseFailure;
      const token = h.takeToken(CalloutKind.GrpcStream);
      if (!h.mem.writeU32(retToken, token)) return Status.InvalidMemoryAccess;
      calls.grpc.set(token, new GrpcCall(callHost, token, h.effective, cluster, service, method, Buffer.alloc(0)));
      return Status.Ok;
    },
    proxy_grpc_send(token: number, _p: number, _l: number, _eos: number) {
      return calls.grpc.has(token >>> 0) ? Status.Ok : Status.NotFound;
    },
    proxy_grpc_cancel(token: number) {
      return calls.grpc.delete(token >>> 0) ? Status.Ok : Status.NotFound;
    },
    proxy_grpc_close(token: number) {
      return calls.grpc.delete(token >>> 0) ? Status.Ok : Status.NotFound;
    },
  };
}
