// `npm run demo` (harness/src/demo.ts) starts, and the openai-client snippet it prints works.
import { describe, it, expect } from "vitest";
import { spawn } from "node:child_process";
import OpenAI from "openai";
import { repoRoot } from "../../../harness/src/index.js";

describe("the AI Q&A demo", () => {
  it("starts, answers the printed client snippet, blocks DROP TABLE, stops on SIGINT", async () => {
    const env = { ...process.env, SLUICE_DEMO_PORT: "0" };
    delete env.DASHSCOPE_API_KEY;
    const proc = spawn(process.execPath, ["--import", "tsx", "harness/src/demo.ts"], { cwd: repoRoot, env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    proc.stdout.on("data", (d) => (out += d));
    proc.stderr.on("data", (d) => (out += d));
    const exited = new Promise<number | null>((r) => proc.on("exit", (c) => r(c)));
    try {
      for (let i = 0; i < 200 && !out.includes("Ctrl-C"); i++) await new Promise((r) => setTimeout(r, 100));
      expect(out).toContain("request-block → ai-proxy");
      const url = /Sluice AI gateway: Envoy \S+ on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)![1];
      expect(out).toContain(`baseURL: "${url}/v1"`);
      const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: "unused-the-gateway-holds-the-key", maxRetries: 0 });
      const r = await client.chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: "What is a sluice?" }] });
      expect(r.choices[0].message.content).toBe("Echo: What is a sluice?");
      expect(r.model).toBe("qwen-max");
      let text = "";
      const s = await client.chat.completions.create({ model: "gpt-4o", stream: true, messages: [{ role: "user", content: "Stream, please" }] });
      for await (const c of s) text += c.choices[0]?.delta?.content ?? "";
      expect(text).toBe("Echo: Stream, please");
      const blocked: any = await client.chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: "x; DROP TABLE users" }] }).catch((e) => e);
      expect(blocked.status).toBe(403);
    } finally {
      proc.kill("SIGINT");
      await exited;
    }
  });
});
