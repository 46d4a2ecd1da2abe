// sdk/ai's vector stores and xfyun embeddings: xfyun's URL signature against Node's HMAC (the
// oracle: its documented construction), its float32 vector reader, each store's request shape
// (JSON that parses, Higress's paths and fields) and reader, including answers it must refuse.
import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { createHmac } from "node:crypto";
import { loadAsModule } from "../../harness/src/ascunit.js";

const m = await loadAsModule("sdk/test/ai-vector.entry.ts");
const str = (s: string) => m.newString(s);
const call = (fn: string, ...args: (string | number | boolean)[]): string => {
  const ptrs = args.map((a) => (typeof a === "string" ? str(a) : typeof a === "boolean" ? (a ? 1 : 0) : a));
  const out = m.getString((m.exports[fn] as (...p: number[]) => number)(...ptrs));
  args.forEach((a, i) => typeof a === "string" && m.unpin(ptrs[i]));
  return out;
};
enum T { DashVector, Qdrant, Milvus, Weaviate, Pinecone, Elasticsearch }

describe("xfyun", () => {
  it("signs the URL as xfyun documents it (host, date, request line; HMAC-SHA256 with the APISecret)", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 40 }), fc.string({ minLength: 1, maxLength: 40 }), fc.domain(), fc.integer({ min: 0, max: 4102444800 }), (key, secret, host, t) => {
        const date = new Date(t * 1000).toUTCString();
        const q = new URLSearchParams(call("xfyunQuery", host, date, key, secret));
        expect([...q.keys()]).toEqual(["authorization", "date", "host"]);
        expect(q.get("date")).toBe(date);
        expect(q.get("host")).toBe(host);
        const sig = createHmac("sha256", secret).update(`host: ${host}\ndate: ${date}\nPOST / HTTP/1.1`).digest("base64");
        expect(Buffer.from(q.get("authorization")!, "base64").toString("utf8")).toBe(`api_key="${key}", algorithm="hmac-sha256", headers="host date request-line", signature="${sig}"`);
      }),
      { numRuns: 300 },
    );
  });

  it("escapes the query as Go's url.Values.Encode (space '+', ',' ':' '+' '/' '=' as %XX)", () => {
    const q = call("xfyunQuery", "h.example", "Thu, 03 Dec 2026 09:00:00 GMT", "k", "s");
    expect(q).toMatch(/^\?authorization=[A-Za-z0-9%]+&date=Thu%2C\+03\+Dec\+2026\+09%3A00%3A00\+GMT&host=h\.example$/);
  });

  it("sends the text base64-encoded as one user message", () => {
    const body = JSON.parse(call("xfyunBody", 'Grüße "du"'));
    expect(body.header).toEqual({ app_id: "app", status: 3 });
    expect(JSON.parse(Buffer.from(body.payload.messages.text, "base64").toString("utf8"))).toEqual({ messages: [{ content: 'Grüße "du"', role: "user" }] });
  });

  it("reads little-endian float32s from payload.feature.text; refuses a length that is not 4k, empty, non-base64, NaN", () => {
    fc.assert(
      fc.property(fc.array(fc.float({ noNaN: true, noDefaultInfinity: true }), { minLength: 1, maxLength: 64 }), (xs) => {
        const b = Buffer.alloc(xs.length * 4);
        xs.forEach((x, i) => b.writeFloatLE(x, i * 4));
        const got = JSON.parse(call("xfyunVector", JSON.stringify({ header: { code: 0 }, payload: { feature: { text: b.toString("base64") } } })));
        expect(got).toEqual(xs.map((_, i) => b.readFloatLE(i * 4)));
      }),
      { numRuns: 200 },
    );
    const body = (text: unknown) => JSON.stringify({ payload: { feature: { text } } });
    expect(call("xfyunVector", body(Buffer.from([1, 2, 3]).toString("base64")))).toBe("null");
    expect(call("xfyunVector", body(""))).toBe("null");
    expect(call("xfyunVector", body("@@@@"))).toBe("null");
    expect(call("xfyunVector", body(Buffer.from(new Float32Array([NaN]).buffer).toString("base64")))).toBe("null");
    expect(call("xfyunVector", JSON.stringify({ header: { code: 10163, message: "bad" } }))).toBe("null");
  });
});

describe("vector stores", () => {
  const parse = (r: string) => {
    const [head, body] = r.split("\n\n");
    const [line, ...hs] = head.split("\n");
    return { line, headers: Object.fromEntries(hs.map((h) => h.split(": ") as [string, string])), body: JSON.parse(body) };
  };

  it("query requests: Higress's paths, auth headers and bodies", () => {
    const q = (t: T, c = "coll") => parse(call("request", t, c, false, "", ""));
    expect(q(T.DashVector)).toEqual({ line: "POST /v1/collections/coll/query", headers: { "content-type": "application/json", "dashvector-auth-token": "key" }, body: { vector: [0.5, -0.25, 1], topk: 2, include_vector: false } });
    expect(q(T.Qdrant)).toEqual({ line: "POST /collections/coll/points/search", headers: { "content-type": "application/json", "api-key": "key" }, body: { vector: [0.5, -0.25, 1], limit: 2, with_payload: true } });
    expect(q(T.Milvus)).toEqual({ line: "POST /v2/vectordb/entities/search", headers: { "content-type": "application/json", authorization: "Bearer key" }, body: { collectionName: "coll", data: [[0.5, -0.25, 1]], annsField: "vector", limit: 2, outputFields: ["question", "answer"] } });
    expect(q(T.Pinecone)).toEqual({ line: "POST /query", headers: { "content-type": "application/json", "api-key": "key" }, body: { namespace: "coll", vector: [0.5, -0.25, 1], topK: 2, includeMetadata: true, includeValues: false } });
    expect(q(T.Elasticsearch)).toEqual({ line: "POST /coll/_search", headers: { "content-type": "application/json", authorization: "ApiKey key" }, body: { _source: { excludes: ["embedding"] }, knn: { field: "embedding", query_vector: [0.5, -0.25, 1], k: 2 }, size: 2 } });
    const w = q(T.Weaviate, "Cache");
    expect(w.line).toBe("POST /v1/graphql");
    expect(w.body.query.replace(/\s+/g, " ")).toBe("{ Get { Cache (limit: 2 nearVector: { vector: [0.5,-0.25,1] }) { question answer _additional { distance } } } }");
  });

  it("insert requests: the question, its vector and the answer", () => {
    const i = (t: T, c = "coll") => parse(call("request", t, c, true, 'say "hi"', "hi!"));
    expect(i(T.DashVector).body).toEqual({ docs: [{ vector: [0.5, -0.25, 1], fields: { answer: "hi!", query: 'say "hi"' } }] });
    const qd = i(T.Qdrant);
    expect(qd.line).toBe("PUT /collections/coll/points");
    expect(qd.body.points[0].id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(qd.body.points[0].payload).toEqual({ question: 'say "hi"', answer: "hi!" });
    expect(i(T.Milvus).body).toEqual({ collectionName: "coll", data: [{ vector: [0.5, -0.25, 1], question: 'say "hi"', answer: "hi!" }] });
    expect(i(T.Weaviate, "Cache")).toEqual({ line: "POST /v1/objects", headers: { "content-type": "application/json", authorization: "Bearer key" }, body: { class: "Cache", vector: [0.5, -0.25, 1], properties: { question: 'say "hi"', answer: "hi!" } } });
    const pc = i(T.Pinecone);
    expect(pc.line).toBe("POST /vectors/upsert");
    expect(pc.body.namespace).toBe("coll");
    expect(pc.body.vectors[0]).toMatchObject({ values: [0.5, -0.25, 1], metadata: { question: 'say "hi"', answer: "hi!" } });
    expect(i(T.Elasticsearch)).toMatchObject({ line: "POST /coll/_doc", body: { embedding: [0.5, -0.25, 1], question: 'say "hi"', answer: "hi!" } });
  });

  it("reads each store's answer; refuses errors and other shapes", () => {
    const r = (t: T, body: unknown, c = "coll") => call("matches", t, c, typeof body === "string" ? body : JSON.stringify(body));
    expect(r(T.DashVector, { code: 0, output: [{ id: "1", score: 0.01, fields: { query: "q", answer: "a" } }] })).toBe("q|0.01|a");
    expect(r(T.DashVector, { code: 0, output: [{ id: "1", score: 0.01, fields: { query: "q" } }] })).toBe("q|0.01|");
    expect(r(T.DashVector, { code: -2021, message: "InexistentCollection" })).toBe("null");
    expect(r(T.Qdrant, { result: [{ id: 1, score: 0.9, payload: { question: "q", answer: "a" } }], status: "ok" })).toBe("q|0.9|a");
    expect(r(T.Qdrant, { result: [], status: "ok" })).toBe("");
    expect(r(T.Qdrant, { result: [{ id: 1, score: 0.9, payload: { question: "q" } }] })).toBe("null");
    expect(r(T.Milvus, { code: 0, data: [{ distance: 0.8, id: 5, question: "q", answer: "a" }] })).toBe("q|0.8|a");
    expect(r(T.Milvus, { code: 1800, message: "user hasn't authenticated" })).toBe("null");
    expect(r(T.Weaviate, { data: { Get: { Cache: [{ question: "q", answer: "a", _additional: { distance: 0.05 } }] } } }, "Cache")).toBe("q|0.05|a");
    expect(r(T.Weaviate, { data: { Get: null }, errors: [{ message: "Cannot query field" }] }, "Cache")).toBe("null");
    expect(r(T.Pinecone, { matches: [{ id: "x", score: 0.97, metadata: { question: "q", answer: "a" } }], namespace: "coll" })).toBe("q|0.97|a");
    expect(r(T.Elasticsearch, { hits: { hits: [{ _id: "x", _score: 0.99, _source: { question: "q", answer: "a" } }] } })).toBe("q|0.99|a");
    expect(r(T.Elasticsearch, { hits: { hits: [{ _id: "x", _score: "high", _source: { question: "q", answer: "a" } }] } })).toBe("null");
    for (const t of [T.DashVector, T.Qdrant, T.Milvus, T.Weaviate, T.Pinecone, T.Elasticsearch]) {
      expect(r(t, "<html>busy</html>")).toBe("null");
      expect(r(t, "[1,2]")).toBe("null");
    }
  });
});
