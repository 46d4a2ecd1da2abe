// ai-token-ratelimit on the emulator against a real redis-server: the higress build talks RESP
// through Higress's proxy_redis_* host functions, the envoy build goes through webdis. Both count
// the same way (Higress's Lua scripts) and fail open or closed when Redis does not answer.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { pluginWasm } from "../../../harness/src/index.js";
import { RedisServer } from "../../../harness/src/redis.js";
import { Emulator, type Target } from "../../../harness/src/emulator/index.js";

let redis: RedisServer;
beforeAll(async () => {
  redis = await RedisServer.start();
});
afterAll(async () => redis?.stop());

const CLUSTER = "outbound|6379||redis.dns";
const answer = (total: number) => ({
  status: 200,
  headers: { "content-type": "application/json" },
  body: JSON.stringify({ id: "c", object: "chat.completion", model: "gpt-4o", choices: [{ index: 0, message: { role: "assistant", content: "hi" }, finish_reason: "stop" }], usage: { prompt_tokens: total - 10, completion_tokens: 10, total_tokens: total } }),
});
const chat = { path: "/v1/chat/completions", body: JSON.stringify({ model: "gpt-4o", messages: [{ role: "user", content: "hi" }] }) };

function load(target: Target, extra: Record<string, unknown> = {}) {
  const config = { rule_name: `emu-${target}`, rule_items: [{ limit_by_per_header: "x-key", limit_keys: [{ key: "*", token_per_minute: 100 }] }], redis: { service_name: "redis.dns", service_port: 6379, timeout: 10000 }, ...extra }; // far above any machine's latency
  return Emulator.load(pluginWasm("ai-token-ratelimit", target), {
    target,
    config,
    pluginName: "ai-token-ratelimit",
    clusters: { [CLUSTER]: target === "higress" ? `redis://127.0.0.1:${redis.redisPort}` : redis.webdisUrl },
  });
}

for (const target of ["higress", "envoy"] as const) {
  describe(`ai-token-ratelimit on the emulator (${target}, real Redis)`, () => {
    it("counts the tokens in Redis; the request that crosses the limit passes, the next gets 429", async () => {
      const host = await load(target);
      const key = `${target}-${Date.now()}`;
      const send = () => host.request({ ...chat, headers: { "x-key": key, "content-type": "application/json" }, response: answer(80) });
      expect((await send()).status).toBe(200);
      await host.idle();
      expect((await send()).status).toBe(200); // 80 ≤ 100: passes, and takes the counter to 160
      await host.idle();
      const r = await send();
      expect(r.status).toBe(429);
      // The minute's window (an hour's would be longer), whatever time the run took.
      expect(Number(r.header("x-tokenratelimit-reset"))).toBeGreaterThan(0);
      expect(Number(r.header("x-tokenratelimit-reset"))).toBeLessThanOrEqual(60);
      expect(r.upstream).toBeNull();
      expect(await redis.command("GET", `higress-token-ratelimit:emu-${target}:limit_by_per_header:60:x-key:${key}`)).toBe("$3\r\n160\r\n");
      // Another key has its own counter.
      expect((await host.request({ ...chat, headers: { "x-key": key + "-other" }, response: answer(5) })).status).toBe(200);
      expect(host.traps).toEqual([]);
      host.close();
    });

    it("fails open by default when Redis does not answer, closed when configured", async () => {
      const open = await Emulator.load(pluginWasm("ai-token-ratelimit", target), {
        target,
        config: { rule_name: "down", rule_items: [{ limit_by_per_header: "x-key", limit_keys: [{ key: "*", token_per_minute: 1 }] }], redis: { service_name: "redis.dns" } },
        clusters: { [CLUSTER]: target === "higress" ? "redis://127.0.0.1:1" : "http://127.0.0.1:1" },
      });
      expect((await open.request({ ...chat, headers: { "x-key": "k" }, response: answer(5) })).status).toBe(200);
      const closed = await Emulator.load(pluginWasm("ai-token-ratelimit", target), {
        target,
        config: { rule_name: "down", rule_items: [{ limit_by_per_header: "x-key", limit_keys: [{ key: "*", token_per_minute: 1 }] }], redis: { service_name: "redis.dns" }, redis_failure_mode: "closed" },
        clusters: { [CLUSTER]: target === "higress" ? "redis://127.0.0.1:1" : "http://127.0.0.1:1" },
      });
      expect((await closed.request({ ...chat, headers: { "x-key": "k" }, response: answer(5) })).status).toBe(503);
      expect(open.traps).toEqual([]);
      expect(closed.traps).toEqual([]);
    });

    it("admission: reserve — the estimate is reserved at request time and reconciled with the usage; a failed request gives it back", async () => {
      const host = await load(target, { admission: "reserve", reserve_tokens: 50 });
      const k = `res-${target}-${Date.now()}`;
      const redisKey = `higress-token-ratelimit:emu-${target}:limit_by_per_header:60:x-key:${k}`;
      const send = (response: ReturnType<typeof answer>) => host.request({ ...chat, headers: { "x-key": k, "content-type": "application/json" }, response });
      expect((await send(answer(80))).status).toBe(200);
      await host.idle();
      expect(await redis.command("GET", redisKey)).toBe("$2\r\n80\r\n"); // 50 reserved, +30 at the end
      expect((await send({ status: 500, headers: { "content-type": "application/json" }, body: "{\"error\":{\"message\":\"boom\"}}" })).status).toBe(500);
      await host.idle();
      expect(await redis.command("GET", redisKey)).toBe("$2\r\n80\r\n"); // reserved 50, released 50
      expect((await send(answer(80))).status).toBe(200); // 80 < 100: admitted, 130 reserved
      await host.idle();
      expect(await redis.command("GET", redisKey)).toBe("$3\r\n160\r\n");
      const r = await send(answer(5));
      expect(r.status).toBe(429);
      expect(r.upstream).toBeNull();
      expect(await redis.command("GET", redisKey)).toBe("$3\r\n160\r\n"); // a refusal reserves nothing
      expect(host.traps).toEqual([]);
      host.close();
    });

    it("admission: a bad value or reserve without reserve_tokens refuses the config", async () => {
      for (const extra of [{ admission: "bogus" }, { admission: "reserve" }, { admission: "reserve", reserve_tokens: 0 }, { reserve_tokens: 10 }]) {
        await expect(load(target, extra), JSON.stringify(extra)).rejects.toThrow(/Unable to create Wasm plugin/);
      }
    });

    if (target === "higress") {
      it("fault injection: a Redis error reply on the check fails open", async () => {
        const host = await load(target);
        host.failNextRedis({ error: "ERR injected" });
        const r = await host.request({ ...chat, headers: { "x-key": "inj" }, response: answer(5) });
        expect(r.status).toBe(200);
        expect(host.logLines().join("\n")).toContain("ERR injected");
        host.close();
      });
    }
  });
}

// The envoy build reaches Redis through a webdis callout. With the cluster answered by hand and
// never answered, only the callout's own timeout can end the wait, and the emulator fires it on
// its clock (advance()): the exact configured timeout is checked without any real time passing,
// so a slow machine cannot fail it, and a timeout that is ignored, defaulted or off by a unit can.
describe("ai-token-ratelimit on the emulator (envoy): a Redis that never answers", () => {
  for (const mode of ["open", "closed"] as const) {
    it(`fail-${mode}: the request is held until exactly the configured 300 ms`, async () => {
      const config = { rule_name: "hang", rule_items: [{ limit_by_per_header: "x-key", limit_keys: [{ key: "*", token_per_minute: 100 }] }], redis: { service_name: "redis.dns", timeout: 300 }, redis_failure_mode: mode };
      const host = await Emulator.load(pluginWasm("ai-token-ratelimit", "envoy"), { target: "envoy", config, pluginName: "ai-token-ratelimit", clusters: { [CLUSTER]: null } });
      const s = host.stream();
      s.sendRequestHeaders({ ":authority": "gw", ":path": chat.path, ":method": "POST", "content-type": "application/json", "x-key": "k", "x-request-id": `hang-${mode}` }, false);
      s.sendRequestBody(chat.body, true);
      expect(host.pendingHttpCalls()).toHaveLength(1);
      host.advance(299);
      expect(s.requestPaused).toBe(true);
      expect(s.upstream.headers).toBeNull();
      expect(s.localResponse).toBeNull();
      host.advance(1);
      expect(host.pendingHttpCalls()).toHaveLength(0);
      if (mode === "open") {
        expect(s.upstream.complete).toBe(true);
        expect(s.localResponse).toBeNull();
      } else {
        expect(s.upstream.headers).toBeNull();
        expect(s.localResponse?.status).toBe(503);
      }
      expect(host.logLines().join("\n")).toMatch(new RegExp(`\\[hang-${mode}\\] redis call failed: cannot get redis response: timeout; redis_failure_mode is ${mode}`));
      s.complete();
      expect(host.traps).toEqual([]);
      host.close();
    });
  }
});
