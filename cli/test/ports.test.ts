// A port another Envoy holds (with Envoy's default SO_REUSEPORT, where a second Envoy would join
// it and share the traffic silently) is refused by `sluice run` and `npm run demo`, in one line.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Envoy, RecordingUpstream } from "../../harness/src/index.js";
import { buildCli, freePort, repoRoot, sluice } from "./helpers.js";

let upstream: RecordingUpstream;
let envoy: Envoy;
let port: number;

beforeAll(async () => {
  buildCli();
  upstream = await RecordingUpstream.start();
  port = await freePort();
  envoy = await Envoy.start({ plugins: [], routes: [{ name: "default", prefix: "/", cluster: "up" }], clusters: [{ name: "up", port: upstream.port }], listenerPort: port });
}, 60_000);
afterAll(async () => {
  await envoy?.stop();
  await upstream?.stop();
});

describe("a port held by another Envoy", () => {
  it("sluice run: one line, exit 1", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sluice-ports-"));
    writeFileSync(join(dir, "bot.yaml"), "deny: [curl]\n");
    const r = await sluice(["run", "bot-detect", "--config", join(dir, "bot.yaml"), "--upstream", `http://127.0.0.1:${upstream.port}`, "--port", String(port), "--no-build"]);
    rmSync(dir, { recursive: true, force: true });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split("\n")).toEqual([`sluice run: cannot listen on 127.0.0.1:${port}: address already in use`]);
  }, 60_000);

  it("npm run demo: one line, exit 1", async () => {
    const r = await new Promise<{ code: number | null; err: string }>((resolve) => {
      const p = spawn(process.execPath, ["--import", "tsx", join(repoRoot, "harness", "src", "demo.ts")], {
        cwd: repoRoot,
        env: { ...process.env, SLUICE_DEMO_PORT: String(port), DASHSCOPE_API_KEY: "" },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let err = "";
      p.stderr!.on("data", (d) => (err += d));
      p.stdout!.resume();
      p.on("close", (code) => resolve({ code, err }));
    });
    expect(r.code).toBe(1);
    expect(r.err.trim().split("\n")).toEqual([`demo: cannot listen on 127.0.0.1:${port}: address already in use (another gateway? set SLUICE_DEMO_PORT to a free port)`]);
    // The first gateway still answers: nothing joined its port.
    expect((await fetch(`${envoy.url}/x`)).status).toBe(200);
  }, 60_000);
});
