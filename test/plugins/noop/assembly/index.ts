// Benchmark plugin: a Sluice plugin that does nothing (every hook the SDK's default). Its row in
// `npm run bench` is the SDK's fixed cost per request, above the hand-written Wasm floor
// (test/bench/floor.wat) and bare Envoy.
import { Plugin, HttpFilter, ConfigError, JsonObject, registerPlugin } from "@sluice/sdk";
export * from "@sluice/sdk/exports";

class Empty {}

class Noop extends Plugin<Empty> {
  parseConfig(json: JsonObject, global: Empty | null, err: ConfigError): Empty | null { return new Empty(); }
  newFilter(): HttpFilter<Empty> { return new NoopFilter(); }
}

class NoopFilter extends HttpFilter<Empty> {}

registerPlugin("noop", () => new Noop());
