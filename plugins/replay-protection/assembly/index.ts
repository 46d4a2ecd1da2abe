// replay-protection: every request carries a one-time nonce (a header); the first use of a nonce
// is remembered in Redis (`SET <prefix>:<nonce> 1 NX EX <ttl>`) and a second use within the TTL is
// refused. Configuration, messages, codes and the fail-open on Redis errors follow Higress's
// replay-protection code.
import { Plugin, HttpFilter, Action, ConfigError, JsonObject, registerPlugin, log, Status } from "@sluice/sdk";
import { parseRedisBlock, redisClientFor } from "@sluice/sdk/ratelimit";
import { RedisClient, RedisHandler, RedisResult } from "@sluice/sdk/redis";
export * from "@sluice/sdk/exports";

const MISSING = "Missing Required Header";
const INVALID = "Invalid Nonce";

class Config {
  forceNonce: bool = false;
  nonceHeader: string = "X-Higress-Nonce";
  nonceTtl: i64 = 900;
  minLength: i32 = 8;
  maxLength: i32 = 128;
  validateBase64: bool = false;
  rejectCode: u32 = 429;
  rejectMsg: string = "Replay Attack Detected";
  keyPrefix: string = "replay-protection";
  redis: RedisClient | null = null;
}

/** A boolean field (absent or null: `def`); anything else is refused rather than guessed. */
function boolField(json: JsonObject, key: string, def: bool, err: ConfigError): i32 {
  const v = json.get(key);
  if (v === null || v.isNull) return def ? 1 : 0;
  if (!v.isBool) { err.fail<Config>(key + " must be a boolean"); return -1; }
  return v.bool ? 1 : 0;
}

/** A non-negative integer field where 0 or absent means the default (as Higress reads it); -1 on error. */
function intField(json: JsonObject, key: string, def: i64, max: i64, err: ConfigError): i64 {
  const v = json.get(key);
  if (v === null || v.isNull) return def;
  const n = v.asInt(-1);
  if (!v.isNumber || <f64>n != v.num || n < 0 || n > max) { err.fail<Config>(key + " must be an integer between 0 and " + max.toString()); return -1; }
  return n == 0 ? def : n;
}

/** Higress's base64 check: `^[a-zA-Z0-9+/=-]+$` (any order of those characters, '-' included). */
function base64Chars(b: Uint8Array): bool {
  if (b.length == 0) return false;
  for (let i = 0; i < b.length; i++) {
    const c = b[i];
    const ok = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c == 43 || c == 47 || c == 61 || c == 45;
    if (!ok) return false;
  }
  return true;
}

class ReplayProtection extends Plugin<Config> {
  parseConfig(json: JsonObject, global: Config | null, err: ConfigError): Config | null {
    const block = parseRedisBlock(json, err);
    if (block === null) return null;
    const c = new Config();
    const r = json.getObject("redis")!;
    const prefix = r.get("key_prefix");
    if (prefix !== null && !prefix.isNull) {
      if (!prefix.isString) return err.fail<Config>("redis.key_prefix must be a string");
      if (prefix.str.length > 0) c.keyPrefix = prefix.str;
    }
    const header = json.get("nonce_header");
    if (header !== null && !header.isNull) {
      if (!header.isString) return err.fail<Config>("nonce_header must be a string");
      if (header.str.length > 0) c.nonceHeader = header.str;
    }
    const force = boolField(json, "force_nonce", false, err);
    if (force < 0) return null;
    c.forceNonce = force == 1;
    const b64 = boolField(json, "validate_base64", false, err);
    if (b64 < 0) return null;
    c.validateBase64 = b64 == 1;
    const ttl = intField(json, "nonce_ttl", 900, 0x7fffffff, err);
    if (ttl < 0) return null;
    c.nonceTtl = ttl;
    const min = intField(json, "nonce_min_length", 8, 65536, err);
    if (min < 0) return null;
    const max = intField(json, "nonce_max_length", 128, 65536, err);
    if (max < 0) return null;
    // Higress accepts it, and then refuses every nonce as invalid.
    if (min > max) return err.fail<Config>("nonce_min_length (" + min.toString() + ") must not exceed nonce_max_length (" + max.toString() + ")");
    c.minLength = <i32>min;
    c.maxLength = <i32>max;
    const code = intField(json, "reject_code", 429, 599, err);
    if (code < 0) return null;
    if (code < 100) return err.fail<Config>("reject_code must be an HTTP status code between 100 and 599");
    c.rejectCode = <u32>code;
    const msg = json.get("reject_msg");
    if (msg !== null && !msg.isNull) {
      if (!msg.isString) return err.fail<Config>("reject_msg must be a string");
      if (msg.str.length > 0) c.rejectMsg = msg.str;
    }
    c.redis = redisClientFor(block);
    return c;
  }

  newFilter(): HttpFilter<Config> { return new ReplayFilter(); }
}

class ReplayFilter extends HttpFilter<Config> implements RedisHandler {
  nonce: string = "";
  waiting: bool = false;

  onRequestHeaders(endOfStream: bool): Action {
    const c = this.config;
    const raw = this.requestHeaders.getBytes(c.nonceHeader);
    if (raw === null || raw.byteLength == 0) {
      if (!c.forceNonce) return Action.Continue;
      // The body does not name the header (as Higress).
      log.warn("missing nonce header");
      return this.respond(400, MISSING, [], "replay-protection.missing_nonce");
    }
    const bytes = Uint8Array.wrap(raw);
    if (bytes.length < c.minLength || bytes.length > c.maxLength) {
      log.warn("invalid nonce: invalid nonce length: must be between " + c.minLength.toString() + " and " + c.maxLength.toString());
      return this.respond(400, INVALID, [], "replay-protection.invalid_nonce");
    }
    if (c.validateBase64 && !base64Chars(bytes)) {
      log.warn("invalid nonce: invalid nonce format: must be base64 encoded");
      return this.respond(400, INVALID, [], "replay-protection.invalid_nonce");
    }
    this.nonce = String.UTF8.decode(raw);
    const redis = c.redis!;
    const st = redis.setNx(c.keyPrefix + ":" + this.nonce, "1", c.nonceTtl, this);
    if (st != Status.Ok) {
      log.error("redis call failed: " + redis.lastError + "; letting the request pass");
      return Action.Continue;
    }
    this.waiting = true;
    // Hold the headers and any body until Redis answers (bounded by the redis timeout).
    return Action.StopAllIterationAndWatermark;
  }

  onRedisResult(r: RedisResult): void {
    if (!this.waiting) return;
    this.waiting = false;
    if (r.value === null || r.value!.isError) {
      log.error("redis call error: " + r.error! + "; letting the request pass");
      this.resumeRequest();
      return;
    }
    const s = r.string;
    if (s === null || s != "OK") {
      log.warn("duplicate nonce detected: " + this.nonce);
      this.respond(this.config.rejectCode, this.config.rejectMsg, [], "replay-protection.replay");
      return;
    }
    this.resumeRequest();
  }
}

registerPlugin("replay-protection", () => new ReplayProtection());
