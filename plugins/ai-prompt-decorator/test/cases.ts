// The case table of ai-prompt-decorator: every row runs on a real Envoy and on the emulator (both
// targets) through harness/src/plugin-table.ts, which also demands the same answer from both.
// Each row states the exact body the upstream must receive.
import type { PluginTable, Row } from "../../../harness/src/plugin-table.js";

interface Case { name: string; path?: string; method?: string; body?: string; chunks?: number; upstreamBody: string | true; logs?: string[] }
const row = (c: Case): Row => ({
  name: c.name,
  request: { method: c.method ?? (c.body === undefined ? "GET" : "POST"), path: c.path ?? "/v1/chat/completions", headers: c.body === undefined ? [] : [["content-type", "application/json"]], body: c.body, chunks: c.chunks },
  expect: { status: 200, reachesUpstream: true, upstreamBody: c.upstreamBody, logs: c.logs },
});

const SYS = `{"role":"system","content":"Please answer the questions in English."}`;
const FOLLOW = `{"role":"user","content":"After answering each question, try to ask a follow-up question."}`;
const WHO = `{"role":"user","content":"Who are you?"}`;
// Higress README's first example.
const decorate = {
  prepend: [{ role: "system", content: "Please answer the questions in English." }],
  append: [{ role: "user", content: "After answering each question, try to ask a follow-up question." }],
};
// Higress README's replace example, plus a back-reference and a literal with regex metacharacters.
const rewrite = {
  replace: [
    { on_role: "system", pattern: "OpenClaw", replacement: "agent" },
    { pattern: "secret-\\d+", replacement: "[REDACTED]", regex: true },
    { pattern: "ticket-(\\d+)", replacement: "T#$1", regex: true },
    { pattern: "a.b", replacement: "dot" },
  ],
};

export const table: PluginTable = {
  plugin: "ai-prompt-decorator",
  groups: [
    {
      name: "prepend and append (Higress README example)",
      config: decorate,
      rows: [
        { name: "the README's request is decorated as the README shows", body: `{"model":"gpt-3.5-turbo","messages":[${WHO}]}`, upstreamBody: `{"model":"gpt-3.5-turbo","messages":[${SYS},${WHO},${FOLLOW}]}` },
        { name: "bytes outside the array stay as sent (spacing, other fields)", body: `{ "model" : "m",\n "messages" : [ ${WHO} ] , "n": 1.50 }`, upstreamBody: `{ "model" : "m",\n "messages" : [${SYS},${WHO},${FOLLOW}] , "n": 1.50 }` },
        { name: "an empty messages array gets only the decorations", body: `{"messages":[]}`, upstreamBody: `{"messages":[${SYS},${FOLLOW}]}` },
        { name: "non-ASCII content is carried byte for byte", body: `{"messages":[{"role":"user","content":"你好 \\u00e9 😀"}]}`, upstreamBody: `{"messages":[${SYS},{"role":"user","content":"你好 \\u00e9 😀"},${FOLLOW}]}` },
        { name: "duplicate messages keys: both carry the decorated last one (no parser sees an undecorated list)", body: `{"messages":[{"role":"user","content":"first"}],"messages":[${WHO}]}`, upstreamBody: `{"messages":[${SYS},${WHO},${FOLLOW}],"messages":[${SYS},${WHO},${FOLLOW}]}` },
        { name: "an escaped key (mess\\u0061ges) is the messages field", body: `{"mess\\u0061ges":[${WHO}]}`, upstreamBody: `{"mess\\u0061ges":[${SYS},${WHO},${FOLLOW}]}` },
        { name: "a body without messages passes unchanged", body: `{"model":"m","prompt":"hi"}`, upstreamBody: true, logs: ["passed unchanged"] },
        { name: "messages that is not an array passes unchanged", body: `{"messages":"hi"}`, upstreamBody: true },
        { name: "malformed JSON passes unchanged", body: `{"messages":[${WHO}`, upstreamBody: true, logs: ["passed unchanged"] },
        { name: "a body in 7 chunks is decorated whole", body: `{"model":"m","messages":[${WHO}]}`, chunks: 7, upstreamBody: `{"model":"m","messages":[${SYS},${WHO},${FOLLOW}]}` },
        { name: "a GET without a body passes", upstreamBody: "" },
        { name: "Anthropic /v1/messages: the system decoration joins the system string", path: "/v1/messages", body: `{"model":"claude","system":"Be brief.","messages":[${WHO}]}`, upstreamBody: `{"model":"claude","system":"Please answer the questions in English.\\nBe brief.","messages":[${WHO},${FOLLOW}]}` },
        { name: "Anthropic without system: the field is added", path: "/v1/messages", body: `{"model":"claude","messages":[${WHO}]}`, upstreamBody: `{"model":"claude","messages":[${WHO},${FOLLOW}],"system":"Please answer the questions in English."}` },
        { name: "Anthropic system as text blocks: a text block is put first", path: "/v1/messages", body: `{"system":[{"type":"text","text":"Be brief.","cache_control":{"type":"ephemeral"}}],"messages":[${WHO}]}`, upstreamBody: `{"system":[{"type":"text","text":"Please answer the questions in English."},{"type":"text","text":"Be brief.","cache_control":{"type":"ephemeral"}}],"messages":[${WHO},${FOLLOW}]}` },
      ].map(row),
    },
    {
      name: "replace rules (Higress README example, plus back-references)",
      config: rewrite,
      rows: [
        { name: "the README's request is rewritten as the README shows", body: `{"model":"gpt-3.5-turbo","messages":[{"role":"system","content":"You are running inside OpenClaw."},{"role":"user","content":"Show OpenClaw secret-1234 to the user"}]}`, upstreamBody: `{"model":"gpt-3.5-turbo","messages":[{"role":"system","content":"You are running inside agent."},{"role":"user","content":"Show OpenClaw [REDACTED] to the user"}]}` },
        { name: "$1 in a regex replacement is the group", body: `{"messages":[{"role":"user","content":"see ticket-42 and ticket-7"}]}`, upstreamBody: `{"messages":[{"role":"user","content":"see T#42 and T#7"}]}` },
        { name: "a literal pattern is not a regex (a.b does not match axb)", body: `{"messages":[{"role":"user","content":"axb a.b"}]}`, upstreamBody: `{"messages":[{"role":"user","content":"axb dot"}]}` },
        { name: "multimodal content (parts) is left as it is", body: `{"messages":[{"role":"user","content":[{"type":"text","text":"secret-1"}]}]}`, upstreamBody: `{"messages":[{"role":"user","content":[{"type":"text","text":"secret-1"}]}]}` },
        { name: "replacement text is JSON-escaped", body: `{"messages":[{"role":"user","content":"quote \\"secret-9\\"\\n"}]}`, upstreamBody: `{"messages":[{"role":"user","content":"quote \\"[REDACTED]\\"\\n"}]}` },
        { name: "Anthropic: the system string is rewritten as a system message", path: "/v1/messages", body: `{"system":"inside OpenClaw","messages":[{"role":"user","content":"OpenClaw"}]}`, upstreamBody: `{"system":"inside agent","messages":[{"role":"user","content":"OpenClaw"}]}` },
      ].map(row),
    },
    {
      name: "an empty configuration",
      config: {},
      rows: [
        { name: "the body is not read: forwarded as sent", body: `{"messages":[${WHO}]}`, upstreamBody: true },
      ].map(row),
    },
    {
      name: "${geo-*} variables without geo-ip",
      config: { prepend: [{ role: "system", content: "The user is in ${geo-country}." }] },
      rows: [
        { name: "a variable geo-ip did not set leaves the request undecorated (as Higress)", body: `{"messages":[${WHO}]}`, upstreamBody: true, logs: ["property geo-country is not set"] },
      ].map(row),
    },
  ],
  badConfigs: ([
    ["prepend not an array", { prepend: { role: "system", content: "x" } }, "prepend must be an array of {role, content} messages"],
    ["a prepend message without a role", { prepend: [{ content: "x" }] }, "prepend[0].role must be a non-empty string"],
    ["an append message with a number as content", { append: [{ role: "user", content: 5 }] }, "append[0].content must be a string"],
    ["an append entry that is a string", { append: ["hello"] }, "append[0] must be an object with role and content"],
    ["replace not an array", { replace: { pattern: "a", replacement: "b" } }, "replace must be an array"],
    ["an empty pattern", { replace: [{ pattern: "", replacement: "b" }] }, "replace[0].pattern must be a non-empty string"],
    ["a rule without replacement", { replace: [{ pattern: "a" }] }, "replace[0].replacement must be a string"],
    ["a regex that does not compile", { replace: [{ pattern: "(unclosed", replacement: "b", regex: true }] }, "replace[0].pattern: "],
    ["a back-reference (not RE2)", { replace: [{ pattern: "(a)\\1", replacement: "b", regex: true }] }, "replace[0].pattern: "],
  ] as const).map(([name, config, message]) => ({ name, config, message })),
};
