// body-probe: a plugin used only by tests of the SDK's body pipeline. It shows what the body
// hooks saw, in the body itself (so it works whether or not headers were already forwarded):
//   buffered: the body is replaced by `len=<n>;crc=<crc32 hex>;` + the body it was handed
//   streaming: each chunk passes unchanged and the last one gets `|seen=<n>|last` appended (then
//   the configured `tail`); when the stream ends on trailers (where Envoy drops body bytes a filter
//   adds unless it buffered the body) a trailer says what was seen: `x-probe-seen: <n>|last` (or
//   `|not-last` if the hook never got its last call)
//   a buffered request body containing "BLOCK" is refused with 403 (a request-block stand-in)
// Config: {"request": "buffer"|"stream"|"none", "response": …, "pause_headers": bool,
//          "request_limit": bytes, "response_limit": bytes (0: none), "body_wait_ms": ms,
//          "tail": bytes a streaming hook adds after the end marker at its last call}
import { Plugin, HttpFilter, Action, BodyMode, ConfigError, JsonObject, registerPlugin } from "@sluice/sdk";
import { crc32 } from "@sluice/sdk/crypto";
export * from "@sluice/sdk/exports";

class ProbeConfig {
  request: BodyMode = BodyMode.None;
  response: BodyMode = BodyMode.None;
  pauseHeaders: bool = false;
  requestLimit: u32 = 0;
  responseLimit: u32 = 0;
  bodyWaitMs: u32 = 10000;
  tail: string = "";
}

function modeOf(json: JsonObject, key: string): BodyMode {
  const s = json.getString(key);
  if (s == "buffer") return BodyMode.Buffer;
  if (s == "stream") return BodyMode.Stream;
  return BodyMode.None;
}

class BodyProbe extends Plugin<ProbeConfig> {
  parseConfig(json: JsonObject, global: ProbeConfig | null, err: ConfigError): ProbeConfig | null {
    const c = new ProbeConfig();
    c.request = modeOf(json, "request");
    c.response = modeOf(json, "response");
    c.pauseHeaders = json.getBool("pause_headers", false);
    c.requestLimit = <u32>json.getNumber("request_limit", 0);
    c.responseLimit = <u32>json.getNumber("response_limit", 0);
    c.bodyWaitMs = <u32>json.getNumber("body_wait_ms", 10000);
    const tail = json.getString("tail");
    if (tail !== null) c.tail = tail;
    return c;
  }
  newFilter(): HttpFilter<ProbeConfig> { return new BodyProbeFilter(); }
}

function summary(body: ArrayBuffer): ArrayBuffer {
  const head = String.UTF8.encode("len=" + body.byteLength.toString() + ";crc=" + crc32(Uint8Array.wrap(body)).toString(16) + ";");
  const out = new Uint8Array(head.byteLength + body.byteLength);
  out.set(Uint8Array.wrap(head), 0);
  out.set(Uint8Array.wrap(body), head.byteLength);
  return out.buffer;
}

function contains(body: ArrayBuffer, word: string): bool {
  const hay = Uint8Array.wrap(body);
  const needle = Uint8Array.wrap(String.UTF8.encode(word));
  for (let i = 0; i + needle.length <= hay.length; i++) {
    let j = 0;
    while (j < needle.length && hay[i + j] == needle[j]) j++;
    if (j == needle.length) return true;
  }
  return false;
}

class BodyProbeFilter extends HttpFilter<ProbeConfig> {
  requestSeen: i64 = 0;
  responseSeen: i64 = 0;
  requestLast: bool = false;
  responseLast: bool = false;

  onRequestTrailers(): Action {
    if (this.config.request == BodyMode.Stream) this.requestTrailers.set("x-probe-seen", this.requestSeen.toString() + (this.requestLast ? "|last" : "|not-last"));
    return Action.Continue;
  }

  onResponseTrailers(): Action {
    if (this.config.response == BodyMode.Stream) this.responseTrailers.set("x-probe-seen", this.responseSeen.toString() + (this.responseLast ? "|last" : "|not-last"));
    return Action.Continue;
  }

  onRequestHeaders(endOfStream: bool): Action {
    this.requestBodyMode = this.config.request;
    this.responseBodyMode = this.config.response;
    this.requestBodyLimit = this.config.requestLimit;
    this.responseBodyLimit = this.config.responseLimit;
    this.bodyWaitMs = this.config.bodyWaitMs;
    return this.config.pauseHeaders && !endOfStream ? Action.Pause : Action.Continue;
  }

  onRequestBody(body: ArrayBuffer): Action {
    if (contains(body, "BLOCK")) return this.respond(403, "blocked by body-probe");
    this.requestHeaders.set("x-probe-request-body", body.byteLength.toString());
    this.replaceRequestBody(summary(body));
    return Action.Continue;
  }

  onRequestChunk(chunk: ArrayBuffer, last: bool): ArrayBuffer | null {
    this.requestSeen += chunk.byteLength;
    if (!last) return null;
    this.requestLast = true;
    return withMarker(chunk, this.requestSeen, this.config.tail);
  }

  onResponseBody(body: ArrayBuffer): Action {
    this.replaceResponseBody(summary(body));
    return Action.Continue;
  }

  onResponseChunk(chunk: ArrayBuffer, last: bool): ArrayBuffer | null {
    this.responseSeen += chunk.byteLength;
    if (!last) return null;
    this.responseLast = true;
    return withMarker(chunk, this.responseSeen, this.config.tail);
  }
}

function withMarker(chunk: ArrayBuffer, seen: i64, extra: string): ArrayBuffer {
  const tail = String.UTF8.encode("|seen=" + seen.toString() + "|last" + extra);
  const out = new Uint8Array(chunk.byteLength + tail.byteLength);
  out.set(Uint8Array.wrap(chunk), 0);
  out.set(Uint8Array.wrap(tail), chunk.byteLength);
  return out.buffer;
}

registerPlugin("body-probe", () => new BodyProbe());
