// basic-auth: HTTP Basic authentication (RFC 7617) against configured consumers, naming the
// caller upstream with X-Mse-Consumer. Configuration and behaviour follow Higress's basic-auth.
import { HttpFilter, Action, ConfigError, JsonObject, registerPlugin, log } from "@sluice/sdk";
import { ConsumerPolicy, findSecret, challenge, consumerList, parseNamedCredential, admitConsumer, ConsumerAuthPlugin, headerValuesBytes, utf8Strict } from "@sluice/sdk/auth";
import { base64Decode } from "@sluice/sdk/encoding";
export * from "@sluice/sdk/exports";

class BasicAuthConfig {
  policy: ConsumerPolicy = new ConsumerPolicy();
  names: Array<string> = [];
  /** `user:password`, as configured (duplicate check), and its UTF-8 bytes (what requests match). */
  credentials: Array<string> = [];
  secrets: Array<ArrayBuffer> = [];
}

class BasicAuth extends ConsumerAuthPlugin<BasicAuthConfig> {
  parseRule(json: JsonObject, global: BasicAuthConfig, err: ConfigError): BasicAuthConfig | null {
    const policy = ConsumerPolicy.parseRule(json, global.policy, err);
    if (policy === null) return null;
    const c = new BasicAuthConfig();
    c.policy = policy;
    c.names = global.names;
    c.credentials = global.credentials;
    c.secrets = global.secrets;
    return c;
  }

  parseGlobal(json: JsonObject, err: ConfigError): BasicAuthConfig | null {
    const c = new BasicAuthConfig();
    const list = consumerList(json, err);
    if (list === null) return null;
    for (let i = 0; i < list.length; i++) {
      const consumer = parseNamedCredential(list[i], i, c.credentials, err);
      if (consumer === null) return null;
      const name = consumer.name, credential = consumer.credential;
      // Exactly one ':' (Higress splits on every ':' and wants two parts).
      const colon = credential.indexOf(":");
      if (colon < 0 || credential.lastIndexOf(":") != colon) {
        return err.fail<BasicAuthConfig>("invalid credential format (consumer " + name + "): expected user:password");
      }
      c.names.push(name);
      c.credentials.push(credential);
      c.secrets.push(consumer.secret);
    }
    const policy = ConsumerPolicy.parseGlobal(json, err);
    if (policy === null) return null;
    c.policy = policy;
    return c;
  }

  newFilter(): HttpFilter<BasicAuthConfig> { return new BasicAuthFilter(); }
}

const NO_AUTH = "Request denied by Basic Auth check. No Basic Authentication information found.";
const BAD_CREDENTIAL = "Request denied by Basic Auth check. Invalid username and/or password.";
const UNAUTHORIZED = "Request denied by Basic Auth check. Unauthorized consumer.";

class BasicAuthFilter extends HttpFilter<BasicAuthConfig> {
  onRequestHeaders(endOfStream: bool): Action {
    const c = this.config;
    const hasRules = this.plugin.hasRules;
    if (!c.policy.mustAuthenticate(hasRules)) return Action.Continue;
    const values = headerValuesBytes(this.requestHeaders, "authorization");
    if (values.length > 1) {
      log.warn("more than one Authorization header");
      return this.deny(401, BAD_CREDENTIAL, "basic-auth.bad_credential");
    }
    if (values.length == 0 || values[0].byteLength == 0) return this.deny(401, NO_AUTH, "basic-auth.no_auth_data");
    // A lossy decode would drop or fold bytes the client sent (`…\xff`, overlong forms).
    const auth = utf8Strict(values[0]);
    if (auth === null) {
      log.warn("the Authorization header is not valid UTF-8");
      return this.deny(401, BAD_CREDENTIAL, "basic-auth.bad_credential");
    }
    if (!auth.startsWith("Basic ")) {
      log.warn("authorization has no prefix 'Basic '");
      return this.deny(401, NO_AUTH, "basic-auth.no_auth_data");
    }
    // Padded standard base64 only, as Go's base64.StdEncoding.
    const encoded = auth.substring(6);
    const decoded = encoded.length % 4 == 0 ? base64Decode(encoded) : null;
    if (decoded === null) {
      log.warn("the Basic credential is not valid base64");
      return this.deny(401, BAD_CREDENTIAL, "basic-auth.bad_credential");
    }
    // user:password may be any bytes: compared as bytes, so invalid UTF-8 matches no consumer.
    if (Uint8Array.wrap(decoded).indexOf(58 /* : */) < 0) {
      log.warn("the Basic credential has no ':'");
      return this.deny(401, BAD_CREDENTIAL, "basic-auth.bad_credential");
    }
    const index = findSecret(c.secrets, decoded);
    if (index < 0) {
      log.warn("invalid username and/or password");
      return this.deny(401, BAD_CREDENTIAL, "basic-auth.bad_credential");
    }
    if (!admitConsumer(c.policy, c.names[index], hasRules)) return this.deny(403, UNAUTHORIZED, "basic-auth.unauthorized");
    return Action.Continue;
  }

  private deny(status: u32, message: string, detail: string): Action {
    return this.respond(status, message, challenge("Basic"), detail);
  }
}

registerPlugin("basic-auth", () => new BasicAuth());
