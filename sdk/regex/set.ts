// A set of RE2 patterns asked one question: does any of them match? (bot lists, allow/deny
// lists, many block rules.) The patterns are compiled into one alternation, so the text is read
// once whatever the number of patterns, and that one program runs on a lazily built DFA
// (dfa.ts): one table lookup per character once warm, instead of stepping every live thread of
// every pattern at every character. Programs the DFA does not handle (large Unicode classes:
// more than 256 character classes) run on the Pike VM, still in one pass. Both are linear in the text.
//
// `RegexSet.compileEach` keeps one program (and one DFA) per pattern instead: the text is read
// once per pattern, but the states of one pattern never multiply with another's. Patterns with
// bounded repetitions ({0,50}) make the states of one combined DFA the product of theirs, and a
// hostile text then keeps it building states; apart, each stays small (Higress's bot list: 184
// engine steps per character combined on such a text, 28 apart; one per pattern per character
// on ordinary text either way).
//
//   const r = RegexSet.compile(["(?i)googlebot", "^curl/"]);   // once, at config time
//   if (!r.ok) return err.fail<Cfg>(r.error);                  // names the failing pattern
//   r.set!.test(userAgent);                                   // any pattern matches (MatchString)
import { parse } from "./parse";
import { compile, Prog } from "./compile";
import { Node, NodeKind } from "./ast";
import { Machine, Mode } from "./pike";
import { Dfa } from "./dfa";

export class RegexSetResult {
  constructor(
    public set: RegexSet | null,
    public error: string,
    /** Index of the pattern that failed, or -1. */
    public failed: i32,
  ) {}
  get ok(): bool { return this.set !== null; }
}

export class RegexSet {
  private machine: Machine | null = null;
  private lastSteps: i64 = 0;

  /** compileEach: one set per pattern, asked in turn. */
  private parts: Array<RegexSet> | null = null;

  private constructor(
    public readonly patterns: Array<string>,
    private prog: Prog | null,
    private dfa: Dfa | null,
  ) {}

  /** Like compile(), but each pattern keeps its own program and DFA (see the header). */
  static compileEach(patterns: Array<string>): RegexSetResult {
    const parts = new Array<RegexSet>();
    for (let i = 0; i < patterns.length; i++) {
      const r = RegexSet.compile([patterns[i]]);
      if (!r.ok) return new RegexSetResult(null, r.error, i);
      parts.push(r.set!);
    }
    const set = new RegexSet(patterns.slice(0), null, null);
    set.parts = parts;
    return new RegexSetResult(set, "", -1);
  }

  /** Parses every pattern (errors name the first bad one) and compiles them as one program. */
  static compile(patterns: Array<string>): RegexSetResult {
    const nodes = new Array<Node>();
    let groups = 0;
    for (let i = 0; i < patterns.length; i++) {
      const p = parse(patterns[i]);
      if (p.node === null) return new RegexSetResult(null, p.error, i);
      nodes.push(p.node!);
      if (p.groups > groups) groups = p.groups;
    }
    const copy = patterns.slice(0);
    if (nodes.length == 0) return new RegexSetResult(new RegexSet(copy, null, null), "", -1);
    // Submatches are never asked for, so the patterns' group numbers may overlap.
    const root = nodes.length == 1 ? nodes[0] : Node.withSubs(NodeKind.Alternate, nodes);
    const c = compile(root, groups);
    if (c.prog === null) return new RegexSetResult(null, c.error, -1);
    const prog = c.prog!;
    return new RegexSetResult(new RegexSet(copy, prog, Dfa.supports(prog) ? new Dfa(prog) : null), "", -1);
  }

  get size(): i32 { return this.patterns.length; }

  /** Whether the DFA answers (false: the program has too many character classes; the Pike VM does). */
  get usesDfa(): bool {
    const ps = this.parts;
    if (ps === null) return this.dfa !== null;
    for (let i = 0; i < ps.length; i++) if (!ps[i].usesDfa) return false;
    return true;
  }

  /** Times the DFA's state cache filled up and was dropped (0 on the Pike VM). */
  get cacheResets(): i32 {
    const ps = this.parts;
    if (ps !== null) {
      let n = 0;
      for (let i = 0; i < ps.length; i++) n += ps[i].cacheResets;
      return n;
    }
    const d = this.dfa;
    return d === null ? 0 : d.resets;
  }

  /** DFA states cached now (0 on the Pike VM). */
  get cachedStates(): i32 {
    const ps = this.parts;
    if (ps !== null) {
      let n = 0;
      for (let i = 0; i < ps.length; i++) n += ps[i].cachedStates;
      return n;
    }
    const d = this.dfa;
    return d === null ? 0 : d.stateCount;
  }

  /** Work done by the last test: characters read plus instructions visited. Linear in the text. */
  get steps(): i64 { return this.lastSteps; }

  /** Whether any pattern matches anywhere in s (Go's MatchString on each). An empty set matches nothing. */
  test(s: string): bool {
    const ps = this.parts;
    if (ps !== null) return this.testParts(ps, s, null);
    const prog = this.prog;
    if (prog === null) return false;
    const d = this.dfa;
    if (d !== null) {
      const r = d.testString(s);
      this.lastSteps = d.steps;
      return r;
    }
    const m = this.pike(prog);
    m.setString(s);
    const r = m.run(0, Mode.Test, 0);
    this.lastSteps = m.steps;
    return r;
  }

  /** test() on UTF-8 bytes. */
  testBytes(b: ArrayBuffer): bool {
    const ps = this.parts;
    if (ps !== null) return this.testParts(ps, null, b);
    const prog = this.prog;
    if (prog === null) return false;
    const d = this.dfa;
    if (d !== null) {
      const r = d.testBytes(b);
      this.lastSteps = d.steps;
      return r;
    }
    const m = this.pike(prog);
    m.setBytes(b);
    const r = m.run(0, Mode.Test, 0);
    this.lastSteps = m.steps;
    return r;
  }

  /** compileEach: each part in turn on the string or the bytes, until one matches. */
  private testParts(ps: Array<RegexSet>, s: string | null, b: ArrayBuffer | null): bool {
    let steps: i64 = 0;
    let hit = false;
    for (let i = 0; i < ps.length && !hit; i++) {
      hit = s !== null ? ps[i].test(s) : ps[i].testBytes(b!);
      steps += ps[i].steps;
    }
    this.lastSteps = steps;
    return hit;
  }

  private pike(prog: Prog): Machine {
    let m = this.machine;
    if (m === null) {
      m = new Machine(prog);
      this.machine = m;
    }
    m.steps = 0;
    return m;
  }
}
