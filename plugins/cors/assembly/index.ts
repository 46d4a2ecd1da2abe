// cors: answers CORS preflights, refuses cross-origin requests the configuration does not allow
// and writes the Access-Control-* response headers. Configuration follows Higress's cors plugin.
import { Plugin, HttpFilter, Action, ConfigError, JsonObject, JsonValue, HeaderPair, registerPlugin, log } from "@sluice/sdk";
import { Regex } from "@sluice/sdk/regex";
export * from "@sluice/sdk/exports";

const DEFAULT_METHODS = "GET, PUT, POST, DELETE, PATCH, OPTIONS";
const DEFAULT_HEADERS = "DNT,X-CustomHeader,Keep-Alive,User-Agent,X-Requested-With,If-Modified-Since,Cache-Control,Content-Type,Authorization";
const DEFAULT_MAX_AGE: i64 = 86400;
const INVALID = "Invalid CORS request";
/** A host wildcard matches one or more DNS labels, never '/', '@', '#', ':' or anything else. */
const HOST_WILDCARD = "[a-z0-9_-]+(?:\\.[a-z0-9_-]+)*";

class CorsConfig {
  allowAllOrigins: bool = false;
  origins: Array<string> = [];
  patterns: Array<Regex> = [];
  allowAllMethods: bool = false;
  methods: Array<string> = [];
  methodsText: string = "";
  allowAllHeaders: bool = false;
  headers: Array<string> = [];
  headersText: string = "";
  exposeHeaders: string = "";
  credentials: bool = false;
  maxAge: i64 = DEFAULT_MAX_AGE;
}

class StringList {
  constructor(public items: Array<string>, public error: string) {}
}

/** A list field: a JSON array of strings, or one comma-separated string. Empty entries dropped. */
function stringList(json: JsonObject, key: string): StringList {
  const v = json.get(key);
  const out = new Array<string>();
  if (v === null || v.isNull) return new StringList(out, "");
  if (v.isString) {
    const parts = v.str.split(",");
    for (let i = 0; i < parts.length; i++) { const p = parts[i].trim(); if (p.length > 0) out.push(p); }
    return new StringList(out, "");
  }
  const arr = v.asArray();
  if (arr === null) return new StringList(out, key + " must be an array of strings");
  for (let i = 0; i < arr.length; i++) {
    const s = arr[i].asString();
    if (s === null) return new StringList(out, key + " must be an array of strings, got " + arr[i].stringify());
    const p = s.trim();
    if (p.length > 0) out.push(p);
  }
  return new StringList(out, "");
}

function escapeRegex(s: string): string {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s.charAt(i);
    if ("\\.+?()|{}[]^$*".indexOf(c) >= 0) out += "\\" + c; else out += c;
  }
  return out;
}

/**
 * `https://*.example.com:[8080,9090]` → an anchored regex. `*` in the host matches one or more
 * labels; a trailing `:[a,b]` is a port list, `:[*]` any port. A lone `*` matches every origin.
 */
function patternRegex(pattern: string): string | null {
  let p = pattern.toLowerCase();
  if (p == "*") return "^.*$";
  let ports = "";
  const colonBracket = p.lastIndexOf(":[");
  if (colonBracket >= 0) {
    if (!p.endsWith("]")) return null;
    const list = p.substring(colonBracket + 2, p.length - 1).split(",");
    p = p.substring(0, colonBracket);
    const alts = new Array<string>();
    for (let i = 0; i < list.length; i++) {
      const port = list[i].trim();
      if (port == "*") { alts.push("[0-9]+"); continue; }
      if (port.length == 0 || port.length > 5) return null;
      for (let j = 0; j < port.length; j++) { const c = port.charCodeAt(j); if (c < 48 || c > 57) return null; }
      alts.push(port);
    }
    ports = ":(?:" + alts.join("|") + ")";
  }
  const parts = p.split("*");
  let re = "^";
  for (let i = 0; i < parts.length; i++) {
    if (i > 0) re += HOST_WILDCARD;
    re += escapeRegex(parts[i]);
  }
  return re + ports + "$";
}

/**
 * True for a pattern whose host is nothing but the wildcard (`*`, `https://*`, `*://*:[*]`): it
 * admits every site, so with credentials it is `allow_origins: *` under another name.
 */
function matchesEveryHost(pattern: string): bool {
  let p = pattern.toLowerCase();
  const ports = p.lastIndexOf(":[");
  if (ports >= 0) p = p.substring(0, ports);
  const scheme = p.indexOf("://");
  if (scheme >= 0) p = p.substring(scheme + 3);
  return p == "*";
}

function containsIgnoreCase(list: Array<string>, s: string): bool {
  const l = s.toLowerCase();
  for (let i = 0; i < list.length; i++) if (list[i].toLowerCase() == l) return true;
  return false;
}

class Cors extends Plugin<CorsConfig> {
  parseConfig(json: JsonObject, global: CorsConfig | null, err: ConfigError): CorsConfig | null {
    const c = new CorsConfig();
    const origins = stringList(json, "allow_origins");
    if (origins.error.length > 0) return err.fail<CorsConfig>(origins.error);
    const patterns = stringList(json, "allow_origin_patterns");
    if (patterns.error.length > 0) return err.fail<CorsConfig>(patterns.error);
    for (let i = 0; i < origins.items.length; i++) {
      const o = origins.items[i];
      if (o == "*") c.allowAllOrigins = true; else c.origins.push(o.toLowerCase());
    }
    for (let i = 0; i < patterns.items.length; i++) {
      const re = patternRegex(patterns.items[i]);
      if (re === null) return err.fail<CorsConfig>("invalid allow_origin_patterns entry '" + patterns.items[i] + "'");
      const compiled = Regex.compile(re);
      if (!compiled.ok) return err.fail<CorsConfig>("invalid allow_origin_patterns entry '" + patterns.items[i] + "': " + compiled.error);
      c.patterns.push(compiled.regex!);
    }
    if (origins.items.length == 0 && patterns.items.length == 0) c.allowAllOrigins = true;

    const methods = stringList(json, "allow_methods");
    if (methods.error.length > 0) return err.fail<CorsConfig>(methods.error);
    const m = methods.items.length > 0 ? methods.items : DEFAULT_METHODS.split(",").map<string>((s: string) => s.trim());
    for (let i = 0; i < m.length; i++) {
      if (m[i] == "*") c.allowAllMethods = true; else c.methods.push(m[i].toUpperCase());
    }
    c.methodsText = c.methods.join(",");

    const headers = stringList(json, "allow_headers");
    if (headers.error.length > 0) return err.fail<CorsConfig>(headers.error);
    const h = headers.items.length > 0 ? headers.items : DEFAULT_HEADERS.split(",");
    for (let i = 0; i < h.length; i++) {
      if (h[i] == "*") c.allowAllHeaders = true; else c.headers.push(h[i]);
    }
    c.headersText = c.headers.join(",");

    const expose = stringList(json, "expose_headers");
    if (expose.error.length > 0) return err.fail<CorsConfig>(expose.error);
    c.exposeHeaders = expose.items.join(",");

    const cred = json.get("allow_credentials");
    if (cred !== null && !cred.isNull) {
      if (!cred.isBool) return err.fail<CorsConfig>("allow_credentials must be a boolean");
      c.credentials = cred.bool;
    }
    if (c.credentials && c.allowAllOrigins) return err.fail<CorsConfig>("allow_credentials cannot be true when allow_origins is '*'");
    if (c.credentials) {
      for (let i = 0; i < patterns.items.length; i++) {
        if (matchesEveryHost(patterns.items[i])) {
          return err.fail<CorsConfig>("allow_credentials cannot be true when allow_origin_patterns has '" + patterns.items[i] + "' (it matches every origin, like allow_origins '*')");
        }
      }
    }

    const maxAge = json.get("max_age");
    if (maxAge !== null && !maxAge.isNull) {
      const n = maxAge.asNumber(-1);
      if (n < 0 || n != Math.floor(n) || n > 1e9) return err.fail<CorsConfig>("max_age must be a non-negative integer");
      c.maxAge = <i64>n;
    }
    return c;
  }

  newFilter(): HttpFilter<CorsConfig> { return new CorsFilter(); }
}

/** Lower-cased `scheme://host[:port]` with the scheme's default port removed. */
function normalizeOrigin(o: string): string {
  let s = o.toLowerCase();
  if (s.startsWith("http://") && s.endsWith(":80")) s = s.substring(0, s.length - 3);
  else if (s.startsWith("https://") && s.endsWith(":443")) s = s.substring(0, s.length - 4);
  return s;
}

class CorsFilter extends HttpFilter<CorsConfig> {
  /** A valid cross-origin actual request: the response gets our Access-Control-* headers. */
  decorate: bool = false;
  origin: string = "";

  onRequestHeaders(endOfStream: bool): Action {
    const c = this.config;
    const all = this.requestHeaders.getAll("origin");
    if (all.length == 0) return Action.Continue; // not a CORS request
    // Two Origin lines that disagree: a browser never sends that.
    for (let i = 1; i < all.length; i++) if (all[i] != all[0]) return this.invalid("duplicate_origin");
    const origin = all[0].trim();
    if (origin.length == 0) return Action.Continue;

    const scheme = this.requestHeaders.get(":scheme");
    const authority = this.requestHeaders.get(":authority");
    if (scheme !== null && authority !== null && normalizeOrigin(origin) == normalizeOrigin(scheme + "://" + authority)) {
      return Action.Continue; // same origin
    }

    const method = this.requestHeaders.get(":method");
    const requestMethod = this.requestHeaders.get("access-control-request-method");
    const preflight = method !== null && method == "OPTIONS" && requestMethod !== null;

    if (!this.originAllowed(origin)) return this.invalid("origin_not_allowed");
    const checkedMethod = preflight ? requestMethod!.trim() : (method !== null ? method : "");
    if (!c.allowAllMethods && !containsIgnoreCase(c.methods, checkedMethod)) return this.invalid("method_not_allowed");
    const requested = this.requestHeaders.getAll("access-control-request-headers");
    let requestedText = "";
    for (let i = 0; i < requested.length; i++) {
      const names = requested[i].split(",");
      for (let j = 0; j < names.length; j++) {
        const n = names[j].trim();
        if (n.length == 0) continue;
        if (!c.allowAllHeaders && !containsIgnoreCase(c.headers, n)) return this.invalid("headers_not_allowed");
        requestedText += (requestedText.length > 0 ? "," : "") + n;
      }
    }

    this.origin = origin;
    if (preflight) {
      const h = this.originHeaders();
      h.push(new HeaderPair("access-control-allow-methods", c.allowAllMethods ? checkedMethod : c.methodsText));
      const allowHeaders = c.allowAllHeaders ? requestedText : c.headersText;
      if (allowHeaders.length > 0) h.push(new HeaderPair("access-control-allow-headers", allowHeaders));
      h.push(new HeaderPair("access-control-max-age", c.maxAge.toString()));
      return this.respond(200, "", h, "cors.preflight");
    }
    this.decorate = true;
    return Action.Continue;
  }

  onResponseHeaders(endOfStream: bool): Action {
    if (!this.decorate) return Action.Continue;
    // Whatever the upstream said about CORS is replaced by what this gateway decided.
    const pairs = this.responseHeaders.pairs();
    for (let i = 0; i < pairs.length; i++) {
      if (pairs[i].name.startsWith("access-control-")) this.responseHeaders.remove(pairs[i].name);
    }
    const h = this.originHeaders();
    if (this.config.exposeHeaders.length > 0) h.push(new HeaderPair("access-control-expose-headers", this.config.exposeHeaders));
    for (let i = 0; i < h.length; i++) {
      if (h[i].name == "vary") this.responseHeaders.add("vary", h[i].value);
      else this.responseHeaders.set(h[i].name, h[i].value);
    }
    return Action.Continue;
  }

  /** Allow-Origin (+ Vary, + Allow-Credentials): `*` only without credentials and an exact `*` rule. */
  private originHeaders(): Array<HeaderPair> {
    const c = this.config;
    const h = new Array<HeaderPair>();
    if (c.allowAllOrigins && !c.credentials) {
      h.push(new HeaderPair("access-control-allow-origin", "*"));
    } else {
      h.push(new HeaderPair("access-control-allow-origin", this.origin));
      h.push(new HeaderPair("vary", "Origin"));
    }
    if (c.credentials) h.push(new HeaderPair("access-control-allow-credentials", "true"));
    return h;
  }

  private originAllowed(origin: string): bool {
    const c = this.config;
    if (c.allowAllOrigins) return true;
    const o = normalizeOrigin(origin);
    for (let i = 0; i < c.origins.length; i++) if (normalizeOrigin(c.origins[i]) == o) return true;
    for (let i = 0; i < c.patterns.length; i++) if (c.patterns[i].test(o)) return true;
    return false;
  }

  private invalid(reason: string): Action {
    log.debug("cors: " + reason);
    return this.respond(403, INVALID, [new HeaderPair("content-type", "text/plain")], "cors." + reason);
  }
}

registerPlugin("cors", () => new Cors());
