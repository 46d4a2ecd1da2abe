// Vitest wiring: one Envoy (and its upstreams) per test file, started once and reused.
import { afterAll, beforeAll } from "vitest";
import { Envoy, type EnvoyOptions } from "./envoy.js";
import type { BootstrapSpec } from "./bootstrap.js";
import { RecordingUpstream } from "./upstream.js";
import { pluginWasm } from "./tools.js";

export interface EnvoyHandle {
  /** The running Envoy (available inside tests, after beforeAll). */
  readonly envoy: Envoy;
  readonly url: string;
}

/** Starts Envoy before the file's tests and stops it after. `spec` may be built lazily (ports of upstreams started in an earlier beforeAll). */
export function useEnvoy(spec: BootstrapSpec | (() => BootstrapSpec | Promise<BootstrapSpec>), opts: EnvoyOptions = {}): EnvoyHandle {
  let envoy: Envoy | undefined;
  beforeAll(async () => {
    envoy = await Envoy.start(typeof spec === "function" ? await spec() : spec, opts);
    // Name the Envoy that ran this file's tests in the test output.
    console.log(`[sluice] Envoy ${envoy.version} on ${envoy.url}`);
  });
  afterAll(async () => {
    await envoy?.stop();
  });
  return {
    get envoy() {
      if (!envoy) throw new Error("Envoy is not started yet (use it inside a test)");
      return envoy;
    },
    get url() {
      return this.envoy.url;
    },
  };
}

/** A RecordingUpstream started before the file's tests and stopped after; read `port` in a lazy spec or a test. */
export function useRecordingUpstream(): { port: number; server: RecordingUpstream | undefined } {
  const upstream = { port: 0, server: undefined as RecordingUpstream | undefined };
  beforeAll(async () => {
    upstream.server = await RecordingUpstream.start();
    upstream.port = upstream.server.port;
  });
  afterAll(async () => upstream.server?.stop());
  return upstream;
}

/**
 * Envoy with one plugin in front of `upstream`: a `/<name>` prefix route per name in `routes`
 * (for `_match_route_` rules) and a default route.
 */
export function usePluginEnvoy(plugin: string, config: unknown, routes: string[], upstream: { port: number }): EnvoyHandle {
  return useEnvoy(() => ({
    plugins: [{ name: plugin, wasm: pluginWasm(plugin), config }],
    routes: [...routes.map((r) => ({ name: r, prefix: `/${r}`, cluster: "up" })), { name: "default", prefix: "/", cluster: "up" }],
    clusters: [{ name: "up", port: upstream.port }],
  }));
}
