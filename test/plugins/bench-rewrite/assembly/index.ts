// Benchmark plugin: the same logic as test/bench/go-plugin (Go, wasip1), so the two SDKs can be
// compared on identical work. Per request: set header x-bench: sluice; buffer the JSON request
// body, parse it, set "model" to "bench-model", serialize it and replace the body.
import { Plugin, HttpFilter, Action, BodyMode, ConfigError, JsonObject, JsonValue, registerPlugin } from "@sluice/sdk";
import { parseJson } from "@sluice/sdk/json";
export * from "@sluice/sdk/exports";

class Empty {}

class BenchRewrite extends Plugin<Empty> {
  parseConfig(json: JsonObject, global: Empty | null, err: ConfigError): Empty | null { return new Empty(); }
  newFilter(): HttpFilter<Empty> { return new BenchRewriteFilter(); }
}

class BenchRewriteFilter extends HttpFilter<Empty> {
  onRequestHeaders(endOfStream: bool): Action {
    this.requestHeaders.set("x-bench", "sluice");
    if (!endOfStream) this.requestBodyMode = BodyMode.Buffer;
    return Action.Continue;
  }

  onRequestBody(body: ArrayBuffer): Action {
    const r = parseJson(String.UTF8.decode(body));
    if (!r.ok) return Action.Continue;
    const doc = r.value!.asObject();
    if (doc === null) return Action.Continue;
    doc.set("model", JsonValue.fromString("bench-model"));
    this.replaceRequestBody(String.UTF8.encode(doc.stringify()));
    return Action.Continue;
  }
}

registerPlugin("bench-rewrite", () => new BenchRewrite());
