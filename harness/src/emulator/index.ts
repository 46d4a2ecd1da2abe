// The proxy-wasm host emulator: run a compiled plugin in Node with Envoy's or Higress's behaviour.
export { Emulator, EmulatorLoadError, HttpCall, GrpcCall, SharedData, matchRoute, splitBody } from "./host.js";
export type { EmulatorOptions, EmulatorRoute, RequestSpec, RequestResult, UpstreamAnswer, HttpCallAnswer, HttpResponder, ClusterTarget, ForeignFunction } from "./host.js";
export { HttpStream, type Sent, type LocalResponse, type LogEntry, type StreamOptions } from "./stream.js";
export { Status, Action, BufferType, MapType, StreamType, LogLevel, MetricType, checkModule, hostImports, KNOWN_ABI, type Target, type ModuleCheck } from "./abi.js";
export { decodePairsStrict, encodePairs, toBytePairs, type BytePair, type HeaderInput } from "./pairs.js";
export { HeaderMap } from "./headers.js";
export { RedisConnection, respValueEnd, respCommand } from "./redis.js";
