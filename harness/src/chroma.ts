// A real Chroma vector database (the PyPI `chromadb` package's server, installed by
// scripts/bootstrap.sh into .tools/chroma) on a free loopback port, with its data in a temp dir.
// chromadb ≥ 1.0 serves only the v2 API (/api/v2/tenants/{t}/databases/{d}/collections/…).
// start() returns once /api/v2/heartbeat answers (bounded); stop() ends the server and removes
// the data dir.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { toolsDir, versions } from "./tools.js";

export const CHROMA_TENANT = "default_tenant";
export const CHROMA_DATABASE = "default_database";

/** The `chroma` command bootstrap installs, or null (with the reason) when it is missing. */
export function chromaCommand(): { path: string } | { missing: string } {
  const path = join(toolsDir, "chroma", "bin", "chroma");
  if (existsSync(path)) return { path };
  return { missing: `Chroma (chromadb ${versions.CHROMADB_VERSION ?? "?"}) is not installed at ${path}: run 'bash scripts/bootstrap.sh'` };
}

async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once("error", rej);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

function exited(p: ChildProcess): Promise<void> {
  return new Promise((res) => {
    if (p.exitCode !== null || p.signalCode !== null) return res();
    p.once("exit", () => res());
  });
}

export interface ChromaQueryResult {
  ids: string[][];
  distances: number[][] | null;
  documents: (string | null)[][] | null;
}

export class ChromaServer {
  port = 0;
  log = "";
  private proc?: ChildProcess;

  private constructor(readonly dir: string) {}

  /** Starts `chroma run` and waits (at most `timeoutMs`) for its heartbeat. */
  static async start(timeoutMs = 60000): Promise<ChromaServer> {
    const cmd = chromaCommand();
    if ("missing" in cmd) throw new Error(cmd.missing);
    const s = new ChromaServer(mkdtempSync(join(tmpdir(), "sluice-chroma-")));
    s.port = await freePort();
    // One process (the Python entry point runs the Rust server in-process): stop() signals it
    // alone. No process group of its own, as elsewhere in the harness.
    const p = spawn(cmd.path, ["run", "--path", join(s.dir, "data"), "--host", "127.0.0.1", "--port", String(s.port)], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, ANONYMIZED_TELEMETRY: "False" },
    });
    s.proc = p;
    p.stdout!.on("data", (d) => (s.log += d.toString()));
    p.stderr!.on("data", (d) => (s.log += d.toString()));
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (p.exitCode !== null || p.signalCode !== null) break;
      try {
        const r = await fetch(`${s.url}/api/v2/heartbeat`);
        if (r.ok) return s;
      } catch {
        /* not listening yet */
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    const why = p.exitCode !== null ? `exited with ${p.exitCode}` : `did not answer /api/v2/heartbeat within ${timeoutMs} ms`;
    await s.stop();
    throw new Error(`chroma ${why}:\n${s.log.slice(-2000)}`);
  }

  get url(): string { return `http://127.0.0.1:${this.port}`; }
  get collectionsPath(): string { return `/api/v2/tenants/${CHROMA_TENANT}/databases/${CHROMA_DATABASE}/collections`; }

  private async call(method: string, path: string, body?: unknown): Promise<any> {
    const r = await fetch(this.url + path, { method, headers: body === undefined ? {} : { "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await r.text();
    if (!r.ok) throw new Error(`chroma ${method} ${path}: ${r.status} ${text}`);
    return text.length ? JSON.parse(text) : null;
  }

  /** Creates a collection (L2 distance unless `space` says otherwise) and returns its id. */
  async createCollection(name: string, space: "l2" | "cosine" | "ip" = "l2"): Promise<string> {
    const c = await this.call("POST", this.collectionsPath, { name, configuration: { hnsw: { space } } });
    return c.id as string;
  }

  async count(collectionId: string): Promise<number> {
    return (await this.call("GET", `${this.collectionsPath}/${collectionId}/count`)) as number;
  }

  /** Records by id: documents and embeddings. */
  async get(collectionId: string, ids?: string[]): Promise<{ ids: string[]; documents: (string | null)[]; embeddings: number[][] | null }> {
    return this.call("POST", `${this.collectionsPath}/${collectionId}/get`, { ids, include: ["documents", "embeddings"] });
  }

  async add(collectionId: string, ids: string[], embeddings: number[][], documents: string[]): Promise<void> {
    await this.call("POST", `${this.collectionsPath}/${collectionId}/add`, { ids, embeddings, documents });
  }

  async query(collectionId: string, embedding: number[], n = 1): Promise<ChromaQueryResult> {
    return this.call("POST", `${this.collectionsPath}/${collectionId}/query`, { query_embeddings: [embedding], n_results: n, include: ["documents", "distances"] });
  }

  /** Ends the server (SIGTERM, SIGKILL after 5 s) and removes its data. */
  async stop(): Promise<void> {
    const p = this.proc;
    this.proc = undefined;
    if (p && p.pid !== undefined && p.exitCode === null && p.signalCode === null) {
      p.kill("SIGTERM");
      const t = setTimeout(() => p.kill("SIGKILL"), 5000);
      await exited(p);
      clearTimeout(t);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
