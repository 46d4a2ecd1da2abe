// Fuzz entry (compiled by harness/src/ascunit.ts): the waf plugin's SecLang engine pieces fed
// untrusted input — the directive parser (rules, actions, operators with odd arguments, selector
// regexes, macros), every transformation, and the four request body processors (urlencoded,
// JSON, multipart, XML) — plus a whole transaction over a parsed rule set. None may trap.
import { RuleSet, Parser, DataFiles, TxData, KV, parseUrlEncoded, parseJsonArgs, parseMultipart, parseXmlBody, transform, Transaction } from "../../plugins/waf/assembly/seclang";

/** Parses directives; returns the number of rules (or -1 when refused, which is fine). */
export function fuzzSecLang(text: string): i32 {
  const set = new RuleSet();
  const p = new Parser(set, new DataFiles());
  if (!p.parse(text, "fuzz")) return -1;
  return set.rules.length;
}

/** One transformation by name over a byte string; returns the output length. */
export function fuzzTransform(name: string, value: string): i32 {
  return transform(name, value).length;
}

/** kind 0 urlencoded, 1 JSON, 2 multipart (contentType), 3 XML; returns what was found. */
export function fuzzBody(kind: i32, body: ArrayBuffer, contentType: string): i32 {
  const text = String.UTF8.decode(body); // any bytes; the processors see a string
  const out = new Array<KV>();
  if (kind == 0) { parseUrlEncoded(text, out, 1000); return out.length; }
  if (kind == 1) { return parseJsonArgs(body, out, 1000, 64) ? out.length : -1; }
  if (kind == 2) { const d = new TxData(); return parseMultipart(text, contentType, d, 1000) ? d.argsPost.length : -1; }
  const x = parseXmlBody(text, 1000);
  return x.error.length > 0 ? -1 : x.attributes.length + x.text.length;
}

/** A transaction over fuzzed rules and one fuzzed argument: phases 1, 2; returns 1 when interrupted. */
export function fuzzTransaction(rules: string, name: string, value: string): i32 {
  const set = new RuleSet();
  const p = new Parser(set, new DataFiles());
  if (!p.parse(rules, "fuzz")) return -1;
  const tx = new Transaction(set);
  tx.d.argsGet.push(new KV(name, value));
  tx.d.headers.push(new KV("User-Agent", value));
  tx.d.scalars.set("REQUEST_URI", "/?" + name + "=" + value);
  tx.d.invalidate();
  tx.runPhase(1);
  tx.runPhase(2);
  return tx.interrupted ? 1 : 0;
}
