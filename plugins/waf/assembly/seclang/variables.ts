// Where each SecLang variable's values come from in a transaction, as (name, value) pairs named
// the way ModSecurity logs them ("ARGS:id", "REQUEST_HEADERS:User-Agent", "REQUEST_URI").
import { Target } from "./rule";

export class KV {
  constructor(public name: string, public value: string) {}
}

/** One value of a collection as rules see it: "ARGS:id" (name), its collection, key and value. */
export class VarRef {
  constructor(public coll: string, public key: string, public name: string, public value: string) {}
  /** Results of transformation pipelines already applied to this value (CRS shares ~45 pipelines over 600 rules). */
  pipeIds: Array<i32> | null = null;
  pipeValues: Array<string> | null = null;
  transformed(pipeId: i32): string | null {
    const ids = this.pipeIds;
    if (ids === null) return null;
    for (let i = 0; i < ids.length; i++) if (unchecked(ids[i]) == pipeId) return unchecked(this.pipeValues![i]);
    return null;
  }
  remember(pipeId: i32, v: string): void {
    if (this.pipeIds === null) { this.pipeIds = []; this.pipeValues = []; }
    this.pipeIds!.push(pipeId);
    this.pipeValues!.push(v);
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
  private refs: Map<string, Array<VarRef>> = new Map();

  /** Call after argsPost, responseHeaders… change. */
  invalidate(): void { this.refs.clear(); }

  cached(cacheKey: string, coll: string, src: Array<KV>, names: bool): Array<VarRef> {
    if (this.refs.has(cacheKey)) return this.refs.get(cacheKey);
    const out = new Array<VarRef>(src.length);
    for (let i = 0; i < src.length; i++) {
      const p = unchecked(src[i]);
      unchecked(out[i] = new VarRef(coll, p.name, coll + ":" + p.name, names ? p.name : p.value));
    }
    this.refs.set(cacheKey, out);
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

/** Appends the values of one target (before exclusions and counting). */
export function collect(d: TxData, t: Target, out: Array<VarRef>): void {
  const n = t.name;
  if (n == "ARGS" || n == "ARGS_NAMES") {
    const names = n == "ARGS_NAMES";
    addRefs(out, d.cached(n + "\u0001get", n, d.argsGet, names), t);
    addRefs(out, d.cached(n + "\u0001post", n, d.argsPost, names), t);
  } else if (n == "ARGS_GET" || n == "ARGS_GET_NAMES") addRefs(out, d.cached(n, n, d.argsGet, n == "ARGS_GET_NAMES"), t);
  else if (n == "ARGS_POST" || n == "ARGS_POST_NAMES") addRefs(out, d.cached(n, n, d.argsPost, n == "ARGS_POST_NAMES"), t);
  else if (n == "REQUEST_HEADERS" || n == "REQUEST_HEADERS_NAMES") addRefs(out, d.cached(n, n, d.headers, n == "REQUEST_HEADERS_NAMES"), t);
  else if (n == "REQUEST_COOKIES" || n == "REQUEST_COOKIES_NAMES") addRefs(out, d.cached(n, n, d.cookies, n == "REQUEST_COOKIES_NAMES"), t);
  else if (n == "FILES" || n == "FILES_NAMES") addRefs(out, d.cached(n, n, d.files, n == "FILES_NAMES"), t);
  else if (n == "FILES_SIZES") addRefs(out, d.cached(n, n, d.filesSizes, false), t);
  else if (n == "MULTIPART_PART_HEADERS") addRefs(out, d.cached(n, n, d.multipartHeaders, false), t);
  else if (n == "RESPONSE_HEADERS" || n == "RESPONSE_HEADERS_NAMES") addRefs(out, d.cached(n, n, d.responseHeaders, n == "RESPONSE_HEADERS_NAMES"), t);
  else if (n == "TX") {
    for (let i = 0; i < d.txKeys.length; i++) {
      const k = d.txKeys[i];
      if (t.matches("TX", k)) out.push(new VarRef("TX", k, "TX:" + k, d.tx.get(k)));
    }
  } else if (n == "MATCHED_VARS" || n == "MATCHED_VARS_NAMES") {
    for (let i = 0; i < d.matchedVars.length; i++) {
      const m = d.matchedVars[i];
      if (n == "MATCHED_VARS") out.push(new VarRef("MATCHED_VARS", m.name, m.name, m.value));
      else out.push(new VarRef("MATCHED_VARS_NAMES", m.name, "MATCHED_VARS_NAMES:" + m.name, m.name));
    }
  } else if (n == "XML") {
    // The two XPath selectors CRS uses (xml.ts); any other expression selects nothing.
    const text = d.xmlText;
    if (text === null) return;
    if (t.key == "/*") out.push(new VarRef("XML", "/*", "XML:/*", text));
    else if (t.key == "//@*") for (let i = 0; i < d.xmlAttributes.length; i++) out.push(new VarRef("XML", "//@*", "XML://@*", d.xmlAttributes[i]));
  } else if (isCollection(n)) {
    // Known collections this build never fills (FILES_TMPNAMES, IP…): no values.
  } else if (d.scalars.has(n)) out.push(new VarRef(n, "", n, d.scalars.get(n)));
}
