// The oracle itself: nginx + libmodsecurity3 with the vendored CRS at its defaults (PL1,
// blocking) stops a classic SQL injection and XSS with the CRS rules that name them, lets a
// plain request through, and leaves no process behind; and the readings of libmodsecurity 3.0.9
// that docs/waf.md cites as causes of disagreements, each shown on probe rules.
import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startModSecurity, type ModSecurity } from "../../harness/src/modsecurity.js";
import { WafUpstream } from "../../harness/src/waf-upstream.js";
import { exchange } from "../../harness/src/waf-wire.js";

let upstream: WafUpstream;
let waf: ModSecurity;

beforeAll(async () => {
  upstream = await WafUpstream.start();
  // Throws one line naming the missing packages when nginx/ModSecurity is not installed.
  waf = await startModSecurity({ upstreamPort: upstream.port });
});

afterAll(async () => {
  await waf?.stop();
  await upstream?.stop();
});

const get = (target: string, extra = "") =>
  Buffer.from(`GET ${target} HTTP/1.1\r\nHost: localhost\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0\r\nAccept: text/html\r\n${extra}Connection: close\r\n\r\n`, "latin1");

async function send(marker: string, request: Buffer) {
  await waf.begin(marker);
  const res = await exchange(waf.host, waf.port, request);
  return { status: res.status, ids: await waf.idsFor(marker) };
}

describe("ModSecurity oracle (CRS v4.28.0, PL1, blocking)", () => {
  it("blocks a classic SQL injection with 942100 (libinjection) and the anomaly score rule 949110", async () => {
    const r = await send("sqli", get("/search?id=1%27%20OR%20%271%27%3D%271"));
    expect(r.status).toBe(403);
    expect([...r.ids]).toEqual(expect.arrayContaining([942100, 949110]));
  });

  it("blocks a classic XSS in a form body with 941100 (libinjection) and 949110", async () => {
    const body = "comment=%3Cscript%3Ealert(1)%3C%2Fscript%3E";
    const req = Buffer.from(`POST /post HTTP/1.1\r\nHost: localhost\r\nUser-Agent: Mozilla/5.0\r\nAccept: */*\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`, "latin1");
    const r = await send("xss", req);
    expect(r.status).toBe(403);
    expect([...r.ids]).toEqual(expect.arrayContaining([941100, 941110, 949110]));
  });

  it("passes a benign request to the upstream with no rule logged", async () => {
    const before = upstream.requests;
    const r = await send("benign", get("/products/view?item=blue+shoes&size=10", "Cookie: session=abc123\r\n"));
    expect(r.status).toBe(200);
    expect([...r.ids]).toEqual([]);
    // The start marker, the request and the end marker reached the upstream.
    expect(upstream.requests - before).toBeGreaterThanOrEqual(3);
  });

  it("stop() ends nginx and removes its directory", async () => {
    const other = await startModSecurity({ upstreamPort: upstream.port });
    const { pid, dir } = other;
    expect(() => process.kill(pid, 0)).not.toThrow();
    await other.stop();
    expect(() => process.kill(pid, 0)).toThrow();
    expect(existsSync(dir)).toBe(false);
  });
});

/** Probe rules after the CRS, each logging its id when it matches (pass, phase 2). */
const PROBES = [
  // @pm: one automaton over the phrases; `.env` alone is found in secrets.env, not beside secrets.json.
  'SecRule ARGS:pm1 "@pm .env" "id:5001,phase:2,pass,log,t:none"',
  'SecRule ARGS:pm2 "@pm .env secrets.json" "id:5002,phase:2,pass,log,t:none"',
  // @rx is compiled multi-line: ^ after a line feed, $ before one.
  'SecRule ARGS:rx1 "@rx ^b" "id:5003,phase:2,pass,log,t:none"',
  'SecRule ARGS:rx2 "@rx a$" "id:5004,phase:2,pass,log,t:none"',
  // \s includes the vertical tab.
  'SecRule ARGS:rx3 "@rx ^a\\s" "id:5005,phase:2,pass,log,t:none"',
  // A chain whose second link fails: logged anyway when the first link is multiMatch.
  'SecRule ARGS:ch "@rx ^(\\w+)!=(\\w+)$" "id:5006,phase:2,pass,log,capture,multiMatch,t:none,t:urlDecodeUni,chain"',
  '  SecRule TX:1 "!@streq %{TX.2}" "t:none"',
  'SecRule ARGS:ch "@rx ^(\\w+)!=(\\w+)$" "id:5007,phase:2,pass,log,capture,t:none,chain"',
  '  SecRule TX:1 "!@streq %{TX.2}" "t:none"',
].join("\n");

describe("libmodsecurity 3.0.9's readings that docs/waf.md cites", () => {
  let probe: ModSecurity;
  beforeAll(async () => {
    // DetectionOnly: no CRS rule stops a probe request before the probe rules run.
    probe = await startModSecurity({ upstreamPort: upstream.port, extraDirectives: 'SecAction "id:900005,phase:1,nolog,pass,ctl:ruleEngine=DetectionOnly"', afterRules: PROBES });
  });
  afterAll(async () => {
    await probe?.stop();
  });
  const ids = async (marker: string, query: string) => {
    await probe.begin(marker);
    await exchange(probe.host, probe.port, get(`/?${query}`));
    return [...(await probe.idsFor(marker))].filter((i) => i >= 5000 && i < 5100).sort();
  };

  it("@pm finds .env in secrets.env alone, but not beside the phrase secrets.json (CRS 930140-13)", async () => {
    expect(await ids("pm", "pm1=secrets.env&pm2=secrets.env")).toEqual([5001]);
  });

  it("@rx is multi-line: ^ matches after a line feed, $ before one", async () => {
    expect(await ids("rx", "rx1=a%0Ab&rx2=a%0Ab")).toEqual([5003, 5004]);
  });

  it("@rx \\s matches a vertical tab", async () => {
    expect(await ids("vt", "rx3=a%0B")).toEqual([5005]);
  });

  it("a multiMatch chain whose second link fails is logged (11!=11: TX.1 equals TX.2); without multiMatch it is not", async () => {
    expect(await ids("chain", "ch=11!=11")).toEqual([5006]);
  });
});
