// OpenAI-compatible providers that need more than a table row: a configurable base URL or
// server, a path prefix, or the client's own key.
import { JsonObject, HeaderMap, log } from "@sluice/sdk";
import { ProviderAdapter, Exchange, Api } from "./adapter";

function text(o: JsonObject, key: string, def: string): string {
  const v = o.getString(key);
  return v === null ? def : v;
}

/** Splits "https://host:port/path?query" into [host, path+query]. */
export function splitUrl(url: string): Array<string> {
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

/**
 * A custom base URL (openaiCustomUrl, vllmCustomUrl), split once when the config is read: its host,
 * and the upstream path of each API (worked out on first use, then kept).
 */
class CustomUrl {
  readonly host: string;
  readonly pathAndQuery: string;
  private paths: StaticArray<string | null> = new StaticArray<string | null>(8);
  constructor(readonly url: string) {
    const parts = splitUrl(url);
    this.host = parts[0];
    this.pathAndQuery = parts[1];
  }
  path(api: Api, defaultPath: string): string {
    const i = <i32>api;
    if (i < 0 || i >= this.paths.length) return customUrlPath(this.pathAndQuery, api, defaultPath);
    const known = unchecked(this.paths[i]);
    if (known !== null) return known;
    const p = customUrlPath(this.pathAndQuery, api, defaultPath);
    unchecked(this.paths[i] = p);
    return p;
  }
}

/** A custom base URL's path for `api` (`p`: the URL's path and query): a full API URL is taken for chat only. */
function customUrlPath(p: string, api: Api, defaultPath: string): string {
  const q = p.indexOf("?");
  const path = q >= 0 ? p.substring(0, q) : p;
  if (path.endsWith("/chat/completions") || path.endsWith("/embeddings") || path.endsWith("/completions")) {
    return api == Api.Chat ? p : "";
  }
  if (path.length == 0 || path == "/") return defaultPath;
  const suffix = apiSuffix(api);
  return suffix.length == 0 ? "" : (path.endsWith("/") ? path.substring(0, path.length - 1) : path) + suffix;
}

/** `openai`: openaiCustomUrl; without apiTokens the client's key is passed on. */
export class OpenAIAdapter extends ProviderAdapter {
  customUrl: CustomUrl | null = null;
  authHeaderKey: string = "";

  create(): ProviderAdapter { return new OpenAIAdapter(); }
  parse(o: JsonObject): string {
    const url = text(o, "openaiCustomUrl", "");
    this.customUrl = url.length > 0 ? new CustomUrl(url) : null;
    this.authHeaderKey = text(o, "authHeaderKey", "");
    this.keepsDeveloperRole = true;
    return "";
  }
  host(ex: Exchange, headers: HeaderMap): string {
    const u = this.customUrl;
    return u !== null ? u.host : this.spec.host;
  }
  path(api: Api, ex: Exchange): string {
    const def = this.spec.path(api);
    const u = this.customUrl;
    return u !== null ? u.path(api, def) : def;
  }
  clientAuth(headers: HeaderMap): void {
    let key: string | null = null;
    if (this.authHeaderKey.length > 0) key = headers.get(this.authHeaderKey);
    if (key === null) key = headers.get("x-api-key");
    if (key === null) key = headers.get("x-authorization");
    if (key !== null) headers.set("authorization", key.startsWith("Bearer ") ? key : "Bearer " + key);
    headers.remove("x-api-key");
  }
}

/** `azure`: azureServiceUrl in three styles: full URL (fixed path), resource+deployment, resource only. */
export class AzureAdapter extends ProviderAdapter {
  serviceUrl: string = "";
  /** serviceUrl's host, and its path with the query (split once, when the config is read). */
  serviceHost: string = "";
  servicePathAndQuery: string = "";

  create(): ProviderAdapter { return new AzureAdapter(); }
  parse(o: JsonObject): string {
    this.serviceUrl = text(o, "azureServiceUrl", "");
    const parts = splitUrl(this.serviceUrl);
    this.serviceHost = parts[0];
    this.servicePathAndQuery = parts[1];
    this.needsApiTokens = true;
    this.keepsDeveloperRole = true;
    return this.serviceUrl.length == 0 ? "missing azureServiceUrl in provider config" : "";
  }
  host(ex: Exchange, headers: HeaderMap): string { return this.serviceHost; }
  path(api: Api, ex: Exchange): string {
    const pq = this.servicePathAndQuery;
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
      base = "/openai/deployments/" + (ex.mapped.length > 0 ? ex.mapped : ex.model);
    }
    return base + suffix + "?api-version=" + version;
  }
}

/** `ollama`: ollamaServerHost:ollamaServerPort. */
export class OllamaAdapter extends ProviderAdapter {
  serverHost: string = "";
  serverPort: i32 = 11434;

  create(): ProviderAdapter { return new OllamaAdapter(); }
  parse(o: JsonObject): string {
    this.serverHost = text(o, "ollamaServerHost", "");
    this.serverPort = <i32>o.getNumber("ollamaServerPort", 11434);
    return this.serverHost.length == 0 ? "missing ollamaServerHost in provider config" : "";
  }
  host(ex: Exchange, headers: HeaderMap): string { return this.serverHost + ":" + this.serverPort.toString(); }
}

/** `vllm`: vllmCustomUrl (base or full URL) or vllmServerHost. */
export class VllmAdapter extends ProviderAdapter {
  customUrl: CustomUrl | null = null;
  serverHost: string = "";

  create(): ProviderAdapter { return new VllmAdapter(); }
  parse(o: JsonObject): string {
    const url = text(o, "vllmCustomUrl", "");
    this.customUrl = url.length > 0 ? new CustomUrl(url) : null;
    this.serverHost = text(o, "vllmServerHost", "");
    return "";
  }
  host(ex: Exchange, headers: HeaderMap): string {
    const u = this.customUrl;
    if (u !== null) return u.host;
    return this.serverHost.length > 0 ? this.serverHost : this.spec.host;
  }
  path(api: Api, ex: Exchange): string {
    const def = this.spec.path(api);
    const u = this.customUrl;
    return u !== null ? u.path(api, def) : def;
  }
}

/** `generic`: genericHost (else the client's host), the client's path. */
export class GenericAdapter extends ProviderAdapter {
  genericHost: string = "";

  create(): ProviderAdapter { return new GenericAdapter(); }
  parse(o: JsonObject): string {
    this.genericHost = text(o, "genericHost", "");
    return "";
  }
  host(ex: Exchange, headers: HeaderMap): string {
    if (this.genericHost.length > 0) return this.genericHost;
    const h = headers.get(":authority");
    return h === null ? "" : h;
  }
  path(api: Api, ex: Exchange): string { return ex.originalPath; }
}

/**
 * `cloudflare`: Workers AI's OpenAI-compatible API, as Higress's cloudflare provider reaches it:
 * api.cloudflare.com /client/v4/accounts/{cloudflareAccountId}/ai/v1/chat/completions, Bearer
 * token. Higress requires apiTokens but not cloudflareAccountId (its own e2e config has none):
 * without one the request goes where Higress sends it, /client/v4/accounts//ai/v1/…, and
 * Cloudflare answers it with its routing error.
 */
export class CloudflareAdapter extends ProviderAdapter {
  accountId: string = "";

  create(): ProviderAdapter { return new CloudflareAdapter(); }
  parse(o: JsonObject): string {
    this.accountId = text(o, "cloudflareAccountId", "");
    this.needsApiTokens = true;
    if (this.accountId.length == 0) log.warn("cloudflare provider without cloudflareAccountId: requests go to /client/v4/accounts//ai/v1/… (as with Higress) and Cloudflare will not route them");
    return "";
  }
  path(api: Api, ex: Exchange): string {
    const def = this.spec.path(api);
    return def.length == 0 ? "" : "/client/v4/accounts/" + this.accountId + def;
  }
}
