// ip-restriction in a real Envoy listening on [::1]: an IPv6 peer against IPv4 and IPv6 lists (the
// emulator's peer is set by hand; this is the address a real socket gives). The case table is cases.ts.
import { describe, it, expect } from "vitest";
import { pluginWasm, http } from "../../../harness/src/index.js";
import { useEnvoy, useRecordingUpstream } from "../../../harness/src/vitest.js";
import { xff } from "./cases.js";

const upstream = useRecordingUpstream();
const BLOCKED = "Your IP address is blocked.";

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
