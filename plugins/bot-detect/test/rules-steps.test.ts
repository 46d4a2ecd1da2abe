// The built-in rules (Higress's DefaultBotRegex) on the SDK's RegexSet, counted in engine steps
// (never timed): they run on one DFA per rule (in word mode: the rules use \b), a warm 64 KB
// User-Agent costs one step per character per rule, and crawler-name fragments chosen to keep every rule half-matched
// (the DFAs keep building states and drop their full caches) stay linear and far below what the
// Pike VM spends running the six rules in turn.
import { describe, it, expect } from "vitest";
import { loadAsModule } from "../../../harness/src/ascunit.js";
import { builtInRules, userAgent } from "../../../test/bench/bot-detect/ua-cpu-shapes.js";

const m = await loadAsModule("sdk/test/regexset.entry.ts");
type Fn = (...p: number[]) => number | bigint;
// As the plugin holds them: one DFA per rule (RegexSet.compileEach).
const rules = m.newString("\u0002" + builtInRules().join("\u0001"));
const run = (fn: string, ua?: string) => {
  const p = ua === undefined ? undefined : m.newString(ua);
  const r = Number((m.exports[fn] as Fn)(rules, ...(p === undefined ? [] : [p])));
  if (p !== undefined) m.unpin(p);
  return r;
};

describe("bot-detect built-in rules as one RegexSet", () => {
  it("compile into one DFA-backed set", () => {
    expect(builtInRules()).toHaveLength(6);
    expect(run("setUsesDfa")).toBe(1);
  });

  it("judge 64 KB User-Agents with one step per character per rule once warm", () => {
    for (const shape of ["browser", "words"]) {
      const ua = userAgent(shape, 64 * 1024);
      expect(run("setTest", ua)).toBe(0);
      expect(run("setTest", ua)).toBe(0);
      expect(run("setSteps"), shape).toBe(ua.length * builtInRules().length);
    }
    const bot = userAgent("browser", 64 * 1024 - 14) + " Googlebot/2.1";
    expect(run("setTest", bot)).toBe(1);
    expect(run("anyTest", bot)).toBe(1);
  });

  it("stay linear on a DFA-hostile User-Agent, with the Pike VM's answer and a tenth of its steps or less", () => {
    const perChar: number[] = [];
    for (const size of [16 * 1024, 32 * 1024, 64 * 1024]) {
      const ua = userAgent("fragments", size);
      if (size === 16 * 1024) expect(run("anyTest", ua)).toBe(0);
      expect(run("setTest", ua)).toBe(0);
      expect(run("setTest", ua)).toBe(0);
      perChar.push(run("setSteps") / ua.length);
      if (size === 64 * 1024) expect(run("setSteps") * 10).toBeLessThan(run("anySteps", ua));
    }
    // Linear: the cost per character does not grow with the User-Agent.
    expect(perChar[2]).toBeLessThan(perChar[0] * 1.3);
    expect(run("setResets")).toBeGreaterThan(0);
  });
});
