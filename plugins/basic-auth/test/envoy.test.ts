// basic-auth in a real Envoy: the consumer model's truth table, exact statuses/messages/realm,
// and malformed or hostile Authorization headers.
import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { Envoy, pluginWasm, http } from "../../../harness/src/index.js";
import { useRecordingUpstream, usePluginEnvoy } from "../../../harness/src/vitest.js";
import { runConsumerCases, type ConsumerCase } from "../../../harness/src/case-table.js";

const upstream = useRecordingUpstream();

const NO_AUTH = "Request denied by Basic Auth check. No Basic Authentication information found.";
const BAD = "Request denied by Basic Auth check. Invalid username and/or password.";
const UNAUTHORIZED = "Request denied by Basic Auth check. Unauthorized consumer.";

const consumers = [
  { name: "alice", credential: "alice:wonderland" },
  { name: "bob", credential: "bob:builder" },
  { name: "carol", credential: "carol:p@ss wörd!" },
];
const basic = (s: string): [string, string] => ["authorization", "Basic " + Buffer.from(s, "utf8").toString("base64")];
/** Bytes as written (latin1 maps each char to one byte): invalid UTF-8 on the wire. */
const bytes = (s: string) => Buffer.from(s, "latin1");
const basicBytes = (b: Buffer): [string, string] => ["authorization", "Basic " + b.toString("base64")];

function startEnvoy(config: unknown, routes: string[]) {
  return usePluginEnvoy("basic-auth", config, routes, upstream);
}

function runCases(gw: { url: string }, cases: ConsumerCase[]) {
  runConsumerCases(gw, "Basic", cases);
}

describe("global_auth unset, rules exist", () => {
  const gw = startEnvoy(
    { consumers, _rules_: [{ _match_route_: ["alice-only"], allow: ["alice"] }, { _match_domain_: ["*.team.example.com"], allow: ["alice", "bob"] }] },
    ["alice-only"],
  );
  runCases(gw, [
    { name: "a route without a rule passes through", path: "/open", status: 200, consumer: null },
    { name: "no Authorization → 401", path: "/alice-only", status: 401, message: NO_AUTH },
    { name: "right user and password → 200 and X-Mse-Consumer", path: "/alice-only", headers: [basic("alice:wonderland")], status: 200, consumer: "alice" },
    { name: "the header name's case does not matter", path: "/alice-only", headers: [["AUTHORIZATION", basic("alice:wonderland")[1]]], status: 200, consumer: "alice" },
    { name: "wrong password → 401", path: "/alice-only", headers: [basic("alice:Wonderland")], status: 401, message: BAD },
    { name: "unknown user → 401", path: "/alice-only", headers: [basic("mallory:wonderland")], status: 401, message: BAD },
    { name: "another consumer's password → 401", path: "/alice-only", headers: [basic("alice:builder")], status: 401, message: BAD },
    { name: "valid consumer not in allow → 403", path: "/alice-only", headers: [basic("bob:builder")], status: 403, message: UNAUTHORIZED },
    { name: "not base64 → 401", path: "/alice-only", headers: [["authorization", "Basic !!!!"]], status: 401, message: BAD },
    { name: "unpadded base64 → 401 (Go's StdEncoding)", path: "/alice-only", headers: [["authorization", "Basic YWxpY2U6d29uZGVybGFuZA"]], status: 401, message: BAD },
    { name: "no colon in the credential → 401", path: "/alice-only", headers: [basic("alicewonderland")], status: 401, message: BAD },
    { name: "an extra ':part' → 401", path: "/alice-only", headers: [basic("alice:wonderland:x")], status: 401, message: BAD },
    { name: "'Basic ' with nothing after it (Envoy trims the space) → 401 no auth data", path: "/alice-only", headers: [["authorization", "Basic "]], status: 401, message: NO_AUTH },
    { name: "another scheme → 401 no auth data", path: "/alice-only", headers: [["authorization", "Bearer abc"]], status: 401, message: NO_AUTH },
    { name: "lower-case 'basic' is not the Basic scheme (as Higress)", path: "/alice-only", headers: [["authorization", "basic " + basic("alice:wonderland")[1].slice(6)]], status: 401, message: NO_AUTH },
    { name: "two Authorization headers → 401 (no first-wins)", path: "/alice-only", headers: [basic("alice:wonderland"), basic("alice:wonderland")], status: 401, message: BAD },
    { name: "a spoofed X-Mse-Consumer is replaced", path: "/alice-only", headers: [["x-mse-consumer", "admin"], basic("alice:wonderland")], status: 200, consumer: "alice" },
    { name: "a spoofed x_mse_consumer (underscore) does not reach the upstream", path: "/alice-only", headers: [["x_mse_consumer", "admin"], ["X_Mse-Consumer", "admin"], basic("alice:wonderland")], status: 200, consumer: "alice" },
    { name: "user:password followed by an invalid byte (\\xff) inside the base64 → 401", path: "/alice-only", headers: [basicBytes(bytes("alice:wonderland\xff"))], status: 401, message: BAD },
    { name: "an overlong 'a' (\\xc1\\xa1) inside the base64 → 401", path: "/alice-only", headers: [basicBytes(bytes("\xc1\xa1lice:wonderland"))], status: 401, message: BAD },
    { name: "the header value followed by an invalid byte (\\xff) → 401", path: "/alice-only", headers: [["authorization", Buffer.concat([Buffer.from(basic("alice:wonderland")[1]), bytes("\xff")])]], status: 401, message: BAD },
    { name: "an overlong 'Y' (\\xc1\\x99) in the base64 text → 401", path: "/alice-only", headers: [["authorization", Buffer.concat([Buffer.from("Basic "), bytes("\xc1\x99"), Buffer.from(basic("alice:wonderland")[1].slice(7))])]], status: 401, message: BAD },
    { name: "domain rule: bob allowed", path: "/d", host: "x.team.example.com", headers: [basic("bob:builder")], status: 200, consumer: "bob" },
    { name: "domain rule: carol not allowed → 403", path: "/d", host: "x.team.example.com", headers: [basic("carol:p@ss wörd!")], status: 403, message: UNAUTHORIZED },
  ]);

  it("never logs the password", async () => {
    await http(gw.url + "/alice-only", { headers: [basic("alice:hunter2-guess")] });
    await gw.envoy.settleLog();
    expect(gw.envoy.log).not.toContain("hunter2-guess");
  });

  it("random Authorization values never trap the VM", async () => {
    const printable = fc.array(fc.integer({ min: 0x20, max: 0x7e }), { maxLength: 120 }).map((a) => String.fromCharCode(...a));
    const payload = fc.oneof(
      printable,
      fc.uint8Array({ maxLength: 64 }).map((b) => "Basic " + Buffer.from(b).toString("base64")),
      fc.tuple(printable, printable).map(([u, p]) => "Basic " + Buffer.from(`${u}:${p}`, "utf8").toString("base64")),
      printable.map((s) => "Basic " + s),
    );
    await fc.assert(
      fc.asyncProperty(payload, async (a) => {
        const r = await http(gw.url + "/alice-only", { headers: [["authorization", a]] });
        expect([401, 403]).toContain(r.status);
      }),
      { numRuns: 150 },
    );
    expect((await http(gw.url + "/alice-only", { headers: [basic("alice:wonderland")] })).status).toBe(200);
    await gw.envoy.settleLog();
    expect(gw.envoy.log).not.toMatch(/sluice: abort|wasm trap|RuntimeError/);
  });
});

describe("global_auth true", () => {
  const gw = startEnvoy({ global_auth: true, consumers, _rules_: [{ _match_route_: ["bob-only"], allow: ["bob"] }] }, ["bob-only"]);
  runCases(gw, [
    { name: "no rule: any consumer, UTF-8 password", path: "/x", headers: [basic("carol:p@ss wörd!")], status: 200, consumer: "carol" },
    { name: "no rule: still needs credentials", path: "/x", status: 401, message: NO_AUTH },
    { name: "route rule: bob passes", path: "/bob-only", headers: [basic("bob:builder")], status: 200, consumer: "bob" },
    { name: "route rule: alice → 403", path: "/bob-only", headers: [basic("alice:wonderland")], status: 403, message: UNAUTHORIZED },
  ]);
});

describe("global_auth false", () => {
  const gw = startEnvoy({ global_auth: false, consumers, _rules_: [{ _match_route_: ["locked"], allow: ["alice"] }] }, ["locked"]);
  runCases(gw, [
    { name: "no rule → pass through even with bad credentials", path: "/free", headers: [["authorization", "Basic !!!!"]], status: 200, consumer: null },
    { name: "rule → alice passes", path: "/locked", headers: [basic("alice:wonderland")], status: 200, consumer: "alice" },
    { name: "rule → no credentials → 401", path: "/locked", status: 401, message: NO_AUTH },
  ]);
});

describe("basic-auth with a bad configuration", () => {
  for (const [name, bad, why] of [
    ["no consumers", {}, "consumers is required"],
    ["empty consumers", { consumers: [] }, "consumers cannot be empty"],
    ["a consumer without a name", { consumers: [{ credential: "a:b" }] }, "consumer name is required"],
    ["a consumer without a credential", { consumers: [{ name: "a" }] }, "consumer credential is required"],
    ["duplicate credentials", { consumers: [...consumers, { name: "eve", credential: "bob:builder" }] }, "duplicate consumer credential"],
    ["a credential without ':'", { consumers: [{ name: "a", credential: "ab" }] }, "invalid credential format"],
    ["a credential with two ':'", { consumers: [{ name: "a", credential: "a:b:c" }] }, "invalid credential format"],
    ["a secret template", { consumers: [{ name: "a", credential: "${secret.ns/s.key}:x" }] }, "not supported"],
    ["global_auth not a boolean", { consumers, global_auth: 1 }, "global_auth must be a boolean"],
    ["a rule without allow", { consumers, _rules_: [{ _match_domain_: ["a.com"] }] }, "rule 0: allow is required"],
  ] as const) {
    it(`refuses to start: ${name}`, async () => {
      let log = "";
      await expect(
        Envoy.start(
          { plugins: [{ name: "basic-auth", wasm: pluginWasm("basic-auth"), config: bad }], routes: [{ name: "r", cluster: "up" }], clusters: [{ name: "up", port: upstream.port }] },
          { allowStartFailure: true },
        ).catch((e) => {
          log = (e as { envoyLog?: string }).envoyLog ?? "";
          throw e;
        }),
      ).rejects.toThrow(/did not start/);
      expect(log).toContain("plugin start failed");
      expect(log).toContain(why);
      expect(log).not.toMatch(/sluice: abort/);
    });
  }
});
