// Differential scenarios: each is written once (config + request + what must happen) and runs on
// a real Envoy and on the emulator (both targets). The runner compares everything observable:
// status, body, the request the upstream saw, and the plugin's log lines for that request.

export interface ScenarioRequest {
  method?: string;
  path: string;
  host?: string;
  headers?: [string, string][];
  body?: string;
  chunks?: number;
}

export interface Scenario {
  name: string;
  request: ScenarioRequest;
  expect: {
    status: number;
    /** Exact response body (local responses). */
    body?: string;
    /** Headers the upstream must have seen (null: must be absent). */
    upstream?: Record<string, string | null>;
    /** Substrings of the plugin's log lines for this request. */
    logs?: string[];
  };
}

export interface Group {
  name: string;
  plugin: string;
  /** plugins/<plugin> (default) or test/plugins/<plugin>. */
  testPlugin?: boolean;
  config: unknown;
  /** Route names (prefix /<name>) before a catch-all "default" route. */
  routes?: string[];
  useRemoteAddress?: boolean;
  scenarios: Scenario[];
}

export const groups: Group[] = [
  {
    name: "ai-proxy (OpenAI provider against the recording upstream)",
    plugin: "ai-proxy",
    config: { provider: { type: "openai", apiTokens: ["sk-diff"], modelMapping: { "gpt-4o": "gpt-4o-mini", "*": "gpt-4o" } } },
    scenarios: [
      { name: "chat completion: key, host and model rewritten", request: { path: "/v1/chat/completions", headers: [["content-type", "application/json"], ["authorization", "Bearer client"]], body: '{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}' }, expect: { status: 200, upstream: { authorization: "Bearer sk-diff", host: "api.openai.com" } } },
      { name: "streaming request in chunks", request: { path: "/v1/chat/completions", headers: [["content-type", "application/json"]], body: '{"model":"x","stream":true,"messages":[{"role":"user","content":"' + "long ".repeat(200) + '"}]}', chunks: 6 }, expect: { status: 200 } },
      { name: "embeddings", request: { path: "/v1/embeddings", headers: [["content-type", "application/json"]], body: '{"model":"text-embedding-3-small","input":"a"}' }, expect: { status: 200 } },
      { name: "bad JSON gets an OpenAI-shaped 400", request: { path: "/v1/chat/completions", headers: [["content-type", "application/json"]], body: "{nope" }, expect: { status: 400 } },
      { name: "GET /v1/models", request: { path: "/v1/models" }, expect: { status: 200 } },
    ],
  },
  {
    name: "sdk-probe (HTTP callout, shared data)",
    plugin: "sdk-probe",
    testPlugin: true,
    config: { upstream_cluster: "up" },
    scenarios: [
      { name: "callout result is carried upstream", request: { path: "/callout/a", headers: [["x-probe-callout-path", "/seen?q=1"]] }, expect: { status: 200, upstream: { "x-callout-status": "200", "x-callout-echo-path": "/seen?q=1" } } },
      { name: "callout POST with a body", request: { path: "/callout/b", headers: [["x-probe-callout-method", "POST"], ["x-probe-callout-path", "/p"], ["x-probe-callout-body", "payload"]] }, expect: { status: 200, upstream: { "x-callout-echo-body": "payload" } } },
      { name: "callout to an unknown cluster is refused", request: { path: "/callout/c", headers: [["x-probe-callout-cluster", "nope"]] }, expect: { status: 503 } },
      { name: "shared data set", request: { path: "/shared/set", headers: [["x-key", "diff"], ["x-value", "v"]] }, expect: { status: 200, body: "v" } },
      // SharedQueue.resolve("", name): does an empty vm_id find this VM's queue?
      { name: "shared queue resolved with an empty vm_id", request: { path: "/queue/enqueue", headers: [["x-value", "m"]] }, expect: { status: 200 } },
    ],
  },
];
