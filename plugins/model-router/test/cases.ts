// The case table of model-router: the model into a header, the provider/model split, `higress/auto`
// by RE2 rules on the last user message, multipart/form-data bodies, and the bodies it must leave
// alone. Every row runs on a real Envoy and on the emulator (both targets) through
// harness/src/plugin-table.ts, which also demands the same answer from both.
import type { PluginTable, Row } from "../../../harness/src/plugin-table.js";

interface Case {
  name: string;
  path?: string;
  contentType?: string;
  headers?: [string, string][];
  body: string;
  chunks?: number;
  upstream?: Record<string, string | null>;
  upstreamBody: string | true;
  logs?: string[];
}
const row = (c: Case): Row => ({
  name: c.name,
  request: { method: "POST", path: c.path ?? "/v1/chat/completions", headers: [["content-type", c.contentType ?? "application/json"], ...(c.headers ?? [])], body: c.body, chunks: c.chunks },
  expect: { status: 200, reachesUpstream: true, upstream: c.upstream, upstreamBody: c.upstreamBody, logs: c.logs },
});

const chat = (model: string, messages: unknown[] = [{ role: "user", content: "What is the GitHub address of the Higress project's main repository?" }]) =>
  `{"model":"${model}","stream":false,"messages":${JSON.stringify(messages)},"temperature":0.7}`;
const user = (content: unknown) => ({ role: "user", content });
const MODEL = "x-higress-llm-model";
const PROVIDER = "x-higress-llm-provider";

const form = (model: string, closing = "--XyZ--\r\n") =>
  `--XyZ\r\nContent-Disposition: form-data; name="model"\r\n\r\n${model}\r\n` +
  `--XyZ\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\nContent-Type: image/png\r\n\r\n\x89PNG model=x/y\r\n` +
  `--XyZ\r\ncontent-disposition: form-data; name=prompt\r\n\r\na cat\r\n` + closing;
const MULTIPART = "multipart/form-data; boundary=XyZ";

export const table: PluginTable = {
  plugin: "model-router",
  groups: [
    {
      name: "model and provider headers, and higress/auto (Higress README's rules)",
      config: {
        modelToHeader: MODEL,
        addProviderHeader: PROVIDER,
        autoRouting: {
          enable: true,
          defaultModel: "qwen-turbo",
          rules: [
            { pattern: "(?i)(画|绘|生成图|图片|image|draw|paint)", model: "qwen-vl-max" },
            { pattern: "(?i)(代码|编程|code|program|function|debug)", model: "qwen-coder" },
            { pattern: "", model: "skipped-as-in-higress" },
            { pattern: "(unclosed", model: "skipped-as-in-higress" },
          ],
        },
      },
      rows: [
        { name: "the model goes into modelToHeader; no '/' → no provider, body unchanged", body: chat("qwen-long"), upstream: { [MODEL]: "qwen-long", [PROVIDER]: null }, upstreamBody: true },
        { name: "provider/model: provider header, bare model in the body, modelToHeader keeps the full name", body: chat("dashscope/qwen-long"), upstream: { [MODEL]: "dashscope/qwen-long", [PROVIDER]: "dashscope" }, upstreamBody: chat("qwen-long") },
        { name: "only the first '/' splits", body: chat("a/b/c"), upstream: { [PROVIDER]: "a" }, upstreamBody: chat("b/c") },
        { name: "a client's own routing header is replaced, not added to", headers: [[MODEL, "spoofed"], [PROVIDER, "spoofed"]], body: chat("openai/gpt-4o"), upstream: { [MODEL]: "openai/gpt-4o", [PROVIDER]: "openai" }, upstreamBody: chat("gpt-4o") },
        { name: "higress/auto: the first rule matching the last user message wins", body: chat("higress/auto", [user("please draw a cat")]), upstream: { [MODEL]: "qwen-vl-max", [PROVIDER]: null }, upstreamBody: chat("qwen-vl-max", [user("please draw a cat")]), logs: ["auto routing: user message matched, routing to model: qwen-vl-max"] },
        { name: "higress/auto: only the last user message counts", body: chat("higress/auto", [user("draw"), { role: "assistant", content: "ok" }, user("debug this")]), upstream: { [MODEL]: "qwen-coder" }, upstreamBody: chat("qwen-coder", [user("draw"), { role: "assistant", content: "ok" }, user("debug this")]) },
        { name: "higress/auto: text parts of an array content", body: chat("higress/auto", [user([{ type: "image_url", image_url: { url: "x" } }, { type: "text", text: "PAINT it" }])]), upstream: { [MODEL]: "qwen-vl-max" }, upstreamBody: chat("qwen-vl-max", [user([{ type: "image_url", image_url: { url: "x" } }, { type: "text", text: "PAINT it" }])]) },
        { name: "higress/auto: UTF-8 patterns match Chinese text", body: chat("higress/auto", [user("帮我画一只猫")]), upstream: { [MODEL]: "qwen-vl-max" }, upstreamBody: chat("qwen-vl-max", [user("帮我画一只猫")]) },
        { name: "higress/auto: no rule matches → defaultModel", body: chat("higress/auto", [user("hello")]), upstream: { [MODEL]: "qwen-turbo" }, upstreamBody: chat("qwen-turbo", [user("hello")]), logs: ["auto routing: no rule matched, using default model: qwen-turbo"] },
        { name: "higress/auto: an assistant message is not the user's", body: chat("higress/auto", [user("hi"), { role: "assistant", content: "draw" }]), upstream: { [MODEL]: "qwen-turbo" }, upstreamBody: chat("qwen-turbo", [user("hi"), { role: "assistant", content: "draw" }]) },
        { name: "no model field: nothing is set", body: `{"messages":[]}`, upstream: { [MODEL]: null, [PROVIDER]: null }, upstreamBody: true },
        { name: "malformed JSON passes unchanged, logged", body: `{"model":"a/b"`, upstream: { [MODEL]: null }, upstreamBody: true, logs: ["invalid json body"] },
        { name: "a model with CR LF does not become a header (no header injection)", body: `{"model":"m\\r\\nx-evil: 1"}`, upstream: { [MODEL]: null, "x-evil": null }, upstreamBody: true, logs: ["not setting header x-higress-llm-model: the value holds CR, LF or NUL"] },
        { name: "a body that is neither JSON nor multipart is not read", contentType: "text/plain", body: chat("a/b"), upstream: { [MODEL]: null }, upstreamBody: true },
        { name: "a path without a listed suffix is not touched", path: "/v1/models", body: chat("a/b"), upstream: { [MODEL]: null }, upstreamBody: true },
        { name: "/audio/transcriptions is not in Higress's default list", path: "/v1/audio/transcriptions", contentType: MULTIPART, body: form("openai/whisper-1"), upstream: { [MODEL]: null }, upstreamBody: true },
        { name: "a body in 6 chunks is read whole", body: chat("dashscope/qwen-long"), chunks: 6, upstream: { [PROVIDER]: "dashscope" }, upstreamBody: chat("qwen-long") },
      ].map(row),
    },
    {
      name: "every path (*), multipart bodies, autoRouting disabled",
      config: { enableOnPathSuffix: ["*"], modelToHeader: "x-model", addProviderHeader: "x-provider", autoRouting: { enable: false, defaultModel: "never" } },
      rows: [
        { name: "* matches any path", path: "/anything", body: chat("qwen"), upstream: { "x-model": "qwen" }, upstreamBody: true },
        { name: "autoRouting disabled: higress/auto is split like any provider/model", body: chat("higress/auto"), upstream: { "x-model": "higress/auto", "x-provider": "higress", [MODEL]: null }, upstreamBody: chat("auto") },
        { name: "multipart: the model field is split in place, every other byte kept", path: "/v1/audio/transcriptions", contentType: MULTIPART, body: form("openai/whisper-1"), upstream: { "x-model": "openai/whisper-1", "x-provider": "openai" }, upstreamBody: form("whisper-1") },
        { name: "multipart: a quoted boundary parameter", path: "/v1/images/edits", contentType: `multipart/form-data; boundary="XyZ"`, body: form("openai/dall-e-2"), upstream: { "x-provider": "openai" }, upstreamBody: form("dall-e-2") },
        { name: "multipart: no '/' → only the model header, body unchanged", path: "/v1/images/edits", contentType: MULTIPART, body: form("dall-e-2"), upstream: { "x-model": "dall-e-2", "x-provider": null }, upstreamBody: true },
        { name: "multipart without its closing boundary passes unchanged, logged", path: "/v1/images/edits", contentType: MULTIPART, body: form("openai/dall-e-2", ""), upstream: { "x-model": null, "x-provider": null }, upstreamBody: true, logs: ["failed to read multipart body"] },
        { name: "multipart without a boundary passes unchanged, logged", path: "/v1/images/edits", contentType: "multipart/form-data", body: form("openai/dall-e-2"), upstream: { "x-provider": null }, upstreamBody: true, logs: ["no boundary in content type"] },
      ].map(row),
    },
  ],
  badConfigs: ([
    ["autoRouting not an object", { autoRouting: "yes" }, "autoRouting must be an object with enable, defaultModel and rules"],
    ["autoRouting.rules not an array", { autoRouting: { enable: true, rules: { pattern: "a", model: "b" } } }, "autoRouting.rules must be an array of {pattern, model}"],
    ["enableOnPathSuffix not an array", { enableOnPathSuffix: "*" }, "enableOnPathSuffix must be an array of path suffixes"],
    ["modelToHeader not a string", { modelToHeader: 1 }, "modelToHeader must be a header name"],
    ["modelKey a gjson path", { modelKey: "input.model" }, "modelKey must be a top-level field name"],
  ] as const).map(([name, config, message]) => ({ name, config, message })),
};
