// Every configuration example of Higress's ai-security-guard README (zh, HEAD 4e0d691), as YAML
// text exactly as printed there, loads on both targets and does what the README says, against
// the strict Aliyun mock. The README's last snippet (fallbacks set to []) is a fragment: it is
// merged into the example before it, as the README means it.
import { describe, it, expect, beforeAll, afterAll, beforeEach } from "vitest";
import { parse } from "yaml";
import { pluginWasm } from "../../../harness/src/index.js";
import { Emulator } from "../../../harness/src/emulator/index.js";
import { AliyunGreenMock } from "../../../harness/src/mocks/aliyun-green.js";

const CHECK_INPUT = `
serviceName: safecheck.dns
servicePort: 443
serviceHost: "green-cip.cn-shanghai.aliyuncs.com"
accessKey: "XXXXXXXXX"
secretKey: "XXXXXXXXXXXXXXX"
checkRequest: true
`;
const CHECK_BOTH = `
serviceName: safecheck.dns
servicePort: 443
serviceHost: green-cip.cn-shanghai.aliyuncs.com
accessKey: "XXXXXXXXX"
secretKey: "XXXXXXXXXXXXXXX"
checkRequest: true
checkResponse: true
`;
const STS = `
serviceName: safecheck.dns
servicePort: 443
serviceHost: "green-cip.cn-shanghai.aliyuncs.com"
accessKey: "XXXXXXXXX"
secretKey: "XXXXXXXXXXXXXXX"
securityToken: "XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX"
checkRequest: true
`;
const CONSUMER_SPECIFIC = `
serviceName: safecheck.dns
servicePort: 443
serviceHost: "green-cip.cn-shanghai.aliyuncs.com"
accessKey: "XXXXXXXXX"
secretKey: "XXXXXXXXXXXXXXX"
checkRequest: true
consumerSpecificRequestCheckService:
  consumerA: llm_query_moderation_strict
  consumerB: llm_query_moderation_relaxed
consumerSpecificResponseCheckService:
  consumerA: llm_response_moderation_strict
  consumerB: llm_response_moderation_relaxed
`;
const CUSTOM_SERVICE = `
serviceName: safecheck.dns
servicePort: 443
serviceHost: "green-cip.cn-shanghai.aliyuncs.com"
accessKey: "XXXXXXXXX"
secretKey: "XXXXXXXXXXXXXXX"
checkRequest: true
requestCheckService: llm_query_moderation_01
`;
const ORIGINAL = `
serviceName: safecheck.dns
servicePort: 443
serviceHost: "green-cip.cn-shanghai.aliyuncs.com"
accessKey: "XXXXXXXXX"
secretKey: "XXXXXXXXXXXXXXX"
checkRequest: true
checkResponse: true
requestContentJsonPath: "input.prompt"
responseContentJsonPath: "output.text"
denyCode: 200
denyMessage: "很抱歉，我无法回答您的问题"
protocol: original
`;
const FALLBACKS = `
serviceName: safecheck.dns
servicePort: 443
serviceHost: "green-cip.cn-shanghai.aliyuncs.com"
accessKey: "XXXXXXXXX"
secretKey: "XXXXXXXXXXXXXXX"
checkResponse: true
responseContentJsonPath: "choices.0.message.content"
responseStreamContentJsonPath: "choices.0.delta.content"
responseContentFallbackJsonPaths:
  - "output.text"
  - 'content.#(type=="text")#.text'
responseStreamContentFallbackJsonPaths:
  - "payload.delta"
  - "delta.text"
`;
const STRICT = `
responseContentFallbackJsonPaths: []
responseStreamContentFallbackJsonPaths: []
`;

const CLUSTER = "outbound|443||safecheck.dns";
let green: AliyunGreenMock;
beforeAll(async () => { green = await AliyunGreenMock.start(); });
afterAll(async () => { await green?.stop(); });
beforeEach(() => {
  green.reset();
  green.secrets = { XXXXXXXXX: "XXXXXXXXXXXXXXX" };
  green.extraServices = ["llm_query_moderation_01"];
  green.risk = { high: ["BOMB"] };
  green.riskByService = { llm_query_moderation_01: { high: ["CUSTOM"] } };
});

const chat = (content: string) => JSON.stringify({ model: "m", messages: [{ role: "user", content }] });
const answer = (content: string) => ({ status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify({ choices: [{ index: 0, message: { role: "assistant", content } }] }) });

for (const target of ["envoy", "higress"] as const) {
  describe(`Higress README examples (${target})`, () => {
    const load = (yaml: string, extra: Record<string, unknown> = {}) =>
      Emulator.load(pluginWasm("ai-security-guard", target), { target, config: { ...parse(yaml), ...extra }, routes: [{ name: "r", prefix: "/", cluster: "up" }], pluginName: "ai-security-guard", clusters: { [CLUSTER]: green.url } });
    const post = (host: Emulator, body: string, response = answer("fine")) =>
      host.request({ method: "POST", path: "/v1/chat/completions", headers: { "content-type": "application/json", "x-mse-consumer": "consumerA" }, body, response });

    it("检测输入内容是否合规: checks the prompt only", async () => {
      const host = await load(CHECK_INPUT);
      expect((await post(host, chat("BOMB"))).upstream).toBeNull();
      expect((await post(host, chat("ok"), answer("BOMB"))).body).toContain("BOMB");
      expect(green.calls.map((c) => c.service)).toEqual(["llm_query_moderation", "llm_query_moderation"]);
    });

    it("检测输入与输出是否合规: checks prompt and answer", async () => {
      const host = await load(CHECK_BOTH);
      const r = await post(host, chat("ok"), answer("a BOMB"));
      expect(JSON.parse(r.body).model).toBe("from-security-guard");
      expect(green.calls.map((c) => c.service)).toEqual(["llm_query_moderation", "llm_response_moderation"]);
    });

    it("使用临时安全凭证: sends the STS token", async () => {
      green.tokens = { XXXXXXXXX: "XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX" };
      const host = await load(STS);
      expect((await post(host, chat("BOMB"))).upstream).toBeNull();
      expect(green.calls[0].headers["x-acs-security-token"]).toBe("XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX");
    });

    it("为不同消费者指定不同的检测服务: loads; the consumerSpecific* keys are not read (as in Higress's parser)", async () => {
      const host = await load(CONSUMER_SPECIFIC);
      expect(host.started).toBe(true);
      expect((await post(host, chat("BOMB"))).upstream).toBeNull();
      expect(green.calls[0].service).toBe("llm_query_moderation");
    });

    it("指定自定义内容安全检测服务: uses llm_query_moderation_01", async () => {
      const host = await load(CUSTOM_SERVICE);
      expect((await post(host, chat("CUSTOM"))).upstream).toBeNull();
      expect(green.calls[0].service).toBe("llm_query_moderation_01");
    });

    it("配置非openai协议: input.prompt / output.text, deny body returned as it is", async () => {
      const host = await load(ORIGINAL);
      const r = await host.request({ method: "POST", path: "/api/v1/apps/x/completion", headers: { "content-type": "application/json" }, body: JSON.stringify({ input: { prompt: "BOMB" } }) });
      expect(r.status).toBe(200);
      expect(JSON.parse(r.body)).toEqual({ code: 200, denyMessage: "很抱歉，我无法回答您的问题", blockedDetails: [] });
      const ok = await host.request({ method: "POST", path: "/api/v1/apps/x/completion", headers: { "content-type": "application/json" }, body: JSON.stringify({ input: { prompt: "hi" } }), response: { status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify({ output: { text: "a BOMB" } }) } });
      expect(JSON.parse(ok.body).denyMessage).toBe("很抱歉，我无法回答您的问题");
      expect(green.calls.at(-1)!.content).toBe("a BOMB");
    });

    it("配置响应内容兜底提取路径: fallbacks find output.text and Anthropic text blocks; [] disables them", async () => {
      let host = await load(FALLBACKS);
      let r = await post(host, chat("x"), { status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify({ output: { text: "BOMB" } }) });
      expect(JSON.parse(r.body).model).toBe("from-security-guard");
      const sse = 'data: {"payload":{"delta":"BO"}}\n\ndata: {"payload":{"delta":"MB"}}\n\n';
      r = await post(host, chat("x"), { status: 200, headers: { "content-type": "text/event-stream" }, body: sse });
      expect(r.body).not.toContain("payload");
      expect(green.calls.at(-1)!.content).toBe("BOMB");
      host = await load(FALLBACKS, parse(STRICT));
      green.calls.length = 0;
      r = await post(host, chat("x"), { status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify({ output: { text: "BOMB" } }) });
      expect(r.body).toContain("BOMB");
      expect(green.calls).toHaveLength(0);
    });
  });
}
