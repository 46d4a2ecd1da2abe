// `npm run bench`: what each plugin costs, measured side by side in one run on this machine.
// For each scenario (bare Envoy, each plugin, the AI chain, Sluice vs Go on the same logic):
//   - throughput at saturation with wrk (median of N runs, min/max, error count, upstream CPU)
//   - latency p50/p99 at a fixed request rate with h2load --rps (per-request log → percentiles)
//   - Envoy RSS after warm-up and after every measured request (growth), cold start to /ready
// Writes docs/benchmarks.md, docs/benchmarks.json and docs/benchmarks.svg (the chart, test/bench/chart.ts);
// the report sets this run beside issue #14's "before" (test/bench/before.json, before-after.ts).
// Services some rows ask per request run beside Envoy: Redis (+ webdis), a real OPA, and the
// Aliyun, ext-auth and DashScope/DashVector mocks each in a process of their own.
// Options: --runs N (default 5), --seconds S per run (default 4), --only name[,name] (a quick
// run: also skips the body-memory, JSON and regex reports; scenario names contain no comma), --no-pin (leave Envoy unpinned; see PIN below),
// --render (measure nothing: write docs/benchmarks.md and .svg again from docs/benchmarks.json, for a change to the report's text).
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { createHmac, randomBytes, generateKeyPairSync, sign as cryptoSign } from "node:crypto";
import { join } from "node:path";
import { Envoy } from "../../harness/src/envoy.js";
import type { PluginSpec } from "../../harness/src/bootstrap.js";
import { repoRoot, envoyVersion } from "../../harness/src/tools.js";
import { RedisServer } from "../../harness/src/redis.js";
import { OpaServer } from "../../harness/src/opa.js";
import { buildPlugin } from "../../scripts/build.mjs";
import { userAgent } from "./bot-detect/ua-cpu-shapes.js";
import { replaySummary } from "./replay.js";
import { wafSummary } from "./waf.js";
import { renderChart, type Bar } from "./chart.js";
import { noiseParagraph } from "./noise.js";
import { profileSummary } from "./profile.js";
import { beforeAfterTable, loadBefore, pairedRatio, sizesTable, type Quartiles } from "./before-after.js";
import { chatBody, aiProxyConfig, claudeConfig, geminiConfig, tokenLimitConfig, chainHeaders } from "./ai-cases.js";
import { requestBlockCase, ipRestrictionCase, keyAuthCase, HOOK_FLOOR_ROW, HEADER_FLOOR_ROW, KEY_AUTH_FLOOR_ROW, AI_PROXY_FLOOR_ROW } from "./floor-cases.js";

const argv = process.argv.slice(2);
const opt = (name: string, def: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : def;
};
const RENDER = argv.includes("--render");
/** The run --render writes the report of again. */
// (JSON wrote NaN, a figure with no measurement, as null: read back as NaN, the report prints "—".)
const saved = RENDER ? JSON.parse(readFileSync(join(repoRoot, "docs", "benchmarks.json"), "utf8"), (_k, v) => (v === null ? NaN : v)) as { generated: string; runs: number; seconds: number; results: Result[]; sizes: ReturnType<typeof moduleSizes>; load?: { start: number[]; end: number[] } } : null;
if (saved && !saved.load) throw new Error("bench --render: docs/benchmarks.json has no load averages (it was written before --render existed)");
const RUNS = saved?.runs ?? Number(opt("runs", "5"));
const SECONDS = saved?.seconds ?? Number(opt("seconds", "4"));
const ONLY = opt("only", "").split(",").filter(Boolean);
const RATE = 400; // fixed request rate for the latency runs (requests/s, all clients together)
const CONNECTIONS = 16;
const buildDir = join(repoRoot, "build", "bench");
// Cores: every measured Envoy runs alone on the last core; this process and all it starts (wrk,
// h2load, the upstream, Redis, the mocks) share the others. On a 2-core machine an unpinned Envoy
// is moved between cores and shares its caches with wrk and the upstream, which made the per-round
// CPU of one scenario vary by ±20 %. `--no-pin` measures unpinned.
const PIN = !argv.includes("--no-pin") && cpus().length >= 2 && spawnSync("taskset", ["-V"]).status === 0;
const ENVOY_CORE = cpus().length - 1;
if (PIN) spawnSync("taskset", ["-a", "-p", "-c", `0-${ENVOY_CORE - 1}`, String(process.pid)]);
/** Moves every thread of `pid` onto the Envoy core. */
function pinEnvoy(pid: number): void {
  if (!PIN) return;
  const r = spawnSync("taskset", ["-a", "-p", "-c", String(ENVOY_CORE), String(pid)], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`taskset could not pin Envoy ${pid}: ${r.stderr}`);
}
mkdirSync(buildDir, { recursive: true });

// ---- helpers ---------------------------------------------------------------------------------
function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): string {
  const r = spawnSync(cmd, args, { encoding: "utf8", cwd: opts.cwd, env: { ...process.env, ...opts.env }, maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed:\n${r.stdout}${r.stderr}`);
  return r.stdout + r.stderr;
}
const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const stats = (xs: number[]) => ({ median: median(xs), min: Math.min(...xs), max: Math.max(...xs), runs: xs });
const clockTicks = Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout.trim() || "100");
function cpuSeconds(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = f.slice(f.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / clockTicks; // utime + stime
}
function rssKiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) : 0;
}

// ---- the fast upstream and the Go peer plugin --------------------------------------------------
const upstreamBin = join(buildDir, "upstream");
const goWasm = join(buildDir, "go-rewrite.wasm");
const goSjsonWasm = join(buildDir, "go-rewrite-sjson.wasm");
const goSdkWasm = join(buildDir, "go-sdk-rewrite.wasm");
// The upstream, the Go comparators and the test plugins (--render measures nothing and builds nothing).
if (!RENDER) {
  run("go", ["build", "-o", upstreamBin, "."], { cwd: join(repoRoot, "test", "bench", "upstream") });
  run("go", ["build", "-buildmode=c-shared", "-o", goWasm, "."], { cwd: join(repoRoot, "test", "bench", "go-plugin"), env: { GOOS: "wasip1", GOARCH: "wasm" } });
  run("go", ["build", "-buildmode=c-shared", "-tags", "sjson", "-o", goSjsonWasm, "."], { cwd: join(repoRoot, "test", "bench", "go-plugin"), env: { GOOS: "wasip1", GOARCH: "wasm" } });
  // The same logic on the real proxy-wasm Go SDK (tetratelabs/proxy-wasm-go-sdk v0.24.0, from the Go
  // proxy), ported to Go's own wasip1 toolchain: a copy of the module with its TinyGo host-call
  // declarations swapped for test/bench/go-sdk-plugin/port/*.go.in, wired in by a generated go.mod
  // with a replace directive (Go refuses overlays of files in the module cache).
  {
    const dir = join(repoRoot, "test", "bench", "go-sdk-plugin");
    // On a fresh machine the module is not in the cache yet: `go list -m` would print an empty Dir.
    run("go", ["mod", "download", "github.com/tetratelabs/proxy-wasm-go-sdk"], { cwd: dir });
    const sdk = run("go", ["list", "-m", "-f", "{{.Dir}}", "github.com/tetratelabs/proxy-wasm-go-sdk"], { cwd: dir }).split("\n")[0].trim();
    if (!sdk) throw new Error("go list -m found no directory for github.com/tetratelabs/proxy-wasm-go-sdk");
    const ported = join(buildDir, "proxy-wasm-go-sdk-wasip1");
    rmSync(ported, { recursive: true, force: true });
    cpSync(sdk, ported, { recursive: true });
    run("chmod", ["-R", "u+w", ported]);
    const internal = join(ported, "proxywasm", "internal");
    rmSync(join(internal, "abi_hostcalls_mock.go"));
    cpSync(join(dir, "port", "hostcalls.go.in"), join(internal, "zz_wasip1_hostcalls.go"));
    cpSync(join(dir, "port", "exports.go.in"), join(internal, "zz_wasip1_exports.go"));
    const mod = join(buildDir, "go-sdk-plugin.mod");
    writeFileSync(mod, readFileSync(join(dir, "go.mod"), "utf8") + `\nreplace github.com/tetratelabs/proxy-wasm-go-sdk => ${ported}\n`);
    cpSync(join(dir, "go.sum"), join(buildDir, "go-sdk-plugin.sum"));
    run("go", ["build", "-modfile", mod, "-buildmode=c-shared", "-o", goSdkWasm, "."], { cwd: dir, env: { GOOS: "wasip1", GOARCH: "wasm" } });
  }
  for (const p of ["bench-rewrite", "noop"]) for (const t of ["envoy", "higress"]) {
    const r = buildPlugin(join(repoRoot, "test", "plugins", p), t);
    if (!r.ok) throw new Error(r.log);
  }
}
// The Wasm floor: a hand-written module with no HTTP hook (test/bench/floor.wat); the same with the
// one request-headers hook that reads x-request-id (test/bench/hook-floor.wat); and ai-proxy's
// host work alone: a hand-written module making the proxy-wasm calls ai-proxy makes for the 2 KB
// chat and nothing else (test/bench/ai-proxy-floor.wat); the same for the small plugins
// (header-floor.wat: request-block's and ip-restriction's two header reads; key-auth-floor.wat).
const floorWasm = join(buildDir, "floor.wasm");
const aiProxyFloorWasm = join(buildDir, "ai-proxy-floor.wasm");
const hookFloorWasm = join(buildDir, "hook-floor.wasm");
const headerFloorWasm = join(buildDir, "header-floor.wasm");
const keyAuthFloorWasm = join(buildDir, "key-auth-floor.wasm");
if (!RENDER) {
  const { default: binaryen } = await import("binaryen");
  for (const [wat, out] of [["floor.wat", floorWasm], ["hook-floor.wat", hookFloorWasm], ["ai-proxy-floor.wat", aiProxyFloorWasm], ["header-floor.wat", headerFloorWasm], ["key-auth-floor.wat", keyAuthFloorWasm]]) {
    const m = binaryen.parseText(readFileSync(join(repoRoot, "test", "bench", wat), "utf8"));
    if (!m.validate()) throw new Error(`test/bench/${wat} does not validate`);
    writeFileSync(out, m.emitBinary());
  }
}
// The limit: Envoy's native RBAC filter doing request-block's URL check (no Wasm at all).
const rbacFilter = {
  name: "envoy.filters.http.rbac",
  typed_config: {
    "@type": "type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC",
    rules: {
      action: "DENY",
      policies: {
        "request-block": {
          permissions: [{ or_rules: { rules: [{ url_path: { path: { contains: "swagger.html" } } }, { url_path: { path: { prefix: "/admin" } } }, { url_path: { path: { exact: "/exact" } } }] } }],
          principals: [{ any: true }],
        },
      },
    },
  },
};

async function startUpstream(cmd = upstreamBin, args: string[] = []): Promise<{ proc: ChildProcess; port: number }> {
  const proc = spawn(cmd, args, { env: { ...process.env, GOMAXPROCS: "1" }, stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise<number>((res, rej) => {
    proc.stdout!.on("data", (d) => { const m = /listening (\d+)/.exec(d.toString()); if (m) res(Number(m[1])); });
    proc.on("exit", () => rej(new Error("upstream exited")));
  });
  return { proc, port };
}

// ---- scenarios ---------------------------------------------------------------------------------
interface Scenario {
  name: string;
  group: string;
  /** The bare-Envoy scenario this one is compared with. */
  baseline?: string;
  plugins: () => PluginSpec[] | null; // null: not available in this build (skipped, and said so)
  /** Native Envoy filters before the plugins (the RBAC row). */
  extraFilters?: unknown[];
  method: "GET" | "POST";
  path: string;
  body?: string;
  headers?: Record<string, string>;
  /**
   * A header whose value must differ on every request (replay-protection's nonce): wrk sets a
   * fresh one per request; h2load cannot, so such a scenario has no latency numbers.
   */
  uniqueHeader?: string;
  /** A response header (lower-case name: value) the start-up check requires: the plugin really did its work. */
  expectHeader?: [string, string];
  /** Text the start-up check requires in the response body (a converted stream really was converted). */
  expectBody?: string;
  /**
   * Redis scripts (EVAL or EVALSHA, counted in Redis's own INFO commandstats) the start-up check's
   * one request must run: the rate limit really went to Redis.
   */
  redisScripts?: number;
}

const wasm = (name: string) => {
  const p = join(repoRoot, "plugins", name, "build", "envoy.wasm");
  return existsSync(p) ? p : null;
};
const plugin = (name: string, config: unknown): (() => PluginSpec[] | null) => () => {
  const w = wasm(name);
  return w ? [{ name, wasm: w, config }] : null;
};
const chain = (...items: [string, unknown][]): (() => PluginSpec[] | null) => () => {
  const out: PluginSpec[] = [];
  for (const [name, config] of items) {
    const w = wasm(name);
    if (!w) return null;
    out.push({ name, wasm: w, config });
  }
  return out;
};

const streamBody = JSON.stringify({ ...JSON.parse(chatBody), stream: true });
const basicAuth = "Basic " + Buffer.from("alice:secret").toString("base64");
// bot-detect on long browser-like User-Agents (no crawler word: every request passes). 59 KB is
// about the largest Envoy's default 60 KiB request-header limit admits; a 64 KB one gets 431 from
// Envoy before any filter runs (test/bench/bot-detect/ua-cpu.ts measures 64 KB in the emulator).
const uaSizes: [string, number][] = [["1 KB", 1024], ["16 KB", 16 * 1024], ["59 KB", 59 * 1024]];

// The AI rows' request and configs are in test/bench/ai-cases.ts (test/bench/profile.ts profiles the same work).
// The long streams (test/bench/upstream: 500 content events) and the providers whose streams are converted.
const longStreamBody = JSON.stringify({ ...JSON.parse(streamBody), bench_long: true });
// Content safety and cache in front of ai-proxy, nothing flagged: the added cost of each check.
// ai-security-guard calls the strict Aliyun mock (test/bench/green-mock.ts, a Node process) once
// per request, so its throughput is bounded by that mock; its latency row is the number to read.
const guardConfig = { serviceName: "safecheck.dns", servicePort: 443, serviceHost: "green-cip.cn-shanghai.aliyuncs.com", accessKey: "LTAI5tSluiceMockKey", secretKey: "sluice-mock-aliyun-secret", checkRequest: true };
const maskingConfig = { deny_words: ["internal-project-x"], replace_roles: [{ regex: "%{MOBILE}", type: "replace", value: "****" }, { regex: "%{EMAILLOCALPART}@%{HOSTNAME:domain}", type: "replace", restore: true, value: "****@$domain" }] };
const promptGuardConfig = { deny_patterns: ["(?i)ignore (all )?previous instructions", "(?i)system prompt"] };
const decoratorConfig = { prepend: [{ role: "system", content: "Answer in English." }], append: [{ role: "user", content: "Be brief." }] };
// Every request asks the same question: after the first, all are answered from Redis.
const cacheConfig = { cache: { type: "redis", serviceName: "redis.static", servicePort: 80, timeout: 1000 } };

// ---- configs for the plugins without an external service (each from its README's examples) ------
const b64url = (b: Buffer | string) => Buffer.from(b).toString("base64url");
const now = Math.floor(Date.now() / 1000);
// simple-jwt-auth: an HS256 token in the `token` header (Higress's e2e configuration).
const simpleJwtSecret = "Dav7kfq3iA8S!JUj8&CUkdnQe72E@Cw6";
const simpleJwt = (() => {
  const signing = `${b64url(JSON.stringify({ alg: "HS256", typ: "JWT" }))}.${b64url(JSON.stringify({ sub: "bench", iat: now, exp: now + 86400 }))}`;
  return `${signing}.${createHmac("sha256", simpleJwtSecret).update(signing).digest("base64url")}`;
})();
// jwt-auth: an ES256 token from a key made for this run, its public half as the consumer's JWKS.
const jwtAuth = (() => {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const jwk = { ...publicKey.export({ format: "jwk" }), kid: "bench", alg: "ES256", use: "sig" };
  const signing = `${b64url(JSON.stringify({ alg: "ES256", typ: "JWT", kid: "bench" }))}.${b64url(JSON.stringify({ iss: "bench-issuer", sub: "bench-user", iat: now, exp: now + 86400 }))}`;
  const sig = cryptoSign("sha256", Buffer.from(signing), { key: privateKey, dsaEncoding: "ieee-p1363" });
  return { config: { consumers: [{ name: "bench", issuer: "bench-issuer", jwks: JSON.stringify({ keys: [jwk] }), claims_to_headers: [{ claim: "sub", header: "x-user" }] }], global_auth: true }, token: `${signing}.${b64url(sig)}` };
})();
// hmac-auth-apisix: a GET signed over @request-target and date, signed once at start-up; wrk repeats
// it for the whole run (longer than the default 300 s skew), so the Date check's window is one day.
const hmacDate = new Date().toUTCString();
const hmacAuth = `Signature keyId="ak1",algorithm="hmac-sha256",headers="@request-target date",signature="${createHmac("sha256", "sk1").update(`ak1\nGET /json\ndate: ${hmacDate}\n`).digest("base64")}"`;
const hmacConfig = { consumers: [{ access_key: "ak1", secret_key: "sk1", name: "consumer1" }], signed_headers: ["@request-target", "date"], clock_skew: 86400, global_auth: true };
// request-validation: the 2 KB chat body against a schema of its shape.
const chatSchema = {
  type: "object", required: ["model", "messages"], additionalProperties: false,
  properties: {
    model: { type: "string", minLength: 1, maxLength: 64, pattern: "^[a-zA-Z0-9._-]+$" },
    messages: { type: "array", minItems: 1, maxItems: 64, items: { type: "object", required: ["role", "content"], properties: { role: { type: "string", enum: ["system", "user", "assistant"] }, content: { type: "string", maxLength: 8192 } } } },
    temperature: { type: "number", minimum: 0, maximum: 2 },
    stream: { type: "boolean" },
  },
};
const transformerConfig = {
  reqRules: [
    { operate: "remove", headers: [{ key: "x-remove" }] },
    { operate: "rename", headers: [{ oldKey: "x-old", newKey: "x-new" }] },
    { operate: "replace", headers: [{ key: "x-replace", newValue: "replaced" }] },
    { operate: "add", headers: [{ key: "x-added", value: "bench" }] },
    { operate: "map", headers: [{ fromKey: "x-added", toKey: "x-map" }] },
  ],
};
const corsConfig = { allow_origins: ["https://app.example.com"], allow_origin_patterns: ["https://*.example.net:[443,8443]"], allow_methods: ["GET", "POST"], allow_headers: ["Content-Type", "Authorization"], expose_headers: ["X-Request-Id"], allow_credentials: true, max_age: 600 };
const customResponseConfig = { rules: [{ enable_on_status: [404], status_code: 404, headers: ["Content-Type=application/json"], body: '{"error":"not found"}' }, { enable_on_status: ["5xx"], status_code: 503, body: "Service temporarily unavailable" }] };
const modelRouterConfig = { modelToHeader: "x-higress-llm-model", autoRouting: { enable: true, defaultModel: "qwen-turbo", rules: [{ pattern: "(?i)(image|draw|paint)", model: "qwen-vl-max" }, { pattern: "(?i)(code|program|function|debug)", model: "qwen-coder" }, { pattern: "(?i)(translate|translation)", model: "qwen-turbo" }, { pattern: "(?i)(math|calculate)", model: "qwen-math" }] } };
const modelMapperConfig = { modelMapping: { "gpt-4-*": "qwen-max", "gpt-4o": "qwen-vl-plus", "*": "qwen-turbo" } };
const trafficTagConfig = { defaultTagKey: "x-mse-tag", defaultTagVal: "base", conditionGroups: [{ headerName: "x-mse-tag", headerValue: "gray", logic: "and", conditions: [{ conditionType: "header", key: "role", operator: "in", value: ["user", "viewer", "editor"] }, { conditionType: "parameter", key: "foo", operator: "equal", value: ["bar"] }] }], weightGroups: [{ headerName: "x-mse-tag", headerValue: "canary", weight: 30 }] };

// Services asked on every request: a real OPA (policy below) and the strict ext-auth mock.
const opaPolicy = `package bench

default allow := false

role := pair[1] if {
	some pair in input.request.headers
	pair[0] == "x-role"
}

allow if {
	input.request.method == "GET"
	startswith(input.request.path, "/json")
	role == "reader"
}
`;
const opaConfig = { serviceSource: "ip", serviceName: "opa", servicePort: 8181, policy: "bench", timeout: "5s" };
const extAuthConfig = { http_service: { endpoint_mode: "envoy", endpoint: { service_name: "ext-auth.dns", service_port: 8090, path_prefix: "/envoy-auth" }, timeout: 1000, authorization_response: { allowed_upstream_headers: [{ exact: "x-user-id" }] } } };

// replay-protection (Higress README's example): every nonce is new (wrk makes one per request), so
// each request is a Redis SET NX through webdis and passes.
const replayConfig = { force_nonce: true, nonce_header: "X-Higress-Nonce", nonce_ttl: 900, nonce_min_length: 8, nonce_max_length: 128, validate_base64: true, reject_code: 429, reject_msg: "Replay Attack Detected", redis: { service_name: "redis.static", service_port: 80, timeout: 1000, key_prefix: "replay-protection" } };

// ai-rag against the DashScope embedding and DashVector mocks (test/bench/rag-mocks.ts): the last
// message is embedded, two documents are recalled and put in front of the question.
const ragQuestion = (JSON.parse(chatBody) as { messages: { content: string }[] }).messages.at(-1)!.content;
const ragConfig = {
  dashscope: { apiKey: "sk-dashscope-bench", serviceFQDN: "dashscope.dns", servicePort: 443, serviceHost: "dashscope.aliyuncs.com" },
  dashvector: { apiKey: "sk-dashvector-bench", serviceFQDN: "dashvector.dns", servicePort: 443, serviceHost: "vrs-cn-sluicetest.dashvector.cn-hangzhou.aliyuncs.com", collection: "news", topk: 2, threshold: 0.1, field: "raw" },
};

const scenarios: Scenario[] = [
  { name: "bare GET", group: "baseline", plugins: () => [], method: "GET", path: "/json" },
  { name: "bare POST 2 KB JSON", group: "baseline", plugins: () => [], method: "POST", path: "/json", body: chatBody },
  { name: "bare chat", group: "baseline", plugins: () => [], method: "POST", path: "/v1/chat/completions", body: chatBody },
  { name: "bare chat stream", group: "baseline", plugins: () => [], method: "POST", path: "/v1/chat/completions", body: streamBody },
  { name: "bare Claude chat", group: "baseline", plugins: () => [], method: "POST", path: "/v1/messages", body: chatBody },
  { name: "bare Gemini chat", group: "baseline", plugins: () => [], method: "POST", path: "/v1beta/models/gemini-2.5-flash:generateContent", body: chatBody },
  { name: "bare stream (500 events)", group: "baseline", plugins: () => [], method: "POST", path: "/v1/chat/completions", body: longStreamBody },
  { name: "bare Claude stream (500 events)", group: "baseline", plugins: () => [], method: "POST", path: "/v1/messages", body: longStreamBody },
  { name: "bare Gemini stream (500 events)", group: "baseline", plugins: () => [], method: "POST", path: "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse", body: longStreamBody },
  ...uaSizes.map(([label, size]): Scenario => ({ name: `bare GET ${label} UA`, group: "baseline", plugins: () => [], method: "GET", path: "/json", headers: { "user-agent": userAgent("browser", size) } })),
  { name: "native RBAC (request-block's URL check)", group: "plugins", baseline: "bare GET", plugins: () => [], extraFilters: [rbacFilter], method: "GET", path: "/json" },
  { name: "Wasm floor (hand-written module; no HTTP hook)", group: "plugins", baseline: "bare GET", plugins: () => [{ name: "floor", wasm: floorWasm }], method: "GET", path: "/json" },
  { name: HOOK_FLOOR_ROW, group: "plugins", baseline: "bare GET", plugins: () => [{ name: "hook-floor", wasm: hookFloorWasm }], method: "GET", path: "/json" },
  { name: "Sluice no-op plugin", group: "plugins", baseline: "bare GET", plugins: () => [{ name: "noop", wasm: join(repoRoot, "test", "plugins", "noop", "build", "envoy.wasm") }], method: "GET", path: "/json" },
  { name: HEADER_FLOOR_ROW, group: "plugins", baseline: "bare GET", plugins: () => [{ name: "header-floor", wasm: headerFloorWasm }], method: "GET", path: "/json" },
  { name: "request-block (URL rules)", group: "plugins", baseline: "bare GET", plugins: plugin(requestBlockCase.plugin, requestBlockCase.config), method: "GET", path: "/json", headers: requestBlockCase.headers },
  { name: "request-block (body rules)", group: "plugins", baseline: "bare POST 2 KB JSON", plugins: plugin("request-block", { block_bodies: ["DROP TABLE"] }), method: "POST", path: "/json", body: chatBody },
  ...uaSizes.map(([label, size]): Scenario => ({ name: `bot-detect (${label} User-Agent)`, group: "plugins", baseline: `bare GET ${label} UA`, plugins: plugin("bot-detect", {}), method: "GET", path: "/json", headers: { "user-agent": userAgent("browser", size) } })),
  { name: "ip-restriction", group: "plugins", baseline: "bare GET", plugins: plugin(ipRestrictionCase.plugin, ipRestrictionCase.config), method: "GET", path: "/json", headers: ipRestrictionCase.headers },
  { name: KEY_AUTH_FLOOR_ROW, group: "plugins", baseline: "bare GET", plugins: () => [{ name: "key-auth-floor", wasm: keyAuthFloorWasm }], method: "GET", path: "/json", headers: keyAuthCase.headers },
  { name: "key-auth", group: "plugins", baseline: "bare GET", plugins: plugin(keyAuthCase.plugin, keyAuthCase.config), method: "GET", path: "/json", headers: keyAuthCase.headers },
  { name: "basic-auth", group: "plugins", baseline: "bare GET", plugins: plugin("basic-auth", { global_auth: true, consumers: [{ name: "alice", credential: "alice:secret" }] }), method: "GET", path: "/json", headers: { authorization: basicAuth } },
  { name: "transformer (5 header rules)", group: "plugins", baseline: "bare GET", plugins: plugin("transformer", transformerConfig), method: "GET", path: "/json", headers: { "x-remove": "1", "x-old": "v", "x-replace": "r" } },
  { name: "request-validation (2 KB JSON body against a schema)", group: "plugins", baseline: "bare chat", plugins: plugin("request-validation", { body_schema: chatSchema, rejected_code: 400, rejected_msg: "invalid request" }), method: "POST", path: "/v1/chat/completions", body: chatBody },
  { name: "simple-jwt-auth (HS256)", group: "plugins", baseline: "bare GET", plugins: plugin("simple-jwt-auth", { token_headers: "token", token_secret_key: simpleJwtSecret }), method: "GET", path: "/json", headers: { token: simpleJwt } },
  { name: "jwt-auth (ES256)", group: "plugins", baseline: "bare GET", plugins: plugin("jwt-auth", jwtAuth.config), method: "GET", path: "/json", headers: { authorization: `Bearer ${jwtAuth.token}` } },
  { name: "hmac-auth-apisix (hmac-sha256)", group: "plugins", baseline: "bare GET", plugins: plugin("hmac-auth-apisix", hmacConfig), method: "GET", path: "/json", headers: { date: hmacDate, authorization: hmacAuth } },
  { name: "cors (allowed origin)", group: "plugins", baseline: "bare GET", plugins: plugin("cors", corsConfig), method: "GET", path: "/json", headers: { origin: "https://app.example.com" }, expectHeader: ["access-control-allow-origin", "https://app.example.com"] },
  { name: "custom-response (rules not matching a 200)", group: "plugins", baseline: "bare GET", plugins: plugin("custom-response", customResponseConfig), method: "GET", path: "/json" },
  { name: "cache-control", group: "plugins", baseline: "bare GET", plugins: plugin("cache-control", { expires: 3600 }), method: "GET", path: "/json", expectHeader: ["cache-control", "maxAge=3600"] /* Higress writes maxAge, not max-age */ },
  { name: "traffic-tag (header + parameter conditions)", group: "plugins", baseline: "bare GET", plugins: plugin("traffic-tag", trafficTagConfig), method: "GET", path: "/json?foo=bar", headers: { role: "viewer" } },
  { name: "model-mapper", group: "ai", baseline: "bare chat", plugins: plugin("model-mapper", modelMapperConfig), method: "POST", path: "/v1/chat/completions", body: chatBody },
  { name: "model-router (higress/auto resolved by a rule)", group: "ai", baseline: "bare chat", plugins: plugin("model-router", modelRouterConfig), method: "POST", path: "/v1/chat/completions", body: JSON.stringify({ ...JSON.parse(chatBody), model: "higress/auto" }) },
  { name: "opa (a real OPA asked per request)", group: "plugins", baseline: "bare GET", plugins: plugin("opa", opaConfig), method: "GET", path: "/json", headers: { "x-role": "reader" } },
  { name: "ext-auth (envoy mode against the mock)", group: "plugins", baseline: "bare GET", plugins: plugin("ext-auth", extAuthConfig), method: "GET", path: "/json", headers: { authorization: "Bearer good-alice" } },
  { name: "replay-protection (a fresh nonce per request in Redis)", group: "plugins", baseline: "bare GET", plugins: plugin("replay-protection", replayConfig), method: "GET", path: "/json", uniqueHeader: "x-higress-nonce" },
  { name: "ai-rag (embedding + DashVector calls per request)", group: "ai", baseline: "bare chat", plugins: plugin("ai-rag", ragConfig), method: "POST", path: "/v1/chat/completions", body: chatBody, expectHeader: ["x-envoy-rag-recall", "true"] },
  { name: "sluice bench-rewrite", group: "peer", baseline: "bare POST 2 KB JSON", plugins: () => [{ name: "bench-rewrite", wasm: join(repoRoot, "test", "plugins", "bench-rewrite", "build", "envoy.wasm") }], method: "POST", path: "/json", body: chatBody, expectHeader: ["x-seen-model", "bench-model"] },
  { name: "sluice bench-rewrite (JSON tree)", group: "peer", baseline: "bare POST 2 KB JSON", plugins: () => [{ name: "bench-rewrite", wasm: join(repoRoot, "test", "plugins", "bench-rewrite", "build", "envoy.wasm"), config: { tree: true } }], method: "POST", path: "/json", body: chatBody, expectHeader: ["x-seen-model", "bench-model"] },
  { name: "go bench-rewrite (sjson)", group: "peer", baseline: "bare POST 2 KB JSON", plugins: () => [{ name: "go-rewrite", wasm: goSjsonWasm }], method: "POST", path: "/json", body: chatBody, expectHeader: ["x-seen-model", "bench-model"] },
  { name: "go bench-rewrite (proxy-wasm Go SDK port + sjson)", group: "peer", baseline: "bare POST 2 KB JSON", plugins: () => [{ name: "go-sdk-rewrite", wasm: goSdkWasm }], method: "POST", path: "/json", body: chatBody, expectHeader: ["x-seen-model", "bench-model"] },
  { name: "go bench-rewrite (encoding/json)", group: "peer", baseline: "bare POST 2 KB JSON", plugins: () => [{ name: "go-rewrite", wasm: goWasm }], method: "POST", path: "/json", body: chatBody, expectHeader: ["x-seen-model", "bench-model"] },
  { name: AI_PROXY_FLOOR_ROW, group: "ai", baseline: "bare chat", plugins: () => [{ name: "ai-proxy-floor", wasm: aiProxyFloorWasm }], method: "POST", path: "/v1/chat/completions", body: chatBody },
  { name: "ai-proxy", group: "ai", baseline: "bare chat", plugins: plugin("ai-proxy", aiProxyConfig), method: "POST", path: "/v1/chat/completions", body: chatBody },
  { name: "ai-proxy stream", group: "ai", baseline: "bare chat stream", plugins: plugin("ai-proxy", aiProxyConfig), method: "POST", path: "/v1/chat/completions", body: streamBody },
  { name: "ai-prompt-guard", group: "ai", baseline: "ai-proxy", plugins: chain(["ai-prompt-guard", promptGuardConfig], ["ai-proxy", aiProxyConfig]), method: "POST", path: "/v1/chat/completions", body: chatBody },
  { name: "ai-prompt-decorator", group: "ai", baseline: "ai-proxy", plugins: chain(["ai-prompt-decorator", decoratorConfig], ["ai-proxy", aiProxyConfig]), method: "POST", path: "/v1/chat/completions", body: chatBody },
  { name: "ai-data-masking", group: "ai", baseline: "ai-proxy", plugins: chain(["ai-data-masking", maskingConfig], ["ai-proxy", aiProxyConfig]), method: "POST", path: "/v1/chat/completions", body: chatBody },
  { name: "ai-data-masking stream", group: "ai", baseline: "ai-proxy stream", plugins: chain(["ai-data-masking", maskingConfig], ["ai-proxy", aiProxyConfig]), method: "POST", path: "/v1/chat/completions", body: streamBody },
  { name: "ai-security-guard (request check)", group: "ai", baseline: "ai-proxy", plugins: chain(["ai-security-guard", guardConfig], ["ai-proxy", aiProxyConfig]), method: "POST", path: "/v1/chat/completions", body: chatBody },
  { name: "ai-cache (exact hits from Redis)", group: "ai", baseline: "ai-proxy", plugins: chain(["ai-cache", cacheConfig], ["ai-proxy", aiProxyConfig]), method: "POST", path: "/v1/chat/completions", body: chatBody },
  // The AI chain's two plugins in front of ai-proxy, each alone: what each adds to the chain's row.
  { name: "ai-statistics", group: "ai", baseline: "ai-proxy", plugins: chain(["ai-statistics", {}], ["ai-proxy", aiProxyConfig]), method: "POST", path: "/v1/chat/completions", body: chatBody },
  { name: "ai-token-ratelimit (2 Redis scripts through webdis)", group: "ai", baseline: "ai-proxy", plugins: chain(["ai-token-ratelimit", tokenLimitConfig], ["ai-proxy", aiProxyConfig]), method: "POST", path: "/v1/chat/completions", body: chatBody, headers: chainHeaders, redisScripts: 2 },
  // In Higress's order (priority 600, 200, 100): the limit and the statistics in front of ai-proxy,
  // which replaces the client's x-api-key with the provider's credentials (behind it the limit
  // would find no key and never ask Redis). Each request checks and then adds in Redis.
  { name: "AI chain", group: "ai", baseline: "bare chat", plugins: chain(["ai-token-ratelimit", tokenLimitConfig], ["ai-statistics", {}], ["ai-proxy", aiProxyConfig]), method: "POST", path: "/v1/chat/completions", body: chatBody, headers: chainHeaders, redisScripts: 2 },
  { name: "AI chain stream", group: "ai", baseline: "bare chat stream", plugins: chain(["ai-token-ratelimit", tokenLimitConfig], ["ai-statistics", {}], ["ai-proxy", aiProxyConfig]), method: "POST", path: "/v1/chat/completions", body: streamBody, headers: chainHeaders, redisScripts: 2 },
  // Request conversion: the 2 KB chat converted for Claude / Gemini, their answer converted back (against bare Envoy relaying the same answer).
  { name: "ai-proxy (2 KB request converted for Claude)", group: "ai", baseline: "bare Claude chat", plugins: plugin("ai-proxy", claudeConfig), method: "POST", path: "/v1/chat/completions", body: chatBody, expectBody: '"object":"chat.completion"' },
  { name: "ai-proxy (2 KB request converted for Gemini)", group: "ai", baseline: "bare Gemini chat", plugins: plugin("ai-proxy", geminiConfig), method: "POST", path: "/v1/chat/completions", body: chatBody, expectBody: '"object":"chat.completion"' },
  // Per-event cost: the same 500-event answer passed through, and converted from Anthropic and Gemini streams.
  { name: "ai-proxy stream (500 events passed through)", group: "ai", baseline: "bare stream (500 events)", plugins: plugin("ai-proxy", aiProxyConfig), method: "POST", path: "/v1/chat/completions", body: longStreamBody, expectBody: "token499" },
  { name: "ai-proxy stream (500 events converted from Claude)", group: "ai", baseline: "bare Claude stream (500 events)", plugins: plugin("ai-proxy", claudeConfig), method: "POST", path: "/v1/chat/completions", body: longStreamBody, expectBody: '"object":"chat.completion.chunk","created":' },
  { name: "ai-proxy stream (500 events converted from Gemini)", group: "ai", baseline: "bare Gemini stream (500 events)", plugins: plugin("ai-proxy", geminiConfig), method: "POST", path: "/v1/chat/completions", body: longStreamBody, expectBody: '"object":"chat.completion.chunk","created":' },
];

// ---- measuring -------------------------------------------------------------------------------
interface Result {
  name: string;
  group: string;
  baseline?: string;
  skipped?: string;
  plugins: string[];
  /** Native Envoy filters in the chain (the RBAC row). */
  native?: string[];
  throughput?: ReturnType<typeof stats>;
  p50ms?: ReturnType<typeof stats>;
  p99ms?: ReturnType<typeof stats>;
  errors: number;
  non2xx: number;
  upstreamCpuPct?: ReturnType<typeof stats>;
  rssWarmKiB?: number;
  rssAfterKiB?: number;
  requestsMeasured?: number;
  startMs?: ReturnType<typeof stats>;
  /** Envoy CPU µs per request during the saturated (wrk) runs, one value per round. */
  envoyCpuUs?: ReturnType<typeof stats>;
  /** 1-minute load average when the scenario started: other work on the machine shows here. */
  load1?: number;
}

function wrkScript(dir: string, s: Scenario): string {
  const lines = [`wrk.method = "${s.method}"`];
  if (s.body) lines.push(`wrk.body = ${JSON.stringify(s.body)}`, `wrk.headers["content-type"] = "application/json"`);
  for (const [k, v] of Object.entries(s.headers ?? {})) lines.push(`wrk.headers["${k}"] = ${JSON.stringify(v)}`); // quoted: values may hold quotes
  if (s.uniqueHeader) lines.push(
    `local f = io.open("/dev/urandom", "rb"); local r = f:read(8); f:close()`,
    `local prefix = r:gsub(".", function(c) return string.format("%02x", c:byte()) end)`,
    `local n = 0`,
    `request = function()`,
    `  n = n + 1`,
    `  wrk.headers[${JSON.stringify(s.uniqueHeader)}] = prefix .. string.format("%08x", n)`,
    `  return wrk.format()`,
    `end`);
  const p = join(dir, "req.lua");
  writeFileSync(p, lines.join("\n") + "\n");
  return p;
}

function parseWrk(out: string): { rps: number; errors: number; non2xx: number; requests: number } {
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? 0);
  const requests = Number(/(\d+) requests in/.exec(out)?.[1] ?? 0);
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const errors = sock ? sock.slice(1).reduce((a, b) => a + Number(b), 0) : 0;
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
  return { rps, errors, non2xx, requests };
}

function h2loadLatency(dir: string, url: string, s: Scenario): { p50: number; p99: number; failed: number; non2xx: number } {
  if (s.uniqueHeader) return { p50: NaN, p99: NaN, failed: 0, non2xx: 0 };
  const log = join(dir, "h2load.log");
  const args = ["--h1", "-c", "4", `--rps=${RATE / 4}`, "-D", String(SECONDS), "--log-file", log];
  if (s.body) { const f = join(dir, "body.json"); writeFileSync(f, s.body); args.push("-d", f, "-H", "content-type: application/json"); }
  for (const [k, v] of Object.entries(s.headers ?? {})) args.push("-H", `${k}: ${v}`);
  args.push(url + s.path);
  const out = run("h2load", args);
  const failed = Number(/(\d+) failed/.exec(out)?.[1] ?? 0) + Number(/(\d+) errored/.exec(out)?.[1] ?? 0) + Number(/(\d+) timeout/.exec(out)?.[1] ?? 0);
  const codes = /status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx/.exec(out);
  const non2xx = codes ? Number(codes[2]) + Number(codes[3]) + Number(codes[4]) : 0;
  const durations = readFileSync(log, "utf8").trim().split("\n").map((l) => Number(l.split("\t")[2]) / 1000).filter((x) => x > 0).sort((a, b) => a - b);
  const pct = (q: number) => durations[Math.min(durations.length - 1, Math.floor(q * durations.length))];
  return { p50: pct(0.5), p99: pct(0.99), failed, non2xx };
}

/** Quartiles by linear interpolation (n ≥ 1). */
function quartiles(xs: number[]): { q1: number; median: number; q3: number } {
  const v = [...xs].sort((a, b) => a - b);
  const at = (q: number) => { const i = q * (v.length - 1); const lo = Math.floor(i); return v[lo] + (v[Math.min(lo + 1, v.length - 1)] - v[lo]) * (i - lo); };
  return { q1: at(0.25), median: at(0.5), q3: at(0.75) };
}
/**
 * Envoy CPU per request added over the compared-with scenario, paired by round (round i of both
 * ran back to back, so drifting load cancels out): median and interquartile range of the
 * per-round differences.
 */
function pairedCpu(r: Result, b: Result): { q1: number; median: number; q3: number } | null {
  const x = r.envoyCpuUs?.runs, y = b.envoyCpuUs?.runs;
  if (!x?.length || !y?.length) return null;
  const n = Math.min(x.length, y.length);
  return quartiles(Array.from({ length: n }, (_, i) => x[i] - y[i]));
}

/** One scenario's running Envoy and the numbers gathered for it so far. */
interface Live {
  s: Scenario;
  res: Result;
  envoy: Envoy;
  dir: string;
  script: string;
  pid: number;
  rps: number[];
  cpu: number[];
  p50: number[];
  p99: number[];
  envoyCpuUs: number[];
  measured: number;
}

let greenPort = 0, extAuthPort = 0, opaPort = 0, embedPort = 0, dashvectorPort = 0;
function specFor(plugins: PluginSpec[], upstreamPort: number, webdisPort: number, extraFilters?: unknown[]) {
  return {
    plugins,
    extraFilters,
    routes: [{ name: "bench", cluster: "upstream" }],
    clusters: [
      { name: "upstream", port: upstreamPort }, { name: "outbound|80||bench-upstream", port: upstreamPort },
      { name: "outbound|80||redis.static", port: webdisPort }, { name: "outbound|443||safecheck.dns", port: greenPort },
      { name: "outbound|8090||ext-auth.dns", port: extAuthPort }, { name: "outbound|8181||opa.static", port: opaPort },
      { name: "outbound|443||dashscope.dns", port: embedPort }, { name: "outbound|443||dashvector.dns", port: dashvectorPort },
    ],
  };
}

/** Cold starts (Envoy start → /ready, N times), then one Envoy left running, checked and warmed up. */
async function prepare(s: Scenario, upstreamPort: number, webdisPort: number): Promise<Live | Result> {
  const plugins = s.plugins();
  const res: Result = { name: s.name, group: s.group, baseline: s.baseline, plugins: plugins?.map((p) => p.name) ?? [], native: s.extraFilters ? ["native rbac"] : undefined, errors: 0, non2xx: 0, load1: loadavg()[0] };
  if (plugins === null) { res.skipped = "plugin not built in this checkout"; return res; }
  const spec = specFor(plugins, upstreamPort, webdisPort, s.extraFilters);
  const starts: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    const e = await Envoy.start(spec, { wasmLogLevel: "warn", logLevel: "warn" });
    starts.push(performance.now() - t0);
    await e.stop();
  }
  res.startMs = stats(starts);
  const envoy = await Envoy.start(spec, { wasmLogLevel: "warn", logLevel: "warn" });
  pinEnvoy(envoy.envoyPid());
  const dir = mkdtempSync(join(tmpdir(), "sluice-bench-"));
  const script = wrkScript(dir, s);
  const checkHeaders = { ...s.headers, "x-bench-check": "1", ...(s.uniqueHeader ? { [s.uniqueHeader]: randomBytes(12).toString("hex") } : {}) };
  const scriptsBefore = s.redisScripts ? await redis.scriptRuns() : 0;
  const check = run("curl", ["-s", "-o", "/dev/null", "-D", "-", "-w", "%{http_code}", "-X", s.method, ...(s.body ? ["-H", "content-type: application/json", "--data-binary", s.body] : []), ...Object.entries(checkHeaders).flatMap(([k, v]) => ["-H", `${k}: ${v}`]), envoy.url + s.path]);
  const code = check.trim().split("\n").at(-1)!.trim();
  if (s.redisScripts) {
    // The add runs as the response ends: give it a moment to land.
    let ran = 0;
    for (let i = 0; i < 50 && ran < s.redisScripts; i++) {
      ran = (await redis.scriptRuns()) - scriptsBefore;
      if (ran < s.redisScripts) await new Promise((r) => setTimeout(r, 100));
    }
    if (ran < s.redisScripts) {
      const log = envoy.log.slice(-3000);
      await envoy.stop();
      throw new Error(`${s.name}: one request ran ${ran} Redis scripts, expected ${s.redisScripts} (the limit never asked Redis)\n${log}`);
    }
  }
  const missing = s.expectHeader && !check.toLowerCase().split("\r\n").includes(`${s.expectHeader[0]}: ${s.expectHeader[1]}`.toLowerCase());
  if (code !== "200" || missing) {
    const log = envoy.log.slice(-3000);
    await envoy.stop();
    throw new Error(`${s.name}: a single request got ${code}${missing ? ` without ${s.expectHeader!.join(": ")}` : ""} (expected 200)\n${check}\n${log}`);
  }
  if (s.expectBody) {
    const body = run("curl", ["-s", "-X", s.method, ...(s.body ? ["-H", "content-type: application/json", "--data-binary", s.body] : []), ...Object.entries(s.headers ?? {}).flatMap(([k, v]) => ["-H", `${k}: ${v}`]), envoy.url + s.path]);
    if (!body.includes(s.expectBody)) {
      const log = envoy.log.slice(-3000);
      await envoy.stop();
      throw new Error(`${s.name}: the answer lacks ${s.expectBody}\n${body.slice(0, 2000)}\n${log}`);
    }
  }
  run("wrk", ["-t1", `-c${CONNECTIONS}`, "-d2s", "-s", script, envoy.url + s.path]); // warm-up
  const pid = envoy.envoyPid();
  res.rssWarmKiB = rssKiB(pid);
  return { s, res, envoy, dir, script, pid, rps: [], cpu: [], p50: [], p99: [], envoyCpuUs: [], measured: 0 };
}

/** One measured round of one scenario: throughput at saturation, then latency at a fixed rate. */
function measureRound(l: Live, upstreamPid: number): void {
  const c0 = cpuSeconds(upstreamPid);
  const e0 = cpuSeconds(l.pid);
  const t0 = performance.now();
  const w = parseWrk(run("wrk", ["-t1", `-c${CONNECTIONS}`, `-d${SECONDS}s`, "-s", l.script, l.envoy.url + l.s.path]));
  // Envoy's CPU per request of the saturated run: thousands of requests, so the clock's 10 ms
  // tick is well under a microsecond per request (a fixed-rate run of 400 req/s would not resolve it).
  l.envoyCpuUs.push(((cpuSeconds(l.pid) - e0) * 1e6) / Math.max(1, w.requests));
  const wall = (performance.now() - t0) / 1000;
  l.cpu.push((100 * (cpuSeconds(upstreamPid) - c0)) / wall);
  l.rps.push(w.rps);
  l.res.errors += w.errors;
  l.res.non2xx += w.non2xx;
  l.measured += w.requests;
  const lat = h2loadLatency(l.dir, l.envoy.url, l.s);
  l.p50.push(lat.p50);
  l.p99.push(lat.p99);
  l.res.errors += lat.failed;
  l.res.non2xx += lat.non2xx;
  if (!l.s.uniqueHeader) l.measured += RATE * SECONDS;
}

async function finish(l: Live): Promise<Result> {
  const r = l.res;
  r.rssAfterKiB = rssKiB(l.pid);
  r.requestsMeasured = l.measured;
  r.throughput = stats(l.rps);
  r.upstreamCpuPct = stats(l.cpu);
  r.p50ms = stats(l.p50);
  r.p99ms = stats(l.p99);
  r.envoyCpuUs = stats(l.envoyCpuUs);
  await l.envoy.stop();
  rmSync(l.dir, { recursive: true, force: true });
  return r;
}

// ---- module sizes --------------------------------------------------------------------------------
function moduleSizes(): { name: string; envoy: number; higress: number }[] {
  const out: { name: string; envoy: number; higress: number }[] = [];
  const pluginsDir = join(repoRoot, "plugins");
  for (const name of spawnSync("ls", [pluginsDir], { encoding: "utf8" }).stdout.trim().split("\n")) {
    const e = join(pluginsDir, name, "build", "envoy.wasm"), h = join(pluginsDir, name, "build", "higress.wasm");
    if (existsSync(e) && existsSync(h)) out.push({ name, envoy: statSync(e).size, higress: statSync(h).size });
  }
  const b = join(repoRoot, "test", "plugins", "bench-rewrite", "build");
  out.push({ name: "bench-rewrite (Sluice)", envoy: statSync(join(b, "envoy.wasm")).size, higress: statSync(join(b, "higress.wasm")).size });
  out.push({ name: "bench-rewrite (Go wasip1, encoding/json)", envoy: statSync(goWasm).size, higress: NaN });
  out.push({ name: "bench-rewrite (Go wasip1, sjson)", envoy: statSync(goSjsonWasm).size, higress: NaN });
  out.push({ name: "bench-rewrite (proxy-wasm Go SDK port, sjson)", envoy: statSync(goSdkWasm).size, higress: NaN });
  return out;
}

// ---- report ---------------------------------------------------------------------------------------
function fmt(x: number | undefined, d = 0): string { return x === undefined || Number.isNaN(x) ? "—" : x.toFixed(d); }
function range(s: ReturnType<typeof stats> | undefined, d = 0): string { return s && !Number.isNaN(s.median) ? `${fmt(s.median, d)} (${fmt(s.min, d)}–${fmt(s.max, d)})` : "—"; }

/**
 * ai-proxy's memory per request-body byte, before the hardening work and now: the two tables of
 * docs/bench-body-memory.md (its "current" table is rewritten by body-memory.ts, run before this).
 */
function bodyMemorySection(): string[] {
  const doc = join(repoRoot, "docs", "bench-body-memory.md");
  if (!existsSync(doc)) return [];
  const text = readFileSync(doc, "utf8");
  const table = (from: number) => {
    const lines = text.slice(from).split("\n");
    const start = lines.findIndex((l) => l.startsWith("| case "));
    if (start < 0) return [];
    const end = lines.findIndex((l, i) => i > start && !l.startsWith("|"));
    return lines.slice(start, end < 0 ? undefined : end);
  };
  const before = table(text.indexOf("## Before"));
  const current = table(text.indexOf("<!-- current:begin -->"));
  if (!before.length || !current.length) return [];
  return ["", "## ai-proxy memory per request-body byte (1, 10, 40 MB bodies)", "",
    "VM linear memory growth per body byte for one request and after three (is the space reused?), and Envoy's RSS (128 MiB buffer limit). Method and body shapes: [bench-body-memory.md](bench-body-memory.md).", "",
    "Before (main at 0ab4d51, body decoded to a UTF-16 string and parsed into a tree):", "", ...before, "", "Now:", "", ...current];
}

const before = loadBefore(repoRoot);
/** Latency samples behind each round's p99 (h2load at a fixed rate); p99 is shown only from 1,000 up (≥ 10 requests above it). */
const LATENCY_SAMPLES = RATE * SECONDS;
const P99_BACKED = LATENCY_SAMPLES >= 1000;

/** Added CPU per round (scenario minus its baseline, round by round). */
function addedPerRound(r: Result | undefined, by: Map<string, Result>): number[] | null {
  const b = r?.baseline ? by.get(r.baseline) : undefined;
  const x = r?.envoyCpuUs?.runs, y = b?.envoyCpuUs?.runs;
  if (!x?.length || !y?.length) return null;
  return Array.from({ length: Math.min(x.length, y.length) }, (_, i) => x[i] - y[i]);
}

/** The chart's bars: every measured scenario with a baseline, in the table's order. */
function chartBars(results: Result[], by: Map<string, Result>): Bar[] {
  const out: Bar[] = [];
  for (const r of results) {
    const b = r.baseline ? by.get(r.baseline) : undefined;
    if (!b) continue;
    const d = pairedCpu(r, b);
    const kind = r.name.startsWith("native RBAC") || r.name.startsWith("Wasm floor") || r.name.includes("(hand-written module)") ? "reference" : r.name.startsWith("go ") ? "go" : "sluice";
    const over = r.baseline!.startsWith("bare ") ? "" : ` (over ${r.baseline})`;
    out.push({ label: r.name + over, kind, median: d?.median ?? NaN, q1: d?.q1 ?? NaN, q3: d?.q3 ?? NaN });
  }
  return out;
}

function chartSvg(results: Result[]): string {
  const by = new Map(results.map((r) => [r.name, r]));
  const ref = (name: string) => { const r = by.get(name); const b = r?.baseline ? by.get(r.baseline) : undefined; return r && b ? pairedCpu(r, b)?.median : undefined; };
  return renderChart({
    title: "Added Envoy CPU per request over bare Envoy (or over ai-proxy where named)",
    note: `npm run bench ${started.toISOString().slice(0, 10)}: Envoy ${envoyVersion}, --concurrency 1; ${RUNS} interleaved rounds × ${SECONDS} s of wrk; /proc CPU ÷ requests`,
    bars: chartBars(results, by),
    limit: ref("native RBAC (request-block's URL check)"),
    floor: ref("Wasm floor (hand-written module; no HTTP hook)"),
  });
}

/** Issue #14's tracked scenarios: before (b41cd40's run) → this run. */
function issueSection(by: Map<string, Result>): string[] {
  const after = (name: string) => { const r = by.get(name); const b = r?.baseline ? by.get(r.baseline) : undefined; const d = r && b ? pairedCpu(r, b) : null; return d ? { ...d, n: Math.min(r!.envoyCpuUs!.runs.length, b!.envoyCpuUs!.runs.length) } : null; };
  return ["", "## Issue #14: before → after (added Envoy CPU µs per request)", "",
    `Before: commit ${before.scenariosCommit}'s \`npm run bench\` (${before.runs} rounds × ${before.seconds} s; its per-round CPU is kept in test/bench/before.json and paired here the same way). After: this run (${RUNS} rounds × ${SECONDS} s). The two runs were on the same machine at different times and load, so compare each against its own limit and floor rows as well as across runs.`, "",
    ...beforeAfterTable(before, after), ...floorsParagraph(after)];
}

/**
 * What the hand-written floors say about the goals: each floor makes exactly the proxy-wasm calls
 * of the plugin it stands under (test/bench/floors.test.ts), with no logic, no SDK and no
 * allocator, so it is what Envoy charges for that work through the ABI; a goal below it cannot
 * be met by any Wasm plugin doing the same work, in any language.
 */
function floorsParagraph(after: (name: string) => Quartiles | null): string[] {
  const f = (x: number) => x.toFixed(1);
  // A plugin's own share below zero is the run's noise (the self-check at the top names it).
  const share = (x: number) => f(x) + (x < 0 ? " (below zero, which only this run's noise can give)" : "");
  const hook = after(HOOK_FLOOR_ROW), noop = after("Sluice no-op plugin");
  const aiFloor = after(AI_PROXY_FLOOR_ROW), ai = after("ai-proxy");
  const L: string[] = [];
  if (hook && noop) L.push(`- **The no-op plugin** (goal ≤ 2) costs ${f(noop.median)}; a hand-written module with the same single hook and the same one host call (x-request-id, read as the hook ends, for later log lines) costs ${f(hook.median)} (IQR ${f(hook.q1)}–${f(hook.q3)}) in this run, so the SDK's own share (the filter object, the dispatch, collections) is ${share(noop.median - hook.median)}${hook.median > 2 ? "; the goal is below what the hook and its one host call cost on their own" : ""}.`);
  const small: [string, number, string, string][] = [
    ["request-block (URL rules)", 4, HEADER_FLOOR_ROW, "its two header reads (:path for its URL rules, x-request-id)"],
    ["ip-restriction", 6, HEADER_FLOOR_ROW, "its two header reads (x-real-ip for the client address, x-request-id)"],
    ["key-auth", 6, KEY_AUTH_FLOOR_ROW, "its two calls (every request header read at once, then x-mse-consumer set)"],
  ];
  for (const [name, goal, floorRow, calls] of small) {
    const p = after(name), fl = after(floorRow);
    if (p && fl) L.push(`- **${name}** (goal ≤ ${goal}) costs ${f(p.median)}; a hand-written module making ${calls} costs ${f(fl.median)} (IQR ${f(fl.q1)}–${f(fl.q3)}), so its own share (the SDK, its rules, collections) is ${share(p.median - fl.median)}${fl.median > goal ? "; the goal is below what its host calls cost on their own" : ""}.`);
  }
  if (aiFloor && ai) L.push(`- **ai-proxy** (goal ≤ 20) costs ${f(ai.median)}; a hand-written module making exactly its proxy-wasm calls for this request (pause the headers, buffer and replace the body, read and buffer the answer, 6 header replaces, 2 removes, 2 header reads and the header pairs, the usage property) costs ${f(aiFloor.median)} (IQR ${f(aiFloor.q1)}–${f(aiFloor.q3)}) with no logic at all. ${aiFloor.median > 20 ? "The goal is below what Envoy charges for that host work, so no Wasm plugin doing ai-proxy's job through the ABI can meet it; " : ""}Sluice's own share (JSON, the SDK, collections) is the difference, ${share(ai.median - aiFloor.median)}. The request conversions for Claude and Gemini make the same calls plus their conversion, so the same floor stands under their ≤ 30 goal.`);
  const chainRow = after("AI chain"), extAuth = after("ext-auth (envoy mode against the mock)");
  if (chainRow && ai) L.push(`- **The AI chain** (goal ≤ 2 × ai-proxy) costs ${f(chainRow.median)}, ${f(chainRow.median / ai.median)} × ai-proxy. It runs in Higress's order (ai-token-ratelimit, ai-statistics, ai-proxy) and every request runs two Redis scripts, the limit's check before the request goes on and its add when the answer ends (checked at start-up in Redis's own counters). On stock Envoy Redis is reached through webdis, so each script is an HTTP callout: an upstream request Envoy makes and answers${extAuth ? `; ext-auth's row, one HTTP callout per request and little else, costs ${f(extAuth.median)}` : ""}. Two callouts cost more than ai-proxy's whole work, so the goal cannot be met with the limit's Redis calls over HTTP; on Higress they go over its Redis ABI. The *before* row ran the chain behind ai-proxy, which replaces the client's x-api-key, so the limit found no key and never called Redis: it measured no rate limiting at all.`);
  if (!L.length) return [];
  return ["", "**What the hand-written floors say.** Each floor makes exactly the proxy-wasm calls of the plugin it stands under (checked on the emulator by test/bench/floors.test.ts) and nothing else — no SDK, no allocator, no JSON — so it is what Envoy charges for that work through the ABI, in any language:", "", ...L];
}

/** Rewrite comparators (set a header, rewrite `model` in a 2 KB body): Sluice and Go, each two ways, plus Go on the ported SDK. */
function peerSection(by: Map<string, Result>): string[] {
  const names = ["sluice bench-rewrite", "sluice bench-rewrite (JSON tree)", "go bench-rewrite (sjson)", "go bench-rewrite (proxy-wasm Go SDK port + sjson)", "go bench-rewrite (encoding/json)"];
  const added = new Map(names.map((n) => [n, addedPerRound(by.get(n), by)]));
  if (![...added.values()].some(Boolean)) return [];
  const bytes: Record<string, string> = {
    "sluice bench-rewrite": join(repoRoot, "test", "plugins", "bench-rewrite", "build", "envoy.wasm"),
    "sluice bench-rewrite (JSON tree)": join(repoRoot, "test", "plugins", "bench-rewrite", "build", "envoy.wasm"),
    "go bench-rewrite (sjson)": goSjsonWasm, "go bench-rewrite (proxy-wasm Go SDK port + sjson)": goSdkWasm, "go bench-rewrite (encoding/json)": goWasm,
  };
  const how: Record<string, string> = {
    "sluice bench-rewrite": "Sluice SDK; byte edit (`setTopLevelString`, `@sluice/sdk/json`)",
    "sluice bench-rewrite (JSON tree)": "Sluice SDK; tree (`parseJsonBytes` + `toBytes`)",
    "go bench-rewrite (sjson)": "Go, hand-written ABI layer (test/bench/go-plugin); byte edit (`tidwall/sjson`)",
    "go bench-rewrite (proxy-wasm Go SDK port + sjson)": "Go, tetratelabs/proxy-wasm-go-sdk v0.24.0 ported to wasip1 (test/bench/go-sdk-plugin); byte edit (`tidwall/sjson`)",
    "go bench-rewrite (encoding/json)": "Go, hand-written ABI layer; tree (`encoding/json` into `map[string]any`)",
  };
  const L = ["", "## Sluice vs Go on the same logic (set a header, rewrite `model` in a 2 KB chat request body)", "",
    "Each comparator does the same work per request; they differ in language, in the ABI layer under the logic and in how the body is edited. **Byte edit**: the field is found and replaced in the body's bytes. **Tree**: the body is parsed into a tree, changed and serialised. Added Envoy CPU per request over bare Envoy (POST with the same 2 KB body), paired by round:", "",
    "| comparator | what runs | + CPU µs/req (median, IQR) | req/s | cold start ms | RSS after (MiB) | module bytes |", "|---|---|---|---|---|---|---|"];
  for (const n of names) {
    const r = by.get(n), a = added.get(n);
    if (!r || !a) { L.push(`| ${n} | ${how[n]} | not run | | | | |`); continue; }
    const d = quartiles(a);
    L.push(`| ${n} | ${how[n]} | **${fmt(d.median, 1)}** (${fmt(d.q1, 1)}–${fmt(d.q3, 1)}) | ${fmt(r.throughput?.median)} | ${fmt(r.startMs?.median)} | ${fmt((r.rssAfterKiB ?? 0) / 1024, 1)} | ${existsSync(bytes[n]) ? statSync(bytes[n]).size : "—"} |`);
  }
  // Ratios of added cost, round by round (both sides measured against the same bare round).
  const ratio = (x: string, y: string, what: string) => {
    const a = added.get(x), b = added.get(y);
    if (!a || !b) return;
    const q = pairedRatio(a, b)!;
    L.push(`- ${what}: **${q.median.toFixed(2)}** (IQR ${q.q1.toFixed(2)}–${q.q3.toFixed(2)}, ${q.n} rounds)`);
  };
  L.push("", `Per-round ratios of added CPU (round i of every comparator and of bare Envoy ran back to back; median and IQR of the ${RUNS} per-round ratios — a wide IQR means the rounds disagree, usually because the machine's load moved during a round; with ${RUNS} rounds the IQR is a rough spread, not a confidence interval):`, "");
  ratio("sluice bench-rewrite", "go bench-rewrite (sjson)", "Byte edit vs byte edit — Sluice `setTopLevelString` / Go `sjson` on the hand-written layer (issue #14's goal: ≤ 0.5)");
  ratio("sluice bench-rewrite", "go bench-rewrite (proxy-wasm Go SDK port + sjson)", "Byte edit, SDK vs SDK — Sluice / Go on the ported proxy-wasm Go SDK");
  ratio("go bench-rewrite (proxy-wasm Go SDK port + sjson)", "go bench-rewrite (sjson)", "Go's ABI layer — ported SDK / hand-written layer, same sjson edit (what the SDK's own layer costs)");
  ratio("sluice bench-rewrite (JSON tree)", "go bench-rewrite (encoding/json)", "Tree vs tree — Sluice `parseJsonBytes` + `toBytes` / Go `encoding/json` into a map");
  ratio("sluice bench-rewrite (JSON tree)", "sluice bench-rewrite", "Within Sluice — tree / byte edit");
  ratio("go bench-rewrite (encoding/json)", "go bench-rewrite (sjson)", "Within Go — encoding/json / sjson");
  L.push("", "What this does not show: a Go SDK built with TinyGo (the SDK's own target; TinyGo is not installed here) and Rust (the Rust wasm32 target cannot be installed here). The ported SDK keeps every SDK file as published except the host-call declarations, which are swapped for `//go:wasmimport` wrappers with the same signatures, and the callbacks, which get `//go:wasmexport` entry points (test/bench/go-sdk-plugin/port).");
  return L;
}

/** docs/benchmarks.svg and docs/benchmarks.md from a run's results (this run's, or --render's saved one). */
function writeReports(results: Result[], sizes: ReturnType<typeof moduleSizes>): void {
  writeFileSync(join(repoRoot, "docs", "benchmarks.svg"), chartSvg(results));
  writeFileSync(join(repoRoot, "docs", "benchmarks.md"), report(results, sizes, started));
}

function report(results: Result[], sizes: ReturnType<typeof moduleSizes>, started: Date): string {
  const by = new Map(results.map((r) => [r.name, r]));
  const cpu = cpus()[0]?.model ?? "unknown";
  const L: string[] = [];
  L.push("# Benchmarks", "");
  L.push(`Generated by \`npm run bench\` on ${started.toISOString()} — every number below comes from this one run on one machine.`, "");
  L.push("![Added Envoy CPU per request per scenario: median bar with IQR whisker, the native RBAC limit and the Wasm floor as dashed lines, Go comparators in orange](benchmarks.svg)", "");
  L.push(...noiseParagraph((name) => { const r = by.get(name); const b = r?.baseline ? by.get(r.baseline) : undefined; return r && b ? pairedCpu(r, b) : null; }));
  L.push(...issueSection(by).slice(1));
  L.push(...profileSummary((name) => { const r = by.get(name); const b = r?.baseline ? by.get(r.baseline) : undefined; return r && b ? pairedCpu(r, b)?.median : undefined; }), "");
  L.push("## Machine and method", "");
  L.push(`- CPU: ${cpu} × ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM; Node ${process.version}; load average at the start ${loadAtStart.map((x) => x.toFixed(1)).join(" / ")} and at the end ${loadAtEnd().map((x) => x.toFixed(1)).join(" / ")} (1/5/15 min)`);
  L.push(`- Envoy ${envoyVersion} (official build, V8), started by func-e with \`--concurrency 1\`; one Envoy per scenario, same bootstrap except the Wasm filters.`);
  L.push(`- Upstream: a compiled Go server (\`test/bench/upstream\`, GOMAXPROCS=1) on loopback; its CPU use during the throughput runs is reported so you can see it was not the bottleneck.`);
  L.push(`- Throughput: \`wrk -t1 -c${CONNECTIONS} -d${SECONDS}s\` (req/s at saturation). Latency: \`h2load --h1 -c4 --rps=${RATE / 4} -D ${SECONDS}\` = ${RATE} req/s fixed rate, p50/p99 from h2load's per-request log: ${LATENCY_SAMPLES} requests per round, so ${P99_BACKED ? `each round's p99 rests on the slowest ${Math.floor(LATENCY_SAMPLES / 100)}` : `a round's p99 would rest on ${Math.floor(LATENCY_SAMPLES / 100)} requests and is not shown (it needs ≥ 1,000 per round: \`--seconds 3\` or more)`}.`);
  L.push(`- Each figure is the median of ${RUNS} runs, with (min–max); the runs are interleaved (round 1 of every scenario, then round 2, …) with every scenario's Envoy up, so load that drifts during the run hits all scenarios alike. Errors = socket errors + failed requests of both tools; non-2xx counted separately. Both must be 0.`);
  L.push(`- CPU: Envoy's user + system CPU time from \`/proc/<pid>/stat\` during each throughput run, divided by the requests wrk completed = **Envoy CPU µs/req** (median and range of the rounds). **+ CPU µs/req** is the scenario minus its "compared with" scenario, per round (round i of both ran back to back), as median and interquartile range of those differences: the number to read for a plugin's cost. The native RBAC row is the limit (no Wasm), the hand-written Wasm floor what any Wasm module costs.`);
  L.push(`- Memory: Envoy's RSS after warm-up and after all measured requests (same process): growth shows a leak. Cold start: Envoy start → \`/ready\` with the plugin configured, median of ${RUNS}.`);
  L.push(PIN
    ? `- Cores: each Envoy (every thread) is pinned to core ${ENVOY_CORE} with \`taskset\`; wrk, h2load, the upstream, Redis and the mocks share core${ENVOY_CORE > 1 ? "s" : ""} 0${ENVOY_CORE > 1 ? `–${ENVOY_CORE - 1}` : ""}. Absolute numbers are those of this small machine; the paired differences in the same run are the point.`
    : `- Cores: not pinned (\`--no-pin\`): Envoy's worker, wrk and the upstream compete for ${cpus().length} cores, so absolute numbers are low and vary more; the paired differences in the same run are the point.`, "");
  L.push("## Added cost per plugin (relative to the scenario in \"compared with\": bare Envoy, or ai-proxy alone for the checks in front of it)", "");
  L.push("| scenario | plugins | compared with | Envoy CPU µs/req | + CPU µs/req (paired) | req/s | × baseline | p50 ms | p99 ms | +p50 ms | +p99 ms | errors | non-2xx | upstream CPU % | RSS warm → after (MiB) | requests | cold start ms | load |");
  L.push("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
  for (const r of results) {
    if (r.skipped) { L.push(`| ${r.name} | — | — | skipped: ${r.skipped} | | | | | | | | | | | | | | |`); continue; }
    const b = r.baseline ? by.get(r.baseline) : undefined;
    const ratio = b?.throughput && r.throughput ? (r.throughput.median / b.throughput.median).toFixed(3) : "1";
    const dp50 = b?.p50ms && r.p50ms ? fmt(r.p50ms.median - b.p50ms.median, 3) : "—";
    const dp99 = P99_BACKED && b?.p99ms && r.p99ms ? fmt(r.p99ms.median - b.p99ms.median, 3) : "—";
    const dcpu = b ? pairedCpu(r, b) : null;
    L.push(`| ${r.name} | ${[...(r.native ?? []), ...r.plugins].join(" → ") || "(none)"} | ${r.baseline ?? "—"} | ${range(r.envoyCpuUs, 1)} | ${dcpu ? `**${fmt(dcpu.median, 1)}** (IQR ${fmt(dcpu.q1, 1)}–${fmt(dcpu.q3, 1)})` : "—"} | ${range(r.throughput)} | ${ratio} | ${range(r.p50ms, 3)} | ${P99_BACKED ? range(r.p99ms, 3) : "—"} | ${dp50} | ${dp99} | ${r.errors} | ${r.non2xx} | ${range(r.upstreamCpuPct)} | ${fmt((r.rssWarmKiB ?? 0) / 1024, 1)} → ${fmt((r.rssAfterKiB ?? 0) / 1024, 1)} | ${r.requestsMeasured} | ${range(r.startMs)} | ${fmt(r.load1, 1)} |`);
  }
  L.push(...peerSection(by));
  L.push("", "## Module sizes (bytes), before and now", "", `Before: every plugin as built at commit ${before.sizesCommit} (recorded in test/bench/before.json); now: this checkout's builds. The bench-rewrite rows are the comparators (no before).`, "");
  L.push(...sizesTable(before, sizes));
  L.push(...bodyMemorySection());
  L.push(...replaySummary());
  L.push(...wafSummary());
  L.push("", "## Other reports", "", "- [bench-body-memory.md](bench-body-memory.md): how ai-proxy's memory per request-body byte is measured, with both tables", "- [bench-replay.md](bench-replay.md): ai-cache answering repeated and paraphrased questions from Redis and Chroma (1,000 requests)", "- [bench-waf.md](bench-waf.md): the waf plugin beside nginx + ModSecurity (CRS PL1/PL2, four requests, 1 KB → 1 MB bodies, start, size, memory)", "- [bench-memory.md](bench-memory.md): VM memory over 1,000,000 requests through each plugin of the AI chain, ai-token-ratelimit with a real Redis (counted, not timed)", "- [bench-json.md](bench-json.md): JSON inside the compiled module", "- [bench-profile.md](bench-profile.md): where the plugins' own share goes, by function and kind of work (CPU profiles of the modules)", "");
  L.push("", "## Rerun", "", "```sh", `npm run bench                       # all scenarios, ${RUNS} runs × ${SECONDS} s each`, "node --import tsx test/bench/run.ts --runs 5 --seconds 4 --only 'bare GET,key-auth'", "```", "");
  return L.join("\n");
}

const started = saved ? new Date(saved.generated) : new Date();
const loadAtStart = saved?.load!.start ?? loadavg();
/** Load at the end of the run: --render keeps the saved run's. */
const loadAtEnd = () => saved?.load!.end ?? loadavg();
if (saved) {
  writeReports(saved.results, saved.sizes);
  console.log(`bench --render: wrote docs/benchmarks.md and docs/benchmarks.svg again from docs/benchmarks.json (the run of ${saved.generated})`);
  process.exit(0);
}
const upstream = await startUpstream();
const green = await startUpstream(process.execPath, ["--import", "tsx", join(repoRoot, "test", "bench", "green-mock.ts")]);
greenPort = green.port;
const extAuth = await startUpstream(process.execPath, ["--import", "tsx", join(repoRoot, "test", "bench", "ext-auth-mock.ts")]);
extAuthPort = extAuth.port;
// A real OPA (the binary bootstrap installs) with the bench's policy; opa asks it on every request.
const opa = await OpaServer.start({ bench: opaPolicy });
opaPort = opa.port;
const rag = spawn(process.execPath, ["--import", "tsx", join(repoRoot, "test", "bench", "rag-mocks.ts"), ragQuestion], { stdio: ["ignore", "pipe", "inherit"] });
[embedPort, dashvectorPort] = await new Promise<number[]>((res, rej) => {
  rag.stdout!.on("data", (d) => { const m = /listening (\d+) (\d+)/.exec(d.toString()); if (m) res([Number(m[1]), Number(m[2])]); });
  rag.on("exit", () => rej(new Error("test/bench/rag-mocks.ts exited")));
});
const redis = await RedisServer.start();
const results: Result[] = [];
const live: Live[] = [];
try {
  // With --only, the baselines the chosen scenarios compare with come along.
  const wanted = new Set(ONLY.flatMap((n) => [n, scenarios.find((s) => s.name === n)?.baseline ?? n]));
  const chosen = scenarios.filter((s) => !ONLY.length || wanted.has(s.name));
  for (const s of chosen) {
    process.stdout.write(`bench: preparing ${s.name} … `);
    const p = await prepare(s, upstream.port, redis.webdisPort);
    if ("envoy" in p) { live.push(p); console.log(`cold start ${fmt(p.res.startMs?.median)} ms`); }
    else { results.push(p); console.log(`skipped (${p.skipped})`); }
  }
  // Rounds interleave the scenarios, so load that drifts over the run hits every one alike.
  for (let round = 1; round <= RUNS; round++) {
    for (const l of live) measureRound(l, upstream.proc.pid!);
    console.log(`bench: round ${round}/${RUNS} done (load ${loadavg()[0].toFixed(1)})`);
  }
  for (const l of live) {
    const r = await finish(l);
    results.push(r);
    console.log(`bench: ${r.name}: ${fmt(r.throughput?.median)} req/s, p99 ${fmt(r.p99ms?.median, 3)} ms, errors ${r.errors}, non-2xx ${r.non2xx}`);
  }
  live.length = 0;
} finally {
  for (const l of live) await l.envoy.stop();
  upstream.proc.kill("SIGTERM");
  green.proc.kill("SIGTERM");
  extAuth.proc.kill("SIGTERM");
  rag.kill("SIGTERM");
  await opa.stop();
  await redis.stop();
}
results.sort((a, b) => scenarios.findIndex((s) => s.name === a.name) - scenarios.findIndex((s) => s.name === b.name));
const sizes = moduleSizes();
// ai-proxy's memory per request-body byte (docs/bench-body-memory.md), before the report quotes it.
// A quick --only run skips it, the replay benchmark and the module benchmarks at the end (each rewrites its own report).
// A failing side benchmark is reported and fails the run, but never costs the main table.
const sideBench = (file: string) => {
  if (ONLY.length) return;
  try {
    console.log(run(process.execPath, ["--import", "tsx", join(repoRoot, "test", "bench", file), "--write"]));
  } catch (e) {
    console.error(`bench: ${file} failed — its report was not rewritten:\n${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = 1;
  }
};
sideBench("body-memory.ts");
// ai-cache's replay benchmark (docs/bench-replay.md).
sideBench("replay.ts");
// The waf plugin beside nginx + ModSecurity (docs/bench-waf.md).
sideBench("waf.ts");
// VM memory over 1,000,000 requests through the AI chain's plugins (docs/bench-memory.md).
sideBench("memory-flat.ts");
// Where the own share of the rows above their floors goes (docs/bench-profile.md), before the report quotes it.
sideBench("profile.ts");
writeFileSync(join(repoRoot, "docs", "benchmarks.json"), JSON.stringify({ generated: started.toISOString(), envoyVersion, runs: RUNS, seconds: SECONDS, rate: RATE, connections: CONNECTIONS, load: { start: loadAtStart, end: loadAtEnd() }, results, sizes }, null, 2));
writeReports(results, sizes);
console.log("bench: wrote docs/benchmarks.md, docs/benchmarks.json and docs/benchmarks.svg");
const bad = results.filter((r) => !r.skipped && (r.errors > 0 || r.non2xx > 0));
if (bad.length) {
  console.error(`bench: ${bad.map((r) => r.name).join(", ")} had errors or non-2xx responses — the numbers are not valid`);
  process.exitCode = 1;
}
// Other benchmark reports (each writes its own file): JSON and regex inside the compiled module.
for (const extra of ONLY.length ? [] : ["json", "regex"]) {
  const script = join(repoRoot, "test", "bench", extra, "run.ts");
  if (existsSync(script)) console.log(run(process.execPath, ["--import", "tsx", script]));
}
