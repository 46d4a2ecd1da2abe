// A strict Elasticsearch (8.x): `POST /{index}/_search` with a top-level `knn` and
// `POST /{index}/_doc`, as Higress's ai-cache sends them. It checks the Host, the
// `Authorization` header (`ApiKey <key>` or `Basic base64(user:password)`), the JSON body
// (search: `knn.field` a dense_vector field of the mapping, `knn.query_vector` of its dims,
// `knn.k` ≥ 1 and ≤ num_candidates (default max(1.5·k, 10) capped at 10000), `size`, `_source`;
// an unknown member is a parsing_exception; doc: the mapping's fields with their types) and
// answers in Elasticsearch's shapes (`{took, timed_out, _shards, hits: {total, max_score, hits:
// [{_index, _id, _score, _source}]}}`, a created doc with 201); errors are
// `{error: {root_cause, type, reason}, status}`. The dense_vector's similarity is cosine, whose
// `_score` is (1 + cosine) / 2 (larger is closer).
import type { IncomingMessage } from "node:http";
import { randomBytes } from "node:crypto";
import { VectorStoreMock, StoreError, isVector, isObject, type Answer, type StoreCall, type StoreCollection } from "./vector-store.js";

export const ELASTICSEARCH_HOST = "sluice-test.es.us-central1.gcp.cloud.es.io";

const esError = (status: number, type: string, reason: string, extra: Record<string, unknown> = {}) =>
  new StoreError(status, { error: { root_cause: [{ type, reason, ...extra }], type, reason, ...extra }, status });

export class ElasticsearchMock extends VectorStoreMock {
  /** Basic credentials accepted besides the API key. */
  users = new Map<string, string>();

  static async start(apiKey = "es-api-key-test", host = ELASTICSEARCH_HOST): Promise<ElasticsearchMock> {
    const m = new ElasticsearchMock(apiKey, host);
    await m.listen();
    return m;
  }

  protected badJson(why: string): StoreError { return esError(400, "parsing_exception", why, { line: 1, col: 1 }); }
  protected internalError(): StoreError { return esError(500, "exception", "mock internal error"); }

  private authenticated(req: IncomingMessage, path: string): void {
    const auth = req.headers.authorization ?? "";
    const unauth = (who: string) => esError(401, "security_exception", `unable to authenticate ${who} for REST request [${path}]`, { header: { "WWW-Authenticate": ["Basic realm=\"security\", charset=\"UTF-8\"", "ApiKey"] } });
    if (auth.startsWith("ApiKey ")) { if (auth.slice(7) !== this.apiKey) throw unauth("with api key"); return; }
    if (auth.startsWith("Basic ")) {
      const [user, ...rest] = Buffer.from(auth.slice(6), "base64").toString("utf8").split(":");
      if (this.users.get(user) !== rest.join(":") || !this.users.has(user)) throw unauth(`user [${user}]`);
      return;
    }
    throw esError(401, "security_exception", `missing authentication credentials for REST request [${path}]`);
  }

  protected handle(req: IncomingMessage, call: StoreCall, parse: () => any): Answer | null {
    if (this.hostOf(req) !== this.host) return { status: 404, body: "Not Found", contentType: "text/plain" };
    const search = /^\/([^/_][^/]*)\/_search$/.exec(call.path);
    const doc = /^\/([^/_][^/]*)\/_doc$/.exec(call.path);
    if (search && (req.method === "POST" || req.method === "GET")) call.op = "query";
    else if (doc && req.method === "POST") call.op = "insert";
    else throw esError(405, "illegal_argument_exception", `Incorrect HTTP method for uri [${call.path}] and method [${req.method}]`);
    this.authenticated(req, call.path);
    const index = decodeURIComponent((search ?? doc)![1]);
    const coll = this.collections.get(index);
    if (!coll) throw esError(404, "index_not_found_exception", `no such index [${index}]`, { "resource.type": "index_or_alias", "resource.id": index, index });
    const body = parse();
    if (this.fault === "hang") return null;
    return call.op === "query" ? this.search(index, coll, body) : this.insert(index, coll, body);
  }

  private search(index: string, coll: StoreCollection, body: any): Answer {
    for (const k of Object.keys(body)) if (!["_source", "knn", "size", "query", "from"].includes(k)) throw this.badJson(`Unknown key for a START_OBJECT in [${k}].`);
    if (body._source !== undefined) {
      const s = body._source;
      const ok = typeof s === "boolean" || (isObject(s) && Object.entries(s).every(([k, v]) => ["includes", "excludes"].includes(k) && Array.isArray(v) && v.every((x) => typeof x === "string")));
      if (!ok) throw this.badJson("[_source] must be a boolean, a list or an object of includes/excludes");
    }
    const knn = body.knn;
    if (!isObject(knn)) throw this.badJson("[knn] must be an object");
    for (const k of Object.keys(knn)) if (!["field", "query_vector", "k", "num_candidates", "filter", "similarity", "boost"].includes(k)) throw this.badJson(`[knn] unknown field [${k}]`);
    if (knn.field !== "embedding") throw esError(400, "illegal_argument_exception", `field [${knn.field}] does not exist in the mapping`);
    if (!isVector(knn.query_vector)) throw this.badJson("[knn] failed to parse field [query_vector]");
    if (knn.query_vector.length !== coll.dimension) throw esError(400, "illegal_argument_exception", `The query vector has a different number of dimensions [${knn.query_vector.length}] than the document vectors [${coll.dimension}].`);
    const k = knn.k ?? body.size ?? 10;
    if (!Number.isInteger(k) || k < 1) throw esError(400, "illegal_argument_exception", "[k] must be greater than 0");
    const nc = knn.num_candidates ?? Math.min(Math.max(Math.ceil(1.5 * k), 10), 10000);
    if (k > nc) throw esError(400, "illegal_argument_exception", `[num_candidates] cannot be less than [k]`);
    const size = body.size ?? 10;
    if (!Number.isInteger(size) || size < 0) throw this.badJson("[size] must be a non-negative integer");
    const excl: string[] = isObject(body._source) ? body._source.excludes ?? [] : [];
    const hits = this.ranked(coll, knn.query_vector, Math.min(k, size)).map(({ r, sim }) => ({
      _index: index, _id: r.id, _score: (1 + sim) / 2,
      _source: Object.fromEntries(Object.entries({ embedding: r.vector, ...r.fields }).filter(([f]) => !excl.includes(f))),
    }));
    return { status: 200, body: { took: 2, timed_out: false, _shards: { total: 1, successful: 1, skipped: 0, failed: 0 }, hits: { total: { value: hits.length, relation: "eq" }, max_score: hits.length ? hits[0]._score : null, hits } } };
  }

  private insert(index: string, coll: StoreCollection, body: any): Answer {
    for (const [k, v] of Object.entries(body)) {
      if (k === "embedding") {
        if (!isVector(v)) throw esError(400, "document_parsing_exception", "[1:14] failed to parse field [embedding] of type [dense_vector]");
        if (v.length !== coll.dimension) throw esError(400, "document_parsing_exception", `The [dense_vector] field [embedding] in doc [document with id 'x'] has a different number of dimensions [${v.length}] than defined in the mapping [${coll.dimension}]`);
      } else if (k === "question" || k === "answer") {
        if (typeof v !== "string") throw esError(400, "document_parsing_exception", `failed to parse field [${k}] of type [text]`);
      } else throw esError(400, "strict_dynamic_mapping_exception", `[1:2] mapping set to strict, dynamic introduction of [${k}] within [_doc] is not allowed`);
    }
    if (!isVector(body.embedding)) throw esError(400, "document_parsing_exception", "the document has no [embedding]");
    const id = randomBytes(15).toString("base64url");
    coll.records.push({ id, vector: body.embedding, fields: { question: body.question, answer: body.answer } });
    return { status: 201, body: { _index: index, _id: id, _version: 1, result: "created", _shards: { total: 2, successful: 1, failed: 0 }, _seq_no: this.seq++, _primary_term: 1 } };
  }
}
