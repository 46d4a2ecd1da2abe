// Where each SecLang variable's values come from in a transaction, as (name, value) pairs named
// the way ModSecurity logs them ("ARGS:id", "REQUEST_HEADERS:User-Agent", "REQUEST_URI").
import { Target } from "./rule";

export class KV {
  constructor(public name: string, public value: string) {}
}

/** One value of a collection as rules see it: "ARGS:id" (name), its collection, key and value. */
export class VarRef {
  constructor(public coll: string, public key: string, public name: string, public value: string) {}
  /** What each transformation pipeline (by its id, engine.ts) made of this value; null: not run yet. */
  private piped: Array<string | null> | null = null;
  transformed(pipeId: i32): string | null {
    const p = this.piped;
    if (p === null || pipeId >= p.length) return null;
    return unchecked(p[pipeId]);
  }
  remember(pipeId: i32, v: string): void {
    let p = this.piped;
    if (p === null) { p = new Array<string | null>(pipeId + 8); this.piped = p; }
    else if (pipeId >= p.length) { const old = p.length; p.length = pipeId + 8; for (let i = old; i < p.length; i++) unchecked(p[i] = null); }
    unchecked(p[pipeId] = v);
  }
}

const COLLECTIONS = [
  "ARGS", "ARGS_GET", "ARGS_POST", "ARGS_NAMES", "ARGS_GET_NAMES", "ARGS_POST_NAMES",
  "REQUEST_HEADERS", "REQUEST_HEADERS_NAMES", "REQUEST_COOKIES", "REQUEST_COOKIES_NAMES",
  "RESPONSE_HEADERS", "RESPONSE_HEADERS_NAMES", "TX", "MATCHED_VARS", "MATCHED_VARS_NAMES",
  // Known, empty until their processors land (multipart, XML) or never filled in a proxy.
  "FILES", "FILES_NAMES", "FILES_SIZES", "FILES_TMPNAMES", "FILES_TMP_CONTENT", "MULTIPART_PART_HEADERS", "XML",
  "IP", "GLOBAL", "SESSION", "USER", "RESOURCE", "ENV", "GEO", "RULE", "MULTIPART_FILENAME", "MULTIPART_NAME",
];

const SCALARS = [
  "REQUEST_URI", "REQUEST_URI_RAW", "REQUEST_FILENAME", "REQUEST_BASENAME", "QUERY_STRING", "REQUEST_LINE",
  "REQUEST_METHOD", "REQUEST_PROTOCOL", "REQUEST_BODY", "REQUEST_BODY_LENGTH", "ARGS_COMBINED_SIZE", "REMOTE_ADDR",
  "REMOTE_PORT", "SERVER_ADDR", "SERVER_PORT", "SERVER_NAME", "RESPONSE_STATUS", "RESPONSE_BODY", "RESPONSE_PROTOCOL",
  "RESPONSE_CONTENT_TYPE", "RESPONSE_CONTENT_LENGTH", "UNIQUE_ID", "REQBODY_PROCESSOR", "REQBODY_ERROR", "REQBODY_ERROR_MSG",
  "REQBODY_PROCESSOR_ERROR", "REQBODY_PROCESSOR_ERROR_MSG", "MATCHED_VAR", "MATCHED_VAR_NAME", "FILES_COMBINED_SIZE",
  "MULTIPART_STRICT_ERROR", "MULTIPART_UNMATCHED_BOUNDARY", "MULTIPART_BOUNDARY_QUOTED", "MULTIPART_BOUNDARY_WHITESPACE",
  "MULTIPART_DATA_BEFORE", "MULTIPART_DATA_AFTER", "MULTIPART_HEADER_FOLDING", "MULTIPART_LF_LINE", "MULTIPART_MISSING_SEMICOLON",
  "MULTIPART_INVALID_QUOTING", "MULTIPART_INVALID_PART", "MULTIPART_INVALID_HEADER_FOLDING", "MULTIPART_FILE_LIMIT_EXCEEDED",
  "MULTIPART_CRLF_LF_LINES", "INBOUND_DATA_ERROR", "OUTBOUND_DATA_ERROR", "FULL_REQUEST", "FULL_REQUEST_LENGTH",
  "AUTH_TYPE", "PATH_INFO", "REQUEST_HEADERS_LENGTH", "DURATION", "HIGHEST_SEVERITY", "STATUS_LINE", "TIME", "TIME_EPOCH",
  "URLENCODED_ERROR", "WEBAPPID", "USERID", "SESSIONID", "REMOTE_HOST", "REMOTE_USER",
];

export function isKnownVariable(name: string): bool {
  return COLLECTIONS.includes(name) || SCALARS.includes(name);
}

export function isCollection(name: string): bool { return COLLECTIONS.includes(name); }

// What collect() does for each variable name, decided once per target (Target.code), so the hot
// path compares integers instead of names. Pair collections: the _NAMES form is the next code.
const C_ARGS = 1, C_ARGS_GET = 3, C_ARGS_POST = 5, C_HEADERS = 7, C_COOKIES = 9, C_FILES = 11, C_RESPONSE_HEADERS = 13;
const C_FILES_SIZES = 15, C_PART_HEADERS = 16, C_TX = 17, C_MATCHED = 18, C_MATCHED_NAMES = 19, C_XML = 20, C_EMPTY = 21, C_SCALAR = 22;
/** Cache slots of TxData.refs: two per collection code (variables below). */
const REF_SLOTS = 2 * C_PART_HEADERS + 2;

/** The request and response as the rules see them (byte strings). */
export class TxData {
  argsGet: Array<KV> = [];
  argsPost: Array<KV> = [];
  headers: Array<KV> = [];
  cookies: Array<KV> = [];
  responseHeaders: Array<KV> = [];
  /** Multipart file parts: field name → file name; sizes; every part's header lines by field name. */
  files: Array<KV> = [];
  filesSizes: Array<KV> = [];
  multipartHeaders: Array<KV> = [];
  /** The XML body processor's output: `XML:/*` (null: no XML body) and `XML://@*`. */
  xmlText: string | null = null;
  xmlAttributes: Array<string> = [];
  /** TX collection: lower-case names. */
  tx: Map<string, string> = new Map();
  txKeys: Array<string> = [];
  scalars: Map<string, string> = new Map();
  matchedVars: Array<KV> = [];
  /** Per collection name, its values with their names built once (cleared when a source changes). */
  private refs: Array<Array<VarRef> | null> = new Array<Array<VarRef> | null>(REF_SLOTS);

  /** Call after argsPost, responseHeaders… change. */
  invalidate(): void { this.refs.fill(null); }

  cached(slot: i32, coll: string, src: Array<KV>, names: bool): Array<VarRef> {
    const known = unchecked(this.refs[slot]);
    if (known !== null) return known;
    const out = new Array<VarRef>(src.length);
    for (let i = 0; i < src.length; i++) {
      const p = unchecked(src[i]);
      unchecked(out[i] = new VarRef(coll, p.name, coll + ":" + p.name, names ? p.name : p.value));
    }
    unchecked(this.refs[slot] = out);
    return out;
  }

  setTx(name: string, value: string): void {
    if (!this.tx.has(name)) this.txKeys.push(name);
    this.tx.set(name, value);
  }
  getTx(name: string): string | null { return this.tx.has(name) ? this.tx.get(name) : null; }
  deleteTx(name: string): void {
    if (!this.tx.has(name)) return;
    this.tx.delete(name);
    const i = this.txKeys.indexOf(name);
    if (i >= 0) this.txKeys.splice(i, 1);
  }
  scalar(name: string): string { return this.scalars.has(name) ? this.scalars.get(name) : ""; }
}

function addRefs(out: Array<VarRef>, refs: Array<VarRef>, t: Target): void {
  const all = t.key.length == 0 && t.keyRegex === null;
  for (let i = 0; i < refs.length; i++) {
    const r = unchecked(refs[i]);
    if (all || t.matches(t.name, r.key)) out.push(r);
  }
}

const PAIRS = ["ARGS", "ARGS_GET", "ARGS_POST", "REQUEST_HEADERS", "REQUEST_COOKIES", "FILES", "RESPONSE_HEADERS"];

function codeOf(n: string): i32 {
  for (let i = 0; i < PAIRS.length; i++) {
    const p = unchecked(PAIRS[i]);
    if (n == p) return 1 + 2 * i;
    if (n.length == p.length + 6 && n.startsWith(p) && n.endsWith("_NAMES")) return 2 + 2 * i;
  }
  if (n == "FILES_SIZES") return C_FILES_SIZES;
  if (n == "MULTIPART_PART_HEADERS") return C_PART_HEADERS;
  if (n == "TX") return C_TX;
  if (n == "MATCHED_VARS") return C_MATCHED;
  if (n == "MATCHED_VARS_NAMES") return C_MATCHED_NAMES;
  if (n == "XML") return C_XML;
  if (isCollection(n)) return C_EMPTY;
  return C_SCALAR;
}

/** Appends the values of one target (before exclusions and counting). */
export function collect(d: TxData, t: Target, out: Array<VarRef>): void {
  const n = t.name;
  let code = t.code;
  if (code == 0) { code = codeOf(n); t.code = code; }
  if (code <= C_RESPONSE_HEADERS + 1) {
    const names = (code & 1) == 0;
    const base = names ? code - 1 : code;
    // Cache slots: 2 per code (ARGS keeps its GET part and its POST part apart).
    if (base == C_ARGS) {
      addRefs(out, d.cached(2 * code, n, d.argsGet, names), t);
      addRefs(out, d.cached(2 * code + 1, n, d.argsPost, names), t);
      return;
    }
    const src = base == C_ARGS_GET ? d.argsGet : base == C_ARGS_POST ? d.argsPost : base == C_HEADERS ? d.headers
      : base == C_COOKIES ? d.cookies : base == C_FILES ? d.files : d.responseHeaders;
    addRefs(out, d.cached(2 * code, n, src, names), t);
  } else if (code == C_FILES_SIZES) addRefs(out, d.cached(2 * code, n, d.filesSizes, false), t);
  else if (code == C_PART_HEADERS) addRefs(out, d.cached(2 * code, n, d.multipartHeaders, false), t);
  else if (code == C_TX) {
    // TX:name (TX's names are kept lower case, as selectors are): one lookup, not a walk.
    if (t.keyRegex === null && t.key.length > 0) {
      if (d.tx.has(t.key)) out.push(new VarRef("TX", t.key, "TX:" + t.key, d.tx.get(t.key)));
      return;
    }
    for (let i = 0; i < d.txKeys.length; i++) {
      const k = d.txKeys[i];
      if (t.matches("TX", k)) out.push(new VarRef("TX", k, "TX:" + k, d.tx.get(k)));
    }
  } else if (code == C_MATCHED || code == C_MATCHED_NAMES) {
    for (let i = 0; i < d.matchedVars.length; i++) {
      const m = d.matchedVars[i];
      if (code == C_MATCHED) out.push(new VarRef("MATCHED_VARS", m.name, m.name, m.value));
      else out.push(new VarRef("MATCHED_VARS_NAMES", m.name, "MATCHED_VARS_NAMES:" + m.name, m.name));
    }
  } else if (code == C_XML) {
    // The two XPath selectors CRS uses (xml.ts); any other expression selects nothing.
    const text = d.xmlText;
    if (text === null) return;
    if (t.key == "/*") out.push(new VarRef("XML", "/*", "XML:/*", text));
    else if (t.key == "//@*") for (let i = 0; i < d.xmlAttributes.length; i++) out.push(new VarRef("XML", "//@*", "XML://@*", d.xmlAttributes[i]));
  } else if (code == C_EMPTY) {
    // Known collections this build never fills (FILES_TMPNAMES, IP…): no values.
  } else if (d.scalars.has(n)) out.push(new VarRef(n, "", n, d.scalars.get(n)));
}
