// Reading what ai-cache stored in Redis: a bulk string by key, and a bounded poll for a store
// that lands after the response (the plugin writes when the answer has passed).
import type { RedisServer } from "../../../harness/src/redis.js";

export async function redisString(redis: RedisServer, key: string): Promise<string | null> {
  const r = await redis.command("GET", key);
  if (r.startsWith("$-1")) return null;
  const m = /^\$(\d+)\r\n/.exec(r);
  if (!m) throw new Error(`unexpected GET reply ${JSON.stringify(r)}`);
  return Buffer.from(r.slice(m[0].length), "utf8").subarray(0, Number(m[1])).toString("utf8");
}

export async function waitStored(redis: RedisServer, key: string, want: string, timeoutMs = 15000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let got: string | null = null;
  while (Date.now() < deadline) {
    got = await redisString(redis, key);
    if (got === want) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`redis ${key} is ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`);
}
