// Test helpers: the bundled CLI, a scratch workspace, Debian's docker-registry on a loopback port,
// and a fault-injecting/Bearer-token front for it.
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { bcrypt } from "./bcrypt.js";
import { existsSync, mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer, request, type Server, type IncomingMessage, type ServerResponse } from "node:http";
import { createServer as netServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const cliBundle = join(repoRoot, "cli", "dist", "sluice.mjs");

/** Bundles the CLI once per test file (the build renames into place, so parallel files are safe). */
export function buildCli(): void {
  execFileSync(process.execPath, [join(repoRoot, "cli", "build.mjs"), "--quiet"], { stdio: "inherit" });
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the bundled CLI (asynchronously: in-process test servers must keep answering). */
export function sluice(args: string[], opts: { cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [cliBundle, ...args], { cwd: opts.cwd ?? repoRoot, env: { ...process.env, ...opts.env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    p.stdout!.on("data", (d) => (stdout += d));
    p.stderr!.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => p.kill("SIGKILL"), opts.timeoutMs ?? 290_000);
    p.on("error", reject);
    p.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

/** A workspace in a temp dir that shares the repository's SDK, tools and modules but has its own plugins/. */
export function scratchWorkspace(): string {
  const dir = mkdtempSync(join(tmpdir(), "sluice-ws-"));
  for (const f of ["node_modules", "sdk", "harness", "scripts", "asconfig.json", "package.json", ".tools"]) symlinkSync(join(repoRoot, f), join(dir, f));
  mkdirSync(join(dir, "plugins"));
  return dir;
}

export async function freePort(): Promise<number> {
  const s = netServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** htpasswd line (distribution takes only bcrypt); a low cost: the registry checks it on every request. */
export function htpasswdLine(user: string, password: string): string {
  return `${user}:${bcrypt(password, 5)}`;
}

export class Registry {
  private constructor(private proc: ChildProcess, readonly dir: string, readonly port: number, private logText: { s: string }) {}

  get host(): string {
    return `127.0.0.1:${this.port}`;
  }

  get log(): string {
    return this.logText.s;
  }

  /** Debian's docker-registry with our own config (its shipped one has a directory as htpasswd path). */
  static async start(auth?: { user: string; password: string }): Promise<Registry> {
    const dir = mkdtempSync(join(tmpdir(), "sluice-registry-"));
    const port = await freePort();
    let cfg = `version: 0.1\nlog: {level: info}\nstorage:\n  filesystem: {rootdirectory: ${join(dir, "data")}}\n  delete: {enabled: true}\nhttp:\n  addr: 127.0.0.1:${port}\n  secret: sluice-test\n`;
    if (auth) {
      writeFileSync(join(dir, "htpasswd"), htpasswdLine(auth.user, auth.password) + "\n");
      cfg += `auth:\n  htpasswd: {realm: basic-realm, path: ${join(dir, "htpasswd")}}\n`;
    }
    writeFileSync(join(dir, "config.yml"), cfg);
    const proc = spawn("docker-registry", ["serve", join(dir, "config.yml")], { stdio: ["ignore", "pipe", "pipe"] });
    const logText = { s: "" };
    proc.stdout!.on("data", (d) => (logText.s += d));
    proc.stderr!.on("data", (d) => (logText.s += d));
    const reg = new Registry(proc, dir, port, logText);
    const deadline = Date.now() + 15_000;
    for (;;) {
      try {
        const r = await fetch(`http://127.0.0.1:${port}/v2/`);
        if (r.status === 200 || r.status === 401) return reg;
      } catch {
        /* starting */
      }
      if (proc.exitCode !== null || Date.now() > deadline) {
        await reg.stop();
        throw new Error(`docker-registry did not start:\n${logText.s}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async stop(): Promise<void> {
    if (this.proc.exitCode === null && this.proc.signalCode === null) {
      const exited = new Promise((r) => this.proc.on("exit", r));
      this.proc.kill("SIGTERM");
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export interface FrontOptions {
  /** Require a Bearer token from our token endpoint (Basic-authenticated with these). */
  bearer?: { user: string; password: string; refreshToken?: string };
  /** Fail the first N requests matching `match` with this status, or by resetting the connection. */
  faults?: { match: RegExp; method?: string; count: number; status?: number; reset?: boolean; code?: string }[];
  /** Flip a byte in the bodies of blob upload PUTs (the registry then computes another digest). */
  corruptUploads?: boolean;
}

/**
 * An HTTP front for an anonymous registry: a Bearer-token registry (WWW-Authenticate challenge →
 * token endpoint) and/or a flaky one (5xx, connection resets), forwarding everything else.
 */
export class RegistryFront {
  readonly requests: string[] = [];
  private server: Server;
  port = 0;

  private constructor(private backend: number, private o: FrontOptions) {
    const token = "tok-" + Math.random().toString(36).slice(2);
    this.server = createServer((req, res) => this.handle(req, res, token));
  }

  static async start(backendPort: number, o: FrontOptions): Promise<RegistryFront> {
    const f = new RegistryFront(backendPort, o);
    await new Promise<void>((r) => f.server.listen(0, "127.0.0.1", r));
    f.port = (f.server.address() as AddressInfo).port;
    return f;
  }

  get host(): string {
    return `127.0.0.1:${this.port}`;
  }

  private handle(req: IncomingMessage, res: ServerResponse, token: string): void {
    const url = req.url ?? "/";
    this.requests.push(`${req.method} ${url.replace(/\?.*/, "")}`);
    if (url.startsWith("/token") && req.method === "POST") {
      // OAuth2 refresh-token grant (docker's identitytoken): form body, no Basic header.
      let body = "";
      req.on("data", (d) => (body += d));
      req.on("end", () => {
        const f = new URLSearchParams(body);
        const ok = f.get("grant_type") === "refresh_token" && f.get("refresh_token") === this.o.bearer!.refreshToken && f.get("service") === "sluice-test" && /repository:.+:pull,push/.test(f.get("scope") ?? "");
        if (!ok) res.writeHead(401, { "content-type": "application/json" }).end('{"details":"bad refresh token"}');
        else res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ access_token: token, expires_in: 300 }));
      });
      return;
    }
    if (url.startsWith("/token")) {
      const b = this.o.bearer!;
      const want = "Basic " + Buffer.from(`${b.user}:${b.password}`).toString("base64");
      const q = new URL(url, "http://x").searchParams;
      if (req.headers.authorization !== want || q.get("service") !== "sluice-test" || !q.getAll("scope").some((s) => /^repository:.+:pull,push$/.test(s))) {
        res.writeHead(401, { "content-type": "application/json" }).end('{"details":"bad credentials"}');
        return;
      }
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ token, expires_in: 300 }));
      return;
    }
    for (const f of this.o.faults ?? []) {
      if (f.count > 0 && f.match.test(url) && (!f.method || f.method === req.method)) {
        f.count--;
        req.resume();
        if (f.reset) req.socket.destroy();
        else res.writeHead(f.status ?? 503, { "content-type": "application/json" }).end(JSON.stringify({ errors: [{ code: f.code ?? "UNAVAILABLE", message: "injected" }] }));
        return;
      }
    }
    if (this.o.bearer && req.headers.authorization !== `Bearer ${token}`) {
      req.resume();
      res.writeHead(401, {
        "www-authenticate": `Bearer realm="http://127.0.0.1:${this.port}/token",service="sluice-test",scope="repository:x:pull"`,
        "content-type": "application/json",
      }).end('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}');
      return;
    }
    const headers = { ...req.headers, host: `127.0.0.1:${this.backend}` };
    delete headers.authorization;
    if (this.o.corruptUploads && req.method === "PUT" && url.includes("/blobs/uploads/")) {
      const chunks: Buffer[] = [];
      req.on("data", (c) => chunks.push(c));
      req.on("end", () => {
        const body = Buffer.concat(chunks);
        if (body.length) body[body.length - 1] ^= 0xff;
        delete headers["transfer-encoding"];
        headers["content-length"] = String(body.length);
        const up = request({ host: "127.0.0.1", port: this.backend, method: req.method, path: url, headers }, (r) => {
          res.writeHead(r.statusCode ?? 502, r.headers);
          r.pipe(res);
        });
        up.on("error", () => res.destroy());
        up.end(body);
      });
      return;
    }
    const up = request({ host: "127.0.0.1", port: this.backend, method: req.method, path: url, headers }, (r) => {
      const out = { ...r.headers };
      // The backend's absolute upload Location must point back at this front.
      if (typeof out.location === "string") out.location = out.location.replace(`127.0.0.1:${this.backend}`, `127.0.0.1:${this.port}`);
      res.writeHead(r.statusCode ?? 502, out);
      r.pipe(res);
    });
    up.on("error", () => res.destroy());
    req.pipe(up);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((r) => this.server.close(r));
  }
}

/** A DOCKER_CONFIG directory with the given config.json. */
export function dockerConfig(json: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), "sluice-docker-"));
  writeFileSync(join(dir, "config.json"), JSON.stringify(json));
  return dir;
}

export const basicAuth = (user: string, password: string) => Buffer.from(`${user}:${password}`).toString("base64");

/** bootstrap's oras (.tools/bin, pinned in scripts/versions.env), else one on PATH. */
export function orasBinary(): string {
  const own = join(repoRoot, ".tools", "bin", "oras");
  if (existsSync(own)) return own;
  for (const d of (process.env.PATH ?? "").split(delimiter)) if (d && existsSync(join(d, "oras"))) return join(d, "oras");
  throw new Error("oras is missing: run 'npm run bootstrap' (it installs the version pinned in scripts/versions.env)");
}

/** Builds cli/test/istio-fetch (go-containerregistry, Istio's layer order) into `dir`; returns the binary. */
export function buildIstioFetch(dir: string): string {
  const out = join(dir, "istio-fetch");
  execFileSync("go", ["build", "-o", out, "."], { cwd: join(repoRoot, "cli", "test", "istio-fetch"), stdio: "pipe" });
  return out;
}
