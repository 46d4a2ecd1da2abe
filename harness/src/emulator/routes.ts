// Route and cluster selection: Envoy's route table for the emulator's `routes`, and Higress's
// calls that list a cluster's hosts and pick one.
import { Status } from "./abi.js";
import { encodePairs } from "./pairs.js";
import type { HostContext, HostFunctions } from "./types.js";

export interface EmulatorRoute {
  name: string;
  domains?: string[];
  prefix?: string;
  path?: string;
  cluster: string;
}

const routeGroups = new WeakMap<EmulatorRoute[], Map<string, EmulatorRoute[]>>();

/** Envoy-style route selection: virtual host by domain (exact, *.suffix, prefix*, *), then path/prefix. */
export function matchRoute(routes: EmulatorRoute[], authority: string, path: string): EmulatorRoute | undefined {
  const score = (domains: string[]): number => {
    let best = -1;
    for (const d of domains) {
      if (d === authority) best = Math.max(best, 3000 + d.length);
      else if (d === "*") best = Math.max(best, 0);
      else if (d.startsWith("*") && authority.endsWith(d.slice(1)) && authority.length > d.length - 1) best = Math.max(best, 2000 + d.length);
      else if (d.endsWith("*") && authority.startsWith(d.slice(0, -1)) && authority.length > d.length - 1) best = Math.max(best, 1000 + d.length);
    }
    return best;
  };
  let groups = routeGroups.get(routes);
  if (!groups) {
    groups = new Map<string, EmulatorRoute[]>();
    for (const r of routes) {
      const key = (r.domains ?? ["*"]).join(",");
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key)!.push(r);
    }
    routeGroups.set(routes, groups);
  }
  let chosen: EmulatorRoute[] | undefined;
  let best = -1;
  for (const [key, rs] of groups) {
    const s = score(key.split(","));
    if (s > best) {
      best = s;
      chosen = rs;
    }
  }
  if (!chosen) return undefined;
  const urlPath = path.split("?")[0];
  return chosen.find((r) => (r.path !== undefined ? r.path === urlPath : path.startsWith(r.prefix ?? "/")));
}

const enc = (s: string) => Buffer.from(s, "utf8");

/** Higress proxy_get_upstream_hosts / proxy_set_upstream_override_host. */
export function upstreamHostImports(h: HostContext): HostFunctions {
  return {
    proxy_get_upstream_hosts(retPtr: number, retSize: number) {
      const hosts = h.options.upstreamHosts ?? [];
      if (hosts.length === 0) return h.mem.copyOut(Buffer.alloc(0), retPtr, retSize);
      return h.mem.copyOut(encodePairs(hosts.map(([host, m]) => [enc(host), enc(m)])), retPtr, retSize);
    },
    proxy_set_upstream_override_host(aPtr: number, aLen: number) {
      const a = h.mem.readStr(aPtr, aLen);
      if (a === null) return Status.InvalidMemoryAccess;
      const s = h.current();
      if (!s) return Status.BadArgument;
      s.upstreamOverrideHost = a;
      return Status.Ok;
    },
  };
}
