// ai-proxy: one OpenAI-compatible (and Anthropic-compatible) API over many LLM providers.
// Configuration and behaviour follow Higress's ai-proxy (its README and code; differences in README.md).
//
// Flow: request headers pick the API and the provider and stop iteration; the buffered request
// body is parsed, (Anthropic → OpenAI,) model-mapped, customised, optionally given the context
// file, converted to the provider's native form, and sent with the provider's host, path and
// auth. The response comes back buffered (errors, JSON) or streamed (SSE / event-stream) and is
// converted to OpenAI (then to Anthropic when the client spoke Anthropic). Usage is normalised
// into sdk/ai's TokenUsage and published as the `ai_usage` property.
import { Plugin, HttpFilter, Action, BodyMode, ConfigError, JsonObject, JsonValue, HeaderPair, HeaderSnapshot, registerPlugin, log, IS_HIGRESS, properties } from "@sluice/sdk";
import { httpCall, lastHttpCallError, HttpCallHandler, HttpCallResponse, FQDNCluster, RouteCluster } from "@sluice/sdk/http";
export * from "@sluice/sdk/exports";
import { AiProxyConfig, ProviderConfig, parseAiProxyConfig } from "./config";
import { Api, Exchange, ProviderAdapter, ProviderError } from "./adapter";
import { apiOfPath } from "./providers";
import { StreamConverter, StreamOutput, UsageReport } from "./stream";
import { jsonString, jsonBool, jsonObject, jsonArray, str, parseObjectBytes, bodyBytes, jsonByteLength, nowSeconds } from "./util";
import { providerErrorMessage, providerErrorCode } from "./openai";
import { openaiErrorJson as openaiError, anthropicErrorJson as anthropicError, extractUsageView } from "@sluice/sdk/ai";
import { JsonObjectView, JsonWriter } from "@sluice/sdk/json";
import { containsAscii } from "@sluice/sdk/encoding";
import { anthropicToOpenAIRequest, openaiToAnthropicResponse, AnthropicStreamWriter } from "./anthropic";
import { applyCustomSettings, cleanupContext, mergeConsecutive, renameDeveloperRole, insertContext, embeddingsToBase64, promoteThinking } from "./customize";
import { chooseToken, reportFailure, reportSuccess } from "./tokens";
import { anyMatches } from "./status";
import { mapModel } from "./mapping";

const BODY_LIMIT = "104857600";
/** The client's credential headers, replaced by the provider's auth. */
const CREDENTIAL_HEADERS: Array<string> = ["authorization", "x-api-key", "api-key", "x-goog-api-key"];

class AiProxy extends Plugin<AiProxyConfig> {
  parseConfig(json: JsonObject, global: AiProxyConfig | null, err: ConfigError): AiProxyConfig | null {
    return parseAiProxyConfig(json, global, err);
  }
  newFilter(): HttpFilter<AiProxyConfig> { return new AiProxyFilter(); }
}

function capabilityKey(api: Api): string {
  if (api == Api.Chat) return "openai/v1/chatcompletions";
  if (api == Api.Completions) return "openai/v1/completions";
  if (api == Api.Embeddings) return "openai/v1/embeddings";
  if (api == Api.Models) return "openai/v1/models";
  return "";
}

class AiProxyFilter extends HttpFilter<AiProxyConfig> implements HttpCallHandler {
  pc: ProviderConfig | null = null;
  ex: Exchange = new Exchange();
  status: u32 = 0;
  report: UsageReport = new UsageReport();
  converter: StreamConverter | null = null;
  pendingBody: JsonObject | null = null;
  embeddingsBase64: bool = false;
  /** The provider reports errors in 200 answers: the response headers wait for the body. */
  holdHeaders: bool = false;
  /** Size of the client's body: sizes the buffer the upstream body is written into. */
  requestBytes: i32 = 0;
  // retryOnFailure state
  upstreamHeaders: Array<HeaderPair> = [];
  upstreamBody: ArrayBuffer | null = null;
  upstreamAuthority: string = "";
  upstreamPathSent: string = "";
  triedTokens: Array<string> = [];
  retriesLeft: i32 = 0;
  retrying: bool = false;
  retryToken: string = "";
  /** The client's request headers as they arrived (one read for all; see onRequestHeaders). */
  clientHeaders: HeaderSnapshot | null = null;
  /** Waiting for the provider's access token (vertex's OAuth2 token endpoint). */
  awaitingToken: bool = false;

  get adapter(): ProviderAdapter { return this.pc!.adapter; }

  // ---- request -------------------------------------------------------------------------

  onRequestHeaders(endOfStream: bool): Action {
    const pc = this.config.active;
    if (pc === null) return Action.Continue;
    this.pc = pc;
    this.report.provider = pc.type;
    const ex = this.ex;
    // One host call for every header read here; removes below skip headers the client did not send.
    const snap = this.requestHeaders.snapshot();
    this.clientHeaders = snap;
    const p = snap.get(":path");
    let path = p === null ? "/" : p;
    if (pc.basePath.length > 0 && !pc.basePathPrepend && path.startsWith(pc.basePath)) {
      path = path.substring(pc.basePath.length);
      if (!path.startsWith("/")) path = "/" + path;
    }
    ex.originalPath = path;
    ex.api = apiOfPath(path);
    if (ex.api == Api.Unknown && !pc.originalProtocol) return Action.Continue;
    ex.created = nowSeconds();

    const host = snap.get(":authority");
    // set replaces every value: a remove first is needed only when there is nothing to set
    if (host !== null) this.requestHeaders.set("x-envoy-original-host", host);
    else this.requestHeaders.removeIn(snap, "x-envoy-original-host");
    if (p !== null) this.requestHeaders.set("x-envoy-original-path", p);
    else this.requestHeaders.removeIn(snap, "x-envoy-original-path");
    this.requestHeaders.removeIn(snap, "accept-encoding");
    ex.token = chooseToken(pc, []);

    if (pc.originalProtocol) {
      this.applyHostAndAuth();
      if (pc.basePath.length > 0 && !pc.basePathPrepend) this.requestHeaders.set(":path", path);
      return Action.Continue;
    }
    ex.anthropicIn = ex.api == Api.Messages || ex.api == Api.CountTokens;
    if (ex.api == Api.Models) {
      const up = this.upstreamPath(Api.Models);
      if (up.length == 0) return this.respondModels();
      this.applyHostAndAuth();
      this.requestHeaders.set(":path", up);
      return Action.Continue;
    }
    if (endOfStream) return this.fail(400, "a JSON request body is required");
    this.requestHeaders.removeIn(snap, "content-length");
    this.requestBodyMode = BodyMode.Buffer;
    // Higress: raise the per-request buffer limit as its ai-proxy does, 1 MiB above
    // maxRequestBodyBytes so that our 413 (in the API's shape) comes before the host's (Envoy: the
    // listener's per_connection_buffer_limit_bytes decides).
    if (IS_HIGRESS) properties.setString(["set_decoder_buffer_limit"], (this.config.maxRequestBodyBytes + (1 << 20)).toString());
    this.requestBodyLimit = <u32>min<i64>(this.config.maxRequestBodyBytes, <i64>u32.MAX_VALUE);
    return Action.Pause;
  }

  /** A body over maxRequestBodyBytes (the SDK checks the size the host reports while the body
   *  arrives, before anything is copied into the VM) is refused in the client's API dialect. */
  onRequestBodyTooLarge(size: u32): Action {
    const message = "the request body is larger than the limit of " + this.config.maxRequestBodyBytes.toString() + " bytes";
    log.warn(message);
    const body = this.ex.anthropicIn ? anthropicError(413, message) : openaiError(413, message, "request_too_large");
    return this.respond(413, body, [new HeaderPair("content-type", "application/json")], "ai-proxy.request_too_large");
  }

  onRequestBody(body: ArrayBuffer): Action {
    const pc = this.pc!;
    const ex = this.ex;
    this.requestBytes = body.byteLength;
    if (this.relaysAsBytes(body)) return this.relayBytes(body);
    if (this.convertsOnBytes()) {
      const a = this.convertBytes(body);
      if (a >= 0) return <Action>a;
    }
    let req = parseObjectBytes(body);
    if (req === null) return this.fail(400, "the request body is not a valid JSON object");
    const m = req.getString("model");
    if (m === null || m.length == 0) return this.fail(400, "missing model in the request body");
    ex.model = m;
    ex.mapped = mapModel(pc.modelMapping, m);
    this.report.model = ex.mapped;
    if (ex.api == Api.CountTokens) return this.countTokens(req);
    ex.stream = req.getBool("stream", false);
    this.report.stream = ex.stream;
    this.embeddingsBase64 = ex.api == Api.Embeddings && str(req, "encoding_format") == "base64";
    if (ex.anthropicIn) {
      if (this.adapter.speaksMessages) ex.nativeMessages = true;
      else { req = anthropicToOpenAIRequest(req); ex.api = Api.Chat; }
    }
    if (!ex.nativeMessages) this.customize(req);
    if (pc.context !== null && (ex.api == Api.Chat || ex.nativeMessages)) {
      const c = pc.context!;
      this.pendingBody = req;
      const st = httpCall(new FQDNCluster(c.serviceName, c.servicePort, c.host), "GET", c.path, [], null, pc.timeout, this);
      if (st != 0) return this.fail(500, "failed to fetch the context file: cannot call " + c.serviceName);
      return Action.Pause;
    }
    return this.finishRequest(req);
  }

  /**
   * The request needs no conversion and no change a tree is needed for: an OpenAI request to a
   * provider that takes OpenAI bodies as they are (`passesOpenAIBodies`), no customSettings,
   * context file, cleanup, merging or default response_format, and no `developer` role to rename.
   * Its bytes are then edited in place (relayBytes) instead of parsed, rebuilt and re-serialised.
   */
  private relaysAsBytes(body: ArrayBuffer): bool {
    const pc = this.pc!;
    const api = this.ex.api;
    if (this.ex.anthropicIn || pc.context !== null || !this.adapter.passesOpenAIBodies()) return false;
    if (api != Api.Chat && api != Api.Completions && api != Api.Embeddings) return false;
    if (pc.customSettings.length > 0 || pc.contextCleanupCommands.length > 0 || pc.mergeConsecutiveMessages) return false;
    if (api == Api.Chat && pc.responseJsonSchema !== null) return false;
    // A `developer` role the provider does not know is renamed on the tree (an escaped spelling
    // of it, `\u00..`, is left to the tree too).
    if (api == Api.Chat && !this.adapter.keepsDeveloperRole) {
      const p = changetype<usize>(body);
      if (containsAscii(p, body.byteLength, "developer") || containsAscii(p, body.byteLength, "\\u00")) return false;
    }
    return true;
  }

  /**
   * An OpenAI chat request the adapter may convert on its bytes (requestOnBytes): nothing of the
   * config changes it first (customSettings, context file, cleanup, merging, default
   * response_format), and the client speaks OpenAI.
   */
  private convertsOnBytes(): bool {
    const pc = this.pc!;
    if (!this.adapter.convertsOnBytes || this.ex.anthropicIn || this.ex.api != Api.Chat || pc.context !== null) return false;
    return pc.customSettings.length == 0 && pc.contextCleanupCommands.length == 0 && !pc.mergeConsecutiveMessages && pc.responseJsonSchema === null;
  }

  /** The adapter's byte conversion sent upstream (an Action), or -1 when it has none for this request. */
  private convertBytes(body: ArrayBuffer): i32 {
    const ex = this.ex;
    const req = JsonObjectView.of(body);
    if (req === null) return -1;
    const m = req.getString("model");
    if (m === null || m.length == 0) return -1;
    ex.model = m;
    ex.mapped = mapModel(this.pc!.modelMapping, m);
    ex.stream = req.getBool("stream", false);
    const up = this.adapter.requestOnBytes(req, ex);
    if (up === null) return -1;
    this.report.model = ex.mapped;
    this.report.stream = ex.stream;
    return <i32>this.sendUpstream(up.body, up.path);
  }

  /** relaysAsBytes' request: `model` mapped, stream usage asked for, every other byte as the client sent it. */
  private relayBytes(body: ArrayBuffer): Action {
    const ex = this.ex;
    const req = JsonObjectView.of(body);
    if (req === null) return this.fail(400, "the request body is not a valid JSON object");
    const m = req.getString("model");
    if (m === null || m.length == 0) return this.fail(400, "missing model in the request body");
    ex.model = m;
    ex.mapped = mapModel(this.pc!.modelMapping, m);
    this.report.model = ex.mapped;
    ex.stream = req.getBool("stream", false);
    this.report.stream = ex.stream;
    if (ex.stream && ex.api == Api.Chat) {
      // stream_options.include_usage: added when absent, a client's own value kept (as customize does)
      const so = req.getObject("stream_options");
      if (so === null) req.setRaw("stream_options", String.UTF8.encode("{\"include_usage\":true}"));
      else if (!so.has("include_usage")) {
        so.setRaw("include_usage", String.UTF8.encode("true"));
        req.setRaw("stream_options", so.toBytes());
      }
    }
    req.setString("model", ex.mapped);
    return this.sendUpstream(req.toBytes(), this.adapter.path(ex.api, ex));
  }

  /** The config's changes to an OpenAI request. */
  private customize(req: JsonObject): void {
    const pc = this.pc!;
    applyCustomSettings(req, pc.customSettings);
    if (this.ex.api != Api.Chat) return;
    if (this.ex.stream) {
      let so = req.getObject("stream_options");
      if (so === null) { so = new JsonObject(); req.set("stream_options", jsonObject(so)); }
      if (!so.has("include_usage")) so.set("include_usage", jsonBool(true));
    }
    // responseJsonSchema (openai): a default structured-output schema when the client set none.
    const rjs = pc.responseJsonSchema;
    if (rjs !== null && !req.has("response_format")) {
      const rf = new JsonObject();
      rf.set("type", jsonString("json_schema"));
      rf.set("json_schema", rjs);
      req.set("response_format", jsonObject(rf));
    }
    if (pc.contextCleanupCommands.length > 0) cleanupContext(req, pc.contextCleanupCommands);
    if (pc.mergeConsecutiveMessages) mergeConsecutive(req);
    if (!this.adapter.keepsDeveloperRole) renameDeveloperRole(req);
  }

  onHttpCallResponse(r: HttpCallResponse): void {
    if (this.awaitingToken) { this.onAccessToken(r); return; }
    const req = this.pendingBody;
    if (req === null) { if (this.retrying) this.onRetryResponse(r); return; }
    this.pendingBody = null;
    if (!r.ok) { this.fail(500, "failed to fetch the context file: status " + r.status.toString()); return; }
    if (this.adapter.contextInBody) this.ex.context = r.bodyText();
    else insertContext(req, r.bodyText(), this.ex.nativeMessages);
    const a = this.finishRequest(req);
    if (a == Action.Continue) this.resumeRequest();
  }

  /** The request in the provider's form, to the provider's host and path, with its auth. */
  private finishRequest(req: JsonObject): Action {
    const up = this.adapter.request(req, this.ex, this.requestHeaders);
    if (up === null) return this.ex.error.length > 0 ? this.fail(400, this.ex.error) : this.unsupported();
    return this.sendUpstream(bodyBytes(up.body, this.requestBytes), up.path);
  }

  /** The request body `bytes` to the provider's host and `path` (before capabilities and base paths), with its auth. */
  private sendUpstream(bytes: ArrayBuffer, upPath: string): Action {
    const pc = this.pc!;
    let path = upPath;
    const cap = capabilityKey(this.ex.api);
    if (cap.length > 0 && pc.capabilities.has(cap)) path = pc.capabilities.get(cap);
    if (path.length == 0) return this.unsupported();
    if (pc.providerBasePath.length > 0) path = pc.providerBasePath + path;
    if (pc.basePath.length > 0 && pc.basePathPrepend) path = pc.basePath + path;
    this.applyHostAndAuth();
    this.requestHeaders.set(":path", path);
    this.requestHeaders.set("content-type", "application/json");
    if (this.ex.stream) {
      this.requestHeaders.set("accept", "text/event-stream");
      if (pc.firstByteTimeout > 0) this.requestHeaders.set("x-envoy-upstream-rq-first-byte-timeout-ms", pc.firstByteTimeout.toString());
    }
    this.replaceRequestBody(bytes);
    this.adapter.sign(this.requestHeaders, this.upstreamHost(), path, bytes, this.ex);
    if (pc.retry.enabled && !this.ex.stream) {
      this.upstreamHeaders = this.requestHeaders.pairs();
      this.upstreamBody = bytes;
      this.upstreamAuthority = this.upstreamHost();
      this.upstreamPathSent = path;
      this.retriesLeft = pc.retry.maxRetries;
    }
    return this.accessToken();
  }

  /** Providers that authenticate with a fetched access token (vertex): a cached one, or a callout. */
  private accessToken(): Action {
    const a = this.adapter;
    if (!a.needsAccessToken()) return Action.Continue;
    const cached = a.cachedAccessToken();
    if (cached.length > 0) {
      this.requestHeaders.set("authorization", "Bearer " + cached);
      return Action.Continue;
    }
    const call = a.tokenCall();
    if (call === null) return this.fail(500, "failed to sign the access-token request for provider type '" + this.pc!.type + "'");
    const st = httpCall(call.cluster, "POST", call.path, call.headers, call.body, this.pc!.timeout, this);
    if (st != 0) return this.fail(500, "failed to request an access token: " + lastHttpCallError);
    this.awaitingToken = true;
    return Action.Pause;
  }

  private onAccessToken(r: HttpCallResponse): void {
    this.awaitingToken = false;
    const token = this.adapter.acceptToken(r);
    if (token.length == 0) {
      const why = r.reason.length > 0 ? r.reason : "status " + r.status.toString();
      log.warn("the access-token request failed (" + why + "): " + (r.body.byteLength < 512 ? r.bodyText() : ""));
      this.fail(500, "failed to load the access token for provider type '" + this.pc!.type + "'");
      return;
    }
    this.requestHeaders.set("authorization", "Bearer " + token);
    this.resumeRequest();
  }

  /**
   * Anthropic's /v1/messages/count_tokens (Claude Code calls it): forwarded to a provider that
   * speaks Messages; for others, which have no such API, an estimate (UTF-8 bytes / 4 over the
   * request's text).
   */
  private countTokens(req: JsonObject): Action {
    if (this.adapter.speaksMessages) {
      req.set("model", jsonString(this.ex.mapped));
      this.applyHostAndAuth();
      this.requestHeaders.set(":path", "/v1/messages/count_tokens");
      this.requestHeaders.set("content-type", "application/json");
      this.replaceRequestBody(bodyBytes(req, this.requestBytes));
      this.ex.api = Api.Models; // answer passes through untouched
      return Action.Continue;
    }
    let bytes = 0;
    const sys = req.get("system");
    if (sys !== null) bytes += jsonByteLength(sys);
    const msgs = req.get("messages");
    if (msgs !== null) bytes += jsonByteLength(msgs);
    const tools = req.get("tools");
    if (tools !== null) bytes += jsonByteLength(tools);
    const o = new JsonObject();
    o.set("input_tokens", JsonValue.fromNumber(<f64>((bytes + 3) / 4)));
    return this.respond(200, o.stringify(), [new HeaderPair("content-type", "application/json")], "ai-proxy.count_tokens");
  }

  private unsupported(): Action {
    return this.fail(400, "the API " + this.ex.originalPath + " is not supported by provider type '" + this.pc!.type + "'");
  }

  private upstreamHost(): string {
    const pc = this.pc!;
    return pc.providerDomain.length > 0 ? pc.providerDomain : this.adapter.host(this.ex, this.requestHeaders);
  }

  private upstreamPath(api: Api): string {
    const pc = this.pc!;
    const cap = capabilityKey(api);
    if (cap.length > 0 && pc.capabilities.has(cap)) return pc.capabilities.get(cap);
    return this.adapter.path(api, this.ex);
  }

  private applyHostAndAuth(): void {
    const h = this.upstreamHost();
    if (h.length > 0) this.requestHeaders.set(":authority", h);
    const tok = this.ex.token;
    if (tok.length == 0) { this.adapter.clientAuth(this.requestHeaders); return; }
    const client = this.clientHeaders;
    const orig = client === null ? this.requestHeaders.get("authorization") : client.get("authorization");
    if (orig !== null) this.requestHeaders.set("x-hi-original-auth", orig);
    const pairs = this.adapter.authHeaders(tok);
    // The client's credentials go; a header the provider's auth sets anyway is replaced by that set.
    for (let i = 0; i < CREDENTIAL_HEADERS.length; i++) {
      const n = CREDENTIAL_HEADERS[i];
      let setLater = false;
      for (let j = 0; j < pairs.length; j++) if (pairs[j].name == n) { setLater = true; break; }
      if (setLater) continue;
      if (client === null) this.requestHeaders.remove(n);
      else this.requestHeaders.removeIn(client, n);
    }
    for (let i = 0; i < pairs.length; i++) this.requestHeaders.set(pairs[i].name, pairs[i].value);
  }

  private respondModels(): Action {
    const pc = this.pc!;
    const names = new Array<string>();
    const mm = pc.modelMapping;
    const keys = mm.exact.keys();
    for (let i = 0; i < keys.length; i++) { const v = mm.exact.get(keys[i]); if (v.length > 0 && !names.includes(v)) names.push(v); }
    for (let i = 0; i < mm.prefixTargets.length; i++) if (mm.prefixTargets[i].length > 0 && !names.includes(mm.prefixTargets[i])) names.push(mm.prefixTargets[i]);
    const fb = mm.fallback;
    if (fb !== null && fb.length > 0 && !names.includes(fb)) names.push(fb);
    const data = new Array<JsonValue>();
    for (let i = 0; i < names.length; i++) {
      const o = new JsonObject();
      o.set("id", jsonString(names[i]));
      o.set("object", jsonString("model"));
      o.set("created", JsonValue.fromNumber(0));
      o.set("owned_by", jsonString(pc.type));
      data.push(jsonObject(o));
    }
    const out = new JsonObject();
    out.set("object", jsonString("list"));
    out.set("data", jsonArray(data));
    return this.respond(200, out.stringify(), [new HeaderPair("content-type", "application/json")], "ai-proxy.models");
  }

  /** A local error in the client's dialect. */
  private fail(status: u32, message: string): Action {
    log.warn(message);
    const body = this.ex.anthropicIn ? anthropicError(status, message) : openaiError(status, message, "");
    return this.respond(status, body, [new HeaderPair("content-type", "application/json")], "ai-proxy.error");
  }

  // ---- response ------------------------------------------------------------------------

  onResponseHeaders(endOfStream: bool): Action {
    const ex = this.ex;
    if (this.pc === null || ex.api == Api.Unknown) return Action.Continue;
    const pc = this.pc!;
    const s = this.responseHeaders.get(":status");
    this.status = s === null ? 0 : <u32>parseInt(s);
    if (pc.originalProtocol) return Action.Continue;
    const ok = this.status >= 200 && this.status < 300;
    if (!ok) {
      if (anyMatches(pc.failover.onStatus, this.status)) reportFailure(pc, ex.token);
    } else reportSuccess(pc, ex.token);
    if (ex.api == Api.Models) return Action.Continue;
    if (endOfStream) return Action.Continue;
    this.responseHeaders.remove("content-length");
    if (!ok) {
      this.responseHeaders.set("content-type", "application/json");
      this.responseBodyMode = BodyMode.Buffer;
      if (this.upstreamBody !== null && anyMatches(pc.retry.onStatus, this.status)) {
        this.triedTokens.push(ex.token);
        if (this.startRetry()) return Action.Pause;
      }
      return Action.Continue;
    }
    const ct = this.responseHeaders.get("content-type");
    const isStream = ct !== null && (ct.includes("event-stream") || ct.includes("eventstream"));
    if (isStream || (ex.stream && ct === null)) {
      this.responseBodyMode = BodyMode.Stream;
      this.responseHeaders.set("content-type", "text/event-stream");
      const writer = ex.anthropicIn && !ex.nativeMessages ? new AnthropicStreamWriter(ex.mapped) : null;
      this.converter = this.adapter.stream(ex, new StreamOutput(this.report, writer));
    } else {
      this.responseBodyMode = BodyMode.Buffer;
      // An answer as large as the largest request we take (Envoy's buffer limit bounds it first).
      this.responseBodyLimit = this.requestBodyLimit;
      if (IS_HIGRESS) properties.setString(["set_encoder_buffer_limit"], BODY_LIMIT);
      if (this.adapter.errorsInBody || this.adapter.setsResponseHeaders) { this.holdHeaders = true; return Action.Pause; }
    }
    return Action.Continue;
  }

  onResponseBody(body: ArrayBuffer): Action {
    const ok = this.status >= 200 && this.status < 300;
    if (!ok) {
      this.replaceResponseBody(String.UTF8.encode(this.convertError(this.status, body)));
      // A retry is in flight: hold the (converted) error until it answers.
      return this.retrying ? Action.Pause : Action.Continue;
    }
    if (this.holdHeaders) {
      const o = parseObjectBytes(body);
      const e: ProviderError | null = o === null ? null : this.adapter.bodyError(o);
      if (e !== null) {
        this.responseHeaders.set(":status", e.status.toString());
        this.replaceResponseBody(String.UTF8.encode(this.ex.anthropicIn ? anthropicError(e.status, e.message) : openaiError(e.status, e.message, e.code)));
        return Action.Continue;
      }
    }
    const out = this.convertOk(body);
    if (out !== null) this.replaceResponseBody(out);
    if (this.holdHeaders) {
      const set = this.ex.answerHeaders;
      for (let i = 0; i < set.length; i++) this.responseHeaders.set(set[i].name, set[i].value);
    }
    return Action.Continue;
  }

  /** A provider error body in the client's dialect. */
  private convertError(status: u32, body: ArrayBuffer): string {
    if (this.ex.nativeMessages) return String.UTF8.decode(body);
    const obj = parseObjectBytes(body);
    const n = body.byteLength;
    const fallback = n > 0 && n < 512 ? String.UTF8.decode(body) : "upstream returned status " + status.toString();
    const msg = providerErrorMessage(obj, fallback);
    return this.ex.anthropicIn ? anthropicError(status, msg) : openaiError(status, msg, providerErrorCode(obj));
  }

  /** A successful provider body converted for the client; null when it passes unchanged. */
  private convertOk(body: ArrayBuffer): ArrayBuffer | null {
    if (!this.ex.anthropicIn && !this.pc!.promoteThinkingOnEmpty && this.adapter.passesOpenAIBodies()) {
      // Passes as it is: the usage members are all that is read (no tree of the answer).
      const v = JsonObjectView.of(body);
      if (v === null) { log.warn("the provider's response is not JSON; passed through"); return null; }
      extractUsageView(v, this.report.usage);
      this.report.publish();
      return null;
    }
    const ex = this.ex;
    const pc = this.pc!;
    if (!ex.anthropicIn && !pc.promoteThinkingOnEmpty && ex.api == Api.Chat && this.adapter.convertsResponsesOnBytes) {
      // Converted on the answer's bytes where the adapter can (no tree); otherwise the tree path below.
      const v = JsonObjectView.of(body);
      if (v !== null) {
        const w = new JsonWriter(body.byteLength + 512);
        if (this.adapter.responseOnBytes(v, ex, this.report.usage, w)) {
          this.report.publish();
          return w.takeBytes();
        }
      }
    }
    const obj = parseObjectBytes(body);
    if (obj === null) {
      log.warn("the provider's response is not JSON; passed through");
      return null;
    }
    let out = this.adapter.response(obj, ex, this.report.usage);
    if (ex.nativeMessages || (this.adapter.speaksOpenAI && !ex.anthropicIn && !pc.promoteThinkingOnEmpty)) {
      this.report.publish();
      return null;
    }
    if (this.embeddingsBase64) embeddingsToBase64(out);
    if (pc.promoteThinkingOnEmpty) promoteThinking(out);
    if (ex.anthropicIn) out = openaiToAnthropicResponse(out, ex.mapped, this.report.usage);
    this.report.publish();
    return bodyBytes(out, body.byteLength);
  }

  onResponseChunk(chunk: ArrayBuffer, last: bool): ArrayBuffer | null {
    const c = this.converter!;
    const out = c.push(chunk);
    if (!last) return out;
    const end = c.finish();
    if (out.byteLength == 0) return end;
    const joined = new Uint8Array(out.byteLength + end.byteLength);
    joined.set(Uint8Array.wrap(out), 0);
    joined.set(Uint8Array.wrap(end), out.byteLength);
    return joined.buffer;
  }

  onStreamDone(): void {
    if (!this.report.published && this.pc !== null && this.report.usage.present) this.report.publish();
  }

  // ---- retryOnFailure: re-send the stored request with another token (non-streaming only) ----

  private startRetry(): bool {
    const pc = this.pc!;
    if (this.retriesLeft <= 0) return false;
    const token = chooseToken(pc, this.triedTokens);
    if (token.length == 0) return false;
    this.retriesLeft--;
    const headers = new Array<HeaderPair>();
    const saved = this.upstreamHeaders;
    for (let i = 0; i < saved.length; i++) {
      const n = saved[i].name;
      if (n.startsWith(":") || n == "content-length" || n == "authorization" || n == "api-key" || n == "x-api-key" || n == "x-goog-api-key" || n == "transfer-encoding" || n == "connection") continue;
      headers.push(saved[i]);
    }
    const auth = this.adapter.authHeaders(token);
    for (let i = 0; i < auth.length; i++) headers.push(auth[i]);
    const st = httpCall(new RouteCluster(this.upstreamAuthority), "POST", this.upstreamPathSent, headers, this.upstreamBody, pc.retry.retryTimeout, this);
    if (st != 0) { log.warn("retry not sent: " + lastHttpCallError); return false; }
    log.info("retrying with another api token (" + this.retriesLeft.toString() + " retries left)");
    this.retryToken = token;
    this.retrying = true;
    return true;
  }

  private onRetryResponse(r: HttpCallResponse): void {
    const pc = this.pc!;
    this.retrying = false;
    if (r.status >= 200 && r.status < 300) {
      reportSuccess(pc, this.retryToken);
      this.status = r.status;
      const out = this.convertOk(r.body);
      const headers = [new HeaderPair("content-type", "application/json")];
      const set = this.ex.answerHeaders;
      for (let i = 0; i < set.length; i++) headers.push(set[i]);
      this.respondBytes(r.status, out === null ? r.body : out, headers, "ai-proxy.retry");
      return;
    }
    if (anyMatches(pc.failover.onStatus, r.status)) reportFailure(pc, this.retryToken);
    this.triedTokens.push(this.retryToken);
    if (anyMatches(pc.retry.onStatus, r.status) && this.startRetry()) return;
    this.resumeResponse();
  }
}

registerPlugin("ai-proxy", () => new AiProxy());
