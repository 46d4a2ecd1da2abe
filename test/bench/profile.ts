// Where a plugin's own share of Envoy's CPU goes (issue #14: "the remaining gap explained with a
// profile"). For each bench row whose goal is not met, the same plugin, config and request run in
// the emulator under V8's sampling profiler, and the time spent inside the module is split by
// function and by kind of work (allocator, collector, JSON, SDK, the plugin's own code, ...).
//   - The module is the one `npm run build` makes, built again with its function names (`--debug`
//     adds the name section only: its code is checked to be the release build's, byte for byte).
//   - V8 runs as Envoy's V8 host runs it: Liftoff off, every function compiled by TurboFan up front.
//   - Requests are counted, not timed: a warm-up, then a fixed number under the profiler
//     (node:inspector, one sample every 50 µs). Each answer is checked (status, body), and a trap
//     stops the run: a profile of an error path would explain nothing.
//   - Only frames inside the module count. The emulator's JavaScript stands where Envoy's C++
//     host calls stand; the bench's hand-written floors measure those in Envoy.
//   - The answers are the bench upstream's own (test/bench/upstream), fetched from it at start-up.
// Usage: node --import tsx test/bench/profile.ts [--scale 1] [--only plugin[,plugin]] [--write]
// --write puts docs/bench-profile.md and docs/bench-profile.json (`npm run bench` does this).
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { Emulator, type RequestSpec } from "../../harness/src/emulator/index.js";
import { RedisServer } from "../../harness/src/redis.js";
import { repoRoot } from "../../harness/src/tools.js";
import { ascArgs } from "../../scripts/build.mjs";
import { aiProxyConfig, chainHeaders, chatBody, claudeConfig, geminiConfig, tokenLimitConfig } from "./ai-cases.js";
import { requestBlockCase, ipRestrictionCase, keyAuthCase, HOOK_FLOOR_ROW, HEADER_FLOOR_ROW, KEY_AUTH_FLOOR_ROW, AI_PROXY_FLOOR_ROW } from "./floor-cases.js";
import { KINDS, moduleProfile, sameCode, type CpuProfile, type Kind, type ModuleProfile } from "./profile-aggregate.js";

const SAMPLE_US = 50;
/** The bench's row of one HTTP callout per request (test/bench/run.ts). */
const EXT_AUTH_ROW = "ext-auth (envoy mode against the mock)";
const REDIS_CLUSTER = "outbound|80||redis.static";
const json = { "content-type": "application/json" };
type Answer = { status: number; headers: Record<string, string>; body: string };
type Answers = Record<"json" | "chat" | "claude" | "gemini", Answer>;

interface ProfileCase {
  /** The bench row whose cost this explains (test/bench/run.ts). */
  row: string;
  /** The row's hand-written floor: the row minus its floor is the plugin's own share in Envoy. */
  floorRow?: string;
  label: string;
  plugin: string;
  /** test/plugins/<name> instead of plugins/<name>. */
  testPlugin?: boolean;
  config: unknown;
  spec: (a: Answers) => RequestSpec;
  /** What every answer must contain (the work was done, not refused). */
  expect?: string;
  requests: number;
  /** Reaches a real Redis through webdis, as the envoy build does on stock Envoy. */
  redis?: boolean;
}

const get = (headers: Record<string, string>) => (a: Answers): RequestSpec => ({ method: "GET", path: "/json", headers, response: a.json });
const chat = (answer: keyof Answers, headers: Record<string, string> = {}) => (a: Answers): RequestSpec => ({ method: "POST", path: "/v1/chat/completions", headers: { ...json, ...headers }, body: chatBody, response: a[answer] });

export const cases: ProfileCase[] = [
  { row: "Sluice no-op plugin", floorRow: HOOK_FLOOR_ROW, label: "no-op plugin", plugin: "noop", testPlugin: true, config: {}, spec: get({}), requests: 100_000 },
  { row: "request-block (URL rules)", floorRow: HEADER_FLOOR_ROW, label: "request-block (URL rules)", plugin: requestBlockCase.plugin, config: requestBlockCase.config, spec: get(requestBlockCase.headers), requests: 100_000 },
  { row: "ip-restriction", floorRow: HEADER_FLOOR_ROW, label: "ip-restriction", plugin: ipRestrictionCase.plugin, config: ipRestrictionCase.config, spec: get(ipRestrictionCase.headers), requests: 100_000 },
  { row: "key-auth", floorRow: KEY_AUTH_FLOOR_ROW, label: "key-auth", plugin: keyAuthCase.plugin, config: keyAuthCase.config, spec: get(keyAuthCase.headers), requests: 100_000 },
  { row: "ai-proxy", floorRow: AI_PROXY_FLOOR_ROW, label: "ai-proxy, OpenAI passthrough", plugin: "ai-proxy", config: aiProxyConfig, spec: chat("chat"), expect: '"object":"chat.completion"', requests: 20_000 },
  { row: "ai-proxy (2 KB request converted for Claude)", floorRow: AI_PROXY_FLOOR_ROW, label: "ai-proxy, converted for Claude", plugin: "ai-proxy", config: claudeConfig, spec: chat("claude"), expect: '"object":"chat.completion"', requests: 20_000 },
  { row: "ai-proxy (2 KB request converted for Gemini)", floorRow: AI_PROXY_FLOOR_ROW, label: "ai-proxy, converted for Gemini", plugin: "ai-proxy", config: geminiConfig, spec: chat("gemini"), expect: '"object":"chat.completion"', requests: 20_000 },
  { row: "AI chain", label: "AI chain: ai-statistics", plugin: "ai-statistics", config: {}, spec: chat("chat", chainHeaders), requests: 20_000 },
  { row: "AI chain", label: "AI chain: ai-token-ratelimit (2 Redis scripts through webdis)", plugin: "ai-token-ratelimit", config: tokenLimitConfig, spec: chat("chat", chainHeaders), requests: 5_000, redis: true },
];

export interface CaseResult extends Omit<ModuleProfile, "functions"> {
  row: string;
  floorRow?: string;
  label: string;
  /** The ten largest functions. */
  top: ModuleProfile["functions"];
  /** The proxy-wasm calls of one request, by name. */
  calls: Record<string, number>;
  /** The profiled module's code is the release build's (plugins/<name>/build/envoy.wasm). */
  sameCodeAsRelease: boolean;
}
export interface ProfileReport { generated: string; node: string; sampleUs: number; cases: CaseResult[] }

/** The plugin built as `npm run build` builds it, plus the name section (once per run: `built`). */
function buildNamed(c: ProfileCase, outDir: string, built: Set<string>): { named: string; release: string } {
  const dir = join(repoRoot, c.testPlugin ? join("test", "plugins") : "plugins", c.plugin);
  const named = join(outDir, `${c.plugin}.wasm`);
  const release = join(dir, "build", "envoy.wasm");
  if (!existsSync(release)) throw new Error(`profile: ${release} is missing — run \`node scripts/build.mjs\` first`);
  if (built.has(named)) return { named, release };
  built.add(named);
  const args = ascArgs(dir, "envoy", repoRoot);
  args[args.indexOf("--outFile") + 1] = named;
  const r = spawnSync(process.execPath, [...args, "--debug"], { cwd: repoRoot, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`profile: building ${c.plugin} with names failed:\n${r.stdout}${r.stderr}`);
  return { named, release };
}

/** The bench upstream's answers to the requests the cases send. */
async function upstreamAnswers(): Promise<Answers> {
  const bin = join(repoRoot, "build", "bench", "upstream");
  const built = spawnSync("go", ["build", "-o", bin, "."], { cwd: join(repoRoot, "test", "bench", "upstream"), encoding: "utf8" });
  if (built.status !== 0) throw new Error(`profile: building test/bench/upstream failed:\n${built.stderr}`);
  const proc = spawn(bin, [], { stdio: ["ignore", "pipe", "inherit"] });
  try {
    const port = await new Promise<number>((res, rej) => {
      proc.stdout!.on("data", (d) => { const m = /listening (\d+)/.exec(d.toString()); if (m) res(Number(m[1])); });
      proc.on("exit", () => rej(new Error("test/bench/upstream exited")));
    });
    const ask = async (path: string, body?: string): Promise<Answer> => {
      const r = await fetch(`http://127.0.0.1:${port}${path}`, { method: body ? "POST" : "GET", headers: body ? json : {}, body });
      if (r.status !== 200) throw new Error(`profile: the bench upstream answered ${path} with ${r.status}`);
      return { status: 200, headers: { "content-type": r.headers.get("content-type") ?? "application/json" }, body: await r.text() };
    };
    return { json: await ask("/json"), chat: await ask("/v1/chat/completions", chatBody), claude: await ask("/v1/messages", chatBody), gemini: await ask("/v1beta/models/gemini-2.5-flash:generateContent", chatBody) };
  } finally {
    proc.kill("SIGTERM");
  }
}

async function profileCase(c: ProfileCase, wasm: string, answers: Answers, requests: number, redis: RedisServer | undefined, session: Session): Promise<ModuleProfile & { calls: Record<string, number> }> {
  const host = await Emulator.load(wasm, { target: "envoy", config: c.config, pluginName: c.plugin, logLevel: "error", clusters: redis ? { [REDIS_CLUSTER]: redis.webdisUrl } : undefined });
  try {
    const spec = c.spec(answers);
    const once = async () => {
      const r = await host.request(spec);
      if (r.status !== 200 || (c.expect && !r.body.includes(c.expect))) throw new Error(`profile: ${c.label} answered ${r.status}: ${r.body.slice(0, 300)}`);
    };
    for (let i = 0; i < Math.max(200, requests / 10); i++) await once();
    await session.post("Profiler.start");
    for (let i = 0; i < requests; i++) await once();
    const { profile } = await session.post("Profiler.stop");
    // The proxy-wasm calls one more request makes (counted, the host's side of the work).
    host.hostCalls.clear();
    await once();
    const calls = Object.fromEntries([...host.hostCalls.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])));
    if (host.traps.length) throw new Error(`profile: ${c.label} trapped: ${host.traps[0].message}`);
    return { ...moduleProfile(profile as CpuProfile, requests), calls };
  } finally {
    host.close();
  }
}

export async function profileAll(scale: number, log: (s: string) => void, only: string[] = []): Promise<ProfileReport> {
  // Envoy's V8 host (proxy-wasm-cpp-host) turns Liftoff off: every function is compiled by TurboFan
  // before the first request. Node would start on Liftoff and tier up as functions get hot.
  setFlagsFromString("--no-liftoff");
  const outDir = join(repoRoot, "build", "bench", "profile");
  mkdirSync(outDir, { recursive: true });
  const answers = await upstreamAnswers();
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.setSamplingInterval", { interval: SAMPLE_US });
  let redis: RedisServer | undefined;
  const out: CaseResult[] = [];
  const built = new Set<string>();
  try {
    for (const c of cases.filter((x) => !only.length || only.includes(x.plugin))) {
      const { named, release } = buildNamed(c, outDir, built);
      if (c.redis && !redis) redis = await RedisServer.start();
      const requests = Math.max(100, Math.round(c.requests * scale));
      const p = await profileCase(c, named, answers, requests, c.redis ? redis : undefined, session);
      const { functions, ...rest } = p;
      out.push({ row: c.row, floorRow: c.floorRow, label: c.label, ...rest, top: functions.slice(0, 10), sameCodeAsRelease: sameCode(readFileSync(named), readFileSync(release)) });
      log(`profile: ${c.label}: ${p.wasmUs.toFixed(2)} µs/request inside the module (${p.wasmSamples} samples over ${requests} requests)`);
    }
  } finally {
    session.disconnect();
    await redis?.stop();
  }
  return { generated: new Date().toISOString(), node: process.version, sampleUs: SAMPLE_US, cases: out };
}

const f2 = (x: number) => x.toFixed(2);
const callCount = (c: CaseResult) => Object.values(c.calls).reduce((a, b) => a + b, 0);
const pct = (x: number, of: number) => (of > 0 ? `${Math.round((100 * x) / of)} %` : "—");

export function profileMarkdown(r: ProfileReport): string {
  const L = ["# Where the plugins' own share goes (CPU profiles)", "",
    `Generated by \`npm run bench\` (test/bench/profile.ts) on ${r.generated}, Node ${r.node}.`, "",
    `For each bench row whose goal is not met, the same plugin, config and request run in the emulator under V8's sampling profiler (one sample every ${r.sampleUs} µs). Only time inside the module counts: the emulator's JavaScript stands where Envoy's host calls stand, and the hand-written floors in [benchmarks.md](benchmarks.md) measure those in Envoy. V8 compiles the module as Envoy's host has it compile (Liftoff off: TurboFan up front). The module is the release build with its function names added; "same code" says its code is the release build's byte for byte. Figures are µs of module time per request in Node's V8; Envoy runs the same module in its own V8, so read the split here and the size in benchmarks.md. "Whole process" is the emulator and the module together: most of it is the emulator's JavaScript. V8 samples every ${r.sampleUs} µs when it can; "µs between samples" is what it managed, the figures' resolution. The machine must be otherwise idle (\`npm run bench\` runs this after every other measurement): with the other of this machine's two cores busy, the same profile came out about twice as large.`, "",
    `| case | requests | samples in the module | µs between samples | same code | proxy-wasm calls per request | whole process, µs/req | inside the module, µs/req | ${KINDS.join(" | ")} |`,
    `|---|---|---|---|---|---|---|---|${KINDS.map(() => "---").join("|")}|`];
  for (const c of r.cases) L.push(`| ${c.label} | ${c.requests.toLocaleString("en-US")} | ${c.wasmSamples.toLocaleString("en-US")} | ${f2(c.intervalUs)} | ${c.sameCodeAsRelease ? "yes" : "**no**"} | ${callCount(c)} | ${f2(c.totalUs)} | **${f2(c.wasmUs)}** | ${KINDS.map((k) => `${f2(c.kinds[k])} (${pct(c.kinds[k], c.wasmUs)})`).join(" | ")} |`);
  L.push("", "Kinds: **allocator** is the TLSF allocator and the runtime's `__new`/`__renew`; **collector** the rest of the runtime (marking, sweeping, visiting) and the SDK's collection as the VM is left; **memory copy** `memory.copy`/`fill` helpers; **JSON** `@sluice/sdk/json`; **SDK** the rest of the SDK (hooks, headers, host-call glue, AI helpers); **plugin** the plugin's own files; **AssemblyScript library** strings, arrays, maps, numbers.", "");
  for (const c of r.cases) {
    L.push(`## ${c.label}`, "", `Bench row: ${c.row}${c.floorRow ? `; its floor: ${c.floorRow}` : ""}. Its proxy-wasm calls per request: ${Object.entries(c.calls).map(([n, k]) => `\`${n}\` ×${k}`).join(", ")}. Largest functions by self time:`, "", "| function | kind | µs/req | share |", "|---|---|---|---|");
    for (const fn of c.top) L.push(`| \`${fn.name}\` | ${fn.kind} | ${f2(fn.us)} | ${pct(fn.us, c.wasmUs)} |`);
    L.push("");
  }
  L.push("## Rerun", "", "```sh", "node --import tsx test/bench/profile.ts            # prints the report", "node --import tsx test/bench/profile.ts --write    # rewrites this file and bench-profile.json", "```", "");
  return L.join("\n");
}

/** The profiles beside this run's Envoy figures, for docs/benchmarks.md. */
export function profileSummary(added: (row: string) => number | undefined): string[] {
  const file = join(repoRoot, "docs", "bench-profile.json");
  if (!existsSync(file)) return [];
  const r = JSON.parse(readFileSync(file, "utf8")) as ProfileReport;
  const f1 = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? "—" : x.toFixed(1));
  const kindsOf = (c: CaseResult, ks: Kind[]) => ks.reduce((s, k) => s + c.kinds[k], 0);
  const L = ["", "## Where the own share goes (CPU profiles)", "",
    `Each row's host calls cost what its hand-written floor costs (this run, in Envoy). What the module does on top of them is profiled in [bench-profile.md](bench-profile.md) (${r.generated.slice(0, 10)}): the same module, config and request in Node's V8 under its sampling profiler, split by kind of work. "Floor + module" is what the row would cost if it were exactly its host calls and its own work; where it falls short of the Envoy row, the difference is outside what the profile sees of the module's code (this run's noise, see the floors' IQRs above, or a cost of the module in Envoy that Node's V8 does not show). µs per request:`, "",
    "| case | + CPU in Envoy | its floor (host calls alone) | inside the module (profile) | floor + module | allocator + collector | JSON | SDK | plugin | largest function |", "|---|---|---|---|---|---|---|---|---|---|"];
  const parts = new Map<string, CaseResult[]>();
  for (const c of r.cases) {
    if (!c.floorRow) { parts.set(c.row, [...(parts.get(c.row) ?? []), c]); continue; }
    const row = added(c.row), floor = added(c.floorRow);
    const top = c.top[0];
    L.push(`| ${c.label} | ${f1(row)} | ${f1(floor)} | **${f1(c.wasmUs)}** | ${f1(floor === undefined ? undefined : floor + c.wasmUs)} | ${f1(kindsOf(c, ["allocator", "collector"]))} | ${f1(c.kinds.JSON)} | ${f1(c.kinds.SDK)} | ${f1(c.kinds.plugin)} | ${top ? `\`${top.name.split("/").pop()}\` ${f1(top.us)}` : "—"} |`);
  }
  // Rows of several plugins without a floor of their own (the AI chain): each plugin's module time.
  const aiProxy = added("ai-proxy"), callout = added(EXT_AUTH_ROW);
  for (const [row, cs] of parts) {
    const each = cs.map((c) => `${c.label.replace(`${row}: `, "")} ${f1(c.wasmUs)} (allocator + collector ${f1(kindsOf(c, ["allocator", "collector"]))})`);
    const whole = added(row), own = cs.reduce((t, c) => t + c.wasmUs, 0);
    const left = whole !== undefined && aiProxy !== undefined ? whole - aiProxy - own : undefined;
    L.push("", `**${row}** (${f1(whole)} in Envoy): inside the modules of the plugins in front of ai-proxy, ${each.join("; ")}.` +
      (left !== undefined ? ` Without ai-proxy's row (${f1(aiProxy)}) and that module time, ${f1(left)} is left for those plugins' host work, the Redis scripts' callouts first${callout !== undefined ? ` (ext-auth's row, one HTTP callout per request and little else, costs ${f1(callout)})` : ""}.` : ""));
  }
  return L;
}

const isMain = process.argv[1]?.endsWith("profile.ts");
if (isMain) {
  const argv = process.argv.slice(2);
  const i = argv.indexOf("--scale");
  const scale = i >= 0 ? Number(argv[i + 1]) : 1;
  if (!(scale > 0)) throw new Error("profile: --scale must be a positive number");
  const j = argv.indexOf("--only");
  const only = j >= 0 ? argv[j + 1].split(",").filter(Boolean) : [];
  const unknown = only.filter((p) => !cases.some((c) => c.plugin === p));
  if (unknown.length) throw new Error(`profile: no case profiles ${unknown.join(", ")} (plugins: ${[...new Set(cases.map((c) => c.plugin))].join(", ")})`);
  if (only.length && argv.includes("--write")) throw new Error("profile: --only profiles part of the cases; --write would drop the others from the report");
  const r = await profileAll(scale, (s) => console.log(s), only);
  const md = profileMarkdown(r);
  if (argv.includes("--write")) {
    writeFileSync(join(repoRoot, "docs", "bench-profile.md"), md);
    writeFileSync(join(repoRoot, "docs", "bench-profile.json"), JSON.stringify(r, null, 2) + "\n");
    console.log("profile: wrote docs/bench-profile.md and docs/bench-profile.json");
  } else console.log(md);
}
