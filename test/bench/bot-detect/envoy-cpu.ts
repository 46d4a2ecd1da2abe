// Envoy CPU per request (utime+stime from /proc) for bot-detect on long User-Agents, minus the
// same Envoy without the plugin: sequential keep-alive requests for a few seconds per cell.
// Run: node --import tsx test/bench/bot-detect/envoy-cpu.ts [--wasm path/to/bot-detect.wasm]
import { createServer, Agent, request } from "node:http";
import { readFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { Envoy, pluginWasm } from "../../../harness/src/index.js";
import { userAgent } from "./ua-cpu-shapes.js";

const argv = process.argv.slice(2);
const wasmArg = argv.indexOf("--wasm");
const wasm = wasmArg >= 0 ? argv[wasmArg + 1] : pluginWasm("bot-detect");
const SECONDS = 4;
const ticks = Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout.trim() || "100");
const cpu = (pid: number) => {
  const f = readFileSync(`/proc/${pid}/stat`, "utf8").slice(readFileSync(`/proc/${pid}/stat`, "utf8").lastIndexOf(")") + 2).split(" ");
  return (Number(f[11]) + Number(f[12])) / ticks;
};

// An upstream that accepts large headers (Node's default limit is 16 KiB).
const upstream = createServer({ maxHeaderSize: 1 << 20 }, (_req, res) => res.end("ok"));
await new Promise<void>((r) => upstream.listen(0, "127.0.0.1", r));
const port = (upstream.address() as { port: number }).port;

async function perRequestMs(plugins: { name: string; wasm: string; config: unknown }[], ua: string): Promise<{ ms: number; n: number; status: number }> {
  const envoy = await Envoy.start({ plugins, routes: [{ name: "r", cluster: "up" }], clusters: [{ name: "up", port }] }, { wasmLogLevel: "warn", logLevel: "warn" });
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const u = new URL(envoy.url);
  const once = () => new Promise<number>((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path: "/", agent, headers: { "user-agent": ua } }, (res) => { res.resume(); res.on("end", () => resolve(res.statusCode ?? 0)); });
    req.on("error", reject);
    req.end();
  });
  let status = await once(); // warm-up (and the DFA's first states)
  const pid = envoy.envoyPid();
  const c0 = cpu(pid);
  const t0 = performance.now();
  let n = 0;
  while (performance.now() - t0 < SECONDS * 1000) { status = await once(); n++; }
  const used = cpu(pid) - c0;
  agent.destroy();
  await envoy.stop();
  return { ms: (1000 * used) / n, n, status };
}

console.log(`plugin: ${wasm}\n\n| User-Agent | bare Envoy ms/req | with bot-detect ms/req | bot-detect's cost ms/req | requests | status |\n|---|---|---|---|---|---|`);
for (const [label, size] of [["120 B", 120], ["1 KB", 1024], ["16 KB", 16 * 1024], ["59 KB", 59 * 1024]] as const) {
  const ua = userAgent("browser", size);
  const bare = await perRequestMs([], ua);
  const bot = await perRequestMs([{ name: "bot-detect", wasm, config: {} }], ua);
  console.log(`| ${label} | ${bare.ms.toFixed(3)} | ${bot.ms.toFixed(3)} | ${(bot.ms - bare.ms).toFixed(3)} | ${bot.n} | ${bot.status} |`);
}
upstream.close();
