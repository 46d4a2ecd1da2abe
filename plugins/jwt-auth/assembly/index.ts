// jwt-auth: authenticates requests by a JWT verified against each consumer's JWK Set (issuer,
// exp/nbf/iat with clock skew), names the caller upstream with X-Mse-Consumer and can forward
// claims as headers. Configuration and behaviour follow Higress's jwt-auth.
import { HttpFilter, Action, ConfigError, JsonObject, JsonValue, JsonKind, registerPlugin, log, time } from "@sluice/sdk";
import { ConsumerPolicy, setConsumer, challenge, checkConsumerName, ConsumerAuthPlugin, Jwt, Jwk, parseJwt, parseJwks, parseJwksObject, selectKey, verifyJwt, numericDate, JwksResult, headerValuesReplacing, queryParamsBytes, bytesEqual } from "@sluice/sdk/auth";
import { decodeUtf8 } from "@sluice/sdk/json";
import { parseQuery, rawQuery } from "@sluice/sdk/net";
export * from "@sluice/sdk/exports";

class FromHeader {
  constructor(public name: string, public prefix: string) {}
}

class ClaimHeader {
  constructor(public claim: string, public header: string, public replace: bool) {}
}

class JwtConsumer {
  name: string = "";
  issuer: string = "";
  keys: Array<Jwk> = [];
  fromHeaders: Array<FromHeader> = [];
  fromParams: Array<string> = [];
  fromCookies: Array<string> = [];
  claimsToHeaders: Array<ClaimHeader> = [];
  clockSkew: i64 = 60;
  keepToken: bool = true;
}

class JwtAuthConfig {
  policy: ConsumerPolicy = new ConsumerPolicy();
  consumers: Array<JwtConsumer> = [];
}

class ConsumerResult {
  constructor(public consumer: JwtConsumer | null, public error: string) {}
}

function fail(msg: string): ConsumerResult { return new ConsumerResult(null, msg); }

function stringList(o: JsonObject, key: string, out: Array<string>): string {
  const v = o.get(key);
  if (v === null || v.isNull) return "";
  const a = v.asArray();
  if (a === null) return key + " must be an array of strings";
  for (let i = 0; i < a.length; i++) {
    const s = a[i].asString();
    if (s === null || s.length == 0) return key + " must be an array of non-empty strings";
    out.push(s);
  }
  return "";
}

function parseConsumer(o: JsonObject, names: Array<string>): ConsumerResult {
  const c = new JwtConsumer();
  const name = o.getString("name");
  const problem = checkConsumerName(name, names);
  if (problem.length > 0) return fail(problem);
  c.name = name!;
  const where = " (consumer " + c.name + ")";

  const issuer = o.getString("issuer");
  if (issuer === null || issuer.length == 0) return fail("issuer is required" + where);
  c.issuer = issuer;

  const jwksValue = o.get("jwks");
  if (jwksValue === null || jwksValue.isNull) return fail("jwks is required" + where);
  let jwks: JwksResult;
  if (jwksValue.kind == JsonKind.String) jwks = parseJwks(jwksValue.str);
  else if (jwksValue.kind == JsonKind.Object) jwks = parseJwksObject(jwksValue.obj!);
  else return fail("jwks must be a JSON Web Key Set (a JSON string)" + where);
  if (jwks.error.length > 0) return fail("jwks is invalid" + where + ": " + jwks.error);
  c.keys = jwks.keys;

  const fh = o.get("from_headers");
  const fp = o.get("from_params");
  const fc = o.get("from_cookies");
  const anySource = (fh !== null && !fh.isNull) || (fp !== null && !fp.isNull) || (fc !== null && !fc.isNull);
  if (!anySource) {
    c.fromHeaders.push(new FromHeader("authorization", "Bearer "));
    c.fromParams.push("access_token");
  } else {
    if (fh !== null && !fh.isNull) {
      const a = fh.asArray();
      if (a === null) return fail("from_headers must be an array of {name, value_prefix}" + where);
      for (let i = 0; i < a.length; i++) {
        const h = a[i].asObject();
        const hn: string | null = h === null ? null : h.getString("name");
        if (h === null || hn === null || hn.length == 0) return fail("from_headers entries need a name" + where);
        const prefix = h.getString("value_prefix");
        c.fromHeaders.push(new FromHeader(hn.toLowerCase(), prefix === null ? "" : prefix));
      }
    }
    let e = stringList(o, "from_params", c.fromParams);
    if (e.length > 0) return fail(e + where);
    e = stringList(o, "from_cookies", c.fromCookies);
    if (e.length > 0) return fail(e + where);
  }

  const cth = o.get("claims_to_headers");
  if (cth !== null && !cth.isNull) {
    const a = cth.asArray();
    if (a === null) return fail("claims_to_headers must be an array of {claim, header, override}" + where);
    const seen = new Array<string>();
    for (let i = 0; i < a.length; i++) {
      const m = a[i].asObject();
      const claim: string | null = m === null ? null : m.getString("claim");
      const header: string | null = m === null ? null : m.getString("header");
      if (m === null || claim === null || claim.length == 0 || header === null || header.length == 0) {
        return fail("claims_to_headers entries need a claim and a header" + where);
      }
      const lower = header.toLowerCase();
      if (seen.includes(lower)) return fail("claim to header already exists: " + header + where);
      seen.push(lower);
      c.claimsToHeaders.push(new ClaimHeader(claim, lower, m.getBool("override", true)));
    }
  }

  const skew = o.get("clock_skew_seconds");
  if (skew !== null && !skew.isNull) {
    if (skew.kind != JsonKind.Number || skew.num < 0 || skew.num != Math.floor(skew.num)) return fail("clock_skew_seconds must be a non-negative integer" + where);
    c.clockSkew = <i64>skew.num;
  }
  const keep = o.get("keep_token");
  if (keep !== null && !keep.isNull) {
    if (!keep.isBool) return fail("keep_token must be a boolean" + where);
    c.keepToken = keep.bool;
  }
  return new ConsumerResult(c, "");
}

class JwtAuth extends ConsumerAuthPlugin<JwtAuthConfig> {
  parseRule(json: JsonObject, global: JwtAuthConfig, err: ConfigError): JwtAuthConfig | null {
    const policy = ConsumerPolicy.parseRule(json, global.policy, err);
    if (policy === null) return null;
    const c = new JwtAuthConfig();
    c.policy = policy;
    c.consumers = global.consumers;
    return c;
  }

  parseGlobal(json: JsonObject, err: ConfigError): JwtAuthConfig | null {
    const c = new JwtAuthConfig();
    const list = json.getArray("consumers");
    if (list === null) return err.fail<JwtAuthConfig>("failed to parse configuration for consumers: consumers is not a array");
    const names = new Array<string>();
    for (let i = 0; i < list.length; i++) {
      const o = list[i].asObject();
      if (o === null) return err.fail<JwtAuthConfig>("consumer " + i.toString() + " is not an object");
      const r = parseConsumer(o, names);
      if (r.consumer === null) return err.fail<JwtAuthConfig>(r.error);
      c.consumers.push(r.consumer!);
    }
    if (c.consumers.length == 0) return err.fail<JwtAuthConfig>("at least one consumer should be configured for a rule");
    const policy = ConsumerPolicy.parseGlobal(json, err);
    if (policy === null) return null;
    c.policy = policy;
    return c;
  }

  newFilter(): HttpFilter<JwtAuthConfig> { return new JwtAuthFilter(); }
}

enum Failure { None, Missing, Invalid, Expired, NotAllowed }

const MISSING = "Request denied by JWT Auth check. JWT is missing.";
const EXPIRED = "Request denied by JWT Auth check. JWT is expired.";
const INVALID = "Request denied by JWT Auth check. JWT verification fails";
const UNAUTHORIZED = "Request denied by JWT Auth check. Unauthorized consumer.";
const NOT_ALLOWED = "Request denied by JWT Auth check. JWT token not allow.";

/** Where a consumer found its token (so keep_token: false can remove it). */
class Found {
  constructor(public token: string, public kind: i32, public name: string) {}
}
const FROM_HEADER = 0, FROM_PARAM = 1, FROM_COOKIE = 2;

function cookieValue(cookieHeader: string, name: string): string {
  const parts = cookieHeader.split(";");
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i].trim();
    const eq = p.indexOf("=");
    const k = eq < 0 ? p : p.substring(0, eq);
    if (k == name) return eq < 0 ? "" : p.substring(eq + 1);
  }
  return "";
}

/** A claim as header text (strings as they are, integral numbers without exponent, else JSON); null if unusable in a header. */
function claimText(v: JsonValue): string | null {
  let s: string;
  if (v.kind == JsonKind.String) s = v.str;
  else if (v.kind == JsonKind.Number && v.num == Math.floor(v.num) && Math.abs(v.num) < 9007199254740992.0) s = (<i64>v.num).toString();
  else s = v.stringify();
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c < 0x20 && c != 9) || c == 0x7f) return null;
  }
  return s;
}

class JwtAuthFilter extends HttpFilter<JwtAuthConfig> {
  private lastToken: string = "";
  private lastParsed: Jwt | null = null;
  private lastError: string = "";

  onRequestHeaders(endOfStream: bool): Action {
    const c = this.config;
    const hasRules = this.plugin.hasRules;
    if (!c.policy.mustAuthenticate(hasRules)) return Action.Continue;
    const now = time.nowSeconds();
    const failures = new Array<Failure>(c.consumers.length);
    let unauthorized = "";
    for (let i = 0; i < c.consumers.length; i++) {
      const consumer = c.consumers[i];
      const found = this.extract(consumer);
      if (found.token.length == 0) { failures[i] = Failure.Missing; continue; }
      const outcome = this.verify(consumer, found.token, now);
      if (outcome != Failure.None) { failures[i] = outcome; continue; }
      if (!c.policy.permits(consumer.name, hasRules)) {
        log.warn("jwt verify failed, consumer \"" + consumer.name + "\" not allow");
        failures[i] = Failure.NotAllowed;
        unauthorized = consumer.name;
        continue;
      }
      log.info("consumer \"" + consumer.name + "\" authenticated");
      this.forwardClaims(consumer, this.lastParsed!);
      if (!consumer.keepToken) this.removeToken(found);
      setConsumer(consumer.name);
      return Action.Continue;
    }

    // Higress's failure selection: a specific answer only when exactly one consumer is allowed.
    if (c.policy.allow.length == 1) {
      if (unauthorized.length > 0) return this.deny(403, UNAUTHORIZED, "jwt-auth.unauthorized_customer");
      for (let i = 0; i < c.consumers.length; i++) {
        if (c.consumers[i].name != c.policy.allow[0]) continue;
        const f = failures[i];
        if (f == Failure.Missing) return this.deny(401, MISSING, "jwt-auth.token_missing");
        if (f == Failure.Expired) return this.deny(401, EXPIRED, "jwt-auth.token_expired");
        if (f == Failure.Invalid) return this.deny(401, INVALID, "jwt-auth.verification_failed");
      }
    }
    log.warn("all consumers verify failed");
    return this.deny(403, NOT_ALLOWED, "jwt-auth.not_allowed_by_default");
  }

  /**
   * The consumer's token: headers first, then query parameters, then cookies (Higress's order).
   * Bytes that are not UTF-8 become U+FFFD, which no JWT contains: such a token fails to parse
   * instead of being read as a lossy decoding that matches a valid one.
   */
  private extract(consumer: JwtConsumer): Found {
    for (let i = 0; i < consumer.fromHeaders.length; i++) {
      const h = consumer.fromHeaders[i];
      const values = headerValuesReplacing(this.requestHeaders, h.name);
      if (values.length == 0 || values[0].length == 0) continue;
      // Two lines of the same header are joined: the result never parses as one token.
      const value = values.join(",");
      if (!value.startsWith(h.prefix)) {
        log.warn("authorization has no prefix \"" + h.prefix + "\"");
        break;
      }
      return new Found(value.substring(h.prefix.length), FROM_HEADER, h.name);
    }
    if (consumer.fromParams.length > 0) {
      const path = this.requestHeaders.getBytes(":path");
      if (path !== null) {
        const params = queryParamsBytes(path);
        for (let i = 0; i < consumer.fromParams.length; i++) {
          const name = String.UTF8.encode(consumer.fromParams[i]);
          for (let k = 0; k < params.length; k++) {
            if (bytesEqual(params[k].name, name) && params[k].value.byteLength > 0) return new Found(decodeUtf8(params[k].value), FROM_PARAM, consumer.fromParams[i]);
          }
        }
      }
    }
    if (consumer.fromCookies.length > 0) {
      const cookies = headerValuesReplacing(this.requestHeaders, "cookie").join("; ");
      for (let i = 0; i < consumer.fromCookies.length; i++) {
        const v = cookieValue(cookies, consumer.fromCookies[i]);
        if (v.length > 0) return new Found(v, FROM_COOKIE, consumer.fromCookies[i]);
      }
    }
    return new Found("", 0, "");
  }

  private verify(consumer: JwtConsumer, token: string, now: i64): Failure {
    if (token != this.lastToken || (this.lastParsed === null && this.lastError.length == 0)) {
      this.lastToken = token;
      const r = parseJwt(token);
      this.lastParsed = r.jwt;
      this.lastError = r.error;
    }
    if (this.lastParsed === null) {
      log.warn("jwt parse failed, consumer: " + consumer.name + ", reason: " + this.lastError);
      return Failure.Invalid;
    }
    const jwt = this.lastParsed!;
    const key = selectKey(consumer.keys, jwt.kid);
    if (key === null) return Failure.Invalid;
    const why = verifyJwt(jwt, key);
    if (why.length > 0) {
      log.warn("jwt verify failed, consumer: " + consumer.name + ", reason: " + why);
      return Failure.Invalid;
    }
    const iss = jwt.claims.getString("iss");
    if (iss === null || iss != consumer.issuer) {
      log.warn("jwt verify failed, consumer: " + consumer.name + ", reason: issuer does not equal");
      return Failure.Invalid;
    }
    const exp = numericDate(jwt.claims, "exp");
    const nbf = numericDate(jwt.claims, "nbf");
    const iat = numericDate(jwt.claims, "iat");
    if (exp == -2 || nbf == -2 || iat == -2) {
      log.warn("jwt verify failed, consumer: " + consumer.name + ", reason: exp/nbf/iat is not a NumericDate");
      return Failure.Invalid;
    }
    const skew = consumer.clockSkew;
    if (nbf >= 0 && now + skew < nbf) { log.warn("jwt verify failed, consumer: " + consumer.name + ", reason: token not valid yet (nbf)"); return Failure.Expired; }
    if (exp >= 0 && now - skew > exp) { log.warn("jwt verify failed, consumer: " + consumer.name + ", reason: token is expired (exp)"); return Failure.Expired; }
    if (iat >= 0 && now + skew < iat) { log.warn("jwt verify failed, consumer: " + consumer.name + ", reason: token issued in the future (iat)"); return Failure.Expired; }
    return Failure.None;
  }

  private forwardClaims(consumer: JwtConsumer, jwt: Jwt): void {
    for (let i = 0; i < consumer.claimsToHeaders.length; i++) {
      const m = consumer.claimsToHeaders[i];
      const v = jwt.claims.get(m.claim);
      if (v === null) continue;
      const text = claimText(v);
      if (text === null) { log.warn("claim " + m.claim + " has characters a header cannot carry; not forwarded"); continue; }
      if (m.replace) this.requestHeaders.set(m.header, text);
      else this.requestHeaders.add(m.header, text);
    }
  }

  private removeToken(found: Found): void {
    if (found.kind == FROM_HEADER) {
      this.requestHeaders.remove(found.name);
    } else if (found.kind == FROM_COOKIE) {
      const parts = headerValuesReplacing(this.requestHeaders, "cookie").join("; ").split(";");
      const kept = new Array<string>();
      for (let i = 0; i < parts.length; i++) {
        const p = parts[i].trim();
        if (p.length == 0) continue;
        const eq = p.indexOf("=");
        if ((eq < 0 ? p : p.substring(0, eq)) != found.name) kept.push(p);
      }
      if (kept.length == 0) this.requestHeaders.remove("cookie");
      else this.requestHeaders.set("cookie", kept.join("; "));
    } else {
      const pathBytes = this.requestHeaders.getBytes(":path");
      if (pathBytes === null) return;
      const path = decodeUtf8(pathBytes);
      const q = path.indexOf("?");
      if (q < 0) return;
      const raw = rawQuery(path);
      const parts = raw.split("&");
      const kept = new Array<string>();
      for (let i = 0; i < parts.length; i++) {
        const one = parseQuery(parts[i]);
        if (one.length == 1 && one[0].name == found.name) continue;
        kept.push(parts[i]);
      }
      this.requestHeaders.set(":path", path.substring(0, q) + (kept.length > 0 ? "?" + kept.join("&") : ""));
    }
  }

  private deny(status: u32, message: string, detail: string): Action {
    return this.respond(status, message, challenge("JWT"), detail);
  }
}

registerPlugin("jwt-auth", () => new JwtAuth());
