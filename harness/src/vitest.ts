// Vitest wiring: one Envoy (and its upstreams) per test file, started once and reused.
import { afterAll, beforeAll } from "vitest";
import { Envoy, type EnvoyOptions } from "./envoy.js";
import type { BootstrapSpec } from "./bootstrap.js";

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
