// What the host-call areas (logging.ts, headers-buffers.ts, callouts.ts, …) see of the host. The
// Emulator builds one HostContext over its private state, so the areas never import host.ts.
import type { CalloutKind, Target } from "./abi.js";
import type { ClusterTarget } from "./calls.js";
import type { HeaderMap } from "./headers.js";
import type { GuestMemory } from "./memory.js";
import type { HttpStream } from "./stream.js";

/** The options the areas read; EmulatorOptions (host.ts, where they are documented) has these and more. */
export interface HostOptions {
  clusters?: Record<string, ClusterTarget>;
  redis?: string;
  rootId?: string;
  vmId?: string;
  useRemoteAddress?: boolean;
  upstreamHosts?: [string, string][];
  environment?: Record<string, string>;
  realClock?: boolean;
}

/** What the host hands the module only during some callbacks (the non-stream buffer and map types). */
export interface CallbackData {
  /** During proxy_on_http_call_response with a response. */
  callResponse: { headers: HeaderMap; body: Buffer; trailers: HeaderMap } | null;
  /** During proxy_on_grpc_receive. */
  grpcMessage: Buffer | null;
  /** During proxy_on_redis_call_response with a reply (Higress). */
  redisResponse: Buffer | null;
  /** proxy_on_vm_start reads the VM configuration, proxy_on_configure the plugin's. */
  configPhase: "vm" | "plugin" | null;
  readonly vmConfig: Buffer;
  readonly pluginConfig: Buffer;
  /** What proxy_get_status reports: the last callout's outcome. */
  lastStatus: { code: number; message: string };
}

export interface HostContext {
  readonly target: Target;
  readonly options: HostOptions;
  readonly pluginName: string;
  readonly rootContextId: number;
  /** The module's memory (valid once the module is instantiated). */
  readonly mem: GuestMemory;
  readonly failed: boolean;
  readonly logLevel: number;
  /** The context the running host call acts on (proxy_set_effective_context moves it). */
  effective: number;
  readonly data: CallbackData;
  /** proxy_set_property calls made outside a stream. */
  readonly rootProperties: Map<string, Buffer>;
  /** Host-wide properties from the options. */
  readonly properties: Map<string, Buffer>;
  /** The stream the effective context belongs to. */
  current(): HttpStream | undefined;
  stream(id: number): HttpStream | undefined;
  vmCall(name: string, contextId: number, ...args: number[]): number | undefined;
  /** Settles what a callback outside the stream's own hooks asked for (on `stream`, or on every stream for the root). */
  afterCallback(stream: HttpStream | undefined): void;
  /** Runs `action` once the outermost VM call returns. */
  later(action: () => void): void;
  /** Keeps the host busy (host.idle(), host.request()) until `p` settles. */
  track(p: Promise<void>): void;
  takeToken(kind: CalloutKind): number;
  pushLog(level: number, message: string, contextId: number): void;
  nowNs(): bigint;
  /** The monotonic clock (WASI clock 1). */
  monotonicNs(): bigint;
  setTickPeriod(ms: number): void;
}

/** Host functions by import name, as one area provides them. */
export type HostFunctions = Record<string, Function>;
