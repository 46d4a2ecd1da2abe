// CPU per request of bot-detect's request-header callback for long User-Agents, measured in the
// emulator (Node's V8 runs the same .wasm Envoy runs): process CPU time around the one callback
// that judges the User-Agent, after one warm-up request; median of RUNS requests per cell.
// The "floor" row runs a config whose `allow: ["^Mozilla/"]` decides at the first bytes: what
// handing the header to the plugin costs. Run: node --import tsx test/bench/bot-detect/ua-cpu.ts
import { pluginWasm } from "../../../harness/src/index.js";
import { Emulator } from "../../../harness/src/emulator/index.js";
import { userAgent } from "./ua-cpu-shapes.js";

const RUNS = 15;
const sizes = [1024, 16 * 1024, 64 * 1024];

async function measure(config: unknown, shape: string, size: number): Promise<{ median: number; min: number; max: number; status: number }> {
  const host = await Emulator.load(pluginWasm("bot-detect", "envoy"), { target: "envoy", config, pluginName: "bot-detect" });
  const ua = userAgent(shape, size);
  const ms: number[] = [];
  let status = 0;
  for (let i = 0; i <= RUNS; i++) {
    const s = host.stream();
    const t0 = process.cpuUsage();
    s.sendRequestHeaders({ ":authority": "a", ":path": "/", ":method": "GET", "user-agent": i === 0 ? userAgent("browser", 120) : ua }, true);
    const d = process.cpuUsage(t0);
    status = s.localResponse ? s.localResponse.status : 200;
    s.complete();
    if (i > 0) ms.push((d.user + d.system) / 1000);
  }
  if (host.traps.length) throw new Error("trap: " + JSON.stringify(host.traps));
  ms.sort((a, b) => a - b);
  return { median: ms[ms.length >> 1], min: ms[0], max: ms[ms.length - 1], status };
}

const rows: string[] = [];
const cells: [string, unknown, string, number[]][] = [
  ["ordinary", {}, "browser", [120]],
  ["browser", {}, "browser", sizes],
  ["letters", {}, "letters", sizes],
  ["words", {}, "words", sizes],
  ["fragments", {}, "fragments", sizes],
  ["floor", { allow: ["^Mozilla/"] }, "browser", sizes],
];
for (const [label, config, shape, ss] of cells) {
  for (const size of ss) {
    const r = await measure(config, shape, size);
    const kb = size >= 1024 ? `${size / 1024} KB` : `${size} B`;
    rows.push(`| ${label} | ${kb} | ${r.median.toFixed(2)} | ${r.min.toFixed(2)}–${r.max.toFixed(2)} | ${r.status} |`);
  }
}
console.log(`| User-Agent | size | CPU ms (median of ${RUNS}) | min–max | status |\n|---|---|---|---|---|\n` + rows.join("\n"));
