// Masking of one request's text by the replace rules, in order, as Higress applies them: a plain
// `replace` rule without `restore` rewrites every match; any other rule finds the matches first,
// computes each one's mask (the rule's value expanded against the match, or the MD5 hex of the
// match for `hash`), remembers mask → original when `restore` is set, then replaces every
// occurrence of each original by its mask.
import { md5 } from "@sluice/sdk/crypto";
import { hexEncode } from "@sluice/sdk/encoding";
import { Regex } from "@sluice/sdk/regex";

export class ReplaceRule {
  constructor(public regex: Regex, public hash: bool, public restore: bool, public value: string) {}
}

/**
 * The masks of one request that can be restored. A mask that stands for two different originals
 * cannot be restored (Higress drops it then); unlike Higress, the same original masked twice
 * (an address repeated in the conversation) stays restorable.
 */
export class MaskMap {
  masks: Array<string> = [];
  originals: Array<string> = [];
  ambiguous: Array<bool> = [];

  record(mask: string, original: string): void {
    for (let i = 0; i < this.masks.length; i++) {
      if (this.masks[i] != mask) continue;
      if (this.originals[i] != original) this.ambiguous[i] = true;
      return;
    }
    this.masks.push(mask);
    this.originals.push(original);
    this.ambiguous.push(false);
  }

  /** Number of masks that will be restored. */
  get restorable(): i32 {
    let n = 0;
    for (let i = 0; i < this.masks.length; i++) if (!this.ambiguous[i]) n++;
    return n;
  }
}

/** Replaces the first match in s (Rust's Regex::replace, which Higress calls on each match). */
function replaceFirst(re: Regex, s: string, value: string): string {
  const m = re.find(s);
  if (m === null) return s;
  const parts = new Array<string>();
  parts.push(s.substring(0, m.start));
  re.expand(parts, value, s, m.spans);
  parts.push(s.substring(m.end));
  return parts.join("");
}

export function maskText(text: string, rules: Array<ReplaceRule>, map: MaskMap): string {
  let s = text;
  for (let r = 0; r < rules.length; r++) {
    const rule = rules[r];
    if (!rule.hash && !rule.restore) {
      s = rule.regex.replaceAll(s, rule.value);
      continue;
    }
    const matches = rule.regex.findAll(s);
    const from = new Array<string>();
    const to = new Array<string>();
    for (let i = 0; i < matches.length; i++) {
      const original = matches[i].text;
      // An empty match has nothing to hide (and replacing "" would insert the mask everywhere).
      if (original.length == 0) continue;
      const mask = rule.hash ? hexEncode<ArrayBuffer>(md5<string>(original)) : replaceFirst(rule.regex, original, rule.value);
      from.push(original);
      to.push(mask);
      if (rule.restore && mask.length > 0) map.record(mask, original);
    }
    for (let i = 0; i < from.length; i++) s = s.replaceAll(from[i], to[i]);
  }
  return s;
}
