// The case table of simple-jwt-auth: Higress's own e2e configuration (header `token`, its secret),
// HS256/384/512 tokens signed here, the attacks a JWT check must hold against (another secret, a
// changed payload, alg none, an RS256 header, a Bearer prefix, a token in another header, four
// parts, bytes that are not UTF-8), jwt-go v3.2.0's claim checks (exp, iat, nbf; non-numeric and
// zero values ignored), Higress's bad_config quirk (a config without the secret loads and refuses
// every request with code 400 in a 401), a rule with no global config (other routes uncovered), a numeric secret, and
// bad configurations. Every row runs on a real Envoy and on the emulator (both targets) through
// harness/src/plugin-table.ts.
import { createHmac } from "node:crypto";
import type { Group, PluginTable, Row } from "../../../harness/src/plugin-table.js";

const SECRET = "Dav7kfq3iA8S!JUj8&CUkdnQe72E@Cw6";
const AUTH_FAILED = '{"code":401,"msg":"认证失败"}';
const BAD_CONFIG = '{"code":400,"msg":"token or secret 不允许为空"}';

const b64 = (v: string | Buffer) => Buffer.from(v).toString("base64url");
const now = () => Math.floor(Date.now() / 1000);
/** A JWT signed with HMAC (`alg` names the hash; `signAs` lets a header lie about it). */
function jwt(claims: Record<string, unknown>, o: { secret?: string; alg?: string; header?: Record<string, unknown> } = {}): string {
  const alg = o.alg ?? "HS256";
  const head = b64(JSON.stringify(o.header ?? { alg, typ: "JWT" }));
  const body = b64(JSON.stringify(claims));
  const hash = alg === "HS384" ? "sha384" : alg === "HS512" ? "sha512" : "sha256";
  const sig = createHmac(hash, o.secret ?? SECRET).update(`${head}.${body}`).digest("base64url");
  return `${head}.${body}.${sig}`;
}
const fresh = (extra: Record<string, unknown> = {}) => ({ sub: "alice", exp: now() + 3600, ...extra });

interface Case { name: string; path?: string; headers?: () => [string, string | Buffer][]; status: number; body?: string }
const row = (c: Case): Row => {
  // The headers are made once per row (fresh exp/iat) and sent to every host; the check compares with those.
  let sent: [string, string | Buffer][] | undefined;
  return {
    name: c.name,
    request: () => {
      sent = c.headers?.();
      return { path: c.path ?? "/info", host: "foo.com", headers: sent };
    },
    expect: {
      status: c.status,
      body: c.status === 200 ? undefined : (c.body ?? AUTH_FAILED),
      reachesUpstream: c.status === 200,
      // A token that passes reaches the upstream unchanged.
      check: (o) => {
        if (o.upstream === null || c.status !== 200) return;
        const token = sent?.find(([k]) => k.toLowerCase() === "token");
        if (token && typeof token[1] === "string" && o.upstream.headers.token !== token[1]) throw new Error("the token header changed on its way upstream");
      },
      notLogged: [SECRET],
    },
  };
};
const token = (t: string | Buffer): [string, string | Buffer][] => [["token", t]];

const higress: Case[] = [
  { name: "no token header: 401 (Higress's e2e case: GET foo.com/info)", status: 401 },
  { name: "a valid HS256 token passes, its header unchanged", headers: () => token(jwt(fresh())), status: 200 },
  { name: "a valid HS384 token passes", headers: () => token(jwt(fresh(), { alg: "HS384" })), status: 200 },
  { name: "a valid HS512 token passes", headers: () => token(jwt(fresh(), { alg: "HS512" })), status: 200 },
  { name: "a token without exp passes (jwt-go requires none)", headers: () => token(jwt({ sub: "alice" })), status: 200 },
  { name: "the header name is case-insensitive", headers: () => [["TOKEN", jwt(fresh())]], status: 200 },
  { name: "two token headers, the valid one first: 401 (an upstream could read the other)", headers: () => [["token", jwt(fresh())], ["token", jwt(fresh(), { secret: "forged" })]], status: 401 },
  { name: "two token headers, the valid one second: 401", headers: () => [["token", "garbage"], ["Token", jwt(fresh())]], status: 401 },
  { name: "signed with another secret: 401", headers: () => token(jwt(fresh(), { secret: "not-the-secret" })), status: 401 },
  {
    name: "a payload changed after signing: 401",
    headers: () => {
      const [h, , s] = jwt(fresh()).split(".");
      return token(`${h}.${b64(JSON.stringify(fresh({ sub: "admin" })))}.${s}`);
    },
    status: 401,
  },
  { name: "alg none with an empty signature: 401", headers: () => token(`${b64('{"alg":"none","typ":"JWT"}')}.${b64(JSON.stringify(fresh()))}.`), status: 401 },
  { name: "an RS256 header over an HMAC signature (algorithm confusion): 401", headers: () => token(jwt(fresh(), { header: { alg: "RS256", typ: "JWT" } })), status: 401 },
  { name: "an unknown alg: 401", headers: () => token(jwt(fresh(), { header: { alg: "HS999" } })), status: 401 },
  { name: "a Bearer prefix is not removed (as in Higress): 401", headers: () => token(`Bearer ${jwt(fresh())}`), status: 401 },
  { name: "the token in Authorization instead of the configured header: 401", headers: () => [["authorization", jwt(fresh())]], status: 401 },
  { name: "an empty header value: 401", headers: () => token(""), status: 401 },
  { name: "four dot-separated parts: 401", headers: () => token(jwt(fresh()) + ".x"), status: 401 },
  { name: "a payload that is a JSON array, not an object: 401", headers: () => token((() => { const head = b64('{"alg":"HS256"}'); const body = b64("[1,2]"); return `${head}.${body}.${createHmac("sha256", SECRET).update(`${head}.${body}`).digest("base64url")}`; })()), status: 401 },
  { name: "bytes that are not UTF-8 in the header: 401", headers: () => token(Buffer.concat([Buffer.from(jwt(fresh()).slice(0, 20)), Buffer.from([0xff, 0xfe]), Buffer.from("x")])), status: 401 },
  { name: "expired (exp an hour ago): 401", headers: () => token(jwt(fresh({ exp: now() - 3600 }))), status: 401 },
  { name: "exp as a string is ignored, as jwt-go v3.2.0 does", headers: () => token(jwt(fresh({ exp: "1" }))), status: 200 },
  { name: "exp 0 is ignored, as jwt-go v3.2.0 does", headers: () => token(jwt(fresh({ exp: 0 }))), status: 200 },
  { name: "nbf an hour ahead: 401", headers: () => token(jwt(fresh({ nbf: now() + 3600 }))), status: 401 },
  { name: "iat an hour ahead: 401", headers: () => token(jwt(fresh({ iat: now() + 3600 }))), status: 401 },
  { name: "iat and nbf in the past pass", headers: () => token(jwt(fresh({ iat: now() - 60, nbf: now() - 60 }))), status: 200 },
];

const groups: Group[] = [
  { name: "Higress's e2e configuration (header token)", config: { token_headers: "token", token_secret_key: SECRET }, rows: higress.map(row) },
  {
    name: "no secret configured: every request refused with Higress's bad_config body",
    config: { token_headers: "token" },
    rows: [
      { name: "without a token: 401 bad_config", status: 401, body: BAD_CONFIG },
      { name: "even a well-signed token: 401 bad_config", headers: () => token(jwt(fresh())), status: 401, body: BAD_CONFIG },
    ].map(row),
  },
  {
    name: "an empty global config with a rule for one route, a numeric secret",
    config: { _rules_: [{ _match_route_: ["secure"], token_headers: "x-auth-token", token_secret_key: 123456 }] },
    routes: ["secure"],
    rows: [
      { name: "the rule's route: a token signed with '123456' in x-auth-token passes", path: "/secure/a", headers: () => [["x-auth-token", jwt(fresh(), { secret: "123456" })]], status: 200 },
      { name: "the rule's route: the wrong secret is refused", path: "/secure/a", headers: () => [["x-auth-token", jwt(fresh())]], status: 401 },
      // Higress's rule matcher: a config holding only _rules_ has no global part, so other routes run without the plugin.
      { name: "another route is not covered (only _rules_ given: no global config, as Higress)", path: "/open", status: 200 },
    ].map(row),
  },
];

export const table: PluginTable = {
  plugin: "simple-jwt-auth",
  groups,
  badConfigs: [
    { name: "a secret that is an object", config: { token_headers: "token", token_secret_key: { k: 1 } }, message: "token_secret_key must be a string" },
    { name: "a header list instead of one name", config: { token_headers: ["token"], token_secret_key: SECRET }, message: "token_headers must be a string" },
    { name: "a header name with a space", config: { token_headers: "my token", token_secret_key: SECRET }, message: "token_headers must be one header name" },
    { name: "a fractional number as the secret", config: { token_headers: "token", token_secret_key: 1.5 }, message: "token_secret_key must be a string" },
  ],
};
