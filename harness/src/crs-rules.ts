// Facts about the vendored CRS rules that reports and test selection need: which file a rule id
// is in and its paranoia level (the `paranoia-level/N` tag; rules without one run at every level).
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { crsRuleFiles } from "./modsecurity.js";

export interface CrsRule {
  id: number;
  /** Rule file without `.conf`, e.g. REQUEST-942-APPLICATION-ATTACK-SQLI. */
  file: string;
  paranoiaLevel: number;
  /** The rule's targets as written (`ARGS|ARGS_NAMES|REQUEST_BODY`; "" for SecAction). */
  targets: string;
}

let cache: Map<number, CrsRule> | undefined;

/** Every rule with an id in rules/*.conf, by id. */
export function crsRules(): Map<number, CrsRule> {
  if (cache) return cache;
  cache = new Map();
  for (const path of crsRuleFiles()) {
    const file = basename(path, ".conf");
    // Join continuation lines, then each SecRule/SecAction statement is one line.
    const text = readFileSync(path, "utf8").replace(/\\\r?\n/g, " ");
    for (const stmt of text.split(/\r?\n/)) {
      const id = /\bid:\s*'?(\d+)/.exec(stmt);
      if (!id || !/^\s*Sec(Rule|Action)\b/.test(stmt)) continue;
      const pl = /paranoia-level\/(\d)/.exec(stmt);
      const targets = /^\s*SecRule\s+(\S+)/.exec(stmt)?.[1] ?? "";
      cache.set(Number(id[1]), { id: Number(id[1]), file, paranoiaLevel: pl ? Number(pl[1]) : 1, targets });
    }
  }
  return cache;
}
