// Properties: what proxy_set_property stored (per stream or VM-wide), the options' host-wide
// ones, and the attributes Envoy computes from the stream (request.*, source.*, xds.*, …).
import { Status } from "./abi.js";
import { encodePairs } from "./pairs.js";
import { propertyBytes, type HttpStream } from "./stream.js";
import type { HostContext, HostFunctions } from "./types.js";

/** The client address a request comes from unless a test names one (StreamOptions.sourceAddress). */
export const DEFAULT_PEER = "127.0.0.1:40000";

const enc = (s: string) => Buffer.from(s, "utf8");

export function propertyImports(h: HostContext): HostFunctions {
  return {
    proxy_get_property(pathPtr: number, pathLen: number, retPtr: number, retSize: number) {
      const path = h.mem.read(pathPtr, pathLen);
      if (path === null) return Status.InvalidMemoryAccess;
      const v = getProperty(h, splitPath(path));
      if (v === undefined) return Status.NotFound;
      return h.mem.copyOut(v, retPtr, retSize);
    },
    proxy_set_property(pathPtr: number, pathLen: number, valPtr: number, valLen: number) {
      const path = h.mem.read(pathPtr, pathLen);
      const val = h.mem.read(valPtr, valLen);
      if (path === null || val === null) return Status.InvalidMemoryAccess;
      const key = splitPath(path).join(".");
      const s = h.current();
      (s ? s.properties : h.rootProperties).set(key, val);
      return Status.Ok;
    },
  };
}

function getProperty(h: HostContext, path: string[]): Buffer | undefined {
  const key = path.join(".");
  const s = h.current();
  const set = s?.properties.get(key) ?? h.rootProperties.get(key) ?? h.properties.get(key);
  if (set !== undefined) return set;
  return dynamicProperty(h, key, s);
}

/** The downstream address Envoy reports: the peer, or with use_remote_address off the last XFF entry. */
function sourceAddress(h: HostContext, s: HttpStream): string {
  const peer = s.options.sourceAddress ?? DEFAULT_PEER;
  if (h.options.useRemoteAddress) return peer;
  const xff = s.req.headers?.get("x-forwarded-for")?.toString("latin1");
  if (!xff) return peer;
  const last = xff.split(",").pop()!.trim();
  return last.includes(":") ? `[${last}]:0` : `${last}:0`;
}

function dynamicProperty(h: HostContext, key: string, s: HttpStream | undefined): Buffer | undefined {
  const str = (v: string | undefined) => (v === undefined ? undefined : enc(v));
  const int = (v: number | undefined) => (v === undefined ? undefined : propertyBytes(v));
  switch (key) {
    case "plugin_name":
      return enc(h.pluginName);
    case "plugin_root_id":
      return enc(h.options.rootId ?? h.pluginName);
    case "plugin_vm_id":
      return enc(h.options.vmId ?? h.pluginName);
  }
  if (!s) return undefined;
  // Envoy answers the header-made request.* attributes from the Context's request header map,
  // which it forgets once the request headers hook returned Continue (until the access-log
  // phase): then they are absent and request.headers has no pairs, as a real Envoy shows
  // (test/sdk-services/sdk-probe-cases.ts). request.protocol, .size, .time come from the stream.
  const headersGone = s.req.headersReleased && !s.finished;
  const rh = headersGone ? undefined : s.req.headers;
  const hv = (name: string) => rh?.get(name)?.toString("utf8");
  const path = hv(":path");
  switch (key) {
    case "route_name":
    case "xds.route_name":
      return str(s.route);
    case "cluster_name":
    case "xds.cluster_name":
      return str(s.cluster);
    // x_request_id, ai_log, set_decoder_buffer_limit, … exist once a plugin sets them (the
    // Higress SDK writes x_request_id itself); they are found above, in the stream's properties.
    case "request.path":
      return str(path);
    case "request.url_path":
      return str(path?.split("?")[0]);
    case "request.query":
      return path === undefined ? undefined : enc(path.includes("?") ? path.slice(path.indexOf("?") + 1) : "");
    case "request.host":
      return str(hv(":authority"));
    case "request.method":
      return str(hv(":method"));
    case "request.scheme":
      return headersGone ? undefined : str(hv(":scheme") ?? "http");
    case "request.protocol":
      return enc(s.options.tls?.http2 ? "HTTP/2" : "HTTP/1.1");
    case "request.id":
      return str(hv("x-request-id"));
    case "request.useragent":
      return str(hv("user-agent"));
    case "request.referer":
      return str(hv("referer"));
    case "request.headers":
      return headersGone ? encodePairs([]) : rh ? encodePairs(rh.pairs) : undefined;
    case "request.size":
      return int(s.req.out.body.reduce((a, b) => a + b.length, 0));
    case "response.code": {
      const c = s.resp.headers?.get(":status");
      return c ? int(Number(c.toString())) : undefined;
    }
    case "response.code_details":
      return s.resp.headers ? enc(s.localResponse ? s.localResponse.details : "via_upstream") : undefined;
    case "response.headers":
      return s.resp.headers ? encodePairs(s.resp.headers.pairs) : undefined;
    case "source.address":
      return enc(sourceAddress(h, s));
    case "source.port":
      return int(Number(sourceAddress(h, s).split(":").pop()));
    case "destination.address":
      return enc("127.0.0.1:10000");
    case "destination.port":
      return int(10000);
    case "connection.mtls":
      return Buffer.from([0]);
    case "connection.requested_server_name":
      return enc(s.options.tls?.sni ?? "");
    case "connection.id":
    case "connection_id":
      return int(s.id);
    case "upstream.address": {
      const c = s.cluster !== undefined ? h.options.clusters?.[s.cluster] : undefined;
      return typeof c === "string" ? enc(new URL(c).host) : undefined;
    }
  }
  return undefined;
}

function splitPath(path: Buffer): string[] {
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i <= path.length; i++) {
    if (i === path.length || path[i] === 0) {
      if (i > start || i < path.length) out.push(path.toString("utf8", start, i));
      start = i + 1;
    }
  }
  return out.filter((p, i) => p.length > 0 || i < out.length - 1);
}
