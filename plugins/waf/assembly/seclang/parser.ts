// SecLang directives → a RuleSet. Never traps: a directive it cannot read refuses the whole
// configuration with "<file>:<line>: <reason>".
import { Regex } from "@sluice/sdk/regex";
import { Rule, RuleSet, Target, SetVar, Ctl, CtlKind, Disruptive, EngineMode, Defaults } from "./rule";
import { isKnownTransform } from "./transforms";
import { prepareOperator, OP_UNAVAILABLE } from "./operators";
import { isKnownVariable } from "./variables";
import { toInt, lowerAscii, upperAscii, isSpace } from "./bytes";

/** Named data files for @pmFromFile (CRS's rules/*.data), by base name. */
export class DataFiles {
  names: Array<string> = [];
  contents: Array<string> = [];
  get(name: string): string | null {
    let base = name;
    const slash = base.lastIndexOf("/");
    if (slash >= 0) base = base.substring(slash + 1);
    for (let i = 0; i < this.names.length; i++) if (this.names[i] == base) return this.contents[i];
    return null;
  }
}

class Directive {
  name: string = "";
  args: Array<string> = [];
  line: i32 = 0;
}

/** Splits a directive into its name and arguments (double-quoted or bare); null on an unclosed quote. */
/** The UTF-16 unit at i without a bounds check (callers keep i < length). */
// @ts-ignore: decorator
@inline function at(s: string, i: i32): i32 { return <i32>load<u16>(changetype<usize>(s) + (<usize>i << 1)); }

function tokenize(text: string): Array<string> | null {
  const out = new Array<string>();
  let i = 0;
  const n = text.length;
  while (i < n) {
    while (i < n && isSpace(at(text, i))) i++;
    if (i >= n) break;
    const c = at(text, i);
    if (c == 34 || (c == 39 && out.length > 0)) { // "…" (or '…' for an argument)
      const q = c;
      i++;
      // Escaped quotes are rare: the argument is one substring unless one occurs (a copy less of
      // CRS's 12 KB patterns, which the collector would otherwise have to walk past).
      let parts: Array<string> | null = null;
      let start = i;
      let closed = false;
      while (i < n) {
        const d = at(text, i);
        if (d == 92 && i + 1 < n && at(text, i + 1) == q) { // \" inside "…" is a quote
          if (parts === null) parts = new Array<string>();
          parts.push(text.substring(start, i));
          parts.push(String.fromCharCode(q));
          i += 2;
          start = i;
          continue;
        }
        if (d == q) { closed = true; break; }
        i++;
      }
      if (!closed) return null;
      if (parts === null) out.push(text.substring(start, i));
      else {
        parts.push(text.substring(start, i));
        out.push(parts.join(""));
      }
      i++;
    } else {
      const start = i;
      while (i < n && !isSpace(at(text, i))) i++;
      out.push(text.substring(start, i));
    }
  }
  return out;
}

/** Splits an action list on commas outside single quotes. */
function splitActions(s: string): Array<string> {
  const out = new Array<string>();
  let start = 0;
  let inQ = false;
  for (let i = 0; i < s.length; i++) {
    const c = at(s, i);
    if (c == 92 && i + 1 < s.length) { i++; continue; }
    if (c == 39) inQ = !inQ;
    else if (c == 44 && !inQ) { out.push(s.substring(start, i)); start = i + 1; }
  }
  out.push(s.substring(start));
  return out;
}

function unquote(v: string): string {
  let s = v.trim();
  if (s.length >= 2 && s.charCodeAt(0) == 39 && s.charCodeAt(s.length - 1) == 39) s = s.substring(1, s.length - 1);
  return s.replaceAll("\\'", "'");
}

const SEVERITIES = ["EMERGENCY", "ALERT", "CRITICAL", "ERROR", "WARNING", "NOTICE", "INFO", "DEBUG"];

function parseSeverity(v: string): i32 {
  const u = upperAscii(v);
  for (let i = 0; i < SEVERITIES.length; i++) if (SEVERITIES[i] == u) return i;
  if (v.length == 1 && v.charCodeAt(0) >= 48 && v.charCodeAt(0) <= 55) return v.charCodeAt(0) - 48;
  return -1;
}

function parsePhase(v: string): i32 {
  const l = lowerAscii(v);
  if (l == "request") return 2;
  if (l == "response") return 4;
  if (l == "logging") return 5;
  if (v.length == 1 && v.charCodeAt(0) >= 49 && v.charCodeAt(0) <= 53) return v.charCodeAt(0) - 48;
  return -1;
}

/** "942100" or "941000-942999" → [lo, hi]; null if not numeric. */
export function parseIdRange(s: string): StaticArray<i32> | null {
  const t = s.trim();
  const dash = t.indexOf("-", 1);
  const a = dash < 0 ? t : t.substring(0, dash);
  const b = dash < 0 ? t : t.substring(dash + 1);
  if (!isDigits(a) || !isDigits(b)) return null;
  const r = new StaticArray<i32>(2);
  r[0] = <i32>toInt(a);
  r[1] = <i32>toInt(b);
  return r;
}

function isDigits(s: string): bool {
  if (s.length == 0 || s.length > 9) return false;
  for (let i = 0; i < s.length; i++) { const c = s.charCodeAt(i); if (c < 48 || c > 57) return false; }
  return true;
}

export class Parser {
  error: string = "";
  private file: string = "";
  private line: i32 = 0;
  private chainTail: Rule | null = null;
  /** Compile @rx on first use (the build-checked Core Rule Set) instead of at load. */
  lazyRegex: bool = false;

  constructor(public set: RuleSet, public data: DataFiles) {}

  /** Parses directives; false (and `error`) on the first bad one. */
  parse(text: string, file: string): bool {
    this.file = file;
    // A directive continued over lines is joined once (pieces, then one join): CRS rules run over
    // twenty lines after a pattern of up to 12 KB.
    const pieces = new Array<string>();
    let pendingLine = 0;
    let lineNo = 0;
    let pos = 0;
    const n = text.length;
    while (pos <= n) {
      let end = text.indexOf("\n", pos);
      if (end < 0) end = n;
      lineNo++;
      let lineEnd = end;
      if (lineEnd > pos && at(text, lineEnd - 1) == 13) lineEnd--;
      const lineStart = pos;
      pos = end + 1;
      if (pieces.length == 0) {
        let k = lineStart;
        while (k < lineEnd && isSpace(at(text, k))) k++;
        if (k == lineEnd || at(text, k) == 35) { if (end == n) break; continue; }
        pendingLine = lineNo;
      }
      let t = lineEnd;
      while (t > lineStart && isSpace(at(text, t - 1))) t--;
      if (t > lineStart && at(text, t - 1) == 92) {
        pieces.push(text.substring(lineStart, t - 1));
        if (end == n) { this.line = pendingLine; return this.fail("the file ends inside a continued line"); }
        continue;
      }
      pieces.push(text.substring(lineStart, lineEnd));
      this.line = pendingLine;
      const directive = pieces.length == 1 ? pieces[0] : pieces.join("");
      pieces.length = 0;
      if (!this.directive(directive)) return false;
      if (end == n) break;
    }
    if (this.chainTail !== null) return this.fail("the last rule has 'chain' but no rule follows it");
    return true;
  }

  private fail(msg: string): bool {
    this.error = this.file + ":" + this.line.toString() + ": " + msg;
    return false;
  }

  private directive(text: string): bool {
    const tok = tokenize(text);
    if (tok === null) return this.fail("unclosed quote");
    if (tok.length == 0) return true;
    const name = tok[0];
    const args = tok.slice(1);
    const lname = lowerAscii(name);
    if (this.chainTail !== null && lname != "secrule") return this.fail("a rule with 'chain' must be followed by a SecRule, not " + name);
    if (lname == "secrule") return this.secRule(args, false);
    if (lname == "secaction") return this.secRule(args, true);
    if (lname == "secmarker") {
      if (args.length != 1) return this.fail("SecMarker takes one argument");
      const r = new Rule();
      r.marker = args[0];
      r.file = this.file;
      r.line = this.line;
      r.phase = 0;
      this.set.rules.push(r);
      return true;
    }
    if (lname == "secdefaultaction") return this.secDefaultAction(args);
    if (lname == "include" || lname == "includeoptional") return this.fail(name + " is not supported: give the directives inline (useCRS loads the Core Rule Set)");
    if (lname == "secruleengine") {
      if (args.length != 1) return this.fail("SecRuleEngine takes one argument");
      const v = lowerAscii(args[0]);
      if (v == "on") this.set.engine = EngineMode.On;
      else if (v == "off") this.set.engine = EngineMode.Off;
      else if (v == "detectiononly") this.set.engine = EngineMode.DetectionOnly;
      else return this.fail("SecRuleEngine: expected On, Off or DetectionOnly, got '" + args[0] + "'");
      return true;
    }
    if (lname == "secrequestbodyaccess" || lname == "secresponsebodyaccess") {
      if (args.length != 1) return this.fail(name + " takes one argument");
      const v = lowerAscii(args[0]);
      if (v != "on" && v != "off") return this.fail(name + ": expected On or Off, got '" + args[0] + "'");
      if (lname == "secrequestbodyaccess") this.set.requestBodyAccess = v == "on";
      else this.set.responseBodyAccess = v == "on";
      return true;
    }
    if (lname == "secrequestbodylimit" || lname == "secresponsebodylimit" || lname == "secargumentslimit" || lname == "secrequestbodyjsondepthlimit" || lname == "secrequestbodynofileslimit" || lname == "secrequestbodyinmemorylimit") {
      if (args.length != 1 || !isDigits(args[0])) return this.fail(name + " takes a number");
      const v = <i32>toInt(args[0]);
      if (lname == "secrequestbodylimit") this.set.requestBodyLimit = v;
      else if (lname == "secresponsebodylimit") this.set.responseBodyLimit = v;
      else if (lname == "secargumentslimit") this.set.argumentsLimit = v;
      else if (lname == "secrequestbodyjsondepthlimit") this.set.jsonDepthLimit = v;
      return true;
    }
    if (lname == "secrequestbodylimitaction" || lname == "secresponsebodylimitaction") {
      if (args.length != 1) return this.fail(name + " takes one argument");
      const v = lowerAscii(args[0]);
      if (v != "reject" && v != "processpartial") return this.fail(name + ": expected Reject or ProcessPartial");
      if (lname == "secrequestbodylimitaction") this.set.requestBodyLimitReject = v == "reject";
      else this.set.responseBodyLimitReject = v == "reject";
      return true;
    }
    if (lname == "secresponsebodymimetype") {
      for (let i = 0; i < args.length; i++) {
        const parts = args[i].split(" ");
        for (let j = 0; j < parts.length; j++) if (parts[j].length > 0) this.set.responseMimeTypes.push(lowerAscii(parts[j]));
      }
      return true;
    }
    if (lname == "secresponsebodymimetypesclear") { this.set.responseMimeTypes = []; return true; }
    if (lname == "secunicodemapfile") {
      // The file is not read: code page 20127 (US-ASCII, what ModSecurity's recommended
      // configuration names) is built in (unicode-map.ts, generated from the vendored unicode.mapping).
      if (args.length != 2 || args[1] != "20127") return this.fail("SecUnicodeMapFile: only code page 20127 is built in ('SecUnicodeMapFile unicode.mapping 20127')");
      this.set.unicodeMap = true;
      return true;
    }
    if (lname == "secruleremovebyid") {
      if (args.length == 0) return this.fail("SecRuleRemoveById needs an id or a range");
      for (let a = 0; a < args.length; a++) {
        const parts = args[a].split(" ");
        for (let k = 0; k < parts.length; k++) {
          if (parts[k].length == 0) continue;
          const r = parseIdRange(parts[k]);
          if (r === null) return this.fail("SecRuleRemoveById: '" + parts[k] + "' is not an id or a range");
          for (let i = 0; i < this.set.rules.length; i++) { const x = this.set.rules[i]; if (x.id >= r[0] && x.id <= r[1] && x.marker.length == 0) x.removed = true; }
        }
      }
      return true;
    }
    if (lname == "secruleremovebytag" || lname == "secruleremovebymsg") {
      if (args.length != 1) return this.fail(name + " takes one argument");
      for (let i = 0; i < this.set.rules.length; i++) {
        const x = this.set.rules[i];
        if (lname == "secruleremovebytag" ? x.tags.includes(args[0]) : x.msg == args[0]) x.removed = true;
      }
      return true;
    }
    if (lname == "secruleupdatetargetbyid" || lname == "secruleupdatetargetbytag" || lname == "secruleupdatetargetbymsg") return this.updateTarget(lname, args);
    if (lname == "secruleupdateactionbyid") return this.updateAction(args);
    if (lname == "seccomponentsignature") { if (args.length > 0) this.set.componentSignature = args[0]; return true; }
    if (IGNORED.includes(lname)) return true;
    return this.fail("unknown directive '" + name + "'");
  }

  private secDefaultAction(args: Array<string>): bool {
    if (args.length != 1) return this.fail("SecDefaultAction takes one quoted action list");
    const r = new Rule();
    r.phase = -1;
    if (!this.actions(r, args[0], true)) return false;
    if (r.phase < 0) return this.fail("SecDefaultAction needs a phase");
    const d = new Defaults();
    d.disruptive = r.disruptive == Disruptive.None ? Disruptive.Pass : r.disruptive;
    d.status = r.status;
    d.log = r.log != 0;
    d.transforms = r.transforms;
    this.set.defaults[r.phase] = d;
    return true;
  }

  private secRule(args: Array<string>, action: bool): bool {
    const r = new Rule();
    r.file = this.file;
    r.line = this.line;
    let actions = "";
    if (action) {
      if (args.length > 1) return this.fail("SecAction takes one quoted action list");
      if (args.length == 1) actions = args[0];
      r.unconditional = true;
      r.op = "unconditionalMatch";
    } else {
      if (args.length < 2 || args.length > 3) return this.fail("SecRule takes VARIABLES \"OPERATOR\" [\"ACTIONS\"], got " + args.length.toString() + " arguments");
      if (!this.targets(r, args[0])) return false;
      if (!this.operator(r, args[1])) return false;
      if (args.length == 3) actions = args[2];
    }
    const tail = this.chainTail;
    const isLink = tail !== null;
    let hasChain = false;
    if (isLink) r.phase = tail!.phase;
    if (actions.length > 0) {
      if (!this.actions(r, actions, false)) return false;
    }
    hasChain = r.chain !== null;
    r.chain = null;
    if (isLink) {
      if (r.id != 0) return this.fail("a chained rule cannot have an id");
      r.isChainLink = true;
      r.phase = tail!.phase;
      tail!.chain = r;
    } else {
      if (r.id == 0) return this.fail("rule has no id");
      if (this.set.byId.has(r.id)) return this.fail("duplicate rule id " + r.id.toString());
      if (r.phase < 0) r.phase = 2;
      const d = this.set.defaults[r.phase];
      if (r.disruptive == Disruptive.None || r.disruptive == Disruptive.Block) { if (r.disruptive == Disruptive.None) r.disruptive = Disruptive.Pass; }
      if (r.log < 0) r.log = d.log ? 1 : 0;
      if (d.transforms.length > 0 && (r.transforms.length == 0 || r.transforms[0] != "none")) r.transforms = d.transforms.concat(r.transforms);
      this.set.byId.set(r.id, r);
      this.set.rules.push(r);
    }
    this.chainTail = hasChain ? r : null;
    // A rule whose operator this build lacks is dropped whole (its chain too) and counted.
    if (r.op.length > 0 && !r.unconditional) {
      const err = prepareOperator(r, this.data, this.lazyRegex);
      if (err == OP_UNAVAILABLE) {
        const head = this.head(r);
        if (!head.removed) {
          head.removed = true;
          this.set.skipped++;
          const k = "@" + r.op;
          this.set.skippedOps.set(k, (this.set.skippedOps.has(k) ? this.set.skippedOps.get(k) : 0) + 1);
        }
      } else if (err.length > 0) return this.fail(err);
    }
    return true;
  }

  private head(r: Rule): Rule {
    if (!r.isChainLink) return r;
    for (let i = this.set.rules.length - 1; i >= 0; i--) {
      let x: Rule | null = this.set.rules[i];
      while (x !== null) { if (x === r) return this.set.rules[i]; x = x.chain; }
    }
    return r;
  }

  /** `ARGS|!ARGS:foo|&TX:x|REQUEST_HEADERS:/^x-/` */
  targets(r: Rule, s: string): bool {
    const list = splitTargets(s);
    for (let i = 0; i < list.length; i++) {
      const t = this.target(list[i]);
      if (t === null) return false;
      if (t.exclude) r.exclusions.push(t); else r.targets.push(t);
    }
    if (r.targets.length == 0) return this.fail("rule has no variables");
    return true;
  }

  target(spec: string): Target | null {
    const t = new Target();
    let s = spec.trim();
    if (s.startsWith("!")) { t.exclude = true; s = s.substring(1); }
    if (s.startsWith("&")) { t.count = true; s = s.substring(1); }
    const colon = s.indexOf(":");
    const name = upperAscii(colon < 0 ? s : s.substring(0, colon));
    if (!isKnownVariable(name)) { this.fail("unknown variable '" + name + "'"); return null; }
    t.name = name;
    if (colon >= 0) {
      let key = s.substring(colon + 1);
      if (key.length >= 2 && key.charCodeAt(0) == 39 && key.charCodeAt(key.length - 1) == 39) key = key.substring(1, key.length - 1);
      if (key.length >= 2 && key.startsWith("/") && key.endsWith("/")) {
        const res = Regex.compile("(?i)" + key.substring(1, key.length - 1));
        if (!res.ok) { this.fail("bad selector regex " + key + ": " + res.error); return null; }
        t.keyRegex = res.regex;
        t.key = key;
      } else t.key = lowerAscii(key);
    }
    return t;
  }

  private operator(r: Rule, s: string): bool {
    let i = 0;
    if (s.startsWith("!")) { r.negated = true; i = 1; }
    if (i >= s.length || s.charCodeAt(i) != 64) { r.op = "rx"; r.opArg = i == 0 ? s : s.substring(i); return true; }
    const nameStart = i + 1;
    i = nameStart;
    while (i < s.length && !isSpace(s.charCodeAt(i))) i++;
    r.op = s.substring(nameStart, i);
    while (i < s.length && isSpace(s.charCodeAt(i))) i++;
    r.opArg = s.substring(i);
    if (r.op.length == 0) return this.fail("empty operator name");
    return true;
  }

  private actions(r: Rule, s: string, isDefault: bool): bool {
    const list = splitActions(s);
    for (let i = 0; i < list.length; i++) {
      const a = list[i].trim();
      if (a.length == 0) continue;
      const colon = a.indexOf(":");
      const name = lowerAscii((colon < 0 ? a : a.substring(0, colon)).trim());
      const value = colon < 0 ? "" : unquote(a.substring(colon + 1));
      if (name == "id") {
        if (!isDigits(value) || toInt(value) == 0) return this.fail("id must be a positive number, got '" + value + "'");
        r.id = <i32>toInt(value);
      } else if (name == "phase") {
        const p = parsePhase(value);
        if (p < 0) return this.fail("phase must be 1–5, request, response or logging; got '" + value + "'");
        if (r.isChainLink || this.chainTail !== null) continue;
        r.phase = p;
      } else if (name == "msg") r.msg = value;
      else if (name == "logdata") r.logdata = value;
      else if (name == "tag") r.tags.push(value);
      else if (name == "ver") r.ver = value;
      else if (name == "severity") {
        const sv = parseSeverity(value);
        if (sv < 0) return this.fail("unknown severity '" + value + "'");
        r.severity = sv;
      } else if (name == "t") {
        const tn = value.trim();
        if (!isKnownTransform(tn)) return this.fail("unknown transformation '" + tn + "'");
        if (lowerAscii(tn) == "none") r.transforms = ["none"];
        else r.transforms.push(lowerAscii(tn));
      } else if (name == "chain") r.chain = r; // marker; replaced by the next SecRule
      else if (name == "capture") r.capture = true;
      else if (name == "multimatch") r.multiMatch = true;
      else if (name == "log") r.log = 1;
      else if (name == "nolog") r.log = 0;
      else if (name == "block") r.disruptive = Disruptive.Block;
      else if (name == "deny") r.disruptive = Disruptive.Deny;
      else if (name == "drop") r.disruptive = Disruptive.Drop;
      else if (name == "pass") r.disruptive = Disruptive.Pass;
      else if (name == "allow") r.disruptive = Disruptive.Allow;
      else if (name == "status") {
        if (!isDigits(value) || toInt(value) < 100 || toInt(value) > 599) return this.fail("status must be an HTTP status, got '" + value + "'");
        r.status = <i32>toInt(value);
      } else if (name == "setvar") {
        const sv = parseSetVar(value);
        if (sv === null) return this.fail("bad setvar '" + value + "'");
        r.setvars.push(sv);
      } else if (name == "ctl") {
        const c = this.ctl(value);
        if (c === null) return false;
        r.ctls.push(c);
      } else if (name == "skipafter") r.skipAfter = value;
      else if (name == "skip") {
        if (!isDigits(value)) return this.fail("skip takes a number");
        r.skip = <i32>toInt(value);
      } else if (ACCEPTED_ACTIONS.includes(name)) continue;
      else return this.fail("unknown action '" + name + "'");
    }
    if (isDefault && r.chain !== null) return this.fail("SecDefaultAction cannot chain");
    return true;
  }

  private ctl(v: string): Ctl | null {
    const eq = v.indexOf("=");
    if (eq < 0) { this.fail("ctl needs option=value, got '" + v + "'"); return null; }
    const opt = lowerAscii(v.substring(0, eq).trim());
    const val = v.substring(eq + 1).trim();
    const c = new Ctl();
    c.value = val;
    if (opt == "ruleremovebyid") {
      c.kind = CtlKind.RuleRemoveById;
      const r = parseIdRange(val);
      if (r === null) { this.fail("ctl:ruleRemoveById: '" + val + "' is not an id or a range"); return null; }
      c.lo = r[0]; c.hi = r[1];
    } else if (opt == "ruleremovebytag") c.kind = CtlKind.RuleRemoveByTag;
    else if (opt == "ruleremovetargetbyid" || opt == "ruleremovetargetbytag") {
      const semi = val.indexOf(";");
      if (semi < 0) { this.fail("ctl:" + opt + " needs <id or tag>;<target>"); return null; }
      c.value = val.substring(0, semi);
      const t = this.target(val.substring(semi + 1));
      if (t === null) return null;
      c.target = t;
      if (opt == "ruleremovetargetbyid") {
        c.kind = CtlKind.RuleRemoveTargetById;
        const r = parseIdRange(c.value);
        if (r === null) { this.fail("ctl:ruleRemoveTargetById: '" + c.value + "' is not an id"); return null; }
        c.lo = r[0]; c.hi = r[1];
      } else c.kind = CtlKind.RuleRemoveTargetByTag;
    } else if (opt == "requestbodyprocessor") { c.kind = CtlKind.RequestBodyProcessor; c.value = upperAscii(val); }
    else if (opt == "forcerequestbodyvariable") { c.kind = CtlKind.ForceRequestBodyVariable; c.value = lowerAscii(val); }
    else if (opt == "ruleengine") {
      c.kind = CtlKind.RuleEngine;
      const l = lowerAscii(val);
      if (l != "on" && l != "off" && l != "detectiononly") { this.fail("ctl:ruleEngine: expected On, Off or DetectionOnly"); return null; }
      c.value = l;
    } else if (opt == "requestbodyaccess") { c.kind = CtlKind.RequestBodyAccess; c.value = lowerAscii(val); }
    else if (opt == "auditengine" || opt == "auditlogparts" || opt == "debugloglevel" || opt == "ruleremovebymsg" || opt == "ruleremovetargetbymsg" || opt == "requestbodylimit" || opt == "responsebodyaccess" || opt == "responsebodylimit") c.kind = CtlKind.Ignored;
    else { this.fail("unknown ctl option '" + opt + "'"); return null; }
    return c;
  }

  private updateTarget(lname: string, args: Array<string>): bool {
    if (args.length < 2) return this.fail("SecRuleUpdateTarget* takes a rule selector and targets");
    const rules = new Array<Rule>();
    if (lname == "secruleupdatetargetbyid") {
      const ids = args[0].split(" ");
      for (let k = 0; k < ids.length; k++) {
        if (ids[k].length == 0) continue;
        const range = parseIdRange(ids[k]);
        if (range === null) return this.fail("'" + ids[k] + "' is not a rule id");
        for (let i = 0; i < this.set.rules.length; i++) { const x = this.set.rules[i]; if (x.marker.length == 0 && x.id >= range[0] && x.id <= range[1]) rules.push(x); }
      }
    } else {
      for (let i = 0; i < this.set.rules.length; i++) {
        const x = this.set.rules[i];
        if (lname == "secruleupdatetargetbytag" ? x.tags.includes(args[0]) : x.msg == args[0]) rules.push(x);
      }
    }
    const list = splitTargets(args[1]);
    for (let i = 0; i < list.length; i++) {
      const t = this.target(list[i]);
      if (t === null) return false;
      for (let j = 0; j < rules.length; j++) {
        if (t.exclude) rules[j].exclusions.push(t);
        else if (args.length == 3) {
          // Replace: the named target gives way to the new one.
          const old = this.target(args[2]);
          if (old === null) return false;
          const ts = rules[j].targets;
          for (let k = 0; k < ts.length; k++) if (ts[k].name == old.name && ts[k].key == old.key) ts[k] = t;
        } else rules[j].targets.push(t);
      }
    }
    return true;
  }

  private updateAction(args: Array<string>): bool {
    if (args.length != 2) return this.fail("SecRuleUpdateActionById takes an id and an action list");
    const range = parseIdRange(args[0]);
    if (range === null) return this.fail("'" + args[0] + "' is not a rule id");
    for (let i = 0; i < this.set.rules.length; i++) {
      const x = this.set.rules[i];
      if (x.marker.length > 0 || x.id < range[0] || x.id > range[1]) continue;
      const tmp = new Rule();
      tmp.phase = x.phase;
      if (!this.actions(tmp, args[1], false)) return false;
      if (tmp.disruptive != Disruptive.None) x.disruptive = tmp.disruptive;
      if (tmp.status != 0) x.status = tmp.status;
      if (tmp.log >= 0) x.log = tmp.log;
      if (tmp.msg.length > 0) x.msg = tmp.msg;
      if (tmp.logdata.length > 0) x.logdata = tmp.logdata;
      if (tmp.severity >= 0) x.severity = tmp.severity;
      if (tmp.transforms.length > 0) x.transforms = tmp.transforms;
      for (let k = 0; k < tmp.tags.length; k++) x.tags.push(tmp.tags[k]);
      for (let k = 0; k < tmp.setvars.length; k++) x.setvars.push(tmp.setvars[k]);
      for (let k = 0; k < tmp.ctls.length; k++) x.ctls.push(tmp.ctls[k]);
    }
    return true;
  }
}

/** Splits a variable list on '|' outside /regex/ selectors. XML's selector is an XPath
 *  expression, not a regex (`XML:/*|XML://@*`): it runs to the next '|'. */
function splitTargets(s: string): Array<string> {
  const out = new Array<string>();
  let start = 0;
  let inRe = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c == 92 && inRe) { i++; continue; }
    if (c == 47 && !inRe && isXmlSelector(s, start, i)) continue;
    if (c == 47 && (inRe || (i > 0 && s.charCodeAt(i - 1) == 58) || (i > 1 && s.charCodeAt(i - 1) == 39 && s.charCodeAt(i - 2) == 58))) { inRe = !inRe; continue; }
    if (c == 124 && !inRe) { out.push(s.substring(start, i)); start = i + 1; }
  }
  out.push(s.substring(start));
  const res = new Array<string>();
  for (let i = 0; i < out.length; i++) if (out[i].trim().length > 0) res.push(out[i].trim());
  return res;
}

/** Whether position `i` is inside the selector of an `XML:` (or `!XML:`, `&XML:`) target that starts at `start`. */
function isXmlSelector(s: string, start: i32, i: i32): bool {
  let a = start;
  while (a < i && (s.charCodeAt(a) == 32 || s.charCodeAt(a) == 33 || s.charCodeAt(a) == 38)) a++;
  return i >= a + 4 && s.substr(a, 4).toUpperCase() == "XML:";
}

function parseSetVar(v: string): SetVar | null {
  const sv = new SetVar();
  let s = v.trim();
  if (s.startsWith("!")) { sv.op = 33; sv.name = lowerAscii(s.substring(1)); return sv.name.indexOf(".") > 0 ? sv : null; }
  const eq = s.indexOf("=");
  if (eq < 0) { sv.op = 61; sv.name = lowerAscii(s); sv.value = "1"; return sv.name.indexOf(".") > 0 ? sv : null; }
  sv.name = lowerAscii(s.substring(0, eq).trim());
  const rest = s.substring(eq + 1);
  if (rest.startsWith("+")) { sv.op = 43; sv.value = rest.substring(1); }
  else if (rest.startsWith("-")) { sv.op = 45; sv.value = rest.substring(1); }
  else { sv.op = 61; sv.value = rest; }
  return sv.name.indexOf(".") > 0 ? sv : null;
}

const ACCEPTED_ACTIONS = ["rev", "maturity", "accuracy", "auditlog", "noauditlog", "initcol", "expirevar", "setenv", "setuid", "setsid", "sanitisematched", "sanitisearg", "sanitizematched", "sanitizearg", "sanitisematchedbytes", "append", "prepend", "xmlns", "deprecatevar"];

const IGNORED = [
  "secauditengine", "secauditlog", "secauditlog2", "secauditlogparts", "secauditlogtype", "secauditlogformat", "secauditlogrelevantstatus",
  "secauditlogstoragedir", "secauditlogdirmode", "secauditlogfilemode", "secdebuglog", "secdebugloglevel", "sectmpdir", "secdatadir",
  "secargumentseparator", "seccookieformat", "seccollectiontimeout", "secstatusengine", "secpcrematchlimit",
  "secpcrematchlimitrecursion", "secrxprefilter", "secuploaddir", "secuploadkeepfiles", "secuploadfilemode", "secuploadfilelimit",
  "secwebappid", "secserversignature", "sechttpblkey", "secgeolookupdb", "secrequestbodyjsondepthlimit", "sectmpsaveuploadedfiles",
  "secremoterules", "secremoterulesfailaction", "seccontentinjection", "secstreamoutbodyinspection", "secstreaminbodyinspection", "secconnengine",
];
