import { describe, it, expect } from "vitest";
import { loadAsModule } from "../../harness/src/ascunit.js";

const m = loadAsModule("sdk/test/json.entry.ts");
const roundTrip = (s: string) => {
  const p = m.newString(s);
  const out = m.getString((m.exports.roundTrip as (p: number) => number)(p));
  m.unpin(p);
  return out;
};

describe("json (never traps)", () => {
  it("round-trips valid documents like JSON.parse", () => {
    for (const doc of ['{"a":1,"b":[true,false,null],"c":"x\\ny\\u00e9"}', "[]", '"s"', "-1.5e3", '{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}']) {
      expect(JSON.parse(roundTrip(doc))).toEqual(JSON.parse(doc));
    }
  });
  it("returns an error for malformed input", () => {
    for (const bad of ['{"a":', "[1,2", '{"a" 1}', "tru", '"\\x"', "{".repeat(1000) , "01", '{"a":1}x']) {
      expect(roundTrip(bad)).toMatch(/^ERR:/);
    }
  });
});
