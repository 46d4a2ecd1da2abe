// One request through the rules: phases, targets, transformations, operators, chains, actions,
// macros and interruptions, with ModSecurity's semantics (non-disruptive actions run per matched
// variable, even when a later chain link fails; disruptive ones only when the whole chain matches).
import { Rule, RuleSet, Target, Disruptive, EngineMode, CtlKind, SetVar } from "./rule";
import { TxData, KV, VarRef, collect } from "./variables";
import { applyTransform, transformCode, useUnicodeMap } from "./transforms";
import { evaluateOperator } from "./operators";
import { toInt, lowerAscii, upperAscii } from "./bytes";
import { formatMatch } from "./modlog";

class RemovedTarget {
  constructor(public lo: i32, public hi: i32, public tag: string, public target: Target) {}
}

// Transformation pipelines are numbered by their text ("urldecodeuni,lowercase"), shared by every
// rule that runs the same one, and so is each of a pipeline's prefixes: a value remembers what
// each prefix made of it (VarRef.remember), so "urlDecodeUni" then "urlDecodeUni,lowercase" costs
// one decode and one lower-casing, as CRS's ~45 pipelines over 600 rules mostly share prefixes.
const pipelines = new Map<string, i32>();

function pipelineId(key: string): i32 {
  if (pipelines.has(key)) return pipelines.get(key);
  const id = pipelines.size + 1;
  pipelines.set(key, id);
  return id;
}

/** Numbers the rule's transformations and their prefixes (once, on first use). */
function preparePipeline(r: Rule): void {
  const codes = new Array<i32>();
  const ids = new Array<i32>();
  let key = "";
  for (let k = 0; k < r.transforms.length; k++) {
    const code = transformCode(r.transforms[k]);
    if (code <= 1) continue; // none (the parser keeps a reset only at the front) or unknown
    codes.push(code);
    key = key.length == 0 ? r.transforms[k] : key + "," + r.transforms[k];
    ids.push(pipelineId(key));
  }
  r.tcodes = codes;
  r.prefixIds = ids;
}

export class Transaction {
  d: TxData = new TxData();
  engine: EngineMode;
  interrupted: bool = false;
  status: i32 = 0;
  /** The rule that interrupted (0: none). */
  ruleId: i32 = 0;
  allowed: bool = false;
  /** ModSecurity error-log lines for matched rules, in order. */
  logs: Array<string> = [];
  bodyProcessor: string = "";
  forceRequestBodyVariable: bool = false;
  requestBodyAccess: bool;
  hostname: string = "";
  uri: string = "";
  private removedLo: Array<i32> = [];
  private removedHi: Array<i32> = [];
  private removedTags: Array<string> = [];
  private removedTargets: Array<RemovedTarget> = [];
  private phase: i32 = 0;
  private current: Rule | null = null;
  private tmp: Array<VarRef> = [];
  private removedHere: Array<Target> = [];
  /** An operator's captures for the value being tested (reused: read before the next test). */
  private caps: Array<string> = [];

  constructor(public set: RuleSet) {
    this.engine = set.engine;
    this.requestBodyAccess = set.requestBodyAccess;
  }

  /** Runs every rule of `phase` (1–5) unless the transaction was interrupted or allowed. */
  runPhase(phase: i32): void {
    if (this.engine == EngineMode.Off || this.interrupted || this.allowed) return;
    this.phase = phase;
    useUnicodeMap(this.set.unicodeMap);
    const rules = this.set.rules;
    let skipTo = "";
    let skipN = 0;
    for (let i = 0; i < rules.length; i++) {
      const r = unchecked(rules[i]);
      if (r.marker.length > 0) {
        if (skipTo.length > 0 && r.marker == skipTo) skipTo = "";
        continue;
      }
      if (r.phase != phase || r.removed) continue;
      if (skipTo.length > 0) continue;
      if (skipN > 0) { skipN--; continue; }
      if (this.isRemoved(r)) continue;
      this.d.matchedVars = [];
      this.current = r;
      if (!this.evalRule(r, r)) continue;
      this.onMatch(r);
      if (this.interrupted || this.allowed) return;
      if (r.skipAfter.length > 0) skipTo = r.skipAfter;
      if (r.skip > 0) skipN = r.skip;
    }
  }

  private isRemoved(r: Rule): bool {
    for (let i = 0; i < this.removedLo.length; i++) if (r.id >= this.removedLo[i] && r.id <= this.removedHi[i]) return true;
    for (let i = 0; i < this.removedTags.length; i++) if (r.tags.includes(this.removedTags[i])) return true;
    return false;
  }

  /** The targets ctl:ruleRemoveTargetBy* took from `head` in this transaction (reused scratch). */
  private removedFor(head: Rule): Array<Target> {
    const out = this.removedHere;
    out.length = 0;
    for (let i = 0; i < this.removedTargets.length; i++) {
      const x = unchecked(this.removedTargets[i]);
      const hit = x.tag.length > 0 ? head.tags.includes(x.tag) : head.id >= x.lo && head.id <= x.hi;
      if (hit) out.push(x.target);
    }
    return out;
  }

  private values(r: Rule, head: Rule): Array<VarRef> {
    const out = new Array<VarRef>();
    const tmp = this.tmp;
    const removed = this.removedTargets.length > 0 ? this.removedFor(head) : this.removedHere;
    if (this.removedTargets.length == 0) removed.length = 0;
    for (let i = 0; i < r.targets.length; i++) {
      const t = r.targets[i];
      tmp.length = 0;
      collect(this.d, t, tmp);
      let kept = 0;
      for (let j = 0; j < tmp.length; j++) {
        const v = unchecked(tmp[j]);
        let excluded = false;
        for (let e = 0; e < r.exclusions.length; e++) if (r.exclusions[e].matches(v.coll, v.key)) { excluded = true; break; }
        for (let e = 0; !excluded && e < removed.length; e++) if (unchecked(removed[e]).matches(v.coll, v.key)) excluded = true;
        if (excluded) continue;
        kept++;
        if (!t.count) out.push(v);
      }
      if (t.count) {
        const name = t.name + (t.key.length > 0 ? ":" + t.key : "");
        out.push(new VarRef(t.name, t.key, name, kept.toString()));
      }
    }
    return out;
  }

  private evalRule(r: Rule, head: Rule): bool {
    if (r.unconditional) {
      this.runActions(r, null);
      return true;
    }
    const vals = this.values(r, head);
    this.d.matchedVars = [];
    const arg = r.opArgMacro ? this.expand(r.opArg) : r.opArg;
    let matched = false;
    const caps = this.caps;
    for (let i = 0; i < vals.length; i++) {
      const kv = unchecked(vals[i]);
      let v = kv.value;
      let hit = false;
      if (r.multiMatch) {
        hit = this.test(r, arg, v, caps);
        if (r.tcodes === null) preparePipeline(r);
        const codes = r.tcodes!;
        for (let k = 0; !hit && k < codes.length; k++) {
          const nv = applyTransform(unchecked(codes[k]), v);
          if (nv == v) continue;
          v = nv;
          hit = this.test(r, arg, v, caps);
        }
      } else {
        if (r.tcodes === null) preparePipeline(r);
        const codes = r.tcodes!;
        const ids = r.prefixIds!;
        // The longest prefix of the pipeline this value has been through already, then the rest.
        let k = codes.length;
        while (k > 0) {
          const known = kv.transformed(unchecked(ids[k - 1]));
          if (known !== null) { v = known; break; }
          k--;
        }
        for (; k < codes.length; k++) {
          v = applyTransform(unchecked(codes[k]), v);
          kv.remember(unchecked(ids[k]), v);
        }
        hit = this.test(r, arg, v, caps);
      }
      if (!hit) continue;
      matched = true;
      if (r.capture && caps.length > 0) {
        for (let c = 0; c < caps.length; c++) this.d.setTx(c.toString(), caps[c]);
      }
      const mv = new KV(kv.name, v);
      this.d.matchedVars.push(mv);
      this.d.scalars.set("MATCHED_VAR", v);
      this.d.scalars.set("MATCHED_VAR_NAME", kv.name);
      this.runActions(r, mv);
    }
    if (!matched) return false;
    const next = r.chain;
    if (next !== null) return this.evalRule(next, head);
    return true;
  }

  private test(r: Rule, arg: string, v: string, caps: Array<string>): bool {
    caps.length = 0;
    const res = evaluateOperator(r, arg, v, caps);
    return res != r.negated;
  }

  /** setvar and ctl (the non-disruptive actions that change state). */
  private runActions(r: Rule, mv: KV | null): void {
    for (let i = 0; i < r.setvars.length; i++) this.setvar(r.setvars[i]);
    for (let i = 0; i < r.ctls.length; i++) {
      const c = r.ctls[i];
      if (c.kind == CtlKind.RuleRemoveById) { this.removedLo.push(c.lo); this.removedHi.push(c.hi); }
      else if (c.kind == CtlKind.RuleRemoveByTag) this.removedTags.push(c.value);
      else if (c.kind == CtlKind.RuleRemoveTargetById) this.removedTargets.push(new RemovedTarget(c.lo, c.hi, "", c.target!));
      else if (c.kind == CtlKind.RuleRemoveTargetByTag) this.removedTargets.push(new RemovedTarget(0, -1, c.value, c.target!));
      else if (c.kind == CtlKind.RequestBodyProcessor) { this.bodyProcessor = c.value; this.d.scalars.set("REQBODY_PROCESSOR", c.value); }
      else if (c.kind == CtlKind.ForceRequestBodyVariable) this.forceRequestBodyVariable = c.value == "on";
      else if (c.kind == CtlKind.RequestBodyAccess) this.requestBodyAccess = c.value == "on";
      else if (c.kind == CtlKind.RuleEngine) this.engine = c.value == "on" ? EngineMode.On : c.value == "off" ? EngineMode.Off : EngineMode.DetectionOnly;
    }
  }

  private setvar(sv: SetVar): void {
    const full = sv.name.indexOf("%{") >= 0 ? lowerAscii(this.expand(sv.name)) : sv.name;
    const dot = full.indexOf(".");
    if (dot < 0 || full.substring(0, dot) != "tx") return; // persistent collections are not kept
    const name = full.substring(dot + 1);
    if (sv.op == 33) { this.d.deleteTx(name); return; }
    const value = sv.value.indexOf("%{") >= 0 ? this.expand(sv.value) : sv.value;
    if (sv.op == 61) { this.d.setTx(name, value); return; }
    const old = this.d.getTx(name);
    const base = old === null ? 0 : toInt(old);
    const delta = toInt(value);
    this.d.setTx(name, (sv.op == 43 ? base + delta : base - delta).toString());
  }

  private onMatch(r: Rule): void {
    let action = r.disruptive;
    let status = r.status;
    if (action == Disruptive.Block) {
      const d = this.set.defaults[r.phase];
      action = d.disruptive;
      if (status == 0) status = d.status;
    }
    const disrupt = (action == Disruptive.Deny || action == Disruptive.Drop) && this.engine == EngineMode.On;
    if (status == 0) status = 403;
    if (r.log == 1 || disrupt) {
      const mv = this.d.matchedVars.length > 0 ? this.d.matchedVars[this.d.matchedVars.length - 1] : null;
      const msg = r.msg.length > 0 ? this.expand(r.msg) : "";
      let data = r.logdata.length > 0 ? this.expand(r.logdata) : "";
      if (data.length > 200) data = data.substring(0, 200);
      this.logs.push(formatMatch(r, disrupt ? status : 0, this.phase, mv, msg, data, this.hostname, this.uri, this.d.scalar("UNIQUE_ID")));
    }
    if (disrupt) {
      this.interrupted = true;
      this.status = status;
      this.ruleId = r.id;
    } else if (action == Disruptive.Allow && this.engine == EngineMode.On) this.allowed = true;
  }

  /** Expands %{collection.key} and %{VARIABLE} macros. */
  expand(s: string): string {
    let i = s.indexOf("%{");
    if (i < 0) return s;
    const parts = new Array<string>();
    let from = 0;
    while (i >= 0) {
      const end = s.indexOf("}", i + 2);
      if (end < 0) break;
      parts.push(s.substring(from, i));
      parts.push(this.resolve(s.substring(i + 2, end)));
      from = end + 1;
      i = s.indexOf("%{", from);
    }
    parts.push(s.substring(from));
    return parts.join("");
  }

  private resolve(name: string): string {
    const dot = name.indexOf(".");
    const root = upperAscii(dot < 0 ? name : name.substring(0, dot));
    const key = dot < 0 ? "" : name.substring(dot + 1);
    if (root == "TX") { const v = this.d.getTx(lowerAscii(key)); return v === null ? "" : v; }
    if (root == "RULE") {
      const r = this.current;
      if (r === null) return "";
      const k = lowerAscii(key);
      if (k == "id") return r.id.toString();
      if (k == "msg") return r.msg;
      if (k == "phase") return r.phase.toString();
      if (k == "severity") return r.severity.toString();
      return "";
    }
    const t = new Target();
    t.name = root;
    t.key = lowerAscii(key);
    const out = new Array<VarRef>();
    collect(this.d, t, out);
    return out.length > 0 ? out[0].value : "";
  }
}
