// The transformations (t:) CRS uses, on byte strings, as ModSecurity defines them.
import { fromCodes, scratchCodes, lowerAscii, upperAscii, hexVal, isSpace, bytesOf, latin1 } from "./bytes";
import { sha1 } from "@sluice/sdk/crypto";
import { map20127 } from "./unicode-map";

/**
 * Whether urlDecodeUni maps %uXXXX through code page 20127 (SecUnicodeMapFile … 20127): a setting
 * of the rule set, made current by Transaction.runPhase (one request runs at a time).
 */
let unicodeMap: bool = false;
export function useUnicodeMap(on: bool): void { unicodeMap = on; }

const KNOWN = [
  "none", "lowercase", "uppercase", "urldecode", "urldecodeuni", "jsdecode", "htmlentitydecode", "utf8tounicode",
  "removenulls", "replacenulls", "removewhitespace", "compresswhitespace", "replacecomments", "removecomments",
  "removecommentschar", "cssdecode", "cmdline", "normalizepath", "normalisepath", "normalizepathwin", "normalisepathwin",
  "escapeseqdecode", "length", "base64decode", "base64decodeext", "base64encode", "sha1", "md5", "hexencode", "hexdecode",
  "trim", "trimleft", "trimright", "urlencode", "parityeven7bit", "parityodd7bit", "parityzero7bit", "sqlhexdecode",
];

export function isKnownTransform(name: string): bool { return KNOWN.includes(lowerAscii(name)); }

/** urlDecode as the urlencoded body processor reads names and values. */
export function urlDecodeArg(s: string): string { return urlDecode(s, false); }

/** Applies one transformation (name in lower case); unknown names leave the value as it is. */
export function transform(name: string, s: string): string {
  return applyTransform(transformCode(name), s);
}

const CODED = ["none", "lowercase", "uppercase", "urldecode", "urldecodeuni", "jsdecode", "htmlentitydecode", "utf8tounicode", "removenulls", "replacenulls", "removewhitespace", "compresswhitespace", "replacecomments", "removecomments", "removecommentschar", "cssdecode", "cmdline", "normalizepath", "normalisepath", "normalizepathwin", "normalisepathwin", "escapeseqdecode", "length", "base64decode", "base64decodeext", "sha1", "hexencode", "hexdecode", "sqlhexdecode", "trim", "trimleft", "trimright"];

/** A transformation's number for applyTransform (0: none or unknown, which leave the value as it is). */
export function transformCode(name: string): i32 {
  return CODED.indexOf(name) + 1;
}

/** Applies the transformation numbered `code` (transformCode): integers compared, not names. */
export function applyTransform(code: i32, s: string): string {
  switch (code) {
    case 1: return s; // none
    case 2: return lowerAscii(s); // lowercase
    case 3: return upperAscii(s); // uppercase
    case 4: return urlDecode(s, false); // urldecode
    case 5: return urlDecode(s, true); // urldecodeuni
    case 6: return jsDecode(s); // jsdecode
    case 7: return htmlEntityDecode(s); // htmlentitydecode
    case 8: return utf8ToUnicode(s); // utf8tounicode
    case 9: return filter(s, 0); // removenulls
    case 10: return s.replaceAll("\0", " "); // replacenulls
    case 11: return removeWhitespace(s); // removewhitespace
    case 12: return compressWhitespace(s); // compresswhitespace
    case 13: return replaceComments(s); // replacecomments
    case 14: return removeComments(s); // removecomments
    case 15: return removeCommentsChar(s); // removecommentschar
    case 16: return cssDecode(s); // cssdecode
    case 17: return cmdLine(s); // cmdline
    case 18: case 19: return normalizePath(s, false); // normalizepath, normalisepath
    case 20: case 21: return normalizePath(s, true); // normalizepathwin, normalisepathwin
    case 22: return escapeSeqDecode(s); // escapeseqdecode
    case 23: return s.length.toString(); // length
    case 24: case 25: return base64Decode(s); // base64decode, base64decodeext
    case 26: return latin1(sha1(bytesOf(s))); // sha1
    case 27: return hexEncode(s); // hexencode
    case 28: case 29: return hexDecode(s); // hexdecode, sqlhexdecode
    case 30: return trimWs(s, true, true); // trim
    case 31: return trimWs(s, true, false); // trimleft
    case 32: return trimWs(s, false, true); // trimright
    default: return s;
  }
}

/** Whether s holds the code unit c (a scan; String#indexOf compares a substring at each position). */
function hasCode(s: string, c: i32): bool {
  const base = changetype<usize>(s);
  const n = s.length;
  for (let i = 0; i < n; i++) if (<i32>load<u16>(base + (<usize>i << 1)) == c) return true;
  return false;
}

/** Whether s holds a or b. */
function hasCode2(s: string, a: i32, b: i32): bool {
  const base = changetype<usize>(s);
  const n = s.length;
  for (let i = 0; i < n; i++) { const c = <i32>load<u16>(base + (<usize>i << 1)); if (c == a || c == b) return true; }
  return false;
}

function filter(s: string, drop: i32): string {
  if (!hasCode(s, drop)) return s;
  const out = scratchCodes();
  for (let i = 0; i < s.length; i++) { const c = s.charCodeAt(i); if (c != drop) out.push(c); }
  return out.toString();
}

function urlDecode(s: string, uni: bool): string {
  if (!hasCode2(s, 37, 43)) return s;
  const out = scratchCodes();
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c == 43) { out.push(32); continue; }
    if (c == 37) {
      if (uni && i + 5 < n && (s.charCodeAt(i + 1) | 32) == 117) {
        const a = hexVal(s.charCodeAt(i + 2)), b = hexVal(s.charCodeAt(i + 3)), d = hexVal(s.charCodeAt(i + 4)), e = hexVal(s.charCodeAt(i + 5));
        if (a >= 0 && b >= 0 && d >= 0 && e >= 0) {
          const mapped = unicodeMap ? map20127((a << 12) | (b << 8) | (d << 4) | e) : -1;
          if (mapped >= 0) { out.push(mapped); i += 5; continue; }
          let v = (d << 4) | e;
          // Full-width ASCII (U+FF01–U+FF5E) maps to ASCII, as ModSecurity does for a code point its
          // unicode map (if any) has no entry for; anything else keeps its low byte.
          if (a == 15 && b == 15 && v >= 1 && v <= 0x5e) v += 0x20;
          out.push(v);
          i += 5;
          continue;
        }
      }
      if (i + 2 < n) {
        const h = hexVal(s.charCodeAt(i + 1)), l = hexVal(s.charCodeAt(i + 2));
        if (h >= 0 && l >= 0) { out.push((h << 4) | l); i += 2; continue; }
      }
    }
    out.push(c);
  }
  return out.toString();
}

function jsDecode(s: string): string {
  return backslashDecode(s, true);
}

/**
 * ANSI C escapes (`\xHH`, `\OOO`, `\n` …) as escapeSeqDecode decodes them; with `unicode`, also
 * JavaScript's `\uHHHH` (jsDecode: the low byte, with ModSecurity's full-width ASCII folding).
 */
function backslashDecode(s: string, unicode: bool): string {
  if (!hasCode(s, 92)) return s;
  const out = scratchCodes();
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c != 92 || i + 1 >= n) { out.push(c); continue; }
    const d = s.charCodeAt(i + 1);
    if (unicode && d == 117 && i + 5 < n) { // \uHHHH
      const a = hexVal(s.charCodeAt(i + 2)), b = hexVal(s.charCodeAt(i + 3)), e = hexVal(s.charCodeAt(i + 4)), f = hexVal(s.charCodeAt(i + 5));
      if (a >= 0 && b >= 0 && e >= 0 && f >= 0) {
        let v = (e << 4) | f;
        if (a == 15 && b == 15 && v >= 1 && v <= 0x5e) v += 0x20;
        out.push(v);
        i += 5;
        continue;
      }
    }
    if (d == 120 && i + 3 < n) { // \xHH
      const h = hexVal(s.charCodeAt(i + 2)), l = hexVal(s.charCodeAt(i + 3));
      if (h >= 0 && l >= 0) { out.push((h << 4) | l); i += 3; continue; }
    }
    if (d >= 48 && d <= 55) { // \OOO (up to 3 octal digits)
      let v = 0, j = i + 1, k = 0;
      while (j < n && k < 3 && s.charCodeAt(j) >= 48 && s.charCodeAt(j) <= 55) { v = v * 8 + s.charCodeAt(j) - 48; j++; k++; }
      out.push(v & 0xff);
      i = j - 1;
      continue;
    }
    out.push(escapeChar(d));
    i++;
  }
  return out.toString();
}

function escapeChar(d: i32): i32 {
  if (d == 97) return 7;
  if (d == 98) return 8;
  if (d == 102) return 12;
  if (d == 110) return 10;
  if (d == 114) return 13;
  if (d == 116) return 9;
  if (d == 118) return 11;
  return d;
}

function escapeSeqDecode(s: string): string {
  return backslashDecode(s, false);
}

const ENTITIES = ["quot", "amp", "lt", "gt", "nbsp", "apos"];
const ENTITY_CHARS: i32[] = [34, 38, 60, 62, 160, 39];

function htmlEntityDecode(s: string): string {
  if (!hasCode(s, 38)) return s;
  const out = scratchCodes();
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c != 38 || i + 1 >= n) { out.push(c); continue; }
    if (s.charCodeAt(i + 1) == 35) { // &#… numeric
      let j = i + 2;
      let hex = false;
      if (j < n && (s.charCodeAt(j) | 32) == 120) { hex = true; j++; }
      let v = 0, k = j;
      while (k < n) {
        const h = hex ? hexVal(s.charCodeAt(k)) : (s.charCodeAt(k) >= 48 && s.charCodeAt(k) <= 57 ? s.charCodeAt(k) - 48 : -1);
        if (h < 0) break;
        v = (v * (hex ? 16 : 10) + h) & 0xffffff;
        k++;
      }
      if (k > j) {
        out.push(v & 0xff);
        if (k < n && s.charCodeAt(k) == 59) k++;
        i = k - 1;
        continue;
      }
      out.push(c);
      continue;
    }
    let matched = false;
    for (let e = 0; e < ENTITIES.length; e++) {
      const name = ENTITIES[e];
      if (i + 1 + name.length <= n && lowerAscii(s.substr(i + 1, name.length)) == name) {
        out.push(ENTITY_CHARS[e]);
        let k = i + 1 + name.length;
        if (k < n && s.charCodeAt(k) == 59) k++;
        i = k - 1;
        matched = true;
        break;
      }
    }
    if (!matched) out.push(c);
  }
  return out.toString();
}

/** Multi-byte UTF-8 sequences → %uHHHH, as ModSecurity's utf8toUnicode writes them. */
function utf8ToUnicode(s: string): string {
  let any = false;
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0xc0) { any = true; break; }
  if (!any) return s;
  const out = scratchCodes();
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    let cp = -1, len = 0;
    if (c >= 0xc2 && c <= 0xdf && i + 1 < n) { len = 2; cp = ((c & 0x1f) << 6) | (s.charCodeAt(i + 1) & 0x3f); }
    else if (c >= 0xe0 && c <= 0xef && i + 2 < n) { len = 3; cp = ((c & 0x0f) << 12) | ((s.charCodeAt(i + 1) & 0x3f) << 6) | (s.charCodeAt(i + 2) & 0x3f); }
    else if (c >= 0xf0 && c <= 0xf4 && i + 3 < n) { len = 4; cp = ((c & 0x07) << 18) | ((s.charCodeAt(i + 1) & 0x3f) << 12) | ((s.charCodeAt(i + 2) & 0x3f) << 6) | (s.charCodeAt(i + 3) & 0x3f); }
    let ok = len > 0;
    for (let k = 1; k < len && ok; k++) if ((s.charCodeAt(i + k) & 0xc0) != 0x80) ok = false;
    if (!ok) { out.push(c); continue; }
    const hex = "0123456789abcdef";
    out.push(37); out.push(117);
    const v = cp & 0xffff;
    out.push(hex.charCodeAt((v >> 12) & 15)); out.push(hex.charCodeAt((v >> 8) & 15));
    out.push(hex.charCodeAt((v >> 4) & 15)); out.push(hex.charCodeAt(v & 15));
    i += len - 1;
  }
  return out.toString();
}

function hasWs(s: string): bool {
  for (let i = 0; i < s.length; i++) { const c = s.charCodeAt(i); if (isSpace(c) || c == 160) return true; }
  return false;
}

function removeWhitespace(s: string): string {
  if (!hasWs(s)) return s;
  const out = scratchCodes();
  for (let i = 0; i < s.length; i++) { const c = s.charCodeAt(i); if (!isSpace(c) && c != 160) out.push(c); }
  return out.length == s.length ? s : out.toString();
}

function compressWhitespace(s: string): string {
  let needs = false;
  for (let i = 0; i < s.length && !needs; i++) {
    const c = s.charCodeAt(i);
    if (c == 32) { if (i + 1 < s.length && (isSpace(s.charCodeAt(i + 1)) || s.charCodeAt(i + 1) == 160)) needs = true; }
    else if (isSpace(c) || c == 160) needs = true;
  }
  if (!needs) return s;
  const out = scratchCodes();
  let inWs = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (isSpace(c) || c == 160) { if (!inWs) out.push(32); inWs = true; }
    else { out.push(c); inWs = false; }
  }
  return out.toString();
}

/** C comments become one space; an unterminated one runs to the end. */
function replaceComments(s: string): string {
  if (!hasCode2(s, 47, 42)) return s;
  const out = scratchCodes();
  const n = s.length;
  let i = 0;
  while (i < n) {
    if (s.charCodeAt(i) == 47 && i + 1 < n && s.charCodeAt(i + 1) == 42) {
      const end = s.indexOf("*/", i + 2);
      out.push(32);
      if (end < 0) return out.toString();
      i = end + 2;
      continue;
    }
    out.push(s.charCodeAt(i));
    i++;
  }
  return out.toString();
}

function removeComments(s: string): string {
  const out = scratchCodes();
  const n = s.length;
  let i = 0;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c == 47 && i + 1 < n && s.charCodeAt(i + 1) == 42) {
      const end = s.indexOf("*/", i + 2);
      if (end < 0) break;
      i = end + 2;
      continue;
    }
    if ((c == 45 && i + 1 < n && s.charCodeAt(i + 1) == 45) || c == 35) break;
    out.push(c);
    i++;
  }
  return out.toString();
}

function removeCommentsChar(s: string): string {
  const out = scratchCodes();
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    const d = i + 1 < n ? s.charCodeAt(i + 1) : 0;
    if ((c == 47 && d == 42) || (c == 42 && d == 47) || (c == 45 && d == 45)) { i++; continue; }
    if (c == 35) continue;
    out.push(c);
  }
  return out.toString();
}

function cssDecode(s: string): string {
  if (!hasCode(s, 92)) return s;
  const out = scratchCodes();
  const n = s.length;
  let i = 0;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c != 92) { out.push(c); i++; continue; }
    if (i + 1 >= n) { i++; break; }
    let j = i + 1, v = 0, k = 0;
    while (j < n && k < 6 && hexVal(s.charCodeAt(j)) >= 0) { v = (v << 4) | hexVal(s.charCodeAt(j)); j++; k++; }
    if (k > 0) {
      let b = v & 0xff;
      // Full-width ASCII as in urlDecodeUni.
      if (k >= 4 && ((v >> 8) & 0xff) == 0xff && b >= 1 && b <= 0x5e) b += 0x20;
      out.push(b);
      if (j < n && isSpace(s.charCodeAt(j))) j++;
      i = j;
      continue;
    }
    const d = s.charCodeAt(i + 1);
    if (d == 10) { i += 2; continue; } // an escaped newline disappears
    out.push(d);
    i += 2;
  }
  return out.toString();
}

/** ModSecurity's cmdLine: drop \ " ' ^, space before / and (, ',' ';' → space, squeeze spaces, lower case. */
function cmdLine(s: string): string {
  const out = scratchCodes();
  let space = false;
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c == 92 || c == 34 || c == 39 || c == 94) continue;
    if (c == 44 || c == 59 || isSpace(c)) { if (!space) { out.push(32); space = true; } continue; }
    if ((c == 47 || c == 40) && space) out.pop();
    space = false;
    if (c >= 65 && c <= 90) c += 32;
    out.push(c);
  }
  return out.toString();
}

function normalizePath(s: string, win: bool): string {
  let t = win ? s.replaceAll("\\", "/") : s;
  if (!hasCode2(t, 47, 46)) return t; // no "/" nor "." (nothing to normalize)
  if (t.indexOf("/.") < 0 && t.indexOf("./") < 0 && t.indexOf("//") < 0 && t != "." && t != "..") return t;
  const abs = t.startsWith("/");
  const trailing = t.endsWith("/") || t.endsWith("/.") || t.endsWith("/..");
  const parts = t.split("/");
  const stack = new Array<string>();
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    if (p.length == 0 || p == ".") continue;
    if (p == "..") {
      if (stack.length > 0 && stack[stack.length - 1] != "..") stack.pop();
      else if (!abs) stack.push("..");
      continue;
    }
    stack.push(p);
  }
  let r = (abs ? "/" : "") + stack.join("/");
  if (trailing && stack.length > 0) r += "/";
  return r;
}

function base64Decode(s: string): string {
  const out = scratchCodes();
  let acc = 0, bits = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let v = -1;
    if (c >= 65 && c <= 90) v = c - 65;
    else if (c >= 97 && c <= 122) v = c - 71;
    else if (c >= 48 && c <= 57) v = c + 4;
    else if (c == 43 || c == 45) v = 62;
    else if (c == 47 || c == 95) v = 63;
    else if (c == 61) break;
    else continue;
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) { bits -= 8; out.push((acc >> bits) & 0xff); }
  }
  return out.toString();
}

function hexEncode(s: string): string {
  const hex = "0123456789abcdef";
  const out = new Array<i32>(s.length * 2);
  for (let i = 0; i < s.length; i++) { const c = s.charCodeAt(i) & 0xff; out[2 * i] = hex.charCodeAt(c >> 4); out[2 * i + 1] = hex.charCodeAt(c & 15); }
  return fromCodes(out);
}

function hexDecode(s: string): string {
  const out = scratchCodes();
  for (let i = 0; i + 1 < s.length; i += 2) {
    const h = hexVal(s.charCodeAt(i)), l = hexVal(s.charCodeAt(i + 1));
    if (h < 0 || l < 0) return s;
    out.push((h << 4) | l);
  }
  return out.toString();
}

function trimWs(s: string, left: bool, right: bool): string {
  let a = 0, b = s.length;
  if (left) while (a < b && isSpace(s.charCodeAt(a))) a++;
  if (right) while (b > a && isSpace(s.charCodeAt(b - 1))) b--;
  return s.substring(a, b);
}
