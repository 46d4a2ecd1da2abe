// Provider `coze`: Coze's own API (api.coze.cn: /v3/chat, /v1/workflow/run, …) behind the
// gateway, as Higress's coze provider does it: it only rewrites the host to api.coze.cn and sets
// `Authorization: Bearer <apiToken>`; it converts nothing and offers no OpenAI API (Higress's
// default capabilities for coze are empty), so it is meant for `protocol: original`.
import { JsonObject } from "@sluice/sdk";
import { ProviderAdapter, Exchange, Api, UpstreamRequest } from "./adapter";
import { HeaderMap } from "@sluice/sdk";

export class CozeAdapter extends ProviderAdapter {
  create(): ProviderAdapter { return new CozeAdapter(); }

  parse(o: JsonObject): string {
    // Higress refuses a coze config without apiTokens.
    this.needsApiTokens = true;
    this.speaksOpenAI = false;
    return "";
  }

  /** No OpenAI API: an OpenAI request (protocol openai) is refused with 400 before Coze. */
  path(api: Api, ex: Exchange): string { return ""; }

  request(req: JsonObject, ex: Exchange, headers: HeaderMap): UpstreamRequest | null { return null; }
}
