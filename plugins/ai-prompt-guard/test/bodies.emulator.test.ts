// Bodies the case table cannot send, on the emulator (both targets): a body ending in trailers,
// bytes that are not UTF-8, 1-byte chunks, and a body over the SDK's buffer limit. Each gets a
// defined answer and none traps.
import { describe, it, expect } from "vitest";
import { pluginWasm } from "../../../harness/src/index.js";
import { Emulator } from "../../../harness/src/emulator/index.js";

const config = { deny_patterns: ["(?i)hack"] };
const chat = (content: string) => JSON.stringify({ model: "m", messages: [{ role: "user", content }] });

for (const target of ["envoy", "higress"] as const) {
  describe(`ai-prompt-guard bodies (${target})`, () => {
    const load = () => Emulator.load(pluginWasm("ai-prompt-guard", target), { target, config, pluginName: "ai-prompt-guard" });
    const post = (host: Emulator, body: string | Uint8Array, extra: { chunks?: number; trailers?: [string, string][] } = {}) =>
      host.request({ method: "POST", path: "/v1/chat/completions", headers: { "content-type": "application/json" }, body, ...extra });

    it("a body ending in trailers is judged: a denied one never reaches the upstream, a clean one arrives with its trailers", async () => {
      const host = await load();
      const bad = await post(host, chat("hack"), { trailers: [["x-checksum", "1"]] });
      expect(bad.status).toBe(400);
      expect(bad.upstream).toBeNull();
      const ok = await post(host, chat("hello"), { trailers: [["x-checksum", "2"]] });
      expect(ok.status).toBe(200);
      expect(ok.upstream!.body.toString()).toBe(chat("hello"));
      expect(ok.upstream!.trailers).toContainEqual(["x-checksum", "2"]);
      expect(host.traps).toEqual([]);
    });

    it("bytes that are not UTF-8 inside a string are refused", async () => {
      const host = await load();
      const body = Buffer.concat([Buffer.from(`{"messages":[{"role":"user","content":"ha`), Buffer.from([0xff, 0xfe]), Buffer.from(`ck"}]}`)]);
      const r = await post(host, body);
      expect(r.status).toBe(400);
      expect(r.upstream).toBeNull();
      expect(host.traps).toEqual([]);
    });

    it("a body in 1-byte chunks is judged whole", async () => {
      const host = await load();
      const body = chat("please hack");
      const r = await post(host, body, { chunks: body.length });
      expect(r.status).toBe(400);
      expect(r.upstream).toBeNull();
    });

    it("a body over the buffer limit (64 MiB) → 413, never forwarded unjudged", async () => {
      const host = await load();
      const big = chat("x".repeat(64 * 1024 * 1024 + 10));
      const r = await post(host, big, { chunks: 16 });
      expect(r.status).toBe(413);
      expect(r.upstream).toBeNull();
      expect(host.traps).toEqual([]);
    });
  });
}
