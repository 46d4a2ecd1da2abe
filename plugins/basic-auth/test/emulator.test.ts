// basic-auth on the emulator, both targets: statuses, messages, realm and hostile headers.
import { describe, it, expect } from "vitest";
import { pluginWasm } from "../../../harness/src/index.js";
import { Emulator } from "../../../harness/src/emulator/index.js";

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

interface Case { name: string; path: string; host?: string; headers?: [string, string | Buffer][]; status: number; message?: string; consumer?: string | null }

const config = { consumers, _rules_: [{ _match_route_: ["alice-only"], allow: ["alice"] }, { _match_domain_: ["*.team.example.com"], allow: ["alice", "bob"] }] };
const routes = [{ name: "alice-only", prefix: "/alice-only", cluster: "up" }, { name: "default", prefix: "/", cluster: "up" }];
const cases: Case[] = [
  { name: "a route without a rule passes through", path: "/open", status: 200, consumer: null },
  { name: "no Authorization → 401", path: "/alice-only", status: 401, message: NO_AUTH },
  { name: "right user and password → 200 and X-Mse-Consumer", path: "/alice-only", headers: [basic("alice:wonderland")], status: 200, consumer: "alice" },
  { name: "wrong password → 401", path: "/alice-only", headers: [basic("alice:Wonderland")], status: 401, message: BAD },
  { name: "valid consumer not in allow → 403", path: "/alice-only", headers: [basic("bob:builder")], status: 403, message: UNAUTHORIZED },
  { name: "not base64 → 401", path: "/alice-only", headers: [["authorization", "Basic !!!!"]], status: 401, message: BAD },
  { name: "an extra ':part' → 401", path: "/alice-only", headers: [basic("alice:wonderland:x")], status: 401, message: BAD },
  { name: "'Basic ' with nothing after it (the codec trims) → no auth data", path: "/alice-only", headers: [["authorization", "Basic "]], status: 401, message: NO_AUTH },
  { name: "two Authorization headers (folded by Envoy) → 401", path: "/alice-only", headers: [basic("alice:wonderland"), basic("alice:wonderland")], status: 401, message: BAD },
  { name: "a spoofed X-Mse-Consumer is replaced", path: "/alice-only", headers: [["x-mse-consumer", "admin"], basic("alice:wonderland")], status: 200, consumer: "alice" },
  { name: "a spoofed x_mse_consumer (underscore) does not reach the upstream", path: "/alice-only", headers: [["x_mse_consumer", "admin"], ["X_Mse-Consumer", "admin"], basic("alice:wonderland")], status: 200, consumer: "alice" },
  { name: "user:password followed by an invalid byte (\\xff) inside the base64 → 401", path: "/alice-only", headers: [basicBytes(bytes("alice:wonderland\xff"))], status: 401, message: BAD },
  { name: "an overlong 'a' (\\xc1\\xa1) inside the base64 → 401", path: "/alice-only", headers: [basicBytes(bytes("\xc1\xa1lice:wonderland"))], status: 401, message: BAD },
  { name: "the header value followed by an invalid byte (\\xff) → 401", path: "/alice-only", headers: [["authorization", Buffer.concat([Buffer.from(basic("alice:wonderland")[1]), bytes("\xff")])]], status: 401, message: BAD },
  { name: "an overlong 'Y' (\\xc1\\x99) in the base64 text → 401", path: "/alice-only", headers: [["authorization", Buffer.concat([Buffer.from("Basic "), bytes("\xc1\x99"), Buffer.from(basic("alice:wonderland")[1].slice(7))])]], status: 401, message: BAD },
  { name: "domain rule: bob allowed", path: "/d", host: "x.team.example.com", headers: [basic("bob:builder")], status: 200, consumer: "bob" },
  { name: "domain rule: carol (UTF-8 password) not allowed → 403", path: "/d", host: "x.team.example.com", headers: [basic("carol:p@ss wörd!")], status: 403, message: UNAUTHORIZED },
];

for (const target of ["envoy", "higress"] as const) {
  describe(`basic-auth on the emulator (${target})`, () => {
    it.each(cases)("$name", async (c) => {
      const host = await Emulator.load(pluginWasm("basic-auth", target), { target, config, routes, pluginName: "basic-auth" });
      const r = await host.request({ path: c.path, authority: c.host, headers: c.headers });
      expect(r.status).toBe(c.status);
      if (c.status === 200) {
        const seen = Object.fromEntries(r.upstream?.headers ?? []);
        if (c.consumer !== undefined) expect(seen["x-mse-consumer"] ?? null).toBe(c.consumer);
        if (c.consumer) expect(Object.keys(seen).filter((k) => k.toLowerCase().replace(/_/g, "-") === "x-mse-consumer")).toEqual(["x-mse-consumer"]);
      } else {
        if (c.message) expect(r.body).toBe(c.message);
        expect(r.header("www-authenticate")).toBe("Basic realm=MSE Gateway");
      }
      expect(host.traps).toEqual([]);
      expect(host.logLines().join("\n")).not.toContain("wonderland");
    });
  });
}
