// Plugin<C> and HttpFilter<C>: the Higress wasm-go model in AssemblyScript.
// A plugin parses its configuration once per rule (global config + `_rules_`), and each request
// gets an HttpFilter whose `config` is the first rule that matches (or the global config).
// Body hooks follow Higress: buffered mode pauses until end of stream and hands over the whole
// body; streaming mode hands over each chunk and sends on what the hook returns. A stream may
// end on a data frame or on trailers: either way the buffered hook gets the whole body once and
// the streaming hook gets its last chunk, so no body passes a plugin unseen. At the trailers every
// chunk already went on and Envoy has no body to add to: what the streaming hook returns there is
// dropped (test/body-pipeline shows it for h2c and HTTP/1 chunked trailers, both directions).
import { Action, BufferType, StreamType, Status } from "../abi/types";
import * as host from "../runtime/hostcalls";
import { dispatcher } from "../runtime/dispatcher";
import { HeaderPair } from "../runtime/pairs";
import { RootContext, HttpContext } from "../runtime/context";
import { log, logState } from "./log";
import { settleRequestId } from "../runtime/logstate";
import { requestHeaders, responseHeaders, requestTrailers, responseTrailers, HeaderMap } from "./headers";
import { JsonObject } from "../json/value";
import { parseJson } from "../json/parse";
import { RuleMatch, parseRuleMatch } from "../config/match";
import { findSecretTemplate, secretTemplateError } from "../config/secret-template";
import { bodyWait, BODY_WAIT_MESSAGE } from "./body-wait";

export enum BodyMode {
  /** The body passes through untouched (no body hooks are called). */
  None,
  /** Pause until the whole body has arrived, then call onRequestBody/onResponseBody once. */
  Buffer,
  /** Call onRequestChunk/onResponseChunk for every chunk as it passes. */
  Stream,
}

/** Collects the reason a configuration was refused. */
export class ConfigError {
  message: string = "";
  /** Records the first failure and returns null, so a parser can `return err.fail("…")`. */
  fail<C>(message: string): C | null {
    if (this.message.length == 0) this.message = message;
    return null;
  }
  get failed(): bool { return this.message.length > 0; }
}

class MatchedRule<C> {
  constructor(public match: RuleMatch, public config: C) {}
}

export abstract class Plugin<C> extends RootContext {
  globalConfig: C | null = null;
  rules: Array<MatchedRule<C>> = [];
  /** True when any `_rules_` entry was given (the consumer model's `global_auth` default uses it). */
  hasRules: bool = false;
  private needsHost: bool = false;
  private needsRoute: bool = false;
  private needsCluster: bool = false;

  /** Parses one configuration object (the global one, or a rule with `global` as its base). */
  abstract parseConfig(json: JsonObject, global: C | null, err: ConfigError): C | null;
  /** A filter for one request. */
  abstract newFilter(): HttpFilter<C>;
  /** Called after the whole configuration parsed; return false with a log line to refuse it. */
  onConfigured(): bool { return true; }

  onConfigure(configSize: u32): bool {
    const raw = host.getBuffer(BufferType.PluginConfiguration);
    const text = raw === null ? "" : String.UTF8.decode(raw);
    const error = this.loadConfig(text);
    if (error.length > 0) {
      log.error("parse rule config failed: " + error);
      log.error("plugin start failed");
      return false;
    }
    if (!this.onConfigured()) {
      log.error("plugin start failed");
      return false;
    }
    log.info("plugin start successfully");
    return true;
  }

  /** Loads a Higress plugin configuration document; returns an error message or "". */
  loadConfig(text: string): string {
    this.globalConfig = null;
    this.rules = [];
    this.hasRules = false;
    this.needsHost = false;
    this.needsRoute = false;
    this.needsCluster = false;
    let doc: JsonObject;
    if (text.trim().length == 0) {
      doc = new JsonObject();
    } else {
      const r = parseJson(text);
      if (!r.ok) return "the plugin configuration is not a valid json: " + r.error;
      const o = r.value!.asObject();
      if (o === null) return "the plugin configuration is not a valid json: expected an object";
      doc = o;
    }
    const secretAt = findSecretTemplate(doc);
    if (secretAt !== null) return secretTemplateError(secretAt);
    const pid = doc.getString("_plugin_id_");
    if (pid !== null) { logState.pluginId = pid; doc.delete("_plugin_id_"); }

    let keys = doc.size;
    const rulesValue = doc.get("_rules_");
    if (rulesValue !== null) keys--;
    let globalError = "";
    if (keys > 0 || doc.size == 0) {
      const err = new ConfigError();
      const g = this.parseConfig(doc, null, err);
      if (g === null) globalError = err.failed ? err.message : "invalid configuration";
      else this.globalConfig = g;
    }
    if (rulesValue === null) {
      return this.globalConfig === null ? "parse config failed, no valid rules; global config parse error:" + globalError : "";
    }
    const list = rulesValue.asArray();
    if (list === null) return "'_rules_' must be an array";
    this.hasRules = list.length > 0;
    for (let i = 0; i < list.length; i++) {
      const rule = list[i].asObject();
      if (rule === null) return "rule " + i.toString() + " of '_rules_' is not an object";
      const m = parseRuleMatch(rule);
      if (m.match === null) return m.error;
      const err = new ConfigError();
      const c = this.parseConfig(rule, this.globalConfig, err);
      if (c === null) return "rule " + i.toString() + ": " + (err.failed ? err.message : "invalid configuration");
      const match = m.match!;
      if (match.needsHost) this.needsHost = true;
      if (match.needsRoute) this.needsRoute = true;
      if (match.needsCluster) this.needsCluster = true;
      this.rules.push(new MatchedRule<C>(match, c));
    }
    if (this.rules.length == 0 && this.globalConfig === null) return "no valid rules parsed; global config parse error:" + globalError;
    return "";
  }

  /** The configuration for the current request: first matching rule, else global, else null. */
  matchConfig(): C | null {
    if (this.rules.length == 0) return this.globalConfig;
    let hostName = "", route = "", cluster = "";
    if (this.needsHost) { const h = requestHeaders.get(":authority"); if (h !== null) hostName = h; }
    if (this.needsRoute) route = routeName();
    if (this.needsCluster) cluster = clusterName();
    for (let i = 0; i < this.rules.length; i++) {
      if (this.rules[i].match.matches(hostName, route, cluster)) return this.rules[i].config;
    }
    return this.globalConfig;
  }

  createHttpContext(id: u32): HttpContext | null {
    const f = this.newFilter();
    f.plugin = this;
    return f;
  }
}

/** The current route's name: Higress's `route_name` property, else Envoy's `xds.route_name`. */
export function routeName(): string {
  let r = host.getPropertyBytes(["route_name"]);
  if (r === null) r = host.getPropertyBytes(["xds", "route_name"]);
  return r === null ? "" : String.UTF8.decode(r);
}

/** The current upstream cluster's name (`cluster_name`, else Envoy's `xds.cluster_name`). */
export function clusterName(): string {
  let r = host.getPropertyBytes(["cluster_name"]);
  if (r === null) r = host.getPropertyBytes(["xds", "cluster_name"]);
  return r === null ? "" : String.UTF8.decode(r);
}

/** Largest body a buffered hook is handed unless the filter sets its own limit (bytes). */
export const DEFAULT_BODY_LIMIT: u32 = 64 << 20;
/**
 * A buffered body from this size on is handed over between two full collections: the first frees
 * what earlier requests left, so this body reuses that space; the second frees the body and what
 * the hook built from it before longer-lived objects land between them (linear memory never
 * shrinks, so a split space is paid again by the next big body).
 */
const COLLECT_AROUND_BYTES: u32 = 256 << 10;
/** How long a stream whose headers a plugin paused may wait for its first body bytes (ms). */
export const DEFAULT_BODY_WAIT_MS: u32 = 10000;

export abstract class HttpFilter<C> extends HttpContext {
  plugin!: Plugin<C>;
  /** The matched configuration. Hooks run only when there is one. */
  config!: C;
  active: bool = false;
  requestBodyMode: BodyMode = BodyMode.None;
  responseBodyMode: BodyMode = BodyMode.None;
  /**
   * Buffered mode: the largest body handed to onRequestBody/onResponseBody (0: no limit but the
   * host's). A larger one is never read into the VM: onRequestBodyTooLarge/onResponseBodyTooLarge
   * answer instead (413 / 500 by default).
   */
  requestBodyLimit: u32 = DEFAULT_BODY_LIMIT;
  responseBodyLimit: u32 = DEFAULT_BODY_LIMIT;
  /** A stream paused in its headers phase gets its body within this time or a 500 (0: wait forever). */
  bodyWaitMs: u32 = DEFAULT_BODY_WAIT_MS;
  /** False when the request headers ended the stream (no body follows). */
  hasRequestBody: bool = true;
  hasResponseBody: bool = true;
  /** Set by respond(): later hooks of this request are not called. */
  responded: bool = false;
  /** The body hook saw the end of this direction's body (on a data frame or at the trailers). */
  private requestBodyDone: bool = false;
  private responseBodyDone: bool = false;
  /** Set by holdStream() during a streaming hook; read (and cleared) when the hook returns. */
  private holdAsked: bool = false;
  /** The direction is held by holdStream() until resumeRequest() / resumeResponse(). */
  requestStreamHeld: bool = false;
  responseStreamHeld: bool = false;

  // ---- hooks for plugin authors (all optional) ----
  onRequestHeaders(endOfStream: bool): Action { return Action.Continue; }
  /** Buffered mode: the whole request body. */
  onRequestBody(body: ArrayBuffer): Action { return Action.Continue; }
  /**
   * Streaming mode: one chunk; return the bytes to send on (or null to keep the chunk). When the
   * stream ends on trailers the last call comes there with an empty chunk, and Envoy drops the
   * bytes returned from it (a warning is logged): keep nothing back that must reach the peer.
   */
  onRequestChunk(chunk: ArrayBuffer, last: bool): ArrayBuffer | null { return null; }
  /** The request ends with trailers (called after the body hook saw the end of the body). */
  onRequestTrailers(): Action { return Action.Continue; }
  /** Buffered mode: the request body is larger than requestBodyLimit (it was not read). */
  onRequestBodyTooLarge(size: u32): Action {
    return this.respond(413, "request body too large", [], "request_body_too_large");
  }
  onResponseHeaders(endOfStream: bool): Action { return Action.Continue; }
  onResponseBody(body: ArrayBuffer): Action { return Action.Continue; }
  /** Streaming mode for the response; at the trailers, as onRequestChunk, returned bytes are dropped. */
  onResponseChunk(chunk: ArrayBuffer, last: bool): ArrayBuffer | null { return null; }
  onResponseTrailers(): Action { return Action.Continue; }
  onResponseBodyTooLarge(size: u32): Action {
    return this.respond(500, "response body too large", [], "response_body_too_large");
  }
  /** The stream is finished (called from proxy_on_log): good for statistics. */
  onStreamDone(): void {}

  // ---- helpers ----
  get requestHeaders(): HeaderMap { return requestHeaders; }
  get responseHeaders(): HeaderMap { return responseHeaders; }
  /** Trailers, in onRequestTrailers/onResponseTrailers (and the body hooks they trigger). */
  get requestTrailers(): HeaderMap { return requestTrailers; }
  get responseTrailers(): HeaderMap { return responseTrailers; }

  /** Sends a local response instead of the upstream's; returns the Action to return from a hook. */
  respond(status: u32, body: string, headers: Array<HeaderPair> = [], details: string = ""): Action {
    return this.respondBytes(status, String.UTF8.encode(body), headers, details);
  }

  respondBytes(status: u32, body: ArrayBuffer, headers: Array<HeaderPair> = [], details: string = ""): Action {
    host.sendLocalResponse(status, details.length > 0 ? details : logState.pluginName, body, headers, -1);
    this.responded = true;
    bodyWait.disarm(this.id);
    return Action.Pause;
  }

  replaceRequestBody(body: ArrayBuffer): Status {
    return host.setBuffer(BufferType.HttpRequestBody, 0, 0xffffffff, body);
  }

  replaceResponseBody(body: ArrayBuffer): Status {
    return host.setBuffer(BufferType.HttpResponseBody, 0, 0xffffffff, body);
  }

  /**
   * Makes the plugin's root context the caller of the calls that follow, until endRootScope():
   * an HTTP callout or a Redis call made when the request is ending (onStreamDone) must not belong
   * to the request, or the host drops its answer with the request.
   */
  beginRootScope(): void {
    host.setEffectiveContext(this.plugin.id);
    dispatcher.current = this.plugin.id;
    logState.effective = this.plugin.id;
  }

  /** Ends beginRootScope(): this request is the caller again. */
  endRootScope(): void {
    host.setEffectiveContext(this.id);
    dispatcher.current = this.id;
    logState.effective = this.id;
  }

  /**
   * From onRequestChunk/onResponseChunk: the bytes the hook returns go on, then this direction
   * stops (the host buffers what follows) until resumeRequest()/resumeResponse() — for a plugin
   * that must judge what came (with a callout) before more of the stream may pass.
   */
  holdStream(): void { this.holdAsked = true; }

  /** Resumes a request paused by a hook (after a callout answered). */
  resumeRequest(): Status { bodyWait.disarm(this.id); this.requestStreamHeld = false; return host.continueStream(StreamType.Request); }
  resumeResponse(): Status { bodyWait.disarm(this.id); this.responseStreamHeld = false; return host.continueStream(StreamType.Response); }

  /** After a streaming hook: Pause when it asked holdStream(). */
  private afterChunk(request: bool): Action {
    const held = this.holdAsked;
    this.holdAsked = false;
    if (request) this.requestStreamHeld = held;
    else this.responseStreamHeld = held;
    return held ? Action.Pause : Action.Continue;
  }

  // ---- the raw hooks, with Higress's semantics ----
  onRequestHeadersRaw(numHeaders: u32, endOfStream: bool): Action {
    const c = this.plugin.matchConfig();
    if (c === null) return Action.Continue;
    this.config = c;
    this.active = true;
    this.hasRequestBody = !endOfStream;
    const a = this.onRequestHeaders(endOfStream);
    // The id for later lines is read now, while the host surely has the request's headers (Envoy
    // forgets them once they went on, and a callback after the stream ended finds none).
    settleRequestId(this);
    if (a == Action.Pause && !endOfStream && !this.responded) bodyWait.arm(this.plugin.id, this.id, this.bodyWaitMs, true);
    return a;
  }

  onRequestBodyRaw(bodySize: u32, endOfStream: bool): Action {
    bodyWait.disarm(this.id);
    if (!this.active || this.responded || this.requestBodyMode == BodyMode.None || this.requestBodyDone) return Action.Continue;
    if (this.requestBodyMode == BodyMode.Stream) {
      const chunk = host.getBuffer(BufferType.HttpRequestBody, 0, bodySize);
      if (endOfStream) this.requestBodyDone = true;
      this.holdAsked = false;
      const out = this.onRequestChunk(chunk === null ? new ArrayBuffer(0) : chunk, endOfStream);
      if (out !== null) host.setBuffer(BufferType.HttpRequestBody, 0, bodySize, out);
      return this.afterChunk(true);
    }
    // Buffered: the host reports everything buffered so far; refuse before reading a body too big.
    if (this.requestBodyLimit > 0 && bodySize > this.requestBodyLimit) {
      this.requestBodyDone = true;
      return this.onRequestBodyTooLarge(bodySize);
    }
    if (!endOfStream) return Action.Pause;
    return this.finishRequestBody();
  }

  onRequestTrailersRaw(numTrailers: u32): Action {
    bodyWait.disarm(this.id);
    if (!this.active || this.responded) return Action.Continue;
    if (!this.requestBodyDone && this.requestBodyMode == BodyMode.Buffer) {
      const size = host.getBufferSize(BufferType.HttpRequestBody);
      if (this.requestBodyLimit > 0 && size > <i64>this.requestBodyLimit) {
        this.requestBodyDone = true;
        return this.onRequestBodyTooLarge(<u32>min<i64>(size, <i64>u32.MAX_VALUE));
      }
      const a = this.finishRequestBody();
      if (a != Action.Continue || this.responded) return Action.Pause;
    } else if (!this.requestBodyDone && this.requestBodyMode == BodyMode.Stream) {
      this.requestBodyDone = true;
      this.holdAsked = false;
      const out = this.onRequestChunk(new ArrayBuffer(0), true);
      if (out !== null && out.byteLength > 0) appendBody(BufferType.HttpRequestBody, out);
      if (this.responded) return Action.Pause;
      if (this.afterChunk(true) == Action.Pause) {
        // Held at the trailers: they wait with the stream; the trailers hook runs now.
        this.onRequestTrailers();
        return Action.Pause;
      }
    }
    return this.onRequestTrailers();
  }

  private finishRequestBody(): Action {
    this.requestBodyDone = true;
    const big = host.getBufferSize(BufferType.HttpRequestBody) >= <i64>COLLECT_AROUND_BYTES;
    if (big) __collect();
    const body = host.getBuffer(BufferType.HttpRequestBody);
    const a = this.onRequestBody(body === null ? new ArrayBuffer(0) : body);
    if (big) __collect();
    return a;
  }

  onResponseHeadersRaw(numHeaders: u32, endOfStream: bool): Action {
    if (!this.active || this.responded) return Action.Continue;
    this.hasResponseBody = !endOfStream;
    const a = this.onResponseHeaders(endOfStream);
    if (a == Action.Pause && !endOfStream && !this.responded) bodyWait.arm(this.plugin.id, this.id, this.bodyWaitMs, false);
    return a;
  }

  onResponseBodyRaw(bodySize: u32, endOfStream: bool): Action {
    bodyWait.disarm(this.id);
    if (!this.active || this.responded || this.responseBodyMode == BodyMode.None || this.responseBodyDone) return Action.Continue;
    if (this.responseBodyMode == BodyMode.Stream) {
      const chunk = host.getBuffer(BufferType.HttpResponseBody, 0, bodySize);
      if (endOfStream) this.responseBodyDone = true;
      this.holdAsked = false;
      const out = this.onResponseChunk(chunk === null ? new ArrayBuffer(0) : chunk, endOfStream);
      if (out !== null) host.setBuffer(BufferType.HttpResponseBody, 0, bodySize, out);
      return this.afterChunk(false);
    }
    if (this.responseBodyLimit > 0 && bodySize > this.responseBodyLimit) {
      this.responseBodyDone = true;
      return this.onResponseBodyTooLarge(bodySize);
    }
    if (!endOfStream) return Action.Pause;
    return this.finishResponseBody();
  }

  onResponseTrailersRaw(numTrailers: u32): Action {
    bodyWait.disarm(this.id);
    if (!this.active || this.responded) return Action.Continue;
    if (!this.responseBodyDone && this.responseBodyMode == BodyMode.Buffer) {
      const size = host.getBufferSize(BufferType.HttpResponseBody);
      if (this.responseBodyLimit > 0 && size > <i64>this.responseBodyLimit) {
        this.responseBodyDone = true;
        return this.onResponseBodyTooLarge(<u32>min<i64>(size, <i64>u32.MAX_VALUE));
      }
      const a = this.finishResponseBody();
      if (a != Action.Continue || this.responded) return Action.Pause;
    } else if (!this.responseBodyDone && this.responseBodyMode == BodyMode.Stream) {
      this.responseBodyDone = true;
      this.holdAsked = false;
      const out = this.onResponseChunk(new ArrayBuffer(0), true);
      if (out !== null && out.byteLength > 0) appendBody(BufferType.HttpResponseBody, out);
      if (this.responded) return Action.Pause;
      if (this.afterChunk(false) == Action.Pause) {
        // Held at the trailers: they wait with the stream; the trailers hook runs now.
        this.onResponseTrailers();
        return Action.Pause;
      }
    }
    return this.onResponseTrailers();
  }

  private finishResponseBody(): Action {
    this.responseBodyDone = true;
    const big = host.getBufferSize(BufferType.HttpResponseBody) >= <i64>COLLECT_AROUND_BYTES;
    if (big) __collect();
    const body = host.getBuffer(BufferType.HttpResponseBody);
    const a = this.onResponseBody(body === null ? new ArrayBuffer(0) : body);
    if (big) __collect();
    return a;
  }

  onBodyWaitExpired(request: bool): void {
    if (this.responded) return;
    this.respond(500, BODY_WAIT_MESSAGE, [], "sluice_body_wait_timeout");
  }

  onDeleteRaw(): void { bodyWait.disarm(this.id); }

  onLogRaw(): void {
    if (this.active) this.onStreamDone();
  }
}

/**
 * Adds bytes after what the host holds of a body (the last words of a stream ending in trailers).
 * Envoy's wasm Context has a body to grow only while it buffers one (StopIterationAndBuffer); after
 * the chunks went on it hands out an empty read-only buffer, so the write fails with BadArgument
 * and the bytes are dropped: the warning below says so instead of failing silently.
 */
function appendBody(type: BufferType, data: ArrayBuffer): void {
  const size = host.getBufferSize(type);
  if (size < 0) { log.warn("could not add " + data.byteLength.toString() + " bytes at the end of the body: no body buffer"); return; }
  const st = host.setBuffer(type, <u32>size, 0, data);
  if (st != Status.Ok) log.warn("could not add " + data.byteLength.toString() + " bytes at the end of the body (status " + (<u32>st).toString() + ")");
}
