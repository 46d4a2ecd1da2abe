// ai-proxy: one OpenAI-compatible (and Anthropic-compatible) API over many LLM providers.
// Configuration and behaviour follow Higress's ai-proxy (research/higress-plugins.md §2.1).
//
// Flow: request headers pick the API and the provider and stop iteration; the buffered request
// body is parsed, (Anthropic → OpenAI,) model-mapped, customised, optionally given the context
// file, converted to the provider's native form, and sent with the provider's host, path and
// auth. The response comes back buffered (errors, JSON) or streamed (SSE / event-stream) and is
// converted to OpenAI (then to Anthropic when the client spoke Anthropic). Usage is normalised
// into sdk/ai's TokenUsage and published as the `ai_usage` property.
import {
  Plugin, HttpFilter, Action, BodyMode, ConfigError, JsonObject, JsonValue, JsonKind, HeaderPair,
  registerPlugin, log, TokenUsage, extractUsage, publishUsage, usageFromAnthropic,
  HttpCallHandler, HttpCallResponse, FQDNCluster, RouteCluster, httpCall, lastHttpCallError,
} from "@sluice/sdk";
export * from "@sluice/sdk/exports";
import { base64Encode } from "@sluice/sdk/encoding/base64";
import { IS_HIGRESS } from "@sluice/sdk";
import { properties } from "@sluice/sdk";
import { AiProxyConfig, ProviderConfig, parseAiProxyConfig, CustomSetting } from "./config";
import { Api, Auth, Family, apiOfPath } from "./providers";
import { SseEventReader, SseEvent, sseData, SseEventAligner } from "./sse";
import { jsonString, jsonBool, jsonObject, jsonArray, str, parseObject, parseObjectBytes, bodyBytes, jsonByteLength, nowSeconds, randomId } from "./util";
import { openaiError, anthropicError, providerErrorMessage, providerErrorCode } from "./openai";
import { anthropicToOpenAIRequest, openaiToAnthropicResponse, AnthropicStreamWriter } from "./anthropic";
import { openaiToClaudeRequest, claudeToOpenAIResponse, ClaudeStreamReader } from "./claude";
import { openaiToGeminiRequest, geminiToOpenAIResponse, GeminiStreamReader, openaiToGeminiEmbeddings, geminiToOpenAIEmbeddings } from "./gemini";
import { openaiToQwenRequest, qwenToOpenAIResponse, QwenStreamReader, openaiToQwenEmbeddings, qwenToOpenAIEmbeddings, QWEN_CHAT_PATH, QWEN_VL_PATH, QWEN_EMBEDDING_PATH } from "./qwen";
import { chooseToken, reportFailure, reportSuccess } from "./tokens";
import { anyMatches } from "./status";
import { mapModel } from "./mapping";
import { openaiToHunyuanRequest, hunyuanToOpenAIResponse, HunyuanStreamReader, hunyuanError, hunyuanErrorStatus, HUNYUAN_HOST } from "./hunyuan";
import { openaiToBedrockRequest, bedrockToOpenAIResponse, BedrockStreamReader, bedrockPath } from "./bedrock";
import { tc3Authorization, sigV4Authorization, amzDate } from "./sign";
import { EventStreamReader } from "@sluice/sdk/eventstream/reader";

const BODY_LIMIT = "104857600";

class AiProxy extends Plugin<AiProxyConfig> {
  parseConfig(json: JsonObject, global: AiProxyConfig | null, err: ConfigError): AiProxyConfig | null {
    return parseAiProxyConfig(json, global, err);
  }
  newFilter(): HttpFilter<AiProxyConfig> { return new AiProxyFilter(); }
}

/** Splits "https://host:port/path?query" into [host, path+query]. */
function splitUrl(url: string): Array<string> {
  let rest = url;
  const scheme = rest.indexOf("://");
  if (scheme >= 0) rest = rest.substring(scheme + 3);
  let end = rest.length;
  for (let i = 0; i < rest.length; i++) {
    const c = rest.charCodeAt(i);
    if (c == 47 || c == 63) { end = i; break; }
  }
  return [rest.substring(0, end), rest.substring(end)];
}

function queryParam(pathAndQuery: string, name: string): string {
  const q = pathAndQuery.indexOf("?");
  if (q < 0) return "";
  const parts = pathAndQuery.substring(q + 1).split("&");
  for (let i = 0; i < parts.length; i++) {
    if (parts[i].startsWith(name + "=")) return parts[i].substring(name.length + 1);
  }
  return "";
}

function apiSuffix(api: Api): string {
  if (api == Api.Chat) return "/chat/completions";
  if (api == Api.Completions) return "/completions";
  if (api == Api.Embeddings) return "/embeddings";
  if (api == Api.Models) return "/models";
  return "";
}

function capabilityKey(api: Api): string {
  if (api == Api.Chat) return "openai/v1/chatcompletions";
  if (api == Api.Completions) return "openai/v1/completions";
  if (api == Api.Embeddings) return "openai/v1/embeddings";
  if (api == Api.Models) return "openai/v1/models";
  return "";
}

/** "custom base URL" handling shared by openaiCustomUrl and vllmCustomUrl. */
function customUrlPath(url: string, api: Api, defaultPath: string): string {
  const p = splitUrl(url)[1];
  const q = p.indexOf("?");
  const path = q >= 0 ? p.substring(0, q) : p;
  if (path.endsWith("/chat/completions") || path.endsWith("/embeddings") || path.endsWith("/completions")) {
    return api == Api.Chat ? p : "";
  }
  if (path.length == 0 || path == "/") return defaultPath;
  const suffix = apiSuffix(api);
  return suffix.length == 0 ? "" : (path.endsWith("/") ? path.substring(0, path.length - 1) : path) + suffix;
}

class AiProxyFilter extends HttpFilter<AiProxyConfig> implements HttpCallHandler {
  pc: ProviderConfig | null = null;
  api: Api = Api.Unknown;
  anthropicIn: bool = false;
  nativeMessages: bool = false;
  stream: bool = false;
  model: string = "";
  mapped: string = "";
  token: string = "";
  status: u32 = 0;
  originalPath: string = "";
  usage: TokenUsage = new TokenUsage();
  published: bool = false;
  reader: SseEventReader = new SseEventReader();
  writer: AnthropicStreamWriter | null = null;
  claude: ClaudeStreamReader | null = null;
  gemini: GeminiStreamReader | null = null;
  qwen: QwenStreamReader | null = null;
  hunyuan: HunyuanStreamReader | null = null;
  bedrock: BedrockStreamReader | null = null;
  events: EventStreamReader | null = null;
  holdHeaders: bool = false;
  sawDone: bool = false;
  sawFinish: bool = false;
  passTail: string = "";
  aligner: SseEventAligner = new SseEventAligner();
  failed: bool = false;
  pendingBody: JsonObject | null = null;
  created: i64 = 0;
  embeddingsBase64: bool = false;
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

  get family(): Family { return this.pc!.spec.family; }
  get qwenNative(): bool { return this.family == Family.Qwen && !this.pc!.qwenEnableCompatible; }
  /** Providers whose wire format is OpenAI's (body only gets the model mapped). */
  get openaiWire(): bool {
    const f = this.family;
    if (f == Family.Compat || f == Family.Azure) return true;
    if (f == Family.Qwen) return this.pc!.qwenEnableCompatible;
    if (f == Family.Hunyuan) return this.pc!.hunyuanAuthId.length == 0;
    return false;
  }

  // ---- request -------------------------------------------------------------------------

  onRequestHeaders(endOfStream: bool): Action {
    const pc = this.config.active;
    if (pc === null) return Action.Continue;
    this.pc = pc;
    const p = this.requestHeaders.get(":path");
    let path = p === null ? "/" : p;
    if (pc.basePath.length > 0 && !pc.basePathPrepend && path.startsWith(pc.basePath)) {
      path = path.substring(pc.basePath.length);
      if (!path.startsWith("/")) path = "/" + path;
    }
    this.originalPath = path;
    this.api = apiOfPath(path);
    if (this.api == Api.Unknown && !pc.originalProtocol) return Action.Continue;
    this.created = nowSeconds();

    const host = this.requestHeaders.get(":authority");
    this.requestHeaders.remove("x-envoy-original-host");
    this.requestHeaders.remove("x-envoy-original-path");
    if (host !== null) this.requestHeaders.set("x-envoy-original-host", host);
    if (p !== null) this.requestHeaders.set("x-envoy-original-path", p);
    this.requestHeaders.remove("accept-encoding");
    this.token = chooseToken(pc, []);

    if (pc.originalProtocol) {
      this.applyHostAndAuth();
      if (pc.basePath.length > 0 && !pc.basePathPrepend) this.requestHeaders.set(":path", path);
      return Action.Continue;
    }
    this.anthropicIn = this.api == Api.Messages || this.api == Api.CountTokens;
    if (this.api == Api.Models) {
      const up = this.upstreamPath(Api.Models);
      if (up.length == 0) return this.respondModels();
      this.applyHostAndAuth();
      this.requestHeaders.set(":path", up);
      return Action.Continue;
    }
    if (endOfStream) return this.fail(400, "a JSON request body is required");
    this.requestHeaders.remove("content-length");
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
  onRequestBodyTooLarge(size: u32): Action { return this.refuseTooLarge(); }

  private refuseTooLarge(): Action {
    const message = "the request body is larger than the limit of " + this.config.maxRequestBodyBytes.toString() + " bytes";
    log.warn(message);
    const body = this.anthropicIn ? anthropicError(413, message) : openaiError(413, message, "request_too_large");
    return this.respond(413, body, [new HeaderPair("content-type", "application/json")], "ai-proxy.request_too_large");
  }

  onRequestBody(body: ArrayBuffer): Action {
    const pc = this.pc!;
    this.requestBytes = body.byteLength;
    let req = parseObjectBytes(body);
    if (req === null) return this.fail(400, "the request body is not a valid JSON object");
    const m = req.getString("model");
    if (m === null || m.length == 0) return this.fail(400, "missing model in the request body");
    this.model = m;
    this.mapped = mapModel(pc.modelMapping, m);
    if (this.api == Api.CountTokens) return this.countTokens(req);
    this.stream = req.getBool("stream", false);
    this.embeddingsBase64 = this.api == Api.Embeddings && str(req, "encoding_format") == "base64";
    if (this.anthropicIn) {
      if (this.family == Family.Claude) this.nativeMessages = true;
      else { req = anthropicToOpenAIRequest(req); this.api = Api.Chat; }
    }
    if (!this.nativeMessages) {
      applyCustomSettings(req, pc.customSettings);
      if (this.api == Api.Chat) {
        if (this.stream) {
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
        if (pc.type != "azure" && pc.type != "openai") renameDeveloperRole(req);
      }
    }
    if (pc.context !== null && (this.api == Api.Chat || this.nativeMessages)) {
      const c = pc.context!;
      this.pendingBody = req;
      const st = httpCall(new FQDNCluster(c.serviceName, c.servicePort, c.host), "GET", c.path, [], null, pc.timeout, this);
      if (st != 0) return this.fail(500, "failed to fetch the context file: cannot call " + c.serviceName);
      return Action.Pause;
    }
    return this.finishRequest(req);
  }

  onHttpCallResponse(r: HttpCallResponse): void {
    const req = this.pendingBody;
    if (req === null) { if (this.retrying) this.onRetryResponse(r); return; }
    this.pendingBody = null;
    if (!r.ok) { this.fail(500, "failed to fetch the context file: status " + r.status.toString()); return; }
    insertContext(req, r.bodyText(), this.nativeMessages);
    const a = this.finishRequest(req);
    if (a == Action.Continue) this.resumeRequest();
  }

  private finishRequest(req: JsonObject): Action {
    const pc = this.pc!;
    let out: JsonObject = req;
    let path = "";
    const f = this.family;
    if (this.nativeMessages) {
      out.set("model", jsonString(this.mapped));
      path = "/v1/messages";
    } else if (this.openaiWire) {
      if (this.api == Api.Chat || this.api == Api.Completions || this.api == Api.Embeddings) out.set("model", jsonString(this.mapped));
      path = this.upstreamPath(this.api);
    } else if (f == Family.Claude) {
      if (this.api != Api.Chat) return this.unsupported();
      out = openaiToClaudeRequest(req, this.mapped);
      path = "/v1/messages";
    } else if (f == Family.Gemini) {
      const base = "/" + pc.geminiApiVersion + "/models/" + this.mapped;
      if (this.api == Api.Chat) {
        out = openaiToGeminiRequest(req, pc);
        path = base + (this.stream ? ":streamGenerateContent?alt=sse" : ":generateContent");
      } else if (this.api == Api.Embeddings) {
        out = openaiToGeminiEmbeddings(req, this.mapped);
        path = base + ":batchEmbedContents";
      } else return this.unsupported();
    } else if (f == Family.Qwen) {
      if (this.api == Api.Chat) {
        out = openaiToQwenRequest(req, this.mapped, this.stream, pc);
        path = this.mapped.includes("-vl") ? QWEN_VL_PATH : QWEN_CHAT_PATH;
        if (this.stream) this.requestHeaders.set("x-dashscope-sse", "enable");
      } else if (this.api == Api.Embeddings) {
        out = openaiToQwenEmbeddings(req, this.mapped);
        path = QWEN_EMBEDDING_PATH;
      } else return this.unsupported();
    } else if (f == Family.Hunyuan) {
      if (this.api != Api.Chat) return this.unsupported();
      out = openaiToHunyuanRequest(req, this.mapped, this.stream);
      path = "/";
    } else if (f == Family.Bedrock) {
      if (this.api != Api.Chat) return this.unsupported();
      out = openaiToBedrockRequest(req);
      path = bedrockPath(this.mapped, this.stream);
    } else return this.unsupported();
    if (path.length == 0) return this.unsupported();
    const cap = capabilityKey(this.api);
    if (cap.length > 0 && pc.capabilities.has(cap)) path = pc.capabilities.get(cap);
    if (pc.providerBasePath.length > 0) path = pc.providerBasePath + path;
    if (pc.basePath.length > 0 && pc.basePathPrepend) path = pc.basePath + path;
    this.applyHostAndAuth();
    this.requestHeaders.set(":path", path);
    this.requestHeaders.set("content-type", "application/json");
    if (this.stream) {
      this.requestHeaders.set("accept", "text/event-stream");
      if (pc.firstByteTimeout > 0) this.requestHeaders.set("x-envoy-upstream-rq-first-byte-timeout-ms", pc.firstByteTimeout.toString());
    }
    const bytes = bodyBytes(out, this.requestBytes);
    this.replaceRequestBody(bytes);
    this.sign(path, bytes);
    if (pc.retry.enabled && !this.stream) {
      this.upstreamHeaders = this.requestHeaders.pairs();
      this.upstreamBody = bytes;
      this.upstreamAuthority = this.upstreamHost();
      this.upstreamPathSent = path;
      this.retriesLeft = pc.retry.maxRetries;
    }
    return Action.Continue;
  }

  /**
   * Anthropic's /v1/messages/count_tokens (Claude Code calls it): forwarded to claude; for other
   * providers, which have no such API, an estimate (UTF-8 bytes / 4 over the request's text).
   */
  private countTokens(req: JsonObject): Action {
    if (this.family == Family.Claude) {
      req.set("model", jsonString(this.mapped));
      this.applyHostAndAuth();
      this.requestHeaders.set(":path", "/v1/messages/count_tokens");
      this.requestHeaders.set("content-type", "application/json");
      this.replaceRequestBody(bodyBytes(req, this.requestBytes));
      this.api = Api.Models; // answer passes through untouched
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

  /** Request signing (hunyuan TC3, bedrock SigV4); other providers use their token header. */
  private sign(path: string, body: ArrayBuffer): void {
    const pc = this.pc!;
    const now = nowSeconds();
    if (this.family == Family.Hunyuan && !this.openaiWire) {
      this.requestHeaders.set("x-tc-action", "ChatCompletions");
      this.requestHeaders.set("x-tc-version", "2023-09-01");
      this.requestHeaders.set("x-tc-timestamp", now.toString());
      this.requestHeaders.set("authorization", tc3Authorization(pc.hunyuanAuthId, pc.hunyuanAuthKey, "hunyuan", HUNYUAN_HOST, "application/json", body, now));
    } else if (this.family == Family.Bedrock && this.token.length == 0) {
      const date = amzDate(now);
      this.requestHeaders.set("x-amz-date", date);
      this.requestHeaders.set("authorization", sigV4Authorization(pc.awsAccessKey, pc.awsSecretKey, pc.awsRegion, "bedrock", this.upstreamHost(), path, body, date));
    }
  }

  private unsupported(): Action {
    return this.fail(400, "the API " + this.originalPath + " is not supported by provider type '" + this.pc!.type + "'");
  }

  private upstreamHost(): string {
    const pc = this.pc!;
    if (pc.providerDomain.length > 0) return pc.providerDomain;
    const t = pc.type;
    if (t == "openai" && pc.openaiCustomUrl.length > 0) return splitUrl(pc.openaiCustomUrl)[0];
    if (t == "azure") return splitUrl(pc.azureServiceUrl)[0];
    if (t == "qwen" && pc.qwenDomain.length > 0) return pc.qwenDomain;
    if (t == "doubao" && pc.doubaoDomain.length > 0) return pc.doubaoDomain;
    if (t == "zhipuai" && pc.zhipuDomain.length > 0) return pc.zhipuDomain;
    if (t == "ollama") return pc.ollamaServerHost + ":" + pc.ollamaServerPort.toString();
    if (t == "vllm") {
      if (pc.vllmCustomUrl.length > 0) return splitUrl(pc.vllmCustomUrl)[0];
      if (pc.vllmServerHost.length > 0) return pc.vllmServerHost;
    }
    if (t == "hunyuan" && pc.hunyuanAuthId.length > 0) return HUNYUAN_HOST;
    if (t == "bedrock") return "bedrock-runtime." + pc.awsRegion + ".amazonaws.com";
    if (t == "generic") {
      if (pc.genericHost.length > 0) return pc.genericHost;
      const h = this.requestHeaders.get(":authority");
      return h === null ? "" : h;
    }
    return pc.spec.host;
  }

  private upstreamPath(api: Api): string {
    const pc = this.pc!;
    const t = pc.type;
    const def = pc.spec.path(api);
    const cap = capabilityKey(api);
    if (cap.length > 0 && pc.capabilities.has(cap)) return pc.capabilities.get(cap);
    if (t == "openai" && pc.openaiCustomUrl.length > 0) return customUrlPath(pc.openaiCustomUrl, api, def);
    if (t == "vllm" && pc.vllmCustomUrl.length > 0) return customUrlPath(pc.vllmCustomUrl, api, def);
    if (t == "cloudflare") return def.length == 0 ? "" : "/client/v4/accounts/" + pc.cloudflareAccountId + def;
    if (t == "generic") return this.originalPath;
    if (t == "azure") return this.azurePath(api);
    if (t == "qwen" && !pc.qwenEnableCompatible && api == Api.Models) return "";
    if (pc.spec.family == Family.Gemini) return "";
    return def;
  }

  /** Azure's three URL styles: full URL (fixed path), resource+deployment, resource only. */
  private azurePath(api: Api): string {
    const pc = this.pc!;
    const pq = splitUrl(pc.azureServiceUrl)[1];
    const version = queryParam(pq, "api-version");
    const q = pq.indexOf("?");
    let path = q >= 0 ? pq.substring(0, q) : pq;
    if (path.endsWith("/")) path = path.substring(0, path.length - 1);
    const suffix = apiSuffix(api);
    if (suffix.length == 0) return "";
    let base: string;
    if (path.endsWith("/chat/completions") || path.endsWith("/embeddings") || path.endsWith("/completions")) {
      if (api == Api.Chat && path.endsWith("/chat/completions")) return pq;
      base = path.substring(0, path.lastIndexOf(path.endsWith("/chat/completions") ? "/chat/completions" : "/"));
    } else if (path.includes("/deployments/")) {
      base = path;
    } else {
      if (api == Api.Models) return "/openai/models?api-version=" + version;
      base = "/openai/deployments/" + (this.mapped.length > 0 ? this.mapped : this.model);
    }
    return base + suffix + "?api-version=" + version;
  }

  private applyHostAndAuth(): void {
    const pc = this.pc!;
    const h = this.upstreamHost();
    if (h.length > 0) this.requestHeaders.set(":authority", h);
    const tok = this.token;
    const auth = pc.spec.auth;
    if (tok.length == 0) {
      // Pass-through auth (openai without apiTokens): the client's key goes on as Bearer.
      if (pc.type == "openai") {
        let key: string | null = null;
        if (pc.authHeaderKey.length > 0) key = this.requestHeaders.get(pc.authHeaderKey);
        if (key === null) key = this.requestHeaders.get("x-api-key");
        if (key === null) key = this.requestHeaders.get("x-authorization");
        if (key !== null) this.requestHeaders.set("authorization", key.startsWith("Bearer ") ? key : "Bearer " + key);
        this.requestHeaders.remove("x-api-key");
      }
      return;
    }
    const orig = this.requestHeaders.get("authorization");
    if (orig !== null) this.requestHeaders.set("x-hi-original-auth", orig);
    this.requestHeaders.remove("authorization");
    this.requestHeaders.remove("x-api-key");
    this.requestHeaders.remove("api-key");
    this.requestHeaders.remove("x-goog-api-key");
    const pairs = this.authPairs(tok);
    for (let i = 0; i < pairs.length; i++) this.requestHeaders.set(pairs[i].name, pairs[i].value);
  }

  /** The provider's auth headers for a token. */
  private authPairs(tok: string): Array<HeaderPair> {
    const pc = this.pc!;
    const auth = pc.spec.auth;
    const out = new Array<HeaderPair>();
    if (auth == Auth.Bearer) out.push(new HeaderPair("authorization", "Bearer " + tok));
    else if (auth == Auth.ApiKey) out.push(new HeaderPair("api-key", tok));
    else if (auth == Auth.XApiKey) {
      out.push(new HeaderPair("x-api-key", tok));
      out.push(new HeaderPair("anthropic-version", pc.claudeVersion));
    } else if (auth == Auth.Goog) out.push(new HeaderPair("x-goog-api-key", tok));
    return out;
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
    const body = this.anthropicIn ? anthropicError(status, message) : openaiError(status, message, "");
    return this.respond(status, body, [new HeaderPair("content-type", "application/json")], "ai-proxy.error");
  }

  // ---- response ------------------------------------------------------------------------

  onResponseHeaders(endOfStream: bool): Action {
    if (this.pc === null || this.api == Api.Unknown) return Action.Continue;
    const pc = this.pc!;
    const s = this.responseHeaders.get(":status");
    this.status = s === null ? 0 : <u32>parseInt(s);
    if (pc.originalProtocol) return Action.Continue;
    const ok = this.status >= 200 && this.status < 300;
    if (!ok) {
      if (anyMatches(pc.failover.onStatus, this.status)) reportFailure(pc, this.token);
    } else reportSuccess(pc, this.token);
    if (this.api == Api.Models) return Action.Continue;
    if (endOfStream) return Action.Continue;
    this.responseHeaders.remove("content-length");
    if (!ok) {
      this.responseHeaders.set("content-type", "application/json");
      this.responseBodyMode = BodyMode.Buffer;
      if (this.upstreamBody !== null && anyMatches(pc.retry.onStatus, this.status)) {
        this.triedTokens.push(this.token);
        if (this.startRetry()) return Action.Pause;
      }
      return Action.Continue;
    }
    const ct = this.responseHeaders.get("content-type");
    const isStream = ct !== null && (ct.includes("event-stream") || ct.includes("eventstream"));
    if (isStream || (this.stream && ct === null)) {
      this.responseBodyMode = BodyMode.Stream;
      this.responseHeaders.set("content-type", "text/event-stream");
      if (this.anthropicIn) this.writer = new AnthropicStreamWriter(this.mapped);
      const f = this.family;
      if (f == Family.Claude) this.claude = new ClaudeStreamReader(this.mapped, this.created);
      else if (f == Family.Gemini) this.gemini = new GeminiStreamReader(this.mapped, this.created);
      else if (this.qwenNative) this.qwen = new QwenStreamReader(this.mapped, this.created, pc);
      else if (f == Family.Hunyuan && !this.openaiWire) this.hunyuan = new HunyuanStreamReader(this.mapped, this.created);
      else if (f == Family.Bedrock) {
        this.bedrock = new BedrockStreamReader(randomId("chatcmpl-"), this.mapped, this.created);
        this.events = new EventStreamReader();
      }
    } else {
      this.responseBodyMode = BodyMode.Buffer;
      // An answer as large as the largest request we take (Envoy's buffer limit bounds it first).
      this.responseBodyLimit = this.requestBodyLimit;
      if (IS_HIGRESS) properties.setString(["set_encoder_buffer_limit"], BODY_LIMIT);
      // Tencent reports errors as HTTP 200 + Response.Error: hold the headers to fix the status.
      if (this.family == Family.Hunyuan && !this.openaiWire) { this.holdHeaders = true; return Action.Pause; }
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
      const e: JsonObject | null = o === null ? null : hunyuanError(o);
      if (e !== null) {
        const st = hunyuanErrorStatus(str(e, "Code"));
        this.responseHeaders.set(":status", st.toString());
        const msg = str(e, "Message");
        this.replaceResponseBody(String.UTF8.encode(this.anthropicIn ? anthropicError(st, msg) : openaiError(st, msg, str(e, "Code"))));
        return Action.Continue;
      }
    }
    const out = this.convertOk(body);
    if (out !== null) this.replaceResponseBody(out);
    return Action.Continue;
  }

  /** A provider error body in the client's dialect. */
  private convertError(status: u32, body: ArrayBuffer): string {
    if (this.nativeMessages) return String.UTF8.decode(body);
    const obj = parseObjectBytes(body);
    const n = body.byteLength;
    const fallback = n > 0 && n < 512 ? String.UTF8.decode(body) : "upstream returned status " + status.toString();
    const msg = providerErrorMessage(obj, fallback);
    return this.anthropicIn ? anthropicError(status, msg) : openaiError(status, msg, providerErrorCode(obj));
  }

  /** A successful provider body converted for the client; null when it passes unchanged. */
  private convertOk(body: ArrayBuffer): ArrayBuffer | null {
    const obj = parseObjectBytes(body);
    if (obj === null) {
      log.warn("the provider's response is not JSON; passed through");
      return null;
    }
    let out: JsonObject = obj;
    const f = this.family;
    if (this.nativeMessages) {
      const u = obj.getObject("usage");
      if (u !== null) usageFromAnthropic(u, this.usage);
      this.publish();
      return null;
    }
    if (this.openaiWire) {
      extractUsage(obj, this.usage);
      if (!this.anthropicIn && !this.pc!.promoteThinkingOnEmpty) { this.publish(); return null; }
    } else if (f == Family.Claude) out = claudeToOpenAIResponse(obj, this.mapped, this.usage);
    else if (f == Family.Gemini) {
      out = this.api == Api.Embeddings ? geminiToOpenAIEmbeddings(obj, this.mapped, this.usage) : geminiToOpenAIResponse(obj, this.mapped, this.usage);
    } else if (this.qwenNative) {
      out = this.api == Api.Embeddings ? qwenToOpenAIEmbeddings(obj, this.mapped, this.usage) : qwenToOpenAIResponse(obj, this.mapped, this.pc!, this.usage);
    } else if (f == Family.Hunyuan) out = hunyuanToOpenAIResponse(obj, this.mapped, this.usage);
    else if (f == Family.Bedrock) out = bedrockToOpenAIResponse(obj, this.mapped, randomId("chatcmpl-"), this.usage);
    if (this.embeddingsBase64) embeddingsToBase64(out);
    if (this.pc!.promoteThinkingOnEmpty) promoteThinking(out);
    if (this.anthropicIn) out = openaiToAnthropicResponse(out, this.mapped, this.usage);
    this.publish();
    return bodyBytes(out, body.byteLength);
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
    const auth = this.authPairs(token);
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
      this.respondBytes(r.status, out === null ? r.body : out, [new HeaderPair("content-type", "application/json")], "ai-proxy.retry");
      return;
    }
    if (anyMatches(pc.failover.onStatus, r.status)) reportFailure(pc, this.retryToken);
    this.triedTokens.push(this.retryToken);
    if (anyMatches(pc.retry.onStatus, r.status) && this.startRetry()) return;
    this.resumeResponse();
  }

  onResponseChunk(chunk: ArrayBuffer, last: bool): ArrayBuffer | null {
    const es = this.events;
    if (es !== null) return this.onEventStreamChunk(es, chunk, last);
    const events = this.reader.push(chunk, last);
    const out = new Array<string>();
    for (let i = 0; i < events.length; i++) this.onEvent(events[i], out);
    if (last) this.endStream(out);
    if (this.passThrough()) {
      // Bytes pass untouched, but in whole events: a stream cut mid-line must not glue the error
      // event appended below onto the partial line (the client would see broken JSON).
      const whole = this.aligner.push(chunk);
      if (!last) return whole;
      const closed = this.aligner.finish();
      if (this.aligner.dropped > 0) log.warn("the provider's stream ended inside an event: " + this.aligner.dropped.toString() + " bytes dropped");
      // An oversized event already went out unterminated: end it before ours.
      const tail = String.UTF8.encode((this.aligner.unaligned && this.passTail.length > 0 ? "\n\n" : "") + this.passTail);
      const joined = new Uint8Array(whole.byteLength + closed.byteLength + tail.byteLength);
      joined.set(Uint8Array.wrap(whole), 0);
      joined.set(Uint8Array.wrap(closed), whole.byteLength);
      joined.set(Uint8Array.wrap(tail), whole.byteLength + closed.byteLength);
      return joined.buffer;
    }
    return String.UTF8.encode(out.join(""));
  }

  /** Bedrock's binary event-stream → OpenAI (or Anthropic) SSE. */
  private onEventStreamChunk(es: EventStreamReader, chunk: ArrayBuffer, last: bool): ArrayBuffer {
    const out = new Array<string>();
    const b = this.bedrock!;
    const msgs = es.push(chunk);
    for (let i = 0; i < msgs.length && !this.failed && !this.sawDone; i++) {
      const m = msgs[i];
      const payload = parseObjectBytes(m.payload);
      const mt = m.messageType;
      if (mt === null || mt != "event") {
        const ex = m.exceptionType;
        this.streamError((ex === null ? "error" : ex) + ": " + providerErrorMessage(payload, "bedrock stream error"), out);
        break;
      }
      const et = m.eventType;
      if (payload === null || et === null) continue;
      const list = new Array<string>();
      b.event(et, payload, this.usage, list);
      this.emitAll(list, out);
      if (b.done) this.done(out);
    }
    if (!es.ok) this.streamError("corrupt event stream: " + es.error, out);
    if (last) {
      if (!es.finish() || !b.done) this.streamError("the provider's stream ended before the answer finished", out);
      this.publish();
    }
    return String.UTF8.encode(out.join(""));
  }

  /** OpenAI-wire providers to an OpenAI client, and Claude to an Anthropic client: bytes pass untouched. */
  private passThrough(): bool {
    return this.nativeMessages || (this.openaiWire && !this.anthropicIn);
  }

  private emit(chunkJson: string, out: Array<string>): void {
    const w = this.writer;
    if (w !== null) {
      const o = parseObject(chunkJson);
      if (o !== null) w.push(o, out);
    } else out.push(sseData(chunkJson));
  }

  private emitAll(list: Array<string>, out: Array<string>): void {
    for (let i = 0; i < list.length; i++) this.emit(list[i], out);
  }

  private done(out: Array<string>): void {
    if (this.sawDone) return;
    this.sawDone = true;
    const w = this.writer;
    if (w !== null) w.end(this.usage, out);
    else out.push("data: [DONE]\n\n");
    this.publish();
  }

  private streamError(message: string, out: Array<string>): void {
    if (this.sawDone || this.failed) return;
    this.failed = true;
    log.warn("stream failed: " + message);
    const w = this.writer;
    if (w !== null) w.fail(message, out);
    else out.push(sseData(openaiError(502, message, "upstream_stream_error")));
    this.publish();
  }

  private onEvent(ev: SseEvent, out: Array<string>): void {
    if (this.sawDone || this.failed) return;
    const data = ev.data;
    if (data == "[DONE]") { if (!this.passThrough() || this.openaiWire) this.done(out); return; }
    const obj = parseObject(data);
    if (obj === null) return;
    const list = new Array<string>();
    if (this.openaiWire) {
      if (data.includes("\"usage\"")) extractUsage(obj, this.usage);
      if (!this.sawFinish && hasFinish(obj)) this.sawFinish = true;
      if (obj.has("error")) { this.streamError(providerErrorMessage(obj, "upstream error"), out); return; }
      const w = this.writer;
      if (w !== null) w.push(obj, out);
      return;
    }
    const c = this.claude;
    if (c !== null) {
      c.event(ev, obj, this.usage, list);
      if (this.nativeMessages) { if (c.done) this.publish(); return; }
      if (c.errorMessage.length > 0) { this.streamError(c.errorMessage, out); return; }
      // The last item after message_stop is the usage chunk; [DONE] follows.
      this.emitAll(list, out);
      if (c.done) this.done(out);
      return;
    }
    const g = this.gemini;
    if (g !== null) {
      if (obj.has("error")) { this.streamError(providerErrorMessage(obj, "upstream error"), out); return; }
      g.event(obj, this.usage, list);
      this.emitAll(list, out);
      return;
    }
    const q = this.qwen;
    if (q !== null) {
      if (obj.has("code") && !obj.has("output")) { this.streamError(providerErrorMessage(obj, "upstream error"), out); return; }
      q.event(obj, this.usage, list);
      this.emitAll(list, out);
      return;
    }
    const h = this.hunyuan;
    if (h !== null) {
      const e = hunyuanError(obj);
      if (e !== null) { this.streamError(str(e, "Message"), out); return; }
      h.event(obj, this.usage, list);
      this.emitAll(list, out);
    }
  }

  private endStream(out: Array<string>): void {
    if (this.sawDone || this.failed) { this.publish(); return; }
    const list = new Array<string>();
    const g = this.gemini;
    if (g !== null) {
      if (!g.sawFinish) { this.streamError("the provider's stream ended before the answer finished", out); return; }
      g.end(this.usage, list);
      this.emitAll(list, out);
      this.done(out);
      return;
    }
    const q = this.qwen;
    if (q !== null) {
      if (!q.done) { this.streamError("the provider's stream ended before the answer finished", out); return; }
      q.end(this.usage, list);
      this.emitAll(list, out);
      this.done(out);
      return;
    }
    const h = this.hunyuan;
    if (h !== null) {
      if (!h.done) { this.streamError("the provider's stream ended before the answer finished", out); return; }
      h.end(this.usage, list);
      this.emitAll(list, out);
      this.done(out);
      return;
    }
    if (this.nativeMessages) {
      const c = this.claude;
      if (c !== null && !c.done) {
        log.warn("the provider's stream ended without message_stop");
        this.passTail = "event: error\ndata: " + anthropicError(502, "the provider's stream ended before the answer finished") + "\n\n";
      }
      this.publish();
      return;
    }
    if (this.openaiWire && !this.anthropicIn) {
      // Some compatible servers omit [DONE]; a stream that never finished a choice is truncated.
      if (!this.sawFinish) {
        log.warn("the provider's stream ended before any finish_reason");
        this.passTail = sseData(openaiError(502, "the provider's stream ended before the answer finished", "upstream_stream_error"));
      }
      this.publish();
      return;
    }
    this.streamError("the provider's stream ended before the answer finished", out);
  }

  private publish(): void {
    const pc = this.pc;
    if (pc === null) return;
    this.published = true;
    publishUsage(this.usage, this.mapped, pc.type, this.stream);
  }

  onStreamDone(): void {
    if (!this.published && this.pc !== null && this.usage.present) this.publish();
  }
}

/** encoding_format "base64": each embedding as little-endian float32 bytes in base64 (OpenAI's format). */
function embeddingsToBase64(resp: JsonObject): void {
  const data = resp.getArray("data");
  if (data === null) return;
  for (let i = 0; i < data.length; i++) {
    const e = data[i].asObject();
    if (e === null) continue;
    const v = e.getArray("embedding");
    if (v === null) continue;
    const buf = new ArrayBuffer(v.length * 4);
    for (let j = 0; j < v.length; j++) store<f32>(changetype<usize>(buf) + <usize>(j * 4), <f32>v[j].num);
    e.set("embedding", jsonString(base64Encode(buf)));
  }
}

/**
 * contextCleanupCommands: a user message that is exactly a command drops itself and every
 * earlier non-system message (the last such command wins).
 */
function cleanupContext(req: JsonObject, commands: Array<string>): void {
  const list = req.getArray("messages");
  if (list === null) return;
  let cut = -1;
  for (let i = 0; i < list.length; i++) {
    const m = list[i].asObject();
    if (m === null || str(m, "role") != "user") continue;
    const c = m.get("content");
    if (c !== null && c.isString && commands.includes(c.str.trim())) cut = i;
  }
  if (cut < 0) return;
  const kept = new Array<JsonValue>();
  for (let i = 0; i < list.length; i++) {
    if (i > cut) { kept.push(list[i]); continue; }
    const m = list[i].asObject();
    if (i < cut && m !== null && str(m, "role") == "system") kept.push(list[i]);
  }
  req.set("messages", jsonArray(kept));
}

/** mergeConsecutiveMessages: consecutive messages of the same role (not tool) become one. */
function mergeConsecutive(req: JsonObject): void {
  const list = req.getArray("messages");
  if (list === null) return;
  const out = new Array<JsonValue>();
  for (let i = 0; i < list.length; i++) {
    const m = list[i].asObject();
    if (m !== null && out.length > 0) {
      const prev = out[out.length - 1].asObject();
      const role = str(m, "role");
      if (prev !== null && role != "tool" && str(prev, "role") == role && !prev.has("tool_calls") && !m.has("tool_calls")) {
        const a = prev.get("content"), b = m.get("content");
        if (a !== null && b !== null && a.isString && b.isString) {
          prev.set("content", jsonString(a.str + "\n\n" + b.str));
          continue;
        }
      }
    }
    out.push(list[i]);
  }
  req.set("messages", jsonArray(out));
}

/** promoteThinkingOnEmpty: an answer with reasoning but no content gets the reasoning as content. */
function promoteThinking(resp: JsonObject): void {
  const choices = resp.getArray("choices");
  if (choices === null) return;
  for (let i = 0; i < choices.length; i++) {
    const c = choices[i].asObject();
    const m: JsonObject | null = c === null ? null : c.getObject("message");
    if (m === null || m.has("tool_calls")) continue;
    const r = str(m, "reasoning_content");
    const content = m.get("content");
    const empty = content === null || content.isNull || (content.isString && content.str.trim().length == 0);
    if (r.length > 0 && empty) { m.set("content", jsonString(r)); m.delete("reasoning_content"); }
  }
}

/** Whether an OpenAI chunk finishes a choice. */
function hasFinish(chunk: JsonObject): bool {
  const choices = chunk.getArray("choices");
  if (choices === null) return false;
  for (let i = 0; i < choices.length; i++) {
    const c = choices[i].asObject();
    if (c === null) continue;
    const f = c.getString("finish_reason");
    if (f !== null && f.length > 0) return true;
  }
  return false;
}

function renameDeveloperRole(req: JsonObject): void {
  const list = req.getArray("messages");
  if (list === null) return;
  for (let i = 0; i < list.length; i++) {
    const m = list[i].asObject();
    if (m !== null && str(m, "role") == "developer") m.set("role", jsonString("system"));
  }
}

/** customSettings in "auto" mode use OpenAI names: the provider conversion renames them. */
function applyCustomSettings(req: JsonObject, settings: Array<CustomSetting>): void {
  for (let i = 0; i < settings.length; i++) {
    const c = settings[i];
    if (c.raw) {
      // A dotted JSON path, set literally.
      const parts = c.name.split(".");
      let o: JsonObject = req;
      let ok = true;
      for (let j = 0; j < parts.length - 1; j++) {
        let next = o.getObject(parts[j]);
        if (next === null) {
          if (o.has(parts[j])) { ok = false; break; }
          next = new JsonObject();
          o.set(parts[j], jsonObject(next));
        }
        o = next;
      }
      if (!ok) continue;
      const leaf = parts[parts.length - 1];
      if (c.overwrite || !o.has(leaf)) o.set(leaf, c.value);
      continue;
    }
    const n = c.name;
    if (n != "max_tokens" && n != "temperature" && n != "top_p" && n != "top_k" && n != "seed") continue;
    if (c.overwrite || !req.has(n)) req.set(n, c.value);
  }
}

/** The context file becomes a system message before the first non-system message (Claude: `system`). */
function insertContext(req: JsonObject, text: string, nativeMessages: bool): void {
  if (nativeMessages) {
    const sys = req.get("system");
    if (sys === null || sys.isNull) req.set("system", jsonString(text));
    else if (sys.kind == JsonKind.String) req.set("system", jsonString(text + "\n" + sys.str));
    else {
      const a = sys.asArray();
      if (a !== null) {
        const b = new JsonObject();
        b.set("type", jsonString("text"));
        b.set("text", jsonString(text));
        a.unshift(jsonObject(b));
      }
    }
    return;
  }
  const list = req.getArray("messages");
  if (list === null) return;
  let at = 0;
  while (at < list.length) {
    const m = list[at].asObject();
    if (m === null || str(m, "role") != "system") break;
    at++;
  }
  const msg = new JsonObject();
  msg.set("role", jsonString("system"));
  msg.set("content", jsonString(text));
  list.push(jsonObject(msg));
  for (let i = list.length - 1; i > at; i--) list[i] = list[i - 1];
  list[at] = jsonObject(msg);
}

registerPlugin("ai-proxy", () => new AiProxy());
