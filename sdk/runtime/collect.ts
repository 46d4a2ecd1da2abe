// When garbage is collected. Plugins are built with AssemblyScript's minimal runtime (asconfig.json:
// a two-colour mark & sweep that runs only when asked): no write barrier on every reference
// store, no shadow stack, no incremental marking inside allocations. A request's objects become
// garbage together when its context is deleted, so the SDK collects as the VM is left (where no
// reference lives on the wasm stack, so the roots — the globals and pinned host buffers — are all
// there is), every COLLECT_EVERY entries, at once after a large body, and whenever the heap grew
// since the last collection (before the allocator's next growth, which doubles the memory).
// A plugin whose single VM entries allocate a lot (the waf compiles the Core Rule Set in
// proxy_on_configure and builds large per-request state) chooses the incremental collector in its
// package.json ("sluice": {"runtime": "incremental"}), which collects inside long entries too.

/**
 * VM entries between collections: ~40 requests of garbage (a few KB each) at most. A collection
 * marks everything live (a plugin's config and tables) whatever the garbage, so it is spread
 * over many requests: at 48 entries ai-proxy spent a third of its own CPU per request in
 * collections (emulator profile); at 256 that share is a fifth as large, for ~200 KB more heap.
 */
export const COLLECT_EVERY: i32 = 256;

/** AssemblyScript's ASC_RUNTIME for `--runtime minimal`. */
const MINIMAL_RUNTIME: i32 = 1;

let entries: i32 = 0;
/** Nesting of host-entered exports: a host call can enter the VM again (a local reply runs the
 *  response hooks inside the call that sent it); only the outermost exit may collect. */
let depth: i32 = 0;
let soon: bool = false;
let pagesAtLast: i32 = 0;

/** Asks for a collection as the VM is left (a large body was handled). */
export function collectSoon(): void { soon = true; }

/** Called by every host-entered export first. */
export function enteringVm(): void { depth++; }

/** Called by every host-entered export just before it returns. */
export function leavingVm(): void {
  if (--depth > 0) return;
  depth = 0;
  // A plugin built with the incremental collector (package.json "sluice": {"runtime": …}, the waf)
  // collects on its own, in steps; a full collection here would only cost time.
  if (ASC_RUNTIME != MINIMAL_RUNTIME) return;
  entries++;
  const pages = memory.size();
  if (entries < COLLECT_EVERY && !soon && pages == pagesAtLast) return;
  __collect();
  entries = 0;
  soon = false;
  pagesAtLast = memory.size();
}
