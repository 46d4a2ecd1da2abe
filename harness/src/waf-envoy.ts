// Sluice's waf plugin on a real Envoy as a WAF under test (the `WafTarget` of waf-log.ts), for
// scripts/waf-report.ts beside the ModSecurity oracle: `useCRS: true` plus the caller's directives
// and CRS's test marker rule, every path proxied to the caller's upstream. Envoy's log lines go to
// a file that MarkedLog reads between go-ftw marker requests, as the oracle's error log is read.
//
// The marker rule is the oracle's (CRS_ENABLE_TEST_MARKER) with one change: its id is 900999, not
// 999999, because the plugin places `secRules` after the CRS except ids 900000–900999, which go
// right after crs-setup.conf (README: where CRS reads its settings) — where the oracle has it.
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Envoy } from "./envoy.js";
import { pluginWasm } from "./index.js";
import { MARKER_HEADER, MarkedLog, type WafTarget } from "./waf-log.js";

export interface SluiceWaf extends WafTarget {
  readonly log: string;
  stop(): Promise<void>;
}

export const SLUICE_MARKER_RULE = `SecRule REQUEST_HEADERS:${MARKER_HEADER} "@rx ^.*$" "id:900999,phase:1,pass,t:none,log,msg:'${MARKER_HEADER} %{MATCHED_VAR}',ctl:ruleRemoveById=1-999999"`;

/**
 * Starts Envoy with the waf plugin (envoy build) in front of `upstreamPort`. `acceptHttp10` sets
 * the HTTP connection manager's `http_protocol_options.accept_http_10`, so HTTP/1.0 requests reach
 * the plugin instead of being answered 426 by Envoy (its default: off).
 */
export async function startSluiceWaf(opts: { upstreamPort: number; extraDirectives: string; afterRules?: string; acceptHttp10?: boolean }): Promise<SluiceWaf> {
  const dir = mkdtempSync(join(tmpdir(), "sluice-waf-"));
  const log = join(dir, "envoy.log");
  writeFileSync(log, "");
  const secRules = [SLUICE_MARKER_RULE, opts.extraDirectives, ...(opts.afterRules ? [opts.afterRules] : [])].filter((s) => s.length > 0);
  const envoy = await Envoy.start({
    plugins: [{ name: "waf", wasm: pluginWasm("waf"), config: { useCRS: true, secRules } }],
    routes: [{ name: "default", prefix: "/", cluster: "backend" }],
    clusters: [{ name: "backend", port: opts.upstreamPort }],
    // CRS's tests send bodies up to its test limits (13 MB requests).
    bufferLimitBytes: 16 << 20,
    acceptHttp10: opts.acceptHttp10,
  }, { onLine: (l) => appendFileSync(log, l + "\n") });
  const url = new URL(envoy.url);
  const marked = new MarkedLog(log, url.hostname, Number(url.port));
  return {
    host: url.hostname,
    port: Number(url.port),
    log,
    begin: (m) => marked.begin(m),
    logFor: (m) => marked.logFor(m),
    idsFor: (m) => marked.idsFor(m),
    stop: async () => { await envoy.stop(); rmSync(dir, { recursive: true, force: true }); },
  };
}
