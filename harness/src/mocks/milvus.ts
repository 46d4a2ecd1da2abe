// A strict Milvus (RESTful API v2): `POST /v2/vectordb/entities/search` and
// `POST /v2/vectordb/entities/insert`, as Higress's ai-cache sends them. It checks the Host, the
// `Authorization: Bearer <token>` header, the JSON body (search: `collectionName` a string,
// `data` a list of vectors of the collection's dimension, `annsField` the vector field, `limit`
// 1–16384, `outputFields` a list of field names of the schema; insert: `collectionName`, `data`
// rows with every schema field — the primary key `id` is an autoID the server assigns, a row that
// sets it is refused) and answers in Milvus's shape: HTTP 200 with `{code: 0, cost, data}`; an
// error is HTTP 200 too, `{code, message}` with Milvus's error codes (1800 not authenticated, 100
// collection not found, 1100 invalid parameter). The collection's metric is COSINE, whose
// `distance` is the cosine similarity (larger is closer).
import type { IncomingMessage } from "node:http";
import { VectorStoreMock, StoreError, isVector, isObject, type Answer, type StoreCall, type StoreCollection } from "./vector-store.js";

export const MILVUS_HOST = "in03-sluicetest.serverless.gcp-us-west1.cloud.zilliz.com";
/** The collection's scalar fields besides the autoID primary key `id` and the FloatVector `vector`. */
const SCALARS = ["question", "answer"];

const fail = (code: number, message: string) => new StoreError(200, { code, message });

export class MilvusMock extends VectorStoreMock {
  private nextId = 450000000000000000n;

  static async start(apiKey = "milvus-token-test", host = MILVUS_HOST): Promise<MilvusMock> {
    const m = new MilvusMock(apiKey, host);
    await m.listen();
    return m;
  }

  protected badJson(why: string): StoreError { return fail(1801, `can only accept json format request, error: ${why}`); }
  protected internalError(): StoreError { return new StoreError(500, { code: 65535, message: "internal error" }); }

  protected handle(req: IncomingMessage, call: StoreCall, parse: () => any): Answer | null {
    if (this.hostOf(req) !== this.host) return { status: 404, body: "404 page not found", contentType: "text/plain" };
    if (req.method !== "POST") return { status: 405, body: "405 method not allowed", contentType: "text/plain" };
    if (call.path === "/v2/vectordb/entities/search") call.op = "query";
    else if (call.path === "/v2/vectordb/entities/insert") call.op = "insert";
    else return { status: 404, body: "404 page not found", contentType: "text/plain" };
    const auth = req.headers.authorization ?? "";
    if (auth !== `Bearer ${this.apiKey}`) throw fail(1800, "user hasn't authenticated");
    const body = parse();
    if (this.fault === "hang") return null;
    if (typeof body.collectionName !== "string" || body.collectionName === "") throw fail(1802, "missing required parameters, error: Key: 'collectionName' Error:Field validation for 'collectionName' failed on the 'required' tag");
    const coll = this.collections.get(body.collectionName);
    if (!coll) throw fail(100, `collection not found[database=default][collection=${body.collectionName}]`);
    return call.op === "query" ? this.search(coll, body) : this.insert(coll, body);
  }

  private search(coll: StoreCollection, body: any): Answer {
    const known = new Set(["collectionName", "data", "annsField", "limit", "outputFields", "filter", "offset", "searchParams", "partitionNames", "groupingField", "consistencyLevel", "dbName"]);
    for (const k of Object.keys(body)) if (!known.has(k)) throw fail(1801, `can only accept json format request, error: unknown field "${k}"`);
    if (!Array.isArray(body.data) || body.data.length === 0 || !body.data.every(isVector)) throw fail(1802, "missing required parameters, error: 'data' must be a list of float vectors");
    for (const v of body.data) if (v.length !== coll.dimension) throw fail(1100, `the dim (${v.length}) of field data(vector) is not equal to schema dim (${coll.dimension}): invalid parameter[expected=${coll.dimension}][actual=${v.length}]`);
    if (body.annsField !== undefined && body.annsField !== "vector") throw fail(1100, `failed to get field schema by name: fieldName(${body.annsField}) not found: invalid parameter`);
    const limit = body.limit ?? 100;
    if (!Number.isInteger(limit) || limit < 1 || limit > 16384) throw fail(1100, `topk [${limit}] is invalid, it should be in range [1, 16384]: invalid parameter`);
    const out = body.outputFields ?? [];
    if (!Array.isArray(out) || !out.every((f: unknown) => typeof f === "string")) throw fail(1801, "can only accept json format request, error: 'outputFields' must be a list of strings");
    for (const f of out) if (f !== "id" && f !== "vector" && !SCALARS.includes(f)) throw fail(1100, `field ${f} not exist: invalid parameter`);
    const data = this.ranked(coll, body.data[0], limit).map(({ r, sim }) => ({ distance: sim, id: Number(r.id), ...Object.fromEntries(out.map((f: string) => [f, r.fields[f] ?? ""])) }));
    return { status: 200, body: { code: 0, cost: 0, data } };
  }

  private insert(coll: StoreCollection, body: any): Answer {
    if (!Array.isArray(body.data) || body.data.length === 0) throw fail(1802, "missing required parameters, error: 'data' must be a non-empty list");
    for (const row of body.data) {
      if (!isObject(row)) throw fail(1801, "can only accept json format request, error: a row must be an object");
      if ("id" in row) throw fail(1100, "the primary key is auto-generated: do not set 'id': invalid parameter");
      if (!isVector(row.vector)) throw fail(1100, "missing field 'vector' (FloatVector): invalid parameter");
      if (row.vector.length !== coll.dimension) throw fail(1100, `the dim (${row.vector.length}) of field data(vector) is not equal to schema dim (${coll.dimension}): invalid parameter`);
      for (const f of SCALARS) {
        if (!(f in row)) throw fail(1100, `field ${f} not passed: invalid parameter`);
        if (typeof row[f] !== "string") throw fail(1100, `field ${f} is VarChar: invalid parameter`);
      }
      for (const k of Object.keys(row)) if (k !== "vector" && !SCALARS.includes(k)) throw fail(1100, `field ${k} not in the schema: invalid parameter`);
    }
    const ids: string[] = [];
    for (const row of body.data) {
      const id = String(this.nextId++);
      ids.push(id);
      coll.records.push({ id, vector: row.vector, fields: Object.fromEntries(SCALARS.map((f) => [f, row[f]])) });
    }
    return { status: 200, body: { code: 0, cost: 0, data: { insertCount: ids.length, insertIds: ids } } };
  }
}
