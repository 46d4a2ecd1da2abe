// ai-token-ratelimit on the emulator, what is not a table row (cases.ts): a Redis that cannot be
// reached (both targets fail open, or closed when configured), an injected Redis error reply
// (higress build), and a Redis that never answers, its timeout checked on the emulator's clock.
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
  describe(`ai-token-ratelimit on the emulator (${target}): Redis failures`, () => {
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
