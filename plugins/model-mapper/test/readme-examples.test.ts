// The configuration example of Higress's model-mapper README (README_EN.md), as YAML text exactly
// as printed there, loads on both targets and turns the README's request into the README's result.
import { describe, it, expect } from "vitest";
import { parse } from "yaml";
import { pluginWasm } from "../../../harness/src/index.js";
import { Emulator } from "../../../harness/src/emulator/index.js";

const EXAMPLE = `
modelMapping:
  'gpt-4-*': "qwen-max"
  'gpt-4o': "qwen-vl-plus"
  '*': "qwen-turbo"
`;
const request = (model: string) => ({
  model,
  frequency_penalty: 0,
  max_tokens: 800,
  stream: false,
  messages: [{ role: "user", content: "What is the github address of the main repository of the higress project" }],
  presence_penalty: 0,
  temperature: 0.7,
  top_p: 0.95,
});

for (const target of ["envoy", "higress"] as const) {
  describe(`Higress README examples (${target})`, () => {
    it.each([
      ["gpt-4o", "qwen-vl-plus"],
      ["gpt-4-turbo", "qwen-max"],
      ["llama-3", "qwen-turbo"],
    ])("modelMapping: %s → %s", async (from, to) => {
      const host = await Emulator.load(pluginWasm("model-mapper", target), { target, config: parse(EXAMPLE), pluginName: "model-mapper" });
      const r = await host.request({ method: "POST", path: "/v1/chat/completions", headers: { "content-type": "application/json" }, body: JSON.stringify(request(from)) });
      expect(host.traps).toEqual([]);
      expect(JSON.parse(r.upstream!.body.toString())).toEqual(request(to));
    });
  });
}
