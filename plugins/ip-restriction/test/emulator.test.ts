// ip-restriction on the emulator, both targets, with Envoy's use_remote_address behaviour
// (the peer is appended to X-Forwarded-For; loopback peers are replaced by Envoy's own address).
import { describe, it, expect } from "vitest";
import { pluginWasm } from "../../../harness/src/index.js";
import { Emulator } from "../../../harness/src/emulator/index.js";

const config = {
  ip_source_type: "header",
  allow: ["10.0.0.0/8", "2001:db8::/32", "192.168.1.1"],
  _rules_: [
    { _match_route_: ["peer-deny"], deny: ["127.0.0.0/8"], status: 451, message: "go \"away\" \\ now" },
    { _match_route_: ["peer-allow"], ip_source_type: "origin-source", allow: ["127.0.0.1/32"] },
    { _match_route_: ["real-ip"], ip_source_type: "header", ip_header_name: "X-Real-IP", deny: ["1.2.3.4", "2001:db8::1"] },
    { _match_domain_: ["*.v6.example.com"], ip_source_type: "header", allow: ["::1", "fd00::/8"] },
  ],
};
const routes = ["peer-deny", "peer-allow", "real-ip"].map((n) => ({ name: n, prefix: `/${n}`, cluster: "up" })).concat([{ name: "default", prefix: "/", cluster: "up" }]);

const BLOCKED = "Your IP address is blocked.";
const xff = (v: string): [string, string][] => [["x-forwarded-for", v]];
interface Case { name: string; path: string; host?: string; headers?: [string, string][]; status: number; message?: string; peer?: string }
const cases: Case[] = [
  { name: "allowed IPv4 in a CIDR", path: "/a", headers: xff("10.1.2.3"), status: 200 },
  { name: "only the first X-Forwarded-For value counts", path: "/a", headers: xff("8.8.8.8, 10.1.2.3"), status: 403, message: BLOCKED },
  { name: "the value is trimmed", path: "/a", headers: xff("  192.168.1.1  ,1.1.1.1"), status: 200 },
  { name: "a port after an IPv4 address is ignored", path: "/a", headers: xff("10.1.2.3:8080"), status: 200 },
  { name: "bracketed IPv6 with a port", path: "/a", headers: xff("[2001:db8::5]:443"), status: 200 },
  { name: "IPv4-mapped IPv6 matches the IPv4 range", path: "/a", headers: xff("::ffff:10.0.0.7"), status: 200 },
  { name: "no client X-Forwarded-For: Envoy's own entry is not allowed", path: "/a", status: 403, message: BLOCKED },
  { name: "garbage fails closed", path: "/a", headers: xff("not-an-ip"), status: 403 },
  { name: "duplicate lines are folded; the first value decides", path: "/a", headers: [["x-forwarded-for", "10.0.0.1"], ["x-forwarded-for", "8.8.8.8"]], status: 200 },
  { name: "origin-source: the loopback peer is denied with the rule's message", path: "/peer-deny", status: 451, message: "go \"away\" \\ now" },
  { name: "origin-source: a spoofed X-Forwarded-For cannot escape a deny", path: "/peer-deny", headers: xff("10.1.2.3"), status: 451, message: "go \"away\" \\ now" },
  { name: "origin-source: another peer address passes a deny", path: "/peer-deny", peer: "10.9.8.7:5555", status: 200 },
  { name: "origin-source: the peer is allowed whatever X-Forwarded-For says", path: "/peer-allow", headers: xff("8.8.8.8"), status: 200 },
  { name: "custom header: a denied address", path: "/real-ip", headers: [["x-real-ip", "1.2.3.4"]], status: 403 },
  { name: "custom header: a denied IPv6 address in another spelling", path: "/real-ip", headers: [["X-Real-IP", "2001:DB8:0::1"]], status: 403 },
  { name: "custom header: missing header fails closed", path: "/real-ip", status: 403 },
  { name: "domain rule: unique-local range allowed", path: "/d", host: "api.v6.example.com:8443", headers: xff("fd12:3456::1"), status: 200 },
  { name: "domain rule does not inherit the global allow list", path: "/d", host: "api.v6.example.com", headers: xff("10.1.2.3"), status: 403 },
];

for (const target of ["envoy", "higress"] as const) {
  describe(`ip-restriction on the emulator (${target})`, () => {
    const load = (cfg: unknown = config, allowStartFailure = false) =>
      Emulator.load(pluginWasm("ip-restriction", target), { target, config: cfg, routes, useRemoteAddress: true, allowStartFailure, pluginName: "ip-restriction" });

    it.each(cases)("$name", async (c) => {
      const host = await load();
      const r = await host.request({ path: c.path, authority: c.host, headers: c.headers, stream: c.peer ? { sourceAddress: c.peer } : undefined });
      expect(r.status).toBe(c.status);
      if (c.status !== 200) {
        expect(JSON.parse(r.body)).toEqual({ message: c.message ?? BLOCKED });
        expect(r.header("content-type")).toBe("application/json");
        expect(r.upstream).toBeNull();
      } else {
        expect(r.upstream?.complete).toBe(true);
      }
      expect(host.traps).toEqual([]);
    });

    for (const [name, bad, why] of [
      ["both allow and deny", { allow: ["1.2.3.4"], deny: ["5.6.7.8"] }, "allow and deny cannot be set at the same time"],
      ["a CIDR with a bad prefix", { deny: ["10.0.0.0/33"] }, "invalid IP[10.0.0.0/33]"],
      ["an impossible status", { deny: ["1.2.3.4"], status: 1000 }, "status must be an HTTP status code"],
    ] as const) {
      it(`refuses to start: ${name}`, async () => {
        const host = await load(bad, true);
        expect(host.started).toBe(false);
        expect(host.logLines().join("\n")).toContain(why);
        expect(host.traps).toEqual([]);
      });
    }
  });
}
