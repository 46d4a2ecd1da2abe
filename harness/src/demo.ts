// `npm run demo`: the classic "AI Q&A" gateway. Envoy runs request-block → ai-proxy in front of
// Qwen (DashScope's native text-generation API). Clients speak OpenAI (or Anthropic) to the
// gateway; ai-proxy maps the model, converts the request and the (streamed) answer, and reports
// token usage.
//
// Upstream: the DashScope mock from harness/src/mocks/llm by default; with DASHSCOPE_API_KEY set,
// the real dashscope.aliyuncs.com:443 over TLS (that path needs network access and a key, so the
// test suite cannot cover it). Runs until Ctrl-C. SLUICE_DEMO_PORT picks the port (default 10000).
import { existsSync } from "node:fs";
import { join } from "node:path";
import { Envoy, EnvoyStartError } from "./envoy.js";
import { repoRoot } from "./tools.js";
import type { PluginSpec, ClusterSpec } from "./bootstrap.js";
import { LlmMock, dashscopeFamily } from "./mocks/llm/index.js";

function built(name: string): string {
  const p = join(repoRoot, "plugins", name, "build", "envoy.wasm");
  if (!existsSync(p)) {
    console.error(`plugins/${name}/build/envoy.wasm is missing: run \`node scripts/build.mjs ${name}\` (npm run demo builds everything).`);
    process.exit(1);
  }
  return p;
}

const demoPort = Number(process.env.SLUICE_DEMO_PORT ?? 10000);

const apiKey = process.env.DASHSCOPE_API_KEY;
const real = !!apiKey;
const mock = real ? undefined : await LlmMock.start(dashscopeFamily);

const cluster: ClusterSpec = real
  ? { name: "dashscope", host: "dashscope.aliyuncs.com", port: 443, dns: true, tlsSni: "dashscope.aliyuncs.com", connectTimeoutMs: 5000 }
  : { name: "dashscope", port: mock!.port };

const plugins: PluginSpec[] = [
  {
    name: "request-block",
    wasm: built("request-block"),
    config: { block_bodies: ["DROP TABLE"], blocked_code: 403, blocked_message: "blocked by sluice request-block" },
  },
  {
    name: "ai-proxy",
    wasm: built("ai-proxy"),
    // Higress's ai-proxy configuration, unchanged.
    config: {
      provider: {
        type: "qwen",
        qwenEnableCompatible: false,
        apiTokens: [apiKey ?? "sk-demo-key"],
        modelMapping: { "gpt-4o": "qwen-max", "gpt-4o-mini": "qwen-turbo", "*": "qwen-plus" },
      },
    },
  },
];

let envoy: Envoy;
try {
  envoy = await Envoy.start({
    plugins,
    routes: [{ name: "ai", prefix: "/", cluster: "dashscope", timeoutSeconds: 120 }],
    clusters: [cluster],
    listenerPort: demoPort,
  }, { wasmLogLevel: "info" });
} catch (e) {
  await mock?.stop();
  if (!(e instanceof EnvoyStartError && e.reason === "port")) throw e;
  console.error(`demo: ${e.message.split("\n")[0].replace(/^Envoy did not start: /, "")} (another gateway? set SLUICE_DEMO_PORT to a free port)`);
  process.exit(1);
}

const u = envoy.url;
const chat = (extra: string) => `'{"model":"gpt-4o","messages":[{"role":"user","content":"What is a sluice?"}]${extra}}'`;
console.log(`Sluice AI gateway: Envoy ${envoy.version} on ${u} (admin ${envoy.adminUrl})`);
console.log(`chain: request-block → ai-proxy → ${real ? "dashscope.aliyuncs.com:443 (real Qwen, TLS)" : `DashScope mock on 127.0.0.1:${mock!.port} (set DASHSCOPE_API_KEY for the real Qwen)`}`);
console.log(`models: gpt-4o → qwen-max, gpt-4o-mini → qwen-turbo, anything else → qwen-plus\n`);
console.log("Try:");
console.log(`  curl -s ${u}/v1/chat/completions -H 'content-type: application/json' -d ${chat("")}`);
console.log(`  curl -sN ${u}/v1/chat/completions -H 'content-type: application/json' -d ${chat(',"stream":true')}`);
console.log(`  curl -s ${u}/v1/messages -H 'content-type: application/json' -d '{"model":"gpt-4o","max_tokens":256,"messages":[{"role":"user","content":"What is a sluice?"}]}'   # Anthropic API`);
console.log(`  curl -si ${u}/v1/chat/completions -H 'content-type: application/json' -d '{"model":"gpt-4o","messages":[{"role":"user","content":"x; DROP TABLE users"}]}'   # 403 from request-block`);
console.log(`\nOr with the openai client (npm i openai), in a .mjs file:\n`);
console.log(`  import OpenAI from "openai";
  const client = new OpenAI({ baseURL: "${u}/v1", apiKey: "unused-the-gateway-holds-the-key" });
  const r = await client.chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: "What is a sluice?" }] });
  console.log(r.choices[0].message.content, r.usage);
  const stream = await client.chat.completions.create({ model: "gpt-4o", stream: true, messages: [{ role: "user", content: "Stream, please" }] });
  for await (const chunk of stream) process.stdout.write(chunk.choices[0]?.delta?.content ?? "");`);
console.log("\nCtrl-C to stop.");

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  await envoy.stop();
  await mock?.stop();
  process.exit(0);
}
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
