// ai_log written twice in one request (sdk/ai/log.ts): the second write reads back what the first
// stored — JSON escaped once — and merges into it. Whatever a logged value holds (quotes,
// backslashes, controls, lone surrogates, U+2028, any code point) must read back exactly, and
// text another plugin or Higress stored first (escaped its own way) must be kept. Both targets.
import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { testPluginWasm } from "../../harness/src/tools.js";
import { Emulator } from "../../harness/src/emulator/index.js";

/** The property's text: JSON escaped once (Higress's access-log form) → the object. */
const stored = (text: string) => JSON.parse(JSON.parse(`"${text}"`));

for (const target of ["envoy", "higress"] as const) {
  describe(`ai_log read back and merged (${target})`, () => {
    const load = () => Emulator.load(testPluginWasm("sdk-probe", target), { target, config: {}, pluginName: "sdk-probe" });
    const write = async (host: Emulator, a: string, b: string, pre?: string) => {
      const headers: Record<string, string> = { "x-probe-log-a": JSON.stringify(a), "x-probe-log-b": JSON.stringify(b) };
      if (pre !== undefined) headers["x-probe-log-pre"] = pre;
      const r = await host.request({ path: "/ai-log", headers });
      expect(r.status).toBe(200);
      return r.body;
    };
    // Header values are ASCII here: the literals carry every other character as \u escapes.
    const ascii = (s: string) => s.replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
    const writeEscaped = async (host: Emulator, a: string, b: string, pre?: string) => {
      const headers: Record<string, string> = { "x-probe-log-a": ascii(JSON.stringify(a)), "x-probe-log-b": ascii(JSON.stringify(b)) };
      if (pre !== undefined) headers["x-probe-log-pre"] = pre;
      const r = await host.request({ path: "/ai-log", headers });
      expect(r.status).toBe(200);
      return r.body;
    };

    it("any first value survives the second write exactly", async () => {
      const host = await load();
      const value = fc.oneof(
        fc.string({ unit: "binary", maxLength: 40 }),
        fc.constantFrom('"', "\\", '\\"', '\\\\"', "\n\r\t\b\f\u0000\u001f", "\ud800", "\udc00x", "\u2028\u2029", "é漢😀", '{"json":"inside"}', "\\u0041"),
      );
      await fc.assert(fc.asyncProperty(value, value, async (a, b) => {
        const got = stored(await writeEscaped(host, a, b));
        // Lone surrogates are not text: the writer keeps them as \u escapes, so they come back as they were.
        expect(got).toEqual({ a, b });
      }), { numRuns: 400 });
      expect(host.traps).toEqual([]);
    });

    it("keeps what another plugin stored first, escaped by us or by Higress (Go's \\u003c for <), and plain JSON", async () => {
      const host = await load();
      // Ours: only \" and \\ escapes.
      expect(stored(await write(host, "x", "y", '{\\"status\\":\\"limited\\",\\"path\\":\\"C:\\\\\\\\tmp\\"}'))).toEqual({ status: "limited", path: "C:\\tmp", a: "x", b: "y" });
      // Higress's (Go's encoder escapes <, > and & inside the escaped text).
      expect(stored(await write(host, "x", "y", '{\\"model\\":\\"\\u003cm\\u003e \\u0026\\",\\"n\\":1}'))).toEqual({ model: "<m> &", n: 1, a: "x", b: "y" });
      // Plain JSON (not escaped at all).
      expect(stored(await write(host, "x", "y", '{"model":"m"}'))).toEqual({ model: "m", a: "x", b: "y" });
      // Not an object, or not JSON: replaced by ours.
      for (const pre of ['[1,2]', '\\"just text\\"', "not json", '{\\"a\\":', '\\\\\\"']) expect(stored(await write(host, "x", "y", pre)), pre).toEqual({ a: "x", b: "y" });
      // Our later keys win over the stored ones.
      expect(stored(await write(host, "x", "y", '{\\"a\\":\\"old\\",\\"c\\":true}'))).toEqual({ a: "x", c: true, b: "y" });
      expect(host.traps).toEqual([]);
    });
  });
}
