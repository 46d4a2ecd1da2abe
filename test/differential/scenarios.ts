// What is not one plugin's own table: the runner of harness/src/plugin-table.ts on ai-proxy (its
// OpenAI provider against the recording upstream) and on the sdk-probe test plugin (HTTP callouts,
// shared data, queues). Every row runs on a real Envoy and on the emulator (both targets), which
// must give the same answer; where they differ, the emulator is wrong. The plugins' own tables
// are plugins/*/test/cases.ts.
import type { PluginTable } from "../../harness/src/plugin-table.js";

export const tables: PluginTable[] = [
  {
    plugin: "ai-proxy",
    groups: [
      {
        name: "ai-proxy (OpenAI provider against the recording upstream)",
        config: { provider: { type: "openai", apiTokens: ["sk-diff"], modelMapping: { "gpt-4o": "gpt-4o-mini", "*": "gpt-4o" } } },
        rows: [
          { name: "chat completion: key, host and model rewritten", request: { path: "/v1/chat/completions", headers: [["content-type", "application/json"], ["authorization", "Bearer client"]], body: '{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}' }, expect: { status: 200, upstream: { authorization: "Bearer sk-diff", host: "api.openai.com" } } },
          { name: "streaming request in chunks", request: { path: "/v1/chat/completions", headers: [["content-type", "application/json"]], body: '{"model":"x","stream":true,"messages":[{"role":"user","content":"' + "long ".repeat(200) + '"}]}', chunks: 6 }, expect: { status: 200 } },
          { name: "embeddings", request: { path: "/v1/embeddings", headers: [["content-type", "application/json"]], body: '{"model":"text-embedding-3-small","input":"a"}' }, expect: { status: 200 } },
          { name: "bad JSON gets an OpenAI-shaped 400", request: { path: "/v1/chat/completions", headers: [["content-type", "application/json"]], body: "{nope" }, expect: { status: 400 } },
          { name: "GET /v1/models", request: { path: "/v1/models" }, expect: { status: 200 } },
        ],
      },
    ],
  },
  {
    plugin: "sdk-probe",
    testPlugin: true,
    groups: [
      {
        name: "sdk-probe (HTTP callout, shared data)",
        config: { upstream_cluster: "up" },
        rows: [
          { name: "callout result is carried upstream", request: { path: "/callout/a", headers: [["x-probe-callout-path", "/seen?q=1"]] }, expect: { status: 200, upstream: { "x-callout-status": "200", "x-callout-echo-path": "/seen?q=1" } } },
          { name: "callout POST with a body", request: { path: "/callout/b", headers: [["x-probe-callout-method", "POST"], ["x-probe-callout-path", "/p"], ["x-probe-callout-body", "payload"]] }, expect: { status: 200, upstream: { "x-callout-echo-body": "payload" } } },
          { name: "callout to an unknown cluster is refused", request: { path: "/callout/c", headers: [["x-probe-callout-cluster", "nope"]] }, expect: { status: 503 } },
          { name: "shared data set", request: { path: "/shared/set", headers: [["x-key", "diff"], ["x-value", "v"]] }, expect: { status: 200, body: "v" } },
          // SharedQueue.resolve("", name): does an empty vm_id find this VM's queue?
          { name: "shared queue resolved with an empty vm_id", request: { path: "/queue/enqueue", headers: [["x-value", "m"]] }, expect: { status: 200 } },
        ],
      },
    ],
  },
];
