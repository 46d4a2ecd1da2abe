// The small HTML5 tokenizer libinjection's XSS check runs over (a subset of the WHATWG states,
// with the IE quirks it chose). A state machine on bytes: one token per next() call, tokens are
// (type, start, len) into the input; no allocation. States that hand over to another state
// without a token loop here instead of recursing, under an iteration bound. Byte loops work on
// local pointer/length copies (no managed references live, so no GC shadow-stack traffic).
import { byteAt, indexOf } from "./words";

export const H5_DATA_TEXT: i32 = 0;
export const H5_TAG_NAME_OPEN: i32 = 1;
export const H5_TAG_NAME_CLOSE: i32 = 2;
export const H5_TAG_NAME_SELFCLOSE: i32 = 3;
export const H5_TAG_DATA: i32 = 4;
export const H5_TAG_CLOSE: i32 = 5;
export const H5_ATTR_NAME: i32 = 6;
export const H5_ATTR_VALUE: i32 = 7;
export const H5_TAG_COMMENT: i32 = 8;
export const H5_DOCTYPE: i32 = 9;

/** Where tokenizing starts: in text, or inside an attribute value of each quoting kind. */
export const H5_START_DATA: i32 = 0;
export const H5_START_VALUE_NO_QUOTE: i32 = 1;
export const H5_START_VALUE_SINGLE_QUOTE: i32 = 2;
export const H5_START_VALUE_DOUBLE_QUOTE: i32 = 3;
export const H5_START_VALUE_BACK_QUOTE: i32 = 4;

const S_EOF = 0, S_DATA = 1, S_TAG_OPEN = 2, S_END_TAG_OPEN = 3, S_TAG_NAME = 4, S_TAG_NAME_CLOSE = 5,
  S_BEFORE_ATTR_NAME = 6, S_ATTR_NAME = 7, S_AFTER_ATTR_NAME = 8, S_BEFORE_ATTR_VALUE = 9,
  S_VALUE_DQ = 10, S_VALUE_SQ = 11, S_VALUE_BQ = 12, S_VALUE_NOQ = 13, S_AFTER_VALUE_QUOTED = 14,
  S_SELF_CLOSING = 15, S_BOGUS_COMMENT = 16, S_BOGUS_COMMENT2 = 17, S_MARKUP_DECL = 18, S_COMMENT = 19,
  S_CDATA = 20, S_DOCTYPE = 21;

// NUL counts as white space (upstream tests membership with strchr, which matches the terminator).
@inline function isWhite(c: i32): bool { return c == 0x20 || (c >= 0x09 && c <= 0x0d) || c == 0; }
@inline function isAlpha(c: i32): bool { const l = c | 0x20; return l >= 0x61 && l <= 0x7a; }

export class Html5 {
  s: usize = 0;
  len: i32 = 0;
  pos: i32 = 0;
  isClose: bool = false;
  state: i32 = S_DATA;
  tokenType: i32 = 0;
  tokenStart: i32 = 0;
  tokenLen: i32 = 0;

  reset(s: usize, len: i32, start: i32): void {
    this.s = s; this.len = len; this.pos = 0; this.isClose = false;
    this.tokenType = 0; this.tokenStart = 0; this.tokenLen = 0;
    this.state = start == H5_START_VALUE_NO_QUOTE ? S_BEFORE_ATTR_NAME
      : start == H5_START_VALUE_SINGLE_QUOTE ? S_VALUE_SQ
      : start == H5_START_VALUE_DOUBLE_QUOTE ? S_VALUE_DQ
      : start == H5_START_VALUE_BACK_QUOTE ? S_VALUE_BQ : S_DATA;
  }

  @inline at(i: i32): i32 { return byteAt(this.s, this.len, i); }
  @inline private find(c: i32, from: i32): i32 { return indexOf(this.s, this.len, c, from); }
  /**
   * Skips white space (plus NUL, which IE ignores); the byte found, or -1 at the end. Upstream's C
   * returns the byte as a signed char, so 0xFF equals its end-of-input marker and the scan stops
   * there (`<img src=x \xff onerror=..>` passes); here 0xFF is an ordinary byte.
   */
  private skipWhite(): i32 {
    const s = this.s, len = this.len;
    let p = this.pos;
    while (p < len) {
      const c = <i32>load<u8>(s + <usize>p);
      if (!isWhite(c)) { this.pos = p; return c; }
      p++;
    }
    this.pos = p;
    return -1;
  }
  @inline private emit(type: i32, start: i32, len: i32, next: i32): bool {
    this.tokenType = type; this.tokenStart = start; this.tokenLen = len; this.state = next;
    return true;
  }
  @inline private rest(type: i32): bool { // token to the end of input
    return this.emit(type, this.pos, this.len - this.pos, S_EOF);
  }

  /** The next token, or false at the end. */
  next(): bool {
    let st = this.state;
    // Each hand-over without a token moves pos forward or leads to a token within a few steps.
    let guard = 4 * this.len + 32;
    const s = this.s;
    while (guard-- > 0) {
      const pos = this.pos, len = this.len;
      switch (st) {
        case S_DATA: {
          const lt = indexOf(s, len, 0x3c, pos);
          if (lt < 0) {
            this.emit(H5_DATA_TEXT, pos, len - pos, S_EOF);
            return this.tokenLen != 0;
          }
          this.pos = lt + 1;
          if (lt == pos) { this.state = S_TAG_OPEN; st = S_TAG_OPEN; continue; }
          return this.emit(H5_DATA_TEXT, pos, lt - pos, S_TAG_OPEN);
        }
        case S_TAG_OPEN: {
          if (pos >= len) return this.stop();
          const c = byteAt(s, len, pos);
          if (c == 0x21) { this.pos++; st = S_MARKUP_DECL; continue; }
          if (c == 0x2f) { this.pos++; this.isClose = true; st = S_END_TAG_OPEN; continue; }
          if (c == 0x3f) { this.pos++; st = S_BOGUS_COMMENT; continue; }
          if (c == 0x25) { this.pos++; st = S_BOGUS_COMMENT2; continue; } // <% .. %> (old IE, Safari)
          if (isAlpha(c) || c == 0) { st = S_TAG_NAME; continue; }
          if (pos == 0) { st = S_DATA; continue; }
          return this.emit(H5_DATA_TEXT, pos - 1, 1, S_DATA); // a lone "<"
        }
        case S_END_TAG_OPEN: {
          if (pos >= len) return this.stop();
          const c = byteAt(s, len, pos);
          if (c == 0x3e) { st = S_DATA; continue; }
          if (isAlpha(c)) { st = S_TAG_NAME; continue; }
          this.isClose = false;
          st = S_BOGUS_COMMENT; continue;
        }
        case S_TAG_NAME_CLOSE: {
          this.isClose = false;
          this.pos = pos + 1;
          return this.emit(H5_TAG_NAME_CLOSE, pos, 1, this.pos < len ? S_DATA : S_EOF);
        }
        case S_TAG_NAME: {
          let p = pos;
          while (p < len) {
            const c = byteAt(s, len, p);
            if (c != 0 && isWhite(c)) { this.pos = p + 1; return this.emit(H5_TAG_NAME_OPEN, pos, p - pos, S_BEFORE_ATTR_NAME); }
            if (c == 0x2f) { this.pos = p + 1; return this.emit(H5_TAG_NAME_OPEN, pos, p - pos, S_SELF_CLOSING); }
            if (c == 0x3e) {
              if (this.isClose) {
                this.pos = p + 1; this.isClose = false;
                return this.emit(H5_TAG_CLOSE, pos, p - pos, S_DATA);
              }
              this.pos = p;
              return this.emit(H5_TAG_NAME_OPEN, pos, p - pos, S_TAG_NAME_CLOSE);
            }
            p++;
          }
          return this.rest(H5_TAG_NAME_OPEN);
        }
        case S_BEFORE_ATTR_NAME: {
          const c = this.skipWhite();
          if (c < 0) return this.stop();
          if (c == 0x2f) {
            this.pos++;
            if (this.pos < len && byteAt(s, len, this.pos) != 0x3e) { st = S_BEFORE_ATTR_NAME; continue; }
            st = S_SELF_CLOSING; continue;
          }
          if (c == 0x3e) { this.pos++; return this.emit(H5_TAG_NAME_CLOSE, this.pos - 1, 1, S_DATA); }
          st = S_ATTR_NAME; continue;
        }
        case S_ATTR_NAME: {
          let p = pos + 1;
          while (p < len) {
            const c = byteAt(s, len, p);
            if (isWhite(c)) { this.pos = p + 1; return this.emit(H5_ATTR_NAME, pos, p - pos, S_AFTER_ATTR_NAME); }
            if (c == 0x2f) { this.pos = p + 1; return this.emit(H5_ATTR_NAME, pos, p - pos, S_SELF_CLOSING); }
            if (c == 0x3d) { this.pos = p + 1; return this.emit(H5_ATTR_NAME, pos, p - pos, S_BEFORE_ATTR_VALUE); }
            if (c == 0x3e) { this.pos = p; return this.emit(H5_ATTR_NAME, pos, p - pos, S_TAG_NAME_CLOSE); }
            p++;
          }
          this.emit(H5_ATTR_NAME, pos, len - pos, S_EOF);
          this.pos = len;
          return true;
        }
        case S_AFTER_ATTR_NAME: {
          const c = this.skipWhite();
          if (c < 0) return this.stop();
          if (c == 0x2f) { this.pos++; st = S_SELF_CLOSING; continue; }
          if (c == 0x3d) { this.pos++; st = S_BEFORE_ATTR_VALUE; continue; }
          if (c == 0x3e) { st = S_TAG_NAME_CLOSE; continue; }
          st = S_ATTR_NAME; continue;
        }
        case S_BEFORE_ATTR_VALUE: {
          const c = this.skipWhite();
          if (c < 0) return this.stop();
          st = c == 0x22 ? S_VALUE_DQ : c == 0x27 ? S_VALUE_SQ : c == 0x60 ? S_VALUE_BQ : S_VALUE_NOQ;
          continue;
        }
        case S_VALUE_DQ: case S_VALUE_SQ: case S_VALUE_BQ: {
          const q = st == S_VALUE_DQ ? 0x22 : st == S_VALUE_SQ ? 0x27 : 0x60;
          // Skip the opening quote, unless the input starts inside the value.
          const from = pos > 0 ? pos + 1 : pos;
          this.pos = from;
          const end = indexOf(s, len, q, from);
          if (end < 0) return this.emit(H5_ATTR_VALUE, from, len - from, S_EOF);
          this.pos = end + 1;
          return this.emit(H5_ATTR_VALUE, from, end - from, S_AFTER_VALUE_QUOTED);
        }
        case S_VALUE_NOQ: {
          let p = pos;
          while (p < len) {
            const c = byteAt(s, len, p);
            if (isWhite(c)) { this.pos = p + 1; return this.emit(H5_ATTR_VALUE, pos, p - pos, S_BEFORE_ATTR_NAME); }
            if (c == 0x3e) { this.pos = p; return this.emit(H5_ATTR_VALUE, pos, p - pos, S_TAG_NAME_CLOSE); }
            p++;
          }
          return this.rest(H5_ATTR_VALUE);
        }
        case S_AFTER_VALUE_QUOTED: {
          if (pos >= len) return this.stop();
          const c = byteAt(s, len, pos);
          if (isWhite(c)) { this.pos++; st = S_BEFORE_ATTR_NAME; continue; }
          if (c == 0x2f) { this.pos++; st = S_SELF_CLOSING; continue; }
          if (c == 0x3e) { this.pos++; return this.emit(H5_TAG_NAME_CLOSE, pos, 1, S_DATA); }
          st = S_BEFORE_ATTR_NAME; continue;
        }
        case S_SELF_CLOSING: {
          if (pos >= len) return this.stop();
          if (byteAt(s, len, pos) == 0x3e && pos > 0) { this.pos++; return this.emit(H5_TAG_NAME_SELFCLOSE, pos - 1, 2, S_DATA); }
          st = S_BEFORE_ATTR_NAME; continue;
        }
        case S_BOGUS_COMMENT: {
          const gt = indexOf(s, len, 0x3e, pos);
          if (gt < 0) { this.pos = len; return this.emit(H5_TAG_COMMENT, pos, len - pos, S_EOF); }
          this.pos = gt + 1;
          return this.emit(H5_TAG_COMMENT, pos, gt - pos, S_DATA);
        }
        case S_BOGUS_COMMENT2: { // ends at "%>"
          let p = pos;
          while (true) {
            const pc = indexOf(s, len, 0x25, p);
            if (pc < 0 || pc + 1 >= len) { this.pos = len; return this.emit(H5_TAG_COMMENT, pos, len - pos, S_EOF); }
            if (byteAt(s, len, pc + 1) != 0x3e) { p = pc + 1; continue; }
            this.pos = pc + 2;
            return this.emit(H5_TAG_COMMENT, pos, pc - pos, S_DATA);
          }
        }
        case S_MARKUP_DECL: {
          const remaining = len - pos;
          if (remaining >= 7 && this.matchesDoctype(pos)) { st = S_DOCTYPE; continue; }
          if (remaining >= 7 && byteAt(s, len, pos) == 0x5b && byteAt(s, len, pos + 1) == 0x43 && byteAt(s, len, pos + 2) == 0x44 &&
            byteAt(s, len, pos + 3) == 0x41 && byteAt(s, len, pos + 4) == 0x54 && byteAt(s, len, pos + 5) == 0x41 && byteAt(s, len, pos + 6) == 0x5b) {
            this.pos += 7; st = S_CDATA; continue; // [CDATA[
          }
          if (remaining >= 2 && byteAt(s, len, pos) == 0x2d && byteAt(s, len, pos + 1) == 0x2d) { this.pos += 2; st = S_COMMENT; continue; }
          st = S_BOGUS_COMMENT; continue;
        }
        case S_COMMENT: return this.comment();
        case S_CDATA: {
          let p = pos;
          while (true) {
            const rb = indexOf(s, len, 0x5d, p);
            if (rb < 0 || rb > len - 3) return this.emit(H5_DATA_TEXT, pos, len - pos, S_EOF);
            if (byteAt(s, len, rb + 1) == 0x5d && byteAt(s, len, rb + 2) == 0x3e) {
              this.pos = rb + 3;
              return this.emit(H5_DATA_TEXT, pos, rb - pos, S_DATA);
            }
            p = rb + 1;
          }
        }
        case S_DOCTYPE: {
          const gt = indexOf(s, len, 0x3e, pos);
          if (gt < 0) return this.emit(H5_DOCTYPE, pos, len - pos, S_EOF);
          this.pos = gt + 1;
          return this.emit(H5_DOCTYPE, pos, gt - pos, S_DATA);
        }
        default: return this.stop();
      }
    }
    return this.stop();
  }

  @inline private stop(): bool { this.state = S_EOF; return false; }

  private matchesDoctype(p: i32): bool {
    const w = "DOCTYPE";
    for (let i = 0; i < 7; i++) if ((this.at(p + i) & ~0x20) != w.charCodeAt(i) || !isAlpha(this.at(p + i))) return false;
    return true;
  }

  /** "<!--" .. "-->", also "--!>", with NULs allowed between the dashes (IE). */
  private comment(): bool {
    const pos = this.pos, len = this.len, s = this.s;
    let p = pos;
    while (true) {
      const dash = indexOf(s, len, 0x2d, p);
      if (dash < 0 || dash > len - 3) return this.rest(H5_TAG_COMMENT);
      let off = 1;
      while (dash + off < len && byteAt(s, len, dash + off) == 0) off++;
      if (dash + off == len) return this.rest(H5_TAG_COMMENT);
      const c = byteAt(s, len, dash + off);
      if (c != 0x2d && c != 0x21) { p = dash + 1; continue; }
      off++;
      if (dash + off == len) return this.rest(H5_TAG_COMMENT);
      if (byteAt(s, len, dash + off) != 0x3e) { p = dash + 1; continue; }
      off++;
      this.pos = dash + off;
      return this.emit(H5_TAG_COMMENT, pos, dash - pos, S_DATA);
    }
  }
}
