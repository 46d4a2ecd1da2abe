// sdk/net formatHttpDate: the IMF-fixdate Go's http.TimeFormat writes (what Expires headers carry),
// checked against JavaScript's own toUTCString over the whole four-digit-year range, and read back
// by parseHttpDate.
import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { loadAsModule } from "../../harness/src/ascunit.js";

const m = await loadAsModule("sdk/test/httpdate.entry.ts");
const call = (fn: string, arg: string) => {
  const p = m.newString(arg);
  const out = m.getString((m.exports[fn] as (p: number) => number)(p));
  m.unpin(p);
  return out;
};
const LAST = 253402300799; // 9999-12-31T23:59:59Z

describe("net/httpdate-format", () => {
  it("writes known dates", () => {
    expect(call("format", "0")).toBe("Thu, 01 Jan 1970 00:00:00 GMT");
    expect(call("format", "1")).toBe("Thu, 01 Jan 1970 00:00:01 GMT");
    expect(call("format", "784111777")).toBe("Sun, 06 Nov 1994 08:49:37 GMT");
    expect(call("format", "2145916555")).toBe("Thu, 31 Dec 2037 23:55:55 GMT");
    expect(call("format", "951782400")).toBe("Tue, 29 Feb 2000 00:00:00 GMT");
    expect(call("format", String(LAST))).toBe("Fri, 31 Dec 9999 23:59:59 GMT");
  });

  it("equals toUTCString and reads back, for any second of years 1970 to 9999", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: LAST }), (s) => {
        const text = call("format", String(s));
        expect(text).toBe(new Date(s * 1000).toUTCString());
        expect(call("parse", text)).toBe(String(s));
      }),
      { numRuns: 3000 },
    );
  });
});
