// `npm run demo` as a user meets it: start harness/src/demo.ts, then run the very curl lines and
// the openai snippet it prints, against the gateway it started (key-auth → ai-cache →
// request-block → ai-token-ratelimit → ai-security-guard → ai-proxy; Redis, Chroma, the
// moderation, embedding and DashScope mocks).
// Ctrl-C (SIGINT) then stops it cleanly.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { spawn, execFile, type ChildProcess } from "node:child_process";
import { promisify } from "node:util";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "../../harness/src/tools.js";
import { freePort } from "../../harness/src/ports.js";

const sh = promisify(execFile);
let demo: ChildProcess;
let out = "";
let exited: Promise<number | null>;

beforeAll(async () => {
  const port = await freePort();
  demo = spawn(process.execPath, ["--import", "tsx", join(repoRoot, "harness", "src", "demo.ts")], {
    cwd: repoRoot,
    env: { ...process.env, SLUICE_DEMO_PORT: String(port), DASHSCOPE_API_KEY: "" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  demo.stdout!.on("data", (d) => (out += d));
  demo.stderr!.on("data", (d) => (out += d));
  exited = new Promise((resolve) => demo.on("close", resolve));
  for (let i = 0; i < 1200 && !out.includes("Ctrl-C to stop.") && demo.exitCode === null; i++) await new Promise((r) => setTimeout(r, 100));
  expect(out).toContain("Ctrl-C to stop.");
}, 150_000);

afterAll(async () => {
  if (demo.exitCode === null) demo.kill("SIGKILL");
});

/** The curl lines the demo printed, each with its trailing "# what it shows" comment split off. */
function printed(): { cmd: string; note: string }[] {
  return out.split("\n").filter((l) => l.startsWith("  curl ")).map((l) => {
    const [cmd, note = ""] = l.trim().split(/\s+#\s+/);
    return { cmd, note };
  });
}
const run = async (cmd: string) => (await sh("sh", ["-c", cmd], { maxBuffer: 1 << 24 })).stdout;

describe("npm run demo", () => {
  it("prints the whole chain, its services and eight curl lines", () => {
    expect(out).toMatch(/chain: key-auth → ai-cache → request-block → ai-token-ratelimit → ai-security-guard → ai-proxy → DashScope mock/);
    expect(out).toMatch(/Chroma 127\.0\.0\.1:\d+ for the semantic cache/);
    expect(out).toContain("consumer: demo-team, API key sk-sluice-demo");
    expect(printed()).toHaveLength(8);
  });

  it("each printed curl line does what its comment says", async () => {
    const [ask, again, paraphrase, injection, stream, anthropic, risky, nokey] = printed();
    const first = JSON.parse(await run(ask.cmd));
    expect(first.model).toBe("qwen-max");
    expect(first.choices[0].message.content).toBe("Echo: What is a sluice?");
    expect(first.usage.total_tokens).toBeGreaterThan(0);
    // The answer is stored after it was sent: ask again until the cache has it (bounded).
    expect(again.note).toContain("from the cache");
    let cached: any;
    for (let i = 0; i < 100; i++) {
      cached = JSON.parse(await run(again.cmd));
      if (cached.model === "from-cache") break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(cached.model).toBe("from-cache");
    expect(cached.choices[0].message.content).toBe("Echo: What is a sluice?");
    // The paraphrase: the original's answer from Chroma. The original is stored there with its
    // vector after its answer went out: wait (bounded) until the printed Chroma holds it.
    expect(paraphrase.note).toContain("semantic cache");
    const chroma = `http://127.0.0.1:${/Chroma 127\.0\.0\.1:(\d+)/.exec(out)![1]}/api/v2/tenants/default_tenant/databases/default_database/collections`;
    const { id } = await (await fetch(`${chroma}/sluice-demo`)).json() as { id: string };
    for (let i = 0; i < 300 && Number(await (await fetch(`${chroma}/${id}/count`)).text()) < 1; i++) await new Promise((r) => setTimeout(r, 50));
    const similar = JSON.parse(await run(paraphrase.cmd));
    expect(similar.model).toBe("from-cache");
    expect(similar.choices[0].message.content).toBe("Echo: What is a sluice?");
    expect(injection.note).toContain("request-block");
    const blocked = await run(injection.cmd.replace("curl -s ", "curl -si "));
    expect(blocked).toMatch(/^HTTP\/1\.1 403/);
    expect(blocked).toContain("blocked by request-block: prompt injection");
    const events = (await run(stream.cmd)).split("\n\n").filter((e) => e.startsWith("data:"));
    expect(events.at(-1)).toBe("data: [DONE]");
    const text = events.slice(0, -1).map((e) => JSON.parse(e.slice(5)).choices[0]?.delta?.content ?? "").join("");
    expect(text).toBe("Echo: Stream, please");
    expect(anthropic.note).toContain("Anthropic");
    const m = JSON.parse(await run(anthropic.cmd));
    expect(m.type).toBe("message");
    expect(m.content[0].text).toBe("Echo: What is a sluice?");
    expect(risky.note).toContain("content moderation");
    const refused = JSON.parse(await run(risky.cmd));
    expect(refused.model).toBe("from-security-guard");
    expect(nokey.note).toContain("401");
    const denied = await run(nokey.cmd);
    expect(denied).toMatch(/^HTTP\/1\.1 401/);
    expect(denied).toContain("No Key Authentication information found.");
  }, 60_000);

  it("the printed openai snippet runs as printed", async () => {
    const start = out.indexOf('  import OpenAI from "openai";');
    const snippet = out.slice(start, out.indexOf("\nCtrl-C", start)).trim();
    // Written inside the repository so `import "openai"` finds its node_modules.
    const dir = join(repoRoot, "build", "demo-test");
    mkdirSync(dir, { recursive: true });
    const file = join(dir, "snippet.mjs");
    writeFileSync(file, snippet + "\n");
    const r = await sh(process.execPath, [file], { cwd: dir });
    expect(r.stdout).toContain("Echo: What is a sluice?");
    expect(r.stdout).toContain("Echo: Stream, please");
  }, 60_000);

  it("Ctrl-C stops it cleanly", async () => {
    demo.kill("SIGINT");
    expect(await exited).toBe(0);
  }, 60_000);
});
