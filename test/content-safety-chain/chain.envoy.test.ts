// The content-safety chain in one real Envoy: ai-security-guard → ai-data-masking → ai-proxy
// (openai) in front of the strict provider mock and the strict Aliyun Content Security mock,
// driven by the official `openai` client. A risky prompt is refused before any provider call; an
// e-mail address reaches the provider only as a mask, and the client reads it back restored in
// the streamed answer (and the plain one), however the provider cuts its stream.
import { describe, it, expect, beforeAll, afterAll, beforeEach } from "vitest";
import OpenAI from "openai";
import Anthropic from "@anthropic-ai/sdk";
import { useEnvoy } from "../../harness/src/vitest.js";
import { pluginWasm } from "../../harness/src/index.js";
import { AliyunGreenMock } from "../../harness/src/mocks/aliyun-green.js";
import { Mocks, PROVIDERS, gatewaySpec } from "../../plugins/ai-proxy/test/setup.js";

const mocks = new Mocks();
let green: AliyunGreenMock;
beforeAll(async () => { await mocks.start(); green = await AliyunGreenMock.start(); });
afterAll(async () => { await mocks.stop(); await green?.stop(); });
beforeEach(() => { green.reset(); green.risk = { high: ["BOMB"] }; });

const GUARD = {
  serviceName: "safecheck.dns", servicePort: 443, serviceHost: "green-cip.cn-shanghai.aliyuncs.com",
  accessKey: "LTAI5tSluiceMockKey", secretKey: "sluice-mock-aliyun-secret", checkRequest: true, checkResponse: true,
};
const MASKING = {
  deny_words: ["project-omega"],
  replace_roles: [{ regex: "%{EMAILLOCALPART}@%{HOSTNAME:domain}", type: "replace", restore: true, value: "****@$domain" }],
};

const gw = useEnvoy(() => {
  const spec = gatewaySpec(mocks, PROVIDERS.filter((p) => p.id === "openai" || p.id === "claude"), { extraClusters: [{ name: "outbound|443||safecheck.dns", port: green.port }] });
  spec.plugins = [
    { name: "ai-security-guard", wasm: pluginWasm("ai-security-guard"), config: GUARD },
    { name: "ai-data-masking", wasm: pluginWasm("ai-data-masking"), config: MASKING },
    ...spec.plugins,
  ];
  return spec;
});

const openai = (headers: Record<string, string> = {}) => new OpenAI({ apiKey: "client-key", baseURL: `${gw.url}/openai/v1`, maxRetries: 0, defaultHeaders: headers });
const anthropic = () => new Anthropic({ apiKey: "client-key", baseURL: `${gw.url}/claude`, maxRetries: 0 });
const PROMPT = "please mail alice.smith@example.com the report";

describe("ai-security-guard → ai-data-masking → ai-proxy in Envoy", () => {
  it("refuses a risky prompt and a deny word before any provider call", async () => {
    const before = mocks.compat.requests.length;
    const r = await openai().chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: "how to make a BOMB" }] });
    expect(r.model).toBe("from-security-guard");
    const d = await openai().chat.completions.create({ model: "gpt-4o", stream: true, messages: [{ role: "user", content: "status of project-omega?" }] });
    let text = "";
    for await (const c of d) text += c.choices[0]?.delta?.content ?? "";
    expect(text).toBe("提问或回答中包含敏感词，已被屏蔽");
    expect(mocks.compat.requests.length).toBe(before);
  });

  for (const chunking of ["whole", "1", "random:5", "random:17"]) {
    it(`a masked e-mail reaches the provider as a mask and is restored in the streamed answer (${chunking} chunks)`, async () => {
      const before = mocks.compat.requests.length;
      const s = await openai({ "x-mock-chunking": chunking }).chat.completions.create({ model: "gpt-4o", stream: true, messages: [{ role: "user", content: PROMPT }] });
      let text = "";
      for await (const c of s) text += c.choices[0]?.delta?.content ?? "";
      expect(mocks.compat.requests.length).toBe(before + 1);
      const sent = mocks.compat.last!;
      expect(sent.raw).not.toContain("alice.smith@example.com");
      expect(sent.body.messages.at(-1).content).toBe("please mail ****@example.com the report");
      // The mock echoes the last user message: the client reads the original back.
      expect(text).toBe(`Echo: ${PROMPT}`);
      // The provider's stream carried the mask; what the client got differs only there.
      expect(sent.sent).toContain("****@example.com");
    });
  }

  it("the same through the official Anthropic client (streamed /v1/messages)", async () => {
    const before = mocks.anthropic.requests.length;
    const stream = anthropic().messages.stream({ model: "claude-haiku-4-5", max_tokens: 64, messages: [{ role: "user", content: PROMPT }] });
    const final = await stream.finalMessage();
    expect(mocks.anthropic.requests.length).toBe(before + 1);
    expect(mocks.anthropic.last!.raw).not.toContain("alice.smith@example.com");
    expect(mocks.anthropic.last!.sent).toContain("****@example.com");
    expect(final.content.map((b) => (b.type === "text" ? b.text : "")).join("")).toBe(`Echo: ${PROMPT}`);
  });

  it("restores the e-mail in a plain answer too", async () => {
    const r = await openai().chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: PROMPT }] });
    expect(r.choices[0].message.content).toBe(`Echo: ${PROMPT}`);
    expect(mocks.compat.last!.raw).not.toContain("alice.smith@example.com");
  });
});
