// Fuzzing the waf plugin's SecLang engine (test/fuzz/waf.entry.ts): the directive parser, every
// transformation, the four body processors and whole transactions, with seeded random and mutated
// inputs built from the CRS's own directives and CRS-style payloads. A trap is a failure.
//   node --import tsx test/fuzz/waf-engine.ts [--inputs 1000000] [--seed 19] [--report docs/fuzz-report.md]
// --report rewrites the "WAF engine" section of that page (between its markers).
import { readFileSync, writeFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { loadAsModuleSync, type AsModule } from "../../harness/src/ascunit.js";
import { repoRoot } from "../../harness/src/tools.js";

export const TRANSFORMS = ["none", "lowercase", "uppercase", "urlDecode", "urlDecodeUni", "jsDecode", "htmlEntityDecode", "utf8toUnicode",
  "removeNulls", "replaceNulls", "removeWhitespace", "compressWhitespace", "replaceComments", "removeComments", "removeCommentsChar",
  "cssDecode", "cmdLine", "normalizePath", "normalisePath", "normalizePathWin", "escapeSeqDecode", "length", "base64Decode",
  "base64DecodeExt", "base64Encode", "sha1", "md5", "hexEncode", "hexDecode", "trim", "trimLeft", "trimRight", "urlEncode",
  "parityEven7bit", "parityOdd7bit", "parityZero7bit", "sqlHexDecode", "bogus"];

const PAYLOADS = ["1' OR '1'='1", "<script>alert(1)</script>", "../../etc/passwd", "%2e%2e%2f%c0%ae", "&#x3C;img src=x onerror=alert(1)&#x3E;",
  "\\u003cscript\\u003e", "/*!50000UNION*/SELECT", "${jndi:ldap://x/a}", "cat$IFS/etc/passwd", "=cmd|' /C calc'!A0", "\x00\xff\xfe%00%",
  "&lt;&amp;&#0;&#x110000;&#xD800;", "+ADw-script+AD4-", "\\x41\\101\\u0041", "0x41424344", "AAAA====", "%u0041%u00", "\r\n\t \f\v"];

const OPERATORS = ["@rx", "@pm", "@pmFromFile", "@streq", "@contains", "@beginsWith", "@endsWith", "@within", "@eq", "@ge", "@gt", "@le", "@lt",
  "@ipMatch", "@validateUrlEncoding", "@validateUtf8Encoding", "@validateByteRange", "@detectSQLi", "@detectXSS", "@unconditionalMatch", "@bogus", ""];
const VARIABLES = ["ARGS", "ARGS_NAMES", "REQUEST_HEADERS:User-Agent", "REQUEST_URI", "TX:score", "&ARGS", "!ARGS:x", "ARGS:/^a.*/", "XML:/*", "XML://@*",
  "REQUEST_COOKIES|REQUEST_COOKIES_NAMES", "REQBODY_ERROR", "MATCHED_VARS", "FILES", "BOGUS", "ARGS:'/x|y/'"];
const ACTIONS = ["id:1", "phase:1", "phase:2", "phase:5", "block", "deny", "pass", "allow", "status:403", "t:none", "t:lowercase", "t:urlDecodeUni", "chain",
  "capture", "setvar:tx.score=+5", "setvar:'tx.%{rule.id}-%{MATCHED_VAR_NAME}=%{MATCHED_VAR}'", "setvar:!tx.score", "skipAfter:END", "skip:1",
  "ctl:ruleRemoveById=1-99", "ctl:ruleRemoveTargetById=1;ARGS:x", "ctl:ruleEngine=DetectionOnly", "ctl:requestBodyProcessor=XML", "msg:'%{tx.score}'",
  "logdata:'%{MATCHED_VAR}'", "tag:'a/b'", "severity:CRITICAL", "multiMatch", "nolog", "log", "ver:'x'", "expirevar:tx.a=10", "initcol:ip=%{REMOTE_ADDR}"];

class Rand {
  constructor(private s: number) { this.s = s >>> 0 || 1; }
  next(): number { let s = this.s; s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; this.s = s; return s / 0x100000000; }
  int(n: number): number { return Math.floor(this.next() * n); }
  pick<T>(a: readonly T[]): T { return a[this.int(a.length)]; }
  chance(p: number): boolean { return this.next() < p; }
}

function bytes(r: Rand, n: number): string {
  let s = "";
  for (let i = 0; i < n; i++) s += String.fromCharCode(r.chance(0.7) ? 32 + r.int(95) : r.int(256));
  return s;
}

/** Mutates a string: flips, inserts, deletes, duplicates and splices. */
function mutate(r: Rand, s: string): string {
  let out = s;
  for (let k = 1 + r.int(4); k > 0; k--) {
    const at = r.int(out.length + 1);
    switch (r.int(6)) {
      case 0: out = out.slice(0, at) + String.fromCharCode(r.int(256)) + out.slice(at + 1); break;
      case 1: out = out.slice(0, at) + bytes(r, 1 + r.int(8)) + out.slice(at); break;
      case 2: out = out.slice(0, at) + out.slice(at + 1 + r.int(8)); break;
      case 3: out = out.slice(0, at) + out.slice(at, at + 1 + r.int(40)).repeat(1 + r.int(20)) + out.slice(at); break;
      case 4: out = out.slice(0, at) + r.pick(PAYLOADS) + out.slice(at); break;
      default: out = out.slice(0, at) + r.pick(["\"", "'", "\\", "|", ",", ":", "%{", "}", "/", "\n", "\\\n", "(", ")", "[", "]", "<", ">", "&", ";", "="]) + out.slice(at);
    }
  }
  return out.length > 20000 ? out.slice(0, 20000) : out;
}

function crsDirectives(): string[] {
  const dir = join(repoRoot, "third_party", "coreruleset", "rules");
  const all: string[] = [];
  for (const f of readdirSync(dir).filter((n) => n.endsWith(".conf")).sort()) {
    const text = readFileSync(join(dir, f), "utf8").replace(/\\\n/g, " ");
    for (const l of text.split("\n")) if (/^\s*Sec/.test(l)) all.push(l.trim());
  }
  return all;
}

function randomRule(r: Rand): string {
  const vars = Array.from({ length: 1 + r.int(3) }, () => r.pick(VARIABLES)).join("|");
  const op = r.pick(OPERATORS);
  const arg = r.chance(0.5) ? r.pick(PAYLOADS) : bytes(r, r.int(20));
  const actions = ["id:" + (1 + r.int(999999)), `phase:${1 + r.int(5)}`, ...Array.from({ length: r.int(6) }, () => r.pick(ACTIONS))].join(",");
  return `SecRule ${vars} "${op} ${arg.replace(/"/g, '\\"')}" "${actions}"`;
}

function xmlBody(r: Rand): string {
  const parts = ['<?xml version="1.0"?>', "<root", ` a="${r.pick(PAYLOADS)}"`, ">", "<![CDATA[", r.pick(PAYLOADS), "]]>", "<!-- c -->", "<x/>", "&lt;&#65;&#x42;", "</root>", "<!DOCTYPE r [<!ENTITY e 'x'>]>", "&e;"];
  let s = "";
  for (let i = 0; i < 2 + r.int(10); i++) s += r.pick(parts);
  return r.chance(0.5) ? mutate(r, s) : s;
}

export interface EngineFuzzStats { inputs: number; traps: number; byKind: Record<string, { inputs: number; traps: number }>; ms: number; seed: number; firstTraps: string[] }

export function fuzzEngine(inputs: number, seed: number, log: (s: string) => void = () => {}): EngineFuzzStats {
  const r = new Rand(seed);
  const crs = crsDirectives();
  let m: AsModule = loadAsModuleSync("test/fuzz/waf.entry.ts");
  const stats: EngineFuzzStats = { inputs: 0, traps: 0, byKind: {}, ms: 0, seed, firstTraps: [] };
  const t0 = Date.now();
  const kinds = ["seclang", "transform", "urlencoded", "json", "multipart", "xml", "transaction"] as const;
  for (let i = 0; i < inputs; i++) {
    const kind = kinds[i % kinds.length];
    const k = (stats.byKind[kind] ??= { inputs: 0, traps: 0 });
    const pins: number[] = [];
    const str = (s: string) => { const p = m.newString(s); pins.push(p); return p; };
    const buf = (s: string) => { const p = m.newBuffer(Buffer.from(s, "latin1")); pins.push(p); return p; };
    const e = m.exports as Record<string, (...a: number[]) => number>;
    try {
      switch (kind) {
        case "seclang": e.fuzzSecLang(str(r.chance(0.5) ? mutate(r, r.pick(crs)) : Array.from({ length: 1 + r.int(4) }, () => randomRule(r)).join("\n"))); break;
        case "transform": e.fuzzTransform(str(r.pick(TRANSFORMS).toLowerCase()), str(r.chance(0.6) ? mutate(r, r.pick(PAYLOADS)) : bytes(r, r.int(r.chance(0.05) ? 20000 : 200)))); break;
        case "urlencoded": e.fuzzBody(0, buf(mutate(r, "a=1&b=" + r.pick(PAYLOADS) + "&c=%zz&=&&d")), str("")); break;
        case "json": e.fuzzBody(1, buf(r.chance(0.7) ? mutate(r, JSON.stringify({ a: [1, { b: r.pick(PAYLOADS) }], c: null, d: 1e308 })) : "[".repeat(r.int(200))), str("")); break;
        case "multipart": {
          const b = "----x" + r.int(100);
          const body = `--${b}\r\nContent-Disposition: form-data; name="f"; filename="a.php"\r\nContent-Type: text/plain\r\n\r\n${r.pick(PAYLOADS)}\r\n--${b}--\r\n`;
          e.fuzzBody(2, buf(r.chance(0.7) ? mutate(r, body) : body), str(r.chance(0.8) ? `multipart/form-data; boundary=${b}` : mutate(r, `multipart/form-data; boundary="${b}"`)));
          break;
        }
        case "xml": e.fuzzBody(3, buf(xmlBody(r)), str("")); break;
        case "transaction": e.fuzzTransaction(str(Array.from({ length: 1 + r.int(5) }, () => randomRule(r)).join("\n")), str(r.pick(["id", "q", "x", ""])), str(mutate(r, r.pick(PAYLOADS)))); break;
      }
      k.inputs++;
      stats.inputs++;
    } catch (err) {
      k.inputs++;
      k.traps++;
      stats.inputs++;
      stats.traps++;
      if (stats.firstTraps.length < 10) stats.firstTraps.push(`${kind} (input ${i}, seed ${seed}): ${(err as Error).message}`);
      m = loadAsModuleSync("test/fuzz/waf.entry.ts");
      continue;
    } finally {
      for (const p of pins) { try { m.unpin(p); } catch { /* a fresh module after a trap */ } }
    }
    if ((i + 1) % 100000 === 0) log(`waf-engine fuzz: ${i + 1}/${inputs}, ${stats.traps} traps, ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    // A fresh module now and then keeps one instance's memory from growing without bound.
    if ((i + 1) % 50000 === 0) m = loadAsModuleSync("test/fuzz/waf.entry.ts");
  }
  stats.ms = Date.now() - t0;
  return stats;
}

export function reportSection(s: EngineFuzzStats, command: string, commit: string): string {
  const L = ["<!-- waf-engine:begin -->", "## WAF engine (plugins/waf/assembly/seclang)", "",
    `Command: \`${command}\` on commit \`${commit}\`, ${new Date().toISOString().slice(0, 10)} — seed ${s.seed}, **${s.inputs.toLocaleString("en-US")} inputs in ${(s.ms / 1000).toFixed(1)} s, ${s.traps} traps**.`, "",
    "Inputs through `test/fuzz/waf.entry.ts`: the SecLang directive parser (every CRS directive mutated, and random rules with every operator, variable and action CRS uses, odd arguments included), every transformation (`t:`), the urlencoded, JSON, multipart and XML body processors, and whole transactions (phases 1–2) over random rules.", "",
    "| part | inputs | traps |", "|---|---:|---:|"];
  for (const [k, v] of Object.entries(s.byKind)) L.push(`| ${k} | ${v.inputs} | ${v.traps} |`);
  if (s.firstTraps.length) L.push("", "First traps:", "", ...s.firstTraps.map((t) => `- ${t}`));
  L.push("<!-- waf-engine:end -->");
  return L.join("\n");
}

if (process.argv[1]?.endsWith("waf-engine.ts")) {
  const arg = (n: string, d: string) => { const i = process.argv.indexOf(`--${n}`); return i >= 0 ? process.argv[i + 1] : d; };
  const inputs = Number(arg("inputs", "1000000")), seed = Number(arg("seed", "19"));
  const s = fuzzEngine(inputs, seed, (l) => console.log(l));
  console.log(JSON.stringify({ inputs: s.inputs, traps: s.traps, ms: s.ms, byKind: s.byKind, firstTraps: s.firstTraps }, null, 1));
  const report = arg("report", "");
  if (report) {
    const { execSync } = await import("node:child_process");
    const commit = execSync("git rev-parse --short HEAD", { cwd: repoRoot }).toString().trim();
    const section = reportSection(s, `node --import tsx test/fuzz/waf-engine.ts --inputs ${inputs} --seed ${seed}`, commit);
    const file = join(repoRoot, report);
    const text = readFileSync(file, "utf8");
    const a = text.indexOf("<!-- waf-engine:begin -->"), b = text.indexOf("<!-- waf-engine:end -->");
    writeFileSync(file, a >= 0 && b > a ? text.slice(0, a) + section + text.slice(b + "<!-- waf-engine:end -->".length) : text.trimEnd() + "\n\n" + section + "\n");
    console.log(`wrote ${report}`);
  }
  if (s.traps > 0) process.exitCode = 1;
}
