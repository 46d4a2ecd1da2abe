// key-rate-limit: limits the requests each listed key value (a header or a query parameter) may
// make per second/minute/hour/day on this Envoy, with no Redis. Configuration follows Higress's
// key-rate-limit (cpp): limit_by_header | limit_by_param + limit_keys[{key, query_per_*}], 429
// when over the limit. The counters are token buckets in shared data, updated with compare-and-
// swap, so every worker VM of one Envoy draws from the same bucket (see README.md for why).
import { Plugin, HttpFilter, Action, ConfigError, JsonObject, HeaderPair, registerPlugin, log, Status, sharedData, time } from "@sluice/sdk";
import { crc32 } from "@sluice/sdk/crypto";
import { hexEncode } from "@sluice/sdk/encoding";
import { parseThreshold, Threshold, firstParam } from "@sluice/sdk/ratelimit";
export * from "@sluice/sdk/exports";

/** Micro-tokens per token: refill is computed in integers without losing the fractions. */
const UNIT: i64 = 1000000;
const MAX_RATE: i64 = 100000000;
const CAS_ATTEMPTS = 16;

class KeyLimit {
  constructor(public key: string, public threshold: Threshold) {}
}

class Config {
  byHeader: bool = false;
  name: string = "";
  keys: Array<KeyLimit> = [];
  /** Distinguishes buckets of different configurations (rules) in the shared store. */
  id: string = "";
  rejectedCode: u32 = 429;
  rejectedMsg: string = "Too many requests";
}

class KeyRateLimit extends Plugin<Config> {
  parseConfig(json: JsonObject, global: Config | null, err: ConfigError): Config | null {
    const c = new Config();
    const header = json.getString("limit_by_header");
    const param = json.getString("limit_by_param");
    const hasHeader = header !== null && header.length > 0;
    const hasParam = param !== null && param.length > 0;
    if (hasHeader && hasParam) return err.fail<Config>("only one of 'limit_by_header' and 'limit_by_param' can be set");
    if (!hasHeader && !hasParam) return err.fail<Config>("one of 'limit_by_header' and 'limit_by_param' must be set");
    c.byHeader = hasHeader;
    c.name = hasHeader ? header!.toLowerCase() : param!;
    const keys = json.getArray("limit_keys");
    if (keys === null || keys.length == 0) return err.fail<Config>("limit_keys must be a non-empty array");
    for (let i = 0; i < keys.length; i++) {
      const o = keys[i].asObject();
      if (o === null) return err.fail<Config>("limit_keys entries must be objects");
      const kv = o.get("key");
      const keyText: string | null = kv === null ? null : kv.toText();
      if (keyText === null || keyText.length == 0) return err.fail<Config>("limit_keys key is required");
      const key = keyText!;
      for (let j = 0; j < c.keys.length; j++) if (c.keys[j].key == key) return err.fail<Config>("duplicate key '" + key + "' in limit_keys");
      const t = parseThreshold(o, "query", key, err);
      if (t === null) return null;
      if (t.count > MAX_RATE) return err.fail<Config>("'" + t.windowName + "' for key '" + key + "' is too large (at most " + MAX_RATE.toString() + ")");
      c.keys.push(new KeyLimit(key, t));
    }
    const code = json.get("rejected_code");
    if (code !== null && !code.isNull) {
      const n = code.asInt(-1);
      if (n < 100 || n > 599) return err.fail<Config>("rejected_code must be an HTTP status code between 100 and 599");
      c.rejectedCode = <u32>n;
    }
    const msg = json.getString("rejected_msg");
    if (msg !== null) c.rejectedMsg = msg;
    // The same configuration gives the same id in every worker VM (and a changed one a new id).
    c.id = hexEncode(bytesOfU32(crc32(String.UTF8.encode(json.stringify()))));
    // Shared data has no atomic "create if absent": two workers creating one bucket at once could
    // both succeed. The keys are known now, so the buckets are created (full) before any traffic
    // and every later update is a compare-and-swap.
    const now = time.nowMillis();
    for (let i = 0; i < c.keys.length; i++) {
      const k = bucketKey(c, c.keys[i].key, c.keys[i].threshold);
      if (!sharedData.get(k).found) sharedData.set(k, String.UTF8.encode((c.keys[i].threshold.count * UNIT).toString() + "," + now.toString()), 0);
    }
    return c;
  }

  newFilter(): HttpFilter<Config> { return new KeyRateLimitFilter(); }
}

function bucketKey(c: Config, value: string, t: Threshold): string {
  return "key-rate-limit:" + c.id + ":" + (c.byHeader ? "header:" : "param:") + c.name + ":" + t.windowSeconds.toString() + ":" + value;
}

function bytesOfU32(v: u32): ArrayBuffer {
  const b = new Uint8Array(4);
  b[0] = <u8>(v >> 24); b[1] = <u8>(v >> 16); b[2] = <u8>(v >> 8); b[3] = <u8>v;
  return b.buffer;
}

/** Parses "tokens,lastMs"; null when malformed. */
function parseState(text: string): Array<i64> | null {
  const comma = text.indexOf(",");
  if (comma <= 0) return null;
  const a = text.substring(0, comma), b = text.substring(comma + 1);
  const t = i64.parse(a, 10), l = i64.parse(b, 10);
  if (t.toString() != a || l.toString() != b) return null;
  return [t, l];
}

enum Take { Allowed, Limited, Error }

/**
 * Takes one token from the bucket `key` (capacity `rate`, refilled continuously at `rate` per
 * `windowSeconds`). Read-modify-write with CAS; a conflicting writer means retry.
 */
function takeToken(key: string, rate: i64, windowSeconds: i64): Take {
  const capacity = rate * UNIT;
  const windowMs = windowSeconds * 1000;
  for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
    const now = time.nowMillis();
    const cur = sharedData.get(key);
    let tokens = capacity;
    let cas: u32 = 0;
    if (cur.found) {
      cas = cur.cas;
      const s = parseState(cur.text);
      if (s !== null) {
        const elapsed = now - s[1];
        if (elapsed >= windowMs) tokens = capacity;
        else if (elapsed <= 0) tokens = s[0];
        else tokens = s[0] + elapsed * rate * 1000 / windowSeconds;
        if (tokens > capacity) tokens = capacity;
        if (tokens < 0) tokens = 0;
      }
    }
    if (tokens < UNIT) return Take.Limited;
    const next = (tokens - UNIT).toString() + "," + now.toString();
    const st = sharedData.set(key, String.UTF8.encode(next), cas);
    if (st == Status.Ok) return Take.Allowed;
    if (st != Status.CasMismatch) { log.warn("key-rate-limit: shared data set failed for " + key + ": status " + (<i32>st).toString()); return Take.Error; }
  }
  log.warn("key-rate-limit: too many concurrent updates of " + key);
  return Take.Error;
}

class KeyRateLimitFilter extends HttpFilter<Config> {
  onRequestHeaders(endOfStream: bool): Action {
    const c = this.config;
    const value = c.byHeader ? this.requestHeaders.get(c.name) : firstParam(this.pathOrEmpty(), c.name);
    if (value === null) return Action.Continue;
    let limit: KeyLimit | null = null;
    for (let i = 0; i < c.keys.length; i++) if (c.keys[i].key == value) { limit = c.keys[i]; break; }
    if (limit === null) return Action.Continue;
    const t = limit.threshold;
    const r = takeToken(bucketKey(c, value, t), t.count, t.windowSeconds);
    // A store that keeps refusing must not stop traffic: fail open, as the Redis limits do.
    if (r != Take.Limited) return Action.Continue;
    return this.respond(c.rejectedCode, c.rejectedMsg, [new HeaderPair("content-type", "text/plain")], "key-rate-limit.rejected");
  }

  private pathOrEmpty(): string {
    const p = this.requestHeaders.get(":path");
    return p === null ? "" : p;
  }
}

registerPlugin("key-rate-limit", () => new KeyRateLimit());
