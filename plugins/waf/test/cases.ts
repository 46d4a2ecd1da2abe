// The case table of waf: custom secRules (every phase, statuses, bodies split at every byte), the
// OWASP CRS v4.28.0 at paranoia level 1 and 2 (SQLi, XSS in a query and in a JSON body, path
// traversal, a scanner, benign traffic), a ctl:ruleRemoveById exclusion, and configurations that
// are refused with the line and the reason. Every row runs on a real Envoy and on the emulator
// (both targets) through harness/src/plugin-table.ts, which also demands the same answer from both.
import type { PluginTable, Row, RowRequest } from "../../../harness/src/plugin-table.js";

interface Case { name: string; req: RowRequest; status: number; ids?: number[]; logs?: string[]; upstreamBody?: true }
const row = (c: Case): Row => ({
  name: c.name,
  request: c.req,
  expect: {
    status: c.status,
    // Higress answers an interruption with an empty body.
    body: c.status >= 400 ? "" : undefined,
    reachesUpstream: c.status < 400 ? true : undefined,
    upstreamBody: c.upstreamBody,
    logs: [...(c.ids ?? []).map((id) => `[id "${id}"]`), ...(c.logs ?? [])],
  },
});

const form = (body: string, chunks?: number): RowRequest => ({ method: "POST", path: "/submit", headers: [["content-type", "application/x-www-form-urlencoded"]], body, chunks });
const json = (body: string, chunks?: number): RowRequest => ({ method: "POST", path: "/api/items", headers: [["content-type", "application/json"]], body, chunks });
const xml = (body: string, chunks?: number): RowRequest => ({ method: "POST", path: "/soap", headers: [["content-type", "application/xml"]], body, chunks });
const SQLI_XML_ATTR = '<?xml version="1.0"?><root><a probe="1234 OR 1=1"></a></root>';
const q = (s: string) => encodeURIComponent(s);
const multipart = (parts: string[]): RowRequest => ({
  method: "POST",
  path: "/upload",
  headers: [["content-type", "multipart/form-data; boundary=XyZ"]],
  body: parts.map((p) => `--XyZ\r\n${p}\r\n`).join("") + "--XyZ--\r\n",
});

/** A multipart request with its Content-Type and body as given (the strictness rows). */
const mp = (body: string, contentType = "multipart/form-data; boundary=XyZ", chunks?: number): RowRequest => ({ method: "POST", path: "/upload", headers: [["content-type", contentType]], body, chunks });
const FIELD = 'Content-Disposition: form-data; name="a"';

/**
 * ModSecurity's multipart strictness: the engine rules 200002–200004 as its recommended
 * configuration has them, and before them one probe rule per MULTIPART_* flag, each answering its
 * own status, so a row shows which flag the parser set.
 */
const strictness = {
  secRules: [
    "SecRuleEngine On",
    "SecRequestBodyAccess On",
    'SecRule MULTIPART_BOUNDARY_QUOTED "@eq 1" "id:301,phase:2,t:none,deny,status:461"',
    'SecRule MULTIPART_BOUNDARY_WHITESPACE "@eq 1" "id:302,phase:2,t:none,deny,status:462"',
    'SecRule MULTIPART_MISSING_SEMICOLON "@eq 1" "id:303,phase:2,t:none,deny,status:463"',
    'SecRule MULTIPART_DATA_BEFORE "@eq 1" "id:304,phase:2,t:none,deny,status:464"',
    'SecRule MULTIPART_DATA_AFTER "@eq 1" "id:305,phase:2,t:none,deny,status:465"',
    'SecRule MULTIPART_HEADER_FOLDING "@eq 1" "id:306,phase:2,t:none,deny,status:466"',
    'SecRule MULTIPART_LF_LINE "@eq 1" "id:307,phase:2,t:none,deny,status:467"',
    'SecRule MULTIPART_INVALID_QUOTING "@eq 1" "id:308,phase:2,t:none,deny,status:468"',
    'SecRule MULTIPART_INVALID_PART "@eq 1" "id:309,phase:2,t:none,deny,status:469"',
    'SecRule MULTIPART_UNMATCHED_BOUNDARY "@eq 1" "id:310,phase:2,t:none,deny,status:470"',
    'SecRule ARGS_POST "@contains evil" "id:311,phase:2,t:none,deny,status:422"',
    'SecRule ARGS_POST:b "@rx ^one\\r\\ntwo$" "id:312,phase:2,t:none,deny,status:423"',
    "SecRule REQBODY_ERROR \"!@eq 0\" \"id:200002,phase:2,t:none,log,deny,status:400,msg:'Failed to parse request body.',logdata:'%{reqbody_error_msg}'\"",
    'SecRule MULTIPART_STRICT_ERROR "!@eq 0" "id:200003,phase:2,t:none,log,deny,status:400"',
    'SecRule MULTIPART_UNMATCHED_BOUNDARY "@eq 1" "id:200004,phase:2,t:none,log,deny,status:400"',
  ],
};

/**
 * @rx as libmodsecurity 3 reads it (measured on the oracle with the same rules): multi-line, so
 * `^` matches after a line feed and `$` before one; `\s` includes the vertical tab (PCRE ≥ 8.34).
 */
const pcre = {
  secRules: [
    "SecRuleEngine On",
    'SecRule ARGS:a "@rx ^b" "id:401,phase:1,t:none,deny,status:471"',
    'SecRule ARGS:c "@rx whoami$" "id:402,phase:1,t:none,deny,status:472"',
    'SecRule ARGS:d "@rx ^a\\s" "id:403,phase:1,t:none,deny,status:473"',
    'SecRule ARGS:e "@rx ^a\\S" "id:404,phase:1,t:none,deny,status:474"',
    'SecRule ARGS:f "@rx ^a[^\\s]" "id:405,phase:1,t:none,deny,status:475"',
    'SecRule ARGS:g "@rx ^[\\S]+$" "id:406,phase:1,t:none,deny,status:476"',
  ],
};

/** urlDecodeUni with and without ModSecurity's recommended unicode map (code page 20127). */
const unimap = (on: boolean) => ({
  secRules: [
    "SecRuleEngine On",
    ...(on ? ["SecUnicodeMapFile unicode.mapping 20127"] : []),
    `SecRule ARGS:u "@streq '" "id:411,phase:1,t:none,t:urlDecodeUni,deny,status:481"`,
    'SecRule ARGS:w "@streq ?" "id:412,phase:1,t:none,t:urlDecodeUni,deny,status:482"',
    'SecRule ARGS:x "@streq -" "id:413,phase:1,t:none,t:urlDecodeUni,deny,status:483"',
  ],
});

const XSS_JSON = JSON.stringify({ name: "alice", comment: "<script>alert(1)</script>" });
const BENIGN_JSON = JSON.stringify({ name: "alice", tags: ["a", "b"], age: 42, note: "hello world" });

const custom = {
  secRules: [
    "SecRuleEngine On",
    "SecRequestBodyAccess On",
    "SecResponseBodyAccess On",
    "SecRequestBodyLimit 256",
    'SecRule REQUEST_URI "@streq /admin" "id:101,phase:1,t:lowercase,deny"',
    "SecRule ARGS:user \"@rx ^root$\" \"id:102,phase:1,deny,status:451,msg:'root is not a user here'\"",
    // Several directives in one string, with a continuation line and a comment.
    '# body rules\nSecRule REQUEST_BODY "@rx maliciouspayload" \\\n    "id:103,phase:2,t:none,t:lowercase,deny,status:406"\nSecRule ARGS_POST:json.role "@streq admin" "id:104,phase:2,deny,status:409"',
    'SecRule RESPONSE_HEADERS:x-leak "@contains secret" "id:105,phase:3,deny,status:502"',
    'SecRule RESPONSE_BODY "@contains SQL syntax" "id:106,phase:4,deny,status:500"',
    'SecRule REQUEST_HEADERS:Content-Type "@rx ^application/json" "id:107,phase:1,pass,nolog,ctl:requestBodyProcessor=JSON"',
    // Counting and a pass rule that only logs.
    'SecRule &ARGS "@gt 3" "id:108,phase:2,deny,status:413"',
    "SecRule ARGS:trace \"@streq on\" \"id:109,phase:1,pass,log,msg:'tracing asked'\"",
    'SecRule FILES "@endsWith .php" "id:110,phase:2,t:lowercase,deny,status:415"',
    'SecRule ARGS_POST:comment "@contains evil" "id:111,phase:2,deny,status:422"',
  ],
};

const groups = [
  {
    name: "custom secRules",
    config: custom,
    rows: [
      row({ name: "a phase-1 rule denies with 403 and an empty body", req: { path: "/admin" }, status: 403, ids: [101], logs: ["ModSecurity: Access denied with code 403 (phase 1)"] }),
      row({ name: "t:lowercase applies before @streq", req: { path: "/ADMIN" }, status: 403, ids: [101] }),
      row({ name: "@streq is the whole value", req: { path: "/admin/x" }, status: 200 }),
      row({ name: "the rule's status is answered", req: { path: "/?user=root" }, status: 451, ids: [102], logs: ['[msg "root is not a user here"]'] }),
      row({ name: "a benign GET passes", req: { path: "/?user=alice" }, status: 200 }),
      row({ name: "a pass rule logs a warning and lets the request through", req: { path: "/?trace=on" }, status: 200, ids: [109], logs: ["ModSecurity: Warning."] }),
      row({ name: "REQUEST_BODY (urlencoded) in phase 2", req: form("a=1&b=MaliciousPayload"), status: 406, ids: [103], logs: ["(phase 2)"] }),
      row({ name: "the same body split at every byte", req: form("a=1&b=MaliciousPayload", 22), status: 406, ids: [103] }),
      row({ name: "a benign form POST reaches the upstream unchanged", req: form("a=1&b=hello"), status: 200, upstreamBody: true }),
      row({ name: "JSON body → ARGS_POST json.role", req: json('{"user":{"name":"x"},"role":"admin"}'), status: 409, ids: [104] }),
      row({ name: "JSON body split at every byte", req: json('{"role":"admin"}', 16), status: 409, ids: [104] }),
      row({ name: "multipart: a file part's name → FILES", req: multipart(['Content-Disposition: form-data; name="comment"\r\n\r\nhi', 'Content-Disposition: form-data; name="f"; filename="Shell.PHP"\r\nContent-Type: text/plain\r\n\r\n<?php ?>']), status: 415, ids: [110] }),
      row({ name: "multipart: a form field → ARGS_POST", req: multipart(['Content-Disposition: form-data; name="comment"\r\n\r\nsomething evil']), status: 422, ids: [111] }),
      row({ name: "multipart: a clean upload passes unchanged", req: multipart(['Content-Disposition: form-data; name="f"; filename="cat.png"\r\n\r\nPNG']), status: 200, upstreamBody: true }),
      row({ name: "a body over SecRequestBodyLimit (Reject) → 413, empty body", req: form("a=" + "x".repeat(300)), status: 413 }),
      row({ name: "&ARGS counts arguments", req: { path: "/?a=1&b=2&c=3&d=4" }, status: 413, ids: [108] }),
      row({ name: "phase 3: a response header is inspected", req: { path: "/r3", answer: { headers: { "x-leak": "top secret" }, body: "ok" } }, status: 502, ids: [105], logs: ["(phase 3)"] }),
      row({ name: "phase 4: the response body is inspected", req: { path: "/r4", answer: { headers: { "content-type": "text/html" }, body: "You have an error in your SQL syntax near" } }, status: 500, ids: [106], logs: ["(phase 4)"] }),
      row({ name: "phase 4: a clean response body passes", req: { path: "/r4ok", answer: { headers: { "content-type": "text/html" }, body: "<p>hello</p>" } }, status: 200 }),
    ],
  },
  {
    name: "useCRS, paranoia level 1",
    config: { useCRS: true },
    rows: [
      row({ name: "a benign GET passes", req: { path: "/products?id=42&q=running+shoes", headers: [["user-agent", "Mozilla/5.0"], ["accept", "text/html"]] }, status: 200 }),
      row({ name: "a benign form POST passes", req: form("name=alice&comment=hello+world"), status: 200, upstreamBody: true }),
      row({ name: "a benign JSON POST passes", req: json(BENIGN_JSON), status: 200, upstreamBody: true }),
      row({ name: "SQLi (UNION SELECT) in a query argument → 942xxx, 949110", req: { path: `/?id=${q("1 UNION SELECT password FROM users")}` }, status: 403, ids: [942190, 949110], logs: ["Inbound Anomaly Score Exceeded"] }),
      row({ name: "XSS <script> in a query argument → 941110", req: { path: `/?q=${q("<script>alert(1)</script>")}` }, status: 403, ids: [941110, 949110] }),
      row({ name: "XSS <script> in a JSON body → ARGS:json.comment", req: json(XSS_JSON), status: 403, ids: [941110, 949110], logs: ["ARGS:json.comment"] }),
      row({ name: "XSS in a JSON body split at every byte", req: json(XSS_JSON, XSS_JSON.length), status: 403, ids: [941110, 949110] }),
      row({ name: "XML body: SQLi in an attribute → XML://@* (942100, as ModSecurity)", req: xml(SQLI_XML_ATTR), status: 403, ids: [942100, 949110], logs: ["XML://@*"] }),
      row({ name: "XML body: XSS in text (CDATA included) → XML:/* (941xxx)", req: xml("<root><note><![CDATA[<script>]]>alert(1)</note><x>&lt;/script&gt;</x></root>"), status: 403, ids: [941110, 949110], logs: ["XML:/*"] }),
      row({ name: "XML body split at every byte", req: xml(SQLI_XML_ATTR, SQLI_XML_ATTR.length), status: 403, ids: [942100, 949110] }),
      row({ name: "a benign XML body passes unchanged", req: xml('<?xml version="1.0"?><order id="42"><item qty="2">socks</item><!-- gift --></order>'), status: 200, upstreamBody: true }),
      row({ name: "a malformed XML body → 400 from 200002 (REQBODY_ERROR, as libxml2 refuses it)", req: xml("<root><a></b></root>"), status: 400, ids: [200002] }),
      row({ name: "an undefined entity is not well-formed → 400", req: xml("<root>&evil;</root>"), status: 400, ids: [200002] }),
      row({ name: "an XML Content-Type with an empty body → 400 from 200002 (libxml2: Document is empty, as ModSecurity 3)", req: xml(""), status: 400, ids: [200002] }),
      row({ name: "path traversal ../../etc/passwd → 930xxx", req: { path: `/download?file=${q("../../etc/passwd")}` }, status: 403, ids: [930120, 949110] }),
      row({ name: "a scanner User-Agent → 913100", req: { path: "/", headers: [["user-agent", "sqlmap/1.8.2#stable (https://sqlmap.org)"]] }, status: 403, ids: [913100, 949110] }),
      row({ name: "an SSE request is inspected too (Higress skips it by the Accept header)", req: { path: `/?q=${q("<script>alert(1)</script>")}`, headers: [["accept", "text/event-stream"]] }, status: 403, ids: [941110] }),
      // libinjection's fingerprint (@detectSQLi, 942100) catches it at PL1; the regex rules only at PL2.
      row({ name: "1' OR '1'='1 → 942100 (@detectSQLi) at PL1", req: { path: `/?id=${q("1' OR '1'='1")}` }, status: 403, ids: [942100, 949110], logs: ['[data "Matched Data: s&sos found within ARGS:id'] }),
      // The oracle's answers to CRS tests 920120-39, 922130-5 and 920470-12 (ModSecurity's base rules).
      row({ name: "multipart: a part with an empty name is never closed → 400 (200002 Final boundary missing, 200003 invalid part), as ModSecurity (CRS 920120-39)", req: mp(`--XyZ\r\nContent-Disposition: form-data; name=""; filename=""\r\nContent-Type: application/octet-stream\r\n\r\nhelloworld\r\n--XyZ--\r\n`), status: 400, ids: [200002], logs: ["Multipart parsing error: Multipart: Final boundary missing."] }),
      row({ name: "multipart: a part without Content-Disposition → 400 from 200002, and nothing of the broken body reaches ARGS (CRS 922130-5)", req: mp(`--XyZ\r\nContent-!Disposition: form-data; name="file"; filename="1.php"\r\n\r\n<?php var_dump(file_get_contents("/etc/passwd")); ?>\r\n--XyZ--\r\n`), status: 400, ids: [200002] }),
      row({ name: "multipart: whitespace before the boundary value → 400 from 200003 (MULTIPART_BOUNDARY_WHITESPACE), even with no body (CRS 920470-12)", req: mp("", "multipart/form-data; boundary=  test_data_123456"), status: 400, ids: [200003], logs: ["BW 1,"] }),
      // The oracle's answer to CRS test 932230-55: 932340's pattern ends in `$`, the value in a line feed.
      row({ name: "time sh -c whoami + line feed → 932340 ($ before the line feed, as libmodsecurity 3; CRS 932230-55)", req: form("code=time+sh+-c+whoami%0A"), status: 403, ids: [932340, 949110] }),
      // The oracle's answer to CRS test 942431-4: with the recommended unicode map, U+2019 decodes to ' and libinjection sees s&s.
      row({ name: "U+2019 as a quote → 942100 (urlDecodeUni through code page 20127; CRS 942431-4)", req: form("id=%E2%80%99%20OR%20%E2%80%991%3d1%23%3b%2d%2d"), status: 403, ids: [942100] }),
      row({ name: "XSS by event handler <img src=x onerror=alert(1)> → 941100 (@detectXSS)", req: { path: `/?q=${q("<img src=x onerror=alert(1)>")}` }, status: 403, ids: [941100, 949110] }),
    ],
  },
  {
    name: "useCRS, paranoia level 2 set by secRules",
    config: { useCRS: true, secRules: ['SecAction "id:900000,phase:1,pass,nolog,setvar:tx.blocking_paranoia_level=2"'] },
    rows: [
      row({ name: "1' OR '1'='1 → 942xxx PL2 rules block", req: { path: `/?id=${q("1' OR '1'='1")}` }, status: 403, ids: [942180, 949110] }),
      // The oracle's answers to CRS tests 941190-2 (932200's chained `\s` meets a vertical tab),
      // 942480-12 (942330's `^…$` on one line of a value) and 932175-7 (942200's `"$` before a final line feed).
      row({ name: "a vertical tab is whitespace to 932200 (CRS 941190-2)", req: form("x=%3CSTYLE%3E%40im%5Cport%27%5Cja%0Basc%5Cript%3Aalert%28%27XSS%27%29%27%3B%3C%2FSTYLE%3E"), status: 403, ids: [932200] }),
      row({ name: "942330 matches one line of a value ('' between line feeds; CRS 942480-12)", req: { path: "/get/index.php?id=overlay(password%0aplacing%0a%27%27%0afrom%201%20for%200)::int" }, status: 403, ids: [942330] }),
      row({ name: "942200: a quote before the final line feed ends the value (CRS 932175-7)", req: form('"text=I%20see%2C%20so%20your%20alias%20is%20not%20%3D%20to%20your%20name"\n'), status: 403, ids: [942200] }),
      // A browser-like request: at PL2 a bare client (numeric Host 920350, no Accept 920300) adds up to 5.
      row({ name: "a benign browser GET still passes", req: { path: "/products?id=42", host: "shop.example.com", headers: [["accept", "text/html"], ["user-agent", "Mozilla/5.0"]] }, status: 200 }),
    ],
  },
  {
    name: "@rx read as libmodsecurity 3 reads PCRE (multi-line; \\s with the vertical tab)",
    config: pcre,
    rows: [
      row({ name: "^ matches after a line feed", req: { path: "/?a=a%0Ab" }, status: 471, ids: [401] }),
      row({ name: "^ is still the start of a value without one", req: { path: "/?a=ab" }, status: 200 }),
      row({ name: "$ matches before a final line feed", req: { path: "/?c=whoami%0A" }, status: 472, ids: [402] }),
      row({ name: "$ matches before an inner line feed", req: { path: "/?c=whoami%0Als" }, status: 472, ids: [402] }),
      row({ name: "$ is still the end of a value without one", req: { path: "/?c=whoamix" }, status: 200 }),
      row({ name: "\\s matches a vertical tab", req: { path: "/?d=a%0B" }, status: 473, ids: [403] }),
      row({ name: "\\S does not match a vertical tab", req: { path: "/?e=a%0B" }, status: 200 }),
      row({ name: "\\S matches a letter", req: { path: "/?e=ax" }, status: 474, ids: [404] }),
      row({ name: "[^\\s] does not match a vertical tab", req: { path: "/?f=a%0B" }, status: 200 }),
      row({ name: "[\\S] in a class: no vertical tab, the rest of a line each", req: { path: "/?g=x%0B" }, status: 200 }),
      row({ name: "[\\S]+$ on lines: the first line matches", req: { path: "/?g=xy%0Az%20z" }, status: 476, ids: [406] }),
    ],
  },
  {
    name: "SecUnicodeMapFile unicode.mapping 20127 (the oracle's urlDecodeUni, measured)",
    config: unimap(true),
    rows: [
      row({ name: "%u2019 (right single quotation mark) → '", req: { path: "/?u=%25u2019" }, status: 481, ids: [411] }),
      row({ name: "%uff1f (full-width ?, no entry) → ? as without a map", req: { path: "/?w=%25uff1f" }, status: 482, ids: [412] }),
      row({ name: "%u4e2d (no entry) → its low byte", req: { path: "/?x=%25u4e2d" }, status: 483, ids: [413] }),
    ],
  },
  {
    name: "urlDecodeUni without a unicode map",
    config: unimap(false),
    rows: [
      row({ name: "%u2019 → its low byte, not '", req: { path: "/?u=%25u2019" }, status: 200 }),
      row({ name: "%uff1f → ? (full-width ASCII)", req: { path: "/?w=%25uff1f" }, status: 482, ids: [412] }),
    ],
  },
  {
    name: "multipart strictness (ModSecurity's MULTIPART_* flags and rules 200002–200004)",
    config: strictness,
    rows: [
      row({ name: "a clean body passes unchanged", req: mp(`--XyZ\r\n${FIELD}\r\n\r\nline 1\r\nline 2\r\n--XyZ--\r\n`), status: 200, upstreamBody: true }),
      row({ name: "the same body split at every byte", req: mp(`--XyZ\r\n${FIELD}\r\n\r\nv\r\n--XyZ--\r\n`, undefined, 40), status: 200 }),
      row({ name: "a quoted boundary → MULTIPART_BOUNDARY_QUOTED", req: mp(`--XyZ\r\n${FIELD}\r\n\r\nv\r\n--XyZ--\r\n`, 'multipart/form-data; boundary="XyZ"'), status: 461, ids: [301] }),
      row({ name: "whitespace after boundary= → MULTIPART_BOUNDARY_WHITESPACE", req: mp("", "multipart/form-data; boundary= XyZ"), status: 462, ids: [302] }),
      row({ name: "no semicolon before boundary → MULTIPART_MISSING_SEMICOLON", req: mp(`--XyZ\r\n${FIELD}\r\n\r\nv\r\n--XyZ--\r\n`, "multipart/form-data boundary=XyZ"), status: 463, ids: [303] }),
      row({ name: "data before the first boundary → MULTIPART_DATA_BEFORE", req: mp(`preamble\r\n--XyZ\r\n${FIELD}\r\n\r\nv\r\n--XyZ--\r\n`), status: 464, ids: [304] }),
      row({ name: "data after the final boundary → MULTIPART_DATA_AFTER", req: mp(`--XyZ\r\n${FIELD}\r\n\r\nv\r\n--XyZ--\r\nepilogue`), status: 465, ids: [305] }),
      row({ name: "a folded part header → MULTIPART_HEADER_FOLDING", req: mp(`--XyZ\r\nContent-Disposition: form-data;\r\n name="a"\r\n\r\nv\r\n--XyZ--\r\n`), status: 466, ids: [306] }),
      row({ name: "bare LF line ends → MULTIPART_LF_LINE", req: mp(`--XyZ\n${FIELD}\n\nv\n--XyZ--\n`), status: 467, ids: [307] }),
      row({ name: "a single-quoted name → MULTIPART_INVALID_QUOTING", req: mp(`--XyZ\r\nContent-Disposition: form-data; name='a'\r\n\r\nv\r\n--XyZ--\r\n`), status: 468, ids: [308] }),
      row({ name: "a boundary where part data should begin → MULTIPART_INVALID_PART", req: mp(`--XyZ\r\nContent-Disposition: form-data; name=""\r\n\r\nv\r\n--XyZ--\r\n`), status: 469, ids: [309] }),
      row({ name: "a boundary-like line and no final boundary → MULTIPART_UNMATCHED_BOUNDARY 1 (200004)", req: mp(`--XyZ\r\n${FIELD}\r\n\r\nv\r\n--AbC--\r\n`), status: 470, ids: [310] }),
      row({ name: "a boundary-like line before the real final boundary → 2 (not 200004's 1); the body parses", req: mp(`--XyZ\r\n${FIELD}\r\n\r\nv\r\n--AbC\r\n--XyZ--\r\n`), status: 200 }),
      row({ name: "a form field keeps its line breaks (libmodsecurity 3.0.9 drops them) and not the one before the boundary", req: mp(`--XyZ\r\nContent-Disposition: form-data; name="b"\r\n\r\none\r\ntwo\r\n--XyZ--\r\n`), status: 423, ids: [312] }),
      row({ name: "a field in a body that did not parse is not in ARGS_POST → 400 (200002), not 422", req: mp(`--XyZ\r\n${FIELD}\r\n\r\nevil\r\n`), status: 400, ids: [200002], logs: ["Multipart: Final boundary missing."] }),
      row({ name: "the same field in a body that parsed → 422", req: mp(`--XyZ\r\n${FIELD}\r\n\r\nevil\r\n--XyZ--\r\n`), status: 422, ids: [311] }),
      row({ name: "no boundary line at all: data before any boundary (MULTIPART_DATA_BEFORE)", req: mp("just text\r\n"), status: 464, ids: [304] }),
    ],
  },
  {
    name: "useCRS with exclusions in secRules",
    config: {
      useCRS: true,
      secRules: [
        'SecRule REQUEST_FILENAME "@beginsWith /cms/save" "id:1001,phase:1,pass,nolog,ctl:ruleRemoveById=941000-941999"',
        "SecRuleRemoveById 913100",
      ],
    },
    rows: [
      row({ name: "ctl:ruleRemoveById lets the CMS post HTML", req: { path: `/cms/save?html=${q("<script>track()</script>")}` }, status: 200 }),
      row({ name: "the same HTML elsewhere is blocked", req: { path: `/comments?html=${q("<script>track()</script>")}` }, status: 403, ids: [941110] }),
      row({ name: "SecRuleRemoveById after CRS removes the scanner rule", req: { path: "/", headers: [["user-agent", "sqlmap/1.8.2"]] }, status: 200 }),
    ],
  },
];

export const table: PluginTable = {
  plugin: "waf",
  groups,
  badConfigs: [
    { name: "an unknown directive: line and reason", config: { secRules: ["SecRuleEngine On", "SecFoo bar"] }, message: "secRules[1]:1: unknown directive 'SecFoo'" },
    { name: "a bad line inside a multi-line entry", config: { secRules: ["SecRuleEngine On\nSecRule ARGS \"@rx a\" \"id:5,phase:9\""] }, message: "secRules[0]:2: phase must be" },
    { name: "a rule without an id", config: { secRules: ['SecRule ARGS "@rx x" "phase:1,deny"'] }, message: "secRules[0]:1: rule has no id" },
    { name: "a pattern RE2 cannot compile", config: { secRules: ['SecRule ARGS "@rx (a" "id:1,deny"'] }, message: "secRules[0]:1: bad @rx pattern" },
    { name: "a unicode map other than code page 20127", config: { secRules: ["SecUnicodeMapFile unicode.mapping 1252"] }, message: "only code page 20127 is built in" },
    { name: "Include is refused", config: { secRules: ["Include /etc/modsecurity/crs.conf"] }, message: "Include is not supported" },
    { name: "an unknown variable", config: { secRules: ['SecRule NOPE "@rx x" "id:1,deny"'] }, message: "unknown variable 'NOPE'" },
    { name: "secRules not an array of strings", config: { secRules: "SecRuleEngine On" }, message: "secRules must be an array of strings" },
  ],
};
