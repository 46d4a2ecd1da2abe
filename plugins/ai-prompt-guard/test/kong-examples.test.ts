// Kong's documented example configurations of ai-prompt-guard (developer.konghq.com, "Allow only",
// "Deny only", "Allow and deny") load unchanged on both targets and judge as Kong documents.
import { describe, it, expect } from "vitest";
import { pluginWasm } from "../../../harness/src/index.js";
import { Emulator } from "../../../harness/src/emulator/index.js";

const ALLOW_ONLY = { allow_patterns: [".*\\\"card\\\".*\\\"4[0-9]{3}\\*{12}\\\""] };
const DENY_ONLY = { deny_patterns: ["\\\"card\\\".*\\\"5[0-9]{12}(?:[0-9]{3})?\\\""] };
const ALLOW_AND_DENY = {
  allow_patterns: ["(?i).*what is .*", "(?i).*how do i .*", "(?i).*install .*", "(?i).*configure .*", "(?i).*reset .*", "(?i).*troubleshoot .*"],
  deny_patterns: ["(?i).*bypass.*(login|password|auth).*", "(?i).*hack.*", "(?i).*phish.*", "(?i).*malware.*", "(?i).*cve.*", "(?i).*exploit.*", "(?i).*social engineering.*", "(?i).*pentest.*", "(?i).*impersonate.*", "(?i).*dating.*"],
};
const chat = (content: string) => JSON.stringify({ messages: [{ role: "user", content }] });

for (const target of ["envoy", "higress"] as const) {
  describe(`Kong's examples (${target})`, () => {
    const status = async (config: unknown, content: string) => {
      const host = await Emulator.load(pluginWasm("ai-prompt-guard", target), { target, config, pluginName: "ai-prompt-guard" });
      const r = await host.request({ method: "POST", path: "/v1/chat/completions", headers: { "content-type": "application/json" }, body: chat(content) });
      expect(host.traps).toEqual([]);
      return r.status;
    };

    it("allow only: a masked card number passes, a full one does not", async () => {
      expect(await status(ALLOW_ONLY, `{"card": "4111************"}`)).toBe(200);
      expect(await status(ALLOW_ONLY, `{"card": "4111111111111111"}`)).toBe(400);
    });

    it("deny only: a card number starting with 5 is refused, others pass", async () => {
      expect(await status(DENY_ONLY, `{"card": "5555555555554444"}`)).toBe(400);
      expect(await status(DENY_ONLY, `{"card": "4111111111111111"}`)).toBe(200);
    });

    it("allow and deny: IT questions pass, hacking questions do not, other chat does not", async () => {
      expect(await status(ALLOW_AND_DENY, "How do I reset my password?")).toBe(200);
      expect(await status(ALLOW_AND_DENY, "What is the fastest way to bypass the login?")).toBe(400);
      expect(await status(ALLOW_AND_DENY, "Tell me about dating apps")).toBe(400);
      expect(await status(ALLOW_AND_DENY, "Write a poem")).toBe(400);
    });
  });
}
