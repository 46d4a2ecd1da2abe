// base64, base64url, hex and percent-encoding against Node's Buffer and encodeURIComponent.
import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { randomBytes } from "node:crypto";
import { loadAsModule } from "../../harness/src/ascunit.js";

const m = await loadAsModule("sdk/test/encoding.entry.ts");
const ex = m.exports as unknown as Record<string, (...a: number[]) => number>;

function withArgs<R>(args: (number | Uint8Array | string)[], f: (a: number[]) => R): R {
  const ptrs: number[] = [];
  const a = args.map((x) => {
    if (typeof x === "number") return x;
    const p = typeof x === "string" ? m.newString(x) : m.newBuffer(x);
    ptrs.push(p);
    return p;
  });
  const r = f(a);
  for (const p of ptrs) m.unpin(p);
  return r;
}
const str = (name: string, ...args: (number | Uint8Array | string)[]) => withArgs(args, (a) => m.getString(ex[name](...a) >>> 0));
/** Bytes, or null when the module returned a null pointer. */
const bytes = (name: string, ...args: (number | Uint8Array | string)[]) => withArgs(args, (a) => {
  const p = ex[name](...a) >>> 0;
  return p === 0 ? null : Buffer.from(m.getBuffer(p));
});

const allLengths = Array.from({ length: 301 }, (_, n) => randomBytes(n));
const anyBytes = fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.integer({ min: 300, max: 20000 }).map((n) => new Uint8Array(randomBytes(n))));

describe("base64", () => {
  it("encodes like Buffer (std and url, padded and not) and round-trips, all lengths 0..300 + random", () => {
    const check = (b: Uint8Array) => {
      const buf = Buffer.from(b);
      const std = buf.toString("base64"), url = buf.toString("base64url");
      expect(str("b64", b, 0, 1)).toBe(std);
      expect(str("b64", b, 0, 0)).toBe(std.replace(/=+$/, ""));
      expect(str("b64", b, 1, 0)).toBe(url);
      expect(str("b64", b, 1, 1)).toBe(std.replace(/\+/g, "-").replace(/\//g, "_"));
      expect(bytes("unb64", std, 0)!.equals(buf)).toBe(true);
      expect(bytes("unb64", std.replace(/=+$/, ""), 0)!.equals(buf)).toBe(true);
      expect(bytes("unb64", url, 1)!.equals(buf)).toBe(true);
      expect(bytes("unb64", url + "=".repeat((4 - (url.length % 4)) % 4), 1)!.equals(buf)).toBe(true);
    };
    for (const b of allLengths) check(b);
    fc.assert(fc.property(anyBytes, (b) => { check(b); }), { numRuns: 1000 });
    expect(str("b64Str", "héllo ☃")).toBe(Buffer.from("héllo ☃").toString("base64"));
  });
  it("returns null for malformed text (never traps)", () => {
    for (const bad of ["a", "abcde", "ab=c", "a===", "ab==c", "ab$d", "ab d", "====", "ab=", "abc==", "é", "ab\u0000c"]) {
      expect(bytes("unb64", bad, 0), bad).toBeNull();
    }
    expect(bytes("unb64", "ab+/", 1)).toBeNull(); // std alphabet in url decoder
    expect(bytes("unb64", "ab-_", 0)).toBeNull(); // url alphabet in std decoder
    expect(bytes("unb64", "", 0)!.length).toBe(0);
    // Arbitrary strings: either null, or what Buffer decodes for valid ones.
    fc.assert(fc.property(fc.string({ maxLength: 40 }), (s) => {
      const r = bytes("unb64", s, 0);
      if (r === null) return true;
      return r.equals(Buffer.from(s, "base64")) && /^[A-Za-z0-9+/]*={0,2}$/.test(s);
    }), { numRuns: 2000 });
  });
});

describe("hex", () => {
  it("encodes like Buffer and decodes both cases", () => {
    fc.assert(fc.property(anyBytes, (b) => {
      const h = Buffer.from(b).toString("hex");
      return str("hex", b) === h && bytes("unhex", h.toUpperCase())!.equals(Buffer.from(b));
    }), { numRuns: 500 });
    for (const bad of ["a", "zz", "0g", "abc", " 00"]) expect(bytes("unhex", bad)).toBeNull();
  });
});

describe("percent-encoding (RFC 3986, SigV4)", () => {
  it("matches encodeURIComponent plus !'()* escaped, on random UTF-8 text", () => {
    const rfc3986 = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());
    fc.assert(fc.property(fc.string({ unit: "grapheme", maxLength: 60 }), (s) => {
      const enc = str("pctStr", s);
      const back = bytes("unpct", enc, 0)!;
      return enc === rfc3986(s) && back.toString("utf8") === s;
    }), { numRuns: 1000 });
    expect(str("pct", Buffer.from("/a b/c~d"), 1)).toBe("/a%20b/c~d");
    expect(str("pct", Buffer.from("/a b"), 0)).toBe("%2Fa%20b");
    expect(bytes("unpct", "a+b%2b", 1)!.toString()).toBe("a b+");
  });
  it("returns null for broken escapes", () => {
    for (const bad of ["%", "%2", "%zz", "a%g0", "%%"]) expect(bytes("unpct", bad, 0)).toBeNull();
  });
});
