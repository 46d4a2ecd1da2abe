// Public API: RE2-syntax regular expressions that match in linear time and never trap.
//
//   const r = Regex.compile("^gpt-4(-.*)?$");       // once, at config time
//   if (!r.ok) return err.fail<Cfg>(r.error);      // "error parsing regexp: …"
//   r.regex!.test(model);                           // like Go's MatchString
//   r.regex!.replaceAll(model, "qwen$1");          // like Go's ReplaceAllString
//
// A Regex holds its VM scratch space, so one compiled Regex must not be used re-entrantly
// (it is not, in a single-threaded Wasm VM).
import { parse } from "./parse";
import { compile, Prog } from "./compile";
import { Machine, Mode, decodeUtf8 } from "./pike";
import { Dfa } from "./dfa";
import { isAlpha } from "util/string";

/**
 * A Regex's DFA cache bound, in transition-table entries (64 KiB): smaller than a RegexSet's,
 * since a plugin may hold hundreds of patterns (the WAF's CRS has over 300). A full cache is
 * dropped and rebuilt, so the bound caps memory, not correctness.
 */
const DFA_TABLE: i32 = 16384;

export class RegexResult {
  constructor(public regex: Regex | null, public error: string) {}
  get ok(): bool { return this.regex !== null; }
}

/** One match: spans are UTF-16 indices into `input` (byte offsets for the *Bytes methods). */
export class RegexMatch {
  constructor(
    /** The subject string ("" for byte matches). */
    public input: string,
    /** The subject bytes for byte matches. */
    public bytes: ArrayBuffer | null,
    /** [start0, end0, start1, end1, …]; -1 for groups that did not take part. */
    public spans: StaticArray<i32>,
    private regex: Regex,
  ) {}

  get start(): i32 { return this.spans[0]; }
  get end(): i32 { return this.spans[1]; }
  /** The matched text. */
  get text(): string { return this.slice(this.spans[0], this.spans[1]); }
  /** Number of groups, not counting the whole match. */
  get groupCount(): i32 { return (this.spans.length >> 1) - 1; }

  groupStart(i: i32): i32 { return i >= 0 && i <= this.groupCount ? this.spans[2 * i] : -1; }
  groupEnd(i: i32): i32 { return i >= 0 && i <= this.groupCount ? this.spans[2 * i + 1] : -1; }

  /** Text of group i (0 is the whole match); null if it did not take part or does not exist. */
  group(i: i32): string | null {
    const s = this.groupStart(i);
    if (s < 0) return null;
    return this.slice(s, this.groupEnd(i));
  }

  /** Text of the group named `name`; null if it did not take part or does not exist. */
  named(name: string): string | null {
    return this.group(this.regex.groupIndex(name));
  }

  private slice(s: i32, e: i32): string {
    const b = this.bytes;
    if (b !== null) return utf8Lossy(b, s, e);
    return this.input.substring(s, e);
  }
}

export class Regex {
  // Created on first use: config may compile many patterns that some routes never run.
  private machine: Machine | null = null;
  // test() and testBytes() run on a lazily built DFA (dfa.ts) when the program allows it: one
  // table lookup per character once warm instead of stepping every live thread. 0: not decided
  // yet, 1: DFA, 2: the Pike VM (too many character classes).
  private dfaState: u8 = 0;
  private dfa: Dfa | null = null;

  private constructor(
    public readonly pattern: string,
    private prog: Prog,
    /** Number of capture groups (not counting the whole match). */
    public readonly groupCount: i32,
    /** names[i] is group i's name, "" if unnamed. names[0] is "". */
    public readonly names: Array<string>,
  ) {}

  /** Parses and compiles an RE2 pattern. Never traps: a bad pattern gives `.error`. */
  static compile(pattern: string): RegexResult {
    const p = parse(pattern);
    if (p.node === null) return new RegexResult(null, p.error);
    const c = compile(p.node!, p.groups);
    if (c.prog === null) return new RegexResult(null, c.error);
    return new RegexResult(new Regex(pattern, c.prog!, p.groups, p.names), "");
  }

  /** VM steps taken by the last call (test, find, findAll, replaceAll, …). Grows linearly with input size. */
  get steps(): i64 {
    if (this.lastDfa) return this.dfa!.steps;
    const m = this.machine;
    return m === null ? 0 : m.steps;
  }
  /** Whether the last call ran on the DFA (for `steps`). */
  private lastDfa: bool = false;

  /** Whether test() and testBytes() run on the DFA (decided on first use). */
  get usesDfa(): bool { return this.testDfa() !== null; }

  private testDfa(): Dfa | null {
    if (this.dfaState == 0) {
      if (Dfa.supports(this.prog)) { this.dfa = new Dfa(this.prog, DFA_TABLE); this.dfaState = 1; } else this.dfaState = 2;
    }
    return this.dfa;
  }

  /** Index of the group called `name`, or -1. */
  groupIndex(name: string): i32 {
    if (name.length == 0) return -1;
    for (let i = 1; i < this.names.length; i++) if (this.names[i] == name) return i;
    return -1;
  }

  /** Whether the pattern matches anywhere in s (Go's MatchString). */
  test(s: string): bool {
    const d = this.testDfa();
    if (d !== null) { this.lastDfa = true; return d.testString(s); }
    const m = this.begin();
    m.setString(s);
    return m.run(0, Mode.Test, 0);
  }

  /** test() always on the Pike VM, never the DFA: the reference the DFA is checked against. */
  testPike(s: string): bool {
    const m = this.begin();
    m.setString(s);
    return m.run(0, Mode.Test, 0);
  }

  testPikeBytes(b: ArrayBuffer): bool {
    const m = this.begin();
    m.setBytes(b);
    return m.run(0, Mode.Test, 0);
  }

  /** test() on UTF-8 bytes (header or body data as the host hands it over). */
  testBytes(b: ArrayBuffer): bool {
    const d = this.testDfa();
    if (d !== null) { this.lastDfa = true; return d.testBytes(b); }
    const m = this.begin();
    m.setBytes(b);
    return m.run(0, Mode.Test, 0);
  }

  /** Whether the pattern matches all of s (like anchoring it as ^(?:…)$). */
  fullMatch(s: string): bool {
    const m = this.begin();
    m.setString(s);
    return m.run(0, Mode.Full, 0);
  }

  fullMatchBytes(b: ArrayBuffer): bool {
    const m = this.begin();
    m.setBytes(b);
    return m.run(0, Mode.Full, 0);
  }

  /** The leftmost-first match with its groups (Go's FindStringSubmatchIndex), or null. */
  find(s: string): RegexMatch | null {
    return this.findAt(s, 0);
  }

  /** Like find, but the match must start at or after `start` (a UTF-16 index). */
  findAt(s: string, start: i32): RegexMatch | null {
    if (start < 0 || start > s.length) return null;
    const m = this.begin();
    m.setString(s);
    if (!m.run(start, Mode.Find, this.prog.ncap)) return null;
    return new RegexMatch(s, null, this.copySpans(), this);
  }

  /** find() on UTF-8 bytes; spans are byte offsets. */
  findBytes(b: ArrayBuffer): RegexMatch | null {
    const m = this.begin();
    m.setBytes(b);
    if (!m.run(0, Mode.Find, this.prog.ncap)) return null;
    return new RegexMatch("", b, this.copySpans(), this);
  }

  /**
   * Successive non-overlapping matches (Go's FindAllStringSubmatchIndex): an empty match right
   * after the previous match is skipped. `limit` < 0 means all.
   */
  findAll(s: string, limit: i32 = -1): Array<RegexMatch> {
    const out = new Array<RegexMatch>();
    const m = this.begin();
    m.setString(s);
    let pos = 0;
    let prevEnd = -1;
    while ((limit < 0 || out.length < limit) && pos <= s.length) {
      if (!m.run(pos, Mode.Find, this.prog.ncap)) break;
      const caps = m.matchCaps;
      let accept = true;
      if (caps[1] == pos) {
        if (caps[0] == prevEnd) accept = false;
        const w = this.widthAt(m, pos);
        pos = w > 0 ? pos + w : s.length + 1;
      } else {
        pos = caps[1];
      }
      prevEnd = caps[1];
      if (accept) out.push(new RegexMatch(s, null, this.copySpans(), this));
    }
    return out;
  }

  /**
   * Replaces every match (Go's ReplaceAllString): in `repl`, $1 / ${1} / $name / ${name} insert
   * a group ("" if absent), $$ is a dollar. As in Go, $1x means the group named "1x"; use ${1}x.
   */
  replaceAll(s: string, repl: string): string {
    return this.replace(s, repl, true);
  }

  /** Replaces every match with `repl` taken literally (Go's ReplaceAllLiteralString). */
  replaceAllLiteral(s: string, repl: string): string {
    return this.replace(s, repl, false);
  }

  /** Appends repl to out with $-expansion against the spans of one match. */
  expand(out: Array<string>, repl: string, s: string, caps: StaticArray<i32>): void {
    let i = 0;
    const n = repl.length;
    while (i < n) {
      const dollar = repl.indexOf("$", i);
      if (dollar < 0) break;
      if (dollar > i) out.push(repl.substring(i, dollar));
      i = dollar + 1;
      if (i < n && repl.charCodeAt(i) == 0x24) { out.push("$"); i++; continue; }
      // Go's extract(): an optional brace, then letters, digits and underscores.
      let j = i;
      const brace = j < n && repl.charCodeAt(j) == 0x7b;
      if (brace) j++;
      const nameStart = j;
      while (j < n && isNameChar(<i32>repl.charCodeAt(j))) j++;
      const name = repl.substring(nameStart, j);
      if (name.length == 0 || (brace && (j >= n || repl.charCodeAt(j) != 0x7d))) {
        out.push("$"); // malformed: the dollar is literal text
        continue;
      }
      if (brace) j++;
      i = j;
      const g = groupNumber(name);
      const idx = g >= 0 ? g : this.groupIndex(name);
      if (idx >= 0 && 2 * idx + 1 < caps.length && caps[2 * idx] >= 0) {
        out.push(s.substring(caps[2 * idx], caps[2 * idx + 1]));
      }
    }
    if (i < n) out.push(repl.substring(i));
  }

  private replace(s: string, repl: string, expand: bool): string {
    const m = this.begin();
    m.setString(s);
    const parts = new Array<string>();
    const nc = expand && repl.includes("$") ? this.prog.ncap : 2;
    let lastEnd = 0;
    let searchPos = 0;
    let any = false;
    while (searchPos <= s.length) {
      if (!m.run(searchPos, Mode.Find, nc)) break;
      const caps = m.matchCaps;
      const a0 = caps[0];
      const a1 = caps[1];
      any = true;
      if (a0 > lastEnd) parts.push(s.substring(lastEnd, a0));
      // No replacement for an empty match right after a previous match (Go's rule).
      if (a1 > lastEnd || a0 == 0) {
        if (expand) this.expand(parts, repl, s, caps);
        else parts.push(repl);
      }
      lastEnd = a1;
      const w = this.widthAt(m, searchPos);
      if (searchPos + w > a1) searchPos += w;
      else if (searchPos + 1 > a1) searchPos++;
      else searchPos = a1;
    }
    if (!any) return s;
    if (lastEnd < s.length) parts.push(s.substring(lastEnd));
    return parts.join("");
  }

  private begin(): Machine {
    this.lastDfa = false;
    let m = this.machine;
    if (m === null) {
      m = new Machine(this.prog);
      this.machine = m;
    }
    m.steps = 0;
    return m;
  }

  private widthAt(m: Machine, pos: i32): i32 {
    m.decode(pos);
    return m.width;
  }

  private copySpans(): StaticArray<i32> {
    const src = this.machine!.matchCaps;
    const out = new StaticArray<i32>(src.length);
    for (let i = 0; i < src.length; i++) out[i] = src[i];
    return out;
  }
}

/** Decodes bytes [s, e) of b, replacing bad sequences with U+FFFD as the matcher saw them. */
function utf8Lossy(b: ArrayBuffer, s: i32, e: i32): string {
  const units = new Array<i32>();
  const base = changetype<usize>(b);
  let i = s;
  while (i < e) {
    const r = decodeUtf8(base + <usize>i, e - i);
    const c = r & 0xffffff;
    if (c >= 0x10000) {
      units.push(0xd800 + ((c - 0x10000) >> 10));
      units.push(0xdc00 + ((c - 0x10000) & 0x3ff));
    } else units.push(c);
    i += r >>> 24;
  }
  return String.fromCharCodes(units);
}

function isNameChar(c: i32): bool {
  if (c < 0x80) return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c == 0x5f;
  return isAlpha(<u32>c);
}

/** Go's rule: all digits, no leading zero, below 1e8; otherwise -1 (then it is a name). */
function groupNumber(name: string): i32 {
  if (name.length > 1 && name.charCodeAt(0) == 0x30) return -1;
  if (name.length > 8) return -1;
  let v = 0;
  for (let i = 0; i < name.length; i++) {
    const c = <i32>name.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return -1;
    v = v * 10 + (c - 0x30);
  }
  return v;
}

/** Escapes every RE2 metacharacter in s (Go's QuoteMeta). */
export function quoteMeta(s: string): string {
  const special = "\\.+*?()|[]{}^$";
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s.charAt(i);
    if (special.includes(c)) out += "\\";
    out += c;
  }
  return out;
}
