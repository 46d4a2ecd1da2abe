// Safe wrappers over the raw imports: strings and buffers in, a Status or a nullable value out.
// Nothing here throws; every pointer the host writes is adopted in runtime/memory.ts.
import * as abi from "../abi/imports";
import { Status, BufferType, MapType, StreamType, MetricType } from "../abi/types";
import { RET_PTR, RET_SIZE, RET_U64, adoptBuffer, dropHostBuffer } from "./memory";
import { BytesPair, HeaderPair, decodePairs, decodeStringPairs, encodeBytesPairs, encodePairs } from "./pairs";

@inline function ptrOf(buf: ArrayBuffer): usize { return changetype<usize>(buf); }
@inline function lenOf(buf: ArrayBuffer): usize { return <usize>buf.byteLength; }
@inline function utf8(s: string): ArrayBuffer { return String.UTF8.encode(s); }

// ---- logging, time, ticks --------------------------------------------------------------

export function log(level: u32, message: string): void {
  const b = utf8(message);
  abi.proxy_log(level, ptrOf(b), lenOf(b));
}

/** The host's current log level, or Trace when the host cannot tell. */
export function getLogLevel(): u32 {
  store<u32>(RET_U64, 0);
  if (abi.proxy_get_log_level(RET_U64) != Status.Ok) return 0;
  return load<u32>(RET_U64);
}

/** Wall-clock time in nanoseconds since the epoch. */
export function currentTimeNanos(): u64 {
  store<u64>(RET_U64, 0);
  abi.proxy_get_current_time_nanoseconds(RET_U64);
  return load<u64>(RET_U64);
}

/** Monotonic time in nanoseconds (WASI clock 1), for latencies. */
export function monotonicNanos(): u64 {
  store<u64>(RET_U64, 0);
  if (abi.wasi_clock_time_get(1, 1, RET_U64) != 0) return currentTimeNanos();
  return load<u64>(RET_U64);
}

export function setTickPeriod(ms: u32): Status {
  return <Status>abi.proxy_set_tick_period_milliseconds(ms);
}

export function setEffectiveContext(id: u32): Status {
  return <Status>abi.proxy_set_effective_context(id);
}

/** Fills `buf` with random bytes from the host. */
export function randomBytes(buf: ArrayBuffer): bool {
  if (buf.byteLength == 0) return true;
  // WASI random_get accepts at most 64 KiB per call in Envoy.
  let off = 0;
  while (off < buf.byteLength) {
    const n = min(buf.byteLength - off, 65536);
    if (abi.wasi_random_get(changetype<usize>(buf) + <usize>off, <usize>n) != 0) return false;
    off += n;
  }
  return true;
}

// ---- buffers ------------------------------------------------------------------------------

export function getBuffer(type: BufferType, start: u32 = 0, maxSize: u32 = 0xffffffff): ArrayBuffer | null {
  const st = abi.proxy_get_buffer_bytes(<u32>type, start, maxSize, RET_PTR, RET_SIZE);
  if (st != Status.Ok) { dropHostBuffer(); return null; }
  return adoptBuffer();
}

/** Replaces `size` bytes from `start` with `data`. Envoy accepts start == 0 (replace a prefix or
 *  the whole buffer) and start >= length (append); anything else is BadArgument. */
export function setBuffer(type: BufferType, start: u32, size: u32, data: ArrayBuffer): Status {
  return <Status>abi.proxy_set_buffer_bytes(<u32>type, start, size, ptrOf(data), lenOf(data));
}

/** Size of a buffer, or -1 when the host has none. */
export function getBufferSize(type: BufferType): i64 {
  store<u32>(RET_SIZE, 0);
  if (abi.proxy_get_buffer_status(<u32>type, RET_SIZE, RET_U64) != Status.Ok) return -1;
  return <i64>load<u32>(RET_SIZE);
}

// ---- header maps --------------------------------------------------------------------------

export function getHeaderPairs(type: MapType): Array<HeaderPair> {
  if (abi.proxy_get_header_map_pairs(<u32>type, RET_PTR, RET_SIZE) != Status.Ok) {
    dropHostBuffer();
    return new Array<HeaderPair>();
  }
  return decodeStringPairs(adoptBuffer());
}

export function getHeaderPairsBytes(type: MapType): Array<BytesPair> {
  if (abi.proxy_get_header_map_pairs(<u32>type, RET_PTR, RET_SIZE) != Status.Ok) {
    dropHostBuffer();
    return new Array<BytesPair>();
  }
  return decodePairs(adoptBuffer());
}

/** The host's encoded map as it sent it (see runtime/pairs.ts); empty when the host has none. */
export function getHeaderMapEncoded(type: MapType): ArrayBuffer {
  if (abi.proxy_get_header_map_pairs(<u32>type, RET_PTR, RET_SIZE) != Status.Ok) {
    dropHostBuffer();
    return new ArrayBuffer(0);
  }
  return adoptBuffer();
}

export function setHeaderPairs(type: MapType, pairs: Array<HeaderPair>): Status {
  const enc = encodePairs(pairs);
  if (enc === null) return Status.BadArgument;
  return <Status>abi.proxy_set_header_map_pairs(<u32>type, ptrOf(enc), lenOf(enc));
}

export function setHeaderPairsBytes(type: MapType, pairs: Array<BytesPair>): Status {
  const enc = encodeBytesPairs(pairs);
  if (enc === null) return Status.BadArgument;
  return <Status>abi.proxy_set_header_map_pairs(<u32>type, ptrOf(enc), lenOf(enc));
}

/** The header functions below take the name as lower-case UTF-8 bytes (sdk/runtime/header-names.ts). */
export function getHeaderBytes(type: MapType, k: ArrayBuffer): ArrayBuffer | null {
  if (abi.proxy_get_header_map_value(<u32>type, ptrOf(k), lenOf(k), RET_PTR, RET_SIZE) != Status.Ok) {
    dropHostBuffer();
    return null;
  }
  return adoptBuffer();
}

export function getHeader(type: MapType, k: ArrayBuffer): string | null {
  const b = getHeaderBytes(type, k);
  if (b === null) return null;
  return String.UTF8.decode(b);
}

export function addHeaderBytes(type: MapType, k: ArrayBuffer, value: ArrayBuffer): Status {
  return <Status>abi.proxy_add_header_map_value(<u32>type, ptrOf(k), lenOf(k), ptrOf(value), lenOf(value));
}

export function replaceHeaderBytes(type: MapType, k: ArrayBuffer, value: ArrayBuffer): Status {
  return <Status>abi.proxy_replace_header_map_value(<u32>type, ptrOf(k), lenOf(k), ptrOf(value), lenOf(value));
}

export function removeHeader(type: MapType, k: ArrayBuffer): Status {
  return <Status>abi.proxy_remove_header_map_value(<u32>type, ptrOf(k), lenOf(k));
}

// ---- stream control ---------------------------------------------------------------------

export function continueStream(stream: StreamType): Status {
  return <Status>abi.proxy_continue_stream(<u32>stream);
}

export function closeStream(stream: StreamType): Status {
  return <Status>abi.proxy_close_stream(<u32>stream);
}

export function sendLocalResponse(status: u32, details: string, body: ArrayBuffer, headers: Array<HeaderPair>, grpcStatus: i32 = -1): Status {
  const d = utf8(details);
  let enc = encodePairs(headers);
  if (enc === null) enc = new ArrayBuffer(0);
  return <Status>abi.proxy_send_local_response(status, ptrOf(d), lenOf(d), ptrOf(body), lenOf(body), ptrOf(enc), lenOf(enc), grpcStatus);
}

/** Status code and message of the current http-call response or gRPC close. */
export class CallStatus {
  constructor(public code: u32, public message: string) {}
}

export function getStatus(): CallStatus {
  store<u32>(RET_U64, 0);
  if (abi.proxy_get_status(RET_U64, RET_PTR, RET_SIZE) != Status.Ok) {
    dropHostBuffer();
    return new CallStatus(0, "");
  }
  const code = load<u32>(RET_U64);
  return new CallStatus(code, String.UTF8.decode(adoptBuffer()));
}

// ---- properties ---------------------------------------------------------------------------

/** Joins path segments with NUL, the separator Envoy splits property paths on. */
export function encodePropertyPath(path: Array<string>): ArrayBuffer {
  let joined = "";
  for (let i = 0; i < path.length; i++) {
    if (i > 0) joined += "\0";
    joined += path[i];
  }
  return utf8(joined);
}

export function getPropertyBytes(path: Array<string>): ArrayBuffer | null {
  const p = encodePropertyPath(path);
  if (abi.proxy_get_property(ptrOf(p), lenOf(p), RET_PTR, RET_SIZE) != Status.Ok) {
    dropHostBuffer();
    return null;
  }
  return adoptBuffer();
}

export function setPropertyBytes(path: Array<string>, value: ArrayBuffer): Status {
  const p = encodePropertyPath(path);
  return <Status>abi.proxy_set_property(ptrOf(p), lenOf(p), ptrOf(value), lenOf(value));
}

// ---- HTTP callouts --------------------------------------------------------------------------

/** Dispatches an HTTP call; returns the token, or 0 with the failure in `lastCallStatus`. */
export let lastCallStatus: Status = Status.Ok;

/**
 * proxy_http_call with the header map already serialised at `headersPtr` (sdk/http/call.ts writes
 * it into a scratch buffer: the host copies it during the call) and the trailer map serialised.
 */
export function httpCallEncodedAt(cluster: string, headersPtr: usize, headersLen: usize, body: ArrayBuffer, trailers: ArrayBuffer, timeoutMs: u32): u32 {
  const c = utf8(cluster);
  store<u32>(RET_U64, 0);
  const st = abi.proxy_http_call(ptrOf(c), lenOf(c), headersPtr, headersLen, ptrOf(body), lenOf(body), ptrOf(trailers), lenOf(trailers), timeoutMs, RET_U64);
  lastCallStatus = <Status>st;
  if (st != Status.Ok) return 0;
  return load<u32>(RET_U64);
}

// ---- shared data and queues -----------------------------------------------------------------

export class SharedValue {
  constructor(public value: ArrayBuffer, public cas: u32) {}
}

export function getSharedData(key: string): SharedValue | null {
  const k = utf8(key);
  store<u32>(RET_U64, 0);
  if (abi.proxy_get_shared_data(ptrOf(k), lenOf(k), RET_PTR, RET_SIZE, RET_U64) != Status.Ok) {
    dropHostBuffer();
    return null;
  }
  const cas = load<u32>(RET_U64);
  return new SharedValue(adoptBuffer(), cas);
}

export function setSharedData(key: string, value: ArrayBuffer, cas: u32): Status {
  const k = utf8(key);
  return <Status>abi.proxy_set_shared_data(ptrOf(k), lenOf(k), ptrOf(value), lenOf(value), cas);
}

export function registerSharedQueue(name: string): i64 {
  const n = utf8(name);
  if (abi.proxy_register_shared_queue(ptrOf(n), lenOf(n), RET_U64) != Status.Ok) return -1;
  return <i64>load<u32>(RET_U64);
}

export function resolveSharedQueue(vmId: string, name: string): i64 {
  const v = utf8(vmId), n = utf8(name);
  if (abi.proxy_resolve_shared_queue(ptrOf(v), lenOf(v), ptrOf(n), lenOf(n), RET_U64) != Status.Ok) return -1;
  return <i64>load<u32>(RET_U64);
}

export function enqueueSharedQueue(id: u32, value: ArrayBuffer): Status {
  return <Status>abi.proxy_enqueue_shared_queue(id, ptrOf(value), lenOf(value));
}

export function dequeueSharedQueue(id: u32): ArrayBuffer | null {
  if (abi.proxy_dequeue_shared_queue(id, RET_PTR, RET_SIZE) != Status.Ok) { dropHostBuffer(); return null; }
  return adoptBuffer();
}

// ---- metrics --------------------------------------------------------------------------------

export function defineMetric(type: MetricType, name: string): i64 {
  const n = utf8(name);
  if (abi.proxy_define_metric(<u32>type, ptrOf(n), lenOf(n), RET_U64) != Status.Ok) return -1;
  return <i64>load<u32>(RET_U64);
}

export function incrementMetric(id: u32, delta: i64): Status {
  return <Status>abi.proxy_increment_metric(id, delta);
}

export function recordMetric(id: u32, value: u64): Status {
  return <Status>abi.proxy_record_metric(id, value);
}

export function getMetric(id: u32): i64 {
  store<u64>(RET_U64, 0);
  if (abi.proxy_get_metric(id, RET_U64) != Status.Ok) return -1;
  return <i64>load<u64>(RET_U64);
}

// ---- foreign functions ----------------------------------------------------------------------

export function callForeignFunction(name: string, args: ArrayBuffer): ArrayBuffer | null {
  const n = utf8(name);
  if (abi.proxy_call_foreign_function(ptrOf(n), lenOf(n), ptrOf(args), lenOf(args), RET_PTR, RET_SIZE) != Status.Ok) {
    dropHostBuffer();
    return null;
  }
  return adoptBuffer();
}

export function done(): Status {
  return <Status>abi.proxy_done();
}
