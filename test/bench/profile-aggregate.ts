// Reads a V8 CPU profile (node:inspector's Profiler.stop) of a plugin module at work: the time
// spent inside the module, per function and per kind of work, per request. Only frames of the
// Wasm module count; the emulator's JavaScript stands where Envoy's host calls stand, and the
// bench's hand-written floors (test/bench/*.wat) measure those.

/** What V8's profiler returns (the fields read here). */
export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string } }[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas?: number[];
}

/** Kinds of work, in the order reports list them. */
export const KINDS = ["allocator", "collector", "memory copy", "JSON", "SDK", "plugin", "AssemblyScript library", "other"] as const;
export type Kind = (typeof KINDS)[number];

/**
 * The kind of a module function, from the name AssemblyScript gives it (its file path, then the
 * function): `~lib/rt/tlsf/insertBlock`, `~lib/@sluice/sdk/json/scan/Scanner#scanString`,
 * `plugins/ai-proxy/assembly/index/AiProxyFilter#onRequestHeaders`.
 */
export function kindOf(fn: string): Kind {
  // The runtime's allocation entry points and the TLSF allocator under them.
  if (fn.startsWith("~lib/rt/tlsf/") || /^~lib\/rt\/(?:tcms|itcms|stub)\/(?:__new|__renew|__alloc|__realloc|__free)$/.test(fn)) return "allocator";
  // Everything else of the runtime: marking, sweeping, visiting members; and the SDK's collection as the VM is left.
  if (fn.startsWith("~lib/rt/") || fn.startsWith("~lib/@sluice/sdk/runtime/collect/")) return "collector";
  if (fn.startsWith("~lib/memory/") || fn.startsWith("~lib/util/memory/")) return "memory copy";
  if (fn.startsWith("~lib/@sluice/sdk/json/")) return "JSON";
  if (fn.startsWith("~lib/@sluice/sdk/")) return "SDK";
  if (fn.startsWith("plugins/") || fn.startsWith("test/plugins/")) return "plugin";
  if (fn.startsWith("~lib/")) return "AssemblyScript library";
  return "other";
}

export interface ModuleProfile {
  /** Requests the profile covers. */
  requests: number;
  /** Sampled time inside the module, µs per request. */
  wasmUs: number;
  /** Sampled time of the whole process (emulator included), µs per request. */
  totalUs: number;
  /** Samples inside the module (the figures' resolution). */
  wasmSamples: number;
  /** Mean time between two samples, µs (the sampler runs late on a busy machine). */
  intervalUs: number;
  /** µs per request by kind, every kind present (0 when none). */
  kinds: Record<Kind, number>;
  /** The module's functions by self time, largest first: µs per request. */
  functions: { name: string; kind: Kind; us: number }[];
}

/**
 * Self time per Wasm function, per request. A sample stands for the time until the next one (as
 * Chrome's DevTools reads V8 profiles; the last one until the profile's end), so the figures add
 * up to the profiled wall time. A profile without time deltas gives each sample the mean interval.
 */
export function moduleProfile(p: CpuProfile, requests: number): ModuleProfile {
  if (!(requests > 0)) throw new Error("moduleProfile: requests must be positive");
  const frames = new Map(p.nodes.map((n) => [n.id, n.callFrame]));
  const n = p.samples.length;
  const at: number[] = [];
  if (p.timeDeltas?.length === n) { let t = p.startTime; for (const d of p.timeDeltas) at.push((t += d)); }
  const mean = n ? (p.endTime - p.startTime) / n : 0;
  const duration = (i: number) => (at.length ? Math.max(0, (i + 1 < n ? at[i + 1] : p.endTime) - at[i]) : mean);
  const self = new Map<string, number>();
  let wasm = 0, total = 0, wasmSamples = 0;
  for (let i = 0; i < n; i++) {
    const d = duration(i);
    total += d;
    const f = frames.get(p.samples[i]);
    if (!f || !f.url.startsWith("wasm://")) continue;
    wasmSamples++;
    wasm += d;
    const name = f.functionName || "(unnamed)";
    self.set(name, (self.get(name) ?? 0) + d);
  }
  const kinds = Object.fromEntries(KINDS.map((k) => [k, 0])) as Record<Kind, number>;
  const functions = [...self].map(([name, us]) => ({ name, kind: kindOf(name), us: us / requests })).sort((a, b) => b.us - a.us || a.name.localeCompare(b.name));
  for (const f of functions) kinds[f.kind] += f.us;
  return { requests, wasmUs: wasm / requests, totalUs: total / requests, wasmSamples, intervalUs: mean, kinds, functions };
}

/** The module's sections other than custom ones (names, producers), for comparing two builds' code. */
export function codeSections(wasm: Uint8Array): Uint8Array[] {
  if (wasm.length < 8 || wasm[0] !== 0 || wasm[1] !== 0x61 || wasm[2] !== 0x73 || wasm[3] !== 0x6d) throw new Error("not a Wasm module");
  const out: Uint8Array[] = [];
  let i = 8;
  while (i < wasm.length) {
    const start = i;
    const id = wasm[i++];
    let size = 0, shift = 0, b: number;
    do { b = wasm[i++]; size += (b & 0x7f) * 2 ** shift; shift += 7; } while (b & 0x80 && i < wasm.length);
    const end = i + size;
    if (end > wasm.length) throw new Error("Wasm section runs past the end of the module");
    if (id !== 0) out.push(wasm.subarray(start, end));
    i = end;
  }
  return out;
}

/** Whether two modules have the same code (every section but custom ones, byte for byte). */
export function sameCode(a: Uint8Array, b: Uint8Array): boolean {
  const x = codeSections(a), y = codeSections(b);
  return x.length === y.length && x.every((s, i) => s.length === y[i].length && s.every((v, j) => v === y[i][j]));
}
