import { describe, it, expect } from "vitest";
import { isIP } from "node:net";
import fc from "fast-check";
import { loadAsModule } from "../../harness/src/ascunit.js";

const m = await loadAsModule("sdk/test/net.entry.ts");
const call = (fn: string, ...args: string[]) => {
  const ptrs = args.map((a) => m.newString(a));
  const out = m.getString((m.exports[fn] as (...p: number[]) => number)(...ptrs));
  ptrs.forEach((p) => m.unpin(p));
  return out;
};

describe("net/ip (never traps)", () => {
  it("parses IPv4 and IPv6 addresses", () => {
    expect(call("ip", "10.1.2.3")).toBe("4:10.1.2.3");
    expect(call("ip", "0.0.0.0")).toBe("4:0.0.0.0");
    expect(call("ip", "255.255.255.255")).toBe("4:255.255.255.255");
    expect(call("ip", "::1")).toBe("6:0:0:0:0:0:0:0:1");
    expect(call("ip", "::")).toBe("6:0:0:0:0:0:0:0:0");
    expect(call("ip", "2001:db8::8a2e:370:7334")).toBe("6:2001:db8:0:0:0:8a2e:370:7334");
    expect(call("ip", "fe80::")).toBe("6:fe80:0:0:0:0:0:0:0");
    expect(call("ip", "1:2:3:4:5:6:7:8")).toBe("6:1:2:3:4:5:6:7:8");
    expect(call("ip", "64:ff9b::192.0.2.33")).toBe("6:64:ff9b:0:0:0:0:c000:221");
  });
  it("treats IPv4-mapped IPv6 as IPv4", () => {
    expect(call("ip", "::ffff:10.0.0.1")).toBe("4:10.0.0.1");
    expect(call("ip", "::FFFF:a00:1")).toBe("4:10.0.0.1");
    expect(call("contains", "10.0.0.0/8", "::ffff:10.9.9.9")).toBe("yes");
    expect(call("cidr", "::ffff:10.0.0.0/104")).toBe("10.0.0.0/8");
  });
  it("refuses malformed addresses", () => {
    for (const bad of ["", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1.2.3.4 ", "1..2.3", "a.b.c.d", "1.2.3.4:80",
      ":::", "1:::2", "1::2::3", ":1", "1:", "1:2:3:4:5:6:7:8:9", "12345::", "fe80::1%eth0", "::1.2.3", "[::1]", "1:2:3:4:5:6:7:8::", "g::1", "::ffff:1.2.3.4.5"]) {
      expect(call("ip", bad), bad).toBe("ERR");
    }
  });
  it("parses CIDR ranges and matches them", () => {
    expect(call("cidr", "192.168.0.0/16")).toBe("192.168.0.0/16");
    expect(call("cidr", "1.2.3.4")).toBe("1.2.3.4/32");
    expect(call("cidr", "2001:db8::/32")).toBe("2001:db8:0:0:0:0:0:0/32");
    expect(call("contains", "192.168.0.0/16", "192.168.255.1")).toBe("yes");
    expect(call("contains", "192.168.0.0/16", "192.169.0.1")).toBe("no");
    expect(call("contains", "0.0.0.0/0", "8.8.8.8")).toBe("yes");
    expect(call("contains", "10.0.0.1/32", "10.0.0.1")).toBe("yes");
    expect(call("contains", "10.0.0.1/32", "10.0.0.2")).toBe("no");
    expect(call("contains", "2001:db8::/32", "2001:db8:ffff::1")).toBe("yes");
    expect(call("contains", "2001:db8::/32", "2001:db9::1")).toBe("no");
    expect(call("contains", "2001:db8::1/128", "2001:db8::1")).toBe("yes");
    expect(call("contains", "2001:db8::/127", "2001:db8::1")).toBe("yes");
    expect(call("contains", "2001:db8::/127", "2001:db8::2")).toBe("no");
    expect(call("contains", "2001:db8::/70", "2001:db8:0:0:3ff:ffff::")).toBe("yes");
    expect(call("contains", "2001:db8::/70", "2001:db8:0:0:400::")).toBe("no");
    expect(call("contains", "::/0", "1.2.3.4")).toBe("no"); // families never mix
    expect(call("contains", "0.0.0.0/0", "::1")).toBe("no");
    for (const bad of ["1.2.3.4/33", "1.2.3.4/", "1.2.3.4/-1", "1.2.3.4/08", "::/129", "x/8", "1.2.3.4/8/8", "::ffff:1.2.3.4/95"]) {
      expect(call("cidr", bad), bad).toBe("ERR");
    }
  });
  it("agrees with Node on random text and never traps", () => {
    fc.assert(
      fc.property(fc.oneof(fc.ipV4(), fc.ipV6(), fc.string({ maxLength: 50 }), fc.stringMatching(/^[0-9a-f:.]{0,45}$/)), (s) => {
        const r = call("ip", s);
        if (isIP(s) === 0) expect(r).toBe("ERR");
        else if (!/(^|[.:])0\d/.test(s)) expect(r).not.toBe("ERR");
      }),
      { numRuns: 3000 },
    );
  });
});

describe("net/query", () => {
  it("decodes names and values like Go's url.ParseQuery", () => {
    expect(call("query", "a=1&b=x%20y&c=p+q&api%5Fkey=k%2Bv&&d&e=")).toBe("a=1\nb=x y\nc=p q\napi_key=k+v\nd=\ne=");
    expect(call("query", "bad=%zz&ok=1&semi=a;b&x=%")).toBe("ok=1");
  });
});
