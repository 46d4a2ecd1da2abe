// ai-rag over a real Chroma server (v2 API; the `vector: {type: chroma}` Sluice addition) in a
// real Envoy, with the strict DashScope embedding mock in front of the recording upstream: the
// news documents are stored in Chroma with their vectors (squared L2 distances 0, 0.09, 1 and 2
// from the question's); the provider receives the documents within the threshold, nearest first,
// before the question; `topk` bounds them; an unrelated question, an unknown collection and a
// Chroma that is down leave the request unchanged.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { createServer, type AddressInfo } from "node:net";
import { useEnvoy } from "../../../harness/src/vitest.js";
import { http, pluginWasm, RecordingUpstream } from "../../../harness/src/index.js";
import { ChromaServer } from "../../../harness/src/chroma.js";
import { EmbeddingMock } from "../../../harness/src/mocks/embedding.js";
import { DOCS, Q, LEAD, EMBED_KEY, axis, dashscope } from "./cases.js";

const UNRELATED = "How do I bake sourdough bread?";
let chroma: ChromaServer, embed: EmbeddingMock, upstream: RecordingUpstream;
let collection = "";
/** A loopback port nobody listens on: the "Chroma is down" route's cluster. */
let deadPort = 0;

beforeAll(async () => {
  [chroma, embed, upstream] = await Promise.all([ChromaServer.start(), EmbeddingMock.start(EMBED_KEY), RecordingUpstream.start()]);
  deadPort = await new Promise<number>((res) => { const s = createServer(); s.listen(0, "127.0.0.1", () => { const port = (s.address() as AddressInfo).port; s.close(() => res(port)); }); });
  collection = await chroma.createCollection("ai-rag-news");
  await chroma.add(collection, DOCS.map((d) => d.id), DOCS.map((d) => d.vector), DOCS.map((d) => d.fields.raw));
  embed.vectors.set(Q, axis(0));
  embed.vectors.set(UNRELATED, axis(5, 0.5));
}, 120_000);
afterAll(async () => {
  await Promise.all([chroma?.stop(), embed?.stop(), upstream?.stop()]);
});

const vector = (extra: Record<string, unknown> = {}) => ({ type: "chroma", serviceFQDN: "chroma.dns", servicePort: 8000, serviceHost: "", collection, topk: 3, threshold: 0.5, timeout: 10000, ...extra });
const gw = useEnvoy(() => ({
  plugins: [{
    name: "ai-rag",
    wasm: pluginWasm("ai-rag"),
    config: {
      dashscope: dashscope("dashscope", { timeout: 10000 }),
      vector: vector(),
      _rules_: [
        { _match_route_: ["top1"], dashscope: dashscope(), vector: vector({ topk: 1, threshold: 5 }) },
        { _match_route_: ["strict"], dashscope: dashscope(), vector: vector({ threshold: 0.05 }) },
        { _match_route_: ["nocoll"], dashscope: dashscope(), vector: vector({ collection: "00000000-0000-0000-0000-000000000000" }) },
        { _match_route_: ["down"], dashscope: dashscope(), vector: vector({ serviceFQDN: "chroma-down.dns" }) },
      ],
    },
  }],
  routes: [...["top1", "strict", "nocoll", "down"].map((r) => ({ name: r, prefix: `/${r}/`, prefixRewrite: "/", cluster: "up" })), { name: "default", prefix: "/", cluster: "up" }],
  clusters: [
    { name: "up", port: upstream.port },
    { name: "outbound|443||dashscope.dns", port: embed.port },
    { name: "outbound|8000||chroma.dns", port: chroma.port },
    { name: "outbound|8000||chroma-down.dns", port: deadPort },
  ],
}));

let seq = 0;
async function ask(q: string, prefix = ""): Promise<{ status: number; recall: string | undefined; upstream: string | undefined; sent: string }> {
  const id = `ai-rag-${++seq}`;
  const sent = JSON.stringify({ model: "qwen-max", messages: [{ role: "system", content: "Answer from the news." }, { role: "user", content: q }], temperature: 0.2 });
  const r = await http(`${gw.url}${prefix}/v1/chat/completions`, { method: "POST", headers: [["content-type", "application/json"], ["x-request-id", id]], body: sent });
  const rec = upstream.requests.find((x) => x.headers["x-request-id"] === id);
  return { status: r.status, recall: r.headers["x-envoy-rag-recall"] as string | undefined, upstream: rec?.body, sent };
}
const injected = (sent: string, ids: string[]) => {
  const j = JSON.parse(sent);
  const q = j.messages.at(-1).content;
  return JSON.stringify({ ...j, messages: [...j.messages.slice(0, -1), ...ids.map((id) => ({ role: "user", content: DOCS.find((d) => d.id === id)!.fields.raw })), { role: "user", content: LEAD + q }] });
};

describe("ai-rag over a real Chroma", () => {
  it("Chroma's nearest documents within the threshold reach the provider, nearest first, before the question", async () => {
    embed.clear();
    const r = await ask(Q);
    expect(r.status).toBe(200);
    expect(r.recall).toBe("true");
    expect(r.upstream).toBe(injected(r.sent, ["cec-1", "cec-2"]));
    expect(embed.calls.map((c) => [c.provider, c.status, c.texts])).toEqual([["dashscope", 200, [Q]]]);
  });

  it("topk 1: only the nearest", async () => {
    const r = await ask(Q, "/top1");
    expect(r.recall).toBe("true");
    expect(r.upstream).toBe(injected(r.sent, ["cec-1"]));
  });

  it("a smaller threshold leaves the farther document out", async () => {
    const r = await ask(Q, "/strict");
    expect(r.recall).toBe("true");
    expect(r.upstream).toBe(injected(r.sent, ["cec-1"]));
  });

  it("an unrelated question: nothing within the threshold, the request is unchanged", async () => {
    const r = await ask(UNRELATED);
    expect(r.recall).toBe("false");
    expect(r.upstream).toBe(r.sent);
  });

  it("an unknown collection (Chroma answers an error): unchanged", async () => {
    const r = await ask(Q, "/nocoll");
    expect(r.status).toBe(200);
    expect(r.recall).toBe("false");
    expect(r.upstream).toBe(r.sent);
    await gw.envoy.settleLog();
    expect(gw.envoy.wasmLog().join("\n")).toMatch(/chroma answered [45]\d\d: request passed unchanged/);
  });

  it("Chroma down: unchanged", async () => {
    const r = await ask(Q, "/down");
    expect(r.status).toBe(200);
    expect(r.recall).toBe("false");
    expect(r.upstream).toBe(r.sent);
  });
});
