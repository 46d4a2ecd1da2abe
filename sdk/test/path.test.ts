import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { loadAsModule } from "../../harness/src/ascunit.js";

const m = await loadAsModule("sdk/test/path.entry.ts");
const ex = m.exports as unknown as { path(p: number): number; pathBytes(p: number): number };
const norm = (s: string) => {
  const p = m.newString(s);
  const out = m.getString(ex.path(p));
  m.unpin(p);
  return out;
};
const normBytes = (b: Uint8Array) => {
  const p = m.newBuffer(b);
  const out = m.getBuffer(ex.pathBytes(p) >>> 0);
  m.unpin(p);
  return out;
};

describe("net/path normalizePath", () => {
  it.each([
    // unchanged
    ["/", "/"],
    ["/a/b", "/a/b"],
    ["/a/b/", "/a/b/"],
    ["/%E2%82%AC", "/%E2%82%AC"],
    // percent-decoding of unreserved characters only (RFC 3986 §6.2.2.2), upper-case hex otherwise
    ["/%61dmin", "/admin"],
    ["/%73ecret", "/secret"],
    ["/%41%2d%2E%5f%7E%30", "/A-._~0"],
    ["/a%3bb", "/a%3Bb"],
    ["/a%3fb", "/a%3Fb"],
    ["/%e2%82%ac", "/%E2%82%AC"],
    ["/%2561", "/%2561"],
    // a lone or broken escape becomes %25
    ["/%", "/%25"],
    ["/%4", "/%254"],
    ["/%zz", "/%25zz"],
    ["/%%341", "/%2541"],
    // encoded and back slashes are separators
    ["/a%2Fb", "/a/b"],
    ["/a%2fb", "/a/b"],
    ["/a%5Cb", "/a/b"],
    ["/a\\b", "/a/b"],
    ["/x/..%2Fadmin", "/admin"],
    ["/x/..%5cadmin", "/admin"],
    // dot segments (RFC 3986 §5.2.4)
    ["/./internal/a", "/internal/a"],
    ["/a/b/../c", "/a/c"],
    ["/a/b/../../../../c", "/c"],
    ["/..", "/"],
    ["/a/.", "/a/"],
    ["/a/..", "/"],
    ["/a/b/..", "/a/"],
    ["/%2e%2e/admin", "/admin"],
    ["/.%2E/admin", "/admin"],
    ["/.../a", "/.../a"],
    ["/..a/b", "/..a/b"],
    // merged slashes
    ["//internal/a", "/internal/a"],
    ["/a///b//", "/a/b/"],
    ["///", "/"],
    // query and fragment are not part of the path
    ["/secret?x=1", "/secret"],
    ["/secret?x=/../a", "/secret"],
    ["/secret#frag", "/secret"],
    ["/search?q=..%2Fadmin", "/search"],
    // ; path parameters, up to the next raw or encoded slash
    ["/secret;x", "/secret"],
    ["/secret;jsessionid=1/x", "/secret/x"],
    ["/a;p=1/b;q/c", "/a/b/c"],
    ["/secret;x%2F..%2Fadmin", "/admin"],
    ["/;x/admin", "/admin"],
    // paths that do not start with / are read from the root
    ["", "/"],
    ["*", "/*"],
    ["a/../../b", "/b"],
  ])("%s → %s", (input, want) => {
    expect(norm(input)).toBe(want);
  });

  it("passes other bytes through (non-ASCII, controls)", () => {
    expect(Buffer.from(normBytes(new Uint8Array([0x2f, 0xff, 0x00, 0xc3, 0x2f, 0x2f, 0x41])))).toEqual(Buffer.from([0x2f, 0xff, 0x00, 0xc3, 0x2f, 0x41]));
  });

  const alphabet = fc.constantFrom(..."/\\.%;?#2fFeE5cC3aA~-_x".split("").map((c) => c.charCodeAt(0)), 0x00, 0x80, 0xff);
  const pathish = fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.array(alphabet, { maxLength: 120 }).map((a) => Uint8Array.from(a)));

  it("is idempotent and well-formed on random bytes, and never traps", () => {
    fc.assert(fc.property(pathish, (raw) => {
      const once = normBytes(raw);
      expect(Buffer.from(normBytes(once)).equals(Buffer.from(once))).toBe(true);
      const s = Buffer.from(once).toString("latin1");
      expect(s.startsWith("/")).toBe(true);
      expect(s).not.toMatch(/\/\/|\/\.\.?(\/|$)|[;?#\\]/);
      expect(s).not.toMatch(/%(?![0-9A-F]{2})|%(2F|5C|2D|2E|5F|7E|3[0-9]|4[1-9A-F]|5[0-9A]|6[1-9A-F]|7[0-9A])/);
    }), { numRuns: 3000 });
  });

  it("agrees with a reference written in TypeScript on random paths", () => {
    const ref = (raw: string) => {
      let p = raw.split(/[?#]/)[0];
      p = p.replace(/;[^/\\]*?(?=\/|\\|%2f|%5c|$)/gi, "");
      p = p.replace(/%([0-9a-fA-F]{2})|%|\\/g, (all, h: string | undefined) => {
        if (all === "\\") return "/";
        if (h === undefined) return "%25";
        const c = String.fromCharCode(parseInt(h, 16));
        if (/[A-Za-z0-9\-._~]/.test(c)) return c;
        if (c === "/" || c === "\\") return "/";
        return "%" + h.toUpperCase();
      });
      const out: string[] = [];
      const segs = p.split("/");
      let trailing = false;
      for (const s of segs) {
        if (s === "") { trailing = true; continue; }
        trailing = s === "." || s === "..";
        if (s === "..") out.pop();
        else if (s !== ".") out.push(s);
      }
      return "/" + out.join("/") + (trailing && out.length ? "/" : "");
    };
    const text = fc.array(fc.constantFrom(..."/\\.%;?#2fFeE5cC3aA~-_xyz".split("")), { maxLength: 60 }).map((a) => a.join(""));
    fc.assert(fc.property(text, (raw) => { expect(norm(raw)).toBe(ref(raw)); }), { numRuns: 3000 });
  });
});
