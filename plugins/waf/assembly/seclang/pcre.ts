// SecLang's @rx is PCRE as libmodsecurity 3 compiles it; the plugin runs it on the SDK's RE2
// engine. Two differences between the flavours change what CRS patterns match, and both were
// measured on the oracle (libmodsecurity 3.0.9) with probe rules, not read from its source:
//
// - libmodsecurity 3 compiles every @rx pattern multi-line: `^` matches after a line feed and `$`
//   before one (`@rx ^b` matches "a\nb", `@rx a$` matches "a\nb"). RE2's `(?m)` means the same.
//   The plugin keeps two programs: the `(?s)` one for values without a line feed (where the two
//   readings agree) and a `(?sm)` one, compiled on first need, for values with one — only for
//   patterns that have `^` or `$`. Both run on the SDK's lazy DFA (line assertions in its context
//   mode); the `(?s)` one keeps the common case on states that need no context.
//   (One corner is not copied: PCRE's multi-line `^` does not match after a line feed that ends
//   the value, RE2's does; a pattern would have to match empty there to notice.)
// - PCRE's `\s` includes the vertical tab (0x0b) since PCRE 8.34; RE2's does not. `\s` becomes
//   `[\s\x0b]` (inside a class `\s\x0b`), `\S` the complement of that.

/** PCRE `\S` inside a character class: everything but [\t\n\x0b\f\r ]. */
const NOT_SPACE_RANGES = "\\x00-\\x08\\x0e-\\x1f\\x21-\\x{10FFFF}";

/** The pattern with PCRE's `\s` / `\S` spelled for RE2. */
export function pcreToRe2(p: string): string {
  if (p.indexOf("\\s") < 0 && p.indexOf("\\S") < 0) return p;
  const out = new Array<string>();
  let start = 0;
  let inClass = false;
  let classStart = -1;
  let i = 0;
  const n = p.length;
  while (i < n) {
    const c = p.charCodeAt(i);
    if (c == 0x5c) { // backslash
      if (i + 1 >= n) break;
      const e = p.charCodeAt(i + 1);
      if (e == 0x51) { // \Q … \E: literal text, copied as it is
        const end = p.indexOf("\\E", i + 2);
        i = end < 0 ? n : end + 2;
        continue;
      }
      if (e == 0x73 || e == 0x53) { // \s, \S
        out.push(p.substring(start, i));
        if (e == 0x73) out.push(inClass ? "\\s\\x0b" : "[\\s\\x0b]");
        else out.push(inClass ? NOT_SPACE_RANGES : "[^\\s\\x0b]");
        start = i + 2;
      }
      i += 2;
      continue;
    }
    if (!inClass) {
      if (c == 0x5b) { inClass = true; classStart = i; }
      i++;
      continue;
    }
    if (classCloses(p, i, classStart)) inClass = false;
    i = classItemEnd(p, i);
  }
  if (out.length == 0) return p;
  out.push(p.substring(start));
  return out.join("");
}

// Inside a character class: `]` right after `[` or `[^` is a literal, `[:name:]` is one item.

/** Whether the `]` at i (inside the class opened at classStart) closes it. */
function classCloses(p: string, i: i32, classStart: i32): bool {
  if (p.charCodeAt(i) != 0x5d) return false;
  const first = classStart + 1 + (p.charCodeAt(classStart + 1) == 0x5e ? 1 : 0);
  return i > first;
}

/** The index after the class item at i (a `[:name:]` is one item). */
function classItemEnd(p: string, i: i32): i32 {
  if (p.charCodeAt(i) == 0x5b && i + 1 < p.length && p.charCodeAt(i + 1) == 0x3a) {
    const end = p.indexOf(":]", i + 2);
    return end < 0 ? i + 1 : end + 2;
  }
  return i + 1;
}

/** Whether the pattern has `^` or `$` outside a character class (an anchor a line feed can move). */
export function hasLineAnchor(p: string): bool {
  let inClass = false;
  let classStart = -1;
  let i = 0;
  const n = p.length;
  while (i < n) {
    const c = p.charCodeAt(i);
    if (c == 0x5c) {
      if (i + 1 < n && p.charCodeAt(i + 1) == 0x51) {
        const end = p.indexOf("\\E", i + 2);
        i = end < 0 ? n : end + 2;
        continue;
      }
      i += 2;
      continue;
    }
    if (!inClass) {
      if (c == 0x5e || c == 0x24) return true;
      if (c == 0x5b) { inClass = true; classStart = i; }
      i++;
      continue;
    }
    if (classCloses(p, i, classStart)) inClass = false;
    i = classItemEnd(p, i);
  }
  return false;
}

/** Whether a value has a line feed (only then can the multi-line reading differ). */
export function hasLineFeed(s: string): bool {
  return s.indexOf("\n") >= 0;
}
