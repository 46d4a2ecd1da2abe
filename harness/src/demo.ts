// `npm run demo`: a gateway in front of a local upstream with Sluice's plugins, and curl lines to try.
// Runs until Ctrl-C.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { Envoy } from "./envoy.js";
import { RecordingUpstream } from "./upstream.js";
import { repoRoot } from "./tools.js";
import type { PluginSpec } from "./bootstrap.js";

function built(name: string): string | null {
  const p = join(repoRoot, "plugins", name, "build", "envoy.wasm");
  return existsSync(p) ? p : null;
}

// Each demo plugin: its config and the curl lines that show its effect.
const demoPlugins: { name: string; config: unknown; tries: (url: string) => string[] }[] = [
  {
    name: "ip-restriction",
    config: { ip_source_type: "header", ip_header_name: "x-real-ip", deny: ["203.0.113.0/24"] },
    tries: (u) => [`curl -i ${u}/ -H 'x-real-ip: 203.0.113.7'        # 403: IP in a denied range`],
  },
  {
    name: "key-auth",
    config: { global_auth: true, keys: ["x-api-key"], in_header: true, consumers: [{ name: "alice", credential: "alice-key" }] },
    tries: (u) => [
      `curl -i ${u}/                                  # 401: no key`,
      `curl -i ${u}/ -H 'x-api-key: wrong'            # 403: unknown key`,
      `curl -i ${u}/ -H 'x-api-key: alice-key'        # 200: the upstream sees x-mse-consumer: alice`,
    ],
  },
  {
    name: "request-block",
    config: { block_urls: ["swagger.html"], block_bodies: ["DROP TABLE"], blocked_message: "blocked by sluice" },
    tries: (u) => [
      `curl -i ${u}/swagger.html -H 'x-api-key: alice-key'                    # 403: blocked URL`,
      `curl -i ${u}/q -H 'x-api-key: alice-key' -d 'x; DROP TABLE users'      # 403: blocked body`,
    ],
  },
];

const upstream = await RecordingUpstream.start();
const plugins: PluginSpec[] = [];
const tries: string[] = [];
for (const p of demoPlugins) {
  const wasm = built(p.name);
  if (!wasm) continue;
  plugins.push({ name: p.name, wasm, config: p.config });
}
const envoy = await Envoy.start({
  plugins,
  routes: [{ name: "demo", cluster: "upstream" }],
  clusters: [{ name: "upstream", port: upstream.port }],
  listenerPort: Number(process.env.SLUICE_DEMO_PORT ?? 10000),
}, { wasmLogLevel: "info" });
for (const p of demoPlugins) if (plugins.some((q) => q.name === p.name)) tries.push(...p.tries(envoy.url));

console.log(`Sluice demo: Envoy ${envoy.version} listening on ${envoy.url} (admin ${envoy.adminUrl})`);
console.log(`plugins: ${plugins.map((p) => p.name).join(" → ")} → upstream (echoes the request as JSON) on 127.0.0.1:${upstream.port}\n`);
console.log("Try:");
for (const t of tries) console.log("  " + t);
console.log("\nCtrl-C to stop.");

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  await envoy.stop();
  await upstream.stop();
  process.exit(0);
}
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
