// Header maps and body buffers: which map or buffer a type names in the current callback, and
// the calls that read and change them (with Envoy's answers where it differs from the spec).
import { BufferType, MapType, Status } from "./abi.js";
import type { HeaderMap } from "./headers.js";
import { decodePairsStrict, encodePairs } from "./pairs.js";
import type { HostContext, HostFunctions } from "./types.js";

/** The map a type names now; "log" for a stream map written after the stream ended. */
function headerMap(h: HostContext, type: number, forWrite: boolean): HeaderMap | null | "log" {
  const s = h.current();
  switch (type) {
    case MapType.HttpRequestHeaders:
    case MapType.HttpRequestTrailers:
    case MapType.HttpResponseHeaders:
    case MapType.HttpResponseTrailers: {
      if (!s) return null;
      if (forWrite && s.finished) return "log";
      const d = type === MapType.HttpRequestHeaders || type === MapType.HttpRequestTrailers ? s.req : s.resp;
      if (d.headersReleased && !s.finished && (type === MapType.HttpRequestHeaders || type === MapType.HttpResponseHeaders)) return null;
      return type === MapType.HttpRequestHeaders || type === MapType.HttpResponseHeaders ? d.headers : d.trailers;
    }
    case MapType.HttpCallResponseHeaders:
      return forWrite ? null : h.data.callResponse?.headers ?? null;
    case MapType.HttpCallResponseTrailers:
      return forWrite ? null : h.data.callResponse?.trailers ?? null;
    default:
      return null;
  }
}

/**
 * Envoy's body buffer outside a body callback that kept the body (the trailers phase after the
 * chunks went on, a stream with no data frame, the headers phase, a root context): its wasm
 * Context hands out an empty string buffer there, not "none", so the size reads 0 and a read
 * gets no bytes, while a write is refused with BadArgument (proxy-wasm's BufferBase::copyFrom).
 */
const NO_BODY = Buffer.alloc(0);

/** The buffer a type names now, or null when there is none in this callback. */
function buffer(h: HostContext, type: number): Buffer | null {
  const s = h.current();
  switch (type) {
    case BufferType.HttpRequestBody:
      return s?.req.buf ?? NO_BODY;
    case BufferType.HttpResponseBody:
      return s?.resp.buf ?? NO_BODY;
    case BufferType.HttpCallResponseBody:
      return h.data.callResponse?.body ?? null;
    case BufferType.GrpcReceiveBuffer:
      return h.data.grpcMessage;
    case BufferType.VmConfiguration:
      return h.data.configPhase === "vm" ? h.data.vmConfig : null;
    case BufferType.PluginConfiguration:
      return h.data.configPhase === "plugin" ? h.data.pluginConfig : null;
    case BufferType.RedisCallResponse:
      return h.target === "higress" ? h.data.redisResponse : null;
    default:
      return null;
  }
}

function isStreamMap(type: number): boolean {
  return type === MapType.HttpRequestHeaders || type === MapType.HttpRequestTrailers || type === MapType.HttpResponseHeaders || type === MapType.HttpResponseTrailers;
}

export function headerMapImports(h: HostContext): HostFunctions {
  return {
    proxy_get_header_map_value(type: number, kPtr: number, kLen: number, retPtr: number, retSize: number) {
      const k = h.mem.read(kPtr, kLen);
      if (k === null) return Status.InvalidMemoryAccess;
      const m = headerMap(h, type, false);
      if (m === "log") return Status.NotFound;
      if (!m) return Status.BadArgument;
      const v = m.get(k);
      if (v === undefined) return Status.NotFound;
      return h.mem.copyOut(v, retPtr, retSize);
    },
    proxy_get_header_map_pairs(type: number, retPtr: number, retSize: number) {
      const m = headerMap(h, type, false);
      if (m === "log") return Status.NotFound;
      // Envoy hands out no pairs (and Ok) for a map it does not have now.
      if (!m) return isStreamMap(type) && h.current() ? h.mem.copyOut(Buffer.alloc(0), retPtr, retSize) : Status.BadArgument;
      if (m.size === 0) return h.mem.copyOut(Buffer.alloc(0), retPtr, retSize);
      return h.mem.copyOut(encodePairs(m.pairs), retPtr, retSize);
    },
    proxy_get_header_map_size(type: number, retSize: number) {
      const m = headerMap(h, type, false);
      if (m === "log") return Status.NotFound;
      if (!m) return Status.BadArgument;
      // Envoy returns the map's byteSize, not the serialized size the spec describes.
      return h.mem.writeU32(retSize, m.byteSize) ? Status.Ok : Status.InvalidMemoryAccess;
    },
    proxy_set_header_map_pairs(type: number, ptr: number, len: number) {
      const data = h.mem.read(ptr, len);
      if (data === null) return Status.InvalidMemoryAccess;
      const m = headerMap(h, type, true);
      if (!m || m === "log") return Status.BadArgument;
      m.setAll(decodePairsStrict(data));
      return Status.Ok;
    },
    proxy_add_header_map_value(type: number, kPtr: number, kLen: number, vPtr: number, vLen: number) {
      const k = h.mem.read(kPtr, kLen);
      const v = h.mem.read(vPtr, vLen);
      if (k === null || v === null) return Status.InvalidMemoryAccess;
      const m = headerMap(h, type, true);
      if (!m || m === "log") return Status.BadArgument;
      m.add(k, v);
      return Status.Ok;
    },
    proxy_replace_header_map_value(type: number, kPtr: number, kLen: number, vPtr: number, vLen: number) {
      const k = h.mem.read(kPtr, kLen);
      const v = h.mem.read(vPtr, vLen);
      if (k === null || v === null) return Status.InvalidMemoryAccess;
      const m = headerMap(h, type, true);
      if (!m || m === "log") return Status.BadArgument;
      m.replace(k, v);
      return Status.Ok;
    },
    proxy_remove_header_map_value(type: number, kPtr: number, kLen: number) {
      const k = h.mem.read(kPtr, kLen);
      if (k === null) return Status.InvalidMemoryAccess;
      const m = headerMap(h, type, true);
      if (!m || m === "log") return Status.BadArgument;
      m.remove(k);
      return Status.Ok;
    },
  };
}

export function bufferImports(h: HostContext): HostFunctions {
  return {
    proxy_get_buffer_status(type: number, retSize: number, retFlags: number) {
      if (type > BufferType.RedisCallResponse) return Status.BadArgument;
      const b = buffer(h, type);
      if (b === null) return Status.NotFound;
      return h.mem.writeU32(retSize, b.length) && h.mem.writeU32(retFlags, 0) ? Status.Ok : Status.InvalidMemoryAccess;
    },
    proxy_get_buffer_bytes(type: number, start: number, max: number, retPtr: number, retSize: number) {
      if (type > BufferType.RedisCallResponse) return Status.BadArgument;
      const b = buffer(h, type);
      if (b === null) return Status.NotFound;
      start >>>= 0;
      max >>>= 0;
      // The host clamps over-reads instead of failing.
      if (start >= b.length) return h.mem.copyOut(Buffer.alloc(0), retPtr, retSize);
      const end = Math.min(b.length, start + max);
      return h.mem.copyOut(b.subarray(start, end), retPtr, retSize);
    },
    proxy_set_buffer_bytes(type: number, start: number, size: number, ptr: number, len: number) {
      const data = h.mem.read(ptr, len);
      if (data === null) return Status.InvalidMemoryAccess;
      const s = h.current();
      let d;
      if (type === BufferType.HttpRequestBody) d = s?.req;
      else if (type === BufferType.HttpResponseBody) d = s?.resp;
      else return type > BufferType.RedisCallResponse ? Status.BadArgument : buffer(h, type) === null ? Status.NotFound : Status.BadArgument;
      if (!d || d.buf === null) return Status.BadArgument;
      start >>>= 0;
      size >>>= 0;
      // Envoy's Buffer::copyFrom: start == 0 drains `size` bytes and prepends; start ≥ length appends.
      if (start === 0) d.buf = Buffer.concat([data, d.buf.subarray(Math.min(size, d.buf.length))]);
      else if (start >= d.buf.length) d.buf = Buffer.concat([d.buf, data]);
      else return Status.BadArgument;
      return Status.Ok;
    },
  };
}
