// key-auth on the emulator, both targets: the consumer model's truth table and the attacks from
// envoy.test.ts, in milliseconds.
import { describe, it, expect } from "vitest";
import { pluginWasm } from "../../../harness/src/index.js";
import { Emulator } from "../../../harness/src/emulator/index.js";

const NO_KEY = "Request denied by Key Auth check. No Key Authentication information found.";
const MULTI = "Request denied by Key Auth check. Multi Key Authentication information found.";
const UNAUTHORIZED = "Request denied by Key Auth check. Unauthorized consumer.";
const consumers = [
  { name: "alice", credential: "alice-key" },
  { name: "bob", credential: "bob-key" },
  { name: "carol", credential: "c@rol key+/=" },
  { name: "dave", credential: "dävé-key" },
];
/** Header bytes as written (latin1 maps each char to one byte): invalid UTF-8 for the host. */
const bytes = (s: string) => Buffer.from(s, "latin1");

interface Case { name: string; path: string; host?: string; headers?: [string, string | Buffer][]; status: number; message?: string; consumer?: string | null }

function table(title: string, config: unknown, routeNames: string[], cases: Case[]) {
  const routes = [...routeNames.map((r) => ({ name: r, prefix: `/${r}`, cluster: "up" })), { name: "default", prefix: "/", cluster: "up" }];
  for (const target of ["envoy", "higress"] as const) {
    describe(`key-auth on the emulator (${target}): ${title}`, () => {
      it.each(cases)("$name", async (c) => {
        const host = await Emulator.load(pluginWasm("key-auth", target), { target, config, routes, pluginName: "key-auth" });
        const r = await host.request({ path: c.path, authority: c.host, headers: c.headers });
        expect(r.status).toBe(c.status);
        if (c.status === 200) {
          const seen = Object.fromEntries((r.upstream?.headers ?? []).map(([k, v]) => [k, v]));
          if (c.consumer !== undefined) expect(seen["x-mse-consumer"] ?? null).toBe(c.consumer);
          if (c.consumer) expect(Object.keys(seen).filter((k) => k.toLowerCase().replace(/_/g, "-") === "x-mse-consumer")).toEqual(["x-mse-consumer"]);
        } else {
          if (c.message) expect(r.body).toBe(c.message);
          expect(r.header("www-authenticate")).toBe("Key realm=MSE Gateway");
        }
        expect(host.traps).toEqual([]);
        // The credential is never logged.
        for (const [, v] of c.headers ?? []) if (typeof v === "string" && v.length > 3) expect(host.logLines().join("\n")).not.toContain(v);
      });
    });
  }
}

table(
  "global_auth unset, rules, keys in headers",
  { consumers, keys: ["X-API-KEY", "apikey"], in_header: true, in_query: true, _rules_: [{ _match_route_: ["alice-only"], allow: ["alice"] }, { _match_domain_: ["*.team.example.com"], allow: ["alice", "bob"] }] },
  ["alice-only"],
  [
    { name: "a route without a rule passes through", path: "/open", status: 200, consumer: null },
    { name: "route rule: no key → 401", path: "/alice-only", status: 401, message: NO_KEY },
    { name: "route rule: allowed consumer is named upstream", path: "/alice-only", headers: [["X-Api-Key", "alice-key"]], status: 200, consumer: "alice" },
    { name: "known consumer not in allow → 403", path: "/alice-only", headers: [["apikey", "bob-key"]], status: 403, message: UNAUTHORIZED },
    { name: "keys in two headers → 401 multi", path: "/alice-only", headers: [["x-api-key", "alice-key"], ["apikey", "bob-key"]], status: 401, message: MULTI },
    { name: "the same header twice → 401 multi", path: "/alice-only", headers: [["x-api-key", "bob-key"], ["x-api-key", "alice-key"]], status: 401, message: MULTI },
    { name: "in_header wins: the query is not consulted", path: "/alice-only?apikey=alice-key", status: 401, message: NO_KEY },
    { name: "a spoofed X-Mse-Consumer is replaced", path: "/alice-only", headers: [["x-mse-consumer", "bob"], ["x-api-key", "alice-key"]], status: 200, consumer: "alice" },
    { name: "a spoofed x_mse_consumer (underscore) does not reach the upstream", path: "/alice-only", headers: [["x_mse_consumer", "bob"], ["X_Mse-Consumer", "bob"], ["x-api-key", "alice-key"]], status: 200, consumer: "alice" },
    { name: "the key followed by an invalid byte (\\xff) is not the key", path: "/alice-only", headers: [["x-api-key", bytes("alice-key\xff")]], status: 403, message: UNAUTHORIZED },
    { name: "an overlong UTF-8 'a' (\\xc1\\xa1) is not 'a'", path: "/alice-only", headers: [["x-api-key", bytes("\xc1\xa1lice-key")]], status: 403, message: UNAUTHORIZED },
    { name: "domain rule: bob allowed there", path: "/d", host: "api.team.example.com", headers: [["apikey", "bob-key"]], status: 200, consumer: "bob" },
    { name: "domain rule: carol is not", path: "/d", host: "api.team.example.com", headers: [["apikey", "c@rol key+/="]], status: 403, message: UNAUTHORIZED },
  ],
);

table(
  "global_auth true, keys in the query",
  { global_auth: true, consumers, keys: ["apikey", "x-api-key"], in_query: true, in_header: false, _rules_: [{ _match_route_: ["bob-only"], allow: ["bob"] }] },
  ["bob-only"],
  [
    { name: "no key anywhere → 401", path: "/x", status: 401, message: NO_KEY },
    { name: "any consumer passes where no rule applies", path: "/x?apikey=alice-key", status: 200, consumer: "alice" },
    { name: "two query keys → 401 multi", path: "/x?apikey=alice-key&apikey=bob-key", status: 401, message: MULTI },
    { name: "a URL-encoded value is decoded", path: "/x?apikey=c%40rol%20key%2B%2F%3D", status: 200, consumer: "carol" },
    { name: "a malformed escape is skipped", path: "/x?apikey=%zz", status: 401, message: NO_KEY },
    { name: "a percent-encoded invalid byte after the key is not the key", path: "/x?apikey=alice-key%FF", status: 403, message: UNAUTHORIZED },
    { name: "a percent-encoded overlong 'a' is not 'a'", path: "/x?apikey=%C1%A1lice-key", status: 403, message: UNAUTHORIZED },
    { name: "a percent-encoded UTF-8 key matches", path: "/x?apikey=d%C3%A4v%C3%A9-key", status: 200, consumer: "dave" },
    { name: "route rule: authenticated but not allowed → 403", path: "/bob-only?apikey=alice-key", status: 403, message: UNAUTHORIZED },
  ],
);

for (const target of ["envoy", "higress"] as const) {
  describe(`key-auth bad configurations (${target})`, () => {
    const base = { consumers, keys: ["x-api-key"], in_header: true };
    for (const [name, bad, why] of [
      ["duplicate credentials", { ...base, consumers: [...consumers, { name: "eve", credential: "bob-key" }] }, "duplicate consumer credential"],
      ["neither in_query nor in_header", { consumers, keys: ["x-api-key"] }, "must one of in_query/in_header required"],
      ["a rule without allow", { ...base, _rules_: [{ _match_route_: ["r"] }] }, "rule 0: allow is required"],
    ] as const) {
      it(`refuses to start: ${name}`, async () => {
        const host = await Emulator.load(pluginWasm("key-auth", target), { target, config: bad, allowStartFailure: true });
        expect(host.started).toBe(false);
        expect(host.logLines().join("\n")).toContain(why);
        expect(host.traps).toEqual([]);
      });
    }
  });
}
