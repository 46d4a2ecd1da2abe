export { Envoy, type EnvoyOptions } from "./envoy.js";
export { buildBootstrap, type BootstrapSpec, type PluginSpec, type RouteSpec, type ClusterSpec } from "./bootstrap.js";
export { RecordingUpstream, type RecordedRequest } from "./upstream.js";
export { pluginWasm, repoRoot, envoyVersion, requireTools } from "./tools.js";
export { http, type HttpResult } from "./client.js";
export { Emulator, EmulatorLoadError, HttpCall, SharedData, type EmulatorOptions, type RequestSpec, type RequestResult } from "./emulator/index.js";
