// hmac-auth-apisix: verifies APISIX-style HMAC request signatures
//   Authorization: Signature keyId="…",algorithm="hmac-sha256",headers="@request-target date",signature="…"
// against configured consumers, checks the Date header's clock skew and optionally a body digest,
// and names the caller upstream with X-Mse-Consumer. Follows Higress's hmac-auth-apisix.
import { HttpFilter, Action, BodyMode, ConfigError, JsonObject, HeaderPair, registerPlugin, log, quoteJsonString, time } from "@sluice/sdk";
import { ConsumerPolicy, setConsumer, checkConsumerName, consumerList, headerValuesBytes, utf8Strict, ConsumerAuthPlugin } from "@sluice/sdk/auth";
import { hmac, HashAlg, sha256, constantTimeEqual } from "@sluice/sdk/crypto";
import { base64Encode } from "@sluice/sdk/encoding";
import { ByteBuffer } from "@sluice/sdk/json";
import { parseHttpDate } from "@sluice/sdk/net";
export * from "@sluice/sdk/exports";

const ALGORITHMS = ["hmac-sha1", "hmac-sha256", "hmac-sha512"];

class HmacConsumer {
  constructor(public name: string, public accessKey: string, public secretKey: string) {}
}

class HmacAuthConfig {
  policy: ConsumerPolicy = new ConsumerPolicy();
  consumers: Array<HmacConsumer> = [];
  allowedAlgorithms: Array<string> = ALGORITHMS;
  /** Seconds; 0 disables the Date check. */
  clockSkew: i64 = 300;
  /** Lower-case names (or `@request-target`) that every signature must cover. */
  signedHeaders: Array<string> = [];
  validateRequestBody: bool = false;
  hideCredentials: bool = false;
  anonymousConsumer: string = "";
}

function optionalBool(json: JsonObject, key: string, def: bool, err: ConfigError): bool {
  const v = json.get(key);
  if (v === null || v.isNull) return def;
  if (!v.isBool) { err.fail<JsonObject>(key + " must be a boolean"); return def; }
  return v.bool;
}

class HmacAuth extends ConsumerAuthPlugin<HmacAuthConfig> {
  parseRule(json: JsonObject, global: HmacAuthConfig, err: ConfigError): HmacAuthConfig | null {
    // Higress's hmac-auth-apisix accepts a rule without `allow`.
    const policy = ConsumerPolicy.parseRule(json, global.policy, err, false);
    if (policy === null) return null;
    for (let i = 0; i < policy.allow.length; i++) {
      let known = false;
      for (let j = 0; j < global.consumers.length; j++) if (global.consumers[j].name == policy.allow[i]) known = true;
      if (!known) log.warn("allowed consumer name '" + policy.allow[i] + "' is not in the consumers list");
    }
    const c = new HmacAuthConfig();
    c.policy = policy;
    c.consumers = global.consumers;
    c.allowedAlgorithms = global.allowedAlgorithms;
    c.clockSkew = global.clockSkew;
    c.signedHeaders = global.signedHeaders;
    c.validateRequestBody = global.validateRequestBody;
    c.hideCredentials = global.hideCredentials;
    c.anonymousConsumer = global.anonymousConsumer;
    return c;
  }

  parseGlobal(json: JsonObject, err: ConfigError): HmacAuthConfig | null {
    const c = new HmacAuthConfig();
    const list = consumerList(json, err);
    if (list === null) return null;
    const names = new Array<string>();
    for (let i = 0; i < list.length; i++) {
      const o = list[i].asObject();
      if (o === null) return err.fail<HmacAuthConfig>("consumer " + i.toString() + " is not an object");
      const ak = o.getString("access_key");
      if (ak === null || ak.length == 0) return err.fail<HmacAuthConfig>("consumer access_key is required");
      const sk = o.getString("secret_key");
      if (sk === null || sk.length == 0) return err.fail<HmacAuthConfig>("consumer secret_key is required");
      for (let j = 0; j < c.consumers.length; j++) {
        if (c.consumers[j].accessKey == ak) return err.fail<HmacAuthConfig>("duplicate consumer access_key: " + ak);
      }
      let name = o.getString("name");
      if (name === null || name.length == 0) name = ak;
      const problem = checkConsumerName(name, names);
      if (problem.length > 0) return err.fail<HmacAuthConfig>(problem);
      c.consumers.push(new HmacConsumer(name, ak, sk));
    }
    const policy = ConsumerPolicy.parseGlobal(json, err);
    if (policy === null) return null;
    c.policy = policy;

    const algs = json.get("allowed_algorithms");
    if (algs !== null && !algs.isNull) {
      const a = algs.asArray();
      if (a === null) return err.fail<HmacAuthConfig>("allowed_algorithms must be an array");
      if (a.length > 0) {
        c.allowedAlgorithms = [];
        for (let i = 0; i < a.length; i++) {
          const name = a[i].asString();
          if (name === null || !ALGORITHMS.includes(name)) {
            return err.fail<HmacAuthConfig>("invalid allowed_algorithm: " + (name === null ? a[i].stringify() : name) + ". Must be one of: hmac-sha1, hmac-sha256, hmac-sha512");
          }
          c.allowedAlgorithms.push(name);
        }
      }
    }

    const skew = json.get("clock_skew");
    if (skew !== null && !skew.isNull) {
      if (!skew.isNumber || skew.num != Math.floor(skew.num)) return err.fail<HmacAuthConfig>("clock_skew must be an integer number of seconds");
      c.clockSkew = skew.num >= 1 ? <i64>skew.num : 0;
    }

    const signed = json.get("signed_headers");
    if (signed !== null && !signed.isNull) {
      const a = signed.asArray();
      if (a === null) return err.fail<HmacAuthConfig>("signed_headers must be an array of header names");
      for (let i = 0; i < a.length; i++) {
        const h = a[i].asString();
        if (h === null || h.length == 0) return err.fail<HmacAuthConfig>("signed_headers must be an array of header names");
        c.signedHeaders.push(h.toLowerCase());
      }
    }
    c.validateRequestBody = optionalBool(json, "validate_request_body", false, err);
    c.hideCredentials = optionalBool(json, "hide_credentials", false, err);
    if (err.failed) return null;
    const anon = json.getString("anonymous_consumer");
    if (anon !== null) c.anonymousConsumer = anon;
    return c;
  }

  newFilter(): HttpFilter<HmacAuthConfig> { return new HmacAuthFilter(); }
}

class SignatureParams {
  /** A field appeared twice (e.g. two Authorization headers that Envoy joined with ','). */
  duplicate: bool = false;
  keyId: string = "";
  algorithm: string = "";
  signature: string = "";
  headers: Array<string> = [];
}

function isWordChar(c: i32): bool {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 95;
}

/** Reads every `word="value"` pair (what Higress's regexp `(\w+)="([^"]*)"` finds); later ones win. */
function parseSignatureFields(s: string): SignatureParams {
  const p = new SignatureParams();
  const seen = new Array<string>();
  const n = s.length;
  let i = 0;
  while (i < n) {
    if (!isWordChar(s.charCodeAt(i))) { i++; continue; }
    let j = i;
    while (j < n && isWordChar(s.charCodeAt(j))) j++;
    if (j + 1 < n && s.charCodeAt(j) == 61 && s.charCodeAt(j + 1) == 34) {
      const close = s.indexOf("\"", j + 2);
      if (close < 0) break;
      const key = s.substring(i, j);
      const value = s.substring(j + 2, close);
      if (seen.includes(key)) p.duplicate = true;
      else seen.push(key);
      if (key == "keyId") p.keyId = value;
      else if (key == "algorithm") p.algorithm = value;
      else if (key == "signature") p.signature = value;
      else if (key == "headers") {
        const parts = value.split(" ");
        p.headers = [];
        for (let k = 0; k < parts.length; k++) if (parts[k].length > 0) p.headers.push(parts[k]);
      }
      i = close + 1;
    } else {
      i = j;
    }
  }
  return p;
}

/** Whether the signature's `headers` list names `name` (lower-case), in any case. */
function covers(p: SignatureParams, name: string): bool {
  for (let k = 0; k < p.headers.length; k++) if (p.headers[k].toLowerCase() == name) return true;
  return false;
}

function hashFor(algorithm: string): HashAlg {
  if (algorithm == "hmac-sha1") return HashAlg.SHA1;
  if (algorithm == "hmac-sha512") return HashAlg.SHA512;
  return HashAlg.SHA256;
}

class HmacAuthFilter extends HttpFilter<HmacAuthConfig> {
  /** The request's Digest header (one value, as sent), read with the headers. */
  private digest: ArrayBuffer | null = null;

  onRequestHeaders(endOfStream: bool): Action {
    const c = this.config;
    const hasRules = this.plugin.hasRules;
    if (!c.policy.mustAuthenticate(hasRules)) return Action.Continue;

    const auths = headerValuesBytes(this.requestHeaders, "authorization");
    if (auths.length > 1) return this.reject("multiple Authorization headers");
    // Failures to even read the credentials may fall back to the anonymous consumer.
    let problem = "";
    let params: SignatureParams | null = null;
    let consumer: HmacConsumer | null = null;
    // Strict: a lossy decode would drop or fold bytes the client sent.
    const auth: string | null = auths.length == 0 ? null : utf8Strict(auths[0]);
    if (auths.length == 0) problem = "missing Authorization header";
    else if (auth === null) problem = "Authorization header is not valid UTF-8";
    else if (!auth.startsWith("Signature ")) problem = "Authorization header does not start with 'Signature '";
    else {
      const p = parseSignatureFields(auth.substring(10));
      if (p.duplicate) return this.reject("multiple Authorization headers");
      if (p.keyId.length == 0 || p.signature.length == 0) problem = "keyId or signature missing";
      else if (p.algorithm.length == 0) problem = "algorithm missing";
      else {
        for (let i = 0; i < c.consumers.length; i++) {
          if (c.consumers[i].accessKey == p.keyId) { consumer = c.consumers[i]; break; }
        }
        if (consumer === null) problem = "Invalid keyId";
      }
      params = p;
    }
    if (problem.length > 0) {
      if (c.anonymousConsumer.length > 0) {
        log.debug("no usable credentials (" + problem + "): anonymous consumer");
        setConsumer(c.anonymousConsumer);
        return Action.Continue;
      }
      return this.reject(problem);
    }
    const p = params!;
    const who = consumer!;

    if (c.clockSkew > 0) {
      const dates = headerValuesBytes(this.requestHeaders, "date");
      if (dates.length == 0 || dates[0].byteLength == 0) return this.reject("Date header missing. failed to validate clock skew");
      const date = utf8Strict(dates[0]);
      if (date === null) return this.reject("Invalid GMT format time");
      const t = parseHttpDate(date);
      if (t < 0) return this.reject("Invalid GMT format time");
      const now = time.nowSeconds();
      const diff = now > t ? now - t : t - now;
      if (diff > c.clockSkew) return this.reject("Clock skew exceeded");
    }

    if (!c.allowedAlgorithms.includes(p.algorithm)) return this.reject("Invalid algorithm");

    if (c.signedHeaders.length > 0) {
      if (p.headers.length == 0) return this.reject("headers missing");
      for (let i = 0; i < c.signedHeaders.length; i++) {
        if (!covers(p, c.signedHeaders[i])) return this.reject("expected header \"" + c.signedHeaders[i] + "\" missing in signing");
      }
    }
    // The Digest vouches for the body only if the signature vouches for the Digest: otherwise
    // whoever can change the body can recompute the Digest too.
    if (c.validateRequestBody && !endOfStream && !covers(p, "digest")) return this.reject("expected header \"digest\" missing in signing");

    const signing = this.signingBytes(p);
    if (signing === null) return this.reject("Invalid signature");
    const expected = base64Encode(hmac<string, ArrayBuffer>(hashFor(p.algorithm), who.secretKey, signing));
    if (!constantTimeEqual<string, string>(expected, p.signature)) {
      log.warn("signature validation failed for keyId " + quoteJsonString(p.keyId) + " (algorithm " + p.algorithm + ")");
      return this.reject("Invalid signature");
    }

    if (!c.policy.permits(who.name, hasRules)) {
      log.warn("consumer \"" + who.name + "\" is not allowed");
      return this.reject("consumer '" + who.name + "' is not allowed");
    }

    setConsumer(who.name);
    if (c.hideCredentials) this.requestHeaders.remove("authorization");
    if (c.validateRequestBody && !endOfStream) {
      // Envoy's request headers are gone once the header phase is over: keep the Digest now.
      const digest = headerValuesBytes(this.requestHeaders, "digest");
      this.digest = digest.length == 1 ? digest[0] : null;
      this.requestBodyMode = BodyMode.Buffer;
    }
    return Action.Continue;
  }

  onRequestBody(body: ArrayBuffer): Action {
    const digest = this.digest;
    if (digest === null || digest.byteLength == 0) return this.reject("Invalid digest");
    const expected = "SHA-256=" + base64Encode(sha256<ArrayBuffer>(body));
    if (!constantTimeEqual<string, ArrayBuffer>(expected, digest)) {
      log.warn("request body digest mismatch (" + body.byteLength.toString() + " bytes)");
      return this.reject("Invalid digest");
    }
    return Action.Continue;
  }

  /**
   * keyId, then one line per listed header: `@request-target` → `METHOD PATH?QUERY`, else
   * `name: value` (a header the request lacks is left out, as APISIX/Higress do). Each line ends
   * in '\n'. Values are the bytes the client sent, as Higress's Go strings are: a value with an
   * invalid byte signs differently, never as its lossy decoding. Null when a signed header is
   * repeated: its first value would be verified while the upstream might read another.
   */
  private signingBytes(p: SignatureParams): ArrayBuffer | null {
    const out = new ByteBuffer(256);
    out.pushUtf8(p.keyId);
    out.pushByte(10);
    for (let i = 0; i < p.headers.length; i++) {
      const h = p.headers[i];
      if (h == "@request-target") {
        const method = this.requestHeaders.getBytes(":method");
        const path = this.requestHeaders.getBytes(":path");
        if (method === null) out.pushAscii("GET"); else out.pushBuffer(method);
        out.pushByte(32);
        if (path === null || path.byteLength == 0) out.pushByte(47); else out.pushBuffer(path);
        out.pushByte(10);
        continue;
      }
      let values = headerValuesBytes(this.requestHeaders, h);
      // Envoy keeps HTTP/1 Host as :authority.
      if (values.length == 0 && h.toLowerCase() == "host") values = headerValuesBytes(this.requestHeaders, ":authority");
      if (values.length > 1) {
        log.warn("signed header " + h.toLowerCase() + " appears more than once");
        return null;
      }
      if (values.length == 1) {
        out.pushUtf8(h);
        out.pushAscii(": ");
        out.pushBuffer(values[0]);
        out.pushByte(10);
      }
    }
    return out.toArrayBuffer();
  }

  private reject(reason: string): Action {
    const body = "{\"message\":" + quoteJsonString("client request can't be validated: " + reason) + "}";
    return this.respond(401, body, [new HeaderPair("content-type", "application/json")], "hmac-auth-apisix.unauthorized");
  }
}

registerPlugin("hmac-auth-apisix", () => new HmacAuth());
