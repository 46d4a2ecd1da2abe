// ai-statistics in a real Envoy with the OpenAI mock as upstream, what is not a table row
// (cases.ts): ai_log merged with what another plugin wrote (ai-token-ratelimit before it), and a
// stream the upstream cuts mid-way (recorded from proxy_on_log with estimated tokens).
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { mkdtempSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pluginWasm } from "../../../harness/src/index.js";
import { RedisServer } from "../../../harness/src/redis.js";
import { LlmMock, openaiFamily } from "../../../harness/src/mocks/llm/index.js";
import { useEnvoy } from "../../../harness/src/vitest.js";
import { chat, lastTotal, waitCounter } from "../../ai-token-ratelimit/test/helpers.js";
import { attributes } from "./cases.js";

const fx = { mock: undefined as LlmMock | undefined, redis: undefined as RedisServer | undefined };
beforeAll(async () => {
  fx.mock = await LlmMock.start(openaiFamily);
  fx.redis = await RedisServer.start();
});
afterAll(async () => {
  await fx.mock?.stop();
  await fx.redis?.stop();
});

const logDir = mkdtempSync(join(tmpdir(), "sluice-ais-"));
const accessLog = join(logDir, "access.log");

const gw = useEnvoy(() => ({
  plugins: [
    { name: "ai-token-ratelimit", wasm: pluginWasm("ai-token-ratelimit"), config: { rule_name: "s", redis: { service_name: "redis.dns", timeout: 10000 }, rule_items: [{ limit_by_header: "x-limited", limit_keys: [{ key: "yes", token_per_minute: 1 }] }] } },
    { name: "ai-statistics", wasm: pluginWasm("ai-statistics"), config: { attributes, value_length_limit: 20, enable_path_suffixes: ["/completions"] } },
  ],
  routes: [{ name: "chat-route", prefix: "/", cluster: "mock" }],
  clusters: [{ name: "mock", port: fx.mock!.port }, { name: "outbound|6379||redis.dns", port: fx.redis!.webdisPort }],
  accessLog: { path: accessLog, format: "%REQ(X-REQUEST-ID)% %RESPONSE_CODE% SEP=%FILTER_STATE(wasm.sep:PLAIN)%\tSPAN=%FILTER_STATE(wasm.trace_span_tag.user_agent:PLAIN)%\tAI=%FILTER_STATE(wasm.ai_log:PLAIN)%" },
}));

async function line(id: string): Promise<{ status: string; ai: Record<string, any>; rest: string }> {
  for (let i = 0; i < 80; i++) {
    const l = (existsSync(accessLog) ? readFileSync(accessLog, "utf8").split("\n") : []).find((x) => x.startsWith(id + " "));
    if (l) {
      const status = l.split(" ")[1];
      const at = l.lastIndexOf("\tAI=");
      const raw = l.slice(at + 4);
      return { status, ai: raw === "-" ? {} : JSON.parse(JSON.parse(`"${raw}"`)), rest: l.slice(0, at) };
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no access log line for ${id}`);
}

describe("ai-statistics in Envoy: merged ai_log, cut streams", () => {
  it("ai_log is merged with what another plugin wrote (ai-token-ratelimit's status)", async () => {
    await chat(gw.url, { headers: [["x-limited", "yes"]] }); // crosses the limit of 1
    // ai-token-ratelimit adds the tokens after the answer: wait until Redis has them.
    await waitCounter(fx.redis!, "higress-token-ratelimit:s:limit_by_header:60:x-limited:yes", lastTotal(fx.mock!));
    const r = await chat(gw.url, { headers: [["x-limited", "yes"], ["x-request-id", "m1"]] });
    expect(r.status).toBe(429);
    const { ai } = await line("m1");
    expect(ai.token_ratelimit_status).toBe("limited");
  });

  it("a stream cut mid-way: recorded from proxy_on_log with estimated tokens, flagged", async () => {
    await chat(gw.url, { headers: [["x-request-id", "cut1"]], stream: true, cut: "1" }).catch(() => undefined);
    const { ai } = await line("cut1");
    expect(ai).toMatchObject({ response_type: "stream", token_usage_estimated: true });
    expect(ai.input_token).toBeGreaterThan(0);
    expect(ai.total_token).toBe(ai.input_token + ai.output_token);
    await gw.envoy.waitForLog(/token usage estimated \(stream cut\)/);
  });

  it("no trap", async () => {
    await gw.envoy.settleLog();
    expect(gw.envoy.log).not.toMatch(/wasm trap|Function: proxy_on_\w+ failed|panic/i);
  });
});
