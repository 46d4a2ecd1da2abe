// sni-misdirect: an HTTPS request over HTTP/2 (or later) whose :authority is not the server name
// the client sent in the TLS handshake (SNI) is answered 421 Misdirected Request (RFC 9110
// §15.5.20), so a connection opened for one host cannot be reused for another (connection
// coalescing, domain fronting). As Higress: HTTP/1 requests, plain-http requests and gRPC are not
// checked; a wildcard SNI (`*.example.com`) admits any host containing `.example.com`. No
// configuration.
import { Plugin, HttpFilter, Action, ConfigError, JsonObject, registerPlugin, log, properties } from "@sluice/sdk";
import { mismatch } from "./host";
export * from "@sluice/sdk/exports";

class NoConfig {}

class SniMisdirect extends Plugin<NoConfig> {
  // Higress's plugin has no settings and reads none: any object is accepted.
  parseConfig(json: JsonObject, global: NoConfig | null, err: ConfigError): NoConfig | null { return new NoConfig(); }
  newFilter(): HttpFilter<NoConfig> { return new SniMisdirectFilter(); }
}

class SniMisdirectFilter extends HttpFilter<NoConfig> {
  onRequestHeaders(endOfStream: bool): Action {
    const protocol = properties.getString(["request", "protocol"]);
    if (protocol === null) {
      log.error("failed to get request protocol");
      return Action.Continue;
    }
    if (protocol.startsWith("HTTP/1")) return Action.Continue;
    const scheme = this.requestHeaders.get(":scheme");
    if (scheme === null || scheme != "https") return Action.Continue;
    const contentType = this.requestHeaders.get("content-type");
    if (contentType !== null && contentType.startsWith("application/grpc")) return Action.Continue;
    const sni = properties.getString(["connection", "requested_server_name"]);
    if (sni === null) {
      log.error("failed to get requested_server_name");
      return Action.Continue;
    }
    const authority = this.requestHeaders.get(":authority");
    if (authority === null) {
      log.error("failed to get request authority");
      return Action.Continue;
    }
    const why = mismatch(sni, authority);
    if (why.length == 0) return Action.Continue;
    log.debug("sni-misdirect: SNI '" + sni + "' does not admit :authority '" + authority + "'");
    return this.respond(421, "Misdirected Request", [], "sni-misdirect." + why);
  }
}

registerPlugin("sni-misdirect", () => new SniMisdirect());
