// XSS detection as libinjection_xss does it: tokenize as HTML5 from five starting points (text,
// and inside an unquoted, '-, "- and `-quoted attribute value) and flag DOCTYPE, black-listed
// tags, event-handler and other dangerous attributes, script-capable URL schemes in URL
// attributes, and IE comment tricks. Lists are generated data (tables.ts).
import { Html5, H5_DOCTYPE, H5_TAG_NAME_OPEN, H5_ATTR_NAME, H5_ATTR_VALUE, H5_TAG_COMMENT } from "./html5";
import {
  XSS_EVENTS_BYTES, XSS_EVENTS_OFFS, XSS_EVENTS_COUNT, XSS_ATTRS_BYTES, XSS_ATTRS_OFFS, XSS_ATTRS_TYPES,
  XSS_ATTRS_COUNT, XSS_TAGS_BYTES, XSS_TAGS_OFFS, XSS_TAGS_COUNT,
} from "./tables";
import { entryIsPrefixOf, entryLen, findWord, findByte } from "./words";

const A_NONE = 0, A_BLACK = 1, A_URL = 2, A_STYLE = 3, A_INDIRECT = 4;

/** Upper-cased bytes at p..p+n with NULs dropped (browsers ignore them) equal entry i? */
function eqIgnoringNul(bytes: usize, offs: usize, i: i32, p: usize, n: i32): bool {
  const start = <usize>load<u16>(offs + (<usize>i << 1));
  const elen = entryLen(offs, i);
  let k = 0;
  for (let j = 0; j < n; j++) {
    let c = <i32>load<u8>(p + <usize>j);
    if (c == 0) continue;
    if (c >= 0x61 && c <= 0x7a) c -= 0x20;
    if (k >= elen || <i32>load<u8>(bytes + start + <usize>k) != c) return false;
    k++;
  }
  return k == elen;
}

function inTable(bytes: usize, offs: usize, count: i32, p: usize, n: i32): i32 {
  // Every tag and attribute name in a request goes through here: binary search unless the name
  // holds a NUL (rare), which only the linear NUL-skipping comparison handles.
  if (findByte(p, n, 0) < 0) return findWord(bytes, offs, count, p, n);
  for (let i = 0; i < count; i++) if (eqIgnoringNul(bytes, offs, i, p, n)) return i;
  return -1;
}

@inline function lower(c: i32): i32 { return c | 0x20; }

class Xss {
  h5: Html5 = new Html5();
  s: usize = 0;
  len: i32 = 0;

  private isBlackTag(p: i32, n: i32): bool {
    if (n < 3) return false;
    const at = this.s + <usize>p;
    if (inTable(XSS_TAGS_BYTES, XSS_TAGS_OFFS, XSS_TAGS_COUNT, at, n) >= 0) return true;
    const a = lower(load<u8>(at)), b = lower(load<u8>(at + 1)), c = lower(load<u8>(at + 2));
    return (a == 0x73 && b == 0x76 && c == 0x67) || (a == 0x78 && b == 0x73 && c == 0x6c); // svg*, xsl*
  }

  private blackAttr(p: i32, n: i32): i32 {
    if (n < 2) return A_NONE;
    const at = this.s + <usize>p;
    if (n >= 5) {
      if (lower(load<u8>(at)) == 0x6f && lower(load<u8>(at + 1)) == 0x6e) {
        // on<event>: the event name is matched as a prefix of what follows "on" in the input.
        const avail = this.len - p - 2;
        for (let i = 0; i < XSS_EVENTS_COUNT; i++) {
          if (entryIsPrefixOf(XSS_EVENTS_BYTES, XSS_EVENTS_OFFS, i, at + 2, avail)) return A_BLACK;
        }
      }
      if (this.prefix5(at, "XMLNS") || this.prefix5(at, "XLINK")) return A_BLACK;
    }
    const i = inTable(XSS_ATTRS_BYTES, XSS_ATTRS_OFFS, XSS_ATTRS_COUNT, at, n);
    return i < 0 ? A_NONE : <i32>load<u8>(XSS_ATTRS_TYPES + <usize>i);
  }

  private prefix5(at: usize, w: string): bool {
    for (let i = 0; i < 5; i++) {
      let c = <i32>load<u8>(at + <usize>i);
      if (c >= 0x61 && c <= 0x7a) c -= 0x20;
      if (c != w.charCodeAt(i)) return false;
    }
    return true;
  }

  /** Decodes one (possibly &#..; encoded) character of the value at p (n bytes left); sets used. */
  private decodeAt(p: i32, n: i32): i32 {
    this.used = 1;
    const c0 = this.byteIn(p, 0, n);
    if (c0 != 0x26 || n < 2) return c0;
    if (this.byteIn(p, 1, n) != 0x23) return 0x26; // named entities do not matter here
    const x = this.byteIn(p, 2, n);
    const hex = x == 0x78 || x == 0x58;
    let i = hex ? 3 : 2;
    let d = digitValue(this.byteIn(p, i, n), hex);
    if (d < 0) return 0x26;
    let val = d;
    i++;
    while (i < n) {
      const c = this.byteIn(p, i, n);
      if (c == 0x3b) { this.used = i + 1; return val; }
      d = digitValue(c, hex);
      if (d < 0) { this.used = i; return val; }
      val = val * (hex ? 16 : 10) + d;
      if (val > 0x1000ff) return 0x26;
      i++;
    }
    this.used = i;
    return val;
  }
  private used: i32 = 1;
  @inline private byteIn(p: i32, i: i32, n: i32): i32 { return i < n ? <i32>load<u8>(this.s + <usize>(p + i)) : 0; }

  /** Does the value (entities decoded, leading controls and NUL/LF ignored) start with w? */
  private valueStartsWith(p: i32, n: i32, w: string): bool {
    let k = 0;
    let first = true;
    while (n > 0) {
      if (k == w.length) return true;
      const cb = this.decodeAt(p, n);
      const used = this.used < 1 ? 1 : this.used;
      p += used; n -= used;
      if (first && cb <= 32) continue;
      first = false;
      if (cb == 0 || cb == 10) continue;
      const up = cb >= 0x61 && cb <= 0x7a ? cb - 0x20 : cb;
      if ((up & 0xff) != w.charCodeAt(k)) return false; // compared as a C char
      k++;
    }
    return k == w.length;
  }

  private isBlackUrl(p: i32, n: i32): bool {
    while (n > 0) { const c = <i32>load<u8>(this.s + <usize>p); if (c > 32 && c < 127) break; p++; n--; }
    return this.valueStartsWith(p, n, "DATA") || this.valueStartsWith(p, n, "VIEW-SOURCE") ||
      this.valueStartsWith(p, n, "JAVA") || this.valueStartsWith(p, n, "VBSCRIPT");
  }

  private badComment(p: i32, n: i32): bool {
    const at = this.s + <usize>p;
    for (let i = 0; i < n; i++) if (load<u8>(at + <usize>i) == 0x60) return true; // IE ends tags with `
    if (n > 3) {
      const a = load<u8>(at), b = lower(load<u8>(at + 1)), c = lower(load<u8>(at + 2));
      if (a == 0x5b && b == 0x69 && c == 0x66) return true; // [if: IE conditional comment
      if (lower(a) == 0x78 && b == 0x6d && c == 0x6c) return true; // xml
    }
    if (n > 5 && (this.prefixN(at, "IMPORT") || this.prefixN(at, "ENTITY"))) return true;
    return false;
  }
  private prefixN(at: usize, w: string): bool {
    for (let i = 0; i < w.length; i++) {
      let c = <i32>load<u8>(at + <usize>i);
      if (c >= 0x61 && c <= 0x7a) c -= 0x20;
      if (c != w.charCodeAt(i)) return false;
    }
    return true;
  }

  isXssFrom(start: i32): bool {
    const h = this.h5;
    h.reset(this.s, this.len, start);
    let attr = A_NONE;
    // next() always moves forward or ends; the bound is for safety only.
    let guard = 8 * this.len + 64;
    while (guard-- > 0 && h.next()) {
      const ty = h.tokenType, p = h.tokenStart, n = h.tokenLen;
      if (ty != H5_ATTR_VALUE) attr = A_NONE;
      if (ty == H5_DOCTYPE) return true;
      if (ty == H5_TAG_NAME_OPEN) { if (this.isBlackTag(p, n)) return true; }
      else if (ty == H5_ATTR_NAME) attr = this.blackAttr(p, n);
      else if (ty == H5_ATTR_VALUE) {
        if (attr == A_BLACK || attr == A_STYLE) return true;
        if (attr == A_URL && this.isBlackUrl(p, n)) return true;
        if (attr == A_INDIRECT && this.blackAttr(p, n) != A_NONE) return true;
        attr = A_NONE;
      } else if (ty == H5_TAG_COMMENT && this.badComment(p, n)) return true;
    }
    return false;
  }
}

function digitValue(c: i32, hex: bool): i32 {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (hex) { const l = c | 0x20; if (l >= 0x61 && l <= 0x66) return l - 0x61 + 10; }
  return -1;
}

const xss = new Xss();

/** libinjection_xss over `len` bytes at `s`. */
export function isXss(s: usize, len: i32): bool {
  xss.s = s; xss.len = len;
  for (let start = 0; start < 5; start++) if (xss.isXssFrom(start)) return true;
  return false;
}

/** For tests: the tokenizer libinjection_xss runs. */
export function html5Tokenizer(): Html5 { return xss.h5; }
