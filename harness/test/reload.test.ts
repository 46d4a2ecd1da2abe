// The launcher's reloadable plugins (what `sluice run` relies on): a new configuration is applied in
// place, a refused one leaves the previous one running and says why, an identical one is not sent;
// a plugin that refuses its first configuration fails start() with the plugin's reason; a fixed
// listener port that is taken fails start() before Envoy runs.
import { describe, it, expect, afterAll } from "vitest";
import { createServer, type AddressInfo } from "node:net";
import { Envoy, EnvoyStartError, http, pluginWasm, type BootstrapSpec } from "../src/index.js";
import { useRecordingUpstream } from "../src/vitest.js";

const up = useRecordingUpstream();
const spec = (config: unknown, listenerPort = 0): BootstrapSpec => ({
  plugins: [{ name: "request-block", wasm: pluginWasm("request-block"), config, reloadable: true }],
  routes: [{ name: "default", prefix: "/", cluster: "up" }],
  clusters: [{ name: "up", port: up.port }],
  listenerPort,
});

/** Envoy hands a new filter config to its worker just after it counts the update: poll, bounded. */
async function statusOf(url: string, want: number): Promise<number> {
  let status = 0;
  for (let i = 0; i < 50 && status !== want; i++) {
    if (i) await new Promise((r) => setTimeout(r, 20));
    status = (await http(url)).status;
  }
  return status;
}

describe("reloadable plugin", () => {
  let envoy: Envoy | undefined;
  afterAll(async () => envoy?.stop());

  it("applies a new configuration in place, keeps the previous one when the plugin refuses it", async () => {
    envoy = await Envoy.start(spec({ block_urls: ["first"] }));
    expect((await http(`${envoy.url}/first`)).status).toBe(403);
    expect((await http(`${envoy.url}/second`)).status).toBe(200);

    const applied = await envoy.reconfigure("request-block", { config: { block_urls: ["second"] } });
    expect(applied).toEqual({ outcome: "applied", version: 2 });
    expect(await statusOf(`${envoy.url}/second`, 403)).toBe(403);
    expect((await http(`${envoy.url}/first`)).status).toBe(200);

    const refused = await envoy.reconfigure("request-block", { config: { blocked_code: 403 } });
    expect(refused.outcome).toBe("refused");
    expect(refused.error).toContain("there is no block rules");
    expect((await http(`${envoy.url}/second`)).status).toBe(403);

    // What Envoy runs already: nothing is published.
    expect(await envoy.reconfigure("request-block", { config: { block_urls: ["second"] }, wasm: pluginWasm("request-block") })).toEqual({ outcome: "unchanged", version: 3 });
  }, 60_000);
});

describe("start failures a caller can explain", () => {
  it("a refused first configuration: reason 'refused' with the plugin's own error", async () => {
    const e = await Envoy.start(spec({ blocked_code: 403 }), { allowStartFailure: true }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(EnvoyStartError);
    expect((e as EnvoyStartError).reason).toBe("refused");
    expect((e as EnvoyStartError).detail).toContain("there is no block rules");
  }, 60_000);

  it("a taken listener port: reason 'port', before Envoy runs", async () => {
    const busy = createServer();
    await new Promise<void>((r) => busy.listen(0, "127.0.0.1", r));
    const port = (busy.address() as AddressInfo).port;
    try {
      const e = await Envoy.start(spec({ block_urls: ["x"] }, port)).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(EnvoyStartError);
      expect((e as EnvoyStartError).reason).toBe("port");
      expect((e as EnvoyStartError).message).toBe(`cannot listen on 127.0.0.1:${port}: address already in use`);
    } finally {
      busy.close();
    }
  }, 30_000);
});
