// The compiled form of SecLang directives: rules with their targets, operator, transformations
// and actions, plus the engine settings the directives set.
import { Regex } from "@sluice/sdk/regex";
import { Cidr } from "@sluice/sdk/net";
import { eqLowerAscii } from "./bytes";
import { PhraseMatcher } from "./pm";

/** One target of a rule: `ARGS`, `ARGS:id`, `ARGS:/^x/`, `&TX:foo`, `!REQUEST_HEADERS:Cookie`. */
export class Target {
  /** The variable name, upper case (ARGS, REQUEST_HEADERS, TX…). */
  name: string = "";
  /** The selector as written (lower case for matching); "" for the whole collection. */
  key: string = "";
  keyRegex: Regex | null = null;
  count: bool = false;
  exclude: bool = false;
  /** What collect() does for this variable (variables.ts), decided on first use. */
  code: i32 = 0;
  /** ARGS:foo matches by name; a Target with a regex matches names the regex finds. */
  matches(name: string, key: string): bool {
    if (this.name != name) return false;
    if (this.key.length == 0 && this.keyRegex === null) return true;
    const r = this.keyRegex;
    if (r !== null) return r.test(key);
    return eqLowerAscii(this.key, key);
  }
}

export const enum Disruptive { None, Pass, Block, Deny, Allow, Drop }

export class SetVar {
  /** Collection (tx) and variable name, both lower case; the name may hold a macro. */
  name: string = "";
  /** "=" set, "+" add, "-" subtract, "!" delete. */
  op: i32 = 0;
  value: string = "";
}

export const enum CtlKind {
  RuleRemoveById, RuleRemoveByTag, RuleRemoveTargetById, RuleRemoveTargetByTag,
  RequestBodyProcessor, ForceRequestBodyVariable, RuleEngine, RequestBodyAccess, Ignored,
}

export class Ctl {
  kind: CtlKind = CtlKind.Ignored;
  /** The value after `=`, e.g. "942100" or "attack-sqli" or "JSON". */
  value: string = "";
  /** For ruleRemoveTarget*: the target after `;`. */
  target: Target | null = null;
  /** For id ranges: inclusive bounds. */
  lo: i32 = 0;
  hi: i32 = 0;
}

export class Rule {
  id: i32 = 0;
  phase: i32 = 2;
  file: string = "";
  line: i32 = 0;
  /** SecMarker: a place skipAfter jumps to (present in every phase). */
  marker: string = "";
  /** SecAction: matches without looking at any variable. */
  unconditional: bool = false;
  targets: Array<Target> = [];
  exclusions: Array<Target> = [];
  op: string = "rx";
  /** The operator as a number (operators.ts), set when the operator is prepared. */
  opCode: i32 = 0;
  /** The operator's argument holds a macro (%{…}) to expand per evaluation. */
  opArgMacro: bool = false;
  opArg: string = "";
  negated: bool = false;
  /** Operator state built at load (patterns for @pm) or on first use (the regex). */
  rx: Regex | null = null;
  rxError: string = "";
  /** @rx: the pattern read multi-line, for values with a line feed (pcre.ts); compiled on first need. */
  rxLines: Regex | null = null;
  /** @rx: -1 not known yet, 0 the pattern has no `^`/`$` (one program serves), 1 it has. */
  rxAnchors: i8 = -1;
  phrases: Array<string> | null = null;
  /** @pm / @pmFromFile: the phrases as one automaton (pm.ts). */
  pm: PhraseMatcher | null = null;
  /** @validateByteRange: 1 for each allowed byte. */
  byteRange: StaticArray<u8> | null = null;
  ips: Array<Cidr> | null = null;
  transforms: Array<string> = [];
  /** The transformations as numbers (none dropped) and the id of each prefix of the pipeline, by
   * which values cache their results (engine.ts); null until the rule first runs. */
  tcodes: Array<i32> | null = null;
  prefixIds: Array<i32> | null = null;
  disruptive: Disruptive = Disruptive.None;
  status: i32 = 0;
  capture: bool = false;
  multiMatch: bool = false;
  /** -1 unset (inherit), 0 nolog, 1 log. */
  log: i32 = -1;
  setvars: Array<SetVar> = [];
  ctls: Array<Ctl> = [];
  skipAfter: string = "";
  skip: i32 = 0;
  msg: string = "";
  logdata: string = "";
  tags: Array<string> = [];
  severity: i32 = -1;
  ver: string = "";
  /** The next link of a chain (this rule has `chain`). */
  chain: Rule | null = null;
  isChainLink: bool = false;
  removed: bool = false;
}

export const enum EngineMode { On, Off, DetectionOnly }

/** Default actions a phase's rules inherit (SecDefaultAction). */
export class Defaults {
  disruptive: Disruptive = Disruptive.Pass;
  status: i32 = 0;
  log: bool = true;
  transforms: Array<string> = [];
}

export class RuleSet {
  rules: Array<Rule> = [];
  engine: EngineMode = EngineMode.On;
  requestBodyAccess: bool = false;
  responseBodyAccess: bool = false;
  requestBodyLimit: i32 = 13107200;
  /** true: Reject over the limit; false: ProcessPartial. */
  requestBodyLimitReject: bool = true;
  responseBodyLimit: i32 = 524288;
  responseBodyLimitReject: bool = false;
  responseMimeTypes: Array<string> = ["text/plain", "text/html"];
  argumentsLimit: i32 = 1000;
  /** SecUnicodeMapFile … 20127: urlDecodeUni maps %uXXXX through code page 20127 (transforms.ts). */
  unicodeMap: bool = false;
  jsonDepthLimit: i32 = 1024;
  defaults: Array<Defaults> = [new Defaults(), new Defaults(), new Defaults(), new Defaults(), new Defaults(), new Defaults()];
  componentSignature: string = "";
  /** Rules using an operator this build does not have (e.g. @detectSQLi): skipped, counted by operator. */
  skippedOps: Map<string, i32> = new Map();
  skipped: i32 = 0;
  byId: Map<i32, Rule> = new Map();
}
