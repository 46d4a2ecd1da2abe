// OpenAI chat requests used by the JSON tests and the JSON benchmark.

/** A realistic streaming chat request (~1 KB) with tools, unicode and escapes. */
export const OPENAI_REQUEST = JSON.stringify({
  model: "gpt-4o",
  messages: [
    { role: "system", content: "You are a helpful assistant. Answer briefly.\nUse \"quotes\" when citing." },
    { role: "user", content: "你好👋 — what's the weather in Zürich?" },
    { role: "assistant", content: null, tool_calls: [{ id: "call_1", type: "function", function: { name: "get_weather", arguments: "{\"city\":\"Zürich\"}" } }] },
    { role: "tool", tool_call_id: "call_1", content: "{\"temp_c\":21.5,\"sky\":\"clear\"}" },
  ],
  tools: [{ type: "function", function: { name: "get_weather", description: "Current weather", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } } }],
  temperature: 0.7,
  top_p: 1,
  max_tokens: 512,
  stream: true,
  user: "user-1234",
  metadata: { tenant: "acme", tags: ["a", "b"] },
});

/** A chat request of about `targetBytes` bytes: a conversation grown until it is big enough. */
export function openAiRequestOfSize(targetBytes: number): string {
  const messages: { role: string; content: string }[] = [{ role: "system", content: "You are a helpful assistant." }];
  const req = { model: "gpt-4o", messages, temperature: 0.2, max_tokens: 1024, stream: false, user: "bench" };
  let i = 0;
  const turn = (n: number) =>
    `Turn ${n}: please summarise the following paragraph about gateways — "An AI gateway sits between applications and model providers; it routes, retries, limits and observes." Include numbers like ${n * 17.25} and a quote \"ok\".`;
  while (JSON.stringify(req).length < targetBytes) {
    messages.push({ role: i % 2 === 0 ? "user" : "assistant", content: turn(i) });
    i++;
  }
  const text = JSON.stringify(req);
  const over = text.length - targetBytes;
  const last = messages[messages.length - 1];
  last.content = last.content.slice(0, Math.max(0, last.content.length - over));
  return JSON.stringify(req);
}

/** An OpenAI request whose `metadata` nests `depth` levels deep (valid for JSON.parse). */
export function deepOpenAiRequest(depth: number): string {
  return '{"model":"gpt-4o","messages":[],"metadata":' + '{"a":'.repeat(depth) + "1" + "}".repeat(depth) + "}";
}
