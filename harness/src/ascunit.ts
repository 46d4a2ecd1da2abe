// Compiles an AssemblyScript test module (SDK code without a proxy host) and instantiates it in
// Node, for fast unit and property tests of pure SDK parts (JSON, SSE, RESP, regex, crypto).
// Test entries import SDK files by relative path (../json/parse), not "@sluice/sdk".
// The module gets stub host imports: proxy_log prints, everything else fails with a status.
import { spawnSync, execFile } from "node:child_process";
import { promisify } from "node:util";
import { mkdirSync, readFileSync } from "node:fs";
import { dirname } from "node:path";
import { unitModule, unitStale } from "../../scripts/build.mjs";
import { repoRoot } from "./tools.js";

export interface AsModule {
  exports: Record<string, unknown> & { memory: WebAssembly.Memory };
  /** Log lines the module wrote with proxy_log. */
  logs: string[];
  /** Writes a JS string into the module as an AssemblyScript string; returns its pointer (pinned). */
  newString(s: string): number;
  /** Reads an AssemblyScript string at a pointer. */
  getString(ptr: number): string;
  /** Writes bytes as an AssemblyScript ArrayBuffer; returns its pointer (pinned). */
  newBuffer(b: Uint8Array): number;
  getBuffer(ptr: number): Uint8Array;
  unpin(ptr: number): void;
}

// The module's path, its compiler arguments and its staleness are scripts/build.mjs's (which
// builds every test module with the plugins, so a test file usually finds its module ready).
function ascArgs(entry: string, target: string): { src: string; out: string; args: string[] } {
  const m = unitModule(entry, target, repoRoot);
  mkdirSync(dirname(m.out), { recursive: true });
  return m;
}

const stale = (entry: string, target: string) => unitStale(entry, target, repoRoot);

/**
 * Compiles `entry` (a path relative to the repo) once per content change and instantiates it.
 * Asynchronous on purpose: a test file awaits it at its top, and the compiler runs in another
 * process while the vitest worker keeps answering its runner (a worker blocked for 60 s, as a
 * synchronous compile on a loaded machine was, loses its RPC to the runner and the run fails or
 * never ends).
 */
export async function loadAsModule(entry: string, target: "envoy" | "higress" = "envoy"): Promise<AsModule> {
  const { out, args } = ascArgs(entry, target);
  if (stale(entry, target)) {
    try {
      await promisify(execFile)(process.execPath, args, { cwd: repoRoot, encoding: "utf8", maxBuffer: 1 << 26 });
    } catch (e) {
      const x = e as { stdout?: string; stderr?: string };
      throw new Error(`asc failed for ${entry}:\n${x.stdout ?? ""}${x.stderr ?? ""}`);
    }
  }
  return instantiate(readFileSync(out));
}

/** The same, blocking: for scripts outside vitest (the fuzzer, benchmarks). */
export function loadAsModuleSync(entry: string, target: "envoy" | "higress" = "envoy"): AsModule {
  const { out, args } = ascArgs(entry, target);
  if (stale(entry, target)) {
    const r = spawnSync(process.execPath, args, { cwd: repoRoot, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`asc failed for ${entry}:\n${r.stdout}${r.stderr}`);
  }
  return instantiate(readFileSync(out));
}

function instantiate(bytes: Buffer): AsModule {
  const logs: string[] = [];
  let mem: WebAssembly.Memory;
  const text = (ptr: number, len: number) => Buffer.from(new Uint8Array(mem.buffer, ptr, len)).toString("utf8");
  const env: Record<string, Function> = {
    proxy_log: (_level: number, ptr: number, len: number) => { logs.push(text(ptr, len)); return 0; },
    proxy_get_log_level: (ret: number) => { new DataView(mem.buffer).setUint32(ret, 0, true); return 0; },
    proxy_get_current_time_nanoseconds: (ret: number) => { new DataView(mem.buffer).setBigUint64(ret, BigInt(Date.now()) * 1000000n, true); return 0; },
  };
  const wasi: Record<string, Function> = {
    random_get: (ptr: number, len: number) => { crypto.getRandomValues(new Uint8Array(mem.buffer, ptr, len)); return 0; },
    clock_time_get: (_id: number, _p: bigint, ret: number) => { new DataView(mem.buffer).setBigUint64(ret, process.hrtime.bigint(), true); return 0; },
  };
  const module = new WebAssembly.Module(bytes);
  const imports: Record<string, Record<string, Function>> = { env: {}, wasi_snapshot_preview1: {} };
  for (const imp of WebAssembly.Module.imports(module)) {
    const table = imp.module === "env" ? env : wasi;
    imports[imp.module][imp.name] = table[imp.name] ?? (() => 12 /* Unimplemented */);
  }
  const instance = new WebAssembly.Instance(module, imports as WebAssembly.Imports);
  const ex = instance.exports as AsModule["exports"];
  mem = ex.memory;
  const fn = (name: string) => ex[name] as (...a: number[]) => number;
  if (typeof ex._initialize === "function") (ex._initialize as () => void)();
  const STRING_ID = 2, BUFFER_ID = 1;
  return {
    exports: ex,
    logs,
    newString(s) {
      const ptr = fn("__new")(s.length << 1, STRING_ID) >>> 0;
      const u16 = new Uint16Array(mem.buffer, ptr, s.length);
      for (let i = 0; i < s.length; i++) u16[i] = s.charCodeAt(i);
      return fn("__pin")(ptr) >>> 0;
    },
    getString(ptr) {
      if (!ptr) return "";
      const len = new Uint32Array(mem.buffer, ptr - 4, 1)[0] >>> 1;
      return String.fromCharCode(...Array.from(new Uint16Array(mem.buffer, ptr, len))).toString();
    },
    newBuffer(b) {
      const ptr = fn("__new")(b.length, BUFFER_ID) >>> 0;
      new Uint8Array(mem.buffer, ptr, b.length).set(b);
      return fn("__pin")(ptr) >>> 0;
    },
    getBuffer(ptr) {
      const len = new Uint32Array(mem.buffer, ptr - 4, 1)[0];
      return new Uint8Array(mem.buffer.slice(ptr, ptr + len));
    },
    unpin(ptr) { fn("__unpin")(ptr); },
  };
}
