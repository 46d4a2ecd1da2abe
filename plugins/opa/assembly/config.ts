// opa's configuration, read as Higress's Go parser (parseConfig + Client in config.go) reads it:
// the same field names, the same checks in the same order and the same messages. Where Higress
// accepts a configuration that cannot work (a cluster named after an empty service, a port that
// is not a port, a timeout that is negative or rounds to 0 ms, a policy path with spaces), it is
// refused here with a message saying why.
import { ConfigError, JsonObject, JsonKind } from "@sluice/sdk";
import { Cluster, K8sCluster, NacosCluster, StaticIpCluster, DnsCluster, RouteCluster } from "@sluice/sdk/http";
import { parseDuration } from "./duration";

export class OpaConfig {
  /** The OPA data path of the policy package ("example1", "authz/http"). */
  policy: string = "";
  /** Milliseconds per decision call. */
  timeoutMs: u32 = 0;
  cluster: Cluster = new RouteCluster();
  /** "/v1/data/<policy>/allow". */
  queryPath: string = "";
}

/** A string field as gjson's String() gives it, trimmed; null (with the error set) when it is not a string. */
function text(json: JsonObject, key: string, err: ConfigError, trim: bool = true): string | null {
  const v = json.get(key);
  if (v === null || v.kind == JsonKind.Null) return "";
  if (v.kind != JsonKind.String) { err.fail<string>("'" + key + "' must be a string"); return null; }
  return trim ? v.str.trim() : v.str;
}

/** servicePort: a number or a decimal string (gjson's Int reads both); 0 when absent; -1 when invalid. */
function port(json: JsonObject): i64 {
  const v = json.get("servicePort");
  if (v === null || v.kind == JsonKind.Null) return 0;
  if (v.kind == JsonKind.Number) {
    const n = v.num;
    if (n != Math.floor(n) || n < 0 || n > 65535) return -1;
    return <i64>n;
  }
  if (v.kind == JsonKind.String) {
    const s = v.str.trim();
    if (s.length == 0) return 0;
    if (s.length > 5) return -1;
    let n: i64 = 0;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x30 || c > 0x39) return -1;
      n = n * 10 + <i64>(c - 0x30);
    }
    return n > 65535 ? -1 : n;
  }
  return -1;
}

/** Characters that cannot stand in the path of the decision request as they are. */
function badPolicyChar(policy: string): i32 {
  for (let i = 0; i < policy.length; i++) {
    const c = policy.charCodeAt(i);
    // Higress's client re-parses the URL: '?' starts a query, '#' a fragment, '%' an escape it decodes.
    if (c <= 0x20 || c == 0x7f || c == 0x3f || c == 0x23 || c == 0x25) return c;
  }
  return -1;
}

export function parseConfig(json: JsonObject, err: ConfigError): OpaConfig | null {
  const c = new OpaConfig();

  const policy = text(json, "policy", err, false);
  if (policy === null) return null;
  if (policy.trim().length == 0) return err.fail<OpaConfig>("policy not allow empty");
  const bad = badPolicyChar(policy);
  if (bad >= 0) {
    return err.fail<OpaConfig>("policy '" + policy + "' cannot be put in the decision path /v1/data/<policy>/allow: it holds "
      + (bad == 0x20 ? "a space" : bad == 0x3f ? "'?'" : bad == 0x23 ? "'#'" : bad == 0x25 ? "'%'" : "a control character"));
  }
  c.policy = policy;
  c.queryPath = "/v1/data/" + policy + "/allow";

  // Higress checks the trimmed value for emptiness but parses it untrimmed (" 5s" is invalid).
  const timeout = text(json, "timeout", err, false);
  if (timeout === null) return null;
  if (timeout.trim().length == 0) return err.fail<OpaConfig>("timeout not allow empty");
  const d = parseDuration(timeout);
  if (!d.ok) return err.fail<OpaConfig>("timeout parse fail: " + d.error);
  // Go's Duration.Milliseconds() truncates.
  const ms = d.nanos / 1000000;
  if (d.nanos < 0) return err.fail<OpaConfig>("timeout '" + timeout + "' is negative (Higress would wrap it to about 49 days)");
  if (ms == 0) return err.fail<OpaConfig>("timeout '" + timeout + "' is less than 1ms (Higress would pass 0: no timeout at all)");
  if (ms > <i64>u32.MAX_VALUE) return err.fail<OpaConfig>("timeout '" + timeout + "' is longer than 4294967295ms (Higress would pass 0: no timeout at all)");
  c.timeoutMs = <u32>ms;

  const source = text(json, "serviceSource", err);
  if (source === null) return null;
  const serviceName = text(json, "serviceName", err);
  if (serviceName === null) return null;
  const servicePort = port(json);
  if (servicePort < 0) return err.fail<OpaConfig>("servicePort must be a port number (an integer from 1 to 65535)");
  const host = text(json, "host", err);
  if (host === null) return null;
  if (host.length == 0 && (serviceName.length == 0 || servicePort == 0)) return err.fail<OpaConfig>("invalid service config");

  let namespace = "";
  if (source == "k8s" || source == "nacos") {
    const ns = text(json, "namespace", err);
    if (ns === null) return null;
    if (ns.length == 0) return err.fail<OpaConfig>("namespace not allow empty");
    namespace = ns;
  }
  if (source == "k8s" || source == "nacos" || source == "ip" || source == "dns") {
    // Higress builds the cluster name from these even when `host` is set.
    if (serviceName.length == 0 || servicePort == 0) {
      return err.fail<OpaConfig>("serviceSource " + source + " needs serviceName and servicePort (the cluster is named after them)");
    }
  }
  if (source == "k8s") c.cluster = new K8sCluster(serviceName, namespace, servicePort);
  else if (source == "nacos") c.cluster = new NacosCluster(serviceName, "", namespace, servicePort);
  else if (source == "ip") c.cluster = new StaticIpCluster(serviceName, servicePort, host);
  else if (source == "dns") {
    const domain = text(json, "domain", err, false);
    if (domain === null) return null;
    c.cluster = new DnsCluster(serviceName, domain, servicePort);
  } else if (source == "route") c.cluster = new RouteCluster(host);
  else return err.fail<OpaConfig>("unknown service source: " + source);
  return c;
}
