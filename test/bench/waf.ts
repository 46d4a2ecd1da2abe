// What the waf plugin costs, beside a real ModSecurity doing the same work in the same run:
//   - four requests (a plain GET, an API call with 10 headers, a 10 KB form POST, a 100 KB JSON
//     POST), each through Envoy + waf (CRS at PL1 and PL2) and nginx + libmodsecurity3 (the same
//     CRS, PL1 and PL2), with bare Envoy and nginx with ModSecurity switched off as the baselines;
//     rounds interleave every server, so drifting load hits all of them alike;
//   - the body-size curve: JSON bodies of 1 KB → 1 MB (CPU per KB stays flat if the cost is linear);
//   - cold start, module size, and the VM's linear memory over repeated requests (emulator).
// Every number is count-bound (a fixed number of requests), none is a timing inside a test.
// Usage: node --import tsx test/bench/waf.ts [--rounds 5] [--quick] [--write]
//   --write puts the report into docs/bench-waf.md (`npm run bench` does this).
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from "node:fs";
import { loadavg, tmpdir, cpus } from "node:os";
import { join } from "node:path";
import { Envoy } from "../../harness/src/envoy.js";
import { Emulator } from "../../harness/src/emulator/index.js";
import { startModSecurity, modSecurityMissing, type ModSecurity } from "../../harness/src/modsecurity.js";
import { pluginWasm, repoRoot } from "../../harness/src/tools.js";

const argv = process.argv.slice(2);
const opt = (name: string, def: string) => { const i = argv.indexOf(`--${name}`); return i >= 0 ? argv[i + 1] : def; };
const QUICK = argv.includes("--quick");
const ROUNDS = Number(opt("rounds", QUICK ? "2" : "5"));
const buildDir = join(repoRoot, "build", "bench");

// ---- the requests ------------------------------------------------------------------------------
const BROWSER = { "user-agent": "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0", accept: "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8" };

const WORDS = ["alpha", "river", "garden", "orange", "winter", "market", "silver", "planet", "coffee", "window", "forest", "summer", "yellow", "harbor", "pencil"];
function words(n: number, seed: number): string {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(WORDS[(seed * 7 + i * 13) % WORDS.length]);
  return out.join(" ");
}

/** A urlencoded form of about `bytes` bytes: fields of short prose (what a CMS or sign-up form sends). */
export function formBody(bytes: number): string {
  const parts: string[] = [];
  let len = 0;
  for (let i = 0; len < bytes; i++) {
    const p = `field_${i}=${encodeURIComponent(words(30, i)).replace(/%20/g, "+")}`;
    parts.push(p);
    len += p.length + 1;
  }
  return parts.join("&");
}

/** A JSON document of about `bytes` bytes: records with text fields (an API upload), under 1,000 arguments (ModSecurity's SecArgumentsLimit) at 100 KB. */
export function jsonBody(bytes: number): string {
  const items: unknown[] = [];
  let len = 20;
  for (let i = 0; len < bytes; i++) {
    const it = { id: i, name: words(3, i), description: words(120, i + 1), tags: [WORDS[i % 15], WORDS[(i + 3) % 15]], price: 10 + (i % 90), active: i % 2 === 0 };
    items.push(it);
    len += JSON.stringify(it).length + 1;
  }
  return JSON.stringify({ items });
}

/** A JSON document of about `bytes` bytes made of 4.5 KB text documents: 1 MB stays under 1,000 arguments. */
export function documentsBody(bytes: number): string {
  const docs: unknown[] = [];
  let len = 20;
  for (let i = 0; len < bytes; i++) {
    const d = { id: i, text: words(Math.min(700, Math.max(20, Math.round((bytes - len) / 6.5))), i) };
    docs.push(d);
    len += JSON.stringify(d).length + 1;
  }
  return JSON.stringify({ documents: docs });
}

interface Scenario { name: string; method: "GET" | "POST"; path: string; headers: Record<string, string>; body?: string; requests: number }

const API_HEADERS = {
  ...BROWSER, accept: "application/json", authorization: "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJl",
  "accept-language": "en-US,en;q=0.9", "accept-encoding": "gzip, deflate", "x-request-id": "7f9c2ba4-e88f-11ee-9c2b-0242ac120002",
  "x-forwarded-for": "203.0.113.7", "cache-control": "no-cache", cookie: "session=4f2a9c81d0; theme=dark", referer: "https://app.example.com/orders",
};

export const SCENARIOS: Scenario[] = [
  { name: "plain GET", method: "GET", path: "/json?page=2", headers: BROWSER, requests: QUICK ? 60 : 300 },
  { name: "API call, 10 headers", method: "GET", path: "/json?limit=10&offset=20&sort=created", headers: API_HEADERS, requests: QUICK ? 60 : 300 },
  { name: "10 KB form POST", method: "POST", path: "/json", headers: { ...BROWSER, "content-type": "application/x-www-form-urlencoded" }, body: formBody(10_000), requests: QUICK ? 8 : 40 },
  { name: "100 KB JSON POST", method: "POST", path: "/json", headers: { ...BROWSER, accept: "application/json", "content-type": "application/json" }, body: jsonBody(100_000), requests: QUICK ? 3 : 10 },
];

const CURVE_KB = [1, 10, 100, 1000];
const curveRequests = (kb: number) => Math.max(QUICK ? 1 : 2, Math.round((QUICK ? 8 : 40) / Math.sqrt(kb)));

// ---- the servers ---------------------------------------------------------------------------------
const paranoia = (pl: number) => `SecAction "id:900000,phase:1,pass,t:none,nolog,setvar:tx.blocking_paranoia_level=${pl}"`;
// ModSecurity's recommended base refuses bodies without files over 128 KB; the curve goes to 1 MB,
// so every ModSecurity here takes 2 MB (the plugin's limit is CRS's 13 MB, as Higress sets it).
const BIG_BODIES = "SecRequestBodyNoFilesLimit 2097152";

interface Server { name: string; kind: "envoy" | "nginx"; url: string; pid: number; stop(): Promise<void>; baseline?: string; envoy?: Envoy }

function buildUpstream(): string {
  mkdirSync(buildDir, { recursive: true });
  const bin = join(buildDir, "upstream");
  const r = spawnSync("go", ["build", "-o", bin, "."], { cwd: join(repoRoot, "test", "bench", "upstream"), encoding: "utf8" });
  if (r.status !== 0) throw new Error(`go build of the bench upstream failed:\n${r.stderr}`);
  return bin;
}

async function startUpstream(bin: string): Promise<{ proc: ChildProcess; port: number }> {
  const proc = spawn(bin, [], { env: { ...process.env, GOMAXPROCS: "1" }, stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise<number>((res, rej) => {
    proc.stdout!.on("data", (d) => { const m = /listening (\d+)/.exec(d.toString()); if (m) res(Number(m[1])); });
    proc.on("exit", (c) => rej(new Error(`bench upstream exited (${c})`)));
  });
  return { proc, port };
}

const wafConfig = (pl: number) => ({ useCRS: true, secRules: [paranoia(pl)] });

async function envoyServer(name: string, upstreamPort: number, pl: number | null, baseline?: string): Promise<Server & { startMs: number }> {
  const t0 = performance.now();
  const envoy = await Envoy.start({
    plugins: pl === null ? [] : [{ name: "waf", wasm: pluginWasm("waf"), config: wafConfig(pl) }],
    routes: [{ name: "default", prefix: "/", cluster: "backend" }],
    clusters: [{ name: "backend", port: upstreamPort }],
    bufferLimitBytes: 16 << 20,
  }, { wasmLogLevel: "info", logLevel: "warn" });
  const startMs = performance.now() - t0;
  return { name, kind: "envoy", url: envoy.url, pid: envoy.envoyPid(), stop: () => envoy.stop(), baseline, envoy, startMs };
}

async function nginxServer(name: string, upstreamPort: number, directives: string, baseline?: string): Promise<Server & { startMs: number }> {
  const t0 = performance.now();
  const m: ModSecurity = await startModSecurity({ upstreamPort, extraDirectives: directives + "\n" + BIG_BODIES });
  const startMs = performance.now() - t0;
  return { name, kind: "nginx", url: `http://${m.host}:${m.port}`, pid: m.pid, stop: () => m.stop(), baseline, startMs };
}

// ---- measuring ---------------------------------------------------------------------------------
/** CPU time of every thread of `pid`, in seconds, from the scheduler's nanosecond counters (not the 10 ms ticks of /proc/pid/stat). */
function cpuSeconds(pid: number): number {
  let ns = 0;
  for (const t of readdirSync(`/proc/${pid}/task`)) {
    try { ns += Number(readFileSync(`/proc/${pid}/task/${t}/schedstat`, "utf8").split(" ")[0]); } catch { /* the thread ended */ }
  }
  return ns / 1e9;
}
function rssKiB(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);
}

interface Sample { cpuUs: number; p50: number; p99: number; requests: number; non2xx: number }

/**
 * Runs a command without blocking Node: Envoy's log lines reach this process through a pipe, and
 * a pipe nobody drains (Node stuck in spawnSync) stops Envoy's worker at its next log line.
 */
function runAsync(cmd: string, args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "", stderr = "";
    p.stdout.on("data", (d) => (stdout += d));
    p.stderr.on("data", (d) => (stderr += d));
    p.on("error", reject);
    p.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

/** `n` requests one after another on one connection (h2load), the server's CPU over them. */
async function measure(dir: string, server: Server, s: Scenario, n: number): Promise<Sample> {
  const log = join(dir, "h2load.log");
  const args = ["--h1", "-n", String(n), "-c", "1", "-m", "1", "--log-file", log];
  if (s.body !== undefined) { const f = join(dir, "body"); writeFileSync(f, s.body); args.push("-d", f); }
  for (const [k, v] of Object.entries(s.headers)) args.push("-H", `${k}: ${v}`);
  args.push(server.url + s.path);
  const c0 = cpuSeconds(server.pid);
  rmSync(log, { force: true });
  const r = await runAsync("h2load", args);
  const cpu = cpuSeconds(server.pid) - c0;
  if (r.status !== 0) throw new Error(`h2load failed: ${r.stderr}`);
  const codes = /status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx/.exec(r.stdout);
  const non2xx = codes ? Number(codes[2]) + Number(codes[3]) + Number(codes[4]) : n;
  const d = readFileSync(log, "utf8").trim().split("\n").map((l) => Number(l.split("\t")[2]) / 1000).filter((x) => x > 0).sort((a, b) => a - b);
  const pct = (q: number) => d[Math.min(d.length - 1, Math.floor(q * d.length))];
  return { cpuUs: (cpu * 1e6) / n, p50: pct(0.5), p99: pct(0.99), requests: n, non2xx };
}

/** One request with curl: the status (a benign bench request must pass every WAF). */
async function status(server: Server, s: Scenario, dir: string): Promise<string> {
  const args = ["-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", s.method];
  if (s.body !== undefined) { const f = join(dir, "body"); writeFileSync(f, s.body); args.push("--data-binary", `@${f}`); }
  for (const [k, v] of Object.entries(s.headers)) args.push("-H", `${k}: ${v}`);
  args.push(server.url + s.path);
  return (await runAsync("curl", args)).stdout.trim();
}

function quartiles(xs: number[]): { q1: number; median: number; q3: number } {
  const v = [...xs].sort((a, b) => a - b);
  const at = (q: number) => { const i = q * (v.length - 1); const lo = Math.floor(i); return v[lo] + (v[Math.min(lo + 1, v.length - 1)] - v[lo]) * (i - lo); };
  return { q1: at(0.25), median: at(0.5), q3: at(0.75) };
}
const f0 = (x: number) => (Number.isFinite(x) ? x.toFixed(0) : "—");
const f1 = (x: number) => (Number.isFinite(x) ? (x >= 100 ? x.toFixed(0) : x.toFixed(1)) : "—");
const f2 = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : "—");
const q = (x: { q1: number; median: number; q3: number }, f = f0) => `${f(x.median)} (${f(x.q1)}–${f(x.q3)})`;

/** The VM's linear memory over repeated requests (emulator, envoy target): flat means no garbage outlives a request. */
async function vmMemory(counts: number[]): Promise<{ afterStart: number; after: [number, number][] }> {
  const host = await Emulator.load(pluginWasm("waf", "envoy"), { target: "envoy", config: wafConfig(1), pluginName: "waf", logLevel: "warn" });
  const afterStart = host.memoryBytes;
  const after: [number, number][] = [];
  let done = 0;
  for (const target of counts) {
    for (; done < target; done++) {
      const s = SCENARIOS[done % SCENARIOS.length];
      const st = host.stream();
      const url = new URL("http://x" + s.path);
      st.sendRequestHeaders({ ":authority": "bench.example", ":method": s.method, ":path": url.pathname + url.search, ...s.headers, ...(s.body ? { "content-length": String(Buffer.byteLength(s.body)) } : {}) }, s.body === undefined);
      if (s.body !== undefined) st.sendRequestBody(s.body, true);
      if (st.localResponse) throw new Error(`vm memory: ${s.name} was blocked (${st.localResponse.status})`);
      st.sendResponseHeaders({ ":status": "200", "content-type": "application/json" }, false);
      st.sendResponseBody('{"ok":true}', true);
      st.complete(); // on_done, on_log, on_delete: the request's context goes, as in Envoy
    }
    after.push([target, host.memoryBytes]);
  }
  if (host.traps.length) throw new Error(`vm memory: traps ${host.traps.join("; ")}`);
  return { afterStart, after };
}

export async function wafBench(progress: (s: string) => void): Promise<string> {
  const missing = modSecurityMissing();
  if (missing) throw new Error(missing);
  const started = new Date();
  const load0 = loadavg()[0];
  const up = await startUpstream(buildUpstream());
  const dir = mkdtempSync(join(tmpdir(), "sluice-waf-bench-"));
  const servers: (Server & { startMs: number })[] = [];
  try {
    servers.push(await envoyServer("bare Envoy", up.port, null));
    servers.push(await envoyServer("Envoy + waf, CRS PL1", up.port, 1, "bare Envoy"));
    servers.push(await envoyServer("Envoy + waf, CRS PL2", up.port, 2, "bare Envoy"));
    servers.push(await nginxServer("nginx, ModSecurity off", up.port, "SecRuleEngine Off"));
    servers.push(await nginxServer("nginx + ModSecurity, CRS PL1", up.port, paranoia(1), "nginx, ModSecurity off"));
    servers.push(await nginxServer("nginx + ModSecurity, CRS PL2", up.port, paranoia(2), "nginx, ModSecurity off"));
    const loadLines = servers.filter((s) => s.envoy).flatMap((s) => s.envoy!.log.split("\n").filter((l) => /rules loaded/.test(l)).map((l) => l.replace(/^.*waf: /, "waf: ")));

    // Every request passes every server (a benign request blocked would be a false positive, and its cost another path's).
    for (const s of SCENARIOS) for (const sv of servers) {
      const code = await status(sv, s, dir);
      if (code !== "200") throw new Error(`${sv.name}: the bench request "${s.name}" got ${code}, expected 200`);
    }
    const curveScenarios = CURVE_KB.map((kb): Scenario => ({ name: `${kb} KB JSON`, method: "POST", path: "/json", headers: { ...BROWSER, accept: "application/json", "content-type": "application/json" }, body: documentsBody(kb * 1000), requests: curveRequests(kb) }));
    const curveServers = servers.filter((s) => /PL1|bare Envoy|off/.test(s.name));
    for (const s of curveScenarios) for (const sv of curveServers) {
      const code = await status(sv, s, dir);
      if (code !== "200") throw new Error(`${sv.name}: the curve request "${s.name}" got ${code}, expected 200`);
    }
    // Warm-up: every regex compiled and every DFA state a benign request reaches cached.
    for (const s of SCENARIOS) for (const sv of servers) await measure(dir, sv, s, Math.min(5, s.requests));
    const rssWarm = new Map(servers.map((s) => [s.name, rssKiB(s.pid)]));

    const samples = new Map<string, Sample[]>(); // `${scenario}\u0000${server}`
    const key = (s: string, v: string) => `${s}\u0000${v}`;
    for (let r = 0; r < ROUNDS; r++) {
      for (const s of [...SCENARIOS, ...curveScenarios]) {
        const on = SCENARIOS.includes(s) ? servers : curveServers;
        // Each round runs the servers in a rotated order: none always goes first.
        for (let i = 0; i < on.length; i++) {
          const sv = on[(i + r) % on.length];
          const k = key(s.name, sv.name);
          if (!samples.has(k)) samples.set(k, []);
          samples.get(k)!.push(await measure(dir, sv, s, s.requests));
        }
      }
      progress(`waf bench: round ${r + 1}/${ROUNDS} done (load ${loadavg()[0].toFixed(2)})`);
    }
    const rssAfter = new Map(servers.map((s) => [s.name, rssKiB(s.pid)]));
    const mem = await vmMemory(QUICK ? [10, 50] : [10, 100, 400]);

    // ---- the report ----
    const L: string[] = [];
    const cpuCount = cpus().length;
    L.push("# WAF benchmark", "", `Generated by \`npm run bench\` (test/bench/waf.ts) on ${started.toISOString()}: ${cpuCount} cores, load ${load0.toFixed(2)} → ${loadavg()[0].toFixed(2)}, ${ROUNDS} interleaved rounds.`, "");
    L.push("The same OWASP CRS (vendored, unmodified) on both sides: Sluice's `waf` plugin in Envoy (`useCRS: true`,",
      "the paranoia level set through `secRules` as CRS documents) and nginx with libmodsecurity3, Debian's packages,",
      "with ModSecurity's recommended base configuration (harness/src/modsecurity.ts, the WAF tests' oracle). Baselines:",
      "bare Envoy for the plugin, nginx with `SecRuleEngine Off` for ModSecurity. Each request runs one after another on",
      "one connection (h2load); **CPU** is the server process's CPU time over the run (every thread's `/proc/…/schedstat`), per request,",
      "minus its baseline's in the same round (paired), as median (interquartile range) over rounds; latencies are the",
      "client's, median over rounds of each round's p50 / p99.", "");
    L.push("<!-- waf:begin -->");
    L.push("| request | server | added CPU µs/req | CPU µs/req | p50 ms | p99 ms | requests |", "|---|---|---|---|---|---|---|");
    const rows: { scenario: string; server: string; added: number }[] = [];
    for (const s of SCENARIOS) {
      for (const sv of servers) {
        const xs = samples.get(key(s.name, sv.name))!;
        const base = sv.baseline ? samples.get(key(s.name, sv.baseline))! : null;
        const added = base ? quartiles(xs.map((x, i) => x.cpuUs - base[i].cpuUs)) : null;
        if (added) rows.push({ scenario: s.name, server: sv.name, added: added.median });
        const bad = xs.reduce((a, x) => a + x.non2xx, 0);
        L.push(`| ${s.name} | ${sv.name} | ${added ? q(added) : "(baseline)"} | ${q(quartiles(xs.map((x) => x.cpuUs)))} | ${f2(quartiles(xs.map((x) => x.p50)).median)} | ${f2(quartiles(xs.map((x) => x.p99)).median)} | ${xs.reduce((a, x) => a + x.requests, 0)}${bad ? ` (${bad} not 2xx)` : ""} |`);
      }
    }
    L.push("<!-- waf:end -->", "");
    L.push("Plugin ÷ ModSecurity, added CPU per request (median of the paired medians above):", "");
    L.push("| request | PL1 | PL2 |", "|---|---|---|");
    for (const s of SCENARIOS) {
      const ratio = (pl: number) => {
        const a = rows.find((r) => r.scenario === s.name && r.server === `Envoy + waf, CRS PL${pl}`)?.added ?? NaN;
        const b = rows.find((r) => r.scenario === s.name && r.server === `nginx + ModSecurity, CRS PL${pl}`)?.added ?? NaN;
        return `${f1(a / b)}×`;
      };
      L.push(`| ${s.name} | ${ratio(1)} | ${ratio(2)} |`);
    }
    L.push("", "## Body size: 1 KB → 1 MB (CRS PL1)", "", "JSON bodies of 4.5 KB text documents (so that 1 MB stays under ModSecurity's 1,000 arguments). Linear time means a flat CPU per KB.", "");
    L.push("| body | server | added CPU µs/req | µs per KB | p50 ms | requests |", "|---|---|---|---|---|---|");
    for (const s of curveScenarios) {
      const kb = Number(s.name.split(" ")[0]);
      for (const sv of curveServers.filter((x) => x.baseline)) {
        const xs = samples.get(key(s.name, sv.name))!;
        const base = samples.get(key(s.name, sv.baseline!))!;
        const added = quartiles(xs.map((x, i) => x.cpuUs - base[i].cpuUs));
        L.push(`| ${s.name} | ${sv.name} | ${q(added)} | ${f1(added.median / kb)} | ${f2(quartiles(xs.map((x) => x.p50)).median)} | ${xs.reduce((a, x) => a + x.requests, 0)} |`);
      }
    }
    L.push("", "## Start, size, memory", "");
    L.push("| | value |", "|---|---|");
    for (const sv of servers) L.push(`| start → ready: ${sv.name} | ${f0(sv.startMs)} ms |`);
    const loadMs = loadLines.map((l) => Number(/in ([\d.]+) ms/.exec(l)?.[1])).filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
    if (loadMs.length) L.push(`| CRS loaded into a VM (the plugin's start log, ${loadMs.length} VMs) | ${f1(loadMs[0])}–${f1(loadMs[loadMs.length - 1])} ms: \`${loadLines[0].trim().replace(/ in [\d.]+ ms/, "")}\` |`);
    for (const t of ["envoy", "higress"]) { const p = pluginWasm("waf", t as "envoy"); if (existsSync(p)) L.push(`| waf.wasm (${t} target) | ${(statSync(p).size / 1024).toFixed(0)} KiB |`); }
    L.push(`| VM linear memory after start (emulator) | ${(mem.afterStart / 1048576).toFixed(1)} MiB |`);
    for (const [n, b] of mem.after) L.push(`| VM linear memory after ${n} requests (the four above in turn) | ${(b / 1048576).toFixed(1)} MiB |`);
    for (const sv of servers) L.push(`| RSS of ${sv.name} (warm → after the rounds) | ${(rssWarm.get(sv.name)! / 1024).toFixed(0)} → ${(rssAfter.get(sv.name)! / 1024).toFixed(0)} MiB |`);
    L.push("");
    return L.join("\n");
  } finally {
    for (const s of servers) await s.stop().catch(() => {});
    up.proc.kill("SIGTERM");
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The summary docs/benchmarks.md quotes: the main table of docs/bench-waf.md. */
export function wafSummary(): string[] {
  const file = join(repoRoot, "docs", "bench-waf.md");
  if (!existsSync(file)) return [];
  const text = readFileSync(file, "utf8");
  const a = text.indexOf("<!-- waf:begin -->"), b = text.indexOf("<!-- waf:end -->");
  if (a < 0 || b < 0) return [];
  const when = /on (\S+):/.exec(text)?.[1] ?? "?";
  return ["", "## WAF: the plugin beside ModSecurity", "", `From [bench-waf.md](bench-waf.md) (${when}): the OWASP CRS in Envoy (Sluice's waf) and in nginx + libmodsecurity3, same run; the body-size curve, start, size and memory are there.`, "", ...text.slice(a + "<!-- waf:begin -->".length, b).trim().split("\n")];
}

if (process.argv[1]?.endsWith("waf.ts")) {
  const text = await wafBench((s) => console.log(s));
  if (argv.includes("--write")) { writeFileSync(join(repoRoot, "docs", "bench-waf.md"), text); console.log("waf bench: wrote docs/bench-waf.md"); }
  else console.log(text);
}
