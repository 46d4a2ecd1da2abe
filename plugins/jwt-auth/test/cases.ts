// The case table of jwt-auth: tokens signed on Node (node:crypto) for every algorithm, time claims
// with clock skew, issuers, extractors (header, query, cookie), claims to headers, Higress's
// failure selection, and the attacks: alg none, HS256 with the RSA public key as the secret,
// tampering, foreign keys, duplicate headers, JWE-shaped tokens, bytes that are not UTF-8. Tokens
// are made when the row runs and sent to a real Envoy (RS*/ES* through its verify_signature) and
// to the emulator (both targets; the higress build verifies in AssemblyScript) through
// harness/src/plugin-table.ts, which also demands the same answer from all three.
import { expect } from "vitest";
import { createHmac, generateKeyPairSync, sign as nodeSign, constants, type KeyObject } from "node:crypto";
import type { Group, Observed, PluginTable, Row } from "../../../harness/src/plugin-table.js";

const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
const rsaOther = generateKeyPairSync("rsa", { modulusLength: 2048 });
const p256 = generateKeyPairSync("ec", { namedCurve: "P-256" });
const p384 = generateKeyPairSync("ec", { namedCurve: "P-384" });
const ed = generateKeyPairSync("ed25519");
const hsSecret = Buffer.from("alice-hmac-secret-0123456789abcdef");
const bobSecret = Buffer.from("bob-secret-bob-secret-bob-secret!");

const jwk = (k: KeyObject, kid: string) => ({ ...(k.export({ format: "jwk" }) as object), kid });
const aliceJwks = {
  keys: [
    jwk(rsa.publicKey, "rsa1"),
    jwk(p256.publicKey, "ec256"),
    jwk(p384.publicKey, "ec384"),
    jwk(ed.publicKey, "ed"),
    { kty: "oct", kid: "hs", k: hsSecret.toString("base64url") },
  ],
};

type Alg = "RS256" | "RS384" | "RS512" | "PS256" | "PS384" | "PS512" | "ES256" | "ES384" | "EdDSA" | "HS256" | "HS384" | "HS512" | "none";
export const b64u = (b: Buffer | string) => Buffer.from(b).toString("base64url");

function makeJwt(alg: Alg, key: KeyObject | Buffer | null, claims: Record<string, unknown> | Buffer, header: Record<string, unknown> = {}): string {
  const payload = Buffer.isBuffer(claims) ? claims : Buffer.from(JSON.stringify(claims));
  const input = `${b64u(JSON.stringify({ alg, typ: "JWT", ...header }))}.${b64u(payload)}`;
  const bits = alg.slice(2);
  let sig: Buffer;
  if (alg === "none") sig = Buffer.alloc(0);
  else if (alg.startsWith("HS")) sig = createHmac(`sha${bits}`, key as Buffer).update(input).digest();
  else if (alg.startsWith("RS")) sig = nodeSign(`sha${bits}`, Buffer.from(input), key as KeyObject);
  else if (alg.startsWith("PS")) sig = nodeSign(`sha${bits}`, Buffer.from(input), { key: key as KeyObject, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: Number(bits) / 8 });
  else if (alg.startsWith("ES")) sig = nodeSign(`sha${bits}`, Buffer.from(input), { key: key as KeyObject, dsaEncoding: "ieee-p1363" });
  else sig = nodeSign(null, Buffer.from(input), key as KeyObject);
  return `${input}.${b64u(sig)}`;
}

export const now = () => Math.floor(Date.now() / 1000);
export const ISS = "https://issuer.example";
const aliceClaims = (extra: Record<string, unknown> = {}) => ({ iss: ISS, sub: "alice-id", role: "admin", n: 1700000000, exp: now() + 600, ...extra });
const signingKey: Record<string, [KeyObject | Buffer, string]> = {
  RS256: [rsa.privateKey, "rsa1"], RS384: [rsa.privateKey, "rsa1"], RS512: [rsa.privateKey, "rsa1"],
  PS256: [rsa.privateKey, "rsa1"], PS384: [rsa.privateKey, "rsa1"], PS512: [rsa.privateKey, "rsa1"],
  ES256: [p256.privateKey, "ec256"], ES384: [p384.privateKey, "ec384"], EdDSA: [ed.privateKey, "ed"],
  HS256: [hsSecret, "hs"], HS384: [hsSecret, "hs"], HS512: [hsSecret, "hs"],
};
export const aliceToken = (alg: Alg = "RS256", extra: Record<string, unknown> = {}) => makeJwt(alg, signingKey[alg][0], aliceClaims(extra), { kid: signingKey[alg][1] });
const bobToken = (extra: Record<string, unknown> = {}) => makeJwt("HS256", bobSecret, { iss: "bob-issuer", sub: "bob", exp: now() + 600, ...extra }, { kid: "bob" });
const carolToken = () => makeJwt("ES256", p256.privateKey, { iss: "carol-issuer", sub: "carol" });
export const bearer = (t: string): [string, string] => ["authorization", `Bearer ${t}`];
/** Bytes as written (latin1 maps each char to one byte): invalid UTF-8 on the wire. */
const bytes = (s: string) => Buffer.from(s, "latin1");

export const consumers = [
  {
    name: "alice",
    issuer: ISS,
    jwks: JSON.stringify(aliceJwks),
    claims_to_headers: [
      { claim: "sub", header: "X-User" },
      { claim: "role", header: "x-role", override: false },
      { claim: "n", header: "x-n" },
    ],
  },
  {
    name: "bob",
    issuer: "bob-issuer",
    jwks: JSON.stringify({ keys: [{ kty: "oct", kid: "bob", k: bobSecret.toString("base64url") }] }),
    from_headers: [{ name: "X-JWT", value_prefix: "" }],
    from_cookies: ["jwt"],
    keep_token: false,
    clock_skew_seconds: 0,
  },
  { name: "carol", issuer: "carol-issuer", jwks: JSON.stringify({ keys: [jwk(p256.publicKey, "c")] }), from_params: ["token"] },
];

const MISSING = "Request denied by JWT Auth check. JWT is missing.";
export const EXPIRED = "Request denied by JWT Auth check. JWT is expired.";
const INVALID = "Request denied by JWT Auth check. JWT verification fails";
const UNAUTHORIZED = "Request denied by JWT Auth check. Unauthorized consumer.";
const NOT_ALLOWED = "Request denied by JWT Auth check. JWT token not allow.";

interface Case {
  name: string;
  /** Builds the request when the row runs; a Buffer header value goes on the wire byte for byte. */
  req: () => { path: string; headers?: [string, string | Buffer][] };
  status: number;
  message?: string;
  consumer?: string | null;
  /** Extra checks on what the upstream received. */
  seen?: (s: { path: string; headers: Record<string, string> }) => void;
  check?: (o: Observed) => void;
}

/** A refusal carries the exact message and the JWT challenge. */
const row = (c: Case): Row => ({
  name: c.name,
  request: c.req,
  expect: {
    status: c.status,
    body: c.status === 200 ? undefined : c.message ?? "",
    upstream: c.consumer === undefined ? undefined : { "x-mse-consumer": c.consumer },
    check: (o) => {
      if (c.seen) c.seen(o.upstream!);
      c.check?.(o);
    },
  },
});
const refused = { headers: { "www-authenticate": "JWT realm=MSE Gateway" } };

const algs: Alg[] = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA", "HS256", "HS384", "HS512"];
/** One expired token, made once: sent, then looked for in the log. */
let expired: string | undefined;
const expiredToken = () => (expired ??= aliceToken("RS256", { exp: now() - 9999 }));

// The jwt-auth scenario of the former test/differential: Envoy's verify_signature vs the
// emulator's, and the AssemblyScript verifiers, with global_auth and one consumer.
const flip = (t: string) => { const p = t.split("."); const sig = Buffer.from(p[2], "base64url"); sig[3] ^= 1; return `${p[0]}.${p[1]}.${b64u(sig)}`; };
const single = { global_auth: true, consumers: [{ name: "alice", issuer: ISS, jwks: JSON.stringify(aliceJwks), claims_to_headers: [{ claim: "sub", header: "x-user" }] }] };

const groups: Group[] = [
  {
    name: "global_auth unset with rules: single-consumer and multi-consumer allow lists",
    config: {
      consumers,
      _rules_: [
        { _match_route_: ["alice-only"], allow: ["alice"] },
        { _match_route_: ["team"], allow: ["alice", "bob"] },
        { _match_route_: ["carol-only"], allow: ["carol"] },
      ],
    },
    routes: ["alice-only", "team", "carol-only"],
    refused,
    rows: ([
    ...algs.map((alg): Case => ({
      name: `${alg} token verifies`,
      req: () => ({ path: "/alice-only", headers: [bearer(aliceToken(alg))] }),
      status: 200,
      consumer: "alice",
      seen: (s) => expect(s.headers["x-user"]).toBe("alice-id"),
    })),
    { name: "a route without a rule passes through", req: () => ({ path: "/open" }), status: 200, consumer: null },
    { name: "no token → 401 missing", req: () => ({ path: "/alice-only" }), status: 401, message: MISSING },
    { name: "expired beyond the 60 s skew → 401 expired", req: () => ({ path: "/alice-only", headers: [bearer(aliceToken("RS256", { exp: now() - 120 }))] }), status: 401, message: EXPIRED },
    { name: "expired but within the skew → 200", req: () => ({ path: "/alice-only", headers: [bearer(aliceToken("ES256", { exp: now() - 30 }))] }), status: 200 },
    { name: "not yet valid (nbf) → 401 expired", req: () => ({ path: "/alice-only", headers: [bearer(aliceToken("HS256", { nbf: now() + 300 }))] }), status: 401, message: EXPIRED },
    { name: "issued in the future (iat) → 401 expired", req: () => ({ path: "/alice-only", headers: [bearer(aliceToken("HS256", { iat: now() + 300 }))] }), status: 401, message: EXPIRED },
    { name: "exp that is not a number → 401 verification fails", req: () => ({ path: "/alice-only", headers: [bearer(aliceToken("HS256", { exp: "tomorrow" }))] }), status: 401, message: INVALID },
    { name: "wrong issuer → 401 verification fails", req: () => ({ path: "/alice-only", headers: [bearer(aliceToken("RS256", { iss: "https://evil.example" }))] }), status: 401, message: INVALID },
    { name: "alg none (unsigned) → 401", req: () => ({ path: "/alice-only", headers: [bearer(makeJwt("none", null, aliceClaims(), { kid: "rsa1" }))] }), status: 401, message: INVALID },
    {
      name: "algorithm confusion: HS256 signed with the RSA public key (PEM) → 401",
      req: () => ({ path: "/alice-only", headers: [bearer(makeJwt("HS256", Buffer.from(rsa.publicKey.export({ type: "spki", format: "pem" }) as string), aliceClaims(), { kid: "rsa1" }))] }),
      status: 401,
      message: INVALID,
    },
    {
      name: "algorithm confusion: HS256 signed with the RSA public key (DER) → 401",
      req: () => ({ path: "/alice-only", headers: [bearer(makeJwt("HS256", rsa.publicKey.export({ type: "spki", format: "der" }) as Buffer, aliceClaims(), { kid: "rsa1" }))] }),
      status: 401,
      message: INVALID,
    },
    { name: "ES256 token claiming the RSA key → 401", req: () => ({ path: "/alice-only", headers: [bearer(makeJwt("ES256", p256.privateKey, aliceClaims(), { kid: "rsa1" }))] }), status: 401, message: INVALID },
    { name: "signed by a foreign RSA key → 401", req: () => ({ path: "/alice-only", headers: [bearer(makeJwt("RS256", rsaOther.privateKey, aliceClaims(), { kid: "rsa1" }))] }), status: 401, message: INVALID },
    {
      name: "tampered payload (role admin → root) → 401",
      req: () => { const [h, , s] = aliceToken("PS256").split("."); return { path: "/alice-only", headers: [bearer(`${h}.${b64u(JSON.stringify(aliceClaims({ role: "root" })))}.${s}`)] }; },
      status: 401,
      message: INVALID,
    },
    { name: "unknown kid → the first key is tried (Higress)", req: () => ({ path: "/alice-only", headers: [bearer(makeJwt("RS256", rsa.privateKey, aliceClaims(), { kid: "nope" }))] }), status: 200, consumer: "alice" },
    { name: "a JWE-shaped token (5 parts) → 401", req: () => ({ path: "/alice-only", headers: [bearer("a.b.c.d.e")] }), status: 401, message: INVALID },
    { name: "garbage → 401", req: () => ({ path: "/alice-only", headers: [bearer("%%%.***.!!!")] }), status: 401, message: INVALID },
    { name: "another scheme than Bearer → 401 missing", req: () => ({ path: "/alice-only", headers: [["authorization", `Token ${aliceToken()}`]] }), status: 401, message: MISSING },
    { name: "two Authorization headers → 401", req: () => ({ path: "/alice-only", headers: [bearer(aliceToken()), bearer(aliceToken("HS256"))] }), status: 401, message: INVALID },
    { name: "token in ?access_token= (default source)", req: () => ({ path: `/alice-only?access_token=${aliceToken("EdDSA")}` }), status: 200, consumer: "alice" },
    { name: "bob verified but not allowed here → 403 unauthorized", req: () => ({ path: "/alice-only", headers: [["x-jwt", bobToken()]] }), status: 403, message: UNAUTHORIZED },
    {
      name: "claims to headers: override replaces, override:false adds, numbers print as integers; X-Mse-Consumer is replaced",
      req: () => ({ path: "/alice-only", headers: [bearer(aliceToken()), ["x-user", "spoof"], ["x-role", "client"], ["x-mse-consumer", "bob"]] }),
      status: 200,
      consumer: "alice",
      seen: (s) => {
        expect(s.headers["x-user"]).toBe("alice-id");
        expect(String(s.headers["x-role"])).toBe("client, admin");
        expect(s.headers["x-n"]).toBe("1700000000");
      },
    },
    { name: "keep_token (default true) leaves Authorization", req: () => ({ path: "/alice-only", headers: [bearer(aliceToken())] }), status: 200, seen: (s) => expect(s.headers.authorization).toMatch(/^Bearer /) },
    { name: "a valid token followed by an invalid byte (\\xff) → 401", req: () => ({ path: "/alice-only", headers: [["authorization", Buffer.concat([Buffer.from(`Bearer ${aliceToken()}`), bytes("\xff")])]] }), status: 401, message: INVALID },
    { name: "a valid token with an overlong 'e' (\\xc1\\xa5) for its first character → 401", req: () => ({ path: "/alice-only", headers: [["authorization", Buffer.concat([Buffer.from("Bearer "), bytes("\xc1\xa5"), Buffer.from(aliceToken().slice(1))])]] }), status: 401, message: INVALID },
    { name: "a signed payload whose iss has an overlong 'a' → 401 (not UTF-8 JSON)", req: () => ({ path: "/alice-only", headers: [bearer(makeJwt("HS256", hsSecret, Buffer.concat([Buffer.from(`{"iss":"https://issuer.ex`), bytes("\xc1\xa1"), Buffer.from(`mple","sub":"x","exp":${now() + 600}}`)]), { kid: "hs" }))] }), status: 401, message: INVALID },
    { name: "a spoofed x_mse_consumer (underscore) does not reach the upstream", req: () => ({ path: "/alice-only", headers: [bearer(aliceToken()), ["x_mse_consumer", "bob"], ["X-Mse_Consumer", "bob"]] }), status: 200, consumer: "alice" },
    { name: "carol-only: a valid ?token= followed by %FF → 401", req: () => ({ path: `/carol-only?token=${carolToken()}%FF` }), status: 401, message: INVALID },
    { name: "team: no token → 403 not allow (Higress: no specific error with 2+ allowed)", req: () => ({ path: "/team" }), status: 403, message: NOT_ALLOWED },
    { name: "team: expired → 403 not allow", req: () => ({ path: "/team", headers: [bearer(aliceToken("RS256", { exp: now() - 3600 }))] }), status: 403, message: NOT_ALLOWED },
    { name: "team: bob from his header; keep_token false removes it", req: () => ({ path: "/team", headers: [["x-jwt", bobToken()]] }), status: 200, consumer: "bob", seen: (s) => expect(s.headers["x-jwt"]).toBeUndefined() },
    {
      name: "team: bob from a cookie; only that cookie is removed",
      req: () => ({ path: "/team", headers: [["cookie", `a=1; jwt=${bobToken()}; b=2`]] }),
      status: 200,
      consumer: "bob",
      seen: (s) => expect(s.headers.cookie).toBe("a=1; b=2"),
    },
    { name: "team: bob with clock_skew 0 and exp 5 s ago → 403", req: () => ({ path: "/team", headers: [["x-jwt", bobToken({ exp: now() - 5 })]] }), status: 403, message: NOT_ALLOWED },
    { name: "team: carol verified but not allowed → 403 not allow", req: () => ({ path: `/team?token=${carolToken()}` }), status: 403, message: NOT_ALLOWED },
    { name: "carol-only: token from ?token= (no exp claim is accepted, as Higress)", req: () => ({ path: `/carol-only?token=${carolToken()}&x=1` }), status: 200, consumer: "carol", seen: (s) => expect(s.path).toContain("token=") },
    { name: "carol-only: alice's valid token → 403 unauthorized (alice verified, not allowed)", req: () => ({ path: "/carol-only", headers: [bearer(aliceToken())] }), status: 403, message: UNAUTHORIZED },
    { name: "carol-only: carol's token in Authorization is not carol's source → 401 missing", req: () => ({ path: "/carol-only", headers: [bearer(carolToken())] }), status: 401, message: MISSING },
    ...(["RS256", "ES256", "ES384"] as Alg[]).map((alg): Case => ({
      name: `${alg} with a flipped signature byte fails`,
      req: () => {
        const t = aliceToken(alg);
        const sig = Buffer.from(t.split(".")[2], "base64url");
        sig[5] ^= 1;
        return { path: "/alice-only", headers: [bearer(t.split(".").slice(0, 2).join(".") + "." + b64u(sig))] };
      },
      status: 401,
      message: INVALID,
    })),
    {
      name: "never logs tokens",
      req: () => ({ path: "/alice-only", headers: [bearer(expiredToken())] }),
      status: 401,
      message: EXPIRED,
      check: (o) => expect(o.logs.join("\n")).not.toContain(expiredToken().split(".")[2]),
    },
    ] as Case[]).map(row),
  },
  {
    name: "global_auth true, no rules: any consumer, generic failures",
    config: { global_auth: true, consumers },
    refused,
    rows: ([
    { name: "alice passes", req: () => ({ path: "/x", headers: [bearer(aliceToken("ES384"))] }), status: 200, consumer: "alice" },
    { name: "bob passes via cookie", req: () => ({ path: "/x", headers: [["cookie", `jwt=${bobToken()}`]] }), status: 200, consumer: "bob" },
    { name: "bob's cookie followed by an invalid byte → 403", req: () => ({ path: "/x", headers: [["cookie", Buffer.concat([Buffer.from(`jwt=${bobToken()}`), bytes("\xff")])]] }), status: 403, message: NOT_ALLOWED },
    { name: "an invalid byte in another cookie does not hide bob's", req: () => ({ path: "/x", headers: [["cookie", Buffer.concat([Buffer.from("a="), bytes("\xff"), Buffer.from(`; jwt=${bobToken()}`)])]] }), status: 200, consumer: "bob" },
    { name: "no token → 403 not allow", req: () => ({ path: "/x" }), status: 403, message: NOT_ALLOWED },

    ] as Case[]).map(row),
  },
  {
    name: "global_auth true, one consumer (any failure is 403 not allow)",
    config: single,
    refused,
    rows: ([
      { name: "RS256 (native verify on envoy)", req: () => ({ path: "/j", headers: [bearer(aliceToken("RS256"))] }), status: 200, consumer: "alice", seen: (s) => expect(s.headers["x-user"]).toBe("alice-id") },
      { name: "RS512", req: () => ({ path: "/j", headers: [bearer(aliceToken("RS512"))] }), status: 200 },
      { name: "ES256 (native verify on envoy)", req: () => ({ path: "/j", headers: [bearer(aliceToken("ES256"))] }), status: 200 },
      { name: "PS256 (AssemblyScript)", req: () => ({ path: "/j", headers: [bearer(aliceToken("PS256"))] }), status: 200 },
      { name: "HS256", req: () => ({ path: "/j", headers: [bearer(aliceToken("HS256"))] }), status: 200 },
      { name: "tampered RS256 signature", req: () => ({ path: "/j", headers: [bearer(flip(aliceToken("RS256")))] }), status: 403, message: NOT_ALLOWED },
      { name: "tampered ES256 signature", req: () => ({ path: "/j", headers: [bearer(flip(aliceToken("ES256")))] }), status: 403, message: NOT_ALLOWED },
      { name: "expired token", req: () => ({ path: "/j", headers: [bearer(aliceToken("HS256", { exp: 1000 }))] }), status: 403, message: NOT_ALLOWED },
      { name: "no token", req: () => ({ path: "/j" }), status: 403, message: NOT_ALLOWED },
    ] as Case[]).map(row),
  },
];

const c0 = consumers[0];
export const table: PluginTable = {
  plugin: "jwt-auth",
  groups,
  badConfigs: ([
    ["consumers not an array", { consumers: {} }, "consumers is not a array"],
    ["no consumers", { consumers: [] }, "at least one consumer should be configured"],
    ["a consumer without a name", { consumers: [{ ...c0, name: undefined }] }, "consumer name is required"],
    ["duplicate consumer names", { consumers: [c0, { ...consumers[2], name: "alice" }] }, "duplicate consumer name: alice"],
    ["no issuer", { consumers: [{ ...c0, issuer: undefined }] }, "issuer is required (consumer alice)"],
    ["no jwks", { consumers: [{ ...c0, jwks: undefined }] }, "jwks is required (consumer alice)"],
    ["jwks not JSON", { consumers: [{ ...c0, jwks: "{keys" }] }, "jwks is invalid (consumer alice): jwks is not valid JSON"],
    ["jwks without keys", { consumers: [{ ...c0, jwks: '{"keys":[]}' }] }, "jwks has no keys"],
    ["a broken RSA key", { consumers: [{ ...c0, jwks: JSON.stringify({ keys: [{ kty: "RSA", n: "AQAB", e: "AQAB" }] }) }] }, "jwks key 0: invalid RSA key"],
    ["an unknown kty", { consumers: [{ ...c0, jwks: JSON.stringify({ keys: [{ kty: "XYZ" }] }) }] }, "jwks key 0: unsupported kty"],
    ["two claims to one header", { consumers: [{ ...c0, claims_to_headers: [{ claim: "a", header: "x-a" }, { claim: "b", header: "X-A" }] }] }, "claim to header already exists"],
    ["a rule without allow", { consumers, _rules_: [{ _match_route_: ["r"] }] }, "rule 0: allow is required"],
  ] as const).map(([name, config, message]) => ({ name, config, message })),
};
