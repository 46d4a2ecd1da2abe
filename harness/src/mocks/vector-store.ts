// What the strict vector-database mocks share (qdrant.ts, milvus.ts, weaviate.ts, pinecone.ts,
// elasticsearch.ts): an HTTP server that records every call (path, headers, parsed body, the
// status it answered), collections of records (a vector with the question and answer stored
// with it), cosine similarity, faults, and an error type carrying the service's own error body.
// Each store checks its Host, credential, paths, body fields and their types and the vector's
// dimension as its API does, and answers in its documented shapes.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface StoredRecord {
  id: string;
  vector: number[];
  /** Stored fields (question, answer, …). */
  fields: Record<string, unknown>;
}

export interface StoreCollection {
  dimension: number;
  records: StoredRecord[];
}

export interface StoreCall {
  method: string;
  path: string;
  headers: IncomingMessage["headers"];
  body: any;
  status: number;
  /** What the call was, as the mock understood it. */
  op: "query" | "insert" | "unknown";
}

/** A refusal: the status and the service's error body. */
export class StoreError extends Error {
  constructor(public status: number, public body: unknown) { super(typeof body === "string" ? body : JSON.stringify(body)); }
}

export function cosine(a: number[], b: number[]): number {
  let dot = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) { dot += a[i] * b[i]; na += a[i] * a[i]; nb += b[i] * b[i]; }
  if (na === 0 || nb === 0) return 0;
  return dot / Math.sqrt(na * nb);
}

export const isVector = (v: unknown): v is number[] => Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === "number" && Number.isFinite(x));
export const isObject = (v: unknown): v is Record<string, any> => v !== null && typeof v === "object" && !Array.isArray(v);
export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface Answer { status: number; body: unknown; contentType?: string }

export abstract class VectorStoreMock {
  readonly calls: StoreCall[] = [];
  readonly collections = new Map<string, StoreCollection>();
  /** "hang": read and never answered; "error": the service's 500. */
  fault: "none" | "hang" | "error" = "none";
  port = 0;
  protected server: Server;
  protected seq = 0;

  protected constructor(readonly apiKey: string, readonly host: string) {
    this.server = createServer((req, res) => this.onRequest(req, res));
  }

  protected async listen(): Promise<void> {
    await new Promise<void>((r) => this.server.listen(0, "127.0.0.1", r));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  /** The records stored in `collection` whose field `field` is `value`. */
  find(collection: string, field: string, value: unknown): StoredRecord[] {
    return (this.collections.get(collection)?.records ?? []).filter((r) => r.fields[field] === value);
  }

  /** Forgets the records of `collection` whose field `field` is `value`. */
  remove(collection: string, field: string, value: unknown): void {
    const c = this.collections.get(collection);
    if (c) c.records = c.records.filter((r) => r.fields[field] !== value);
  }

  /** The records of a collection ranked by cosine similarity to `v`, most similar first. */
  protected ranked(c: StoreCollection, v: number[], n: number): { r: StoredRecord; sim: number }[] {
    return c.records.map((r) => ({ r, sim: cosine(v, r.vector) })).sort((a, b) => b.sim - a.sim).slice(0, n);
  }

  /** The host the request names, without its port. */
  protected hostOf(req: IncomingMessage): string { return (req.headers.host ?? "").replace(/:\d+$/, ""); }

  /** The body as JSON (the service's own refusal when it is not). */
  protected abstract badJson(why: string): StoreError;
  /** Answers one authenticated-or-not request (throws StoreError to refuse). */
  protected abstract handle(req: IncomingMessage, call: StoreCall, body: () => any): Answer | null;
  /** The service's 500. */
  protected abstract internalError(): StoreError;

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      const call: StoreCall = { method: req.method ?? "", path: req.url ?? "", headers: req.headers, body: undefined, status: 0, op: "unknown" };
      this.calls.push(call);
      const parse = () => {
        if (!(req.headers["content-type"] ?? "").startsWith("application/json")) throw this.badJson("content-type must be application/json");
        try { call.body = JSON.parse(raw); } catch { throw this.badJson("the body is not JSON"); }
        if (!isObject(call.body)) throw this.badJson("the body must be a JSON object");
        if (this.fault === "error") throw this.internalError();
        return call.body;
      };
      let a: Answer | null;
      try {
        a = this.handle(req, call, parse);
        if (a === null) return; // hang
      } catch (e) {
        a = e instanceof StoreError ? { status: e.status, body: e.body } : { status: 500, body: String(e) };
      }
      call.status = a.status;
      res.writeHead(a.status, { "content-type": a.contentType ?? "application/json" });
      res.end(typeof a.body === "string" ? a.body : JSON.stringify(a.body));
    });
  }
}
