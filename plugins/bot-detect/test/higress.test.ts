// The higress build of bot-detect in the host emulator: the same decision order as in Envoy.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { pluginWasm } from "../../../harness/src/index.js";
import { Emulator } from "../../../harness/src/emulator/index.js";

let host: Emulator;
beforeAll(async () => {
  host = await Emulator.load(pluginWasm("bot-detect", "higress"), {
    target: "higress",
    routes: [{ name: "r", prefix: "/", cluster: "up" }],
    config: { allow: [".*Go-http-client.*"], deny: ["spd-tools.*"], blocked_code: 401, blocked_message: "no bots" },
  });
});
afterAll(() => host?.close());

describe("bot-detect (higress build)", () => {
  it.each([
    ["Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0", 200],
    ["Mozilla/5.0 (compatible; BaiduSpider/2.0)", 401],
    ["Go-http-client/1.1", 200],
    ["spd-tools/2", 401],
    ["", 401],
  ] as const)("%s → %d", async (ua, status) => {
    const r = await host.request({ path: "/", headers: { "user-agent": ua } });
    expect(r.status).toBe(status);
    if (status !== 200) {
      expect(r.body).toBe("no bots");
      expect(r.upstream).toBeNull();
    }
    expect(host.traps).toEqual([]);
  });
});
