// hmac-auth-apisix in a real Envoy: signatures made on Node (node:crypto) the way APISIX
// clients make them, and every way to get one wrong — tampering, wrong key/algorithm, stale or
// future Date (replays outside the clock skew), missing signed headers, body digests.
import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { createHash, createHmac } from "node:crypto";
import { Envoy, pluginWasm, http } from "../../../harness/src/index.js";
import { useRecordingUpstream, usePluginEnvoy } from "../../../harness/src/vitest.js";
import { rawHttp } from "../../../harness/src/raw-http.js";

const upstream = useRecordingUpstream();

const consumers = [
  { name: "alice", access_key: "ak-alice", secret_key: "sk-alice" },
  { name: "bob", access_key: "ak-bob", secret_key: "sk-bob" },
  { access_key: "ak-noname", secret_key: "sk-noname" },
];
const secrets: Record<string, string> = { "ak-alice": "sk-alice", "ak-bob": "sk-bob", "ak-noname": "sk-noname" };

interface SignOpts {
  keyId?: string;
  secret?: string;
  algorithm?: string;
  method?: string;
  path: string;
  /** Names in the `headers` field, in order. */
  signed?: string[];
  /** Header values used for signing (default: the request's own). */
  values?: Record<string, string>;
}

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
/** Bytes as written (latin1 maps each char to one byte): invalid UTF-8 on the wire. */
const bytes = (s: string) => Buffer.from(s, "latin1");
type Req = { path: string; method?: string; body?: string; headers: [string, string | Buffer][] };
/** `q` with the value of header `name` replaced by raw bytes. */
const setBytes = (q: Req, name: string, value: (old: Buffer) => Buffer): Req => ({ ...q, headers: q.headers.map(([k, v]): [string, string | Buffer] => [k, k === name ? value(Buffer.from(v)) : v]) });
/** `q` with the value of header `name` followed by `tail`. */
const appendBytes = (q: Req, name: string, tail: Buffer) => setBytes(q, name, (old) => Buffer.concat([old, tail]));
const err = (reason: string) => ({ message: `client request can't be validated: ${reason}` });

interface Case {
  name: string;
  /** Builds the request at run time (the Date header must be fresh). */
  /** A Buffer header value goes on the wire byte for byte (raw socket). */
  req: () => { path: string; method?: string; headers: [string, string | Buffer][]; body?: string };
  status: number;
  reason?: string;
  consumer?: string | null;
}

/** A correctly signed request, with overrides. */
function signedReq(path: string, o: Partial<SignOpts> & { date?: string; extra?: [string, string][]; method?: string; body?: string } = {}) {
  const date = o.date ?? httpDate();
  const values = { date, ...(o.values ?? {}) };
  const auth = sign({ path, ...o, values });
  return { path, method: o.method, body: o.body, headers: [["date", date], ["authorization", auth], ...(o.extra ?? [])] as [string, string][] };
}

const withDigest = ["@request-target", "date", "digest"];

function startEnvoy(config: unknown, routes: string[]) {
  return usePluginEnvoy("hmac-auth-apisix", config, routes, upstream);
}

function runCases(gw: { url: string }, cases: Case[]) {
  it.each(cases)("$name", async (c) => {
    const q = c.req();
    const raw = q.headers.some(([, v]) => typeof v !== "string");
    const r = raw ? await rawHttp(gw.url + q.path, { method: q.method, headers: q.headers, body: q.body }) : await http(gw.url + q.path, { method: q.method, headers: q.headers as [string, string][], body: q.body });
    expect(`${r.status} ${r.status === 200 ? "" : r.body}`).toBe(`${c.status} ${c.status === 200 ? "" : JSON.stringify(err(c.reason!))}`);
    if (c.status === 200) {
      const seen = JSON.parse(r.body);
      expect(seen.path).toBe(q.path);
      if (c.consumer !== undefined) expect(seen.headers["x-mse-consumer"] ?? null).toBe(c.consumer);
      if (c.consumer) expect(Object.keys(seen.headers).filter((k) => k.replace(/_/g, "-") === "x-mse-consumer")).toEqual(["x-mse-consumer"]);
    } else {
      expect(JSON.parse(r.body)).toEqual(err(c.reason!));
      expect(r.headers["www-authenticate"]).toBeUndefined();
    }
  });
}

describe("global_auth true, signed_headers [@request-target, date], body digest, hidden credentials", () => {
  const gw = startEnvoy(
    {
      consumers,
      global_auth: true,
      signed_headers: ["@request-target", "date"],
      validate_request_body: true,
      hide_credentials: true,
      _rules_: [{ _match_route_: ["bob-only"], allow: ["bob"] }],
    },
    ["bob-only"],
  );
  runCases(gw, [
    { name: "valid hmac-sha256 signature", req: () => signedReq("/a?x=1"), status: 200, consumer: "alice" },
    { name: "valid hmac-sha1 signature", req: () => signedReq("/a", { algorithm: "hmac-sha1" }), status: 200, consumer: "alice" },
    { name: "valid hmac-sha512 signature", req: () => signedReq("/a", { algorithm: "hmac-sha512" }), status: 200, consumer: "alice" },
    { name: "a consumer without a name is named by its access key", req: () => signedReq("/a", { keyId: "ak-noname" }), status: 200, consumer: "ak-noname" },
    { name: "a spoofed X-Mse-Consumer is replaced", req: () => signedReq("/a", { extra: [["x-mse-consumer", "bob"]] }), status: 200, consumer: "alice" },
    { name: "an extra signed custom header", req: () => signedReq("/a", { signed: ["@request-target", "date", "x-custom"], values: { "x-custom": "v1" }, extra: [["x-custom", "v1"]] }), status: 200 },
    { name: "a tampered custom header", req: () => signedReq("/a", { signed: ["@request-target", "date", "x-custom"], values: { "x-custom": "v1" }, extra: [["x-custom", "v2"]] }), status: 401, reason: "Invalid signature" },
    { name: "no Authorization", req: () => ({ path: "/a", headers: [["date", httpDate()]] }), status: 401, reason: "missing Authorization header" },
    { name: "another scheme", req: () => ({ path: "/a", headers: [["authorization", "Bearer abc"]] }), status: 401, reason: "Authorization header does not start with 'Signature '" },
    { name: "no signature field", req: () => ({ path: "/a", headers: [["authorization", 'Signature keyId="ak-alice",algorithm="hmac-sha256"']] }), status: 401, reason: "keyId or signature missing" },
    { name: "no algorithm field", req: () => ({ path: "/a", headers: [["authorization", 'Signature keyId="ak-alice",signature="abc"']] }), status: 401, reason: "algorithm missing" },
    { name: "unknown keyId", req: () => signedReq("/a", { keyId: "ak-mallory", secret: "guess" }), status: 401, reason: "Invalid keyId" },
    { name: "algorithm not allowed", req: () => signedReq("/a", { algorithm: "hmac-md5" }), status: 401, reason: "Invalid algorithm" },
    { name: "wrong secret", req: () => signedReq("/a", { secret: "sk-bob" }), status: 401, reason: "Invalid signature" },
    { name: "tampered path", req: () => ({ ...signedReq("/a"), path: "/b" }), status: 401, reason: "Invalid signature" },
    { name: "tampered query", req: () => ({ ...signedReq("/a?amount=1"), path: "/a?amount=1000" }), status: 401, reason: "Invalid signature" },
    { name: "tampered method", req: () => ({ ...signedReq("/a", { method: "GET" }), method: "DELETE" }), status: 401, reason: "Invalid signature" },
    { name: "replay: a signature 10 minutes old", req: () => signedReq("/a", { date: httpDate(-600) }), status: 401, reason: "Clock skew exceeded" },
    { name: "a Date 10 minutes in the future", req: () => signedReq("/a", { date: httpDate(600) }), status: 401, reason: "Clock skew exceeded" },
    { name: "inside the skew (4 minutes old) passes", req: () => signedReq("/a", { date: httpDate(-240) }), status: 200 },
    { name: "a Date that is not an HTTP date", req: () => signedReq("/a", { date: "2026-11-26T10:00:00Z" }), status: 401, reason: "Invalid GMT format time" },
    { name: "no Date header", req: () => ({ path: "/a", headers: [["authorization", sign({ path: "/a" })]] }), status: 401, reason: "Date header missing. failed to validate clock skew" },
    { name: "the signature does not cover date (replayable)", req: () => signedReq("/a", { signed: ["@request-target"] }), status: 401, reason: 'expected header "date" missing in signing' },
    { name: "the signature covers no headers", req: () => signedReq("/a", { signed: [] }), status: 401, reason: "headers missing" },
    { name: "two Authorization headers", req: () => { const q = signedReq("/a"); return { ...q, headers: [...q.headers, ["authorization", q.headers[1][1]]] }; }, status: 401, reason: "multiple Authorization headers" },
    { name: "a second Date header smuggled in", req: () => { const q = signedReq("/a"); return { ...q, headers: [...q.headers, ["date", httpDate(-3600)]] }; }, status: 401, reason: "Invalid signature" },
    { name: "body with the right Digest (signed)", req: () => { const body = '{"pay":1}'; return signedReq("/a", { method: "POST", body, signed: withDigest, values: { digest: digestOf(body) }, extra: [["digest", digestOf(body)]] }); }, status: 200 },
    { name: "body with a wrong Digest (signed)", req: () => signedReq("/a", { method: "POST", body: '{"pay":1000}', signed: withDigest, values: { digest: digestOf('{"pay":1}') }, extra: [["digest", digestOf('{"pay":1}')]] }), status: 401, reason: "Invalid digest" },
    { name: "body without a Digest", req: () => signedReq("/a", { method: "POST", body: "x", signed: withDigest }), status: 401, reason: "Invalid digest" },
    { name: "attack: body replaced and Digest recomputed, digest not signed → refused", req: () => signedReq("/a", { method: "POST", body: '{"pay":1000}', extra: [["digest", digestOf('{"pay":1000}')]] }), status: 401, reason: 'expected header "digest" missing in signing' },
    { name: "a bodyless request need not sign digest", req: () => signedReq("/a", { method: "GET" }), status: 200, consumer: "alice" },
    { name: "a signed Digest followed by an invalid byte (\\xff) → refused", req: () => { const body = '{"pay":1}'; return appendBytes(signedReq("/a", { method: "POST", body, signed: withDigest, values: { digest: digestOf(body) }, extra: [["digest", digestOf(body)]] }), "digest", bytes("\xff")); }, status: 401, reason: "Invalid signature" },
    { name: "a signed custom header followed by an invalid byte (\\xff) → Invalid signature", req: () => appendBytes(signedReq("/a", { signed: ["@request-target", "date", "x-custom"], values: { "x-custom": "v1" }, extra: [["x-custom", "v1"]] }), "x-custom", bytes("\xff")), status: 401, reason: "Invalid signature" },
    { name: "a signed custom header with an overlong 'v' (\\xc1\\xb6) → Invalid signature", req: () => setBytes(signedReq("/a", { signed: ["@request-target", "date", "x-custom"], values: { "x-custom": "v1" }, extra: [["x-custom", "v1"]] }), "x-custom", () => bytes("\xc1\xb61")), status: 401, reason: "Invalid signature" },
    { name: "a signed custom header with a UTF-8 value passes", req: () => setBytes(signedReq("/a", { signed: ["@request-target", "date", "x-custom"], values: { "x-custom": "wörd" }, extra: [["x-custom", "?"]] }), "x-custom", () => Buffer.from("wörd", "utf8")), status: 200, consumer: "alice" },
    { name: "a signed Date followed by an invalid byte → Invalid GMT format time", req: () => appendBytes(signedReq("/a"), "date", bytes("\xff")), status: 401, reason: "Invalid GMT format time" },
    { name: "an Authorization header followed by an invalid byte → refused", req: () => appendBytes(signedReq("/a"), "authorization", bytes("\xff")), status: 401, reason: "Authorization header is not valid UTF-8" },
    { name: "a spoofed x_mse_consumer (underscore) does not reach the upstream", req: () => signedReq("/a", { extra: [["x_mse_consumer", "bob"], ["X-Mse_Consumer", "bob"]] }), status: 200, consumer: "alice" },
    { name: "route rule: bob allowed", req: () => signedReq("/bob-only", { keyId: "ak-bob" }), status: 200, consumer: "bob" },
    { name: "route rule: alice verified but not allowed", req: () => signedReq("/bob-only"), status: 401, reason: "consumer 'alice' is not allowed" },
  ]);

  it("hide_credentials removes Authorization before the upstream", async () => {
    const q = signedReq("/hidden");
    const r = await http(gw.url + q.path, { headers: q.headers });
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body).headers.authorization).toBeUndefined();
  });

  it("a replay inside the skew window passes (Date is the only replay bound)", async () => {
    const q = signedReq("/replay");
    expect((await http(gw.url + q.path, { headers: q.headers })).status).toBe(200);
    expect((await http(gw.url + q.path, { headers: q.headers })).status).toBe(200);
  });

  it("random Authorization, Date and Digest values never trap the VM", async () => {
    const printable = fc.array(fc.integer({ min: 0x20, max: 0x7e }), { maxLength: 120 }).map((a) => String.fromCharCode(...a));
    const field = fc.tuple(fc.constantFrom("keyId", "algorithm", "headers", "signature", "x", ""), printable.map((s) => s.replace(/"/g, ""))).map(([k, v]) => `${k}="${v}"`);
    const auth = fc.oneof(printable, fc.array(field, { maxLength: 6 }).map((f) => "Signature " + f.join(",")), fc.array(field, { maxLength: 6 }).map((f) => 'Signature keyId="ak-alice",algorithm="hmac-sha256",' + f.join(",")));
    await fc.assert(
      fc.asyncProperty(auth, printable, printable, fc.boolean(), async (a, d, g, withBody) => {
        const r = await http(gw.url + "/a", { method: withBody ? "POST" : "GET", body: withBody ? d : undefined, headers: [["authorization", a], ["date", d], ["digest", g]] });
        expect(r.status).toBe(401);
      }),
      { numRuns: 150 },
    );
    const q = signedReq("/after-fuzz");
    expect((await http(gw.url + q.path, { headers: q.headers })).status).toBe(200);
    await gw.envoy.settleLog();
    expect(gw.envoy.log).not.toMatch(/sluice: abort|wasm trap|RuntimeError/);
  });
});

describe("global_auth false, anonymous consumer, clock_skew 0, only hmac-sha256", () => {
  const gw = startEnvoy(
    { consumers, global_auth: false, anonymous_consumer: "guest", clock_skew: 0, allowed_algorithms: ["hmac-sha256"], _rules_: [{ _match_route_: ["locked"], allow: ["alice"] }] },
    ["locked"],
  );
  runCases(gw, [
    { name: "no rule → pass through", req: () => ({ path: "/free", headers: [] }), status: 200, consumer: null },
    { name: "no credentials → anonymous consumer", req: () => ({ path: "/locked", headers: [] }), status: 200, consumer: "guest" },
    { name: "unknown keyId → anonymous consumer", req: () => signedReq("/locked", { keyId: "ak-x", secret: "y" }), status: 200, consumer: "guest" },
    { name: "no Date needed when clock_skew is 0", req: () => ({ path: "/locked", headers: [["authorization", sign({ path: "/locked", signed: ["@request-target"] })]] }), status: 200, consumer: "alice" },
    { name: "a known key with a bad signature is not anonymous", req: () => signedReq("/locked", { secret: "nope" }), status: 401, reason: "Invalid signature" },
    { name: "hmac-sha1 not in allowed_algorithms", req: () => signedReq("/locked", { algorithm: "hmac-sha1" }), status: 401, reason: "Invalid algorithm" },
    { name: "bob not allowed", req: () => signedReq("/locked", { keyId: "ak-bob" }), status: 401, reason: "consumer 'bob' is not allowed" },
  ]);
});

describe("hmac-auth-apisix with a bad configuration", () => {
  for (const [name, bad, why] of [
    ["no consumers", {}, "consumers is required"],
    ["empty consumers", { consumers: [] }, "consumers cannot be empty"],
    ["a consumer without access_key", { consumers: [{ secret_key: "s" }] }, "consumer access_key is required"],
    ["a consumer without secret_key", { consumers: [{ access_key: "a" }] }, "consumer secret_key is required"],
    ["duplicate access keys", { consumers: [{ access_key: "a", secret_key: "1" }, { access_key: "a", secret_key: "2" }] }, "duplicate consumer access_key: a"],
    ["an unknown algorithm", { consumers, allowed_algorithms: ["hmac-md5"] }, "invalid allowed_algorithm: hmac-md5"],
    ["clock_skew not a number", { consumers, clock_skew: "300s" }, "clock_skew must be an integer"],
    ["signed_headers not a list", { consumers, signed_headers: "date" }, "signed_headers must be an array"],
    ["validate_request_body not a boolean", { consumers, validate_request_body: "yes" }, "validate_request_body must be a boolean"],
  ] as const) {
    it(`refuses to start: ${name}`, async () => {
      let log = "";
      await expect(
        Envoy.start(
          { plugins: [{ name: "hmac-auth-apisix", wasm: pluginWasm("hmac-auth-apisix"), config: bad }], routes: [{ name: "r", cluster: "up" }], clusters: [{ name: "up", port: upstream.port }] },
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
