// RE2 / Go regexp/syntax parser (Perl flavour, as Go's regexp.Compile uses). Errors are values
// with Go's wording ("error parsing regexp: missing closing ): `(abc`"); nothing here traps on
// any input. Recursion follows group nesting only, which is capped at MAX_NESTING.
import { Node, NodeKind } from "./ast";
import { RangeBuilder, CharClass, MAX_RUNE, addOrbit, addPerlClass, addPosixClass } from "./charclass";
import { unicodeClass } from "./unicode";

export const MAX_REPEAT: i32 = 1000;
export const MAX_NESTING: i32 = 100;

const FLAG_I: i32 = 1; // case-insensitive
const FLAG_M: i32 = 2; // ^ and $ match at line boundaries
const FLAG_S: i32 = 4; // . matches \n
const FLAG_U: i32 = 8; // swap greedy and lazy

export class ParseResult {
  constructor(
    public node: Node | null,
    public error: string,
    /** Number of capture groups (not counting the whole match). */
    public groups: i32,
    /** names[i] is the name of group i ("" when unnamed); names[0] is "". */
    public names: Array<string>,
  ) {}
}

export function parse(pattern: string): ParseResult {
  const p = new Parser(pattern);
  const node = p.parseAlternation(0);
  if (node !== null && p.error.length == 0 && p.pos < p.len) {
    // parseAlternation stops at ')' only when it is unbalanced at the top level.
    p.fail("unexpected )", pattern);
  }
  if (p.error.length > 0) return new ParseResult(null, "error parsing regexp: " + p.error, 0, []);
  return new ParseResult(node, "", p.ncap, p.names);
}

@inline function isDigit(c: i32): bool { return c >= 0x30 && c <= 0x39; }
@inline function isAlnum(c: i32): bool {
  return isDigit(c) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}
@inline function isWordChar(c: i32): bool { return isAlnum(c) || c == 0x5f; }
function hexValue(c: i32): i32 {
  if (isDigit(c)) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

function repeatIsValid(n: Node, limit: i32, depth: i32): bool {
  if (depth > 4 * MAX_NESTING) return false;
  if (n.kind == NodeKind.Repeat) {
    let m = n.max;
    if (m == 0) return true;
    if (m < 0) m = n.min;
    if (m > limit) return false;
    if (m > 0) limit /= m;
  }
  for (let i = 0; i < n.subs.length; i++) if (!repeatIsValid(n.subs[i], limit, depth + 1)) return false;
  return true;
}

class Parser {
  pos: i32 = 0;
  len: i32;
  flags: i32 = 0;
  error: string = "";
  ncap: i32 = 0;
  names: Array<string> = [""];

  constructor(public s: string) { this.len = s.length; }

  fail(code: string, text: string): Node | null {
    if (this.error.length == 0) this.error = code + ": `" + text + "`";
    return null;
  }

  get failed(): bool { return this.error.length > 0; }

  /** Code point at i (surrogate pairs combined), or -1 past the end. */
  cpAt(i: i32): i32 {
    if (i >= this.len) return -1;
    const c = <i32>this.s.charCodeAt(i);
    if (c >= 0xd800 && c < 0xdc00 && i + 1 < this.len) {
      const d = <i32>this.s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d < 0xe000) return ((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000;
    }
    return c;
  }

  @inline peek(): i32 { return this.pos < this.len ? <i32>this.s.charCodeAt(this.pos) : -1; }
  @inline peekAt(k: i32): i32 { return this.pos + k < this.len ? <i32>this.s.charCodeAt(this.pos + k) : -1; }

  /** Reads one code point and advances. */
  next(): i32 {
    const c = this.cpAt(this.pos);
    this.pos += c >= 0x10000 ? 2 : 1;
    return c;
  }

  // ---- structure ----------------------------------------------------------------------------

  parseAlternation(depth: i32): Node | null {
    if (depth > MAX_NESTING) return this.fail("expression nests too deeply", this.s);
    const alts = new Array<Node>();
    while (true) {
      const c = this.parseConcat(depth);
      if (c === null) return null;
      alts.push(c);
      if (this.peek() == 0x7c) { this.pos++; continue; } // |
      break;
    }
    return alts.length == 1 ? alts[0] : Node.withSubs(NodeKind.Alternate, alts);
  }

  parseConcat(depth: i32): Node | null {
    const items = new Array<Node>();
    // Start of the previous token if it was a repetition operator (Go rejects `a**`), else -1.
    let lastRepeat = -1;
    while (this.pos < this.len) {
      const c = this.peek();
      if (c == 0x7c || c == 0x29) break; // | )
      const start = this.pos;
      let thisRepeat = -1;
      if (c == 0x2a || c == 0x2b || c == 0x3f) { // * + ?
        this.pos++;
        const min = c == 0x2b ? 1 : 0;
        const max = c == 0x3f ? 1 : -1;
        if (!this.applyRepeat(items, min, max, start, lastRepeat)) return null;
        thisRepeat = start;
      } else if (c == 0x7b) { // {
        const save = this.pos;
        const ok = this.parseRepeatBraces();
        if (this.failed) return null;
        if (ok) {
          if (!this.applyRepeat(items, this.repMin, this.repMax, start, lastRepeat)) return null;
          thisRepeat = start;
        } else {
          this.pos = save + 1; // not a repeat: a literal {
          items.push(this.literalNode(0x7b));
        }
      } else if (c == 0x28) { // (
        const g = this.parseGroup(depth);
        if (this.failed) return null;
        if (g !== null) items.push(g); // null: a flag group such as (?i), which adds nothing
      } else if (c == 0x5b) { // [
        const cls = this.parseClass();
        if (cls === null) return null;
        items.push(cls);
      } else if (c == 0x5c) { // backslash
        if (!this.parseEscapeAtom(items)) return null;
      } else {
        this.next();
        if (c == 0x2e) items.push(new Node((this.flags & FLAG_S) != 0 ? NodeKind.AnyChar : NodeKind.AnyNotNL));
        else if (c == 0x5e) items.push(new Node((this.flags & FLAG_M) != 0 ? NodeKind.BeginLine : NodeKind.BeginText));
        else if (c == 0x24) items.push(new Node((this.flags & FLAG_M) != 0 ? NodeKind.EndLine : NodeKind.EndText));
        else items.push(this.literalNode(this.cpAt(start)));
      }
      lastRepeat = thisRepeat;
    }
    if (items.length == 0) return new Node(NodeKind.Empty);
    return items.length == 1 ? items[0] : Node.withSubs(NodeKind.Concat, items);
  }

  repMin: i32 = 0;
  repMax: i32 = 0;

  /** Parses {n}, {n,} or {n,m} at pos. False (pos unspecified) if it is not a repeat. */
  parseRepeatBraces(): bool {
    this.pos++; // {
    const lo = this.parseInt();
    if (lo == -2) return false;
    let hi = lo;
    if (this.peek() == 0x2c) { // ,
      this.pos++;
      if (this.peek() == 0x7d) hi = -1;
      else {
        hi = this.parseInt();
        if (hi == -2) return false;
      }
    }
    if (this.peek() != 0x7d) return false;
    this.pos++;
    this.repMin = lo;
    this.repMax = hi;
    return true;
  }

  /** Decimal integer; -2 if none (or a leading zero), a huge value if out of range. */
  parseInt(): i32 {
    const start = this.pos;
    while (isDigit(this.peek())) this.pos++;
    const n = this.pos - start;
    if (n == 0) return -2;
    if (n >= 2 && this.s.charCodeAt(start) == 0x30) return -2;
    if (n > 8) return 100000000;
    let v = 0;
    for (let i = start; i < this.pos; i++) v = v * 10 + (<i32>this.s.charCodeAt(i) - 0x30);
    return v;
  }

  applyRepeat(items: Array<Node>, min: i32, max: i32, start: i32, lastRepeat: i32): bool {
    let greedy = true;
    if (this.peek() == 0x3f) { this.pos++; greedy = false; }
    if ((this.flags & FLAG_U) != 0) greedy = !greedy;
    const opText = this.s.substring(start, this.pos);
    if (lastRepeat >= 0) {
      this.fail("invalid nested repetition operator", this.s.substring(lastRepeat, this.pos));
      return false;
    }
    if (items.length == 0) {
      this.fail("missing argument to repetition operator", opText);
      return false;
    }
    if (min < 0 || min > MAX_REPEAT || max > MAX_REPEAT || (max >= 0 && min > max)) {
      this.fail("invalid repeat count", opText);
      return false;
    }
    const last = items.length - 1;
    const node = Node.repeat(items[last], min, max, greedy);
    // Go's rule: nested repetitions may not multiply out to more than 1000 copies.
    if ((min >= 2 || max >= 2) && !repeatIsValid(node, MAX_REPEAT, 0)) {
      this.fail("invalid repeat count", opText);
      return false;
    }
    items[last] = node;
    return true;
  }

  /** Returns the group node, or null for a pure flag group / on error (check `failed`). */
  parseGroup(depth: i32): Node | null {
    const start = this.pos;
    this.pos++; // (
    let capIndex = -1;
    let name = "";
    const savedFlags = this.flags;
    if (this.peek() == 0x3f) { // ?
      const c1 = this.peekAt(1);
      const c2 = this.peekAt(2);
      if (c1 == 0x3d || c1 == 0x21 || (c1 == 0x3c && (c2 == 0x3d || c2 == 0x21))) {
        // (?= (?! (?<= (?<! : RE2 has no lookaround (it cannot be matched in linear time).
        return this.fail("invalid or unsupported Perl syntax", this.s.substring(start, this.pos + (c1 == 0x3c ? 3 : 2)));
      }
      if (c1 == 0x3c || (c1 == 0x50 && c2 == 0x3c)) { // (?< or (?P<
        this.pos += c1 == 0x3c ? 2 : 3;
        const nameStart = this.pos;
        while (this.pos < this.len && this.peek() != 0x3e) this.pos++;
        if (this.pos >= this.len) return this.fail("invalid named capture", this.s.substring(start));
        name = this.s.substring(nameStart, this.pos);
        this.pos++; // >
        let valid = name.length > 0;
        for (let i = 0; i < name.length; i++) if (!isWordChar(<i32>name.charCodeAt(i))) valid = false;
        if (!valid) return this.fail("invalid named capture", this.s.substring(start, this.pos));
        // Go (since 1.22) accepts duplicate names; ${name} then refers to the first such group.
        capIndex = ++this.ncap;
        this.names.push(name);
      } else {
        // Flags: (?flags) or (?flags:re), flags from [imsU], '-' negates the ones after it.
        this.pos++; // ?
        let flags = this.flags;
        let negate = false;
        let sawFlag = false;
        while (true) {
          const c = this.next();
          if (c < 0) return this.fail("invalid or unsupported Perl syntax", this.s.substring(start));
          let bit = 0;
          if (c == 0x69) bit = FLAG_I;
          else if (c == 0x6d) bit = FLAG_M;
          else if (c == 0x73) bit = FLAG_S;
          else if (c == 0x55) bit = FLAG_U;
          if (bit != 0) {
            flags = negate ? flags & ~bit : flags | bit;
            sawFlag = true;
            continue;
          }
          if (c == 0x2d && !negate) { negate = true; sawFlag = false; continue; }
          if ((c == 0x3a || c == 0x29) && !(negate && !sawFlag)) {
            if (c == 0x29) { this.flags = flags; return null; } // applies to the rest of the group
            this.flags = flags;
            break; // non-capturing group with these flags
          }
          return this.fail("invalid or unsupported Perl syntax", this.s.substring(start, this.pos));
        }
      }
    } else {
      capIndex = ++this.ncap;
      this.names.push("");
    }
    const inner = this.parseAlternation(depth + 1);
    if (inner === null) return null;
    if (this.peek() != 0x29) return this.fail("missing closing )", this.s);
    this.pos++;
    this.flags = savedFlags;
    if (capIndex < 0) return inner;
    const n = Node.withSubs(NodeKind.Capture, [inner]);
    n.cap = capIndex;
    return n;
  }

  /** A literal, or its case orbit as a class under (?i). */
  literalNode(c: i32): Node {
    if ((this.flags & FLAG_I) != 0) {
      const b = new RangeBuilder();
      addOrbit(b, c);
      if (b.packed.length > 0) {
        b.add(c, c);
        const r = b.ranges();
        if (r.length > 2 || r[0] != c) return Node.cls(new CharClass(r));
      }
    }
    return Node.literal(c);
  }

  // ---- escapes ------------------------------------------------------------------------------

  /** Escapes that are atoms outside classes: assertions, \Q…\E, classes, single characters. */
  parseEscapeAtom(items: Array<Node>): bool {
    const c = this.peekAt(1);
    let kind: i32 = -1;
    if (c == 0x41) kind = NodeKind.BeginText;        // \A
    else if (c == 0x7a) kind = NodeKind.EndText;     // \z
    else if (c == 0x62) kind = NodeKind.WordBoundary; // \b
    else if (c == 0x42) kind = NodeKind.NoWordBoundary; // \B
    if (kind >= 0) {
      this.pos += 2;
      items.push(new Node(<NodeKind>kind));
      return true;
    }
    if (c == 0x51) { // \Q … \E
      this.pos += 2;
      while (this.pos < this.len) {
        if (this.peek() == 0x5c && this.peekAt(1) == 0x45) { this.pos += 2; break; }
        items.push(this.literalNode(this.next()));
      }
      return true;
    }
    const b = new RangeBuilder();
    const r = this.parseClassEscape(b);
    if (r < 0) return false;
    if (r == 1) {
      items.push(Node.cls(this.finishClass(b, false)));
      return true;
    }
    const ch = this.parseEscapeChar();
    if (ch < 0) return false;
    items.push(this.literalNode(ch));
    return true;
  }

  /**
   * \d \D \s \S \w \W \pX \p{Name} \PX \P{Name} at pos: adds to `out` and returns 1;
   * returns 0 (pos unchanged) if the escape is something else, -1 on error.
   */
  parseClassEscape(out: RangeBuilder): i32 {
    const c = this.peekAt(1);
    const lower = c | 0x20;
    if (lower == 0x64 || lower == 0x73 || lower == 0x77) {
      this.pos += 2;
      const b = new RangeBuilder();
      addPerlClass(b, lower);
      this.addMaybeNegated(out, b, c != lower);
      return 1;
    }
    if (c == 0x70 || c == 0x50) { // \p \P
      const start = this.pos;
      this.pos += 2;
      let name: string;
      if (this.peek() == 0x7b) {
        const close = this.s.indexOf("}", this.pos);
        if (close < 0) {
          this.fail("invalid character class range", this.s.substring(start));
          return -1;
        }
        name = this.s.substring(this.pos + 1, close);
        this.pos = close + 1;
      } else {
        if (this.pos >= this.len) {
          this.fail("invalid character class range", this.s.substring(start));
          return -1;
        }
        name = String.fromCodePoint(this.next());
      }
      let negate = c == 0x50;
      if (name.startsWith("^")) { negate = !negate; name = name.substring(1); }
      const b = new RangeBuilder();
      if (!unicodeClass(b, name)) {
        this.fail("invalid character class range", this.s.substring(start, this.pos));
        return -1;
      }
      this.addMaybeNegated(out, b, negate);
      return 1;
    }
    return 0;
  }

  /** Adds `b` (case-folded under (?i), as Go does) to `out`, complemented if `negate`. */
  addMaybeNegated(out: RangeBuilder, b: RangeBuilder, negate: bool): void {
    if ((this.flags & FLAG_I) != 0) b.foldInPlace();
    if (negate) b.negate();
    out.addBuilder(b);
  }

  /** A single-character escape at pos (the backslash); returns the code point or -1 on error. */
  parseEscapeChar(): i32 {
    const start = this.pos;
    this.pos++; // backslash
    if (this.pos >= this.len) {
      this.fail("trailing backslash at end of expression", "");
      return -1;
    }
    const c = this.next();
    if (c >= 0x31 && c <= 0x37) {
      // \1-\7 alone would be a backreference, which RE2 does not support; \12 is octal.
      const d = this.peek();
      if (d < 0x30 || d > 0x37) {
        this.fail("invalid escape sequence", this.s.substring(start, this.pos));
        return -1;
      }
    }
    if (c >= 0x30 && c <= 0x37) {
      let v = c - 0x30;
      for (let k = 0; k < 2; k++) {
        const d = this.peek();
        if (d < 0x30 || d > 0x37) break;
        v = v * 8 + (d - 0x30);
        this.pos++;
      }
      return v;
    }
    if (c == 0x78) { // \x
      if (this.peek() == 0x7b) {
        // Go's rules: at least one hex digit, then '}'; the error text ends at the offending
        // character (included) or at the digit that overflowed.
        this.pos++;
        let v = 0;
        let n = 0;
        while (true) {
          if (this.pos >= this.len) break;
          const d = this.peek();
          this.pos++;
          if (d == 0x7d) {
            if (n == 0) break;
            return v;
          }
          const h = hexValue(d);
          if (h < 0) break;
          v = v * 16 + h;
          if (v > MAX_RUNE) break;
          n++;
        }
        this.fail("invalid escape sequence", this.s.substring(start, this.pos));
        return -1;
      }
      const h1 = hexValue(this.peek());
      const h2 = hexValue(this.peekAt(1));
      if (h1 < 0 || h2 < 0) {
        this.pos = this.pos + 2 < this.len ? this.pos + 2 : this.len;
        this.fail("invalid escape sequence", this.s.substring(start, this.pos));
        return -1;
      }
      this.pos += 2;
      return h1 * 16 + h2;
    }
    switch (c) {
      case 0x61: return 7;   // \a
      case 0x66: return 12;  // \f
      case 0x6e: return 10;  // \n
      case 0x72: return 13;  // \r
      case 0x74: return 9;   // \t
      case 0x76: return 11;  // \v
    }
    if (c < 0x80 && !isAlnum(c)) return c; // escaped punctuation
    this.fail("invalid escape sequence", this.s.substring(start, this.pos));
    return -1;
  }

  // ---- classes ------------------------------------------------------------------------------

  parseClass(): Node | null {
    const start = this.pos;
    this.pos++; // [
    let negate = false;
    if (this.peek() == 0x5e) { negate = true; this.pos++; }
    const b = new RangeBuilder();
    let first = true;
    while (this.pos < this.len && (this.peek() != 0x5d || first)) {
      first = false;
      // POSIX class [:name:] or [:^name:]
      if (this.peek() == 0x5b && this.peekAt(1) == 0x3a) {
        const close = this.s.indexOf(":]", this.pos + 2);
        if (close >= 0) {
          let name = this.s.substring(this.pos + 2, close);
          let neg = false;
          if (name.startsWith("^")) { neg = true; name = name.substring(1); }
          const pb = new RangeBuilder();
          if (!addPosixClass(pb, name)) {
            return this.fail("invalid character class range", this.s.substring(this.pos, close + 2));
          }
          this.pos = close + 2;
          this.addMaybeNegated(b, pb, neg);
          continue;
        }
      }
      if (this.peek() == 0x5c) {
        const r = this.parseClassEscape(b);
        if (r < 0) return null;
        if (r == 1) continue;
      }
      const loStart = this.pos;
      const lo = this.classChar();
      if (lo < 0) return null;
      let hi = lo;
      if (this.peek() == 0x2d && this.peekAt(1) != 0x5d && this.pos + 1 < this.len) { // a-b
        this.pos++;
        hi = this.classChar();
        if (hi < 0) return null;
        if (hi < lo) return this.fail("invalid character class range", this.s.substring(loStart, this.pos));
      }
      const rb = new RangeBuilder();
      rb.add(lo, hi);
      if ((this.flags & FLAG_I) != 0) rb.foldInPlace();
      b.addBuilder(rb);
    }
    if (this.pos >= this.len) return this.fail("missing closing ]", this.s.substring(start));
    this.pos++; // ]
    return Node.cls(this.finishClass(b, negate));
  }

  classChar(): i32 {
    if (this.peek() == 0x5c) return this.parseEscapeChar();
    if (this.pos >= this.len) {
      this.fail("missing closing ]", this.s);
      return -1;
    }
    return this.next();
  }

  finishClass(b: RangeBuilder, negate: bool): CharClass {
    if (negate) b.negate();
    return new CharClass(b.ranges());
  }
}
