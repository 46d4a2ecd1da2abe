// Byte-level credential helpers against Node: strict UTF-8 agrees with TextDecoder({fatal}), the
// byte query parser with a Go url.ParseQuery model, and findSecret with Buffer.equals. Inputs
// include the bytes that a lossy decoder folds: \xff, overlong forms, truncated sequences.
import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { loadAsModule } from "../../harness/src/ascunit.js";

const m = await loadAsModule("sdk/test/auth-credential.entry.ts");
const ex = m.exports as unknown as Record<string, (...a: number[]) => number>;

function call(name: string, b: Uint8Array): number {
  const p = m.newBuffer(b);
  const r = ex[name](p);
  m.unpin(p);
  return r;
}
const callBuf = (name: string, b: Uint8Array) => Buffer.from(m.getBuffer(call(name, b) >>> 0));

const fatal = new TextDecoder("utf-8", { fatal: true });
function strictNode(b: Uint8Array): boolean {
  try {
    fatal.decode(b);
    return true;
  } catch {
    return false;
  }
}

/** Bytes biased towards UTF-8 edge cases. */
const tricky = fc.array(
  fc.oneof(
    fc.integer({ min: 0x20, max: 0x7e }).map((c) => [c]),
    fc.constantFrom([0xff], [0xc1, 0xa1], [0xc0, 0x80], [0xe0, 0x80, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xc3], [0xc3, 0xa4], [0xe2, 0x82, 0xac], [0xf0, 0x9f, 0x98, 0x80], [0x80]),
  ),
  { maxLength: 24 },
).map((parts) => new Uint8Array(parts.flat()));

describe("utf8Strict", () => {
  it("accepts exactly what TextDecoder({fatal: true}) accepts, and keeps the bytes", () => {
    fc.assert(
      fc.property(fc.oneof(tricky, fc.uint8Array({ maxLength: 40 })), (b) => {
        const ok = strictNode(b);
        expect(call("strictOk", b)).toBe(ok ? 1 : 0);
        if (ok) expect(callBuf("strictRoundTrip", b).equals(Buffer.from(b))).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it("refuses the bytes a lossy decoder folds into 'k-alice'", () => {
    for (const s of ["k-alice\xff", "k-\xc1\xa1lice", "k-alice\xc3", "\xc0\x80k-alice"]) expect(call("strictOk", Buffer.from(s, "latin1"))).toBe(0);
    expect(call("strictOk", Buffer.from("k-älice", "utf8"))).toBe(1);
  });
});

/** Go's url.ParseQuery on bytes: '&'-split, ';' or a bad escape skips the pair, '+' is a space. */
function goQuery(path: Buffer): [Buffer, Buffer][] {
  const q = path.indexOf(0x3f);
  if (q < 0) return [];
  let end = path.indexOf(0x23, q + 1);
  if (end < 0) end = path.length;
  const out: [Buffer, Buffer][] = [];
  const unescape = (b: Buffer): Buffer | null => {
    const o: number[] = [];
    for (let i = 0; i < b.length; i++) {
      if (b[i] === 0x25) {
        const h = b.subarray(i + 1, i + 3).toString("latin1");
        if (!/^[0-9a-fA-F]{2}$/.test(h)) return null;
        o.push(parseInt(h, 16));
        i += 2;
      } else o.push(b[i] === 0x2b ? 0x20 : b[i]);
    }
    return Buffer.from(o);
  };
  for (const part of splitBytes(path.subarray(q + 1, end), 0x26)) {
    if (part.length === 0 || part.includes(0x3b)) continue;
    const eq = part.indexOf(0x3d);
    const name = unescape(eq < 0 ? part : part.subarray(0, eq));
    const value = unescape(eq < 0 ? Buffer.alloc(0) : part.subarray(eq + 1));
    if (name && value) out.push([name, value]);
  }
  return out;
}
function splitBytes(b: Buffer, sep: number): Buffer[] {
  const out: Buffer[] = [];
  let start = 0;
  for (let i = 0; i <= b.length; i++) if (i === b.length || b[i] === sep) { out.push(b.subarray(start, i)); start = i + 1; }
  return out;
}
function decodePairs(b: Buffer): [Buffer, Buffer][] {
  const out: [Buffer, Buffer][] = [];
  let o = 0;
  while (o < b.length) {
    const parts: Buffer[] = [];
    for (let k = 0; k < 2; k++) {
      const n = b.readUInt32LE(o);
      parts.push(b.subarray(o + 4, o + 4 + n));
      o += 4 + n;
    }
    out.push([parts[0], parts[1]]);
  }
  return out;
}

describe("queryParamsBytes", () => {
  it("reads a path's query like Go's url.ParseQuery, byte for byte", () => {
    const piece = fc.oneof(
      fc.constantFrom("?", "&", "=", ";", "#", "+", "%", "%F", "%FF", "%ff", "%C1%A1", "%zz", "%41", "apikey", "k-alice", "x"),
      fc.uint8Array({ minLength: 1, maxLength: 3 }).map((b) => Buffer.from(b).toString("latin1")),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 16 }), (parts) => {
        const path = Buffer.from("/p" + parts.join(""), "latin1");
        const got = decodePairs(callBuf("queryPairs", path));
        const want = goQuery(path);
        expect(got.map(([n, v]) => [n.toString("hex"), v.toString("hex")])).toEqual(want.map(([n, v]) => [n.toString("hex"), v.toString("hex")]));
      }),
      { numRuns: 2000 },
    );
  });

  it("keeps %FF and overlong escapes as the bytes they name", () => {
    const got = decodePairs(callBuf("queryPairs", Buffer.from("/x?apikey=k-alice%FF&b=%C1%A1&c=d%C3%A4#frag")));
    expect(got.map(([n, v]) => [n.toString("latin1"), v.toString("hex")])).toEqual([
      ["apikey", Buffer.from("k-alice\xff", "latin1").toString("hex")],
      ["b", "c1a1"],
      ["c", Buffer.from("dä", "utf8").toString("hex")],
    ]);
  });
});

describe("findSecret", () => {
  it("matches only the exact bytes of a configured secret", () => {
    const secrets = [Buffer.from("alice-key"), Buffer.from("dävé-key", "utf8"), Buffer.alloc(0)];
    const near = fc.constantFrom(...secrets).chain((s) =>
      fc.oneof(
        fc.constant(s),
        fc.uint8Array({ maxLength: 2 }).map((t) => Buffer.concat([s, t])),
        fc.nat({ max: Math.max(0, s.length - 1) }).map((i) => Buffer.concat([s.subarray(0, i), Buffer.from([0xc1, 0xa1]), s.subarray(i + 1)])),
      ),
    );
    fc.assert(
      fc.property(near, (c) => {
        expect(call("secretIndex", c)).toBe(secrets.findIndex((s) => s.equals(c)));
      }),
      { numRuns: 1000 },
    );
    expect(call("secretIndex", Buffer.from("alice-key\xff", "latin1"))).toBe(-1);
    expect(call("secretIndex", Buffer.from("\xc1\xa1lice-key", "latin1"))).toBe(-1);
  });
});
