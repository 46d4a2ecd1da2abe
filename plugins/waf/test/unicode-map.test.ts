// The unicode map built into the plugin is the code page 20127 section of ModSecurity's
// unicode.mapping as vendored in third_party/modsecurity (scripts/prebuild-waf.mjs generates the
// module's table from that file at build time). Checked on the built module, both targets: every
// code point U+0000–U+FFFF goes through urlDecodeUni, and the byte it becomes is the section's
// entry, or without one ModSecurity's documented reading (full-width ASCII → ASCII, else the low
// byte). The section is read here with this test's own reading of the file.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it, expect } from "vitest";
import { pluginWasm, repoRoot } from "../../../harness/src/index.js";
import { Emulator } from "../../../harness/src/emulator/index.js";

const VENDORED = join(repoRoot, "third_party", "modsecurity", "unicode.mapping");

/** Code page → (code point → byte), every section of the file. */
function readMapping(text: string): Map<number, Map<number, number>> {
  const pages = new Map<number, Map<number, number>>();
  const lines = text.split("\r\n");
  for (let i = 0; i + 1 < lines.length; i++) {
    const name = /^(\d+)\s+\(/.exec(lines[i]);
    if (!name) continue;
    const page = new Map<number, number>();
    for (const pair of lines[i + 1].split(" ").filter(Boolean)) {
      const [cp, byte] = pair.split(":");
      page.set(parseInt(cp, 16), parseInt(byte, 16));
    }
    pages.set(Number(name[1]), page);
  }
  return pages;
}

const section = readMapping(readFileSync(VENDORED, "latin1")).get(20127)!;

/** What urlDecodeUni makes of %uXXXX: the map's byte, else full-width ASCII → ASCII, else the low byte. */
function expected(cp: number, withMap: boolean): number {
  const mapped = withMap ? section.get(cp) : undefined;
  if (mapped !== undefined) return mapped;
  if (cp >= 0xff01 && cp <= 0xff5e) return cp - 0xfee0;
  return cp & 0xff;
}

const hex2 = (n: number) => n.toString(16).padStart(2, "0");

/** One rule per block of 256 code points: it logs (id 1000 + block) when the block decodes as the file says. */
function config(withMap: boolean) {
  const rules: string[] = [];
  for (let hi = 0; hi < 256; hi++) {
    let want = "";
    for (let lo = 0; lo < 256; lo++) want += hex2(expected((hi << 8) | lo, true));
    rules.push(`SecRule ARGS_POST:b${hex2(hi)} "@streq ${want}" "id:${1000 + hi},phase:2,pass,log,t:none,t:urlDecodeUni,t:hexEncode"`);
  }
  return {
    secRules: [
      "SecRuleEngine On",
      "SecRequestBodyAccess On",
      "SecRequestBodyLimit 13107200",
      ...(withMap ? ["SecUnicodeMapFile unicode.mapping 20127"] : []),
      ...rules,
    ],
  };
}

/** The form body: b00 … bff, each the 256 code points of its block as %uXXXX (the % itself encoded, so the argument holds %uXXXX). */
function body(): string {
  const args: string[] = [];
  for (let hi = 0; hi < 256; hi++) {
    let v = "";
    for (let lo = 0; lo < 256; lo++) v += `%25u${hex2(hi)}${hex2(lo)}`;
    args.push(`b${hex2(hi)}=${v}`);
  }
  return args.join("&");
}

async function matchedBlocks(target: "envoy" | "higress", withMap: boolean): Promise<number[]> {
  const host = await Emulator.load(pluginWasm("waf", target), { target, config: config(withMap), pluginName: "waf" });
  await host.request({ method: "POST", path: "/", headers: { "content-type": "application/x-www-form-urlencoded" }, body: body() });
  expect(host.traps).toEqual([]);
  const ids = new Set<number>();
  for (const l of host.logLines()) for (const m of l.matchAll(/\[id "(\d+)"\]/g)) ids.add(Number(m[1]) - 1000);
  return [...ids].sort((a, b) => a - b);
}

const allBlocks = Array.from({ length: 256 }, (_, i) => i);

for (const target of ["envoy", "higress"] as const) {
  describe(`waf's unicode map (${target})`, () => {
    it("is the 20127 section of the vendored unicode.mapping: every code point decodes as the file says", async () => {
      expect(section.size).toBe(370);
      expect(section.get(0x2019)).toBe(0x27);
      expect(await matchedBlocks(target, true)).toEqual(allBlocks);
    });

    it("without SecUnicodeMapFile, exactly the blocks where the map changes a byte decode differently", async () => {
      const changed = new Set<number>();
      for (const [cp] of section) if (expected(cp, true) !== expected(cp, false)) changed.add(cp >> 8);
      expect(changed.size).toBeGreaterThan(0);
      expect(await matchedBlocks(target, false)).toEqual(allBlocks.filter((b) => !changed.has(b)));
    });
  });
}
