// ip-restriction: allow or deny requests by the client's IP address (IPv4/IPv6, single addresses
// or CIDR ranges). Configuration and behaviour follow Higress's ip-restriction plugin.
import { Plugin, HttpFilter, Action, ConfigError, JsonObject, JsonKind, HeaderPair, registerPlugin, log, properties, quoteJsonString } from "@sluice/sdk";
import { CidrSet, parseCidr, parseIp, stripAddressPort, IpAddress } from "@sluice/sdk/net";
export * from "@sluice/sdk/exports";

const DEFAULT_HEADER = "x-forwarded-for";
const DEFAULT_STATUS: u32 = 403;
const DEFAULT_MESSAGE = "Your IP address is blocked.";

class RestrictionConfig {
  fromHeader: bool = false;
  headerName: string = DEFAULT_HEADER;
  allow: CidrSet | null = null;
  deny: CidrSet | null = null;
  status: u32 = DEFAULT_STATUS;
  /** The JSON body sent on denial, built once. */
  body: string = "";
}

class CidrListResult {
  constructor(public set: CidrSet | null, public error: string) {}
}

/** An IP list from the config: null when absent or empty; an error for anything unparsable. */
function parseList(json: JsonObject, key: string): CidrListResult {
  const v = json.get(key);
  if (v === null || v.isNull) return new CidrListResult(null, "");
  const list = v.asArray();
  if (list === null) return new CidrListResult(null, key + " must be an array of IP addresses or CIDR ranges");
  if (list.length == 0) return new CidrListResult(null, "");
  const set = new CidrSet();
  for (let i = 0; i < list.length; i++) {
    const text = list[i].asString();
    if (text === null) return new CidrListResult(null, "invalid IP[" + list[i].stringify() + "] in " + key);
    const c = parseCidr(text.trim());
    if (c === null) return new CidrListResult(null, "invalid IP[" + text + "] in " + key);
    set.add(c);
  }
  return new CidrListResult(set, "");
}

class IpRestriction extends Plugin<RestrictionConfig> {
  parseConfig(json: JsonObject, global: RestrictionConfig | null, err: ConfigError): RestrictionConfig | null {
    const c = new RestrictionConfig();
    const source = json.getString("ip_source_type");
    if (source !== null && source.length > 0) {
      if (source == "header") c.fromHeader = true;
      else if (source != "origin-source") return err.fail<RestrictionConfig>("ip_source_type must be 'origin-source' or 'header', got '" + source + "'");
    }
    const header = json.getString("ip_header_name");
    if (header !== null && header.trim().length > 0) c.headerName = header.trim().toLowerCase();

    const status = json.get("status");
    if (status !== null && !status.isNull) {
      let code: f64 = -1;
      if (status.kind == JsonKind.Number) code = status.num;
      else if (status.kind == JsonKind.String) code = parseFloat(status.str);
      if (!(code >= 200 && code <= 599) || code != Math.floor(code)) return err.fail<RestrictionConfig>("status must be an HTTP status code between 200 and 599");
      c.status = <u32>code;
    }
    const message = json.getString("message");
    c.body = "{\"message\":" + quoteJsonString(message !== null && message.length > 0 ? message : DEFAULT_MESSAGE) + "}";

    const allow = parseList(json, "allow");
    if (allow.error.length > 0) return err.fail<RestrictionConfig>(allow.error);
    const deny = parseList(json, "deny");
    if (deny.error.length > 0) return err.fail<RestrictionConfig>(deny.error);
    if (allow.set !== null && deny.set !== null) return err.fail<RestrictionConfig>("allow and deny cannot be set at the same time");
    if (allow.set === null && deny.set === null) return err.fail<RestrictionConfig>("allow and deny cannot be empty at the same time");
    c.allow = allow.set;
    c.deny = deny.set;
    return c;
  }

  newFilter(): HttpFilter<RestrictionConfig> { return new IpRestrictionFilter(); }
}

class IpRestrictionFilter extends HttpFilter<RestrictionConfig> {
  onRequestHeaders(endOfStream: bool): Action {
    const c = this.config;
    const ip = this.clientIp();
    // No usable address is refused in both modes (fail closed, as Higress does).
    if (ip === null) return this.deny("get_ip_failed");
    const allow = c.allow;
    if (allow !== null && !allow.contains(ip)) return this.deny("ip_not_allowed");
    const deny = c.deny;
    if (deny !== null && deny.contains(ip)) return this.deny("ip_denied");
    return Action.Continue;
  }

  /**
   * The client address: the first comma-separated value of the configured header, or the
   * downstream peer (`source.address`, port removed). Null when missing or not an IP.
   */
  private clientIp(): IpAddress | null {
    let text: string | null;
    if (this.config.fromHeader) {
      text = this.requestHeaders.get(this.config.headerName);
      if (text === null) { log.debug("ip header " + this.config.headerName + " is missing"); return null; }
      const comma = text.indexOf(",");
      if (comma >= 0) text = text.substring(0, comma);
    } else {
      text = properties.getString(["source", "address"]);
      if (text === null) { log.warn("the peer address (source.address) is not available"); return null; }
    }
    const ip = parseIp(stripAddressPort(text.trim()));
    if (ip === null) log.debug("invalid ip [" + text + "]");
    return ip;
  }

  private deny(reason: string): Action {
    const c = this.config;
    log.debug("request denied: " + reason);
    // Higress's detail prefix is "key-auth." here (sic); kept so access logs match.
    return this.respond(c.status, c.body, [new HeaderPair("content-type", "application/json")], "key-auth." + reason);
  }
}

registerPlugin("ip-restriction", () => new IpRestriction());
