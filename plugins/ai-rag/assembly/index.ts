// ai-rag: retrieval-augmented generation in the gateway, as Higress's ai-rag does it. The last
// message's text is turned into a vector by DashScope (text-embedding-v2), the vector database
// (DashVector, or Chroma as a Sluice addition) is asked for the `topk` nearest documents, and
// those whose distance is at most `threshold` replace the last message: one user message per
// document, in the database's order, then the question as a user message after Higress's Chinese
// lead-in. The response carries `x-envoy-rag-recall: true|false`; the ids of the recalled
// documents go to the span attribute `rag_docs`. Any failure of either service (refused,
// down, an error, garbage, a timeout) lets the request go on unchanged.
import { Plugin, HttpFilter, BodyMode, Action, ConfigError, JsonObject, JsonValue, registerPlugin, log, properties, Status } from "@sluice/sdk";
import { contentText, topLevelFields, replaceSpans, requestEmbedding, readEmbedding, dashVectorQuery, readDashVectorMatches, chromaQuery, readChromaMatches, VectorMatch } from "@sluice/sdk/ai";
import { HttpCallHandler, HttpCallResponse, lastHttpCallError } from "@sluice/sdk/http";
import { parseJsonBytes } from "@sluice/sdk/json";
import { RagConfig, VectorType, parseConfig } from "./config";
export * from "@sluice/sdk/exports";

const RECALL_HEADER = "x-envoy-rag-recall";
/** Higress's lead-in before the question ("Now, please answer the following question:"). */
const QUESTION_PREFIX = "现在，请回答以下问题：\n";
/** Larger request bodies are not read: they pass unchanged (bounded memory per request). */
const MAX_REQUEST_BYTES: u32 = 4 << 20;

class AiRag extends Plugin<RagConfig> {
  parseConfig(json: JsonObject, global: RagConfig | null, err: ConfigError): RagConfig | null { return parseConfig(json, err); }
  newFilter(): HttpFilter<RagConfig> { return new RagFilter(); }
}

enum Phase { Idle, Embedding, Querying, Done }

function userMessage(text: string): JsonValue {
  const o = new JsonObject();
  o.setString("role", "user");
  o.setString("content", text);
  return JsonValue.fromObject(o);
}

class RagFilter extends HttpFilter<RagConfig> implements HttpCallHandler {
  phase: Phase = Phase.Idle;
  recalled: bool = false;
  body: ArrayBuffer = new ArrayBuffer(0);
  messages: Array<JsonValue> = [];
  question: string = "";

  onRequestHeaders(endOfStream: bool): Action {
    if (endOfStream) return Action.Continue;
    // As Higress: the body may change size, and the headers go on while it is read.
    this.requestHeaders.remove("content-length");
    this.requestBodyMode = BodyMode.Buffer;
    this.requestBodyLimit = MAX_REQUEST_BYTES;
    return Action.Continue;
  }

  onRequestBodyTooLarge(size: u32): Action {
    log.debug("request body larger than " + MAX_REQUEST_BYTES.toString() + " bytes: passed unchanged");
    return Action.Continue;
  }

  onRequestBody(body: ArrayBuffer): Action {
    const r = parseJsonBytes(body);
    let root: JsonObject | null = null;
    if (r.ok) root = r.value!.asObject();
    if (root === null) { log.debug("request body is not a JSON object: passed unchanged"); return Action.Continue; }
    const mv = root.get("messages");
    let msgs: Array<JsonValue> | null = null;
    if (mv !== null) msgs = mv.asArray();
    if (msgs === null || msgs.length == 0) { log.debug("request has no messages: passed unchanged"); return Action.Continue; }
    const last = msgs[msgs.length - 1].asObject();
    let q = "";
    if (last !== null) q = contentText(last.get("content"));
    if (q.length == 0) { log.debug("the last message has no text: passed unchanged"); return Action.Continue; }
    this.body = body;
    this.messages = msgs;
    this.question = q;
    if (requestEmbedding(this.config.embedding, q, this) != Status.Ok) {
      log.warn("embedding call refused: " + lastHttpCallError + ": request passed unchanged");
      return Action.Continue;
    }
    this.phase = Phase.Embedding;
    return Action.Pause;
  }

  onHttpCallResponse(resp: HttpCallResponse): void {
    if (this.phase == Phase.Embedding) this.onEmbedding(resp);
    else if (this.phase == Phase.Querying) this.onMatches(resp);
  }

  private resume(): void {
    this.phase = Phase.Done;
    this.resumeRequest();
  }

  private onEmbedding(resp: HttpCallResponse): void {
    const c = this.config;
    if (resp.status != 200) { log.warn("embedding service answered " + resp.status.toString() + ": request passed unchanged"); this.resume(); return; }
    const emb = readEmbedding(c.embedding, resp.body);
    if (emb === null) { log.warn("embedding service answered no vector: request passed unchanged"); this.resume(); return; }
    const st = c.vectorType == VectorType.Chroma
      ? chromaQuery(c.chroma!, emb, c.topk, this)
      : dashVectorQuery(c.dashvector!, emb, c.topk, [c.field], this);
    if (st != Status.Ok) { log.warn(this.dbName() + " query refused: " + lastHttpCallError + ": request passed unchanged"); this.resume(); return; }
    this.phase = Phase.Querying;
  }

  private dbName(): string { return this.config.vectorType == VectorType.Chroma ? "chroma" : "dashvector"; }

  private onMatches(resp: HttpCallResponse): void {
    const c = this.config;
    if (resp.status != 200) { log.warn(this.dbName() + " answered " + resp.status.toString() + ": request passed unchanged"); this.resume(); return; }
    const matches = c.vectorType == VectorType.Chroma ? readChromaMatches(resp.body) : readDashVectorMatches(resp.body, c.field);
    if (matches === null) { log.warn(this.dbName() + " answered no documents: request passed unchanged"); this.resume(); return; }
    const kept = new Array<VectorMatch>();
    // Higress: a document is kept when its distance is at most the threshold (in the database's order).
    for (let i = 0; i < matches.length && i < c.topk; i++) {
      const m = matches[i];
      if (m.score <= c.threshold && m.text.length > 0) kept.push(m);
    }
    if (kept.length == 0) { log.debug("no document within the threshold: request passed unchanged"); this.resume(); return; }
    const out = this.withDocuments(kept);
    if (out === null) { log.warn("request body could not be rewritten: passed unchanged"); this.resume(); return; }
    this.replaceRequestBody(out);
    const ids = new Array<string>(kept.length);
    for (let i = 0; i < kept.length; i++) ids[i] = kept[i].id;
    properties.setString(["trace_span_tag.rag_docs"], ids.join(", "));
    this.recalled = true;
    log.debug("recalled " + kept.length.toString() + " document(s): " + ids.join(", "));
    this.resume();
  }

  /** The body with its last message replaced by the documents and the question (other fields as sent). */
  private withDocuments(docs: Array<VectorMatch>): ArrayBuffer | null {
    const spans = topLevelFields(this.body, "messages");
    if (spans === null || spans.length == 0) return null;
    const all = new Array<JsonValue>();
    for (let i = 0; i < this.messages.length - 1; i++) all.push(this.messages[i]);
    for (let i = 0; i < docs.length; i++) all.push(userMessage(docs[i].text));
    all.push(userMessage(QUESTION_PREFIX + this.question));
    return replaceSpans(this.body, spans, JsonValue.fromArray(all).toBytes());
  }

  onResponseHeaders(endOfStream: bool): Action {
    this.responseHeaders.add(RECALL_HEADER, this.recalled ? "true" : "false");
    return Action.Continue;
  }
}

registerPlugin("ai-rag", () => new AiRag());
