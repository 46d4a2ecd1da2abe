// ip-restriction in a real Envoy: a case table over global, route and domain rules, the peer
// address vs a header as the source, IPv4/IPv6/CIDR matching, and bad configurations.
import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { Envoy, pluginWasm, http } from "../../../harness/src/index.js";
import { useEnvoy, useRecordingUpstream } from "../../../harness/src/vitest.js";
import { sendCase, type RequestCase } from "../../../harness/src/case-table.js";

const upstream = useRecordingUpstream();

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

const gw = useEnvoy(() => ({
  plugins: [{ name: "ip-restriction", wasm: pluginWasm("ip-restriction"), config }],
  routes: [
    { name: "peer-deny", prefix: "/peer-deny", cluster: "up" },
    { name: "peer-allow", prefix: "/peer-allow", cluster: "up" },
    { name: "real-ip", prefix: "/real-ip", cluster: "up" },
    { name: "default", prefix: "/", cluster: "up" },
  ],
  clusters: [{ name: "up", port: upstream.port }],
  // As on an edge gateway (Higress): source.address is the socket peer, and Envoy appends it to
  // X-Forwarded-For. With Envoy's default (false) the peer address is taken from X-Forwarded-For.
  useRemoteAddress: true,
}));

type Case = RequestCase;

const BLOCKED = "Your IP address is blocked.";
const xff = (v: string): [string, string][] => [["x-forwarded-for", v]];

const cases: Case[] = [
  // global config: header source, allow list
  { name: "allowed IPv4 in a CIDR", path: "/a", headers: xff("10.1.2.3"), status: 200 },
  { name: "only the first X-Forwarded-For value counts (allowed first)", path: "/a", headers: xff("10.1.2.3, 8.8.8.8"), status: 200 },
  { name: "only the first X-Forwarded-For value counts (denied first)", path: "/a", headers: xff("8.8.8.8, 10.1.2.3"), status: 403, message: BLOCKED },
  { name: "the value is trimmed", path: "/a", headers: xff("  192.168.1.1  ,1.1.1.1"), status: 200 },
  { name: "a single allowed address does not allow its neighbour", path: "/a", headers: xff("192.168.1.2"), status: 403, message: BLOCKED },
  { name: "a port after an IPv4 address is ignored", path: "/a", headers: xff("10.1.2.3:8080"), status: 200 },
  { name: "IPv6 in an allowed range", path: "/a", headers: xff("2001:db8::5"), status: 200 },
  { name: "bracketed IPv6 with a port", path: "/a", headers: xff("[2001:db8::5]:443"), status: 200 },
  { name: "IPv6 outside the range", path: "/a", headers: xff("2001:db9::1"), status: 403 },
  { name: "IPv4-mapped IPv6 matches the IPv4 range", path: "/a", headers: xff("::ffff:10.0.0.7"), status: 200 },
  { name: "no client X-Forwarded-For: Envoy's own entry (the peer) is not allowed", path: "/a", status: 403, message: BLOCKED },
  { name: "garbage in the header fails closed", path: "/a", headers: xff("not-an-ip"), status: 403 },
  { name: "octal-looking IPv4 is refused, not guessed", path: "/a", headers: xff("010.1.2.3"), status: 403 },
  { name: "header name is case-insensitive", path: "/a", headers: [["X-FORWARDED-FOR", "10.9.9.9"]], status: 200 },
  // route rules
  { name: "origin-source: the peer 127.0.0.1 is denied with the rule's status/message", path: "/peer-deny", status: 451, message: "go \"away\" \\ now" },
  { name: "origin-source: a spoofed X-Forwarded-For cannot escape a deny", path: "/peer-deny", headers: xff("10.1.2.3"), status: 451, message: "go \"away\" \\ now" },
  { name: "origin-source: the peer is allowed whatever X-Forwarded-For says", path: "/peer-allow", headers: xff("8.8.8.8"), status: 200 },
  { name: "custom header: a denied address", path: "/real-ip", headers: [["x-real-ip", "1.2.3.4"]], status: 403 },
  { name: "custom header: another address passes", path: "/real-ip", headers: [["X-Real-IP", "5.6.7.8"]], status: 200 },
  { name: "custom header: X-Forwarded-For is not consulted", path: "/real-ip", headers: [["x-forwarded-for", "1.2.3.4"], ["x-real-ip", "5.6.7.8"]], status: 200 },
  { name: "custom header: a denied IPv6 address", path: "/real-ip", headers: [["x-real-ip", "2001:DB8:0::1"]], status: 403 },
  { name: "custom header: missing header fails closed even in deny mode", path: "/real-ip", status: 403 },
  // domain rule
  { name: "domain rule: IPv6 loopback allowed", path: "/d", host: "api.v6.example.com", headers: xff("::1"), status: 200 },
  { name: "domain rule: unique-local range allowed", path: "/d", host: "api.v6.example.com:8443", headers: xff("fd12:3456::1"), status: 200 },
  { name: "domain rule does not inherit the global allow list", path: "/d", host: "api.v6.example.com", headers: xff("10.1.2.3"), status: 403 },
];

describe("ip-restriction in Envoy", () => {
  it.each(cases)("$name", async (c) => {
    const r = await sendCase(gw, c);
    expect(r.status).toBe(c.status);
    if (c.status === 200) {
      expect(JSON.parse(r.body).path).toBe(c.path);
    } else {
      expect(JSON.parse(r.body)).toEqual({ message: c.message ?? BLOCKED });
      expect(r.headers["content-type"]).toBe("application/json");
    }
  });

  it("duplicate X-Forwarded-For lines: the first line's first value decides", async () => {
    const denied = await http(gw.url + "/a", { headers: [["x-forwarded-for", "8.8.8.8"], ["x-forwarded-for", "10.0.0.1"]] });
    expect(denied.status).toBe(403);
    const allowed = await http(gw.url + "/a", { headers: [["x-forwarded-for", "10.0.0.1"], ["x-forwarded-for", "8.8.8.8"]] });
    expect(allowed.status).toBe(200);
  });

  it("random X-Forwarded-For values never trap the VM", async () => {
    const printable = fc.array(fc.integer({ min: 0x20, max: 0x7e }), { maxLength: 120 }).map((a) => String.fromCharCode(...a));
    const addr = fc.oneof(printable, fc.ipV4(), fc.ipV6(), fc.ipV6().map((a) => `[${a}]:443`), fc.ipV4().map((a) => `${a}:${Math.floor(Math.random() * 70000)}`));
    await fc.assert(
      fc.asyncProperty(addr, addr, async (a, b) => {
        const r = await http(gw.url + "/a", { headers: xff(`${a}, ${b}`) });
        expect([200, 403]).toContain(r.status);
      }),
      { numRuns: 200 },
    );
    expect((await http(gw.url + "/a", { headers: xff("10.1.2.3") })).status).toBe(200);
    await gw.envoy.settleLog();
    expect(gw.envoy.log).not.toMatch(/sluice: abort|wasm trap|RuntimeError/);
  });
});

describe("ip-restriction with a bad configuration", () => {
  for (const [name, bad, why] of [
    ["both allow and deny", { allow: ["1.2.3.4"], deny: ["5.6.7.8"] }, "allow and deny cannot be set at the same time"],
    ["neither allow nor deny", { status: 403 }, "allow and deny cannot be empty at the same time"],
    ["empty lists", { allow: [], deny: [] }, "allow and deny cannot be empty at the same time"],
    ["a CIDR with a bad prefix", { deny: ["10.0.0.0/33"] }, "invalid IP[10.0.0.0/33]"],
    ["garbage in the list", { allow: ["10.0.0.1", "localhost"] }, "invalid IP[localhost]"],
    ["an unknown ip_source_type", { ip_source_type: "socket", deny: ["1.2.3.4"] }, "ip_source_type must be"],
    ["an impossible status", { deny: ["1.2.3.4"], status: 1000 }, "status must be an HTTP status code"],
    ["a bad rule", { deny: ["1.2.3.4"], _rules_: [{ _match_route_: ["r"], allow: ["1.2.3.4"], deny: ["::1"] }] }, "rule 0: allow and deny cannot be set at the same time"],
  ] as const) {
    it(`refuses to start: ${name}`, async () => {
      let log = "";
      await expect(
        Envoy.start(
          { plugins: [{ name: "ip-restriction", wasm: pluginWasm("ip-restriction"), config: bad }], routes: [{ name: "r", cluster: "up" }], clusters: [{ name: "up", port: upstream.port }] },
          { allowStartFailure: true },
        ).catch((e) => {
          log = (e as { envoyLog?: string }).envoyLog ?? "";
          throw e;
        }),
      ).rejects.toThrow(/did not start/);
      expect(log).toContain("plugin start failed");
      expect(log).toContain(why);
      expect(log).not.toMatch(/sluice: abort/);
    });
  }
});

describe("ip-restriction with an IPv6 peer (listener on [::1])", () => {
  const v6 = useEnvoy(() => ({
    plugins: [
      {
        name: "ip-restriction",
        wasm: pluginWasm("ip-restriction"),
        config: {
          allow: ["::1/128"],
          _rules_: [
            { _match_route_: ["v6-deny-exact"], deny: ["0:0:0:0:0:0:0:1"] },
            { _match_route_: ["v4-deny"], deny: ["127.0.0.0/8", "0.0.0.0/0"] },
            { _match_route_: ["v6-allow-other"], allow: ["2001:db8::/32"] },
            { _match_route_: ["v4-allow"], allow: ["127.0.0.1"] },
          ],
        },
      },
    ],
    routes: ["v6-deny-exact", "v4-deny", "v6-allow-other", "v4-allow"].map((r) => ({ name: r, prefix: `/${r}`, cluster: "up" })).concat([{ name: "default", prefix: "/", cluster: "up" }]),
    clusters: [{ name: "up", port: upstream.port }],
    useRemoteAddress: true,
    listenerAddress: "::1",
  }));
  const cases: [string, string, [string, string][], number][] = [
    ["the peer [::1]:port is allowed by ::1/128", "/a", [], 200],
    ["a denied IPv6 peer written in full form", "/v6-deny-exact", [], 403],
    ["a denied IPv6 peer cannot escape with a spoofed X-Forwarded-For", "/v6-deny-exact", xff("10.0.0.1"), 403],
    ["IPv4 ranges (even 0.0.0.0/0) do not match an IPv6 peer", "/v4-deny", [], 200],
    ["an IPv6 peer outside the allowed IPv6 range", "/v6-allow-other", [], 403],
    ["an IPv4 allow entry does not admit ::1", "/v4-allow", [], 403],
  ];
  it.each(cases)("%s", async (_name, path, headers, status) => {
    const r = await http(`http://[::1]:${v6.envoy.port}${path}`, { headers });
    expect(r.status).toBe(status);
    if (status !== 200) expect(JSON.parse(r.body)).toEqual({ message: BLOCKED });
  });
});
