// Higress's `redis` configuration block, shared by ai-token-ratelimit, ai-quota and
// cluster-key-rate-limit: {service_name, service_port (6379; 80 for `.static`), username,
// password, timeout (ms, 1000), database (0)} → a RedisClient on `outbound|<port>||<service_name>`.
// On the envoy target that cluster must point at webdis in front of the same Redis.
import { JsonObject } from "../json/value";
import { ConfigError } from "../api/plugin";
import { RedisClient } from "../redis/client";
import { FQDNCluster } from "../http/cluster";
import { log } from "../api/log";
import { Status } from "../abi/types";

export class RedisBlock {
  serviceName: string = "";
  servicePort: i64 = 6379;
  username: string = "";
  password: string = "";
  timeoutMs: u32 = 1000;
  database: i32 = 0;
}

/** Parses `json.redis`; null with `err` set (Higress's messages) when missing or invalid. */
export function parseRedisBlock(json: JsonObject, err: ConfigError): RedisBlock | null {
  const r = json.getObject("redis");
  if (r === null) return err.fail<RedisBlock>("missing redis in config");
  const b = new RedisBlock();
  const name = r.getString("service_name");
  if (name === null || name.length == 0) return err.fail<RedisBlock>("redis service name must not be empty");
  b.serviceName = name;
  const port = r.getInt("service_port", 0);
  b.servicePort = port != 0 ? port : (name.endsWith(".static") ? 80 : 6379);
  const u = r.getString("username");
  if (u !== null) b.username = u;
  const p = r.getString("password");
  if (p !== null) b.password = p;
  const t = r.getInt("timeout", 0);
  b.timeoutMs = t > 0 && t < 3600000 ? <u32>t : 1000;
  b.database = <i32>r.getInt("database", 0);
  return b;
}

/** A client for the block (init is attempted now and retried before later commands, like Higress). */
export function redisClientFor(b: RedisBlock): RedisClient {
  const c = new RedisClient(new FQDNCluster(b.serviceName, b.servicePort));
  if (c.init(b.username, b.password, b.timeoutMs, b.database) == Status.Ok) log.info("redis init successfully");
  else log.error("redis init failed, will try later");
  return c;
}
