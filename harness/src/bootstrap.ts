// Generates an Envoy bootstrap from a small description: one listener whose HTTP filter chain
// runs the given Wasm plugins in order, named routes grouped into virtual hosts by domain, and
// upstream clusters (including Higress-style callout clusters such as `outbound|80||svc.dns`).

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
}

export interface ClusterSpec {
  name: string;
  host?: string;
  port: number;
  http2?: boolean;
  connectTimeoutMs?: number;
  /** Resolve `host` by DNS (LOGICAL_DNS) instead of treating it as an IP (for real upstreams). */
  dns?: boolean;
  /** Upstream TLS with this SNI (e.g. a real provider at host:443). */
  tlsSni?: string;
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
  /** HTTP/1 chunked trailers on the listener and to the clusters (Envoy drops them by default). */
  http1Trailers?: boolean;
}

function wasmFilter(p: PluginSpec): unknown {
  const configuration = p.config === undefined ? "" : typeof p.config === "string" ? p.config : JSON.stringify(p.config);
  return {
    name: "envoy.filters.http.wasm",
    typed_config: {
      "@type": "type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm",
      config: {
        name: p.name,
        root_id: p.name,
        vm_config: {
          vm_id: p.vmId ?? p.name,
          runtime: "envoy.wasm.runtime.v8",
          code: { local: { filename: p.wasm } },
        },
        configuration: { "@type": "type.googleapis.com/google.protobuf.StringValue", value: configuration },
        failure_policy: p.failurePolicy ?? "FAIL_CLOSED",
        // Higress's semantics: StopIteration from a header hook really stops iteration.
        allow_on_headers_stop_iteration: p.allowOnHeadersStopIteration ?? true,
      },
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
  if (c.dns) {
    out.type = "LOGICAL_DNS";
    out.dns_lookup_family = "V4_ONLY";
  }
  if (c.tlsSni) {
    out.transport_socket = {
      name: "envoy.transport_sockets.tls",
      typed_config: {
        "@type": "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext",
        sni: c.tlsSni,
      },
    };
  }
  if (c.http2) {
    out.typed_extension_protocol_options = {
      "envoy.extensions.upstreams.http.v3.HttpProtocolOptions": {
        "@type": "type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions",
        explicit_http_config: { http2_protocol_options: {} },
      },
    };
  }
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
      route: { cluster: r.cluster, timeout: `${r.timeoutSeconds ?? 30}s`, ...(r.prefixRewrite !== undefined ? { prefix_rewrite: r.prefixRewrite } : {}) },
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
      ...spec.plugins.map(wasmFilter),
      { name: "envoy.filters.http.router", typed_config: { "@type": "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router" } },
    ],
  };
  if (spec.useRemoteAddress !== undefined) hcm.use_remote_address = spec.useRemoteAddress;
  if (spec.http1Trailers) hcm.http_protocol_options = { enable_trailers: true };
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
  if (spec.bufferLimitBytes) listener.per_connection_buffer_limit_bytes = spec.bufferLimitBytes;
  return {
    // Histograms reach /stats/prometheus at each stats flush: every second instead of every 5.
    stats_flush_interval: "1s",
    ...(spec.statsTags ? { stats_config: { stats_tags: spec.statsTags.map((t) => ({ tag_name: t.name, regex: t.regex })) } } : {}),
    admin: { address: { socket_address: { address: "127.0.0.1", port_value: 0 } } },
    static_resources: {
      listeners: [listener],
      clusters: spec.clusters.map((c) => cluster(c, spec.bufferLimitBytes)),
    },
  };
}
