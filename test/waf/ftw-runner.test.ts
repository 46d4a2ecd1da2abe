// The go-ftw runner: it reads every vendored CRS test file, builds requests with the bytes go-ftw
// v2 puts on the wire (ftwhttp/request.go: sorted `headers`, autocompleted Content-Type,
// Connection and Content-Length, form-data query-escaping, multipart CRLFs, templates,
// encoded_request), and judges a fixed sample of tests against the ModSecurity oracle with the
// results CRS's test set-up gives there (docs/waf.md).
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyOverrides, buildFtwRequest, loadFtwFiles, loadOverrides, runFtw, testName, type FtwTest } from "../../harness/src/ftw.js";
import { CRS_DIR, startModSecurity, type ModSecurity } from "../../harness/src/modsecurity.js";
import { WafUpstream } from "../../harness/src/waf-upstream.js";

const root = join(CRS_DIR, "tests", "regression", "tests");
// Only the files the byte and sample tests use; the first test parses them all.
const used = new Set(["942100", "922110", "920290", "920181", "920430", "920400", "920100", "911100", "913100", "920270", "920350", "921110", "930100", "930110", "931100", "932160", "932230", "933100", "933160", "934100", "941100", "941110", "942190", "943100", "944100", "949110", "951110", "953100", "959100", "980170"]);
const byName = new Map(loadFtwFiles(root, (f) => used.has(f.replace(/\.y\w*ml$/, ""))).flatMap((f) => f.tests.map((t) => [testName(t), t] as const)));
const test = (name: string): FtwTest => {
  const t = byName.get(name);
  if (!t) throw new Error(`no test ${name}`);
  return t;
};
const ACCEPT = "text/xml,application/xml,application/xhtml+xml,text/html;q=0.9,text/plain;q=0.8,image/png,*/*;q=0.5";

describe("go-ftw YAML files", () => {
  it("parses every vendored test file (CRS v4.28.0: 323 files, 5,003 tests, 5,009 stages)", () => {
    const files = loadFtwFiles(root);
    const tests = files.flatMap((f) => f.tests);
    expect(files.length).toBe(323);
    expect(files.filter((f) => f.tests.length > 0).length).toBe(322);
    expect(tests.length).toBe(5003);
    expect(tests.reduce((n, t) => n + t.stages.length, 0)).toBe(5009);
    // Each test is named once.
    expect(new Set(tests.map(testName)).size).toBe(5003);
  });
});

describe("request bytes, as go-ftw sends them", () => {
  it("942100-1: headers sorted by name, Content-Type/Connection/Content-Length appended, form data query-escaped", () => {
    expect(buildFtwRequest(test("942100-1").stages[0].input).toString("latin1")).toBe(
      `POST /post HTTP/1.1\r\nAccept: ${ACCEPT}\r\nHost: localhost\r\nUser-Agent: OWASP CRS test agent\r\nContent-Type: application/x-www-form-urlencoded\r\nConnection: close\r\nContent-Length: 17\r\n\r\nvar=1234+OR+1%3D1`,
    );
  });

  it("922110-5: multipart bodies get CRLF line ends, Content-Length counts them", () => {
    const body = `------WebKitFormBoundary\r\nContent-Disposition: form-data; name="field1"\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nvalue1\r\n------WebKitFormBoundary\r\nContent-Disposition: form-data; name="field2"\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nvalue2\r\n------WebKitFormBoundary--\r\n`;
    expect(buildFtwRequest(test("922110-5").stages[0].input).toString("latin1")).toBe(
      `POST / HTTP/1.1\r\nContent-Type: multipart/form-data; boundary=----WebKitFormBoundary\r\nHost: localhost\r\nUser-Agent: OWASP CRS Tests\r\nConnection: close\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
    );
  });

  it("920290-4: encoded_request is sent as decoded, nothing added", () => {
    expect(buildFtwRequest(test("920290-4").stages[0].input).toString("latin1")).toBe("GET / HTTP/1.0\r\nHost:\r\n\r\n");
  });

  it("920181-1: autocomplete_headers false sends the headers and data untouched", () => {
    expect(buildFtwRequest(test("920181-1").stages[0].input).toString("latin1")).toBe(
      `POST /anything HTTP/1.1\r\nAccept: ${ACCEPT}\r\nContent-Length: 7\r\nContent-Type: application/x-www-form-urlencoded\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\nUser-Agent: OWASP CRS test agent\r\n\r\n7\r\nfoo=bar\r\n0\r\n\r\n`,
    );
  });

  it("920430-5: an empty version leaves the request line ending in a space", () => {
    expect(buildFtwRequest(test("920430-5").stages[0].input).toString("latin1")).toBe(`GET / \r\nAccept: ${ACCEPT}\r\nHost: localhost\r\nUser-Agent: OWASP CRS test agent\r\nConnection: close\r\n\r\n`);
  });

  it("920400-1: the Sprig `repeat` template expands; a given Content-Length is kept", () => {
    const bytes = buildFtwRequest(test("920400-1").stages[0].input).toString("latin1");
    expect(bytes).toContain(`Content-Type: text/plain\r\n${"1".repeat(64200)}\r\n----------111111111--\r\n`);
    expect(bytes.match(/Content-Length: \d+/g)).toEqual(["Content-Length: 64200"]);
  });

  it("a GET without data gets Connection: close and no Content-Length (911100-1 is a GET with default fields)", () => {
    const bytes = buildFtwRequest({ headers: { Host: "localhost", "User-Agent": "x" } }).toString("latin1");
    expect(bytes).toBe("GET / HTTP/1.1\r\nHost: localhost\r\nUser-Agent: x\r\nConnection: close\r\n\r\n");
  });
});

describe("nginx-overrides.yaml", () => {
  it("replaces the whole output of the tests it names", () => {
    const overrides = loadOverrides(join(CRS_DIR, "tests", "regression", "nginx-overrides.yaml"));
    const { test: t, override } = applyOverrides(test("920100-4"), overrides);
    expect(override?.reason).toMatch(/400/);
    expect(t.stages[0].output).toMatchObject({ status: 400 });
    expect(t.stages[0].output.log?.expect_ids).toBeUndefined();
    expect(applyOverrides(test("942100-1"), overrides).override).toBeUndefined();
  });
});

// A fixed sample across rule files, run as CRS's test set-up does (900005: DetectionOnly,
// blocking PL4, the test limits). `false` marks a test the oracle is known to fail (docs/waf.md).
const SAMPLE: Record<string, boolean> = {
  "911100-1": true, "911100-2": true, "913100-1": true, "913100-2": true,
  "920100-4": true, "920181-1": true, "920270-4": true, "920290-4": true, "920350-1": true, "920430-5": true,
  "921110-1": true, "922110-5": false, "930100-1": true, "930110-1": true, "931100-1": true,
  "932160-1": true, "932230-1": true, "933100-1": true, "933160-1": true, "934100-1": true,
  "941100-1": true, "941110-1": true, "942100-1": true, "942100-2": true, "942190-1": true,
  "943100-1": true, "944100-1": true, "949110-1": true, "951110-1": true, "953100-1": true,
  "959100-3": true, "980170-1": true,
};

describe("a fixed sample of 32 tests against the ModSecurity oracle", () => {
  let upstream: WafUpstream;
  let waf: ModSecurity;
  beforeAll(async () => {
    upstream = await WafUpstream.start();
    waf = await startModSecurity({
      upstreamPort: upstream.port,
      extraDirectives: `SecAction "id:900005,phase:1,nolog,pass,ctl:ruleEngine=DetectionOnly,ctl:ruleRemoveById=910000,setvar:tx.blocking_paranoia_level=4,setvar:tx.crs_validate_utf8_encoding=1,setvar:tx.arg_name_length=100,setvar:tx.arg_length=400,setvar:tx.total_arg_length=64000,setvar:tx.max_num_args=255,setvar:tx.max_file_size=64100,setvar:tx.combined_file_sizes=65535"`,
    });
  });
  afterAll(async () => {
    await waf?.stop();
    await upstream?.stop();
  });

  it("gives each test its known outcome", async () => {
    const overrides = loadOverrides(join(CRS_DIR, "tests", "regression", "nginx-overrides.yaml"));
    const results = await runFtw(waf, Object.keys(SAMPLE).map(test), overrides);
    const got = Object.fromEntries(results.map((r) => [testName(r.test), r.pass]));
    const why = results.filter((r) => r.pass !== SAMPLE[testName(r.test)]).map((r) => `${testName(r.test)}: ${r.reason ?? "passed"} [${r.ids.join(",")}]`);
    expect(why).toEqual([]);
    expect(got).toEqual(SAMPLE);
    // Files from 12 rule files, request and response side.
    expect(new Set(results.map((r) => r.test.group)).size).toBeGreaterThanOrEqual(12);
  });
});
