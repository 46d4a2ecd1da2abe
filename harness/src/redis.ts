// A real redis-server and a webdis in front of it, on free loopback ports, for tests.
// webdis (Redis over HTTP) is how the envoy target reaches Redis: stock Envoy has no Redis ABI.
// Everything lives in a temp dir; stop() ends both processes and removes it.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./ports.js";

export interface RedisOptions {
  /** requirepass for Redis; webdis is configured with it (redis_auth). */
  password?: string;
  /** webdis's default database. */
  database?: number;
}

/** Sends one RESP command over TCP and returns the raw reply text. */
export function redisCommand(port: number, args: string[], password?: string): Promise<string> {
  const enc = (a: string[]) => `*${a.length}\r\n` + a.map((x) => `$${Buffer.byteLength(x)}\r\n${x}\r\n`).join("");
  return new Promise((res, rej) => {
    const sock = connect(port, "127.0.0.1");
    let out = "";
    const expectReplies = password ? 2 : 1;
    sock.on("connect", () => sock.write((password ? enc(["AUTH", password]) : "") + enc(args)));
    sock.on("data", (d) => {
      out += d.toString("utf8");
      // Good enough for test fixtures: one line per simple reply.
      if (out.split("\r\n").length - 1 >= expectReplies) {
        sock.end();
        res(password ? out.slice(out.indexOf("\r\n") + 2) : out);
      }
    });
    sock.on("error", rej);
  });
}

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 10000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what} did not come up within ${timeoutMs} ms`);
}

function exitOf(p: ChildProcess): Promise<void> {
  return new Promise((res) => {
    if (p.exitCode !== null || p.signalCode !== null) return res();
    p.once("exit", () => res());
  });
}

export class RedisServer {
  private redis?: ChildProcess;
  private webdis?: ChildProcess;
  redisPort = 0;
  webdisPort = 0;
  log = "";

  private constructor(readonly dir: string, readonly opts: RedisOptions) {}

  /** Starts redis-server and webdis; both answer before this resolves. */
  static async start(opts: RedisOptions = {}): Promise<RedisServer> {
    const s = new RedisServer(mkdtempSync(join(tmpdir(), "sluice-redis-")), opts);
    try {
      s.redisPort = await freePort();
      await s.startRedis();
      s.webdisPort = await freePort();
      await s.startWebdis();
    } catch (e) {
      await s.stop();
      throw e;
    }
    return s;
  }

  /** Starts (or restarts) redis-server on its port. */
  async startRedis(): Promise<void> {
    const args = ["--port", String(this.redisPort), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", this.dir, "--daemonize", "no"];
    if (this.opts.password) args.push("--requirepass", this.opts.password);
    const p = spawn("redis-server", args, { stdio: ["ignore", "pipe", "pipe"] });
    p.stdout!.on("data", (d) => (this.log += d.toString()));
    p.stderr!.on("data", (d) => (this.log += d.toString()));
    this.redis = p;
    await waitFor(async () => (await redisCommand(this.redisPort, ["PING"], this.opts.password)).startsWith("+PONG"), "redis-server");
  }

  /** Stops redis-server only (webdis keeps running and answers 503): "Redis is down". */
  async stopRedis(): Promise<void> {
    const p = this.redis;
    this.redis = undefined;
    if (!p) return;
    p.kill("SIGTERM");
    await exitOf(p);
  }

  private async startWebdis(): Promise<void> {
    const config = {
      redis_host: "127.0.0.1",
      redis_port: this.redisPort,
      redis_auth: this.opts.password ?? null,
      http_host: "127.0.0.1",
      http_port: this.webdisPort,
      threads: 1,
      pool_size: 4,
      daemonize: false,
      database: this.opts.database ?? 0,
      verbosity: 3,
      logfile: join(this.dir, "webdis.log"),
    };
    const path = join(this.dir, "webdis.json");
    writeFileSync(path, JSON.stringify(config, null, 2));
    const p = spawn("webdis", [path], { stdio: ["ignore", "pipe", "pipe"], cwd: this.dir });
    p.stdout!.on("data", (d) => (this.log += d.toString()));
    p.stderr!.on("data", (d) => (this.log += d.toString()));
    this.webdis = p;
    await waitFor(async () => (await (await fetch(`${this.webdisUrl}/PING.raw`)).text()).startsWith("+PONG"), "webdis");
  }

  get webdisUrl(): string {
    return `http://127.0.0.1:${this.webdisPort}`;
  }

  /** Runs a command directly against Redis (test setup and checks). */
  command(...args: string[]): Promise<string> {
    return redisCommand(this.redisPort, args, this.opts.password);
  }

  /**
   * Lua scripts Redis has run (INFO commandstats): EVALs, and EVALSHAs that found their script
   * (an EVALSHA answered NOSCRIPT is a failed call, not a run).
   */
  async scriptRuns(): Promise<number> {
    const info = await this.command("INFO", "commandstats");
    const stat = (cmd: string, field: string) => Number(new RegExp(`cmdstat_${cmd}:.*?\\b${field}=(\\d+)`).exec(info)?.[1] ?? 0);
    return stat("eval", "calls") + stat("evalsha", "calls") - stat("evalsha", "failed_calls");
  }

  async stop(): Promise<void> {
    for (const p of [this.webdis, this.redis]) {
      if (!p) continue;
      p.kill("SIGTERM");
      const t = setTimeout(() => p.kill("SIGKILL"), 3000);
      await exitOf(p);
      clearTimeout(t);
    }
    this.webdis = this.redis = undefined;
    rmSync(this.dir, { recursive: true, force: true });
  }
}
