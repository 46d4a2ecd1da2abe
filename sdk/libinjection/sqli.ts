// SQL injection detection by tokenizing, folding to at most 5 token types and looking the
// resulting fingerprint up in libinjection's list (the algorithm of libinjection_is_sqli; the
// keyword and fingerprint data are generated in tables.ts). Works on bytes, never traps: every
// read is bounds-checked, every loop advances, and the state is preallocated once.
import { SQL_WORDS_BYTES, SQL_WORDS_OFFS, SQL_WORDS_TYPES, SQL_WORDS_COUNT } from "./tables";
import { findWord, byteAt, indexOf, indexOf2 } from "./words";

// Token types (one byte each; they form the fingerprint).
export const T_NONE: u8 = 0;
const T_KEYWORD: u8 = 0x6b; // k
const T_UNION: u8 = 0x55; // U
const T_GROUP: u8 = 0x42; // B
const T_EXPRESSION: u8 = 0x45; // E
const T_SQLTYPE: u8 = 0x74; // t
const T_FUNCTION: u8 = 0x66; // f
const T_BAREWORD: u8 = 0x6e; // n
const T_NUMBER: u8 = 0x31; // 1
const T_VARIABLE: u8 = 0x76; // v
const T_STRING: u8 = 0x73; // s
const T_OPERATOR: u8 = 0x6f; // o
const T_LOGIC: u8 = 0x26; // &
const T_COMMENT: u8 = 0x63; // c
const T_COLLATE: u8 = 0x41; // A
const T_LPAREN: u8 = 0x28;
const T_RPAREN: u8 = 0x29;
const T_LBRACE: u8 = 0x7b;
const T_RBRACE: u8 = 0x7d;
const T_DOT: u8 = 0x2e;
const T_COMMA: u8 = 0x2c;
const T_COLON: u8 = 0x3a;
const T_SEMICOLON: u8 = 0x3b;
const T_TSQL: u8 = 0x54; // T
const T_UNKNOWN: u8 = 0x3f; // ?
const T_EVIL: u8 = 0x58; // X
const T_FINGERPRINT: u8 = 0x46; // F
const T_BACKSLASH: u8 = 0x5c;

// Context flags, as libinjection numbers them.
export const FLAG_QUOTE_NONE: i32 = 1;
export const FLAG_QUOTE_SINGLE: i32 = 2;
export const FLAG_QUOTE_DOUBLE: i32 = 4;
export const FLAG_SQL_ANSI: i32 = 8;
export const FLAG_SQL_MYSQL: i32 = 16;

const MAX_TOKENS = 5;
/** A token keeps at most 31 bytes of its value (upstream's 32-byte buffer with its NUL). */
const VAL_SIZE = 32;
const SQ: i32 = 0x27, DQ: i32 = 0x22, TICK: i32 = 0x60;

export class SqlToken {
  type: u8 = 0;
  open: u8 = 0;
  close: u8 = 0;
  pos: i32 = 0;
  len: i32 = 0;
  count: i32 = 0;
  val: StaticArray<u8> = new StaticArray<u8>(VAL_SIZE);

  clear(): void {
    this.type = 0; this.open = 0; this.close = 0; this.pos = 0; this.len = 0; this.count = 0;
    memory.fill(changetype<usize>(this.val), 0, VAL_SIZE);
  }
  copyFrom(o: SqlToken): void {
    this.type = o.type; this.open = o.open; this.close = o.close;
    this.pos = o.pos; this.len = o.len; this.count = o.count;
    memory.copy(changetype<usize>(this.val), changetype<usize>(o.val), VAL_SIZE);
  }
  /** Sets type and value from `len` bytes at `src` (kept up to 31). */
  set(type: u8, pos: i32, len: i32, src: usize): void {
    const n = len < VAL_SIZE - 1 ? (len < 0 ? 0 : len) : VAL_SIZE - 1;
    this.type = type; this.pos = pos; this.len = n;
    if (n > 0) memory.copy(changetype<usize>(this.val), src, <usize>n);
    unchecked(this.val[n] = 0);
  }
  setChar(type: u8, pos: i32, ch: u8): void {
    this.type = type; this.pos = pos; this.len = 1;
    unchecked(this.val[0] = ch); unchecked(this.val[1] = 0);
  }
  @inline v(i: i32): i32 { return i >= 0 && i < VAL_SIZE ? <i32>unchecked(this.val[i]) : 0; }
  /** Case-insensitive equality of the value with an upper-case ASCII word. */
  is(word: string): bool {
    if (this.len != word.length) return false;
    for (let i = 0; i < this.len; i++) {
      let c = this.v(i);
      if (c >= 0x61 && c <= 0x7a) c -= 0x20;
      if (c != word.charCodeAt(i)) return false;
    }
    return true;
  }
  isUnaryOp(): bool {
    if (this.type != T_OPERATOR) return false;
    const c = this.v(0);
    if (this.len == 1) return c == 0x2b || c == 0x2d || c == 0x21 || c == 0x7e; // + - ! ~
    if (this.len == 2) return c == 0x21 && this.v(1) == 0x21;
    if (this.len == 3) return this.is("NOT");
    return false;
  }
  isArithmeticOp(): bool {
    const c = this.v(0);
    return this.type == T_OPERATOR && this.len == 1 && (c == 0x2a || c == 0x2f || c == 0x2d || c == 0x2b || c == 0x25);
  }
}

@inline function isWhite(c: i32): bool {
  // space, \t \n \v \f \r, NUL (Oracle) and Latin-1 NBSP
  return c == 0x20 || (c >= 0x09 && c <= 0x0d) || c == 0 || c == 0xa0;
}
@inline function isDigit(c: i32): bool { return <u32>(c - 0x30) <= 9; }
@inline function isHex(c: i32): bool { return isDigit(c) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x66); }

/** Ends a bare word (or a variable name with `forVar`). NUL always ends. */
function endsWord(c: i32, forVar: bool): bool {
  switch (c) {
    case 0x20: case 0x3c: case 0x3e: case 0x3a: case 0x5c: case 0x3f: case 0x3d: case 0x40: case 0x21:
    case 0x23: case 0x7e: case 0x2b: case 0x2d: case 0x2a: case 0x2f: case 0x26: case 0x7c: case 0x5e:
    case 0x25: case 0x28: case 0x29: case 0x2c: case 0x27: case 0x3b: case 0x09: case 0x0a: case 0x0b:
    case 0x0c: case 0x0d: case 0x22: case 0: return true;
    case 0x5b: case 0x5d: case 0x7b: case 0x7d: case 0xa0: return !forVar;
    case 0x60: return forVar;
  }
  return false;
}

/** Type of a SQL word / operator / "0"+fingerprint, or 0. */
export function wordType(p: usize, len: i32): u8 {
  const i = findWord(SQL_WORDS_BYTES, SQL_WORDS_OFFS, SQL_WORDS_COUNT, p, len);
  return i < 0 ? 0 : load<u8>(SQL_WORDS_TYPES + <usize>i);
}

export class SqliState {
  s: usize = 0;
  slen: i32 = 0;
  flags: i32 = 0;
  pos: i32 = 0;
  tokens: StaticArray<SqlToken> = new StaticArray<SqlToken>(8);
  cur: SqlToken = new SqlToken(); // always one of tokens[]; replaced in the constructor
  lastComment: SqlToken = new SqlToken();
  statsTokens: i32 = 0;
  statsHash: i32 = 0;
  statsDdx: i32 = 0;
  fingerprint: StaticArray<u8> = new StaticArray<u8>(8);
  fpLen: i32 = 0;
  private more: bool = true;
  private merge: StaticArray<u8> = new StaticArray<u8>(VAL_SIZE);

  constructor() {
    for (let i = 0; i < 8; i++) this.tokens[i] = new SqlToken();
    this.cur = this.tokens[0];
  }

  @inline at(i: i32): i32 { return byteAt(this.s, this.slen, i); }
  @inline t(i: i32): SqlToken { return unchecked(this.tokens[i & 7]); }

  reset(s: usize, slen: i32, flags: i32): void {
    this.s = s; this.slen = slen;
    this.flags = flags == 0 ? FLAG_QUOTE_NONE | FLAG_SQL_ANSI : flags;
    this.pos = 0;
    for (let i = 0; i < 8; i++) unchecked(this.tokens[i]).clear();
    this.lastComment.clear();
    this.cur = this.tokens[0];
    this.statsTokens = 0; this.statsHash = 0; this.statsDdx = 0;
    this.fpLen = 0;
  }

  /** First index >= from of byte c, or -1. */
  @inline private find(c: i32, from: i32): i32 { return indexOf(this.s, this.slen, c, from); }
  /** First index >= from where c0 c1 appear, or -1. */
  @inline private find2(c0: i32, c1: i32, from: i32): i32 { return indexOf2(this.s, this.slen, c0, c1, from); }

  // ---- parsers: each reads from this.pos, fills this.cur, returns the next position ----------

  private eolComment(): i32 {
    const p = this.pos;
    const nl = this.find(0x0a, p);
    if (nl < 0) { this.cur.set(T_COMMENT, p, this.slen - p, this.s + p); return this.slen; }
    this.cur.set(T_COMMENT, p, nl - p, this.s + p);
    return nl + 1;
  }

  private hash(): i32 {
    this.statsHash++;
    if (this.flags & FLAG_SQL_MYSQL) { this.statsHash++; return this.eolComment(); }
    this.cur.setChar(T_OPERATOR, this.pos, 0x23);
    return this.pos + 1;
  }

  private dash(): i32 {
    const p = this.pos;
    const next = this.at(p + 1);
    // "-- " and a trailing "--" are comments everywhere; "--x" only outside MySQL.
    if (p + 2 < this.slen && next == 0x2d && isWhite(this.at(p + 2))) return this.eolComment();
    if (p + 2 == this.slen && next == 0x2d) return this.eolComment();
    if (p + 1 < this.slen && next == 0x2d && (this.flags & FLAG_SQL_ANSI)) { this.statsDdx++; return this.eolComment(); }
    this.cur.setChar(T_OPERATOR, p, 0x2d);
    return p + 1;
  }

  private slash(): i32 {
    const p = this.pos;
    if (p + 1 == this.slen || this.at(p + 1) != 0x2a) return this.op1();
    const end = this.find2(0x2a, 0x2f, p + 2);
    const clen = end < 0 ? this.slen - p : end + 2 - p;
    let type = T_COMMENT;
    // A nested "/*" (PostgreSQL nests comments) or MySQL's "/*!" executable comment: evil.
    if (end >= 0 && this.find2(0x2f, 0x2a, p + 2) >= 0 && this.find2(0x2f, 0x2a, p + 2) < end) type = T_EVIL;
    else if (p + 2 < this.slen && this.at(p + 2) == 0x21) type = T_EVIL;
    this.cur.set(type, p, clen, this.s + p);
    return p + clen;
  }

  private backslash(): i32 {
    const p = this.pos;
    if (p + 1 < this.slen && this.at(p + 1) == 0x4e) { this.cur.set(T_NUMBER, p, 2, this.s + p); return p + 2; } // \N is NULL
    this.cur.setChar(T_BACKSLASH, p, <u8>this.at(p));
    return p + 1;
  }

  private op1(): i32 {
    this.cur.setChar(T_OPERATOR, this.pos, <u8>this.at(this.pos));
    return this.pos + 1;
  }

  private op2(): i32 {
    const p = this.pos;
    if (p + 1 >= this.slen) return this.op1();
    if (p + 2 < this.slen && this.at(p) == 0x3c && this.at(p + 1) == 0x3d && this.at(p + 2) == 0x3e) {
      this.cur.set(T_OPERATOR, p, 3, this.s + p); // <=>
      return p + 3;
    }
    const ty = wordType(this.s + p, 2);
    if (ty != 0) { this.cur.set(ty, p, 2, this.s + p); return p + 2; }
    if (this.at(p) == 0x3a) { this.cur.set(T_COLON, p, 1, this.s + p); return p + 1; }
    return this.op1();
  }

  /** A string whose body starts at p + offset (offset 0: the input begins inside a string). */
  private stringAt(p: i32, delim: i32, offset: i32): i32 {
    const tok = this.cur;
    const body = p + offset;
    tok.open = offset > 0 ? <u8>delim : 0;
    let q = this.find(delim, body);
    // Bounded: q strictly increases each round.
    while (q >= 0) {
      let bs = 0; // backslashes right before q, within the body
      while (q - 1 - bs >= body && this.at(q - 1 - bs) == 0x5c) bs++;
      if (bs & 1) { q = this.find(delim, q + 1); continue; }
      if (q + 1 < this.slen && this.at(q + 1) == delim) { q = this.find(delim, q + 2); continue; }
      tok.set(T_STRING, body, q - body, this.s + body);
      tok.close = <u8>delim;
      return q + 1;
    }
    tok.set(T_STRING, body, this.slen - body, this.s + body);
    tok.close = 0;
    return this.slen;
  }

  private estring(): i32 { // E'..' and N'..'
    const p = this.pos;
    if (p + 2 >= this.slen || this.at(p + 1) != SQ) return this.word();
    return this.stringAt(p, SQ, 2);
  }

  private ustring(): i32 { // U&'..'
    const p = this.pos;
    if (p + 2 < this.slen && this.at(p + 1) == 0x26 && this.at(p + 2) == SQ) {
      const next = this.stringAt(p + 2, SQ, 1);
      this.cur.open = 0x75;
      if (this.cur.close == SQ) this.cur.close = 0x75;
      return next;
    }
    return this.word();
  }

  /** Oracle's q'<delim>..<delim>' (offset 1 for nq'..'). */
  private qstring(offset: i32): i32 {
    const p = this.pos + offset;
    const q = this.at(p);
    if (p >= this.slen || (q != 0x71 && q != 0x51) || p + 2 >= this.slen || this.at(p + 1) != SQ) return this.word();
    let ch = this.at(p + 2);
    if (ch < 33 || ch >= 128) return this.word();
    if (ch == 0x28) ch = 0x29; else if (ch == 0x5b) ch = 0x5d; else if (ch == 0x7b) ch = 0x7d; else if (ch == 0x3c) ch = 0x3e;
    const end = this.find2(ch, SQ, p + 3);
    this.cur.open = 0x71;
    if (end < 0) {
      this.cur.set(T_STRING, p + 3, this.slen - p - 3, this.s + p + 3);
      this.cur.close = 0;
      return this.slen;
    }
    this.cur.set(T_STRING, p + 3, end - p - 3, this.s + p + 3);
    this.cur.close = 0x71;
    return end + 2;
  }

  private nqstring(): i32 {
    const p = this.pos;
    if (p + 2 < this.slen && this.at(p + 1) == SQ) return this.estring();
    return this.qstring(1);
  }

  /** b'0101' and x'0aF1' literals; `hex` selects the digit set. */
  private bitString(hex: bool): i32 {
    const p = this.pos;
    if (p + 2 >= this.slen || this.at(p + 1) != SQ) return this.word();
    let i = p + 2;
    // NUL counts as a digit, as upstream's strspn-like helper accepts it.
    while (i < this.slen) {
      const c = this.at(i);
      if (!(c == 0 || (hex ? isHex(c) : c == 0x30 || c == 0x31))) break;
      i++;
    }
    if (i >= this.slen || this.at(i) != SQ) return this.word();
    this.cur.set(T_NUMBER, p, i - p + 1, this.s + p);
    return i + 1;
  }

  private bword(): i32 { // [SQL Server name]
    const p = this.pos;
    const end = this.find(0x5d, p);
    if (end < 0) { this.cur.set(T_BAREWORD, p, this.slen - p, this.s + p); return this.slen; }
    this.cur.set(T_BAREWORD, p, end - p + 1, this.s + p);
    return end + 1;
  }

  private word(): i32 {
    const p = this.pos;
    const s = this.s, slen = this.slen;
    let e = p;
    while (e < slen && !endsWord(<i32>load<u8>(s + <usize>e), false)) e++;
    const wlen = e - p;
    const tok = this.cur;
    tok.set(T_BAREWORD, p, wlen, this.s + p);
    // "SELECT.1" or "SELECT`col`": a keyword before a dot or tick is a token of its own.
    const val = changetype<usize>(tok.val);
    for (let i = 0; i < tok.len; i++) {
      const d = tok.v(i);
      if (d == 0x2e || d == 0x60) {
        const ty = wordType(val, i);
        if (ty != 0 && ty != T_BAREWORD) {
          tok.clear();
          tok.set(ty, p, i, this.s + p);
          return p + i;
        }
      }
    }
    if (wlen < VAL_SIZE) {
      const ty = wordType(val, wlen);
      tok.type = ty == 0 ? T_BAREWORD : ty;
    }
    return p + wlen;
  }

  private tick(): i32 {
    const next = this.stringAt(this.pos, TICK, 1);
    const tok = this.cur;
    tok.type = wordType(changetype<usize>(tok.val), tok.len) == T_FUNCTION ? T_FUNCTION : T_BAREWORD;
    return next;
  }

  private variable(): i32 {
    let p = this.pos + 1;
    if (p < this.slen && this.at(p) == 0x40) { p++; this.cur.count = 2; } else this.cur.count = 1;
    if (p < this.slen) {
      const c = this.at(p);
      if (c == TICK) {
        this.pos = p;
        const next = this.tick();
        this.cur.type = T_VARIABLE;
        return next;
      }
      if (c == SQ || c == DQ) {
        const next = this.stringAt(p, c, 1);
        this.cur.type = T_VARIABLE;
        return next;
      }
    }
    const s = this.s, slen = this.slen;
    let e = p;
    while (e < slen && !endsWord(<i32>load<u8>(s + <usize>e), true)) e++;
    this.cur.set(T_VARIABLE, p, e - p, this.s + p);
    return e;
  }

  private money(): i32 {
    const p = this.pos;
    if (p + 1 == this.slen) { this.cur.setChar(T_BAREWORD, p, 0x24); return this.slen; }
    let i = p + 1;
    while (i < this.slen) { const c = this.at(i); if (!(isDigit(c) || c == 0x2e || c == 0x2c || c == 0)) break; i++; }
    const xlen = i - p - 1;
    if (xlen == 1 && this.at(p + 1) == 0x2e) return this.word();
    if (xlen > 0) { this.cur.set(T_NUMBER, p, 1 + xlen, this.s + p); return p + 1 + xlen; }
    if (this.at(p + 1) == 0x24) { // $$ dollar-quoted $$
      const end = this.find2(0x24, 0x24, p + 2);
      this.cur.open = 0x24;
      if (end < 0) { this.cur.set(T_STRING, p + 2, this.slen - p - 2, this.s + p + 2); this.cur.close = 0; return this.slen; }
      this.cur.set(T_STRING, p + 2, end - p - 2, this.s + p + 2);
      this.cur.close = 0x24;
      return end + 2;
    }
    // $tag$ ... $tag$ (PostgreSQL)
    let t = p + 1;
    while (t < this.slen) { const c = this.at(t) | 0x20; if (!(c >= 0x61 && c <= 0x7a)) break; t++; }
    const tlen = t - p - 1;
    if (tlen == 0 || t == this.slen || this.at(t) != 0x24) { this.cur.setChar(T_BAREWORD, p, 0x24); return p + 1; }
    const tagLen = tlen + 2; // "$tag$"
    const bodyStart = p + tagLen;
    let found = -1;
    for (let k = bodyStart; k + tagLen <= this.slen; k++) {
      if (memory.compare(this.s + <usize>k, this.s + <usize>p, <usize>tagLen) == 0) { found = k; break; }
    }
    this.cur.open = 0x24;
    if (found < 0) {
      this.cur.set(T_STRING, bodyStart, this.slen - bodyStart, this.s + bodyStart);
      this.cur.close = 0;
      return this.slen;
    }
    this.cur.set(T_STRING, bodyStart, found - bodyStart, this.s + bodyStart);
    this.cur.close = 0x24;
    return found + tagLen;
  }

  private number(): i32 {
    const start = this.pos;
    let p = start;
    const slen = this.slen;
    if (this.at(p) == 0x30 && p + 1 < slen) {
      const x = this.at(p + 1) | 0x20;
      if (x == 0x78 || x == 0x62) { // 0x.. / 0b..
        let i = p + 2;
        while (i < slen) { const c = this.at(i); if (!(c == 0 || (x == 0x78 ? isHex(c) : c == 0x30 || c == 0x31))) break; i++; }
        if (i == p + 2) { this.cur.set(T_BAREWORD, p, 2, this.s + p); return p + 2; }
        this.cur.set(T_NUMBER, p, i - p, this.s + p);
        return i;
      }
    }
    const s = this.s;
    while (p < slen && isDigit(byteAt(s, slen, p))) p++;
    if (p < slen && byteAt(s, slen, p) == 0x2e) {
      p++;
      while (p < slen && isDigit(byteAt(s, slen, p))) p++;
      if (p - start == 1) { this.cur.setChar(T_DOT, start, 0x2e); return p; }
    }
    let haveE = false, haveExp = false;
    if (p < slen && (this.at(p) | 0x20) == 0x65) {
      haveE = true;
      p++;
      if (p < slen && (this.at(p) == 0x2b || this.at(p) == 0x2d)) p++;
      while (p < slen && isDigit(this.at(p))) { haveExp = true; p++; }
    }
    // Oracle's float/double suffix: 1f, 1d (also before U, as in "1fUNION").
    if (p < slen) {
      const c = this.at(p) | 0x20;
      if (c == 0x64 || c == 0x66) {
        if (p + 1 == slen) p++;
        else {
          const n = this.at(p + 1);
          if (isWhite(n) || n == 0x3b || (n | 0x20) == 0x75) p++;
        }
      }
    }
    this.cur.set(haveE && !haveExp ? T_BAREWORD : T_NUMBER, start, p - start, this.s + start);
    return p;
  }

  /** Runs the parser for the byte at this.pos. */
  private dispatch(): i32 {
    const c = this.at(this.pos);
    if (c <= 32 || c == 127 || c == 160) return this.pos + 1; // white space
    switch (c) {
      case 0x21: case 0x26: case 0x2a: case 0x3a: case 0x3c: case 0x3d: case 0x3e: case 0x7c: return this.op2();
      case 0x22: case 0x27: return this.stringAt(this.pos, c, 1);
      case 0x23: return this.hash();
      case 0x24: return this.money();
      case 0x25: case 0x2b: case 0x5e: case 0x7e: return this.op1();
      case 0x28: case 0x29: case 0x2c: case 0x3b: case 0x7b: case 0x7d:
        this.cur.setChar(<u8>c, this.pos, <u8>c);
        return this.pos + 1;
      case 0x2d: return this.dash();
      case 0x2e: return this.number();
      case 0x2f: return this.slash();
      case 0x3f: case 0x5d:
        this.cur.setChar(T_UNKNOWN, this.pos, <u8>c);
        return this.pos + 1;
      case 0x40: return this.variable();
      case 0x42: case 0x62: return this.bitString(false);
      case 0x45: case 0x65: return this.estring();
      case 0x4e: case 0x6e: return this.nqstring();
      case 0x51: case 0x71: return this.qstring(0);
      case 0x55: case 0x75: return this.ustring();
      case 0x58: case 0x78: return this.bitString(true);
      case 0x5b: return this.bword();
      case 0x5c: return this.backslash();
      case 0x60: return this.tick();
    }
    if (isDigit(c)) return this.number();
    return this.word();
  }

  /** Reads the next token into this.cur; false at the end of input. */
  tokenize(): bool {
    const tok = this.cur;
    if (this.slen == 0) return false;
    tok.clear();
    if (this.pos == 0 && (this.flags & (FLAG_QUOTE_SINGLE | FLAG_QUOTE_DOUBLE))) {
      // The input is taken to start inside a string opened before it.
      this.pos = this.stringAt(0, (this.flags & FLAG_QUOTE_SINGLE) ? SQ : DQ, 0);
      this.statsTokens++;
      return true;
    }
    while (this.pos < this.slen) {
      const next = this.dispatch();
      // Every parser consumes at least one byte; enforce it so the loop is bounded.
      this.pos = next > this.pos ? next : this.pos + 1;
      if (tok.type != T_NONE) { this.statsTokens++; return true; }
    }
    return false;
  }

  /** Joins two words into a known multi-word keyword ("UNION ALL", "NOT IN", ...). */
  private mergeWords(a: SqlToken, b: SqlToken): bool {
    const at = a.type, bt = b.type;
    if (!(at == T_KEYWORD || at == T_BAREWORD || at == T_OPERATOR || at == T_UNION || at == T_FUNCTION ||
      at == T_EXPRESSION || at == T_TSQL || at == T_SQLTYPE)) return false;
    if (!(bt == T_KEYWORD || bt == T_BAREWORD || bt == T_OPERATOR || bt == T_UNION || bt == T_FUNCTION ||
      bt == T_EXPRESSION || bt == T_TSQL || bt == T_SQLTYPE || bt == T_LOGIC)) return false;
    const n = a.len + b.len + 1;
    if (n >= VAL_SIZE) return false;
    const m = changetype<usize>(this.merge);
    memory.copy(m, changetype<usize>(a.val), <usize>a.len);
    store<u8>(m + <usize>a.len, 0x20);
    memory.copy(m + <usize>a.len + 1, changetype<usize>(b.val), <usize>b.len);
    const ty = wordType(m, n);
    if (ty == 0) return false;
    a.set(ty, a.pos, n, m);
    return true;
  }

  /** Tokenizes into tokens[pos] until `want` tokens past `left` (comments are remembered, not kept). */
  private fill(pos: i32, left: i32, want: i32, more: bool): i32 {
    while (more && pos <= MAX_TOKENS && pos - left < want) {
      this.cur = this.t(pos);
      more = this.tokenize();
      if (more) {
        if (this.cur.type == T_COMMENT) this.lastComment.copyFrom(this.cur);
        else { this.lastComment.type = T_NONE; pos++; }
      }
    }
    this.more = more;
    return pos;
  }

  /** Folds the token stream into at most 5 tokens; returns how many. */
  fold(): i32 {
    let pos = 0, left = 0;
    this.lastComment.clear();
    this.cur = this.t(0);
    this.more = true;
    // Leading comments, "(", SQL types and unary operators say nothing.
    let guard = this.slen + 16;
    while (this.more && guard-- > 0) {
      this.more = this.tokenize();
      const ty = this.cur.type;
      if (!(ty == T_COMMENT || ty == T_LPAREN || ty == T_SQLTYPE || this.cur.isUnaryOp())) break;
    }
    if (!this.more) return 0;
    pos = 1;

    // Every round either consumes input or shrinks pos/left; this cap only guards a logic slip.
    let rounds = 64 * this.slen + 256;
    while (rounds-- > 0) {
      if (pos >= MAX_TOKENS && this.restartsAtFive()) {
        if (pos > MAX_TOKENS) { this.t(1).copyFrom(this.t(MAX_TOKENS)); pos = 2; } else pos = 1;
        left = 0;
      }
      if (!this.more || left >= MAX_TOKENS) { left = pos; break; }

      pos = this.fill(pos, left, 2, this.more);
      if (pos - left < 2) { left = pos; continue; }
      const a = this.t(left), b = this.t(left + 1);
      const r2 = this.fold2(a, b);
      if (r2 == EVIL_STOP) return left + 2;
      if (r2 != NO_RULE) {
        pos -= (r2 >> 8) & 0xff;
        const l = r2 & 0xff;
        if (l == LEFT_ZERO) left = 0; else if (l == LEFT_BACK) { if (left > 0) left--; }
        if (r2 & CONTINUE) continue;
      }

      pos = this.fill(pos, left, 3, this.more);
      if (pos - left < 3) { left = pos; continue; }
      const r3 = this.fold3(this.t(left), this.t(left + 1), this.t(left + 2));
      if (r3 >= 0) { pos -= r3; left = 0; continue; }
      left++;
    }
    // With room left, a trailing comment is part of the fingerprint.
    if (left < MAX_TOKENS && this.lastComment.type == T_COMMENT) { this.t(left).copyFrom(this.lastComment); left++; }
    if (left > MAX_TOKENS) left = MAX_TOKENS;
    return left;
  }

  /** Five tokens that are a harmless list/arithmetic start: fold again from the beginning. */
  private restartsAtFive(): bool {
    const t0 = this.t(0).type, t1 = this.t(1).type, t2 = this.t(2).type, t3 = this.t(3).type, t4 = this.t(4).type;
    return (t0 == T_NUMBER && (t1 == T_OPERATOR || t1 == T_COMMA) && t2 == T_LPAREN && t3 == T_NUMBER && t4 == T_RPAREN) ||
      (t0 == T_BAREWORD && t1 == T_OPERATOR && t2 == T_LPAREN && (t3 == T_BAREWORD || t3 == T_NUMBER) && t4 == T_RPAREN) ||
      (t0 == T_NUMBER && t1 == T_RPAREN && t2 == T_COMMA && t3 == T_LPAREN && t4 == T_NUMBER) ||
      (t0 == T_BAREWORD && t1 == T_RPAREN && t2 == T_OPERATOR && t3 == T_LPAREN && t4 == T_BAREWORD);
  }

  /** Two-token rules. Result: NO_RULE, EVIL_STOP, or (drop << 8) | left action | CONTINUE? */
  private fold2(a: SqlToken, b: SqlToken): i32 {
    const at = a.type, bt = b.type;
    if (at == T_STRING && bt == T_STRING) return act(1, LEFT_KEEP);           // "a" "b" is one string
    if (at == T_SEMICOLON && bt == T_SEMICOLON) return act(1, LEFT_KEEP);     // ;; is ;
    if ((at == T_OPERATOR || at == T_LOGIC) && (b.isUnaryOp() || bt == T_SQLTYPE)) return act(1, LEFT_ZERO);
    if (at == T_LPAREN && b.isUnaryOp()) return act(1, LEFT_BACK);
    if (this.mergeWords(a, b)) return act(1, LEFT_BACK);
    if (at == T_SEMICOLON && bt == T_FUNCTION && (b.v(0) | 0x20) == 0x69 && (b.v(1) | 0x20) == 0x66) {
      b.type = T_TSQL; // "; IF" is Transact-SQL control flow
      return act(0, LEFT_KEEP);
    }
    if ((at == T_BAREWORD || at == T_VARIABLE) && bt == T_LPAREN && isFunctionLikeName(a)) {
      a.type = T_FUNCTION;
      return act(0, LEFT_KEEP);
    }
    if (at == T_KEYWORD && (a.is("IN") || a.is("NOT IN"))) {
      a.type = bt == T_LPAREN ? T_OPERATOR : T_BAREWORD;
      return act(0, LEFT_KEEP);
    }
    if (at == T_OPERATOR && (a.is("LIKE") || a.is("NOT LIKE"))) {
      if (bt == T_LPAREN) a.type = T_FUNCTION; // LIKE(...) is a function
      return NO_RULE;
    }
    if (at == T_SQLTYPE && (bt == T_BAREWORD || bt == T_NUMBER || bt == T_SQLTYPE || bt == T_LPAREN ||
      bt == T_FUNCTION || bt == T_VARIABLE || bt == T_STRING)) {
      a.copyFrom(b);
      return act(1, LEFT_ZERO);
    }
    if (at == T_COLLATE && bt == T_BAREWORD) {
      if (valHas(b, 0x5f)) { b.type = T_SQLTYPE; return NO_RULE_LEFT_ZERO; }
      return NO_RULE;
    }
    if (at == T_BACKSLASH) {
      if (b.isArithmeticOp()) { a.type = T_NUMBER; return act(0, LEFT_ZERO); } // TSQL: \%1 is 0 % 1
      a.copyFrom(b);
      return act(1, LEFT_ZERO);
    }
    if (at == T_LPAREN && bt == T_LPAREN) return act(1, LEFT_ZERO);
    if (at == T_RPAREN && bt == T_RPAREN) return act(1, LEFT_ZERO);
    if (at == T_LBRACE && bt == T_BAREWORD) {
      if (b.len == 0) { b.type = T_EVIL; return EVIL_STOP; }
      return act(2, LEFT_ZERO); // ODBC {fn expr} -> expr
    }
    if (bt == T_RBRACE) return act(1, LEFT_ZERO);
    return NO_RULE;
  }

  /** Three-token rules: how many tokens to drop (left restarts at 0), or -1. */
  private fold3(a: SqlToken, b: SqlToken, c: SqlToken): i32 {
    const at = a.type, bt = b.type, ct = c.type;
    if (at == T_NUMBER && bt == T_OPERATOR && ct == T_NUMBER) return 2;
    if (at == T_OPERATOR && bt != T_LPAREN && ct == T_OPERATOR) return 2;
    if (at == T_LOGIC && ct == T_LOGIC) return 2;
    if (at == T_VARIABLE && bt == T_OPERATOR && (ct == T_VARIABLE || ct == T_NUMBER || ct == T_BAREWORD)) return 2;
    if ((at == T_BAREWORD || at == T_NUMBER) && bt == T_OPERATOR && (ct == T_NUMBER || ct == T_BAREWORD)) return 2;
    if ((at == T_BAREWORD || at == T_NUMBER || at == T_VARIABLE || at == T_STRING) && bt == T_OPERATOR &&
      b.len == 2 && b.v(0) == 0x3a && b.v(1) == 0x3a && ct == T_SQLTYPE) return 2; // x::type
    if ((at == T_BAREWORD || at == T_NUMBER || at == T_STRING || at == T_VARIABLE) && bt == T_COMMA &&
      (ct == T_NUMBER || ct == T_BAREWORD || ct == T_STRING || ct == T_VARIABLE)) return 2;
    if ((at == T_EXPRESSION || at == T_GROUP || at == T_COMMA) && b.isUnaryOp() && ct == T_LPAREN) {
      b.copyFrom(c); return 1; // SELECT + (
    }
    if ((at == T_KEYWORD || at == T_EXPRESSION || at == T_GROUP) && b.isUnaryOp() &&
      (ct == T_NUMBER || ct == T_BAREWORD || ct == T_VARIABLE || ct == T_STRING || ct == T_FUNCTION)) {
      b.copyFrom(c); return 1;
    }
    if (at == T_COMMA && b.isUnaryOp() && (ct == T_NUMBER || ct == T_BAREWORD || ct == T_VARIABLE || ct == T_STRING)) {
      b.copyFrom(c); return 3; // upstream drops back to before the comma here
    }
    if (at == T_COMMA && b.isUnaryOp() && ct == T_FUNCTION) { b.copyFrom(c); return 1; }
    if (at == T_BAREWORD && bt == T_DOT && ct == T_BAREWORD) return 2; // a.b
    if (at == T_EXPRESSION && bt == T_DOT && ct == T_BAREWORD) { b.copyFrom(c); return 1; }
    if (at == T_FUNCTION && bt == T_LPAREN && ct != T_RPAREN) {
      if (a.is("USER")) a.type = T_BAREWORD; // USER(x) is usually a column
    }
    return -1;
  }

  /** Fingerprint of the input in one context; fills this.fingerprint. */
  fingerprintFor(flags: i32): void {
    this.reset(this.s, this.slen, flags);
    const n = this.fold();
    // PHP's magic backquote comment: a trailing unterminated empty `.
    if (n > 2) {
      const last = this.t(n - 1);
      if (last.type == T_BAREWORD && last.open == TICK && last.len == 0 && last.close == 0) last.type = T_COMMENT;
    }
    let evil = false;
    for (let i = 0; i < n; i++) {
      const ty = this.t(i).type;
      unchecked(this.fingerprint[i] = ty);
      if (ty == T_EVIL) evil = true;
    }
    this.fpLen = n;
    if (evil) {
      this.fpLen = 1;
      unchecked(this.fingerprint[0] = T_EVIL);
      const t0 = this.t(0);
      memory.fill(changetype<usize>(t0.val), 0, VAL_SIZE);
      t0.type = T_EVIL; unchecked(t0.val[0] = T_EVIL);
      this.t(1).type = T_NONE;
    }
  }

  /** Is the current fingerprint in the list, and not one of the known harmless shapes? */
  isAttack(): bool {
    const n = this.fpLen;
    if (n < 1) return false;
    const key = changetype<usize>(this.merge);
    store<u8>(key, 0x30);
    for (let i = 0; i < n; i++) {
      let c = <i32>unchecked(this.fingerprint[i]);
      if (c >= 0x61 && c <= 0x7a) c -= 0x20;
      store<u8>(key + 1 + <usize>i, <u8>c);
    }
    if (wordType(key, n + 1) != T_FINGERPRINT) return false;
    return this.notWhitelisted();
  }

  private fpIs(s: string): bool {
    if (this.fpLen != s.length) return false;
    for (let i = 0; i < this.fpLen; i++) if (<i32>unchecked(this.fingerprint[i]) != s.charCodeAt(i)) return false;
    return true;
  }

  private contains(needle: string): bool {
    const n = needle.length;
    for (let i = 0; i + n <= this.slen; i++) {
      let k = 0;
      while (k < n && this.at(i + k) == needle.charCodeAt(k)) k++;
      if (k == n) return true;
    }
    return false;
  }

  /** libinjection's false-positive filter for short fingerprints. */
  private notWhitelisted(): bool {
    const n = this.fpLen;
    const t0 = this.t(0), t1 = this.t(1), t2 = this.t(2);
    // SQL Server hides statements with sp_password in a comment from its audit log.
    if (n > 1 && unchecked(this.fingerprint[n - 1]) == T_COMMENT && this.contains("sp_password")) return true;
    if (n == 2) {
      if (unchecked(this.fingerprint[1]) == T_UNION) return this.statsTokens != 2; // bare "1 union" is common text
      if (t1.v(0) == 0x23) return false; // "#" comments: too many false positives
      if (t0.type == T_BAREWORD && t1.type == T_COMMENT && t1.v(0) != 0x2f) return false; // only /* after a word
      if (t0.type == T_NUMBER && t1.type == T_COMMENT) {
        if (t1.v(0) == 0x2f) return true;
        if (this.statsTokens > 2) return true; // folding happened
        // "1234--" is base64-ish noise unless the number is followed by space, /* or --.
        const c = this.at(t0.len);
        if (c <= 32) return true;
        if (c == 0x2f && this.at(t0.len + 1) == 0x2a) return true;
        if (c == 0x2d && this.at(t0.len + 1) == 0x2d) return true;
        return false;
      }
      if (t1.len > 2 && t1.v(0) == 0x2d) return false; // "x-- text": only a trailing -- counts
      return true;
    }
    if (n == 3) {
      if (this.fpIs("sos") || this.fpIs("s&s")) {
        // ...foo' + 'bar...: both ends open and the quotes match
        return t0.open == 0 && t2.close == 0 && t0.close == t2.open;
      }
      if (this.fpIs("s&n") || this.fpIs("n&1") || this.fpIs("1&1") || this.fpIs("1&v") || this.fpIs("1&s")) {
        return this.statsTokens != 3; // 'sexy and 17' is prose, 'sexy and 17<18' is not
      }
      if (t1.type == T_KEYWORD) {
        // only INTO OUTFILE / INTO DUMPFILE
        if (t1.len < 5) return false;
        let into = true;
        const w = "INTO";
        for (let i = 0; i < 4; i++) { let c = t1.v(i); if (c >= 0x61 && c <= 0x7a) c -= 0x20; if (c != w.charCodeAt(i)) into = false; }
        return into;
      }
    }
    return true;
  }

  /** The full check over the contexts libinjection tries; fingerprint holds the last one tried. */
  detect(): bool {
    if (this.slen == 0) { this.fpLen = 0; return false; }
    if (this.tryContext(FLAG_QUOTE_NONE)) return true;
    if (this.find(SQ, 0) >= 0 && this.tryContext(FLAG_QUOTE_SINGLE)) return true;
    if (this.find(DQ, 0) >= 0) {
      this.fingerprintFor(FLAG_QUOTE_DOUBLE | FLAG_SQL_MYSQL);
      if (this.isAttack()) return true;
    }
    return false;
  }

  /** ANSI first; again under MySQL comment rules when a "#" or "--x" was seen. */
  private tryContext(quote: i32): bool {
    this.fingerprintFor(quote | FLAG_SQL_ANSI);
    if (this.isAttack()) return true;
    if (this.statsDdx != 0 || this.statsHash != 0) {
      this.fingerprintFor(quote | FLAG_SQL_MYSQL);
      if (this.isAttack()) return true;
    }
    return false;
  }
}

const NO_RULE: i32 = -1;
const EVIL_STOP: i32 = -2;
const LEFT_KEEP: i32 = 0;
const LEFT_ZERO: i32 = 1;
const LEFT_BACK: i32 = 2;
const CONTINUE: i32 = 0x10000;
/** A rule matched without "continue" but with left reset (COLLATE x_y). */
const NO_RULE_LEFT_ZERO: i32 = LEFT_ZERO;
@inline function act(drop: i32, left: i32): i32 { return CONTINUE | (drop << 8) | left; }

function isFunctionLikeName(a: SqlToken): bool {
  // T-SQL / MySQL functions that are common enough as column names to be words otherwise.
  return a.is("USER_ID") || a.is("USER_NAME") || a.is("DATABASE") || a.is("PASSWORD") || a.is("USER") ||
    a.is("CURRENT_USER") || a.is("CURRENT_DATE") || a.is("CURRENT_TIME") || a.is("CURRENT_TIMESTAMP") ||
    a.is("LOCALTIME") || a.is("LOCALTIMESTAMP");
}

/** Does the token's value (up to its first NUL, as upstream reads it) contain byte c? */
function valHas(t: SqlToken, c: i32): bool {
  for (let i = 0; i < t.len; i++) { const v = t.v(i); if (v == 0) return false; if (v == c) return true; }
  return false;
}
