export { Envoy, EnvoyStartError, pluginError, type EnvoyOptions, type Reconfigured, type StartFailure } from "./envoy.js";
export { buildBootstrap, wasmFilter, type BootstrapSpec, type PluginSpec, type RouteSpec, type ClusterSpec } from "./bootstrap.js";
export { RecordingUpstream, type RecordedRequest } from "./upstream.js";
export { pluginWasm, repoRoot, envoyVersion, requireTools, toolsAt, type EnvoyTools } from "./tools.js";
export { http, type HttpResult } from "./client.js";
export { Emulator, EmulatorLoadError, HttpCall, SharedData, type EmulatorOptions, type RequestSpec, type RequestResult } from "./emulator/index.js";
