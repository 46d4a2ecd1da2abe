// Bodies the case table cannot send, on the emulator (both targets): a body ending in trailers,
// bytes that are not UTF-8, 1-byte chunks. Each gets a defined answer and none traps.
import { describe, it, expect } from "vitest";
import { pluginWasm } from "../../../harness/src/index.js";
import { Emulator } from "../../../harness/src/emulator/index.js";

const config = { templates: [{ name: "t", template: { model: "m", messages: [{ role: "user", content: "hi {{who}}" }] } }] };
const FILLED = `{"model":"m","messages":[{"role":"user","content":"hi \\"you\\""}]}`;
const REQUEST = `{"template":"t","properties":{"who":"\\"you\\""}}`;

for (const target of ["envoy", "higress"] as const) {
  describe(`ai-prompt-template bodies (${target})`, () => {
    const load = () => Emulator.load(pluginWasm("ai-prompt-template", target), { target, config, pluginName: "ai-prompt-template" });
    const post = (host: Emulator, body: string | Uint8Array, extra: { chunks?: number; trailers?: [string, string][] } = {}) =>
      host.request({ method: "POST", path: "/v1/chat/completions", headers: { "content-type": "application/json" }, body, ...extra });

    it("a body ending in trailers is filled and the trailers follow it", async () => {
      const host = await load();
      const r = await post(host, REQUEST, { trailers: [["x-checksum", "1"]] });
      expect(r.upstream!.body.toString()).toBe(FILLED);
      expect(r.upstream!.trailers).toContainEqual(["x-checksum", "1"]);
      expect(host.traps).toEqual([]);
    });

    it("bytes that are not UTF-8 inside a string: forwarded unchanged", async () => {
      const host = await load();
      const body = Buffer.concat([Buffer.from(`{"template":"t","properties":{"who":"`), Buffer.from([0xc0, 0x80]), Buffer.from(`"}}`)]);
      const r = await post(host, body);
      expect(r.status).toBe(200);
      expect(Buffer.compare(r.upstream!.body, body)).toBe(0);
      expect(host.traps).toEqual([]);
    });

    it("a body in 1-byte chunks is filled whole", async () => {
      const host = await load();
      const r = await post(host, REQUEST, { chunks: REQUEST.length });
      expect(r.upstream!.body.toString()).toBe(FILLED);
    });
  });
}
