// jwt-auth on the emulator, both targets. On the envoy target RS*/ES* go through the emulator's
// verify_signature (Envoy's foreign function, node:crypto here); Higress has no such function,
// so the higress build verifies in AssemblyScript. Both must agree on every token.
import { describe, it, expect } from "vitest";
import { createHmac, generateKeyPairSync, sign as nodeSign, constants, type KeyObject } from "node:crypto";
import { pluginWasm } from "../../../harness/src/index.js";
import { Emulator } from "../../../harness/src/emulator/index.js";

const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
const rsaOther = generateKeyPairSync("rsa", { modulusLength: 2048 });
const p256 = generateKeyPairSync("ec", { namedCurve: "P-256" });
const p384 = generateKeyPairSync("ec", { namedCurve: "P-384" });
const ed = generateKeyPairSync("ed25519");
const hsSecret = Buffer.from("alice-hmac-secret-0123456789abcdef");

const jwk = (k: KeyObject, kid: string) => ({ ...(k.export({ format: "jwk" }) as object), kid });
const aliceJwks = { keys: [jwk(rsa.publicKey, "rsa1"), jwk(p256.publicKey, "ec256"), jwk(p384.publicKey, "ec384"), jwk(ed.publicKey, "ed"), { kty: "oct", kid: "hs", k: hsSecret.toString("base64url") }] };

type Alg = "RS256" | "RS384" | "RS512" | "PS256" | "PS384" | "PS512" | "ES256" | "ES384" | "EdDSA" | "HS256" | "HS384" | "HS512" | "none";
const b64u = (b: Buffer | string) => Buffer.from(b).toString("base64url");

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

const now = () => Math.floor(Date.now() / 1000);
const ISS = "https://issuer.example";
const claims = (extra: Record<string, unknown> = {}) => ({ iss: ISS, sub: "alice-id", exp: now() + 600, ...extra });
const keyFor: Record<string, [KeyObject | Buffer, string]> = {
  RS256: [rsa.privateKey, "rsa1"], RS384: [rsa.privateKey, "rsa1"], RS512: [rsa.privateKey, "rsa1"],
  PS256: [rsa.privateKey, "rsa1"], PS384: [rsa.privateKey, "rsa1"], PS512: [rsa.privateKey, "rsa1"],
  ES256: [p256.privateKey, "ec256"], ES384: [p384.privateKey, "ec384"], EdDSA: [ed.privateKey, "ed"],
  HS256: [hsSecret, "hs"], HS384: [hsSecret, "hs"], HS512: [hsSecret, "hs"],
};
const token = (alg: Alg = "RS256", extra: Record<string, unknown> = {}) => makeJwt(alg, keyFor[alg][0], claims(extra), { kid: keyFor[alg][1] });
const bearer = (t: string): [string, string] => ["authorization", `Bearer ${t}`];
/** Bytes as written (latin1 maps each char to one byte): invalid UTF-8 for the host. */
const bytes = (s: string) => Buffer.from(s, "latin1");

const config = {
  consumers: [{ name: "alice", issuer: ISS, jwks: JSON.stringify(aliceJwks), claims_to_headers: [{ claim: "sub", header: "X-User" }] }],
  _rules_: [{ _match_route_: ["alice-only"], allow: ["alice"] }],
};
const routes = [{ name: "alice-only", prefix: "/alice-only", cluster: "up" }, { name: "default", prefix: "/", cluster: "up" }];
const EXPIRED = "Request denied by JWT Auth check. JWT is expired.";
const INVALID = "Request denied by JWT Auth check. JWT verification fails";
const MISSING = "Request denied by JWT Auth check. JWT is missing.";

const algs: Alg[] = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA", "HS256", "HS384", "HS512"];
interface Case { name: string; headers: () => [string, string | Buffer][]; status: number; message?: string }
const cases: Case[] = [
  ...algs.map((alg): Case => ({ name: `${alg} token verifies`, headers: () => [bearer(token(alg))], status: 200 })),
  ...(["RS256", "ES256", "ES384"] as Alg[]).map((alg): Case => ({
    name: `${alg} with a flipped signature byte fails`,
    headers: () => {
      const t = token(alg);
      const sig = Buffer.from(t.split(".")[2], "base64url");
      sig[5] ^= 1;
      return [bearer(t.split(".").slice(0, 2).join(".") + "." + b64u(sig))];
    },
    status: 401,
    message: INVALID,
  })),
  { name: "no token", headers: () => [], status: 401, message: MISSING },
  { name: "expired beyond the skew", headers: () => [bearer(token("RS256", { exp: now() - 120 }))], status: 401, message: EXPIRED },
  { name: "alg none", headers: () => [bearer(makeJwt("none", null, claims(), { kid: "rsa1" }))], status: 401, message: INVALID },
  { name: "HS256 signed with the RSA public key", headers: () => [bearer(makeJwt("HS256", Buffer.from(rsa.publicKey.export({ type: "spki", format: "pem" }) as string), claims(), { kid: "rsa1" }))], status: 401, message: INVALID },
  { name: "signed by a foreign RSA key", headers: () => [bearer(makeJwt("RS256", rsaOther.privateKey, claims(), { kid: "rsa1" }))], status: 401, message: INVALID },
  { name: "ES256 token claiming the RSA key", headers: () => [bearer(makeJwt("ES256", p256.privateKey, claims(), { kid: "rsa1" }))], status: 401, message: INVALID },
  { name: "two Authorization headers (folded by Envoy)", headers: () => [bearer(token()), bearer(token("HS256"))], status: 401, message: INVALID },
  { name: "a valid token followed by an invalid byte (\\xff)", headers: () => [["authorization", Buffer.concat([Buffer.from(`Bearer ${token()}`), bytes("\xff")])]], status: 401, message: INVALID },
  { name: "a signed payload whose iss has an overlong 'a' (not UTF-8 JSON)", headers: () => [bearer(makeJwt("HS256", hsSecret, Buffer.concat([Buffer.from(`{"iss":"https://issuer.ex`), bytes("\xc1\xa1"), Buffer.from(`mple","sub":"alice-id","exp":${now() + 600}}`)]), { kid: "hs" }))], status: 401, message: INVALID },
  { name: "a spoofed x_mse_consumer (underscore) does not reach the upstream", headers: () => [bearer(token()), ["x_mse_consumer", "bob"]], status: 200 },
];

for (const target of ["envoy", "higress"] as const) {
  describe(`jwt-auth on the emulator (${target})`, () => {
    const load = () => Emulator.load(pluginWasm("jwt-auth", target), { target, config, routes, pluginName: "jwt-auth" });

    it.each(cases)("$name", async (c) => {
      const host = await load();
      const r = await host.request({ path: "/alice-only", headers: c.headers() });
      expect(`${r.status} ${r.status === 200 ? "" : r.body}`).toBe(`${c.status} ${c.status === 200 ? "" : c.message ?? ""}`);
      if (c.status === 200) {
        const seen = Object.fromEntries(r.upstream?.headers ?? []);
        expect(seen["x-user"]).toBe("alice-id");
        expect(Object.keys(seen).filter((k) => k.toLowerCase().replace(/_/g, "-") === "x-mse-consumer")).toEqual(["x-mse-consumer"]);
      }
      else expect(r.header("www-authenticate")).toBe("JWT realm=MSE Gateway");
      expect(host.traps).toEqual([]);
    });

    it(target === "envoy" ? "uses Envoy's verify_signature for RS256" : "verifies RS256 without the host (Higress has no verify_signature)", async () => {
      const host = await load();
      expect((await host.request({ path: "/alice-only", headers: [bearer(token("RS256"))] })).status).toBe(200);
      const foreign = host.hostCalls.get("proxy_call_foreign_function") ?? 0;
      if (target === "envoy") expect(foreign).toBeGreaterThan(0);
      else expect(foreign).toBeLessThanOrEqual(1); // at most one probe that finds nothing
    });

    it("a token expires when the host clock moves past exp + skew", async () => {
      const host = await load();
      const t = token("HS256", { exp: now() + 30 });
      expect((await host.request({ path: "/alice-only", headers: [bearer(t)] })).status).toBe(200);
      host.advance(120_000);
      expect((await host.request({ path: "/alice-only", headers: [bearer(t)] })).body).toBe(EXPIRED);
    });
  });
}
