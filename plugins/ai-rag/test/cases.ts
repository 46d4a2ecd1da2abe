// The case table of ai-rag against the strict DashScope embedding mock
// (harness/src/mocks/embedding.ts) and the strict DashVector mock (harness/src/mocks/dashvector.ts,
// cosine metric: a score is a distance). The question's vector lies on one axis; the stored news
// documents lie at distances 0, 0.042, 0.293 and 1 from it. Recalled documents replace the last
// message, one user message each in DashVector's order, then the question after Higress's lead-in;
// every other byte of the body is kept. `topk` and `threshold` (a distance: kept when ≤) filter;
// no document within the threshold leaves the request unchanged; `field` names the text's field;
// an embedding or DashVector service that refuses the key, answers an error or garbage, is down
// or never answers (bounded by the call's timeout) leaves the request unchanged too. The response
// says `x-envoy-rag-recall`; the recalled ids go to the span attribute `rag_docs`. Rows run in
// order on a real Envoy and on the emulator (both targets) through harness/src/plugin-table.ts.
// The same plugin over a real Chroma is in chroma.envoy.test.ts.
import { expect } from "vitest";
import { createServer as netServer, type AddressInfo } from "node:net";
import type { HostedServer, Observed, PluginTable, Row, RowRequest } from "../../../harness/src/plugin-table.js";
import type { UpstreamAnswer } from "../../../harness/src/upstream.js";
import { EmbeddingMock, EMBEDDING_HOSTS, DASHSCOPE_EMBEDDING_PATH, type EmbeddingCall } from "../../../harness/src/mocks/embedding.js";
import { DashVectorMock, DASHVECTOR_HOST, type DashVectorCall } from "../../../harness/src/mocks/dashvector.js";

export const EMBED_KEY = "sk-dashscope-test";
export const DV_KEY = "sk-dashvector-test";
export const LEAD = "现在，请回答以下问题：\n";

/** A unit vector along axis i, leaning `lean` toward axis i+1 (8 dimensions, as the embedding mock's). */
export const axis = (i: number, lean = 0) => Array.from({ length: 8 }, (_, k) => (k === i ? 1 : k === i + 1 ? lean : 0));

export const Q = "Where did the Hainan rear-end collision happen?";
/** Higress's README example question ("The Hainan rear-end collision: where did it happen? …"). */
const Q_ZH = "海南追尾事故，发生在哪里？原因是什么？人员伤亡情况如何？";
const UNRELATED = "How do I bake sourdough bread?";
export const DOCS = [
  { id: "cec-1", vector: axis(0), fields: { raw: "The collision happened on the Haiwen expressway, 37 km from Wenchang.", title: "Hainan collision: where" } },
  { id: "cec-2", vector: axis(0, 0.3), fields: { raw: "One driver died at the scene; eight people were injured.", title: "Hainan collision: casualties" } },
  { id: "cec-3", vector: axis(0, 1), fields: { raw: "Traffic police are still investigating the cause.", title: "Hainan collision: cause" } },
  { id: "cec-4", vector: axis(3), fields: { raw: "A bakery opened in Haikou.", title: "Bakery" } },
];
const text = (id: string, field: "raw" | "title" = "raw") => DOCS.find((d) => d.id === id)!.fields[field];

// ---- the services, as clusters ----
const embeds = new Map<string, EmbeddingMock>();
const vectors = new Map<string, DashVectorMock>();
const cluster = (name: string) => `outbound|443||${name}.dns`;

async function startEmbedding(name: string, fault: "" | "fail" | "hang"): Promise<HostedServer> {
  const m = await EmbeddingMock.start(EMBED_KEY);
  m.vectors.set(Q, axis(0));
  m.vectors.set(Q_ZH, axis(0));
  m.vectors.set(UNRELATED, axis(5));
  if (fault === "fail") m.failWith = 500;
  if (fault === "hang") m.hang = true;
  embeds.set(name, m);
  return { port: m.port, requests: [], stop: () => m.stop() };
}

async function startDashVector(name: string, fault: DashVectorMock["fault"]): Promise<HostedServer> {
  const m = await DashVectorMock.start(DV_KEY);
  m.collections.set("news", { dimension: 8, docs: DOCS });
  m.fault = fault;
  vectors.set(name, m);
  return { port: m.port, requests: [], stop: () => m.stop() };
}

/** A service that accepts connections and drops them at once (down). */
async function startDown(): Promise<HostedServer> {
  const s = netServer((sock) => sock.destroy());
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  return { port: (s.address() as AddressInfo).port, requests: [], stop: () => new Promise<void>((r) => s.close(() => r())) };
}

const seen = new Map<object, number>();
function since<T>(m: { calls: T[] }): T[] {
  const out = m.calls.slice(seen.get(m) ?? 0);
  seen.set(m, m.calls.length);
  return out;
}
/** The calls every mock received since the last look (one host's request). */
function calls(): { embed: EmbeddingCall[]; dv: DashVectorCall[] } {
  const embed: EmbeddingCall[] = [];
  const dv: DashVectorCall[] = [];
  for (const m of embeds.values()) embed.push(...since(m));
  for (const m of vectors.values()) dv.push(...since(m));
  return { embed, dv };
}

// ---- configuration ----
export const dashscope = (name = "dashscope", extra: Record<string, unknown> = {}) => ({ apiKey: EMBED_KEY, serviceFQDN: `${name}.dns`, servicePort: 443, serviceHost: EMBEDDING_HOSTS.dashscope, ...extra });
export const dashvector = (extra: Record<string, unknown> = {}, name = "dashvector") => ({ apiKey: DV_KEY, serviceFQDN: `${name}.dns`, servicePort: 443, serviceHost: DASHVECTOR_HOST, collection: "news", topk: 2, threshold: 0.1, field: "raw", ...extra });
const rule = (route: string, extra: { dashscope?: unknown; dashvector?: unknown }) => ({ _match_route_: [route], dashscope: dashscope(), dashvector: dashvector(), ...extra });

const config = {
  dashscope: dashscope(),
  dashvector: dashvector(),
  _rules_: [
    rule("top1", { dashvector: dashvector({ topk: 1, threshold: 0.5 }) }),
    rule("top3", { dashvector: dashvector({ topk: 3, threshold: 0.5 }) }),
    rule("strict", { dashvector: dashvector({ topk: 3, threshold: 0.01 }) }),
    rule("exact", { dashvector: dashvector({ topk: 3, threshold: 0 }) }),
    rule("title", { dashvector: dashvector({ field: "title" }) }),
    { _match_route_: ["vtype"], dashscope: dashscope(), vector: { type: "dashvector", ...dashvector({ topk: 1 }) } },
    rule("embkey", { dashscope: dashscope("dashscope", { apiKey: "sk-wrong" }) }),
    rule("embfail", { dashscope: dashscope("dashscope-fail") }),
    rule("embhang", { dashscope: dashscope("dashscope-hang", { timeout: 300 }) }),
    rule("embdown", { dashscope: dashscope("dashscope-down") }),
    rule("dvkey", { dashvector: dashvector({ apiKey: "sk-wrong" }) }),
    rule("dvcoll", { dashvector: dashvector({ collection: "missing" }) }),
    rule("dverror", { dashvector: dashvector({}, "dashvector-error") }),
    rule("dvgarbage", { dashvector: dashvector({}, "dashvector-garbage") }),
    rule("dvhang", { dashvector: dashvector({}, "dashvector-hang") }),
    rule("dvdown", { dashvector: dashvector({}, "dashvector-down") }),
  ],
};
const routes = ["top1", "top3", "strict", "exact", "title", "vtype", "embkey", "embfail", "embhang", "embdown", "dvkey", "dvcoll", "dverror", "dvgarbage", "dvhang", "dvdown"];

// ---- requests ----
const ANSWER: UpstreamAnswer = { headers: { "content-type": "application/json" }, body: JSON.stringify({ id: "c1", object: "chat.completion", model: "qwen-max", choices: [{ index: 0, message: { role: "assistant", content: "On the Haiwen expressway." }, finish_reason: "stop" }] }) };
type Msg = { role: string; content: unknown };
const chat = (messages: Msg[], extra: Record<string, unknown> = {}) => ({ model: "qwen-max", messages, ...extra });
const post = (route: string, body: unknown): RowRequest => ({
  method: "POST",
  path: `${route ? "/" + route : ""}/v1/chat/completions`,
  headers: [["content-type", "application/json"]],
  body: typeof body === "string" ? body : JSON.stringify(body),
  answer: ANSWER,
});
/** The body the provider must get: the request's last message replaced by the documents and the question. */
const injected = (req: ReturnType<typeof chat>, ids: string[], field: "raw" | "title" = "raw", question = Q) =>
  JSON.stringify({ ...req, messages: [...req.messages.slice(0, -1), ...ids.map((id) => ({ role: "user", content: text(id, field) })), { role: "user", content: LEAD + question }] });

const spanDocs = (o: Observed) => o.properties["trace_span_tag.rag_docs"];

interface Case {
  name: string;
  request: RowRequest;
  upstreamBody: string | true;
  recall: boolean;
  /** Recalled ids in the span attribute (null: not set). */
  docs?: string | null;
  logs?: string[];
  check?: (o: Observed, made: ReturnType<typeof calls>) => void;
}

const row = (c: Case): Row => ({
  name: c.name,
  request: c.request,
  expect: {
    status: 200,
    reachesUpstream: true,
    upstreamBody: c.upstreamBody,
    headers: { "x-envoy-rag-recall": c.recall ? "true" : "false" },
    logs: c.logs,
    notLogged: [EMBED_KEY, DV_KEY],
    check: (o) => {
      const made = calls();
      expect(spanDocs(o), "span attribute rag_docs").toBe(c.docs ?? null);
      c.check?.(o, made);
    },
  },
});

/** The calls of a request that reached both services: the embedding of `q`, one DashVector query. */
function queried(made: ReturnType<typeof calls>, q: string, topk: number, field = "raw"): void {
  expect(made.embed.map((c) => [c.path, c.status, c.headers.host, c.headers.authorization, c.body])).toEqual([
    [DASHSCOPE_EMBEDDING_PATH, 200, EMBEDDING_HOSTS.dashscope, `Bearer ${EMBED_KEY}`, { model: "text-embedding-v2", input: { texts: [q] }, parameters: { text_type: "query" } }],
  ]);
  expect(made.dv).toHaveLength(1);
  const d = made.dv[0];
  expect([d.path, d.status, d.code, d.headers.host, d.headers["dashvector-auth-token"], d.headers["content-type"]]).toEqual(["/v1/collections/news/query", 200, 0, DASHVECTOR_HOST, DV_KEY, "application/json"]);
  expect(Object.keys(d.body).sort()).toEqual(["include_vector", "output_fields", "topk", "vector"]);
  expect({ topk: d.body.topk, include_vector: d.body.include_vector, output_fields: d.body.output_fields }).toEqual({ topk, include_vector: false, output_fields: [field] });
  expect(d.body.vector).toEqual(embeds.get("dashscope")!.vectorOf(q));
}

const CONV = chat([
  { role: "system", content: "You answer from the news." },
  { role: "user", content: "Hello" },
  { role: "assistant", content: "Hi! Ask me about the news." },
  { role: "user", content: Q },
], { temperature: 0.7, top_p: 0.9, max_tokens: 256 });
const ONE = chat([{ role: "user", content: Q }]);

const rows: Row[] = [
  row({
    name: "the two nearest documents within the threshold replace the last message, in DashVector's order",
    request: post("", ONE),
    upstreamBody: injected(ONE, ["cec-1", "cec-2"]),
    recall: true,
    docs: "cec-1, cec-2",
    check: (_o, made) => queried(made, Q, 2),
  }),
  row({
    name: "earlier turns and every other field (temperature, top_p, max_tokens) are kept as sent",
    request: post("", CONV),
    upstreamBody: injected(CONV, ["cec-1", "cec-2"]),
    recall: true,
    docs: "cec-1, cec-2",
  }),
  row({ name: "topk 1: only the nearest document", request: post("top1", ONE), upstreamBody: injected(ONE, ["cec-1"]), recall: true, docs: "cec-1", check: (_o, made) => queried(made, Q, 1) }),
  row({ name: "topk 3 with a wide threshold: three documents, nearest first", request: post("top3", ONE), upstreamBody: injected(ONE, ["cec-1", "cec-2", "cec-3"]), recall: true, docs: "cec-1, cec-2, cec-3" }),
  row({ name: "threshold 0.01: documents farther than it are left out", request: post("strict", ONE), upstreamBody: injected(ONE, ["cec-1"]), recall: true, docs: "cec-1", check: (_o, made) => queried(made, Q, 3) }),
  row({ name: "threshold 0: a document at distance exactly 0 is kept (score ≤ threshold, as Higress)", request: post("exact", ONE), upstreamBody: injected(ONE, ["cec-1"]), recall: true, docs: "cec-1" }),
  row({
    name: "no document within the threshold: the request goes on unchanged",
    request: post("", chat([{ role: "user", content: UNRELATED }])),
    upstreamBody: true,
    recall: false,
    logs: ["no document within the threshold"],
    check: (_o, made) => queried(made, UNRELATED, 2),
  }),
  row({ name: "field names the field read for a document's text (output_fields)", request: post("title", ONE), upstreamBody: injected(ONE, ["cec-1", "cec-2"], "title"), recall: true, docs: "cec-1, cec-2", check: (_o, made) => queried(made, Q, 2, "title") }),
  row({ name: "vector: {type: dashvector} (Sluice addition) reads the dashvector block's keys", request: post("vtype", ONE), upstreamBody: injected(ONE, ["cec-1"]), recall: true, docs: "cec-1", check: (_o, made) => queried(made, Q, 1) }),
  (() => {
    const zh = chat([{ role: "user", content: Q_ZH }]);
    return row({ name: "Higress's README question (Chinese text, UTF-8 throughout)", request: post("", zh), upstreamBody: injected(zh, ["cec-1", "cec-2"], "raw", Q_ZH), recall: true, docs: "cec-1, cec-2", check: (_o, made) => queried(made, Q_ZH, 2) });
  })(),
  (() => {
    const parts = chat([{ role: "user", content: [{ type: "text", text: Q }] }]);
    return row({ name: "a last message given as text parts is asked by its text", request: post("", parts), upstreamBody: injected(parts, ["cec-1", "cec-2"]), recall: true, docs: "cec-1, cec-2", check: (_o, made) => queried(made, Q, 2) });
  })(),
  (() => {
    const streamed = chat([{ role: "user", content: Q }], { stream: true });
    return row({ name: "a streaming request gets the documents too", request: { ...post("", streamed), answer: { headers: { "content-type": "text/event-stream" }, body: 'data: {"choices":[{"index":0,"delta":{"content":"ok"}}]}\n\ndata: [DONE]\n\n' } }, upstreamBody: injected(streamed, ["cec-1", "cec-2"]), recall: true, docs: "cec-1, cec-2" });
  })(),
  row({ name: "a body that is not JSON passes unchanged, no service is called", request: post("", "question=where"), upstreamBody: true, recall: false, check: (_o, made) => expect(made).toEqual({ embed: [], dv: [] }) }),
  row({ name: "no messages: passes unchanged, no service is called", request: post("", { model: "qwen-max", prompt: Q }), upstreamBody: true, recall: false, check: (_o, made) => expect(made).toEqual({ embed: [], dv: [] }) }),
  {
    name: "a GET without a body passes, answered with x-envoy-rag-recall: false",
    request: { method: "GET", path: "/v1/models" },
    expect: { status: 200, reachesUpstream: true, headers: { "x-envoy-rag-recall": "false" }, check: () => expect(calls()).toEqual({ embed: [], dv: [] }) },
  },
  // The embedding service fails: the request goes on unchanged.
  row({ name: "DashScope refuses the API key (401): unchanged", request: post("embkey", ONE), upstreamBody: true, recall: false, logs: ["embedding service answered 401: request passed unchanged"], check: (_o, made) => { expect(made.embed.map((c) => c.status)).toEqual([401]); expect(made.dv).toEqual([]); } }),
  row({ name: "DashScope answers 500: unchanged", request: post("embfail", ONE), upstreamBody: true, recall: false, logs: ["embedding service answered 500: request passed unchanged"], check: (_o, made) => { expect(made.embed.map((c) => c.status)).toEqual([500]); expect(made.dv).toEqual([]); } }),
  row({ name: "DashScope never answers: unchanged after the call's timeout (300 ms here, Higress's 50 s by default)", request: post("embhang", ONE), upstreamBody: true, recall: false, logs: ["embedding service answered 504: request passed unchanged"], check: (_o, made) => { expect(made.embed).toHaveLength(1); expect(made.dv).toEqual([]); } }),
  row({ name: "DashScope is down (connection dropped): unchanged", request: post("embdown", ONE), upstreamBody: true, recall: false, logs: ["embedding service answered"], check: (_o, made) => expect(made).toEqual({ embed: [], dv: [] }) }),
  // The vector service fails: the request goes on unchanged.
  row({ name: "DashVector refuses the token (403): unchanged", request: post("dvkey", ONE), upstreamBody: true, recall: false, logs: ["dashvector answered 403: request passed unchanged"], check: (_o, made) => expect(made.dv.map((c) => [c.status, c.code])).toEqual([[403, -999]]) }),
  row({ name: "DashVector has no such collection (InexistentCollection): unchanged", request: post("dvcoll", ONE), upstreamBody: true, recall: false, logs: ["dashvector answered 404: request passed unchanged"], check: (_o, made) => expect(made.dv.map((c) => [c.path, c.code])).toEqual([["/v1/collections/missing/query", -2021]]) }),
  row({ name: "DashVector answers 500: unchanged", request: post("dverror", ONE), upstreamBody: true, recall: false, logs: ["dashvector answered 500: request passed unchanged"] }),
  row({ name: "DashVector answers a 200 that is not JSON: unchanged", request: post("dvgarbage", ONE), upstreamBody: true, recall: false, logs: ["dashvector answered no documents: request passed unchanged"] }),
  row({ name: "DashVector never answers: unchanged after Higress's 500 ms query timeout", request: post("dvhang", ONE), upstreamBody: true, recall: false, logs: ["dashvector answered 504: request passed unchanged"], check: (_o, made) => expect(made.dv).toHaveLength(1) }),
  row({ name: "DashVector is down (connection dropped): unchanged", request: post("dvdown", ONE), upstreamBody: true, recall: false, logs: ["dashvector answered"], check: (_o, made) => { expect(made.embed).toHaveLength(1); expect(made.dv).toEqual([]); } }),
];

const full = { dashscope: dashscope(), dashvector: dashvector() };
const without = (block: "dashscope" | "dashvector", key: string) => {
  const b: Record<string, unknown> = { ...full[block] };
  delete b[key];
  return { ...full, [block]: b };
};
const chroma = { type: "chroma", serviceFQDN: "chroma.dns", servicePort: 8000, serviceHost: "", collection: "id", topk: 2, threshold: 0.1 };

export const table: PluginTable = {
  plugin: "ai-rag",
  groups: [{ name: "DashScope embeddings + DashVector", config, routes, properties: ["trace_span_tag.rag_docs"], rows }],
  servers: {
    [cluster("dashscope")]: () => startEmbedding("dashscope", ""),
    [cluster("dashscope-fail")]: () => startEmbedding("dashscope-fail", "fail"),
    [cluster("dashscope-hang")]: () => startEmbedding("dashscope-hang", "hang"),
    [cluster("dashscope-down")]: startDown,
    [cluster("dashvector")]: () => startDashVector("dashvector", "none"),
    [cluster("dashvector-error")]: () => startDashVector("dashvector-error", "error"),
    [cluster("dashvector-garbage")]: () => startDashVector("dashvector-garbage", "garbage"),
    [cluster("dashvector-hang")]: () => startDashVector("dashvector-hang", "hang"),
    [cluster("dashvector-down")]: startDown,
  },
  badConfigs: ([
    ["nothing configured", {}, "dashscope.apiKey not found in plugin config!"],
    ["no dashvector block", { dashscope: dashscope() }, "dashvector.apiKey not found in plugin config!"],
    ["no dashvector.collection (required by Higress's code, missing from its README)", without("dashvector", "collection"), "dashvector.collection not found in plugin config!"],
    ["no dashvector.field", without("dashvector", "field"), "dashvector.field not found in plugin config!"],
    ["no dashscope.serviceHost", without("dashscope", "serviceHost"), "dashscope.serviceHost not found in plugin config!"],
    ["topk 0", { ...full, dashvector: dashvector({ topk: 0 }) }, "dashvector.topk must be an integer from 1 to 1024"],
    ["threshold as a string", { ...full, dashvector: dashvector({ threshold: "0.4" }) }, "dashvector.threshold must be a number"],
    ["port out of range", { ...full, dashscope: dashscope("dashscope", { servicePort: 70000 }) }, "dashscope.servicePort must be a port (1 to 65535)"],
    ["apiKey not a string", { ...full, dashvector: dashvector({ apiKey: 123 }) }, "dashvector.apiKey must be a string"],
    ["timeout 0", { ...full, dashscope: dashscope("dashscope", { timeout: 0 }) }, "dashscope.timeout must be a timeout in milliseconds (1 to 3600000)"],
    ["both dashvector and vector", { ...full, vector: chroma }, "configure either dashvector or vector, not both"],
    ["unknown vector.type", { dashscope: dashscope(), vector: { ...chroma, type: "milvus" } }, "unknown vector.type: 'milvus' (chroma or dashvector)"],
    ["chroma without its collection", { dashscope: dashscope(), vector: { ...chroma, collection: undefined } }, "vector.collection not found in plugin config!"],
  ] as const).map(([name, config, message]) => ({ name, config, message })),
};
