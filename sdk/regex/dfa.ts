// A lazily built DFA that answers "does the program match anywhere?" (the Pike VM's Test mode)
// in one table lookup per character once its states are cached. The Pike VM steps every live
// thread at every character, so a large alternation (a bot list, many rules in one set) costs
// hundreds of steps per byte; here each DFA state stands for one set of threads and is computed
// once, then reused by every later request.
//
// A state is keyed by its kernel: the instructions reached right after consuming a character
// (before following Split/Jmp/Save/Assert). Its closure (where those threads wait) is computed
// for a position inside the text; the unanchored start thread's closure is kept apart, once, so
// states stay small. `\A`/`^` and `\z`/`$` are decided from the position (start, inside, end);
// programs with line or word assertions are not handled here (`supported` is false) and stay on
// the Pike VM. The cache is bounded: when it is full it is dropped and rebuilt from the current
// state, so a hostile input costs at most one closure (O(program)) per character — linear still.
import { Prog, Op } from "./compile";
import { NodeKind } from "./ast";
import { decodeUtf8 } from "./pike";

/** Cached states before the cache is dropped (each holds a 128-entry ASCII transition table). */
const MAX_STATES: i32 = 512;
/** Cached non-ASCII transitions per state. */
const MAX_OTHER: i32 = 64;

const UNKNOWN: i32 = -1;
/** The initial state's key: no kernel is this one code unit (instructions stay below 0xffff). */
const INITIAL = "\uffff";
const EMPTY = new StaticArray<i32>(0);

class DState {
  /** Where the kernel's threads wait (consuming instructions), sorted. */
  pcs: StaticArray<i32>;
  /** A Match is reachable from the kernel inside the text. */
  match: bool;
  /** -1 unknown, else whether a Match is reachable from the kernel at the end of the text. */
  endMatch: i32 = -1;
  /** Transitions on ASCII characters: state index or UNKNOWN. */
  next: StaticArray<i32> = new StaticArray<i32>(128);
  other: Map<i32, i32> | null = null;
  /** The state at position 0 (its pcs are the start thread's, with \A true). */
  initial: bool = false;

  constructor(public kernel: StaticArray<i32>, pcs: StaticArray<i32>, match: bool) {
    this.pcs = pcs;
    this.match = match;
    for (let i = 0; i < 128; i++) unchecked(this.next[i] = UNKNOWN);
  }
}

class Closure {
  pcs: StaticArray<i32>;
  match: bool;
  constructor(pcs: StaticArray<i32>, match: bool) { this.pcs = pcs; this.match = match; }
}

export class Dfa {
  private prog: Prog;
  private states: Array<DState> = [];
  private index: Map<string, i32> = new Map<string, i32>();
  /** Closures of the start thread: at the start of the text, inside it, at its end, both ends. */
  private startAt0: Closure = new Closure(EMPTY, false);
  private startMid: Closure = new Closure(EMPTY, false);
  private startEnd: Closure = new Closure(EMPTY, false);
  private startOnly: Closure = new Closure(EMPTY, false);
  /** The start thread runs at every position (no leading \A). */
  private unanchored: bool;
  // Scratch for closures: a visit mark per instruction and an explicit stack.
  private mark: StaticArray<i32>;
  private gen: i32 = 0;
  private stack: StaticArray<i32>;
  private found: Array<i32> = [];
  /** Work done by the last test (characters read plus instructions visited building states). */
  steps: i64 = 0;
  /** Times the state cache was dropped since creation. */
  resets: i32 = 0;

  /** Whether this program's assertions are all \A/^ and \z/$ (no line or word assertions). */
  static supports(prog: Prog): bool {
    for (let pc = 0; pc < prog.length; pc++) {
      if (prog.op[pc] != Op.Assert) continue;
      const k = prog.x[pc];
      if (k != NodeKind.BeginText && k != NodeKind.EndText) return false;
    }
    return true;
  }

  constructor(prog: Prog) {
    this.prog = prog;
    this.mark = new StaticArray<i32>(prog.length);
    // A closure pushes each kernel instruction, pc 0, and each Split's second branch once.
    this.stack = new StaticArray<i32>(2 * prog.length + 2);
    this.unanchored = !prog.anchorStart;
    const none = new StaticArray<i32>(0);
    this.startAt0 = this.closure(none, true, true, false);
    this.startMid = this.closure(none, true, false, false);
    this.startEnd = this.closure(none, true, false, true);
    this.startOnly = this.closure(none, true, true, true);
  }

  /** Whether the program matches anywhere in s (UTF-16). */
  testString(s: string): bool {
    return this.run(changetype<usize>(s), s.length, false);
  }

  /** Whether the program matches anywhere in the UTF-8 bytes b. */
  testBytes(b: ArrayBuffer): bool {
    return this.run(changetype<usize>(b), b.byteLength, true);
  }

  private run(base: usize, len: i32, utf8: bool): bool {
    this.steps = 0;
    if (len == 0) return this.startOnly.match;
    if (this.startAt0.match) return true;
    // The state at position 0: the start thread's closure with \A true.
    let cur = this.initial();
    let pos = 0;
    while (pos < len) {
      let c: i32;
      let w: i32;
      if (utf8) {
        const r = decodeUtf8(base + <usize>pos, len - pos);
        c = r & 0xffffff;
        w = r >>> 24;
      } else {
        c = <i32>load<u16>(base + (<usize>pos << 1));
        w = 1;
        if (c >= 0xd800 && c < 0xdc00 && pos + 1 < len) {
          const d = <i32>load<u16>(base + (<usize>(pos + 1) << 1));
          if (d >= 0xdc00 && d < 0xe000) { c = ((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000; w = 2; }
        }
      }
      this.steps++;
      cur = this.step(cur, c);
      const st = unchecked(this.states[cur]);
      if (st.match) return true;
      if (!this.unanchored && st.pcs.length == 0) return false; // no thread left and none will start
      pos += w;
    }
    return this.endMatch(cur);
  }

  private initial(): i32 {
    if (this.index.has(INITIAL)) return this.index.get(INITIAL);
    const i = this.add(INITIAL, new StaticArray<i32>(0), this.startAt0.pcs, false);
    unchecked(this.states[i]).initial = true;
    return i;
  }

  /** The state after reading c in state i. */
  private step(i: i32, c: i32): i32 {
    let st = unchecked(this.states[i]);
    if (c < 128) {
      const t = unchecked(st.next[c]);
      if (t != UNKNOWN) return t;
    } else {
      const o = st.other;
      if (o !== null && o.has(c)) return o.get(c);
    }
    const kernel = this.advance(st, c);
    const key = keyOf(kernel);
    if (!this.index.has(key) && this.states.length >= MAX_STATES) {
      // Full: start over with just the state we are in, which becomes state 0.
      this.states = [st];
      this.index = new Map<string, i32>();
      this.index.set(st.initial ? INITIAL : keyOf(st.kernel), 0);
      for (let k = 0; k < 128; k++) unchecked(st.next[k] = UNKNOWN);
      st.other = null;
      this.resets++;
    }
    let t: i32;
    if (this.index.has(key)) t = this.index.get(key);
    else {
      const cl = this.closure(kernel, false, false, false);
      t = this.add(key, kernel, cl.pcs, cl.match);
    }
    if (c < 128) unchecked(st.next[c] = t);
    else {
      let o = st.other;
      if (o === null) { o = new Map<i32, i32>(); st.other = o; }
      if (o.size < MAX_OTHER) o.set(c, t);
    }
    return t;
  }

  private add(key: string, kernel: StaticArray<i32>, pcs: StaticArray<i32>, match: bool): i32 {
    const i = this.states.length;
    this.states.push(new DState(kernel, pcs, match));
    this.index.set(key, i);
    return i;
  }

  /** The kernel after reading c: pc+1 for every waiting thread (the state's and the start's) that accepts c. */
  private advance(st: DState, c: i32): StaticArray<i32> {
    const out = this.found;
    out.length = 0;
    const a = st.pcs;
    // Unanchored: a match may also begin right here (the initial state's pcs already include these).
    const b = this.unanchored ? this.startMid.pcs : EMPTY;
    // Merge two sorted lists; pc+1 keeps the order, so the kernel comes out sorted and unique.
    let i = 0;
    let j = 0;
    while (i < a.length || j < b.length) {
      let pc: i32;
      if (j >= b.length || (i < a.length && unchecked(a[i]) < unchecked(b[j]))) pc = unchecked(a[i++]);
      else if (i >= a.length || unchecked(b[j]) < unchecked(a[i])) pc = unchecked(b[j++]);
      else { pc = unchecked(a[i++]); j++; }
      this.steps++;
      if (this.accepts(pc, c)) out.push(pc + 1);
    }
    return StaticArray.fromArray<i32>(out);
  }

  @inline private accepts(pc: i32, c: i32): bool {
    const prog = this.prog;
    switch (unchecked(prog.op[pc])) {
      case Op.Rune: return c == unchecked(prog.x[pc]);
      case Op.Class: return unchecked(prog.classes[unchecked(prog.x[pc])]).matches(c);
      case Op.AnyChar: return true;
      case Op.AnyNotNL: return c != 0x0a;
    }
    return false;
  }

  private endMatch(i: i32): bool {
    const st = unchecked(this.states[i]);
    // (Never the initial state: the text is not empty, so a character was read.)
    if (st.endMatch < 0) st.endMatch = this.closure(st.kernel, false, false, true).match ? 1 : 0;
    if (st.endMatch == 1) return true;
    return this.unanchored && this.startEnd.match;
  }

  /**
   * Follows the non-consuming instructions from the kernel (and from pc 0 when `withStart`),
   * with \A true when `atStart` and \z true when `atEnd`.
   */
  private closure(kernel: StaticArray<i32>, withStart: bool, atStart: bool, atEnd: bool): Closure {
    const prog = this.prog;
    if (this.gen == i32.MAX_VALUE) {
      for (let i = 0; i < this.mark.length; i++) unchecked(this.mark[i] = 0);
      this.gen = 0;
    }
    const gen = ++this.gen;
    const out = this.found;
    out.length = 0;
    let match = false;
    let sp = 0;
    for (let i = kernel.length - 1; i >= 0; i--) unchecked(this.stack[sp++] = kernel[i]);
    if (withStart) unchecked(this.stack[sp++] = 0);
    while (sp > 0) {
      let pc = unchecked(this.stack[--sp]);
      while (true) {
        if (unchecked(this.mark[pc]) == gen) break;
        unchecked(this.mark[pc] = gen);
        this.steps++;
        const op = unchecked(prog.op[pc]);
        if (op == Op.Jmp) { pc = unchecked(prog.x[pc]); continue; }
        if (op == Op.Split) {
          // Each instruction is pushed at most once per closure (it is marked when popped, and
          // a Split's y is pushed only from that Split), so the stack never outgrows the program.
          unchecked(this.stack[sp++] = prog.y[pc]);
          pc = unchecked(prog.x[pc]);
          continue;
        }
        if (op == Op.Save) { pc++; continue; }
        if (op == Op.Assert) {
          const k = unchecked(prog.x[pc]);
          if ((k == NodeKind.BeginText && atStart) || (k == NodeKind.EndText && atEnd)) { pc++; continue; }
          break;
        }
        if (op == Op.Match) { match = true; break; }
        out.push(pc);
        break;
      }
    }
    const pcs = StaticArray.fromArray<i32>(out);
    pcs.sort();
    return new Closure(pcs, match);
  }
}

/** Instruction numbers stay below 0xffff (programs are capped at 20000), so each is one code unit. */
function keyOf(kernel: StaticArray<i32>): string {
  const units = new Array<i32>(kernel.length);
  for (let i = 0; i < kernel.length; i++) units[i] = kernel[i];
  return String.fromCharCodes(units);
}

