// ai-statistics names the API a request went to after its route, as Higress does: a route named
// `a@b@c[@…]` is an API route and its first three parts are the API (`api` in ai_log, and the
// route part of the counters' names); any other route name gives `api: "-"`. The route name comes
// from the host (Envoy's route_name property), which the table's single Envoy route cannot vary,
// so each name runs here on the emulator, both targets.
import { describe, it, expect } from "vitest";
import { pluginWasm } from "../../../harness/src/index.js";
import { Emulator } from "../../../harness/src/emulator/index.js";

const json = { "content-type": "application/json" };
const answer = JSON.stringify({ id: "c1", object: "chat.completion", model: "gpt-4o", choices: [{ index: 0, message: { role: "assistant", content: "ok" }, finish_reason: "stop" }], usage: { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 } });

async function logged(target: "envoy" | "higress", route: string): Promise<{ api: unknown; metrics: string[] }> {
  const host = await Emulator.load(pluginWasm("ai-statistics", target), { target, config: {}, pluginName: "ai-statistics", routes: [{ name: route, prefix: "/", cluster: "up" }] });
  try {
    const r = await host.request({ method: "POST", path: "/v1/chat/completions", headers: json, body: JSON.stringify({ model: "gpt-4o", messages: [] }), response: { status: 200, headers: json, body: answer } });
    expect(r.status).toBe(200);
    expect(host.traps).toEqual([]);
    const raw = r.stream.properties.get("ai_log")?.toString();
    expect(raw).toBeDefined();
    // ai_log is JSON escaped once, as Higress writes it (the access log prints it inside a JSON string).
    return { api: JSON.parse(JSON.parse(`"${raw}"`)).api, metrics: Object.keys(host.metrics()).filter((n) => n.endsWith(".metric.input_token")) };
  } finally {
    host.close();
  }
}

describe.each(["envoy", "higress"] as const)("ai-statistics: the API from the route name (%s)", (target) => {
  it.each([
    ["plain", "-", "route.plain.upstream.up.model.gpt-4o.consumer.none.metric.input_token"],
    ["a@b", "-", "route.a@b.upstream.up.model.gpt-4o.consumer.none.metric.input_token"],
    ["ai-route-qwen@default@v1", "ai-route-qwen@default@v1", "route.ai-route-qwen@default@v1.upstream.up.model.gpt-4o.consumer.none.metric.input_token"],
    ["a@b@c@d@e", "a@b@c", "route.a@b@c.upstream.up.model.gpt-4o.consumer.none.metric.input_token"],
    ["@@", "@@", "route.@@.upstream.up.model.gpt-4o.consumer.none.metric.input_token"],
    ["@@@x", "@@", "route.@@.upstream.up.model.gpt-4o.consumer.none.metric.input_token"],
  ])("route %j: api %j", async (route, api, metric) => {
    const r = await logged(target, route);
    expect(r.api).toBe(api);
    expect(r.metrics).toEqual([metric]);
  });
});
