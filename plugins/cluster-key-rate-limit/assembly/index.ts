// cluster-key-rate-limit: limits the requests a key (client IP, header, parameter, consumer,
// cookie — or everyone) may make per second/minute/hour/day across every gateway instance,
// counted in Redis. Configuration, Redis keys, the single-round-trip Lua script and the
// X-RateLimit-* headers follow Higress's cluster-key-rate-limit. Redis errors fail open.
import { Plugin, HttpFilter, Action, ConfigError, JsonObject, registerPlugin, log, Status, HeaderPair } from "@sluice/sdk";
import { WindowLimitConfig, parseRateLimitRules, LimitMatch, matchLimit, parseRedisBlock, redisClientFor, COUNT_REQUEST_SCRIPT, readWindowCount, setQuotaHeaders } from "@sluice/sdk/ratelimit";
import { RedisHandler, RedisResult } from "@sluice/sdk/redis";
export * from "@sluice/sdk/exports";

const KEY_PREFIX = "higress-cluster-key-rate-limit";

const LIMIT_HEADER = "X-RateLimit-Limit";
const REMAINING_HEADER = "X-RateLimit-Remaining";
const RESET_HEADER = "X-RateLimit-Reset";

class Config extends WindowLimitConfig {}

class ClusterKeyRateLimit extends Plugin<Config> {
  parseConfig(json: JsonObject, global: Config | null, err: ConfigError): Config | null {
    const block = parseRedisBlock(json, err);
    if (block === null) return null;
    const rules = parseRateLimitRules(json, "query", err);
    if (rules === null) return null;
    const c = new Config();
    c.rules = rules;
    const code = json.get("rejected_code");
    if (code !== null && !code.isNull) {
      let n: i64 = code.asInt(-1);
      if (code.isString) { const t = code.str.trim(); n = t.length > 0 && t.length < 4 ? I64.parseInt(t) : -1; }
      if (n < 100 || n > 599) return err.fail<Config>("rejected_code must be an HTTP status code between 100 and 599");
      c.rejectedCode = <u32>n;
    }
    const msg = json.get("rejected_msg");
    if (msg !== null && !msg.isNull) { const t = msg.toText(); c.rejectedMsg = t === null ? "" : t; }
    const show = json.get("show_limit_quota_header");
    if (show !== null && !show.isNull) {
      if (!show.isBool) return err.fail<Config>("show_limit_quota_header must be a boolean");
      c.showQuotaHeaders = show.bool;
    }
    c.redis = redisClientFor(block);
    return c;
  }

  newFilter(): HttpFilter<Config> { return new RateLimitFilter(); }
}

enum Phase { Idle, Checking, Passed, Rejected }

class RateLimitFilter extends HttpFilter<Config> implements RedisHandler {
  limit: LimitMatch | null = null;
  phase: Phase = Phase.Idle;
  threshold: i64 = 0;
  current: i64 = 0;

  onRequestHeaders(endOfStream: bool): Action {
    const m = matchLimit(this.config.rules, KEY_PREFIX);
    if (m === null) return Action.Continue;
    this.limit = m;
    const redis = this.config.redis!;
    const st = redis.eval(COUNT_REQUEST_SCRIPT, [m.key], [m.count.toString(), m.windowSeconds.toString()], this);
    if (st != Status.Ok) {
      log.warn("redis call failed: " + redis.lastError + "; letting the request pass (" + m.key + ")");
      this.phase = Phase.Passed;
      return Action.Continue;
    }
    this.phase = Phase.Checking;
    // Hold the headers and any body until Redis answers (bounded by the redis timeout).
    return Action.StopAllIterationAndWatermark;
  }

  onRedisResult(r: RedisResult): void {
    if (this.phase != Phase.Checking) return;
    this.phase = Phase.Passed;
    if (!r.ok) {
      log.warn("redis call failed: " + r.error! + "; letting the request pass (" + this.limit!.key + ")");
      this.resumeRequest();
      return;
    }
    const n = readWindowCount(r, false);
    if (n === null) { this.resumeRequest(); return; }
    this.threshold = n.threshold;
    this.current = n.current;
    const ttl = n.ttl;
    if (!n.admitted) {
      this.phase = Phase.Rejected;
      const h = new Array<HeaderPair>();
      if (this.config.showQuotaHeaders) {
        h.push(new HeaderPair(LIMIT_HEADER, this.threshold.toString()));
        h.push(new HeaderPair(REMAINING_HEADER, "0"));
      }
      h.push(new HeaderPair(RESET_HEADER, ttl.toString()));
      this.respond(this.config.rejectedCode, this.config.rejectedMsg, h, "cluster-key-rate-limit.rejected");
      return;
    }
    this.resumeRequest();
  }

  onResponseHeaders(endOfStream: bool): Action {
    if (this.config.showQuotaHeaders && this.phase == Phase.Passed && this.threshold > 0) {
      setQuotaHeaders(this.responseHeaders, LIMIT_HEADER, REMAINING_HEADER, this.threshold, this.current);
    }
    return Action.Continue;
  }
}

registerPlugin("cluster-key-rate-limit", () => new ClusterKeyRateLimit());
