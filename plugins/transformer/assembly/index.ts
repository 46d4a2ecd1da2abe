// transformer: Higress's request/response transformer. Rules (remove, rename, replace, add, append,
// map, dedupe) edit headers, query parameters and JSON / form bodies in the configured order.
// Start here for the order of operations; config.ts parses, kv.ts holds the operations on headers,
// query parameters and form fields, json-body.ts those on JSON bodies.
//
// Order (Higress's): request headers first, then query parameters (the rebuilt :path is a header
// edit), then the body. When a map reads from the body (mapSource: body), the header and query
// edits wait for the body: the headers are held (Action.Pause) until it has arrived.
import { Plugin, HttpFilter, Action, BodyMode, ConfigError, JsonObject, HeaderMap, registerPlugin, log, properties, requestHeaders, responseHeaders } from "@sluice/sdk";
import { isValidUtf8 } from "@sluice/sdk/json";
import { TransformerConfig, Side, Target, parseTransformerConfig } from "./config";
import { KV, Sources, applyKv, encodeKv } from "./kv";
import { readHeaders, writeHeaders } from "./headers";
import { readQuery, pathWithQuery, parseForm } from "./query";
import { applyJson, jsonError } from "./json-body";

export * from "@sluice/sdk/exports";

enum BodyKind { None, Json, Form }

/** The body kinds Higress transforms: JSON both ways, urlencoded forms on requests. */
function bodyKindOf(contentType: string, response: bool): BodyKind {
  let t = contentType;
  const semi = t.indexOf(";");
  if (semi >= 0) t = t.substring(0, semi);
  t = t.trim().toLowerCase();
  if (t == "application/json") return BodyKind.Json;
  if (!response && t == "application/x-www-form-urlencoded") return BodyKind.Form;
  return BodyKind.None;
}

class Transformer extends Plugin<TransformerConfig> {
  parseConfig(json: JsonObject, global: TransformerConfig | null, err: ConfigError): TransformerConfig | null {
    return parseTransformerConfig(json, err);
  }
  newFilter(): HttpFilter<TransformerConfig> { return new TransformerFilter(); }
}

/** One direction's state between its header and body hooks. */
class Direction {
  side: Side | null = null;
  kind: BodyKind = BodyKind.None;
  before: KV = new KV();
  headers: KV = new KV();
  querys: KV | null = null;
  /** Header (and query) edits wait for the body (a map from the body). */
  deferred: bool = false;
}

class TransformerFilter extends HttpFilter<TransformerConfig> {
  host: string = "";
  path: string = "";
  req: Direction = new Direction();
  resp: Direction = new Direction();

  onRequestHeaders(endOfStream: bool): Action {
    const c = this.config;
    if (!c.reroute) properties.setString(["clear_route_cache"], "off");
    // Kept for the response too: host_pattern / path_pattern read the request's.
    const host = requestHeaders.get(":authority");
    const path = requestHeaders.get(":path");
    this.host = host === null ? "" : host;
    this.path = path === null ? "" : path;
    const side = c.req;
    if (side === null) return Action.Continue;
    if (host === null) { log.warn("failed to get request host"); return Action.Continue; }
    if (path === null) { log.warn("failed to get request path"); return Action.Continue; }
    return this.headersPhase(this.req, side, requestHeaders, endOfStream, false);
  }

  onRequestBody(body: ArrayBuffer): Action {
    this.bodyPhase(this.req, body, requestHeaders, false);
    return Action.Continue;
  }

  onResponseHeaders(endOfStream: bool): Action {
    const side = this.config.resp;
    if (side === null) return Action.Continue;
    return this.headersPhase(this.resp, side, responseHeaders, endOfStream, true);
  }

  onResponseBody(body: ArrayBuffer): Action {
    this.bodyPhase(this.resp, body, responseHeaders, true);
    return Action.Continue;
  }

  private headersPhase(d: Direction, side: Side, map: HeaderMap, endOfStream: bool, response: bool): Action {
    d.side = side;
    d.before = readHeaders(map);
    d.headers = d.before.clone();
    const ct = d.headers.get("content-type");
    d.kind = bodyKindOf(ct === null ? "" : ct[0], response);
    // The body will change length: drop the stale Content-Length (Higress does the same).
    if (side.bodyChange && d.kind != BodyKind.None) d.headers.delete("content-length");
    if (!response) d.querys = readQuery(this.path);
    if (d.kind != BodyKind.None && !endOfStream && (side.bodyChange || side.needBodyMapSource)) {
      if (response) this.responseBodyMode = BodyMode.Buffer;
      else this.requestBodyMode = BodyMode.Buffer;
      if (side.needBodyMapSource) {
        d.deferred = true;
        log.debug("delay header's transform to body phase");
        return Action.Pause;
      }
    }
    this.transformHeaders(d, side, map, new Sources());
    return Action.Continue;
  }

  /** Header edits, then query edits (written as :path), then the changed headers go to the host. */
  private transformHeaders(d: Direction, side: Side, map: HeaderMap, src: Sources): void {
    src.headers = d.headers;
    src.querys = d.querys;
    if (side.headerChange) applyKv(side, Target.Headers, d.headers, this.host, this.path, src);
    const qs = d.querys;
    if (side.queryChange && qs !== null) {
      applyKv(side, Target.Querys, qs, this.host, this.path, src);
      d.headers.set(":path", [pathWithQuery(this.path, qs)]);
    }
    writeHeaders(map, d.before, d.headers);
  }

  private bodyPhase(d: Direction, body: ArrayBuffer, map: HeaderMap, response: bool): void {
    const side = d.side;
    if (side === null) return;
    const what = response ? "response" : "request";
    // An empty body: nothing to do (as Higress, deferred header edits are then not made either).
    if (body.byteLength == 0) return;
    const src = new Sources();
    let form: KV | null = null;
    if (d.kind == BodyKind.Json) src.bodyJson = body;
    else if (d.kind == BodyKind.Form) {
      if (isValidUtf8(changetype<usize>(body), body.byteLength)) form = parseForm(String.UTF8.decode(body));
      if (form === null) { log.warn("failed to parse " + what + " body: invalid form body"); return; }
      src.bodyKv = form;
    }
    if (d.deferred) this.transformHeaders(d, side, map, src);
    else { src.headers = d.headers; src.querys = d.querys; }
    if (!side.bodyChange) return;
    if (form !== null) {
      applyKv(side, Target.Body, form, this.host, this.path, src);
      this.replace(String.UTF8.encode(encodeKv(form)), response);
      return;
    }
    const out = applyJson(side, body, this.host, this.path, src);
    if (out === null) { log.warn("failed to transform " + what + " body: " + jsonError); return; }
    this.replace(out, response);
  }

  private replace(body: ArrayBuffer, response: bool): void {
    if (response) this.replaceResponseBody(body);
    else this.replaceRequestBody(body);
  }
}

registerPlugin("transformer", () => new Transformer());
