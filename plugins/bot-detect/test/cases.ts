// The case table of bot-detect: Higress's decision order (empty UA, allow, deny, built-in rules),
// Higress's built-in crawler list (DefaultBotRegex: case-sensitive, most names need a version),
// mixed-case, duplicate and long User-Agents, custom code/message, and bad configurations. What
// the built-in rows expect is what Go's regexp answers for Higress's list (default-rules.test.ts
// checks the rules themselves against Go over a larger corpus). Every row runs on a real Envoy and on the emulator (both targets) through
// harness/src/plugin-table.ts, which also demands the same answer from both.
import type { Group, PluginTable, Row } from "../../../harness/src/plugin-table.js";

export const config = {
  allow: [".*Go-http-client.*", "^MyMonitor/"],
  deny: ["spd-tools.*", "(?i)evilbrowser"],
  _rules_: [
    { _match_route_: ["custom"], blocked_code: 429, blocked_message: "bots go away" },
    { _match_route_: ["allow-google"], allow: ["(?i)googlebot"] },
  ],
};

export const CHROME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36";
const FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0";
const SAFARI_IOS = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1";
const GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";
/**
 * Chrome's User-Agent repeated to `size` bytes. 59 KB is about the longest Envoy's default header
 * limit (60 KiB for all request headers) lets through to the plugin.
 */
const longUa = (size: number) => (CHROME + " ").repeat(Math.ceil(size / (CHROME.length + 1))).slice(0, size);

/** A row: the User-Agent lines sent (null: none); a refusal is local, with the configured message. */
interface Case { name: string; path?: string; ua: string[] | null; status: number; message?: string }
const rowWith = (refusal: string) => (c: Case): Row => ({
  name: c.name,
  request: { path: c.path ?? "/p", headers: (c.ua ?? []).map((u) => ["user-agent", u] as [string, string]) },
  expect: { status: c.status, body: c.status === 200 ? undefined : c.message ?? refusal, reachesUpstream: c.status === 200 },
});

const cases: Case[] = [
  { name: "Chrome passes", ua: [CHROME], status: 200 },
  { name: "Firefox passes", ua: [FIREFOX], status: 200 },
  { name: "iOS Safari passes", ua: [SAFARI_IOS], status: 200 },
  { name: "missing User-Agent is blocked", ua: null, status: 403 },
  { name: "empty User-Agent is blocked", ua: [""], status: 403 },
  { name: "blank User-Agent is blocked", ua: ["   "], status: 403 },
  { name: "Googlebot is blocked by the built-in rules", ua: [GOOGLEBOT], status: 403 },
  { name: "mixed-case gOoGlEbOt passes: Higress's rules are case-sensitive", ua: ["Mozilla/5.0 (compatible; gOoGlEbOt/2.1)"], status: 200 },
  { name: "bingbot", ua: ["Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)"], status: 403 },
  { name: "Baiduspider", ua: ["Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)"], status: 403 },
  { name: "YandexBot", ua: ["Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)"], status: 403 },
  { name: "GPTBot (AI crawler)", ua: ["Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)"], status: 403 },
  { name: "AhrefsBot (SEO)", ua: ["Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)"], status: 403 },
  { name: "facebookexternalhit is not in Higress's list: passes", ua: ["facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)"], status: 200 },
  { name: "sqlmap is not in Higress's list: passes (use deny)", ua: ["sqlmap/1.8#stable (https://sqlmap.org)"], status: 200 },
  { name: "curl is not in Higress's list: passes", ua: ["curl/8.5.0"], status: 200 },
  { name: "python-requests passes", ua: ["python-requests/2.31.0"], status: 200 },
  { name: "Scrapy is a named crawler", ua: ["Scrapy/2.11 (+https://scrapy.org)"], status: 403 },
  { name: "Nutch with a dash and a version", ua: ["Nutch-1.20"], status: 403 },
  { name: "Slackbot-LinkExpanding", ua: ["Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)"], status: 403 },
  { name: "WhatsApp link previews", ua: ["WhatsApp/2.23.20.0"], status: 403 },
  { name: "masscan", ua: ["masscan/1.3 (https://github.com/robertdavidgraham/masscan)"], status: 403 },
  { name: "a favicon fetcher (\\b\\w{0,30}favicon\\w{0,30}\\b)", ua: ["Mozilla/5.0 (compatible; myfaviconfetcher)"], status: 403 },
  { name: "favicon inside a word longer than 30 characters is not a match", ua: ["x" + "a".repeat(31) + "favicon" + "b".repeat(31)], status: 200 },
  { name: "jbot must end a word (jbot\\b)", ua: ["Mozilla/5.0 jbot"], status: 403 },
  { name: "jbotx is not jbot", ua: ["Mozilla/5.0 jbotx"], status: 200 },
  { name: "a name ending in bot without a version passes (uptimebot)", ua: ["Mozilla/5.0 uptimebot"], status: 200 },
  { name: "a generic unknown …Bot", ua: ["Mozilla/5.0 (compatible; FooBarBot/1.0)"], status: 403 },
  { name: "a generic spider", ua: ["some-spider/0.1"], status: 403 },
  { name: "allow wins over the built-in rules (Go-http-client)", ua: ["Go-http-client/1.1"], status: 200 },
  { name: "allow is case-sensitive like Go: go-http-client is not allowed, and a built-in rule blocks it", ua: ["go-http-client/2.0 somebot/1.0"], status: 403 },
  { name: "allow anchored ^MyMonitor/ admits a monitor named …bot", ua: ["MyMonitor/1.0 uptimebot/2.0"], status: 200 },
  { name: "without the allow entry the same monitor is a crawler", ua: ["YourMonitor/1.0 uptimebot/2.0"], status: 403 },
  { name: "deny blocks a browser-looking UA", ua: ["spd-tools/1.0 " + CHROME], status: 403 },
  { name: "deny with (?i) blocks mixed case", ua: ["Mozilla/5.0 EvIlBrOwSeR/9"], status: 403 },
  { name: "a word merely containing 'bot' inside is not a bot (Abbott)", ua: ["Mozilla/5.0 Abbottabad/1.0"], status: 200 },
  { name: "duplicate User-Agent lines: a bot behind a browser line is blocked", ua: [CHROME, GOOGLEBOT], status: 403 },
  { name: "duplicate User-Agent lines: a bot line first is blocked", ua: [GOOGLEBOT, CHROME], status: 403 },
  { name: "duplicate User-Agent lines: two browsers pass", ua: [CHROME, FIREFOX], status: 200 },
  { name: "custom blocked_code/message on a rule", path: "/custom", ua: ["Googlebot/2.1"], status: 429, message: "bots go away" },
  { name: "rule does not inherit the global deny", path: "/custom", ua: ["spd-tools/1.0"], status: 200 },
  { name: "rule allow admits Googlebot there", path: "/allow-google", ua: [GOOGLEBOT], status: 200 },
  { name: "rule allow: other bots still blocked", path: "/allow-google", ua: ["bingbot/2.0"], status: 403 },
  { name: "rule: empty UA blocked even with allow", path: "/allow-google", ua: [""], status: 403 },
  // (Passing ones stay under the Node upstream's own 16 KiB header limit.)
  { name: "15 KB browser-like UA passes", ua: [longUa(15 * 1024)], status: 200 },
  { name: "59 KB UA ending in Googlebot is blocked", ua: [longUa(59 * 1024 - 14) + " Googlebot/2.1"], status: 403 },
  { name: "59 KB UA starting with Googlebot is blocked", ua: ["Googlebot/2.1 " + longUa(59 * 1024 - 14)], status: 403 },
  { name: "59 KB UA matching deny in the middle is blocked", ua: [longUa(29 * 1024) + " EvilBrowser " + longUa(29 * 1024)], status: 403 },
];

/** The emulator's former configuration: allow a friendly bot, deny a client, 429 "no bots". */
const custom = { allow: ["(?i)friendlybot/1\\.0"], deny: ["^EvilClient/"], blocked_code: 429, blocked_message: "no bots" };
const customCases: Case[] = [
  { name: "a browser passes", ua: ["Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36"], status: 200 },
  { name: "a Chrome UA passes", ua: ["Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0"], status: 200 },
  { name: "Googlebot is blocked", ua: ["Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"], status: 429 },
  { name: "a crawler is refused (bingbot)", ua: ["Mozilla/5.0 (compatible; bingbot/2.0)"], status: 429 },
  { name: "mixed case GoOgLeBoT passes (Higress's rules are case-sensitive)", ua: ["GoOgLeBoT/2.1"], status: 200 },
  { name: "curl passes (not in Higress's list)", ua: ["curl/8.5.0"], status: 200 },
  { name: "allow wins over the built-in rules", ua: ["FriendlyBot/1.0"], status: 200 },
  { name: "deny regex", ua: ["EvilClient/3"], status: 429 },
  { name: "an empty User-Agent is blocked", ua: [""], status: 429 },
  { name: "no User-Agent is blocked", ua: null, status: 429 },
  // Long User-Agents are judged whole (no inspection cap): a bot word at either end still counts.
  // 59 KB is about the longest Envoy's header limit lets through; emulator.test.ts goes to 64 KB.
  { name: "59 KB browser-like UA passes", ua: [longUa(59 * 1024)], status: 200 },
  { name: "59 KB UA ending in Googlebot is blocked", ua: [longUa(59 * 1024 - 14) + " Googlebot/2.1"], status: 429 },
  { name: "59 KB UA starting with Googlebot is blocked", ua: ["Googlebot/2.1 " + longUa(59 * 1024 - 14)], status: 429 },
  { name: "59 KB UA with a generic …spider in the middle is blocked", ua: [longUa(29 * 1024) + " some-spider/1 " + longUa(29 * 1024)], status: 429 },
  { name: "59 KB UA matching deny is blocked", ua: ["EvilClient/3 " + longUa(59 * 1024 - 13)], status: 429 },
  { name: "59 KB UA: allow at the end wins over a crawler word at the start", ua: ["Googlebot " + longUa(59 * 1024 - 26) + " FriendlyBot/1.0"], status: 200 },
];

const groups: Group[] = [
  { name: "allow and deny lists, a custom-code rule and an allow rule", config, routes: ["custom", "allow-google"], rows: cases.map(rowWith("Invalid User-Agent")) },
  { name: "allow a friendly bot, deny a client, 429 'no bots'", config: custom, rows: customCases.map(rowWith("no bots")) },
  {
    name: "allow Go-http-client, deny spd-tools, 401 'no bots'",
    config: { allow: [".*Go-http-client.*"], deny: ["spd-tools.*"], blocked_code: 401, blocked_message: "no bots" },
    rows: ([
      ["Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0", 200],
      ["Mozilla/5.0 (compatible; BaiduSpider/2.0)", 401],
      ["Go-http-client/1.1", 200],
      ["spd-tools/2", 401],
      ["", 401],
    ] as const).map(([ua, status]) => rowWith("no bots")({ name: `${JSON.stringify(ua)} → ${status}`, path: "/", ua: [ua], status })),
  },
];

export const table: PluginTable = {
  plugin: "bot-detect",
  groups,
  badConfigs: ([
    ["an invalid allow regex", { allow: ["(unclosed"] }, "invalid regular expression in allow"],
    ["a backreference (not RE2) in deny", { deny: ["(a)\\1"] }, "invalid regular expression in deny"],
    ["deny not an array", { deny: "curl" }, "deny must be an array"],
    ["an impossible blocked_code", { blocked_code: 1000 }, "blocked_code must be an HTTP status code"],
    ["an invalid deny regex", { deny: ["(unclosed"] }, "invalid regular expression in deny"],
  ] as const).map(([name, config, message]) => ({ name, config, message })),
};
