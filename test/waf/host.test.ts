// The proxies in front of the two WAFs, measured bare (harness/src/waf-host.ts): what Envoy (no
// plugin) and the oracle's nginx (no ModSecurity) answer themselves or change before a WAF sees a
// request. docs/waf.md's host causes are these measurements, run on every disagreement.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ProxyMirror } from "../../harness/src/waf-host.js";

let envoy: ProxyMirror;
let nginx: ProxyMirror;

beforeAll(async () => {
  [envoy, nginx] = await Promise.all([ProxyMirror.envoy(), ProxyMirror.nginx()]);
});

afterAll(async () => {
  await envoy?.stop();
  await nginx?.stop();
});

const req = (line: string, headers: string[]) => Buffer.from(`${line}\r\n${[...headers, "Connection: close"].join("\r\n")}\r\n\r\n`, "latin1");

describe("bare proxies", () => {
  it("nginx drops a header name with an underscore; Envoy passes it", async () => {
    const r = req("GET /x HTTP/1.1", ["Host: localhost", "X_Filename: a.php"]);
    expect((await nginx.through(r)).changes).toEqual(["dropped X_Filename"]);
    expect((await envoy.through(r)).changes).toEqual([]);
  });

  it("Envoy drops a Referer that is not a valid URL; nginx passes it", async () => {
    const r = req("GET /x HTTP/1.1", ["Host: localhost", "Referer: https://example.com/?q=1 waitfor delay '0:0:15' --"]);
    expect((await envoy.through(r)).changes).toEqual(["dropped Referer"]);
    expect((await nginx.through(r)).changes).toEqual([]);
  });

  it("Envoy with accept_http_10 forwards HTTP/1.0, also HTTP/0.9 and HTTP/4.0 request lines, and answers an HTTP/1.0 request without Host 400 itself", async () => {
    const open = await ProxyMirror.envoy({ acceptHttp10: true });
    try {
      for (const version of ["HTTP/1.0", "HTTP/0.9", "HTTP/4.0"]) {
        const f = await open.through(req(`GET /x ${version}`, ["Host: localhost"]));
        expect(f.answered, version).toBeUndefined();
        expect(f.changes, version).toEqual(version === "HTTP/1.0" ? [] : [`forwarded a '${version}' request line (HTTP/1.1 upstream)`]);
        expect(f.request?.toString("latin1")).toMatch(/^GET \/x HTTP\/1\.1\r\nhost: localhost\r\n/);
      }
      expect((await open.through(req("GET /x HTTP/1.0", []))).answered).toBe(400);
      expect((await open.through(req("GET /x HTTP/1.1", ["Host: localhost"]))).changes).toEqual([]);
    } finally {
      await open.stop();
    }
  });

  it("Envoy answers HTTP/1.0 itself (426); nginx forwards it", async () => {
    const r = req("GET /x HTTP/1.0", ["Host: localhost"]);
    expect((await envoy.through(r)).answered).toBe(426);
    const n = await nginx.through(r);
    expect(n.answered).toBeUndefined();
    expect(n.request?.toString("latin1")).toMatch(/^GET \/x HTTP\/1\.1\r\n/);
  });
});
