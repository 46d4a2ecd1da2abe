// A strict Weaviate: `POST /v1/graphql` (a `Get` with `nearVector`) and `POST /v1/objects`, as
// Higress's ai-cache sends them. It checks the Host, the `Authorization: Bearer <API key>`
// header, the JSON body (graphql: `query` a string, parsed as the one `Get { <Class>(limit: N
// nearVector: {vector: [...]}) { <properties> _additional { distance } } }` query the plugin sends
// — a class that does not exist or a property outside the class's is a GraphQL error, answered
// with status 200 and `errors` as Weaviate does; objects: `class`, `vector` of the class's
// dimension, `properties` of the class) and answers in Weaviate's shapes. Classes use the cosine
// distance: `_additional.distance` is 1 − cosine similarity (smaller is closer).
import type { IncomingMessage } from "node:http";
import { randomUUID } from "node:crypto";
import { VectorStoreMock, StoreError, isVector, isObject, type Answer, type StoreCall, type StoreCollection } from "./vector-store.js";

export const WEAVIATE_HOST = "sluice-test.c0.europe-west3.gcp.weaviate.cloud";
const PROPS = ["question", "answer"];
const GET = /^\s*\{\s*Get\s*\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\(\s*limit\s*:\s*(\d+)\s*,?\s*nearVector\s*:\s*\{\s*vector\s*:\s*(\[[^\]]*\])\s*\}\s*\)\s*\{([^{}]*)_additional\s*\{\s*distance\s*\}\s*\}\s*\}\s*\}\s*$/;

const unprocessable = (message: string) => new StoreError(422, { error: [{ message }] });
const gqlError = (message: string) => ({ status: 200, body: { data: { Get: null }, errors: [{ locations: [{ column: 1, line: 1 }], message, path: ["Get"] }] } });

export class WeaviateMock extends VectorStoreMock {
  static async start(apiKey = "weaviate-key-test", host = WEAVIATE_HOST): Promise<WeaviateMock> {
    const m = new WeaviateMock(apiKey, host);
    await m.listen();
    return m;
  }

  protected badJson(why: string): StoreError { return new StoreError(400, { code: 600, message: `parsing body body from "" failed, because ${why}` }); }
  protected internalError(): StoreError { return new StoreError(500, { error: [{ message: "internal error" }] }); }

  protected handle(req: IncomingMessage, call: StoreCall, parse: () => any): Answer | null {
    if (this.hostOf(req) !== this.host) return { status: 404, body: { code: 404, message: "path not found" } };
    if (req.method === "POST" && call.path === "/v1/graphql") call.op = "query";
    else if (req.method === "POST" && call.path === "/v1/objects") call.op = "insert";
    else return { status: 404, body: { code: 404, message: `path ${call.path} was not found` } };
    const auth = req.headers.authorization ?? "";
    if (!/^Bearer /.test(auth)) throw new StoreError(401, { code: 401, message: "anonymous access not enabled, please provide an auth scheme such as OIDC" });
    if (auth !== `Bearer ${this.apiKey}`) throw new StoreError(401, { code: 401, message: "unauthorized: invalid api key" });
    const body = parse();
    if (this.fault === "hang") return null;
    return call.op === "query" ? this.graphql(body) : this.object(body);
  }

  private graphql(body: any): Answer {
    if (typeof body.query !== "string") throw this.badJson("query in body must be of type string");
    const m = GET.exec(body.query);
    if (!m) return gqlError("Syntax Error GraphQL request: this mock serves Get { Class(limit, nearVector) { … _additional { distance } } }");
    const [, cls, limitText, vecText, fieldText] = m;
    const coll = this.collections.get(cls);
    if (!coll) return gqlError(`Cannot query field "${cls}" on type "GetObjectsObj".`);
    const fields = fieldText.trim().split(/[\s,]+/).filter((f) => f);
    for (const f of fields) if (!PROPS.includes(f)) return gqlError(`Cannot query field "${f}" on type "${cls}".`);
    let vec: unknown;
    try { vec = JSON.parse(vecText); } catch { return gqlError("Syntax Error GraphQL request: vector"); }
    if (!isVector(vec)) return gqlError("nearVector: vector must be a list of floats");
    if (vec.length !== coll.dimension) return gqlError(`explorer: get class: vector search: object vector search at index ${cls.toLowerCase()}: shard: vector search: knn search: distance between entrypoint and query node: vector lengths don't match: ${coll.dimension} vs ${vec.length}`);
    const limit = Number(limitText);
    const hits = this.ranked(coll, vec, limit).map(({ r, sim }) => ({ ...Object.fromEntries(fields.map((f) => [f, r.fields[f] ?? null])), _additional: { distance: 1 - sim } }));
    return { status: 200, body: { data: { Get: { [cls]: hits } } } };
  }

  private object(body: any): Answer {
    for (const k of Object.keys(body)) if (!["class", "vector", "properties", "id", "tenant"].includes(k)) throw this.badJson(`unknown field "${k}"`);
    if (typeof body.class !== "string" || body.class === "") throw unprocessable("invalid object: the given class is empty");
    const coll: StoreCollection | undefined = this.collections.get(body.class);
    if (!coll) throw unprocessable(`invalid object: class "${body.class}" not found in schema`);
    if (!isVector(body.vector)) throw unprocessable("invalid object: vector must be a list of floats");
    if (body.vector.length !== coll.dimension) throw unprocessable(`put object: import into index ${body.class.toLowerCase()}: new node has a vector with length ${body.vector.length}. Existing nodes have vectors with length ${coll.dimension}`);
    if (!isObject(body.properties)) throw unprocessable("invalid object: properties must be an object");
    for (const [k, v] of Object.entries(body.properties)) {
      if (!PROPS.includes(k)) throw unprocessable(`invalid object: no such prop with name '${k}' found in class '${body.class}' in the schema`);
      if (typeof v !== "string") throw unprocessable(`invalid object: invalid text property '${k}' on class '${body.class}': not a string`);
    }
    const id = typeof body.id === "string" ? body.id : randomUUID();
    coll.records.push({ id, vector: body.vector, fields: { ...body.properties } });
    return { status: 200, body: { class: body.class, creationTimeUnixMs: Date.now(), id, lastUpdateTimeUnixMs: Date.now(), properties: body.properties, vector: body.vector } };
  }
}
