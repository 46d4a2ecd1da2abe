// A lazily built DFA that answers "does the program match anywhere?" (the Pike VM's Test mode)
// in one table lookup per character once its states are cached. The Pike VM steps every live
// thread at every character, so a large alternation (a bot list, many rules in one set) costs
// hundreds of steps per byte; here each DFA state stands for one set of threads and is computed
// once, then reused by every later request.
//
// - A state is keyed by its kernel: the instructions reached right after consuming a character
//   (before following Split/Jmp/Save/Assert). Its closure (where those threads wait) is computed
//   for a position inside the text. The unanchored start thread is kept apart: its closure and
//   its step on each character class are computed once, so states stay small and cheap to build.
// - Characters are read through an alphabet of classes: code points no instruction tells apart
//   share a class (all of a–z for `[a-z]+`), so a row of the table has one entry per class.
// - `\A`/`^` and `\z`/`$` are decided from the position (start, inside, end). Programs with too
//   many classes (large Unicode classes) are not handled here (`supports` is false) and stay on
//   the Pike VM.
// - Word assertions (`\b`, `\B`, ASCII words as in RE2) and line assertions (`(?m)^`: at the
//   start or after a line feed; `(?m)$`: at the end or before a line feed) depend on the
//   characters on both sides. A program that has them runs in context mode: a state also records
//   the kind of the character before it (a word character, a line feed, or another), the alphabet
//   keeps word characters and the line feed in classes of their own, and the closure is taken on
//   each transition, when the next character's class (so its kind) is known; a Match reached
//   there leads to a match state (one character late, or at the end of the text).
// - The cache is bounded (MAX_TABLE entries): when it is full it is dropped and rebuilt from the
//   current state, so a hostile input costs at most one state (O(program)) per character.
import { Prog, Op } from "./compile";
import { NodeKind } from "./ast";
import { decodeUtf8 } from "./pike";

/** Transition-table entries (i32) before the cache is dropped: 256 KiB. */
const MAX_TABLE: i32 = 65536;
/** More character classes than this: the DFA is not used. */
const MAX_CLASSES: i32 = 256;
const MAX_RUNE: i32 = 0x10ffff;

const UNKNOWN: i32 = -1;
/** The initial state's key: no kernel is this one code unit (instructions stay below 0xffff). */
const INITIAL = "\uffff";
const MATCH: u8 = 1;
/** No thread left and none will start (anchored programs): no match from here on. */
const DEAD: u8 = 2;
const EMPTY = new StaticArray<i32>(0);
/** Where word characters ([0-9A-Za-z_]) begin and end, as class bounds. */
const WORD_BOUNDS: StaticArray<i32> = [0x30, 0x3a, 0x41, 0x5b, 0x5f, 0x60, 0x61, 0x7b];
/** The key of context mode's match state. */
const MATCHED = "\ufffc";
/**
 * Kinds of character context mode tells apart (a state's `after`, a closure's `before`): a word
 * character, a line feed, another character. KINDS is their count; a state's key ends in
 * KEY_KIND + its kind.
 */
const OTHER: i32 = 0;
const WORD: i32 = 1;
const NEWLINE: i32 = 2;
const KINDS: i32 = 3;
const KEY_KIND: i32 = 0xfff0;

@inline function isWordChar(c: i32): bool {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c == 0x5f;
}

@inline function kindOf(c: i32): i32 {
  return c == 0x0a ? NEWLINE : isWordChar(c) ? WORD : OTHER;
}

/** A partition of the code points into classes that every instruction treats alike. */
class Alphabet {
  /** Class k is the code points [bounds[k], bounds[k+1]) (the last runs to MAX_RUNE). */
  bounds: StaticArray<i32>;
  ascii: StaticArray<i32> = new StaticArray<i32>(128);
  /** Per class: the kind of its characters (context mode only; else all OTHER). */
  kind: StaticArray<i32> = new StaticArray<i32>(0);

  constructor(prog: Prog, contextMode: bool) {
    const pts = new Array<i32>();
    pts.push(0);
    if (contextMode) {
      for (let i = 0; i < WORD_BOUNDS.length; i++) pts.push(WORD_BOUNDS[i]);
      pts.push(0x0a);
      pts.push(0x0b);
    }
    for (let pc = 0; pc < prog.length; pc++) {
      const op = prog.op[pc];
      if (op == Op.Rune) { pts.push(prog.x[pc]); pts.push(prog.x[pc] + 1); }
      else if (op == Op.AnyNotNL) { pts.push(0x0a); pts.push(0x0b); }
      else if (op == Op.Class) {
        const r = prog.classes[prog.x[pc]].ranges;
        for (let i = 0; i + 1 < r.length; i += 2) { pts.push(r[i]); pts.push(r[i + 1] + 1); }
      }
    }
    pts.sort();
    const out = new Array<i32>();
    for (let i = 0; i < pts.length; i++) {
      const p = pts[i];
      if (p > MAX_RUNE || (out.length > 0 && out[out.length - 1] == p)) continue;
      out.push(p);
    }
    this.bounds = StaticArray.fromArray<i32>(out);
    for (let c = 0; c < 128; c++) this.ascii[c] = this.search(c);
    this.kind = new StaticArray<i32>(out.length);
    if (contextMode) for (let k = 0; k < out.length; k++) this.kind[k] = kindOf(out[k]);
  }

  get size(): i32 { return this.bounds.length; }

  @inline classOf(c: i32): i32 {
    return c < 128 ? unchecked(this.ascii[c]) : this.search(c);
  }

  private search(c: i32): i32 {
    const b = this.bounds;
    let lo = 0;
    let hi = b.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (unchecked(b[mid]) <= c) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}

class DState {
  /** Where the kernel's threads wait (consuming instructions), sorted. */
  pcs: StaticArray<i32>;
  /** A Match is reachable from the kernel inside the text. */
  match: bool;
  /** -1 unknown, else whether a Match is reachable from the kernel at the end of the text. */
  endMatch: i32 = -1;
  /** The state at position 0 (its pcs are the start thread's, with \A true). */
  initial: bool = false;
  /** Context mode: the kind of the character read into this state. */
  after: i32 = OTHER;
  /** Context mode: the closure before a character of each kind (computed once each). */
  before: StaticArray<Closure | null> = new StaticArray<Closure | null>(KINDS);

  constructor(public kernel: StaticArray<i32>, pcs: StaticArray<i32>, match: bool) {
    this.pcs = pcs;
    this.match = match;
  }
}

class Closure {
  pcs: StaticArray<i32>;
  match: bool;
  constructor(pcs: StaticArray<i32>, match: bool) { this.pcs = pcs; this.match = match; }
}

export class Dfa {
  private prog: Prog;
  private alphabet: Alphabet;
  /** Classes per table row. */
  private width: i32;
  private maxStates: i32;
  private states: Array<DState> = [];
  // The hot path reads flat tables, not objects: trans[state * width + class] (UNKNOWN until
  // computed) and flags[state] (MATCH, DEAD). They grow with the state count.
  private trans: StaticArray<i32> = new StaticArray<i32>(0);
  private flags: StaticArray<u8> = new StaticArray<u8>(0);
  private index: Map<string, i32> = new Map<string, i32>();
  /** Closures of the start thread: at the start of the text, inside it, at its end, both ends. */
  private startAt0: Closure = new Closure(EMPTY, false);
  private startMid: Closure = new Closure(EMPTY, false);
  private startEnd: Closure = new Closure(EMPTY, false);
  private startOnly: Closure = new Closure(EMPTY, false);
  /** Per class: the kernel the start thread (inside the text) contributes on it, once computed. */
  private startStep: Array<StaticArray<i32> | null>;
  /** The start thread runs at every position (no leading \A). */
  private unanchored: bool;
  /** The program has word or line assertions (context mode, see the header). */
  private wordMode: bool;
  /** Context mode: the start thread's closures inside the text, by [kind after * KINDS + kind before]. */
  private startWord: StaticArray<Closure | null> = new StaticArray<Closure | null>(KINDS * KINDS);
  /** Context mode: whether the start thread matches at the end of the text, by the kind of the last character (-1 unknown). */
  private startEndWord: StaticArray<i32> = [-1, -1, -1];
  /** Context mode: the start thread's kernel on class k after a character of kind a ([a * width + k]). */
  private startStepWord: Array<StaticArray<i32> | null> = [];
  // Scratch for closures: a visit mark per instruction and an explicit stack.
  private mark: StaticArray<i32>;
  private gen: i32 = 0;
  private stack: StaticArray<i32>;
  private found: Array<i32> = [];
  /** Work done by the last test (characters read plus instructions visited building states). */
  steps: i64 = 0;
  /** Times the state cache was dropped since creation. */
  resets: i32 = 0;

  /** Whether the DFA can run this program (else the Pike VM does). */
  static supports(prog: Prog): bool {
    return new Alphabet(prog, hasContextAssertions(prog)).size <= MAX_CLASSES;
  }

  constructor(prog: Prog, maxTable: i32 = MAX_TABLE) {
    const wordMode = hasContextAssertions(prog);
    const alphabet = new Alphabet(prog, wordMode);
    const width = alphabet.size;
    this.prog = prog;
    this.alphabet = alphabet;
    this.wordMode = wordMode;
    this.width = width;
    this.maxStates = maxTable / width < 16 ? 16 : maxTable / width;
    this.startStep = new Array<StaticArray<i32> | null>(width);
    if (wordMode) this.startStepWord = new Array<StaticArray<i32> | null>(KINDS * width);
    this.mark = new StaticArray<i32>(prog.length);
    // A closure pushes each kernel instruction, pc 0, and each Split's second branch once.
    this.stack = new StaticArray<i32>(2 * prog.length + 2);
    this.unanchored = !prog.anchorStart;
    this.startAt0 = this.closure(EMPTY, true, true, false);
    this.startMid = this.closure(EMPTY, true, false, false);
    this.startEnd = this.closure(EMPTY, true, false, true);
    this.startOnly = this.closure(EMPTY, true, true, true);
  }

  get stateCount(): i32 { return this.states.length; }

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
    // (In word mode a match at 0 may depend on the first character: the first step decides.)
    if (!this.wordMode && this.startAt0.match) return true;
    const alphabet = this.alphabet;
    const width = this.width;
    let cur = this.initial();
    let pos = 0;
    while (pos < len) {
      let c: i32;
      let w: i32;
      if (utf8) {
        c = <i32>load<u8>(base + <usize>pos);
        w = 1;
        if (c >= 0x80) {
          const r = decodeUtf8(base + <usize>pos, len - pos);
          c = r & 0xffffff;
          w = r >>> 24;
        }
      } else {
        c = <i32>load<u16>(base + (<usize>pos << 1));
        w = 1;
        if (c >= 0xd800 && c < 0xdc00 && pos + 1 < len) {
          const d = <i32>load<u16>(base + (<usize>(pos + 1) << 1));
          if (d >= 0xdc00 && d < 0xe000) { c = ((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000; w = 2; }
        }
      }
      this.steps++;
      const k = alphabet.classOf(c);
      let t = unchecked(this.trans[cur * width + k]);
      if (t == UNKNOWN) t = this.step(cur, k);
      cur = t;
      pos += w;
      const f = unchecked(this.flags[cur]);
      if (f != 0) {
        if (f == MATCH) return true;
        // DEAD: nothing waits for more text, but a \z may still hold right here at the end.
        return pos >= len && this.endMatch(cur);
      }
    }
    return this.endMatch(cur);
  }

  private initial(): i32 {
    if (this.index.has(INITIAL)) return this.index.get(INITIAL);
    if (this.states.length >= this.maxStates) this.reset(null);
    const i = this.add(INITIAL, EMPTY, this.startAt0.pcs, false);
    unchecked(this.states[i]).initial = true;
    return i;
  }

  /** The state after reading a character of class k in state i (the table did not have it). */
  private step(i: i32, k: i32): i32 {
    if (this.wordMode) return this.stepWord(i, k);
    const st = unchecked(this.states[i]);
    const kernel = this.advance(st, k);
    const key = keyOf(kernel);
    if (!this.index.has(key) && this.states.length >= this.maxStates) {
      this.reset(st);
      i = 0;
    }
    let t: i32;
    if (this.index.has(key)) t = this.index.get(key);
    else {
      const cl = this.closure(kernel, false, false, false);
      t = this.add(key, kernel, cl.pcs, cl.match);
    }
    unchecked(this.trans[i * this.width + k] = t);
    return t;
  }

  /**
   * Context mode: the closure of state i is taken now that the next character (class k, so its
   * kind) is known; a Match there leads to the match state, else its waiting threads consume the
   * character.
   */
  private stepWord(i: i32, k: i32): i32 {
    const st = unchecked(this.states[i]);
    const next = unchecked(this.alphabet.kind[k]);
    const own = this.closureBefore(st, next);
    let t: i32;
    if (own.match || (this.unanchored && !st.initial && this.startClosure(st.after, next).match)) {
      t = this.index.has(MATCHED) ? this.index.get(MATCHED) : -1;
      if (t < 0) {
        if (this.states.length >= this.maxStates) { this.reset(st); i = 0; }
        t = this.add(MATCHED, EMPTY, EMPTY, true);
      }
    } else {
      const kernel = this.consume(own.pcs, k, this.unanchored && !st.initial ? this.startKernelWord(st.after, k) : EMPTY);
      const key = keyOf(kernel) + String.fromCharCode(KEY_KIND + next);
      if (!this.index.has(key) && this.states.length >= this.maxStates) {
        this.reset(st);
        i = 0;
      }
      if (this.index.has(key)) t = this.index.get(key);
      else {
        t = this.add(key, kernel, EMPTY, false);
        unchecked(this.states[t]).after = next;
      }
    }
    unchecked(this.trans[i * this.width + k] = t);
    return t;
  }

  /** Context mode: state st's closure before a character of kind `next`, computed once per kind. */
  private closureBefore(st: DState, next: i32): Closure {
    const cached = unchecked(st.before[next]);
    if (cached !== null) return cached;
    const c = st.initial ? this.closure(EMPTY, true, true, false, OTHER, next) : this.closure(st.kernel, false, false, false, st.after, next);
    unchecked(st.before[next] = c);
    return c;
  }

  /** Context mode: the start thread's closure inside the text between two characters of these kinds. */
  private startClosure(after: i32, before: i32): Closure {
    const slot = after * KINDS + before;
    const c = unchecked(this.startWord[slot]);
    if (c !== null) return c;
    const r = this.closure(EMPTY, true, false, false, after, before);
    unchecked(this.startWord[slot] = r);
    return r;
  }

  /** Context mode: what the start thread contributes on class k after a character of kind `after`. */
  private startKernelWord(after: i32, k: i32): StaticArray<i32> {
    const slot = after * this.width + k;
    const cached = unchecked(this.startStepWord[slot]);
    if (cached !== null) return cached;
    const r = this.consume(this.startClosure(after, unchecked(this.alphabet.kind[k])).pcs, k, EMPTY);
    unchecked(this.startStepWord[slot] = r);
    return r;
  }

  /** pc+1 for every waiting thread in `pcs` that accepts class k, merged with `extra` (sorted). */
  private consume(pcs: StaticArray<i32>, k: i32, extra: StaticArray<i32>): StaticArray<i32> {
    const rep = unchecked(this.alphabet.bounds[k]);
    const out = this.found;
    out.length = 0;
    for (let i = 0; i < pcs.length; i++) {
      const pc = unchecked(pcs[i]);
      this.steps++;
      if (this.accepts(pc, rep)) out.push(pc + 1);
    }
    for (let i = 0; i < extra.length; i++) out.push(unchecked(extra[i]));
    return sortedUnique(out);
  }

  /** The key a state is found under. */
  private keyFor(st: DState): string {
    if (st.initial) return INITIAL;
    if (!this.wordMode) return keyOf(st.kernel);
    if (st.match) return MATCHED;
    return keyOf(st.kernel) + String.fromCharCode(KEY_KIND + st.after);
  }

  /** Drops every cached state but `keep` (which becomes state 0): the cache is full. */
  private reset(keep: DState | null): void {
    this.states = [];
    this.index = new Map<string, i32>();
    this.resets++;
    if (keep === null) return;
    this.states.push(keep);
    this.index.set(this.keyFor(keep), 0);
    this.clearRow(0, keep);
  }

  private add(key: string, kernel: StaticArray<i32>, pcs: StaticArray<i32>, match: bool): i32 {
    const i = this.states.length;
    const st = new DState(kernel, pcs, match);
    this.states.push(st);
    this.index.set(key, i);
    if (i >= this.flags.length) {
      let cap = i < 32 ? 64 : i * 2;
      if (cap > this.maxStates) cap = this.maxStates;
      const trans = new StaticArray<i32>(cap * this.width);
      const flags = new StaticArray<u8>(cap);
      memory.copy(changetype<usize>(trans), changetype<usize>(this.trans), <usize>this.trans.length << 2);
      memory.copy(changetype<usize>(flags), changetype<usize>(this.flags), <usize>this.flags.length);
      this.trans = trans;
      this.flags = flags;
    }
    this.clearRow(i, st);
    return i;
  }

  private clearRow(i: i32, st: DState): void {
    const row = i * this.width;
    for (let k = 0; k < this.width; k++) unchecked(this.trans[row + k] = UNKNOWN);
    // (Context mode keeps no pcs: a state is dead when its kernel is, the initial state never.)
    const none = this.wordMode ? st.kernel.length == 0 && !st.initial : st.pcs.length == 0;
    unchecked(this.flags[i] = st.match ? MATCH : (!this.unanchored && none ? DEAD : 0));
  }

  /** The kernel after a character of class k: pc+1 for every waiting thread that accepts it. */
  private advance(st: DState, k: i32): StaticArray<i32> {
    const rep = unchecked(this.alphabet.bounds[k]);
    const out = this.found;
    out.length = 0;
    const a = st.pcs;
    for (let i = 0; i < a.length; i++) {
      const pc = unchecked(a[i]);
      this.steps++;
      if (this.accepts(pc, rep)) out.push(pc + 1);
    }
    // Unanchored: a match may also begin here (the initial state's pcs already include these).
    if (!this.unanchored || st.initial) return StaticArray.fromArray<i32>(out);
    const b = this.startKernel(k);
    if (b.length == 0) return StaticArray.fromArray<i32>(out);
    if (out.length == 0) return b;
    // Merge two sorted lists into one sorted, duplicate-free kernel.
    const merged = new StaticArray<i32>(out.length + b.length);
    let i = 0;
    let j = 0;
    let n = 0;
    while (i < out.length || j < b.length) {
      let pc: i32;
      if (j >= b.length || (i < out.length && unchecked(out[i]) < unchecked(b[j]))) pc = unchecked(out[i++]);
      else if (i >= out.length || unchecked(b[j]) < unchecked(out[i])) pc = unchecked(b[j++]);
      else { pc = unchecked(out[i++]); j++; }
      unchecked(merged[n++] = pc);
    }
    if (n == merged.length) return merged;
    const exact = new StaticArray<i32>(n);
    for (let x = 0; x < n; x++) unchecked(exact[x] = merged[x]);
    return exact;
  }

  /** What the start thread inside the text contributes on class k (computed once per class). */
  private startKernel(k: i32): StaticArray<i32> {
    const cached = unchecked(this.startStep[k]);
    if (cached !== null) return cached;
    const rep = unchecked(this.alphabet.bounds[k]);
    const a = this.startMid.pcs;
    const out = new Array<i32>();
    for (let i = 0; i < a.length; i++) {
      this.steps++;
      if (this.accepts(unchecked(a[i]), rep)) out.push(unchecked(a[i]) + 1);
    }
    const r = StaticArray.fromArray<i32>(out);
    unchecked(this.startStep[k] = r);
    return r;
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
    if (st.endMatch < 0) st.endMatch = this.closure(st.kernel, false, false, true, st.after, OTHER).match ? 1 : 0;
    if (st.endMatch == 1) return true;
    if (!this.unanchored) return false;
    if (!this.wordMode) return this.startEnd.match;
    const slot = st.after;
    if (unchecked(this.startEndWord[slot]) < 0) unchecked(this.startEndWord[slot] = this.closure(EMPTY, true, false, true, st.after, OTHER).match ? 1 : 0);
    return unchecked(this.startEndWord[slot]) == 1;
  }

  /**
   * Follows the non-consuming instructions from the kernel (and from pc 0 when `withStart`),
   * with \A (and a line start) true when `atStart` and \z (and a line end) true when `atEnd`,
   * between a character of kind `after` and one of kind `before` (OTHER at either end).
   */
  private closure(kernel: StaticArray<i32>, withStart: bool, atStart: bool, atEnd: bool, after: i32 = OTHER, before: i32 = OTHER): Closure {
    const afterWord = after == WORD;
    const beforeWord = before == WORD;
    const lineStart = atStart || after == NEWLINE;
    const lineEnd = atEnd || before == NEWLINE;
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
          // Each Split is visited once per closure, so the stack never outgrows the program.
          unchecked(this.stack[sp++] = prog.y[pc]);
          pc = unchecked(prog.x[pc]);
          continue;
        }
        if (op == Op.Save) { pc++; continue; }
        if (op == Op.Assert) {
          const k = unchecked(prog.x[pc]);
          if ((k == NodeKind.BeginText && atStart) || (k == NodeKind.EndText && atEnd)) { pc++; continue; }
          if ((k == NodeKind.WordBoundary && afterWord != beforeWord) || (k == NodeKind.NoWordBoundary && afterWord == beforeWord)) { pc++; continue; }
          if ((k == NodeKind.BeginLine && lineStart) || (k == NodeKind.EndLine && lineEnd)) { pc++; continue; }
          break;
        }
        if (op == Op.Match) { match = true; break; }
        out.push(pc);
        break;
      }
    }
    return new Closure(sorted(out), match);
  }
}

/** A sorted copy; insertion sort for the usual few entries (no comparator calls). */
function sorted(a: Array<i32>): StaticArray<i32> {
  const r = StaticArray.fromArray<i32>(a);
  const n = r.length;
  if (n > 64) { r.sort(); return r; }
  for (let i = 1; i < n; i++) {
    const v = unchecked(r[i]);
    let j = i - 1;
    while (j >= 0 && unchecked(r[j]) > v) { unchecked(r[j + 1] = r[j]); j--; }
    unchecked(r[j + 1] = v);
  }
  return r;
}

/** A sorted, duplicate-free copy. */
function sortedUnique(a: Array<i32>): StaticArray<i32> {
  const r = sorted(a);
  let n = 0;
  for (let i = 0; i < r.length; i++) if (n == 0 || unchecked(r[n - 1]) != unchecked(r[i])) unchecked(r[n++] = r[i]);
  if (n == r.length) return r;
  const exact = new StaticArray<i32>(n);
  for (let i = 0; i < n; i++) unchecked(exact[i] = r[i]);
  return exact;
}

/** Word or line assertions: the program runs in context mode. */
function hasContextAssertions(prog: Prog): bool {
  for (let pc = 0; pc < prog.length; pc++) {
    if (prog.op[pc] != Op.Assert) continue;
    const k = prog.x[pc];
    if (k == NodeKind.WordBoundary || k == NodeKind.NoWordBoundary || k == NodeKind.BeginLine || k == NodeKind.EndLine) return true;
  }
  return false;
}

/** Instruction numbers stay below 0xffff (programs are capped at 20000), so each is one code unit. */
function keyOf(kernel: StaticArray<i32>): string {
  const units = new Array<i32>(kernel.length);
  for (let i = 0; i < kernel.length; i++) unchecked(units[i] = kernel[i]);
  return String.fromCharCodes(units);
}
