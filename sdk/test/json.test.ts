// JSON: the parser, writer, scanner and in-place edits, checked against V8's JSON.parse /
// JSON.stringify and TextDecoder (fatal) as the reference. Every call goes through the compiled
// wasm module, so a trap would throw a RuntimeError here and fail the test.
import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { loadAsModule } from "../../harness/src/ascunit.js";
import { OPENAI_REQUEST, deepOpenAiRequest } from "./json.fixtures.js";

const m = await loadAsModule("sdk/test/json.entry.ts");
type Fn = (...a: number[]) => number;
const fn = (name: string) => m.exports[name] as Fn;
const enc = new TextEncoder();
const MAX_DEPTH = 128;

function withArgs<T>(args: (string | Uint8Array)[], run: (...ptrs: number[]) => T): T {
  const ptrs = args.map((a) => (typeof a === "string" ? m.newString(a) : m.newBuffer(a)));
  try { return run(...ptrs); } finally { for (const p of ptrs) m.unpin(p); }
}
const str = (name: string, ...args: (string | Uint8Array)[]) => withArgs(args, (...p) => m.getString(fn(name)(...p)));
const strOrNull = (name: string, ...args: (string | Uint8Array)[]) =>
  withArgs(args, (...p) => { const r = fn(name)(...p); return r === 0 ? null : m.getString(r); });
const bufOrNull = (name: string, ...args: (string | Uint8Array)[]) =>
  withArgs(args, (...p) => { const r = fn(name)(...p); return r === 0 ? null : m.getBuffer(r); });
const parseBytes = (b: Uint8Array) => str("parseBytes", b);
const asJsonBuf = (b: Uint8Array | null) => (b === null ? null : JSON.parse(Buffer.from(b).toString()));

function depth(v: unknown): number {
  if (Array.isArray(v)) return 1 + Math.max(0, ...v.map(depth));
  if (v !== null && typeof v === "object") return 1 + Math.max(0, ...Object.values(v).map(depth));
  return 0;
}

/** What our parser must say about these bytes: the JSON.parse value, or that it is an error. */
function reference(bytes: Uint8Array): { ok: true; value: unknown } | { ok: false } {
  let text: string;
  try { text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes); } catch { return { ok: false }; }
  try {
    const value = JSON.parse(text);
    if (depth(value) > MAX_DEPTH) return { ok: false };
    return { ok: true, value };
  } catch { return { ok: false }; }
}

/** Numbers too big for a double parse to Infinity, which JSON (and our writer) prints as null. */
function finite(v: unknown): unknown {
  if (typeof v === "number") return Number.isFinite(v) ? v : null;
  if (Array.isArray(v)) return v.map(finite);
  if (v !== null && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, finite(x)]));
  return v;
}

function expectAgrees(bytes: Uint8Array) {
  const ref = reference(bytes);
  const out = parseBytes(bytes);
  if (ref.ok) {
    expect(out.startsWith("OK:"), out).toBe(true);
    expect(JSON.parse(out.slice(3))).toEqual(finite(ref.value));
  } else {
    expect(out, Buffer.from(bytes).toString("latin1").slice(0, 200)).toMatch(/^ERR:.* at offset \d+$/);
  }
}

describe("json parse (never traps)", () => {
  it("round-trips documents like JSON.parse", () => {
    for (const doc of ['{"a":1,"b":[true,false,null],"c":"x\\ny\\u00e9"}', "[]", '"s"', "-1.5e3", "-0", "1e400", "0.1", "123456789012345678901234567890",
      '"\\ud83d\\udc4b \\ud800 lone"', '{"a":1,"a":2}', '"你好👋"', OPENAI_REQUEST]) {
      expect(JSON.parse(str("roundTrip", doc)), doc).toEqual(finite(JSON.parse(doc)));
      expectAgrees(enc.encode(doc));
    }
  });

  it("returns an error for malformed input", () => {
    for (const bad of ['{"a":', "[1,2", '{"a" 1}', "tru", '"\\x"', "{".repeat(1000), "01", '{"a":1}x', "", " ", "-", "1.", "1e", "[1,]", '{"a":1,}', '"\t"', "nul", "NaN", "'a'"]) {
      expect(str("roundTrip", bad), bad).toMatch(/^ERR:/);
      expectAgrees(enc.encode(bad));
    }
  });

  it("rejects invalid UTF-8 like TextDecoder(fatal) and accepts valid multi-byte text", () => {
    const cases = [[0x22, 0xff, 0x22], [0x22, 0xc0, 0xaf, 0x22], [0x22, 0xed, 0xa0, 0x80, 0x22], [0x22, 0xe4, 0xbd, 0x22], [0x22, 0xf4, 0x90, 0x80, 0x80, 0x22]];
    for (const c of cases) expect(parseBytes(new Uint8Array(c))).toMatch(/^ERR:invalid UTF-8/);
    expect(parseBytes(enc.encode('"é你👋"'))).toBe('OK:"é你👋"');
  });

  it("caps nesting depth: 10k-deep arrays and objects are an error value, not a trap", () => {
    for (const doc of ["[".repeat(10000) + "]".repeat(10000), '{"a":'.repeat(10000) + "1" + "}".repeat(10000), "[".repeat(10000)]) {
      expect(parseBytes(enc.encode(doc))).toMatch(/^ERR:JSON nested too deeply/);
    }
    const ok = "[".repeat(MAX_DEPTH) + "]".repeat(MAX_DEPTH);
    expect(parseBytes(enc.encode(ok))).toBe("OK:" + ok);
    const deep = deepOpenAiRequest(10000);
    expect(parseBytes(enc.encode(deep))).toMatch(/^ERR:JSON nested too deeply/);
    expect(bufOrNull("setModel", enc.encode(deep), "x")).toBeNull();
  });

  it("property: random JSON values round-trip and equal JSON.parse", () => {
    for (const stringUnit of ["grapheme", "binary"] as const) {
      fc.assert(fc.property(fc.jsonValue({ stringUnit, maxDepth: 6 }), fc.integer({ min: 0, max: 4 }), (v, indent) => {
        const text = JSON.stringify(v, null, indent);
        expectAgrees(enc.encode(text));
        expect(JSON.parse(str("roundTrip", text))).toEqual(JSON.parse(text));
      }), { numRuns: 400 });
    }
  });

  it("property: long strings mixing plain runs, escapes and multi-byte text (word-at-a-time paths)", () => {
    const piece = fc.constantFrom("a", "abcdefgh", "0123456789abcdef", '"', "\\", "\n", "\u0001", "\u001f", "é", "你好", "👋", "\ud800", " ", "/", "\u007f", "\u0080");
    fc.assert(fc.property(fc.array(piece, { maxLength: 40 }), fc.nat(9), (parts, pad) => {
      const s = "x".repeat(pad) + parts.join("");
      const text = JSON.stringify({ model: "m", s, a: [s] });
      expectAgrees(enc.encode(text));
      expect(JSON.parse(str("roundTrip", text))).toEqual(JSON.parse(text));
      expect(asJsonBuf(bufOrNull("setModel", enc.encode(text), s))).toEqual({ model: s, s, a: [s] });
      // Broken variants: a raw control byte or a truncation inside the string.
      expectAgrees(enc.encode(text.replace("x", "\u0001").replace("\\u0001", "\u0001")));
      expectAgrees(enc.encode(text.slice(0, text.length - 6)));
    }), { numRuns: 1500 });
  });

  it("property: strings over 1 KiB, kept in the body undecoded, read and re-serialise like JSON.parse", () => {
    const piece = fc.constantFrom("abcdefgh", "0123456789abcdef", '"', "\\", "\n", "\u0001", "é", "你好", "👋", "\ud800", " ", "/", "\u0080");
    fc.assert(fc.property(fc.array(piece, { maxLength: 40 }), fc.nat(1100), (parts, pad) => {
      const s = "x".repeat(1000 + pad) + parts.join("");
      const text = JSON.stringify({ model: "m", s, a: [s, { t: s }] });
      expectAgrees(enc.encode(text));
      expect(str("stringMember", enc.encode(text), "s")).toBe("OK:" + s);
      // Broken variants inside the long string: a raw control byte, a bad escape, bad UTF-8, a truncation.
      expectAgrees(enc.encode(text.replace("xx", "x\u0001")));
      expectAgrees(enc.encode(text.replace("xx", "x\\q")));
      expectAgrees(enc.encode(text.replace("xx", "x\\u12")));
      const bad = enc.encode(text);
      bad[20] = 0xc3;
      expectAgrees(bad);
      expectAgrees(enc.encode(text.slice(0, text.length - 12)));
    }), { numRuns: 300 });
  });

  it("property: doubles parse to the same value as JSON.parse", () => {
    fc.assert(fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (d) => {
      const text = JSON.stringify(d);
      expect(JSON.parse(parseBytes(enc.encode(text)).slice(3))).toBe(JSON.parse(text));
    }), { numRuns: 2000 });
  });

  it("hard numbers round correctly (where AssemblyScript's parseFloat does not)", () => {
    const hard = ["1.0776874677203301e+39", "9.016778069615522e+38", "2.4703282292062327e-324", "2.4703282292062328e-324", "4.9406564584124654e-324",
      "2.2250738585072011e-308", "2.2250738585072012e-308", "1.7976931348623157e308", "1.7976931348623158e308", "1.7976931348623159e308",
      "9007199254740993", "9007199254740993.0000000000000000000001", "0." + "0".repeat(400) + "1", "1" + "0".repeat(400) + "e-400",
      "123456789012345678901234567890e-10", "7.2057594037927933e16", "3." + "1".repeat(1000) + "e-5", "-0.0e-999", "1e-400", "-1e400",
      "8.98846567431158e307", "4.4501477170144023e-308", "0.1e310"];
    for (const h of hard) expect(JSON.parse(parseBytes(enc.encode("[" + h + "]")).slice(3))[0] ?? "null", h).toBe(Number.isFinite(JSON.parse(h)) ? JSON.parse(h) : "null");
  });

  it("property: decimal strings with many digits and big exponents parse like JSON.parse", () => {
    const num = fc.tuple(fc.boolean(), fc.stringMatching(/^[1-9][0-9]{0,40}$/), fc.stringMatching(/^[0-9]{0,30}$/), fc.integer({ min: -360, max: 330 }))
      .map(([neg, i, f, e]) => `${neg ? "-" : ""}${i}${f ? "." + f : ""}e${e}`);
    fc.assert(fc.property(num, (t) => {
      const ours = JSON.parse(parseBytes(enc.encode("[" + t + "]")).slice(3))[0];
      const ref = JSON.parse(t);
      expect(ours, t).toBe(Number.isFinite(ref) ? ref : null);
    }), { numRuns: 3000 });
  });

  it("every truncation of an OpenAI request is an error value", () => {
    const full = enc.encode(OPENAI_REQUEST);
    for (let i = 0; i < full.length; i++) expectAgrees(full.subarray(0, i));
  });

  it("property: mutated OpenAI requests never trap and agree with JSON.parse", () => {
    const full = enc.encode(OPENAI_REQUEST);
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant("flip" as const), at: fc.nat(full.length - 1), byte: fc.integer({ min: 0, max: 255 }) }),
      fc.record({ kind: fc.constant("insert" as const), at: fc.nat(full.length), junk: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
      fc.record({ kind: fc.constant("insertText" as const), at: fc.nat(full.length), text: fc.constantFrom("{", "}", "[", "]", ",", ":", '"', "\\", "\\u12", "-", "0", "1e", "true", "null", " ", "é", "\u0000") }),
      fc.record({ kind: fc.constant("delete" as const), at: fc.nat(full.length - 1), n: fc.integer({ min: 1, max: 6 }) }),
    );
    fc.assert(fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (muts) => {
      let b: Uint8Array = full;
      for (const mu of muts) {
        const at = Math.min(mu.at, b.length);
        if (mu.kind === "flip") { b = Uint8Array.from(b); if (at < b.length) b[at] = mu.byte; }
        else if (mu.kind === "insert") b = Buffer.concat([b.subarray(0, at), mu.junk, b.subarray(at)]);
        else if (mu.kind === "insertText") b = Buffer.concat([b.subarray(0, at), enc.encode(mu.text), b.subarray(at)]);
        else b = Buffer.concat([b.subarray(0, at), b.subarray(at + mu.n)]);
      }
      expectAgrees(b);
      // The in-place edits must agree with the parser on what is malformed.
      const edited = bufOrNull("setModel", b, "m");
      const ref = reference(b);
      const isObject = ref.ok && ref.value !== null && typeof ref.value === "object" && !Array.isArray(ref.value);
      if (!isObject) expect(edited).toBeNull();
      else expect(JSON.parse(Buffer.from(edited!).toString())).toEqual({ ...(ref.value as object), model: "m" });
    }), { numRuns: 1500 });
  });

  it("property: random strings and bytes never trap and agree with JSON.parse", () => {
    fc.assert(fc.property(fc.string({ unit: "binary", maxLength: 40 }), (s) => expectAgrees(enc.encode(s))), { numRuns: 1000 });
    fc.assert(fc.property(fc.uint8Array({ maxLength: 40 }), (b) => expectAgrees(b)), { numRuns: 1000 });
    const alphabet = fc.constantFrom(..."{}[]:,\"\\ 0123456789-+.eEtrufalsn".split(""));
    fc.assert(fc.property(fc.string({ unit: alphabet, maxLength: 30 }), (s) => expectAgrees(enc.encode(s))), { numRuns: 3000 });
  });
});

describe("json accessors and writer", () => {
  it("getPath follows objects and array indexes; getInt truncates and defaults", () => {
    const doc = '{"choices":[{"message":{"content":"hi","a.b":1}}],"usage":{"total_tokens":42.9},"s":"7"}';
    expect(str("getPath", doc, "choices.0.message.content")).toBe('"hi"');
    expect(str("getPath", doc, "choices.0.message.a\\.b")).toBe("1");
    expect(str("getPath", doc, "choices.1.message")).toBe("MISSING");
    expect(str("getPath", doc, "choices.x")).toBe("MISSING");
    expect(str("getPath", doc, "usage.total_tokens.deeper")).toBe("MISSING");
    const getInt = (d: string, k: string) => withArgs([d, k], (a, b) => (m.exports.getInt as (a: number, b: number) => bigint)(a, b));
    expect(getInt(doc, "s")).toBe(-1n);
    expect(getInt('{"n":42.9}', "n")).toBe(42n);
    expect(getInt('{"n":1e300}', "n")).toBe(-1n);
    expect(getInt('{"n":-7}', "n")).toBe(-7n);
  });

  it("writer builds valid JSON with escapes, numbers and nesting", () => {
    const content = 'a "quoted"\n\\ 你好👋 \u0001 \ud800';
    const out = withArgs([content], (c) => m.getString(fn("writeResponse")(c, 12345)));
    expect(JSON.parse(out)).toEqual({
      id: "chatcmpl-1", object: "chat.completion",
      choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }],
      usage: { total_tokens: 12345, ratio: 0.5, none: null, ok: true },
    });
    expect(out).toContain("\\ud800");
  });

  it("object set/delete keep order and the hash index stays right past the threshold", () => {
    const ref: Record<string, unknown> = { model: "b", n: 3, stream: true, arr: [1.5, "s"] };
    for (let i = 0; i < 20; i++) if (i !== 3) ref["k" + i] = i === 5 ? 55 : i;
    const out = str("buildTree");
    expect(JSON.parse(out)).toEqual(ref);
    expect(Object.keys(JSON.parse(out))).toEqual(Object.keys(ref));
  });

  it("hand-built cycles and mismatched keys/values do not trap", () => {
    const out = str("abuseTree");
    expect(out).toMatch(/^null-ok \d+ \{"self":\{"self":\{"se/);
  });

  it("AssemblyScript's String.UTF8.decode does not trap on arbitrary bytes (but is not lossy-correct)", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
      const n = withArgs([b], (p) => fn("stdDecodeLength")(p));
      expect(n).toBeLessThanOrEqual(b.length);
    }), { numRuns: 3000 });
    for (const b of [[0xff], [0xf0], [0xe4, 0xbd], [0xf4, 0x90, 0x80, 0x80], [0xc0, 0xaf], [0xed, 0xa0, 0x80]]) {
      expect(withArgs([new Uint8Array(b)], (p) => fn("stdDecodeLength")(p))).toBeLessThanOrEqual(b.length);
    }
  });

  it("lossy UTF-8 decoding matches TextDecoder on random bytes", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 32 }), (b) => {
      expect(str("lossy", b)).toBe(new TextDecoder().decode(b));
    }), { numRuns: 3000 });
  });
});

describe("json in-place edits (raw bytes, no tree)", () => {
  const body = (v: unknown, indent = 0) => enc.encode(JSON.stringify(v, null, indent));
  const asJson = (b: Uint8Array | null) => (b === null ? null : JSON.parse(Buffer.from(b).toString()));
  // What JSON.stringify writes (-0 becomes 0), i.e. what the body bytes really say.
  const norm = (v: unknown) => JSON.parse(JSON.stringify(v));

  it("replaces model, keeps every other byte", () => {
    const out = bufOrNull("setModel", enc.encode(OPENAI_REQUEST), "qwen-max")!;
    const text = Buffer.from(out).toString();
    expect(asJson(out)).toEqual({ ...JSON.parse(OPENAI_REQUEST), model: "qwen-max" });
    expect(text.replace('"qwen-max"', '"gpt-4o"')).toBe(OPENAI_REQUEST);
  });

  it("duplicate and escaped keys: every occurrence is replaced, so no parser sees the old model", () => {
    const smuggle = enc.encode('{"model":"a","mod\\u0065l":"b","x":1,"model":"c"}');
    const out = Buffer.from(bufOrNull("setModel", smuggle, "safe")!).toString();
    expect(out).toBe('{"model":"safe","mod\\u0065l":"safe","x":1,"model":"safe"}');
    expect(strOrNull("readString", smuggle, "model")).toBe("c"); // the one JSON.parse keeps
  });

  it("reads one field without a tree", () => {
    const b = enc.encode(OPENAI_REQUEST);
    expect(strOrNull("readString", b, "model")).toBe("gpt-4o");
    expect(strOrNull("readRaw", b, "stream")).toBe("true");
    expect(strOrNull("readString", b, "stream")).toBeNull();
    expect(strOrNull("readString", b, "absent")).toBeNull();
    expect(strOrNull("readString", enc.encode('{"model":"x"'), "model")).toBeNull();
    expect(strOrNull("readString", enc.encode('["model"]'), "model")).toBeNull();
  });

  it("stream_options: inserted, merged, or replaced when not an object", () => {
    const cases: unknown[] = [
      {}, { model: "m" }, { stream_options: { include_usage: false, other: 1 } }, { stream_options: null },
      { stream_options: 3 }, { stream_options: {} }, { stream_options: [1] }, { a: { stream_options: 1 } },
    ];
    for (const c of cases) {
      const ref = structuredClone(c) as Record<string, unknown>;
      const so = ref.stream_options;
      ref.stream_options = { ...(so !== null && typeof so === "object" && !Array.isArray(so) ? so : {}), include_usage: true };
      expect(asJson(bufOrNull("streamUsage", body(c, 2)))).toEqual(ref);
    }
  });

  it("property: edits equal a JSON.parse/modify/stringify reference", () => {
    const extra = fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 6 });
    const doc = fc.record({
      extra,
      model: fc.option(fc.jsonValue({ maxDepth: 2 }), { nil: undefined }),
      stream_options: fc.option(fc.oneof(fc.constant(null), fc.dictionary(fc.string({ maxLength: 4 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }), fc.integer()), { nil: undefined }),
    });
    fc.assert(fc.property(doc, fc.string({ unit: "grapheme", maxLength: 12 }), fc.integer({ min: 0, max: 3 }), (d, model, indent) => {
      const obj: Record<string, unknown> = { ...d.extra };
      if (d.model !== undefined) obj.model = d.model;
      if (d.stream_options !== undefined) obj.stream_options = d.stream_options;
      const b = body(obj, indent);

      expect(asJson(bufOrNull("setModel", b, model))).toEqual(norm({ ...obj, model }));

      const so = obj.stream_options;
      expect(asJson(bufOrNull("streamUsage", b))).toEqual(norm({ ...obj, stream_options: { ...(so !== null && typeof so === "object" ? so : {}), include_usage: true } }));

      const removed = { ...obj };
      delete removed.model;
      expect(asJson(bufOrNull("remove", b, "model"))).toEqual(norm(removed));

      expect(asJson(bufOrNull("setRaw", b, "temperature", "0.25"))).toEqual(norm({ ...obj, temperature: 0.25 }));

      if (typeof obj.model === "string") expect(strOrNull("readString", b, "model")).toBe(obj.model);
      expect(strOrNull("readRaw", b, "model") === null).toBe(!("model" in obj));
    }), { numRuns: 500 });
  });

  it("refuses to splice invalid raw JSON", () => {
    expect(bufOrNull("setRaw", enc.encode("{}"), "a", "{bad")).toBeNull();
    expect(bufOrNull("setRaw", enc.encode("{}"), "a", "1 2")).toBeNull();
  });
});

describe("JsonObjectView (one scan: reads, queued edits, one write)", () => {
  const body = (v: unknown, indent = 0) => enc.encode(JSON.stringify(v, null, indent));
  const asJson = (b: Uint8Array | null) => (b === null ? null : JSON.parse(Buffer.from(b).toString()));
  const norm = (v: unknown) => JSON.parse(JSON.stringify(v));
  const read = (b: Uint8Array, key: string) => { const r = str("viewRead", b, key); return r === "INVALID" ? r : JSON.parse(r); };
  const firstByte = (v: unknown) => (v === undefined ? 0 : JSON.stringify(v).charCodeAt(0));

  it("reads what JSON.parse reads (the last duplicate key wins), and refuses what the parser refuses", () => {
    const doc = fc.dictionary(fc.constantFrom("model", "stream", "a", "é", "k\"q"), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 5 });
    fc.assert(fc.property(doc, fc.integer({ min: 0, max: 2 }), (d, indent) => {
      const b = body(d, indent);
      for (const key of ["model", "stream", "a", "é", "k\"q", "absent"]) {
        const v = (d as Record<string, unknown>)[key];
        const has = Object.prototype.hasOwnProperty.call(d, key);
        expect(read(b, key)).toEqual({
          has, kind: has ? firstByte(v) : 0, bool: v === true ? 1 : v === false ? 0 : 2,
          string: typeof v === "string" ? v : null, value: has ? norm(v) : null,
        });
      }
    }), { numRuns: 400 });
    const dup = enc.encode('{"model":"a","model":"b","stream":true,"stream":false}');
    expect(read(dup, "model").string).toBe("b");
    expect(read(dup, "stream").bool).toBe(0);
    expect(read(enc.encode('{"m\\u006fdel":"esc"}'), "model").string).toBe("esc");
    for (const bad of ["", "{", "[]", '{"a":1}x', '"model"', '{"a":01}']) expect(str("viewRead", enc.encode(bad), "a")).toBe("INVALID");
    expect(str("viewRead", new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]), "a")).toBe("INVALID");
    // whatever the bytes, the view never traps and agrees with the parser on validity
    fc.assert(fc.property(fc.uint8Array({ maxLength: 60 }), (b) => {
      expect(str("viewRead", b, "a") === "INVALID").toBe(!parseBytes(b).startsWith("OK:{"));
    }), { numRuns: 2000 });
  });

  it("edits: every occurrence replaced, absent keys appended, the last edit of a key wins, untouched bytes kept", () => {
    const src = '{ "model" : "gpt-4o",\n  "messages":[{"role":"user","content":"h\\u00e9"}], "model":"dup" }';
    const out = Buffer.from(bufOrNull("viewEdit", enc.encode(src), 'model\n"x"\nnew\n[1]\nnew\n2')!).toString();
    expect(out).toBe('{ "model" : "x",\n  "messages":[{"role":"user","content":"h\\u00e9"}], "model":"x","new":2 }');
    expect(Buffer.from(bufOrNull("viewEdit", enc.encode(" {} "), "a\n1")!).toString()).toBe(' {"a":1} ');
    expect(Buffer.from(bufOrNull("viewEdit", enc.encode(src), "")!).toString()).toBe(src);
    expect(bufOrNull("viewEdit", enc.encode("{"), "a\n1")).toBeNull();
    fc.assert(fc.property(fc.dictionary(fc.string({ maxLength: 4 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 5 }), fc.array(fc.tuple(fc.constantFrom("a", "b", "model", ""), fc.jsonValue({ maxDepth: 2 })), { maxLength: 4 }), fc.integer({ min: 0, max: 2 }), (d, edits, indent) => {
      const want: Record<string, unknown> = { ...d };
      for (const [k, v] of edits) want[k] = v;
      const spec = edits.map(([k, v]) => `${k}\n${JSON.stringify(v)}`).join("\n");
      expect(asJson(bufOrNull("viewEdit", body(d, indent), spec))).toEqual(norm(want));
    }), { numRuns: 500 });
  });

  it("ai-proxy's relay recipe: model swapped, include_usage added unless the client set it (even to false)", () => {
    const doc = fc.record({
      extra: fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
      so: fc.option(fc.oneof(fc.constant(null), fc.integer(), fc.dictionary(fc.constantFrom("include_usage", "x"), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 2 })), { nil: undefined }),
    });
    fc.assert(fc.property(doc, fc.string({ unit: "grapheme", maxLength: 8 }), (d, model) => {
      const obj: Record<string, unknown> = { ...d.extra, model: "m" };
      if (d.so !== undefined) obj.stream_options = d.so;
      const so = obj.stream_options;
      const isObj = so !== null && typeof so === "object" && !Array.isArray(so);
      const want = { ...obj, model, stream_options: isObj && "include_usage" in (so as object) ? so : { ...(isObj ? (so as object) : {}), include_usage: true } };
      expect(asJson(bufOrNull("viewRelay", body(obj, 1), model))).toEqual(norm(want));
    }), { numRuns: 500 });
  });

  it("byte readers agree with JSON.parse: stringIs, a string's literal and content as sent, numbers, an array's first element", () => {
    const probe = (b: Uint8Array, key: string, ascii: string) => JSON.parse(str("viewProbe", b, key, ascii));
    const keys = ["a", "model", "é"];
    const value = fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom("gpt-4o", "", "stop", "x\"y", "é"), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.jsonValue({ maxDepth: 2 }));
    fc.assert(fc.property(fc.dictionary(fc.constantFrom(...keys), value, { maxKeys: 3 }), fc.integer({ min: 0, max: 2 }), fc.constantFrom("gpt-4o", "", "stop", "x\"y"), (d, indent, ascii) => {
      const b = body(d, indent);
      for (const key of [...keys, "absent"]) {
        const v = (d as Record<string, unknown>)[key];
        const has = Object.prototype.hasOwnProperty.call(d, key);
        const r = probe(b, key, ascii);
        expect(r.is, key).toBe(has && v === ascii);
        expect(r.raw === null ? null : JSON.parse(r.raw), key).toEqual(typeof v === "string" ? v : null);
        expect(r.content === null ? null : JSON.parse(`"${r.content}"`), key).toEqual(typeof v === "string" ? v : null);
        expect(r.num, key).toBe(typeof v === "number" ? JSON.parse(JSON.stringify(v)) : 12345.5); // -0 is sent as 0
        expect(r.first, key).toBe(Array.isArray(v) && v.length > 0 ? JSON.stringify(v[0]).charCodeAt(0) : 0);
      }
    }), { numRuns: 500 });
    // escapes are kept as sent, and compared decoded
    const esc = enc.encode('{"t":"h\\u00e9\\n","s":"st\\u006fp","n":-0.5e2,"big":123456789012345678,"arr":[ \n {"x":1}]}');
    expect(probe(esc, "t", "").raw).toBe('"h\\u00e9\\n"');
    expect(probe(esc, "t", "").content).toBe("h\\u00e9\\n");
    expect(probe(esc, "s", "stop").is).toBe(true);
    expect(probe(esc, "n", "").num).toBe(-50);
    expect(probe(esc, "big", "").num).toBe(123456789012345678);
    expect(probe(esc, "arr", "").first).toBe(0x7b);
    // every character escaped (six bytes each) still compares; one more character does not
    const all = enc.encode('{"s":"\\u0073\\u0074\\u006f\\u0070","t":"\\u0073\\u0074\\u006f\\u0070\\u0070"}');
    expect(probe(all, "s", "stop").is).toBe(true);
    expect(probe(all, "t", "stop").is).toBe(false);
    expect(probe(all, "t", "").is).toBe(false);
  });

  it("walks an array's object elements one at a time, as a filter of the parsed array", () => {
    fc.assert(fc.property(fc.array(fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.dictionary(fc.string({ maxLength: 3 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 })), { maxLength: 6 }), fc.integer({ min: 0, max: 2 }), (arr, indent) => {
      const walked = JSON.parse(str("viewWalk", body({ before: [{}], c: arr, after: {} }, indent), "c")).map((x: string) => JSON.parse(x));
      expect(walked).toEqual(norm(arr.filter((x) => x !== null && typeof x === "object" && !Array.isArray(x))));
    }), { numRuns: 500 });
    expect(str("viewWalk", body({ c: {} }), "c")).toBe("[]");
    expect(str("viewWalk", body({}), "c")).toBe("[]");
  });

  it("JsonKeyProbe: 'no' only when no object has the names (finish_reason only when null), at any depth, however the keys are spelled", () => {
    const may = (b: Uint8Array) => withArgs([b], (p) => fn("probeMayHave")(p)) !== 0;
    /** Whether a parsed value has usage / error anywhere, or a finish_reason that is not null. */
    const has = (v: unknown): boolean => {
      if (Array.isArray(v)) return v.some(has);
      if (v === null || typeof v !== "object") return false;
      return Object.entries(v).some(([k, x]) => k === "usage" || k === "error" || (k === "finish_reason" && x !== null) || has(x));
    };
    const key = fc.constantFrom("usage", "error", "finish_reason", "id", "content", "choices", "delta", "usag", "errors", "x");
    const tree = fc.letrec((t) => ({
      node: fc.oneof({ maxDepth: 4 }, fc.constant(null), fc.integer(), fc.string({ maxLength: 4 }), fc.constantFrom("usage", "finish_reason", '"error"', "\\u0075"), fc.array(t("node"), { maxLength: 3 }), fc.dictionary(key, t("node"), { maxKeys: 4 })),
    })).node;
    // the keys written plainly, with spaces, or with \u escapes
    const spell = (json: string, how: number) =>
      how === 0 ? json : how === 1 ? json.replace(/":/g, '" : ') : json.replace(/"(usage|error|finish_reason)":/g, (_m, k: string) => `"${k[0]}\\u00${k.charCodeAt(1).toString(16)}${k.slice(2)}":`);
    fc.assert(fc.property(tree, fc.integer({ min: 0, max: 2 }), (v, how) => {
      const text = spell(JSON.stringify(v), how);
      if (!may(enc.encode(text))) expect(has(JSON.parse(text)), text).toBe(false);
    }), { numRuns: 3000 });
    // the fast answer is real for an ordinary chunk, and every field that matters turns it around
    const chunk = '{"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"say \\"hi\\"\\n"},"finish_reason":null}]}';
    expect(may(enc.encode(chunk))).toBe(false);
    expect(may(enc.encode(chunk.replace('"finish_reason":null', '"finish_reason" :\n null')))).toBe(false);
    for (const changed of [chunk.replace("null", '"stop"'), chunk.replace('"index"', '"usage"'), chunk.replace('"id"', '"error"'), chunk.replace("say", "s\\u0061y"), chunk.replace('"index"', '"fin\\u0069sh_reason"')])
      expect(may(enc.encode(changed)), changed).toBe(true);
    expect(may(new Uint8Array(0))).toBe(false);
  });

  it("array elements: the finish_reason of each object choice (other elements skipped)", () => {
    expect(str("viewFinishes", body({ choices: [{ finish_reason: null }, 3, { finish_reason: "stop", delta: { finish_reason: "no" } }, [], {}] }))).toBe("-|stop|-");
    expect(str("viewFinishes", body({ choices: [] }))).toBe("");
    expect(str("viewFinishes", body({ choices: {} }))).toBe("NONE");
    expect(str("viewFinishes", body({}))).toBe("NONE");
    expect(str("viewFinishes", enc.encode(' { "choices" : [ { "finish_reason" : "length" } ,{"finish_reason":"stop"} ] } '))).toBe("length|stop");
  });
});
