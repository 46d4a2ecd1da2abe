// @sluice/sdk/redis: A Redis client: Higress's native Redis calls, webdis on a stock Envoy; the RESP codec (docs/sdk/redis.md).
export * from "./resp";
export * from "./command";
export * from "./result";
export * from "./client";
