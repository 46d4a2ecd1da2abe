// AWS event-stream reader: messages encoded by an independent JS encoder (below) must come out
// the same at every split point; corrupt CRCs and bogus lengths are error values, never traps.
import { describe, it, expect, beforeEach } from "vitest";
import fc from "fast-check";
import { loadAsModule } from "../../harness/src/ascunit.js";

const m = await loadAsModule("sdk/test/eventstream.entry.ts");
type Fn = (...a: number[]) => number;
const fn = (name: string) => m.exports[name] as Fn;

interface Header { name: string; type: number; value: string | boolean }
interface Msg { headers: Header[]; payload: string; eventType: string }

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => { let c = n; for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1; return c >>> 0; });
function crc32(b: Uint8Array): number { let c = 0xffffffff; for (const x of b) c = CRC_TABLE[(c ^ x) & 0xff] ^ (c >>> 8); return (c ^ 0xffffffff) >>> 0; }

/** Reference encoder, written from the AWS format description (string headers only). */
function encodeMessage(headers: [string, string][], payload: Uint8Array): Uint8Array {
  const hs = Buffer.concat(headers.map(([n, v]) => {
    const name = Buffer.from(n), val = Buffer.from(v);
    const h = Buffer.alloc(1 + name.length + 1 + 2 + val.length);
    h[0] = name.length; name.copy(h, 1); h[1 + name.length] = 7; h.writeUInt16BE(val.length, 2 + name.length); val.copy(h, 4 + name.length);
    return h;
  }));
  const total = 16 + hs.length + payload.length;
  const out = Buffer.alloc(total);
  out.writeUInt32BE(total, 0); out.writeUInt32BE(hs.length, 4); out.writeUInt32BE(crc32(out.subarray(0, 8)), 8);
  hs.copy(out, 12); Buffer.from(payload).copy(out, 12 + hs.length);
  out.writeUInt32BE(crc32(out.subarray(0, total - 4)), total - 4);
  return out;
}

/** A Bedrock InvokeModelWithResponseStream body: `chunk` events whose payload wraps base64 JSON. */
function bedrockStream(): { bytes: Uint8Array; expected: Msg[] } {
  const inner = [
    { type: "message_start", message: { role: "assistant", usage: { input_tokens: 9 } } },
    { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "你好👋" } },
    { type: "message_delta", delta: { stop_reason: "end_turn" }, usage: { output_tokens: 4 } },
    { type: "message_stop", "amazon-bedrock-invocationMetrics": { inputTokenCount: 9, outputTokenCount: 4 } },
  ];
  const expected: Msg[] = [];
  const parts: Uint8Array[] = [];
  for (const e of inner) {
    const payload = JSON.stringify({ bytes: Buffer.from(JSON.stringify(e)).toString("base64"), p: "abcd" });
    const headers: [string, string][] = [[":event-type", "chunk"], [":content-type", "application/json"], [":message-type", "event"]];
    parts.push(encodeMessage(headers, Buffer.from(payload)));
    expected.push({ headers: headers.map(([name, value]) => ({ name, type: 7, value })), payload, eventType: "chunk" });
  }
  const empty: [string, string][] = [];
  parts.push(encodeMessage(empty, new Uint8Array(0))); // smallest legal message: 16 bytes
  expected.push({ headers: [], payload: "", eventType: "" });
  return { bytes: Buffer.concat(parts), expected };
}

function reset(max = 16 << 20) { fn("reset")(max); }
function push(chunk: Uint8Array): Msg[] {
  const p = m.newBuffer(chunk);
  try { return JSON.parse(m.getString(fn("push")(p))); } finally { m.unpin(p); }
}
const error = () => m.getString(fn("error")());
function readSplit(bytes: Uint8Array, cuts: number[]): { msgs: Msg[]; ok: boolean; error: string } {
  reset();
  const msgs: Msg[] = [];
  let prev = 0;
  for (const c of [...cuts, bytes.length]) { msgs.push(...push(bytes.subarray(prev, c))); prev = c; }
  const ok = fn("finish")() === 1;
  return { msgs, ok, error: error() };
}

const { bytes: STREAM, expected: EXPECTED } = bedrockStream();

describe("AWS event-stream reader", () => {
  beforeEach(() => reset());

  it("decodes a Bedrock stream", () => {
    const r = readSplit(STREAM, []);
    expect(r).toEqual({ msgs: EXPECTED, ok: true, error: "" });
    const text = JSON.parse(Buffer.from(JSON.parse(r.msgs[1].payload).bytes, "base64").toString()).delta.text;
    expect(text).toBe("你好👋");
  });

  it("every split point, and 1-byte chunks, give the same messages", () => {
    for (let i = 0; i <= STREAM.length; i++) expect(readSplit(STREAM, [i]), `split at ${i}`).toEqual({ msgs: EXPECTED, ok: true, error: "" });
    expect(readSplit(STREAM, Array.from({ length: STREAM.length }, (_, i) => i)).msgs).toEqual(EXPECTED);
  });

  it("property: random splits give the same messages", () => {
    fc.assert(fc.property(fc.uniqueArray(fc.nat(STREAM.length), { maxLength: 20 }), (cuts) => {
      expect(readSplit(STREAM, cuts.sort((a, b) => a - b)).msgs).toEqual(EXPECTED);
    }), { numRuns: 300 });
  });

  it("flipping any byte is an error value; the messages before it still come out", () => {
    const first = EXPECTED.length; // messages fully before the corrupted one
    let starts = [0];
    for (let off = 0; off < STREAM.length;) { off += Buffer.from(STREAM).readUInt32BE(off); starts.push(off); }
    starts = starts.slice(0, -1);
    for (let i = 0; i < STREAM.length; i++) {
      for (const x of [0x01, 0x80, 0xff]) {
        const bad = Uint8Array.from(STREAM);
        bad[i] ^= x;
        const r = readSplit(bad, [Math.floor(i / 2), i + 1]);
        const msgIndex = starts.filter((s) => s <= i).length - 1;
        expect(r.ok, `byte ${i} ^ ${x}`).toBe(false);
        expect(r.error).toMatch(/CRC mismatch|length|headers/);
        expect(r.msgs).toEqual(EXPECTED.slice(0, Math.min(msgIndex, first)));
      }
    }
  });

  it("a truncated stream is reported by finish()", () => {
    for (const cut of [1, 11, 12, 40, STREAM.length - 1]) {
      const r = readSplit(STREAM.subarray(0, cut), []);
      expect(r.ok).toBe(false);
      expect(r.error).toMatch(/stream ended inside a message/);
    }
  });

  /** A prelude with a *valid* CRC around lies about lengths. */
  function prelude(total: number, headers: number): Uint8Array {
    const b = Buffer.alloc(12);
    b.writeUInt32BE(total >>> 0, 0); b.writeUInt32BE(headers >>> 0, 4); b.writeUInt32BE(crc32(b.subarray(0, 8)), 8);
    return b;
  }

  it("bogus lengths behind a valid prelude CRC are rejected before buffering", () => {
    for (const [total, headers, msg] of [[0xffffffff, 0, /exceeds the limit/], [17 << 20, 0, /exceeds the limit/], [15, 0, /below the minimum/], [0, 0, /below the minimum/], [100, 85, /bad headers length/], [300000, 200000, /bad headers length/]] as const) {
      reset();
      expect(push(prelude(total, headers))).toEqual([]);
      expect(error()).toMatch(msg);
      expect(fn("buffered")()).toBe(0);
    }
    reset(1024);
    push(prelude(2048, 0));
    expect(error()).toMatch(/exceeds the limit/);
  });

  it("malformed headers behind valid CRCs are error values", () => {
    const withHeaders = (h: number[]) => {
      const hs = Buffer.from(h);
      const total = 16 + hs.length;
      const out = Buffer.alloc(total);
      out.writeUInt32BE(total, 0); out.writeUInt32BE(hs.length, 4); out.writeUInt32BE(crc32(out.subarray(0, 8)), 8);
      hs.copy(out, 12);
      out.writeUInt32BE(crc32(out.subarray(0, total - 4)), total - 4);
      return out;
    };
    for (const [h, msg] of [
      [[0], /bad header name/], [[5, 0x61], /bad header name/], [[1, 0x61, 10], /unknown header type 10/],
      [[1, 0x61, 7, 0, 9, 0x62], /truncated header value/], [[1, 0x61, 4, 0, 0], /truncated header value/], [[1, 0x61, 7, 0], /truncated header value/],
    ] as const) {
      reset();
      expect(push(withHeaders([...h]))).toEqual([]);
      expect(error()).toMatch(msg);
    }
  });

  it("property: random bytes never trap", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), fc.nat(64), (b, cut) => {
      const r = readSplit(b, [Math.min(cut, b.length)]);
      expect(typeof r.ok).toBe("boolean");
      if (b.length > 0 && b.length < 16) expect(r.ok).toBe(false);
    }), { numRuns: 2000 });
  });
});

describe("AWS event-stream writer", () => {
  it("writes every header type; our reader and the JS layout agree", () => {
    const p = m.newString("{\"a\":1}");
    const buf = m.getBuffer(fn("writeAllTypes")(p));
    m.unpin(p);
    const b = Buffer.from(buf);
    expect(b.readUInt32BE(0)).toBe(b.length);
    expect(b.readUInt32BE(8)).toBe(crc32(b.subarray(0, 8)));
    expect(b.readUInt32BE(b.length - 4)).toBe(crc32(b.subarray(0, b.length - 4)));
    expect(b.subarray(b.length - 11, b.length - 4).toString()).toBe('{"a":1}');
    const r = readSplit(buf, [7]);
    expect(r.ok).toBe(true);
    expect(r.msgs[0].headers).toEqual([
      { name: "t", type: 0, value: true }, { name: "f", type: 1, value: false },
      { name: "byte", type: 2, value: "-5" }, { name: "short", type: 3, value: "-300" },
      { name: "int", type: 4, value: "-70000" }, { name: "long", type: 5, value: "-5000000000" },
      { name: "bytes", type: 6, value: "0102" }, { name: ":event-type", type: 7, value: "chunk" },
      { name: "ts", type: 8, value: "1700000000123" }, { name: "uuid", type: 9, value: "000102030405060708090a0b0c0d0e0f" },
    ]);
    expect(r.msgs[0].eventType).toBe("chunk");
    expect(r.msgs[0].payload).toBe('{"a":1}');
    // Byte layout of the short header, checked by hand: name len, name, type 3, big-endian -300.
    const at = b.indexOf(Buffer.from([5, ...Buffer.from("short")]));
    expect([...b.subarray(at + 6, at + 9)]).toEqual([3, 0xfe, 0xd4]);
  });
});
