// Status patterns of failoverOnStatus / retryOnStatus ("4.*", "5.*", "429"). Higress treats them
// as Go regexes; we compile them with the SDK's RE2 engine and match the whole status text.
import { Regex } from "@sluice/sdk/regex";

export class StatusPattern {
  constructor(public pattern: string, private regex: Regex) {}

  matches(status: u32): bool {
    return this.regex.fullMatch(status.toString());
  }
}

export function anyMatches(list: Array<StatusPattern>, status: u32): bool {
  for (let i = 0; i < list.length; i++) if (list[i].matches(status)) return true;
  return false;
}
