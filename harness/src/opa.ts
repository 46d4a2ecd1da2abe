// A real Open Policy Agent server (the `opa` binary scripts/bootstrap.sh installs into .tools/bin)
// on a free loopback port, serving Rego (v1) policies written to a temp dir. start() returns once
// /health answers (bounded); stop() ends the server and removes the dir.
//
// `OpaServer.hosted()` puts a recording front in: a plain HTTP server that keeps every query
// (method, path, headers, body as sent) and passes it to OPA unchanged, so a test can check both
// what a plugin asked and what the real OPA answered. The plugin-table runner offers it as a
// cluster (its `servers` option).
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, request, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { toolsDir, versions } from "./tools.js";
import { freePort } from "./ports.js";
import type { RecordedRequest } from "./upstream.js";

/** The `opa` command bootstrap installs, or null (with the reason) when it is missing. */
export function opaCommand(): { path: string } | { missing: string } {
  const path = join(toolsDir, "bin", "opa");
  if (existsSync(path)) return { path };
  return { missing: `Open Policy Agent (opa ${versions.OPA_VERSION ?? "?"}) is not installed at ${path}: run 'bash scripts/bootstrap.sh'` };
}

export interface OpaOptions {
  /**
   * A `package system.authz` policy: OPA then runs with `--authorization=basic` and answers 401
   * to the requests it does not allow (its /health too, unless the policy allows it).
   */
  authz?: string;
  /** How long start() waits for /health (ms). */
  timeoutMs?: number;
}

function exited(p: ChildProcess): Promise<void> {
  return new Promise((res) => {
    if (p.exitCode !== null || p.signalCode !== null) return res();
    p.once("exit", () => res());
  });
}

export class OpaServer {
  port = 0;
  log = "";
  private proc?: ChildProcess;

  private constructor(readonly dir: string) {}

  /**
   * Starts `opa run --server` with `policies` (file name → Rego source, Rego v1) loaded from a
   * temp dir and waits until /health answers 200.
   */
  static async start(policies: Record<string, string>, opts: OpaOptions = {}): Promise<OpaServer> {
    const cmd = opaCommand();
    if ("missing" in cmd) throw new Error(cmd.missing);
    const s = new OpaServer(mkdtempSync(join(tmpdir(), "sluice-opa-")));
    const files: string[] = [];
    for (const [name, rego] of Object.entries({ ...policies, ...(opts.authz ? { "system-authz": opts.authz } : {}) })) {
      const file = join(s.dir, `${name.replace(/[^A-Za-z0-9_-]/g, "_")}.rego`);
      writeFileSync(file, rego);
      files.push(file);
    }
    s.port = await freePort();
    const args = ["run", "--server", "--addr", `127.0.0.1:${s.port}`, "--log-level", "error", "--disable-telemetry"];
    if (opts.authz) args.push("--authorization=basic");
    const p = spawn(cmd.path, [...args, ...files], { stdio: ["ignore", "pipe", "pipe"], cwd: s.dir });
    s.proc = p;
    p.stdout!.on("data", (d) => (s.log += d.toString()));
    p.stderr!.on("data", (d) => (s.log += d.toString()));
    const timeoutMs = opts.timeoutMs ?? 30000;
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (p.exitCode !== null || p.signalCode !== null) break;
      try {
        const r = await fetch(`${s.url}/health`);
        if (r.ok) return s;
      } catch {
        /* not listening yet */
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    const why = p.exitCode !== null ? `exited with ${p.exitCode}` : `did not answer /health within ${timeoutMs} ms`;
    await s.stop();
    throw new Error(`opa ${why}:\n${s.log.slice(-2000)}`);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Asks OPA directly (test setup and checks): POST /v1/data/<path> with {"input": input}. */
  async query(path: string, input: unknown): Promise<{ status: number; body: string }> {
    const r = await fetch(`${this.url}/v1/data/${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ input }) });
    return { status: r.status, body: await r.text() };
  }

  /** Ends the server (SIGTERM, SIGKILL after 5 s) and removes its policies. */
  async stop(): Promise<void> {
    const p = this.proc;
    this.proc = undefined;
    if (p && p.exitCode === null && p.signalCode === null) {
      p.kill("SIGTERM");
      const t = setTimeout(() => p.kill("SIGKILL"), 5000);
      await exited(p);
      clearTimeout(t);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  /**
   * Starts OPA with a recording front: `port` is the front's, `requests` every query it passed
   * on (in arrival order), `stop()` ends both.
   */
  static async hosted(policies: Record<string, string>, opts: OpaOptions = {}): Promise<RecordingOpa> {
    const opa = await OpaServer.start(policies, opts);
    try {
      return await RecordingOpa.start(opa);
    } catch (e) {
      await opa.stop();
      throw e;
    }
  }
}

/** A recording pass-through in front of an OpaServer (see OpaServer.hosted). */
export class RecordingOpa {
  readonly requests: RecordedRequest[] = [];
  port = 0;

  private constructor(readonly opa: OpaServer, private server: Server) {}

  static async start(opa: OpaServer): Promise<RecordingOpa> {
    const server = createServer();
    const front = new RecordingOpa(opa, server);
    server.on("request", (req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const body = Buffer.concat(chunks);
        front.requests.push({ method: req.method ?? "", path: req.url ?? "", headers: req.headers, body: body.toString("utf8") });
        const headers = { ...req.headers, host: `127.0.0.1:${opa.port}`, "content-length": String(body.length) };
        delete headers["transfer-encoding"];
        const up = request({ host: "127.0.0.1", port: opa.port, method: req.method, path: req.url, headers }, (r) => {
          res.writeHead(r.statusCode ?? 502, r.headers);
          r.pipe(res);
        });
        up.on("error", (e) => {
          res.writeHead(502, { "content-type": "text/plain" });
          res.end(`opa unreachable: ${e.message}`);
        });
        up.end(body);
      });
    });
    await new Promise<void>((res) => server.listen(0, "127.0.0.1", () => res()));
    const addr = server.address();
    front.port = typeof addr === "object" && addr ? addr.port : 0;
    return front;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async stop(): Promise<void> {
    // Envoy keeps its connections to a cluster open: close them, or close() waits for them.
    const closed = new Promise<void>((res) => this.server.close(() => res()));
    this.server.closeAllConnections();
    await closed;
    await this.opa.stop();
  }
}
