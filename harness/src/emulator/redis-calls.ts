// Higress's native Redis calls: proxy_redis_init names a cluster (with credentials and a db),
// proxy_redis_call sends raw RESP over a real TCP connection and the reply comes back in
// proxy_on_redis_call_response (buffer type 9).
import { CalloutKind, RedisStatus, Status } from "./abi.js";
import { RedisConnection, type RedisReply } from "./redis.js";
import type { HostContext, HostFunctions } from "./types.js";

const enc = (s: string) => Buffer.from(s, "utf8");

export class RedisCalls {
  /** Failures the test asked for, used by the next calls in order. */
  readonly faults: ("network" | { error: string })[] = [];
  private conns = new Map<string, RedisConnection>();
  private inits = new Map<string, { username: string; password: string; timeoutMs: number; db: number }>();

  constructor(private readonly h: HostContext) {}

  /** "host:port" of a Redis cluster: a redis:// cluster, or the `redis` option for unknown names. */
  address(name: string): string | undefined {
    const c = this.h.options.clusters?.[name];
    if (typeof c === "string" && c.startsWith("redis://")) return c.slice("redis://".length);
    if (c !== undefined) return undefined;
    return this.h.options.redis;
  }

  init(name: string, init: { username: string; password: string; timeoutMs: number; db: number }): void {
    this.inits.set(name, init);
    this.conns.get(name)?.close();
    this.conns.delete(name);
  }

  connection(name: string, addr: string): RedisConnection {
    let c = this.conns.get(name);
    if (!c) {
      const [host, port] = splitHostPort(addr);
      const init = this.inits.get(name);
      c = new RedisConnection({ host, port, username: init?.username || undefined, password: init?.password || undefined, db: init?.db, timeoutMs: init?.timeoutMs || 1000 });
      this.conns.set(name, c);
    }
    return c;
  }

  deliver(contextId: number, token: number, reply: RedisReply): void {
    const h = this.h;
    const stream = h.stream(contextId);
    if ((contextId !== h.rootContextId && (!stream || stream.finished)) || h.failed) return;
    const ok = reply.status === RedisStatus.Ok;
    h.data.redisResponse = ok ? reply.data : null;
    h.data.lastStatus = ok ? { code: Status.Ok, message: "" } : { code: RedisStatus.NetworkError, message: "reset" };
    h.vmCall("proxy_on_redis_call_response", contextId, contextId, token, reply.status, ok ? reply.data.length : 0);
    h.data.redisResponse = null;
    h.afterCallback(stream);
  }

  close(): void {
    for (const c of this.conns.values()) c.close();
    this.conns.clear();
  }
}

export function redisImports(h: HostContext, redis: RedisCalls): HostFunctions {
  return {
    proxy_redis_init(cPtr: number, cLen: number, uPtr: number, uLen: number, pPtr: number, pLen: number, timeout: number) {
      const cluster = h.mem.readStr(cPtr, cLen);
      const user = h.mem.readStr(uPtr, uLen);
      const pass = h.mem.readStr(pPtr, pLen);
      if (cluster === null || user === null || pass === null) return Status.InvalidMemoryAccess;
      const q = cluster.indexOf("?");
      const name = q >= 0 ? cluster.slice(0, q) : cluster;
      if (!redis.address(name)) return Status.BadArgument;
      const params = new URLSearchParams(q >= 0 ? cluster.slice(q + 1) : "");
      redis.init(name, { username: user, password: pass, timeoutMs: timeout >>> 0, db: Number(params.get("db") ?? 0) || 0 });
      return Status.Ok;
    },
    proxy_redis_call(cPtr: number, cLen: number, qPtr: number, qLen: number, retToken: number) {
      const cluster = h.mem.readStr(cPtr, cLen);
      const query = h.mem.read(qPtr, qLen);
      if (cluster === null || query === null) return Status.InvalidMemoryAccess;
      const q = cluster.indexOf("?");
      const name = q >= 0 ? cluster.slice(0, q) : cluster;
      const addr = redis.address(name);
      if (!addr) return Status.BadArgument;
      const token = h.takeToken(CalloutKind.Redis);
      if (!h.mem.writeU32(retToken, token)) return Status.InvalidMemoryAccess;
      const ctx = h.effective;
      const fault = redis.faults.shift();
      let reply: Promise<RedisReply>;
      if (fault === "network") reply = Promise.resolve({ status: RedisStatus.NetworkError, data: Buffer.alloc(0) });
      else if (fault) reply = Promise.resolve({ status: RedisStatus.Ok, data: enc(`-${fault.error}\r\n`) });
      else reply = redis.connection(name, addr).call(Buffer.from(query));
      h.track(reply.then((r) => redis.deliver(ctx, token, r)));
      return Status.Ok;
    },
  };
}

function splitHostPort(addr: string): [string, number] {
  const i = addr.lastIndexOf(":");
  return [addr.slice(0, i), Number(addr.slice(i + 1))];
}
