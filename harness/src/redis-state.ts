// What Redis-backed plugin tests read and fake around a RedisServer: counters (GET/TTL, polled
// until the plugin's write after the response lands) and a "Redis" that never answers, so only
// the plugin's callout timeout can end its wait.
import { createServer, type Server, type Socket } from "node:net";
import { beforeAll, afterAll } from "vitest";
import { RedisServer } from "./redis.js";

export async function redisGet(redis: RedisServer, key: string): Promise<number | null> {
  const r = await redis.command("GET", key);
  if (r.startsWith("$-1")) return null;
  const m = /^\$\d+\r\n(-?\d+)\r\n/.exec(r);
  if (!m) throw new Error(`unexpected GET reply ${JSON.stringify(r)}`);
  return Number(m[1]);
}

/** GET in database `db` (webdis's /<db>/ prefix), for a Redis a plugin reaches with `database` ≠ 0. */
export async function redisGetIn(redis: RedisServer, db: number, key: string): Promise<number | null> {
  const r = await (await fetch(`${redis.webdisUrl}/${db}/GET/${encodeURIComponent(key).replace(/\./g, "%2E")}.raw`)).text();
  const m = /^\$\d+\r\n(-?\d+)\r\n/.exec(r);
  return m ? Number(m[1]) : null;
}

export async function redisTtl(redis: RedisServer, key: string): Promise<number> {
  return Number(/^:(-?\d+)/.exec(await redis.command("TTL", key))![1]);
}

/** Waits until the counter (in database `db`) shows `want` (a missing key counts as 0); a bounded poll, not a sleep. */
export async function waitCounter(redis: RedisServer, key: string, want: number, timeoutMs = 15000, db = 0): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let got: number | null = null;
  while (Date.now() < deadline) {
    got = db === 0 ? await redisGet(redis, key) : await redisGetIn(redis, db, key);
    if ((got ?? 0) === want) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`counter ${key} is ${got}, expected ${want}`);
}

/** Accepts connections and never answers a byte. */
export class SilentServer {
  port = 0;
  private held: Socket[] = [];
  private server: Server;

  private constructor() {
    this.server = createServer((sock) => {
      this.held.push(sock);
      sock.on("error", () => undefined);
    });
  }

  static async start(): Promise<SilentServer> {
    const s = new SilentServer();
    await new Promise<void>((r) => s.server.listen(0, "127.0.0.1", r));
    s.port = (s.server.address() as { port: number }).port;
    return s;
  }

  async stop(): Promise<void> {
    for (const s of this.held) s.destroy();
    await new Promise((r) => this.server.close(r));
  }
}

/** A RedisServer (with webdis) for the test file: started before its tests, stopped after. */
export function useRedisServer(): { redis: RedisServer } {
  const h = { redis: undefined as unknown as RedisServer };
  beforeAll(async () => {
    h.redis = await RedisServer.start();
  });
  afterAll(async () => h.redis?.stop());
  return h;
}
