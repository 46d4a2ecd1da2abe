// Provider `triton`: NVIDIA Triton Inference Server's generate extension behind the OpenAI chat
// API, as Higress's triton provider does it. POST {tritonDomain}/v2/models/{model}[/versions/
// {tritonModelVersion}]/generate (stream: …/generate_stream) with {id, text_input, parameters:
// {stream, temperature}}; text_input and id come from the LAST message only (Higress sends no
// history). `text_output` becomes the answer; streamed events become chunks.
import { JsonObject, JsonValue, HeaderPair, HeaderMap } from "@sluice/sdk";
import { TokenUsage } from "@sluice/sdk/ai";
import { SseEvent } from "@sluice/sdk/sse";
import { percentEncode } from "@sluice/sdk/encoding";
import { ProviderAdapter, Exchange, Api, UpstreamRequest, ProviderError } from "./adapter";
import { StreamConverter, StreamOutput, ConvertingStream } from "./stream";
import { jsonString, jsonInt, jsonNumber, jsonBool, jsonObject, jsonArray, jsonNull, str, stringContent, nowSeconds } from "./util";

export class TritonAdapter extends ProviderAdapter {
  tritonDomain: string = "";
  modelVersion: string = "";

  create(): ProviderAdapter { return new TritonAdapter(); }

  parse(o: JsonObject): string {
    const d = o.getString("tritonDomain");
    if (d !== null) this.tritonDomain = d;
    const v = o.getString("tritonModelVersion");
    if (v !== null) this.modelVersion = v;
    // Higress refuses a triton config without apiTokens, though it sends none to Triton.
    this.needsApiTokens = true;
    this.speaksOpenAI = false;
    // Triton's generate answers {"error": …}; one inside a 200 is turned into an error status.
    this.errorsInBody = true;
    return "";
  }

  /** tritonDomain; without it the request keeps the client's host (the route's upstream decides). */
  host(ex: Exchange, headers: HeaderMap): string { return this.tritonDomain; }

  /** Triton has no auth: apiTokens are required by the config but not sent (as Higress). */
  authHeaders(token: string): Array<HeaderPair> { return []; }

  request(req: JsonObject, ex: Exchange, headers: HeaderMap): UpstreamRequest | null {
    if (ex.api != Api.Chat) return null;
    let path = "/v2/models/" + percentEncode(ex.mapped);
    if (this.modelVersion.length > 0) path += "/versions/" + percentEncode(this.modelVersion);
    path += ex.stream ? "/generate_stream" : "/generate";
    let id = "";
    let text = "";
    const msgs = req.getArray("messages");
    if (msgs !== null) {
      for (let i = 0; i < msgs.length; i++) {
        const m = msgs[i].asObject();
        if (m === null) continue;
        id = str(m, "id");
        text = stringContent(m.get("content"));
      }
    }
    const params = new JsonObject();
    params.set("stream", jsonBool(ex.stream));
    params.set("temperature", jsonNumber(req.getNumber("temperature", 0)));
    const out = new JsonObject();
    out.set("id", jsonString(id));
    out.set("text_input", jsonString(text));
    out.set("parameters", jsonObject(params));
    return new UpstreamRequest(out, path);
  }

  response(resp: JsonObject, ex: Exchange, usage: TokenUsage): JsonObject {
    const m = new JsonObject();
    m.set("role", jsonString("assistant"));
    m.set("content", jsonString(str(resp, "text_output")));
    const c = new JsonObject();
    c.set("index", jsonInt(0));
    c.set("message", jsonObject(m));
    c.set("finish_reason", jsonString("stop"));
    c.set("logprobs", jsonNull());
    const o = new JsonObject();
    const id = str(resp, "id");
    if (id.length > 0) o.set("id", jsonString(id));
    o.set("choices", jsonArray([jsonObject(c)]));
    // Sluice: object and created, which Higress's answer lacks.
    o.set("created", jsonInt(nowSeconds()));
    const model = str(resp, "model_name");
    if (model.length > 0) o.set("model", jsonString(model));
    o.set("object", jsonString("chat.completion"));
    o.set("usage", jsonNull());
    return o;
  }

  bodyError(resp: JsonObject): ProviderError | null {
    const e = str(resp, "error");
    return e.length > 0 ? new ProviderError(500, e, "") : null;
  }

  stream(ex: Exchange, out: StreamOutput): StreamConverter { return new TritonStream(out, ex.mapped, ex.created); }
}

/** One chunk as Higress builds it: delta {id?, content}, no role; finish "" = null. */
function tritonChunk(id: string, model: string, created: i64, content: string | null, finish: string): string {
  const d = new JsonObject();
  if (id.length > 0) d.set("id", jsonString(id));
  if (content !== null) d.set("content", jsonString(content));
  const c = new JsonObject();
  c.set("index", jsonInt(0));
  c.set("delta", jsonObject(d));
  c.set("finish_reason", finish.length > 0 ? jsonString(finish) : jsonNull());
  c.set("logprobs", jsonNull());
  const o = new JsonObject();
  if (id.length > 0) o.set("id", jsonString(id));
  o.set("choices", jsonArray([jsonObject(c)]));
  o.set("created", jsonInt(created));
  if (model.length > 0) o.set("model", jsonString(model));
  o.set("object", jsonString("chat.completion.chunk"));
  o.set("usage", jsonNull());
  return o.stringify();
}

/**
 * generate_stream's events ({id, model_name, model_version, text_output}, or {error}) → chunks.
 * Triton's stream has no end marker: when it ends, a finishing chunk (finish_reason "stop") and
 * [DONE] follow (Sluice; Higress ends the stream with neither).
 */
class TritonStream extends ConvertingStream {
  id: string = "";
  modelName: string = "";

  event(ev: SseEvent, data: JsonObject): void {
    const e = str(data, "error");
    if (e.length > 0) { this.out.error(e); return; }
    this.id = str(data, "id");
    const m = str(data, "model_name");
    if (m.length > 0) this.modelName = m;
    this.chunks.push(tritonChunk(this.id, m, this.created, str(data, "text_output"), ""));
    this.flush();
  }

  end(): void {
    this.chunks.push(tritonChunk(this.id, this.modelName, this.created, null, "stop"));
    this.flush();
    this.out.done();
  }
}
