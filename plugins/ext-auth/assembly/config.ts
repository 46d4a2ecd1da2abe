// ext-auth's configuration, read as Higress's Go `config.ParseConfig` reads it (where the README
// says otherwise, the code wins — see README.md). Values of the wrong type are refused here with
// a message naming the field, where Go's gjson would silently read them as zero.
import { JsonObject, JsonValue, ConfigError } from "@sluice/sdk";
import { FQDNCluster } from "@sluice/sdk/http";
import { formatNumber } from "@sluice/sdk/json";
import { MatcherList, MatchRules, parseMatcherList, parseMatchRules } from "./matcher";

export const MODE_ENVOY = "envoy";
export const MODE_FORWARD_AUTH = "forward_auth";
export const DEFAULT_TIMEOUT_MS: u32 = 1000;
export const DEFAULT_MAX_BODY: u32 = 10 * 1024 * 1024;
export const DEFAULT_STATUS_ON_ERROR: u32 = 403;

export class HeaderToAdd {
  constructor(public name: string, public value: string) {}
}

export class Config {
  forwardAuth: bool = false;
  cluster!: FQDNCluster;
  /** envoy mode: prepended to the request's path. */
  pathPrefix: string = "";
  /** forward_auth mode: the method and fixed path of the auth request. */
  requestMethod: string = "GET";
  path: string = "";
  timeout: u32 = DEFAULT_TIMEOUT_MS;
  allowedHeaders: MatcherList | null = null;
  headersToAdd: Array<HeaderToAdd> = [];
  withRequestBody: bool = false;
  maxRequestBodyBytes: u32 = DEFAULT_MAX_BODY;
  allowedUpstreamHeaders: MatcherList | null = null;
  allowedClientHeaders: MatcherList | null = null;
  matchRules: MatchRules = new MatchRules();
  failureModeAllow: bool = false;
  failureModeAllowHeaderAdd: bool = false;
  statusOnError: u32 = DEFAULT_STATUS_ON_ERROR;
}

/** A present field that must be a string (null: absent). `bad` is set when it is not a string. */
class Field {
  value: string | null = null;
  bad: bool = false;
}
function str(o: JsonObject, key: string): Field {
  const f = new Field();
  const v = o.get(key);
  if (v === null) return f;
  const s = v.asString();
  if (s === null) f.bad = true;
  else f.value = s;
  return f;
}

/** A non-negative integer field; -1 when absent, -2 when present but not one. */
function uint(o: JsonObject, key: string): i64 {
  const v = o.get(key);
  if (v === null) return -1;
  if (!v.isNumber) return -2;
  const n = v.asNumber(-1);
  if (n < 0 || n != Math.floor(n) || n > 4294967295.0) return -2;
  return <i64>n;
}

function boolField(o: JsonObject, key: string, err: ConfigError, where: string): i32 {
  const v = o.get(key);
  if (v === null) return 0;
  if (!v.isBool) { err.fail<Config>(where + key + " must be a boolean"); return -1; }
  return v.bool ? 2 : 1;
}

/** gjson's String() of a value: strings as they are, numbers and booleans as their text. */
function textOf(v: JsonValue): string {
  if (v.isString) return v.str;
  if (v.isBool) return v.bool ? "true" : "false";
  if (v.isNumber) return formatNumber(v.num);
  if (v.isNull) return "";
  return v.stringify();
}

export function parseConfig(json: JsonObject, err: ConfigError): Config | null {
  const c = new Config();
  const hs = json.get("http_service");
  if (hs === null) return err.fail<Config>("missing http_service in config");
  const h = hs.asObject();
  if (h === null) return err.fail<Config>("http_service must be an object");
  if (!parseEndpoint(h, c, err)) return null;

  const t = uint(h, "timeout");
  if (t == -2) return err.fail<Config>("http_service.timeout must be a whole number of milliseconds");
  if (t > 0) c.timeout = <u32>t;

  const reqV = h.get("authorization_request");
  if (reqV !== null) {
    const req = reqV.asObject();
    if (req === null) return err.fail<Config>("http_service.authorization_request must be an object");
    const ah = req.get("allowed_headers");
    if (ah !== null) {
      const r = parseMatcherList("authorization_request.allowed_headers", ah);
      if (r.list === null) return err.fail<Config>(r.error);
      c.allowedHeaders = r.list;
    }
    const addV = req.get("headers_to_add");
    if (addV !== null && !addV.isNull) {
      const add = addV.asObject();
      if (add === null) return err.fail<Config>("authorization_request.headers_to_add must be an object of header names to values");
      for (let i = 0; i < add.size; i++) {
        const name = add.keyAt(i)!;
        if (name.length == 0 || name.startsWith(":")) return err.fail<Config>("authorization_request.headers_to_add: invalid header name '" + name + "'");
        c.headersToAdd.push(new HeaderToAdd(name.toLowerCase(), textOf(add.valueAt(i)!)));
      }
    }
    const wb = boolField(req, "with_request_body", err, "authorization_request.");
    if (wb < 0) return null;
    if (wb == 2 && c.forwardAuth && (c.requestMethod == "GET" || c.requestMethod == "OPTIONS" || c.requestMethod == "HEAD")) {
      return err.fail<Config>("requestMethod " + c.requestMethod + " does not support with_request_body set to true");
    }
    c.withRequestBody = wb == 2;
    const mb = uint(req, "max_request_body_bytes");
    if (mb == -2) return err.fail<Config>("authorization_request.max_request_body_bytes must be a whole number of bytes");
    if (mb > 0) c.maxRequestBodyBytes = <u32>mb;
  }

  const respV = h.get("authorization_response");
  if (respV !== null) {
    const resp = respV.asObject();
    if (resp === null) return err.fail<Config>("http_service.authorization_response must be an object");
    const up = resp.get("allowed_upstream_headers");
    if (up !== null) {
      const r = parseMatcherList("authorization_response.allowed_upstream_headers", up);
      if (r.list === null) return err.fail<Config>(r.error);
      c.allowedUpstreamHeaders = r.list;
    }
    const cl = resp.get("allowed_client_headers");
    if (cl !== null) {
      const r = parseMatcherList("authorization_response.allowed_client_headers", cl);
      if (r.list === null) return err.fail<Config>(r.error);
      c.allowedClientHeaders = r.list;
    }
  }

  const mr = parseMatchRules(json);
  if (mr.rules === null) return err.fail<Config>(mr.error);
  c.matchRules = mr.rules!;

  const fa = boolField(json, "failure_mode_allow", err, "");
  if (fa < 0) return null;
  c.failureModeAllow = fa == 2;
  const fh = boolField(json, "failure_mode_allow_header_add", err, "");
  if (fh < 0) return null;
  c.failureModeAllowHeaderAdd = fh == 2;

  const se = uint(json, "status_on_error");
  if (se == -2 || (se > 0 && (se < 100 || se > 599))) return err.fail<Config>("status_on_error must be an HTTP status (100-599)");
  if (se > 0) c.statusOnError = <u32>se;
  return c;
}

function parseEndpoint(h: JsonObject, c: Config, err: ConfigError): bool {
  const mode = str(h, "endpoint_mode");
  if (mode.bad) { err.fail<Config>("endpoint_mode must be a string"); return false; }
  const m = mode.value;
  if (m !== null && m.length > 0 && m != MODE_ENVOY && m != MODE_FORWARD_AUTH) {
    err.fail<Config>("endpoint_mode " + m + " is not supported (envoy or forward_auth)");
    return false;
  }
  c.forwardAuth = m !== null && m == MODE_FORWARD_AUTH;

  const epV = h.get("endpoint");
  if (epV === null) { err.fail<Config>("missing endpoint in config"); return false; }
  const ep = epV.asObject();
  if (ep === null) { err.fail<Config>("http_service.endpoint must be an object"); return false; }
  const name = str(ep, "service_name");
  if (name.bad) { err.fail<Config>("endpoint service_name must be a string"); return false; }
  if (name.value === null || name.value!.length == 0) { err.fail<Config>("endpoint service name must not be empty"); return false; }
  let port = uint(ep, "service_port");
  if (port == -2 || port > 65535) { err.fail<Config>("endpoint service_port must be a port number"); return false; }
  if (port <= 0) port = 80;
  const host = str(ep, "service_host");
  if (host.bad) { err.fail<Config>("endpoint service_host must be a string"); return false; }
  c.cluster = new FQDNCluster(name.value!, port, host.value === null ? "" : host.value!);

  if (!c.forwardAuth) {
    const prefix = str(ep, "path_prefix");
    if (prefix.bad) { err.fail<Config>("endpoint path_prefix must be a string"); return false; }
    if (prefix.value === null) { err.fail<Config>("when endpoint_mode is envoy, endpoint path_prefix must not be empty"); return false; }
    c.pathPrefix = prefix.value!;
    return true;
  }
  const method = str(ep, "request_method");
  if (method.bad) { err.fail<Config>("endpoint request_method must be a string"); return false; }
  if (method.value !== null) c.requestMethod = method.value!.toUpperCase();
  const path = str(ep, "path");
  if (path.bad) { err.fail<Config>("endpoint path must be a string"); return false; }
  if (path.value === null) { err.fail<Config>("when endpoint_mode is forward_auth, endpoint path must not be empty"); return false; }
  c.path = path.value!;
  return true;
}
