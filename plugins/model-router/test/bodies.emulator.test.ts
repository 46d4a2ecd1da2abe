// Bodies the case table cannot send, on the emulator (both targets): a body ending in trailers,
// a multipart body with binary (non-UTF-8) file bytes, 1-byte chunks, non-UTF-8 JSON. Each gets a
// defined answer and none traps.
import { describe, it, expect } from "vitest";
import { pluginWasm } from "../../../harness/src/index.js";
import { Emulator } from "../../../harness/src/emulator/index.js";

const config = { enableOnPathSuffix: ["*"], modelToHeader: "x-model", addProviderHeader: "x-provider" };
const REQUEST = `{"model":"openai/gpt-4o","messages":[{"role":"user","content":"hi"}]}`;
const SPLIT = `{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}`;
const form = (model: string, file: Buffer) =>
  Buffer.concat([
    Buffer.from(`--b0\r\nContent-Disposition: form-data; name="file"; filename="a.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`),
    file,
    Buffer.from(`\r\n--b0\r\nContent-Disposition: form-data; name="model"\r\n\r\n${model}\r\n--b0--\r\n`),
  ]);

for (const target of ["envoy", "higress"] as const) {
  describe(`model-router bodies (${target})`, () => {
    const load = () => Emulator.load(pluginWasm("model-router", target), { target, config, pluginName: "model-router" });
    const post = (host: Emulator, body: string | Uint8Array, extra: { chunks?: number; trailers?: [string, string][]; contentType?: string } = {}) =>
      host.request({ method: "POST", path: "/v1/x", headers: { "content-type": extra.contentType ?? "application/json" }, body, chunks: extra.chunks, trailers: extra.trailers });

    it("a body ending in trailers is split and the trailers follow it", async () => {
      const host = await load();
      const r = await post(host, REQUEST, { trailers: [["x-checksum", "1"]] });
      expect(r.upstream!.body.toString()).toBe(SPLIT);
      expect(r.upstream!.headers!).toContainEqual(["x-provider", "openai"]);
      expect(r.upstream!.trailers).toContainEqual(["x-checksum", "1"]);
      expect(host.traps).toEqual([]);
    });

    it("multipart with binary file bytes (and a fake delimiter inside): only the model field changes", async () => {
      const host = await load();
      const file = Buffer.concat([Buffer.from([0xff, 0xfe, 0x00, 0xc0]), Buffer.from("\r\n--b0x not a delimiter"), Buffer.from([0x80])]);
      const r = await post(host, form("azure/whisper", file), { contentType: "multipart/form-data; boundary=b0" });
      expect(Buffer.compare(r.upstream!.body, form("whisper", file))).toBe(0);
      expect(r.upstream!.headers!).toContainEqual(["x-provider", "azure"]);
      expect(r.upstream!.headers!).toContainEqual(["x-model", "azure/whisper"]);
      expect(host.traps).toEqual([]);
    });

    it("a body in 1-byte chunks is split whole", async () => {
      const host = await load();
      const r = await post(host, REQUEST, { chunks: REQUEST.length });
      expect(r.upstream!.body.toString()).toBe(SPLIT);
    });

    it("JSON with bytes that are not UTF-8: forwarded unchanged, no header", async () => {
      const host = await load();
      const body = Buffer.concat([Buffer.from(`{"model":"a/b","x":"`), Buffer.from([0xff]), Buffer.from(`"}`)]);
      const r = await post(host, body);
      expect(Buffer.compare(r.upstream!.body, body)).toBe(0);
      expect(r.upstream!.headers!.some(([k]) => k === "x-provider")).toBe(false);
      expect(host.traps).toEqual([]);
    });
  });
}
