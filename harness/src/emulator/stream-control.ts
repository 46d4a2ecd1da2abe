// The calls that steer the current HTTP stream: continue, close, local reply, and Higress's
// data injection. Each only records the request; HttpStream applies it when the hook returns.
import { Status, StreamType } from "./abi.js";
import { decodePairsStrict } from "./pairs.js";
import type { HostContext, HostFunctions } from "./types.js";

export function streamControlImports(h: HostContext): HostFunctions {
  return {
    proxy_continue_stream(type: number) {
      const s = h.current();
      if (type === StreamType.Upstream) return Status.Unimplemented;
      if (type === StreamType.Downstream) return Status.Ok;
      if (type > StreamType.Upstream) return Status.BadArgument;
      if (!s) return Status.NotFound;
      s.requestContinue(type === StreamType.Request ? "request" : "response");
      return Status.Ok;
    },
    proxy_close_stream(type: number) {
      const s = h.current();
      if (type > StreamType.Upstream) return Status.BadArgument;
      if (type >= StreamType.Downstream) return Status.Ok;
      if (!s) return Status.NotFound;
      s.requestClose();
      return Status.Ok;
    },
    proxy_send_local_response(status: number, detPtr: number, detLen: number, bodyPtr: number, bodyLen: number, hPtr: number, hLen: number, grpc: number) {
      const det = h.mem.read(detPtr, detLen);
      const body = h.mem.read(bodyPtr, bodyLen);
      const hd = h.mem.read(hPtr, hLen);
      if (det === null || body === null || hd === null) return Status.InvalidMemoryAccess;
      const s = h.current();
      if (!s) return Status.NotFound;
      s.queueLocalReply({
        status: status >>> 0,
        body,
        headers: decodePairsStrict(hd).map(([k, v]) => [k.toString().toLowerCase(), v.toString()]),
        // Envoy replaces whitespace in details with underscores.
        details: det.toString("utf8").replace(/\s/g, "_"),
        grpcStatus: grpc | 0,
      });
      return Status.Ok;
    },
    // ---- Higress
    proxy_inject_encoded_data_to_filter_chain(bPtr: number, bLen: number, endStream: number) {
      const data = h.mem.read(bPtr, bLen);
      if (data === null) return Status.InvalidMemoryAccess;
      const s = h.current();
      if (!s) return Status.NotFound;
      s.injected.push({ data, endStream: endStream !== 0 });
      s.resp.out.body.push(data);
      if (endStream !== 0 && s.resp.out.headers) s.resp.out.complete = true;
      return Status.Ok;
    },
  };
}
