// Provider `vertex`: Google Vertex AI (Higress's vertex.go), in three modes.
//   Express mode (`apiTokens`): aiplatform.googleapis.com/v1/publishers/google/models/{m}:{action}
//     with the key as the `key` query parameter, Gemini's wire format.
//   Standard mode (`vertexAuthKey`, a service-account key JSON, with `vertexRegion`,
//     `vertexProjectId`, `vertexAuthServiceName`): {region}-aiplatform.googleapis.com/v1/projects/
//     {p}/locations/{r}/publishers/google/models/{m}:{action} with `Authorization: Bearer` and an
//     OAuth2 access token: a JWT (RS256, signed with the key) exchanged at the key's token_uri
//     through `vertexAuthServiceName` (outbound|443||{name}.dns, host oauth2.googleapis.com),
//     kept in shared data per region and project until `vertexTokenRefreshAhead` seconds before
//     it expires.
//   OpenAI-compatible mode (`vertexOpenAICompatible: true`, standard auth): chat only, the body stays
//     OpenAI's (model mapped) → /v1beta1/projects/{p}/locations/{r}/endpoints/openapi/chat/completions.
// Chat, streamed chat and embeddings (`:predict`) are converted like Gemini's (gemini.ts).
import { JsonObject, JsonValue, HeaderMap, HeaderPair, sharedData } from "@sluice/sdk";
import { TokenUsage, extractUsage } from "@sluice/sdk/ai";
import { parseRsaPrivateKeyPem, RsaPrivateKey, rsaPkcs1Sign, HashAlg, sha256 } from "@sluice/sdk/crypto";
import { base64UrlEncode, percentEncode } from "@sluice/sdk/encoding";
import { JsonWriter, parseJsonObject } from "@sluice/sdk/json";
import { HttpCallResponse, DnsCluster } from "@sluice/sdk/http";
import { GeminiAdapter } from "./gemini";
import { ProviderAdapter, Exchange, Api, UpstreamRequest, TokenCall } from "./adapter";
import { openaiEmbedding, openaiEmbeddingsList } from "./embeddings";
import { StreamConverter, StreamOutput, OpenAIStream } from "./stream";
import { jsonString, jsonArray, jsonObject, jsonInt, str, nowSeconds } from "./util";

const DOMAIN = "aiplatform.googleapis.com";
const AUTH_DOMAIN = "oauth2.googleapis.com";
const SCOPE = "https://www.googleapis.com/auth/cloud-platform";

export class VertexAdapter extends GeminiAdapter {
  express: bool = false;
  openaiCompatible: bool = false;
  region: string = "";
  projectId: string = "";
  authServiceName: string = "";
  refreshAhead: i64 = 60;
  clientEmail: string = "";
  privateKeyId: string = "";
  tokenUri: string = "";
  privateKey: RsaPrivateKey | null = null;

  create(): ProviderAdapter { return new VertexAdapter(); }

  parse(o: JsonObject): string {
    super.parse(o); // geminiSafetySetting, geminiThinkingBudget, apiVersion (unused by Vertex)
    this.needsApiTokens = false;
    const tokens = o.getArray("apiTokens");
    this.express = tokens !== null && tokens.length > 0;
    this.openaiCompatible = o.getBool("vertexOpenAICompatible", false);
    this.region = str(o, "vertexRegion");
    this.projectId = str(o, "vertexProjectId");
    this.authServiceName = str(o, "vertexAuthServiceName");
    const ahead = <i64>o.getNumber("vertexTokenRefreshAhead", 0);
    this.refreshAhead = ahead == 0 ? 60 : ahead;
    if (this.express) {
      if (this.openaiCompatible) return "vertexOpenAICompatible is not compatible with Express Mode (apiTokens)";
      return "";
    }
    // Higress's messages; the key itself is checked here, not at the first request.
    const mode = this.openaiCompatible ? " for OpenAI compatible mode" : "";
    const authKey = str(o, "vertexAuthKey");
    if (authKey.length == 0) return "missing vertexAuthKey in vertex provider config" + mode;
    if (this.region.length == 0 || this.projectId.length == 0) return "missing vertexRegion or vertexProjectId in vertex provider config" + mode;
    if (this.authServiceName.length == 0) return "missing vertexAuthServiceName in vertex provider config" + mode;
    const key = parseJsonObject(authKey);
    if (!key.ok) return "vertexAuthKey is not a service-account key JSON object";
    const k = key.value!;
    this.clientEmail = str(k, "client_email");
    this.privateKeyId = str(k, "private_key_id");
    this.tokenUri = str(k, "token_uri");
    const pem = str(k, "private_key");
    if (this.clientEmail.length == 0 || pem.length == 0 || this.tokenUri.length == 0) return "vertexAuthKey: missing client_email, private_key or token_uri";
    const pk = parseRsaPrivateKeyPem(pem);
    if (pk.key === null) return "vertexAuthKey: private_key: " + pk.error;
    this.privateKey = pk.key;
    this.speaksOpenAI = this.openaiCompatible;
    return "";
  }

  host(ex: Exchange, headers: HeaderMap): string {
    if (this.express || this.region == "global") return DOMAIN;
    return this.region + "-" + DOMAIN;
  }

  /** Express mode: the key travels in the URL; no auth header. */
  authHeaders(token: string): Array<HeaderPair> { return []; }

  /** No apiTokens (standard modes): the client's credential does not go to Google. */
  clientAuth(headers: HeaderMap): void {
    headers.remove("authorization");
    headers.remove("x-goog-api-key");
  }

  private modelPath(model: string, action: string, ex: Exchange): string {
    if (this.express) {
      // Higress: url.Values.Set("key") then Encode (keys sorted: alt before key).
      const sep = action.includes("?") ? "&" : "?";
      return "/v1/publishers/google/models/" + model + ":" + action + sep + "key=" + percentEncode<string>(ex.token);
    }
    return "/v1/projects/" + this.projectId + "/locations/" + this.region + "/publishers/google/models/" + model + ":" + action;
  }

  /** OpenAI-compatible mode takes chat only, on its own path: not the base class's pass-through. */
  passesOpenAIBodies(): bool { return false; }

  /** Vertex's paths and modes differ from Gemini's: its requests take the tree path. */
  get convertsOnBytes(): bool { return false; }

  /** Gemini's answers convert on their bytes; the OpenAI-compatible mode's are OpenAI's already. */
  get convertsResponsesOnBytes(): bool { return !this.openaiCompatible; }

  request(req: JsonObject, ex: Exchange, headers: HeaderMap): UpstreamRequest | null {
    const api = ex.api;
    if (this.openaiCompatible) {
      if (api != Api.Chat) { ex.error = "OpenAI compatible mode only supports chat completions API"; return null; }
      req.set("model", jsonString(ex.mapped));
      return new UpstreamRequest(req, "/v1beta1/projects/" + this.projectId + "/locations/" + this.region + "/endpoints/openapi/chat/completions");
    }
    if (api == Api.Chat) {
      if (ex.mapped.startsWith("claude")) { ex.error = "Claude models on Vertex AI are not supported by this plugin yet"; return null; }
      const up = super.request(req, ex, headers);
      if (up === null) return null;
      return new UpstreamRequest(up.body, this.modelPath(ex.mapped, ex.stream ? "streamGenerateContent?alt=sse" : "generateContent", ex));
    }
    if (api == Api.Embeddings) return new UpstreamRequest(embeddingsRequest(req), this.modelPath(ex.mapped, "predict", ex));
    return null;
  }

  response(resp: JsonObject, ex: Exchange, usage: TokenUsage): JsonObject {
    if (this.openaiCompatible) { extractUsage(resp, usage); return resp; }
    if (ex.api == Api.Embeddings) return embeddingsResponse(resp, ex.mapped, usage);
    return super.response(resp, ex, usage);
  }

  stream(ex: Exchange, out: StreamOutput): StreamConverter {
    if (this.openaiCompatible) return new OpenAIStream(out, !ex.anthropicIn);
    return super.stream(ex, out);
  }

  // ---- OAuth2 access token (standard and OpenAI-compatible modes) ----

  needsAccessToken(): bool { return !this.express; }

  private cacheKey(): string { return "vertex-" + this.region + "-" + this.projectId + "-access-token"; }

  /** A cached token still valid `vertexTokenRefreshAhead` seconds from now, or "". */
  cachedAccessToken(): string {
    const e = sharedData.get(this.cacheKey());
    if (!e.found) return "";
    const o = parseJsonObject(e.text);
    if (!o.ok) return "";
    const expireAt = <i64>o.value!.getNumber("expireAt", 0);
    if (expireAt <= nowSeconds() + this.refreshAhead) return "";
    return str(o.value!, "token");
  }

  /** The JWT-bearer grant request (RFC 7523) to the key's token endpoint; null if signing failed. */
  tokenCall(): TokenCall | null {
    const now = nowSeconds();
    // Higress marshals Go maps: keys in sorted order.
    const h = new JsonWriter(96);
    h.beginObject().key("alg").string("RS256").key("kid").string(this.privateKeyId).key("typ").string("JWT").endObject();
    const c = new JsonWriter(256);
    c.beginObject().key("aud").string(this.tokenUri).key("exp").integer(now + 3600).key("iat").integer(now)
      .key("iss").string(this.clientEmail).key("scope").string(SCOPE).endObject();
    const input = base64UrlEncode<ArrayBuffer>(h.toBytes()) + "." + base64UrlEncode<ArrayBuffer>(c.toBytes());
    const sig = rsaPkcs1Sign(this.privateKey!, HashAlg.SHA256, Uint8Array.wrap(sha256<string>(input)));
    if (sig === null) return null;
    const jwt = input + "." + base64UrlEncode<Uint8Array>(sig);
    const body = String.UTF8.encode("grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=" + jwt);
    return new TokenCall(new DnsCluster(this.authServiceName, AUTH_DOMAIN, 443), "/token",
      [new HeaderPair("content-type", "application/x-www-form-urlencoded")], body);
  }

  /** The access token of a token-endpoint answer (cached for the other requests), or "" when refused. */
  acceptToken(r: HttpCallResponse): string {
    if (r.status != 200) return "";
    const o = parseJsonObject(r.bodyText());
    if (!o.ok) return "";
    const token = str(o.value!, "access_token");
    if (token.length == 0) return "";
    const expiresIn = <i64>o.value!.getNumber("expires_in", 3600);
    const w = new JsonWriter(token.length + 48);
    w.beginObject().key("token").string(token).key("expireAt").integer(nowSeconds() + expiresIn).endObject();
    const key = this.cacheKey();
    sharedData.set(key, w.toBytes(), sharedData.get(key).cas);
    return token;
  }
}

/** OpenAI embeddings → Vertex `:predict` ({instances: [{content}]}). */
function embeddingsRequest(req: JsonObject): JsonObject {
  const inst = new Array<JsonValue>();
  const input = req.get("input");
  if (input !== null) {
    const a = input.asArray();
    if (a === null) {
      const s = input.asString();
      if (s !== null) inst.push(instance(s));
    } else for (let i = 0; i < a.length; i++) { const s = a[i].asString(); if (s !== null) inst.push(instance(s)); }
  }
  const out = new JsonObject();
  out.set("instances", jsonArray(inst));
  return out;
}

function instance(s: string): JsonValue {
  const o = new JsonObject();
  o.set("content", jsonString(s));
  return jsonObject(o);
}

/** Vertex `predictions[].embeddings.{values, statistics.token_count}` → OpenAI embeddings. */
function embeddingsResponse(resp: JsonObject, model: string, usage: TokenUsage): JsonObject {
  const data = new Array<JsonValue>();
  let tokens: i64 = 0;
  const preds = resp.getArray("predictions");
  if (preds !== null) {
    for (let i = 0; i < preds.length; i++) {
      const p = preds[i].asObject();
      if (p === null) continue;
      const e = p.getObject("embeddings");
      if (e === null) continue;
      const st = e.getObject("statistics");
      if (st !== null) tokens += <i64>st.getNumber("token_count", 0);
      // Higress gives every item index 0; OpenAI's clients expect the input's position.
      data.push(openaiEmbedding(data.length, e.get("values")));
    }
  }
  return openaiEmbeddingsList(data, model, tokens, usage);
}
