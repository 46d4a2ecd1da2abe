// A strict Alibaba Cloud DashVector (vector search) for ai-rag and ai-cache:
// `POST /v1/collections/{name}/query` and `POST /v1/collections/{name}/docs` (insert) as its HTTP
// API documents them. It checks the Host (the cluster endpoint), the
// `dashvector-auth-token` header, the JSON content type and body (`vector` of the collection's
// dimension, `topk` 1–1024, `include_vector` boolean, `output_fields` an array of field names,
// `filter`/`partition` strings; insert: `docs` of 1–1024 `{id?, vector, fields?}` with scalar
// field values — a doc without an id gets one, as DashVector generates it; an unknown member is refused as invalid JSON, as the protobuf
// mapping behind the API does) and answers in DashVector's shape
// `{code, request_id, message, output: [{id, fields, score}]}`, nearest first. Collections use the
// cosine metric, whose score is a distance (1 − cosine similarity: 0 is identical). Error codes
// are DashVector's (DashVectorCode of its SDK: InexistentCollection −2021, InvalidTopk −2041, …);
// the HTTP status that goes with each is the mock's choice where the docs do not say.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export const DASHVECTOR_HOST = "vrs-cn-sluicetest.dashvector.cn-hangzhou.aliyuncs.com";

export interface DashVectorDoc {
  id: string;
  vector: number[];
  fields: Record<string, string | number | boolean | null>;
}

export interface DashVectorCollection {
  dimension: number;
  docs: DashVectorDoc[];
}

export interface DashVectorCall {
  path: string;
  headers: IncomingMessage["headers"];
  body: any;
  status: number;
  /** The answer's `code` (0: success). */
  code: number;
  op: "query" | "insert" | "unknown";
}

class Refused extends Error {
  constructor(public status: number, public code: number, message: string) { super(message); }
}

const INSERT_KEYS = new Set(["docs", "partition"]);
const DOC_KEYS = new Set(["id", "vector", "fields", "sparse_vector"]);
const QUERY_KEYS = new Set(["vector", "id", "topk", "filter", "include_vector", "partition", "output_fields", "sparse_vector"]);

function cosineDistance(a: number[], b: number[]): number {
  let dot = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) { dot += a[i] * b[i]; na += a[i] * a[i]; nb += b[i] * b[i]; }
  if (na === 0 || nb === 0) return 1;
  return 1 - dot / Math.sqrt(na * nb);
}

export class DashVectorMock {
  readonly calls: DashVectorCall[] = [];
  readonly collections = new Map<string, DashVectorCollection>();
  /** "hang": requests are read and never answered (the caller's timeout ends them). "garbage": a 200 that is not JSON. "error": 500 with DashVector's Unknown code. */
  fault: "none" | "hang" | "garbage" | "error" = "none";
  port = 0;
  private server: Server;
  private seq = 0;

  private constructor(readonly apiKey: string, readonly host: string) {
    this.server = createServer((req, res) => this.onRequest(req, res));
  }

  static async start(apiKey = "sk-dashvector-test", host = DASHVECTOR_HOST): Promise<DashVectorMock> {
    const m = new DashVectorMock(apiKey, host);
    await new Promise<void>((r) => m.server.listen(0, "127.0.0.1", r));
    m.port = (m.server.address() as AddressInfo).port;
    return m;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => this.answer(req, Buffer.concat(chunks).toString("utf8"), res));
  }

  private answer(req: IncomingMessage, raw: string, res: ServerResponse): void {
    const path = req.url ?? "";
    const call: DashVectorCall = { path, headers: req.headers, body: undefined, status: 0, code: 0, op: "unknown" };
    this.calls.push(call);
    const request_id = `mock-dv-${++this.seq}`;
    let output: unknown;
    try {
      const host = (req.headers.host ?? "").replace(/:\d+$/, "");
      if (host !== this.host) throw new Refused(404, -2952, `InvalidEndpoint: unknown endpoint ${host}`);
      const m = /^\/v1\/collections\/([^/?]+)\/(query|docs)$/.exec(path);
      if (!m) throw new Refused(404, -999, `no route for ${req.method} ${path}`);
      call.op = m[2] === "docs" ? "insert" : "query";
      if (req.method !== "POST") throw new Refused(405, -999, "method not allowed");
      const token = req.headers["dashvector-auth-token"];
      if (token === undefined || token === "") throw new Refused(401, -999, "dashvector-auth-token is required");
      if (token !== this.apiKey) throw new Refused(403, -999, "Invalid api-key");
      if (!(req.headers["content-type"] ?? "").startsWith("application/json")) throw new Refused(400, -2047, "InvalidJson: content-type must be application/json");
      let body: any;
      try { body = JSON.parse(raw); } catch { throw new Refused(400, -2047, "InvalidJson: the body is not JSON"); }
      call.body = body;
      if (body === null || typeof body !== "object" || Array.isArray(body)) throw new Refused(400, -2047, "InvalidJson: the body must be an object");
      for (const k of Object.keys(body)) if (!(call.op === "query" ? QUERY_KEYS : INSERT_KEYS).has(k)) throw new Refused(400, -2047, `InvalidJson: unknown field "${k}"`);
      const name = decodeURIComponent(m[1]);
      const coll = this.collections.get(name);
      if (!coll) throw new Refused(404, -2021, `InexistentCollection: collection ${name} does not exist`);
      if (this.fault === "hang") return; // never answered
      if (this.fault === "garbage") { call.status = 200; res.writeHead(200, { "content-type": "text/html" }); res.end("<html>busy</html>"); return; }
      if (this.fault === "error") throw new Refused(500, -999, "Unknown: internal error");
      output = call.op === "insert" ? this.insert(coll, body) : this.query(coll, body);
    } catch (e) {
      const r = e instanceof Refused ? e : new Refused(500, -999, String(e));
      call.status = r.status;
      call.code = r.code;
      res.writeHead(r.status, { "content-type": "application/json" });
      res.end(JSON.stringify({ code: r.code, request_id, message: r.message }));
      return;
    }
    call.status = 200;
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ code: 0, request_id, message: "Success", output }));
  }

  private query(coll: DashVectorCollection, body: any): unknown {
    if (body.vector !== undefined && body.id !== undefined) throw new Refused(400, -2973, "ExistVectorAndId: vector and id are exclusive");
    if (body.vector === undefined) throw new Refused(400, -2009, "InvalidQuery: this mock serves vector queries only");
    const v = body.vector;
    if (!Array.isArray(v) || !v.every((x: unknown) => typeof x === "number" && Number.isFinite(x))) throw new Refused(400, -2011, "InvalidVectorFormat: vector must be an array of numbers");
    if (v.length !== coll.dimension) throw new Refused(400, -2019, `MismatchedDimension: vector has ${v.length} dimensions, the collection ${coll.dimension}`);
    const topk = body.topk ?? 10;
    if (!Number.isInteger(topk) || topk < 1 || topk > 1024) throw new Refused(400, -2041, "InvalidTopk: topk must be an integer from 1 to 1024");
    if (body.include_vector !== undefined && typeof body.include_vector !== "boolean") throw new Refused(400, -2047, "InvalidJson: include_vector must be a boolean");
    for (const k of ["filter", "partition"]) if (body[k] !== undefined && typeof body[k] !== "string") throw new Refused(400, -2047, `InvalidJson: ${k} must be a string`);
    if (body.partition !== undefined && body.partition !== "default") throw new Refused(404, -2022, `InexistentPartition: ${body.partition}`);
    if (body.filter !== undefined) throw new Refused(400, -2015, "InvalidFilter: this mock has no filters");
    const of = body.output_fields;
    if (of !== undefined && (!Array.isArray(of) || !of.every((f: unknown) => typeof f === "string"))) throw new Refused(400, -2047, "InvalidJson: output_fields must be an array of strings");
    const ranked = coll.docs.map((d) => ({ d, score: cosineDistance(v, d.vector) })).sort((a, b) => a.score - b.score).slice(0, topk);
    return ranked.map(({ d, score }) => {
      const fields = of === undefined ? { ...d.fields } : Object.fromEntries((of as string[]).map((f) => [f, d.fields[f] ?? null]));
      return { id: d.id, ...(body.include_vector ? { vector: d.vector } : {}), fields, score };
    });
  }

  private insert(coll: DashVectorCollection, body: any): unknown {
    const docs = body.docs;
    if (!Array.isArray(docs) || docs.length === 0 || docs.length > 1024) throw new Refused(400, -2008, "InvalidBatchSize: docs must hold 1 to 1024 docs");
    if (body.partition !== undefined && body.partition !== "default") throw new Refused(404, -2022, `InexistentPartition: ${body.partition}`);
    for (const d of docs) {
      if (d === null || typeof d !== "object" || Array.isArray(d)) throw new Refused(400, -2047, "InvalidJson: a doc must be an object");
      for (const k of Object.keys(d)) if (!DOC_KEYS.has(k)) throw new Refused(400, -2047, `InvalidJson: unknown field "${k}"`);
      if (d.id !== undefined && (typeof d.id !== "string" || !/^[A-Za-z0-9_\-!@#$%+=.]{1,64}$/.test(d.id))) throw new Refused(400, -2016, "InvalidPrimaryKey: id must be 1-64 characters");
      if (!Array.isArray(d.vector) || !d.vector.every((x: unknown) => typeof x === "number" && Number.isFinite(x))) throw new Refused(400, -2011, "InvalidVectorFormat: vector must be an array of numbers");
      if (d.vector.length !== coll.dimension) throw new Refused(400, -2019, `MismatchedDimension: vector has ${d.vector.length} dimensions, the collection ${coll.dimension}`);
      if (d.fields !== undefined && (d.fields === null || typeof d.fields !== "object" || Array.isArray(d.fields) || !Object.values(d.fields).every((v) => ["string", "number", "boolean"].includes(typeof v)))) throw new Refused(400, -2013, "InvalidField: fields must map names to strings, numbers or booleans");
    }
    return docs.map((d: any) => {
      const id = d.id ?? `auto-${++this.seq}`;
      coll.docs.splice(0, coll.docs.length, ...coll.docs.filter((x) => x.id !== id));
      coll.docs.push({ id, vector: d.vector, fields: { ...(d.fields ?? {}) } });
      return { doc_op: "insert", id, code: 0, message: "" };
    });
  }
}
