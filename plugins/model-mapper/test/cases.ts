// The case table of model-mapper: Higress's precedence (exact, then `prefix*` keys in key order,
// then `*`; an empty target keeps the model), the paths it acts on, and bodies it must leave alone
// (malformed, not an object, chunked, no body). Every row runs on a real Envoy and on the emulator
// (both targets) through harness/src/plugin-table.ts, which also demands the same answer from both.
import type { PluginTable, Row } from "../../../harness/src/plugin-table.js";

interface Case { name: string; path?: string; method?: string; body?: string; chunks?: number; upstreamBody: string | true; logs?: string[] }
const row = (c: Case): Row => ({
  name: c.name,
  request: { method: c.method ?? "POST", path: c.path ?? "/v1/chat/completions", headers: [["content-type", "application/json"]], body: c.body, chunks: c.chunks },
  expect: { status: 200, reachesUpstream: true, upstreamBody: c.upstreamBody, logs: c.logs },
});

// Higress README's body, with the model swapped in.
const readme = (model: string) =>
  `{"model":"${model}","frequency_penalty":0,"max_tokens":800,"stream":false,"messages":[{"role":"user","content":"What is the github address of the main repository of the higress project"}],"presence_penalty":0,"temperature":0.7,"top_p":0.95}`;

export const table: PluginTable = {
  plugin: "model-mapper",
  groups: [
    {
      name: "Higress README's mapping plus a shorter prefix and a keep-as-is target",
      config: { modelMapping: { "gpt-4-*": "qwen-max", "gpt-4o": "qwen-vl-plus", "gpt-*": "gpt-generic", "keep-*": "", "*": "qwen-turbo" } },
      rows: [
        { name: "exact key: the README's gpt-4o → qwen-vl-plus, every other byte kept", body: readme("gpt-4o"), upstreamBody: readme("qwen-vl-plus") },
        { name: "prefixes are tried in key order, as Higress (gpt-* sorts before gpt-4-*)", body: readme("gpt-4-turbo"), upstreamBody: readme("gpt-generic") },
        { name: "no exact or prefix key: * → qwen-turbo", body: readme("claude-3"), upstreamBody: readme("qwen-turbo") },
        { name: "an empty target keeps the model (body unchanged)", body: readme("keep-me"), upstreamBody: true },
        { name: "no model field: * adds one (as Higress's sjson)", body: `{"messages":[]}`, upstreamBody: `{"messages":[],"model":"qwen-turbo"}` },
        { name: "spacing, escapes and unicode around the model stay as sent", body: `{ "model" : "gpt-4o" ,\n  "x": "\\u00e9é\\"" }`, upstreamBody: `{ "model" : "qwen-vl-plus" ,\n  "x": "\\u00e9é\\"" }` },
        { name: "an escaped model name is decoded before matching", body: `{"model":"gpt\\u002d4o"}`, upstreamBody: `{"model":"qwen-vl-plus"}` },
        { name: "a duplicated model key: every occurrence is rewritten", body: `{"model":"x","model":"gpt-4o"}`, upstreamBody: `{"model":"qwen-vl-plus","model":"qwen-vl-plus"}` },
        { name: "a numeric model reads as its text (gjson) and falls to *", body: `{"model":4}`, upstreamBody: `{"model":"qwen-turbo"}` },
        { name: "malformed JSON passes unchanged, logged", body: `{"model":"gpt-4o",`, upstreamBody: true, logs: ["invalid json body"] },
        { name: "a JSON array body passes unchanged", body: `["gpt-4o"]`, upstreamBody: true },
        { name: "a path without a listed suffix is not touched", path: "/v1/models", body: readme("gpt-4o"), upstreamBody: true },
        { name: "the query string is not part of the suffix check", path: "/v1/chat/completions?api-version=1", body: readme("gpt-4o"), upstreamBody: readme("qwen-vl-plus") },
        { name: "/responses is in the default list (Higress's code; its README omits it)", path: "/v1/responses", body: readme("gpt-4o"), upstreamBody: readme("qwen-vl-plus") },
        { name: "/v1/messages (Anthropic) is in the default list", path: "/v1/messages", body: readme("gpt-4o"), upstreamBody: readme("qwen-vl-plus") },
        { name: "a body in 7 chunks is mapped whole", body: readme("gpt-4o"), chunks: 7, upstreamBody: readme("qwen-vl-plus") },
        { name: "a request without a body passes", method: "GET", upstreamBody: "" },
      ].map(row),
    },
    {
      name: "modelKey and enableOnPathSuffix",
      config: { modelKey: "engine", enableOnPathSuffix: ["/generate", "*"], modelMapping: { a: "b" } },
      rows: [
        { name: "modelKey names the field that is mapped; model is left alone", path: "/x/generate", body: `{"engine":"a","model":"a"}`, upstreamBody: `{"engine":"b","model":"a"}` },
        { name: "a default path is no longer listed", body: `{"engine":"a"}`, upstreamBody: true },
        { name: "no * key: an unknown model stays", path: "/generate", body: `{"engine":"z"}`, upstreamBody: true },
        { name: "* in enableOnPathSuffix does not mean every path (Higress's model-mapper code, unlike model-router)", path: "/other", body: `{"engine":"a"}`, upstreamBody: true },
      ].map(row),
    },
  ],
  badConfigs: ([
    ["modelMapping not an object", { modelMapping: ["a"] }, "modelMapping must be an object"],
    ["enableOnPathSuffix not an array", { enableOnPathSuffix: "/x" }, "enableOnPathSuffix must be an array"],
    ["modelKey a gjson path", { modelKey: "a.b" }, "modelKey must be a top-level field name (gjson paths with . * ? # | @ are not supported): a.b"],
    ["modelKey not a string", { modelKey: 3 }, "modelKey must be a string"],
    ["a mapping target that is an object", { modelMapping: { a: { b: 1 } } }, "modelMapping values must be model names (strings): a"],
  ] as const).map(([name, config, message]) => ({ name, config, message })),
};
