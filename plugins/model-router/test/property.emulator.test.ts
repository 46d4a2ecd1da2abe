// model-router under random multipart bodies, on the emulator (both targets): only the model
// fields' bytes change (cut after their first '/'), file bytes of any value pass untouched, and
// the headers name the last model field, as Higress's loop over the parts leaves them.
import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { pluginWasm } from "../../../harness/src/index.js";
import { Emulator } from "../../../harness/src/emulator/index.js";

const BOUNDARY = "----sluice7MA4YWxkTrZu0gW";
const config = { enableOnPathSuffix: ["*"], modelToHeader: "x-model", addProviderHeader: "x-provider" };
const modelText = fc.string({ unit: fc.constantFrom("a", "b", "/", "é", "-", "1"), maxLength: 8 });
const part = fc.oneof(
  modelText.map((v) => ({ name: "model", data: Buffer.from(v) })),
  fc.record({ name: fc.constantFrom("file", "prompt", "models", "Model"), data: fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a)) }),
);

function build(parts: { name: string; data: Buffer }[]): Buffer {
  const chunks: Buffer[] = [];
  for (const p of parts) chunks.push(Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="${p.name}"\r\n\r\n`), p.data, Buffer.from("\r\n"));
  chunks.push(Buffer.from(`--${BOUNDARY}--\r\n`));
  return Buffer.concat(chunks);
}

for (const target of ["envoy", "higress"] as const) {
  describe(`model-router under random multipart bodies (${target})`, () => {
    it("only the model fields change; the headers name the last one", async () => {
      const host = await Emulator.load(pluginWasm("model-router", target), { target, config, pluginName: "model-router" });
      await fc.assert(
        fc.asyncProperty(fc.array(part, { maxLength: 5 }), async (parts) => {
          const body = build(parts);
          const r = await host.request({ method: "POST", path: "/v1/images/edits", headers: { "content-type": `multipart/form-data; boundary=${BOUNDARY}` }, body });
          let model: string | undefined;
          let provider: string | undefined;
          const want = parts.map((p) => {
            if (p.name !== "model") return p;
            const v = p.data.toString();
            model = v;
            const slash = v.indexOf("/");
            if (slash < 0) return p;
            provider = v.slice(0, slash);
            return { name: p.name, data: Buffer.from(v.slice(slash + 1)) };
          });
          expect(Buffer.compare(r.upstream!.body, provider === undefined ? body : build(want))).toBe(0);
          const h = Object.fromEntries(r.upstream!.headers!);
          expect(h["x-model"]).toBe(model);
          expect(h["x-provider"]).toBe(provider);
        }),
        { numRuns: 200 },
      );
      expect(host.traps).toEqual([]);
    });
  });
}
