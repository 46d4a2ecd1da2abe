// What the authorization service is sent: headers, method and path (Higress's
// buildExtAuthRequestHeaders and checkExtAuth).
import { HeaderPair } from "@sluice/sdk";
import { Config } from "./config";

export const HEADER_AUTHORIZATION = "authorization";

/** Headers by lower-case name, a later set() replacing an earlier value (Go's http.Header.Set). */
export class HeaderList {
  pairs: Array<HeaderPair> = [];
  set(name: string, value: string): void {
    const n = name.toLowerCase();
    for (let i = 0; i < this.pairs.length; i++) {
      if (this.pairs[i].name == n) { this.pairs[i] = new HeaderPair(n, value); return; }
    }
    this.pairs.push(new HeaderPair(n, value));
  }
}

/** The client request as ext-auth looks at it. */
export class OriginalRequest {
  method: string = "";
  /** :path with its query. */
  path: string = "";
  authority: string = "";
  scheme: string = "";
  headers: Array<HeaderPair> = [];
}

/**
 * 1. client headers whose names match allowed_headers (pseudo-headers never: they are the auth
 *    request's own); 2. headers_to_add (they win over client headers); 3. the client's
 *    Authorization, always; 4. forward_auth: x-original-method/uri and x-forwarded-proto/method/
 *    uri/host, over anything else of those names.
 */
export function authRequestHeaders(c: Config, r: OriginalRequest): Array<HeaderPair> {
  const out = new HeaderList();
  const allowed = c.allowedHeaders;
  if (allowed !== null) {
    for (let i = 0; i < r.headers.length; i++) {
      const h = r.headers[i];
      if (h.name.startsWith(":")) continue;
      if (allowed.match(h.name)) out.set(h.name, h.value);
    }
  }
  for (let i = 0; i < c.headersToAdd.length; i++) out.set(c.headersToAdd[i].name, c.headersToAdd[i].value);
  for (let i = 0; i < r.headers.length; i++) {
    if (r.headers[i].name == HEADER_AUTHORIZATION) {
      if (r.headers[i].value.length > 0) out.set(HEADER_AUTHORIZATION, r.headers[i].value);
      break;
    }
  }
  if (c.forwardAuth) {
    out.set("x-original-method", r.method);
    out.set("x-original-uri", r.path);
    out.set("x-forwarded-proto", r.scheme);
    out.set("x-forwarded-method", r.method);
    out.set("x-forwarded-uri", r.path);
    out.set("x-forwarded-host", r.authority);
  }
  return out.pairs;
}

export function authMethod(c: Config, r: OriginalRequest): string {
  return c.forwardAuth ? c.requestMethod : r.method;
}

/** envoy mode: Go's path.Join(path_prefix, :path) — cleaned, query included; forward_auth: `path`. */
export function authPath(c: Config, r: OriginalRequest): string {
  if (c.forwardAuth) return c.path;
  return goPathJoin(c.pathPrefix, r.path);
}

/** Go's path.Join of two elements: the non-empty ones joined by "/", then Clean (""→"" when both are empty). */
export function goPathJoin(a: string, b: string): string {
  if (a.length == 0 && b.length == 0) return "";
  if (a.length == 0) return goPathClean(b);
  if (b.length == 0) return goPathClean(a);
  return goPathClean(a + "/" + b);
}

/** Go's path.Clean: one slash between elements, "." dropped, ".." resolved, no trailing slash. */
export function goPathClean(p: string): string {
  const n = p.length;
  if (n == 0) return ".";
  const rooted = p.charCodeAt(0) == 47;
  const out = new Array<i32>();
  let r = 0;
  let dotdot = 0;
  if (rooted) { out.push(47); r = 1; dotdot = 1; }
  while (r < n) {
    const ch = p.charCodeAt(r);
    if (ch == 47) { r++; continue; }
    if (ch == 46 && (r + 1 == n || p.charCodeAt(r + 1) == 47)) { r++; continue; }
    if (ch == 46 && r + 1 < n && p.charCodeAt(r + 1) == 46 && (r + 2 == n || p.charCodeAt(r + 2) == 47)) {
      r += 2;
      if (out.length > dotdot) {
        out.pop();
        while (out.length > dotdot && out[out.length - 1] != 47) out.pop();
        if (out.length > dotdot && out[out.length - 1] == 47) out.pop();
      } else if (!rooted) {
        if (out.length > 0) out.push(47);
        out.push(46); out.push(46);
        dotdot = out.length;
      }
      continue;
    }
    if ((rooted && out.length != 1) || (!rooted && out.length != 0)) out.push(47);
    while (r < n && p.charCodeAt(r) != 47) { out.push(p.charCodeAt(r)); r++; }
  }
  if (out.length == 0) return ".";
  let s = "";
  for (let i = 0; i < out.length; i++) s += String.fromCharCode(out[i]);
  return s;
}
