// waf: a ModSecurity-compatible WAF (SecLang engine in ./seclang) with Higress's configuration:
// `useCRS` loads the OWASP Core Rule Set compiled into the module, `secRules` adds directives
// after it. Unlike Higress, every request is inspected (Higress skips SSE, gRPC and WebSocket
// requests by a header any client can send).
import { Plugin, HttpFilter, Action, BodyMode, ConfigError, JsonObject, registerPlugin, log, properties, time } from "@sluice/sdk";
import { RuleSet, Transaction, EngineMode } from "./seclang";
import { loadRules, crsVersion } from "./rules";
import { setRequest, setRequestBody, setResponse, setResponseBody, inspectsResponseBody } from "./request";
export * from "@sluice/sdk/exports";

class WafConfig {
  rules: RuleSet = new RuleSet();
}

class Waf extends Plugin<WafConfig> {
  parseConfig(json: JsonObject, global: WafConfig | null, err: ConfigError): WafConfig | null {
    const useCRS = json.getBool("useCRS", false);
    const v = json.get("secRules");
    const secRules = json.getStringArray("secRules");
    if (v !== null && secRules === null) return err.fail<WafConfig>("secRules must be an array of strings");
    const t0 = time.monotonicNanos();
    const res = loadRules(useCRS, secRules === null ? new Array<string>() : secRules);
    if (res.set === null) return err.fail<WafConfig>(res.error);
    const ms = <f64>(time.monotonicNanos() - t0) / 1e6;
    const set = res.set!;
    log.info("waf: " + res.rules.toString() + " rules loaded" + (useCRS ? " (OWASP CRS " + crsVersion() + ")" : "") + " in " + (Math.round(ms * 10) / 10).toString() + " ms");
    if (set.skipped > 0) {
      const ops = set.skippedOps.keys();
      const parts = new Array<string>();
      for (let i = 0; i < ops.length; i++) parts.push(set.skippedOps.get(ops[i]).toString() + " × " + ops[i]);
      log.warn("waf: " + set.skipped.toString() + " rules skipped: their operators are not in this build (" + parts.join(", ") + ")");
    }
    const c = new WafConfig();
    c.rules = set;
    return c;
  }

  newFilter(): HttpFilter<WafConfig> { return new WafFilter(); }
}

class WafFilter extends HttpFilter<WafConfig> {
  tx: Transaction | null = null;
  private logged: i32 = 0;

  onRequestHeaders(endOfStream: bool): Action {
    const set = this.config.rules;
    if (set.engine == EngineMode.Off) return Action.Continue;
    const tx = new Transaction(set);
    this.tx = tx;
    const h = this.requestHeaders;
    const method = h.get(":method");
    const path = h.get(":path");
    const proto = properties.getString(["request", "protocol"]);
    const addr = properties.getString(["source", "address"]);
    const rid = h.get("x-request-id");
    setRequest(tx, method === null ? "" : method, path === null ? "" : path, proto === null ? "HTTP/1.1" : proto, h.pairs(), addr === null ? "" : stripPort(addr), rid === null ? "" : rid, !endOfStream);
    tx.runPhase(1);
    if (tx.interrupted) return this.deny();
    // Without body access phase 2 needs nothing more: run it now and let the body stream. A
    // CONNECT's "body" is the tunnel, which ends only when the tunnel closes: phase 2 runs now
    // too (waiting for it held every CONNECT until the client gave up; a bare Envoy answers it).
    if (endOfStream || !tx.requestBodyAccess || (method !== null && method == "CONNECT")) return this.phase2(new ArrayBuffer(0));
    this.requestBodyMode = BodyMode.Buffer;
    this.requestBodyLimit = <u32>set.requestBodyLimit;
    return Action.Pause;
  }

  onRequestBody(body: ArrayBuffer): Action { return this.phase2(body); }

  /** Over SecRequestBodyLimit: Reject answers 413 (ModSecurity's answer); ProcessPartial runs phase 2 without the body. */
  onRequestBodyTooLarge(size: u32): Action {
    const tx = this.tx;
    if (tx === null || tx.set.requestBodyLimitReject) return this.respond(413, "", [], "waf");
    return this.phase2(new ArrayBuffer(0));
  }

  private phase2(body: ArrayBuffer): Action {
    const tx = this.tx!;
    setRequestBody(tx, body);
    tx.runPhase(2);
    if (tx.interrupted) return this.deny();
    this.flush();
    return Action.Continue;
  }

  onResponseHeaders(endOfStream: bool): Action {
    const tx = this.tx;
    if (tx === null) return Action.Continue;
    const status = this.responseHeaders.get(":status");
    setResponse(tx, status === null ? "" : status, this.responseHeaders.pairs());
    tx.runPhase(3);
    if (tx.interrupted) return this.deny();
    if (endOfStream || !inspectsResponseBody(tx)) return this.phase4(new ArrayBuffer(0));
    this.responseBodyMode = BodyMode.Buffer;
    this.responseBodyLimit = <u32>tx.set.responseBodyLimit;
    return Action.Pause;
  }

  onResponseBody(body: ArrayBuffer): Action { return this.phase4(body); }

  /** Over SecResponseBodyLimit: ProcessPartial lets it through uninspected (Reject answers 500). */
  onResponseBodyTooLarge(size: u32): Action {
    const tx = this.tx;
    if (tx !== null && tx.set.responseBodyLimitReject) return this.respond(500, "", [], "waf");
    return this.phase4(new ArrayBuffer(0));
  }

  private phase4(body: ArrayBuffer): Action {
    const tx = this.tx!;
    if (body.byteLength > 0) setResponseBody(tx, body);
    tx.runPhase(4);
    if (tx.interrupted) return this.deny();
    this.flush();
    return Action.Continue;
  }

  onStreamDone(): void {
    const tx = this.tx;
    if (tx === null) return;
    if (!tx.interrupted) tx.runPhase(5);
    this.flush();
  }

  private deny(): Action {
    const tx = this.tx!;
    this.flush();
    // Higress answers the rule's status with an empty body; the details name the rule.
    return this.respond(<u32>tx.status, "", [], "waf");
  }

  /** Writes the log lines of matched rules not written yet (warn: tooling greps the ids). */
  private flush(): void {
    const tx = this.tx;
    if (tx === null) return;
    for (let i = this.logged; i < tx.logs.length; i++) log.warn(tx.logs[i]);
    this.logged = tx.logs.length;
  }
}

function stripPort(a: string): string {
  if (a.startsWith("[")) { const e = a.indexOf("]"); return e > 0 ? a.substring(1, e) : a; }
  const c = a.indexOf(":");
  return c >= 0 && a.indexOf(":", c + 1) < 0 ? a.substring(0, c) : a;
}

registerPlugin("waf", () => new Waf());
