// A fuzzer that drives every built plugin through the emulator (both targets) with random and
// mutated requests, responses, chunkings, configurations and callout answers, and the SDK's
// parsers one by one through an AssemblyScript test module. A trap is a failure; every trap is
// counted and kept with the input that caused it. Deterministic for a given seed.
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "../../harness/src/tools.js";
import { loadAsModule, type AsModule } from "../../harness/src/ascunit.js";
import { Emulator, type HttpStream, type Target, type BytePair } from "../../harness/src/emulator/index.js";
import { CONFIG_SEEDS, INJECTIONS, INTERESTING_HEADERS, PATHS, REQUEST_BODIES, RESPONSE_BODIES, ROUTES } from "./seeds.js";

// ---------------------------------------------------------------- randomness

export class Rng {
  constructor(private s: number) {}
  next(): number {
    // mulberry32
    let t = (this.s = (this.s + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(a: readonly T[]): T {
    return a[this.int(a.length)];
  }
  /** Mostly small sizes, sometimes large ones. */
  size(max: number): number {
    const r = this.next();
    if (r < 0.6) return this.int(16);
    if (r < 0.9) return this.int(256);
    if (r < 0.98) return this.int(8192);
    return this.int(max);
  }
}

const ASCII_ALPHABETS = [
  Buffer.from("abcdefghijklmnopqrstuvwxyz0123456789-_"),
  Buffer.from("ABCDEFGHIJKLMNOPQRSTUVWXYZabc ,;:=/?&%+.*\"'\\{}[]()<>@!#$^|~`"),
];
const UNICODE_PIECES = [..."éß中文😀\u0000\u0001\u007f\u00a0\u2028\ufeffa /"].map((c) => Buffer.from(c, "utf8"));

/** Random data is generated up to this size; longer inputs repeat it (big, not necessarily varied). */
const TILE = 2048;

function tile(b: Buffer, n: number): Buffer {
  if (b.length >= n || b.length === 0) return b.subarray(0, n);
  const out = Buffer.allocUnsafe(n);
  for (let off = 0; off < n; off += b.length) b.copy(out, off, 0, Math.min(b.length, n - off));
  return out;
}

function randomBytes(r: Rng, n: number): Buffer {
  const m = Math.min(n, TILE);
  const b = Buffer.allocUnsafe(m);
  for (let i = 0; i < m; i++) b[i] = r.int(256);
  return tile(b, n);
}

function randomText(r: Rng, n: number): Buffer {
  const kind = r.int(4);
  if (kind === 3) return randomBytes(r, n);
  const m = Math.min(n, TILE);
  let b: Buffer;
  if (kind < 2) {
    const a = ASCII_ALPHABETS[kind];
    b = Buffer.allocUnsafe(m);
    for (let i = 0; i < m; i++) b[i] = a[r.int(a.length)];
  } else {
    const parts: Buffer[] = [];
    let len = 0;
    while (len < m) {
      const p = UNICODE_PIECES[r.int(UNICODE_PIECES.length)];
      parts.push(p);
      len += p.length;
    }
    b = Buffer.concat(parts).subarray(0, m);
  }
  // A lone continuation byte or a cut multi-byte character now and then.
  if (r.chance(0.1) && b.length) b[r.int(b.length)] = 0x80 | r.int(64);
  return tile(b, n);
}

function oddCase(r: Rng, s: string): string {
  const k = r.int(8);
  if (k < 5) return s;
  if (k === 5) return s.toUpperCase();
  return s.replace(/[a-z]/g, (c) => (r.chance(0.3) ? c.toUpperCase() : c));
}

// ---------------------------------------------------------------- JSON mutation

function randomJsonValue(r: Rng, depth: number): unknown {
  switch (r.int(depth > 3 ? 6 : 8)) {
    case 0: return null;
    case 1: return r.chance(0.5);
    case 2: return r.pick([0, -1, 1e308, -1e-308, 2 ** 53 + 1, 3.5, 4294967296, -2147483649, NaN]);
    case 3: return randomText(r, r.size(64)).toString("utf8");
    case 4: return "";
    case 5: return r.pick(["*", "~.*", "/", "10.0.0.0/8", "::1", "Bearer x", "a:b", "openai", "claude", "true", "1"]);
    case 6: return Array.from({ length: r.int(5) }, () => randomJsonValue(r, depth + 1));
    default: {
      const o: Record<string, unknown> = {};
      for (let i = r.int(5); i > 0; i--) o[r.pick(["_rules_", "_match_route_", "_match_domain_", "consumers", "name", "credential", "keys", "allow", "deny", "type", "id", "x"])] = randomJsonValue(r, depth + 1);
      return o;
    }
  }
}

function mutateTree(r: Rng, v: unknown, depth = 0): unknown {
  if (r.chance(0.15) || depth > 6) return randomJsonValue(r, depth);
  if (Array.isArray(v)) {
    const a = v.map((x) => (r.chance(0.3) ? mutateTree(r, x, depth + 1) : x));
    if (r.chance(0.2)) a.push(randomJsonValue(r, depth + 1));
    if (r.chance(0.1)) a.splice(r.int(a.length + 1), 1);
    if (r.chance(0.05)) return Array(r.int(2000)).fill(a[0] ?? 1);
    return a;
  }
  if (v && typeof v === "object") {
    const o: Record<string, unknown> = { ...(v as Record<string, unknown>) };
    for (const k of Object.keys(o)) {
      if (r.chance(0.1)) delete o[k];
      else if (r.chance(0.3)) o[k] = mutateTree(r, o[k], depth + 1);
    }
    if (r.chance(0.15)) o[r.pick(["_rules_", "provider", "providers", "consumers", "global_auth", "modelMapping", "status", randomText(r, 5).toString()])] = randomJsonValue(r, depth + 1);
    return o;
  }
  return r.chance(0.5) ? randomJsonValue(r, depth) : v;
}

/** Text-level damage: cuts, inserts, deep nesting, duplicated ranges, invalid escapes. */
function mutateText(r: Rng, text: string): Buffer {
  let b = Buffer.from(text, "utf8");
  for (let n = 1 + r.int(3); n > 0; n--) {
    const at = r.int(b.length + 1);
    switch (r.int(8)) {
      case 0: b = b.subarray(0, at); break;
      case 1: b = Buffer.concat([b.subarray(0, at), randomText(r, 1 + r.int(8)), b.subarray(at)]); break;
      case 2: b = Buffer.concat([b.subarray(0, at), b.subarray(at + 1 + r.int(8))]); break;
      case 3: { const open = r.chance(0.5) ? "[" : '{"a":'; b = Buffer.from(open.repeat(1 + r.int(r.chance(0.02) ? 100000 : 300)) + "1"); break; }
      case 4: b = Buffer.concat([b.subarray(0, at), b.subarray(Math.max(0, at - 20), at), b.subarray(at)]); break;
      case 5: b = Buffer.concat([b.subarray(0, at), Buffer.from(r.pick(['\\u', '\\ud800', '"', "\\", "1e999999", "-", "0x", "\u0000", "\\ud83d\\u0041"])), b.subarray(at)]); break;
      case 6: b = Buffer.concat([b.subarray(0, at), Buffer.from([0xff, 0xfe, 0xc3]), b.subarray(at)]); break;
      default: b = Buffer.from(JSON.stringify(mutateTree(r, safeParse(b.toString("utf8")))) ?? "null");
    }
  }
  return b;
}

function safeParse(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return s;
  }
}

export function mutateConfig(r: Rng, seed: unknown): Buffer {
  const k = r.int(10);
  if (k < 5) return Buffer.from(JSON.stringify(mutateTree(r, seed)));
  if (k < 8) return mutateText(r, JSON.stringify(seed));
  if (k < 9) return Buffer.from(JSON.stringify(randomJsonValue(r, 0)));
  return randomText(r, r.size(2048));
}

// ---------------------------------------------------------------- requests

function headerValue(r: Rng, name: string): Buffer {
  const v = r.int(10);
  if (v < 3) {
    switch (name) {
      case "authorization":
        return Buffer.from(r.pick([
          "Basic " + Buffer.from(r.pick(["alice:wonderland", "bob:builder", "alice", ":", "a:b:c", ""])).toString("base64"),
          "Basic " + randomText(r, r.size(300)).toString("latin1"),
          "Bearer " + ["eyJhbGciOiJIUzI1NiJ9", "eyJ9", randomText(r, 20).toString("base64url")].join("."),
          "Bearer " + Buffer.from('{"alg":"none"}').toString("base64url") + "." + Buffer.from('{"iss":"iss","exp":1}').toString("base64url") + ".",
          "Signature keyId=\"ak-alice\",algorithm=\"hmac-sha256\",headers=\"@request-target date\",signature=\"" + randomText(r, 30).toString("base64") + "\"",
          "Basic", "Bearer", " ",
        ]));
      case "x-forwarded-for": case "x-real-ip":
        return Buffer.from(r.pick(["10.1.2.3", "8.8.8.8, 10.0.0.1", "[2001:db8::1]:443", "::ffff:10.0.0.7", "999.1.1.1", "1.2.3", "fe80::1%eth0", ",,,", "10.1.2.3:99999", "::", "1.2.3.4/24"]));
      case "content-type":
        return Buffer.from(r.pick(["application/json", "text/event-stream", "application/json; charset=utf-8", "multipart/form-data; boundary=x", "application/grpc"]));
      case "content-length":
        return Buffer.from(r.pick(["0", "-1", "99999999999999999999", "abc", "5"]));
      case "host":
        return Buffer.from(r.pick(["api.example.com", "example.com:8080", "[::1]:80", "a.team.example.com", "", "x".repeat(300)]));
      case "x-api-key": case "apikey":
        return Buffer.from(r.pick(["alice-key", "bob-key", "", "ALICE-KEY"]));
      case "date":
        return Buffer.from(r.pick([new Date(0).toUTCString(), "Thu, 26 Nov 2026 15:00:00 GMT", "garbage"]));
      case "x-probe-args":
        return mutateText(r, '["k","v","10"]');
    }
  }
  // A valid-looking value with invalid UTF-8 on it: an appended 0xff, an overlong 'a' (0xc1 0xa1),
  // a cut multi-byte character, a NUL — credentials and signatures must compare as bytes.
  if (v < 4) return Buffer.concat([headerValue(r, name), Buffer.from(r.pick([[0xff], [0xc1, 0xa1], [0xe4, 0xb8], [0x00], [0xc0, 0x80], [0xed, 0xa0, 0x80]]))]);
  if (v < 9) return randomText(r, r.size(r.chance(0.002) ? 65536 : 512));
  return randomBytes(r, r.size(2048));
}

function randomHeaders(r: Rng, pseudo: boolean, status?: number): BytePair[] {
  const out: BytePair[] = [];
  if (pseudo) {
    out.push([Buffer.from(":authority"), r.chance(0.9) ? Buffer.from(r.pick(["example.com", "api.example.com", "a.team.example.com:8443", "x"])) : randomText(r, r.size(300))]);
    out.push([Buffer.from(":path"), r.chance(0.7) ? Buffer.from(r.pick(PATHS)) : Buffer.concat([Buffer.from("/"), randomText(r, r.size(4096))])]);
    out.push([Buffer.from(":method"), Buffer.from(r.chance(0.9) ? r.pick(["GET", "POST", "PUT", "DELETE", "OPTIONS", "HEAD"]) : randomText(r, 8).toString("latin1"))]);
    out.push([Buffer.from(":scheme"), Buffer.from("http")]);
    if (r.chance(0.05)) out.splice(r.int(out.length), 1);
  } else if (status !== undefined) {
    out.push([Buffer.from(":status"), Buffer.from(String(status))]);
  }
  const n = r.chance(0.003) ? r.int(1500) : r.int(9);
  for (let i = 0; i < n; i++) {
    const name = r.chance(0.7) ? oddCase(r, r.pick(INTERESTING_HEADERS)) : randomText(r, 1 + r.size(64)).toString("latin1");
    const value = headerValue(r, name.toLowerCase());
    const times = r.chance(0.1) ? 1 + r.int(r.chance(0.02) ? 200 : 4) : 1;
    for (let t = 0; t < times; t++) out.push([Buffer.from(name, "latin1"), value]);
  }
  if (r.chance(0.05)) out.push([Buffer.alloc(0), Buffer.from("empty name")]);
  return out;
}

function randomBody(r: Rng, seeds: readonly string[]): Buffer {
  const k = r.int(10);
  if (k < 3) return Buffer.from(r.pick(seeds));
  if (k < 7) return mutateText(r, r.pick(seeds));
  if (k < 9) return randomText(r, r.size(r.chance(0.002) ? 1 << 20 : 8192));
  // Now and then a body of several MB (in a few chunks): past what most plugins expect.
  if (r.chance(0.005)) return randomText(r, (4 << 20) + r.int(8 << 20));
  return Buffer.alloc(0);
}

function chunk(r: Rng, b: Buffer): Buffer[] {
  if (b.length === 0) return r.chance(0.5) ? [] : [b];
  // Split at every byte now and then: hooks must hold for any split point.
  if (b.length <= 512 && r.chance(0.05)) return Array.from({ length: b.length }, (_, i) => b.subarray(i, i + 1));
  const n = r.chance(0.5) ? 1 : 1 + r.int(Math.min(12, b.length));
  const cuts = new Set<number>();
  while (cuts.size < n - 1) cuts.add(1 + r.int(Math.max(1, b.length - 1)));
  const sorted = [...cuts].sort((a, c) => a - c);
  const out: Buffer[] = [];
  let prev = 0;
  for (const c of sorted) {
    out.push(b.subarray(prev, c));
    prev = c;
  }
  out.push(b.subarray(prev));
  if (r.chance(0.05)) out.splice(r.int(out.length + 1), 0, Buffer.alloc(0));
  return out;
}

/** Answers whatever callouts are waiting: a response, a timeout or a reset. */
function answerCallouts(r: Rng, host: Emulator): void {
  for (let guard = 0; guard < 8; guard++) {
    const calls = host.pendingHttpCalls();
    if (calls.length === 0) return;
    for (const c of calls) {
      const k = r.int(10);
      if (k === 0) c.timeout();
      else if (k === 1) c.reset();
      else c.respond({ status: r.pick([200, 200, 201, 204, 302, 400, 401, 403, 404, 429, 500, 503, 0, 999]), headers: randomHeaders(r, false) as [Buffer, Buffer][], body: randomBody(r, RESPONSE_BODIES) });
    }
  }
}

/** One whole request/response exchange with random everything. */
function driveExchange(r: Rng, host: Emulator): void {
  const s: HttpStream = host.stream({ sourceAddress: r.chance(0.8) ? "127.0.0.1:40000" : r.pick(["10.0.0.1:1", "[2001:db8::1]:2", "8.8.8.8:3"]) });
  const body = r.chance(0.5) ? randomBody(r, REQUEST_BODIES) : Buffer.alloc(0);
  const chunks = chunk(r, body);
  // Streams that end on trailers instead of a data frame (h2, gRPC, HTTP/1 chunked trailers).
  const trailers = r.chance(0.2) ? randomHeaders(r, false) : null;
  s.sendRequestHeaders(randomHeaders(r, true), chunks.length === 0 && !trailers);
  answerCallouts(r, host);
  for (let i = 0; i < chunks.length; i++) {
    s.sendRequestBody(chunks[i], i === chunks.length - 1 && !trailers);
    answerCallouts(r, host);
  }
  if (trailers) s.sendRequestTrailers(trailers);
  answerCallouts(r, host);
  if (r.chance(0.05)) host.advance(r.int(2000));
  if (!s.localResponse && !s.reset && r.chance(0.95)) {
    const rbody = r.chance(0.8) ? randomBody(r, RESPONSE_BODIES) : Buffer.alloc(0);
    const rchunks = chunk(r, rbody);
    const rtrailers = r.chance(0.15) ? randomHeaders(r, false) : null;
    const ct = r.chance(0.5) ? [[Buffer.from("content-type"), Buffer.from(r.pick(["application/json", "text/event-stream", "text/plain"]))] as BytePair] : [];
    s.sendResponseHeaders([...randomHeaders(r, false, r.pick([200, 200, 200, 201, 400, 401, 404, 429, 500, 503, 100, 0, 999])), ...ct], rchunks.length === 0 && !rtrailers);
    answerCallouts(r, host);
    for (let i = 0; i < rchunks.length; i++) {
      s.sendResponseBody(rchunks[i], i === rchunks.length - 1 && !rtrailers);
      answerCallouts(r, host);
    }
    if (rtrailers) s.sendResponseTrailers(rtrailers);
  }
  s.complete();
}

// ---------------------------------------------------------------- targets

export interface FuzzTarget {
  name: string;
  target: Target;
  module: WebAssembly.Module;
  seeds: unknown[];
}

export function discoverTargets(only?: string[]): FuzzTarget[] {
  const out: FuzzTarget[] = [];
  const allSeeds = Object.values(CONFIG_SEEDS).flat();
  for (const base of ["plugins", join("test", "plugins")]) {
    const dir = join(repoRoot, base);
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir).sort()) {
      if (only && !only.includes(name)) continue;
      for (const target of ["envoy", "higress"] as const) {
        const path = join(dir, name, "build", `${target}.wasm`);
        if (!existsSync(path)) continue;
        const own = CONFIG_SEEDS[name];
        out.push({ name, target, module: new WebAssembly.Module(readFileSync(path)), seeds: own ?? [{}, ...allSeeds] });
      }
    }
  }
  return out;
}

// Any cluster name exists; the fuzzer answers the callouts itself.
const ANY_CLUSTER = new Proxy({} as Record<string, null>, { get: (_t, k) => (typeof k === "string" && !k.startsWith("redis") ? null : undefined) });

export interface TrapRecord {
  plugin: string;
  target: string;
  kind: "request" | "config" | "parser";
  callback: string;
  message: string;
  detail: string;
  count: number;
  example: string;
}

export interface FuzzStats {
  inputs: number;
  traps: number;
  perPlugin: Record<string, { requests: number; configs: number; started: number; traps: number; skipped: number }>;
  parsers: Record<string, { inputs: number; traps: number }>;
  unique: TrapRecord[];
  ms: number;
  seed: number;
}

function trapKey(t: Omit<TrapRecord, "count" | "example">): string {
  return `${t.plugin}|${t.target}|${t.kind}|${t.callback}|${t.message}|${t.detail}`;
}

export interface FuzzOptions {
  inputs: number;
  seed?: number;
  plugins?: string[];
  /** Share of inputs spent on the SDK parsers (default 0.15). */
  parserShare?: number;
  /** Share of plugin inputs that mutate the configuration (default 0.1). */
  configShare?: number;
  onProgress?: (done: number, stats: FuzzStats) => void;
  /** Stop early (wall clock) — the CI-facing run keeps under a minute on a busy machine. */
  timeBudgetMs?: number;
  /** Modules to fuzz besides the discovered builds (the fuzzer's own self-test uses this). */
  extraTargets?: FuzzTarget[];
}

class HostPool {
  private hosts = new Map<string, { host: Emulator; uses: number }>();
  async get(t: FuzzTarget, seedIndex: number): Promise<Emulator | null> {
    const key = `${t.name}|${t.target}|${seedIndex}`;
    const cur = this.hosts.get(key);
    // A fresh VM now and then bounds memory growth like a long-running Envoy would not; it also
    // re-runs configuration, the riskiest code path, with the seed.
    if (cur && !cur.host.failed && cur.uses < 5000) {
      cur.uses++;
      return cur.host;
    }
    const host = await Emulator.load(t.module, { target: t.target, config: t.seeds[seedIndex], pluginName: t.name, routes: ROUTES, clusters: ANY_CLUSTER, allowStartFailure: true, logLevel: "trace" });
    this.hosts.set(key, { host, uses: 1 });
    return host.started ? host : null;
  }
}

export async function runFuzz(opts: FuzzOptions): Promise<FuzzStats> {
  const seed = opts.seed ?? 1;
  const r = new Rng(seed);
  const t0 = Date.now();
  const targets = [...discoverTargets(opts.plugins), ...(opts.extraTargets ?? [])];
  const stats: FuzzStats = { inputs: 0, traps: 0, perPlugin: {}, parsers: {}, unique: [], ms: 0, seed };
  const unique = new Map<string, TrapRecord>();
  const record = (t: Omit<TrapRecord, "count" | "example">, example: string) => {
    stats.traps++;
    const key = trapKey(t);
    const u = unique.get(key);
    if (u) u.count++;
    else unique.set(key, { ...t, count: 1, example: example.slice(0, 300) });
  };
  const parserInputs = Math.round(opts.inputs * (opts.parserShare ?? 0.15));
  const pluginInputs = opts.inputs - parserInputs;
  // Compile/load the parser module first: a broken SDK edit elsewhere fails fast, not at the end.
  const parserModule = parserInputs > 0 ? loadAsModule("test/fuzz/parsers.entry.ts") : null;
  const pool = new HostPool();
  const configShare = opts.configShare ?? 0.1;

  const deadline = opts.timeBudgetMs ? t0 + opts.timeBudgetMs : Infinity;
  // Parsers get their share of the time budget too.
  const pluginDeadline = t0 + (deadline - t0) * (1 - (opts.parserShare ?? 0.15));
  for (let i = 0; stats.inputs < pluginInputs && targets.length && i < pluginInputs * 4; i++) {
    if ((i & 63) === 0) {
      if (Date.now() > pluginDeadline) break;
      // Let timers and I/O run (test runners talk to their workers over the event loop).
      await new Promise((res) => setImmediate(res));
    }
    const t = targets[i % targets.length];
    const label = `${t.name} [${t.target}]`;
    const pp = (stats.perPlugin[label] ??= { requests: 0, configs: 0, started: 0, traps: 0, skipped: 0 });
    const caseSeed = r.int(2 ** 31);
    const cr = new Rng(caseSeed);
    stats.inputs++;
    if (cr.chance(configShare)) {
      pp.configs++;
      const cfg = mutateConfig(cr, cr.pick(t.seeds));
      const host = await Emulator.load(t.module, { target: t.target, config: cfg, pluginName: t.name, routes: ROUTES, clusters: ANY_CLUSTER, allowStartFailure: true, logLevel: "trace" });
      if (host.started) {
        pp.started++;
        for (let k = cr.int(3); k >= 0 && !host.failed; k--) driveExchange(cr, host);
      }
      if (host.traps.length) {
        pp.traps++;
        const tr = host.traps[0];
        record({ plugin: t.name, target: t.target, kind: "config", callback: tr.callback, message: tr.message, detail: abortLine(host) }, `seed ${caseSeed}: config ${JSON.stringify(cfg.toString("utf8").slice(0, 200))}`);
      }
    } else {
      const seedIndex = cr.int(t.seeds.length);
      const host = await pool.get(t, seedIndex);
      if (!host) {
        // This seed configuration does not start: the input is not counted as a request.
        stats.inputs--;
        pp.skipped++;
        continue;
      }
      pp.requests++;
      const before = host.traps.length;
      driveExchange(cr, host);
      if (host.traps.length > before) {
        pp.traps++;
        const tr = host.traps[before];
        record({ plugin: t.name, target: t.target, kind: "request", callback: tr.callback, message: tr.message, detail: abortLine(host) }, `seed ${caseSeed} (config seed ${seedIndex})`);
      }
    }
    if (opts.onProgress && i % 1000 === 0) {
      stats.unique = [...unique.values()];
      stats.ms = Date.now() - t0;
      opts.onProgress(stats.inputs, stats);
    }
  }

  if (parserModule) await fuzzParsers(r, parserModule, parserInputs, stats, record, deadline);
  stats.unique = [...unique.values()].sort((a, b) => b.count - a.count);
  stats.ms = Date.now() - t0;
  return stats;
}

function abortLine(host: Emulator): string {
  const crit = host.logs.filter((l) => l.level >= 5 && /sluice: abort/.test(l.message));
  return crit.length ? crit[crit.length - 1].message.replace(/^.*?sluice: abort/, "abort") : "";
}

// ---------------------------------------------------------------- SDK parsers

export const PARSERS = ["json", "pairs", "config", "resp", "sse", "eventstream", "regex", "path", "regexset", "multipart", "libinjection"] as const;

async function fuzzParsers(r: Rng, first: AsModule, n: number, stats: FuzzStats, record: (t: Omit<TrapRecord, "count" | "example">, ex: string) => void, deadline: number): Promise<void> {
  let m = first;
  // After a trap the instance is suspect; a new one comes from the same compiled file (it is only
  // recompiled if an SDK file changed meanwhile).
  const fresh = () => (m = loadAsModule("test/fuzz/parsers.entry.ts"));
  for (let i = 0; i < n; i++) {
    if ((i & 63) === 0) {
      if (Date.now() > deadline) break;
      await new Promise((res) => setImmediate(res));
    }
    const which = PARSERS[i % PARSERS.length];
    const p = (stats.parsers[which] ??= { inputs: 0, traps: 0 });
    p.inputs++;
    stats.inputs++;
    const caseSeed = r.int(2 ** 31);
    const cr = new Rng(caseSeed);
    const e = m.exports as unknown as Record<string, (...a: number[]) => number>;
    const pins: number[] = [];
    try {
      switch (which) {
        case "json": pins.push(m.newBuffer(cr.chance(0.7) ? mutateText(cr, cr.pick([...REQUEST_BODIES, ...RESPONSE_BODIES])) : randomText(cr, cr.size(4096)))); e.fuzzJson(pins[0]); break;
        case "pairs": pins.push(m.newBuffer(randomPairsBytes(cr))); e.fuzzPairs(pins[0]); break;
        case "config": pins.push(m.newString(mutateConfig(cr, cr.pick(Object.values(CONFIG_SEEDS).flat())).toString("utf8"))); e.fuzzConfig(pins[0]); break;
        case "resp": { const b = randomResp(cr); pins.push(m.newBuffer(b)); e.fuzzResp(pins[0], cr.int(b.length + 1)); break; }
        case "sse": { const b = cr.chance(0.6) ? mutateText(cr, RESPONSE_BODIES[cr.chance(0.5) ? 1 : 2]) : randomText(cr, cr.size(20000)); pins.push(m.newBuffer(b)); e.fuzzSse(pins[0], cr.int(b.length + 1)); break; }
        case "eventstream": { const b = randomEventStream(cr); pins.push(m.newBuffer(b)); e.fuzzEventStream(pins[0], cr.int(b.length + 1)); break; }
        case "regex": pins.push(m.newString(randomRegex(cr)), m.newString(randomText(cr, cr.size(200)).toString("utf8"))); e.fuzzRegex(pins[0], pins[1]); break;
        case "path": pins.push(m.newBuffer(cr.chance(0.5) ? Buffer.concat([Buffer.from(cr.pick(PATHS)), randomText(cr, cr.size(64))]) : randomText(cr, cr.size(512)))); { const v = e.fuzzPath(pins[0]); if (v === -1) throw new Error("normalizePath is not idempotent"); } break;
        case "multipart": { const [b, ct] = randomMultipart(cr); pins.push(m.newBuffer(b), m.newString(ct)); if (e.fuzzMultipart(pins[0], pins[1]) === -1) throw new Error("findFormFields gave a span outside the body"); break; }
        case "libinjection": pins.push(m.newBuffer(cr.chance(0.6) ? mutateText(cr, cr.pick(INJECTIONS)) : randomText(cr, cr.size(cr.chance(0.1) ? 20000 : 300)))); if (e.fuzzLibinjection(pins[0]) === -1) throw new Error("detectSQLi and sqliFingerprint disagree"); break;
        case "regexset": pins.push(m.newString(Array.from({ length: 1 + cr.int(6) }, () => randomRegex(cr)).join("\n")), m.newString(randomText(cr, cr.size(400)).toString("utf8"))); e.fuzzRegexSet(pins[0], pins[1]); break;
      }
      for (const ptr of pins) m.unpin(ptr);
    } catch (err) {
      p.traps++;
      record({ plugin: `sdk:${which}`, target: "-", kind: "parser", callback: which, message: (err as Error).message, detail: m.logs.filter((l) => l.includes("abort")).pop() ?? "" }, `seed ${caseSeed}`);
      fresh();
    }
  }
}

/** A multipart/form-data body (well-formed, then mutated) and its content type, sometimes without a boundary. */
function randomMultipart(r: Rng): [Buffer, string] {
  const boundary = r.chance(0.5) ? "b" : randomText(r, r.size(12)).toString("latin1").replace(/[\r\n;"]/g, "x") || "b";
  const parts: Buffer[] = [];
  for (let i = 0, n = r.int(5); i < n; i++) {
    const name = r.pick(["model", "file", "Model", "model\"x", ""]);
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n`), randomText(r, r.size(64)), Buffer.from("\r\n"));
  }
  if (r.chance(0.8)) parts.push(Buffer.from(`--${boundary}--\r\n`));
  const body = Buffer.concat(parts);
  const ct = r.chance(0.9) ? `multipart/form-data; boundary=${r.chance(0.3) ? `"${boundary}"` : boundary}` : "multipart/form-data";
  return [r.chance(0.5) ? mutateText(r, body.toString("latin1")) : body, ct];
}

function randomPairsBytes(r: Rng): Buffer {
  const pairs: BytePair[] = Array.from({ length: r.int(r.chance(0.05) ? 2000 : 8) }, () => [randomText(r, r.size(64)), randomText(r, r.size(256))]);
  let size = 4;
  for (const [k, v] of pairs) size += 8 + k.length + v.length + 2;
  const b = Buffer.alloc(size);
  b.writeUInt32LE(pairs.length, 0);
  let s = 4, d = 4 + pairs.length * 8;
  for (const [k, v] of pairs) {
    b.writeUInt32LE(k.length, s); b.writeUInt32LE(v.length, s + 4); s += 8;
    k.copy(b, d); d += k.length + 1; v.copy(b, d); d += v.length + 1;
  }
  // Lie about sizes and counts, cut the buffer, flip bytes.
  const out = Buffer.from(b);
  for (let n = r.int(4); n > 0 && out.length; n--) {
    const k = r.int(4);
    if (k === 0) out.writeUInt32LE(r.pick([0, 1, 1024, 1025, 0xffffffff, r.int(1 << 30)]) >>> 0, Math.min(out.length - 4, 4 * r.int(Math.max(1, out.length >> 2))) & ~3);
    else if (k === 1) return out.subarray(0, r.int(out.length));
    else out[r.int(out.length)] = r.int(256);
  }
  return out;
}

function randomResp(r: Rng): Buffer {
  const one = (d: number): string => {
    switch (r.int(d > 3 ? 5 : 7)) {
      case 0: return "+" + randomText(r, r.size(20)).toString("latin1").replace(/[\r\n]/g, "") + "\r\n";
      case 1: return "-ERR " + "x".repeat(r.size(50)) + "\r\n";
      case 2: return ":" + r.pick(["0", "-1", "9223372036854775807", "99999999999999999999", "abc", ""]) + "\r\n";
      case 3: { const s = randomText(r, r.size(100)).toString("latin1"); return "$" + r.pick([String(s.length), "-1", String(s.length + 1), "-5", "x"]) + "\r\n" + s + "\r\n"; }
      case 4: return "$-1\r\n";
      default: { const n = r.int(5); return "*" + r.pick([String(n), "-1", String(n + 2), "99999999"]) + "\r\n" + Array.from({ length: n }, () => one(d + 1)).join(""); }
    }
  };
  const text = one(0);
  const b = Buffer.from(text, "latin1");
  if (r.chance(0.2)) b[r.int(b.length)] = r.int(256);
  if (r.chance(0.05)) return Buffer.from("*1\r\n".repeat(r.int(100000)));
  return r.chance(0.1) ? b.subarray(0, r.int(b.length)) : b;
}

function randomEventStream(r: Rng): Buffer {
  // AWS event-stream framing: total len, headers len, prelude CRC, headers, payload, message CRC.
  const payload = randomText(r, r.size(200));
  const headers = randomBytes(r, r.size(40));
  const total = 12 + headers.length + payload.length + 4;
  const b = Buffer.alloc(total);
  b.writeUInt32BE(r.chance(0.8) ? total : r.int(2 ** 32), 0);
  b.writeUInt32BE(r.chance(0.8) ? headers.length : r.int(2 ** 32), 4);
  headers.copy(b, 12);
  payload.copy(b, 12 + headers.length);
  return r.chance(0.3) ? Buffer.concat([b, b]) : b;
}

function randomRegex(r: Rng): string {
  const atoms = ["a", ".", "\\d", "\\w+", "[a-z]", "[^\\s]", "(a|b)", "(?i)x", "\\p{L}", "\\pN", "[[:alpha:]]", "(?P<n>a)", "x{2,5}", "x{1000}", "x{1001}", "^", "$", "\\b", "(?s).", "\\Q*\\E", "[\\x{10FFFF}]", "\\", "(", ")", "[", "]", "*", "+?", "{", "a{,3}", "(?<n>", "\\8", "(?=a)", "\\C", "[z-a]"];
  let s = "";
  for (let i = 1 + r.int(8); i > 0; i--) s += r.chance(0.9) ? r.pick(atoms) : randomText(r, 3).toString("utf8");
  if (r.chance(0.05)) s = "(".repeat(r.int(2000)) + "a" + ")".repeat(r.int(2000));
  return s;
}

export function formatReport(stats: FuzzStats, command: string, partial = ""): string {
  const lines: string[] = [];
  lines.push("# Fuzz report", "");
  if (partial) lines.push(`> **Partial result** — ${partial}`, "");
  lines.push(`Command: \`${command}\` — seed ${stats.seed}, ${stats.inputs.toLocaleString("en-US")} inputs in ${(stats.ms / 1000).toFixed(1)} s, **${stats.traps} traps**.`, "");
  lines.push("Every built plugin runs in the emulator (harness/src/emulator) on both targets with random and mutated request/response headers (huge, duplicated, non-UTF-8, odd cases), bodies, chunkings, trailers, callout answers (responses, timeouts, resets), ticks, and mutated configurations; the SDK parsers are fuzzed one by one through an AssemblyScript test module (test/fuzz/parsers.entry.ts). A trap is a failure.", "");
  lines.push("## Plugins", "", "A request input is one whole exchange on a VM whose (seed) configuration started; a config input loads a mutated configuration and, when it starts, runs up to three exchanges on it.", "", "| plugin [target] | request inputs | config inputs | configs that started | traps |", "|---|---:|---:|---:|---:|");
  for (const [name, p] of Object.entries(stats.perPlugin).sort()) lines.push(`| ${name} | ${p.requests} | ${p.configs} | ${p.started} | ${p.traps} |`);
  lines.push("", "## SDK parsers", "", "| parser | inputs | traps |", "|---|---:|---:|");
  for (const [name, p] of Object.entries(stats.parsers)) lines.push(`| ${name} | ${p.inputs} | ${p.traps} |`);
  lines.push("", `## Unique errors (${stats.unique.length})`, "");
  if (stats.unique.length === 0) lines.push("None.");
  for (const u of stats.unique) lines.push(`- **${u.plugin} [${u.target}]** ${u.kind} in \`${u.callback}\`: ${u.message}${u.detail ? ` — ${u.detail}` : ""} (×${u.count}; first: ${u.example})`);
  lines.push("", `The run is deterministic: the same command (same --inputs, --seed, --workers, and the same builds) replays the same inputs. An example's "seed" is the per-case seed printed with it.`);
  return lines.join("\n") + "\n";
}
