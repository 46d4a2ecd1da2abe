// A runner for CRS's go-ftw regression tests (go-ftw YAML schema v2): reads the test
// files, builds each request byte for byte as go-ftw v2 does (ftwhttp/request.go, test/types.go),
// sends it to a WAF target, and checks the stage's `output` the way go-ftw's runner does
// (runner/check_*.go). go-ftw itself is not on the Go module proxy, hence this copy of its rules.
import { randomUUID } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join, relative } from "node:path";
import { parse } from "yaml";
import type { WafTarget } from "./waf-log.js";
import { exchange, type WireResponse } from "./waf-wire.js";

export interface FtwInput {
  dest_addr?: string;
  port?: string;
  protocol?: string;
  method?: string;
  uri?: string;
  version?: string;
  headers?: Record<string, string>;
  ordered_headers?: { name: string; value: string }[];
  data?: string;
  encoded_data?: string;
  encoded_request?: string;
  autocomplete_headers?: boolean;
  stop_magic?: boolean;
}

export interface FtwOutput {
  status?: number;
  response_contains?: string;
  log_contains?: string;
  no_log_contains?: string;
  log?: { expect_ids?: number[]; no_expect_ids?: number[]; match_regex?: string; no_match_regex?: string };
  expect_error?: boolean;
  retry_once?: boolean;
  isolated?: boolean;
}

export interface FtwStage {
  input: FtwInput;
  output: FtwOutput;
}

export interface FtwTest {
  ruleId: number;
  testId: number;
  /** Folder of the test file under tests/, i.e. the rule file it tests (REQUEST-942-APPLICATION-ATTACK-SQLI). */
  group: string;
  file: string;
  desc?: string;
  stages: FtwStage[];
}

export interface FtwFile {
  path: string;
  ruleId: number;
  tests: FtwTest[];
}

/** `<rule>-<test>`, as go-ftw names tests in overrides and output. */
export const testName = (t: { ruleId: number; testId: number }) => `${t.ruleId}-${t.testId}`;

// The YAML failsafe schema keeps every scalar a string, as Go's typed decoding sees header values
// and data (`0x10`, `1e3`, `yes` stay text); numbers and booleans are converted where the schema has them.
type Raw = Record<string, unknown>;
const str = (v: unknown): string | undefined => (v === undefined || v === null ? undefined : String(v));
const num = (v: unknown): number | undefined => (v === undefined || v === null || v === "" ? undefined : Number(v));
const bool = (v: unknown): boolean | undefined => (v === undefined || v === null || v === "" ? undefined : String(v).toLowerCase() === "true");
const nums = (v: unknown): number[] | undefined => (Array.isArray(v) ? v.map(Number) : v === undefined || v === null || v === "" ? undefined : [Number(v)]);

function toInput(r: Raw): FtwInput {
  const input: FtwInput = {
    dest_addr: str(r.dest_addr),
    port: str(r.port),
    protocol: str(r.protocol),
    method: str(r.method),
    uri: str(r.uri),
    version: str(r.version),
    data: str(r.data),
    encoded_data: str(r.encoded_data),
    encoded_request: str(r.encoded_request),
    autocomplete_headers: bool(r.autocomplete_headers),
    stop_magic: bool(r.stop_magic),
  };
  if (r.headers && typeof r.headers === "object") input.headers = Object.fromEntries(Object.entries(r.headers as Raw).map(([k, v]) => [k, str(v) ?? ""]));
  if (Array.isArray(r.ordered_headers)) input.ordered_headers = (r.ordered_headers as Raw[]).map((h) => ({ name: str(h.name) ?? "", value: str(h.value) ?? "" }));
  return input;
}

export function toOutput(r: Raw | undefined): FtwOutput {
  if (!r) return {};
  const log = (r.log ?? {}) as Raw;
  const out: FtwOutput = {
    status: num(r.status),
    response_contains: str(r.response_contains),
    log_contains: str(r.log_contains),
    no_log_contains: str(r.no_log_contains),
    log: { expect_ids: nums(log.expect_ids), no_expect_ids: nums(log.no_expect_ids), match_regex: str(log.match_regex), no_match_regex: str(log.no_match_regex) },
    expect_error: bool(r.expect_error),
    retry_once: bool(r.retry_once),
    isolated: bool(r.isolated),
  };
  // go-ftw test/types.go postProcessLogContains: the old keys become regexes when the log block has none.
  if (out.log_contains && !out.log!.expect_ids && !out.log!.match_regex) out.log!.match_regex = out.log_contains;
  if (out.no_log_contains && !out.log!.no_expect_ids && !out.log!.no_match_regex) out.log!.no_match_regex = out.no_log_contains;
  return out;
}

/** Parses one test file; the rule id falls back on the first number in the file name, like go-ftw. */
export function parseFtwFile(text: string, path: string, root: string): FtwFile {
  const doc = (parse(text, { schema: "failsafe", uniqueKeys: false }) ?? {}) as Raw;
  const name = basename(path);
  let ruleId = num(doc.rule_id) ?? 0;
  if (!ruleId) {
    const m = /\d+/.exec(name);
    if (!m) throw new Error(`${path}: no rule_id and no number in the file name`);
    ruleId = Number(m[0]);
  }
  const group = relative(root, path).split(/[\\/]/)[0];
  const tests = ((doc.tests ?? []) as Raw[]).map((t, i): FtwTest => ({
    ruleId,
    testId: num(t.test_id) ?? num(t.id) ?? i + 1,
    group,
    file: name,
    desc: str(t.desc),
    stages: ((t.stages ?? []) as Raw[]).map((s) => {
      // Schema v1 nested each stage under `stage:`.
      const st = (s.stage ?? s) as Raw;
      if (!st.input) throw new Error(`${path}: test ${i + 1} has a stage without input`);
      return { input: toInput(st.input as Raw), output: toOutput(st.output as Raw) };
    }),
  }));
  return { path, ruleId, tests };
}

/**
 * Every `*.y*ml` file under `root` (go-ftw's glob), sorted, parsed; `only` picks files by name.
 * Parsing all 3 MB takes seconds (a minute on a loaded machine), so it yields between files: a
 * vitest worker that never yields for 60 s loses its RPC to the runner.
 */
export async function loadFtwFiles(root: string, only?: (fileName: string) => boolean): Promise<FtwFile[]> {
  const files: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d).sort()) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.y[^/]*ml$/.test(e) && (!only || only(e))) files.push(p);
    }
  };
  walk(root);
  const out: FtwFile[] = [];
  for (const p of files) {
    out.push(parseFtwFile(readFileSync(p, "utf8"), p, root));
    await new Promise((r) => setImmediate(r));
  }
  return out;
}

export interface FtwOverride {
  ruleId: number;
  testIds: number[];
  reason: string;
  output: FtwOutput;
}

/** A platform overrides file (`test_overrides: [{rule_id, test_ids, reason, output}]`). */
export function loadOverrides(path: string): FtwOverride[] {
  const doc = parse(readFileSync(path, "utf8"), { schema: "failsafe" }) as Raw;
  return ((doc.test_overrides ?? []) as Raw[]).map((o) => ({
    ruleId: Number(o.rule_id),
    testIds: nums(o.test_ids) ?? [],
    reason: (str(o.reason) ?? "").trim(),
    output: toOutput(o.output as Raw | undefined),
  }));
}

/** go-ftw test/types.go ApplyPlatformOverrides: a matching override replaces every stage's whole output. */
export function applyOverrides(test: FtwTest, overrides: FtwOverride[]): { test: FtwTest; override?: FtwOverride } {
  const o = overrides.find((x) => x.ruleId === test.ruleId && (x.testIds.length === 0 || x.testIds.includes(test.testId)));
  if (!o) return { test };
  return { test: { ...test, stages: test.stages.map((s) => ({ ...s, output: o.output })) }, override: o };
}

// --- request construction (go-ftw ftwhttp/request.go) -----------------------------------------

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** textproto.CanonicalMIMEHeaderKey as a comparison key: case-insensitive for valid names, exact otherwise. */
const canon = (name: string) => (TOKEN.test(name) ? name.toLowerCase() : `\0${name}`);

/** Go's text/template + Sprig as CRS uses it: only `{{ "s" | repeat N }}`; any other action fails the data, as a template error does in go-ftw. */
function renderData(data: string): string | undefined {
  if (!data.includes("{{")) return data;
  let failed = false;
  const out = data.replace(/\{\{-?\s*(.*?)\s*-?\}\}/gs, (_all, action: string) => {
    const m = /^"((?:[^"\\]|\\.)*)"\s*\|\s*repeat\s+(\d+)$/.exec(action) ?? /^repeat\s+(\d+)\s+"((?:[^"\\]|\\.)*)"$/.exec(action);
    if (!m) {
      failed = true;
      return "";
    }
    const [s, n] = /^repeat/.test(action) ? [m[2], m[1]] : [m[1], m[2]];
    return JSON.parse(`"${s}"`).repeat(Number(n));
  });
  return failed ? undefined : out;
}

/** Go's url.QueryEscape: all but [A-Za-z0-9-_.~] as %XX, space as +. */
function queryEscape(b: Buffer): string {
  let s = "";
  for (const c of b) {
    if ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x2d || c === 0x5f || c === 0x2e || c === 0x7e) s += String.fromCharCode(c);
    else if (c === 0x20) s += "+";
    else s += "%" + c.toString(16).toUpperCase().padStart(2, "0");
  }
  return s;
}

/** go-ftw encodeDataParameters: unescaped urlencoded form data has each key and value query-escaped. */
function encodeDataParameters(headers: [string, string][], data: Buffer): Buffer {
  const urlencoded = headers.some(([k, v]) => canon(k) === "content-type" && v.toLowerCase() === "application/x-www-form-urlencoded");
  // url.QueryUnescape(data) == data exactly when there is no '+' and no '%' (a '%' either decodes or is an error).
  if (!urlencoded || data.includes(0x2b) || data.includes(0x25)) return data;
  const parts: string[] = [];
  let rest = data;
  while (rest.length > 0) {
    const amp = rest.indexOf(0x26);
    const token = amp < 0 ? rest : rest.subarray(0, amp);
    rest = amp < 0 ? Buffer.alloc(0) : rest.subarray(amp + 1);
    const eq = token.indexOf(0x3d);
    parts.push(eq < 0 ? queryEscape(token) : `${queryEscape(token.subarray(0, eq))}=${queryEscape(token.subarray(eq + 1))}`);
  }
  return Buffer.from(parts.join("&"), "latin1");
}

/** The headers go-ftw starts from: `ordered_headers`, else `headers` sorted by name (test/types.go postProcessHeaders). */
function startHeaders(input: FtwInput): [string, string][] {
  if (input.ordered_headers) return input.ordered_headers.map((h) => [h.name, h.value]);
  if (!input.headers) return [];
  return Object.keys(input.headers)
    .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
    .map((k) => [k, input.headers![k]]);
}

/** The request body from `data` (a template) or `encoded_data`; undefined when there is none. */
function stageData(input: FtwInput): Buffer | undefined {
  if (input.data !== undefined) {
    const d = renderData(input.data);
    return d === undefined ? undefined : Buffer.from(d, "utf8");
  }
  if (input.encoded_data !== undefined) return Buffer.from(input.encoded_data, "base64");
  return undefined;
}

/** The bytes go-ftw writes on the socket for one stage. */
export function buildFtwRequest(input: FtwInput): Buffer {
  if (input.encoded_request) return Buffer.from(input.encoded_request, "base64");
  const method = input.method ?? "GET";
  const uri = input.uri ?? "/";
  const version = input.version ?? "HTTP/1.1";
  // autocomplete_headers wins; else the legacy stop_magic inverted; default on.
  const autocomplete = input.autocomplete_headers ?? (input.stop_magic !== undefined ? !input.stop_magic : true);
  const headers = startHeaders(input);
  const has = (name: string) => headers.some(([k]) => canon(k) === canon(name));
  let data = stageData(input) ?? Buffer.alloc(0);
  if (data.length > 0 && autocomplete) {
    if (!has("Content-Type")) headers.push(["Content-Type", "application/x-www-form-urlencoded"]);
    data = encodeDataParameters(headers, data);
  }
  if (headers.some(([k, v]) => canon(k) === "content-type" && v.toLowerCase().includes("multipart/form-data;"))) {
    data = Buffer.from(data.toString("latin1").replace(/\n/g, "\r\n"), "latin1");
  }
  if (autocomplete) {
    if (!has("Connection")) headers.push(["Connection", "close"]);
    // go-ftw's regex is unanchored in the middle: ^POST | PUT | PATCH | DELETE$.
    if (!has("Content-Length") && (data.length > 0 || /^POST|PUT|PATCH|DELETE$/.test(method))) headers.push(["Content-Length", String(data.length)]);
  }
  const head = `${method} ${uri} ${version}\r\n` + headers.map(([k, v]) => `${k}: ${v}\r\n`).join("") + "\r\n";
  return Buffer.concat([Buffer.from(head, "utf8"), data]);
}

// --- checks (go-ftw runner/check_*.go) -----------------------------------------------------------

export interface StageOutcome {
  pass: boolean;
  /** Why it failed, in a few words. */
  reason?: string;
  status?: number;
  error?: string;
  ids: number[];
  /** CRS's inbound anomaly score as 949110 logged it ("Total Score: N"); absent when 949110 did not match. */
  score?: number;
}

/** The inbound anomaly score in 949110's log line (CRS's message "Inbound Anomaly Score Exceeded (Total Score: N)"). */
export function inboundScore(log: string): number | undefined {
  const m = /Inbound Anomaly Score Exceeded \(Total Score: (\d+)\)/.exec(log);
  return m ? Number(m[1]) : undefined;
}

/** Go RE2 → JS: the flags group `(?i)`/`(?s)` at the start is the only RE2-only syntax CRS's tests use. */
function goRegex(pattern: string): RegExp {
  const m = /^\(\?([ims]+)\)/.exec(pattern);
  return m ? new RegExp(pattern.slice(m[0].length), m[1]) : new RegExp(pattern);
}

export function checkStage(output: FtwOutput, response: WireResponse | undefined, error: Error | undefined, log: string, ids: Set<number>): StageOutcome {
  const base = { status: response?.status, error: error?.message, ids: [...ids].sort((a, b) => a - b), score: inboundScore(log) };
  const fail = (reason: string): StageOutcome => ({ pass: false, reason, ...base });
  if (output.expect_error) return error ? { pass: true, ...base } : fail("expected an error, got a response");
  if (error) return fail(`request failed: ${error.message}`);
  if (!response) return fail("no response");
  if (output.status && output.status !== response.status) return fail(`status ${response.status}, expected ${output.status}`);
  if (output.response_contains && !goRegex(output.response_contains).test(response.raw.toString("latin1"))) return fail(`response lacks /${output.response_contains}/`);
  const lines = log.split("\n");
  const l = output.log ?? {};
  if (l.match_regex && !lines.some((x) => goRegex(l.match_regex!).test(x))) return fail(`log lacks /${l.match_regex}/`);
  const missing = (l.expect_ids ?? []).filter((id) => !ids.has(id));
  if (missing.length) return fail(`missing ${missing.join(",")}`);
  if (output.isolated && ids.size !== 1) return fail(`isolated: ${ids.size} rules matched`);
  if (l.no_match_regex && lines.some((x) => goRegex(l.no_match_regex!).test(x))) return fail(`log has /${l.no_match_regex}/`);
  const unexpected = (l.no_expect_ids ?? []).filter((id) => ids.has(id));
  if (unexpected.length) return fail(`unexpected ${unexpected.join(",")}`);
  return { pass: true, ...base };
}

/** Runs one stage against `target`: start marker, the request, end marker, checks. */
export async function runStage(target: WafTarget, test: FtwTest, stage: FtwStage): Promise<StageOutcome> {
  const marker = `${test.ruleId}-${test.testId}-${randomUUID()}`;
  const once = async (): Promise<StageOutcome> => {
    try {
      await target.begin(marker);
    } catch (e) {
      if (!stage.output.expect_error) return { pass: false, reason: `start marker: ${(e as Error).message}`, ids: [] };
    }
    let response: WireResponse | undefined;
    let error: Error | undefined;
    try {
      response = await exchange(target.host, target.port, buildFtwRequest(stage.input), { head: (stage.input.method ?? "GET") === "HEAD" });
    } catch (e) {
      error = e as Error;
    }
    let log = "";
    try {
      log = await target.logFor(marker);
    } catch (e) {
      if (!stage.output.expect_error) return { pass: false, reason: `end marker: ${(e as Error).message}`, ids: [] };
    }
    return checkStage(stage.output, response, error, log, await target.idsFor(marker).catch(() => new Set<number>()));
  };
  const first = await once();
  // retry_once: a failed stage is run once more (runner/run.go).
  return !first.pass && stage.output.retry_once ? once() : first;
}

export interface TestOutcome extends StageOutcome {
  test: FtwTest;
  override?: FtwOverride;
  /** The stage this outcome is of (the first that failed, else the last). */
  stage: number;
}

/** Runs each test's stages in order (overrides applied); a test passes when every stage does. */
export async function runFtw(target: WafTarget, tests: FtwTest[], overrides: FtwOverride[] = [], onResult?: (r: TestOutcome) => void): Promise<TestOutcome[]> {
  const results: TestOutcome[] = [];
  for (const original of tests) {
    const { test, override } = applyOverrides(original, overrides);
    let outcome: StageOutcome = { pass: true, ids: [] };
    let k = 0;
    for (; k < test.stages.length; k++) {
      outcome = await runStage(target, test, test.stages[k]);
      if (!outcome.pass) break;
    }
    const r = { ...outcome, test: original, override, stage: Math.min(k, test.stages.length - 1) };
    results.push(r);
    onResult?.(r);
  }
  return results;
}
