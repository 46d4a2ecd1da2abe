// simple-jwt-auth: a request must carry, in the header `token_headers`, a JWT signed with
// `token_secret_key` (HMAC) that is not expired; otherwise 401 with Higress's JSON body. The
// header value is the token itself (no `Bearer ` prefix is removed, as in Higress). A token that
// passes is left in place. Higress's quirk is kept: a configuration without the secret or the
// header name loads, and then answers every request 401 with {"code":400,...} (bad_config).
import { Plugin, HttpFilter, Action, ConfigError, JsonObject, JsonKind, registerPlugin, log, time } from "@sluice/sdk";
import { Jwk } from "@sluice/sdk/auth";
import { tokenProblem } from "./token";
export * from "@sluice/sdk/exports";

// Go's json.Marshal of Higress's Res{Code, Msg}: non-ASCII stays UTF-8.
const AUTH_FAILED = '{"code":401,"msg":"认证失败"}';
const BAD_CONFIG = '{"code":400,"msg":"token or secret 不允许为空"}';

class SimpleJwtConfig {
  /** The secret as an HMAC key (its UTF-8 bytes), or null when not configured. */
  key: Jwk | null = null;
  header: string = "";
}

/** A string setting; numbers are taken as their decimal text (YAML `key: 123456`), as Higress's gjson does. */
function stringSetting(json: JsonObject, name: string, err: ConfigError): string | null {
  const v = json.get(name);
  if (v === null || v.isNull) return "";
  if (v.kind == JsonKind.String) return v.str;
  if (v.kind == JsonKind.Number && Math.abs(v.num) <= 9007199254740991 && v.num == Math.floor(v.num)) return (<i64>v.num).toString();
  return err.fail<string>(name + " must be a string");
}

/** RFC 9110 token characters: what a header name may hold. */
function isHeaderName(s: string): bool {
  if (s.length == 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ok = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || "!#$%&'*+-.^_`|~".indexOf(String.fromCharCode(c)) >= 0;
    if (!ok) return false;
  }
  return true;
}

class SimpleJwtAuth extends Plugin<SimpleJwtConfig> {
  parseConfig(json: JsonObject, global: SimpleJwtConfig | null, err: ConfigError): SimpleJwtConfig | null {
    const c = new SimpleJwtConfig();
    const secret = stringSetting(json, "token_secret_key", err);
    if (secret === null) return null;
    const header = stringSetting(json, "token_headers", err);
    if (header === null) return null;
    if (header.length > 0 && !isHeaderName(header)) return err.fail<SimpleJwtConfig>("token_headers must be one header name, got '" + header + "'");
    c.header = header.toLowerCase();
    if (secret.length > 0) {
      const k = new Jwk();
      k.secret = String.UTF8.encode(secret);
      c.key = k;
    }
    if (c.key === null || c.header.length == 0) log.warn("simple-jwt-auth: token_secret_key or token_headers is empty: every request is refused (401, as Higress does)");
    return c;
  }

  newFilter(): HttpFilter<SimpleJwtConfig> { return new SimpleJwtFilter(); }
}

class SimpleJwtFilter extends HttpFilter<SimpleJwtConfig> {
  onRequestHeaders(endOfStream: bool): Action {
    const c = this.config;
    if (c.key === null || c.header.length == 0) return this.respond(401, BAD_CONFIG, [], "simple-jwt-auth.bad_config");
    const tokens = this.requestHeaders.getAll(c.header);
    if (tokens.length != 1) {
      // None, or several: Higress checks only the first line, and an upstream reading another
      // one would trust a token nobody verified — refused.
      log.debug("simple-jwt-auth: " + tokens.length.toString() + " " + c.header + " headers");
      return this.respond(401, AUTH_FAILED, [], "simple-jwt-auth.auth_failed");
    }
    const problem = tokenProblem(tokens[0], c.key!, time.nowSeconds());
    if (problem.length == 0) return Action.Continue;
    log.debug("simple-jwt-auth: token refused: " + problem);
    return this.respond(401, AUTH_FAILED, [], "simple-jwt-auth.auth_failed");
  }
}

registerPlugin("simple-jwt-auth", () => new SimpleJwtAuth());
