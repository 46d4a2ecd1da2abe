// sluice run <plugin> --config <file> --upstream <url>: one Envoy (through the harness's launcher)
// with the plugin in front of the upstream. The plugin is reloadable there: its filter config is an
// ECDS resource, so editing the config file (or rebuilding the plugin) swaps the filter config in
// place: no hot restart, no listener drain, open keep-alive connections keep working.
import { existsSync, unwatchFile, watchFile } from "node:fs";
import { join, resolve } from "node:path";
import type { ClusterSpec } from "../../../harness/src/bootstrap.js";
import { Envoy, EnvoyStartError } from "../../../harness/src/envoy.js";
import { toolsAt, toolsPresent } from "../../../harness/src/tools.js";
import { readPluginConfig } from "../config.js";
import { CliError } from "../errors.js";
import { type Workspace, pluginDir } from "../workspace.js";
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

/** The upstream as the bootstrap's one cluster. */
function upstreamCluster(up: Upstream, trust: string | undefined): ClusterSpec {
  return {
    name: "upstream",
    host: up.host,
    port: up.port,
    connectTimeoutMs: 2000,
    ...(up.isIp ? {} : { dns: "strict" as const }),
    // Without a trusted CA Envoy accepts any certificate; verify chain and name by default.
    ...(up.tls ? { tlsSni: up.host, tlsTrustedCa: trust } : {}),
  };
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

export async function run(ws: Workspace, plugin: string, o: RunOptions): Promise<void> {
  const dir = pluginDir(ws, plugin);
  if (!o.config) throw new CliError("run needs --config <file> (YAML or JSON plugin configuration)", 2);
  if (!o.upstream) throw new CliError("run needs --upstream <url> (e.g. http://127.0.0.1:8080)", 2);
  const configFile = resolve(o.config);
  const config = readPluginConfig(configFile);
  const up = parseUpstream(o.upstream);
  const trust = up.tls ? upstreamTrust(o) : undefined;
  const toolsRoot = ws.toolsRoot ?? ws.root;
  const tools = toolsAt(toolsRoot);
  if (!toolsPresent(tools)) {
    throw new CliError(`func-e or Envoy ${tools.envoyVersion ?? "?"} is missing under ${join(toolsRoot, ".tools")}: run 'npm run bootstrap' in the Sluice checkout first`);
  }
  const wasmPath = join(dir, "build", "envoy.wasm");
  if (o.build) await buildPlugins(ws, [plugin], ["envoy"]);
  else if (!existsSync(wasmPath)) throw new CliError(`${wasmPath} does not exist: run 'sluice build ${plugin}' first (or drop --no-build)`);

  // Ctrl-C while Envoy starts stops it too; afterwards it stops the running one.
  const starting = new AbortController();
  let envoy: Envoy | undefined;
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    unwatchFile(configFile);
    unwatchFile(wasmPath);
    await envoy?.stop();
    process.exit(code);
  };
  const onSignal = () => (envoy ? void stop(0) : starting.abort());
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);

  try {
    envoy = await Envoy.start({
      plugins: [{ name: plugin, wasm: wasmPath, config, reloadable: true }],
      routes: [{ name: "default", prefix: "/", cluster: "upstream", timeoutSeconds: 60, autoHostRewrite: !up.isIp }],
      clusters: [upstreamCluster(up, trust)],
      listenerAddress: o.host,
      listenerPort: o.port,
      adminPort: o.adminPort,
      reusePort: false,
    }, {
      tools,
      logLevel: o.logLevel,
      wasmLogLevel: o.pluginLogLevel,
      logMarkers: false,
      logLimit: 4_000_000,
      startTimeoutMs: 60_000,
      onLine: (l) => {
        if (showLine(l, o)) process.stderr.write(l + "\n");
      },
      signal: starting.signal,
    });
  } catch (e) {
    if (!(e instanceof EnvoyStartError)) throw e;
    if (e.reason === "aborted") process.exit(0);
    throw new CliError(startFailure(e, o));
  }
  const host = o.host === "0.0.0.0" ? "127.0.0.1" : o.host;
  console.log(`sluice run: ${plugin} listening on http://${host}:${envoy.port} → ${o.upstream} (admin ${envoy.adminUrl}); watching ${o.config}`);

  // Reloads: a changed config file or a rebuilt module publishes a new ECDS version.
  const running = envoy;
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
      const r = await running.reconfigure(plugin, { config: next, ...(existsSync(wasmPath) ? { wasm: wasmPath } : {}) });
      if (r.outcome === "applied") console.log(`sluice run: reloaded ${why} (version ${r.version})`);
      else if (r.outcome === "refused") console.error(`sluice run: the plugin refused the new ${why}: ${r.error ?? "see the Envoy log"}; keeping the previous configuration`);
      else if (r.outcome === "timeout") console.error(`sluice run: Envoy did not confirm the new ${why} within 10 s`);
    });
  };
  watchFile(configFile, { interval: 200 }, () => reload("configuration"));
  watchFile(wasmPath, { interval: 500 }, () => reload("plugin module"));
  const code = await running.exited;
  if (!stopping) {
    console.error(`sluice run: Envoy exited (code ${code})`);
    await stop(1);
  }
}

/** One line saying why Envoy did not start (its log was streamed above). */
function startFailure(e: EnvoyStartError, o: RunOptions): string {
  switch (e.reason) {
    case "port": return `cannot listen on ${o.host}:${o.port}: ${e.detail ?? "address already in use"}`;
    case "refused": return `the plugin refused the configuration in ${o.config}: ${e.detail ?? "see the Envoy log above"}`;
    case "exited": return `Envoy exited during startup (code ${e.detail}); see its log above`;
    case "timeout": return "Envoy did not become ready within 60 s; see its log above";
    default: return e.message.split("\n")[0];
  }
}
