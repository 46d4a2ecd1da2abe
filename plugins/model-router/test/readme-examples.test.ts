// The configuration examples of Higress's model-router README (README.md; README_EN.md has the
// first two), as YAML text exactly as printed there, load on both targets and do what the README
// says to the README's request.
import { describe, it, expect } from "vitest";
import { parse } from "yaml";
import { pluginWasm } from "../../../harness/src/index.js";
import { Emulator } from "../../../harness/src/emulator/index.js";

const MODEL_TO_HEADER = `
modelToHeader: x-higress-llm-model
`;
const ADD_PROVIDER_HEADER = `
addProviderHeader: x-higress-llm-provider
`;
const AUTO_ROUTING = `
autoRouting:
  enable: true
  defaultModel: "qwen-turbo"
  rules:
    - pattern: "(?i)(画|绘|生成图|图片|image|draw|paint)"
      model: "qwen-vl-max"
    - pattern: "(?i)(代码|编程|code|program|function|debug)"
      model: "qwen-coder"
    - pattern: "(?i)(翻译|translate|translation)"
      model: "qwen-turbo"
    - pattern: "(?i)(数学|计算|math|calculate)"
      model: "qwen-math"
`;
const request = (model: string, content = "higress项目主仓库的github地址是什么") => ({
  model,
  frequency_penalty: 0,
  max_tokens: 800,
  stream: false,
  messages: [{ role: "user", content }],
  presence_penalty: 0,
  temperature: 0.7,
  top_p: 0.95,
});

for (const target of ["envoy", "higress"] as const) {
  describe(`Higress README examples (${target})`, () => {
    const send = async (yaml: string, body: unknown) => {
      const host = await Emulator.load(pluginWasm("model-router", target), { target, config: parse(yaml), pluginName: "model-router" });
      const r = await host.request({ method: "POST", path: "/v1/chat/completions", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
      expect(host.traps).toEqual([]);
      const headers = Object.fromEntries(r.upstream!.headers!);
      return { headers, body: JSON.parse(r.upstream!.body.toString()) };
    };

    it("modelToHeader: x-higress-llm-model: qwen-long", async () => {
      const r = await send(MODEL_TO_HEADER, request("qwen-long"));
      expect(r.headers["x-higress-llm-model"]).toBe("qwen-long");
      expect(r.body).toEqual(request("qwen-long"));
    });

    it("addProviderHeader: x-higress-llm-provider: dashscope, model qwen-long", async () => {
      const r = await send(ADD_PROVIDER_HEADER, request("dashscope/qwen-long"));
      expect(r.headers["x-higress-llm-provider"]).toBe("dashscope");
      expect(r.body).toEqual(request("qwen-long"));
    });

    it.each([
      ["帮我画一只猫", "qwen-vl-max"],
      ["help me debug this function", "qwen-coder"],
      ["计算 1+1", "qwen-math"],
      ["你好", "qwen-turbo"],
    ])("autoRouting: %s → %s", async (content, model) => {
      const r = await send(AUTO_ROUTING, request("higress/auto", content));
      expect(r.headers["x-higress-llm-model"]).toBe(model);
      expect(r.body).toEqual(request(model, content));
    });
  });
}
