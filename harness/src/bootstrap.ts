// Generates an Envoy bootstrap from a small description: one listener whose HTTP filter chain
// runs the given Wasm plugins in order, named routes grouped into virtual hosts by domain, and
// upstream clusters (including Higress-style callout clusters such as `outbound|80||svc.dns`).
// The one bootstrap builder: the tests, the demo, the benchmark and `sluice run` all use it.

const WASM_TYPE = "type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm";

export interface PluginSpec {
  /** Plugin name (log prefix and root id). */
  name: string;
  /** Path of the .wasm file. */
  wasm: string;
  /** Plugin configuration: an object is sent as JSON, a string as it is. */
  config?: unknown;
  vmId?: string;
  failurePolicy?: "FAIL_CLOSED" | "FAIL_OPEN" | "FAIL_RELOAD";
  /** Envoy's default is false; every configuration Sluice writes sets it (false: a stock-config test). */
  allowOnHeadersStopIteration?: boolean;
  /**
   * The filter's configuration is an ECDS resource in a watched directory instead of part of the
   * bootstrap, so `Envoy.reconfigure` swaps it in place: no restart, open connections stay open.
   */
  reloadable?: boolean;
}

export interface RouteSpec {
  /** Route name (what `_match_route_` matches, the `route_name` property). */
  name: string;
  /** Virtual host domains; routes with the same domain list share a virtual host. */
  domains?: string[];
  prefix?: string;
  path?: string;
  cluster: string;
  /** Replace the matched prefix before forwarding (Envoy's prefix_rewrite), e.g. "/" to drop it. */
  prefixRewrite?: string;
  /** Upstream request timeout in seconds (0 disables). */
  timeoutSeconds?: number;
  /** Send the cluster's host name as Host (for an upstream reached by name). */
  autoHostRewrite?: boolean;
}

export interface ClusterSpec {
  name: string;
  host?: string;
  port: number;
  http2?: boolean;
  connectTimeoutMs?: number;
  /**
   * Resolve `host` by DNS instead of treating it as an IP. true: LOGICAL_DNS over IPv4 only (a real
   * provider reached from a machine without IPv6); "strict": STRICT_DNS with Envoy's default
   * address family, every address resolved (a user's upstream, `sluice run`).
   */
  dns?: boolean | "strict";
  /** Upstream TLS with this SNI (e.g. a real provider at host:443). */
  tlsSni?: string;
  /**
   * With tlsSni: the certificate must chain to this PEM bundle and name `host` (DNS or IP subject
   * alt name). Without it Envoy accepts any certificate.
   */
  tlsTrustedCa?: string;
}

export interface BootstrapSpec {
  plugins: PluginSpec[];
  routes: RouteSpec[];
  clusters: ClusterSpec[];
  /** Per-connection buffer limit (bytes) for the listener and clusters; Envoy's default is 1 MiB. */
  bufferLimitBytes?: number;
  /** Extra HTTP filters placed before the Wasm plugins (raw Envoy filter objects). */
  extraFilters?: unknown[];
  /** Listener port (0 = any free port; the harness reads the real one from the admin API). */
  listenerPort?: number;
  /** Admin API port (0 = any free port, the default). */
  adminPort?: number;
  /**
   * Envoy's listener default is SO_REUSEPORT, which lets a later Envoy join this listener's port
   * and share its traffic silently; false refuses that (a gateway a person runs).
   */
  reusePort?: boolean;
  /** Where reloadable plugins' ECDS resources live (Envoy.start sets it). */
  xdsDir?: string;
  /** Access log format lines written to this file (e.g. with %FILTER_STATE(wasm.ai_log:PLAIN)%). */
  accessLog?: { path: string; format: string };
  /**
   * HCM `use_remote_address` (Envoy's default is false). An edge gateway such as Higress sets it:
   * then `source.address` is the socket peer. When false, Envoy derives the downstream address
   * from X-Forwarded-For, so a client can choose its own `source.address`.
   */
  useRemoteAddress?: boolean;
  /**
   * Listener bind address (default 127.0.0.1), e.g. "::1" to test IPv6 peers. `Envoy.url` always
   * names 127.0.0.1: build the URL from `envoy.port` (`http://[::1]:<port>`) when you change it.
   */
  listenerAddress?: string;
  /**
   * Envoy `stats_config.stats_tags`: each regex's first capture group is cut from the metric name
   * and its second becomes the Prometheus label `name` (e.g. Higress's ai_route/ai_model labels).
   */
  statsTags?: { name: string; regex: string }[];
  /** Envoy's limit on request headers (KiB; its default is 60). */
  maxRequestHeadersKb?: number;
  /**
   * TLS on the listener with this certificate and key (PEM files), ALPN h2 and http/1.1: clients
   * connect with https, send an SNI, and may speak HTTP/2 (harness/src/tls-client.ts).
   */
  downstreamTls?: { certChain: string; privateKey: string };
  /** HTTP/1 chunked trailers on the listener and to the clusters (Envoy drops them by default). */
  http1Trailers?: boolean;
  /**
   * HCM `http_protocol_options.accept_http_10`: the listener serves HTTP/1.0 (and 0.9) requests
   * instead of answering them 426 (Envoy's default: off). `defaultHost` sets
   * `default_host_for_http_10`, the Host Envoy gives an HTTP/1.0 request that has none.
   */
  acceptHttp10?: boolean | { defaultHost: string };
}

/** The Wasm filter's `config` (what an ECDS resource carries too). */
function wasmConfig(p: PluginSpec): unknown {
  const configuration = p.config === undefined ? "" : typeof p.config === "string" ? p.config : JSON.stringify(p.config);
  return {
    name: p.name,
    root_id: p.name,
    vm_config: {
      vm_id: p.vmId ?? p.name,
      runtime: "envoy.wasm.runtime.v8",
      code: { local: { filename: p.wasm } },
    },
    configuration: { "@type": "type.googleapis.com/google.protobuf.StringValue", value: configuration },
    failure_policy: p.failurePolicy ?? "FAIL_CLOSED",
    // Higress's semantics: StopIteration from a header hook really stops iteration (the SDK
    // pauses headers to read a body first; a stock Envoy ignores that pause without this).
    allow_on_headers_stop_iteration: p.allowOnHeadersStopIteration ?? true,
  };
}

/** One http_filters entry running the plugin, as a hand-written Envoy configuration holds it. */
export function wasmFilter(p: PluginSpec): unknown {
  return { name: "envoy.filters.http.wasm", typed_config: { "@type": WASM_TYPE, config: wasmConfig(p) } };
}

/** The HTTP filter (and ECDS resource) name of a reloadable plugin. */
export function ecdsName(p: Pick<PluginSpec, "name">): string {
  return `sluice.${p.name}`;
}

/** The file Envoy watches for a reloadable plugin's filter configuration. */
export function ecdsPath(xdsDir: string, p: Pick<PluginSpec, "name">): string {
  return `${xdsDir}/${p.name}.json`;
}

/** A reloadable plugin's filter configuration, as the file ecdsPath names holds it. */
export function ecdsResource(p: PluginSpec, version: number): string {
  return JSON.stringify({
    version_info: String(version),
    resources: [{
      "@type": "type.googleapis.com/envoy.config.core.v3.TypedExtensionConfig",
      name: ecdsName(p),
      typed_config: { "@type": WASM_TYPE, config: wasmConfig(p) },
    }],
  }, null, 2);
}

function discoveredFilter(p: PluginSpec, xdsDir: string | undefined): unknown {
  if (!xdsDir) throw new Error(`plugin ${p.name} is reloadable: the bootstrap needs xdsDir`);
  return {
    name: ecdsName(p),
    config_discovery: {
      config_source: { path_config_source: { path: ecdsPath(xdsDir, p), watched_directory: { path: xdsDir } }, resource_api_version: "V3" },
      type_urls: [WASM_TYPE],
    },
  };
}

function cluster(c: ClusterSpec, bufferLimit?: number): unknown {
  const out: Record<string, unknown> = {
    name: c.name,
    type: "STATIC",
    connect_timeout: `${(c.connectTimeoutMs ?? 1000) / 1000}s`,
    load_assignment: {
      cluster_name: c.name,
      endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: c.host ?? "127.0.0.1", port_value: c.port } } } }] }],
    },
  };
  if (bufferLimit) out.per_connection_buffer_limit_bytes = bufferLimit;
  if (c.dns === "strict") out.type = "STRICT_DNS";
  else if (c.dns) {
    out.type = "LOGICAL_DNS";
    out.dns_lookup_family = "V4_ONLY";
  }
  if (c.tlsSni) {
    const tls: Record<string, unknown> = { "@type": "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext", sni: c.tlsSni };
    if (c.tlsTrustedCa) {
      const host = c.host ?? "127.0.0.1";
      tls.common_tls_context = {
        validation_context: {
          trusted_ca: { filename: c.tlsTrustedCa },
          match_typed_subject_alt_names: [{ san_type: /^[\d.]+$|:/.test(host) ? "IP_ADDRESS" : "DNS", matcher: { exact: host } }],
        },
      };
    }
    out.transport_socket = { name: "envoy.transport_sockets.tls", typed_config: tls };
  }
  out.typed_extension_protocol_options = {
    "envoy.extensions.upstreams.http.v3.HttpProtocolOptions": {
      "@type": "type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions",
      // Envoy drops an idle upstream connection before the upstream does (Node's servers close
      // theirs after 5 s): otherwise a request can race the upstream's close and get a 503
      // "connection termination" — seen under load in a CI run.
      common_http_protocol_options: { idle_timeout: "1s" },
      explicit_http_config: c.http2 ? { http2_protocol_options: {} } : { http_protocol_options: {} },
    },
  };
  return out;
}

export function buildBootstrap(spec: BootstrapSpec): unknown {
  const hosts = new Map<string, { name: string; domains: string[]; routes: unknown[] }>();
  for (const r of spec.routes) {
    const domains = r.domains ?? ["*"];
    const key = domains.join(",");
    if (!hosts.has(key)) hosts.set(key, { name: `vh${hosts.size}`, domains, routes: [] });
    const match: Record<string, unknown> = r.path ? { path: r.path } : { prefix: r.prefix ?? "/" };
    hosts.get(key)!.routes.push({
      name: r.name,
      match,
      route: {
        cluster: r.cluster,
        timeout: `${r.timeoutSeconds ?? 30}s`,
        ...(r.prefixRewrite !== undefined ? { prefix_rewrite: r.prefixRewrite } : {}),
        ...(r.autoHostRewrite ? { auto_host_rewrite: true } : {}),
      },
    });
  }
  // A catch-all host must come last or it shadows the others.
  const virtualHosts = [...hosts.values()].sort((a, b) => Number(a.domains.includes("*")) - Number(b.domains.includes("*")));
  const hcm: Record<string, unknown> = {
    "@type": "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager",
    stat_prefix: "ingress_http",
    route_config: { name: "local", virtual_hosts: virtualHosts },
    http_filters: [
      ...(spec.extraFilters ?? []),
      ...spec.plugins.map((p) => (p.reloadable ? discoveredFilter(p, spec.xdsDir) : wasmFilter(p))),
      { name: "envoy.filters.http.router", typed_config: { "@type": "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router" } },
    ],
  };
  if (spec.useRemoteAddress !== undefined) hcm.use_remote_address = spec.useRemoteAddress;
  if (spec.http1Trailers || spec.acceptHttp10) {
    hcm.http_protocol_options = {
      ...(spec.http1Trailers ? { enable_trailers: true } : {}),
      ...(spec.acceptHttp10 ? { accept_http_10: true } : {}),
      ...(typeof spec.acceptHttp10 === "object" ? { default_host_for_http_10: spec.acceptHttp10.defaultHost } : {}),
    };
  }
  if (spec.maxRequestHeadersKb) hcm.max_request_headers_kb = spec.maxRequestHeadersKb;
  if (spec.accessLog) {
    hcm.access_log = [{
      name: "envoy.access_loggers.file",
      typed_config: {
        "@type": "type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog",
        path: spec.accessLog.path,
        log_format: { text_format_source: { inline_string: spec.accessLog.format + "\n" } },
      },
    }];
  }
  const listener: Record<string, unknown> = {
    name: "main",
    address: { socket_address: { address: spec.listenerAddress ?? "127.0.0.1", port_value: spec.listenerPort ?? 0 } },
    filter_chains: [{ filters: [{ name: "envoy.filters.network.http_connection_manager", typed_config: hcm }] }],
  };
  if (spec.downstreamTls) {
    // The TLS inspector records the client's SNI (connection.requested_server_name), as Higress's listeners do.
    listener.listener_filters = [{ name: "envoy.filters.listener.tls_inspector", typed_config: { "@type": "type.googleapis.com/envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector" } }];
    (listener.filter_chains as Record<string, unknown>[])[0].transport_socket = {
      name: "envoy.transport_sockets.tls",
      typed_config: {
        "@type": "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext",
        common_tls_context: {
          tls_certificates: [{ certificate_chain: { filename: spec.downstreamTls.certChain }, private_key: { filename: spec.downstreamTls.privateKey } }],
          alpn_protocols: ["h2", "http/1.1"],
        },
      },
    };
  }
  if (spec.reusePort !== undefined) listener.enable_reuse_port = spec.reusePort;
  if (spec.bufferLimitBytes) listener.per_connection_buffer_limit_bytes = spec.bufferLimitBytes;
  return {
    // Envoy refuses extension config discovery without a node identity.
    ...(spec.plugins.some((p) => p.reloadable) ? { node: { id: "sluice", cluster: "sluice" } } : {}),
    // Histograms reach /stats/prometheus at each stats flush: every second instead of every 5.
    stats_flush_interval: "1s",
    ...(spec.statsTags ? { stats_config: { stats_tags: spec.statsTags.map((t) => ({ tag_name: t.name, regex: t.regex })) } } : {}),
    admin: { address: { socket_address: { address: "127.0.0.1", port_value: spec.adminPort ?? 0 } } },
    static_resources: {
      listeners: [listener],
      clusters: spec.clusters.map((c) => cluster(c, spec.bufferLimitBytes)),
    },
  };
}
