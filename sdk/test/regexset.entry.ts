// Test entry: exposes RegexSet (patterns joined by U+0001; a leading U+0002 asks for
// RegexSet.compileEach) next to the single-pattern engine it must agree with.
import { Regex } from "../regex/regex";
import { RegexSet } from "../regex/set";

let cachedKey: string | null = null;
let cachedSet: RegexSet | null = null;
let cachedError: string = "";

function patternsOf(joined: string): Array<string> {
  const list = joined.startsWith("\u0002") ? joined.substring(1) : joined;
  return list.length == 0 ? new Array<string>() : list.split("\u0001");
}

function setOf(joined: string): RegexSet | null {
  if (cachedKey !== null && cachedKey! == joined) return cachedSet;
  const patterns = patternsOf(joined);
  const r = joined.startsWith("\u0002") ? RegexSet.compileEach(patterns) : RegexSet.compile(patterns);
  cachedKey = joined;
  cachedSet = r.set;
  cachedError = r.ok ? "" : r.failed.toString() + ":" + r.error;
  return cachedSet;
}

/** "" or "<index>:<message>". */
export function setError(joined: string): string {
  setOf(joined);
  return cachedError;
}

/** -1 compile error, 0 no match, 1 match. */
export function setTest(joined: string, subject: string): i32 {
  const s = setOf(joined);
  if (s === null) return -1;
  return s.test(subject) ? 1 : 0;
}

export function setTestBytes(joined: string, subject: ArrayBuffer): i32 {
  const s = setOf(joined);
  if (s === null) return -1;
  return s.testBytes(subject) ? 1 : 0;
}

/** Whether the set runs on the DFA (1) or the Pike VM (0). */
export function setUsesDfa(joined: string): i32 {
  const s = setOf(joined);
  return s !== null && s.usesDfa ? 1 : 0;
}

export function setSteps(joined: string): i64 {
  const s = setOf(joined);
  return s === null ? -1 : s.steps;
}

export function setResets(joined: string): i32 {
  const s = setOf(joined);
  return s === null ? -1 : s.cacheResets;
}

/** The reference: any pattern, each on the Pike VM. */
export function anyTest(joined: string, subject: string): i32 {
  const ps = patternsOf(joined);
  for (let i = 0; i < ps.length; i++) {
    const r = Regex.compile(ps[i]);
    if (!r.ok) return -1;
    if (r.regex!.testPike(subject)) return 1;
  }
  return 0;
}

export function anyTestBytes(joined: string, subject: ArrayBuffer): i32 {
  const ps = patternsOf(joined);
  for (let i = 0; i < ps.length; i++) {
    const r = Regex.compile(ps[i]);
    if (!r.ok) return -1;
    if (r.regex!.testPikeBytes(subject)) return 1;
  }
  return 0;
}

export function setStates(joined: string): i32 {
  const s = setOf(joined);
  return s === null ? -1 : s.cachedStates;
}

/** The Pike VM's steps to run every pattern in turn over the subject (what the set replaces). */
export function anySteps(joined: string, subject: string): f64 {
  const ps = patternsOf(joined);
  let steps: i64 = 0;
  for (let i = 0; i < ps.length; i++) {
    const r = Regex.compile(ps[i]);
    if (!r.ok) return -1;
    r.regex!.testPike(subject);
    steps += r.regex!.steps;
  }
  return <f64>steps;
}
