// sluice new → sluice build → (the generated test passes) → sluice run → a request through Envoy
// shows the new plugin's effect; config edits reload without dropping an open connection.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer as createHttpsServer, type Server as HttpsServer } from "node:https";
import { tmpdir } from "node:os";
import { Agent, request } from "node:http";
import { createServer as createNetServer, type AddressInfo } from "node:net";
import { join } from "node:path";
import { RecordingUpstream } from "../../harness/src/index.js";
import { buildCli, cliBundle, repoRoot, sluice, scratchWorkspace } from "./helpers.js";

const PLUGIN = "greeter";
let ws: string;
let upstream: RecordingUpstream;

beforeAll(async () => {
  buildCli();
  ws = scratchWorkspace();
  upstream = await RecordingUpstream.start();
}, 60_000);

afterAll(async () => {
  await upstream?.stop();
  if (ws) rmSync(ws, { recursive: true, force: true });
});

/** A running `sluice run`, its output collected as it streams. */
class Run {
  out = "";
  err = "";
  url = "";
  admin = "";
  readonly exited: Promise<number | null>;
  constructor(readonly proc: ChildProcess) {
    proc.stdout!.on("data", (d) => (this.out += d));
    proc.stderr!.on("data", (d) => (this.err += d));
    this.exited = new Promise((r) => proc.on("exit", (code) => r(code)));
  }
  static async start(args: string[]): Promise<Run> {
    const r = new Run(spawn(process.execPath, [cliBundle, "run", ...args], { cwd: ws, stdio: ["ignore", "pipe", "pipe"] }));
    const m = await r.waitOut(/listening on (http:\/\/127\.0\.0\.1:\d+) .*\(admin (http:\/\/[\d.:]+)\)/, 60_000);
    r.url = m[1];
    r.admin = m[2];
    return r;
  }
  /** Waits for `re` in what was printed after offset `from` (default: everything). */
  async waitOut(re: RegExp, ms = 15_000, stream: "out" | "err" = "out", from = 0): Promise<RegExpExecArray> {
    const until = Date.now() + ms;
    for (;;) {
      const m = re.exec(this[stream].slice(from));
      if (m) return m;
      if (Date.now() > until) throw new Error(`no ${re} in ${stream}:\n${this.out}\n--- stderr ---\n${this.err.slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

const agent = new Agent({ keepAlive: true, maxSockets: 1 });
function get(url: string): Promise<{ status: number; headers: Record<string, unknown>; port: number }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent }, (res) => {
      res.resume();
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, port: req.socket!.localPort! }));
    });
    req.on("error", reject);
    req.end();
  });
}

const oneLine = (s: string) => s.trim().split("\n");

describe("sluice new → build → run", () => {
  it("new: scaffolds a plugin package, refuses bad names and overwrites", async () => {
    // What a shell has after a clone: no node_modules/.bin on PATH (vitest's npx run adds it).
    const PATH = (process.env.PATH ?? "").split(":").filter((d) => !d.includes("node_modules")).join(":");
    const r = await sluice(["new", PLUGIN], { cwd: ws, env: { PATH } });
    expect(r.code).toBe(0);
    for (const f of ["assembly/index.ts", "package.json", "README.md", "config.yaml", "test/envoy.test.ts"]) expect(existsSync(join(ws, "plugins", PLUGIN, f))).toBe(true);
    const readme = readFileSync(join(ws, "plugins", PLUGIN, "README.md"), "utf8");
    expect(readme).toMatch(/\| `value` \| string \| yes \|/);
    // The README's command names the config.yaml that `new` wrote, as seen from where it ran.
    expect(readme).toContain("npx sluice run greeter --config plugins/greeter/config.yaml --upstream");
    expect(readFileSync(join(ws, "plugins", PLUGIN, "config.yaml"), "utf8")).toMatch(/^header: x-greeting\nvalue: hello\n/m);
    // `sluice` is not on PATH here (npx puts it there only while it runs): say how to call it.
    expect(r.stdout).toContain("next: npx sluice build greeter && npx vitest run plugins/greeter");
    const withBin = await sluice(["new", "on-path"], { cwd: ws, env: { PATH: `${join(repoRoot, "node_modules", ".bin")}:${PATH}` } });
    expect(withBin.stdout).toContain("next: sluice build on-path && ");
    rmSync(join(ws, "plugins", "on-path"), { recursive: true, force: true });
    const again = await sluice(["new", PLUGIN], { cwd: ws });
    expect(again.code).not.toBe(0);
    expect(oneLine(again.stderr)).toEqual(["sluice new: plugins/greeter already exists; not overwriting it"]);
    for (const bad of ["Greeter", "my_plugin", "-x", "2fast", "a--b", "trailing-"]) {
      const b = await sluice(["new", "--", bad], { cwd: ws });
      expect(b.code, bad).not.toBe(0);
      expect(oneLine(b.stderr), bad).toEqual([expect.stringMatching(/^sluice new: invalid plugin name/)]);
    }
  });

  it("build: both targets with sizes", async () => {
    const r = await sluice(["build", PLUGIN], { cwd: ws });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    // One progress line per module as it finishes: [done/total] name target size time  path.
    expect(r.stdout).toMatch(/^\[[12]\/2\] ✓ greeter envoy \d+\.\d KiB \d+\.\d s  plugins\/greeter\/build\/envoy\.wasm$/m);
    expect(r.stdout).toMatch(/^\[[12]\/2\] ✓ greeter higress \d+\.\d KiB \d+\.\d s  plugins\/greeter\/build\/higress\.wasm$/m);
    // Nothing changed: both modules are kept, not recompiled (the files are not rewritten).
    const before = statSync(join(ws, "plugins", PLUGIN, "build", "envoy.wasm")).mtimeMs;
    const again = await sluice(["build", PLUGIN], { cwd: ws });
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^\[[12]\/2\] ✓ greeter envoy \d+\.\d KiB \(up to date\)  plugins\/greeter\/build\/envoy\.wasm$/m);
    expect(again.stdout).toMatch(/^\[[12]\/2\] ✓ greeter higress \d+\.\d KiB \(up to date\)/m);
    expect(statSync(join(ws, "plugins", PLUGIN, "build", "envoy.wasm")).mtimeMs).toBe(before);
    // --force compiles anyway.
    const forced = await sluice(["build", PLUGIN, "--target", "envoy", "--force"], { cwd: ws });
    expect(forced.stdout).toMatch(/^\[1\/1\] ✓ greeter envoy \d+\.\d KiB \d+\.\d s /m);
    expect(statSync(join(ws, "plugins", PLUGIN, "build", "envoy.wasm")).mtimeMs).toBeGreaterThan(before);
  }, 300_000);

  it("the generated test passes as generated", async () => {
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("VITEST") && k !== "NODE_OPTIONS" && k !== "TEST"));
    env.NO_COLOR = "1";
    const r = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const p = spawn(process.execPath, [join(repoRoot, "node_modules", "vitest", "vitest.mjs"), "run", "--root", ws, "--dir", `plugins/${PLUGIN}`, "--testTimeout", "60000", "--hookTimeout", "60000"], { cwd: ws, env, stdio: ["ignore", "pipe", "pipe"] });
      let out = "";
      p.stdout!.on("data", (d) => (out += d));
      p.stderr!.on("data", (d) => (out += d));
      p.on("close", (code) => resolve({ code, out }));
    });
    expect(r.out.replace(/\x1b\[[0-9;]*m/g, "")).toMatch(/Tests\s+2 passed \(2\)/);
    expect(r.code).toBe(0);
  }, 120_000);

  it("run: the plugin's header on responses; edits reload on the same open connection", async () => {
    const cfg = join(ws, "greeter.yaml");
    writeFileSync(cfg, "header: x-greeting\nvalue: hello\n");
    const run = await Run.start([PLUGIN, "--config", "greeter.yaml", "--upstream", `http://127.0.0.1:${upstream.port}`, "--port", "0", "--no-build", "--logs"]);
    // Envoy's own wasm housekeeping (VM and context creation, logged before it is ready) is not shown.
    expect(run.err).not.toMatch(/\]\[(debug|info|trace)\]\[wasm\](?!.* wasm log )/);
    try {
      const first = await get(`${run.url}/hi`);
      expect(first.status).toBe(200);
      expect(first.headers["x-greeting"]).toBe("hello");
      expect(upstream.last?.path).toBe("/hi");
      // --logs: the plugin's log lines are streamed (debug level by default).
      await run.waitOut(/wasm log greeter.*\[greeter\] \[nil\] \[[^\]]+\] added x-greeting/, 5000, "err");

      // A request in flight while the configuration changes completes normally.
      const slowAgent = new Agent({ keepAlive: true, maxSockets: 1 });
      const slow = new Promise<number>((resolve, reject) => {
        const req = request(`${run.url}/delay/1500`, { agent: slowAgent }, (res) => {
          res.resume();
          res.on("end", () => resolve(res.statusCode ?? 0));
        });
        req.on("error", reject);
        req.end();
      });
      // Change the config only once the slow request is really in flight (at the upstream).
      for (let i = 0; i < 100 && !upstream.requests.some((q) => q.path === "/delay/1500"); i++) await new Promise((r) => setTimeout(r, 20));
      expect(upstream.requests.some((q) => q.path === "/delay/1500")).toBe(true);
      writeFileSync(cfg, "header: x-greeting\nvalue: again\n");
      await run.waitOut(/reloaded configuration \(version 2\)/);
      expect(await slow).toBe(200);
      slowAgent.destroy();
      // Envoy hands the new filter config to its worker just after it reports the update.
      let second = await get(`${run.url}/hi`);
      for (let i = 0; i < 50 && second.headers["x-greeting"] !== "again"; i++) {
        await new Promise((r) => setTimeout(r, 20));
        second = await get(`${run.url}/hi`);
      }
      expect(second.headers["x-greeting"]).toBe("again");
      expect(second.port).toBe(first.port); // same keep-alive connection, not dropped

      writeFileSync(cfg, "header: [oops\n");
      await run.waitOut(/sluice run: config file .*greeter\.yaml:\d+:\d+ is not valid YAML\/JSON: .*; keeping the previous configuration/, 5000, "err");
      writeFileSync(cfg, "header: x-greeting\n");
      await run.waitOut(/sluice run: the plugin refused the new configuration: .*'value' is required; keeping the previous configuration/, 10_000, "err");
      const third = await get(`${run.url}/hi`);
      expect(third.headers["x-greeting"]).toBe("again");
      expect(third.port).toBe(first.port);

      const mark = run.out.length;
      writeFileSync(cfg, '{"header": "x-other", "value": "json works too"}');
      await run.waitOut(/reloaded configuration \(version \d+\)/, 15_000, "out", mark);
      // Envoy hands the new filter config to its worker just after it reports the update.
      let fourth = await get(`${run.url}/hi`);
      for (let i = 0; i < 50 && fourth.headers["x-other"] === undefined; i++) {
        await new Promise((r) => setTimeout(r, 20));
        fourth = await get(`${run.url}/hi`);
      }
      expect(fourth.headers["x-other"]).toBe("json works too");
      expect(fourth.port).toBe(first.port);

      // Rebuilding the plugin swaps the module in too.
      const src = join(ws, "plugins", PLUGIN, "assembly", "index.ts");
      writeFileSync(src, readFileSync(src, "utf8").replace("this.config.value);", 'this.config.value + " (rebuilt)");'));
      const b = await sluice(["build", PLUGIN, "--target", "envoy"], { cwd: ws });
      expect(b.code).toBe(0);
      await run.waitOut(/reloaded plugin module \(version \d+\)/, 15_000);
      let fifth = await get(`${run.url}/hi`);
      for (let i = 0; i < 50 && fifth.headers["x-other"] !== "json works too (rebuilt)"; i++) {
        await new Promise((r) => setTimeout(r, 20));
        fifth = await get(`${run.url}/hi`);
      }
      expect(fifth.headers["x-other"]).toBe("json works too (rebuilt)");
      expect(fifth.port).toBe(first.port);
    } finally {
      agent.destroy();
      run.proc.kill("SIGTERM");
      expect(await run.exited).toBe(0);
    }
    await expect(fetch(`${run.admin}/ready`)).rejects.toThrow(); // Envoy is gone too
  }, 300_000);
});

describe("bad input, as a new user would try it", () => {
  it("build: compiler errors with file and line", async () => {
    const dir = join(ws, "plugins", "broken", "assembly");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "index.ts"), 'export * from "@sluice/sdk/exports";\nconst n: i32 = "five";\n');
    const r = await sluice(["build", "broken"], { cwd: ws });
    rmSync(join(ws, "plugins", "broken"), { recursive: true, force: true });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/^plugins\/broken\/assembly\/index\.ts:2:16: error TS2322: Type '~lib\/string\/String' is not assignable to type 'i32'\.$/m);
    expect(r.stderr.trim().split("\n").pop()).toBe("sluice build: build failed: 1 plugin did not compile");
  }, 120_000);

  it.each([
    ["build", ["build", "nope"]],
    ["run", ["run", "nope", "--config", "x.yaml", "--upstream", "http://127.0.0.1:1"]],
  ])("%s: unknown plugin", async (cmd, args) => {
    const r = await sluice(args, { cwd: ws });
    expect(r.code).not.toBe(0);
    expect(oneLine(r.stderr)).toEqual([expect.stringMatching(new RegExp(`^sluice ${cmd}: no plugin named 'nope' in .* \\(plugins: greeter\\)$`))]);
  });

  it.each([
    ["a missing file", "missing.yaml", null, /cannot read config file .*missing\.yaml: no such file/],
    ["a directory", "plugins", null, /cannot read config file .*plugins: it is a directory/],
    ["broken YAML", "bad.yaml", "header: x\n  value: [\n", /config file .*bad\.yaml:\d+:\d+ is not valid YAML\/JSON/],
    ["broken JSON", "bad.json", '{"header": "x",', /config file .*bad\.json:\d+:\d+ is not valid YAML\/JSON/],
    ["a list", "list.yaml", "- a\n- b\n", /config file .*list\.yaml must hold an object \(the plugin's configuration\), not a list/],
    ["a config the plugin refuses", "refused.yaml", "header: x-a\n", /the plugin refused the configuration in refused\.yaml: .*'value' is required/],
  ])("run: %s", async (_, file, content, why) => {
    if (content !== null) writeFileSync(join(ws, file), content);
    const r = await sluice(["run", PLUGIN, "--config", file, "--upstream", `http://127.0.0.1:${upstream.port}`, "--port", "0", "--no-build"], { cwd: ws });
    expect(r.code).not.toBe(0);
    const lines = r.stderr.split("\n").filter((l) => l.startsWith("sluice"));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(why);
  }, 60_000);

  it("run: a bad upstream URL and a bad port", async () => {
    writeFileSync(join(ws, "ok.yaml"), "value: v\n");
    const a = await sluice(["run", PLUGIN, "--config", "ok.yaml", "--upstream", "ftp://x"], { cwd: ws });
    expect(oneLine(a.stderr)).toEqual(["sluice run: --upstream 'ftp://x' must be an http:// or https:// URL"]);
    const b = await sluice(["run", PLUGIN, "--config", "ok.yaml", "--upstream", "http://127.0.0.1:1", "--port", "http"], { cwd: ws });
    expect(oneLine(b.stderr)).toEqual(["sluice run: --port must be an integer between 0 and 65535, not 'http'"]);
    const c = await sluice(["run", PLUGIN, "--upstream", "http://127.0.0.1:1"], { cwd: ws });
    expect(oneLine(c.stderr)).toEqual(["sluice run: run needs --config <file> (YAML or JSON plugin configuration)"]);
    const d = await sluice(["push", PLUGIN, "127.0.0.1:1/x:1", "--layout", "zip"], { cwd: ws });
    expect(oneLine(d.stderr)).toEqual(["sluice push: --layout must be compat or oci, not 'zip'"]);
    const e = await sluice(["push", PLUGIN, "127.0.0.1:1/X:1"], { cwd: ws });
    expect(oneLine(e.stderr)).toEqual([expect.stringMatching(/^sluice push: invalid image reference '127\.0\.0\.1:1\/X:1'/)]);
    // Usage errors, bad flag values included, exit 2 as docs/cli.md says.
    expect([a.code, b.code, c.code, d.code, e.code]).toEqual([2, 2, 2, 2, 2]);
  });

  it("run: a second sluice run on a busy port is one line, not a silent shared port", async () => {
    writeFileSync(join(ws, "ok.yaml"), "value: v\n");
    const first = await Run.start([PLUGIN, "--config", "ok.yaml", "--upstream", `http://127.0.0.1:${upstream.port}`, "--port", "0", "--no-build"]);
    try {
      const port = new URL(first.url).port;
      const second = await sluice(["run", PLUGIN, "--config", "ok.yaml", "--upstream", `http://127.0.0.1:${upstream.port}`, "--port", port, "--no-build"], { cwd: ws });
      expect(second.code).toBe(1);
      expect(oneLine(second.stderr)).toEqual([`sluice run: cannot listen on 127.0.0.1:${port}: address already in use`]);
      expect((await get(`${first.url}/still-there`)).status).toBe(200);
    } finally {
      first.proc.kill("SIGTERM");
      await first.exited;
    }
    // Without --logs the plugin's debug lines ("added x-greeting") stay out of the terminal.
    expect(first.err).not.toMatch(/wasm log/);
  }, 120_000);

  it("run: the listener port is taken", async () => {
    const busy = createNetServer();
    await new Promise<void>((r) => busy.listen(0, "127.0.0.1", r));
    const port = (busy.address() as AddressInfo).port;
    try {
      writeFileSync(join(ws, "ok.yaml"), "value: v\n");
      const r = await sluice(["run", PLUGIN, "--config", "ok.yaml", "--upstream", `http://127.0.0.1:${upstream.port}`, "--port", String(port), "--no-build"], { cwd: ws });
      expect(r.code).not.toBe(0);
      expect(r.stderr.split("\n").filter((l) => l.startsWith("sluice"))).toEqual([`sluice run: cannot listen on 127.0.0.1:${port}: address already in use`]);
    } finally {
      busy.close();
    }
  }, 60_000);

  it("unknown command and unknown flag", async () => {
    const a = await sluice(["publish"], { cwd: ws });
    expect(oneLine(a.stderr)).toEqual(["sluice publish: unknown command 'publish' (commands: new, build, test, run, push, deploy; see 'sluice help')"]);
    const b = await sluice(["build", "--fast"], { cwd: ws });
    expect(oneLine(b.stderr)).toEqual([expect.stringMatching(/^sluice build: Unknown option '--fast'/)]);
    expect(a.code).toBe(2);
    expect(b.code).toBe(2);
  });
});

describe("run: an https upstream's certificate is verified unless told otherwise", () => {
  let certs: string;
  let server: HttpsServer;
  let port = 0;
  beforeAll(async () => {
    // A private CA and a server certificate for 127.0.0.1 signed by it.
    certs = mkdtempSync(join(tmpdir(), "sluice-tls-"));
    const ssl = (...args: string[]) => execFileSync("openssl", args, { cwd: certs, stdio: "pipe" });
    ssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=sluice test CA");
    ssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1");
    writeFileSync(join(certs, "san.ext"), "subjectAltName=IP:127.0.0.1\n");
    ssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", "san.ext");
    server = createHttpsServer({ key: readFileSync(join(certs, "server.key")), cert: readFileSync(join(certs, "server.pem")) }, (_req, res) => res.end("secure"));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    port = (server.address() as AddressInfo).port;
    writeFileSync(join(ws, "tls.yaml"), "value: v\n");
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
    if (certs) rmSync(certs, { recursive: true, force: true });
  });

  it.each([
    ["the system CAs (default): refused", [], 503],
    ["--upstream-ca with the server's CA: accepted", ["--upstream-ca", "CA"], 200],
    ["--upstream-insecure: accepted without checking", ["--upstream-insecure"], 200],
  ])("%s", async (_, flags, status) => {
    const args = flags.map((f) => (f === "CA" ? join(certs, "ca.pem") : f));
    const run = await Run.start([PLUGIN, "--config", "tls.yaml", "--upstream", `https://127.0.0.1:${port}`, "--port", "0", "--no-build", ...args]);
    try {
      const r = await fetch(`${run.url}/x`);
      expect(r.status).toBe(status);
      if (status === 200) expect(await r.text()).toBe("secure");
    } finally {
      run.proc.kill("SIGTERM");
      await run.exited;
    }
  }, 90_000);

  it("a certificate for another name is refused even with the right CA", async () => {
    const run = await Run.start([PLUGIN, "--config", "tls.yaml", "--upstream", `https://localhost:${port}`, "--port", "0", "--no-build", "--upstream-ca", join(certs, "ca.pem")]);
    try {
      expect((await fetch(`${run.url}/x`)).status).toBe(503);
    } finally {
      run.proc.kill("SIGTERM");
      await run.exited;
    }
  }, 90_000);

  it("--upstream-ca and --upstream-insecure together are a usage error", async () => {
    const r = await sluice(["run", PLUGIN, "--config", "tls.yaml", "--upstream", `https://127.0.0.1:${port}`, "--upstream-ca", "x.pem", "--upstream-insecure"], { cwd: ws });
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toEqual(["sluice run: --upstream-ca and --upstream-insecure contradict each other; pass one"]);
  });
});
