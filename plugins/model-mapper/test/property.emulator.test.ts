// model-mapper under random mappings and bodies, on the emulator (both targets), against a
// transcription of Higress's mapping code (main.go's parseConfig and onHttpRequestBody): the
// upstream body is the request with only the model changed, keys in their order.
import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { pluginWasm } from "../../../harness/src/index.js";
import { Emulator } from "../../../harness/src/emulator/index.js";

/** Higress: exact, else the first matching prefix in sorted key order, else `*`; "" keeps. */
function higressTarget(mapping: Record<string, string>, model: string): string {
  const keys = Object.keys(mapping).sort();
  let next = mapping["*"] ?? "";
  if (next === "") next = model;
  const exact = keys.filter((k) => k !== "*" && !k.endsWith("*"));
  if (exact.includes(model)) return mapping[model];
  for (const k of keys) if (k !== "*" && k.endsWith("*") && model.startsWith(k.slice(0, -1))) return mapping[k];
  return next;
}

// A two-letter alphabet, so that exact keys, overlapping prefixes and models collide often.
const name = fc.string({ unit: fc.constantFrom("g", "p"), maxLength: 3 });
const key = fc.oneof({ arbitrary: name, weight: 1 }, { arbitrary: name.map((n) => n + "*"), weight: 3 }, { arbitrary: fc.constant("*"), weight: 1 });
const mapping = fc.dictionary(key, fc.constantFrom("qwen-a", "qwen-b", "qwen-c", ""), { maxKeys: 6 });
const model = fc.string({ unit: fc.constantFrom("g", "p"), maxLength: 4 });
const others = fc.dictionary(fc.string({ maxLength: 8 }).filter((k) => k !== "model" && k !== "__proto__"), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 5 });

for (const target of ["envoy", "higress"] as const) {
  describe(`model-mapper under random input (${target})`, () => {
    it("the upstream body is the request with Higress's mapped model, nothing else changed", async () => {
      await fc.assert(
        fc.asyncProperty(mapping, others, fc.option(model, { nil: undefined, freq: 6 }), fc.nat(4), fc.integer({ min: 0, max: 2 }), async (m, rest, model, at, indent) => {
          const entries = Object.entries(rest);
          if (model !== undefined) entries.splice(Math.min(at, entries.length), 0, ["model", model]);
          const text = JSON.stringify(Object.fromEntries(entries), null, indent);
          const host = await Emulator.load(pluginWasm("model-mapper", target), { target, config: { modelMapping: m }, pluginName: "model-mapper" });
          const r = await host.request({ method: "POST", path: "/v1/chat/completions", headers: { "content-type": "application/json" }, body: text });
          expect(host.traps).toEqual([]);
          host.close();
          const old = model ?? "";
          const next = higressTarget(m, old);
          const sent = r.upstream!.body.toString();
          if (next === "" || next === old) {
            expect(sent).toBe(text);
          } else {
            const want = JSON.parse(text);
            want.model = next;
            expect(JSON.stringify(JSON.parse(sent))).toBe(JSON.stringify(want));
          }
        }),
        { numRuns: 200 },
      );
    });
  });
}
