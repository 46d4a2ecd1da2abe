// Higress's own end-to-end check for custom-response (test/e2e/conformance/tests/
// go-wasm-custom-response.{yaml,go}) in a real Envoy: its two WasmPlugins — custom-response at
// priority 200 and basic-auth at 100, so custom-response runs first — with their matchRules as
// `_rules_`, and its five cases with the statuses, headers, content type and bodies it expects.
import { describe, it, expect } from "vitest";
import { pluginWasm } from "../../../harness/src/index.js";
import { rawHttp } from "../../../harness/src/raw-http.js";
import { useEnvoy, useRecordingUpstream } from "../../../harness/src/vitest.js";

const customResponse = {
  headers: ["key1=value1"],
  body: '{"hello":"foo"}',
  _rules_: [
    { _match_domain_: ["bar.com"], headers: ["key2=value2"], body: '{"hello":"bar"}' },
    { _match_domain_: ["baz.com"], enable_on_status: [401], headers: ["key3=value3"], body: '{"hello":"baz"}' },
    { _match_domain_: ["qux.com"], status_code: 201, headers: ["key5=value5"], body: '{"hello":"qux"}' },
  ],
};
const basicAuth = { consumers: [{ credential: "admin:123456", name: "consumer1" }], global_auth: false, _rules_: [{ allow: ["consumer1"], _match_domain_: ["baz.com"] }] };

describe("Higress's custom-response e2e conformance cases, in Envoy", () => {
  const up = useRecordingUpstream();
  const gw = useEnvoy(() => ({
    plugins: [
      { name: "custom-response", wasm: pluginWasm("custom-response"), config: customResponse },
      { name: "basic-auth", wasm: pluginWasm("basic-auth"), config: basicAuth },
    ],
    routes: [{ name: "r", cluster: "up" }],
    clusters: [{ name: "up", port: up.port }],
  }));
  const get = (host: string, headers: [string, string][] = []) => rawHttp(`${gw.url}/`, { headers: [["host", host], ...headers] });
  const JSON_TYPE = "application/json; charset=utf-8";

  it("case 1: the global config", async () => {
    const r = await get("foo.com");
    expect([r.status, r.headers["key1"], r.headers["content-type"], r.body]).toEqual([200, "value1", JSON_TYPE, '{"hello":"foo"}']);
  });

  it("case 2: a rule's config", async () => {
    const r = await get("bar.com");
    expect([r.status, r.headers["key2"], r.headers["content-type"], r.body]).toEqual([200, "value2", JSON_TYPE, '{"hello":"bar"}']);
  });

  it("case 3: enable_on_status 401 replaces basic-auth's refusal", async () => {
    const r = await get("baz.com");
    expect([r.status, r.headers["key3"], r.headers["content-type"], r.body]).toEqual([200, "value3", JSON_TYPE, '{"hello":"baz"}']);
  });

  it("case 4: an authenticated request does not match and reaches the upstream as consumer1", async () => {
    const r = await get("baz.com", [["authorization", "Basic YWRtaW46MTIzNDU2"]]);
    expect(r.status).toBe(200);
    expect(r.headers["x-upstream"]).toBe("recording");
    expect(JSON.parse(r.body).headers["x-mse-consumer"]).toBe("consumer1");
  });

  it("case 5: status_code 201", async () => {
    const r = await get("qux.com");
    expect([r.status, r.headers["key5"], r.headers["content-type"], r.body]).toEqual([201, "value5", JSON_TYPE, '{"hello":"qux"}']);
  });
});
