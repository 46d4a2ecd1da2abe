// Rate-limit building blocks shared by ai-token-ratelimit and cluster-key-rate-limit
// (docs/sdk/ratelimit.md).
export { LimitType, KeyKind, IpSource, Threshold, LimitKey, LimitRule, RateLimitRules, parseRateLimitRules, parseThreshold, windowSeconds, isPerValueType, WINDOW_SUFFIXES, CONSUMER_HEADER_NAME } from "./rules";
export { LimitMatch, RequestView, matchLimit, globalKey, ruleKey, findKey, firstParam, cookieValue, ipText } from "./match";
export { RedisBlock, parseRedisBlock, redisClientFor } from "./redis";
export { COUNT_REQUEST_SCRIPT, CHECK_SCRIPT, ADD_SCRIPT, RESERVE_SCRIPT, RECONCILE_SCRIPT, WindowCount, readWindowCount, setQuotaHeaders, WindowLimitConfig } from "./window";
