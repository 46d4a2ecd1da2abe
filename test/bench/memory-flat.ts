// VM memory over many requests (issue #14: "flat over 1,000,000 requests", counted, not timed).
// Plugins run on AssemblyScript's minimal runtime and the SDK collects as the VM is left
// (sdk/runtime/collect.ts). Each plugin of the AI chain gets the requests the chain gives it, in
// the emulator (the same module Envoy runs): the VM's linear memory is read at checkpoints; a
// flat row means no request leaves garbage behind that a later one does not reuse.
// ai-token-ratelimit calls a real Redis on every request (its check before the request goes on,
// its add as the answer ends): the higress build over the Redis ABI, the envoy build through
// webdis as on stock Envoy; both are checked to have run two scripts per request.
// Usage: node --import tsx test/bench/memory-flat.ts [--requests 1000000] [--write]
// --write puts the table into docs/bench-memory.md (`npm run bench` does this).
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Emulator } from "../../harness/src/emulator/index.js";
import { RedisServer } from "../../harness/src/redis.js";
import { pluginWasm, repoRoot } from "../../harness/src/tools.js";
import { chainHeaders, chatBody, tokenLimitConfig } from "./ai-cases.js";

const argv = process.argv.slice(2);
const opt = (name: string, def: string) => { const i = argv.indexOf(`--${name}`); return i >= 0 ? argv[i + 1] : def; };
const REQUESTS = Number(opt("requests", "1000000"));

const answer = '{"id":"chatcmpl-bench","object":"chat.completion","created":1700000000,"model":"gpt-4o-mini","choices":[{"index":0,"message":{"role":"assistant","content":"Hello from the benchmark upstream."},"finish_reason":"stop"}],"usage":{"prompt_tokens":21,"completion_tokens":9,"total_tokens":30}}';
let sse = "";
for (let i = 0; i < 20; i++) sse += `data: {"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1700000000,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"content":"w${i} "},"finish_reason":null}]}\n\n`;
sse += 'data: {"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1700000000,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":{"prompt_tokens":21,"completion_tokens":20,"total_tokens":41}}\n\ndata: [DONE]\n\n';

interface Case {
  name: string; plugin: string; config: unknown; share: number; spec: Parameters<Emulator["request"]>[0];
  /** Build target (default envoy). */
  target?: "envoy" | "higress";
  /** The plugin's Redis: a real one, reached as the target reaches it (RESP, or HTTP via webdis). */
  redis?: boolean;
  /** Requests in flight at once (default 1): the Redis round trips overlap, the count is the same. */
  concurrency?: number;
}
const json = { "content-type": "application/json" };
// As test/bench/run.ts's AI chain: every request is limited by its x-api-key, far below the limit.
const REDIS_CLUSTER = "outbound|80||redis.static";
const limited = { method: "POST", path: "/v1/chat/completions", headers: { ...json, ...chainHeaders }, body: chatBody, response: { status: 200, headers: json, body: answer } };
const cases: Case[] = [
  { name: "ai-proxy, chat (OpenAI, model mapped)", plugin: "ai-proxy", config: { provider: { type: "openai", apiTokens: ["sk-bench"], modelMapping: { "*": "gpt-4o" } } }, share: 1,
    spec: { method: "POST", path: "/v1/chat/completions", headers: json, body: chatBody, response: { status: 200, headers: json, body: answer } } },
  { name: "ai-proxy, chat converted to Claude", plugin: "ai-proxy", config: { provider: { type: "claude", apiTokens: ["sk-bench"], modelMapping: { "*": "claude-haiku-4-5" } } }, share: 0.2,
    spec: { method: "POST", path: "/v1/chat/completions", headers: json, body: chatBody, response: { status: 200, headers: json, body: '{"id":"m","type":"message","role":"assistant","model":"claude-haiku-4-5","content":[{"type":"text","text":"ok"}],"stop_reason":"end_turn","usage":{"input_tokens":3,"output_tokens":1}}' } } },
  { name: "ai-proxy, stream (21 events in 5 chunks)", plugin: "ai-proxy", config: { provider: { type: "openai", apiTokens: ["sk-bench"] } }, share: 0.2,
    spec: { method: "POST", path: "/v1/chat/completions", headers: json, body: JSON.stringify({ ...JSON.parse(chatBody), stream: true }), response: { status: 200, headers: { "content-type": "text/event-stream" }, body: sse, chunks: 5 } } },
  { name: "ai-statistics, chat", plugin: "ai-statistics", config: {}, share: 1,
    spec: { method: "POST", path: "/v1/chat/completions", headers: json, body: chatBody, response: { status: 200, headers: json, body: answer } } },
  { name: "ai-token-ratelimit, chat (2 Redis scripts over the Redis ABI, higress build)", plugin: "ai-token-ratelimit", config: tokenLimitConfig, share: 1, target: "higress", redis: true, concurrency: 8, spec: limited },
  { name: "ai-token-ratelimit, chat (2 Redis scripts through webdis, envoy build)", plugin: "ai-token-ratelimit", config: tokenLimitConfig, share: 0.2, redis: true, spec: limited },
];

const KiB = (n: number) => `${(n / 1024).toLocaleString("en-US")} KiB`;
const rows: string[] = [];
let redis: RedisServer | undefined;
try {
  for (const c of cases) {
    const n = Math.max(1000, Math.round(REQUESTS * c.share));
    const target = c.target ?? "envoy";
    if (c.redis && !redis) redis = await RedisServer.start();
    const clusters = c.redis ? { [REDIS_CLUSTER]: target === "higress" ? `redis://127.0.0.1:${redis!.redisPort}` : redis!.webdisUrl } : undefined;
    const scriptsBefore = c.redis ? await redis!.scriptRuns() : 0;
    const host = await Emulator.load(pluginWasm(c.plugin, target), { target, config: c.config, pluginName: c.plugin, logLevel: "error", clusters });
    const marks = [1000, 10_000, 100_000, n].filter((m, i, a) => m <= n && a.indexOf(m) === i);
    const seen: number[] = [];
    let bad = 0, started = 0, finished = 0;
    const worker = async () => {
      while (started < n) {
        started++;
        const r = await host.request(c.spec);
        if (r.status !== 200) bad++;
        if (marks.includes(++finished)) seen.push(host.memoryBytes);
      }
    };
    await Promise.all(Array.from({ length: c.concurrency ?? 1 }, worker));
    host.close();
    if (host.traps.length) throw new Error(`${c.name}: traps ${host.traps.join("; ")}`);
    if (bad) throw new Error(`${c.name}: ${bad} requests did not answer 200`);
    if (c.redis) {
      const runs = (await redis!.scriptRuns()) - scriptsBefore;
      if (runs !== 2 * n) throw new Error(`${c.name}: Redis ran ${runs} scripts for ${n} requests, not 2 per request`);
    }
    const flat = seen.every((m) => m === seen[0]);
    rows.push(`| ${c.name} | ${n.toLocaleString("en-US")} | ${seen.map(KiB).join(" → ")} | ${flat ? "**flat**" : `grew ${KiB(seen[seen.length - 1] - seen[0])}`} |`);
    console.log(`memory-flat: ${c.name}: ${seen.join(", ")}`);
  }
} finally {
  await redis?.stop();
}

const report = [
  "# VM memory over many requests",
  "",
  `Generated by \`test/bench/memory-flat.ts\` (\`npm run bench\`), ${new Date().toISOString().slice(0, 10)}. Each plugin of the AI chain (ai-proxy, ai-statistics, ai-token-ratelimit) runs in the emulator — the same .wasm Envoy or Higress loads — and gets the same request over and over; the VM's linear memory (WebAssembly.Memory size: it only grows, so it is the high-water mark) is read after 1,000, 10,000, 100,000 requests and at the end. Counted, not timed. ai-token-ratelimit runs against a real Redis: its check before each request goes on and its add as the answer ends, two scripts per request, counted in Redis's own \`INFO commandstats\` (the run fails if any is missing). The higress build reaches Redis over Higress's Redis ABI (8 requests in flight); the envoy build through webdis as on stock Envoy, one HTTP callout per script (a slower loop, so a fifth of the requests).`,
  "",
  "| plugin, request | requests | linear memory at the checkpoints | |",
  "|---|---:|---|---|",
  ...rows,
  "",
  "Plugins are built with AssemblyScript's minimal runtime; the SDK collects as the VM is left (every 256 VM entries, after a large body, and whenever the memory grew): see docs/sdk.md, \"Memory\".",
  "",
];
if (argv.includes("--write")) writeFileSync(join(repoRoot, "docs", "bench-memory.md"), report.join("\n"));
console.log(report.join("\n"));
