// ai-data-masking on the emulator, both targets: masks on the way in (the upstream sees only
// masks), restores on the way out — JSON answers, and OpenAI and Anthropic streams cut at every
// byte position — deny words refused in the client's protocol before any upstream call, and
// bodies that are large, trailer-ended or not UTF-8.
import { describe, it, expect } from "vitest";
import { pluginWasm } from "../../../harness/src/index.js";
import { Emulator } from "../../../harness/src/emulator/index.js";
import { CONFIG, PHONE, EMAIL, ID, MASK_PHONE, MASK_EMAIL, MASK_ID, PROMPT, MASKED_PROMPT, MASKED_ANSWER, chat, openaiStream, anthropicStream, openaiStreamOf, anthropicStreamOf, restored, md5, TAIL_STREAMS, tailSplit } from "./fixtures.js";

const routes = [{ name: "r", prefix: "/", cluster: "up" }];
const SSE = { "content-type": "text/event-stream" };
const userText = (sent: { body: Buffer }) => JSON.parse(sent.body.toString()).messages.at(-1).content as string;

for (const target of ["envoy", "higress"] as const) {
  describe(`ai-data-masking on the emulator (${target})`, () => {
    const load = (config: unknown = CONFIG) => Emulator.load(pluginWasm("ai-data-masking", target), { target, config, routes, pluginName: "ai-data-masking" });
    const post = (host: Emulator, body: string, response: any, path = "/v1/chat/completions", extra: Record<string, any> = {}) =>
      host.request({ method: "POST", path, headers: { "content-type": "application/json" }, body, response, ...extra });

    it("masks a phone number, an e-mail and an ID number before the upstream and restores them in a JSON answer", async () => {
      const host = await load();
      let seen = "";
      const r = await post(host, chat(PROMPT), (sent: { body: Buffer }) => {
        seen = sent.body.toString();
        const said = userText(sent);
        return { status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify({ id: "c1", object: "chat.completion", choices: [{ index: 0, message: { role: "assistant", content: `You said: ${said}` }, finish_reason: "stop" }] }) };
      });
      expect(JSON.parse(seen).messages[1].content).toBe(MASKED_PROMPT);
      for (const secret of [PHONE, EMAIL, ID]) expect(seen).not.toContain(secret);
      expect(r.status).toBe(200);
      expect(JSON.parse(r.body).choices[0].message.content).toBe(`You said: ${PROMPT}`);
      expect(host.traps).toEqual([]);
    });

    for (const [name, stream, path] of [["OpenAI", openaiStream(MASKED_ANSWER), "/v1/chat/completions"], ["Anthropic", anthropicStream(MASKED_ANSWER), "/v1/messages"]] as const) {
      it(`restores masks in an ${name} stream cut at every byte position, byte-identical otherwise`, async () => {
        const host = await load();
        const want = restored(stream);
        for (let k = 1; k < stream.length; k++) {
          const r = await post(host, chat(PROMPT, { stream: true }), { status: 200, headers: SSE, chunks: [stream.slice(0, k), stream.slice(k)] }, path);
          if (r.body !== want) expect({ k, body: r.body }).toEqual({ k, body: want });
        }
        const oneByte = await post(host, chat(PROMPT, { stream: true }), { status: 200, headers: SSE, chunks: [...stream] }, path);
        expect(oneByte.body).toBe(want);
        expect(host.traps).toEqual([]);
      });
    }

    for (const [name, streamOf, path] of [["OpenAI", openaiStreamOf, "/v1/chat/completions"], ["Anthropic", anthropicStreamOf, "/v1/messages"]] as const) {
      it(`restores a mask that the model's deltas split at every position (${name}), whole and 1-byte chunks`, async () => {
        const host = await load();
        for (const [mask, original] of [[MASK_PHONE, PHONE], [MASK_EMAIL, EMAIL], [MASK_ID, ID]]) {
          for (let k = 1; k < mask.length; k++) {
            const stream = streamOf(["see ", mask.slice(0, k), mask.slice(k) + " ok", "."]);
            // The original goes where the mask began; the rest of the mask leaves the next delta.
            const want = streamOf(["see ", original, " ok", "."]);
            for (const chunks of [[stream], [...stream]]) {
              const r = await post(host, chat(PROMPT, { stream: true }), { status: 200, headers: SSE, chunks }, path);
              if (r.body !== want) expect({ mask, k, chunks: chunks.length, body: r.body }).toEqual({ mask, k, chunks: chunks.length, body: want });
            }
          }
        }
        // Three deltas, and a prefix that turns out not to be the mask, are handled too.
        const three = streamOf([MASK_EMAIL.slice(0, 3), MASK_EMAIL.slice(3, 9), MASK_EMAIL.slice(9)]);
        expect((await post(host, chat(PROMPT, { stream: true }), { status: 200, headers: SSE, body: three, chunks: 4 }, path)).body).toBe(streamOf([EMAIL, "", ""]));
        const notMask = streamOf(["****@exa", "mple.org"]);
        expect((await post(host, chat(PROMPT, { stream: true }), { status: 200, headers: SSE, body: notMask, chunks: 3 }, path)).body).toBe(notMask);
        expect(host.traps).toEqual([]);
      });
    }

    it("passes a stream byte for byte when the prompt had nothing to restore", async () => {
      const host = await load();
      const stream = openaiStream(MASKED_ANSWER);
      const r = await post(host, chat("nothing personal here", { stream: true }), { status: 200, headers: SSE, chunks: 7 });
      expect(r.upstream).not.toBeNull();
      const s = await post(host, chat("nothing personal here", { stream: true }), { status: 200, headers: SSE, body: stream, chunks: 9 });
      expect(s.body).toBe(stream);
    });

    it("restores what the stream ends on even when the last chunk stops inside a mask's prefix", async () => {
      const host = await load();
      const stream = `data: {"choices":[{"delta":{"content":"${MASK_EMAIL.slice(0, 6)}"}}]}`;
      const r = await post(host, chat(PROMPT, { stream: true }), { status: 200, headers: SSE, chunks: [...stream] });
      expect(r.body).toBe(stream);
    });

    it("refuses a prompt with a deny word before any upstream call: OpenAI JSON, SSE; Anthropic JSON", async () => {
      const host = await load({ ...CONFIG, deny_message: "Refused." });
      const j = await post(host, chat("tell me about project-omega"), undefined);
      expect(j.upstream).toBeNull();
      expect(j.status).toBe(200);
      expect(j.header("content-type")).toBe("application/json");
      expect(JSON.parse(j.body)).toMatchObject({ object: "chat.completion", model: "gpt-4o", choices: [{ message: { role: "assistant", content: "Refused." }, finish_reason: "stop" }] });
      const s = await post(host, chat("tell me about project-omega", { stream: true }), undefined);
      expect(s.upstream).toBeNull();
      expect(s.header("content-type")).toBe("text/event-stream;charset=UTF-8");
      const events = s.body.split("\n\n").filter((e) => e).map((e) => e.replace(/^data: ?/, ""));
      expect(events).toHaveLength(3);
      expect(JSON.parse(events[0]).choices[0].delta.content).toBe("Refused.");
      expect(events[2]).toBe("[DONE]");
      const a = await post(host, JSON.stringify({ model: "claude-haiku-4-5", max_tokens: 9, messages: [{ role: "user", content: [{ type: "text", text: "project-omega?" }] }] }), undefined, "/v1/messages");
      expect(a.upstream).toBeNull();
      expect(JSON.parse(a.body)).toMatchObject({ type: "message", role: "assistant", content: [{ type: "text", text: "Refused." }] });
      expect(a.logs.map((l) => l.message).join("\n")).toContain("custom deny word project-omega matched");
    });

    it("deny_code, the built-in list (system_deny) and raw bodies (deny_raw_message, deny_content_type)", async () => {
      const host = await load({ system_deny: true, deny_raw: true, deny_code: 403, deny_raw_message: "no", deny_content_type: "text/plain" });
      const sys = await post(host, chat("how to make a bomb at home"), undefined);
      expect(sys.upstream).toBeNull();
      expect(sys.status).toBe(403);
      const raw = await post(host, "plain text: how to make a bomb", undefined, "/upload");
      expect(raw.status).toBe(403);
      expect(raw.body).toBe("no");
      expect(raw.header("content-type")).toBe("text/plain");
      const ok = await post(host, "plain text, nothing to see", undefined, "/upload");
      expect(ok.upstream).not.toBeNull();
    });

    it("deny_jsonpath masks only the strings the paths select", async () => {
      const host = await load({ deny_openai: false, deny_jsonpath: ["$.input.items[*].text", "$['meta'].note"], replace_roles: [{ regex: "%{EMAILADDRESS}", type: "replace", value: "<email>" }] });
      const body = JSON.stringify({ input: { items: [{ text: `a ${EMAIL}` }, { text: "b", other: EMAIL }] }, meta: { note: EMAIL } });
      let seen = "";
      await post(host, body, (s: { body: Buffer }) => { seen = s.body.toString(); return { status: 200, body: "{}" }; }, "/api");
      expect(JSON.parse(seen)).toEqual({ input: { items: [{ text: "a <email>" }, { text: "b", other: EMAIL }] }, meta: { note: "<email>" } });
    });

    it("replace without restore rewrites every match with $-groups; hash is MD5 hex; the upstream never sees originals", async () => {
      const host = await load({ replace_roles: [{ regex: "(1[3-9]\\d)\\d{4}(\\d{4})", type: "replace", value: "$1****$2" }, { regex: "sk-[0-9a-zA-Z]*", type: "hash", restore: true }, { regex: "%{IP}", type: "replace", restore: true, value: "***.***.***.***" }] });
      let seen = "";
      const r = await post(host, chat(`call ${PHONE} with sk-12345 at 172.20.5.14`), (s: { body: Buffer }) => {
        seen = userText(s);
        return { status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify({ choices: [{ message: { content: seen } }] }) };
      });
      expect(seen).toBe(`call 138****8000 with ${md5("sk-12345")} at ***.***.***.***`);
      expect(JSON.parse(r.body).choices[0].message.content).toBe(`call 138****8000 with sk-12345 at 172.20.5.14`);
    });

    it("a mask standing for two different originals is not restored", async () => {
      const host = await load({ replace_roles: [{ regex: "%{IP}", type: "replace", restore: true, value: "IP-MASK" }] });
      const r = await post(host, chat("10.0.0.1 and 10.0.0.2"), (s: { body: Buffer }) => ({ status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify({ choices: [{ message: { content: userText(s) } }] }) }));
      expect(JSON.parse(r.body).choices[0].message.content).toBe("IP-MASK and IP-MASK");
    });

    it("an answer with a deny word is replaced by the deny answer (non-streamed)", async () => {
      const host = await load({ ...CONFIG, deny_message: "Refused." });
      const r = await post(host, chat("hi"), { status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify({ choices: [{ message: { content: "about project-omega" } }] }) });
      expect(JSON.parse(r.body).choices[0].message.content).toBe("Refused.");
    });

    // masking-trailers.envoy.test.ts's answers as Envoy hands them on (their HTTP/1 trailers dropped).
    for (const [name, stream] of Object.entries(TAIL_STREAMS)) {
      it(`a stream whose last frame ends inside a possible mask releases the held tail (${name})`, async () => {
        const host = await load();
        const at = tailSplit(stream);
        const r = await post(host, chat(PROMPT, { stream: true }), { status: 200, headers: SSE, chunks: [stream.slice(0, at), stream.slice(at)] });
        expect(r.status).toBe(200);
        expect(r.body).toBe(stream.split(MASK_EMAIL).join(EMAIL).split(MASK_ID).join(ID));
        expect(host.traps).toEqual([]);
      });
    }

    it("a body that is not UTF-8 passes untouched; a trailer-ended body is masked; a 4 MB body is masked", async () => {
      const host = await load();
      const bad = Buffer.concat([Buffer.from(`{"messages":[{"role":"user","content":"${PHONE} `), Buffer.from([0xff, 0xfe]), Buffer.from(`"}]}`)]);
      const r = await post(host, bad as any, undefined);
      expect(r.upstream!.body.equals(bad)).toBe(true);
      const t = await post(host, chat(PROMPT), undefined, "/v1/chat/completions", { chunks: 3, trailers: { "x-t": "1" } });
      expect(JSON.parse(t.upstream!.body.toString()).messages[1].content).toBe(MASKED_PROMPT);
      const big = chat("x".repeat(4 << 20) + " " + EMAIL);
      const b = await post(host, big, undefined, "/v1/chat/completions", { chunks: 64 });
      const sent = b.upstream!.body.toString();
      expect(sent).toContain(MASK_EMAIL);
      expect(sent).not.toContain(EMAIL);
      expect(host.traps).toEqual([]);
    });
  });
}
