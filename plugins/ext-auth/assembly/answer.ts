// What the authorization service's answer does (Higress's checkExtAuth callback and
// callExtAuthServerErrorHandler): 200 lets the request go on, with the allowed_upstream_headers of
// the answer copied into it; anything else refuses it with the service's status (5xx and "no
// answer": status_on_error) and body, and its headers (all, or the allowed_client_headers) —
// unless failure_mode_allow lets a 5xx / failed call through.
import { HeaderPair } from "@sluice/sdk";
import { Config } from "./config";
import { MatcherList } from "./matcher";

export const HEADER_FAILURE_MODE_ALLOW = "x-envoy-auth-failure-mode-allowed";
export const DETAILS_UNAUTHORIZED = "ext-auth.unauthorized";

export const VERDICT_ALLOW: i32 = 0;
export const VERDICT_FAIL_OPEN: i32 = 1;
export const VERDICT_REFUSE: i32 = 2;

/** What to do with the client request. */
export class Verdict {
  kind: i32 = VERDICT_ALLOW;
  /** ALLOW: request headers to set; FAIL_OPEN: the failure-mode header when asked for. */
  requestHeaders: Array<HeaderPair> = [];
  /** REFUSE: the client's answer. */
  status: u32 = 0;
  responseHeaders: Array<HeaderPair> = [];
  body: ArrayBuffer = new ArrayBuffer(0);
}

/** Headers a local answer gets from Envoy itself (framing, hop-by-hop): never copied from the service. */
function framing(name: string): bool {
  return name == "content-length" || name == "transfer-encoding" || name == "connection" || name == "keep-alive" || name == "upgrade";
}

/** The first value of each header name the list matches (Go's http.Header range with headV[0]). */
function firstValues(headers: Array<HeaderPair>, list: MatcherList | null): Array<HeaderPair> {
  const out = new Array<HeaderPair>();
  const seen = new Set<string>();
  for (let i = 0; i < headers.length; i++) {
    const h = headers[i];
    if (h.name.startsWith(":") || seen.has(h.name)) continue;
    seen.add(h.name);
    if (list !== null && !list.match(h.name)) continue;
    out.push(h);
  }
  return out;
}

/**
 * `status` is the service's status, or 500 when the call could not be made (no headers, no body).
 */
export function judge(c: Config, status: u32, headers: Array<HeaderPair>, body: ArrayBuffer): Verdict {
  const v = new Verdict();
  if (status == 200) {
    const up = c.allowedUpstreamHeaders;
    if (up !== null) v.requestHeaders = firstValues(headers, up);
    return v;
  }
  if (status >= 500 && c.failureModeAllow) {
    v.kind = VERDICT_FAIL_OPEN;
    if (c.failureModeAllowHeaderAdd) v.requestHeaders.push(new HeaderPair(HEADER_FAILURE_MODE_ALLOW, "true"));
    return v;
  }
  v.kind = VERDICT_REFUSE;
  v.status = status >= 500 ? c.statusOnError : status;
  const all = c.allowedClientHeaders === null ? firstValuesAll(headers) : firstValues(headers, c.allowedClientHeaders);
  for (let i = 0; i < all.length; i++) if (!framing(all[i].name)) v.responseHeaders.push(all[i]);
  v.body = body;
  return v;
}

/** No allowed_client_headers: every header of the answer, repeated ones included. */
function firstValuesAll(headers: Array<HeaderPair>): Array<HeaderPair> {
  const out = new Array<HeaderPair>();
  for (let i = 0; i < headers.length; i++) if (!headers[i].name.startsWith(":")) out.push(headers[i]);
  return out;
}
