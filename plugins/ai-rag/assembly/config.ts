// ai-rag's configuration, read as Higress's ai-rag reads it (main.go parseConfig): every key of
// `dashscope` (the embedding service) and `dashvector` (the vector database) must be present,
// with Higress's message for a missing one. Sluice checks their types too, and adds `timeout` to
// both blocks and a `vector` block with `type: chroma` (or `type: dashvector`) in place of
// `dashvector` (README.md).
import { ConfigError, JsonObject, JsonValue } from "@sluice/sdk";
import { FQDNCluster } from "@sluice/sdk/http";
import { EmbeddingService, EmbeddingType, ChromaCollection, DashVectorCollection } from "@sluice/sdk/ai";

/** Higress's timeouts: 50 s for the embedding call, wasm-go's default 500 ms for the query. */
export const EMBEDDING_TIMEOUT_MS: u32 = 50000;
export const VECTOR_TIMEOUT_MS: u32 = 500;
/** DashVector's limit on `topk` (InvalidTopk above it); Chroma's `n_results` gets the same bound. */
export const MAX_TOPK: i64 = 1024;

export enum VectorType { DashVector, Chroma }

export class RagConfig {
  embedding!: EmbeddingService;
  vectorType: VectorType = VectorType.DashVector;
  dashvector: DashVectorCollection | null = null;
  chroma: ChromaCollection | null = null;
  topk: i32 = 1;
  /** Documents whose distance (score) is above it are left out. */
  threshold: f64 = 0;
  /** DashVector: the field holding a document's text. */
  field: string = "";
}

/** Reads one block's keys with Higress's "<block>.<key> not found in plugin config!". */
class Block {
  constructor(public name: string, public o: JsonObject | null, public err: ConfigError) {}

  private value(key: string): JsonValue | null {
    const o = this.o;
    let v: JsonValue | null = null;
    if (o !== null) v = o.get(key);
    if (v === null) { this.err.fail<RagConfig>(this.name + "." + key + " not found in plugin config!"); return null; }
    return v;
  }

  has(key: string): bool { const o = this.o; return o !== null && o.get(key) !== null; }

  /** A required string (`nonEmpty`: and not ""); null after a failure. */
  str(key: string, nonEmpty: bool = false): string | null {
    const v = this.value(key);
    if (v === null) return null;
    if (!v.isString) { this.err.fail<RagConfig>(this.name + "." + key + " must be a string"); return null; }
    if (nonEmpty && v.str.length == 0) { this.err.fail<RagConfig>(this.name + "." + key + " must not be empty"); return null; }
    return v.str;
  }

  /** An optional string. */
  optStr(key: string, def: string): string | null {
    if (!this.has(key)) return def;
    return this.str(key, true);
  }

  /** A required integer in [lo, hi]; -1 after a failure. */
  int(key: string, lo: i64, hi: i64, what: string): i64 {
    const v = this.value(key);
    if (v === null) return -1;
    const n = v.asNumber(NaN);
    if (!v.isNumber || n != Math.floor(n) || n < <f64>lo || n > <f64>hi) {
      this.err.fail<RagConfig>(this.name + "." + key + " must be " + what);
      return -1;
    }
    return <i64>n;
  }

  num(key: string): f64 {
    const v = this.value(key);
    if (v === null) return NaN;
    if (!v.isNumber) { this.err.fail<RagConfig>(this.name + "." + key + " must be a number"); return NaN; }
    return v.asNumber(0);
  }

  /** The optional `timeout` (ms, 1 to 3600000). */
  timeout(def: u32): u32 {
    if (!this.has("timeout")) return def;
    const t = this.int("timeout", 1, 3600000, "a timeout in milliseconds (1 to 3600000)");
    return t < 0 ? 0 : <u32>t;
  }

  /** serviceFQDN, servicePort and serviceHost: Higress's FQDN cluster. */
  cluster(): FQDNCluster | null {
    const fqdn = this.str("serviceFQDN", true);
    if (fqdn === null) return null;
    const port = this.int("servicePort", 1, 65535, "a port (1 to 65535)");
    if (port < 0) return null;
    const host = this.str("serviceHost");
    if (host === null) return null;
    return new FQDNCluster(fqdn, port, host);
  }
}

function parseEmbedding(json: JsonObject, err: ConfigError): EmbeddingService | null {
  const b = new Block("dashscope", json.getObject("dashscope"), err);
  if (json.get("dashscope") !== null && b.o === null) return err.fail<EmbeddingService>("dashscope must be an object");
  const key = b.str("apiKey");
  if (key === null) return null;
  const cluster = b.cluster();
  if (cluster === null) return null;
  const e = new EmbeddingService();
  e.type = EmbeddingType.DashScope;
  e.model = "text-embedding-v2";
  e.cluster = cluster;
  e.apiKey = key;
  e.timeoutMs = b.timeout(EMBEDDING_TIMEOUT_MS);
  return err.failed ? null : e;
}

function parseSearch(b: Block, c: RagConfig): bool {
  const topk = b.int("topk", 1, MAX_TOPK, "an integer from 1 to " + MAX_TOPK.toString());
  if (topk < 0) return false;
  c.topk = <i32>topk;
  const t = b.num("threshold");
  if (isNaN(t)) return false;
  c.threshold = t;
  return true;
}

class Target {
  constructor(public collection: string, public cluster: FQDNCluster) {}
}

/** What both databases take, in Higress's order: collection, the service, topk, threshold. */
function parseTarget(b: Block, c: RagConfig): Target | null {
  const collection = b.str("collection", true);
  if (collection === null) return null;
  const cluster = b.cluster();
  if (cluster === null) return null;
  if (!parseSearch(b, c)) return null;
  return new Target(collection, cluster);
}

function parseDashVector(b: Block, c: RagConfig): bool {
  const key = b.str("apiKey");
  if (key === null) return false;
  const t = parseTarget(b, c);
  if (t === null) return false;
  const field = b.str("field", true);
  if (field === null) return false;
  const d = new DashVectorCollection();
  d.cluster = t.cluster;
  d.apiKey = key;
  d.collection = t.collection;
  d.timeoutMs = b.timeout(VECTOR_TIMEOUT_MS);
  if (b.err.failed) return false;
  c.vectorType = VectorType.DashVector;
  c.dashvector = d;
  c.field = field;
  return true;
}

function parseChroma(b: Block, c: RagConfig): bool {
  const t = parseTarget(b, c);
  if (t === null) return false;
  const ch = new ChromaCollection();
  ch.cluster = t.cluster;
  ch.collectionId = t.collection;
  const key = b.optStr("apiKey", "");
  const tenant = b.optStr("tenant", ch.tenant);
  const database = b.optStr("database", ch.database);
  if (key === null || tenant === null || database === null) return false;
  ch.apiKey = key;
  ch.tenant = tenant;
  ch.database = database;
  ch.timeoutMs = b.timeout(VECTOR_TIMEOUT_MS);
  if (b.err.failed) return false;
  c.vectorType = VectorType.Chroma;
  c.chroma = ch;
  return true;
}

export function parseConfig(json: JsonObject, err: ConfigError): RagConfig | null {
  const c = new RagConfig();
  const e = parseEmbedding(json, err);
  if (e === null) return null;
  c.embedding = e;
  const hasDash = json.get("dashvector") !== null;
  const vec = json.get("vector");
  if (hasDash && vec !== null) return err.fail<RagConfig>("configure either dashvector or vector, not both");
  if (vec !== null) {
    const o = vec.asObject();
    if (o === null) return err.fail<RagConfig>("vector must be an object");
    const b = new Block("vector", o, err);
    const type = o.getString("type");
    if (type === null) return err.fail<RagConfig>("vector.type not found in plugin config! (chroma or dashvector)");
    if (type == "chroma") { if (!parseChroma(b, c)) return null; }
    else if (type == "dashvector") { if (!parseDashVector(b, c)) return null; }
    else return err.fail<RagConfig>("unknown vector.type: '" + type + "' (chroma or dashvector)");
    return c;
  }
  const d = json.get("dashvector");
  if (d !== null && !d.isObject) return err.fail<RagConfig>("dashvector must be an object");
  if (!parseDashVector(new Block("dashvector", json.getObject("dashvector"), err), c)) return null;
  return c;
}
