// A provider adapter owns everything one provider family does differently: its config fields,
// host, paths, auth and signing, request and response conversion, errors and its stream
// converter. This base class is the OpenAI-compatible default: a row of the table in
// providers.ts (host, a path per API, an auth style) is all such a provider needs. A provider
// with its own wire format subclasses it in its own file and adds one row.
import { JsonObject, HeaderPair, HeaderMap } from "@sluice/sdk";
import { HttpCallResponse, Cluster } from "@sluice/sdk/http";
import { TokenUsage, extractUsage } from "@sluice/sdk/ai";
import { JsonObjectView, JsonWriter } from "@sluice/sdk/json";
import { jsonString } from "./util";
import { StreamConverter, StreamOutput, OpenAIStream } from "./stream";

export enum Auth { Bearer, None, ApiKey, XApiKey, Goog }

export enum Api { Unknown, Chat, Completions, Embeddings, Models, Messages, CountTokens }

/** One row of the provider table. */
export class ProviderSpec {
  constructor(
    public type: string,
    public adapter: ProviderAdapter,
    public host: string,
    public chatPath: string,
    public completionsPath: string,
    public embeddingsPath: string,
    public modelsPath: string,
    public auth: Auth,
    /** The config field that overrides `host` ("" when there is none). */
    public domainField: string = "",
  ) {}

  path(api: Api): string {
    if (api == Api.Chat) return this.chatPath;
    if (api == Api.Completions) return this.completionsPath;
    if (api == Api.Embeddings) return this.embeddingsPath;
    if (api == Api.Models) return this.modelsPath;
    return "";
  }
}

/** What one request asked for, as the adapters see it. */
export class Exchange {
  api: Api = Api.Unknown;
  /** The client spoke Anthropic's Messages API. */
  anthropicIn: bool = false;
  /** ... and the provider takes it as it is. */
  nativeMessages: bool = false;
  stream: bool = false;
  model: string = "";
  mapped: string = "";
  created: i64 = 0;
  originalPath: string = "";
  token: string = "";
  /** The context file's text, when the adapter takes it into its own request (`contextInBody`). */
  context: string = "";
  /** Why the adapter refused the request (a 400 to the client), when `request` returns null. */
  error: string = "";
  /** Response headers the adapter's `response` sets (with `setsResponseHeaders`). */
  answerHeaders: Array<HeaderPair> = [];
}

/** A converted request body and the path it goes to ("" when the API is not offered). */
export class UpstreamRequest {
  constructor(public body: JsonObject, public path: string) {}
}

/** A converted request body already in bytes, and the path it goes to. */
export class UpstreamBytes {
  constructor(public body: ArrayBuffer, public path: string) {}
}

/** An error a provider reported inside a successful HTTP answer. */
export class ProviderError {
  constructor(public status: u32, public message: string, public code: string) {}
}

/** An access-token request the filter sends before the request goes (vertex's OAuth2). */
export class TokenCall {
  constructor(public cluster: Cluster, public path: string, public headers: Array<HeaderPair>, public body: ArrayBuffer) {}
}

export class ProviderAdapter {
  spec!: ProviderSpec;
  /** `domainField`'s value, when the config sets it. */
  domain: string = "";

  /** A fresh adapter for one provider config (the table holds one of each kind). */
  create(): ProviderAdapter { return new ProviderAdapter(); }

  /** Reads this provider's own fields from its config; returns why they are refused, or "". */
  parse(o: JsonObject): string {
    if (this.spec.domainField.length > 0) {
      const d = o.getString(this.spec.domainField);
      if (d !== null) this.domain = d;
    }
    return "";
  }

  // What the provider is, as the filter needs to know it (an adapter sets them in `parse`).
  /** Config without apiTokens is refused. */
  needsApiTokens: bool = false;
  /** The provider speaks OpenAI's wire format (bodies pass with the model mapped). */
  speaksOpenAI: bool = true;
  /** The provider speaks Anthropic's Messages (an Anthropic client's request goes as it is). */
  speaksMessages: bool = false;
  /** The provider knows the `developer` role (others get `system`). */
  keepsDeveloperRole: bool = false;
  /** The context file goes to `request` as `ex.context` (not inserted as a system message). */
  contextInBody: bool = false;
  /** The provider reports errors inside HTTP 200 answers (the headers wait for the body). */
  errorsInBody: bool = false;
  /** The provider's answer sets response headers (`Exchange.answerHeaders`; the headers wait for the body). */
  setsResponseHeaders: bool = false;

  host(ex: Exchange, headers: HeaderMap): string {
    return this.domain.length > 0 ? this.domain : this.spec.host;
  }

  /** The OpenAI-wire path of an API ("" when not offered; for Models: answered locally). */
  path(api: Api, ex: Exchange): string { return this.spec.path(api); }

  /** The provider's auth headers for an API token. */
  authHeaders(token: string): Array<HeaderPair> {
    const auth = this.spec.auth;
    const out = new Array<HeaderPair>();
    if (auth == Auth.Bearer) out.push(new HeaderPair("authorization", "Bearer " + token));
    else if (auth == Auth.ApiKey) out.push(new HeaderPair("api-key", token));
    else if (auth == Auth.XApiKey) out.push(new HeaderPair("x-api-key", token));
    else if (auth == Auth.Goog) out.push(new HeaderPair("x-goog-api-key", token));
    return out;
  }

  // Auth by an access token fetched first (vertex): the filter uses a cached one, or sends
  // `tokenCall()` and waits; `acceptToken` reads (and caches) the answer's token, "" if refused.
  needsAccessToken(): bool { return false; }
  cachedAccessToken(): string { return ""; }
  tokenCall(): TokenCall | null { return null; }
  acceptToken(r: HttpCallResponse): string { return ""; }

  /** Auth when the config has no apiTokens (the client's own key, if the provider takes it). */
  clientAuth(headers: HeaderMap): void {}

  /**
   * The OpenAI chat request in the provider's form, written from the request's bytes, when the
   * adapter has a byte path for it (it must equal `request`'s as JSON); null to take the tree path.
   * Called only for an OpenAI client's chat request, and only when `convertsOnBytes`.
   */
  requestOnBytes(req: JsonObjectView, ex: Exchange): UpstreamBytes | null { return null; }
  /** Whether requestOnBytes may answer (the body is scanned for it only then). */
  get convertsOnBytes(): bool { return false; }

  /** The OpenAI request (chat, completions, embeddings) in the provider's form; null when not offered. */
  request(req: JsonObject, ex: Exchange, headers: HeaderMap): UpstreamRequest | null {
    const api = ex.api;
    if (api == Api.Chat || api == Api.Completions || api == Api.Embeddings) req.set("model", jsonString(ex.mapped));
    return new UpstreamRequest(req, this.path(api, ex));
  }

  /**
   * The request goes as the client sent it but for `model`, and the answer comes back as it is
   * (usage read from it): what this base class's `request`, `response` and `stream` do. The filter
   * then edits the body's bytes instead of building a tree. An adapter that converts bodies in any
   * mode where `speaksOpenAI` holds overrides this.
   */
  passesOpenAIBodies(): bool { return this.speaksOpenAI; }

  /** Signs the final request (after the body is written). */
  sign(headers: HeaderMap, host: string, path: string, body: ArrayBuffer, ex: Exchange): void {}

  /**
   * A successful chat answer as a chat.completion, written into `w` from the answer's bytes when
   * the adapter has a byte path for it (it must equal `response`'s as JSON, usage filled alike);
   * false to take the tree path (what was written is dropped; usage is filled again there).
   * Called only for an OpenAI client's chat answer, and only when `convertsResponsesOnBytes`.
   */
  responseOnBytes(resp: JsonObjectView, ex: Exchange, usage: TokenUsage, w: JsonWriter): bool { return false; }
  /** Whether responseOnBytes may answer (the answer is scanned for it only then). */
  get convertsResponsesOnBytes(): bool { return false; }

  /** A successful answer as an OpenAI answer; usage filled. */
  response(resp: JsonObject, ex: Exchange, usage: TokenUsage): JsonObject {
    extractUsage(resp, usage);
    return resp;
  }

  /** The error inside a 200 answer (when `errorsInBody`), or null. */
  bodyError(resp: JsonObject): ProviderError | null { return null; }

  stream(ex: Exchange, out: StreamOutput): StreamConverter { return new OpenAIStream(out, !ex.anthropicIn); }
}
