// sluice run <plugin> --config <file> --upstream <url>: one Envoy (through func-e) with the plugin
// in front of the upstream. The plugin's filter config is an ECDS resource read from a watched
// directory, so editing the config file (or rebuilding the plugin) swaps the filter config in
// place: no hot restart, no listener drain, open keep-alive connections keep working.
import { spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync, unwatchFile, watchFile, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { portProblem } from "../../../harness/src/port-check.js";
import { readPluginConfig } from "../config.js";
import { CliError } from "../errors.js";
import { type Workspace, pluginDir, toolVersions } from "../workspace.js";
import { buildPlugins } from "./build.js";

export interface RunOptions {
  config: string;
  upstream: string;
  port: number;
  host: string;
  adminPort: number;
  logLevel: string;
  pluginLogLevel: string;
  build: boolean;
  /** PEM file of the CAs an https upstream's certificate must chain to (default: the system's). */
  upstreamCa?: string;
  /** Show the plugin's log lines (at --plugin-log-level). */
  logs?: boolean;
  /** Skip verifying an https upstream's certificate (explicit opt-out, for self-signed test servers). */
  upstreamInsecure?: boolean;
}

/** Where distributions keep the system CA bundle (Debian/Ubuntu, RHEL/Fedora, Alpine/macOS, SUSE). */
const SYSTEM_CA_BUNDLES = [
  "/etc/ssl/certs/ca-certificates.crt",
  "/etc/pki/tls/certs/ca-bundle.crt",
  "/etc/ssl/cert.pem",
  "/etc/ssl/ca-bundle.pem",
];

/** The CA file Envoy verifies an https upstream against, or undefined when verification is off. */
export function upstreamTrust(o: Pick<RunOptions, "upstreamCa" | "upstreamInsecure">, bundles = SYSTEM_CA_BUNDLES): string | undefined {
  if (o.upstreamInsecure) {
    if (o.upstreamCa) throw new CliError("--upstream-ca and --upstream-insecure contradict each other; pass one", 2);
    return undefined;
  }
  if (o.upstreamCa) {
    const f = resolve(o.upstreamCa);
    if (!existsSync(f)) throw new CliError(`--upstream-ca ${o.upstreamCa}: no such file`, 2);
    return f;
  }
  const found = bundles.find((b) => existsSync(b));
  if (!found) throw new CliError(`no system CA bundle found (looked in ${bundles.join(", ")}); pass --upstream-ca <file>, or --upstream-insecure to skip verification`);
  return found;
}

const FILTER_NAME = "sluice.plugin";
const WASM_TYPE = "type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm";

interface Upstream {
  host: string;
  port: number;
  tls: boolean;
  isIp: boolean;
}

export function parseUpstream(text: string): Upstream {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw new CliError(`--upstream '${text}' is not a URL (e.g. http://127.0.0.1:8080)`, 2);
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") throw new CliError(`--upstream '${text}' must be an http:// or https:// URL`, 2);
  const host = u.hostname.replace(/^\[|\]$/g, "");
  const tls = u.protocol === "https:";
  return { host, port: u.port ? Number(u.port) : tls ? 443 : 80, tls, isIp: /^[\d.]+$|:/.test(host) };
}

function ecdsResource(plugin: string, wasm: string, config: string, version: number): string {
  return JSON.stringify({
    version_info: String(version),
    resources: [{
      "@type": "type.googleapis.com/envoy.config.core.v3.TypedExtensionConfig",
      name: FILTER_NAME,
      typed_config: {
        "@type": WASM_TYPE,
        config: {
          name: plugin,
          root_id: plugin,
          vm_config: { vm_id: plugin, runtime: "envoy.wasm.runtime.v8", code: { local: { filename: wasm } } },
          configuration: { "@type": "type.googleapis.com/google.protobuf.StringValue", value: config },
          failure_policy: "FAIL_CLOSED",
          allow_on_headers_stop_iteration: true,
        },
      },
    }],
  }, null, 2);
}

function bootstrap(o: RunOptions, up: Upstream, xdsDir: string, trust: string | undefined): unknown {
  const cluster: Record<string, unknown> = {
    name: "upstream",
    type: up.isIp ? "STATIC" : "STRICT_DNS",
    connect_timeout: "2s",
    load_assignment: {
      cluster_name: "upstream",
      endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: up.host, port_value: up.port } } } }] }],
    },
  };
  if (up.tls) {
    const tls: Record<string, unknown> = { "@type": "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext", sni: up.host };
    // Without a validation context Envoy accepts any certificate; verify chain and name by default.
    if (trust) {
      tls.common_tls_context = {
        validation_context: {
          trusted_ca: { filename: trust },
          match_typed_subject_alt_names: [{ san_type: up.isIp ? "IP_ADDRESS" : "DNS", matcher: { exact: up.host } }],
        },
      };
    }
    cluster.transport_socket = { name: "envoy.transport_sockets.tls", typed_config: tls };
  }
  return {
    node: { id: "sluice-run", cluster: "sluice" },
    admin: { address: { socket_address: { address: "127.0.0.1", port_value: o.adminPort } } },
    static_resources: {
      listeners: [{
        name: "main",
        address: { socket_address: { address: o.host, port_value: o.port } },
        // Envoy's default SO_REUSEPORT would let a second gateway share the port silently.
        enable_reuse_port: false,
        filter_chains: [{ filters: [{
          name: "envoy.filters.network.http_connection_manager",
          typed_config: {
            "@type": "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager",
            stat_prefix: "sluice",
            route_config: { name: "local", virtual_hosts: [{ name: "all", domains: ["*"], routes: [{ name: "default", match: { prefix: "/" }, route: { cluster: "upstream", timeout: "60s", ...(up.isIp ? {} : { auto_host_rewrite: true }) } }] }] },
            http_filters: [
              {
                name: FILTER_NAME,
                config_discovery: {
                  config_source: { path_config_source: { path: join(xdsDir, "plugin.json"), watched_directory: { path: xdsDir } }, resource_api_version: "V3" },
                  type_urls: [WASM_TYPE],
                },
              },
              { name: "envoy.filters.http.router", typed_config: { "@type": "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router" } },
            ],
          },
        }] }],
      }],
      clusters: [cluster],
    },
  };
}

/** Fails when something already listens on host:port (the harness's check, shared with the demo). */
export async function ensurePortFree(host: string, port: number): Promise<void> {
  const why = await portProblem(host, port);
  if (why) throw new CliError(`cannot listen on ${host}:${port}: ${why}`);
}

/**
 * What of Envoy's output reaches the terminal: the plugin's own log lines with --logs (its errors
 * always), Envoy's own lines at --log-level, but not Envoy's wasm housekeeping (VM creation,
 * per-stream debug lines) that the wasm component level would otherwise let through.
 */
export function showLine(line: string, o: Pick<RunOptions, "logs" | "logLevel">): boolean {
  const m = /\]\[(trace|debug|info|warning|error|critical)\]\[(\w+)\]/.exec(line);
  if (!m) return line.trim().length > 0;
  const [, level, component] = m;
  if (component === "wasm" && / wasm log /.test(line)) return o.logs || level === "error" || level === "critical";
  if (component === "wasm" && ["trace", "debug", "info"].includes(level)) return o.logLevel === "trace" || o.logLevel === "debug";
  return true;
}

/** The plugin's own error line (what it logged before refusing its configuration). */
export function pluginError(log: string): string | undefined {
  const lines = log.split("\n").filter((l) => /\]\[(error|critical)\]\[wasm\].*wasm log/.test(l) && !/plugin start failed/.test(l));
  const m = lines.length ? /wasm log[^:]*: (?:\[[^\]]*\] ){3}(.*)$/.exec(lines[0]) : null;
  return m?.[1] ?? lines[0]?.replace(/^.*wasm log[^:]*: /, "");
}

/** Envoy's ECDS counters for the plugin filter: they say whether an update was applied or refused. */
async function ecdsCounters(adminUrl: string): Promise<{ success: number; rejected: number }> {
  const text = await (await fetch(`${adminUrl}/stats?filter=${encodeURIComponent(`extension_config_discovery\\..*${FILTER_NAME.replace(".", "\\.")}\\.update_(success|rejected)`)}`)).text();
  const get = (k: string) => Number(new RegExp(`\\.${k}: (\\d+)`).exec(text)?.[1] ?? 0);
  return { success: get("update_success"), rejected: get("update_rejected") };
}

export async function run(ws: Workspace, plugin: string, o: RunOptions): Promise<void> {
  const dir = pluginDir(ws, plugin);
  if (!o.config) throw new CliError("run needs --config <file> (YAML or JSON plugin configuration)", 2);
  if (!o.upstream) throw new CliError("run needs --upstream <url> (e.g. http://127.0.0.1:8080)", 2);
  const configFile = resolve(o.config);
  let config = readPluginConfig(configFile);
  const up = parseUpstream(o.upstream);
  const trust = up.tls ? upstreamTrust(o) : undefined;
  const versions = toolVersions(ws);
  const tools = join(ws.toolsRoot ?? ws.root, ".tools");
  const funcE = join(tools, "bin", "func-e");
  const dataHome = join(tools, "func-e");
  const envoyVersion = versions.ENVOY_VERSION;
  if (!envoyVersion || !existsSync(funcE) || !existsSync(join(dataHome, "envoy-versions", envoyVersion, "bin", "envoy"))) {
    throw new CliError(`func-e or Envoy ${envoyVersion ?? "?"} is missing under ${tools}: run 'npm run bootstrap' in the Sluice checkout first`);
  }
  await ensurePortFree(o.host, o.port);
  const wasmPath = join(dir, "build", "envoy.wasm");
  if (o.build) await buildPlugins(ws, [plugin], ["envoy"]);
  else if (!existsSync(wasmPath)) throw new CliError(`${wasmPath} does not exist: run 'sluice build ${plugin}' first (or drop --no-build)`);

  const work = mkdtempSync(join(tmpdir(), "sluice-run-"));
  const xdsDir = join(work, "xds");
  mkdirSync(xdsDir);
  let version = 1;
  // The module is copied under its digest: a rebuilt plugin is a new file, hence a new config.
  const stageWasm = (): string => {
    const data = readFileSync(wasmPath);
    const p = join(work, `${plugin}-${createHash("sha256").update(data).digest("hex").slice(0, 12)}.wasm`);
    if (!existsSync(p)) copyFileSync(wasmPath, p);
    return p;
  };
  let stagedWasm = stageWasm();
  // Envoy watches the directory for a rename onto plugin.json: write aside, then rename.
  const publish = () => {
    const tmp = join(xdsDir, `.plugin.${version}.tmp`);
    writeFileSync(tmp, ecdsResource(plugin, stagedWasm, config, version));
    renameSync(tmp, join(xdsDir, "plugin.json"));
  };
  publish();
  const bootPath = join(work, "envoy.json");
  writeFileSync(bootPath, JSON.stringify(bootstrap(o, up, xdsDir, trust), null, 2));
  const adminPath = join(work, "admin-address.txt");

  const proc: ChildProcess = spawn(funcE, [
    "run", "-c", bootPath,
    "--admin-address-path", adminPath,
    "--use-dynamic-base-id",
    "--concurrency", "1",
    "--log-level", o.logLevel,
    "--component-log-level", `wasm:${o.pluginLogLevel}`,
  ], {
    cwd: work,
    env: {
      ...process.env,
      ENVOY_VERSION: envoyVersion,
      FUNC_E_HOME: "",
      FUNC_E_DATA_HOME: dataHome,
      FUNC_E_STATE_HOME: join(work, "state"),
      FUNC_E_RUNTIME_DIR: join(work, "run"),
      FUNC_E_CONFIG_HOME: join(work, "config"),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  let partial = "";
  const stream = (d: Buffer) => {
    const s = d.toString();
    log += s;
    if (log.length > 4_000_000) log = log.slice(-2_000_000);
    const lines = (partial + s).split("\n");
    partial = lines.pop() ?? "";
    for (const l of lines) if (showLine(l, o)) process.stderr.write(l + "\n");
  };
  proc.stdout!.on("data", stream);
  proc.stderr!.on("data", stream);
  const exited = new Promise<number | null>((res) => proc.on("exit", (code) => res(code)));
  let adminUrl = "";
  let stopping = false;

  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    unwatchFile(configFile);
    unwatchFile(wasmPath);
    if (proc.exitCode === null && proc.signalCode === null) {
      if (adminUrl) await fetch(`${adminUrl}/quitquitquit`, { method: "POST" }).catch(() => undefined);
      else proc.kill("SIGTERM");
      const timer = setTimeout(() => proc.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(work, { recursive: true, force: true });
    process.exit(code);
  };
  process.on("SIGINT", () => void stop(0));
  process.on("SIGTERM", () => void stop(0));

  // Wait for the admin API, then for the listener (it waits for the plugin's first config).
  let port = 0;
  const deadline = Date.now() + 60_000;
  try {
    while (!port) {
      if (/cannot bind|Address already in use/.test(log)) throw new CliError(`cannot listen on ${o.host}:${o.port}: address already in use`);
      if (proc.exitCode !== null || proc.signalCode !== null) {
        await new Promise((r) => setTimeout(r, 300)); // let the last log lines arrive
        if (/cannot bind|Address already in use/.test(log)) throw new CliError(`cannot listen on ${o.host}:${o.port}: address already in use`);
        throw new CliError(`Envoy exited during startup (code ${proc.exitCode ?? proc.signalCode}); see its log above`);
      }
      if (/config update rejected/.test(log)) {
        throw new CliError(`the plugin refused the configuration in ${o.config}: ${pluginError(log) ?? "see the Envoy log above"}`);
      }
      if (Date.now() > deadline) throw new CliError("Envoy did not become ready within 60 s; see its log above");
      if (!adminUrl && existsSync(adminPath)) {
        const a = readFileSync(adminPath, "utf8").trim();
        if (a) adminUrl = `http://${a}`;
      }
      if (adminUrl && (await ecdsCounters(adminUrl).catch(() => ({ rejected: 0 }))).rejected > 0) {
        await new Promise((r) => setTimeout(r, 300)); // the plugin's error line comes through func-e
        throw new CliError(`the plugin refused the configuration in ${o.config}: ${pluginError(log) ?? "see the Envoy log above"}`);
      }
      if (adminUrl) {
        try {
          const ready = await fetch(`${adminUrl}/ready`);
          if (ready.status === 200) {
            const j = (await (await fetch(`${adminUrl}/listeners?format=json`)).json()) as { listener_statuses?: { name: string; local_address?: { socket_address?: { port_value?: number } } }[] };
            port = j.listener_statuses?.find((l) => l.name === "main")?.local_address?.socket_address?.port_value ?? 0;
          }
        } catch {
          /* not up yet */
        }
      }
      if (!port) await new Promise((r) => setTimeout(r, 100));
    }
  } catch (e) {
    const msg = e instanceof CliError ? e.message : (e as Error).message;
    console.error(`sluice run: ${msg}`);
    await stop(1);
    return;
  }
  const host = o.host === "0.0.0.0" ? "127.0.0.1" : o.host;
  console.log(`sluice run: ${plugin} listening on http://${host}:${port} → ${o.upstream} (admin ${adminUrl}); watching ${o.config}`);

  // Reloads: a changed config file or a rebuilt module publishes a new ECDS version.
  let reloading = Promise.resolve();
  const reload = (why: string) => {
    reloading = reloading.then(async () => {
      if (stopping) return;
      let next: string;
      try {
        next = readPluginConfig(configFile);
      } catch (e) {
        console.error(`sluice run: ${(e as Error).message}; keeping the previous configuration`);
        return;
      }
      const nextWasm = existsSync(wasmPath) ? stageWasm() : stagedWasm;
      if (next === config && nextWasm === stagedWasm) return;
      const mark = log.length;
      const before = await ecdsCounters(adminUrl);
      const prev = { config, stagedWasm };
      config = next;
      stagedWasm = nextWasm;
      version++;
      publish();
      const until = Date.now() + 10_000;
      while (Date.now() < until) {
        const now = await ecdsCounters(adminUrl).catch(() => before);
        if (now.rejected > before.rejected) {
          // Envoy's log reaches us through func-e: give the plugin's own error line a moment.
          await new Promise((r) => setTimeout(r, 300));
          console.error(`sluice run: the plugin refused the new ${why}: ${pluginError(log.slice(mark)) ?? "see the Envoy log"}; keeping the previous configuration`);
          config = prev.config;
          stagedWasm = prev.stagedWasm;
          return;
        }
        if (now.success > before.success) {
          console.log(`sluice run: reloaded ${why} (version ${version})`);
          return;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      console.error(`sluice run: Envoy did not confirm the new ${why} within 10 s`);
    });
  };
  watchFile(configFile, { interval: 200 }, () => reload("configuration"));
  watchFile(wasmPath, { interval: 500 }, () => reload("plugin module"));
  const code = await exited;
  if (!stopping) {
    console.error(`sluice run: Envoy exited (code ${code})`);
    await stop(1);
  }
}
