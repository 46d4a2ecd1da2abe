// ext-auth: Higress's external authorization (modelled on Envoy's ext_authz HTTP service). Each
// request that the whitelist/blacklist does not exempt is held while an authorization service
// is asked — in `envoy` mode with the request's own method and path under `path_prefix`, in
// `forward_auth` mode with a fixed method and path plus x-forwarded-* headers — and the service's
// answer decides: 200 lets it go on (with the answer's allowed_upstream_headers), anything else
// refuses it with the service's status, headers and body (5xx or no answer: status_on_error,
// unless failure_mode_allow lets it through).
//
// Files: config.ts (configuration), matcher.ts (string matchers, whitelist/blacklist),
// request.ts (the auth request), answer.ts (applying the answer).
import { Plugin, HttpFilter, BodyMode, Action, ConfigError, JsonObject, HeaderPair, Status, registerPlugin, log } from "@sluice/sdk";
import { HttpCallHandler, HttpCallResponse, httpCall, lastHttpCallError } from "@sluice/sdk/http";
import { Config, parseConfig } from "./config";
import { OriginalRequest, authRequestHeaders, authMethod, authPath } from "./request";
import { judge, Verdict, VERDICT_REFUSE, DETAILS_UNAUTHORIZED } from "./answer";
export * from "@sluice/sdk/exports";

class ExtAuth extends Plugin<Config> {
  parseConfig(json: JsonObject, global: Config | null, err: ConfigError): Config | null {
    return parseConfig(json, err);
  }
  newFilter(): HttpFilter<Config> { return new ExtAuthFilter(); }
}

function pathWithoutQuery(p: string): string {
  const q = p.indexOf("?");
  return q < 0 ? p : p.substring(0, q);
}

class ExtAuthFilter extends HttpFilter<Config> implements HttpCallHandler {
  original: OriginalRequest = new OriginalRequest();
  /** The auth request's headers, built from the request headers in the header hook. */
  authHeaders: Array<HeaderPair> = [];

  onRequestHeaders(endOfStream: bool): Action {
    const r = this.original;
    const h = this.requestHeaders;
    const m = h.get(":method");
    const p = h.get(":path");
    const a = h.get(":authority");
    const s = h.get(":scheme");
    r.method = m === null ? "" : m;
    r.path = p === null ? "" : p;
    r.authority = a === null ? "" : a;
    r.scheme = s === null ? "" : s;
    if (this.config.matchRules.skipsAuth(r.authority, r.method, pathWithoutQuery(r.path))) return Action.Continue;
    r.headers = h.pairs();
    this.authHeaders = authRequestHeaders(this.config, r);
    if (this.config.withRequestBody && !endOfStream) {
      // The body goes to the service too: held until it is all here (at most max_request_body_bytes).
      this.requestBodyMode = BodyMode.Buffer;
      this.requestBodyLimit = this.config.maxRequestBodyBytes;
      return Action.Pause;
    }
    // Headers and any body stay put while the call is out (the body buffered with watermarks,
    // never read into the VM): nothing reaches the upstream before the service said yes.
    return this.check(null, false);
  }

  onRequestBody(body: ArrayBuffer): Action {
    return this.check(body, true);
  }

  onRequestBodyTooLarge(size: u32): Action {
    // Higress sets the request's buffer limit to max_request_body_bytes: Envoy's own 413.
    log.warn("request body of " + size.toString() + " bytes is over max_request_body_bytes (" + this.config.maxRequestBodyBytes.toString() + "): 413");
    return this.respond(413, "Payload Too Large", [new HeaderPair("content-type", "text/plain")], "request_payload_too_large");
  }

  /** Makes the call; `inBody`: from the body hook (with the body), else from the header hook. */
  private check(body: ArrayBuffer | null, inBody: bool): Action {
    const c = this.config;
    const st = httpCall(c.cluster, authMethod(c, this.original), authPath(c, this.original), this.authHeaders, body, c.timeout, this);
    // Higress: HeaderStopAllIterationAndWatermark from the header hook, a paused body otherwise.
    if (st == Status.Ok) return inBody ? Action.Pause : Action.StopAllIterationAndWatermark;
    // As Higress: a call that cannot be made is handled like a 500 from the service.
    log.error("failed to call ext auth server: " + lastHttpCallError);
    const v = judge(c, 500, [], new ArrayBuffer(0));
    if (v.kind == VERDICT_REFUSE) return this.refuse(v);
    this.setHeaders(v);
    return Action.Continue;
  }

  onHttpCallResponse(resp: HttpCallResponse): void {
    if (resp.status != 200) log.error("failed to call ext auth server, status: " + resp.status.toString());
    const v = judge(this.config, resp.status, resp.headers, resp.body);
    if (v.kind == VERDICT_REFUSE) { this.refuse(v); return; }
    this.setHeaders(v);
    this.resumeRequest();
  }

  private setHeaders(v: Verdict): void {
    for (let i = 0; i < v.requestHeaders.length; i++) this.requestHeaders.set(v.requestHeaders[i].name, v.requestHeaders[i].value);
  }

  private refuse(v: Verdict): Action {
    return this.respondBytes(v.status, v.body, v.responseHeaders, DETAILS_UNAUTHORIZED);
  }
}

registerPlugin("ext-auth", () => new ExtAuth());
