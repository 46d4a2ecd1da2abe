// The replay benchmark of ai-cache (issue #16): a seeded stream of chat requests, a known share of
// them repeating or paraphrasing earlier ones, sent one after another through a real Envoy
// (ai-cache → ai-proxy) in front of the strict OpenAI mock, with the exact cache in a real Redis
// (through webdis) and the semantic cache in a real Chroma server, embeddings from the strict
// embedding mock (each paraphrase's vector lies close to its original's; other questions far).
//
// The generator knows what each request must be: a miss (a new question: the provider answers),
// an exact hit (a text asked before: Redis answers) or a semantic hit (a paraphrase of an earlier
// question: Chroma finds the original). Each request's outcome is read from ai-cache's
// `cache_status` / `cache_match` in `ai_log` (Envoy's access log) and from the provider mock's
// call count, its answer checked (content, and for streamed requests an SSE stream ending in
// [DONE]). After each miss the benchmark waits until Redis and Chroma hold the answer before the
// next request (count-bounded polling), so the outcome never depends on timing; that wait is not
// part of any latency. Latency = the client's time for the whole response.
//
//   node --import tsx test/bench/replay.ts [--requests 1000] [--seed 16] [--write]
// --write rewrites docs/bench-replay.md; `npm run bench` runs it with --write.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir, loadavg } from "node:os";
import { join } from "node:path";
import { Envoy } from "../../harness/src/envoy.js";
import { http } from "../../harness/src/client.js";
import { pluginWasm } from "../../harness/src/index.js";
import { repoRoot } from "../../harness/src/tools.js";
import { RedisServer } from "../../harness/src/redis.js";
import { ChromaServer } from "../../harness/src/chroma.js";
import { EmbeddingMock } from "../../harness/src/mocks/embedding.js";
import { LlmMock, openaiFamily } from "../../harness/src/mocks/llm/index.js";

export type Kind = "miss" | "exact" | "semantic";

export interface ReplayRequest {
  text: string;
  stream: boolean;
  expect: Kind;
  /** The answer the client must get (the provider's echo of the question that was first answered). */
  answer: string;
}

/** A small seeded PRNG (xorshift32), so a seed gives the same requests on every machine. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s / 0x100000000; };
}

export const DIMS = 64;
const TOPICS = ["the capital of", "the population of", "the best time to visit", "the history of", "the main export of", "the official language of", "the currency of", "the tallest building in", "the climate of", "the national dish of"];
const PLACES = ["France", "Japan", "Peru", "Kenya", "Norway", "Chile", "Vietnam", "Egypt", "Canada", "Portugal", "Mongolia", "Ghana", "Iceland", "Nepal", "Uruguay", "Fiji", "Oman", "Laos", "Malta", "Bhutan"];
const PARAPHRASES = ["Could you tell me what is {}?", "I would like to know {}.", "Please explain {} briefly.", "Quick question: {}?", "Tell me about {}, please."];

export interface Workload {
  requests: ReplayRequest[];
  /** The embedding mock's vector for every text. */
  vectors: Map<string, number[]>;
  /** The shares the generator aimed at. */
  shares: Record<Kind, number>;
}

/**
 * `n` requests: 40 % new questions, 35 % exact repeats of a text asked before, 25 % paraphrases of
 * an earlier new question (the first request is always new); 30 % streamed, whatever their kind.
 */
export function workload(n: number, seed: number): Workload {
  const r = rng(seed);
  const pick = <T>(a: T[]) => a[Math.floor(r() * a.length)];
  const vectors = new Map<string, number[]>();
  const unit = (v: number[]) => { const m = Math.hypot(...v); return v.map((x) => x / m); };
  const originals: { text: string; vector: number[]; answer: string; phrasings: number }[] = [];
  const asked: { text: string; answer: string }[] = [];
  const requests: ReplayRequest[] = [];
  let serial = 0;
  for (let i = 0; i < n; i++) {
    const x = r();
    const stream = r() < 0.3;
    if (i === 0 || x < 0.4 || (x >= 0.75 && !originals.some((o) => o.phrasings < PARAPHRASES.length))) {
      // A new question: a unit vector in a random direction (others are ~√2 away).
      const text = `What is ${pick(TOPICS)} ${pick(PLACES)}? (#${++serial})`;
      const vector = unit(Array.from({ length: DIMS }, () => r() * 2 - 1));
      vectors.set(text, vector);
      const answer = `Echo: ${text}`;
      originals.push({ text, vector, answer, phrasings: 0 });
      asked.push({ text, answer });
      requests.push({ text, stream, expect: "miss", answer });
    } else if (x < 0.75) {
      const a = pick(asked);
      requests.push({ text: a.text, stream, expect: "exact", answer: a.answer });
    } else {
      // A paraphrase: the original's vector nudged (squared L2 distance ≈ 0.005).
      const candidates = originals.filter((o) => o.phrasings < PARAPHRASES.length);
      const o = pick(candidates);
      const text = PARAPHRASES[o.phrasings++].replace("{}", o.text.replace(/^What is /, "").replace(/\?/, ""));
      const noise = unit(Array.from({ length: DIMS }, () => r() * 2 - 1)).map((v) => v * 0.07);
      vectors.set(text, unit(o.vector.map((v, k) => v + noise[k])));
      asked.push({ text, answer: o.answer });
      requests.push({ text, stream, expect: "semantic", answer: o.answer });
    }
  }
  const shares = { miss: 0, exact: 0, semantic: 0 } as Record<Kind, number>;
  for (const q of requests) shares[q.expect]++;
  for (const k of Object.keys(shares) as Kind[]) shares[k] /= n;
  return { requests, vectors, shares };
}

export interface Outcome {
  request: ReplayRequest;
  got: Kind | "unknown";
  ms: number;
  status: number;
  answerOk: boolean;
  providerCalled: boolean;
}

export interface ReplayResult {
  n: number;
  seed: number;
  outcomes: Outcome[];
  providerCalls: number;
  expectedProviderCalls: number;
  shares: Record<Kind, number>;
}

const sseText = (body: string) => body.split(/\n\n/).map((e) => e.split("\n").filter((l) => l.startsWith("data:")).map((l) => l.slice(5).trim()).join("")).filter(Boolean);

function answerOf(body: string, stream: boolean): string | null {
  try {
    if (!stream) return JSON.parse(body).choices?.[0]?.message?.content ?? null;
    const events = sseText(body);
    if (events.at(-1) !== "[DONE]") return null;
    return events.slice(0, -1).map((d) => JSON.parse(d).choices?.[0]?.delta?.content ?? "").join("");
  } catch { return null; }
}

async function until<T>(what: string, f: () => Promise<T | null>, tries = 1000): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const v = await f().catch(() => null);
    if (v !== null) return v;
    await new Promise((res) => setTimeout(res, 10));
  }
  throw new Error(`replay: ${what} never happened`);
}

/** Runs the workload through a fresh Envoy, Redis, Chroma and mocks; stops them all. */
export async function replay(n: number, seed: number, log: (s: string) => void = () => {}): Promise<ReplayResult> {
  const w = workload(n, seed);
  const [redis, chroma, embed, llm] = await Promise.all([RedisServer.start(), ChromaServer.start(), EmbeddingMock.start("sk-embed-replay"), LlmMock.start(openaiFamily)]);
  let envoy: Envoy | undefined;
  try {
    for (const [t, v] of w.vectors) embed.vectors.set(t, v);
    const collection = await chroma.createCollection(`replay-${seed}-${n}`);
    const accessLog = join(mkdtempSync(join(tmpdir(), "replay-")), "access.log");
    envoy = await Envoy.start({
      plugins: [
        {
          name: "ai-cache", wasm: pluginWasm("ai-cache"),
          config: {
            cache: { type: "redis", serviceName: "redis.static", servicePort: 6379, timeout: 10000 },
            embedding: { type: "openai", serviceName: "openai-embed.dns", servicePort: 443, apiKey: "sk-embed-replay", model: "text-embedding-3-small", timeout: 10000 },
            vector: { type: "chroma", serviceName: "chroma.dns", servicePort: 8000, collectionID: collection, threshold: 0.05, thresholdRelation: "lt", timeout: 10000 },
          },
        },
        { name: "ai-proxy", wasm: pluginWasm("ai-proxy"), config: { provider: { type: "openai", apiTokens: ["sk-replay"] } } },
      ],
      routes: [{ name: "default", prefix: "/", cluster: "llm" }],
      clusters: [
        { name: "llm", port: llm.port },
        { name: "outbound|6379||redis.static", port: redis.webdisPort },
        { name: "outbound|443||openai-embed.dns", port: embed.port },
        { name: "outbound|8000||chroma.dns", port: chroma.port },
      ],
      accessLog: { path: accessLog, format: "%REQ(X-REQUEST-ID)% %FILTER_STATE(wasm.ai_log:PLAIN)%" },
    }, process.env.REPLAY_DEBUG ? { onLine: (l: string) => { if (l.includes("wasm")) console.log(l); } } : {});
    const base = envoy.url;
    const logLine = async (id: string) => until(`the access-log line of ${id}`, async () => {
      const line = (existsSync(accessLog) ? readFileSync(accessLog, "utf8") : "").split("\n").find((l) => l.startsWith(id + " "));
      return line === undefined ? null : line.slice(id.length + 1);
    });
    const outcomes: Outcome[] = [];
    for (let i = 0; i < w.requests.length; i++) {
      const q = w.requests[i];
      const id = `replay-${seed}-${i}`;
      const calls = llm.requests.length;
      const body = JSON.stringify({ model: "gpt-4o", messages: [{ role: "user", content: q.text }], ...(q.stream ? { stream: true } : {}) });
      const t0 = process.hrtime.bigint();
      const res = await http(`${base}/v1/chat/completions`, {
        method: "POST",
        headers: [["host", "api.openai.com"], ["authorization", "Bearer client-key"], ["content-type", "application/json"], ["x-request-id", id]],
        body,
      });
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      const raw = await logLine(id);
      let got: Kind | "unknown" = "unknown";
      try {
        const ai = raw === "-" ? {} : JSON.parse(JSON.parse(`"${raw}"`));
        got = ai.cache_status === "miss" ? "miss" : ai.cache_status === "hit" && ai.cache_match === "exact" ? "exact" : ai.cache_status === "hit" && ai.cache_match === "semantic" ? "semantic" : "unknown";
      } catch { /* unknown */ }
      const providerCalled = llm.requests.length > calls;
      outcomes.push({ request: q, got, ms, status: res.status, answerOk: answerOf(res.body, q.stream) === q.answer, providerCalled });
      // A miss is stored (Redis key, Chroma record) before the next request goes; a semantic hit
      // is stored under its own key too. Not part of the latency.
      if (got === "miss" || got === "semantic") {
        await until(`redis storing ${q.text}`, async () => ((await redis.command("GET", `higress-ai-cache:${q.text}`)).startsWith("$-1") ? null : true));
      }
      if (got === "miss") await until(`chroma storing ${q.text}`, async () => ((await chroma.get(collection, [q.text])).ids.length === 1 ? true : null));
      if ((i + 1) % 100 === 0) log(`replay: ${i + 1}/${n}`);
    }
    return { n, seed, outcomes, providerCalls: llm.requests.length, expectedProviderCalls: w.requests.filter((q) => q.expect === "miss").length, shares: w.shares };
  } finally {
    await envoy?.stop();
    await Promise.all([redis.stop(), chroma.stop(), embed.stop(), llm.stop()]);
  }
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

/** The report page (docs/bench-replay.md). */
export function report(r: ReplayResult, started: Date, load: number[][] = []): string {
  const L: string[] = [];
  const n = r.n;
  const wrong = r.outcomes.filter((o) => o.got !== o.request.expect || !o.answerOk || o.status !== 200 || o.providerCalled !== (o.request.expect === "miss"));
  const avoidedExpected = 1 - r.expectedProviderCalls / n;
  const avoided = 1 - r.providerCalls / n;
  L.push("# ai-cache replay benchmark", "");
  L.push(`Generated by \`node --import tsx test/bench/replay.ts --write\` (part of \`npm run bench\`) on ${started.toISOString()}: ${n} chat requests, seed ${r.seed}.${load.length === 2 ? ` Load average (1/5/15 min) at the start ${load[0].map((x) => x.toFixed(1)).join(" / ")}, at the end ${load[1].map((x) => x.toFixed(1)).join(" / ")} (2 cores): latencies move with it, the outcomes do not.` : ""}`, "");
  L.push("**Set-up.** A real Envoy with ai-cache → ai-proxy (openai) in front of the strict OpenAI mock; the exact cache in a real Redis (through webdis), the semantic cache in a real Chroma server (`l2` space, `threshold` 0.05, `thresholdRelation` lt), embeddings from the strict OpenAI embedding mock. The requests go one after another; the generator says what each must be: **miss** (a new question), **exact** (a text asked before, from Redis) or **semantic** (a paraphrase of an earlier question, whose vector lies at squared L2 ≈ 0.005 from the original's; unrelated questions lie ≈ 2 apart). After a miss the run waits until Redis and Chroma hold the answer (polling, not part of any latency), so no outcome depends on timing. Each outcome is read from ai-cache's `cache_status`/`cache_match` in `ai_log`, the provider mock's call count, and the answer (content; streamed requests must be an SSE stream ending in `[DONE]`). Latency: the client's time for the whole response, in ms.", "");
  L.push("| | requests | share |", "|---|---:|---:|");
  for (const k of ["miss", "exact", "semantic"] as Kind[]) L.push(`| ${k} (expected) | ${r.outcomes.filter((o) => o.request.expect === k).length} | ${(r.shares[k] * 100).toFixed(1)} % |`);
  L.push(`| streamed | ${r.outcomes.filter((o) => o.request.stream).length} | ${(r.outcomes.filter((o) => o.request.stream).length / n * 100).toFixed(1)} % |`, "");
  L.push(`**Provider calls avoided: ${(avoided * 100).toFixed(1)} %** (${n - r.providerCalls} of ${n}; the generator's ground truth: ${(avoidedExpected * 100).toFixed(1)} %, ${n - r.expectedProviderCalls} of ${n}). Requests answered otherwise than expected (wrong kind, wrong answer, a provider call on a hit, a non-200): **${wrong.length}**.`, "");
  L.push("| outcome | requests | p50 ms | p90 ms | p99 ms | max ms |", "|---|---:|---:|---:|---:|---:|");
  for (const k of ["miss", "exact", "semantic"] as Kind[]) {
    for (const stream of [false, true]) {
      const xs = r.outcomes.filter((o) => o.got === k && o.request.stream === stream).map((o) => o.ms);
      if (!xs.length) continue;
      const p99 = xs.length >= 100 ? pct(xs, 99).toFixed(2) : `— (${xs.length} < 100)`;
      L.push(`| ${k}${stream ? ", streamed" : ""} | ${xs.length} | ${pct(xs, 50).toFixed(2)} | ${pct(xs, 90).toFixed(2)} | ${p99} | ${Math.max(...xs).toFixed(2)} |`);
    }
  }
  L.push("", "p99 is given only where 100 or more requests back it. A miss includes the embedding call and the Chroma query before the provider; an exact hit is one Redis read (no embedding call); a semantic hit is a Redis miss, an embedding call and a Chroma query.", "");
  if (wrong.length) {
    L.push("Requests that did not behave as the generator expected:", "", "| # | text | stream | expected | got | status | answer ok | provider called |", "|---:|---|---|---|---|---:|---|---|");
    for (const o of wrong) L.push(`| ${r.outcomes.indexOf(o)} | ${o.request.text} | ${o.request.stream} | ${o.request.expect} | ${o.got} | ${o.status} | ${o.answerOk} | ${o.providerCalled} |`);
    L.push("");
  }
  return L.join("\n");
}

/** The summary quoted in docs/benchmarks.md (from docs/bench-replay.md, if a run wrote it). */
export function replaySummary(): string[] {
  const file = join(repoRoot, "docs", "bench-replay.md");
  if (!existsSync(file)) return [];
  const text = readFileSync(file, "utf8");
  const lines = text.split("\n");
  const avoided = lines.find((l) => l.startsWith("**Provider calls avoided"));
  const table = lines.filter((l, i) => l.startsWith("| outcome") || (l.startsWith("|") && lines.slice(0, i).some((x) => x.startsWith("| outcome"))));
  return ["", "## ai-cache replay (repeated and paraphrased questions)", "", `From [bench-replay.md](bench-replay.md) (${lines[2]?.match(/on (\S+):/)?.[1] ?? "?"}): ai-cache → ai-proxy with Redis and Chroma in the loop.`, "", avoided ?? "", "", ...table];
}

const isMain = process.argv[1]?.endsWith("replay.ts");
if (isMain) {
  const argv = process.argv.slice(2);
  const opt = (name: string, def: string) => { const i = argv.indexOf(`--${name}`); return i >= 0 ? argv[i + 1] : def; };
  const started = new Date();
  const load0 = loadavg();
  const r = await replay(Number(opt("requests", "1000")), Number(opt("seed", "16")), (s) => console.log(s));
  const text = report(r, started, [load0, loadavg()]);
  if (argv.includes("--write")) {
    writeFileSync(join(repoRoot, "docs", "bench-replay.md"), text);
    console.log("replay: wrote docs/bench-replay.md");
  } else console.log(text);
}
