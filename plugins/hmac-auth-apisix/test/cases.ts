// The case table of hmac-auth-apisix: signatures made on Node (node:crypto) the way APISIX clients
// make them, and every way to get one wrong — tampering, wrong key/algorithm, stale or future Date
// (replays outside the clock skew), missing signed headers, body digests, bytes that are not UTF-8.
// Requests are built when the row runs (a fresh Date) and sent to a real Envoy and to the emulator
// (both targets) through harness/src/plugin-table.ts, which also demands the same answer.
import { createHash, createHmac } from "node:crypto";
import type { Group, PluginTable, Row } from "../../../harness/src/plugin-table.js";

export const consumers = [
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

export const httpDate = (offsetSeconds = 0) => new Date(Date.now() + offsetSeconds * 1000).toUTCString();
const digestOf = (body: string) => "SHA-256=" + createHash("sha256").update(body).digest("base64");
/** Bytes as written (latin1 maps each char to one byte): invalid UTF-8 on the wire. */
const bytes = (s: string) => Buffer.from(s, "latin1");
type Req = { path: string; method?: string; body?: string; headers: [string, string | Buffer][]; chunks?: number };
/** `q` with the value of header `name` replaced by raw bytes. */
const setBytes = (q: Req, name: string, value: (old: Buffer) => Buffer): Req => ({ ...q, headers: q.headers.map(([k, v]): [string, string | Buffer] => [k, k === name ? value(Buffer.from(v)) : v]) });
/** `q` with the value of header `name` followed by `tail`. */
const appendBytes = (q: Req, name: string, tail: Buffer) => setBytes(q, name, (old) => Buffer.concat([old, tail]));
export const err = (reason: string) => JSON.stringify({ message: `client request can't be validated: ${reason}` });

interface Case {
  name: string;
  /** Builds the request at run time (the Date header must be fresh); a Buffer header value goes on the wire byte for byte. */
  req: () => Req;
  status: number;
  reason?: string;
  consumer?: string | null;
}

/** A correctly signed request, with overrides. */
export function signedReq(path: string, o: Partial<SignOpts> & { date?: string; extra?: [string, string][]; method?: string; body?: string } = {}) {
  const date = o.date ?? httpDate();
  const values = { date, ...(o.values ?? {}) };
  const auth = sign({ path, ...o, values });
  return { path, method: o.method, body: o.body, headers: [["date", date], ["authorization", auth], ...(o.extra ?? [])] as [string, string][] };
}

const withDigest = ["@request-target", "date", "digest"];

/** One signed request sent twice: a replay. */
let replayed: Req | undefined;
const replay = () => (replayed ??= signedReq("/replay"));

/** A refusal is the exact JSON message and no challenge; hide_credentials keeps Authorization from the upstream. */
const row = (hidden: boolean) => (c: Case): Row => ({
  name: c.name,
  request: () => {
    const q = c.req();
    return { path: q.path, method: q.method, headers: q.headers, body: q.body, chunks: q.chunks };
  },
  expect: {
    status: c.status,
    body: c.status === 200 ? undefined : err(c.reason!),
    upstream: c.status !== 200 ? undefined : { ...(c.consumer === undefined ? {} : { "x-mse-consumer": c.consumer }), ...(hidden ? { authorization: null } : {}) },
    upstreamBody: c.status === 200 ? true : undefined,
  },
});
const refused = { headers: { "www-authenticate": null } };

const groups: Group[] = [
  {
    name: "global_auth true, signed_headers [@request-target, date], body digest, hidden credentials",
    config: {
      consumers,
      global_auth: true,
      signed_headers: ["@request-target", "date"],
      validate_request_body: true,
      hide_credentials: true,
      _rules_: [{ _match_route_: ["bob-only"], allow: ["bob"] }],
    },
    routes: ["bob-only"],
    refused,
    rows: ([
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
    { name: "body in 3 chunks with the right Digest (signed)", req: () => { const body = '{"pay":1,"pad":"' + "x".repeat(300) + '"}'; return { ...signedReq("/a", { method: "POST", body, signed: withDigest, values: { digest: digestOf(body) }, extra: [["digest", digestOf(body)]] }), chunks: 3 }; }, status: 200 },
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
    { name: "hide_credentials removes Authorization before the upstream", req: () => signedReq("/hidden"), status: 200, consumer: "alice" },
    { name: "a replay inside the skew window passes (Date is the only replay bound): first", req: replay, status: 200 },
    { name: "a replay inside the skew window passes (Date is the only replay bound): again", req: replay, status: 200 },
    ] as Case[]).map(row(true)),
  },
  {
    name: "global_auth false, anonymous consumer, clock_skew 0, only hmac-sha256",
    config: { consumers, global_auth: false, anonymous_consumer: "guest", clock_skew: 0, allowed_algorithms: ["hmac-sha256"], _rules_: [{ _match_route_: ["locked"], allow: ["alice"] }] },
    routes: ["locked"],
    refused,
    rows: ([
    { name: "no rule → pass through", req: () => ({ path: "/free", headers: [] }), status: 200, consumer: null },
    { name: "no credentials → anonymous consumer", req: () => ({ path: "/locked", headers: [] }), status: 200, consumer: "guest" },
    { name: "unknown keyId → anonymous consumer", req: () => signedReq("/locked", { keyId: "ak-x", secret: "y" }), status: 200, consumer: "guest" },
    { name: "no Date needed when clock_skew is 0", req: () => ({ path: "/locked", headers: [["authorization", sign({ path: "/locked", signed: ["@request-target"] })]] }), status: 200, consumer: "alice" },
    { name: "a known key with a bad signature is not anonymous", req: () => signedReq("/locked", { secret: "nope" }), status: 401, reason: "Invalid signature" },
    { name: "hmac-sha1 not in allowed_algorithms", req: () => signedReq("/locked", { algorithm: "hmac-sha1" }), status: 401, reason: "Invalid algorithm" },
    { name: "bob not allowed", req: () => signedReq("/locked", { keyId: "ak-bob" }), status: 401, reason: "consumer 'bob' is not allowed" },
    ] as Case[]).map(row(false)),
  },
  // The hmac-auth-apisix scenario of the former test/differential.
  {
    name: "global_auth true, one consumer, body validation",
    config: { global_auth: true, consumers: [consumers[0]], signed_headers: ["@request-target", "date"], validate_request_body: true },
    refused,
    rows: ([
      { name: "valid signature", req: () => signedReq("/h?x=1"), status: 200, consumer: "alice" },
      { name: "wrong secret", req: () => signedReq("/h", { secret: "sk-bob" }), status: 401, reason: "Invalid signature" },
      { name: "tampered path", req: () => ({ ...signedReq("/h"), path: "/other" }), status: 401, reason: "Invalid signature" },
      { name: "body without a digest", req: () => signedReq("/h", { method: "POST", body: "x" }), status: 401, reason: 'expected header "digest" missing in signing' },
      { name: "no Authorization", req: () => ({ path: "/h", headers: [["date", httpDate()]] }), status: 401, reason: "missing Authorization header" },
    ] as Case[]).map(row(false)),
  },
];

export const table: PluginTable = {
  plugin: "hmac-auth-apisix",
  groups,
  badConfigs: ([
    ["no consumers", {}, "consumers is required"],
    ["empty consumers", { consumers: [] }, "consumers cannot be empty"],
    ["a consumer without access_key", { consumers: [{ secret_key: "s" }] }, "consumer access_key is required"],
    ["a consumer without secret_key", { consumers: [{ access_key: "a" }] }, "consumer secret_key is required"],
    ["duplicate access keys", { consumers: [{ access_key: "a", secret_key: "1" }, { access_key: "a", secret_key: "2" }] }, "duplicate consumer access_key: a"],
    ["an unknown algorithm", { consumers, allowed_algorithms: ["hmac-md5"] }, "invalid allowed_algorithm: hmac-md5"],
    ["clock_skew not a number", { consumers, clock_skew: "300s" }, "clock_skew must be an integer"],
    ["signed_headers not a list", { consumers, signed_headers: "date" }, "signed_headers must be an array"],
    ["validate_request_body not a boolean", { consumers, validate_request_body: "yes" }, "validate_request_body must be a boolean"],
  ] as const).map(([name, config, message]) => ({ name, config, message })),
};
