// ai-quota on the emulator, both targets against one real redis-server: the higress build via
// Higress's proxy_redis_* ABI, the envoy build via webdis. (higress.test.ts goes deeper into the
// higress build.)
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { pluginWasm } from "../../../harness/src/index.js";
import { RedisServer } from "../../../harness/src/redis.js";
import { Emulator } from "../../../harness/src/emulator/index.js";

const CLUSTER = "outbound|6379||redis.dns";
let redis: RedisServer;
beforeAll(async () => {
  redis = await RedisServer.start();
});
afterAll(async () => redis?.stop());

const quota = async (c: string) => {
  const m = /^\$\d+\r\n(-?\d+)\r\n/.exec(await redis.command("GET", `chat_quota:${c}`));
  return m ? Number(m[1]) : null;
};
const answer = (p: number, c: number) => ({ status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify({ choices: [], usage: { prompt_tokens: p, completion_tokens: c, total_tokens: p + c } }) });

for (const target of ["envoy", "higress"] as const) {
  describe(`ai-quota on the emulator (${target})`, () => {
    it("admin sets a quota; chats deduct the reported tokens; at ≤ 0 the next chat is refused", async () => {
      const host = await Emulator.load(pluginWasm("ai-quota", target), {
        target,
        config: { admin_consumer: "boss", redis: { service_name: "redis.dns", timeout: 10000 } }, // far above any machine's latency
        clusters: { [CLUSTER]: target === "higress" ? `redis://127.0.0.1:${redis.redisPort}` : redis.webdisUrl },
      });
      const who = `user-${target}`;
      const set = await host.request({ method: "POST", path: "/v1/chat/completions/quota/refresh", headers: { "x-mse-consumer": "boss", "content-type": "application/x-www-form-urlencoded" }, body: `consumer=${who}&quota=20` });
      expect([set.status, set.body]).toEqual([200, "refresh quota successful"]);
      expect(await quota(who)).toBe(20);
      const chat = () => host.request({ path: "/v1/chat/completions", headers: { "x-mse-consumer": who }, body: "{}", response: answer(15, 10) });
      expect((await chat()).status).toBe(200);
      await host.idle();
      expect(await quota(who)).toBe(-5);
      const refused = await chat();
      expect([refused.status, refused.body]).toEqual([403, "Request denied by ai quota check, No quota left"]);
      expect(refused.upstream).toBeNull();
      expect(host.traps).toEqual([]);
      host.close();
    });
  });
}
