// Fixed-window counters in Redis, as Higress's cluster-key-rate-limit and ai-token-ratelimit keep
// them: the Lua scripts (one round trip each, so concurrent gateways never read-then-write), the
// {threshold, current, ttl[, admitted]} reply they share, the quota headers built from it, and
// the configuration fields both plugins have.
import { HeaderMap } from "../api/headers";
import { log } from "../api/log";
import { RedisResult } from "../redis/result";
import { RedisClient } from "../redis/client";
import { RateLimitRules } from "./rules";

/**
 * Count one request: refuse without counting once over the threshold; otherwise count, starting
 * the window at the first request. ARGV: threshold, window. Returns {threshold, current, ttl}.
 */
export const COUNT_REQUEST_SCRIPT = `
local key = KEYS[1]
local threshold = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local current = tonumber(redis.call('get', key) or "0")
if current > threshold then
  return {threshold, current, redis.call('ttl', key)}
end
current = redis.call('incr', key)
if current == 1 then
  redis.call('expire', key, window)
end
return {threshold, current, redis.call('ttl', key)}
`;

/** Check without counting. ARGV: threshold, window. Returns {threshold, current, ttl}. */
export const CHECK_SCRIPT = `
local current = redis.call('get', KEYS[1])
local ttl = redis.call('ttl', KEYS[1])
local threshold = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
if not current then
  return {threshold, 0, window}
end
if ttl < 0 then
  ttl = window
end
return {threshold, tonumber(current), ttl}
`;

/**
 * Add an amount while the counter is not over the threshold; the window starts at the first
 * addition. ARGV: threshold, window, amount. Returns {threshold, current, ttl}.
 */
export const ADD_SCRIPT = `
local key = KEYS[1]
local threshold = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local added = tonumber(ARGV[3])
local current = tonumber(redis.call('get', key) or "0")
if current <= threshold then
  current = redis.call('incrby', key, added)
  if current == added then
    redis.call('expire', key, window)
  else
    local ttl = redis.call('ttl', key)
    if ttl < 0 then
      redis.call('expire', key, window)
    end
  end
end
return {threshold, current, redis.call('ttl', key)}
`;

/**
 * Check and reserve an estimate in one step, so concurrent requests see each other's
 * reservations. Admits while the counter (reservations included) is below the threshold; the
 * window starts at the first reservation. ARGV: threshold, window, estimate.
 * Returns {threshold, current, ttl, admitted}.
 */
export const RESERVE_SCRIPT = `
local key = KEYS[1]
local threshold = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local estimate = tonumber(ARGV[3])
local current = tonumber(redis.call('get', key) or "0")
if current >= threshold then
  local ttl = redis.call('ttl', key)
  if ttl < 0 then ttl = window end
  return {threshold, current, ttl, 0}
end
current = redis.call('incrby', key, estimate)
local ttl = redis.call('ttl', key)
if ttl < 0 then
  redis.call('expire', key, window)
  ttl = window
end
return {threshold, current, ttl, 1}
`;

/**
 * Replace a reservation by the real amount: add the difference (negative gives back), never
 * below zero. A key that expired meanwhile only takes a positive difference, in a new window.
 * ARGV: window, delta. Returns {current, ttl}.
 */
export const RECONCILE_SCRIPT = `
local key = KEYS[1]
local window = tonumber(ARGV[1])
local delta = tonumber(ARGV[2])
if redis.call('exists', key) == 0 then
  if delta <= 0 then return {0, -2} end
  redis.call('set', key, delta, 'EX', window)
  return {delta, window}
end
local current = redis.call('incrby', key, delta)
if current < 0 then
  redis.call('set', key, 0, 'KEEPTTL')
  current = 0
end
local ttl = redis.call('ttl', key)
if ttl < 0 then
  redis.call('expire', key, window)
  ttl = window
end
return {current, ttl}
`;

/**
 * What both rate limiters configure (each parses it its own way, as its Higress counterpart does):
 * the rules, the refusal, the quota headers and the Redis client. A plugin extends it.
 */
export class WindowLimitConfig {
  rules: RateLimitRules = new RateLimitRules();
  rejectedCode: u32 = 429;
  rejectedMsg: string = "Too many requests";
  showQuotaHeaders: bool = false;
  redis: RedisClient | null = null;
}

/** A window script's reply. */
export class WindowCount {
  constructor(public threshold: i64, public current: i64, public ttl: i64, public admitted: bool) {}
}

/**
 * Reads a successful reply of COUNT_REQUEST_SCRIPT/CHECK_SCRIPT (admitted: current ≤ threshold)
 * or, `withAdmission`, of RESERVE_SCRIPT (admitted: its fourth item). Null, logged as Higress
 * does, when the reply has another shape.
 */
export function readWindowCount(r: RedisResult, withAdmission: bool): WindowCount | null {
  const items = r.items;
  if (items.length != (withAdmission ? 4 : 3)) {
    log.error("redis response parse error, response: " + (r.value === null ? "null" : r.value!.toJson()));
    return null;
  }
  const threshold = items[0].asInt(0);
  const current = items[1].asInt(0);
  const admitted = withAdmission ? items[3].asInt(0) != 0 : current <= threshold;
  return new WindowCount(threshold, current, items[2].asInt(0), admitted);
}

/** The limit and what is left of it (never below 0) on a response that passed. */
export function setQuotaHeaders(h: HeaderMap, limitName: string, remainingName: string, threshold: i64, current: i64): void {
  const left = threshold - current;
  h.set(limitName, threshold.toString());
  h.set(remainingName, (left < 0 ? 0 : left).toString());
}
