// key-auth: authenticate requests by an API key sent in a header or a query parameter, and tell
// the upstream who called (X-Mse-Consumer). Configuration and behaviour follow Higress's key-auth.
import { HttpFilter, Action, ConfigError, JsonObject, HeaderSnapshot, registerPlugin, log } from "@sluice/sdk";
import { ConsumerPolicy, findSecret, challenge, consumerList, parseNamedCredential, admitConsumer, ConsumerAuthPlugin, bytesEqual, queryParamsBytes } from "@sluice/sdk/auth";
export * from "@sluice/sdk/exports";

class KeyAuthConfig {
  policy: ConsumerPolicy = new ConsumerPolicy();
  /** Header names, lower-case UTF-8, without duplicates. */
  headerKeys: Array<ArrayBuffer> = [];
  /** Query parameter names, exact UTF-8. */
  queryKeys: Array<ArrayBuffer> = [];
  inHeader: bool = false;
  inQuery: bool = false;
  names: Array<string> = [];
  /** Configured keys as text (duplicate check) and as the bytes requests are compared with. */
  credentials: Array<string> = [];
  secrets: Array<ArrayBuffer> = [];
}

function containsBytes(list: Array<ArrayBuffer>, b: ArrayBuffer): bool {
  for (let i = 0; i < list.length; i++) if (bytesEqual(list[i], b)) return true;
  return false;
}

function optionalBool(json: JsonObject, key: string, err: ConfigError): i32 {
  const v = json.get(key);
  if (v === null || v.isNull) return -1;
  if (!v.isBool) { err.fail<JsonObject>(key + " must be a boolean"); return -2; }
  return v.bool ? 1 : 0;
}

class KeyAuth extends ConsumerAuthPlugin<KeyAuthConfig> {
  globalContents(): string { return "keys, consumers"; }

  parseRule(json: JsonObject, global: KeyAuthConfig, err: ConfigError): KeyAuthConfig | null {
    const policy = ConsumerPolicy.parseRule(json, global.policy, err);
    if (policy === null) return null;
    const c = new KeyAuthConfig();
    c.policy = policy;
    c.headerKeys = global.headerKeys;
    c.queryKeys = global.queryKeys;
    c.inHeader = global.inHeader;
    c.inQuery = global.inQuery;
    c.names = global.names;
    c.credentials = global.credentials;
    c.secrets = global.secrets;
    return c;
  }

  parseGlobal(json: JsonObject, err: ConfigError): KeyAuthConfig | null {
    const c = new KeyAuthConfig();
    const policy = ConsumerPolicy.parseGlobal(json, err);
    if (policy === null) return null;
    c.policy = policy;

    const keys = json.get("keys");
    if (keys === null) return err.fail<KeyAuthConfig>("keys is required");
    const keyList = keys.asArray();
    if (keyList === null) return err.fail<KeyAuthConfig>("keys must be an array of header or query parameter names");
    if (keyList.length == 0) return err.fail<KeyAuthConfig>("keys cannot be empty");
    for (let i = 0; i < keyList.length; i++) {
      const k = keyList[i].asString();
      if (k === null || k.length == 0) return err.fail<KeyAuthConfig>("keys must be an array of non-empty names");
      const lower = String.UTF8.encode(k.toLowerCase());
      if (!containsBytes(c.headerKeys, lower)) c.headerKeys.push(lower);
      const exact = String.UTF8.encode(k);
      if (!containsBytes(c.queryKeys, exact)) c.queryKeys.push(exact);
    }

    const inQuery = optionalBool(json, "in_query", err);
    const inHeader = optionalBool(json, "in_header", err);
    if (inQuery == -2 || inHeader == -2) return null;
    if (inQuery == -1 && inHeader == -1) return err.fail<KeyAuthConfig>("must one of in_query/in_header required");
    c.inQuery = inQuery == 1;
    c.inHeader = inHeader == 1;

    const list = consumerList(json, err);
    if (list === null) return null;
    for (let i = 0; i < list.length; i++) {
      const consumer = parseNamedCredential(list[i], i, c.credentials, err);
      if (consumer === null) return null;
      c.names.push(consumer.name);
      c.credentials.push(consumer.credential);
      c.secrets.push(consumer.secret);
    }
    return c;
  }

  newFilter(): HttpFilter<KeyAuthConfig> { return new KeyAuthFilter(); }
}

const NO_KEY = "Request denied by Key Auth check. No Key Authentication information found.";
const MULTI_KEY = "Request denied by Key Auth check. Multi Key Authentication information found.";
const UNAUTHORIZED = "Request denied by Key Auth check. Unauthorized consumer.";

class KeyAuthFilter extends HttpFilter<KeyAuthConfig> {
  onRequestHeaders(endOfStream: bool): Action {
    const c = this.config;
    const hasRules = this.plugin.hasRules;
    if (!c.policy.mustAuthenticate(hasRules)) return Action.Continue;
    const headers = c.inHeader ? this.requestHeaders.snapshot() : null;
    const tokens = this.collectKeys(headers);
    if (tokens.length > 1) return this.deny(401, MULTI_KEY, "key-auth.multi_key");
    if (tokens.length == 0) return this.deny(401, NO_KEY, "key-auth.no_key");

    const index = findSecret(c.secrets, tokens[0]);
    if (index < 0) {
      log.warn("credential is not configured");
      return this.deny(403, UNAUTHORIZED, "key-auth.unauthorized");
    }
    if (!admitConsumer(c.policy, c.names[index], hasRules, headers)) return this.deny(403, UNAUTHORIZED, "key-auth.unauthorized");
    return Action.Continue;
  }

  /**
   * Every key value the request carries, as the bytes sent (after percent-decoding in the query).
   * Headers are searched when in_header is set, else the query when in_query is set (Higress's
   * order). A repeated header counts once per value, so two keys smuggled in two header lines are
   * refused as "multi key", not silently narrowed.
   */
  private collectKeys(headers: HeaderSnapshot | null): Array<ArrayBuffer> {
    const c = this.config;
    const tokens = new Array<ArrayBuffer>();
    if (headers !== null) {
      const keys = c.headerKeys;
      for (let i = 0; i < headers.count; i++) {
        if (headers.valueLength(i) == 0) continue;
        for (let k = 0; k < keys.length; k++) {
          if (headers.nameIs(i, unchecked(keys[k]))) { tokens.push(headers.valueBytes(i)); break; }
        }
      }
    } else if (c.inQuery) {
      const path = this.requestHeaders.getBytes(":path");
      if (path === null) return tokens;
      const params = queryParamsBytes(path);
      for (let i = 0; i < params.length; i++) {
        if (containsBytes(c.queryKeys, params[i].name)) tokens.push(params[i].value);
      }
    }
    return tokens;
  }

  private deny(status: u32, message: string, detail: string): Action {
    return this.respond(status, message, challenge("Key"), detail);
  }
}

registerPlugin("key-auth", () => new KeyAuth());
