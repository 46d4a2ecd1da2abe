// Both configuration examples of Higress's cache-control README (README_EN.md), as YAML text
// exactly as printed there, load on both targets and add the headers the README describes.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { parse } from "yaml";
import { RecordingUpstream, pluginWasm } from "../../../harness/src/index.js";
import { Emulator } from "../../../harness/src/emulator/index.js";

const IMAGES = `
suffix: jpg|png|jpeg
expires: 3600
`;
const MAX = `
expires: max
`;

let up: RecordingUpstream;
beforeAll(async () => { up = await RecordingUpstream.start(); });
afterAll(async () => up.stop());

describe.each(["envoy", "higress"] as const)("Higress README examples (%s)", (target) => {
  const load = (yaml: string) =>
    Emulator.load(pluginWasm("cache-control", target), { target, config: parse(yaml), pluginName: "cache-control", routes: [{ name: "r", prefix: "/", cluster: "up" }], clusters: { up: `http://127.0.0.1:${up.port}` } });

  it("jpg, png and jpeg cached for an hour", async () => {
    const host = await load(IMAGES);
    for (const path of ["/test.png", "/test.jpg"]) {
      const r = await host.request({ path });
      expect(r.header("cache-control")).toBe("maxAge=3600");
      const at = Date.parse(r.header("expires")!) / 1000, now = Math.floor(Date.now() / 1000);
      expect(at).toBeLessThanOrEqual(now + 3600);
      expect(at).toBeGreaterThanOrEqual(now + 3600 - 120);
    }
    expect((await host.request({ path: "/test.txt" })).header("expires")).toBeUndefined();
    expect(host.traps).toEqual([]);
    host.close();
  });

  it("everything cached until 2037", async () => {
    const host = await load(MAX);
    const r = await host.request({ path: "/any/file.css" });
    expect([r.header("expires"), r.header("cache-control")]).toEqual(["Thu, 31 Dec 2037 23:55:55 GMT", "maxAge=315360000"]);
    expect(host.traps).toEqual([]);
    host.close();
  });
});
