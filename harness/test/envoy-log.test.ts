// What a test may rely on when it reads Envoy's log: it arrives through a pipe, after the responses
// it explains, so reading it right after a response usually misses the request's lines. These
// tests pin the two waits the harness provides instead of sleeps.
import { describe, it, expect } from "vitest";
import { http, pluginWasm } from "../src/index.js";
import { useEnvoy, useRecordingUpstream } from "../src/vitest.js";

const up = useRecordingUpstream();
const WORKERS = 2;
const gw = useEnvoy(
  () => ({
    plugins: [
      { name: "request-block", wasm: pluginWasm("request-block"), config: { block_urls: ["blocked"] } },
      { name: "cors", wasm: pluginWasm("cors"), config: { allow_origins: ["*"] } },
    ],
    routes: [{ name: "default", prefix: "/", cluster: "up" }],
    clusters: [{ name: "up", port: up.port }],
  }),
  { concurrency: WORKERS },
);

describe("Envoy's log in tests", () => {
  it("start() returns with every thread's configure line already captured", () => {
    // Envoy configures each plugin once as a canary and once per thread (main + each worker).
    for (const name of ["request-block", "cors"]) {
      const lines = gw.envoy.log.split("\n").filter((l) => l.includes(`wasm log ${name} `) && l.includes("plugin start successfully"));
      expect(lines.length, name).toBe(WORKERS + 2);
    }
  });

  it("settleLog(): the lines of a request that just finished are in the log", async () => {
    for (let i = 0; i < 30; i++) {
      const rid = `settle-${i}`;
      const r = await http(gw.url + "/blocked", { headers: [["x-request-id", rid]] });
      expect(r.status).toBe(403);
      await gw.envoy.settleLog();
      expect(gw.envoy.log, rid).toContain(`[request-block] [nil] [${rid}] request blocked by url rule`);
    }
  });

  it("settleLog() waits for a request still in flight", async () => {
    let answered = false;
    const slow = http(gw.url + "/delay/300").then((r) => {
      answered = true;
      return r;
    });
    for (let i = 0; i < 400 && !up.server!.requests.some((q) => q.path === "/delay/300"); i++) await new Promise((r) => setTimeout(r, 5));
    await gw.envoy.settleLog();
    expect(answered).toBe(true);
    expect((await slow).status).toBe(200);
  });
});
