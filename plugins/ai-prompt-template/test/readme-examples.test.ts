// The configuration example of Higress's ai-prompt-template README (README_EN.md), as YAML text
// exactly as printed there, loads on both targets and turns the README's request into the
// filled template.
import { describe, it, expect } from "vitest";
import { parse } from "yaml";
import { pluginWasm } from "../../../harness/src/index.js";
import { Emulator } from "../../../harness/src/emulator/index.js";

const EXAMPLE = `
templates:
- name: "developer-chat"
  template:
    model: gpt-3.5-turbo
    messages:
    - role: system
      content: "You are a {{program}} expert, in {{language}} programming language."
    - role: user
      content: "Write me a {{program}} program."
`;

for (const target of ["envoy", "higress"] as const) {
  describe(`Higress README examples (${target})`, () => {
    it("developer-chat", async () => {
      const host = await Emulator.load(pluginWasm("ai-prompt-template", target), { target, config: parse(EXAMPLE), pluginName: "ai-prompt-template" });
      const r = await host.request({ method: "POST", path: "/v1/chat/completions", headers: { "content-type": "application/json" }, body: JSON.stringify({ template: "developer-chat", properties: { program: "quick sort", language: "python" } }) });
      expect(host.traps).toEqual([]);
      expect(JSON.parse(JSON.parse(r.body).body)).toEqual({
        model: "gpt-3.5-turbo",
        messages: [
          { role: "system", content: "You are a quick sort expert, in python programming language." },
          { role: "user", content: "Write me a quick sort program." },
        ],
      });
    });
  });
}
