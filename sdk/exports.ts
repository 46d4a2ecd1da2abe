// The top of the SDK: every proxy_on_* callback of ABI 0.2.1 (plus Higress's Redis response),
// handed down to the runtime. A plugin's entry file re-exports this module:
// `export * from "@sluice/sdk/exports"`. It also pulls in the abort handler the build wires up
// with `--use abort=…`. The one file that may import every layer.
import "./runtime/abort";
import { dispatcher, CallKind } from "./runtime/dispatcher";
import { refreshLogLevel } from "./runtime/logstate";
import { runTicks, dropTicks } from "./timers/ticker";
import { deliverQueueReady } from "./shared/queue";
import { enteringVm, leavingVm } from "./runtime/collect";
export { proxy_on_memory_allocate } from "./runtime/memory";

export function proxy_on_context_create(contextId: u32, parentId: u32): void {
  enteringVm();
  dispatcher.createContext(contextId, parentId);
  leavingVm();
}

export function proxy_on_vm_start(rootId: u32, vmConfigSize: u32): u32 {
  enteringVm();
  const r = dispatcher.root(rootId);
  const rc: u32 = r === null ? 1 : <u32>r.onVmStart(vmConfigSize);
  leavingVm();
  return rc;
}

export function proxy_validate_configuration(rootId: u32, configSize: u32): u32 {
  return 1;
}

export function proxy_on_configure(rootId: u32, configSize: u32): u32 {
  enteringVm();
  refreshLogLevel();
  const r = dispatcher.root(rootId);
  const rc: u32 = r === null ? 1 : <u32>r.onConfigure(configSize);
  leavingVm();
  return rc;
}

export function proxy_on_tick(rootId: u32): void {
  enteringVm();
  const r = dispatcher.root(rootId);
  if (r !== null) r.onTick();
  runTicks(rootId);
  leavingVm();
}

export function proxy_on_new_connection(contextId: u32): u32 { return 0; }
export function proxy_on_downstream_data(contextId: u32, size: u32, endOfStream: u32): u32 { return 0; }
export function proxy_on_upstream_data(contextId: u32, size: u32, endOfStream: u32): u32 { return 0; }
export function proxy_on_downstream_connection_close(contextId: u32, peer: u32): void {}
export function proxy_on_upstream_connection_close(contextId: u32, peer: u32): void {}

export function proxy_on_request_headers(contextId: u32, numHeaders: u32, endOfStream: u32): u32 {
  enteringVm();
  const c = dispatcher.stream(contextId);
  const rc: u32 = c === null ? 0 : <u32>c.onRequestHeadersRaw(numHeaders, endOfStream != 0);
  leavingVm();
  return rc;
}

export function proxy_on_request_body(contextId: u32, bodySize: u32, endOfStream: u32): u32 {
  enteringVm();
  const c = dispatcher.stream(contextId);
  const rc: u32 = c === null ? 0 : <u32>c.onRequestBodyRaw(bodySize, endOfStream != 0);
  leavingVm();
  return rc;
}

export function proxy_on_request_trailers(contextId: u32, numTrailers: u32): u32 {
  enteringVm();
  const c = dispatcher.stream(contextId);
  const rc: u32 = c === null ? 0 : <u32>c.onRequestTrailersRaw(numTrailers);
  leavingVm();
  return rc;
}

export function proxy_on_request_metadata(contextId: u32, n: u32): u32 { return 0; }
export function proxy_on_response_metadata(contextId: u32, n: u32): u32 { return 0; }

export function proxy_on_response_headers(contextId: u32, numHeaders: u32, endOfStream: u32): u32 {
  enteringVm();
  const c = dispatcher.stream(contextId);
  const rc: u32 = c === null ? 0 : <u32>c.onResponseHeadersRaw(numHeaders, endOfStream != 0);
  leavingVm();
  return rc;
}

export function proxy_on_response_body(contextId: u32, bodySize: u32, endOfStream: u32): u32 {
  enteringVm();
  const c = dispatcher.stream(contextId);
  const rc: u32 = c === null ? 0 : <u32>c.onResponseBodyRaw(bodySize, endOfStream != 0);
  leavingVm();
  return rc;
}

export function proxy_on_response_trailers(contextId: u32, numTrailers: u32): u32 {
  enteringVm();
  const c = dispatcher.stream(contextId);
  const rc: u32 = c === null ? 0 : <u32>c.onResponseTrailersRaw(numTrailers);
  leavingVm();
  return rc;
}

export function proxy_on_log(contextId: u32): void {
  enteringVm();
  const c = dispatcher.stream(contextId);
  if (c !== null) c.onLogRaw();
  leavingVm();
}

export function proxy_on_done(contextId: u32): u32 {
  enteringVm();
  const c = dispatcher.stream(contextId);
  const r = c === null ? dispatcher.root(contextId) : null;
  const rc: u32 = c !== null ? <u32>c.onDoneRaw() : r === null ? 1 : <u32>r.onDone();
  leavingVm();
  return rc;
}

export function proxy_on_delete(contextId: u32): void {
  enteringVm();
  dispatcher.deleteContext(contextId);
  dropTicks(contextId);
  leavingVm();
}

export function proxy_on_http_call_response(contextId: u32, token: u32, numHeaders: u32, bodySize: u32, numTrailers: u32): void {
  enteringVm();
  dispatcher.resolve(CallKind.Http, token, numHeaders, bodySize, numTrailers);
  leavingVm();
}

export function proxy_on_grpc_receive_initial_metadata(contextId: u32, token: u32, n: u32): void {}
export function proxy_on_grpc_receive_trailing_metadata(contextId: u32, token: u32, n: u32): void {}
export function proxy_on_grpc_receive(contextId: u32, token: u32, size: u32): void {}
export function proxy_on_grpc_close(contextId: u32, token: u32, status: u32): void {}

export function proxy_on_queue_ready(rootId: u32, queueId: u32): void {
  enteringVm();
  dispatcher.root(rootId);
  deliverQueueReady(rootId, queueId);
  leavingVm();
}

export function proxy_on_foreign_function(rootId: u32, functionId: u32, argSize: u32): void {}

/** Higress: a Redis reply is ready in buffer 9 (see sdk redis client). */
export function proxy_on_redis_call_response(contextId: u32, token: u32, status: u32, responseSize: u32): void {
  enteringVm();
  dispatcher.resolve(CallKind.Redis, token, status, responseSize, 0);
  leavingVm();
}
