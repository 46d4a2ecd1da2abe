// The host functions of proxy-wasm ABI v0.2.1 that upstream Envoy implements.
// This file only declares them; runtime/hostcalls.ts wraps them. AssemblyScript drops
// every import a module does not use, so declaring all of them costs nothing.

// @ts-ignore: decorator
@external("env", "proxy_log") export declare function proxy_log(level: u32, ptr: usize, len: usize): u32;
// @ts-ignore: decorator
@external("env", "proxy_get_log_level") export declare function proxy_get_log_level(retLevel: usize): u32;
// @ts-ignore: decorator
@external("env", "proxy_get_current_time_nanoseconds") export declare function proxy_get_current_time_nanoseconds(retTime: usize): u32;
// @ts-ignore: decorator
@external("env", "proxy_set_tick_period_milliseconds") export declare function proxy_set_tick_period_milliseconds(period: u32): u32;
// @ts-ignore: decorator
@external("env", "proxy_done") export declare function proxy_done(): u32;
// @ts-ignore: decorator
@external("env", "proxy_set_effective_context") export declare function proxy_set_effective_context(contextId: u32): u32;

// @ts-ignore: decorator
@external("env", "proxy_get_buffer_bytes") export declare function proxy_get_buffer_bytes(type: u32, start: u32, maxSize: u32, retPtr: usize, retSize: usize): u32;
// @ts-ignore: decorator
@external("env", "proxy_set_buffer_bytes") export declare function proxy_set_buffer_bytes(type: u32, start: u32, size: u32, ptr: usize, len: usize): u32;
// @ts-ignore: decorator
@external("env", "proxy_get_buffer_status") export declare function proxy_get_buffer_status(type: u32, retSize: usize, retFlags: usize): u32;

// @ts-ignore: decorator
@external("env", "proxy_get_header_map_pairs") export declare function proxy_get_header_map_pairs(type: u32, retPtr: usize, retSize: usize): u32;
// @ts-ignore: decorator
@external("env", "proxy_set_header_map_pairs") export declare function proxy_set_header_map_pairs(type: u32, ptr: usize, len: usize): u32;
// @ts-ignore: decorator
@external("env", "proxy_get_header_map_size") export declare function proxy_get_header_map_size(type: u32, retSize: usize): u32;
// @ts-ignore: decorator
@external("env", "proxy_get_header_map_value") export declare function proxy_get_header_map_value(type: u32, keyPtr: usize, keyLen: usize, retPtr: usize, retSize: usize): u32;
// @ts-ignore: decorator
@external("env", "proxy_add_header_map_value") export declare function proxy_add_header_map_value(type: u32, keyPtr: usize, keyLen: usize, valPtr: usize, valLen: usize): u32;
// @ts-ignore: decorator
@external("env", "proxy_replace_header_map_value") export declare function proxy_replace_header_map_value(type: u32, keyPtr: usize, keyLen: usize, valPtr: usize, valLen: usize): u32;
// @ts-ignore: decorator
@external("env", "proxy_remove_header_map_value") export declare function proxy_remove_header_map_value(type: u32, keyPtr: usize, keyLen: usize): u32;

// @ts-ignore: decorator
@external("env", "proxy_continue_stream") export declare function proxy_continue_stream(stream: u32): u32;
// @ts-ignore: decorator
@external("env", "proxy_close_stream") export declare function proxy_close_stream(stream: u32): u32;
// @ts-ignore: decorator
@external("env", "proxy_get_status") export declare function proxy_get_status(retCode: usize, retMsgPtr: usize, retMsgSize: usize): u32;
// @ts-ignore: decorator
@external("env", "proxy_send_local_response") export declare function proxy_send_local_response(statusCode: u32, detailsPtr: usize, detailsLen: usize, bodyPtr: usize, bodyLen: usize, headersPtr: usize, headersLen: usize, grpcStatus: i32): u32;

// @ts-ignore: decorator
@external("env", "proxy_http_call") export declare function proxy_http_call(upstreamPtr: usize, upstreamLen: usize, headersPtr: usize, headersLen: usize, bodyPtr: usize, bodyLen: usize, trailersPtr: usize, trailersLen: usize, timeout: u32, retToken: usize): u32;
// @ts-ignore: decorator
@external("env", "proxy_grpc_call") export declare function proxy_grpc_call(upstreamPtr: usize, upstreamLen: usize, servicePtr: usize, serviceLen: usize, methodPtr: usize, methodLen: usize, metaPtr: usize, metaLen: usize, msgPtr: usize, msgLen: usize, timeout: u32, retToken: usize): u32;
// @ts-ignore: decorator
@external("env", "proxy_grpc_stream") export declare function proxy_grpc_stream(upstreamPtr: usize, upstreamLen: usize, servicePtr: usize, serviceLen: usize, methodPtr: usize, methodLen: usize, metaPtr: usize, metaLen: usize, retToken: usize): u32;
// @ts-ignore: decorator
@external("env", "proxy_grpc_send") export declare function proxy_grpc_send(token: u32, msgPtr: usize, msgLen: usize, endStream: u32): u32;
// @ts-ignore: decorator
@external("env", "proxy_grpc_cancel") export declare function proxy_grpc_cancel(token: u32): u32;
// @ts-ignore: decorator
@external("env", "proxy_grpc_close") export declare function proxy_grpc_close(token: u32): u32;

// @ts-ignore: decorator
@external("env", "proxy_get_property") export declare function proxy_get_property(pathPtr: usize, pathLen: usize, retPtr: usize, retSize: usize): u32;
// @ts-ignore: decorator
@external("env", "proxy_set_property") export declare function proxy_set_property(pathPtr: usize, pathLen: usize, valPtr: usize, valLen: usize): u32;

// @ts-ignore: decorator
@external("env", "proxy_get_shared_data") export declare function proxy_get_shared_data(keyPtr: usize, keyLen: usize, retPtr: usize, retSize: usize, retCas: usize): u32;
// @ts-ignore: decorator
@external("env", "proxy_set_shared_data") export declare function proxy_set_shared_data(keyPtr: usize, keyLen: usize, valPtr: usize, valLen: usize, cas: u32): u32;
// @ts-ignore: decorator
@external("env", "proxy_register_shared_queue") export declare function proxy_register_shared_queue(namePtr: usize, nameLen: usize, retId: usize): u32;
// @ts-ignore: decorator
@external("env", "proxy_resolve_shared_queue") export declare function proxy_resolve_shared_queue(vmIdPtr: usize, vmIdLen: usize, namePtr: usize, nameLen: usize, retId: usize): u32;
// @ts-ignore: decorator
@external("env", "proxy_dequeue_shared_queue") export declare function proxy_dequeue_shared_queue(queueId: u32, retPtr: usize, retSize: usize): u32;
// @ts-ignore: decorator
@external("env", "proxy_enqueue_shared_queue") export declare function proxy_enqueue_shared_queue(queueId: u32, valPtr: usize, valLen: usize): u32;

// @ts-ignore: decorator
@external("env", "proxy_define_metric") export declare function proxy_define_metric(type: u32, namePtr: usize, nameLen: usize, retId: usize): u32;
// @ts-ignore: decorator
@external("env", "proxy_increment_metric") export declare function proxy_increment_metric(id: u32, delta: i64): u32;
// @ts-ignore: decorator
@external("env", "proxy_record_metric") export declare function proxy_record_metric(id: u32, value: u64): u32;
// @ts-ignore: decorator
@external("env", "proxy_get_metric") export declare function proxy_get_metric(id: u32, retValue: usize): u32;

// @ts-ignore: decorator
@external("env", "proxy_call_foreign_function") export declare function proxy_call_foreign_function(namePtr: usize, nameLen: usize, argPtr: usize, argLen: usize, retPtr: usize, retSize: usize): u32;

// WASI: Envoy provides these; used for randomness and the monotonic clock.
// @ts-ignore: decorator
@external("wasi_snapshot_preview1", "random_get") export declare function wasi_random_get(ptr: usize, len: usize): u32;
// @ts-ignore: decorator
@external("wasi_snapshot_preview1", "clock_time_get") export declare function wasi_clock_time_get(clockId: u32, precision: u64, retTime: usize): u32;
