// Test entry: the libinjection detectors, plus token dumps in the format of libinjection's own
// testdriver so its tests/ expectations can be checked byte for byte.
import { detectSQLi, sqliFingerprint, detectXSS } from "../libinjection/detect";
import { SqliState, SqlToken } from "../libinjection/sqli";
import { Html5 } from "../libinjection/html5";

export function sqli(data: ArrayBuffer): bool { return detectSQLi(Uint8Array.wrap(data)); }
export function fingerprint(data: ArrayBuffer): string { return sqliFingerprint(Uint8Array.wrap(data)); }
export function xss(data: ArrayBuffer): bool { return detectXSS(Uint8Array.wrap(data)); }

class Out {
  b: u8[] = [];
  str(s: string): void { for (let i = 0; i < s.length; i++) this.b.push(<u8>s.charCodeAt(i)); }
  byte(c: i32): void { this.b.push(<u8>c); }
  /** C's %s of a buffer: up to the first NUL. */
  cstr(p: usize, n: i32): void { for (let i = 0; i < n; i++) { const c = load<u8>(p + <usize>i); if (c == 0) break; this.b.push(c); } }
  done(): ArrayBuffer {
    const r = new ArrayBuffer(this.b.length);
    for (let i = 0; i < this.b.length; i++) store<u8>(changetype<usize>(r) + <usize>i, this.b[i]);
    return r;
  }
}

function printToken(o: Out, t: SqlToken): void {
  o.byte(t.type); o.byte(0x20);
  if (t.type == 0x73 || t.type == 0x76) { // string, variable
    if (t.type == 0x76) for (let i = 0; i < t.count; i++) o.byte(0x40);
    if (t.open != 0) o.byte(t.open);
    o.cstr(changetype<usize>(t.val), t.len);
    if (t.close != 0) o.byte(t.close);
  } else o.cstr(changetype<usize>(t.val), t.len);
  o.byte(0x0a);
}

const st = new SqliState();
/** Tokens (fold=false) or folded tokens (fold=true) of `data` under `flags`, as testdriver prints them. */
export function sqliTokens(data: ArrayBuffer, flags: i32, fold: bool): ArrayBuffer {
  const o = new Out();
  st.reset(changetype<usize>(data), data.byteLength, flags);
  if (fold) {
    const n = st.fold();
    for (let i = 0; i < n; i++) printToken(o, st.tokens[i]);
  } else {
    while (st.tokenize()) printToken(o, st.cur);
  }
  return o.done();
}

const TYPES = ["DATA_TEXT", "TAG_NAME_OPEN", "TAG_NAME_CLOSE", "TAG_NAME_SELFCLOSE", "TAG_DATA", "TAG_CLOSE",
  "ATTR_NAME", "ATTR_VALUE", "TAG_COMMENT", "DOCTYPE"];
const h5 = new Html5();
export function html5Tokens(data: ArrayBuffer, start: i32): ArrayBuffer {
  const o = new Out();
  h5.reset(changetype<usize>(data), data.byteLength, start);
  let guard = 100000;
  while (guard-- > 0 && h5.next()) {
    o.str(TYPES[h5.tokenType]); o.byte(0x2c); o.str(h5.tokenLen.toString()); o.byte(0x2c);
    o.cstr(changetype<usize>(data) + <usize>h5.tokenStart, h5.tokenLen);
    o.byte(0x0a);
  }
  return o.done();
}
