// The proxy-wasm ABI as the two hosts see it: enums, the ABI markers each host recognises, and
// the exact set of imports each host registers. A module that imports anything else is refused
// at load time with the host's own message.

export enum Status {
  Ok = 0,
  NotFound = 1,
  BadArgument = 2,
  SerializationFailure = 3,
  ParseFailure = 4,
  BadExpression = 5,
  InvalidMemoryAccess = 6,
  Empty = 7,
  CasMismatch = 8,
  ResultMismatch = 9,
  InternalFailure = 10,
  BrokenConnection = 11,
  Unimplemented = 12,
}

export enum Action {
  Continue = 0,
  Pause = 1,
}

export enum BufferType {
  HttpRequestBody = 0,
  HttpResponseBody = 1,
  DownstreamData = 2,
  UpstreamData = 3,
  HttpCallResponseBody = 4,
  GrpcReceiveBuffer = 5,
  VmConfiguration = 6,
  PluginConfiguration = 7,
  CallData = 8,
  RedisCallResponse = 9,
}

export enum MapType {
  HttpRequestHeaders = 0,
  HttpRequestTrailers = 1,
  HttpResponseHeaders = 2,
  HttpResponseTrailers = 3,
  GrpcReceiveInitialMetadata = 4,
  GrpcReceiveTrailingMetadata = 5,
  HttpCallResponseHeaders = 6,
  HttpCallResponseTrailers = 7,
}

export enum StreamType {
  Request = 0,
  Response = 1,
  Downstream = 2,
  Upstream = 3,
}

export enum LogLevel {
  Trace = 0,
  Debug = 1,
  Info = 2,
  Warn = 3,
  Error = 4,
  Critical = 5,
  Off = 6,
}

export const LOG_LEVEL_NAMES = ["trace", "debug", "info", "warn", "error", "critical", "off"] as const;
export type LogLevelName = (typeof LOG_LEVEL_NAMES)[number];

export enum MetricType {
  Counter = 0,
  Gauge = 1,
  Histogram = 2,
}

/** What a stream hook's return value asks for (proxy-wasm FilterHeadersStatus). */
export enum HeadersStatus {
  Continue = 0,
  StopIteration = 1,
  ContinueAndEndStream = 2,
  StopAllIterationAndBuffer = 3,
  StopAllIterationAndWatermark = 4,
}

/** proxy-wasm FilterDataStatus. */
export enum DataStatus {
  Continue = 0,
  StopIterationAndBuffer = 1,
  StopIterationAndWatermark = 2,
  StopIterationNoBuffer = 3,
}

/** proxy-wasm FilterTrailersStatus. */
export enum TrailersStatus {
  Continue = 0,
  StopIteration = 1,
}

/** Higress: the status proxy_on_redis_call_response gets (RedisStatus in its C++ SDK). */
export enum RedisStatus {
  Ok = 0,
  NetworkError = 1,
}

/** Higress's cpp-host keeps the kind of callout in a token's low two bits. */
export enum CalloutKind {
  Http = 0,
  GrpcCall = 1,
  GrpcStream = 2,
  Redis = 3,
}

/** The WASI errno values the host returns. */
export enum WasiErrno {
  Success = 0,
  Badf = 8,
  Fault = 21,
  Inval = 28,
  Noent = 44,
  Nosys = 52,
}

export type Target = "envoy" | "higress";

/** ABI markers each host knows, in the order cpp-host checks the export section (first known wins). */
export const KNOWN_ABI: Record<Target, string[]> = {
  envoy: ["proxy_abi_version_0_1_0", "proxy_abi_version_0_2_0", "proxy_abi_version_0_2_1"],
  higress: ["proxy_abi_version_0_1_0", "proxy_abi_version_0_2_0", "proxy_abi_version_0_2_1", "proxy_abi_version_0_2_100"],
};

/** Host functions that upstream Envoy (cpp-host + Envoy's context) registers for ABI 0.2.x modules. */
export const ENVOY_ENV_IMPORTS = [
  "proxy_log", "proxy_get_log_level", "proxy_set_effective_context", "proxy_done",
  "proxy_get_current_time_nanoseconds", "proxy_set_tick_period_milliseconds",
  "proxy_get_property", "proxy_set_property",
  "proxy_continue_stream", "proxy_close_stream", "proxy_send_local_response", "proxy_get_status",
  "proxy_get_shared_data", "proxy_set_shared_data",
  "proxy_register_shared_queue", "proxy_resolve_shared_queue", "proxy_dequeue_shared_queue", "proxy_enqueue_shared_queue",
  "proxy_get_header_map_value", "proxy_add_header_map_value", "proxy_replace_header_map_value",
  "proxy_remove_header_map_value", "proxy_get_header_map_pairs", "proxy_set_header_map_pairs", "proxy_get_header_map_size",
  "proxy_get_buffer_status", "proxy_get_buffer_bytes", "proxy_set_buffer_bytes",
  "proxy_http_call", "proxy_grpc_call", "proxy_grpc_stream", "proxy_grpc_close", "proxy_grpc_cancel", "proxy_grpc_send",
  "proxy_define_metric", "proxy_increment_metric", "proxy_record_metric", "proxy_get_metric",
  "proxy_call_foreign_function",
  "emscripten_notify_memory_growth",
] as const;

/** Higress's cpp-host fork registers these on top of upstream's (higress-sdk.md §d.3–d.4). */
export const HIGRESS_EXTRA_IMPORTS = [
  "proxy_redis_init", "proxy_redis_call",
  "proxy_inject_encoded_data_to_filter_chain", "proxy_get_upstream_hosts", "proxy_set_upstream_override_host",
] as const;

/** WASI functions cpp-host registers (some are stubs), under both WASI module names. */
export const WASI_IMPORTS = [
  "fd_write", "fd_read", "fd_seek", "fd_close", "fd_fdstat_get", "fd_fdstat_set_flags",
  "fd_prestat_get", "fd_prestat_dir_name", "fd_filestat_get", "fd_readdir",
  "path_open", "path_filestat_get",
  "environ_get", "environ_sizes_get", "args_get", "args_sizes_get",
  "clock_time_get", "clock_res_get", "random_get", "proc_exit", "sched_yield", "poll_oneoff",
] as const;

export const WASI_MODULES = ["wasi_snapshot_preview1", "wasi_unstable"] as const;

/** Every `module.name` a host provides. */
export function hostImports(target: Target): Set<string> {
  const out = new Set<string>();
  for (const n of ENVOY_ENV_IMPORTS) out.add(`env.${n}`);
  if (target === "higress") for (const n of HIGRESS_EXTRA_IMPORTS) out.add(`env.${n}`);
  for (const m of WASI_MODULES) for (const n of WASI_IMPORTS) out.add(`${m}.${n}`);
  return out;
}

/** Host calls allowed while the VM runs `_initialize`/`_start` (cpp-host restricted mode). */
export const ALLOWED_DURING_INIT = new Set([
  "proxy_log", "emscripten_notify_memory_growth",
  "fd_write", "args_get", "args_sizes_get", "environ_get", "environ_sizes_get", "clock_time_get", "clock_res_get",
  "random_get", "poll_oneoff", "fd_fdstat_get", "fd_fdstat_set_flags", "fd_read", "fd_seek", "fd_close",
  "fd_prestat_get", "fd_prestat_dir_name", "fd_filestat_get", "fd_readdir", "path_open", "path_filestat_get", "sched_yield", "proc_exit",
]);

/** Host calls allowed inside the module's allocator (cpp-host WasmBase::allocMemory). */
export const ALLOWED_DURING_ALLOC = new Set(["proxy_log", "fd_write", "clock_time_get", "poll_oneoff"]);

export interface ModuleCheck {
  /** The ABI marker the host picks, or null. */
  abi: string | null;
  /** Imports the host does not provide (as `module.name`). */
  missing: string[];
  imports: string[];
  exports: string[];
}

/** What a host would decide about a compiled module, without running it. */
const checked = new WeakMap<WebAssembly.Module, Partial<Record<Target, ModuleCheck>>>();

export function checkModule(module: WebAssembly.Module, target: Target): ModuleCheck {
  let cache = checked.get(module);
  if (!cache) checked.set(module, (cache = {}));
  return (cache[target] ??= inspect(module, target));
}

function inspect(module: WebAssembly.Module, target: Target): ModuleCheck {
  const provided = hostImports(target);
  const imports = WebAssembly.Module.imports(module).filter((i) => i.kind === "function").map((i) => `${i.module}.${i.name}`);
  const exports = WebAssembly.Module.exports(module).map((e) => e.name);
  const known = KNOWN_ABI[target];
  const abi = exports.find((e) => known.includes(e)) ?? null;
  return { abi, missing: imports.filter((i) => !provided.has(i)), imports, exports };
}
