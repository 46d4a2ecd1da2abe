// Grok patterns (`%{NAME}`, `%{NAME:alias}`) expanded to RE2 before the SDK's regex engine
// compiles them. The table holds the names Higress's examples and Aliyun SLS's grok list use most,
// written for RE2: no lookaround (RE2 cannot match it in linear time), so IPV4 and friends do
// not check what stands next to them. MOBILE and IDCARD are Higress's own additions.

const NAMES: Array<string> = [
  "USERNAME", "USER", "EMAILLOCALPART", "EMAILADDRESS",
  "INT", "BASE10NUM", "NUMBER", "BASE16NUM", "POSINT", "NONNEGINT",
  "WORD", "NOTSPACE", "SPACE", "DATA", "GREEDYDATA", "QUOTEDSTRING", "UUID", "MAC",
  "IPV4", "IPV6", "IP", "HOSTNAME", "HOST", "IPORHOST", "HOSTPORT",
  "URIPROTO", "URIHOST", "URIPATH", "URIPARAM", "URIPATHPARAM", "URI",
  "MONTHNUM", "MONTHDAY", "YEAR", "HOUR", "MINUTE", "SECOND", "TIME",
  "MOBILE", "IDCARD",
];

const H = "[0-9A-Fa-f]{1,4}";
const OCTET = "(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])";

// Alternatives with more groups after "::" come first: leftmost-first matching takes the first
// alternative that matches, so a shorter form listed earlier would cut an address short.
const IPV6 = "(?:(?:" + H + ":){7}" + H +
  "|" + H + ":(?::" + H + "){1,6}" +
  "|(?:" + H + ":){1,2}(?::" + H + "){1,5}" +
  "|(?:" + H + ":){1,3}(?::" + H + "){1,4}" +
  "|(?:" + H + ":){1,4}(?::" + H + "){1,3}" +
  "|(?:" + H + ":){1,5}(?::" + H + "){1,2}" +
  "|(?:" + H + ":){1,6}:" + H +
  "|(?:" + H + ":){1,7}:" +
  "|:(?:(?::" + H + "){1,7}|:))";

const EMAIL_CHARS = "[a-zA-Z0-9!#$%&'*+/=?^_`{|}~-]";

const PATTERNS: Array<string> = [
  "[a-zA-Z0-9._-]+",
  "%{USERNAME}",
  EMAIL_CHARS + "+(?:\\." + EMAIL_CHARS + "+)*",
  "%{EMAILLOCALPART}@%{HOSTNAME}",
  "(?:[+-]?(?:[0-9]+))",
  "(?:[+-]?(?:[0-9]+(?:\\.[0-9]+)?|\\.[0-9]+))",
  "(?:%{BASE10NUM})",
  "(?:[+-]?(?:0x)?(?:[0-9A-Fa-f]+))",
  "\\b(?:[1-9][0-9]*)\\b",
  "\\b(?:[0-9]+)\\b",
  "\\b\\w+\\b",
  "\\S+",
  "\\s*",
  ".*?",
  ".*",
  "(?:\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*')",
  "[A-Fa-f0-9]{8}-(?:[A-Fa-f0-9]{4}-){3}[A-Fa-f0-9]{12}",
  "(?:(?:[A-Fa-f0-9]{2}[:-]){5}[A-Fa-f0-9]{2}|(?:[A-Fa-f0-9]{4}\\.){2}[A-Fa-f0-9]{4})",
  "(?:" + OCTET + "\\.){3}" + OCTET,
  IPV6,
  "(?:%{IPV6}|%{IPV4})",
  "\\b(?:[0-9A-Za-z][0-9A-Za-z-]{0,62})(?:\\.(?:[0-9A-Za-z][0-9A-Za-z-]{0,62}))*(?:\\.?|\\b)",
  "%{HOSTNAME}",
  "(?:%{IP}|%{HOSTNAME})",
  "%{IPORHOST}:%{POSINT}",
  "[A-Za-z][A-Za-z0-9+\\-.]*",
  "%{IPORHOST}(?::%{POSINT})?",
  "(?:/[A-Za-z0-9$.+!*'(){},~:;=@#%&_\\-]*)+",
  "\\?[A-Za-z0-9$.+!*'|(){},~@#%&/=:;_?\\-\\[\\]<>]*",
  "%{URIPATH}(?:%{URIPARAM})?",
  "%{URIPROTO}://(?:%{USER}(?::[^@]*)?@)?(?:%{URIHOST})?(?:%{URIPATHPARAM})?",
  "(?:0?[1-9]|1[0-2])",
  "(?:(?:0[1-9])|(?:[12][0-9])|(?:3[01])|[1-9])",
  "(?:\\d\\d){1,2}",
  "(?:2[0123]|[01]?[0-9])",
  "(?:[0-5][0-9])",
  "(?:(?:[0-5]?[0-9]|60)(?:[:.,][0-9]+)?)",
  "%{HOUR}:%{MINUTE}(?::%{SECOND})?",
  "\\d{8,11}",
  // Grouped (Higress inserts it bare, so its `|` would split a larger pattern).
  "(?:\\d{17}[0-9xX]|\\d{15})",
];

export class GrokResult {
  constructor(public pattern: string, public error: string) {}
}

function isNameChar(c: i32): bool {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c == 0x5f;
}

function lookup(name: string): i32 {
  for (let i = 0; i < NAMES.length; i++) if (NAMES[i] == name) return i;
  return -1;
}

/**
 * Replaces every `%{NAME}` by its pattern and every `%{NAME:alias}` by `(?P<alias>pattern)`
 * (a grok type suffix, `:int`, is dropped). Text that is not a grok reference is left alone;
 * an unknown name is an error (RE2 would read it as the literal text `%{NAME}` and match nothing).
 */
export function expandGrok(pattern: string): GrokResult {
  return expand(pattern, 0);
}

function expand(pattern: string, depth: i32): GrokResult {
  if (depth > 8) return new GrokResult("", "grok patterns nest too deeply in " + pattern);
  if (!pattern.includes("%{")) return new GrokResult(pattern, "");
  let out = "";
  let i = 0;
  const n = pattern.length;
  while (i < n) {
    const at = pattern.indexOf("%{", i);
    if (at < 0) break;
    out += pattern.substring(i, at);
    let j = at + 2;
    while (j < n && isNameChar(<i32>pattern.charCodeAt(j))) j++;
    const name = pattern.substring(at + 2, j);
    let alias = "";
    let ok = name.length > 0;
    if (ok && j < n && pattern.charCodeAt(j) == 0x3a) {
      const close = pattern.indexOf("}", j);
      if (close < 0) ok = false;
      else {
        alias = pattern.substring(j + 1, close);
        const typed = alias.indexOf(":");
        if (typed >= 0) alias = alias.substring(0, typed);
        j = close;
      }
    }
    if (!ok || j >= n || pattern.charCodeAt(j) != 0x7d) {
      // Not a grok reference (e.g. a literal "%{" before a repeat count): keep the text.
      out += "%{";
      i = at + 2;
      continue;
    }
    const idx = lookup(name);
    if (idx < 0) return new GrokResult("", "unknown grok pattern %{" + name + "} in " + pattern);
    const inner = expand(PATTERNS[idx], depth + 1);
    if (inner.error.length > 0) return inner;
    out += alias.length > 0 ? "(?P<" + alias + ">" + inner.pattern + ")" : inner.pattern;
    i = j + 1;
  }
  if (i < n) out += pattern.substring(i);
  return new GrokResult(out, "");
}
