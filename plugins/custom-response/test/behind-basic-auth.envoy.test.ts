// custom-response and basic-auth in one Envoy filter chain: what Envoy does with basic-auth's
// local reply (401) on its way out through custom-response's encode path. Envoy starts a Wasm
// filter's context in its decodeHeaders; a filter whose decodeHeaders never ran (it comes after
// the one that replied) gets no response callbacks. So the rewrite works when custom-response is
// earlier in the decoding order — as Higress orders them by priority (custom-response 910 runs
// before basic-auth 320) — and the 401 passes untouched in the other order.
import { describe, it, expect } from "vitest";
import { pluginWasm, http } from "../../../harness/src/index.js";
import { useEnvoy, useRecordingUpstream } from "../../../harness/src/vitest.js";

const customResponse = {
  name: "custom-response",
  wasm: pluginWasm("custom-response"),
  config: { rules: [{ enable_on_status: [401], status_code: 302, headers: ["Location=https://login.example.com/"], body: '{"error":"login required"}' }] },
};
const basicAuth = { name: "basic-auth", wasm: pluginWasm("basic-auth"), config: { global_auth: true, consumers: [{ name: "alice", credential: "alice:wonderland" }] } };
const alice: [string, string] = ["authorization", "Basic " + Buffer.from("alice:wonderland").toString("base64")];

describe("custom-response before basic-auth in the chain (Higress's priority order)", () => {
  const up = useRecordingUpstream();
  const gw = useEnvoy(() => ({ plugins: [customResponse, basicAuth], routes: [{ name: "r", cluster: "up" }], clusters: [{ name: "up", port: up.port }] }));

  it("basic-auth's 401 is replaced by the custom response", async () => {
    const before = up.server!.requests.length;
    const r = await http(`${gw.url}/private`);
    expect(r.status).toBe(302);
    expect(r.headers["location"]).toBe("https://login.example.com/");
    expect(r.headers["content-type"]).toBe("application/json; charset=utf-8");
    // basic-auth's challenge belonged to the replaced reply.
    expect(r.headers["www-authenticate"]).toBeUndefined();
    expect(r.body).toBe('{"error":"login required"}');
    expect(up.server!.requests.length).toBe(before);
  });

  it("an authenticated request reaches the upstream and its 200 passes", async () => {
    const r = await http(`${gw.url}/private`, { headers: [alice] });
    expect(r.status).toBe(200);
    expect(r.headers["x-upstream"]).toBe("recording");
  });

  it("Envoy logged no trap", async () => {
    await gw.envoy.settleLog();
    expect(gw.envoy.log).not.toMatch(/sluice: abort|wasm trap|RuntimeError/);
  });
});

describe("custom-response after basic-auth in the chain", () => {
  const up = useRecordingUpstream();
  const gw = useEnvoy(() => ({ plugins: [basicAuth, customResponse], routes: [{ name: "r", cluster: "up" }], clusters: [{ name: "up", port: up.port }] }));

  it("basic-auth's 401 reaches the client unchanged: custom-response never saw the request", async () => {
    const r = await http(`${gw.url}/private`);
    expect(r.status).toBe(401);
    expect(r.headers["www-authenticate"]).toBe("Basic realm=MSE Gateway");
    expect(r.body).toBe("Request denied by Basic Auth check. No Basic Authentication information found.");
  });

  it("an upstream 401 (after both filters decoded) is still replaced", async () => {
    const r = await http(`${gw.url}/status/401`, { headers: [alice] });
    expect(r.status).toBe(302);
    expect(r.headers["location"]).toBe("https://login.example.com/");
  });
});
