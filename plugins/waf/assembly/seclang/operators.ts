// Every operator in one place: how its argument is prepared at load and how it is evaluated.
// An operator known to SecLang but not in this build is skipped at load and counted
// (KNOWN_UNAVAILABLE; empty now that @detectSQLi/@detectXSS run on @sluice/sdk/libinjection).
import { Regex } from "@sluice/sdk/regex";
import { detectSQLi, sqliFingerprint, detectXSS } from "@sluice/sdk/libinjection";
import { Cidr, parseCidr, parseIp, stripAddressPort } from "@sluice/sdk/net";
import { Rule } from "./rule";
import { PhraseMatcher } from "./pm";
import { DataFiles } from "./parser";
import { lowerAscii, toInt, hexVal } from "./bytes";
import { pcreToRe2, hasLineAnchor, hasLineFeed } from "./pcre";

export const OP_UNAVAILABLE = "\u0001unavailable";

const AVAILABLE = [
  "rx", "pm", "pmf", "pmfromfile", "streq", "contains", "containsword", "beginswith", "endswith", "within", "eq", "ge", "gt", "le", "lt",
  "ipmatch", "ipmatchf", "ipmatchfromfile", "validateurlencoding", "validateutf8encoding", "validatebyterange", "unconditionalmatch", "nomatch", "strmatch",
  "detectsqli", "detectxss",
];
/** Operator codes: the index in AVAILABLE (Rule.opCode), so evaluation compares integers, not names. */
const OP_RX: i32 = 0;
const OP_PM: i32 = 1;
const OP_PMF: i32 = 2;
const OP_PMFROMFILE: i32 = 3;
const OP_STREQ: i32 = 4;
const OP_CONTAINS: i32 = 5;
const OP_CONTAINSWORD: i32 = 6;
const OP_BEGINSWITH: i32 = 7;
const OP_ENDSWITH: i32 = 8;
const OP_WITHIN: i32 = 9;
const OP_EQ: i32 = 10;
const OP_GE: i32 = 11;
const OP_GT: i32 = 12;
const OP_LE: i32 = 13;
const OP_LT: i32 = 14;
const OP_IPMATCH: i32 = 15;
const OP_IPMATCHF: i32 = 16;
const OP_IPMATCHFROMFILE: i32 = 17;
const OP_VALIDATEURLENCODING: i32 = 18;
const OP_VALIDATEUTF8ENCODING: i32 = 19;
const OP_VALIDATEBYTERANGE: i32 = 20;
const OP_UNCONDITIONALMATCH: i32 = 21;
const OP_NOMATCH: i32 = 22;
const OP_STRMATCH: i32 = 23;
const OP_DETECTSQLI: i32 = 24;
const OP_DETECTXSS: i32 = 25;

const KNOWN_UNAVAILABLE = new Array<string>();

/** Builds the operator's state; "" when ready, OP_UNAVAILABLE, or the reason it is refused. */
export function prepareOperator(r: Rule, data: DataFiles, lazyRegex: bool): string {
  const op = lowerAscii(r.op);
  r.op = op;
  if (KNOWN_UNAVAILABLE.includes(op)) return OP_UNAVAILABLE;
  if (!AVAILABLE.includes(op)) return "operator @" + r.op + " is not supported";
  r.opCode = AVAILABLE.indexOf(op);
  const arg = r.opArg;
  const dynamic = arg.indexOf("%{") >= 0;
  r.opArgMacro = dynamic;
  if (op == "rx") {
    // The Core Rule Set's patterns are checked at build time and compiled on first use (most
    // requests reach few of them); a pattern from the plugin's config is compiled now so a bad
    // one refuses the config.
    if (dynamic || lazyRegex) return "";
    const res = Regex.compile("(?s)" + pcreToRe2(arg));
    if (!res.ok) return "bad @rx pattern: " + res.error;
    r.rx = res.regex;
    return "";
  }
  if (op == "pm" || op == "pmf" || op == "pmfromfile") {
    const list = new Array<string>();
    if (op == "pm") {
      const parts = arg.split(" ");
      for (let i = 0; i < parts.length; i++) if (parts[i].length > 0) list.push(lowerAscii(parts[i]));
    } else {
      const files = arg.split(" ");
      for (let f = 0; f < files.length; f++) {
        if (files[f].length == 0) continue;
        const text = data.get(files[f]);
        if (text === null) return "@" + r.op + ": no data file '" + files[f] + "' (only the Core Rule Set's .data files are available)";
        const lines = text.split("\n");
        for (let i = 0; i < lines.length; i++) {
          const l = lines[i].trim();
          if (l.length == 0 || l.charCodeAt(0) == 35) continue;
          list.push(lowerAscii(l));
        }
      }
    }
    if (list.length == 0) return "@" + r.op + " has no phrases";
    r.phrases = list;
    r.pm = new PhraseMatcher(list);
    return "";
  }
  if (op == "validatebyterange") {
    const table = new StaticArray<u8>(256);
    const parts = arg.split(",");
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i].trim();
      if (p.length == 0) continue;
      const dash = p.indexOf("-");
      const lo = <i32>toInt(dash < 0 ? p : p.substring(0, dash));
      const hi = <i32>toInt(dash < 0 ? p : p.substring(dash + 1));
      if (lo < 0 || hi > 255 || lo > hi) return "@validateByteRange: bad range '" + p + "'";
      for (let b = lo; b <= hi; b++) table[b] = 1;
    }
    r.byteRange = table;
    return "";
  }
  if (op == "ipmatch") {
    const ips = new Array<Cidr>();
    const parts = arg.split(",");
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i].trim();
      if (p.length == 0) continue;
      let c = parseCidr(p);
      if (c === null) {
        const ip = parseIp(p);
        if (ip === null) return "@ipMatch: '" + p + "' is not an address or a network";
        c = new Cidr(ip, ip.family == 4 ? 32 : 128);
      }
      ips.push(c);
    }
    r.ips = ips;
    return "";
  }
  if (op == "ipmatchf" || op == "ipmatchfromfile") return "operator @" + r.op + " is not supported";
  return "";
}

/** Evaluates the operator (not its negation) on one value; captures (rx: groups 0–9) go to `caps`. */
export function evaluateOperator(r: Rule, arg: string, input: string, caps: Array<string>): bool {
  const op = r.opCode;
  if (op == OP_RX) {
    // libmodsecurity 3 reads patterns multi-line (pcre.ts): a value with a line feed runs on the
    // `(?sm)` program when the pattern has `^` or `$`; every other value on the `(?s)` one.
    let re = r.rx;
    if (arg != r.opArg) {
      const res = Regex.compile((hasLineFeed(input) ? "(?sm)" : "(?s)") + pcreToRe2(arg));
      if (!res.ok) return false;
      re = res.regex!;
    } else {
      if (re === null) {
        if (r.rxError.length > 0) return false;
        const res = Regex.compile("(?s)" + pcreToRe2(arg));
        if (!res.ok) { r.rxError = res.error; return false; }
        re = res.regex!;
        r.rx = re;
      }
      if (r.rxAnchors != 0 && hasLineFeed(input)) {
        if (r.rxAnchors < 0) r.rxAnchors = hasLineAnchor(arg) ? 1 : 0;
        if (r.rxAnchors == 1) {
          let lines = r.rxLines;
          if (lines === null) {
            const res = Regex.compile("(?sm)" + pcreToRe2(arg));
            if (!res.ok) return false;
            lines = res.regex!;
            r.rxLines = lines;
          }
          re = lines;
        }
      }
    }
    // The DFA answers most values (no match) without the slower capturing engine.
    if (!re.test(input)) return false;
    if (!r.capture) return true;
    const m = re.find(input);
    if (m === null) return false;
    const n = m.groupCount < 9 ? m.groupCount : 9;
    for (let i = 0; i <= n; i++) { const g = m.group(i); caps.push(g === null ? "" : g); }
    return true;
  }
  if (op == OP_PM || op == OP_PMF || op == OP_PMFROMFILE) return pmMatch(r, input, caps);
  if (op == OP_STREQ) return input == arg;
  if (op == OP_CONTAINS) return input.indexOf(arg) >= 0;
  if (op == OP_CONTAINSWORD) return containsWord(input, arg);
  if (op == OP_BEGINSWITH) return input.startsWith(arg);
  if (op == OP_ENDSWITH) return input.endsWith(arg);
  if (op == OP_WITHIN) return input.length == 0 ? false : arg.indexOf(input) >= 0;
  if (op == OP_STRMATCH) return input.indexOf(arg) >= 0;
  if (op == OP_EQ) return toInt(input) == toInt(arg);
  if (op == OP_GE) return toInt(input) >= toInt(arg);
  if (op == OP_GT) return toInt(input) > toInt(arg);
  if (op == OP_LE) return toInt(input) <= toInt(arg);
  if (op == OP_LT) return toInt(input) < toInt(arg);
  if (op == OP_UNCONDITIONALMATCH) return true;
  if (op == OP_NOMATCH) return false;
  if (op == OP_DETECTSQLI) {
    // libmodsecurity: a match captures the fingerprint as TX:0.
    const b = valueBytes(input);
    if (!detectSQLi(b)) return false;
    if (r.capture) caps.push(sqliFingerprint(b));
    return true;
  }
  if (op == OP_DETECTXSS) {
    if (!detectXSS(valueBytes(input))) return false;
    if (r.capture) caps.push(input);
    return true;
  }
  if (op == OP_VALIDATEBYTERANGE) {
    const t = r.byteRange!;
    for (let i = 0; i < input.length; i++) if (t[input.charCodeAt(i) & 0xff] == 0) return true;
    return false;
  }
  if (op == OP_VALIDATEURLENCODING) return invalidUrlEncoding(input);
  if (op == OP_VALIDATEUTF8ENCODING) return invalidUtf8(input);
  if (op == OP_IPMATCH) {
    const ip = parseIp(stripAddressPort(input));
    if (ip === null) return false;
    const ips = r.ips!;
    for (let i = 0; i < ips.length; i++) if (ips[i].contains(ip)) return true;
    return false;
  }
  return false;
}

/** A value's bytes (values hold one byte per character, as the engine reads requests). */
function valueBytes(input: string): Uint8Array {
  const n = input.length;
  const out = new Uint8Array(n);
  const base = changetype<usize>(input);
  for (let i = 0; i < n; i++) unchecked(out[i] = <u8>load<u16>(base + (<usize>i << 1)));
  return out;
}

function pmMatch(r: Rule, input: string, caps: Array<string>): bool {
  const pm = r.pm!;
  const found = pm.find(input);
  if (found < 0) return false;
  if (r.capture) caps.push(pm.matchedText(input, found));
  return true;
}


function containsWord(input: string, w: string): bool {
  if (w.length == 0) return true;
  let from = 0;
  while (true) {
    const i = input.indexOf(w, from);
    if (i < 0) return false;
    const before = i == 0 ? 32 : input.charCodeAt(i - 1);
    const e = i + w.length;
    const after = e >= input.length ? 32 : input.charCodeAt(e);
    if (!isWordChar(before) && !isWordChar(after)) return true;
    from = i + 1;
  }
}

function isWordChar(c: i32): bool { return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 95; }

/** True when a % is not followed by two hex digits (ModSecurity: invalid URL encoding). */
function invalidUrlEncoding(s: string): bool {
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) != 37) continue;
    if (i + 2 >= s.length) return true;
    if (hexVal(s.charCodeAt(i + 1)) < 0 || hexVal(s.charCodeAt(i + 2)) < 0) return true;
    i += 2;
  }
  return false;
}

/** True when the bytes are not valid UTF-8 (overlong forms, surrogates and > U+10FFFF included). */
function invalidUtf8(s: string): bool {
  const n = s.length;
  let i = 0;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c < 0x80) { i++; continue; }
    let len = 0, min = 0, cp = 0;
    if (c >= 0xc2 && c <= 0xdf) { len = 2; cp = c & 0x1f; min = 0x80; }
    else if (c >= 0xe0 && c <= 0xef) { len = 3; cp = c & 0x0f; min = 0x800; }
    else if (c >= 0xf0 && c <= 0xf4) { len = 4; cp = c & 0x07; min = 0x10000; }
    else return true;
    if (i + len > n) return true;
    for (let k = 1; k < len; k++) {
      const d = s.charCodeAt(i + k);
      if ((d & 0xc0) != 0x80) return true;
      cp = (cp << 6) | (d & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return true;
    i += len;
  }
  return false;
}
