// Bodies the case table cannot send, on the emulator (both targets): a body ending in trailers,
// bytes that are not UTF-8, 1-byte chunks. Each gets a defined answer and none traps.
import { describe, it, expect } from "vitest";
import { pluginWasm } from "../../../harness/src/index.js";
import { Emulator } from "../../../harness/src/emulator/index.js";

const config = { prepend: [{ role: "system", content: "S" }], replace: [{ pattern: "x+", replacement: "y", regex: true }] };
const WHO = `{"role":"user","content":"xx"}`;

for (const target of ["envoy", "higress"] as const) {
  describe(`ai-prompt-decorator bodies (${target})`, () => {
    const load = () => Emulator.load(pluginWasm("ai-prompt-decorator", target), { target, config, pluginName: "ai-prompt-decorator" });
    const post = (host: Emulator, body: string | Uint8Array, extra: { chunks?: number; trailers?: [string, string][] } = {}) =>
      host.request({ method: "POST", path: "/v1/chat/completions", headers: { "content-type": "application/json" }, body, ...extra });

    it("a body ending in trailers is decorated and the trailers follow it", async () => {
      const host = await load();
      const r = await post(host, `{"messages":[${WHO}]}`, { trailers: [["x-checksum", "1"]] });
      expect(r.upstream!.body.toString()).toBe(`{"messages":[{"role":"system","content":"S"},{"role":"user","content":"y"}]}`);
      expect(r.upstream!.trailers).toContainEqual(["x-checksum", "1"]);
      expect(host.traps).toEqual([]);
    });

    it("bytes that are not UTF-8 inside a string: forwarded unchanged", async () => {
      const host = await load();
      const body = Buffer.concat([Buffer.from(`{"messages":[{"role":"user","content":"a`), Buffer.from([0xff]), Buffer.from(`"}]}`)]);
      const r = await post(host, body);
      expect(r.status).toBe(200);
      expect(Buffer.compare(r.upstream!.body, body)).toBe(0);
      expect(host.traps).toEqual([]);
    });

    it("a body in 1-byte chunks is decorated whole", async () => {
      const host = await load();
      const body = `{"messages":[${WHO}]}`;
      const r = await post(host, body, { chunks: body.length });
      expect(r.upstream!.body.toString()).toBe(`{"messages":[{"role":"system","content":"S"},{"role":"user","content":"y"}]}`);
    });
  });
}
