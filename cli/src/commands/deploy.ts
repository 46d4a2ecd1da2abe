// sluice deploy <plugin> --for higress|istio|envoy: prints what a platform team applies to run the
// plugin: a Higress WasmPlugin, an Istio WasmPlugin, or the envoy.filters.http.wasm entry (with
// the buffer limits the plugin needs) for a hand-written Envoy configuration. Phase, priority and
// the default configuration come from the plugin's manifest; the configuration is checked
// against the manifest's schema before anything is printed.
import YAML from "yaml";
import { wasmFilter } from "../../../harness/src/bootstrap.js";
import { readPluginConfig } from "../config.js";
import { CliError } from "../errors.js";
import { loadManifest, validateConfig, type Manifest } from "../manifest.js";
import { type Workspace, pluginDir } from "../workspace.js";

export const DEPLOY_TARGETS = ["higress", "istio", "envoy"] as const;
export type DeployTarget = (typeof DEPLOY_TARGETS)[number];

export interface DeployOptions {
  for: DeployTarget;
  image?: string;
  config?: string;
  namespace?: string;
  /** Envoy: where the .wasm file will be on the Envoy host. */
  wasmPath?: string;
}

/** Envoy's per-connection buffer limit for plugins that read bodies: the SDK's default body limit (64 MiB). */
export const BODY_BUFFER_BYTES = 64 * 1024 * 1024;

type Config = Record<string, unknown>;

/** `oci://…` for a bare image reference; URLs with a scheme Istio and Higress accept stay as they are. */
export function imageUrl(ref: string): string {
  return /^(oci|https?|file):\/\//.test(ref) ? ref : `oci://${ref}`;
}

/** Higress's matchRules from `_rules_`: _match_route_ → ingress, _match_domain_ → domain, _match_service_ → service. */
export function higressMatchRules(rules: Config[]): Config[] {
  return rules.map((r, i) => {
    const { _match_route_, _match_domain_, _match_service_, _match_route_prefix_, ...config } = r;
    if (_match_route_prefix_ !== undefined) throw new CliError(`_rules_[${i}]: _match_route_prefix_ has no Higress matchRules equivalent; use _match_route_`);
    const out: Config = {};
    if (_match_route_ !== undefined) out.ingress = _match_route_;
    if (_match_domain_ !== undefined) out.domain = _match_domain_;
    if (_match_service_ !== undefined) out.service = _match_service_;
    out.config = config;
    return out;
  });
}

function crdPhase(m: Manifest): string {
  return m.phase === "default" ? "UNSPECIFIED_PHASE" : m.phase;
}

export function higressWasmPlugin(m: Manifest, config: Config, o: DeployOptions): Config {
  const { _rules_, ...global } = config;
  const spec: Config = {
    url: imageUrl(o.image ?? defaultImage(m, "higress")),
    phase: crdPhase(m),
    priority: m.priority,
    defaultConfig: global,
  };
  // An empty global config with rules: the plugin runs only where a rule matches (as in Higress).
  if (Object.keys(global).length === 0 && Array.isArray(_rules_)) spec.defaultConfigDisable = true;
  if (Array.isArray(_rules_) && _rules_.length) spec.matchRules = higressMatchRules(_rules_ as Config[]);
  return { apiVersion: "extensions.higress.io/v1alpha1", kind: "WasmPlugin", metadata: { name: m.name, namespace: o.namespace ?? "higress-system" }, spec };
}

/**
 * Istio has no per-route rules in the WasmPlugin: the whole configuration, `_rules_` included, is
 * the pluginConfig, and the plugin's own rule matching reads it (Envoy's route name is the
 * VirtualService http route's `name`, so `_match_route_` needs named routes; `_match_domain_`
 * compares the Host; `_match_service_` the cluster, e.g. `outbound|80||svc.ns.svc.cluster.local`).
 */
export function istioWasmPlugin(m: Manifest, config: Config, o: DeployOptions): Config {
  return {
    apiVersion: "extensions.istio.io/v1alpha1",
    kind: "WasmPlugin",
    metadata: { name: m.name, namespace: o.namespace ?? "istio-system" },
    spec: {
      selector: { matchLabels: { istio: "ingressgateway" } },
      url: imageUrl(o.image ?? defaultImage(m, "istio")),
      imagePullPolicy: "IfNotPresent",
      phase: crdPhase(m),
      priority: m.priority,
      pluginName: m.name,
      type: "HTTP",
      failStrategy: "FAIL_CLOSE",
      pluginConfig: config,
    },
  };
}

/** The http_filters entry, plus the listener/cluster buffer limit a body-reading plugin needs. */
export function envoySnippet(m: Manifest, config: Config, o: DeployOptions): { httpFilter: Config; bufferLimitBytes?: number } {
  const httpFilter = wasmFilter({ name: m.name, wasm: o.wasmPath ?? `/etc/envoy/wasm/${m.name}.wasm`, config }) as Config;
  const body = m.body?.request || m.body?.response;
  return body ? { httpFilter, bufferLimitBytes: BODY_BUFFER_BYTES } : { httpFilter };
}

function defaultImage(m: Manifest, target: "higress" | "istio"): string {
  return `REGISTRY/plugins/${m.name}:${m.version}${target === "istio" ? "-envoy" : ""}`;
}

export function deployYaml(m: Manifest, config: Config, o: DeployOptions): string {
  const y = (v: unknown) => YAML.stringify(v, { lineWidth: 0 });
  if (o.for === "higress") {
    return `# Higress: the image holds the higress target (sluice push ${m.name} <ref>)\n${y(higressWasmPlugin(m, config, o))}`;
  }
  if (o.for === "istio") {
    return `# Istio: the image holds the envoy target (sluice push ${m.name} <ref> --target envoy)\n${y(istioWasmPlugin(m, config, o))}`;
  }
  const s = envoySnippet(m, config, o);
  let out = `# Envoy: in the HTTP connection manager's http_filters, before envoy.filters.http.router\n# (build/envoy.wasm of sluice build ${m.name}, copied to the filename below)\nhttp_filters:\n${y([s.httpFilter])}`;
  if (s.bufferLimitBytes) {
    const side = [m.body?.request ? "listener (request bodies)" : "", m.body?.response ? "upstream cluster (response bodies)" : ""].filter(Boolean).join(" and ");
    out += `# ${m.name} reads bodies: Envoy buffers them up to the connection buffer limit (default 1 MiB,\n# then 413/500). Set it on the ${side}:\nper_connection_buffer_limit_bytes: ${s.bufferLimitBytes}\n`;
  }
  return out;
}

export function deploy(ws: Workspace, plugin: string, o: DeployOptions): string {
  if (!DEPLOY_TARGETS.includes(o.for)) throw new CliError(`--for must be one of ${DEPLOY_TARGETS.join(", ")}${o.for ? `, not '${o.for}'` : ""}`, 2);
  const dir = pluginDir(ws, plugin);
  const m = loadManifest(dir);
  if (!m) throw new CliError(`${plugin} has no plugin.yaml manifest (phase, priority and schema come from it)`);
  const config = o.config ? (JSON.parse(readPluginConfig(o.config)) as Config) : (m.examples[0].config as Config);
  const errs = validateConfig(m, config);
  if (errs.length) throw new CliError(`${o.config ?? "the manifest's example"} does not match ${plugin}'s schema: ${errs.slice(0, 3).join("; ")}${errs.length > 3 ? ` (and ${errs.length - 3} more)` : ""}`);
  return deployYaml(m, config, o);
}
