// A set of RE2 patterns asked one question: does any of them match? (bot lists, allow/deny
// lists, many block rules.) The patterns are compiled into one alternation, so the text is read
// once whatever the number of patterns, and that one program runs on a lazily built DFA
// (dfa.ts): one table lookup per character once warm, instead of stepping every live thread of
// every pattern at every character. Programs the DFA does not handle (line or word assertions:
// (?m)^, \b, \B) run on the Pike VM, still in one pass. Both are linear in the text.
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

  private constructor(
    public readonly patterns: Array<string>,
    private prog: Prog | null,
    private dfa: Dfa | null,
  ) {}

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

  /** Whether the DFA answers (false: the program has line or word assertions; the Pike VM does). */
  get usesDfa(): bool { return this.dfa !== null; }

  /** Times the DFA's state cache filled up and was dropped (0 on the Pike VM). */
  get cacheResets(): i32 { const d = this.dfa; return d === null ? 0 : d.resets; }

  /** DFA states cached now (0 on the Pike VM). */
  get cachedStates(): i32 { const d = this.dfa; return d === null ? 0 : d.stateCount; }

  /** Work done by the last test: characters read plus instructions visited. Linear in the text. */
  get steps(): i64 { return this.lastSteps; }

  /** Whether any pattern matches anywhere in s (Go's MatchString on each). An empty set matches nothing. */
  test(s: string): bool {
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
