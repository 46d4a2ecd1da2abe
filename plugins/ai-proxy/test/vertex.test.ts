// The vertex provider's OAuth2 access token (service-account mode), against the strict Google
// token endpoint of the vertex mock (harness/src/mocks/llm/vertex.ts: RS256 signature with the
// account's public key, claims, grant type). On a real Envoy with the official `openai` client:
// one token for many requests (kept in shared data, also for the OpenAI-compatible endpoint of the
// same project and region), a key Google does not know and a token endpoint that is down each give
// a 500 in OpenAI's shape and never reach Vertex. On the emulator's clock (both targets): a token is
// renewed `vertexTokenRefreshAhead` seconds before it expires, not earlier. Chat, streamed chat
// and embeddings in all three modes are rows of the case table (cases.ts) and clients.test.ts.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { createServer } from "node:net";
import OpenAI from "openai";
import { useEnvoy } from "../../../harness/src/vitest.js";
import { pluginWasm } from "../../../harness/src/index.js";
import { Emulator } from "../../../harness/src/emulator/index.js";
import type { Sent } from "../../../harness/src/emulator/stream.js";
import { VERTEX_SA_WRONG_KEY, VERTEX_TOKEN_REQUESTS, vertexMockOptions } from "../../../harness/src/mocks/llm/index.js";
import { Mocks, PROVIDERS, gatewaySpec, vertexStandard, VERTEX_AUTH_CLUSTER, type ProviderCase } from "./setup.js";

const mocks = new Mocks();
let closedPort = 0;
beforeAll(async () => {
  await mocks.start();
  // A port nothing listens on: the token endpoint is down.
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  closedPort = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
});
afterAll(async () => { await mocks.stop(); });

const vertex = PROVIDERS.find((p) => p.id === "vertex")!;
const vertexOpenai = PROVIDERS.find((p) => p.id === "vertex-openai")!;
const wrongKey: ProviderCase = { ...vertex, id: "vertex-wrongkey", host: "europe-west4-aiplatform.googleapis.com", config: vertexStandard("vertex-wrongkey", { vertexRegion: "europe-west4", vertexAuthKey: JSON.stringify(VERTEX_SA_WRONG_KEY) }) };
const down: ProviderCase = { ...vertex, id: "vertex-down", host: "asia-east1-aiplatform.googleapis.com", config: vertexStandard("vertex-down", { vertexRegion: "asia-east1", vertexAuthServiceName: "vertex-auth-down", timeout: 2000 }) };
const gw = useEnvoy(() => gatewaySpec(mocks, [vertex, vertexOpenai, wrongKey, down], { extraClusters: [{ name: "outbound|443||vertex-auth-down.dns", port: closedPort }] }));
const client = (id: string) => new OpenAI({ apiKey: "client-key", baseURL: `${gw.url}/${id}/v1`, maxRetries: 0 });
const messages = [{ role: "user" as const, content: "hello vertex" }];

describe("vertex service account on Envoy", () => {
  it("one signed token request serves many requests, streamed or not, and the OpenAI-compatible endpoint of the same project", async () => {
    const before = VERTEX_TOKEN_REQUESTS.length;
    mocks.vertex.clear();
    const a = await client("vertex").chat.completions.create({ model: "gpt-4o", messages });
    expect(a.choices[0].message.content).toBe("Echo: hello vertex");
    let text = "";
    for await (const c of await client("vertex").chat.completions.create({ model: "gpt-4o", messages, stream: true })) text += c.choices[0]?.delta?.content ?? "";
    expect(text).toBe("Echo: hello vertex");
    const e = await client("vertex").embeddings.create({ model: "text-embedding-3-small", input: ["a", "b c"] });
    expect(e.data.map((d) => d.index)).toEqual([0, 1]);
    expect(e.usage.total_tokens).toBe(3);
    const o = await client("vertex-openai").chat.completions.create({ model: "gpt-4o", messages });
    expect(o.choices[0].message.content).toBe("Echo: hello vertex");

    const tokens = VERTEX_TOKEN_REQUESTS.slice(before);
    expect(tokens.length).toBe(1);
    expect(tokens[0].ok).toBe(true);
    const claims = tokens[0].claims as Record<string, number | string>;
    expect(claims.iss).toBe("gateway@sluice-test-project.iam.gserviceaccount.com");
    expect(claims.aud).toBe("https://oauth2.googleapis.com/token");
    expect(claims.scope).toBe("https://www.googleapis.com/auth/cloud-platform");
    expect(Number(claims.exp) - Number(claims.iat)).toBe(3600);
    // Vertex saw four requests (and the token endpoint one), all with the same token; the client's key never.
    const seen = mocks.vertex.requests.filter((r) => r.headers.host !== "oauth2.googleapis.com");
    expect(seen.length).toBe(4);
    expect(new Set(seen.map((r) => r.headers.authorization)).size).toBe(1);
    expect(seen[0].headers.authorization).toMatch(/^Bearer ya29\.mock-/);
    expect(seen.map((r) => r.path)).toEqual([
      "/v1/projects/sluice-test-project/locations/us-central1/publishers/google/models/gemini-2.5-flash:generateContent",
      "/v1/projects/sluice-test-project/locations/us-central1/publishers/google/models/gemini-2.5-flash:streamGenerateContent?alt=sse",
      "/v1/projects/sluice-test-project/locations/us-central1/publishers/google/models/text-embedding-005:predict",
      "/v1beta1/projects/sluice-test-project/locations/us-central1/endpoints/openapi/chat/completions",
    ]);
    expect(seen.every((r) => r.status === 200)).toBe(true);
  });

  it("a key Google does not know: the token endpoint refuses it (400 invalid_grant), the client gets a 500, Vertex is never called", async () => {
    const before = VERTEX_TOKEN_REQUESTS.length;
    mocks.vertex.clear();
    const err = await client("vertex-wrongkey").chat.completions.create({ model: "gpt-4o", messages }).then(() => null, (e: { status: number; message: string }) => e);
    expect(err?.status).toBe(500);
    expect(err?.message).toContain("failed to load the access token for provider type 'vertex'");
    expect(VERTEX_TOKEN_REQUESTS.slice(before)).toEqual([{ ok: false, error: "Invalid JWT Signature." }]);
    expect(mocks.vertex.requests.filter((r) => r.headers.host !== "oauth2.googleapis.com")).toEqual([]);
  });

  it("the token endpoint is down: a 500 in OpenAI's shape, Vertex is never called", async () => {
    mocks.vertex.clear();
    const err = await client("vertex-down").chat.completions.create({ model: "gpt-4o", messages }).then(() => null, (e: { status: number; message: string }) => e);
    expect(err?.status).toBe(500);
    expect(err?.message).toContain("failed to load the access token for provider type 'vertex'");
    expect(mocks.vertex.requests).toEqual([]);
  });
});

for (const target of ["envoy", "higress"] as const) {
  describe(`vertex token renewal on the emulator's clock (${target})`, () => {
    it("a token is used until vertexTokenRefreshAhead seconds before it expires, then renewed", async () => {
      vertexMockOptions.expiresIn = 120;
      try {
        const vm = await Emulator.load(pluginWasm("ai-proxy", target), {
          target, pluginName: "ai-proxy",
          config: { provider: vertexStandard("v", { vertexTokenRefreshAhead: 60 }) },
          clusters: { [VERTEX_AUTH_CLUSTER]: `http://127.0.0.1:${mocks.vertex.port}` },
        });
        const answer = { status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify({ candidates: [{ content: { role: "model", parts: [{ text: "ok" }] }, finishReason: "STOP" }], usageMetadata: { promptTokenCount: 1, candidatesTokenCount: 1, totalTokenCount: 2 } }) };
        const send = async () => {
          let auth = "";
          const r = await vm.request({
            path: "/v1/chat/completions", headers: { "content-type": "application/json" },
            body: JSON.stringify({ model: "gpt-4o", messages: [{ role: "user", content: "hi" }] }),
            response: (up: Sent) => { auth = (up.headers ?? []).find(([k]) => k === "authorization")?.[1] ?? ""; return answer; },
          });
          expect(r.status).toBe(200);
          return auth;
        };
        const before = VERTEX_TOKEN_REQUESTS.length;
        const first = await send();
        expect(first).toMatch(/^Bearer ya29\.mock-/);
        vm.advance(30_000);
        expect(await send()).toBe(first); // 90 s left > 60 s ahead
        vm.advance(31_000);
        const renewed = await send(); // 59 s left: renewed
        expect(renewed).toMatch(/^Bearer ya29\.mock-/);
        expect(renewed).not.toBe(first);
        expect(VERTEX_TOKEN_REQUESTS.length - before).toBe(2);
        expect(vm.traps).toEqual([]);
        vm.close();
      } finally {
        vertexMockOptions.expiresIn = 3599;
      }
    });
  });
}
