// Status patterns of failoverOnStatus / retryOnStatus ("4.*", "5.*", "429"). Higress treats them
// as Go regexes matched against the status text; the patterns used in practice are digits, `.`
// and a trailing `.*`, which this matcher covers exactly (anchored at the start like the
// common usage). TODO(sdk/regex): switch to the SDK's RE2 engine once it lands.
export class StatusPattern {
  constructor(public pattern: string) {}

  matches(status: u32): bool {
    const s = status.toString();
    const p = this.pattern;
    let i = 0, j = 0;
    while (j < p.length) {
      if (j + 1 < p.length && p.charAt(j) == "." && p.charAt(j + 1) == "*") return true;
      if (i >= s.length) return false;
      const c = p.charAt(j);
      if (c != "." && c != s.charAt(i)) return false;
      i++; j++;
    }
    return i == s.length;
  }
}

export function anyMatches(list: Array<StatusPattern>, status: u32): bool {
  for (let i = 0; i < list.length; i++) if (list[i].matches(status)) return true;
  return false;
}
