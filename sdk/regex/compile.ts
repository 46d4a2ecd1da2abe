// Compiles the parse tree to a Pike VM program, following Go's regexp/syntax compiler so that
// thread priorities (and therefore leftmost-first submatches) come out the same as Go's.
import { Node, NodeKind, nullable } from "./ast";
import { CharClass } from "./charclass";

export const enum Op {
  Match,
  Rune,     // x = code point
  Class,    // x = index into classes
  AnyChar,
  AnyNotNL,
  Split,    // try x first, then y
  Jmp,      // x
  Save,     // x = capture slot
  Assert,   // x = NodeKind of the zero-width assertion
}

/** Programs above this many instructions are rejected ("expression too large"). */
export const MAX_PROG_SIZE: i32 = 20000;

export class Prog {
  op: StaticArray<i32>;
  x: StaticArray<i32>;
  y: StaticArray<i32>;
  classes: Array<CharClass>;
  /** Capture slots: 2 * (groups + 1). */
  ncap: i32;
  /** The program can only match at the start of the text (it begins with \A). */
  anchorStart: bool = false;
  /** An ASCII character every match must begin with, or -1: lets the VM skip ahead. */
  firstByte: i32 = -1;
  /**
   * Code units (bytes) a match can begin with: bit c for ASCII c, `firstNonAscii` for the rest.
   * Only valid when `canSkip`: no match can be empty, and none begins with any character.
   */
  firstSet: StaticArray<u32> = new StaticArray<u32>(4);
  firstNonAscii: bool = false;
  canSkip: bool = false;
  /**
   * The instructions where a thread started at any position waits (consuming ones and Match),
   * when reaching them passes no assertion: Test mode then starts threads from this list instead
   * of walking the start closure at every position.
   */
  startPcs: StaticArray<i32> = new StaticArray<i32>(0);
  startPure: bool = false;

  constructor(b: Builder, ncap: i32) {
    this.op = StaticArray.fromArray<i32>(b.op);
    this.x = StaticArray.fromArray<i32>(b.x);
    this.y = StaticArray.fromArray<i32>(b.y);
    this.classes = b.classes;
    this.ncap = ncap;
    // Look at the first instruction after the leading Saves; every match passes through it.
    let pc = 1;
    while (this.op[pc] == Op.Save) pc++;
    if (this.op[pc] == Op.Assert && this.x[pc] == NodeKind.BeginText) this.anchorStart = true;
    if (this.op[pc] == Op.Rune && this.x[pc] < 0x80) this.firstByte = this.x[pc];
    this.canSkip = this.computeFirstSet();
    this.computeStart();
  }

  private computeStart(): void {
    const n = this.op.length;
    const seen = new StaticArray<bool>(n);
    const stack = new Array<i32>();
    const out = new Array<i32>();
    stack.push(0);
    while (stack.length > 0) {
      const pc = stack.pop();
      if (seen[pc]) continue;
      seen[pc] = true;
      const op = this.op[pc];
      if (op == Op.Save) stack.push(pc + 1);
      else if (op == Op.Jmp) stack.push(this.x[pc]);
      else if (op == Op.Split) { stack.push(this.y[pc]); stack.push(this.x[pc]); }
      else if (op == Op.Assert) return; // depends on the position: not pure
      else out.push(pc);
    }
    this.startPcs = StaticArray.fromArray<i32>(out);
    this.startPure = true;
  }

  /** Walks the instructions reachable from the start without consuming input. */
  private computeFirstSet(): bool {
    const n = this.op.length;
    const seen = new StaticArray<bool>(n);
    const stack = new Array<i32>();
    stack.push(0);
    while (stack.length > 0) {
      const pc = stack.pop();
      if (seen[pc]) continue;
      seen[pc] = true;
      const x = this.x[pc];
      switch (this.op[pc]) {
        // Assertions consume nothing: the first character is still one of those after them.
        case Op.Save: case Op.Assert: stack.push(pc + 1); break;
        case Op.Jmp: stack.push(x); break;
        case Op.Split: stack.push(x); stack.push(this.y[pc]); break;
        case Op.Rune: {
          if (x < 0x80) this.firstSet[x >> 5] |= (<u32>1) << (<u32>(x & 31));
          else this.firstNonAscii = true;
          break;
        }
        case Op.Class: {
          const cls = this.classes[x];
          for (let i = 0; i < 4; i++) this.firstSet[i] |= cls.ascii[i];
          const r = cls.ranges;
          if (r.length > 0 && r[r.length - 1] >= 0x80) this.firstNonAscii = true;
          break;
        }
        default: return false; // Match (an empty match is possible) or any-char
      }
    }
    return true;
  }

  get length(): i32 { return this.op.length; }
}

export class CompileResult {
  constructor(public prog: Prog | null, public error: string) {}
}

export function compile(root: Node, groups: i32): CompileResult {
  const b = new Builder();
  b.emit(Op.Save, 0, 0);
  b.node(root);
  b.emit(Op.Save, 1, 0);
  b.emit(Op.Match, 0, 0);
  if (b.tooLarge) return new CompileResult(null, "error parsing regexp: expression too large");
  return new CompileResult(new Prog(b, 2 * (groups + 1)), "");
}

class Builder {
  op: Array<i32> = [];
  x: Array<i32> = [];
  y: Array<i32> = [];
  classes: Array<CharClass> = [];
  tooLarge: bool = false;

  get pc(): i32 { return this.op.length; }

  emit(op: Op, x: i32, y: i32): i32 {
    const pc = this.op.length;
    if (pc >= MAX_PROG_SIZE) { this.tooLarge = true; return pc; }
    this.op.push(op);
    this.x.push(x);
    this.y.push(y);
    return pc;
  }

  @inline setX(pc: i32, v: i32): void { if (pc < this.x.length) this.x[pc] = v; }
  @inline setY(pc: i32, v: i32): void { if (pc < this.y.length) this.y[pc] = v; }

  node(n: Node): void {
    if (this.tooLarge) return;
    switch (n.kind) {
      case NodeKind.Empty: return;
      case NodeKind.Literal: this.emit(Op.Rune, n.rune, 0); return;
      case NodeKind.Class: {
        this.classes.push(n.cls!);
        this.emit(Op.Class, this.classes.length - 1, 0);
        return;
      }
      case NodeKind.AnyChar: this.emit(Op.AnyChar, 0, 0); return;
      case NodeKind.AnyNotNL: this.emit(Op.AnyNotNL, 0, 0); return;
      case NodeKind.Capture: {
        this.emit(Op.Save, 2 * n.cap, 0);
        this.node(n.subs[0]);
        this.emit(Op.Save, 2 * n.cap + 1, 0);
        return;
      }
      case NodeKind.Concat: {
        for (let i = 0; i < n.subs.length && !this.tooLarge; i++) this.node(n.subs[i]);
        return;
      }
      case NodeKind.Alternate: {
        const jumps = new Array<i32>();
        const last = n.subs.length - 1;
        for (let i = 0; i < last && !this.tooLarge; i++) {
          const split = this.emit(Op.Split, this.pc + 1, 0);
          this.node(n.subs[i]);
          jumps.push(this.emit(Op.Jmp, 0, 0));
          this.setY(split, this.pc);
        }
        this.node(n.subs[last]);
        for (let i = 0; i < jumps.length; i++) this.setX(jumps[i], this.pc);
        return;
      }
      case NodeKind.Repeat: this.repeat(n); return;
    }
    // Zero-width assertions.
    this.emit(Op.Assert, <i32>n.kind, 0);
  }

  repeat(n: Node): void {
    const sub = n.subs[0];
    const min = n.min;
    const max = n.max;
    if (max == -1) {
      if (min == 0) { this.star(sub, n.greedy); return; }
      // x{n,} is n-1 copies of x followed by x+.
      for (let i = 0; i < min - 1 && !this.tooLarge; i++) this.node(sub);
      this.plus(sub, n.greedy);
      return;
    }
    if (min == 0 && max == 1) { this.quest(sub, n.greedy); return; }
    // x{n,m} is n copies of x followed by (x(x(x)?)?)? with m-n nested optionals.
    for (let i = 0; i < min && !this.tooLarge; i++) this.node(sub);
    const splits = new Array<i32>();
    for (let i = min; i < max && !this.tooLarge; i++) {
      splits.push(this.emit(Op.Split, 0, 0));
      this.node(sub);
    }
    const end = this.pc;
    for (let i = 0; i < splits.length; i++) {
      const s = splits[i];
      if (n.greedy) { this.setX(s, s + 1); this.setY(s, end); }
      else { this.setX(s, end); this.setY(s, s + 1); }
    }
  }

  star(sub: Node, greedy: bool): void {
    if (nullable(sub)) {
      // As Go does (golang.org/issue/46123): x* is (x+)? when x can match empty.
      const split = this.emit(Op.Split, 0, 0);
      this.plus(sub, greedy);
      this.patchSplit(split, split + 1, this.pc, greedy);
      return;
    }
    const loop = this.emit(Op.Split, 0, 0);
    this.node(sub);
    this.emit(Op.Jmp, loop, 0);
    this.patchSplit(loop, loop + 1, this.pc, greedy);
  }

  plus(sub: Node, greedy: bool): void {
    const start = this.pc;
    this.node(sub);
    const split = this.emit(Op.Split, 0, 0);
    this.patchSplit(split, start, split + 1, greedy);
  }

  quest(sub: Node, greedy: bool): void {
    const split = this.emit(Op.Split, 0, 0);
    this.node(sub);
    this.patchSplit(split, split + 1, this.pc, greedy);
  }

  patchSplit(split: i32, body: i32, out: i32, greedy: bool): void {
    if (greedy) { this.setX(split, body); this.setY(split, out); }
    else { this.setX(split, out); this.setY(split, body); }
  }
}
