// The Sluice SDK: what plugin authors import. Layers (top to bottom): this API → runtime → abi.
export { Action, Status, LogLevel, BufferType, MapType, StreamType, MetricType } from "./abi/types";
export { IS_HIGRESS } from "./abi/target";
export { RootContext, HttpContext } from "./api/context";
export { Plugin, HttpFilter, BodyMode, ConfigError } from "./api/plugin";
export { HeaderMap, requestHeaders, responseHeaders, requestTrailers, responseTrailers } from "./api/headers";
export { HeaderPair, BytesPair } from "./runtime/pairs";
export { log, logEnabled } from "./api/log";
export { properties } from "./api/properties";
export { JsonValue, JsonObject, JsonKind, quoteJsonString } from "./json/value";
export { parseJson, parseJsonBytes, parseJsonObject, JsonResult } from "./json/parse";
export { registerRoot as registerPlugin } from "./runtime/dispatcher";
export { stripPort } from "./config/match";
