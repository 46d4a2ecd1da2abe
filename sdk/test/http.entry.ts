// Test entry: Higress cluster names and callout URL splitting (sdk/http), for sdk/test/http.test.ts.
import { Cluster, FQDNCluster, DnsCluster, StaticIpCluster, K8sCluster, NacosCluster, ConsulCluster, TargetCluster } from "../http/cluster";
import { splitUrl } from "../http/call";
import { quoteJsonString } from "../json/value";
import { nativeClusterParams } from "../redis/native";

/** The cluster string given to proxy_redis_init. */
export function redisInitCluster(cluster: string, db: i32): string { return nativeClusterParams(cluster, db); }

function row(c: Cluster): string {
  return "[" + quoteJsonString(c.clusterName()) + "," + quoteJsonString(c.hostName()) + "]";
}

/** [clusterName, hostName] for each cluster kind, in the order the test lists them. */
export function clusterNames(): string {
  const rows: Array<string> = [
    row(new FQDNCluster("foo.example.com", 80)),
    row(new FQDNCluster("foo.example.com", 443, "api.example.com")),
    row(new DnsCluster("foo", "bar.example.com", 8080)),
    row(new StaticIpCluster("foo", 8080)),
    row(new StaticIpCluster("foo", 8080, "h.example")),
    row(new K8sCluster("foo", "bar", 8080, "1.0")),
    row(new K8sCluster("foo", "", 8080)),
    row(new NacosCluster("foo", "DEFAULT_GROUP", "xxxx", 8080, "1.0")),
    row(new NacosCluster("foo", "", "ns", 80, "", "", true)),
    row(new ConsulCluster("foo", "dc1", 8500)),
    row(new TargetCluster("my-cluster", "h.example")),
  ];
  return "[" + rows.join(",") + "]";
}

/** splitUrl → [authority, path]. */
export function split(url: string, defaultAuthority: string): string {
  const t = splitUrl(url, defaultAuthority);
  return "[" + quoteJsonString(t.authority) + "," + quoteJsonString(t.path) + "]";
}
