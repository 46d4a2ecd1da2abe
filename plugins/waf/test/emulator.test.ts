// waf on the emulator only: what a table row cannot send or observe (a body that ends on
// trailers, the start log and its measured cost, no traps) and the transformations and operators
// one by one, each through a custom rule that answers its own status when it matches.
import { describe, it, expect } from "vitest";
import { pluginWasm } from "../../../harness/src/index.js";
import { Emulator } from "../../../harness/src/emulator/index.js";

const load = (target: "envoy" | "higress", config: unknown, realClock = false) => Emulator.load(pluginWasm("waf", target), { target, config, pluginName: "waf", realClock });

/** [transformations, operator, input (raw query value), matches]: one rule each, status 400 + i. */
const unit: [string, string, string, boolean][] = [
  ["t:urlDecodeUni", "@streq <a>", "%3Ca%3E", true],
  ["t:urlDecodeUni", "@streq A", "%u0041", true],
  ["t:urlDecodeUni,t:htmlEntityDecode", "@streq <b>", "%26lt%3Bb%26%23x3e%3B", true],
  ["t:urlDecodeUni,t:jsDecode", "@streq AB", "%5Cx41%5Cu0042", true],
  ["t:urlDecodeUni,t:cssDecode", "@streq ab", "%5C61%20b", true],
  ["t:urlDecodeUni,t:lowercase", "@streq select", "SeLeCt", true],
  ["t:urlDecodeUni,t:removeWhitespace", "@streq unionselect", "union%20%09select", true],
  ["t:urlDecodeUni,t:compressWhitespace", "@streq a b", "a%20%20%09b", true],
  ["t:urlDecodeUni,t:replaceComments", "@streq union select", "union/**/select", true],
  ["t:urlDecodeUni,t:removeCommentsChar", "@streq ab", "a/*b", true],
  ["t:urlDecodeUni,t:cmdLine", "@streq cat/etc/passwd", "C%5Ea%22t%20%20/etc/passwd", true],
  ["t:urlDecodeUni,t:normalizePath", "@streq /etc/passwd", "/a/../etc/./passwd", true],
  ["t:urlDecodeUni,t:normalizePathWin", "@streq /etc/x", "%5Ca%5C..%5Cetc%5Cx", true],
  ["t:urlDecodeUni,t:removeNulls", "@streq ab", "a%00b", true],
  ["t:urlDecodeUni,t:utf8toUnicode", "@streq %u00e9", "%C3%A9", true],
  ["t:base64Decode", "@streq hello", "aGVsbG8=", true],
  ["t:urlDecodeUni,t:length", "@eq 3", "abc", true],
  ["t:sha1,t:hexEncode", "@streq a9993e364706816aba3e25717850c26c9cd0d89d", "abc", true],
  ["t:urlDecodeUni,t:escapeSeqDecode", "@streq a\tb", "a%5Ctb", true],
  ["t:none", "@pm foo bar", "xxBARxx", true],
  ["t:none", "@pm foo bar", "baz", false],
  // One automaton over every phrase: a phrase inside a longer one that fails (failure and
  // dictionary links), case-blind, at the very end, phrases sharing prefixes.
  ["t:none", "@pm abcd bc", "xabce", true],
  ["t:none", "@pm she hers his", "uSHErs", true],
  ["t:none", "@pm abcd abce", "abcxabc", false],
  ["t:none", "@pm select union", "x%20UnIoN", true],
  ["t:none", "@pm aaab", "aaaaaaab", true],
  ["t:none", "@pm aaab", "aaaaaaa", false],
  ["t:none", "@contains bc", "abcd", true],
  ["t:none", "@beginsWith ab", "abcd", true],
  ["t:none", "@endsWith cd", "abcd", true],
  ["t:none", "@within GET HEAD POST", "HEAD", true],
  ["t:none", "@within GET HEAD POST", "PUT", false],
  ["t:none", "@ge 10", "10", true],
  ["t:none", "@lt 10", "10", false],
  ["t:none", "!@rx ^[0-9]+$", "12a", true],
  ["t:none", "@validateUrlEncoding", "%zz", true],
  ["t:none", "@validateUrlEncoding", "%41", false],
  ["t:none", "@validateUtf8Encoding", "%C3%28", true],
  ["t:none", "@validateUtf8Encoding", "%C3%A9", false],
  ["t:urlDecodeUni", "@validateByteRange 32-126", "a%01b", true],
  ["t:urlDecodeUni", "@validateByteRange 32-126", "abc", false],
];

/** A small deterministic generator: the same inputs on every run. */
function rng(seed: number) {
  let x = seed >>> 0;
  return () => ((x = (x * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}
const PIECES = ["SecRule", "SecAction", "SecMarker", "SecRuleRemoveById", "SecRuleUpdateTargetById", "SecDefaultAction", "ARGS", "&TX:x", "!ARGS:/a|b/", "REQUEST_HEADERS:/^x", "\"@rx", "\"@pm", "\"@within %{tx.a}", "\"!@eq 0\"", "\"id:1,phase:2,deny", ",chain", ",t:urlDecodeUni,t:cmdLine", ",setvar:tx.a=+%{tx.b}", ",ctl:ruleRemoveById=1-", ",skipAfter:END", "\"", "'", "\\\n", "\n", "#", " ", "(", "[", "\\", "%{", "\u00ff", "é"];

for (const target of ["envoy", "higress"] as const) {
  describe(`waf on the emulator (${target})`, () => {
    it("logs what it loaded and the start cost, and skips no CRS rule", async () => {
      const host = await load(target, { useCRS: true }, true);
      const lines = host.logLines().join("\n");
      expect(lines).toMatch(/waf: \d+ rules loaded \(OWASP CRS 4\.28\.0\) in [\d.]+ ms/);
      expect(lines).not.toContain("rules skipped");
      console.log(lines.split("\n").filter((l) => l.includes("rules loaded"))[0]);
    });

    it("a body that ends on trailers gets the same verdict as one that ends on data", async () => {
      const host = await load(target, { useCRS: true });
      const body = JSON.stringify({ comment: "<script>alert(1)</script>" });
      const s = host.stream();
      s.sendRequestHeaders({ ":authority": "example.com", ":path": "/api", ":method": "POST", "content-type": "application/json", "transfer-encoding": "chunked" }, false);
      for (const ch of body) s.sendRequestBody(ch, false);
      s.sendRequestTrailers({ "x-checksum": "1" });
      expect(s.localResponse?.status).toBe(403);
      expect(s.upstream.body.length).toBe(0);
      const benign = host.stream();
      benign.sendRequestHeaders({ ":authority": "example.com", ":path": "/api", ":method": "POST", "content-type": "application/json", "transfer-encoding": "chunked" }, false);
      benign.sendRequestBody('{"comment":"hello"}', false);
      benign.sendRequestTrailers({ "x-checksum": "1" });
      expect(benign.localResponse, host.logLines().filter((l) => l.includes("[id ")).join("\n")).toBeNull();
      expect(benign.upstream.body.toString()).toBe('{"comment":"hello"}');
      expect(host.traps).toEqual([]);
    });

    it("a CONNECT is decided at its headers: its body is a tunnel that ends only when it closes", async () => {
      const host = await load(target, { secRules: ["SecRuleEngine On", "SecRequestBodyAccess On", 'SecRule REQUEST_METHOD "@streq CONNECT" "id:1,phase:2,t:none,deny,status:405"'] });
      const s = host.stream();
      s.sendRequestHeaders({ ":authority": "1.2.3.4:80", ":method": "CONNECT" }, false);
      expect(s.localResponse?.status).toBe(405);
      const open = await load(target, { secRules: ["SecRuleEngine On", "SecRequestBodyAccess On"] });
      const t = open.stream();
      expect(t.sendRequestHeaders({ ":authority": "1.2.3.4:80", ":method": "CONNECT" }, false)).toBe(0);
      expect(t.localResponse).toBeNull();
      expect(host.traps).toEqual([]);
    });

    it("random directives are refused or loaded, never a trap; random requests never trap", async () => {
      const next = rng(19);
      let refused = 0;
      for (let n = 0; n < 40; n++) {
        const line = Array.from({ length: 3 + Math.floor(next() * 12) }, () => PIECES[Math.floor(next() * PIECES.length)]).join(" ");
        try {
          const host = await load(target, { secRules: [line] });
          expect(host.traps, line).toEqual([]);
        } catch (e) {
          expect(String(e), line).not.toMatch(/unreachable|RuntimeError|trap/i);
          refused++;
        }
      }
      expect(refused).toBeGreaterThan(0);
      const host = await load(target, { useCRS: true });
      for (let n = 0; n < 40; n++) {
        const junk = Array.from({ length: Math.floor(next() * 60) }, () => "%'\"<>/.;&=+\\\u0000\u00ffaZ09 #-(*"[Math.floor(next() * 24)]).join("");
        await host.request({ method: "POST", path: `/p?a=${encodeURIComponent(junk)}&${encodeURIComponent(junk)}=1`, headers: { "content-type": n % 2 ? "application/json" : "application/x-www-form-urlencoded", cookie: junk.replace(/[^\x20-\x7e]/g, "") }, body: junk });
      }
      expect(host.traps).toEqual([]);
    });

    it("transformations and operators, one rule each", async () => {
      const secRules = unit.map(([t, op, , ], i) => `SecRule ARGS:v${i} "${op.replace(/"/g, '\\"')}" "id:${i + 1},phase:1,${t},deny,status:${400 + i}"`);
      const host = await load(target, { secRules });
      for (let i = 0; i < unit.length; i++) {
        const [t, op, input, matches] = unit[i];
        const r = await host.request({ path: `/?v${i}=${input}` });
        expect(r.localResponse?.status ?? 200, `${t} ${op} on ${input}`).toBe(matches ? 400 + i : 200);
      }
      expect(host.traps).toEqual([]);
    });
  });
}
