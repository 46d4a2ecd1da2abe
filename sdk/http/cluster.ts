// Higress's upstream cluster names (wasm-go cluster_wrapper.go), byte for byte: a plugin config
// written for Higress names the same Envoy cluster here. `hostName()` is the default :authority.
import { clusterName as currentClusterName } from "../api/plugin";
import { requestHeaders } from "../api/headers";

export abstract class Cluster {
  /** The Envoy cluster that proxy_http_call / proxy_redis_* are sent to. */
  abstract clusterName(): string;
  /** The default :authority of a callout. */
  abstract hostName(): string;
}

function portText(port: i64): string { return port.toString(); }

/** `outbound|{port}||{fqdn}`; authority `host` if set, else the FQDN. */
export class FQDNCluster extends Cluster {
  constructor(public fqdn: string, public port: i64, public host: string = "") { super(); }
  clusterName(): string { return "outbound|" + portText(this.port) + "||" + this.fqdn; }
  hostName(): string { return this.host.length > 0 ? this.host : this.fqdn; }
}

/** `outbound|{port}||{serviceName}.dns`; authority is the domain. */
export class DnsCluster extends Cluster {
  constructor(public serviceName: string, public domain: string, public port: i64) { super(); }
  clusterName(): string { return "outbound|" + portText(this.port) + "||" + this.serviceName + ".dns"; }
  hostName(): string { return this.domain; }
}

/** `outbound|{port}||{serviceName}.static`; authority `host` or the service name. */
export class StaticIpCluster extends Cluster {
  constructor(public serviceName: string, public port: i64, public host: string = "") { super(); }
  clusterName(): string { return "outbound|" + portText(this.port) + "||" + this.serviceName + ".static"; }
  hostName(): string { return this.host.length > 0 ? this.host : this.serviceName; }
}

/** `outbound|{port}|{version}|{service}.{namespace or "default"}.svc.cluster.local`. */
export class K8sCluster extends Cluster {
  constructor(public serviceName: string, public namespace: string, public port: i64, public version: string = "", public host: string = "") { super(); }
  clusterName(): string {
    const ns = this.namespace.length > 0 ? this.namespace : "default";
    return "outbound|" + portText(this.port) + "|" + this.version + "|" + this.serviceName + "." + ns + ".svc.cluster.local";
  }
  // Higress does not default the namespace here (only in the cluster name); kept for parity.
  hostName(): string { return this.host.length > 0 ? this.host : this.serviceName + "." + this.namespace + ".svc.cluster.local"; }
}

/** `outbound|{port}|{version}|{service}.{group, "_"→"-", default DEFAULT-GROUP}.{namespaceId}.nacos[-ext]`. */
export class NacosCluster extends Cluster {
  constructor(public serviceName: string, public group: string, public namespaceId: string, public port: i64,
              public version: string = "", public host: string = "", public isExtRegistry: bool = false) { super(); }
  clusterName(): string {
    const group = this.group.length > 0 ? this.group.replaceAll("_", "-") : "DEFAULT-GROUP";
    const tail = this.isExtRegistry ? ".nacos-ext" : ".nacos";
    return "outbound|" + portText(this.port) + "|" + this.version + "|" + this.serviceName + "." + group + "." + this.namespaceId + tail;
  }
  hostName(): string { return this.host.length > 0 ? this.host : this.serviceName; }
}

/** `outbound|{port}||{service}.{datacenter}.consul`. */
export class ConsulCluster extends Cluster {
  constructor(public serviceName: string, public datacenter: string, public port: i64, public host: string = "") { super(); }
  clusterName(): string { return "outbound|" + portText(this.port) + "||" + this.serviceName + "." + this.datacenter + ".consul"; }
  hostName(): string { return this.host.length > 0 ? this.host : this.serviceName; }
}

/** The current route's upstream cluster (property `cluster_name`, on Envoy `xds.cluster_name`).
 *  Use it during a request: the authority defaults to the request's own :authority. */
export class RouteCluster extends Cluster {
  constructor(public host: string = "") { super(); }
  clusterName(): string { return currentClusterName(); }
  hostName(): string {
    if (this.host.length > 0) return this.host;
    const a = requestHeaders.get(":authority");
    return a === null ? "" : a;
  }
}

/** Any cluster name, verbatim (e.g. a cluster defined in a plain Envoy bootstrap). */
export class TargetCluster extends Cluster {
  constructor(public cluster: string, public host: string = "") { super(); }
  clusterName(): string { return this.cluster; }
  hostName(): string { return this.host; }
}
