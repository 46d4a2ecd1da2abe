// The Sluice SDK: what plugin authors import. Layers (top to bottom): exports.ts (the host's
// callbacks) → this API and its helpers → runtime → abi. Plugins never import runtime/ or abi/.
export { Action, Status, LogLevel, BufferType, MapType, StreamType, MetricType } from "./abi/types";
export { IS_HIGRESS } from "./abi/target";
export { RootContext, HttpContext } from "./runtime/context";
export { Plugin, HttpFilter, BodyMode, ConfigError } from "./api/plugin";
export { HeaderMap, requestHeaders, responseHeaders, requestTrailers, responseTrailers } from "./api/headers";
export { HeaderPair, BytesPair } from "./runtime/pairs";
export { log, logEnabled } from "./api/log";
export { properties } from "./api/properties";
export { time } from "./api/time";
export { randomBytes, randomBelow } from "./api/random";
export { JsonValue, JsonObject, JsonKind, quoteJsonString } from "./json/value";
export { parseJson, parseJsonBytes, parseJsonObject, JsonResult } from "./json/parse";
export { registerRoot as registerPlugin } from "./runtime/dispatcher";
export { stripPort } from "./config/match";
export { toBytes } from "./encoding/bytes";
export { base64Encode, base64UrlEncode, base64Decode, base64UrlDecode } from "./encoding/base64";
export { hexEncode, hexDecode } from "./encoding/hex";
export { percentEncode, percentDecode, percentDecodeBytes } from "./encoding/percent";
export { Hasher } from "./crypto/hasher";
export { Sha256, sha256, sha224 } from "./crypto/sha256";
export { Sha512, sha512, sha384 } from "./crypto/sha512";
export { Sha1, sha1 } from "./crypto/sha1";
export { Md5, md5 } from "./crypto/md5";
export { HashAlg, newHasher, hashAlgFromName, digest, Hmac, hmac, hmacSha1, hmacSha256, hmacSha384, hmacSha512 } from "./crypto/hmac";
export { crc32, crc32Update, crc32UpdateRaw } from "./crypto/crc32";
export { constantTimeEqual } from "./crypto/compare";
// HTTP callouts, Redis, timers, shared data and queues, metrics (issue #3 part A).
export { Cluster, FQDNCluster, DnsCluster, StaticIpCluster, K8sCluster, NacosCluster, ConsulCluster, RouteCluster, TargetCluster } from "./http/cluster";
export { httpCall, HttpClient, HttpCallHandler, HttpCallResponse, DEFAULT_TIMEOUT_MS, lastHttpCallError, statusName } from "./http/call";
export { RespValue, RespKind, RespReader, DecodeStatus, DecodeResult, encodeCommand, encodeValue, decodeReply } from "./redis/resp";
export { RedisCommand, commands as redisCommands } from "./redis/command";
export { RedisResult, RedisHandler } from "./redis/result";
export { RedisClient } from "./redis/client";
export { TickHandler, registerTick, clearTicks, lastTickError } from "./timers/ticker";
export { sharedData, SharedEntry } from "./shared/data";
export { SharedQueue, QueueHandler, Dequeued } from "./shared/queue";
export { LeaderElection, randomVmId } from "./shared/leader";
export { Counter, Gauge, Histogram, taggedName } from "./metrics/metrics";
export { TokenUsage, extractUsage, publishUsage, readPublishedUsage, usageFromOpenAI, usageFromAnthropic, usageFromGemini, usageFromDashScope, usageFromBedrock, usageFromTencent, AI_USAGE_PROPERTY } from "./ai/usage";
// Consumer model shared by the auth plugins; IP/CIDR and query-string parsing (issue #2).
export { ConsumerPolicy, GlobalAuth, AuthRequirement, findSecret, setConsumer, challenge, isRuleObject, checkConsumerName, CONSUMER_HEADER, REALM } from "./auth/consumer";
export { IpAddress, Cidr, CidrSet, parseIp, parseCidr, stripAddressPort } from "./net/ip";
export { rawQuery, parseQuery, queryValues } from "./net/query";
export { Regex, RegexResult, RegexMatch, quoteMeta } from "./regex/regex";
export { PublicKey, PublicKeyResult, KeyType, parseJwk, parsePem, parseSpki, parseCertificateDer, parseRsaPublicKeyDer } from "./crypto/keys";
export { verifySignature, VerifyResult, verifyResultName, isSupportedAlg, setNativeVerify, NativeMode, lastVerifyImpl, nativeVerifyRaw, NativeVerifyResult, ecdsaRawToDer } from "./crypto/verify";
export { Jwt, JwtParseResult, Jwk, JwksResult, parseJwt, parseJwks, parseJwksObject, selectKey, verifyJwt, isKnownAlg, numericDate } from "./auth/jwt";
export { parseHttpDate } from "./net/httpdate";
// JSON (byte-level parser/writer, in-place edits), SSE and AWS event-stream (issue #3 part B).
export { parseJsonUnsafe, parseJsonObjectBytes, JsonObjectResult, MAX_JSON_DEPTH } from "./json/parse";
export { JsonWriter } from "./json/writer";
export { ByteBuffer } from "./json/bytebuf";
export { JsonSpan, findTopLevelField, readTopLevelString, readTopLevelRaw, setTopLevelRaw, setTopLevelString, removeTopLevelField, setNestedRaw, ensureStreamUsage } from "./json/edit";
export { JsonObjectScan, JsonMember, scanJsonObject, isValidJson } from "./json/scan";
export { decodeUtf8, decodeUtf8Lossy, isValidUtf8 } from "./json/utf8";
export { SseEvent } from "./sse/event";
export { SseReader } from "./sse/reader";
export { writeSseEvent, encodeSseEvent, encodeSseData, encodeSseComment } from "./sse/writer";
export { EventStreamReader } from "./eventstream/reader";
export { EventStreamMessage, EventStreamHeader, HeaderType as EventStreamHeaderType } from "./eventstream/message";
export { encodeEventStreamMessage } from "./eventstream/writer";
// Token accounting (issue #6): rate-limit rule grammar and Redis keys, ai_log writer, response usage tracker.
export { LimitType, KeyKind, IpSource, Threshold, LimitKey, LimitRule, RateLimitRules, parseRateLimitRules, parseThreshold, windowSeconds, isPerValueType, LimitMatch, RequestView, matchLimit, globalKey, ruleKey, cookieValue, ipText, RedisBlock, parseRedisBlock, redisClientFor } from "./ratelimit/index";
export { AI_LOG_KEY, UserAttributes, readLogObject, escapeOnce } from "./ai/log";
export { ResponseTracker, StreamEventSink, AccountedUsage, UsageSource, usageSourceName, accountUsage, estimateTokens, readPublished, PublishedUsage } from "./ai/tracker";
export { AiApi, classifyAiPath, classifyAiPathString, aiApiName, aiApiSpendsTokens } from "./ai/api";
export { Acs3Request, ACS3_ALGORITHM, acsEncode, formEncode, rfc3339, uuidV4 } from "./aliyun/acs3";
