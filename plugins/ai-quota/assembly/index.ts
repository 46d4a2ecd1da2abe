// ai-quota: each consumer (X-Mse-Consumer, set by an auth plugin) has a token quota in Redis
// (`<redis_key_prefix><consumer>`). Requests to any token-spending LLM API (the SDK's path
// classifier, the one ai-proxy answers by: chat completions in every spelling, completions,
// embeddings, Anthropic messages, …) are refused once it is used up (≤ 0); the tokens a request
// used are deducted when its response ends. The admin consumer manages quotas through
// `…/v1/chat/completions<admin_path>` (query), `/refresh` (set) and `/delta` (add or subtract).
// Configuration, paths, messages and statuses follow Higress's ai-quota.
import { Plugin, HttpFilter, BodyMode, Action, ConfigError, JsonObject, registerPlugin, log, Status, HeaderPair, quoteJsonString } from "@sluice/sdk";
import { ResponseTracker, accountUsage, usageSourceName, AiApi, classifyAiPath, aiApiSpendsTokens, aiApiName, UserAttributes } from "@sluice/sdk/ai";
import { parseQuery, rawQuery } from "@sluice/sdk/net";
import { parseRedisBlock, redisClientFor } from "@sluice/sdk/ratelimit";
import { RedisClient, RedisHandler, RedisResult } from "@sluice/sdk/redis";
export * from "@sluice/sdk/exports";

const CHAT_PATH = "/v1/chat/completions";
const TEXT = "text/plain";
const JSON_TYPE = "application/json";

class Config {
  redis: RedisClient | null = null;
  prefix: string = "chat_quota:";
  adminConsumer: string = "";
  adminPath: string = "/quota";
}

class AiQuota extends Plugin<Config> {
  parseConfig(json: JsonObject, global: Config | null, err: ConfigError): Config | null {
    const c = new Config();
    const ap = json.getString("admin_path");
    if (ap !== null && ap.length > 0) c.adminPath = ap;
    const ac = json.getString("admin_consumer");
    if (ac === null || ac.length == 0) return err.fail<Config>("missing admin_consumer in config");
    c.adminConsumer = ac;
    const p = json.getString("redis_key_prefix");
    if (p !== null && p.length > 0) c.prefix = p;
    const block = parseRedisBlock(json, err);
    if (block === null) return null;
    c.redis = redisClientFor(block);
    return c;
  }
  newFilter(): HttpFilter<Config> { return new QuotaFilter(); }
}

enum Mode { None, Chat, Query, Refresh, Delta }

/** The admin API keeps Higress's exact suffixes; everything else is metered by what it costs. */
function modeOf(path: string, adminPath: string, api: AiApi): Mode {
  const full = CHAT_PATH + adminPath;
  if (path.endsWith(full + "/refresh")) return Mode.Refresh;
  if (path.endsWith(full + "/delta")) return Mode.Delta;
  if (path.endsWith(full)) return Mode.Query;
  if (aiApiSpendsTokens(api)) return Mode.Chat;
  return Mode.None;
}

/** A decimal integer as Go's strconv.Atoi reads it (sign allowed). */
class IntParse { constructor(public ok: bool, public value: i64) {} }
function atoi(s: string | null): IntParse {
  const bad = new IntParse(false, 0);
  if (s === null || s.length == 0 || s.length > 19) return bad;
  let i = 0, neg = false;
  const c0 = s.charCodeAt(0);
  if (c0 == 43 || c0 == 45) { neg = c0 == 45; i = 1; if (s.length == 1) return bad; }
  let n: i64 = 0;
  for (; i < s.length; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return bad;
    n = n * 10 + d;
  }
  return new IntParse(true, neg ? -n : n);
}

function formValue(body: string, name: string): string | null {
  const pairs = parseQuery(body);
  for (let i = 0; i < pairs.length; i++) if (pairs[i].name == name) return pairs[i].value;
  return null;
}

/** Logs the deduction's answer (the request may be gone by then). */
class Deducted implements RedisHandler {
  constructor(public key: string, public tokens: i64) {}
  onRedisResult(r: RedisResult): void {
    if (!r.ok) log.warn("redis call failed while deducting " + this.tokens.toString() + " tokens from " + this.key + ": " + r.error!);
    else log.debug("deducted " + this.tokens.toString() + " tokens from " + this.key + ": " + r.int(0).toString() + " left");
  }
}

class QuotaFilter extends HttpFilter<Config> implements RedisHandler {
  mode: Mode = Mode.None;
  consumer: string = "";
  target: string = "";
  pending: Mode = Mode.None;
  status: i32 = 0;
  requestBytes: i64 = 0;
  tracker: ResponseTracker = new ResponseTracker();
  accounted: bool = false;
  admitted: bool = false;

  onRequestHeaders(endOfStream: bool): Action {
    const consumer = this.requestHeaders.get("x-mse-consumer");
    if (consumer === null) return this.reply(401, "ai-quota.no_key", TEXT, "Request denied by ai quota check. No Key Authentication information found.");
    if (consumer.length == 0) return this.reply(403, "ai-quota.unauthorized", TEXT, "Request denied by ai quota check. Unauthorized consumer.");
    this.consumer = consumer;
    const raw = this.requestHeaders.get(":path");
    const full = raw === null ? "" : raw;
    const q = full.indexOf("?");
    const path = q < 0 ? full : full.substring(0, q);
    const api = classifyAiPath(String.UTF8.encode(full));
    this.mode = modeOf(path, this.config.adminPath, api);
    if (this.mode == Mode.Chat) log.debug("metering " + aiApiName(api) + " for consumer " + consumer);
    if (this.mode == Mode.None) return Action.Continue;
    if (this.mode == Mode.Query) return this.query(full);
    if (this.mode == Mode.Refresh || this.mode == Mode.Delta) {
      if (endOfStream) return this.admin("");
      this.requestBodyMode = BodyMode.Buffer;
      return Action.Pause;
    }
    // Chat: refuse when the quota is used up.
    const cl = this.requestHeaders.get("content-length");
    if (cl !== null) { this.requestBytes = I64.parseInt(cl.trim()); if (this.requestBytes < 0) this.requestBytes = 0; }
    this.responseBodyMode = BodyMode.Stream;
    this.pending = Mode.Chat;
    const st = this.config.redis!.get(this.key(consumer), this);
    if (st != Status.Ok) {
      log.warn("redis call failed: " + this.config.redis!.lastError);
      return this.noQuota();
    }
    return Action.StopAllIterationAndWatermark;
  }

  onRequestBody(body: ArrayBuffer): Action {
    if (this.mode == Mode.Refresh || this.mode == Mode.Delta) return this.admin(String.UTF8.decode(body));
    return Action.Continue;
  }

  private key(consumer: string): string { return this.config.prefix + consumer; }

  private reply(status: u32, details: string, contentType: string, body: string): Action {
    return this.respond(status, body, [new HeaderPair("content-type", contentType)], details);
  }

  private noQuota(): Action {
    return this.reply(403, "ai-quota.noquota", TEXT, "Request denied by ai quota check, No quota left");
  }

  private redisError(err: string): Action {
    return this.reply(503, "ai-quota.error", TEXT, "redis error:" + err);
  }

  private notAdmin(): bool {
    if (this.consumer == this.config.adminConsumer) return false;
    this.reply(403, "ai-quota.unauthorized", TEXT, "Request denied by ai quota check. Unauthorized admin consumer.");
    return true;
  }

  private query(path: string): Action {
    if (this.notAdmin()) return Action.Continue;
    const pairs = parseQuery(rawQuery(path));
    let target = "";
    for (let i = 0; i < pairs.length; i++) if (pairs[i].name == "consumer") { target = pairs[i].value; break; }
    if (target.length == 0) return this.reply(403, "ai-quota.unauthorized", TEXT, "Request denied by ai quota check. consumer can't be empty.");
    this.target = target;
    this.pending = Mode.Query;
    const st = this.config.redis!.get(this.key(target), this);
    if (st != Status.Ok) return this.redisError(this.config.redis!.lastError);
    return Action.Pause;
  }

  private admin(body: string): Action {
    if (this.notAdmin()) return Action.Continue;
    const target = formValue(body, "consumer");
    const delta = this.mode == Mode.Delta;
    const parsed = atoi(formValue(body, delta ? "value" : "quota"));
    const n = parsed.value;
    if (target === null || target.length == 0 || !parsed.ok) {
      return this.reply(403, "ai-quota.unauthorized", TEXT, "Request denied by ai quota check. consumer can't be empty and " + (delta ? "value" : "quota") + " must be integer.");
    }
    this.target = target!;
    this.pending = this.mode;
    const redis = this.config.redis!;
    const k = this.key(target);
    let st: Status;
    if (!delta) st = redis.set(k, n.toString(), this);
    else if (n >= 0) st = redis.incrBy(k, n, this);
    else st = redis.command(["decrby", k, (-n).toString()], this);
    if (st != Status.Ok) return this.redisError(redis.lastError);
    return Action.Pause;
  }

  onRedisResult(r: RedisResult): void {
    const mode = this.pending;
    this.pending = Mode.None;
    if (mode == Mode.Chat) {
      const quota = r.ok && !r.isNil ? r.int(0) : 0;
      if (!r.ok) log.warn("redis call failed: " + r.error!);
      log.debug("get consumer:" + this.consumer + " quota:" + quota.toString() + " isDenied:" + (quota <= 0 ? "true" : "false"));
      if (quota <= 0) { this.noQuota(); return; }
      this.admitted = true;
      this.resumeRequest();
      return;
    }
    if (!r.ok) { this.redisError(r.error!); return; }
    if (mode == Mode.Query) {
      const quota = r.isNil ? 0 : r.int(0);
      this.reply(200, "ai-quota.queryquota", JSON_TYPE, "{\"consumer\":" + quoteJsonString(this.target) + ",\"quota\":" + quota.toString() + "}");
    } else if (mode == Mode.Refresh) {
      this.reply(200, "ai-quota.refreshquota", TEXT, "refresh quota successful");
    } else if (mode == Mode.Delta) {
      this.reply(200, "ai-quota.deltaquota", TEXT, "delta quota successful");
    }
  }

  onResponseHeaders(endOfStream: bool): Action {
    const s = this.responseHeaders.get(":status");
    this.status = s === null ? 0 : I32.parseInt(s);
    this.tracker.begin(this.responseHeaders.get("content-type"));
    if (endOfStream) { this.tracker.finish(); this.deduct(false); }
    return Action.Continue;
  }

  onResponseChunk(chunk: ArrayBuffer, last: bool): ArrayBuffer | null {
    this.tracker.push(chunk, last);
    if (last) this.deduct(false);
    return null;
  }

  onStreamDone(): void {
    if (!this.accounted) this.deduct(true);
  }

  private deduct(fromRoot: bool): void {
    if (this.accounted) return;
    this.accounted = true;
    if (this.mode != Mode.Chat || !this.admitted) return;
    const a = accountUsage(this.tracker, this.requestBytes, this.status >= 200 && this.status < 300);
    const used = a.usage.promptTokens + a.usage.completionTokens;
    if (used <= 0) return;
    const k = this.key(this.consumer);
    if (a.estimated) {
      log.warn("token usage estimated (" + (this.tracker.ended ? "no usage reported" : "stream cut") + "): " + used.toString() + " tokens for consumer " + this.consumer);
      const attrs = new UserAttributes();
      attrs.setBool("token_usage_estimated", true);
      attrs.setInt("quota_tokens", used);
      attrs.writeToLog();
    } else {
      log.debug("update consumer:" + this.consumer + ", totalToken:" + used.toString() + " (" + usageSourceName(a.source) + ")");
    }
    if (fromRoot) this.beginRootScope();
    const st = this.config.redis!.command(["decrby", k, used.toString()], new Deducted(k, used));
    if (fromRoot) this.endRootScope();
    if (st != Status.Ok) log.warn("redis call failed while deducting tokens from " + k + ": " + this.config.redis!.lastError);
  }
}

registerPlugin("ai-quota", () => new AiQuota());
