// Higress's cluster names (higress-group/wasm-go pkg/wrapper/cluster_wrapper.go and its tests)
// and how a callout URL becomes :authority and :path.
import { describe, it, expect } from "vitest";
import { loadAsModule } from "../../harness/src/ascunit.js";

const m = await loadAsModule("sdk/test/http.entry.ts");
const str = (name: string, ...args: string[]) => {
  const ptrs = args.map((a) => m.newString(a));
  const out = m.getString((m.exports[name] as (...a: number[]) => number)(...ptrs) >>> 0);
  ptrs.forEach((p) => m.unpin(p));
  return out;
};

describe("Higress cluster names", () => {
  it("match wasm-go byte for byte", () => {
    expect(JSON.parse(str("clusterNames"))).toEqual([
      ["outbound|80||foo.example.com", "foo.example.com"],
      ["outbound|443||foo.example.com", "api.example.com"],
      ["outbound|8080||foo.dns", "bar.example.com"],
      ["outbound|8080||foo.static", "foo"],
      ["outbound|8080||foo.static", "h.example"],
      ["outbound|8080|1.0|foo.bar.svc.cluster.local", "foo.bar.svc.cluster.local"],
      // Higress defaults the namespace in the cluster name only, not in the host name.
      ["outbound|8080||foo.default.svc.cluster.local", "foo..svc.cluster.local"],
      ["outbound|8080|1.0|foo.DEFAULT-GROUP.xxxx.nacos", "foo"],
      ["outbound|80||foo.DEFAULT-GROUP.ns.nacos-ext", "foo"],
      ["outbound|8500||foo.dc1.consul", "foo"],
      ["my-cluster", "h.example"],
    ]);
  });
});

describe("callout URLs", () => {
  it.each([
    ["http://api.example.com:8080/v1/x?q=1#frag", "dflt", ["api.example.com:8080", "/v1/x?q=1"]],
    ["https://user:pw@host.example/p", "dflt", ["host.example", "/p"]],
    ["http://host.example", "dflt", ["host.example", "/"]],
    ["/v1/chat?stream=true", "svc.example", ["svc.example", "/v1/chat?stream=true"]],
    ["v1/chat", "svc.example", ["svc.example", "/v1/chat"]],
    ["//double//slash", "d", ["d", "/double//slash"]],
    ["", "d", ["d", "/"]],
    ["/x", "", ["unknownhost", "/x"]],
    // Path-only URLs (the fast path): a fragment goes, "://" inside the path is not a scheme.
    ["/", "d", ["d", "/"]],
    ["/p%23q#frag", "d", ["d", "/p%23q"]],
    ["/#", "d", ["d", "/"]],
    ["/a://b/c?x=http://y", "d", ["d", "/a://b/c?x=http://y"]],
  ])("%s", (url, dflt, want) => {
    expect(JSON.parse(str("split", url, dflt))).toEqual(want);
  });
});

describe("proxy_redis_init cluster string", () => {
  it("carries db (only when not 0) and Higress's buffer defaults", () => {
    const f = (c: string, db: number) => {
      const p = m.newString(c);
      const out = m.getString((m.exports.redisInitCluster as (a: number, b: number) => number)(p, db) >>> 0);
      m.unpin(p);
      return out;
    };
    expect(f("outbound|6379||redis.dns", 1)).toBe("outbound|6379||redis.dns?db=1&buffer_flush_timeout=3&max_buffer_size_before_flush=1024");
    expect(f("outbound|6379||redis.dns", 0)).toBe("outbound|6379||redis.dns?buffer_flush_timeout=3&max_buffer_size_before_flush=1024");
  });
});
