// opa: Higress's Open Policy Agent plugin. Every request is put to OPA's data API,
// POST /v1/data/<policy>/allow with {"input":{"request":{…}}} (input.ts), and let through only
// when OPA answers 200 {"result": true}. As in Higress, a request with a (non-binary) body is
// asked about twice: at its headers (no body in the input) and again once the whole body is
// there (the body in the input, base64); both must be allowed. The headers are held with
// StopAllIterationAndWatermark while the first question is open, so no byte of the request goes
// on before OPA said yes, with or without Envoy's allow_on_headers_stop_iteration.
import { Plugin, HttpFilter, BodyMode, Action, ConfigError, JsonObject, JsonKind, registerPlugin, log, HeaderPair, Status } from "@sluice/sdk";
import { HttpCallHandler, HttpCallResponse, httpCall, lastHttpCallError } from "@sluice/sdk/http";
import { parseJsonBytes } from "@sluice/sdk/json";
import { OpaConfig, parseConfig } from "./config";
import { RequestFacts, decisionInput } from "./input";
export * from "@sluice/sdk/exports";

class Opa extends Plugin<OpaConfig> {
  parseConfig(json: JsonObject, global: OpaConfig | null, err: ConfigError): OpaConfig | null {
    // Higress parses every rule on its own (ParseConfigBy): a rule inherits nothing.
    return parseConfig(json, err);
  }
  newFilter(): HttpFilter<OpaConfig> { return new OpaFilter(); }
}

/** Go's encoding/json names the JSON kinds so when it cannot unmarshal one into a map. */
function goKind(k: JsonKind): string {
  if (k == JsonKind.Array) return "array";
  if (k == JsonKind.String) return "string";
  if (k == JsonKind.Number) return "number";
  if (k == JsonKind.Bool) return "bool";
  return "object";
}

function header(f: OpaFilter, name: string): string {
  const v = f.requestHeaders.get(name);
  return v === null ? "" : v;
}

class OpaFilter extends HttpFilter<OpaConfig> implements HttpCallHandler {
  facts: RequestFacts | null = null;

  onRequestHeaders(endOfStream: bool): Action {
    this.facts = new RequestFacts(header(this, ":method"), header(this, ":scheme"), header(this, ":path"), this.requestHeaders.pairs());
    // Higress's wrapper reads no binary body (octet-stream, gRPC, any content-encoding) and no
    // WebSocket: those are decided on their headers alone.
    if (!endOfStream && !this.binaryOrWebsocket()) this.requestBodyMode = BodyMode.Buffer;
    if (!this.ask(null)) return Action.Pause;
    return Action.StopAllIterationAndWatermark;
  }

  onRequestBody(body: ArrayBuffer): Action {
    this.ask(body);
    return Action.Pause;
  }

  private binaryOrWebsocket(): bool {
    const ct = header(this, "content-type");
    if (ct.includes("octet-stream") || ct.includes("grpc")) return true;
    if (header(this, "content-encoding").length > 0) return true;
    return header(this, "connection").toLowerCase() == "upgrade" && header(this, "upgrade").toLowerCase() == "websocket";
  }

  /** Puts the request (and its body, when given) to OPA; false when the call could not be made (answered 503). */
  private ask(body: ArrayBuffer | null): bool {
    const c = this.config;
    const headers = [new HeaderPair("content-type", "application/json")];
    const st = httpCall(c.cluster, "POST", c.queryPath, headers, decisionInput(this.facts!, body), c.timeoutMs, this);
    if (st == Status.Ok) return true;
    // Higress logs this and leaves the request paused for good; Sluice answers at once.
    log.error("client opa fail " + lastHttpCallError);
    this.respond(503, "opa server unreachable", [], "opa.call_failed");
    return false;
  }

  onHttpCallResponse(r: HttpCallResponse): void {
    if (!this.allowed(r)) return;
    // Allowed: the request goes on. After the headers' answer, a buffered body reaches
    // onRequestBody when it is complete and is asked about in turn.
    this.resumeRequest();
  }

  /** OPA's answer, as Higress's rspCall reads it; false after answering the client. */
  private allowed(r: HttpCallResponse): bool {
    if (r.status != 200) {
      this.respond(r.status, "opa state not is 200", [], "opa.status_ne_200");
      return false;
    }
    const p = parseJsonBytes(r.body);
    if (!p.ok) {
      const why = r.body.byteLength == 0 ? "unexpected end of JSON input" : p.error;
      this.respond(500, "opa parse rsp fail " + why, [], "opa.bad_response_body");
      return false;
    }
    const v = p.value!;
    if (v.kind != JsonKind.Object && v.kind != JsonKind.Null) {
      this.respond(500, "opa parse rsp fail json: cannot unmarshal " + goKind(v.kind) + " into Go value of type map[string]interface {}", [], "opa.bad_response_body");
      return false;
    }
    const result = v.get("result");
    if (result === null || result.kind != JsonKind.Bool) {
      this.respond(500, "rsp type conversion fail", [], "opa.conversion_fail");
      return false;
    }
    if (!result.bool) {
      this.respond(401, "opa server not allowed", [], "opa.server_not_allowed");
      return false;
    }
    return true;
  }
}

registerPlugin("opa", () => new Opa());
