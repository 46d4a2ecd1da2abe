// A strict Pinecone index (data plane): `POST /query` and `POST /vectors/upsert` on the index's
// host, as Higress's ai-cache sends them. It checks the Host (the index's), the `Api-Key` header,
// the JSON body (query: `vector` of the index's dimension, `topK` 1–10000, `namespace` a string,
// `includeMetadata`/`includeValues` booleans, no unknown member; upsert: `vectors` of
// `{id: 1–512 characters, values, metadata}`, `namespace`) and answers in Pinecone's shapes
// (`{results, matches: [{id, score, values, metadata}], namespace, usage}`, `{upsertedCount}`);
// errors are `{code, message, details}` with gRPC codes (16 unauthenticated, 3 invalid argument).
// The index's metric is cosine, whose `score` is the cosine similarity (larger is closer).
// Namespaces are the collections ("" is the default namespace).
import type { IncomingMessage } from "node:http";
import { VectorStoreMock, StoreError, isVector, isObject, type Answer, type StoreCall, type StoreCollection } from "./vector-store.js";

export const PINECONE_HOST = "sluice-cache-abc1234.svc.aped-4627-b74a.pinecone.io";
const QUERY_KEYS = new Set(["namespace", "topK", "filter", "includeValues", "includeMetadata", "vector", "sparseVector", "id"]);

const invalid = (message: string) => new StoreError(400, { code: 3, message, details: [] });

export class PineconeMock extends VectorStoreMock {
  /** The index's dimension (every namespace shares it). */
  dimension = 8;

  static async start(apiKey = "pcsk_test", host = PINECONE_HOST): Promise<PineconeMock> {
    const m = new PineconeMock(apiKey, host);
    await m.listen();
    return m;
  }

  protected badJson(why: string): StoreError { return invalid(`Invalid request body: ${why}`); }
  protected internalError(): StoreError { return new StoreError(500, { code: 13, message: "Internal error", details: [] }); }

  private ns(name: string): StoreCollection {
    let c = this.collections.get(name);
    if (!c) { c = { dimension: this.dimension, records: [] }; this.collections.set(name, c); }
    return c;
  }

  protected handle(req: IncomingMessage, call: StoreCall, parse: () => any): Answer | null {
    if (this.hostOf(req) !== this.host) return { status: 404, body: "Not Found", contentType: "text/plain" };
    if (req.method === "POST" && call.path === "/query") call.op = "query";
    else if (req.method === "POST" && call.path === "/vectors/upsert") call.op = "insert";
    else return { status: 404, body: "Not Found", contentType: "text/plain" };
    const key = req.headers["api-key"];
    if (key === undefined || key === "") throw new StoreError(401, { code: 16, message: "Invalid API Key", details: [] });
    if (key !== this.apiKey) throw new StoreError(401, { code: 16, message: "Invalid API Key", details: [] });
    const body = parse();
    if (this.fault === "hang") return null;
    if (body.namespace !== undefined && typeof body.namespace !== "string") throw this.badJson("namespace must be a string");
    return call.op === "query" ? this.query(body) : this.upsert(body);
  }

  private query(body: any): Answer {
    for (const k of Object.keys(body)) if (!QUERY_KEYS.has(k)) throw this.badJson(`unknown field \`${k}\``);
    if (!Number.isInteger(body.topK) || body.topK < 1 || body.topK > 10000) throw invalid("topK must be an integer from 1 to 10000");
    for (const k of ["includeValues", "includeMetadata"]) if (body[k] !== undefined && typeof body[k] !== "boolean") throw this.badJson(`${k} must be a boolean`);
    if (!isVector(body.vector)) throw invalid("You must enter exactly one of vector, sparseVector or id");
    if (body.vector.length !== this.dimension) throw invalid(`Vector dimension ${body.vector.length} does not match the dimension of the index ${this.dimension}`);
    const ns = body.namespace ?? "";
    const matches = this.ranked(this.ns(ns), body.vector, body.topK).map(({ r, sim }) => ({ id: r.id, score: sim, values: body.includeValues ? r.vector : [], ...(body.includeMetadata ? { metadata: r.fields } : {}) }));
    return { status: 200, body: { results: [], matches, namespace: ns, usage: { readUnits: 5 } } };
  }

  private upsert(body: any): Answer {
    for (const k of Object.keys(body)) if (k !== "vectors" && k !== "namespace") throw this.badJson(`unknown field \`${k}\``);
    if (!Array.isArray(body.vectors) || body.vectors.length === 0 || body.vectors.length > 1000) throw invalid("vectors must hold 1 to 1000 vectors");
    for (const v of body.vectors) {
      if (!isObject(v)) throw this.badJson("a vector must be an object");
      if (typeof v.id !== "string" || v.id.length < 1 || v.id.length > 512) throw invalid("Vector ID must be a string of 1 to 512 characters");
      if (!isVector(v.values)) throw invalid("values must be a list of floats");
      if (v.values.length !== this.dimension) throw invalid(`Vector dimension ${v.values.length} does not match the dimension of the index ${this.dimension}`);
      if (v.metadata !== undefined && !isObject(v.metadata)) throw this.badJson("metadata must be an object");
    }
    const c = this.ns(body.namespace ?? "");
    for (const v of body.vectors) {
      c.records = c.records.filter((r) => r.id !== v.id);
      c.records.push({ id: v.id, vector: v.values, fields: { ...(v.metadata ?? {}) } });
    }
    return { status: 200, body: { upsertedCount: body.vectors.length } };
  }
}
