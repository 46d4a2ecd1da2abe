// The consumer model shared by Higress's auth plugins (key-auth, basic-auth, jwt-auth,
// hmac-auth-apisix): the global config holds the consumers and `global_auth`; route/domain rules
// hold `allow: [names]`. Which requests must authenticate follows Higress's truth table:
//
//   global_auth  this rule has allow   some rule exists   → requirement
//   true         no                    –                  any consumer
//   true/false/unset  yes              –                  a consumer in allow (else 403)
//   false        no                    –                  none (pass through)
//   unset        no                    no                 any consumer (legacy)
//   unset        no                    yes                none (pass through)
import { JsonObject, JsonValue } from "../json/value";
import { ConfigError } from "../api/plugin";
import { log } from "../api/log";
import { requestHeaders, HeaderSnapshot } from "../api/headers";
import { HeaderPair } from "../runtime/pairs";
import { constantTimeEqual } from "../crypto/compare";

/** The header that carries the authenticated consumer's name to the upstream and later plugins. */
export const CONSUMER_HEADER = "x-mse-consumer";
/** Higress's protection space in `WWW-Authenticate` challenges. */
export const REALM = "MSE Gateway";

export enum GlobalAuth { Unset, On, Off }

export enum AuthRequirement {
  /** This request needs no authentication. */
  None,
  /** Any configured consumer may pass. */
  AnyConsumer,
  /** Only the consumers listed in the rule's `allow` may pass. */
  AllowList,
}

/** The consumer-model part of a plugin's configuration (one per rule; rules copy the global one). */
export class ConsumerPolicy {
  globalAuth: GlobalAuth = GlobalAuth.Unset;
  /** Names allowed on this rule; empty on the global config. */
  allow: Array<string> = [];

  /** Reads `global_auth` from the global config (a non-boolean value is a config error). */
  static parseGlobal(json: JsonObject, err: ConfigError): ConsumerPolicy | null {
    const p = new ConsumerPolicy();
    const g = json.get("global_auth");
    if (g !== null && !g.isNull) {
      if (!g.isBool) return err.fail<ConsumerPolicy>("global_auth must be a boolean");
      p.globalAuth = g.bool ? GlobalAuth.On : GlobalAuth.Off;
    }
    return p;
  }

  /**
   * A rule's policy: the global `global_auth` plus the rule's `allow` list. With `requireAllow`
   * (Higress's key-auth/basic-auth/jwt-auth), a rule without a non-empty `allow` is refused.
   */
  static parseRule(json: JsonObject, global: ConsumerPolicy, err: ConfigError, requireAllow: bool = true): ConsumerPolicy | null {
    const p = new ConsumerPolicy();
    p.globalAuth = global.globalAuth;
    const v = json.get("allow");
    if (v === null || v.isNull) {
      if (requireAllow) return err.fail<ConsumerPolicy>("allow is required");
      return p;
    }
    const list = v.asArray();
    if (list === null) return err.fail<ConsumerPolicy>("allow must be an array of consumer names");
    for (let i = 0; i < list.length; i++) {
      const name = list[i].asString();
      if (name === null) return err.fail<ConsumerPolicy>("allow must be an array of consumer names");
      p.allow.push(name);
    }
    if (requireAllow && p.allow.length == 0) return err.fail<ConsumerPolicy>("allow cannot be empty");
    return p;
  }

  /** What this request must prove; `hasRules` is Plugin.hasRules (any `_rules_` configured). */
  requirement(hasRules: bool): AuthRequirement {
    if (this.allow.length > 0) return AuthRequirement.AllowList;
    if (this.globalAuth == GlobalAuth.On) return AuthRequirement.AnyConsumer;
    if (this.globalAuth == GlobalAuth.Off) return AuthRequirement.None;
    return hasRules ? AuthRequirement.None : AuthRequirement.AnyConsumer;
  }

  /** False (logged at debug level) when this request needs no authentication. */
  mustAuthenticate(hasRules: bool): bool {
    if (this.requirement(hasRules) != AuthRequirement.None) return true;
    log.debug("authorization is not required");
    return false;
  }

  /** Whether an authenticated consumer may pass under this policy. */
  permits(name: string, hasRules: bool): bool {
    const r = this.requirement(hasRules);
    if (r == AuthRequirement.None || r == AuthRequirement.AnyConsumer) return true;
    return this.allow.includes(name);
  }
}

/** The global config's `consumers`: present, an array, not empty; null after `err.fail`. */
export function consumerList(json: JsonObject, err: ConfigError): Array<JsonValue> | null {
  const consumers = json.get("consumers");
  if (consumers === null) return err.fail<Array<JsonValue>>("consumers is required");
  const list = consumers.asArray();
  if (list === null) return err.fail<Array<JsonValue>>("consumers must be an array");
  if (list.length == 0) return err.fail<Array<JsonValue>>("consumers cannot be empty");
  return list;
}

/** A consumer with one shared secret (key-auth's API key, basic-auth's `user:password`). */
export class NamedCredential {
  /** The credential's UTF-8 bytes, what a request's bytes are compared with. */
  secret: ArrayBuffer;
  constructor(public name: string, public credential: string) {
    this.secret = String.UTF8.encode(credential);
  }
}

/**
 * Consumer `index` of `consumers` as `{name, credential}`: an object with both set, the credential
 * not one of `taken` (it alone identifies the caller); null after `err.fail`.
 */
export function parseNamedCredential(consumer: JsonValue, index: i32, taken: Array<string>, err: ConfigError): NamedCredential | null {
  const o = consumer.asObject();
  if (o === null) return err.fail<NamedCredential>("consumer " + index.toString() + " is not an object");
  const name = o.getString("name");
  if (name === null || name.length == 0) return err.fail<NamedCredential>("consumer name is required");
  const credential = o.getString("credential");
  if (credential === null || credential.length == 0) return err.fail<NamedCredential>("consumer credential is required");
  if (taken.includes(credential)) return err.fail<NamedCredential>("duplicate consumer credential (consumer " + name + ")");
  return new NamedCredential(name, credential);
}

/**
 * For an authenticated consumer: when the rule permits it, names it upstream (X-Mse-Consumer) and
 * returns true; when the rule's allow list excludes it, logs why and returns false (the caller
 * answers 403 in its own words).
 */
export function admitConsumer(policy: ConsumerPolicy, name: string, hasRules: bool, request: HeaderSnapshot | null = null): bool {
  if (!policy.permits(name, hasRules)) {
    log.warn("consumer \"" + name + "\" is not allowed");
    return false;
  }
  // Every authenticated request passes here: the line is built only when info is on.
  if (log.infoOn()) log.info("consumer \"" + name + "\" authenticated");
  setConsumer(name, request);
  return true;
}

/** Checks that consumer names are present and unique; returns an error message or "". */
export function checkConsumerName(name: string | null, seen: Array<string>): string {
  if (name === null || name.length == 0) return "consumer name is required";
  if (seen.includes(name)) return "duplicate consumer name: " + name;
  seen.push(name);
  return "";
}

/**
 * Finds the index of `candidate` in `secrets`, comparing bytes against every entry in constant
 * time per entry (the scan does not stop at the first match), or -1. The candidate is the bytes
 * the client sent (sdk/auth/credential.ts), never a decoded string: a lossy decode would let
 * `key\xff` or an overlong form stand for `key`.
 */
export function findSecret(secrets: Array<ArrayBuffer>, candidate: ArrayBuffer): i32 {
  let found = -1;
  for (let i = 0; i < secrets.length; i++) {
    if (constantTimeEqual<ArrayBuffer, ArrayBuffer>(candidate, secrets[i]) && found < 0) found = i;
  }
  return found;
}

/**
 * Spellings an upstream may read as X-Mse-Consumer: CGI-style servers (WSGI/Django, PHP, Rack)
 * map both '-' and '_' to HTTP_X_MSE_CONSUMER, and Envoy passes underscores by default
 * (headers_with_underscores_action: ALLOW). Case needs no variants: Envoy stores names lower-case
 * and removes by lower-case name.
 */
const CONSUMER_HEADER_ALIASES: Array<string> = ["x_mse_consumer", "x-mse_consumer", "x_mse-consumer"];
const ALIAS_BYTES: Array<ArrayBuffer> = CONSUMER_HEADER_ALIASES.map<ArrayBuffer>((a: string): ArrayBuffer => String.UTF8.encode(a));

/**
 * Marks the request as authenticated: replaces any client-sent X-Mse-Consumer with `name` and
 * drops every alias spelling, so the upstream sees only the gateway's answer. A caller that has
 * already read every request header (`request`, a snapshot of them as the host gave them:
 * lower-case names) passes it, and only the aliases present are removed (a host call each
 * instead of three).
 */
export function setConsumer(name: string, request: HeaderSnapshot | null = null): void {
  for (let i = 0; i < CONSUMER_HEADER_ALIASES.length; i++) {
    if (request === null || hasName(request, unchecked(ALIAS_BYTES[i]))) requestHeaders.remove(CONSUMER_HEADER_ALIASES[i]);
  }
  requestHeaders.set(CONSUMER_HEADER, name);
}

function hasName(request: HeaderSnapshot, name: ArrayBuffer): bool {
  for (let i = 0; i < request.count; i++) if (request.nameIs(i, name)) return true;
  return false;
}

/** The `WWW-Authenticate: <scheme> realm=MSE Gateway` header of a rejection. */
export function challenge(scheme: string): Array<HeaderPair> {
  return [new HeaderPair("WWW-Authenticate", scheme + " realm=" + REALM)];
}

/**
 * True for a `_rules_` entry (it carries a `_match_*` key). Plugin.parseConfig is called with
 * `global == null` both for the global config and for rules whose global config failed; this
 * tells them apart so a rule can report the global config's error.
 */
export function isRuleObject(json: JsonObject): bool {
  return json.has("_match_route_") || json.has("_match_domain_") || json.has("_match_service_") || json.has("_match_route_prefix_");
}
