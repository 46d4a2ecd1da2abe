// Builds the rule set of one configuration: the base settings and the Core Rule Set (compiled
// into the module at build time, see scripts/prebuild-waf.mjs), then the config's secRules.
import { RuleSet, Rule, Parser, DataFiles, toByteString } from "./seclang";
import { BASE_CONF } from "./base-conf";
import { CRS_VERSION, CRS_FILES, CRS_TEXTS, CRS_DATA_NAMES, CRS_DATA } from "./generated/crs";

export class LoadResult {
  set: RuleSet | null = null;
  error: string = "";
  /** Rules with an id (chain links not counted). */
  rules: i32 = 0;
}

let crsData: DataFiles | null = null;

function dataFiles(): DataFiles {
  let d = crsData;
  if (d === null) {
    d = new DataFiles();
    for (let i = 0; i < CRS_DATA_NAMES.length; i++) {
      d.names.push(CRS_DATA_NAMES[i]);
      d.contents.push(toByteString(CRS_DATA[i]));
    }
    crsData = d;
  }
  return d;
}

export function crsVersion(): string { return CRS_VERSION; }

/**
 * CRS reads its settings (ids 900000–900999: paranoia level, thresholds, allowed methods…) from
 * crs-setup.conf, before REQUEST-901 fills in the defaults of the ones not set. Higress appends
 * secRules after the rule files, where a setting rule runs too late to count; such rules are
 * moved to the place CRS documents for them, after crs-setup.conf, keeping their order.
 */
function moveSetupRules(set: RuleSet, setupEnd: i32, userStart: i32): void {
  const moved = new Array<Rule>();
  const rest = new Array<Rule>();
  for (let i = userStart; i < set.rules.length; i++) {
    const r = set.rules[i];
    if (r.id >= 900000 && r.id <= 900999) moved.push(r); else rest.push(r);
  }
  if (moved.length == 0) return;
  const out = set.rules.slice(0, setupEnd).concat(moved).concat(set.rules.slice(setupEnd, userStart)).concat(rest);
  set.rules = out;
}

export function loadRules(useCRS: bool, secRules: Array<string>): LoadResult {
  const res = new LoadResult();
  const set = new RuleSet();
  const p = new Parser(set, dataFiles());
  let setupEnd = 0;
  if (useCRS) {
    p.lazyRegex = true;
    if (!p.parse(BASE_CONF, "base.conf")) { res.error = p.error; return res; }
    for (let i = 0; i < CRS_FILES.length; i++) {
      if (!p.parse(toByteString(CRS_TEXTS[i]), CRS_FILES[i])) { res.error = p.error; return res; }
      if (CRS_FILES[i].startsWith("crs-setup")) setupEnd = set.rules.length;
    }
    p.lazyRegex = false;
  }
  const userStart = set.rules.length;
  for (let i = 0; i < secRules.length; i++) {
    if (!p.parse(toByteString(secRules[i]), "secRules[" + i.toString() + "]")) { res.error = p.error; return res; }
  }
  if (useCRS) moveSetupRules(set, setupEnd, userStart);
  for (let i = 0; i < set.rules.length; i++) if (set.rules[i].id != 0) res.rules++;
  res.set = set;
  return res;
}
