import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { loadAsModule } from "../../harness/src/ascunit.js";

const m = await loadAsModule("sdk/test/ratelimit.entry.ts");
const call = (fn: string, ...args: string[]) => {
  const ptrs = args.map((a) => m.newString(a));
  const out = m.getString((m.exports[fn] as (...p: number[]) => number)(...ptrs));
  ptrs.forEach((p) => m.unpin(p));
  return out;
};

describe("sdk/ratelimit key values", () => {
  it("IPs print like Go's net.IP.String() (RFC 5952), checked against WHATWG URL serialisation", () => {
    expect(call("ipString", "10.1.2.3")).toBe("10.1.2.3");
    expect(call("ipString", "::ffff:10.1.2.3")).toBe("10.1.2.3");
    expect(call("ipString", "2001:0db8:0:0:0:0:0:1")).toBe("2001:db8::1");
    expect(call("ipString", "1:0:0:2:0:0:0:3")).toBe("1:0:0:2::3");
    expect(call("ipString", "1:0:2:3:4:5:6:7")).toBe("1:0:2:3:4:5:6:7");
    expect(call("ipString", "::")).toBe("::");
    expect(call("ipString", "bogus")).toBe("ERR");
    fc.assert(fc.property(fc.ipV6(), (a) => {
      const want = new URL(`http://[${a}]/`).hostname.slice(1, -1);
      // WHATWG prints IPv4-mapped addresses in hex; Go (and we) print them as IPv4.
      if (/^::ffff:[0-9a-f]+:[0-9a-f]+$/.test(want)) return;
      expect(call("ipString", a)).toBe(want);
    }), { numRuns: 500 });
  });

  it("cookies as Higress splits them", () => {
    expect(call("cookie", "a=1; session=abc; b=2", "session")).toBe("abc");
    expect(call("cookie", "session=abc", "sess")).toBe("");
    expect(call("cookie", "x=1;session=v=w", "session")).toBe("v");
    expect(call("cookie", "session", "session")).toBe("");
    expect(call("cookie", "", "session")).toBe("");
  });

  it("query parameters: first value, decoded like Go's url.ParseQuery", () => {
    expect(call("param", "/v1/chat?apikey=a%20b&apikey=2", "apikey")).toBe("a b");
    expect(call("param", "/v1/chat?x=1", "apikey")).toBe("<none>");
    expect(call("param", "/v1/chat?apikey=p+1", "apikey")).toBe("p 1");
  });

  it("window names", () => {
    expect(["token_per_second", "token_per_minute", "query_per_hour", "query_per_day", "token_per_week", "_per_day"].map((n) => call("window", n))).toEqual(["1", "60", "3600", "86400", "0", "0"]);
  });
});
