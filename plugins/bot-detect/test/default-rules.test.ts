// The built-in rules are Higress's DefaultBotRegex, unmodified: default-rules.ts must be what
// scripts/gen-bot-rules.ts makes from the vendored Higress file, and Sluice's RegexSet (the DFA,
// in word mode for the rules' \b) must block exactly the User-Agents Go's regexp blocks with the
// same six patterns (Go runs them in Higress), over real User-Agents and generated ones.
import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { loadAsModule } from "../../../harness/src/ascunit.js";
import { repoRoot } from "../../../harness/src/tools.js";
import { goRegexOracle } from "../../../harness/src/go-regex.js";
import { TARGET, generate, higressBotRules } from "../../../scripts/gen-bot-rules.js";

const rules = higressBotRules();
const m = await loadAsModule("sdk/test/regexset.entry.ts");
type Fn = (...p: number[]) => number | bigint;
// As the plugin holds them: one DFA per rule (RegexSet.compileEach).
const joined = m.newString("\u0002" + rules.join("\u0001"));
const sluiceBlocks = (ua: string) => {
  const p = m.newString(ua);
  const r = Number((m.exports.setTest as Fn)(joined, p));
  m.unpin(p);
  const b = m.newBuffer(Buffer.from(ua));
  const rb = Number((m.exports.setTestBytes as Fn)(joined, b));
  m.unpin(b);
  expect(rb, `bytes and string agree on ${JSON.stringify(ua)}`).toBe(r);
  return r === 1;
};

// Go's regexp through the SDK's regex oracle (harness/src/go-regex.ts).
const askGo = await goRegexOracle("bot-detect");
function goBlocks(uas: string[]): boolean[] {
  const out = askGo(uas.flatMap((s) => rules.map((p) => ({ op: "find", p, s }))));
  for (const o of out) if (o.startsWith("ERR")) throw new Error(o);
  return uas.map((_, i) => out.slice(i * rules.length, (i + 1) * rules.length).some((x) => x !== "null"));
}

/** Real User-Agents: browsers, crawlers of every kind Higress names, clients, scanners, edge cases. */
const REAL = [
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
  "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
  "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
  "Googlebot-Image/1.0", "AdsBot-Google (+http://www.google.com/adsbot.html)", "Mediapartners-Google",
  "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
  "Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)", "Baiduspider-image+(+http://www.baidu.com/search/spider.htm)",
  "Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)", "Mozilla/5.0 (compatible; YandexImages/3.0)",
  "Mozilla/5.0 (compatible; Yahoo! Slurp; http://help.yahoo.com/help/us/ysearch/slurp)",
  "DuckDuckBot/1.1; (+http://duckduckgo.com/duckduckbot.html)", "Sogou web spider/4.0(+http://www.sogou.com/docs/help/webmasters.htm#07)",
  "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)", "Mozilla/5.0 (compatible; SemrushBot/7~bl; +http://www.semrush.com/bot.html)",
  "Mozilla/5.0 (compatible; MJ12bot/v1.4.8; http://mj12bot.com/)", "Mozilla/5.0 (compatible; DotBot/1.2; +https://opensiteexplorer.org/dotbot)",
  "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)", "Twitterbot/1.0", "LinkedInBot/1.0 (compatible; Mozilla/5.0)",
  "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)", "Slack-ImgProxy (+https://api.slack.com/robots)", "WhatsApp/2.23.20.0", "TelegramBot (like TwitterBot)",
  "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)", "CCBot/2.0 (https://commoncrawl.org/faq/)",
  "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; ClaudeBot/1.0; +claudebot@anthropic.com)", "Mozilla/5.0 (compatible; PerplexityBot/1.0)",
  "ia_archiver (+http://www.alexa.com/site/help/webmasters; crawler@alexa.com)", "Mozilla/5.0 (compatible; archive.org_bot +http://www.archive.org/details/archive.org_bot)",
  "Scrapy/2.11.0 (+https://scrapy.org)", "Nutch-1.20", "Apache-Nutch/1.19", "heritrix/3.4.0 +http://example.org", "Wget/1.21.4", "curl/8.5.0", "CURL/7.1",
  "python-requests/2.31.0", "Python-urllib/3.11", "Go-http-client/1.1", "okhttp/4.12.0", "Java/17.0.2", "node-fetch/1.0", "axios/1.6.8",
  "sqlmap/1.8#stable (https://sqlmap.org)", "Mozilla/5.0 (compatible; Nmap Scripting Engine; https://nmap.org/book/nse.html)", "masscan/1.3 (https://github.com/robertdavidgraham/masscan)",
  "WhatWeb/0.5.5", "WordPress/6.5; https://example.com", "Mozilla/5.0 (compatible; Qwantify/2.4w; +https://www.qwant.com/)/2.4w", "SiteCon/8.8.13",
  "my favicon fetcher", "xfaviconx", "a" + "b".repeat(40) + "favicon", "jbot", "jbotx", "Mozilla/5.0 jbot/1.0", "Yeti/1.1 (Naver Corp.; http://help.naver.com/robots/)",
  "NING/1.0", "x NING/1.0", "vortex/2.2", "Zao/0.1", "voyager/1.0", "Abbottabad/1.0", "robot", "Robot 2.0", "my_crawler 1.2", "SuperCrawlerExtreme/3", "The Spider 1.0",
  "gOoGlEbOt/2.1", "FooBarBot/1.0", "some-spider/0.1", "uptimebot", "uptimebot/2.0", "[bot] 1", "!bot/1", "Archiver 1.2.3", "indexer/9", "Scraper 1.0", "é-bot/1", "botbot/1.0.0.0",
  "", " ", "bot", "Bot/", "Bot/x", "Microsoft Office Bot", "Microsoft Office Protocol Discovery Bot", "BotName/$BotVersion", "Accoona-AI-Agent/1.1.2", "IP2abcBot", "Yandexé",
];

describe("bot-detect's built-in rules are Higress's DefaultBotRegex", () => {
  it("default-rules.ts is what the generator makes from the vendored, unmodified Higress file", () => {
    expect(rules).toHaveLength(6);
    expect(readFileSync(TARGET, "utf8")).toBe(generate(rules));
    expect(readFileSync(join(repoRoot, "third_party", "higress-bot-detect", "LICENSE"), "utf8")).toContain("Apache License");
  });

  it("block exactly what Go's regexp blocks on real User-Agents", () => {
    const want = goBlocks(REAL);
    const got = REAL.map(sluiceBlocks);
    const differ = REAL.filter((_, i) => got[i] !== want[i]);
    expect(differ).toEqual([]);
    // The corpus holds both answers in quantity (a test that cannot fail would not).
    expect(want.filter(Boolean).length).toBeGreaterThan(40);
    expect(want.filter((b) => !b).length).toBeGreaterThan(25);
  });

  it("block exactly what Go's regexp blocks on generated User-Agents (names, versions, word edges)", () => {
    const piece = fc.oneof(
      fc.constantFrom("bot", "Bot", "spider", "Spider", "SPIDER", "crawl", "Crawler", "scrape", "archiver", "Indexer", "favicon", "Googlebot", "bingbot", "Yeti", "NING", "Nutch", "jbot", "Yandex", "the ", "Mozilla/5.0 ", "(compatible; ", ")", "; ", "+http://x.org/bot.html"),
      fc.constantFrom("/", " ", "-", "_", ".", "!", ":", "[", "]", "é", "😀", "v", "/v"),
      fc.integer({ min: 0, max: 120 }).map(String),
      fc.string({ unit: fc.constantFrom("a", "Z", "0", "_", " ", "/", "."), maxLength: 6 }),
    );
    const uas = fc.sample(fc.array(piece, { minLength: 1, maxLength: 10 }).map((xs) => xs.join("")), { numRuns: 1500, seed: 20261203 });
    const want = goBlocks(uas);
    const differ = uas.filter((ua, i) => sluiceBlocks(ua) !== want[i]);
    expect(differ).toEqual([]);
    expect(want.filter(Boolean).length).toBeGreaterThan(200);
    expect(want.filter((b) => !b).length).toBeGreaterThan(200);
  });
});
