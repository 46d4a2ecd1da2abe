// Higress's rule matching (`_match_route_`, `_match_domain_`, `_match_service_`,
// `_match_route_prefix_`): which rule of `_rules_` applies to a request. First match wins.
import { JsonObject } from "../json/value";

export enum RuleCategory { Route, Host, Service, RoutePrefix, RouteAndService }

const HOST_EXACT: i32 = 0, HOST_SUFFIX: i32 = 1, HOST_PREFIX: i32 = 2, HOST_ANY: i32 = 3;

class HostPattern {
  constructor(public kind: i32, public text: string) {}
  matches(host: string): bool {
    if (this.kind == HOST_ANY) return true;
    if (this.kind == HOST_SUFFIX) return host.endsWith(this.text);
    if (this.kind == HOST_PREFIX) return host.startsWith(this.text);
    return host == this.text;
  }
}

class ServicePattern {
  constructor(public fqdn: string, public port: string, public anyPort: bool) {}
}

export class RuleMatch {
  category: RuleCategory = RuleCategory.Route;
  routes: Array<string> = [];
  hosts: Array<HostPattern> = [];
  services: Array<ServicePattern> = [];
  routePrefixes: Array<string> = [];

  get needsRoute(): bool { return this.category == RuleCategory.Route || this.category == RuleCategory.RouteAndService || this.category == RuleCategory.RoutePrefix; }
  get needsCluster(): bool { return this.category == RuleCategory.Service || this.category == RuleCategory.RouteAndService; }
  get needsHost(): bool { return this.category == RuleCategory.Host; }

  matches(host: string, route: string, cluster: string): bool {
    switch (this.category) {
      case RuleCategory.Route: return this.routes.includes(route);
      case RuleCategory.RouteAndService: return this.routes.includes(route) && this.matchesService(cluster);
      case RuleCategory.Host: {
        const h = stripPort(host);
        for (let i = 0; i < this.hosts.length; i++) if (this.hosts[i].matches(h)) return true;
        return false;
      }
      case RuleCategory.Service: return this.matchesService(cluster);
      case RuleCategory.RoutePrefix: {
        for (let i = 0; i < this.routePrefixes.length; i++) if (route.startsWith(this.routePrefixes[i])) return true;
        return false;
      }
    }
    return false;
  }

  /** cluster_name must look like `outbound|<port>|<subset>|<fqdn>`. */
  private matchesService(cluster: string): bool {
    const parts = cluster.split("|");
    if (parts.length != 4) return false;
    for (let i = 0; i < this.services.length; i++) {
      const s = this.services[i];
      if (s.fqdn != parts[3]) continue;
      if (s.anyPort || s.port == parts[1]) return true;
    }
    return false;
  }
}

export class RuleMatchResult {
  constructor(public match: RuleMatch | null, public error: string) {}
}

/** Reads the `_match_*` keys of one rule. A rule with none of them is a configuration error. */
export function parseRuleMatch(rule: JsonObject): RuleMatchResult {
  const m = new RuleMatch();
  const routes = rule.getStringArray("_match_route_");
  const domains = rule.getStringArray("_match_domain_");
  const services = rule.getStringArray("_match_service_");
  const prefixes = rule.getStringArray("_match_route_prefix_");
  const hasRoutes = routes !== null && routes.length > 0;
  const hasDomains = domains !== null && domains.length > 0;
  const hasServices = services !== null && services.length > 0;
  const hasPrefixes = prefixes !== null && prefixes.length > 0;
  if (!hasRoutes && !hasDomains && !hasServices && !hasPrefixes) {
    return new RuleMatchResult(null, "there is at least one of '_match_route_', '_match_domain_', '_match_service_' and '_match_route_prefix_' can present in configuration.");
  }
  if (hasRoutes) {
    m.routes = routes!;
    m.category = RuleCategory.Route;
    if (hasServices) { m.category = RuleCategory.RouteAndService; m.services = parseServices(services!); }
  } else if (hasDomains) {
    m.category = RuleCategory.Host;
    const d = domains!;
    for (let i = 0; i < d.length; i++) m.hosts.push(parseHostPattern(d[i]));
  } else if (hasServices) {
    m.category = RuleCategory.Service;
    m.services = parseServices(services!);
  } else {
    m.category = RuleCategory.RoutePrefix;
    m.routePrefixes = prefixes!;
  }
  return new RuleMatchResult(m, "");
}

function parseHostPattern(p: string): HostPattern {
  if (p == "*") return new HostPattern(HOST_ANY, "");
  if (p.startsWith("*")) return new HostPattern(HOST_SUFFIX, p.substring(1));
  if (p.endsWith("*")) return new HostPattern(HOST_PREFIX, p.substring(0, p.length - 1));
  return new HostPattern(HOST_EXACT, p);
}

function parseServices(list: Array<string>): Array<ServicePattern> {
  const out = new Array<ServicePattern>();
  for (let i = 0; i < list.length; i++) {
    const s = list[i];
    const colon = s.lastIndexOf(":");
    if (colon < 0) out.push(new ServicePattern(s, "", true));
    else out.push(new ServicePattern(s.substring(0, colon), s.substring(colon + 1), false));
  }
  return out;
}

/** Strips the port from an authority, IPv6-aware (`[::1]:80` → `[::1]`). */
export function stripPort(host: string): string {
  if (host.startsWith("[")) {
    const end = host.indexOf("]");
    return end < 0 ? host : host.substring(0, end + 1);
  }
  const colon = host.lastIndexOf(":");
  if (colon < 0) return host;
  // A bare IPv6 address has more than one colon: keep it whole.
  if (host.indexOf(":") != colon) return host;
  for (let i = colon + 1; i < host.length; i++) {
    const c = host.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return host;
  }
  return host.substring(0, colon);
}
