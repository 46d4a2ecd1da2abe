// `~regex` model mapping. TODO(sdk/regex): replace with the SDK's RE2 engine when it lands.
// Until then a small subset is supported: `^`/`$` anchors, literals, `.`, `.*`, `(.*)`/`(.+)`
// capture groups and `\` escapes — enough for the mappings in Higress's docs
// ("~gpt(.*)": "openai/gpt$1").
export function regexReplace(pattern: string, input: string, target: string): string | null {
  const caps = new Array<string>();
  let p = pattern;
  let anchoredStart = false;
  if (p.startsWith("^")) { anchoredStart = true; p = p.substring(1); }
  for (let start = 0; start <= input.length; start++) {
    caps.length = 0;
    const end = matchAt(p, 0, input, start, caps);
    if (end >= 0) {
      let out = "";
      for (let i = 0; i < target.length; i++) {
        const c = target.charAt(i);
        if (c == "$" && i + 1 < target.length) {
          const d = target.charCodeAt(i + 1) - 48;
          if (d >= 1 && d <= 9) { out += d - 1 < caps.length ? caps[d - 1] : ""; i++; continue; }
        }
        out += c;
      }
      return out; // Go's ReplaceAllString on a full-model key: the target replaces the match
    }
    if (anchoredStart) break;
  }
  return null;
}

// Returns the end index of a match of p[pi..] at s[si..], or -1. Greedy with backtracking over
// `.*` only (patterns come from the operator's config, and inputs are short model names).
function matchAt(p: string, pi: i32, s: string, si: i32, caps: Array<string>): i32 {
  if (pi >= p.length) return si;
  if (p.charAt(pi) == "$" && pi == p.length - 1) return si == s.length ? si : -1;
  if (p.startsWith("(.*)", pi) || p.startsWith("(.+)", pi)) {
    const min = p.charAt(pi + 2) == "+" ? 1 : 0;
    for (let k = s.length; k >= si + min; k--) {
      const idx = caps.length;
      caps.push(s.substring(si, k));
      const e = matchAt(p, pi + 4, s, k, caps);
      if (e >= 0) return e;
      caps.length = idx;
    }
    return -1;
  }
  if (p.startsWith(".*", pi)) {
    for (let k = s.length; k >= si; k--) {
      const e = matchAt(p, pi + 2, s, k, caps);
      if (e >= 0) return e;
    }
    return -1;
  }
  if (si >= s.length) return -1;
  let c = p.charAt(pi);
  let adv = 1;
  if (c == "\\" && pi + 1 < p.length) { c = p.charAt(pi + 1); adv = 2; if (c != s.charAt(si)) return -1; }
  else if (c != "." && c != s.charAt(si)) return -1;
  return matchAt(p, pi + adv, s, si + 1, caps);
}
