// The built-in rules on the SDK's RegexSet, counted in engine steps (never timed): they run on the
// DFA, a warm 64 KB User-Agent costs one step per character, and crawler-name fragments chosen to
// keep every rule half-matched stay within a few steps per character.
import { describe, it, expect } from "vitest";
import { loadAsModule } from "../../../harness/src/ascunit.js";
import { builtInRules, userAgent } from "../../../test/bench/bot-detect/ua-cpu-shapes.js";

const m = await loadAsModule("sdk/test/regexset.entry.ts");
type Fn = (...p: number[]) => number | bigint;
const rules = m.newString(builtInRules().join("\u0001"));
const run = (fn: string, ua?: string) => {
  const p = ua === undefined ? undefined : m.newString(ua);
  const r = Number((m.exports[fn] as Fn)(rules, ...(p === undefined ? [] : [p])));
  if (p !== undefined) m.unpin(p);
  return r;
};

describe("bot-detect built-in rules as one RegexSet", () => {
  it("compile into one DFA-backed set", () => {
    expect(builtInRules().length).toBeGreaterThanOrEqual(7);
    expect(run("setUsesDfa")).toBe(1);
  });

  it("judge 64 KB User-Agents with one step per character once warm", () => {
    for (const shape of ["browser", "words"]) {
      const ua = userAgent(shape, 64 * 1024);
      expect(run("setTest", ua)).toBe(0);
      expect(run("setTest", ua)).toBe(0);
      expect(run("setSteps"), shape).toBe(ua.length);
    }
    const bot = userAgent("browser", 64 * 1024 - 14) + " Googlebot/2.1";
    expect(run("setTest", bot)).toBe(1);
    expect(run("anyTest", bot)).toBe(1);
  });

  it("stay within a few steps per character on a DFA-hostile User-Agent, with the same answer as the Pike VM", () => {
    const ua = userAgent("fragments", 64 * 1024);
    expect(run("anyTest", ua)).toBe(0);
    expect(run("setTest", ua)).toBe(0);
    expect(run("setTest", ua)).toBe(0);
    expect(run("setSteps") / ua.length).toBeLessThan(8);
  });
});
