// Compiler transform (asc --transform): a plugin's module exports only the per-request hooks it
// uses. Envoy enters the VM for every proxy_on_* HTTP hook a module exports and skips the ones it
// does not (proxy-wasm's host returns Continue/true for a missing export; the emulator does the
// same), and each entry costs Envoy about as much CPU as a small hook's work. sdk/exports.ts
// exports all of them; after compiling, this drops each hook whose plugin-facing methods no class
// overrides anywhere in the program (the SDK's own HttpFilter subclasses count as overrides).
// The decision is made on the compiled program, before Binaryen's optimizer, which then removes
// the hooks' code. proxy_on_context_create, proxy_on_request_headers and proxy_on_delete always
// stay: they create, configure and free the request's context.

/** An export → the methods whose override needs it (any one keeps the export). */
const REQUEST_BODY = ["onRequestBody", "onRequestChunk", "onRequestBodyTooLarge", "onRequestTrailers", "onRequestBodyRaw", "onRequestTrailersRaw"];
const RESPONSE_BODY = ["onResponseBody", "onResponseChunk", "onResponseBodyTooLarge", "onResponseTrailers", "onResponseBodyRaw", "onResponseTrailersRaw"];
export const HOOK_USES = {
  proxy_on_request_body: REQUEST_BODY,
  proxy_on_request_trailers: REQUEST_BODY,
  proxy_on_response_headers: ["onResponseHeaders", "onResponseHeadersRaw", ...RESPONSE_BODY],
  proxy_on_response_body: RESPONSE_BODY,
  proxy_on_response_trailers: RESPONSE_BODY,
  proxy_on_log: ["onStreamDone", "onLogRaw"],
  proxy_on_done: ["onDone", "onDoneRaw"],
};

/** The SDK's default implementations (not overrides): HttpContext/RootContext and HttpFilter<C>. */
const DEFAULTS = /^~lib\/@sluice\/sdk\/(runtime\/context\/(HttpContext|RootContext)|api\/plugin\/HttpFilter(<.*>)?)#/;

/** The exports to drop, given the internal names of every compiled instance. */
export function unusedHooks(instanceNames) {
  const overridden = new Set();
  for (const name of instanceNames) {
    const m = /#(on[A-Z]\w*)$/.exec(name);
    if (m && !DEFAULTS.test(name)) overridden.add(m[1]);
  }
  return Object.keys(HOOK_USES).filter((hook) => !HOOK_USES[hook].some((method) => overridden.has(method)));
}

export default class SluiceHooks {
  afterCompile(module) {
    // SLUICE_ALL_HOOKS=1 keeps every export (to compare, or for a host that needs them all).
    if (process.env.SLUICE_ALL_HOOKS === "1") return;
    // Only modules built on sdk/exports.ts (a plugin's entry): the SDK's test modules export their own.
    if (!this.program.instancesByName.has("~lib/@sluice/sdk/exports/proxy_on_context_create")) return;
    for (const hook of unusedHooks(this.program.instancesByName.keys())) if (module.getExport(hook)) module.removeExport(hook);
  }
}
