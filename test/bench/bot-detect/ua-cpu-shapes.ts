// User-Agent shapes for the bot-detect CPU measurements (ua-cpu.ts) and the bench scenarios.
import { higressBotRules } from "../../../scripts/gen-bot-rules.js";

const CHROME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 ";

/** The built-in rules: Higress's DefaultBotRegex, read from the vendored file as the plugin's generator reads it. */
export function builtInRules(): string[] {
  return higressBotRules();
}

/**
 * Fragments of crawler names that never complete one: every rule stays half-matched all along,
 * which keeps the most threads alive (and the DFA building new states). Checked with RegExp.
 */
function fragments(size: number): string {
  const rules = builtInRules();
  const words = rules.flatMap((r) => r.replace(/^\(\?i\)/, "").replace(/\\./g, ".").split(/[()|]/)).filter((w) => /^[a-z][a-z0-9 .!_/-]{2,}$/.test(w));
  const js = rules.map((r) => new RegExp(r.replace("(?i)", ""), "i"));
  let x = 1;
  const rnd = (n: number) => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 8) % n;
  let s = "";
  while (s.length < size) {
    const w = words[rnd(words.length)];
    const add = w.slice(rnd(w.length - 1), w.length - 1) + ["", "q", "é", "1"][rnd(4)];
    if (!js.some((r) => r.test(s.slice(-40) + add))) s += add;
  }
  return s.slice(0, size);
}

/** A User-Agent of `size` characters in the given shape. */
export function userAgent(shape: string, size: number): string {
  switch (shape) {
    case "browser": return CHROME.repeat(Math.ceil(size / CHROME.length)).slice(0, size);
    case "letters": {
      let s = "";
      let x = 12345;
      while (s.length < size) { x = (Math.imul(x, 1103515245) + 12345) >>> 0; s += String.fromCharCode(97 + ((x >>> 16) % 26)); }
      return s;
    }
    case "words": return "abcdefgh-".repeat(Math.ceil(size / 9)).slice(0, size);
    case "fragments": return fragments(size);
  }
  throw new Error(`unknown User-Agent shape ${shape}`);
}
