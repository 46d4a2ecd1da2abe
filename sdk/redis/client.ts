// RedisClient: one API over two transports. On the higress target commands go through Higress's
// native Redis ABI; on the envoy target through webdis (an Envoy cluster pointing at webdis).
// A command either is refused at once (a Status, no callback) or its handler is called exactly
// once — with the reply, a Redis error reply, or a failure (no connection, timeout).
import { IS_HIGRESS } from "../abi/target";
import { Status } from "../abi/types";
import { dispatcher, CallKind, PendingCall } from "../runtime/dispatcher";
import { Cluster } from "../http/cluster";
import { httpCallPath, HttpCallHandler, HttpCallResponse, statusName, lastHttpCallError } from "../http/call";
import { log } from "../api/log";
import { RedisCommand, commands } from "./command";
import { encodeCommand } from "./resp";
import { RedisResult, RedisHandler } from "./result";
import { webdisRequest, webdisHeaders, webdisResult, PUT } from "./webdis";
import { nativeClusterParams, nativeInit, nativeCall, nativeResult, nativeLastStatus } from "./native";

class PendingRedisCall extends PendingCall {
  constructor(public client: RedisClient, public query: ArrayBuffer, public handler: RedisHandler, public retried: bool) { super(); }

  deliver(status: u32, size: u32, unused: u32): void {
    const result = nativeResult(status, size);
    const err = result.error;
    // Higress: an expired AUTH (e.g. Redis restarted) → init again and resend once.
    if (!this.retried && err !== null && err.startsWith("NOAUTH")) {
      this.client.ready = false;
      if (this.client.ensureReady() == Status.Ok) {
        const token = nativeCall(this.client.cluster.clusterName(), this.query);
        if (token != 0) {
          const again = new PendingRedisCall(this.client, this.query, this.handler, true);
          again.contextId = this.contextId;
          dispatcher.expect(CallKind.Redis, token, again);
          return;
        }
      }
    }
    this.handler.onRedisResult(result);
  }
}

class WebdisCall implements HttpCallHandler {
  constructor(public handler: RedisHandler, public wrapped: bool) {}
  onHttpCallResponse(response: HttpCallResponse): void {
    this.handler.onRedisResult(webdisResult(response, this.wrapped));
  }
}

export class RedisClient {
  user: string = "";
  password: string = "";
  timeoutMs: u32 = 1000;
  db: i32 = 0;
  ready: bool = false;
  /** Why the last init or command was refused. */
  lastError: string = "";

  /** On the envoy target `cluster` is the webdis cluster; on higress the Redis cluster. */
  constructor(public cluster: Cluster) {}

  /**
   * Call from the root context (configuration). Higress: proxy_redis_init; a failure is retried
   * before each later command. Envoy/webdis: user and password belong in webdis's own config
   * (redis_auth); `db` selects the database per request.
   */
  init(user: string, password: string, timeoutMs: u32 = 1000, db: i32 = 0): Status {
    this.user = user;
    this.password = password;
    this.timeoutMs = timeoutMs;
    this.db = db;
    this.ready = false;
    return this.ensureReady();
  }

  ensureReady(): Status {
    if (this.ready) return Status.Ok;
    const name = this.cluster.clusterName();
    if (name.length == 0) { this.lastError = "redis cluster has no name"; return Status.BadArgument; }
    if (IS_HIGRESS) {
      const st = nativeInit(nativeClusterParams(name, this.db), this.user, this.password, this.timeoutMs);
      if (st != Status.Ok) {
        this.lastError = "failed to init redis cluster '" + name + "': " + statusName(st) + ", will retry later";
        log.warn(this.lastError);
        return st;
      }
    }
    this.ready = true;
    return Status.Ok;
  }

  /** Sends any command. Ok: `handler` will be called once. Otherwise: refused, no callback. */
  send(cmd: RedisCommand, handler: RedisHandler): Status {
    const st = this.ensureReady();
    if (st != Status.Ok) return st;
    if (IS_HIGRESS) {
      const query = encodeCommand(cmd.args);
      const token = nativeCall(this.cluster.clusterName(), query);
      if (token == 0) {
        this.lastError = "redis call refused: " + statusName(nativeLastStatus);
        return nativeLastStatus == Status.Ok ? Status.InternalFailure : nativeLastStatus;
      }
      const pending = new PendingRedisCall(this, query, handler, false);
      pending.contextId = dispatcher.current;
      dispatcher.expect(CallKind.Redis, token, pending);
      return Status.Ok;
    }
    const req = webdisRequest(cmd, this.db);
    const hst = httpCallPath(this.cluster, PUT, req.path, webdisHeaders(), req.body, this.timeoutMs, new WebdisCall(handler, req.wrapped));
    if (hst != Status.Ok) this.lastError = lastHttpCallError;
    return hst;
  }

  // ---- the commands plugins use (see commands.* for the argument lists) ----
  get(key: string, h: RedisHandler): Status { return this.send(commands.get(key), h); }
  set(key: string, value: string, h: RedisHandler): Status { return this.send(commands.set(key, value), h); }
  setEx(key: string, value: string, ttlSeconds: i64, h: RedisHandler): Status { return this.send(commands.setEx(key, value, ttlSeconds), h); }
  setNx(key: string, value: string, ttlSeconds: i64, h: RedisHandler): Status { return this.send(commands.setNx(key, value, ttlSeconds), h); }
  setNxPx(key: string, value: string, ttlMs: i64, h: RedisHandler): Status { return this.send(commands.setNxPx(key, value, ttlMs), h); }
  incrBy(key: string, delta: i64, h: RedisHandler): Status { return this.send(commands.incrBy(key, delta), h); }
  expire(key: string, ttlSeconds: i64, h: RedisHandler): Status { return this.send(commands.expire(key, ttlSeconds), h); }
  del(keys: Array<string>, h: RedisHandler): Status { return this.send(commands.del(keys), h); }
  mget(keys: Array<string>, h: RedisHandler): Status { return this.send(commands.mget(keys), h); }
  hget(key: string, field: string, h: RedisHandler): Status { return this.send(commands.hget(key, field), h); }
  hset(key: string, field: string, value: string, h: RedisHandler): Status { return this.send(commands.hset(key, field, value), h); }
  hincrBy(key: string, field: string, delta: i64, h: RedisHandler): Status { return this.send(commands.hincrBy(key, field, delta), h); }
  zadd(key: string, score: f64, member: string, h: RedisHandler): Status { return this.send(commands.zadd(key, score, member), h); }
  zrangeByScore(key: string, min: string, max: string, h: RedisHandler): Status { return this.send(commands.zrangeByScore(key, min, max), h); }
  zremRangeByScore(key: string, min: string, max: string, h: RedisHandler): Status { return this.send(commands.zremRangeByScore(key, min, max), h); }
  eval(script: string, keys: Array<string>, args: Array<string>, h: RedisHandler): Status { return this.send(commands.evalScript(script, keys, args), h); }
  evalSha(sha1: string, keys: Array<string>, args: Array<string>, h: RedisHandler): Status { return this.send(commands.evalSha(sha1, keys, args), h); }
  command(args: Array<string>, h: RedisHandler): Status { return this.send(commands.raw(args), h); }
}
