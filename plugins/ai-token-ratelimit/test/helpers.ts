// Shared by the ai-token-ratelimit tests: a model of Higress's two Lua scripts (what the counter
// and each answer must be), chat requests against the OpenAI mock, and (from the harness) Redis polling.
import { http, type HttpResult } from "../../../harness/src/index.js";
import type { LlmMock } from "../../../harness/src/mocks/llm/index.js";
export { redisGet, redisTtl, waitCounter } from "../../../harness/src/redis-state.js";

/** Check-then-add, exactly as the scripts do: pass when current ≤ threshold; add only then. */
export class WindowModel {
  current = 0;
  constructor(public threshold: number) {}
  admits(): boolean { return this.current <= this.threshold; }
  add(n: number): void { if (this.current <= this.threshold) this.current += n; }
}

export interface ChatOptions {
  path?: string;
  headers?: [string, string][];
  stream?: boolean;
  includeUsage?: boolean;
  chunking?: string;
  cut?: string;
  text?: string;
}

export function chatBody(o: ChatOptions): string {
  const body: Record<string, unknown> = { model: "gpt-4o", messages: [{ role: "user", content: o.text ?? "Count some tokens for me please" }] };
  if (o.stream) {
    body.stream = true;
    if (o.includeUsage !== false) body.stream_options = { include_usage: true };
  }
  return JSON.stringify(body);
}

export async function chat(base: string, o: ChatOptions = {}): Promise<HttpResult> {
  const headers: [string, string][] = [
    ["host", "api.openai.com"],
    ["authorization", "Bearer sk-test"],
    ["content-type", "application/json"],
    ...(o.headers ?? []),
  ];
  if (o.chunking) headers.push(["x-mock-chunking", o.chunking]);
  if (o.cut) headers.push(["x-mock-cut", o.cut]);
  return http(base + (o.path ?? "/v1/chat/completions"), { method: "POST", headers, body: chatBody(o) });
}

/** Total tokens of the mock's last answer. */
export function lastTotal(mock: LlmMock): number {
  const u = mock.last?.usage;
  if (!u) throw new Error("the mock reported no usage");
  return u.prompt_tokens + u.completion_tokens;
}

export function sseUsage(body: string): { prompt_tokens: number; completion_tokens: number } | undefined {
  let u;
  for (const line of body.split("\n")) {
    if (!line.startsWith("data: {")) continue;
    const j = JSON.parse(line.slice(6));
    if (j.usage) u = j.usage;
  }
  return u;
}
