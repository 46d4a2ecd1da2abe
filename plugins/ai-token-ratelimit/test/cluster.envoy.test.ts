// Cluster-wide limits: two Envoy instances share one Redis (through one webdis). Requests
// alternate between them; the counter and every allow/deny decision must be exactly what one
// shared window gives (Higress's check-then-add), for plain and streamed answers.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { Envoy, pluginWasm, type BootstrapSpec } from "../../../harness/src/index.js";
import { RedisServer } from "../../../harness/src/redis.js";
import { LlmMock, openaiFamily } from "../../../harness/src/mocks/llm/index.js";
import { WindowModel, chat, lastTotal, redisGet, redisTtl, waitCounter } from "./helpers.js";

let redis: RedisServer;
let mock: LlmMock;
let a: Envoy;
let b: Envoy;

const THRESHOLD = 120;
// Redis must answer for these tests to mean anything: a callout timeout far above any machine's
// latency, so a loaded machine is never taken for a Redis outage (failing open or closed has its
// own tests, with a Redis that never answers).
const redisBlock = { service_name: "redis.dns", timeout: 10000 };
const limit = (key: string) => [{ key, token_per_minute: THRESHOLD }];
const config = {
  rule_name: "shared",
  redis: redisBlock,
  rule_items: [
    { limit_by_per_header: "x-team", limit_keys: limit("*") },
  ],
  // One route per key type, same rule grammar.
  _rules_: [
    { _match_route_: ["param"], rule_name: "c-param", redis: redisBlock, rule_items: [{ limit_by_param: "apikey", limit_keys: limit("p1") }] },
    { _match_route_: ["consumer"], rule_name: "c-consumer", redis: redisBlock, rule_items: [{ limit_by_per_consumer: "", limit_keys: limit("*") }] },
    { _match_route_: ["cookie"], rule_name: "c-cookie", redis: redisBlock, rule_items: [{ limit_by_cookie: "sid", limit_keys: limit("s1") }] },
    { _match_route_: ["ip"], rule_name: "c-ip", redis: redisBlock, rule_items: [{ limit_by_per_ip: "from-header-x-real-ip", limit_keys: limit("10.0.0.0/8") }] },
    { _match_route_: ["hdr"], rule_name: "c-hdr", redis: redisBlock, rule_items: [{ limit_by_header: "x-api-key", limit_keys: limit("k1") }] },
  ],
};

function spec(): BootstrapSpec {
  return {
    plugins: [
      { name: "key-auth", wasm: pluginWasm("key-auth"), config: { consumers: [{ name: "alice", credential: "alice-key" }], keys: ["x-consumer-key"], in_header: true, _rules_: [{ _match_route_: ["consumer"], allow: ["alice"] }] } },
      { name: "ai-token-ratelimit", wasm: pluginWasm("ai-token-ratelimit"), config },
    ],
    routes: [
      ...["param", "consumer", "cookie", "ip", "hdr"].map((r) => ({ name: r, prefix: `/${r}/`, prefixRewrite: "/", cluster: "mock" })),
      { name: "chat", prefix: "/", cluster: "mock" },
    ],
    clusters: [
      { name: "mock", port: mock.port },
      { name: "outbound|6379||redis.dns", port: redis.webdisPort },
    ],
  };
}

beforeAll(async () => {
  redis = await RedisServer.start();
  mock = await LlmMock.start(openaiFamily);
  a = await Envoy.start(spec());
  b = await Envoy.start(spec());
});
afterAll(async () => {
  await a?.stop();
  await b?.stop();
  await mock?.stop();
  await redis?.stop();
});

async function alternate(team: string, stream: boolean, route = "", key = `higress-token-ratelimit:shared:limit_by_per_header:60:x-team:${team}`, headers: [string, string][] = [["x-team", team]], path?: string) {
  const model = new WindowModel(THRESHOLD);
  const seen = { a: 0, b: 0, rejectedA: 0, rejectedB: 0 };
  for (let i = 0; i < 40 && seen.rejectedA + seen.rejectedB < 4; i++) {
    const gw = i % 2 === 0 ? a : b;
    const name = i % 2 === 0 ? "a" : "b";
    // The Reset of a refusal lies between the key's TTL just before and just after it (the TTL only
    // counts down, a refusal adds nothing), however long the request takes.
    const ttlBefore = model.admits() ? 0 : await redisTtl(redis, key);
    const r = await chat(gw.url + route, { headers, stream, chunking: stream ? "random:3" : undefined, path });
    if (model.admits()) {
      expect(r.status, `request ${i} via ${name}`).toBe(200);
      model.add(lastTotal(mock));
      seen[name]++;
      await waitCounter(redis, key, model.current);
    } else {
      expect(r.status, `request ${i} via ${name}`).toBe(429);
      const reset = Number(r.headers["x-tokenratelimit-reset"]);
      expect(reset).toBeLessThanOrEqual(ttlBefore);
      expect(reset).toBeGreaterThanOrEqual(await redisTtl(redis, key));
      if (name === "a") seen.rejectedA++; else seen.rejectedB++;
    }
  }
  // Both instances admitted and both rejected: one window, not two.
  expect(seen.a).toBeGreaterThan(0);
  expect(seen.b).toBeGreaterThan(0);
  expect(seen.rejectedA).toBe(2);
  expect(seen.rejectedB).toBe(2);
  expect(await redisGet(redis, key)).toBe(model.current);
  return seen;
}

describe("two Envoys, one Redis", () => {
  it("non-streaming: the limit holds exactly across instances", async () => {
    const s = await alternate("t-plain", false);
    console.log(`[ai-token-ratelimit] cluster-wide plain: admitted a=${s.a} b=${s.b}, rejected a=${s.rejectedA} b=${s.rejectedB}`);
  });

  it("streaming: the limit holds exactly across instances", async () => {
    const s = await alternate("t-stream", true);
    console.log(`[ai-token-ratelimit] cluster-wide stream: admitted a=${s.a} b=${s.b}, rejected a=${s.rejectedA} b=${s.rejectedB}`);
  });

  const kinds: [string, string, [string, string][], string | undefined][] = [
    ["hdr", "higress-token-ratelimit:c-hdr:limit_by_header:60:x-api-key:k1", [["x-api-key", "k1"]], undefined],
    ["param", "higress-token-ratelimit:c-param:limit_by_param:60:apikey:p1", [], "/v1/chat/completions?apikey=p1"],
    ["consumer", "higress-token-ratelimit:c-consumer:limit_by_per_consumer:60:x-mse-consumer:alice", [["x-consumer-key", "alice-key"]], undefined],
    ["cookie", "higress-token-ratelimit:c-cookie:limit_by_cookie:60:sid:s1", [["cookie", "a=b; sid=s1"]], undefined],
    ["ip", "higress-token-ratelimit:c-ip:limit_by_per_ip:60:from-header-x-real-ip:10.9.8.7", [["x-real-ip", "10.9.8.7"]], undefined],
  ];
  for (const [route, key, headers, path] of kinds) {
    it(`${route}: the limit holds exactly across instances (streamed)`, async () => {
      const s = await alternate(route, true, `/${route}`, key, headers, path);
      console.log(`[ai-token-ratelimit] cluster-wide ${route}: admitted a=${s.a} b=${s.b}, rejected a=${s.rejectedA} b=${s.rejectedB}`);
    });
  }

  it("a team limited through one instance is limited on the other at once", async () => {
    const key = "higress-token-ratelimit:shared:limit_by_per_header:60:x-team:t-burst";
    await redis.command("SET", key, String(THRESHOLD + 1), "EX", "60");
    expect((await chat(a.url, { headers: [["x-team", "t-burst"]] })).status).toBe(429);
    expect((await chat(b.url, { headers: [["x-team", "t-burst"]] })).status).toBe(429);
    expect((await chat(b.url, { headers: [["x-team", "t-other"]] })).status).toBe(200);
  });
});
