// Bodies the case table cannot send, on the emulator (both targets): a body ending in trailers,
// bytes that are not UTF-8, 1-byte chunks, a large body. Each gets a defined answer and none traps.
import { describe, it, expect } from "vitest";
import { pluginWasm } from "../../../harness/src/index.js";
import { Emulator } from "../../../harness/src/emulator/index.js";

const config = { modelMapping: { "gpt-4o": "qwen-vl-plus", "*": "qwen-turbo" } };
const REQUEST = `{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}`;
const MAPPED = `{"model":"qwen-vl-plus","messages":[{"role":"user","content":"hi"}]}`;

for (const target of ["envoy", "higress"] as const) {
  describe(`model-mapper bodies (${target})`, () => {
    const load = () => Emulator.load(pluginWasm("model-mapper", target), { target, config, pluginName: "model-mapper" });
    const post = (host: Emulator, body: string | Uint8Array, extra: { chunks?: number; trailers?: [string, string][] } = {}) =>
      host.request({ method: "POST", path: "/v1/chat/completions", headers: { "content-type": "application/json" }, body, ...extra });

    it("a body ending in trailers is mapped and the trailers follow it", async () => {
      const host = await load();
      const r = await post(host, REQUEST, { trailers: [["x-checksum", "1"]] });
      expect(r.upstream!.body.toString()).toBe(MAPPED);
      expect(r.upstream!.trailers).toContainEqual(["x-checksum", "1"]);
      expect(host.traps).toEqual([]);
    });

    it("bytes that are not UTF-8 inside a string: not valid JSON, forwarded unchanged", async () => {
      const host = await load();
      const body = Buffer.concat([Buffer.from(`{"model":"gpt-4o","x":"`), Buffer.from([0xc0, 0x80, 0xff]), Buffer.from(`"}`)]);
      const r = await post(host, body);
      expect(r.status).toBe(200);
      expect(Buffer.compare(r.upstream!.body, body)).toBe(0);
      expect(r.logs.map((l) => l.message)).toContainEqual(expect.stringContaining("invalid json body"));
      expect(host.traps).toEqual([]);
    });

    it("a body in 1-byte chunks is mapped whole", async () => {
      const host = await load();
      const r = await post(host, REQUEST, { chunks: REQUEST.length });
      expect(r.upstream!.body.toString()).toBe(MAPPED);
    });

    it("a 4 MiB body: only the model's bytes change", async () => {
      const host = await load();
      const filler = "x".repeat(4 << 20);
      const r = await post(host, `{"messages":[{"role":"user","content":"${filler}"}],"model":"o1"}`);
      expect(r.upstream!.body.toString()).toBe(`{"messages":[{"role":"user","content":"${filler}"}],"model":"qwen-turbo"}`);
      expect(host.traps).toEqual([]);
    });
  });
}
