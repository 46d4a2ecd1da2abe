// The case table of ai-data-masking: masking on the way in (the recording upstream sees only
// masks) and restore on the way out (the upstream's JSON echo carries the masks back, the client
// reads the originals), deny words refused before any upstream call in OpenAI JSON, OpenAI SSE
// and raw form, and refused configurations. Every row runs on a real Envoy and on the emulator
// (both targets) through harness/src/plugin-table.ts, which demands the same answer from both.
import type { Group, PluginTable, Observed } from "../../../harness/src/plugin-table.js";
import { expect } from "vitest";
import { CONFIG, PHONE, EMAIL, ID, PROMPT, MASKED_PROMPT, chat } from "./fixtures.js";

const JSON_HEADERS: [string, string][] = [["content-type", "application/json"]];
const post = (path: string, body: string, chunks?: number) => ({ method: "POST", path, headers: JSON_HEADERS, body, chunks });
/** The request the upstream echoed, as the client read it (after restore). */
const echoed = (o: Observed) => JSON.parse(o.body).body as string;

const groups: Group[] = [
  {
    name: "OpenAI bodies: masks in, originals out, deny words refused",
    config: { ...CONFIG, deny_message: "Refused by data masking." },
    rows: [
      {
        name: "a phone number, an e-mail and an ID number reach the upstream as masks only",
        request: post("/v1/chat/completions", chat(PROMPT)),
        expect: { status: 200, reachesUpstream: true, upstreamBody: chat(MASKED_PROMPT), check: (o) => { for (const s of [PHONE, EMAIL, ID]) expect(o.upstream!.body).not.toContain(s); } },
      },
      {
        name: "the masks in the upstream's answer are restored for the client",
        request: post("/v1/chat/completions", chat(PROMPT)),
        expect: { status: 200, check: (o) => expect(echoed(o)).toBe(chat(PROMPT)) },
      },
      {
        name: "a body cut into 7 chunks is masked the same",
        request: post("/v1/chat/completions", chat(PROMPT, { stream: false }), 7),
        expect: { status: 200, upstreamBody: chat(MASKED_PROMPT, { stream: false }) },
      },
      {
        name: "a deny word refuses the prompt with an OpenAI chat.completion; no upstream call",
        request: post("/v1/chat/completions", chat("what is project-omega?")),
        expect: {
          status: 200, reachesUpstream: false, headers: { "content-type": "application/json" }, logs: ["custom deny word project-omega matched"],
          check: (o) => expect(JSON.parse(o.body)).toMatchObject({ object: "chat.completion", model: "gpt-4o", choices: [{ index: 0, message: { role: "assistant", content: "Refused by data masking." }, finish_reason: "stop" }] }),
        },
      },
      {
        name: "a streaming client is refused with SSE chunks and [DONE]",
        request: post("/v1/chat/completions", chat("what is project-omega?", { stream: true })),
        expect: {
          status: 200, reachesUpstream: false, headers: { "content-type": "text/event-stream;charset=UTF-8" },
          check: (o) => {
            const data = o.body.split("\n\n").filter((e) => e).map((e) => e.replace(/^data: ?/, ""));
            expect(data.at(-1)).toBe("[DONE]");
            expect(JSON.parse(data[0]).choices[0].delta).toEqual({ role: "assistant", content: "Refused by data masking." });
          },
        },
      },
      {
        name: "a deny word in a content part (array content) refuses too",
        request: post("/v1/chat/completions", JSON.stringify({ model: "gpt-4o", messages: [{ role: "user", content: [{ type: "text", text: "project-omega" }] }] })),
        expect: { status: 200, reachesUpstream: false },
      },
      {
        name: "an Anthropic /v1/messages body is masked too (string content and text parts)",
        request: post("/v1/messages", JSON.stringify({ model: "claude-haiku-4-5", max_tokens: 64, messages: [{ role: "user", content: PROMPT }, { role: "assistant", content: [{ type: "text", text: `ok ${EMAIL}` }] }] })),
        expect: { status: 200, upstreamBody: JSON.stringify({ model: "claude-haiku-4-5", max_tokens: 64, messages: [{ role: "user", content: MASKED_PROMPT }, { role: "assistant", content: [{ type: "text", text: "ok ****@example.com" }] }] }) },
      },
      {
        name: "an Anthropic client is refused with an Anthropic message",
        request: post("/v1/messages", JSON.stringify({ model: "claude-haiku-4-5", max_tokens: 64, messages: [{ role: "user", content: "project-omega" }] })),
        expect: { status: 200, reachesUpstream: false, check: (o) => expect(JSON.parse(o.body)).toMatchObject({ type: "message", role: "assistant", content: [{ type: "text", text: "Refused by data masking." }], stop_reason: "end_turn" }) },
      },
      {
        name: "a body that is not JSON passes untouched (deny_raw is off)",
        request: post("/v1/chat/completions", `not json ${PHONE}`),
        expect: { status: 200, upstreamBody: true },
      },
      {
        name: "a request without a body passes",
        request: { path: "/v1/models" },
        expect: { status: 200, reachesUpstream: true },
      },
    ],
  },
  {
    name: "skip_response: the answer keeps the masks",
    config: { ...CONFIG, skip_response: true },
    rows: [
      {
        name: "the prompt is masked, the echoed answer is left as the upstream sent it",
        request: post("/v1/chat/completions", chat(PROMPT)),
        expect: { status: 200, upstreamBody: chat(MASKED_PROMPT), check: (o) => expect(echoed(o)).toBe(chat(MASKED_PROMPT)) },
      },
    ],
  },
  {
    name: "raw bodies: deny_raw with its own message, status and type",
    config: { deny_openai: false, deny_raw: true, deny_code: 403, deny_raw_message: "{\"errmsg\":\"blocked\"}", deny_content_type: "application/problem+json", deny_words: ["forbidden-word"], replace_roles: [{ regex: "%{IPV4}", type: "replace", value: "x.x.x.x" }] },
    rows: [
      {
        name: "a deny word anywhere in the body refuses it with deny_raw_message",
        request: post("/upload", "line one\nforbidden-word\n"),
        expect: { status: 403, body: "{\"errmsg\":\"blocked\"}", headers: { "content-type": "application/problem+json" }, reachesUpstream: false },
      },
      {
        name: "the whole body is masked",
        request: post("/upload", "from 192.168.0.1 to 10.1.2.3"),
        expect: { status: 200, upstreamBody: "from x.x.x.x to x.x.x.x" },
      },
    ],
  },
];

export const table: PluginTable = {
  plugin: "ai-data-masking",
  groups,
  badConfigs: [
    { name: "a replace type that does not exist", config: { replace_roles: [{ regex: "a", type: "mask" }] }, message: "replace_roles[0].type: regexp error value mask" },
    { name: "an unknown grok pattern", config: { replace_roles: [{ regex: "%{NOPE}", type: "replace", value: "x" }] }, message: "unknown grok pattern %{NOPE}" },
    { name: "a regex RE2 refuses", config: { replace_roles: [{ regex: "a(?=b)", type: "hash" }] }, message: "replace_roles: regexp error field a(?=b)" },
    { name: "a JSONPath outside the subset", config: { deny_jsonpath: ["$..content"] }, message: "deny_jsonpath: jsonpath error value $..content" },
    { name: "deny_words not a list", config: { deny_words: "word" }, message: "deny_words must be an array of strings" },
    { name: "deny_code not a status", config: { deny_code: 42 }, message: "deny_code must be an HTTP status" },
  ],
};
