// bot-detect on the emulator only: User-Agents of 64 KB, past Envoy's header limit (the table,
// cases.ts, goes to 59 KB on both hosts), and a hostile one.
import { describe, it, expect } from "vitest";
import { pluginWasm } from "../../../harness/src/index.js";
import { Emulator } from "../../../harness/src/emulator/index.js";

const BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 ";
/** A browser User-Agent repeated to `size` bytes (no crawler word in it). */
const longUa = (size: number) => BROWSER.repeat(Math.ceil(size / BROWSER.length)).slice(0, size);

const config = { allow: ["(?i)friendlybot/1\\.0"], deny: ["^EvilClient/"], blocked_code: 429, blocked_message: "no bots" };

interface Case { name: string; ua?: string; status: number }
const cases: Case[] = [
  { name: "64 KB browser-like UA passes", ua: longUa(64 * 1024), status: 200 },
  { name: "64 KB UA ending in Googlebot is blocked", ua: longUa(64 * 1024 - 14) + " Googlebot/2.1", status: 429 },
  { name: "64 KB UA starting with Googlebot is blocked", ua: "Googlebot/2.1 " + longUa(64 * 1024 - 14), status: 429 },
  { name: "64 KB UA with a generic …spider in the middle is blocked", ua: longUa(32 * 1024) + " some-spider/1 " + longUa(32 * 1024), status: 429 },
  { name: "64 KB UA matching deny is blocked", ua: "EvilClient/3 " + longUa(64 * 1024 - 13), status: 429 },
  { name: "64 KB UA: allow at the end wins over a crawler word at the start", ua: "Googlebot " + longUa(64 * 1024 - 26) + " FriendlyBot/1.0", status: 200 },
];

for (const target of ["envoy", "higress"] as const) {
  describe(`bot-detect on the emulator (${target})`, () => {
    const load = () => Emulator.load(pluginWasm("bot-detect", target), { target, config, pluginName: "bot-detect" });

    it.each(cases)("$name", async (c) => {
      const host = await load();
      const r = await host.request({ path: "/", headers: c.ua === undefined ? [] : [["user-agent", c.ua]] });
      expect(r.status).toBe(c.status);
      if (c.status !== 200) {
        expect(r.body).toBe("no bots");
        expect(r.upstream).toBeNull();
      }
      expect(host.traps).toEqual([]);
    });

    it("a long hostile User-Agent is decided without a trap (speed is for the benchmarks)", async () => {
      const host = await load();
      const ua = "a".repeat(4000) + "!" + "ab".repeat(2000);
      const r = await host.request({ path: "/", headers: [["user-agent", ua]] });
      // (Go's regexp: "a…a!abab…" holds no crawler name; the built-in rules let it pass.)
      expect(r.status).toBe(200);
      expect(host.traps).toEqual([]);
    });
  });
}
