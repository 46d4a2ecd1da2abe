// hmac-auth-apisix on the emulator, both targets. Signatures are made with node:crypto the way
// APISIX clients make them; the emulator's clock (frozen at load, moved by advance()) makes the
// clock-skew rules testable without waiting.
import { describe, it, expect } from "vitest";
import { createHash, createHmac } from "node:crypto";
import { pluginWasm } from "../../../harness/src/index.js";
import { Emulator } from "../../../harness/src/emulator/index.js";

const consumers = [
  { name: "alice", access_key: "ak-alice", secret_key: "sk-alice" },
  { name: "bob", access_key: "ak-bob", secret_key: "sk-bob" },
  { access_key: "ak-noname", secret_key: "sk-noname" },
];
const secrets: Record<string, string> = { "ak-alice": "sk-alice", "ak-bob": "sk-bob", "ak-noname": "sk-noname" };

interface SignOpts { keyId?: string; secret?: string; algorithm?: string; method?: string; path: string; signed?: string[]; values?: Record<string, string> }

function sign(o: SignOpts): string {
  const keyId = o.keyId ?? "ak-alice";
  const alg = o.algorithm ?? "hmac-sha256";
  const signed = o.signed ?? ["@request-target", "date"];
  const lines = [keyId];
  for (const h of signed) {
    if (h === "@request-target") lines.push(`${o.method ?? "GET"} ${o.path}`);
    else if (o.values?.[h] !== undefined) lines.push(`${h}: ${o.values[h]}`);
  }
  const sig = createHmac(alg.replace("hmac-", ""), o.secret ?? secrets[keyId] ?? "x").update(lines.join("\n") + "\n").digest("base64");
  return `Signature keyId="${keyId}",algorithm="${alg}",headers="${signed.join(" ")}",signature="${sig}"`;
}

const httpDate = (offsetSeconds = 0) => new Date(Date.now() + offsetSeconds * 1000).toUTCString();
const digestOf = (body: string) => "SHA-256=" + createHash("sha256").update(body).digest("base64");
const withDigest = ["@request-target", "date", "digest"];
/** Bytes as written (latin1 maps each char to one byte): invalid UTF-8 for the host. */
const bytes = (s: string) => Buffer.from(s, "latin1");
type Req = ReturnType<typeof signedReq>;
type RawReq = Omit<Req, "headers"> & { headers: [string, string | Buffer][]; chunks?: number };
/** `q` with the value of header `name` replaced by raw bytes. */
const setBytes = (q: Req, name: string, value: (old: Buffer) => Buffer): RawReq => ({ ...q, headers: q.headers.map(([k, v]): [string, string | Buffer] => [k, k === name ? value(Buffer.from(v)) : v]) });
const appendBytes = (q: Req, name: string, tail: Buffer) => setBytes(q, name, (old) => Buffer.concat([old, tail]));
const err = (reason: string) => JSON.stringify({ message: `client request can't be validated: ${reason}` });

function signedReq(path: string, o: Partial<SignOpts> & { date?: string; extra?: [string, string][]; method?: string; body?: string } = {}) {
  const date = o.date ?? httpDate();
  const auth = sign({ path, ...o, values: { date, ...(o.values ?? {}) } });
  return { path, method: o.method, body: o.body, headers: [["date", date], ["authorization", auth], ...(o.extra ?? [])] as [string, string][] };
}

const config = {
  consumers,
  global_auth: true,
  signed_headers: ["@request-target", "date"],
  validate_request_body: true,
  hide_credentials: true,
  _rules_: [{ _match_route_: ["bob-only"], allow: ["bob"] }],
};
const routes = [{ name: "bob-only", prefix: "/bob-only", cluster: "up" }, { name: "default", prefix: "/", cluster: "up" }];

interface Case { name: string; req: () => Req | RawReq; status: number; reason?: string; consumer?: string | null }
const cases: Case[] = [
  { name: "valid hmac-sha256 signature", req: () => signedReq("/a?x=1"), status: 200, consumer: "alice" },
  { name: "valid hmac-sha512 signature", req: () => signedReq("/a", { algorithm: "hmac-sha512" }), status: 200, consumer: "alice" },
  { name: "a consumer without a name is named by its access key", req: () => signedReq("/a", { keyId: "ak-noname" }), status: 200, consumer: "ak-noname" },
  { name: "a tampered custom header", req: () => signedReq("/a", { signed: ["@request-target", "date", "x-custom"], values: { "x-custom": "v1" }, extra: [["x-custom", "v2"]] }), status: 401, reason: "Invalid signature" },
  { name: "no Authorization", req: () => ({ path: "/a", method: undefined, body: undefined, headers: [["date", httpDate()]] }), status: 401, reason: "missing Authorization header" },
  { name: "unknown keyId", req: () => signedReq("/a", { keyId: "ak-mallory", secret: "guess" }), status: 401, reason: "Invalid keyId" },
  { name: "wrong secret", req: () => signedReq("/a", { secret: "sk-bob" }), status: 401, reason: "Invalid signature" },
  { name: "tampered query", req: () => ({ ...signedReq("/a?amount=1"), path: "/a?amount=1000" }), status: 401, reason: "Invalid signature" },
  { name: "replay: a signature 10 minutes old", req: () => signedReq("/a", { date: httpDate(-600) }), status: 401, reason: "Clock skew exceeded" },
  { name: "two Authorization headers (Envoy folds them)", req: () => { const q = signedReq("/a"); return { ...q, headers: [...q.headers, ["authorization", q.headers[1][1]]] as [string, string][] }; }, status: 401, reason: "multiple Authorization headers" },
  { name: "body with the right Digest (signed)", req: () => { const body = '{"pay":1}'; return signedReq("/a", { method: "POST", body, signed: withDigest, values: { digest: digestOf(body) }, extra: [["digest", digestOf(body)]] }); }, status: 200 },
  { name: "body in 3 chunks with the right Digest (signed)", req: () => { const body = '{"pay":1,"pad":"' + "x".repeat(300) + '"}'; return { ...signedReq("/a", { method: "POST", body, signed: withDigest, values: { digest: digestOf(body) }, extra: [["digest", digestOf(body)]] }), chunks: 3 }; }, status: 200 },
  { name: "body with a wrong Digest (signed)", req: () => signedReq("/a", { method: "POST", body: '{"pay":1000}', signed: withDigest, values: { digest: digestOf('{"pay":1}') }, extra: [["digest", digestOf('{"pay":1}')]] }), status: 401, reason: "Invalid digest" },
  { name: "attack: body replaced and Digest recomputed, digest not signed → refused", req: () => signedReq("/a", { method: "POST", body: '{"pay":1000}', extra: [["digest", digestOf('{"pay":1000}')]] }), status: 401, reason: 'expected header "digest" missing in signing' },
  { name: "a signed Digest followed by an invalid byte (\\xff) → refused", req: () => { const body = '{"pay":1}'; return appendBytes(signedReq("/a", { method: "POST", body, signed: withDigest, values: { digest: digestOf(body) }, extra: [["digest", digestOf(body)]] }), "digest", bytes("\xff")); }, status: 401, reason: "Invalid signature" },
  { name: "a signed custom header followed by an invalid byte (\\xff) → Invalid signature", req: () => appendBytes(signedReq("/a", { signed: ["@request-target", "date", "x-custom"], values: { "x-custom": "v1" }, extra: [["x-custom", "v1"]] }), "x-custom", bytes("\xff")), status: 401, reason: "Invalid signature" },
  { name: "a signed custom header with an overlong 'v' (\\xc1\\xb6) → Invalid signature", req: () => setBytes(signedReq("/a", { signed: ["@request-target", "date", "x-custom"], values: { "x-custom": "v1" }, extra: [["x-custom", "v1"]] }), "x-custom", () => bytes("\xc1\xb61")), status: 401, reason: "Invalid signature" },
  { name: "a signed custom header with a UTF-8 value passes", req: () => setBytes(signedReq("/a", { signed: ["@request-target", "date", "x-custom"], values: { "x-custom": "wörd" }, extra: [["x-custom", "?"]] }), "x-custom", () => Buffer.from("wörd", "utf8")), status: 200, consumer: "alice" },
  { name: "a signed Date followed by an invalid byte → Invalid GMT format time", req: () => appendBytes(signedReq("/a"), "date", bytes("\xff")), status: 401, reason: "Invalid GMT format time" },
  { name: "an Authorization header followed by an invalid byte → refused", req: () => appendBytes(signedReq("/a"), "authorization", bytes("\xff")), status: 401, reason: "Authorization header is not valid UTF-8" },
  { name: "a spoofed x_mse_consumer (underscore) does not reach the upstream", req: () => signedReq("/a", { extra: [["x_mse_consumer", "bob"], ["X-Mse_Consumer", "bob"]] }), status: 200, consumer: "alice" },
  { name: "route rule: alice verified but not allowed", req: () => signedReq("/bob-only"), status: 401, reason: "consumer 'alice' is not allowed" },
];

for (const target of ["envoy", "higress"] as const) {
  describe(`hmac-auth-apisix on the emulator (${target})`, () => {
    const load = () => Emulator.load(pluginWasm("hmac-auth-apisix", target), { target, config, routes, pluginName: "hmac-auth-apisix" });

    it.each(cases)("$name", async (c) => {
      const host = await load();
      const q = c.req() as RawReq;
      const r = await host.request({ path: q.path, method: q.method, headers: q.headers, body: q.body, chunks: q.chunks });
      expect(`${r.status} ${r.status === 200 ? "" : r.body}`).toBe(`${c.status} ${c.status === 200 ? "" : err(c.reason!)}`);
      if (c.status === 200) {
        const seen = Object.fromEntries(r.upstream?.headers ?? []);
        if (c.consumer !== undefined) expect(seen["x-mse-consumer"] ?? null).toBe(c.consumer);
        if (c.consumer) expect(Object.keys(seen).filter((k) => k.toLowerCase().replace(/_/g, "-") === "x-mse-consumer")).toEqual(["x-mse-consumer"]);
        expect(seen.authorization).toBeUndefined(); // hide_credentials
        if (q.body) expect(r.upstream?.body.toString()).toBe(q.body);
      }
      expect(host.traps).toEqual([]);
    });

    it("a signature that was fine becomes a replay once the host clock moves 10 minutes on", async () => {
      const host = await load();
      const q = signedReq("/later");
      expect((await host.request({ path: q.path, headers: q.headers })).status).toBe(200);
      host.advance(10 * 60 * 1000);
      const r = await host.request({ path: q.path, headers: q.headers });
      expect(r.body).toBe(err("Clock skew exceeded"));
    });
  });
}
