// The Pike VM: a breadth-first simulation of the program over the input, one step per character,
// with at most one thread per instruction. Time is O(len(input) × len(program)) whatever the
// pattern; memory is fixed per program and allocated once (thread lists, capture slots, the
// explicit stack that replaces recursion). Threads are kept in priority order, which gives
// leftmost-first (Perl/Go) submatches.
import { Prog, Op } from "./compile";
import { NodeKind } from "./ast";

export const enum Mode {
  /** Any match anywhere; stop at the first one seen. */
  Test,
  /** Leftmost-first match with submatches. */
  Find,
  /** The whole input must match (anchored at both ends). */
  Full,
}

/**
 * A thread list: the threads (waiting at a consuming instruction or Match) in priority order,
 * with their capture slots, plus a visited mark for every instruction reached while filling it.
 */
class Queue {
  mark: StaticArray<i32>;
  gen: i32 = 1;
  pcs: StaticArray<i32>;
  caps: StaticArray<i32>;
  n: i32 = 0;

  constructor(size: i32, ncap: i32) {
    this.mark = new StaticArray<i32>(size);
    this.pcs = new StaticArray<i32>(size);
    this.caps = new StaticArray<i32>(size * ncap + 1);
  }

  clear(): void {
    this.n = 0;
    if (this.gen == i32.MAX_VALUE) {
      for (let i = 0; i < this.mark.length; i++) unchecked(this.mark[i] = 0);
      this.gen = 0;
    }
    this.gen++;
  }

  /** Marks pc visited; false if it already was. */
  @inline visit(pc: i32): bool {
    if (unchecked(this.mark[pc]) == this.gen) return false;
    unchecked(this.mark[pc] = this.gen);
    return true;
  }

  @inline push(pc: i32): i32 {
    const i = this.n++;
    unchecked(this.pcs[i] = pc);
    return i;
  }
}

@inline function isWordUnit(c: i32): bool {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c == 0x5f;
}

/**
 * Decodes one UTF-8 sequence at p (left > 0 bytes available): the code point in the low 24 bits,
 * its length in the high 8. Invalid or truncated sequences decode as U+FFFD of length 1, as Go does.
 */
export function decodeUtf8(p: usize, left: i32): i32 {
  const b0 = <i32>load<u8>(p);
  if (b0 < 0x80) return b0 | (1 << 24);
  if (b0 >= 0xc2 && b0 < 0xe0 && left >= 2) {
    const b1 = <i32>load<u8>(p + 1);
    if ((b1 & 0xc0) == 0x80) return (((b0 & 0x1f) << 6) | (b1 & 0x3f)) | (2 << 24);
  } else if (b0 >= 0xe0 && b0 < 0xf0 && left >= 3) {
    const b1 = <i32>load<u8>(p + 1);
    const b2 = <i32>load<u8>(p + 2);
    if ((b1 & 0xc0) == 0x80 && (b2 & 0xc0) == 0x80) {
      const c = ((b0 & 0x0f) << 12) | ((b1 & 0x3f) << 6) | (b2 & 0x3f);
      if (c >= 0x800 && (c < 0xd800 || c > 0xdfff)) return c | (3 << 24);
    }
  } else if (b0 >= 0xf0 && b0 < 0xf5 && left >= 4) {
    const b1 = <i32>load<u8>(p + 1);
    const b2 = <i32>load<u8>(p + 2);
    const b3 = <i32>load<u8>(p + 3);
    if ((b1 & 0xc0) == 0x80 && (b2 & 0xc0) == 0x80 && (b3 & 0xc0) == 0x80) {
      const c = ((b0 & 0x07) << 18) | ((b1 & 0x3f) << 12) | ((b2 & 0x3f) << 6) | (b3 & 0x3f);
      if (c >= 0x10000 && c <= 0x10ffff) return c | (4 << 24);
    }
  }
  return 0xfffd | (1 << 24);
}

export class Machine {
  prog: Prog;
  ncap: i32;
  q0: Queue;
  q1: Queue;
  // Explicit stack for following Split/Jmp/Save/Assert: an entry is either a pc to explore
  // (slot < 0) or a capture slot to restore to `val` once the branch below it is done.
  stackPc: StaticArray<i32>;
  stackVal: StaticArray<i32>;
  tmp: StaticArray<i32>;
  /** Submatch slots of the last successful Find/Full run. */
  matchCaps: StaticArray<i32>;
  /** VM steps (instructions visited plus threads stepped), accumulated until reset. */
  steps: i64 = 0;

  // The current input: a pointer to UTF-16 units or UTF-8 bytes.
  base: usize = 0;
  len: i32 = 0;
  utf8: bool = false;
  width: i32 = 0;
  // Slots to record in this run (0 for Test).
  nc: i32 = 0;
  mode: Mode = Mode.Find;

  constructor(prog: Prog) {
    this.prog = prog;
    const size = prog.length;
    this.ncap = prog.ncap;
    this.q0 = new Queue(size, prog.ncap);
    this.q1 = new Queue(size, prog.ncap);
    this.stackPc = new StaticArray<i32>(2 * size + 2);
    this.stackVal = new StaticArray<i32>(2 * size + 2);
    this.tmp = new StaticArray<i32>(prog.ncap);
    this.matchCaps = new StaticArray<i32>(prog.ncap);
  }

  setString(s: string): void {
    this.base = changetype<usize>(s);
    this.len = s.length;
    this.utf8 = false;
  }

  setBytes(b: ArrayBuffer): void {
    this.base = changetype<usize>(b);
    this.len = b.byteLength;
    this.utf8 = true;
  }

  /** Code unit (or byte) at i; -1 outside the input. */
  @inline unitAt(i: i32): i32 {
    if (i < 0 || i >= this.len) return -1;
    return this.utf8 ? <i32>load<u8>(this.base + <usize>i) : <i32>load<u16>(this.base + (<usize>i << 1));
  }

  /** Code point at i (sets `width`); -1 with width 0 at the end. Bad encodings decode as themselves (UTF-16) or U+FFFD (UTF-8). */
  decode(i: i32): i32 {
    if (i >= this.len) { this.width = 0; return -1; }
    if (!this.utf8) {
      const c = <i32>load<u16>(this.base + (<usize>i << 1));
      if (c >= 0xd800 && c < 0xdc00 && i + 1 < this.len) {
        const d = <i32>load<u16>(this.base + (<usize>(i + 1) << 1));
        if (d >= 0xdc00 && d < 0xe000) { this.width = 2; return ((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000; }
      }
      this.width = 1;
      return c;
    }
    const r = decodeUtf8(this.base + <usize>i, this.len - i);
    this.width = r >>> 24;
    return r & 0xffffff;
  }

  assertion(kind: i32, pos: i32): bool {
    switch (kind) {
      case NodeKind.BeginText: return pos == 0;
      case NodeKind.EndText: return pos == this.len;
      case NodeKind.BeginLine: return pos == 0 || this.unitAt(pos - 1) == 0x0a;
      case NodeKind.EndLine: return pos == this.len || this.unitAt(pos) == 0x0a;
      case NodeKind.WordBoundary: return isWordUnit(this.unitAt(pos - 1)) != isWordUnit(this.unitAt(pos));
      case NodeKind.NoWordBoundary: return isWordUnit(this.unitAt(pos - 1)) == isWordUnit(this.unitAt(pos));
    }
    return false;
  }

  /**
   * The first character boundary at or after pos where a match can begin, judged by its first
   * code unit (byte). ASCII units are whole characters; other characters are stepped over whole.
   */
  skip(pos: i32): i32 {
    const prog = this.prog;
    const len = this.len;
    const fb = prog.firstByte;
    if (fb >= 0) {
      if (this.utf8) while (pos < len && <i32>load<u8>(this.base + <usize>pos) != fb) pos++;
      else while (pos < len && <i32>load<u16>(this.base + (<usize>pos << 1)) != fb) pos++;
      return pos;
    }
    const nonAscii = prog.firstNonAscii;
    while (pos < len) {
      const c = this.utf8 ? <i32>load<u8>(this.base + <usize>pos) : <i32>load<u16>(this.base + (<usize>pos << 1));
      if (c < 0x80) {
        if ((unchecked(prog.firstSet[c >> 5]) & ((<u32>1) << (<u32>(c & 31)))) != 0) break;
        pos++;
      } else {
        if (nonAscii) break;
        this.decode(pos);
        pos += this.width;
      }
    }
    return pos;
  }

  /**
   * Runs the program from `start` (earlier input still counts for ^, \b). `nc` is how many
   * capture slots to track. Returns whether it matched; submatches land in `matchCaps`.
   */
  run(start: i32, mode: Mode, nc: i32): bool {
    const prog = this.prog;
    this.mode = mode;
    this.nc = mode == Mode.Test ? 0 : (nc < this.ncap ? nc : this.ncap);
    let clist = this.q0;
    let nlist = this.q1;
    clist.clear();
    nlist.clear();
    let matched = false;
    const anchored = mode == Mode.Full || prog.anchorStart;
    if (anchored && start > 0 && prog.anchorStart) return false;
    let pos = start;
    while (true) {
      if (!matched && (pos == start || !anchored)) {
        if (clist.n == 0 && !anchored && prog.canSkip) {
          // Nothing in flight: jump to the next place a match could begin.
          pos = this.skip(pos);
          if (pos >= this.len) break;
        }
        if (mode == Mode.Test && prog.startPure) {
          // The start thread is the last one added to clist, so nothing needs the marks of the
          // instructions between: add its waiting threads directly.
          const starts = prog.startPcs;
          for (let i = 0; i < starts.length; i++) {
            const pc = unchecked(starts[i]);
            this.steps++;
            if (clist.visit(pc)) clist.push(pc);
          }
        } else {
          for (let i = 0; i < this.nc; i++) unchecked(this.tmp[i] = -1);
          this.addThread(clist, 0, pos);
        }
      }
      // No thread alive: done if a match was found or no new thread will be started.
      if (clist.n == 0 && (matched || anchored)) break;
      const c = this.decode(pos);
      const w = this.width;
      nlist.clear();
      const r = this.step(clist, nlist, pos, c, w);
      if (r == 2) return true; // Test mode: any match will do
      if (r == 1) matched = true;
      if (w == 0) break;
      pos += w;
      const t = clist;
      clist = nlist;
      nlist = t;
    }
    return matched;
  }

  /** Advances every thread of clist over character c at pos. 1: matched, 2: matched (Test), 0: no match. */
  step(clist: Queue, nlist: Queue, pos: i32, c: i32, w: i32): i32 {
    const prog = this.prog;
    const nc = this.nc;
    for (let i = 0; i < clist.n; i++) {
      const pc = unchecked(clist.pcs[i]);
      const op = unchecked(prog.op[pc]);
      let ok = false;
      switch (op) {
        case Op.Match: {
          this.steps++;
          if (this.mode == Mode.Full && pos != this.len) continue;
          if (this.mode == Mode.Test) return 2;
          const base = i * nc;
          for (let k = 0; k < nc; k++) unchecked(this.matchCaps[k] = clist.caps[base + k]);
          // Lower-priority threads are cut off; higher-priority ones already moved to nlist.
          return 1;
        }
        case Op.Rune: ok = c == unchecked(prog.x[pc]); break;
        case Op.Class: ok = c >= 0 && unchecked(prog.classes[unchecked(prog.x[pc])]).matches(c); break;
        case Op.AnyChar: ok = c >= 0; break;
        case Op.AnyNotNL: ok = c >= 0 && c != 0x0a; break;
      }
      this.steps++;
      if (!ok) continue;
      const base = i * nc;
      for (let k = 0; k < nc; k++) unchecked(this.tmp[k] = clist.caps[base + k]);
      this.addThread(nlist, pc + 1, pos + w);
    }
    return 0;
  }

  /** Adds pc0 and everything it reaches without consuming input to q, in priority order. */
  addThread(q: Queue, pc0: i32, pos: i32): void {
    const prog = this.prog;
    const nc = this.nc;
    const tmp = this.tmp;
    let sp = 0;
    unchecked(this.stackPc[sp] = pc0);
    unchecked(this.stackVal[sp] = -1);
    sp++;
    while (sp > 0) {
      sp--;
      let pc = unchecked(this.stackPc[sp]);
      if (pc < 0) { // restore a capture slot
        unchecked(tmp[-1 - pc] = this.stackVal[sp]);
        continue;
      }
      while (true) {
        if (!q.visit(pc)) break;
        this.steps++;
        const op = unchecked(prog.op[pc]);
        if (op == Op.Jmp) { pc = unchecked(prog.x[pc]); continue; }
        if (op == Op.Split) {
          unchecked(this.stackPc[sp] = prog.y[pc]);
          sp++;
          pc = unchecked(prog.x[pc]);
          continue;
        }
        if (op == Op.Save) {
          const slot = unchecked(prog.x[pc]);
          if (slot < nc) {
            unchecked(this.stackPc[sp] = -1 - slot);
            unchecked(this.stackVal[sp] = tmp[slot]);
            sp++;
            unchecked(tmp[slot] = pos);
          }
          pc++;
          continue;
        }
        if (op == Op.Assert) {
          if (this.assertion(unchecked(prog.x[pc]), pos)) { pc++; continue; }
          break;
        }
        // A consuming instruction or Match: the thread waits here with the current captures.
        const base = q.push(pc) * nc;
        for (let k = 0; k < nc; k++) unchecked(q.caps[base + k] = tmp[k]);
        break;
      }
    }
  }
}
