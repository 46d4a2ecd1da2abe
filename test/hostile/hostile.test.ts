// Hostile traffic through every security plugin and ai-proxy in one real Envoy (128 MiB buffers):
// bodies that end in trailers, 40–80 MB bodies, a 64 KB User-Agent, encoded and dot-segment paths,
// credentials with invalid UTF-8. Nothing may get through that should not, nothing may trap: after
// all of it an ordinary request gets 200 and Envoy's log has no `failed:` line from any plugin.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { createHash, createHmac } from "node:crypto";
import { useEnvoy } from "../../harness/src/vitest.js";
import { http, pluginWasm, RecordingUpstream } from "../../harness/src/index.js";
import { h2Request } from "../../harness/src/h2.js";
import { rawExchange } from "../../harness/src/raw-http.js";
import { Mocks, PROVIDERS, gatewaySpec } from "../../plugins/ai-proxy/test/setup.js";

const mocks = new Mocks();
let rec: RecordingUpstream;
beforeAll(async () => {
  await mocks.start();
  rec = await RecordingUpstream.start();
});
afterAll(async () => {
  await mocks.stop();
  await rec?.stop();
});

const KEY = "tenant-key";
const HMAC_SECRET = "hmac-secret";
const JWT_SECRET = Buffer.from("a-jwt-secret-of-32-bytes-length!");
const MiB = 1024 * 1024;
const providers = PROVIDERS.filter((p) => p.id === "openai" || p.id === "claude");

const gw = useEnvoy(() => {
  const spec = gatewaySpec(mocks, providers, {
    extraRoutes: ["basic", "jwt", "hmac", "open"].map((n) => ({ name: n, prefix: `/${n}`, cluster: "rec" })),
    extraClusters: [{ name: "rec", port: rec.port }],
  });
  const aiRoutes = providers.map((p) => p.id);
  spec.plugins = [
    { name: "ip-restriction", wasm: pluginWasm("ip-restriction"), config: { deny: ["203.0.113.0/24"] } },
    { name: "bot-detect", wasm: pluginWasm("bot-detect"), config: {} },
    { name: "cors", wasm: pluginWasm("cors"), config: { allow_origins: ["https://app.example.com"] } },
    { name: "request-block", wasm: pluginWasm("request-block"), config: { block_urls: ["/open/admin", "/basic/secret"], block_bodies: ["forbidden-prompt"], case_sensitive: false } },
    { name: "key-auth", wasm: pluginWasm("key-auth"), config: { consumers: [{ name: "tenant", credential: KEY }], keys: ["x-sluice-key"], in_header: true, global_auth: false, _rules_: [{ _match_route_: aiRoutes, allow: ["tenant"] }] } },
    { name: "basic-auth", wasm: pluginWasm("basic-auth"), config: { consumers: [{ name: "alice", credential: "alice:wonderland" }], global_auth: false, _rules_: [{ _match_route_: ["basic"], allow: ["alice"] }] } },
    { name: "jwt-auth", wasm: pluginWasm("jwt-auth"), config: { consumers: [{ name: "jay", issuer: "hostile", jwks: JSON.stringify({ keys: [{ kty: "oct", kid: "k1", alg: "HS256", k: JWT_SECRET.toString("base64url") }] }) }], global_auth: false, _rules_: [{ _match_route_: ["jwt"], allow: ["jay"] }] } },
    { name: "hmac-auth-apisix", wasm: pluginWasm("hmac-auth-apisix"), config: { consumers: [{ name: "hal", access_key: "ak-hal", secret_key: HMAC_SECRET }], validate_request_body: true, signed_headers: ["@request-target", "date", "digest"], global_auth: false, _rules_: [{ _match_route_: ["hmac"], allow: ["hal"] }] } },
    { name: "key-rate-limit", wasm: pluginWasm("key-rate-limit"), config: { limit_by_header: "x-sluice-key", limit_keys: [{ key: KEY, query_per_minute: 100000 }] } },
    ...spec.plugins,
  ];
  spec.bufferLimitBytes = 128 * MiB;
  // Envoy refuses request headers over 60 KiB by default (431) before any filter runs.
  spec.maxRequestHeadersKb = 96;
  return spec;
});

const chat = (content: string, model = "gpt-4o") => JSON.stringify({ model, messages: [{ role: "user", content }] });
const aiHeaders = { "x-sluice-key": KEY, "content-type": "application/json", "user-agent": "hostile-test/1.0" };

function hmacHeaders(method: string, path: string, body: string) {
  const date = new Date().toUTCString();
  const digest = "SHA-256=" + createHash("sha256").update(body).digest("base64");
  const signing = `ak-hal\n${method} ${path}\ndate: ${date}\ndigest: ${digest}\n`;
  const signature = createHmac("sha256", HMAC_SECRET).update(signing).digest("base64");
  return { "user-agent": "hostile-test/1.0", date, digest, authorization: `Signature keyId="ak-hal",algorithm="hmac-sha256",headers="@request-target date digest",signature="${signature}"` };
}

describe("hostile traffic through every security plugin and ai-proxy", () => {
  it("a chat body that ends in trailers is converted by ai-proxy (model mapped, gateway key)", async () => {
    mocks.compat.clear();
    const r = await h2Request(gw.url, "/openai/v1/chat/completions", { headers: aiHeaders, chunks: [chat("hello").slice(0, 20), chat("hello").slice(20)], trailers: { "x-t": "1" } });
    expect(r.status).toBe(200);
    expect(mocks.compat.last?.body).toMatchObject({ model: "openai-chat" });
    expect(mocks.compat.last?.headers.authorization).toBe("Bearer sk-openai");
  });

  it("a blocked body that ends in trailers is blocked, and the provider is never called", async () => {
    mocks.compat.clear();
    const r = await h2Request(gw.url, "/openai/v1/chat/completions", { headers: aiHeaders, chunks: [chat("please FORBIDDEN-PROMPT now")], trailers: { "x-t": "1" } });
    expect(r.status).toBe(403);
    expect(mocks.compat.requests.length).toBe(0);
  });

  it("hmac with validate_request_body: a tampered body that ends in trailers is refused", async () => {
    const body = "amount=1";
    const h = hmacHeaders("POST", "/hmac/pay", body);
    const ok = await h2Request(gw.url, "/hmac/pay", { headers: h, chunks: [body], trailers: { "x-t": "1" } });
    expect(ok.status).toBe(200);
    const bad = await h2Request(gw.url, "/hmac/pay", { headers: h, chunks: ["amount=1000"], trailers: { "x-t": "1" } });
    expect(bad.status).not.toBe(200);
  });

  it("40 MB bodies three times, then 80 MB: answered or refused cleanly, never a 5xx", async () => {
    for (const size of [40, 40, 40, 80]) {
      const content = "a".repeat(size * MiB);
      const r = await http(gw.url + "/openai/v1/chat/completions", { method: "POST", headers: Object.entries(aiHeaders), body: chat(content) });
      expect([200, 413]).toContain(r.status);
    }
    const claude = await http(gw.url + "/claude/v1/chat/completions", { method: "POST", headers: Object.entries(aiHeaders), body: chat("b".repeat(30 * MiB), "claude-3") });
    expect([200, 413]).toContain(claude.status);
  }, 120_000);

  it("a 64 KB User-Agent is judged like any other", async () => {
    const benign = await http(gw.url + "/open/x", { headers: [["user-agent", "Mozilla/5.0 " + "a".repeat(64 * 1024)]] });
    expect(benign.status).toBe(200);
    const bot = await http(gw.url + "/open/x", { headers: [["user-agent", "Mozilla/5.0 " + "a".repeat(64 * 1024) + " Googlebot/2.1"]] });
    expect(bot.status).toBe(403);
  });

  it.each(["/open/%61dmin", "/open/x/..%2Fadmin", "/open//admin", "/open/./admin", "/open/admin/", "/open/admin;x", "/open/ADMIN", "/basic/%73ecret"])(
    "an encoded or dot-segment path is blocked: %s", async (path) => {
      const r = await rawExchange("127.0.0.1", gw.envoy.port, Buffer.from(`GET ${path} HTTP/1.1\r\nHost: h\r\nUser-Agent: curl/8\r\nConnection: close\r\n\r\n`, "latin1"));
      expect(r.status).toBe(403);
    });

  it.each([
    ["x-sluice-key", Buffer.concat([Buffer.from(KEY), Buffer.from([0xff])])],
    ["x-sluice-key", Buffer.from("tenant-\xc1\xabey", "latin1")],
    ["authorization", Buffer.concat([Buffer.from("Basic "), Buffer.from(Buffer.concat([Buffer.from("alice:wonderland"), Buffer.from([0xff])]).toString("base64"))])],
  ])("credentials with invalid UTF-8 never authenticate (%s)", async (name, value) => {
    const path = name === "authorization" ? "/basic/x" : "/openai/v1/chat/completions";
    const head = Buffer.from(`POST ${path} HTTP/1.1\r\nHost: h\r\nUser-Agent: curl/8\r\nContent-Type: application/json\r\nContent-Length: ${chat("x").length}\r\nConnection: close\r\n${name}: `, "latin1");
    const r = await rawExchange("127.0.0.1", gw.envoy.port, Buffer.concat([head, value as Buffer, Buffer.from(`\r\n\r\n${chat("x")}`)]));
    expect([401, 403]).toContain(r.status);
  });

  it("afterwards an ordinary request gets 200 and no plugin logged a failure", async () => {
    const r = await http(gw.url + "/openai/v1/chat/completions", { method: "POST", headers: Object.entries(aiHeaders), body: chat("hi") });
    expect(r.status).toBe(200);
    await gw.envoy.settleLog();
    expect(gw.envoy.log).not.toMatch(/failed:|RuntimeError|unreachable/);
  });
});
