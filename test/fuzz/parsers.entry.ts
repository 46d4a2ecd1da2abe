// Fuzz entry (compiled by harness/src/ascunit.ts): each function feeds untrusted bytes to one SDK
// parser and returns a small number. None of them may trap, whatever the input.
import { parseJsonBytes, parseJson } from "../../sdk/json/parse";
import { JsonObject } from "../../sdk/json/value";
import { decodePairs, decodeStringPairs, encodeBytesPairs } from "../../sdk/runtime/pairs";
import { decodeReply, RespReader, DecodeStatus } from "../../sdk/redis/resp";
import { SseReader } from "../../sdk/sse/reader";
import { EventStreamReader } from "../../sdk/eventstream/reader";
import { Regex } from "../../sdk/regex/regex";
import { Plugin, HttpFilter, ConfigError } from "../../sdk/api/plugin";
import { normalizePath } from "../../sdk/net/path";
import { RegexSet } from "../../sdk/regex/set";
import { classifyAiPath } from "../../sdk/ai/api";
import { findFormFields, multipartBoundary } from "../../sdk/http/multipart";
import { detectSQLi, sqliFingerprint, detectXSS } from "../../sdk/libinjection/detect";

export function fuzzJson(buf: ArrayBuffer): i32 {
  const r = parseJsonBytes(buf);
  if (!r.ok) return 0;
  // What we print must parse again.
  const again = parseJson(r.value!.stringify());
  return again.ok ? 1 : -1;
}

export function fuzzPairs(buf: ArrayBuffer): i32 {
  const pairs = decodePairs(buf);
  const strings = decodeStringPairs(buf);
  const enc = encodeBytesPairs(pairs);
  if (enc !== null && decodePairs(enc).length != pairs.length) return -1;
  return pairs.length + strings.length;
}

export function fuzzResp(buf: ArrayBuffer, split: i32): i32 {
  const r = decodeReply(buf);
  const reader = new RespReader();
  const cut = split < 0 ? 0 : split > buf.byteLength ? buf.byteLength : split;
  reader.feed(buf.slice(0, cut));
  let n = 0;
  for (let i = 0; i < 4; i++) { const x = reader.next(); if (x.status != DecodeStatus.Complete) break; n++; }
  reader.feed(buf.slice(cut));
  for (let i = 0; i < 64; i++) { const x = reader.next(); if (x.status != DecodeStatus.Complete) break; n++; }
  return <i32>r.status * 100 + n;
}

export function fuzzSse(buf: ArrayBuffer, split: i32): i32 {
  const reader = new SseReader(4096, 16384);
  const cut = split < 0 ? 0 : split > buf.byteLength ? buf.byteLength : split;
  const a = reader.push(buf.slice(0, cut)).length;
  const b = reader.push(buf.slice(cut)).length;
  return a + b;
}

export function fuzzEventStream(buf: ArrayBuffer, split: i32): i32 {
  const reader = new EventStreamReader(1 << 16);
  const cut = split < 0 ? 0 : split > buf.byteLength ? buf.byteLength : split;
  return reader.push(buf.slice(0, cut)).length + reader.push(buf.slice(cut)).length;
}

export function fuzzRegex(pattern: string, subject: string): i32 {
  const r = Regex.compile(pattern);
  if (!r.ok) return -1;
  const re = r.regex!;
  return (re.test(subject) ? 1 : 0) + (re.fullMatch(subject) ? 2 : 0);
}

class AnyConfig { json: JsonObject | null = null; }

class ConfigProbe extends Plugin<AnyConfig> {
  parseConfig(json: JsonObject, global: AnyConfig | null, err: ConfigError): AnyConfig | null {
    if (json.has("fail")) return err.fail<AnyConfig>("asked to fail");
    const c = new AnyConfig();
    c.json = json;
    return c;
  }
  newFilter(): HttpFilter<AnyConfig> { return new ConfigFilter(); }
}
class ConfigFilter extends HttpFilter<AnyConfig> {}

const probe = new ConfigProbe();

/** Higress's global + `_rules_` configuration model on arbitrary text. */
export function fuzzConfig(text: string): i32 {
  const err = probe.loadConfig(text);
  return err.length == 0 ? probe.rules.length : -1;
}

/** Request-path normalisation: never traps, and normalising again changes nothing. */
export function fuzzPath(buf: ArrayBuffer): i32 {
  const once = normalizePath(buf);
  const twice = normalizePath(once);
  if (once.byteLength != twice.byteLength) return -1;
  const a = Uint8Array.wrap(once), b = Uint8Array.wrap(twice);
  for (let i = 0; i < a.length; i++) if (a[i] != b[i]) return -1;
  return <i32>classifyAiPath(buf);
}

/** Many patterns at once (bot-detect's lists): compiling junk fails cleanly, matching never traps. */
export function fuzzRegexSet(patterns: string, subject: string): i32 {
  const r = RegexSet.compile(patterns.split("\n"));
  if (r.set === null) return -1;
  return r.set!.test(subject) ? 1 : 0;
}

export function fuzzMultipart(buf: ArrayBuffer, contentType: string): i32 {
  const boundary = multipartBoundary(contentType);
  if (boundary === null) return -2;
  const fields = findFormFields(buf, boundary, "model");
  if (fields === null) return -3;
  // Every span lies inside the body, in order.
  let last = 0;
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i];
    if (f.start < last || f.end < f.start || f.end > buf.byteLength) return -1;
    last = f.end;
  }
  return fields.length;
}

/** libinjection's detectors (the WAF's @detectSQLi/@detectXSS): never trap; a match has a 1-5 type fingerprint. */
export function fuzzLibinjection(buf: ArrayBuffer): i32 {
  const data = Uint8Array.wrap(buf);
  const sqli = detectSQLi(data);
  const fp = sqliFingerprint(data);
  if (sqli != (fp.length > 0) || fp.length > 5) return -1;
  return (sqli ? 1 : 0) + (detectXSS(data) ? 2 : 0);
}
