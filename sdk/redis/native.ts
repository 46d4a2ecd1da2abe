// The higress target's transport: Higress's own Redis host functions (proxy_redis_init,
// proxy_redis_call, proxy_on_redis_call_response + buffer 9 holding the raw RESP reply).
// Only reached under `if (IS_HIGRESS)`, so the envoy build never imports these functions.
import { proxy_redis_init, proxy_redis_call } from "../abi/higress_imports";
import { BufferType, Status } from "../abi/types";
import { RET_U64 } from "../runtime/memory";
import * as host from "../runtime/hostcalls";
import { RedisResult } from "./result";
import { decodeReply } from "./resp";

/** `cluster?db=…&buffer_flush_timeout=3&max_buffer_size_before_flush=1024`, as Higress builds it. */
export function nativeClusterParams(cluster: string, db: i32): string {
  let q = cluster + "?";
  if (db != 0) q += "db=" + db.toString() + "&";
  return q + "buffer_flush_timeout=3&max_buffer_size_before_flush=1024";
}

export function nativeInit(clusterWithParams: string, user: string, password: string, timeoutMs: u32): Status {
  const c = String.UTF8.encode(clusterWithParams), u = String.UTF8.encode(user), p = String.UTF8.encode(password);
  return <Status>proxy_redis_init(changetype<usize>(c), <usize>c.byteLength, changetype<usize>(u), <usize>u.byteLength,
    changetype<usize>(p), <usize>p.byteLength, timeoutMs);
}

/** Dispatches raw RESP; returns the token, or 0 with the refusal in `nativeLastStatus`. */
export let nativeLastStatus: Status = Status.Ok;

export function nativeCall(cluster: string, query: ArrayBuffer): u32 {
  const c = String.UTF8.encode(cluster);
  store<u32>(RET_U64, 0);
  const st = <Status>proxy_redis_call(changetype<usize>(c), <usize>c.byteLength, changetype<usize>(query), <usize>query.byteLength, RET_U64);
  nativeLastStatus = st;
  return st == Status.Ok ? load<u32>(RET_U64) : 0;
}

/** Reads the reply of proxy_on_redis_call_response (Higress's error texts for each failure). */
export function nativeResult(status: u32, size: u32): RedisResult {
  if (status != 0) return RedisResult.failed("cannot connect to redis cluster");
  const buf = size == 0 ? new ArrayBuffer(0) : host.getBuffer(BufferType.RedisCallResponse, 0, size);
  if (buf === null) return RedisResult.failed("cannot get redis response");
  const r = decodeReply(buf);
  if (!r.ok) return RedisResult.failed("cannot read redis response: " + r.error);
  return RedisResult.reply(r.value!);
}
