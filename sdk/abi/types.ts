// Enumerations of the proxy-wasm ABI v0.2.1 (plus Higress's buffer type 9).

export enum Status {
  Ok = 0,
  NotFound = 1,
  BadArgument = 2,
  SerializationFailure = 3,
  ParseFailure = 4,
  InvalidMemoryAccess = 6,
  Empty = 7,
  CasMismatch = 8,
  InternalFailure = 10,
  Unimplemented = 12,
}

/** What a header or body hook tells the host. Values are Envoy's filter statuses. */
export enum Action {
  /** Let the stream go on. */
  Continue = 0,
  /** Headers: StopIteration (real on Higress, and on Envoy with allow_on_headers_stop_iteration).
   *  Body: StopIterationAndBuffer. */
  Pause = 1,
  /** Headers only: stop all iteration and buffer with watermarks. */
  StopAllIterationAndWatermark = 4,
  /** Body only: stop without buffering (the chunk is passed on later). */
  StopIterationNoBuffer = 3,
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

export enum MetricType {
  Counter = 0,
  Gauge = 1,
  Histogram = 2,
}
