// request-validation on the emulator only: bodies a table row cannot send (bytes that are not
// UTF-8) and what a row cannot observe (the local response's details). The rows are in cases.ts.
import { describe, it, expect } from "vitest";
import { pluginWasm } from "../../../harness/src/index.js";
import { Emulator } from "../../../harness/src/emulator/index.js";

const config = {
  header_schema: { type: "object", properties: { "x-v": { enum: ["1"] } } },
  body_schema: { type: "object", properties: { n: { type: "integer", maximum: 10 }, s: { type: "string", maxLength: 3 } } },
  rejected_msg: "no",
};

for (const target of ["envoy", "higress"] as const) {
  describe(`request-validation on the emulator (${target})`, () => {
    const load = () => Emulator.load(pluginWasm("request-validation", target), { target, config, pluginName: "request-validation" });
    const post = (body: Uint8Array | string, headers: Record<string, string> = {}) =>
      ({ method: "POST", path: "/p", headers: { "content-type": "application/json", ...headers }, body });

    it("names what failed in the local response's details", async () => {
      const host = await load();
      const h = await host.request(post("{}", { "x-v": "2" }));
      expect(h.localResponse?.details).toBe("request-validation.invalid_headers");
      const b = await host.request(post('{"n":11}'));
      expect(b.localResponse?.details).toBe("request-validation.invalid_body");
      expect(b.localResponse?.status).toBe(403);
      expect(host.traps).toEqual([]);
    });

    it("validates a body with invalid UTF-8 as Go does (the bytes become U+FFFD), so a stray byte does not turn validation off", async () => {
      const host = await load();
      const bad = Buffer.concat([Buffer.from('{"s":"a'), Buffer.from([0xff]), Buffer.from('","n":11}')]);
      const r = await host.request(post(bad));
      expect(r.upstream).toBeNull();
      expect(r.localResponse?.status).toBe(403);
      expect(host.logLines().join("\n")).toContain("validate request body failed: /n: 11 is greater than maximum 10");
      const ok = Buffer.concat([Buffer.from('{"s":"a'), Buffer.from([0xff]), Buffer.from('","n":1}')]);
      const r2 = await host.request(post(ok));
      expect(r2.localResponse).toBeFalsy();
      expect(r2.upstream).not.toBeNull();
      expect(host.traps).toEqual([]);
    });

    it("refuses a body nested deeper than the parser goes instead of passing it unvalidated", async () => {
      const host = await load();
      const deep = '{"n":11,"d":' + "[".repeat(200) + "]".repeat(200) + "}";
      const r = await host.request(post(deep));
      expect(r.upstream).toBeNull();
      expect(r.localResponse?.status).toBe(403);
      expect(host.logLines().join("\n")).toContain("validate request body failed: JSON nested too deeply");
      const fine = '{"n":1,"d":' + "[".repeat(100) + "]".repeat(100) + "}";
      expect((await host.request(post(fine))).upstream).not.toBeNull();
      expect(host.traps).toEqual([]);
    });
  });
}
