// @sluice/sdk: the core API every plugin uses. Layers (top to bottom): exports.ts (the host's
// callbacks) → this API and its helpers → runtime → abi; plugins never import runtime/ or abi/
// (docs/architecture.md). Helpers have their own entry points: @sluice/sdk/json, /crypto,
// /encoding, /http, /redis, /regex, /net, /sse, /auth, /ai, /ratelimit.
export { Action, Status, LogLevel, BufferType, MapType, StreamType, MetricType } from "./abi/types";
export { IS_HIGRESS } from "./abi/target";
export { RootContext, HttpContext } from "./runtime/context";
export { HeaderPair, BytesPair } from "./runtime/pairs";
export { registerRoot as registerPlugin } from "./runtime/dispatcher";
export { Plugin, HttpFilter, BodyMode, ConfigError, DEFAULT_BODY_LIMIT, routeName, clusterName } from "./api/plugin";
export { HeaderMap, HeaderSnapshot, requestHeaders, responseHeaders, requestTrailers, responseTrailers } from "./api/headers";
export { log, logEnabled } from "./api/log";
export { properties } from "./api/properties";
export { time } from "./api/time";
export { randomBytes, randomBelow } from "./api/random";
export { stripPort } from "./config/match";
// Configuration arrives as a JSON object; the rest of JSON is in @sluice/sdk/json.
export { JsonValue, JsonObject, JsonKind, quoteJsonString } from "./json/value";
export { TickHandler, registerTick, clearTicks, lastTickError } from "./timers/ticker";
export { sharedData, SharedEntry } from "./shared/data";
export { SharedQueue, QueueHandler, Dequeued } from "./shared/queue";
export { LeaderElection, randomVmId } from "./shared/leader";
export { Counter, Gauge, Histogram, taggedName } from "./metrics/metrics";
