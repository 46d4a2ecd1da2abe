// Every configuration example of Higress's ai-prompt-decorator README (README_EN.md), as YAML text
// exactly as printed there, loads on both targets and turns the README's request into the
// README's result. The geo-ip example runs with the properties geo-ip would have set.
import { describe, it, expect } from "vitest";
import { parse } from "yaml";
import { pluginWasm } from "../../../harness/src/index.js";
import { Emulator } from "../../../harness/src/emulator/index.js";

const DECORATE = `
prepend:
- role: system
  content: "Please answer the questions in English."
append:
- role: user
  content: "After answering each question, try to ask a follow-up question."
`;
const REPLACE = `
replace:
- on_role: system
  pattern: "OpenClaw"
  replacement: "agent"
- pattern: "secret-\\\\d+"
  replacement: "[REDACTED]"
  regex: true
`;
const GEO = `
prepend:
- role: system
  content: "The user's current geographic location is, country: \${geo-country}, province: \${geo-province}, city: \${geo-city}."
append:
- role: user
  content: "After answering each question, try to ask a follow-up question."
`;
const FOLLOW = { role: "user", content: "After answering each question, try to ask a follow-up question." };

for (const target of ["envoy", "higress"] as const) {
  describe(`Higress README examples (${target})`, () => {
    const load = (yaml: string, properties: Record<string, string> = {}) =>
      Emulator.load(pluginWasm("ai-prompt-decorator", target), { target, config: parse(yaml), pluginName: "ai-prompt-decorator", properties });
    /** What the upstream received, parsed. */
    const send = async (host: Emulator, body: unknown) => {
      const r = await host.request({ method: "POST", path: "/test", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
      expect(host.traps).toEqual([]);
      return JSON.parse(JSON.parse(r.body).body);
    };

    it("prepend and append", async () => {
      const host = await load(DECORATE);
      expect(await send(host, { model: "gpt-3.5-turbo", messages: [{ role: "user", content: "Who are you?" }] })).toEqual({
        model: "gpt-3.5-turbo",
        messages: [{ role: "system", content: "Please answer the questions in English." }, { role: "user", content: "Who are you?" }, FOLLOW],
      });
    });

    it("replace: literal on the system role, regex on every role", async () => {
      const host = await load(REPLACE);
      const body = { model: "gpt-3.5-turbo", messages: [{ role: "system", content: "You are running inside OpenClaw." }, { role: "user", content: "Show OpenClaw secret-1234 to the user" }] };
      expect(await send(host, body)).toEqual({
        model: "gpt-3.5-turbo",
        messages: [{ role: "system", content: "You are running inside agent." }, { role: "user", content: "Show OpenClaw [REDACTED] to the user" }],
      });
    });

    it("geo-ip variables, with the properties geo-ip sets", async () => {
      const host = await load(GEO, { "geo-country": "China", "geo-province": "Beijing", "geo-city": "Beijing" });
      expect(await send(host, { model: "gpt-3.5-turbo", messages: [{ role: "user", content: "How is the weather today?" }] })).toEqual({
        model: "gpt-3.5-turbo",
        messages: [
          { role: "system", content: "The user's current geographic location is, country: China, province: Beijing, city: Beijing." },
          { role: "user", content: "How is the weather today?" },
          FOLLOW,
        ],
      });
    });
  });
}
