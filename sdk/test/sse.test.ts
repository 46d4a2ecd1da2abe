// SSE reader/writer: for real OpenAI and Anthropic streams, every split point, 1-byte chunks and
// random splits must give exactly the events of a whole-stream parse.
import { describe, it, expect, beforeEach } from "vitest";
import fc from "fast-check";
import { loadAsModule } from "../../harness/src/ascunit.js";

const m = await loadAsModule("sdk/test/sse.entry.ts");
type Fn = (...a: number[]) => number;
const fn = (name: string) => m.exports[name] as Fn;
const enc = new TextEncoder();

interface Ev { event: string; data: string; id: string; retry: number }

function reset(maxLine = 1 << 20, maxEvent = 4 << 20) { fn("reset")(maxLine, maxEvent); }
function push(chunk: Uint8Array): Ev[] {
  const p = m.newBuffer(chunk);
  try { return JSON.parse(m.getString(fn("push")(p))); } finally { m.unpin(p); }
}
const finish = (): Ev[] => JSON.parse(m.getString(fn("finish")()));
const error = () => m.getString(fn("error")());

/** Feeds the stream cut at the given offsets, then finishes (keepBytes: data handed over as bytes). */
function readSplit(bytes: Uint8Array, cuts: number[], keepBytes = false): Ev[] {
  if (keepBytes) fn("resetKeepBytes")(); else reset();
  const events: Ev[] = [];
  let prev = 0;
  for (const c of [...cuts, bytes.length]) { events.push(...push(bytes.subarray(prev, c))); prev = c; }
  events.push(...finish());
  return events;
}

/** The oracle: the WHATWG algorithm on the whole text (plus dispatch at end, as finish() does). */
function referenceParse(text: string): Ev[] {
  const out: Ev[] = [];
  let data: string[] = [], event = "", id = "", retry = -1;
  if (text.startsWith("\ufeff")) text = text.slice(1);
  const lines = text.split(/\r\n|\r|\n/);
  if (lines[lines.length - 1] === "") lines.pop();
  const dispatch = () => {
    if (data.length) out.push({ event, data: data.join("\n"), id, retry });
    data = []; event = ""; retry = -1;
  };
  for (const line of lines) {
    if (line === "") { dispatch(); continue; }
    if (line.startsWith(":")) continue;
    const i = line.indexOf(":");
    const field = i < 0 ? line : line.slice(0, i);
    let value = i < 0 ? "" : line.slice(i + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "data") data.push(value);
    else if (field === "event") event = value;
    else if (field === "id") { if (!value.includes("\0")) id = value; }
    else if (field === "retry") { if (/^\d+$/.test(value)) retry = Math.min(Number(value), 0x7fffffff); }
  }
  dispatch();
  return out;
}

const chunk = (o: object) => JSON.stringify(o);
const OPENAI_STREAM = [
  { id: "chatcmpl-1", object: "chat.completion.chunk", choices: [{ index: 0, delta: { role: "assistant", content: "" } }] },
  { id: "chatcmpl-1", object: "chat.completion.chunk", choices: [{ index: 0, delta: { content: "你好" } }] },
  { id: "chatcmpl-1", object: "chat.completion.chunk", choices: [{ index: 0, delta: { content: "👋 there" } }] },
  { id: "chatcmpl-1", object: "chat.completion.chunk", choices: [{ index: 0, delta: {}, finish_reason: "stop" }] },
  { id: "chatcmpl-1", object: "chat.completion.chunk", choices: [], usage: { prompt_tokens: 12, completion_tokens: 5, total_tokens: 17 } },
].map((c) => `data: ${chunk(c)}\n\n`).join("") + "data: [DONE]\n\n";

const ANTHROPIC_STREAM = [
  ["message_start", { type: "message_start", message: { id: "msg_1", type: "message", role: "assistant", model: "claude-sonnet-4", content: [], usage: { input_tokens: 25, output_tokens: 1 } } }],
  ["content_block_start", { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } }],
  ["ping", { type: "ping" }],
  ["content_block_delta", { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "你好👋" } }],
  ["content_block_delta", { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: " — ça va?" } }],
  ["content_block_stop", { type: "content_block_stop", index: 0 }],
  ["message_delta", { type: "message_delta", delta: { stop_reason: "end_turn" }, usage: { output_tokens: 15 } }],
  ["message_stop", { type: "message_stop" }],
].map(([e, d]) => `event: ${e}\ndata: ${chunk(d as object)}\n\n`).join("");

// Exercises the rest of the grammar: comments, id, retry, multi-line data, no-space values,
// unknown fields, data-less events (dropped), and a last event without a blank line.
const EDGE_STREAM = ":keep-alive\n\nid: 7\nretry: 1500\nevent: multi\ndata: line one\ndata:line two\ndata\nfoo: bar\n\n" +
  "event: nodata\n\nid\ndata: {\"a\":\"é\"}\n\ndata: tail without blank line";

const withEndings = (s: string, eol: string) => s.replace(/\n/g, eol);

describe("SSE reader", () => {
  beforeEach(() => reset());

  it("parses the fixtures as the oracle does, and the oracle is right", () => {
    const openai = readSplit(enc.encode(OPENAI_STREAM), []);
    expect(openai.map((e) => e.data)).toEqual([...OPENAI_STREAM.matchAll(/^data: (.*)$/gm)].map((x) => x[1]));
    expect(openai[5].data).toBe("[DONE]");
    expect(JSON.parse(openai[1].data).choices[0].delta.content).toBe("你好");
    const anthropic = readSplit(enc.encode(ANTHROPIC_STREAM), []);
    expect(anthropic.map((e) => e.event)).toEqual(["message_start", "content_block_start", "ping", "content_block_delta", "content_block_delta", "content_block_stop", "message_delta", "message_stop"]);
    expect(JSON.parse(anthropic[3].data).delta.text).toBe("你好👋");
    const edge = readSplit(enc.encode(EDGE_STREAM), []);
    expect(edge).toEqual([
      { event: "multi", data: "line one\nline two\n", id: "7", retry: 1500 },
      { event: "", data: '{"a":"é"}', id: "", retry: -1 },
      { event: "", data: "tail without blank line", id: "", retry: -1 },
    ]);
    for (const s of [OPENAI_STREAM, ANTHROPIC_STREAM, EDGE_STREAM]) expect(readSplit(enc.encode(s), [])).toEqual(referenceParse(s));
  });

  for (const [name, text] of [["OpenAI", OPENAI_STREAM], ["Anthropic", ANTHROPIC_STREAM], ["edge cases", EDGE_STREAM]] as const) {
    for (const eol of ["\n", "\r\n", "\r"]) {
      const bytes = enc.encode(withEndings(text, eol));
      const expected = referenceParse(withEndings(text, eol));
      it(`${name} stream, ${JSON.stringify(eol)} endings: every split point, and 1-byte chunks`, () => {
        expect(expected.length).toBeGreaterThan(2);
        for (let i = 0; i <= bytes.length; i++) expect(readSplit(bytes, [i]), `split at ${i}`).toEqual(expected);
        expect(readSplit(bytes, Array.from({ length: bytes.length }, (_, i) => i))).toEqual(expected);
      });
      it(`${name} stream, ${JSON.stringify(eol)} endings: random splits`, () => {
        fc.assert(fc.property(fc.uniqueArray(fc.nat(bytes.length), { maxLength: 12 }), (cuts) => {
          expect(readSplit(bytes, cuts.sort((a, b) => a - b))).toEqual(expected);
        }), { numRuns: 150 });
      });
    }
  }

  it("keepBytes: the same events, data handed over as its bytes (every split; random streams)", () => {
    for (const text of [OPENAI_STREAM, ANTHROPIC_STREAM, EDGE_STREAM]) {
      const bytes = enc.encode(text);
      const expected = referenceParse(text);
      for (let i = 0; i <= bytes.length; i += 7) expect(readSplit(bytes, [i], true), `split at ${i}`).toEqual(expected);
    }
    const raw = new Uint8Array([...enc.encode("data: a"), 0xff, 0xe4, 0xbd, ...enc.encode("b\n\n")]);
    expect(readSplit(raw, [8], true)).toEqual(readSplit(raw, [8]));
    fc.assert(fc.property(fc.array(fc.string({ unit: "grapheme", maxLength: 12 }), { maxLength: 12 }), fc.array(fc.nat(300), { maxLength: 5 }), (datas, cuts) => {
      const text = datas.map((d) => "data: " + d.replace(/[\r\n]/g, "") + "\n\n").join("");
      const bytes = enc.encode(text);
      const sorted = [...new Set(cuts.map((c) => Math.min(c, bytes.length)))].sort((a, b) => a - b);
      expect(readSplit(bytes, sorted, true)).toEqual(referenceParse(text));
    }), { numRuns: 200 });
  });

  it("skipUnless: JSON-object events the probe clears are left out and counted, the rest handed over as before (every split)", () => {
    const deltas = Array.from({ length: 6 }, (_, i) => `{"choices":[{"delta":{"content":"w${i} \\"usage\\""},"finish_reason":null}]}`);
    const kept = ['{"choices":[{"delta":{},"finish_reason":"stop"}]}', '{"choices":[],"usage":{"total_tokens":3}}', '{"error":{"message":"x"}}', '{"id":"\\u0075"}', " {}", "[DONE]", "not json"];
    const text = [...deltas.slice(0, 3), kept[0], ...deltas.slice(3), ...kept.slice(1)].map((d, i) => `${i % 2 ? "event: e\r\n" : ""}data: ${d}\r\n\r\n`).join("");
    const bytes = enc.encode(text);
    const want = referenceParse(text).filter((e) => !deltas.includes(e.data));
    for (let i = 0; i <= bytes.length; i++) {
      fn("resetSkipping")();
      const events = [...push(bytes.subarray(0, i)), ...push(bytes.subarray(i)), ...finish()];
      expect(events, `split at ${i}`).toEqual(want);
      expect(fn("skipped")(), `split at ${i}`).toBe(deltas.length);
    }
  });

  it("a UTF-8 BOM at the start is skipped even when split", () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...enc.encode("data: x\n\n")]);
    for (let i = 0; i <= bytes.length; i++) expect(readSplit(bytes, [i])).toEqual([{ event: "", data: "x", id: "", retry: -1 }]);
  });

  it("invalid UTF-8 in data becomes U+FFFD, like EventSource", () => {
    const bytes = new Uint8Array([...enc.encode("data: a"), 0xff, 0xe4, 0xbd, ...enc.encode("b\n\n")]);
    expect(readSplit(bytes, [8])[0].data).toBe(new TextDecoder().decode(bytes.subarray(6, bytes.length - 2)));
  });

  it("a huge line without newline is an error value, and the reader stops buffering", () => {
    reset(1024, 4096);
    const big = new Uint8Array(600).fill(0x61);
    expect(push(enc.encode("data: "))).toEqual([]);
    expect(push(big)).toEqual([]);
    expect(error()).toBe("");
    expect(push(big)).toEqual([]);
    expect(error()).toMatch(/line longer than 1024/);
    expect(push(enc.encode("\n\ndata: x\n\n"))).toEqual([]);
    reset(1024, 4096);
    expect(push(new Uint8Array(5000).fill(0x61))).toEqual([]);
    expect(error()).toMatch(/line longer/);
  });

  it("an event whose data grows past the limit is an error value", () => {
    reset(1024, 4096);
    const line = enc.encode("data: " + "x".repeat(1000) + "\n");
    for (let i = 0; i < 4; i++) push(line);
    expect(error()).toBe("");
    push(line);
    expect(error()).toMatch(/event larger than 4096/);
  });

  it("property: random streams of random events, randomly split, match the oracle", () => {
    const field = fc.oneof(
      fc.string({ unit: "grapheme", maxLength: 12 }).map((s) => "data: " + s),
      fc.string({ unit: "grapheme", maxLength: 12 }).map((s) => "data:" + s),
      fc.constantFrom("event: a", "event:b", "id: 1", "id", "retry: 10", "retry: x", ": c", "", "", "data", "junk"),
    );
    fc.assert(fc.property(fc.array(field, { maxLength: 20 }), fc.constantFrom("\n", "\r\n", "\r"), fc.array(fc.nat(400), { maxLength: 6 }), (lines, eol, cuts) => {
      const text = lines.map((l) => l.replace(/[\r\n]/g, "")).join(eol) + eol;
      const bytes = enc.encode(text);
      const sorted = [...new Set(cuts.map((c) => Math.min(c, bytes.length)))].sort((a, b) => a - b);
      expect(readSplit(bytes, sorted)).toEqual(referenceParse(text));
    }), { numRuns: 500 });
  });
});

describe("SSE writer", () => {
  const encode = (event: string, data: string, id: string, retry: number) => {
    const ps = [event, data, id].map((s) => m.newString(s));
    try { return Buffer.from(m.getBuffer(fn("encode")(ps[0], ps[1], ps[2], retry))).toString(); } finally { ps.forEach((p) => m.unpin(p)); }
  };

  it("prints the OpenAI and Anthropic shapes", () => {
    expect(encode("", '{"a":1}', "", -1)).toBe('data: {"a":1}\n\n');
    expect(encode("message_stop", '{"type":"message_stop"}', "", -1)).toBe('event: message_stop\ndata: {"type":"message_stop"}\n\n');
    expect(encode("e", "x", "9", 100)).toBe("event: e\nid: 9\nretry: 100\ndata: x\n\n");
  });

  it("property: writer output read back gives the same event; newlines cannot forge fields", () => {
    fc.assert(fc.property(fc.string({ maxLength: 10 }), fc.string({ unit: "grapheme", maxLength: 40 }), (event, data) => {
      const text = encode(event, data, "", -1);
      reset();
      const got = [...push(enc.encode(text)), ...finish()];
      expect(got).toEqual([{ event: event.replace(/[\r\n]/g, ""), data: data.replace(/\r\n|\r/g, "\n"), id: "", retry: -1 }]);
    }), { numRuns: 500 });
  });
});
