// Memory that ai-proxy spends on a big request body, per body byte:
//   - VM linear memory in the emulator (WebAssembly.Memory byte length after the request, minus
//     before it; linear memory never shrinks, so this is the high-water mark the body caused), and
//     after two more requests of the same size (does the space get reused?);
//   - Envoy RSS (a fresh Envoy per case and size, 128 MiB buffer limit), after the request.
// Cases: (a) OpenAI passthrough with model mapping, (b) OpenAI → claude conversion; bodies of
// 1, 10, 40 MB, most of it one `messages[].content` string (ASCII, escapes, CJK, emoji).
// Usage: node --import tsx test/bench/body-memory.ts [--sizes 1,10,40] [--no-envoy] [--target envoy|higress] [--write]
// Prints a markdown table; --write also puts it into docs/bench-body-memory.md (between the
// "current" markers; `npm run bench` does this). Build first: node scripts/build.mjs ai-proxy.
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { readFileSync, statSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { Emulator } from "../../harness/src/emulator/index.js";
import { Envoy } from "../../harness/src/envoy.js";
import { pluginWasm, repoRoot } from "../../harness/src/tools.js";

const argv = process.argv.slice(2);
const opt = (name: string, def: string) => { const i = argv.indexOf(`--${name}`); return i >= 0 ? argv[i + 1] : def; };
const SIZES = opt("sizes", "1,10,40").split(",").map(Number);
const TARGET = opt("target", "envoy") as "envoy" | "higress";
const WITH_ENVOY = !argv.includes("--no-envoy");
const MB = 1000 * 1000;

const config = {
  providers: [
    { id: "openai", type: "openai", apiTokens: ["sk-openai"], modelMapping: { "gpt-4o": "gpt-4o-mini", "*": "gpt-4o" } },
    { id: "claude", type: "claude", apiTokens: ["sk-claude"], claudeVersion: "2023-06-01", modelMapping: { "*": "claude-haiku-4-5" } },
  ],
  _rules_: [{ _match_route_: ["openai"], activeProviderId: "openai" }, { _match_route_: ["claude"], activeProviderId: "claude" }],
};
const routes = [{ name: "openai", prefix: "/openai/", cluster: "up" }, { name: "claude", prefix: "/claude/", cluster: "up" }];

// Already JSON-escaped; whole repetitions keep escapes and UTF-8 sequences intact.
const CHUNK = Buffer.from('Lorem ipsum dolor sit amet, \\"quoted\\" caf\u00e9 \u4e2d\u6587 \ud83d\ude00\\n\\tline ');

/** A chat body of about `bytes` bytes: one big user message, then a short exchange. */
export function bigChat(bytes: number): Buffer {
  const n = Math.max(1, Math.floor(bytes / CHUNK.length));
  return Buffer.concat([
    Buffer.from('{"model":"gpt-4o","messages":[{"role":"system","content":"be brief"},{"role":"user","content":"'),
    Buffer.alloc(n * CHUNK.length, CHUNK),
    Buffer.from('"},{"role":"assistant","content":"ok"},{"role":"user","content":"hi"}],"max_tokens":16}'),
  ]);
}

const OPENAI_ANSWER = JSON.stringify({ id: "c", object: "chat.completion", created: 1, model: "gpt-4o-mini", choices: [{ index: 0, message: { role: "assistant", content: "ok" }, finish_reason: "stop" }], usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 } });
const CLAUDE_ANSWER = JSON.stringify({ id: "msg_1", type: "message", role: "assistant", model: "claude-haiku-4-5", content: [{ type: "text", text: "ok" }], stop_reason: "end_turn", usage: { input_tokens: 3, output_tokens: 1 } });

const CASES = [
  { name: "passthrough + model mapping", path: "/openai/v1/chat/completions", answer: OPENAI_ANSWER },
  { name: "claude conversion", path: "/claude/v1/chat/completions", answer: CLAUDE_ANSWER },
];

const perByte = (delta: number, body: number) => (delta / body).toFixed(2);

async function emulatorRow(c: (typeof CASES)[number], size: number): Promise<string[]> {
  const host = await Emulator.load(pluginWasm("ai-proxy", TARGET), { target: TARGET, config, routes, pluginName: "ai-proxy", logLevel: "warn" });
  const mem = () => host.memoryBytes;
  const body = bigChat(size * MB);
  const send = () => host.request({ path: c.path, headers: { "content-type": "application/json" }, body, response: { status: 200, headers: { "content-type": "application/json" }, body: c.answer } });
  const before = mem();
  const r1 = await send();
  const after1 = mem();
  if (host.traps.length > 0 || r1.status !== 200) return [`${r1.status}${host.traps.length ? " trap" : ""}`, "–"];
  await send();
  const r3 = await send();
  const after3 = mem();
  const ok = host.traps.length === 0 && r3.status === 200;
  return [perByte(after1 - before, body.length), ok ? perByte(after3 - before, body.length) : `${r3.status}${host.traps.length ? " trap" : ""}`];
}

function rssKiB(pid: number): { rss: number; hwm: number } {
  const s = readFileSync(`/proc/${pid}/status`, "utf8");
  return { rss: Number(/VmRSS:\s+(\d+) kB/.exec(s)?.[1] ?? 0), hwm: Number(/VmHWM:\s+(\d+) kB/.exec(s)?.[1] ?? 0) };
}

function post(url: string, path: string, body: Buffer): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const u = new URL(url);
    const req = request({ host: u.hostname, port: u.port, path, method: "POST", headers: { "content-type": "application/json", "content-length": String(body.length) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (d) => chunks.push(d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      res.on("error", () => resolve({ status: res.statusCode ?? 0, body: "" }));
    });
    req.on("error", (e) => resolve({ status: 0, body: String(e) }));
    req.end(body);
  });
}

async function startUpstream(): Promise<Server> {
  const s = createServer((req, res) => {
    req.on("data", () => {});
    req.on("end", () => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(req.url?.startsWith("/v1/messages") ? CLAUDE_ANSWER : OPENAI_ANSWER);
    });
  });
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  return s;
}

async function envoyRow(up: Server, c: (typeof CASES)[number], size: number): Promise<string[]> {
  const envoy = await Envoy.start({
    plugins: [{ name: "ai-proxy", wasm: pluginWasm("ai-proxy"), config }],
    routes: [...routes, { name: "default", prefix: "/", cluster: "up" }],
    clusters: [{ name: "up", port: (up.address() as AddressInfo).port }],
    bufferLimitBytes: 128 * 1024 * 1024,
  }, { logLevel: "warn", wasmLogLevel: "warn" });
  try {
    const pid = envoy.envoyPid();
    const small = bigChat(1000);
    await post(envoy.url, c.path, small);
    const before = rssKiB(pid);
    const body = bigChat(size * MB);
    const r = await post(envoy.url, c.path, body);
    const after = rssKiB(pid);
    const next = await post(envoy.url, c.path, small);
    const broke = /failed:|unreachable/.test(envoy.log);
    const status = r.status === 200 && next.status === 200 && !broke ? "" : ` (${r.status}, then ${next.status}${broke ? ", VM failed" : ""})`;
    return [`${Math.round(before.rss / 1024)} → ${Math.round(after.rss / 1024)} MB`, perByte((after.rss - before.rss) * 1024, body.length) + status];
  } finally {
    await envoy.stop();
  }
}

const wasm = pluginWasm("ai-proxy", TARGET);
const out: string[] = [];
const say = (line: string) => { console.log(line); out.push(line); };
say(`ai-proxy ${TARGET}.wasm: ${statSync(wasm).size} bytes, measured ${new Date().toISOString().slice(0, 10)}\n`);
const header = ["case", "body", "VM memory / body byte (1 request)", "VM memory / body byte (3 requests)"];
if (WITH_ENVOY) header.push("Envoy RSS", "Envoy RSS growth / body byte");
say(`| ${header.join(" | ")} |\n|${header.map(() => "---").join("|")}|`);
const up = WITH_ENVOY ? await startUpstream() : null;
for (const c of CASES) {
  for (const size of SIZES) {
    const row = [c.name, `${size} MB`, ...(await emulatorRow(c, size))];
    if (up) row.push(...(await envoyRow(up, c, size)));
    say(`| ${row.join(" | ")} |`);
  }
}
up?.close();
if (argv.includes("--write")) {
  const doc = join(repoRoot, "docs", "bench-body-memory.md");
  const text = existsSync(doc) ? readFileSync(doc, "utf8") : "<!-- current:begin -->\n<!-- current:end -->\n";
  const begin = "<!-- current:begin -->", end = "<!-- current:end -->";
  const a = text.indexOf(begin), b = text.indexOf(end);
  if (a >= 0 && b > a) writeFileSync(doc, text.slice(0, a + begin.length) + "\n" + out.join("\n") + "\n" + text.slice(b));
}
