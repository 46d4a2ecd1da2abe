// ai-token-ratelimit: limits the LLM tokens a key (header, param, consumer, cookie, client IP —
// or everyone) may use per second/minute/hour/day, counted in Redis so every gateway instance
// shares the limit. Configuration, Redis keys, Lua scripts and replies follow Higress's
// ai-token-ratelimit: the request phase checks the counter (EVAL), the used tokens are added at
// the end of the response (EVAL), so the request that crosses the limit passes and later ones get
// 429 with X-TokenRateLimit-Reset until the window expires. Check-then-add lets every request
// that is checked before the first one ends pass (the overshoot grows with concurrency), so
// `admission: reserve` (Sluice extension) instead reserves an estimate atomically at request time
// and reconciles it with the real usage at the end (README: "Admission modes").
import { Plugin, HttpFilter, BodyMode, Action, ConfigError, JsonObject, registerPlugin, log, Status, HeaderPair, Counter, routeName, clusterName } from "@sluice/sdk";
import { ResponseTracker, accountUsage, usageSourceName, UserAttributes, AiApi, classifyAiPath, aiApiSpendsTokens } from "@sluice/sdk/ai";
import { WindowLimitConfig, parseRateLimitRules, LimitMatch, matchLimit, parseRedisBlock, redisClientFor, CHECK_SCRIPT, ADD_SCRIPT, RESERVE_SCRIPT, RECONCILE_SCRIPT, readWindowCount, setQuotaHeaders } from "@sluice/sdk/ratelimit";
import { RedisHandler, RedisResult } from "@sluice/sdk/redis";
export * from "@sluice/sdk/exports";

const KEY_PREFIX = "higress-token-ratelimit";

// The scripts (sdk/ratelimit/window.ts) are Higress's check and add, unchanged in behaviour, and
// for `admission: reserve` a reserve and a reconcile.

const RESET_HEADER = "X-TokenRateLimit-Reset";
const LIMIT_HEADER = "X-TokenRateLimit-Limit";
const REMAINING_HEADER = "X-TokenRateLimit-Remaining";

/** showQuotaHeaders (X-TokenRateLimit-Limit/Remaining on requests that pass) is a Sluice extension here. */
class Config extends WindowLimitConfig {
  /** Sluice extension: what happens when Redis cannot answer (Higress: always open). */
  failClosed: bool = false;
  /** Sluice extension (`admission: reserve`): tokens reserved per request; 0 = Higress's check-then-add. */
  reserveTokens: i64 = 0;
}

class AiTokenRateLimit extends Plugin<Config> {
  counters: Map<string, Counter> = new Map<string, Counter>();

  parseConfig(json: JsonObject, global: Config | null, err: ConfigError): Config | null {
    const block = parseRedisBlock(json, err);
    if (block === null) return null;
    const rules = parseRateLimitRules(json, "token", err);
    if (rules === null) return null;
    const c = new Config();
    c.rules = rules;
    const code = json.get("rejected_code");
    if (code !== null) {
      const n = code.asInt(-1);
      if (n < 100 || n > 999) return err.fail<Config>("rejected_code must be an HTTP status code");
      c.rejectedCode = <u32>n;
    }
    const msg = json.get("rejected_msg");
    if (msg !== null) { const t = msg.toText(); c.rejectedMsg = t === null ? "" : t; }
    const mode = json.get("redis_failure_mode");
    if (mode !== null) {
      const m = mode.asString();
      if (m == "open") c.failClosed = false;
      else if (m == "closed") c.failClosed = true;
      else return err.fail<Config>("redis_failure_mode must be 'open' or 'closed'");
    }
    c.showQuotaHeaders = json.getBool("show_limit_quota_header", false);
    const admission = json.get("admission");
    if (admission !== null) {
      const a = admission.asString();
      if (a == "reserve") {
        const n = json.getInt("reserve_tokens", 0);
        if (n <= 0) return err.fail<Config>("admission 'reserve' needs reserve_tokens, a positive integer (the tokens one request is expected to use)");
        c.reserveTokens = n;
      } else if (a != "check") return err.fail<Config>("admission must be 'check' or 'reserve'");
    } else if (json.has("reserve_tokens")) {
      return err.fail<Config>("reserve_tokens is only used with admission: reserve");
    }
    c.redis = redisClientFor(block);
    return c;
  }

  newFilter(): HttpFilter<Config> { return new TokenRateLimitFilter(); }

  count(name: string): void {
    let c: Counter;
    if (this.counters.has(name)) c = this.counters.get(name);
    else { c = new Counter(name); this.counters.set(name, c); }
    c.increment(1);
  }
}

/** Logs what the reconcile script answered (the request may be gone by then). */
class ReconcileAnswer implements RedisHandler {
  constructor(public key: string, public delta: i64) {}
  onRedisResult(r: RedisResult): void {
    if (!r.ok) { log.warn("redis call failed while reconciling " + this.key + " by " + this.delta.toString() + ": " + r.error!); return; }
    const items = r.items;
    if (items.length == 2) log.debug("reconciled " + this.key + " by " + this.delta.toString() + ": now " + items[0].asInt(0).toString() + ", ttl " + items[1].asInt(0).toString());
  }
}

/** Logs what the add script answered (the request may be gone by then). */
class AddAnswer implements RedisHandler {
  constructor(public key: string, public tokens: i64) {}
  onRedisResult(r: RedisResult): void {
    if (!r.ok) { log.warn("redis call failed while adding " + this.tokens.toString() + " tokens to " + this.key + ": " + r.error!); return; }
    const items = r.items;
    if (items.length == 3) log.debug("added " + this.tokens.toString() + " tokens to " + this.key + ": now " + items[1].asInt(0).toString() + "/" + items[0].asInt(0).toString() + ", ttl " + items[2].asInt(0).toString());
  }
}

enum Phase { Idle, Checking, Passed, Rejected }

class TokenRateLimitFilter extends HttpFilter<Config> implements RedisHandler {
  limit: LimitMatch | null = null;
  phase: Phase = Phase.Idle;
  threshold: i64 = 0;
  current: i64 = 0;
  consumer: string = "none";
  requestBytes: i64 = 0;
  status: i32 = 0;
  tracker: ResponseTracker = new ResponseTracker();
  accounted: bool = false;
  attrs: UserAttributes = new UserAttributes();
  api: AiApi = AiApi.Other;
  /** Tokens reserved in Redis for this request (admission: reserve), to reconcile at the end. */
  reserved: i64 = 0;

  onRequestHeaders(endOfStream: bool): Action {
    const consumer = this.requestHeaders.get("x-mse-consumer");
    if (consumer !== null && consumer.length > 0) this.consumer = consumer;
    const cl = this.requestHeaders.get("content-length");
    if (cl !== null) this.requestBytes = I64.parseInt(cl.trim());
    if (this.requestBytes < 0) this.requestBytes = 0;
    const path = this.requestHeaders.getBytes(":path");
    this.api = path === null ? AiApi.Other : classifyAiPath(path);
    const m = matchLimit(this.config.rules, KEY_PREFIX);
    if (m === null) return Action.Continue;
    this.limit = m;
    this.responseBodyMode = BodyMode.Stream;
    const redis = this.config.redis!;
    const reserve = this.reserving;
    const args = [m.count.toString(), m.windowSeconds.toString()];
    if (reserve) args.push(this.config.reserveTokens.toString());
    const st = redis.eval(reserve ? RESERVE_SCRIPT : CHECK_SCRIPT, [m.key], args, this);
    if (st != Status.Ok) return this.redisUnavailable("redis call failed: " + redis.lastError, false);
    this.phase = Phase.Checking;
    // Like Higress: hold the headers and any body until Redis answers.
    return Action.StopAllIterationAndWatermark;
  }

  onRedisResult(r: RedisResult): void {
    if (this.phase != Phase.Checking) return;
    if (!r.ok) { this.redisUnavailable("redis call failed: " + r.error!, true); return; }
    const reserve = this.reserving;
    const n = readWindowCount(r, reserve);
    if (n === null) {
      this.phase = Phase.Passed;
      this.resumeRequest();
      return;
    }
    this.threshold = n.threshold;
    this.current = n.current;
    const ttl = n.ttl;
    const refused = !n.admitted;
    if (reserve && !refused) this.reserved = this.config.reserveTokens;
    if (refused) {
      this.phase = Phase.Rejected;
      this.attrs.setString("token_ratelimit_status", "limited");
      this.attrs.writeToLog();
      this.respond(this.config.rejectedCode, this.config.rejectedMsg, [new HeaderPair(RESET_HEADER, ttl.toString())], "ai-token-ratelimit.rejected");
      (<AiTokenRateLimit>this.plugin).count("route." + routeName() + ".upstream." + clusterName() + ".model.none.consumer." + this.consumer + ".metric.token_ratelimit_count");
      return;
    }
    this.phase = Phase.Passed;
    this.resumeRequest();
  }

  /** Redis did not answer: fail open (Higress) or closed (redis_failure_mode: closed). */
  private redisUnavailable(why: string, later: bool): Action {
    this.phase = Phase.Passed;
    this.attrs.setString("token_ratelimit_status", "redis_unavailable");
    this.attrs.writeToLog();
    if (this.config.failClosed) {
      log.error(why + "; redis_failure_mode is closed: rejecting the request");
      this.phase = Phase.Rejected;
      return this.respond(503, "Token rate limit unavailable", [], "ai-token-ratelimit.redis_unavailable");
    }
    log.warn(why + "; redis_failure_mode is open: letting the request pass");
    if (later) this.resumeRequest();
    return Action.Continue;
  }

  /** Reserve-mode admission applies to requests that spend tokens; others are only checked. */
  private get reserving(): bool { return this.config.reserveTokens > 0 && aiApiSpendsTokens(this.api); }

  onResponseHeaders(endOfStream: bool): Action {
    const s = this.responseHeaders.get(":status");
    this.status = s === null ? 0 : I32.parseInt(s);
    this.tracker.begin(this.responseHeaders.get("content-type"));
    if (this.config.showQuotaHeaders && this.phase == Phase.Passed && this.threshold > 0) {
      setQuotaHeaders(this.responseHeaders, LIMIT_HEADER, REMAINING_HEADER, this.threshold, this.current);
    }
    if (endOfStream) { this.tracker.finish(); this.account(false); }
    return Action.Continue;
  }

  onResponseChunk(chunk: ArrayBuffer, last: bool): ArrayBuffer | null {
    this.tracker.push(chunk, last);
    if (last) this.account(false);
    return null;
  }

  onStreamDone(): void {
    // The response did not end normally (cut stream, reset): count what we can, from the root
    // context — a callout owned by this request would be cancelled with it.
    if (!this.accounted) this.account(true);
  }

  private account(fromRoot: bool): void {
    if (this.accounted) return;
    this.accounted = true;
    const m = this.limit;
    if (m === null || this.phase != Phase.Passed) return;
    // Listing models and counting tokens spend none; an unknown path counts only reported usage.
    if (this.api == AiApi.Models || this.api == AiApi.AnthropicCountTokens) return;
    const ok = this.status >= 200 && this.status < 300;
    const a = accountUsage(this.tracker, this.requestBytes, ok && aiApiSpendsTokens(this.api));
    const used = a.usage.promptTokens + a.usage.completionTokens;
    if (used <= 0 && this.reserved == 0) { log.debug("no token usage to add for " + m.key); return; }
    if (a.estimated) {
      log.warn("token usage estimated (" + (this.tracker.ended ? "no usage reported" : "stream cut") + "): input " + a.usage.promptTokens.toString() + ", output " + a.usage.completionTokens.toString() + " for " + m.key);
      this.attrs.setBool("token_usage_estimated", true);
      this.attrs.setInt("token_ratelimit_tokens", used);
      this.attrs.writeToLog();
    } else {
      log.debug("token usage from " + usageSourceName(a.source) + ": " + used.toString() + " for " + m.key);
    }
    if (this.reserved > 0) { this.reconcile(m, used < 0 ? 0 : used, fromRoot); return; }
    if (fromRoot) this.beginRootScope();
    const st = this.config.redis!.eval(ADD_SCRIPT, [m.key], [m.count.toString(), m.windowSeconds.toString(), used.toString()], new AddAnswer(m.key, used));
    if (fromRoot) this.endRootScope();
    if (st != Status.Ok) log.warn("redis call failed while adding tokens to " + m.key + ": " + this.config.redis!.lastError);
  }

  /** admission: reserve — replace the reservation by what was used (0 when the request failed). */
  private reconcile(m: LimitMatch, used: i64, fromRoot: bool): void {
    const delta = used - this.reserved;
    this.reserved = 0;
    this.attrs.setInt("token_ratelimit_reserved", this.config.reserveTokens);
    this.attrs.setInt("token_ratelimit_tokens", used);
    this.attrs.writeToLog();
    if (delta == 0) { log.debug("reservation of " + m.key + " matched the usage: " + used.toString()); return; }
    if (fromRoot) this.beginRootScope();
    const st = this.config.redis!.eval(RECONCILE_SCRIPT, [m.key], [m.windowSeconds.toString(), delta.toString()], new ReconcileAnswer(m.key, delta));
    if (fromRoot) this.endRootScope();
    if (st != Status.Ok) log.warn("redis call failed while reconciling " + m.key + ": " + this.config.redis!.lastError);
  }
}

registerPlugin("ai-token-ratelimit", () => new AiTokenRateLimit());
