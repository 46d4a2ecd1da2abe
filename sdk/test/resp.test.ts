// Property tests of the RESP codec (sdk/redis/resp.ts), run in Node through loadAsModule:
// round trips of random nested values, every split point of a multi-reply buffer, garbage.
import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { loadAsModule } from "../../harness/src/ascunit.js";

const m = await loadAsModule("sdk/test/resp.entry.ts");
type Fn = (...a: number[]) => number;
const call = (name: string, ...args: number[]) => (m.exports[name] as Fn)(...args) >>> 0;

function withBuffer<T>(bytes: Uint8Array, f: (ptr: number) => T): T {
  const p = m.newBuffer(bytes);
  try {
    return f(p);
  } finally {
    m.unpin(p);
  }
}
const decodeAll = (b: Uint8Array) => withBuffer(b, (p) => m.getString(call("decodeAll", p)));
const reencodeAll = (b: Uint8Array) => withBuffer(b, (p) => m.getBuffer(call("reencodeAll", p)));
const splitDecode = (b: Uint8Array, at: number) => withBuffer(b, (p) => m.getString(call("splitDecode", p, at)));

// ---- a JS model of RESP values: encoder and the JSON form RespValue.toJson() prints ----
type V =
  | { t: "simple"; s: string }
  | { t: "error"; s: string }
  | { t: "int"; n: bigint }
  | { t: "bulk"; b: Uint8Array }
  | { t: "nil" }
  | { t: "nilArray" }
  | { t: "array"; items: V[] };

const enc = new TextEncoder();
function encode(v: V): Buffer {
  switch (v.t) {
    case "simple": return Buffer.from(`+${v.s}\r\n`);
    case "error": return Buffer.from(`-${v.s}\r\n`);
    case "int": return Buffer.from(`:${v.n}\r\n`);
    case "bulk": return Buffer.concat([Buffer.from(`$${v.b.length}\r\n`), Buffer.from(v.b), Buffer.from("\r\n")]);
    case "nil": return Buffer.from("$-1\r\n");
    case "nilArray": return Buffer.from("*-1\r\n");
    case "array": return Buffer.concat([Buffer.from(`*${v.items.length}\r\n`), ...v.items.map(encode)]);
  }
}
function describe_(v: V): unknown {
  switch (v.t) {
    case "simple": return { simple: v.s };
    case "error": return { error: v.s };
    case "int": return { int: v.n.toString() };
    case "bulk": return new TextDecoder().decode(v.b);
    case "nil": return null;
    case "nilArray": return { nilArray: true };
    case "array": return v.items.map(describe_);
  }
}

const line = fc.string({ unit: "grapheme", maxLength: 20 }).filter((s) => !/[\r\n]/.test(s));
const i64 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
/** Bulk strings: valid UTF-8 text (so the JSON form compares exactly) or raw bytes. */
const textBulk = fc.string({ unit: "grapheme", maxLength: 30 }).map((s) => enc.encode(s));
const rawBulk = fc.uint8Array({ maxLength: 40 });

function values(bulk: fc.Arbitrary<Uint8Array>) {
  return fc.letrec<{ v: V }>((tie) => ({
    v: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      line.map((s) => ({ t: "simple", s }) as V),
      line.map((s) => ({ t: "error", s }) as V),
      i64.map((n) => ({ t: "int", n }) as V),
      bulk.map((b) => ({ t: "bulk", b }) as V),
      fc.constant({ t: "nil" } as V),
      fc.constant({ t: "nilArray" } as V),
      fc.array(tie("v"), { maxLength: 5 }).map((items) => ({ t: "array", items }) as V),
    ),
  })).v;
}

describe("RESP codec (property tests)", () => {
  it("decodes random nested values to what was encoded", () => {
    fc.assert(
      fc.property(fc.array(values(textBulk), { minLength: 1, maxLength: 4 }), (vs) => {
        const bytes = Buffer.concat(vs.map(encode));
        expect(JSON.parse(decodeAll(bytes).replace(/^OK:/, ""))).toEqual(vs.map(describe_));
      }),
      { numRuns: 300 },
    );
  });

  it("re-encodes decoded values byte for byte (binary bulk strings, full i64 range)", () => {
    fc.assert(
      fc.property(fc.array(values(rawBulk), { minLength: 1, maxLength: 4 }), (vs) => {
        const bytes = Buffer.concat(vs.map(encode));
        expect(Buffer.from(reencodeAll(bytes)).equals(bytes)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it("decodes a multi-reply buffer the same at every split point", () => {
    fc.assert(
      fc.property(fc.array(values(textBulk), { minLength: 2, maxLength: 4 }), (vs) => {
        const bytes = Buffer.concat(vs.map(encode));
        const whole = decodeAll(bytes);
        expect(whole.startsWith("OK:")).toBe(true);
        for (let at = 0; at <= bytes.length; at++) expect(splitDecode(bytes, at)).toBe(whole);
      }),
      { numRuns: 60 },
    );
  });

  it("reports a truncated reply as incomplete, never as malformed", () => {
    fc.assert(
      fc.property(values(rawBulk), (v) => {
        const bytes = encode(v);
        for (let n = 0; n < bytes.length; n++) {
          const r = decodeAll(bytes.subarray(0, n));
          // An empty prefix decodes to nothing at all.
          if (n === 0) expect(r).toBe("OK:[]");
          else expect(r).toMatch(/^INCOMPLETE:/);
        }
      }),
      { numRuns: 200 },
    );
  });

  it("never traps on random garbage: an error value or a decoded value", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        expect(decodeAll(bytes)).toMatch(/^(OK|INCOMPLETE|MALFORMED):/);
        splitDecode(bytes, bytes.length >> 1);
      }),
      { numRuns: 2000 },
    );
    // Garbage built from RESP's own punctuation reaches deeper into the parser.
    const resp = fc.array(fc.constantFrom(..."+-:$*\r\n0123456789-1".split(""), "*1\r\n", "$-1\r\n", "$3\r\n", "*9999999999\r\n"), { maxLength: 30 });
    fc.assert(
      fc.property(resp, (parts) => {
        expect(decodeAll(Buffer.from(parts.join("")))).toMatch(/^(OK|INCOMPLETE|MALFORMED):/);
      }),
      { numRuns: 2000 },
    );
  });

  it("refuses hostile lengths, bad integers and deep nesting with a reason", () => {
    const cases: [string, RegExp][] = [
      ["$-2\r\n", /^MALFORMED:bad bulk length/],
      ["$999999999999\r\n", /^MALFORMED:bad bulk length/],
      ["*-5\r\n", /^MALFORMED:bad array count/],
      ["*99999999999\r\n", /^MALFORMED:bad array count/],
      [":12a\r\n", /^MALFORMED:bad integer/],
      [":9223372036854775808\r\n", /^MALFORMED:bad integer/],
      [":-\r\n", /^MALFORMED:bad integer/],
      ["$3\r\nabcd\r\n", /^MALFORMED:bulk string not followed by CRLF/],
      ["+OK\nx\r\n", /^MALFORMED:line without CRLF/],
      ["?\r\n", /^MALFORMED:unknown type byte/],
      ["*1\r\n".repeat(100) + ":1\r\n", /^MALFORMED:nesting deeper than 64/],
      ["$5\r\nab", /^INCOMPLETE:/],
    ];
    for (const [input, want] of cases) expect(decodeAll(Buffer.from(input)), JSON.stringify(input)).toMatch(want);
    expect(decodeAll(Buffer.from(":-9223372036854775808\r\n"))).toBe('OK:[{"int":"-9223372036854775808"}]');
  });

  it("encodes commands as arrays of bulk strings, like Higress's client", () => {
    const p = m.newString(JSON.stringify(["get", "k", "", "é"]));
    const out = Buffer.from(m.getBuffer(call("encodeCommandJson", p)));
    m.unpin(p);
    expect(out.toString("utf8")).toBe("*4\r\n$3\r\nget\r\n$1\r\nk\r\n$0\r\n\r\n$2\r\né\r\n");
  });
});
