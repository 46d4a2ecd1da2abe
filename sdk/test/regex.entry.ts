// Test entry: exposes the regex engine to Node. Results are encoded as strings so the tests can
// compare them with JavaScript's RegExp and with Go's documented behaviour.
import { Regex, RegexResult, quoteMeta } from "../regex/regex";

let lastSteps: i64 = 0;

// One-entry cache: the tests ask several questions about the same pattern in a row.
let cachedPattern: string | null = null;
let cachedResult: RegexResult | null = null;
function compile(pattern: string): RegexResult {
  if (cachedPattern !== null && cachedPattern! == pattern) return cachedResult!;
  const r = Regex.compile(pattern);
  cachedPattern = pattern;
  cachedResult = r;
  return r;
}

/** "" if the pattern compiles, else the error message. */
export function compileError(pattern: string): string {
  const r = compile(pattern);
  return r.ok ? "" : r.error;
}

/** -1: compile error, 0: no match, 1: match. */
export function test(pattern: string, subject: string): i32 {
  const r = compile(pattern);
  if (!r.ok) return -1;
  const ok = r.regex!.test(subject);
  lastSteps = r.regex!.steps;
  return ok ? 1 : 0;
}

export function testBytes(pattern: string, subject: ArrayBuffer): i32 {
  const r = compile(pattern);
  if (!r.ok) return -1;
  return r.regex!.testBytes(subject) ? 1 : 0;
}

export function fullMatch(pattern: string, subject: string): i32 {
  const r = compile(pattern);
  if (!r.ok) return -1;
  return r.regex!.fullMatch(subject) ? 1 : 0;
}

function spans(s: StaticArray<i32>): string {
  const parts = new Array<string>();
  for (let i = 0; i < s.length; i++) parts.push(s[i].toString());
  return parts.join(",");
}

/** "ERR:msg", "null", or the spans "s0,e0,s1,e1,…" of the leftmost-first match. */
export function find(pattern: string, subject: string): string {
  const r = compile(pattern);
  if (!r.ok) return "ERR:" + r.error;
  const m = r.regex!.find(subject);
  lastSteps = r.regex!.steps;
  return m === null ? "null" : spans(m.spans);
}

export function findBytes(pattern: string, subject: ArrayBuffer): string {
  const r = compile(pattern);
  if (!r.ok) return "ERR:" + r.error;
  const m = r.regex!.findBytes(subject);
  return m === null ? "null" : spans(m.spans) + "|" + m.text;
}

/** Matches separated by ";". */
export function findAll(pattern: string, subject: string): string {
  const r = compile(pattern);
  if (!r.ok) return "ERR:" + r.error;
  const all = r.regex!.findAll(subject);
  const parts = new Array<string>();
  for (let i = 0; i < all.length; i++) parts.push(spans(all[i].spans));
  return parts.join(";");
}

export function groupText(pattern: string, subject: string, name: string): string {
  const r = compile(pattern);
  if (!r.ok) return "ERR:" + r.error;
  const m = r.regex!.find(subject);
  if (m === null) return "null";
  const g = m.named(name);
  return g === null ? "<none>" : g;
}

export function replaceAll(pattern: string, subject: string, repl: string): string {
  const r = compile(pattern);
  if (!r.ok) return "ERR:" + r.error;
  return r.regex!.replaceAll(subject, repl);
}

export function replaceAllLiteral(pattern: string, subject: string, repl: string): string {
  const r = compile(pattern);
  if (!r.ok) return "ERR:" + r.error;
  return r.regex!.replaceAllLiteral(subject, repl);
}

export function quote(s: string): string { return quoteMeta(s); }

/** VM steps of the last test()/find() call. */
export function steps(): f64 { return <f64>lastSteps; }

/** Steps of test() on `unit` repeated n times followed by `tail` (built inside the module). */
export function stepsFor(pattern: string, unit: string, n: i32, tail: string): f64 {
  const r = compile(pattern);
  if (!r.ok) return -1;
  const subject = unit.repeat(n) + tail;
  r.regex!.test(subject);
  const a = r.regex!.steps;
  r.regex!.find(subject);
  return <f64>(a > r.regex!.steps ? a : r.regex!.steps);
}

/** For test/bench/regex: runs test() `iterations` times; returns the total VM steps. */
export function benchTest(pattern: string, subject: string, iterations: i32): f64 {
  const r = compile(pattern);
  if (!r.ok) return -1;
  let steps: i64 = 0;
  for (let i = 0; i < iterations; i++) { r.regex!.test(subject); steps += r.regex!.steps; }
  return <f64>steps;
}

/** For test/bench/regex: runs find() `iterations` times; returns the number of matches. */
export function benchFind(pattern: string, subject: string, iterations: i32): i32 {
  const r = compile(pattern);
  if (!r.ok) return -1;
  let n = 0;
  for (let i = 0; i < iterations; i++) if (r.regex!.find(subject) !== null) n++;
  return n;
}

/** For test/bench/regex: testBytes() on UTF-8 data. */
export function benchTestBytes(pattern: string, subject: ArrayBuffer, iterations: i32): i32 {
  const r = compile(pattern);
  if (!r.ok) return -1;
  let n = 0;
  for (let i = 0; i < iterations; i++) if (r.regex!.testBytes(subject)) n++;
  return n;
}

export function findAt(pattern: string, subject: string, start: i32): string {
  const r = compile(pattern);
  if (!r.ok) return "ERR:" + r.error;
  const m = r.regex!.findAt(subject, start);
  return m === null ? "null" : spans(m.spans);
}

export function fullMatchBytes(pattern: string, subject: ArrayBuffer): i32 {
  const r = compile(pattern);
  if (!r.ok) return -1;
  return r.regex!.fullMatchBytes(subject) ? 1 : 0;
}
