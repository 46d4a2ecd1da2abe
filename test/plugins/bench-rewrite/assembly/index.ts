// Benchmark plugin: the same logic as test/bench/go-plugin (Go, wasip1), so the two SDKs can be
// compared on identical work. Per request: set header x-bench: sluice; buffer the JSON request
// body, set "model" to "bench-model" and replace the body. Two ways, as a plugin author chooses:
// by default the SDK's byte-level edit (the field is found and replaced in the UTF-8 bytes, as
// Go's sjson does); with `{"tree": true}` a parsed tree, changed and serialised (as Go's
// encoding/json into a map does).
import { Plugin, HttpFilter, Action, BodyMode, ConfigError, JsonObject, JsonValue, registerPlugin } from "@sluice/sdk";
import { parseJsonBytes, setTopLevelString } from "@sluice/sdk/json";
export * from "@sluice/sdk/exports";

class Options {
  tree: bool = false;
}

class BenchRewrite extends Plugin<Options> {
  parseConfig(json: JsonObject, global: Options | null, err: ConfigError): Options | null {
    const o = new Options();
    o.tree = json.getBool("tree", false);
    return o;
  }
  newFilter(): HttpFilter<Options> { return new BenchRewriteFilter(); }
}

class BenchRewriteFilter extends HttpFilter<Options> {
  onRequestHeaders(endOfStream: bool): Action {
    this.requestHeaders.set("x-bench", "sluice");
    if (!endOfStream) this.requestBodyMode = BodyMode.Buffer;
    return Action.Continue;
  }

  onRequestBody(body: ArrayBuffer): Action {
    if (!this.config.tree) {
      const out = setTopLevelString(body, "model", "bench-model");
      if (out !== null) this.replaceRequestBody(out);
      return Action.Continue;
    }
    const r = parseJsonBytes(body);
    if (!r.ok) return Action.Continue;
    const doc = r.value!.asObject();
    if (doc === null) return Action.Continue;
    doc.set("model", JsonValue.fromString("bench-model"));
    this.replaceRequestBody(doc.toBytes());
    return Action.Continue;
  }
}

registerPlugin("bench-rewrite", () => new BenchRewrite());
