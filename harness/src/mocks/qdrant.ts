// A strict Qdrant (REST API): `POST /collections/{name}/points/search` and
// `PUT /collections/{name}/points` (upsert), as Higress's ai-cache sends them. It checks the Host,
// the `api-key` header, the JSON body (search: `vector` of the collection's dimension, `limit` a
// positive integer, `with_payload` a boolean or a list, no unknown member — Qdrant's serde refuses
// one; upsert: `points` of `{id, vector, payload}` with an id that is an unsigned integer or a
// UUID) and answers in Qdrant's shape `{result, status: "ok", time}`; errors are
// `{status: {error}, time}`. Collections use the Cosine distance, whose `score` is the cosine
// similarity (1 is identical: larger is closer).
import type { IncomingMessage } from "node:http";
import { VectorStoreMock, StoreError, isVector, isObject, UUID_RE, type Answer, type StoreCall } from "./vector-store.js";

export const QDRANT_HOST = "sluice-test.eu-central.aws.cloud.qdrant.io";
const SEARCH_KEYS = new Set(["vector", "filter", "params", "limit", "offset", "with_payload", "with_vector", "score_threshold", "consistency", "shard_key", "timeout"]);
const POINT_KEYS = new Set(["id", "vector", "payload"]);

const err = (status: number, error: string) => new StoreError(status, { status: { error }, time: 0.0001 });

export class QdrantMock extends VectorStoreMock {
  static async start(apiKey = "qdrant-key-test", host = QDRANT_HOST): Promise<QdrantMock> {
    const m = new QdrantMock(apiKey, host);
    await m.listen();
    return m;
  }

  protected badJson(why: string): StoreError { return err(400, `Format error in JSON body: ${why}`); }
  protected internalError(): StoreError { return err(500, "Service internal error: mock failure"); }

  protected handle(req: IncomingMessage, call: StoreCall, parse: () => any): Answer | null {
    if (this.hostOf(req) !== this.host) throw err(404, `unknown host ${this.hostOf(req)}`);
    const u = new URL(call.path, "http://x");
    const search = /^\/collections\/([^/]+)\/points\/search$/.exec(u.pathname);
    const upsert = /^\/collections\/([^/]+)\/points$/.exec(u.pathname);
    if (search && req.method === "POST") call.op = "query";
    else if (upsert && req.method === "PUT") call.op = "insert";
    else throw err(404, `Not found: no route for ${req.method} ${u.pathname}`);
    const key = req.headers["api-key"];
    // Qdrant answers a missing or wrong key with 401 and a plain-text reason.
    if (key === undefined || key === "") return { status: 401, body: "Must provide an API key or an Authorization bearer token", contentType: "text/plain" };
    if (key !== this.apiKey) return { status: 401, body: "Invalid API key or JWT", contentType: "text/plain" };
    const body = parse();
    if (this.fault === "hang") return null;
    const name = decodeURIComponent((search ?? upsert)![1]);
    const coll = this.collections.get(name);
    if (!coll) throw err(404, `Not found: Collection \`${name}\` doesn't exist!`);
    return call.op === "query" ? this.search(coll, body) : this.upsert(coll, body, u);
  }

  private search(coll: { dimension: number; records: any[] }, body: any): Answer {
    for (const k of Object.keys(body)) if (!SEARCH_KEYS.has(k)) throw this.badJson(`unknown field \`${k}\``);
    if (body.vector === undefined) throw this.badJson("missing field `vector`");
    if (!isVector(body.vector)) throw this.badJson("invalid type: `vector` must be a list of floats");
    if (body.vector.length !== coll.dimension) throw err(400, `Wrong input: Vector dimension error: expected dim: ${coll.dimension}, got ${body.vector.length}`);
    if (body.limit === undefined) throw this.badJson("missing field `limit`");
    if (!Number.isInteger(body.limit) || body.limit < 1) throw this.badJson("invalid value: `limit` must be a positive integer");
    const wp = body.with_payload;
    if (wp !== undefined && typeof wp !== "boolean" && !Array.isArray(wp)) throw this.badJson("invalid type: `with_payload` must be a boolean or a list");
    const result = this.ranked(coll, body.vector, body.limit).map(({ r, sim }) => ({ id: r.id, version: 0, score: sim, ...(wp ? { payload: r.fields } : {}) }));
    return { status: 200, body: { result, status: "ok", time: 0.0002 } };
  }

  private upsert(coll: { dimension: number; records: any[] }, body: any, u: URL): Answer {
    for (const k of Object.keys(body)) if (k !== "points" && k !== "shard_key") throw this.badJson(`unknown field \`${k}\``);
    if (!Array.isArray(body.points) || body.points.length === 0) throw this.badJson("`points` must be a non-empty list");
    for (const p of body.points) {
      if (!isObject(p)) throw this.badJson("a point must be an object");
      for (const k of Object.keys(p)) if (!POINT_KEYS.has(k)) throw this.badJson(`unknown field \`${k}\``);
      const idOk = (typeof p.id === "number" && Number.isInteger(p.id) && p.id >= 0) || (typeof p.id === "string" && UUID_RE.test(p.id));
      if (!idOk) throw this.badJson(`Unable to parse UUID: ${JSON.stringify(p.id)}`);
      if (!isVector(p.vector)) throw this.badJson("invalid type: `vector` must be a list of floats");
      if (p.vector.length !== coll.dimension) throw err(400, `Wrong input: Vector dimension error: expected dim: ${coll.dimension}, got ${p.vector.length}`);
      if (p.payload !== undefined && !isObject(p.payload)) throw this.badJson("`payload` must be an object");
    }
    for (const p of body.points) {
      coll.records = coll.records.filter((r) => r.id !== String(p.id));
      coll.records.push({ id: String(p.id), vector: p.vector, fields: { ...(p.payload ?? {}) } });
    }
    const wait = u.searchParams.get("wait") === "true";
    return { status: 200, body: { result: { operation_id: ++this.seq, status: wait ? "completed" : "acknowledged" }, status: "ok", time: 0.0003 } };
  }
}
