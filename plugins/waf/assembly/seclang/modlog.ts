// A matched rule as libmodsecurity writes it to the error log, so CRS tooling (go-ftw, log
// parsers) reads the ids: `ModSecurity: Warning. Matched "Operator `Rx' with parameter `…' against
// variable `ARGS:x' (Value: `…' ) [file "…"] [line "…"] [id "…"] [msg "…"] …`.
import { Rule } from "./rule";
import { KV } from "./variables";
import { forLog } from "./bytes";

function opName(op: string): string {
  const names = ["rx", "pm", "pmfromfile", "pmf", "streq", "contains", "containsword", "beginswith", "endswith", "within", "eq", "ge", "gt", "le", "lt", "ipmatch", "validateurlencoding", "validateutf8encoding", "validatebyterange", "unconditionalmatch", "nomatch", "strmatch"];
  const shown = ["Rx", "Pm", "PmFromFile", "PmFromFile", "StrEq", "Contains", "ContainsWord", "BeginsWith", "EndsWith", "Within", "Eq", "Ge", "Gt", "Le", "Lt", "IpMatch", "ValidateUrlEncoding", "ValidateUtf8Encoding", "ValidateByteRange", "UnconditionalMatch", "NoMatch", "StrMatch"];
  const i = names.indexOf(op);
  return i < 0 ? op : shown[i];
}

/** Escapes what would end a bracketed field. */
function field(s: string): string {
  return forLog(s).replaceAll("\"", "\\\"").replaceAll("\n", "\\n").replaceAll("\r", "\\r");
}

function cut(s: string, n: i32): string { return s.length > n ? s.substring(0, n) + "..." : s; }

export function formatMatch(r: Rule, status: i32, phase: i32, mv: KV | null, msg: string, data: string, hostname: string, uri: string, uniqueId: string): string {
  const parts = new Array<string>();
  parts.push(status > 0 ? "ModSecurity: Access denied with code " + status.toString() + " (phase " + phase.toString() + "). " : "ModSecurity: Warning. ");
  if (mv !== null) {
    parts.push("Matched \"Operator `" + opName(r.op) + "' with parameter `" + field(cut(r.opArg, 200)) + "' against variable `" + field(mv.name) + "' (Value: `" + field(cut(mv.value, 200)) + "' ) ");
  } else parts.push("Unconditional match in SecAction. ");
  parts.push("[file \"" + field(r.file) + "\"] [line \"" + r.line.toString() + "\"] [id \"" + r.id.toString() + "\"] [rev \"\"] [msg \"" + field(msg) + "\"] [data \"" + field(data) + "\"]");
  parts.push(" [severity \"" + (r.severity < 0 ? "0" : r.severity.toString()) + "\"] [ver \"" + field(r.ver) + "\"] [maturity \"0\"] [accuracy \"0\"]");
  for (let i = 0; i < r.tags.length; i++) parts.push(" [tag \"" + field(r.tags[i]) + "\"]");
  parts.push(" [hostname \"" + field(hostname) + "\"] [uri \"" + field(uri) + "\"] [unique_id \"" + field(uniqueId) + "\"]");
  return parts.join("");
}
