// The case table of cache-control: suffix matching on the path without its query (case-sensitive,
// after a '.'), `expires` in seconds (Expires = now + n as an IMF-fixdate, `Cache-Control:
// maxAge=<n>`), `max` and `epoch` with Higress's fixed values, headers added next to an upstream's
// own, and bad configurations. Every row runs on a real Envoy and on the emulator (both targets)
// through harness/src/plugin-table.ts.
import { expect } from "vitest";
import type { Group, Observed, PluginTable, Row } from "../../../harness/src/plugin-table.js";

/** Expires is `seconds` from now (a bound around the check's own clock, not a measured delay). */
const expiresIn = (seconds: number) => (o: Observed) => {
  const v = o.headers["expires"];
  expect(v, "Expires").toBeDefined();
  // An IMF-fixdate exactly as Go's http.TimeFormat writes it (weekday and padding included).
  expect(new Date(Date.parse(v)).toUTCString()).toBe(v);
  const at = Date.parse(v) / 1000, now = Math.floor(Date.now() / 1000);
  expect(at, `Expires ${v}`).toBeLessThanOrEqual(now + seconds);
  expect(at, `Expires ${v}`).toBeGreaterThanOrEqual(now + seconds - 120);
};
const hit = (name: string, path: string, seconds: number, extra: Partial<Row["expect"]> = {}): Row => ({
  name,
  request: { path },
  expect: { status: 200, reachesUpstream: true, headers: { "cache-control": `maxAge=${seconds}` }, check: expiresIn(seconds), ...extra },
});
const miss = (name: string, path: string): Row => ({ name, request: { path }, expect: { status: 200, reachesUpstream: true, headers: { expires: null, "cache-control": null } } });

const groups: Group[] = [
  {
    name: "suffix jpg|png|jpeg, expires 3600 (Higress's README example)",
    config: { suffix: "jpg|png|jpeg", expires: 3600 },
    rows: [
      hit("a .png path", "/img/a.png", 3600),
      hit("a .jpg path with a query", "/img/a.jpg?size=2", 3600),
      hit("a .jpeg path", "/img/photo.jpeg", 3600),
      miss("a .gif path", "/img/a.gif"),
      miss("suffixes are case-sensitive (.PNG)", "/img/a.PNG"),
      miss("the suffix must follow a '.' (/img/png)", "/img/png"),
      miss(".png inside the path, not at its end", "/img/a.png/view"),
      miss(".png only in the query", "/img/view?file=a.png"),
      {
        name: "added next to the upstream's own Cache-Control (not replacing it)",
        request: { path: "/img/own.png", answer: { headers: { "cache-control": "private" }, body: "png" } },
        expect: { status: 200, body: "png", headers: { "cache-control": "private,maxAge=3600" }, check: expiresIn(3600) },
      },
      { name: "an error response is marked too", request: { path: "/status/404/x.png" }, expect: { status: 404, headers: { "cache-control": "maxAge=3600" }, check: expiresIn(3600) } },
    ],
  },
  {
    name: "expires max, every path",
    config: { expires: "max" },
    rows: [
      { name: "Higress's fixed 2037 date and maxAge=315360000", request: { path: "/anything" }, expect: { status: 200, headers: { expires: "Thu, 31 Dec 2037 23:55:55 GMT", "cache-control": "maxAge=315360000" } } },
      { name: "a path without a suffix", request: { path: "/" }, expect: { status: 200, headers: { expires: "Thu, 31 Dec 2037 23:55:55 GMT" } } },
    ],
  },
  {
    name: "expires epoch",
    config: { suffix: "html", expires: "epoch" },
    rows: [
      { name: "the 1970 date and no-cache", request: { path: "/index.html" }, expect: { status: 200, headers: { expires: "Thu, 01 Jan 1970 00:00:01 GMT", "cache-control": "no-cache" } } },
      miss("another suffix", "/index.htm"),
    ],
  },
  {
    name: "expires as a string of seconds, 0 and the largest",
    config: { _rules_: [{ _match_route_: ["zero"], expires: "0" }, { _match_route_: ["far"], expires: 9223372036 }] },
    routes: ["zero", "far"],
    rows: [
      hit("\"0\": expires now, maxAge=0", "/zero/a", 0),
      hit("9223372036 seconds: a date in the 2300s, written in full", "/far/a", 9223372036),
      miss("no rule for this route", "/other.png"),
    ],
  },
];

export const table: PluginTable = {
  plugin: "cache-control",
  groups,
  badConfigs: ([
    ["no expires", { suffix: "png" }, "expires is required"],
    ["expires with a unit", { expires: "1h" }, "expires must be seconds (0 to 9223372036), \"max\" or \"epoch\", not \"1h\""],
    ["negative expires", { expires: -1 }, "expires must be seconds"],
    ["fractional expires", { expires: 1.5 }, "not 1.5"],
    ["expires past Go's duration range", { expires: "9223372037" }, "not \"9223372037\""],
    ["expires a boolean", { expires: true }, "not true"],
    ["expires in capitals (MAX)", { expires: "MAX" }, "not \"MAX\""],
    ["suffix as a list", { suffix: ["png"], expires: 60 }, "suffix must be a string"],
  ] as const).map(([name, config, message]) => ({ name, config, message })),
};
