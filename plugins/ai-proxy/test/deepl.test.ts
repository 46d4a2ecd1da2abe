// The deepl provider through a real Envoy with the official `openai` client, against the strict
// DeepL mock (harness/src/mocks/llm/deepl.ts): what DeepL receives (host by model, path, auth,
// body built as Higress's deeplTextGenRequest builds it), the chat.completion the client gets
// (as Higress's responseDeepl2OpenAI), a stream request (answered with the same JSON, as with
// Higress), DeepL's errors reaching the client, and a config without targetLang refused at load.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import OpenAI from "openai";
import { useEnvoy } from "../../../harness/src/vitest.js";
import { Envoy, Emulator, http, pluginWasm } from "../../../harness/src/index.js";
import { Mocks, PROVIDERS, gatewaySpec, type ProviderCase } from "./setup.js";

const mocks = new Mocks();
beforeAll(async () => { await mocks.start(); });
afterAll(async () => { await mocks.stop(); });

const deepl = PROVIDERS.find((p) => p.id === "deepl")!;
const pro = PROVIDERS.find((p) => p.id === "deepl-pro")!;
const extra: ProviderCase[] = [
  // A wrong key: the mock (as DeepL) answers 403.
  { ...deepl, id: "deepl-badkey", config: { ...deepl.config, id: "deepl-badkey", apiTokens: ["sk-bad:fx"] } },
  // A Free key sent to the Pro host: DeepL's "Wrong endpoint".
  { ...deepl, id: "deepl-freekey-pro", host: "api.deepl.com", config: { ...deepl.config, id: "deepl-freekey-pro" } },
  // No apiTokens: the client's key is not passed to DeepL.
  { ...deepl, id: "deepl-notoken", config: { id: "deepl-notoken", type: "deepl", targetLang: "ZH" } },
  // modelMapping applies before the model picks the service.
  { ...deepl, id: "deepl-mapped", config: { ...deepl.config, id: "deepl-mapped", modelMapping: { "*": "Free" } } },
];
const gw = useEnvoy(() => gatewaySpec(mocks, [deepl, pro, ...extra]));

const client = (id: string, apiKey = "client-key") => new OpenAI({ apiKey, baseURL: `${gw.url}/${id}/v1`, maxRetries: 0 });

describe("deepl through Envoy with the openai client", () => {
  it("chat: Free → api-free.deepl.com /v2/translate, DeepL-Auth-Key, system message as context", async () => {
    const r = await client("deepl").chat.completions.create({
      model: "Free",
      messages: [{ role: "system", content: "money" }, { role: "user", content: "sit by the bank" }, { role: "assistant", content: "a bank in China" }],
    });
    const seen = mocks.deepl.last!;
    expect(seen.status).toBe(200);
    expect(seen.method).toBe("POST");
    expect(seen.path).toBe("/v2/translate");
    expect(seen.headers.host).toBe("api-free.deepl.com");
    expect(seen.headers.authorization).toBe("DeepL-Auth-Key sk-deepl:fx");
    expect(seen.headers["content-type"]).toBe("application/json");
    expect(seen.raw).toBe(JSON.stringify({ text: ["sit by the bank", "a bank in China"], target_lang: "ZH", context: "money" }));
    expect(r.object).toBe("chat.completion");
    expect(r.model).toBe("Free");
    expect(r.usage).toBeNull();
    expect(r.choices).toEqual([
      { index: 0, message: { name: "EN", role: "assistant", content: "ZH: sit by the bank [money]" }, finish_reason: null, logprobs: null },
      { index: 1, message: { name: "EN", role: "assistant", content: "ZH: a bank in China [money]" }, finish_reason: null, logprobs: null },
    ]);
    expect(Math.abs(r.created - Date.now() / 1000)).toBeLessThan(600);
  });

  it("chat: Pro → api.deepl.com; no system message → no context; the last system message wins", async () => {
    const r = await client("deepl-pro").chat.completions.create({ model: "Pro", messages: [{ role: "user", content: "hello" }] });
    let seen = mocks.deepl.last!;
    expect(seen.headers.host).toBe("api.deepl.com");
    expect(seen.headers.authorization).toBe("DeepL-Auth-Key sk-deepl-pro");
    expect(seen.body).toEqual({ text: ["hello"], target_lang: "DE" });
    expect(r.choices[0].message.content).toBe("DE: hello");
    await client("deepl-pro").chat.completions.create({ model: "Pro", messages: [{ role: "system", content: "first" }, { role: "user", content: "x" }, { role: "developer", content: "second" }] });
    seen = mocks.deepl.last!;
    // developer becomes system (as Higress does for providers without it), so it is the context.
    expect(seen.body).toEqual({ text: ["x"], target_lang: "DE", context: "second" });
  });

  it("stream: true gets the JSON chat.completion, not SSE (DeepL has no streaming; Higress answers the same)", async () => {
    const res = await http(`${gw.url}/deepl/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer client-key" },
      body: JSON.stringify({ model: "Free", stream: true, messages: [{ role: "user", content: "hi" }] }),
    });
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^application\/json/);
    const seen = mocks.deepl.last!;
    // Neither stream nor stream_options goes to DeepL (the mock refuses parameters it does not know).
    expect(seen.body).toEqual({ text: ["hi"], target_lang: "ZH" });
    const r = JSON.parse(res.body);
    expect(r.object).toBe("chat.completion");
    expect(r.choices[0].message.content).toBe("ZH: hi");
  });

  it("a model other than Free or Pro is refused with Higress's message; modelMapping applies first", async () => {
    const e: any = await client("deepl").chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: "hi" }] }).catch((x) => x);
    expect(e).toBeInstanceOf(OpenAI.BadRequestError);
    expect(e.error?.message).toBe('deepl model should be "Free" or "Pro"');
    const before = mocks.deepl.requests.length;
    const r = await client("deepl-mapped").chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: "hi" }] });
    expect(mocks.deepl.requests.length).toBe(before + 1);
    expect(mocks.deepl.last!.headers.host).toBe("api-free.deepl.com");
    expect(r.model).toBe("Free");
  });

  it("a wrong token: DeepL's 403 and its message reach the client", async () => {
    const e: any = await client("deepl-badkey").chat.completions.create({ model: "Free", messages: [{ role: "user", content: "hi" }] }).catch((x) => x);
    expect(mocks.deepl.last!.headers.authorization).toBe("DeepL-Auth-Key sk-bad:fx");
    expect(mocks.deepl.last!.status).toBe(403);
    expect(e).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect(e.status).toBe(403);
    expect(e.error?.message).toBe("Authorization failure, check auth_key");
  });

  it("a Free key on the Pro host: DeepL's 'Wrong endpoint' reaches the client", async () => {
    const e: any = await client("deepl-freekey-pro").chat.completions.create({ model: "Pro", messages: [{ role: "user", content: "hi" }] }).catch((x) => x);
    expect(e.status).toBe(403);
    expect(e.error?.message).toBe("Wrong endpoint. Use https://api-free.deepl.com");
  });

  it("without apiTokens the client's own key is not sent to DeepL (which refuses)", async () => {
    const e: any = await client("deepl-notoken", "sk-client-own").chat.completions.create({ model: "Free", messages: [{ role: "user", content: "hi" }] }).catch((x) => x);
    expect(mocks.deepl.last!.headers.authorization).toBeUndefined();
    expect(e.status).toBe(403);
  });

  it("DeepL's quota (456) and rate-limit (429) errors keep their status", async () => {
    for (const [status, message] of [[456, "Quota exceeded"], [429, "Too many requests"]] as const) {
      const e: any = await client("deepl").chat.completions.create({ model: "Free", messages: [{ role: "user", content: "hi" }] }, { headers: { "x-mock-fail": String(status) } }).catch((x) => x);
      expect(e.status).toBe(status);
      expect(e.error?.message).toBe(message);
    }
  });

  it("completions and embeddings are not offered; /v1/models is answered locally", async () => {
    const before = mocks.deepl.requests.length;
    const e: any = await client("deepl").embeddings.create({ model: "Free", input: "hi" }).catch((x) => x);
    expect(e.status).toBe(400);
    expect(e.error?.message).toContain("not supported by provider type 'deepl'");
    const c: any = await client("deepl").completions.create({ model: "Free", prompt: "hi" }).catch((x) => x);
    expect(c.status).toBe(400);
    expect(mocks.deepl.requests.length).toBe(before);
  });
});

describe("the DeepL mock refuses what DeepL refuses", () => {
  const call = (body: unknown, auth = "DeepL-Auth-Key sk-deepl:fx") =>
    http(`http://127.0.0.1:${mocks.deepl.port}/v2/translate`, { method: "POST", headers: { host: "api-free.deepl.com", "content-type": "application/json", authorization: auth }, body: JSON.stringify(body) });

  it("a missing or wrong DeepL-Auth-Key, a Bearer key: 403", async () => {
    for (const auth of ["", "Bearer sk-deepl:fx", "DeepL-Auth-Key sk-bad:fx", "DeepL-Auth-Key"]) {
      const r = await call({ text: ["a"], target_lang: "DE" }, auth);
      expect(r.status, auth).toBe(403);
      expect(JSON.parse(r.body).message).toBe("Authorization failure, check auth_key");
    }
  });

  it("a missing target_lang, a non-array text, an unknown parameter: 400 with DeepL's message", async () => {
    const cases: [unknown, string][] = [
      [{ text: ["a"] }, "Bad request. Reason: Parameter 'target_lang' not specified."],
      [{ text: ["a"], target_lang: "XX" }, "Value for 'target_lang' not supported."],
      [{ text: "a", target_lang: "DE" }, "Bad request. Reason: Parameter 'text' must be an array of strings."],
      [{ target_lang: "DE" }, "Bad request. Reason: Parameter 'text' not specified."],
      [{ text: ["a"], target_lang: "DE", messages: [] }, "Bad request. Reason: Unknown parameter 'messages'."],
    ];
    for (const [body, message] of cases) {
      const r = await call(body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(JSON.parse(r.body)).toEqual({ message });
    }
  });
});

describe("config", () => {
  const config = { provider: { type: "deepl", apiTokens: ["sk-deepl:fx"] } };

  it("a deepl provider without targetLang is refused at load (Envoy and the emulator)", async () => {
    const e: any = await Envoy.start(
      { plugins: [{ name: "ai-proxy", wasm: pluginWasm("ai-proxy"), config }], routes: [{ name: "r", cluster: "up" }], clusters: [{ name: "up", port: mocks.deepl.port }] },
      { allowStartFailure: true },
    ).catch((x) => x);
    expect(e).toBeInstanceOf(Error);
    expect(e.envoyLog).toContain("missing targetLang in deepl provider config");
    const failure = await Emulator.load(pluginWasm("ai-proxy"), { config, pluginName: "ai-proxy" }).then(() => null, (x: Error) => x.message);
    expect(failure).toContain("missing targetLang in deepl provider config");
  });

  it("with targetLang it loads", async () => {
    const host = await Emulator.load(pluginWasm("ai-proxy"), { config: { provider: { ...config.provider, targetLang: "ZH" } }, pluginName: "ai-proxy" });
    expect(host.started).toBe(true);
    host.close();
  });
});
