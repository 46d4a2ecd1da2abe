// A proxy-wasm host in TypeScript: runs a compiled plugin in Node's V8 with every ABI 0.2.1
// host function, Envoy's real behaviour where it differs from the spec (as-sdk-abi.md §c.7),
// and Higress's deltas (0.2.100 marker, Redis over a real TCP connection, upstream-host calls).
// This file is the Emulator: loading, the VM lifecycle and the test API. The host functions live
// by area (logging.ts, vm.ts, properties.ts, stream-control.ts, headers-buffers.ts, callouts.ts,
// shared.ts, metrics.ts, foreign.ts, redis-calls.ts, routes.ts, wasi.ts); instantiate() composes
// them over one HostContext (types.ts).
import { readFileSync } from "node:fs";
import {
  ALLOWED_DURING_ALLOC, ALLOWED_DURING_INIT, ENVOY_ENV_IMPORTS, HIGRESS_EXTRA_IMPORTS, LOG_LEVEL_NAMES,
  LogLevel, Status, WASI_IMPORTS, WASI_MODULES, WasiErrno, checkModule, type CalloutKind, type LogLevelName, type Target,
} from "./abi.js";
import { GrpcCall, HttpCall, type ClusterTarget, type HttpCallAnswer } from "./calls.js";
import { Callouts, calloutImports } from "./callouts.js";
import { foreignImports } from "./foreign.js";
import { HeaderMap } from "./headers.js";
import { bufferImports, headerMapImports } from "./headers-buffers.js";
import { loggingImports } from "./logging.js";
import { GuestMemory } from "./memory.js";
import { Metrics, metricImports } from "./metrics.js";
import { toBytePairs, type BytePair } from "./pairs.js";
import { propertyImports } from "./properties.js";
import { respValueEnd } from "./redis.js";
import { RedisCalls, redisImports } from "./redis-calls.js";
import { envoyRequestHeaders, resultOf, splitBody, type RequestResult, type RequestSpec, type UpstreamAnswer } from "./request.js";
import { matchRoute, upstreamHostImports, type EmulatorRoute } from "./routes.js";
import { SharedData, SharedQueues, sharedImports } from "./shared.js";
import { HttpStream, propertyBytes, toBuffer, type LogEntry, type StreamOptions, type StreamHost } from "./stream.js";
import { streamControlImports } from "./stream-control.js";
import type { CallbackData, HostContext, HostFunctions } from "./types.js";
import { httpExchange, resetAnswer } from "./upstream.js";
import { vmImports } from "./vm.js";
import { wasiImports } from "./wasi.js";

export { GrpcCall, HttpCall, type ClusterTarget, type HttpCallAnswer, type HttpResponder } from "./calls.js";
export { DEFAULT_PEER } from "./properties.js";
export { splitBody, type RequestResult, type RequestSpec, type UpstreamAnswer } from "./request.js";
export { matchRoute, type EmulatorRoute } from "./routes.js";
export { SharedData } from "./shared.js";
export { respValueEnd };

export interface EmulatorOptions {
  /** Which host to be. Default: the one the module's ABI marker names (0_2_100 → higress). */
  target?: Target;
  /** Plugin configuration: an object is sent as JSON, a string as it is. */
  config?: unknown;
  vmConfig?: string;
  pluginName?: string;
  rootId?: string;
  vmId?: string;
  /** Clusters known to the host (http_call and redis_init refuse other names). */
  clusters?: Record<string, ClusterTarget>;
  /** Redis for every cluster name not in `clusters`: "host:port". */
  redis?: string;
  /** Routes as in the Envoy bootstrap spec: give route_name/cluster_name and the upstream. */
  routes?: EmulatorRoute[];
  /** Host-wide properties (dotted paths, e.g. "node.id"). */
  properties?: Record<string, string | Uint8Array | number | bigint | boolean>;
  logLevel?: LogLevelName | LogLevel;
  /** Envoy's allow_on_headers_stop_iteration (our Envoy harness sets it; default true on envoy). */
  allowOnHeadersStopIteration?: boolean;
  failurePolicy?: "FAIL_CLOSED" | "FAIL_OPEN";
  /** Higress proxy_get_upstream_hosts: [host:port, metrics text]. */
  upstreamHosts?: [string, string][];
  foreignFunctions?: Record<string, ForeignFunction>;
  environment?: Record<string, string>;
  /** Do not throw when on_vm_start/on_configure fail; check `host.started`. */
  allowStartFailure?: boolean;
  /** Envoy's use_remote_address: the peer is appended to X-Forwarded-For and is source.address.
   *  Without it, source.address is the last X-Forwarded-For address when there is one. */
  useRemoteAddress?: boolean;
  /** Let the clock run in real time (default: frozen at load, moved by advance()). */
  realClock?: boolean;
  /** Print plugin logs as they happen. */
  echoLogs?: boolean;
  /** Shared data store (share one between emulators to model several VMs). */
  sharedData?: SharedData;
}

export type ForeignFunction = (args: Buffer, host: Emulator) => Uint8Array | string | Status;

export class EmulatorLoadError extends Error {
  constructor(message: string, readonly logs: LogEntry[] = []) {
    super(message);
  }
}

class Trap extends Error {}

interface Fault {
  status: number;
  times: number;
}

const enc = (s: string) => Buffer.from(s, "utf8");

export class Emulator implements StreamHost {
  readonly target: Target;
  readonly abi: string;
  readonly rootContextId = 1;
  readonly logs: LogEntry[] = [];
  readonly traps: { callback: string; message: string }[] = [];
  /** proxy_set_property calls made outside a stream (root context). */
  readonly rootProperties = new Map<string, Buffer>();
  readonly sharedData: SharedData;
  failed = false;
  started = false;
  tickPeriodMs = 0;
  logLevel: number;
  /** Counts of host calls made by the module, by import name. */
  readonly hostCalls = new Map<string, number>();
  /** The module's exports the host entered, by name (a hook the module does not export is not entered). */
  readonly vmEntries = new Map<string, number>();

  private instance!: WebAssembly.Instance;
  private mem!: GuestMemory;

  /** The VM's linear memory in bytes (it only grows: the high-water mark of what the plugin used). */
  get memoryBytes(): number {
    return this.mem.buffer.byteLength;
  }
  private exportsMap!: Record<string, unknown>;
  private restricted: Set<string> | null = null;
  private effective = 0;
  private depth = 0;
  private nextContextId = 2;
  private streams = new Map<number, HttpStream>();
  private afterActions: (() => void)[] = [];
  private readonly data: CallbackData;
  private nextToken = 1;
  private inflight = new Set<Promise<void>>();
  private faults = new Map<string, Fault>();
  private clockOffsetNs = 0n;
  private readonly clockBaseNs = BigInt(Date.now()) * 1000000n;
  private readonly monoBaseNs = process.hrtime.bigint();
  private tickElapsedMs = 0;
  private upstreamWaiters = new Map<number, () => void>();
  readonly properties = new Map<string, Buffer>();
  readonly failOpen: boolean;
  readonly stopIterationKept: boolean;
  /** What the host-function areas see of this host. */
  private readonly ctx: HostContext = this.context();
  private readonly callouts = new Callouts(this.ctx);
  private readonly redis = new RedisCalls(this.ctx);
  private readonly metricStore = new Metrics();
  private readonly queues = new SharedQueues(this.ctx);

  private constructor(private readonly module: WebAssembly.Module, readonly options: EmulatorOptions, target: Target, abi: string) {
    this.target = target;
    this.abi = abi;
    this.sharedData = options.sharedData ?? new SharedData();
    const lvl = options.logLevel ?? "debug";
    this.logLevel = typeof lvl === "number" ? lvl : LOG_LEVEL_NAMES.indexOf(lvl);
    this.failOpen = options.failurePolicy === "FAIL_OPEN";
    this.stopIterationKept = abi === "proxy_abi_version_0_2_100" || (options.allowOnHeadersStopIteration ?? target === "envoy");
    for (const [k, v] of Object.entries(options.properties ?? {})) this.properties.set(k, propertyBytes(v));
    const cfg = options.config;
    const pluginConfig = cfg === undefined ? Buffer.alloc(0) : typeof cfg === "string" ? enc(cfg) : cfg instanceof Uint8Array ? Buffer.from(cfg) : enc(JSON.stringify(cfg));
    this.data = {
      callResponse: null,
      grpcMessage: null,
      redisResponse: null,
      configPhase: null,
      vmConfig: enc(options.vmConfig ?? ""),
      pluginConfig,
      lastStatus: { code: Status.Ok, message: "" },
    };
  }

  get pluginName(): string {
    return this.options.pluginName ?? "plugin";
  }

  /** Loads a module, checks it as the host would, and starts the plugin (on_vm_start, on_configure). */
  static async load(wasm: string | Uint8Array | WebAssembly.Module, options: EmulatorOptions = {}): Promise<Emulator> {
    const module = wasm instanceof WebAssembly.Module ? wasm : new WebAssembly.Module((typeof wasm === "string" ? readFileSync(wasm) : wasm) as unknown as BufferSource);
    const higress = checkModule(module, "higress");
    const target: Target = options.target ?? (higress.abi === "proxy_abi_version_0_2_100" ? "higress" : "envoy");
    const check = checkModule(module, target);
    if (!check.abi) throw new EmulatorLoadError("Missing or unknown Proxy-Wasm ABI version");
    if (check.missing.length) throw new EmulatorLoadError(`Failed to load Wasm module due to a missing import: ${check.missing[0]}`);
    const host = new Emulator(module, options, target, check.abi);
    host.instantiate();
    host.startPlugin();
    if (!host.started && !options.allowStartFailure) {
      const tail = host.logs.map((l) => `[${l.levelName}] ${l.message}`).join("\n");
      throw new EmulatorLoadError(`Unable to create Wasm plugin ${host.pluginName}\n${tail}`, host.logs);
    }
    return host;
  }

  // ================================================================ lifecycle

  private instantiate(): void {
    const imports: Record<string, Record<string, Function>> = { env: {} };
    const env = this.envFunctions();
    const provided = new Set<string>(ENVOY_ENV_IMPORTS);
    if (this.target === "higress") for (const n of HIGRESS_EXTRA_IMPORTS) provided.add(n);
    for (const name of provided) imports.env[name] = this.guard(name, env[name] ?? (() => Status.Unimplemented));
    const wasi = wasiImports(this.ctx);
    for (const m of WASI_MODULES) {
      imports[m] = {};
      for (const name of WASI_IMPORTS) imports[m][name] = this.guard(name, wasi[name] ?? (() => WasiErrno.Nosys));
    }
    this.instance = new WebAssembly.Instance(this.module, imports as WebAssembly.Imports);
    this.exportsMap = this.instance.exports as Record<string, unknown>;
    const mem = this.exportsMap.memory;
    if (!(mem instanceof WebAssembly.Memory)) throw new EmulatorLoadError("Wasm module has no exported memory");
    const alloc = (this.exportsMap.malloc ?? this.exportsMap.proxy_on_memory_allocate) as ((n: number) => number) | undefined;
    if (typeof alloc !== "function") throw new EmulatorLoadError("Wasm module is missing malloc function.");
    // cpp-host's allocMemory: while the module's allocator runs only a few calls are allowed.
    this.mem = new GuestMemory(mem, (n) => {
      const saved = this.restricted;
      this.restricted = ALLOWED_DURING_ALLOC;
      try {
        return alloc(n);
      } finally {
        this.restricted = saved;
      }
    });
  }

  /** Every env host function, by area. */
  private envFunctions(): HostFunctions {
    const h = this.ctx;
    const userForeign = (name: string) => {
      const f = this.options.foreignFunctions?.[name];
      return f && ((args: Buffer) => f(args, this));
    };
    return {
      ...loggingImports(h),
      ...vmImports(h),
      ...propertyImports(h),
      ...streamControlImports(h),
      ...sharedImports(h, this.sharedData, this.queues),
      ...headerMapImports(h),
      ...bufferImports(h),
      ...calloutImports(h, this.callouts, this),
      ...metricImports(h, this.metricStore),
      ...foreignImports(h, userForeign),
      // Higress
      ...redisImports(h, this.redis),
      ...upstreamHostImports(h),
    };
  }

  private startPlugin(): void {
    this.restricted = ALLOWED_DURING_INIT;
    try {
      if (typeof this.exportsMap._initialize === "function") {
        (this.exportsMap._initialize as () => void)();
        if (typeof this.exportsMap.main === "function") (this.exportsMap.main as (a: number, b: number) => number)(0, 0);
      } else if (typeof this.exportsMap._start === "function") {
        (this.exportsMap._start as () => void)();
      }
    } catch (e) {
      this.restricted = null;
      this.trap("_initialize", e);
      return;
    } finally {
      this.restricted = null;
    }
    const root = this.rootContextId;
    this.vmCall("proxy_on_context_create", root, root, 0);
    this.data.configPhase = "vm";
    const vmOk = this.vmCall("proxy_on_vm_start", root, root, this.data.vmConfig.length);
    this.data.configPhase = null;
    if (this.failed || vmOk === 0) return this.drainAfterActions();
    this.data.configPhase = "plugin";
    const ok = this.vmCall("proxy_on_configure", root, root, this.data.pluginConfig.length);
    this.data.configPhase = null;
    this.started = !this.failed && ok !== 0;
    this.drainAfterActions();
  }

  /** Calls a module export with `contextId` as the effective context; undefined if the VM failed. */
  vmCall(name: string, contextId: number, ...args: number[]): number | undefined {
    if (this.failed) return undefined;
    const f = this.exportsMap[name];
    if (typeof f !== "function") return name === "proxy_on_done" || name === "proxy_on_vm_start" || name === "proxy_on_configure" ? 1 : 0;
    this.vmEntries.set(name, (this.vmEntries.get(name) ?? 0) + 1);
    const saved = this.effective;
    this.effective = contextId;
    this.depth++;
    try {
      const r = (f as (...a: number[]) => number)(...args);
      return typeof r === "number" ? r : 0;
    } catch (e) {
      this.trap(name, e);
      return undefined;
    } finally {
      this.depth--;
      this.effective = saved;
    }
  }

  private trap(callback: string, e: unknown): void {
    this.failed = true;
    const message = e instanceof Error ? e.message : String(e);
    this.traps.push({ callback, message });
    this.pushLog(LogLevel.Critical, `Function: ${callback} failed: ${message}`, 0);
  }

  drainAfterActions(): void {
    if (this.depth > 0) return;
    while (this.afterActions.length) this.afterActions.shift()!();
  }

  // ================================================================ test API

  /** A new HTTP stream to drive step by step. */
  stream(options: StreamOptions = {}): HttpStream {
    const s = new HttpStream(this, this.nextContextId++, options);
    this.streams.set(s.id, s);
    return s;
  }

  /** Runs one request through the plugin (and its upstream), answering callouts routed to real servers or responders. */
  async request(spec: RequestSpec = {}): Promise<RequestResult> {
    const s = this.stream(spec.stream);
    const given = splitBody(spec.body, spec.chunks);
    const headers = spec.raw ? toBytePairs(spec.headers) : envoyRequestHeaders(spec, given, this.options);
    const hasTrailers = !!spec.trailers;
    // An empty body sent with content-length: 0 ends the stream at the headers in Envoy's codec
    // (decodeHeaders with end_stream); only a chunked empty body reaches the body callback.
    const chunks = !hasTrailers && isEmptyFixedLength(given, headers) ? [] : given;
    s.sendRequestHeaders(headers, chunks.length === 0 && !hasTrailers);
    for (let i = 0; i < chunks.length; i++) {
      if (s.localResponse || s.reset) break;
      s.sendRequestBody(chunks[i], i === chunks.length - 1 && !hasTrailers);
    }
    if (hasTrailers && !s.localResponse && !s.reset) s.sendRequestTrailers(spec.trailers!);
    await this.settleWhile(() => !s.localResponse && !s.reset && !s.req.out.complete, s, "request");
    if (!s.localResponse && !s.reset) {
      const answer = await this.upstreamAnswer(s, spec);
      const respHeaders: BytePair[] = [[enc(":status"), enc(String(answer.status ?? 200))], ...toBytePairs(answer.headers)];
      const given = splitBody(answer.body, answer.chunks);
      // As for requests: an empty body that is not chunked ends the response at its headers.
      const body = !answer.trailers && !Array.isArray(answer.chunks) && (answer.chunks ?? 1) <= 1 && isEmptyFixedLength(given, respHeaders) ? [] : given;
      s.sendResponseHeaders(respHeaders, body.length === 0 && !answer.trailers);
      for (let i = 0; i < body.length; i++) {
        if (s.reset || (s.localResponse && s.resp.out.complete)) break;
        s.sendResponseBody(body[i], i === body.length - 1 && !answer.trailers);
      }
      if (answer.trailers && !s.reset) s.sendResponseTrailers(answer.trailers);
      await this.settleWhile(() => !s.reset && !s.resp.out.complete, s, "response");
    }
    s.complete();
    return resultOf(s);
  }

  /** HTTP callouts still waiting for an answer. */
  pendingHttpCalls(): HttpCall[] {
    return [...this.callouts.http.values()].filter((c) => !c.answered);
  }

  pendingGrpcCalls(): GrpcCall[] {
    return [...this.callouts.grpc.values()];
  }

  /** Waits until every callout routed to a real server or responder has been answered. */
  async idle(): Promise<void> {
    while (this.inflight.size) await Promise.race(this.inflight);
  }

  /** Makes the next `times` calls of host function `name` return `status` without doing anything. */
  failNext(name: string, status: Status = Status.InternalFailure, times = 1): void {
    this.faults.set(name.startsWith("proxy_") || WASI_IMPORTS.includes(name as never) ? name : `proxy_${name}`, { status, times });
  }

  /** The next Redis call gets a network failure (status 1) or a RESP error reply. */
  failNextRedis(kind: "network" | { error: string } = "network"): void {
    this.redis.faults.push(kind);
  }

  /** Calls proxy_on_tick once. */
  tick(): void {
    if (this.failed) return;
    this.vmCall("proxy_on_tick", this.rootContextId, this.rootContextId);
    this.afterRootCallback();
  }

  /** Moves the clock on: fires due ticks and times out callouts whose deadline passed. */
  advance(ms: number): void {
    // Step through the interval so each tick sees the clock at its own time.
    let left = ms;
    while (left > 0) {
      const step = this.tickPeriodMs > 0 ? Math.min(left, this.tickPeriodMs - this.tickElapsedMs) : left;
      this.clockOffsetNs += BigInt(Math.round(step * 1e6));
      left -= step;
      for (const c of this.pendingHttpCalls()) {
        if (c.timeoutMs > 0 && this.nowMs() - c.sentAt >= c.timeoutMs) c.timeout();
      }
      if (this.tickPeriodMs > 0) {
        this.tickElapsedMs += step;
        if (this.tickElapsedMs >= this.tickPeriodMs && !this.failed) {
          this.tickElapsedMs = 0;
          this.tick();
        }
      }
    }
  }

  nowMs(): number {
    return Number(this.nowNs() / 1000000n);
  }

  /** The host's clock: frozen at load time and moved only by advance(), unless realClock is set. */
  nowNs(): bigint {
    const base = this.options.realClock ? BigInt(Date.now()) * 1000000n : this.clockBaseNs;
    return base + this.clockOffsetNs;
  }

  /** A metric by the name the plugin defined (without Envoy's wasmcustom prefix). */
  metric(name: string): bigint | undefined {
    return this.metricStore.byName(name);
  }

  metrics(): Record<string, bigint> {
    return this.metricStore.all();
  }

  /** Puts a message on a shared queue (as another VM would) and lets the owner know. */
  enqueue(vmId: string, name: string, data: string | Uint8Array): Status {
    const id = this.queues.resolve(vmId, name);
    if (id === undefined) return Status.NotFound;
    this.queues.enqueue(id, toBuffer(data));
    this.drainAfterActions();
    return Status.Ok;
  }

  queueSize(vmId: string, name: string): number {
    const id = this.queues.resolve(vmId, name);
    return id === undefined ? 0 : this.queues.size(id);
  }

  logLines(minLevel: LogLevel = LogLevel.Trace): string[] {
    return this.logs.filter((l) => l.level >= minLevel).map((l) => l.message);
  }

  /** Stops Redis connections and forgets pending work. */
  close(): void {
    this.redis.close();
  }

  // ================================================================ stream plumbing

  routeResolved(s: HttpStream): boolean {
    return s.route !== undefined || s.cluster !== undefined || !this.options.routes;
  }

  resolveRoute(s: HttpStream): void {
    const h = s.req.headers!;
    const route = matchRoute(this.options.routes ?? [], h.get(":authority")?.toString() ?? "", h.get(":path")?.toString() ?? "/");
    if (route) {
      s.route = route.name;
      s.cluster = route.cluster;
    }
  }

  onUpstreamRequest(s: HttpStream): void {
    const w = this.upstreamWaiters.get(s.id);
    if (w) w();
  }

  forgetStream(s: HttpStream): void {
    this.streams.delete(s.id);
    this.callouts.forget(s.id);
  }

  private async settleWhile(cond: () => boolean, s?: HttpStream, phase?: string): Promise<void> {
    while (cond()) {
      if (this.inflight.size === 0) {
        if (!s) return;
        const waiting = this.pendingHttpCalls().filter((c) => c.contextId === s.id || c.contextId === this.rootContextId);
        const what = waiting.length ? `${waiting.length} HTTP callout(s) to ${waiting.map((c) => c.cluster).join(", ")}` : "nothing (the plugin never resumed it)";
        throw new Error(`the ${phase} is paused waiting for ${what}; answer callouts with host.pendingHttpCalls()[i].respond(...), route the cluster to a server, or drive the stream step by step`);
      }
      await Promise.race(this.inflight);
    }
  }

  private async upstreamAnswer(s: HttpStream, spec: RequestSpec): Promise<UpstreamAnswer> {
    const up = s.upstream;
    if (spec.response) return typeof spec.response === "function" ? await spec.response(up) : spec.response;
    if (this.options.routes && s.route === undefined) return { status: 404 };
    const target = s.cluster !== undefined ? this.options.clusters?.[s.cluster] : undefined;
    if (typeof target === "string" && target.startsWith("http")) {
      const h = new HeaderMap(up.rawHeaders ?? []);
      const r = await httpExchange(target, h, up.body, 0);
      if ("error" in r) return { status: 503, body: resetAnswer(r.error === "terminated" ? "terminated" : "connect") };
      return { status: r.status, headers: r.headers, body: r.body };
    }
    if (typeof target === "function") {
      const call = new HttpCall(this, 0, s.id, s.cluster!, up.rawHeaders ?? [], up.body, [], 0);
      const a = await target(call);
      return a;
    }
    // An echo of the request, like harness/src/upstream.ts's RecordingUpstream.
    const h = Object.fromEntries((up.headers ?? []).filter(([k]) => !k.startsWith(":")));
    const hm = new HeaderMap(up.rawHeaders ?? []);
    const echo = { method: hm.get(":method")?.toString() ?? "", path: hm.get(":path")?.toString() ?? "", headers: h, body: up.body.toString("utf8") };
    return { status: 200, headers: [["content-type", "application/json"], ["x-upstream", "emulator"]], body: JSON.stringify(echo) };
  }

  private afterRootCallback(): void {
    // A callback on the root context may have changed streams (continue, local reply…).
    for (const s of [...this.streams.values()]) s.afterForeignCallback();
    this.drainAfterActions();
  }

  private track(p: Promise<void>): void {
    const q = p.finally(() => this.inflight.delete(q));
    this.inflight.add(q);
  }

  deliverHttpCall(call: HttpCall, answer: HttpCallAnswer | null): void {
    this.callouts.deliverHttpCall(call, answer);
  }

  deliverGrpc(call: GrpcCall, message: Buffer | null, status: number): void {
    this.callouts.deliverGrpc(call, message, status);
  }

  // ================================================================ host functions

  private pushLog(level: number, message: string, contextId: number): void {
    const entry: LogEntry = { level, levelName: LOG_LEVEL_NAMES[level] ?? String(level), message, contextId };
    this.logs.push(entry);
    const s = this.streams.get(contextId);
    if (s) s.logs.push(entry);
    if (this.options.echoLogs) console.log(`[emulator ${this.target}] [${entry.levelName}] ${message}`);
  }

  private guard(name: string, fn: Function): Function {
    return (...args: unknown[]) => {
      if (this.restricted && !this.restricted.has(name)) throw new Trap(`restricted_callback: ${name} is not allowed here`);
      this.hostCalls.set(name, (this.hostCalls.get(name) ?? 0) + 1);
      const f = this.faults.get(name);
      if (f && f.times > 0) {
        if (--f.times === 0) this.faults.delete(name);
        return f.status;
      }
      return fn(...args);
    };
  }

  /** The HostContext over this host's private state; read lazily, so it can be built first. */
  private context(): HostContext {
    const self = this;
    return {
      get target() { return self.target; },
      get options() { return self.options; },
      get pluginName() { return self.pluginName; },
      get rootContextId() { return self.rootContextId; },
      get mem() { return self.mem; },
      get failed() { return self.failed; },
      get logLevel() { return self.logLevel; },
      get effective() { return self.effective; },
      set effective(id: number) { self.effective = id; },
      get data() { return self.data; },
      get rootProperties() { return self.rootProperties; },
      get properties() { return self.properties; },
      current: () => self.streams.get(self.effective),
      stream: (id) => self.streams.get(id),
      vmCall: (name, contextId, ...args) => self.vmCall(name, contextId, ...args),
      afterCallback: (s) => (s ? s.afterForeignCallback() : self.afterRootCallback()),
      later: (action) => {
        self.afterActions.push(action);
      },
      track: (p) => self.track(p),
      // Higress's cpp-host: the low two bits say what kind of callout a token belongs to.
      takeToken: (kind: CalloutKind) => (self.nextToken++ << 2) | kind,
      pushLog: (level, message, contextId) => self.pushLog(level, message, contextId),
      nowNs: () => self.nowNs(),
      monotonicNs: () => (self.options.realClock ? process.hrtime.bigint() : self.monoBaseNs) + self.clockOffsetNs,
      setTickPeriod: (ms) => {
        self.tickPeriodMs = ms;
        self.tickElapsedMs = 0;
      },
    };
  }
}

/** One empty chunk, framed by content-length (no transfer-encoding: chunked): Envoy sees no body. */
function isEmptyFixedLength(chunks: Buffer[], headers: BytePair[]): boolean {
  if (chunks.length !== 1 || chunks[0].length !== 0) return false;
  return !headers.some(([k, v]) => k.toString("latin1").toLowerCase() === "transfer-encoding" && /chunked/i.test(v.toString("latin1")));
}
