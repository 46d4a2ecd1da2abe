// emu-higress-probe: a test plugin for the emulator's Higress host functions. On the higress
// target it calls them directly through sdk/abi/higress_imports.ts; on the envoy target the
// paths answer 501 (and the build imports none of them).
//   /hosts            proxy_get_upstream_hosts → "host=metrics;…" in the body
//   /override         proxy_set_upstream_override_host(x-override) and continue
//   /inject           the response body gets "[injected]" appended (proxy_inject_encoded_data_to_filter_chain)
//   /props            route_name, cluster_name, x_request_id, source.address, request.path as headers
//                     upstream; sets set_decoder_buffer_limit and ai_log
import { Plugin, HttpFilter, Action, ConfigError, JsonObject, HeaderPair, registerPlugin, IS_HIGRESS, properties, Status } from "@sluice/sdk";
import { proxy_get_upstream_hosts, proxy_set_upstream_override_host, proxy_inject_encoded_data_to_filter_chain } from "@sluice/sdk/abi/higress_imports";
import { RET_PTR, RET_SIZE, adoptBuffer } from "@sluice/sdk/runtime/memory";
import { decodeStringPairs } from "@sluice/sdk/runtime/pairs";
export * from "@sluice/sdk/exports";

class NoConfig {}

class Probe extends Plugin<NoConfig> {
  parseConfig(json: JsonObject, global: NoConfig | null, err: ConfigError): NoConfig | null { return new NoConfig(); }
  newFilter(): HttpFilter<NoConfig> { return new ProbeFilter(); }
}

function orEmpty(s: string | null): string { return s === null ? "" : s; }

class ProbeFilter extends HttpFilter<NoConfig> {
  inject: bool = false;

  onRequestHeaders(endOfStream: bool): Action {
    const path = orEmpty(this.requestHeaders.get(":path"));
    if (path == "/props") {
      const h = this.requestHeaders;
      h.set("x-route-name", orEmpty(properties.getString(["route_name"])));
      h.set("x-cluster-name", orEmpty(properties.getString(["cluster_name"])));
      h.set("x-xds-route-name", orEmpty(properties.getString(["xds", "route_name"])));
      h.set("x-x-request-id", orEmpty(properties.getString(["x_request_id"])));
      h.set("x-source-address", orEmpty(properties.getString(["source", "address"])));
      h.set("x-request-path", orEmpty(properties.getString(["request", "path"])));
      properties.setString(["set_decoder_buffer_limit"], "1048576");
      properties.setString(["ai_log"], "{\"model\":\"m\"}");
      return Action.Continue;
    }
    if (!IS_HIGRESS) {
      if (path == "/hosts" || path == "/override" || path == "/inject") return this.respond(501, "not on this target");
      return Action.Continue;
    }
    if (path == "/hosts") {
      if (proxy_get_upstream_hosts(RET_PTR, RET_SIZE) != Status.Ok) return this.respond(500, "get_upstream_hosts failed");
      const pairs = decodeStringPairs(adoptBuffer());
      const parts = new Array<string>();
      for (let i = 0; i < pairs.length; i++) parts.push(pairs[i].name + "=" + pairs[i].value);
      return this.respond(200, parts.join(";"));
    }
    if (path == "/override") {
      const addr = String.UTF8.encode(orEmpty(this.requestHeaders.get("x-override")));
      const st = proxy_set_upstream_override_host(changetype<usize>(addr), <usize>addr.byteLength);
      this.requestHeaders.set("x-override-status", st.toString());
      return Action.Continue;
    }
    if (path == "/inject") this.inject = true;
    return Action.Continue;
  }

  onResponseHeaders(endOfStream: bool): Action {
    if (IS_HIGRESS && this.inject && endOfStream) {
      const data = String.UTF8.encode("[injected]");
      proxy_inject_encoded_data_to_filter_chain(changetype<usize>(data), <usize>data.byteLength, 1);
    }
    return Action.Continue;
  }
}

registerPlugin("emu-higress-probe", () => new Probe());
