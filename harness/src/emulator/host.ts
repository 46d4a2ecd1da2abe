// A proxy-wasm host in TypeScript: runs a compiled plugin in Node's V8 with every ABI 0.2.1
// host function, Envoy's real behaviour where it differs from the spec (as-sdk-abi.md §c.7),
// and Higress's deltas (0.2.100 marker, Redis over a real TCP connection, upstream-host calls).
import { readFileSync } from "node:fs";
import { createPublicKey, randomFillSync, randomUUID, verify as cryptoVerify } from "node:crypto";
import { deflateSync, inflateSync } from "node:zlib";
import { networkInterfaces } from "node:os";
import {
  ALLOWED_DURING_ALLOC, ALLOWED_DURING_INIT, BufferType, ENVOY_ENV_IMPORTS, HIGRESS_EXTRA_IMPORTS, LOG_LEVEL_NAMES,
  LogLevel, MapType, MetricType, Status, WASI_IMPORTS, WASI_MODULES, checkModule, type LogLevelName, type Target,
} from "./abi.js";
import { HeaderMap } from "./headers.js";
import { decodePairsStrict, encodePairs, toBytePairs, type BytePair, type HeaderInput } from "./pairs.js";
import { RedisConnection, respValueEnd, type RedisReply } from "./redis.js";
import { HttpStream, propertyBytes, toBuffer, type LocalResponse, type LogEntry, type Sent, type StreamOptions } from "./stream.js";
import { httpExchange } from "./upstream.js";

export interface HttpCallAnswer {
  status?: number;
  headers?: HeaderInput;
  body?: string | Uint8Array;
  trailers?: HeaderInput;
}

export type HttpResponder = (call: HttpCall) => HttpCallAnswer | Promise<HttpCallAnswer>;

/** Where a cluster leads: "http://host:port" (a real server), "redis://host:port", a function, or
 *  null/"manual" (the cluster exists; the test answers its callouts with host.pendingHttpCalls()). */
export type ClusterTarget = string | HttpResponder | null;

export interface EmulatorRoute {
  name: string;
  domains?: string[];
  prefix?: string;
  path?: string;
  cluster: string;
}

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

export class SharedData {
  private data = new Map<string, { value: Buffer; cas: number }>();
  private nextCas = 1;
  get(key: string): { value: Buffer; cas: number } | undefined {
    return this.data.get(key);
  }
  set(key: string, value: Buffer, cas: number): Status {
    const cur = this.data.get(key);
    if (cas !== 0 && cur && cur.cas !== cas) return Status.CasMismatch;
    this.data.set(key, { value: Buffer.from(value), cas: this.nextCas++ });
    return Status.Ok;
  }
  keys(): string[] {
    return [...this.data.keys()];
  }
}

export class HttpCall {
  answered = false;
  readonly sentAt: number;
  constructor(
    private readonly host: Emulator,
    readonly token: number,
    readonly contextId: number,
    readonly cluster: string,
    readonly rawHeaders: BytePair[],
    readonly body: Buffer,
    readonly rawTrailers: BytePair[],
    readonly timeoutMs: number,
  ) {
    this.sentAt = host.nowMs();
  }
  get headers(): [string, string][] {
    return this.rawHeaders.map(([k, v]) => [k.toString(), v.toString()]);
  }
  header(name: string): string | undefined {
    const k = name.toLowerCase();
    const p = this.rawHeaders.find(([hk]) => hk.toString() === k);
    return p ? p[1].toString() : undefined;
  }
  get bodyText(): string {
    return this.body.toString("utf8");
  }
  /** Answers the call (runs proxy_on_http_call_response now). */
  respond(answer: HttpCallAnswer): void {
    this.host.deliverHttpCall(this, answer);
  }
  /** What Envoy's async client reports when the timeout fires: a local 504. */
  timeout(): void {
    this.respond({ status: 504, headers: [["content-length", "24"], ["content-type", "text/plain"]], body: "upstream request timeout" });
  }
  /** The call failed without a response (stream reset): 0 headers, status BrokenConnection "reset". */
  reset(): void {
    this.host.deliverHttpCall(this, null);
  }
}

export class GrpcCall {
  constructor(readonly host: Emulator, readonly token: number, readonly contextId: number, readonly cluster: string, readonly service: string, readonly method: string, readonly message: Buffer) {}
  /** Sends one message then closes with a gRPC status. */
  respond(message: Uint8Array, status = 0): void {
    this.host.deliverGrpc(this, Buffer.from(message), status);
  }
  close(status: number): void {
    this.host.deliverGrpc(this, null, status);
  }
}

export interface RequestSpec {
  method?: string;
  path?: string;
  /** Host header (becomes :authority). */
  authority?: string;
  headers?: HeaderInput;
  body?: string | Uint8Array;
  /** Split the body into this many chunks, or give the chunks. */
  chunks?: number | (string | Uint8Array)[];
  trailers?: HeaderInput;
  /** Take the headers as given (no :authority/:path/:method/x-request-id added). */
  raw?: boolean;
  /** The upstream's answer (default: the route's cluster, else a 200 JSON echo). */
  response?: UpstreamAnswer | ((upstream: Sent) => UpstreamAnswer | Promise<UpstreamAnswer>);
  stream?: StreamOptions;
}

export interface UpstreamAnswer {
  status?: number;
  headers?: HeaderInput;
  body?: string | Uint8Array;
  chunks?: number | (string | Uint8Array)[];
  trailers?: HeaderInput;
}

export interface RequestResult {
  status: number;
  headers: [string, string][];
  header(name: string): string | undefined;
  body: string;
  bodyBytes: Buffer;
  localResponse: LocalResponse | null;
  /** What the upstream got, or null when the request never reached it. */
  upstream: Sent | null;
  logs: LogEntry[];
  reset: boolean;
  stream: HttpStream;
}

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

interface Callout {
  done: Promise<void>;
}

const enc = (s: string) => Buffer.from(s, "utf8");

export class Emulator {
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

  private instance!: WebAssembly.Instance;
  private memory!: WebAssembly.Memory;
  private exportsMap!: Record<string, unknown>;
  private allocFn!: (n: number) => number;
  private restricted: Set<string> | null = null;
  private effective = 0;
  private depth = 0;
  private nextContextId = 2;
  private streams = new Map<number, HttpStream>();
  private afterActions: (() => void)[] = [];
  private pluginConfig: Buffer = Buffer.alloc(0);
  private vmConfig: Buffer = Buffer.alloc(0);
  private configPhase: "vm" | "plugin" | null = null;
  private callResponse: { headers: HeaderMap; body: Buffer; trailers: HeaderMap } | null = null;
  private redisResponse: Buffer | null = null;
  private grpcMessage: Buffer | null = null;
  private lastStatus: { code: number; message: string } = { code: 0, message: "" };
  private nextToken = 1;
  private httpCalls = new Map<number, HttpCall>();
  private grpcCalls = new Map<number, GrpcCall>();
  private inflight = new Set<Promise<void>>();
  private faults = new Map<string, Fault>();
  private redisFaults: ("network" | { error: string })[] = [];
  private redisConns = new Map<string, RedisConnection>();
  private redisInits = new Map<string, { username: string; password: string; timeoutMs: number; db: number }>();
  private metricDefs = new Map<number, { name: string; type: MetricType }>();
  private metricValues = new Map<string, bigint>();
  private nextMetricId = 1;
  private queues = new Map<number, { key: string; items: Buffer[]; contextId: number }>();
  private queueIds = new Map<string, number>();
  private nextQueueId = 1;
  private clockOffsetNs = 0n;
  private readonly clockBaseNs = BigInt(Date.now()) * 1000000n;
  private readonly monoBaseNs = process.hrtime.bigint();
  private tickElapsedMs = 0;
  private upstreamWaiters = new Map<number, () => void>();
  readonly properties = new Map<string, Buffer>();
  readonly failOpen: boolean;
  readonly stopIterationKept: boolean;

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
    this.pluginConfig = cfg === undefined ? Buffer.alloc(0) : typeof cfg === "string" ? enc(cfg) : cfg instanceof Uint8Array ? Buffer.from(cfg) : enc(JSON.stringify(cfg));
    this.vmConfig = enc(options.vmConfig ?? "");
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
    const wasi = this.wasiFunctions();
    for (const m of WASI_MODULES) {
      imports[m] = {};
      for (const name of WASI_IMPORTS) imports[m][name] = this.guard(name, wasi[name] ?? (() => 52 /* ENOSYS */));
    }
    this.instance = new WebAssembly.Instance(this.module, imports as WebAssembly.Imports);
    this.exportsMap = this.instance.exports as Record<string, unknown>;
    const mem = this.exportsMap.memory;
    if (!(mem instanceof WebAssembly.Memory)) throw new EmulatorLoadError("Wasm module has no exported memory");
    this.memory = mem;
    const alloc = (this.exportsMap.malloc ?? this.exportsMap.proxy_on_memory_allocate) as ((n: number) => number) | undefined;
    if (typeof alloc !== "function") throw new EmulatorLoadError("Wasm module is missing malloc function.");
    this.allocFn = alloc;
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
    this.configPhase = "vm";
    const vmOk = this.vmCall("proxy_on_vm_start", root, root, this.vmConfig.length);
    this.configPhase = null;
    if (this.failed || vmOk === 0) return this.drainAfterActions();
    this.configPhase = "plugin";
    const ok = this.vmCall("proxy_on_configure", root, root, this.pluginConfig.length);
    this.configPhase = null;
    this.started = !this.failed && ok !== 0;
    this.drainAfterActions();
  }

  /** Calls a module export with `contextId` as the effective context; undefined if the VM failed. */
  vmCall(name: string, contextId: number, ...args: number[]): number | undefined {
    if (this.failed) return undefined;
    const f = this.exportsMap[name];
    if (typeof f !== "function") return name === "proxy_on_done" || name === "proxy_on_vm_start" || name === "proxy_on_configure" ? 1 : 0;
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
    const chunks = splitBody(spec.body, spec.chunks);
    const headers = spec.raw ? toBytePairs(spec.headers) : envoyRequestHeaders(spec, chunks, this.options);
    const hasTrailers = !!spec.trailers;
    s.sendRequestHeaders(headers, chunks.length === 0 && !hasTrailers);
    for (let i = 0; i < chunks.length; i++) {
      if (s.localResponse || s.reset) break;
      s.sendRequestBody(chunks[i], i === chunks.length - 1 && !hasTrailers);
    }
    if (hasTrailers && !s.localResponse && !s.reset) s.sendRequestTrailers(spec.trailers!);
    await this.settleWhile(() => !s.localResponse && !s.reset && !s.req.out.complete, s, "request");
    if (!s.localResponse && !s.reset) {
      const answer = await this.upstreamAnswer(s, spec);
      const body = splitBody(answer.body, answer.chunks);
      const respHeaders: BytePair[] = [[enc(":status"), enc(String(answer.status ?? 200))], ...toBytePairs(answer.headers)];
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
    return [...this.httpCalls.values()].filter((c) => !c.answered);
  }

  pendingGrpcCalls(): GrpcCall[] {
    return [...this.grpcCalls.values()];
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
    this.redisFaults.push(kind);
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
    for (const t of [MetricType.Counter, MetricType.Gauge, MetricType.Histogram]) {
      const v = this.metricValues.get(`${t}:${name}`);
      if (v !== undefined) return v;
    }
    return undefined;
  }

  metrics(): Record<string, bigint> {
    const out: Record<string, bigint> = {};
    for (const [k, v] of this.metricValues) out[k.slice(k.indexOf(":") + 1)] = v;
    return out;
  }

  /** Puts a message on a shared queue (as another VM would) and lets the owner know. */
  enqueue(vmId: string, name: string, data: string | Uint8Array): Status {
    const id = this.queueIds.get(`${vmId || (this.options.vmId ?? this.pluginName)}\0${name}`);
    if (id === undefined) return Status.NotFound;
    this.queues.get(id)!.items.push(toBuffer(data));
    this.notifyQueue(id);
    this.drainAfterActions();
    return Status.Ok;
  }

  queueSize(vmId: string, name: string): number {
    const id = this.queueIds.get(`${vmId || (this.options.vmId ?? this.pluginName)}\0${name}`);
    return id === undefined ? 0 : this.queues.get(id)!.items.length;
  }

  logLines(minLevel: LogLevel = LogLevel.Trace): string[] {
    return this.logs.filter((l) => l.level >= minLevel).map((l) => l.message);
  }

  /** Stops Redis connections and forgets pending work. */
  close(): void {
    for (const c of this.redisConns.values()) c.close();
    this.redisConns.clear();
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
    for (const [t, c] of this.httpCalls) if (c.contextId === s.id) this.httpCalls.delete(t);
    for (const [t, c] of this.grpcCalls) if (c.contextId === s.id) this.grpcCalls.delete(t);
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
      if ("error" in r) return { status: 503, body: "upstream connect error or disconnect/reset before headers. reset reason: connection failure" };
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

  private current(): HttpStream | undefined {
    return this.streams.get(this.effective);
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
    if (call.answered || !this.httpCalls.has(call.token)) return;
    call.answered = true;
    this.httpCalls.delete(call.token);
    const stream = this.streams.get(call.contextId);
    if (call.contextId !== this.rootContextId && (!stream || stream.finished)) return;
    if (this.failed) return;
    let nh = 0, nb = 0, nt = 0;
    if (answer) {
      const headers = new HeaderMap([[enc(":status"), enc(String(answer.status ?? 200))], ...toBytePairs(answer.headers)]);
      const body = toBuffer(answer.body);
      const trailers = new HeaderMap(toBytePairs(answer.trailers));
      this.callResponse = { headers, body, trailers };
      this.lastStatus = { code: Status.Ok, message: "" };
      nh = headers.size; nb = body.length; nt = trailers.size;
    } else {
      this.callResponse = null;
      this.lastStatus = { code: Status.BrokenConnection, message: "reset" };
    }
    this.vmCall("proxy_on_http_call_response", call.contextId, call.contextId, call.token, nh, nb, nt);
    this.callResponse = null;
    if (stream) stream.afterForeignCallback();
    else this.afterRootCallback();
  }

  deliverGrpc(call: GrpcCall, message: Buffer | null, status: number): void {
    if (!this.grpcCalls.has(call.token) || this.failed) return;
    this.grpcCalls.delete(call.token);
    const stream = this.streams.get(call.contextId);
    if (message) {
      this.grpcMessage = message;
      this.vmCall("proxy_on_grpc_receive", call.contextId, call.contextId, call.token, message.length);
      this.grpcMessage = null;
    }
    this.lastStatus = { code: status, message: "" };
    this.vmCall("proxy_on_grpc_close", call.contextId, call.contextId, call.token, status);
    if (stream) stream.afterForeignCallback();
    else this.afterRootCallback();
  }

  private deliverRedis(contextId: number, token: number, reply: RedisReply): void {
    const stream = this.streams.get(contextId);
    if ((contextId !== this.rootContextId && (!stream || stream.finished)) || this.failed) return;
    this.redisResponse = reply.status === 0 ? reply.data : null;
    this.lastStatus = reply.status === 0 ? { code: 0, message: "" } : { code: 1, message: "reset" };
    this.vmCall("proxy_on_redis_call_response", contextId, contextId, token, reply.status, reply.status === 0 ? reply.data.length : 0);
    this.redisResponse = null;
    if (stream) stream.afterForeignCallback();
    else this.afterRootCallback();
  }

  private notifyQueue(id: number): void {
    const q = this.queues.get(id);
    if (!q) return;
    this.afterActions.push(() => {
      if (this.failed) return;
      this.vmCall("proxy_on_queue_ready", q.contextId, q.contextId, id);
    });
  }

  // ================================================================ memory

  private view(): DataView {
    return new DataView(this.memory.buffer);
  }

  private read(ptr: number, len: number): Buffer | null {
    ptr >>>= 0;
    len >>>= 0;
    if (ptr + len > this.memory.buffer.byteLength) return null;
    return Buffer.from(new Uint8Array(this.memory.buffer, ptr, len));
  }

  private readStr(ptr: number, len: number): string | null {
    const b = this.read(ptr, len);
    return b === null ? null : b.toString("utf8");
  }

  private writeU32(ptr: number, v: number): boolean {
    ptr >>>= 0;
    if (ptr + 4 > this.memory.buffer.byteLength) return false;
    this.view().setUint32(ptr, v >>> 0, true);
    return true;
  }

  private writeU64(ptr: number, v: bigint): boolean {
    ptr >>>= 0;
    if (ptr + 8 > this.memory.buffer.byteLength) return false;
    this.view().setBigUint64(ptr, BigInt.asUintN(64, v), true);
    return true;
  }

  /** Hands bytes to the module: allocate with its allocator (restricted mode), copy, write ptr/size. */
  private copyOut(data: Uint8Array, ptrPtr: number, sizePtr: number): Status {
    if (data.length === 0) return this.writeU32(ptrPtr, 0) && this.writeU32(sizePtr, 0) ? Status.Ok : Status.InvalidMemoryAccess;
    const saved = this.restricted;
    this.restricted = ALLOWED_DURING_ALLOC;
    let p: number;
    try {
      p = this.allocFn(data.length) >>> 0;
    } finally {
      this.restricted = saved;
    }
    if (p === 0 || p + data.length > this.memory.buffer.byteLength) return Status.InvalidMemoryAccess;
    new Uint8Array(this.memory.buffer, p, data.length).set(data);
    return this.writeU32(ptrPtr, p) && this.writeU32(sizePtr, data.length) ? Status.Ok : Status.InvalidMemoryAccess;
  }

  // ================================================================ logging

  private pushLog(level: number, message: string, contextId: number): void {
    const entry: LogEntry = { level, levelName: LOG_LEVEL_NAMES[level] ?? String(level), message, contextId };
    this.logs.push(entry);
    const s = this.streams.get(contextId);
    if (s) s.logs.push(entry);
    if (this.options.echoLogs) console.log(`[emulator ${this.target}] [${entry.levelName}] ${message}`);
  }

  // ================================================================ host functions

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

  private stream0(): HttpStream | undefined {
    return this.current();
  }

  private headerMap(type: number, forWrite: boolean): HeaderMap | null | "log" {
    const s = this.stream0();
    switch (type) {
      case MapType.HttpRequestHeaders:
      case MapType.HttpRequestTrailers:
      case MapType.HttpResponseHeaders:
      case MapType.HttpResponseTrailers: {
        if (!s) return null;
        if (forWrite && s.finished) return "log";
        const d = type < 2 ? s.req : s.resp;
        return type % 2 === 0 ? d.headers : d.trailers;
      }
      case MapType.HttpCallResponseHeaders:
        return forWrite ? null : this.callResponse?.headers ?? null;
      case MapType.HttpCallResponseTrailers:
        return forWrite ? null : this.callResponse?.trailers ?? null;
      default:
        return null;
    }
  }

  private buffer(type: number): Buffer | null {
    const s = this.stream0();
    switch (type) {
      case BufferType.HttpRequestBody:
        return s?.req.buf ?? null;
      case BufferType.HttpResponseBody:
        return s?.resp.buf ?? null;
      case BufferType.HttpCallResponseBody:
        return this.callResponse?.body ?? null;
      case BufferType.GrpcReceiveBuffer:
        return this.grpcMessage;
      case BufferType.VmConfiguration:
        return this.configPhase === "vm" ? this.vmConfig : null;
      case BufferType.PluginConfiguration:
        return this.configPhase === "plugin" ? this.pluginConfig : null;
      case BufferType.RedisCallResponse:
        return this.target === "higress" ? this.redisResponse : null;
      default:
        return null;
    }
  }

  private envFunctions(): Record<string, Function> {
    const self = this;
    return {
      proxy_log(level: number, ptr: number, len: number) {
        const m = self.readStr(ptr, len);
        if (m === null) return Status.InvalidMemoryAccess;
        if (level < 0 || level > LogLevel.Critical) return Status.BadArgument;
        if (level >= self.logLevel) self.pushLog(level, m, self.effective);
        return Status.Ok;
      },
      proxy_get_log_level(ret: number) {
        return self.writeU32(ret, self.logLevel) ? Status.Ok : Status.InvalidMemoryAccess;
      },
      proxy_set_effective_context(id: number) {
        if (id !== self.rootContextId && !self.streams.has(id)) return Status.BadArgument;
        self.effective = id;
        return Status.Ok;
      },
      proxy_done() {
        return Status.Ok;
      },
      proxy_get_current_time_nanoseconds(ret: number) {
        return self.writeU64(ret, self.nowNs()) ? Status.Ok : Status.InvalidMemoryAccess;
      },
      proxy_set_tick_period_milliseconds(ms: number) {
        self.tickPeriodMs = ms >>> 0;
        self.tickElapsedMs = 0;
        return Status.Ok;
      },
      proxy_get_property(pathPtr: number, pathLen: number, retPtr: number, retSize: number) {
        const path = self.read(pathPtr, pathLen);
        if (path === null) return Status.InvalidMemoryAccess;
        const v = self.getProperty(splitPath(path));
        if (v === undefined) return Status.NotFound;
        return self.copyOut(v, retPtr, retSize);
      },
      proxy_set_property(pathPtr: number, pathLen: number, valPtr: number, valLen: number) {
        const path = self.read(pathPtr, pathLen);
        const val = self.read(valPtr, valLen);
        if (path === null || val === null) return Status.InvalidMemoryAccess;
        const key = splitPath(path).join(".");
        const s = self.stream0();
        (s ? s.properties : self.rootProperties).set(key, val);
        return Status.Ok;
      },
      proxy_continue_stream(type: number) {
        const s = self.stream0();
        if (type === 3) return Status.Unimplemented;
        if (type === 2) return Status.Ok;
        if (type > 3) return Status.BadArgument;
        if (!s) return Status.NotFound;
        s.requestContinue(type === 0 ? "request" : "response");
        return Status.Ok;
      },
      proxy_close_stream(type: number) {
        const s = self.stream0();
        if (type > 3) return Status.BadArgument;
        if (type >= 2) return Status.Ok;
        if (!s) return Status.NotFound;
        s.requestClose();
        return Status.Ok;
      },
      proxy_send_local_response(status: number, detPtr: number, detLen: number, bodyPtr: number, bodyLen: number, hPtr: number, hLen: number, grpc: number) {
        const det = self.read(detPtr, detLen);
        const body = self.read(bodyPtr, bodyLen);
        const h = self.read(hPtr, hLen);
        if (det === null || body === null || h === null) return Status.InvalidMemoryAccess;
        const s = self.stream0();
        if (!s) return Status.NotFound;
        s.queueLocalReply({
          status: status >>> 0,
          body,
          headers: decodePairsStrict(h).map(([k, v]) => [k.toString().toLowerCase(), v.toString()]),
          // Envoy replaces whitespace in details with underscores.
          details: det.toString("utf8").replace(/\s/g, "_"),
          grpcStatus: grpc | 0,
        });
        return Status.Ok;
      },
      proxy_get_status(codePtr: number, msgPtr: number, msgSize: number) {
        if (!self.writeU32(codePtr, self.lastStatus.code)) return Status.InvalidMemoryAccess;
        return self.copyOut(enc(self.lastStatus.message), msgPtr, msgSize);
      },
      proxy_get_shared_data(kPtr: number, kLen: number, retPtr: number, retSize: number, retCas: number) {
        const k = self.readStr(kPtr, kLen);
        if (k === null) return Status.InvalidMemoryAccess;
        const e = self.sharedData.get(k);
        if (!e) return Status.NotFound;
        if (!self.writeU32(retCas, e.cas)) return Status.InvalidMemoryAccess;
        return self.copyOut(e.value, retPtr, retSize);
      },
      proxy_set_shared_data(kPtr: number, kLen: number, vPtr: number, vLen: number, cas: number) {
        const k = self.readStr(kPtr, kLen);
        const v = self.read(vPtr, vLen);
        if (k === null || v === null) return Status.InvalidMemoryAccess;
        return self.sharedData.set(k, v, cas >>> 0);
      },
      proxy_register_shared_queue(nPtr: number, nLen: number, retId: number) {
        const n = self.readStr(nPtr, nLen);
        if (n === null) return Status.InvalidMemoryAccess;
        const key = `${self.options.vmId ?? self.pluginName}\0${n}`;
        let id = self.queueIds.get(key);
        if (id === undefined) {
          id = self.nextQueueId++;
          self.queueIds.set(key, id);
          self.queues.set(id, { key, items: [], contextId: self.rootContextId });
        }
        return self.writeU32(retId, id) ? Status.Ok : Status.InvalidMemoryAccess;
      },
      proxy_resolve_shared_queue(vPtr: number, vLen: number, nPtr: number, nLen: number, retId: number) {
        const vm = self.readStr(vPtr, vLen);
        const n = self.readStr(nPtr, nLen);
        if (vm === null || n === null) return Status.InvalidMemoryAccess;
        // An empty vm_id means this VM (seen in Envoy 1.39: test/differential, sdk-probe group).
        const id = self.queueIds.get(`${vm || (self.options.vmId ?? self.pluginName)}\0${n}`);
        if (id === undefined) return Status.NotFound;
        return self.writeU32(retId, id) ? Status.Ok : Status.InvalidMemoryAccess;
      },
      proxy_enqueue_shared_queue(id: number, vPtr: number, vLen: number) {
        const q = self.queues.get(id >>> 0);
        if (!q) return Status.NotFound;
        const v = self.read(vPtr, vLen);
        if (v === null) return Status.InvalidMemoryAccess;
        q.items.push(v);
        self.notifyQueue(id >>> 0);
        return Status.Ok;
      },
      proxy_dequeue_shared_queue(id: number, retPtr: number, retSize: number) {
        const q = self.queues.get(id >>> 0);
        if (!q) return Status.NotFound;
        if (q.items.length === 0) return Status.Empty;
        return self.copyOut(q.items.shift()!, retPtr, retSize);
      },
      proxy_get_header_map_value(type: number, kPtr: number, kLen: number, retPtr: number, retSize: number) {
        const k = self.read(kPtr, kLen);
        if (k === null) return Status.InvalidMemoryAccess;
        const m = self.headerMap(type, false);
        if (m === "log") return Status.NotFound;
        if (!m) return Status.BadArgument;
        const v = m.get(k);
        if (v === undefined) return Status.NotFound;
        return self.copyOut(v, retPtr, retSize);
      },
      proxy_get_header_map_pairs(type: number, retPtr: number, retSize: number) {
        const m = self.headerMap(type, false);
        if (m === "log") return Status.NotFound;
        if (!m) return Status.BadArgument;
        if (m.size === 0) return self.copyOut(Buffer.alloc(0), retPtr, retSize);
        return self.copyOut(encodePairs(m.pairs), retPtr, retSize);
      },
      proxy_get_header_map_size(type: number, retSize: number) {
        const m = self.headerMap(type, false);
        if (m === "log") return Status.NotFound;
        if (!m) return Status.BadArgument;
        // Envoy returns the map's byteSize, not the serialized size the spec describes.
        return self.writeU32(retSize, m.byteSize) ? Status.Ok : Status.InvalidMemoryAccess;
      },
      proxy_set_header_map_pairs(type: number, ptr: number, len: number) {
        const data = self.read(ptr, len);
        if (data === null) return Status.InvalidMemoryAccess;
        const m = self.headerMap(type, true);
        if (!m || m === "log") return Status.BadArgument;
        m.setAll(decodePairsStrict(data));
        return Status.Ok;
      },
      proxy_add_header_map_value(type: number, kPtr: number, kLen: number, vPtr: number, vLen: number) {
        const k = self.read(kPtr, kLen);
        const v = self.read(vPtr, vLen);
        if (k === null || v === null) return Status.InvalidMemoryAccess;
        const m = self.headerMap(type, true);
        if (!m || m === "log") return Status.BadArgument;
        m.add(k, v);
        return Status.Ok;
      },
      proxy_replace_header_map_value(type: number, kPtr: number, kLen: number, vPtr: number, vLen: number) {
        const k = self.read(kPtr, kLen);
        const v = self.read(vPtr, vLen);
        if (k === null || v === null) return Status.InvalidMemoryAccess;
        const m = self.headerMap(type, true);
        if (!m || m === "log") return Status.BadArgument;
        m.replace(k, v);
        return Status.Ok;
      },
      proxy_remove_header_map_value(type: number, kPtr: number, kLen: number) {
        const k = self.read(kPtr, kLen);
        if (k === null) return Status.InvalidMemoryAccess;
        const m = self.headerMap(type, true);
        if (!m || m === "log") return Status.BadArgument;
        m.remove(k);
        return Status.Ok;
      },
      proxy_get_buffer_status(type: number, retSize: number, retFlags: number) {
        if (type > BufferType.RedisCallResponse) return Status.BadArgument;
        const b = self.buffer(type);
        if (b === null) return Status.NotFound;
        return self.writeU32(retSize, b.length) && self.writeU32(retFlags, 0) ? Status.Ok : Status.InvalidMemoryAccess;
      },
      proxy_get_buffer_bytes(type: number, start: number, max: number, retPtr: number, retSize: number) {
        if (type > BufferType.RedisCallResponse) return Status.BadArgument;
        const b = self.buffer(type);
        if (b === null) return Status.NotFound;
        start >>>= 0;
        max >>>= 0;
        // The host clamps over-reads instead of failing.
        if (start >= b.length) return self.copyOut(Buffer.alloc(0), retPtr, retSize);
        const end = Math.min(b.length, start + max);
        return self.copyOut(b.subarray(start, end), retPtr, retSize);
      },
      proxy_set_buffer_bytes(type: number, start: number, size: number, ptr: number, len: number) {
        const data = self.read(ptr, len);
        if (data === null) return Status.InvalidMemoryAccess;
        const s = self.stream0();
        let d;
        if (type === BufferType.HttpRequestBody) d = s?.req;
        else if (type === BufferType.HttpResponseBody) d = s?.resp;
        else return type > BufferType.RedisCallResponse ? Status.BadArgument : self.buffer(type) === null ? Status.NotFound : Status.BadArgument;
        if (!d || d.buf === null) return Status.NotFound;
        start >>>= 0;
        size >>>= 0;
        // Envoy's Buffer::copyFrom: start == 0 drains `size` bytes and prepends; start ≥ length appends.
        if (start === 0) d.buf = Buffer.concat([data, d.buf.subarray(Math.min(size, d.buf.length))]);
        else if (start >= d.buf.length) d.buf = Buffer.concat([d.buf, data]);
        else return Status.BadArgument;
        return Status.Ok;
      },
      proxy_http_call(cPtr: number, cLen: number, hPtr: number, hLen: number, bPtr: number, bLen: number, tPtr: number, tLen: number, timeout: number, retToken: number) {
        const cluster = self.readStr(cPtr, cLen);
        const h = self.read(hPtr, hLen);
        const body = self.read(bPtr, bLen);
        const t = self.read(tPtr, tLen);
        if (cluster === null || h === null || body === null || t === null) return Status.InvalidMemoryAccess;
        const target = self.options.clusters?.[cluster];
        if (target === undefined || (typeof target === "string" && target.startsWith("redis"))) return Status.BadArgument;
        const headers = new HeaderMap(decodePairsStrict(h));
        if (!headers.get(":path") || !headers.get(":method") || !headers.get(":authority")) return Status.BadArgument;
        if (body.length > 0) headers.replace(enc("content-length"), enc(String(body.length)));
        const token = self.takeToken(0);
        if (!self.writeU32(retToken, token)) return Status.InvalidMemoryAccess;
        const call = new HttpCall(self, token, self.effective, cluster, headers.pairs, body, decodePairsStrict(t), timeout >>> 0);
        self.httpCalls.set(token, call);
        if (typeof target === "function") {
          self.track(Promise.resolve().then(async () => {
            const a = await target(call);
            if (!call.answered) call.respond(a);
          }));
        } else if (typeof target === "string" && target.startsWith("http")) {
          self.track(httpExchange(target, headers, body, call.timeoutMs, true).then((r) => {
            if ("error" in r) {
              if (r.error === "timeout") call.timeout();
              else call.respond({ status: 503, headers: [["content-type", "text/plain"]], body: "upstream connect error or disconnect/reset before headers. reset reason: connection failure" });
            } else call.respond({ status: r.status, headers: r.headers, body: r.body });
          }));
        }
        return Status.Ok;
      },
      proxy_grpc_call(cPtr: number, cLen: number, sPtr: number, sLen: number, mPtr: number, mLen: number, _hPtr: number, _hLen: number, msgPtr: number, msgLen: number, _timeout: number, retToken: number) {
        const cluster = self.readStr(cPtr, cLen);
        const service = self.readStr(sPtr, sLen);
        const method = self.readStr(mPtr, mLen);
        const msg = self.read(msgPtr, msgLen);
        if (cluster === null || service === null || method === null || msg === null) return Status.InvalidMemoryAccess;
        if (!self.options.clusters?.[cluster]) return Status.ParseFailure;
        const token = self.takeToken(1);
        if (!self.writeU32(retToken, token)) return Status.InvalidMemoryAccess;
        self.grpcCalls.set(token, new GrpcCall(self, token, self.effective, cluster, service, method, msg));
        return Status.Ok;
      },
      proxy_grpc_stream(cPtr: number, cLen: number, sPtr: number, sLen: number, mPtr: number, mLen: number, _hPtr: number, _hLen: number, retToken: number) {
        const cluster = self.readStr(cPtr, cLen);
        const service = self.readStr(sPtr, sLen);
        const method = self.readStr(mPtr, mLen);
        if (cluster === null || service === null || method === null) return Status.InvalidMemoryAccess;
        if (!self.options.clusters?.[cluster]) return Status.ParseFailure;
        const token = self.takeToken(2);
        if (!self.writeU32(retToken, token)) return Status.InvalidMemoryAccess;
        self.grpcCalls.set(token, new GrpcCall(self, token, self.effective, cluster, service, method, Buffer.alloc(0)));
        return Status.Ok;
      },
      proxy_grpc_send(token: number, _p: number, _l: number, _eos: number) {
        return self.grpcCalls.has(token >>> 0) ? Status.Ok : Status.NotFound;
      },
      proxy_grpc_cancel(token: number) {
        return self.grpcCalls.delete(token >>> 0) ? Status.Ok : Status.NotFound;
      },
      proxy_grpc_close(token: number) {
        return self.grpcCalls.delete(token >>> 0) ? Status.Ok : Status.NotFound;
      },
      proxy_define_metric(type: number, nPtr: number, nLen: number, retId: number) {
        const name = self.readStr(nPtr, nLen);
        if (name === null) return Status.InvalidMemoryAccess;
        if (type > MetricType.Histogram) return Status.BadArgument;
        const id = self.nextMetricId++;
        self.metricDefs.set(id, { name, type });
        const key = `${type}:${name}`;
        if (!self.metricValues.has(key)) self.metricValues.set(key, 0n);
        return self.writeU32(retId, id) ? Status.Ok : Status.InvalidMemoryAccess;
      },
      proxy_increment_metric(id: number, delta: bigint) {
        const m = self.metricDefs.get(id >>> 0);
        if (!m) return Status.NotFound;
        const key = `${m.type}:${m.name}`;
        if (m.type === MetricType.Histogram) return Status.BadArgument;
        if (m.type === MetricType.Counter && delta <= 0n) return Status.BadArgument;
        self.metricValues.set(key, self.metricValues.get(key)! + delta);
        return Status.Ok;
      },
      proxy_record_metric(id: number, value: bigint) {
        const m = self.metricDefs.get(id >>> 0);
        if (!m) return Status.NotFound;
        const key = `${m.type}:${m.name}`;
        const v = BigInt.asUintN(64, value);
        // Envoy: a counter's record adds, a gauge's sets, a histogram's records one sample.
        if (m.type === MetricType.Counter) self.metricValues.set(key, self.metricValues.get(key)! + v);
        else if (m.type === MetricType.Gauge) self.metricValues.set(key, v);
        else self.metricValues.set(key, v);
        return Status.Ok;
      },
      proxy_get_metric(id: number, ret: number) {
        const m = self.metricDefs.get(id >>> 0);
        if (!m) return Status.NotFound;
        if (m.type === MetricType.Histogram) return Status.BadArgument;
        return self.writeU64(ret, self.metricValues.get(`${m.type}:${m.name}`)!) ? Status.Ok : Status.InvalidMemoryAccess;
      },
      proxy_call_foreign_function(nPtr: number, nLen: number, aPtr: number, aLen: number, retPtr: number, retSize: number) {
        const name = self.readStr(nPtr, nLen);
        const args = self.read(aPtr, aLen);
        if (name === null || args === null) return Status.InvalidMemoryAccess;
        const f = self.options.foreignFunctions?.[name] ?? self.builtinForeign(name);
        if (!f) return Status.NotFound;
        const r = f(args, self);
        if (typeof r === "number") return r;
        return self.copyOut(typeof r === "string" ? enc(r) : r, retPtr, retSize);
      },
      emscripten_notify_memory_growth() {
        return 0;
      },
      // ---- Higress
      proxy_redis_init(cPtr: number, cLen: number, uPtr: number, uLen: number, pPtr: number, pLen: number, timeout: number) {
        const cluster = self.readStr(cPtr, cLen);
        const user = self.readStr(uPtr, uLen);
        const pass = self.readStr(pPtr, pLen);
        if (cluster === null || user === null || pass === null) return Status.InvalidMemoryAccess;
        const q = cluster.indexOf("?");
        const name = q >= 0 ? cluster.slice(0, q) : cluster;
        if (!self.redisAddress(name)) return Status.BadArgument;
        const params = new URLSearchParams(q >= 0 ? cluster.slice(q + 1) : "");
        self.redisInits.set(name, { username: user, password: pass, timeoutMs: timeout >>> 0, db: Number(params.get("db") ?? 0) || 0 });
        self.redisConns.get(name)?.close();
        self.redisConns.delete(name);
        return Status.Ok;
      },
      proxy_redis_call(cPtr: number, cLen: number, qPtr: number, qLen: number, retToken: number) {
        const cluster = self.readStr(cPtr, cLen);
        const query = self.read(qPtr, qLen);
        if (cluster === null || query === null) return Status.InvalidMemoryAccess;
        const q = cluster.indexOf("?");
        const name = q >= 0 ? cluster.slice(0, q) : cluster;
        const addr = self.redisAddress(name);
        if (!addr) return Status.BadArgument;
        const token = self.takeToken(3);
        if (!self.writeU32(retToken, token)) return Status.InvalidMemoryAccess;
        const ctx = self.effective;
        const fault = self.redisFaults.shift();
        let reply: Promise<RedisReply>;
        if (fault === "network") reply = Promise.resolve({ status: 1, data: Buffer.alloc(0) });
        else if (fault) reply = Promise.resolve({ status: 0, data: enc(`-${fault.error}\r\n`) });
        else reply = self.redisConnection(name, addr).call(Buffer.from(query));
        self.track(reply.then((r) => self.deliverRedis(ctx, token, r)));
        return Status.Ok;
      },
      proxy_inject_encoded_data_to_filter_chain(bPtr: number, bLen: number, endStream: number) {
        const data = self.read(bPtr, bLen);
        if (data === null) return Status.InvalidMemoryAccess;
        const s = self.stream0();
        if (!s) return Status.NotFound;
        s.injected.push({ data, endStream: endStream !== 0 });
        s.resp.out.body.push(data);
        if (endStream !== 0 && s.resp.out.headers) s.resp.out.complete = true;
        return Status.Ok;
      },
      proxy_get_upstream_hosts(retPtr: number, retSize: number) {
        const hosts = self.options.upstreamHosts ?? [];
        if (hosts.length === 0) return self.copyOut(Buffer.alloc(0), retPtr, retSize);
        return self.copyOut(encodePairs(hosts.map(([h, m]) => [enc(h), enc(m)])), retPtr, retSize);
      },
      proxy_set_upstream_override_host(aPtr: number, aLen: number) {
        const a = self.readStr(aPtr, aLen);
        if (a === null) return Status.InvalidMemoryAccess;
        const s = self.stream0();
        if (!s) return Status.BadArgument;
        s.upstreamOverrideHost = a;
        return Status.Ok;
      },
    };
  }

  private wasiFunctions(): Record<string, Function> {
    const self = this;
    const SUCCESS = 0, BADF = 8, INVAL = 28, NOSYS = 52, NOENT = 44;
    const envList = () => Object.entries(self.options.environment ?? {}).map(([k, v]) => enc(`${k}=${v}\0`));
    return {
      fd_write(fd: number, iovs: number, n: number, retWritten: number) {
        if (fd !== 1 && fd !== 2) return BADF;
        const parts: Buffer[] = [];
        const dv = self.view();
        for (let i = 0; i < n; i++) {
          const p = dv.getUint32(iovs + i * 8, true);
          const l = dv.getUint32(iovs + i * 8 + 4, true);
          const b = self.read(p, l);
          if (b === null) return 21;
          parts.push(b);
        }
        const text = Buffer.concat(parts);
        self.pushLog(fd === 1 ? LogLevel.Info : LogLevel.Error, text.toString("utf8"), self.effective);
        self.writeU32(retWritten, text.length);
        return SUCCESS;
      },
      fd_read: () => NOSYS,
      fd_seek: () => SUCCESS,
      fd_close: () => SUCCESS,
      fd_fdstat_get: () => SUCCESS,
      fd_fdstat_set_flags: () => NOSYS,
      fd_prestat_get: () => BADF,
      fd_prestat_dir_name: () => NOSYS,
      fd_filestat_get: () => BADF,
      fd_readdir: () => NOSYS,
      path_open: () => NOENT,
      path_filestat_get: () => NOENT,
      environ_sizes_get(retCount: number, retSize: number) {
        const l = envList();
        self.writeU32(retCount, l.length);
        self.writeU32(retSize, l.reduce((a, b) => a + b.length, 0));
        return SUCCESS;
      },
      environ_get(arr: number, buf: number) {
        let p = buf >>> 0;
        envList().forEach((e, i) => {
          self.writeU32(arr + i * 4, p);
          new Uint8Array(self.memory.buffer, p, e.length).set(e);
          p += e.length;
        });
        return SUCCESS;
      },
      args_sizes_get(a: number, b: number) {
        self.writeU32(a, 0);
        self.writeU32(b, 0);
        return SUCCESS;
      },
      args_get: () => SUCCESS,
      clock_time_get(id: number, _precision: bigint, ret: number) {
        const t = id === 1 ? (self.options.realClock ? process.hrtime.bigint() : self.monoBaseNs) + self.clockOffsetNs : self.nowNs();
        return self.writeU64(ret, t) ? SUCCESS : 21;
      },
      clock_res_get(_id: number, ret: number) {
        self.writeU64(ret, 1n);
        return SUCCESS;
      },
      random_get(ptr: number, len: number) {
        len >>>= 0;
        if (len > 65536) return INVAL;
        const b = self.read(ptr, len);
        if (b === null) return 21;
        randomFillSync(new Uint8Array(self.memory.buffer, ptr >>> 0, len));
        return SUCCESS;
      },
      proc_exit(code: number) {
        // Envoy logs and carries on; it does not trap.
        self.pushLog(LogLevel.Error, `wasi_unstable proc_exit(${code})`, self.effective);
      },
      sched_yield: () => SUCCESS,
      poll_oneoff: () => NOSYS,
    };
  }

  private builtinForeign(name: string): ForeignFunction | undefined {
    const common: Record<string, ForeignFunction> = {
      compress: (a) => deflateSync(a),
      uncompress: (a) => {
        try {
          return inflateSync(a);
        } catch {
          return Status.SerializationFailure;
        }
      },
      clear_route_cache: () => Buffer.alloc(0),
      declare_property: () => Buffer.alloc(0),
      set_envoy_filter_state: () => Buffer.alloc(0),
    };
    const envoyOnly: Record<string, ForeignFunction> = { verify_signature: verifySignature };
    const higress: Record<string, ForeignFunction> = {
      get_log_level: () => {
        const b = Buffer.alloc(4);
        b.writeUInt32LE(this.logLevel);
        return b;
      },
      set_global_max_requests_per_io_cycle: () => Buffer.alloc(0),
      inject_encoded_data_to_filter_chain_on_header: () => Buffer.alloc(0),
    };
    return common[name] ?? (this.target === "higress" ? higress[name] : envoyOnly[name]);
  }

  private takeToken(kind: number): number {
    // Higress's cpp-host: the low two bits say what kind of callout a token belongs to.
    return (this.nextToken++ << 2) | kind;
  }

  private redisAddress(name: string): string | undefined {
    const c = this.options.clusters?.[name];
    if (typeof c === "string" && c.startsWith("redis://")) return c.slice("redis://".length);
    if (c !== undefined) return undefined;
    return this.options.redis;
  }

  private redisConnection(name: string, addr: string): RedisConnection {
    let c = this.redisConns.get(name);
    if (!c) {
      const [host, port] = splitHostPort(addr);
      const init = this.redisInits.get(name);
      c = new RedisConnection({ host, port, username: init?.username || undefined, password: init?.password || undefined, db: init?.db, timeoutMs: init?.timeoutMs || 1000 });
      this.redisConns.set(name, c);
    }
    return c;
  }

  // ================================================================ properties

  private getProperty(path: string[]): Buffer | undefined {
    const key = path.join(".");
    const s = this.stream0();
    const set = s?.properties.get(key) ?? this.rootProperties.get(key) ?? this.properties.get(key);
    if (set !== undefined) return set;
    return this.dynamicProperty(key, s);
  }

  /** The downstream address Envoy reports: the peer, or with use_remote_address off the last XFF entry. */
  private sourceAddress(s: HttpStream): string {
    const peer = s.options.sourceAddress ?? DEFAULT_PEER;
    if (this.options.useRemoteAddress) return peer;
    const xff = s.req.headers?.get("x-forwarded-for")?.toString("latin1");
    if (!xff) return peer;
    const last = xff.split(",").pop()!.trim();
    return last.includes(":") ? `[${last}]:0` : `${last}:0`;
  }

  private dynamicProperty(key: string, s: HttpStream | undefined): Buffer | undefined {
    const str = (v: string | undefined) => (v === undefined ? undefined : enc(v));
    const int = (v: number | undefined) => (v === undefined ? undefined : propertyBytes(v));
    switch (key) {
      case "plugin_name":
        return enc(this.pluginName);
      case "plugin_root_id":
        return enc(this.options.rootId ?? this.pluginName);
      case "plugin_vm_id":
        return enc(this.options.vmId ?? this.pluginName);
    }
    if (!s) return undefined;
    const rh = s.req.headers;
    const hv = (name: string) => rh?.get(name)?.toString("utf8");
    const path = hv(":path");
    switch (key) {
      case "route_name":
      case "xds.route_name":
        return str(s.route);
      case "cluster_name":
      case "xds.cluster_name":
        return str(s.cluster);
      // x_request_id, ai_log, set_decoder_buffer_limit, … exist once a plugin sets them (the
      // Higress SDK writes x_request_id itself); they are found above, in the stream's properties.
      case "request.path":
        return str(path);
      case "request.url_path":
        return str(path?.split("?")[0]);
      case "request.query":
        return path === undefined ? undefined : enc(path.includes("?") ? path.slice(path.indexOf("?") + 1) : "");
      case "request.host":
        return str(hv(":authority"));
      case "request.method":
        return str(hv(":method"));
      case "request.scheme":
        return str(hv(":scheme") ?? "http");
      case "request.protocol":
        return enc("HTTP/1.1");
      case "request.id":
        return str(hv("x-request-id"));
      case "request.useragent":
        return str(hv("user-agent"));
      case "request.referer":
        return str(hv("referer"));
      case "request.headers":
        return rh ? encodePairs(rh.pairs) : undefined;
      case "request.size":
        return int(s.req.out.body.reduce((a, b) => a + b.length, 0));
      case "response.code": {
        const c = s.resp.headers?.get(":status");
        return c ? int(Number(c.toString())) : undefined;
      }
      case "response.code_details":
        return s.resp.headers ? enc(s.localResponse ? s.localResponse.details : "via_upstream") : undefined;
      case "response.headers":
        return s.resp.headers ? encodePairs(s.resp.headers.pairs) : undefined;
      case "source.address":
        return enc(this.sourceAddress(s));
      case "source.port":
        return int(Number(this.sourceAddress(s).split(":").pop()));
      case "destination.address":
        return enc("127.0.0.1:10000");
      case "destination.port":
        return int(10000);
      case "connection.mtls":
        return Buffer.from([0]);
      case "connection.requested_server_name":
        return Buffer.alloc(0);
      case "connection.id":
      case "connection_id":
        return int(s.id);
      case "upstream.address": {
        const c = s.cluster !== undefined ? this.options.clusters?.[s.cluster] : undefined;
        return typeof c === "string" ? enc(new URL(c).host) : undefined;
      }
    }
    return undefined;
  }
}

// ---- Envoy's verify_signature foreign function (source/extensions/common/wasm/foreign.cc) ----

/** Reads a flat protobuf message: field number → last value (varints as bigint, bytes as Buffer). */
function readProto(b: Buffer): Map<number, bigint | Buffer> | null {
  const out = new Map<number, bigint | Buffer>();
  let p = 0;
  const varint = (): bigint | null => {
    let v = 0n, shift = 0n;
    for (;;) {
      if (p >= b.length || shift > 63n) return null;
      const c = b[p++];
      v |= BigInt(c & 0x7f) << shift;
      shift += 7n;
      if ((c & 0x80) === 0) return v;
    }
  };
  while (p < b.length) {
    const key = varint();
    if (key === null) return null;
    const num = Number(key >> 3n), wire = Number(key & 7n);
    if (wire === 0) {
      const v = varint();
      if (v === null) return null;
      out.set(num, v);
    } else if (wire === 2) {
      const len = varint();
      if (len === null || p + Number(len) > b.length) return null;
      out.set(num, b.subarray(p, p + Number(len)));
      p += Number(len);
    } else return null;
  }
  return out;
}

/** VerifySignatureArguments {hash_function=1, public_key=2 (DER), signature=3, text=4} →
 *  VerifySignatureResult {result=1, error=2}, with BoringSSL's messages. */
function verifySignature(args: Buffer): Uint8Array | Status {
  const m = readProto(args);
  if (!m) return Status.BadArgument;
  const field = (n: number) => (m.get(n) instanceof Buffer ? (m.get(n) as Buffer) : Buffer.alloc(0));
  const hash = field(1).toString();
  const reply = (ok: boolean, error: string) => {
    const e = Buffer.from(error);
    return Buffer.concat([ok ? Buffer.from([0x08, 1]) : Buffer.alloc(0), e.length ? Buffer.concat([Buffer.from([0x12]), protoLen(e.length), e]) : Buffer.alloc(0)]);
  };
  if (!["sha1", "sha224", "sha256", "sha384", "sha512"].includes(hash)) return reply(false, `${hash} is not supported.`);
  let key;
  try {
    key = createPublicKey({ key: field(2), format: "der", type: "spki" });
  } catch {
    return reply(false, "Failed to initialize digest verify.");
  }
  try {
    return cryptoVerify(hash, field(4), key, field(3)) ? reply(true, "") : reply(false, "Failed to verify digest. Error code: 0");
  } catch {
    return reply(false, "Failed to verify digest. Error code: 0");
  }
}

function protoLen(n: number): Buffer {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return Buffer.from(out);
}

function splitPath(path: Buffer): string[] {
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i <= path.length; i++) {
    if (i === path.length || path[i] === 0) {
      if (i > start || i < path.length) out.push(path.toString("utf8", start, i));
      start = i + 1;
    }
  }
  return out.filter((p, i) => p.length > 0 || i < out.length - 1);
}

function splitHostPort(addr: string): [string, number] {
  const i = addr.lastIndexOf(":");
  return [addr.slice(0, i), Number(addr.slice(i + 1))];
}

export function splitBody(body: string | Uint8Array | undefined, chunks: number | (string | Uint8Array)[] | undefined): Buffer[] {
  if (Array.isArray(chunks)) return chunks.map((c) => toBuffer(c));
  if (body === undefined) return [];
  const buf = toBuffer(body);
  const n = Math.max(1, Math.min(chunks ?? 1, Math.max(1, buf.length)));
  if (n === 1) return [buf];
  const size = Math.ceil(buf.length / n);
  const out: Buffer[] = [];
  for (let off = 0; off < buf.length; off += size) out.push(buf.subarray(off, off + size));
  return out;
}

// Envoy keeps these request headers "inline": a repeated line is folded into the first with ",".
const INLINE_REQUEST_HEADERS = new Set([
  "x-client-trace-id", "x-envoy-downstream-service-cluster", "x-envoy-downstream-service-node", "x-envoy-external-address",
  "x-envoy-force-trace", "x-envoy-hedge-on-per-try-timeout", "x-envoy-internal", "x-envoy-ip-tags", "x-envoy-original-url",
  "x-envoy-retry-grpc-on", "x-envoy-retry-on", "x-envoy-upstream-alt-stat-name", "x-envoy-upstream-rq-per-try-timeout-ms",
  "x-envoy-upstream-rq-timeout-alt-response", "x-envoy-upstream-rq-timeout-ms", "x-envoy-is-timeout-retry", "expect",
  "x-forwarded-client-cert", "x-forwarded-for", "x-forwarded-host", "x-forwarded-proto", "grpc-timeout", "user-agent", "te",
  "connection", "content-type", "x-envoy-decorator-operation", "keep-alive", "proxy-connection", "proxy-status", "x-request-id",
  "transfer-encoding", "upgrade", "via", "content-length", "x-envoy-attempt-count",
  // Registered as inline by extensions linked into the official build (seen in Envoy 1.39).
  "authorization", "accept-encoding", "cache-control", "origin", "access-control-request-method", "access-control-request-headers",
  "accept", "referer", "content-encoding", "x-forwarded-port", "grpc-accept-encoding", "if-none-match", "if-modified-since",
  "if-match", "pragma", "x-envoy-original-path",
]);

// Hop-by-hop and sanitized headers the connection manager removes before filters run.
const STRIPPED_REQUEST_HEADERS = new Set(["connection", "keep-alive", "proxy-connection", "te", "x-forwarded-client-cert"]);

/** The request headers Envoy's HTTP/1 connection manager hands to filters. */
function envoyRequestHeaders(spec: RequestSpec, chunks: Buffer[], o: EmulatorOptions): BytePair[] {
  // The codec trims optional whitespace around values and folds repeated inline headers.
  const user: BytePair[] = [];
  for (const [k, v] of toBytePairs(spec.headers)) {
    const value = Buffer.from(v.toString("latin1").replace(/^[ \t]+|[ \t]+$/g, ""), "latin1");
    const name = k.toString("latin1");
    const prev = INLINE_REQUEST_HEADERS.has(name) ? user.find(([pk]) => pk.equals(k)) : undefined;
    if (prev) prev[1] = Buffer.concat([prev[1], enc(","), value]);
    else user.push([k, value]);
  }
  const hostPair = user.find(([k]) => k.toString() === "host" || k.toString() === ":authority");
  const authority = spec.authority ?? (hostPair ? hostPair[1].toString() : "example.com");
  const rest = user.filter(([k]) => !["host", ":authority", ":path", ":method", ":scheme"].includes(k.toString()) && !STRIPPED_REQUEST_HEADERS.has(k.toString()));
  const out: BytePair[] = [
    [enc(":authority"), enc(authority)],
    [enc(":path"), enc(spec.path ?? "/")],
    [enc(":method"), enc(spec.method ?? (chunks.length ? "POST" : "GET"))],
    [enc(":scheme"), enc("http")],
    ...rest,
  ];
  const find = (n: string) => out.find(([k]) => k.toString() === n);
  if (chunks.length > 0 && !find("content-length") && !find("transfer-encoding")) {
    if (Array.isArray(spec.chunks) || (spec.chunks ?? 1) > 1) out.push([enc("transfer-encoding"), enc("chunked")]);
    else out.push([enc("content-length"), enc(String(chunks.reduce((a, b) => a + b.length, 0)))]);
  }
  let edge = false;
  if (o.useRemoteAddress) {
    // use_remote_address: the request is an edge request (Envoy 1.39 treats no address as
    // internal by default). Envoy appends the peer to X-Forwarded-For (its own local address when
    // the peer is loopback), records the peer in x-envoy-external-address, drops client x-envoy-*
    // headers, sets X-Forwarded-Proto itself and replaces a client's x-request-id.
    edge = true;
    const peer = (spec.stream?.sourceAddress ?? DEFAULT_PEER).replace(/:\d+$/, "");
    const appended = /^127\./.test(peer) || peer === "::1" ? localAddress() : peer;
    for (let i = out.length - 1; i >= 0; i--) if (out[i][0].toString().startsWith("x-envoy-")) out.splice(i, 1);
    const xff = find("x-forwarded-for");
    if (xff) xff[1] = Buffer.concat([xff[1], enc(","), enc(appended)]);
    else out.push([enc("x-forwarded-for"), enc(appended)]);
    const xfp = find("x-forwarded-proto");
    if (xfp) xfp[1] = enc("http");
    else out.push([enc("x-forwarded-proto"), enc("http")]);
    out.push([enc("x-envoy-external-address"), enc(peer)]);
    const rid = find("x-request-id");
    if (rid) rid[1] = enc(randomUUID());
  }
  if (!find("x-forwarded-proto")) out.push([enc("x-forwarded-proto"), enc("http")]);
  if (!find("x-request-id")) out.push([enc("x-request-id"), enc(randomUUID())]);
  return out;
}

export const DEFAULT_PEER = "127.0.0.1:40000";

/** Envoy's notion of its own address: the first non-loopback IPv4 address of the machine. */
function localAddress(): string {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === "IPv4" && !a.internal) return a.address;
  }
  return "127.0.0.1";
}

const routeGroups = new WeakMap<EmulatorRoute[], Map<string, EmulatorRoute[]>>();

/** Envoy-style route selection: virtual host by domain (exact, *.suffix, prefix*, *), then path/prefix. */
export function matchRoute(routes: EmulatorRoute[], authority: string, path: string): EmulatorRoute | undefined {
  const score = (domains: string[]): number => {
    let best = -1;
    for (const d of domains) {
      if (d === authority) best = Math.max(best, 3000 + d.length);
      else if (d === "*") best = Math.max(best, 0);
      else if (d.startsWith("*") && authority.endsWith(d.slice(1)) && authority.length > d.length - 1) best = Math.max(best, 2000 + d.length);
      else if (d.endsWith("*") && authority.startsWith(d.slice(0, -1)) && authority.length > d.length - 1) best = Math.max(best, 1000 + d.length);
    }
    return best;
  };
  let groups = routeGroups.get(routes);
  if (!groups) {
    groups = new Map<string, EmulatorRoute[]>();
    for (const r of routes) {
      const key = (r.domains ?? ["*"]).join(",");
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key)!.push(r);
    }
    routeGroups.set(routes, groups);
  }
  let chosen: EmulatorRoute[] | undefined;
  let best = -1;
  for (const [key, rs] of groups) {
    const s = score(key.split(","));
    if (s > best) {
      best = s;
      chosen = rs;
    }
  }
  if (!chosen) return undefined;
  const urlPath = path.split("?")[0];
  return chosen.find((r) => (r.path !== undefined ? r.path === urlPath : path.startsWith(r.prefix ?? "/")));
}

function resultOf(s: HttpStream): RequestResult {
  const down = s.downstream;
  const up = s.upstream;
  return {
    status: s.status,
    headers: (down.headers ?? []).filter(([k]) => k !== ":status"),
    header(name: string) {
      const k = name.toLowerCase();
      return down.headers?.find(([hk]) => hk === k)?.[1];
    },
    body: down.body.toString("utf8"),
    bodyBytes: down.body,
    localResponse: s.localResponse,
    upstream: up.complete ? up : null,
    logs: s.logs,
    reset: s.reset,
    stream: s,
  };
}

export { respValueEnd };
